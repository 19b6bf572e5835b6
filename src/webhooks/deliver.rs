//! Sends the due webhooks: after a response that queued some (`wait_until`) and from the
//! minute cron. Each row is claimed with a lease, its body built from the booking as it now is
//! (so a queued webhook holds no personal data), signed, posted without following redirects,
//! and its outcome recorded. Logs name deliveries by id and outcomes by status only.

use chrono::{DateTime, Duration, Utc};
use oauth2::http::{header, HeaderName, Method, Request};

use crate::config::Config;
use crate::core::questions::answers_from_json;
use crate::core::webhooks::{
    after_failure, payload, AfterFailure, BookingFacts, Invitee, WebhookEvent,
    DISABLE_AFTER_FAILING_FOR,
};
use crate::crypto::random_bytes;
use crate::crypto::random_hex;
use crate::crypto::standard_webhooks::{open, signature_header};
use crate::mail::webhook_notice::{webhook_disabled, DisabledBecause};
use crate::providers::fetch::fetch_within;
use crate::store::{AttemptOutcome, DueDelivery, Store, StoreError, WebhookAttempt};

/// The Standard Webhooks headers, constants so no header name is parsed at run time (the
/// parser is a 13 KB table in the Worker).
const WEBHOOK_ID: HeaderName = HeaderName::from_static("webhook-id");
const WEBHOOK_TIMESTAMP: HeaderName = HeaderName::from_static("webhook-timestamp");
const WEBHOOK_SIGNATURE: HeaderName = HeaderName::from_static("webhook-signature");

/// How long a claimed row is left alone by other senders: beyond one attempt's timeout.
const LEASE: Duration = Duration::minutes(2);

/// How long a receiver may take to answer (the specification recommends 15 to 30 s).
const TIMEOUT_MS: u32 = 15_000;

/// Rows one run sends at most (each is one subrequest plus a few D1 calls).
pub const ROWS_PER_RUN: i64 = 10;

/// Sends the due webhooks in a run already open (`crate::outbound`: one per invocation, with
/// the emails); failures are logged, never raised (a cron run or a `wait_until`).
pub async fn run_in(run: &crate::runtime::Run, due: &[DueDelivery]) {
    if let Err(error) = deliver_due(&run.store, &run.config, run.now, due).await {
        worker::console_error!("webhook delivery: {error}");
    }
}

async fn deliver_due(
    store: &Store,
    config: &Config,
    now: DateTime<Utc>,
    due: &[DueDelivery],
) -> Result<(), StoreError> {
    for delivery in due {
        if store
            .claim_webhook_delivery(&delivery.id, now.timestamp(), (now + LEASE).timestamp())
            .await?
        {
            deliver_one(store, config, delivery, now).await?;
        }
    }
    Ok(())
}

/// What an attempt came to.
enum Outcome {
    Delivered(u16),
    Failed(u16),
    /// Nothing to send: the booking or its event is gone (deleted with its host meanwhile).
    Nothing,
}

async fn deliver_one(
    store: &Store,
    config: &Config,
    delivery: &DueDelivery,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let attempts = delivery.attempts + 1;
    let outcome = match body_of(store, delivery).await? {
        None => Outcome::Nothing,
        Some(body) => post(config, delivery, &body, now).await,
    };
    let (status, recorded) = match outcome {
        Outcome::Delivered(status) => (i64::from(status), AttemptOutcome::Delivered),
        Outcome::Failed(status) => (i64::from(status), AttemptOutcome::Failed),
        Outcome::Nothing => (0, AttemptOutcome::Dropped),
    };
    let retry_at = match outcome {
        Outcome::Failed(_) => match after_failure(
            u32::try_from(attempts).unwrap_or(u32::MAX),
            now,
            f64::from(random_bytes::<1>()[0]) / 256.0,
        ) {
            AfterFailure::RetryAt(at) => Some(at.timestamp()),
            AfterFailure::GiveUp => None,
        },
        Outcome::Delivered(_) | Outcome::Nothing => None,
    };
    store
        .record_webhook_attempt(
            &delivery.id,
            &delivery.endpoint_id,
            WebhookAttempt {
                now: now.timestamp(),
                attempts,
                status,
                outcome: recorded,
                retry_at,
            },
        )
        .await?;
    match outcome {
        Outcome::Delivered(status) => {
            worker::console_log!("webhook {}: delivered ({status})", delivery.id);
        }
        Outcome::Nothing => {
            worker::console_warn!("webhook {}: its booking is gone, dropped", delivery.id);
        }
        Outcome::Failed(status) => {
            worker::console_warn!(
                "webhook {}: attempt {attempts} failed ({status}){}",
                delivery.id,
                if retry_at.is_some() {
                    ", will retry"
                } else {
                    ", given up"
                }
            );
            let gone = status == 410;
            let failing_before = if gone {
                now
            } else {
                now - DISABLE_AFTER_FAILING_FOR
            };
            let because = if gone {
                DisabledBecause::Gone
            } else {
                DisabledBecause::KeptFailing
            };
            disable_if_failing(
                store,
                config,
                &delivery.endpoint_id,
                failing_before,
                because,
                now,
            )
            .await?;
        }
    }
    Ok(())
}

