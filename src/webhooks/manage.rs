//! The steps of managing a host's webhook endpoints, shared by the dashboard and the host
//! API so both check and store exactly the same way: add (the secret shown once), change,
//! rotate the secret (the old one keeps signing for [`ROTATION_GRACE`]), remove.

use chrono::{DateTime, Duration, Utc};

use crate::config::Config;
use crate::core::webhooks::{EndpointInput, EndpointSettings, EventSet};
use crate::crypto::random_hex;
use crate::crypto::standard_webhooks::{seal, WebhookSecret};
use crate::store::{
    DeliveryLogRow, EndpointWrite, Store, StoreError, WebhookEndpointRow, MAX_ENDPOINTS_PER_HOST,
};

/// How long the previous secret still signs after a rotation: time to deploy the new one.
pub const ROTATION_GRACE: Duration = Duration::hours(24);

/// Why a change was not made.
#[derive(Debug, thiserror::Error)]
pub enum ManageError {
    #[error("You have no webhook endpoint with this id.")]
    NotFound,
    #[error("This endpoint has no such delivery, or it is being sent right now.")]
    NoSuchDelivery,
    #[error("You have no event type with this id.")]
    UnknownEventType,
    #[error("You have {MAX_ENDPOINTS_PER_HOST} webhook endpoints already; remove one first.")]
    TooMany,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A new endpoint and the secret its receiver verifies with, shown this once.
pub struct Added {
    pub endpoint: WebhookEndpointRow,
    pub secret: String,
}

fn write(settings: &EndpointSettings) -> EndpointWrite<'_> {
    EndpointWrite {
        event_type_id: settings.event_type_id.as_deref(),
        url: settings.url.as_str(),
        events: "",
        include_personal: settings.include_personal,
    }
}

async fn event_type_is_theirs(
    store: &Store,
    host_id: &str,
    settings: &EndpointSettings,
) -> Result<bool, StoreError> {
    match &settings.event_type_id {
        None => Ok(true),
        Some(id) => Ok(store.host_event_type(host_id, id).await?.is_some()),
    }
}

/// Adds an endpoint for `host_id`.
pub async fn add(
    store: &Store,
    config: &Config,
    host_id: &str,
    settings: &EndpointSettings,
    now: DateTime<Utc>,
) -> Result<Added, ManageError> {
    if !event_type_is_theirs(store, host_id, settings).await? {
        return Err(ManageError::UnknownEventType);
    }
    let id = random_hex::<16>();
    let events = settings.events.to_stored();
    let row = EndpointWrite {
        events: &events,
        ..write(settings)
    };
    let secret = WebhookSecret::generate();
    let sealed = seal(&config.token_cipher, host_id, &id, &secret);
    if !store
        .create_webhook_endpoint(host_id, &id, &row, &sealed, now.timestamp())
        .await?
    {
        return Err(ManageError::TooMany);
    }
    let endpoint = store
        .host_webhook_endpoint(host_id, &id)
        .await?
        .ok_or(ManageError::NotFound)?;
    Ok(Added {
        endpoint,
        secret: secret.reveal(),
    })
}

/// Changes the host's endpoint `id`; `enabled` turns it on (a disabled one back on) or off,
/// or leaves it.
pub async fn change(
    store: &Store,
    host_id: &str,
    id: &str,
    settings: &EndpointSettings,
    enabled: Option<bool>,
    now: DateTime<Utc>,
) -> Result<WebhookEndpointRow, ManageError> {
    if !event_type_is_theirs(store, host_id, settings).await? {
        return Err(ManageError::UnknownEventType);
    }
    let events = settings.events.to_stored();
    let row = EndpointWrite {
        events: &events,
        ..write(settings)
    };
    if !store
        .update_webhook_endpoint(host_id, id, &row, enabled, now.timestamp())
        .await?
    {
        return Err(ManageError::NotFound);
    }
    store
        .host_webhook_endpoint(host_id, id)
        .await?
        .ok_or(ManageError::NotFound)
}

/// Starts a new secret for the host's endpoint `id`; returns it (shown this once) and until
/// when the previous one still signs.
pub async fn rotate(
    store: &Store,
    config: &Config,
    host_id: &str,
    id: &str,
    now: DateTime<Utc>,
) -> Result<(String, DateTime<Utc>), ManageError> {
    let until = now + ROTATION_GRACE;
    let secret = WebhookSecret::generate();
    let sealed = seal(&config.token_cipher, host_id, id, &secret);
    if !store
        .rotate_webhook_secret(host_id, id, &sealed, until.timestamp())
        .await?
    {
        return Err(ManageError::NotFound);
    }
    Ok((secret.reveal(), until))
}

/// Sends delivery `delivery_id` of the host's endpoint `id` again (after the receiver was
/// mended, or to replay one), on a fresh schedule and with the same `webhook-id`.
pub async fn resend(
    store: &Store,
    host_id: &str,
    id: &str,
    delivery_id: &str,
    now: DateTime<Utc>,
) -> Result<(), ManageError> {
    if store
        .resend_webhook_delivery(host_id, id, delivery_id, now.timestamp())
        .await?
    {
        Ok(())
    } else {
        Err(ManageError::NoSuchDelivery)
    }
}

/// Removes the host's endpoint `id`, its queued webhooks and its log.
pub async fn remove(store: &Store, host_id: &str, id: &str) -> Result<(), ManageError> {
    if store.delete_webhook_endpoint(host_id, id).await? {
        Ok(())
    } else {
        Err(ManageError::NotFound)
    }
}

/// Deliveries the log shows.
pub const LOG_LENGTH: i64 = 20;

/// Where a delivery stands, in one word.
pub fn delivery_state(row: &DeliveryLogRow) -> &'static str {
    match (row.delivered_at, row.next_attempt_at) {
        (Some(_), _) => "delivered",
        (None, Some(_)) if row.attempts == 0 => "pending",
        (None, Some(_)) => "retrying",
        (None, None) => "given_up",
    }
}

/// The endpoint as stored, as the input that would save it again.
/// A stored endpoint's settings as the form and the API's overlay edit them.
pub fn input_of(row: &WebhookEndpointRow) -> EndpointInput {
    EndpointInput {
        url: row.url.clone(),
        events: EventSet::from_stored(&row.events)
            .names()
            .into_iter()
            .map(str::to_owned)
            .collect(),
        event_type_id: row.event_type_id.clone(),
        include_personal: row.include_personal == 1,
    }
}