/// The body of `delivery`, built from its booking now; `None` when there is nothing to send.
async fn body_of(store: &Store, delivery: &DueDelivery) -> Result<Option<String>, StoreError> {
    let Some(event) = WebhookEvent::parse(&delivery.event) else {
        return Ok(None);
    };
    let Some(row) = store.booking_by_id(&delivery.booking_id).await? else {
        return Ok(None);
    };
    let instant = |seconds: i64| DateTime::<Utc>::from_timestamp(seconds, 0).unwrap_or_default();
    let facts = BookingFacts {
        status: row.status.standing(row.rescheduled_to.as_deref()).as_str(),
        event_type_id: row.event_type_id,
        event_slug: row.event_slug,
        event_title: row.event_title,
        start: instant(row.start_at),
        end: instant(row.end_at),
        rescheduled_from: row.rescheduled_from,
        rescheduled_to: row.rescheduled_to,
        invitee: Invitee {
            name: row.invitee_name,
            email: row.invitee_email,
            time_zone: row.invitee_time_zone,
            note: row.note,
            answers: serde_json::to_value(answers_from_json(&row.answers)).unwrap_or_default(),
        },
        id: row.id,
    };
    Ok(Some(payload::body(
        event,
        instant(delivery.occurred_at),
        &facts,
        delivery.include_personal == 1,
    )))
}

/// Posts `body` signed for `delivery` at `now`.
async fn post(config: &Config, delivery: &DueDelivery, body: &str, now: DateTime<Utc>) -> Outcome {
    let timestamp = now.timestamp();
    let opened = |sealed: &str| {
        open(
            &config.token_cipher,
            &delivery.host_id,
            &delivery.endpoint_id,
            sealed,
        )
    };
    let mut secrets = match opened(&delivery.secret_sealed) {
        Ok(secret) => vec![secret],
        Err(error) => {
            worker::console_error!("webhook {}: its secret does not open: {error}", delivery.id);
            return Outcome::Failed(0);
        }
    };
    let previous_valid = delivery
        .previous_secret_until
        .is_some_and(|until| until > timestamp);
    if let Some(previous) = delivery
        .previous_secret_sealed
        .as_deref()
        .filter(|_| previous_valid)
    {
        match opened(previous) {
            Ok(secret) => secrets.push(secret),
            Err(error) => worker::console_warn!(
                "webhook {}: its previous secret does not open: {error}",
                delivery.id
            ),
        }
    }
    let request = Request::builder()
        .method(Method::POST)
        .uri(&delivery.url)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::USER_AGENT, "Openslot-Webhooks/1")
        .header(WEBHOOK_ID, &delivery.id)
        .header(WEBHOOK_TIMESTAMP, timestamp.to_string())
        .header(
            WEBHOOK_SIGNATURE,
            signature_header(&secrets, &delivery.id, timestamp, body),
        )
        .body(body.as_bytes().to_vec());
    let Ok(request) = request else {
        return Outcome::Failed(0);
    };
    match fetch_within(request, TIMEOUT_MS).await {
        Ok(response) if response.status().is_success() => {
            Outcome::Delivered(response.status().as_u16())
        }
        Ok(response) => Outcome::Failed(response.status().as_u16()),
        Err(_) => Outcome::Failed(0),
    }
}

/// Disables endpoint `endpoint_id` if it has failed since `failing_before`, telling its host
/// once.
async fn disable_if_failing(
    store: &Store,
    config: &Config,
    endpoint_id: &str,
    failing_before: DateTime<Utc>,
    because: DisabledBecause,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let Some(endpoint) = store
        .failing_webhook_endpoint(endpoint_id, failing_before.timestamp())
        .await?
    else {
        return Ok(());
    };
    let dashboard_url = format!(
        "{}/dashboard/webhooks",
        config.public_base_url.as_deref().unwrap_or_default()
    );
    let message = webhook_disabled(
        &endpoint.host_email,
        &endpoint.host_name,
        &endpoint.url,
        because,
        &dashboard_url,
    );
    let payload = serde_json::to_string(&message).map_err(|e| StoreError::Query {
        query: "disable_failing_webhook_endpoint",
        cause: e.to_string(),
    })?;
    if store
        .disable_failing_webhook_endpoint(
            &endpoint.host_id,
            endpoint_id,
            failing_before.timestamp(),
            now.timestamp(),
            &random_hex::<16>(),
            &payload,
        )
        .await?
    {
        worker::console_warn!("webhook endpoint {endpoint_id}: disabled, host told");
    }
    Ok(())
}
