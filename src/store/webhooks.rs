//! Outgoing webhooks: the endpoints a host configured and the deliveries queued for them.
//!
//! A delivery is queued by the batch of the booking change it reports ([`QUEUE_WEBHOOKS`]),
//! one per endpoint that wants the event, so a booking never changes without its webhooks and
//! a webhook never exists without its change; `ON CONFLICT DO NOTHING` on (endpoint, booking,
//! event) keeps a repeated change (a second cancellation) from queueing twice. Delivering
//! claims a row with a lease, like the email outbox, and records the outcome as status and
//! time only. Disabling a failing endpoint and queueing its host's one email are one batch,
//! each statement conditional on the endpoint still being enabled and failing.

use super::columns::Columns;
use super::sealed_host_settings::{endpoint_url_field, URL_STAND_IN};
use super::{Param, Store, StoreError};
use crate::core::webhooks::WebhookEvent;

/// Queues the webhooks of event `?2` about booking `?1`, occurring at `?3`, for each enabled
/// endpoint of the booking's host that wants the event and the booking's event type.
/// `$booking_is` is the condition the booking (`b`) must meet for the event to have happened
/// in this batch (the INSERT or UPDATE before it may have been skipped).
macro_rules! queue_webhooks {
    ($booking_is:literal) => {
        concat!(
            "INSERT INTO webhook_deliveries (id, endpoint_id, booking_id, event, occurred_at, \
             attempts, next_attempt_at) \
             SELECT 'msg_' || lower(hex(randomblob(16))), e.id, b.id, ?2, ?3, 0, ?3 \
             FROM bookings b JOIN webhook_endpoints e ON e.host_id = b.host_id \
             WHERE b.id = ?1 AND ",
            $booking_is,
            " AND e.disabled_at IS NULL \
             AND (e.event_type_id IS NULL OR e.event_type_id = b.event_type_id) \
             AND instr(',' || e.events || ',', ',' || ?2 || ',') > 0 \
             ON CONFLICT (endpoint_id, booking_id, event) DO NOTHING"
        )
    };
}

/// The statement that queues `event`'s webhooks in the batch that makes it happen: for a
/// creation, the booking just inserted or the request just approved; for a move, the new
/// booking it inserted; for a cancellation, a booking just cancelled (not one moved elsewhere).
/// A request that is never approved has no webhooks: endpoints hear of bookings, and its
/// first event would be its end.
pub(super) fn queue_statement(event: WebhookEvent) -> &'static str {
    match event {
        WebhookEvent::Created => {
            queue_webhooks!("b.status = 'confirmed' AND b.awaiting_approval_until IS NULL")
        }
        WebhookEvent::Rescheduled => {
            queue_webhooks!("b.status = 'confirmed' AND b.rescheduled_from IS NOT NULL")
        }
        WebhookEvent::Cancelled => {
            queue_webhooks!(
                "b.status = 'cancelled' AND b.rescheduled_to IS NULL \
                 AND b.awaiting_approval_until IS NULL"
            )
        }
    }
}

/// The bound parameters of [`queue_statement`]'s statement.
pub(super) fn queue_params(booking_id: &str, event: WebhookEvent, now: i64) -> [Param<'_>; 3] {
    [
        Param::Text(booking_id),
        Param::Text(event.as_str()),
        Param::Int(now),
    ]
}

/// The most endpoints one host may have.
pub const MAX_ENDPOINTS_PER_HOST: i64 = 10;

/// An endpoint as the host sees it.
#[derive(Debug)]
pub struct WebhookEndpointRow {
    pub id: String,
    pub event_type_id: Option<String>,
    pub url: String,
    /// Event names separated by commas (`core::webhooks::EventSet`).
    pub events: String,
    pub include_personal: i64,
    pub previous_secret_until: Option<i64>,
    pub failing_since: Option<i64>,
    pub disabled_at: Option<i64>,
    pub created_at: i64,
}

/// What a new or changed endpoint is.
pub struct EndpointWrite<'a> {
    pub event_type_id: Option<&'a str>,
    pub url: &'a str,
    pub events: &'a str,
    pub include_personal: bool,
}

/// One attempt's trace in an endpoint's delivery log: status and time only.
#[derive(Debug)]
pub struct DeliveryLogRow {
    pub id: String,
    pub event: String,
    pub booking_id: String,
    pub occurred_at: i64,
    pub attempts: i64,
    pub last_attempt_at: Option<i64>,
    pub last_status: Option<i64>,
    pub delivered_at: Option<i64>,
    pub next_attempt_at: Option<i64>,
}

/// Deliveries due at `?1` to endpoints still enabled, oldest first, at most `?2`, each row
/// one JSON array ([`DueDelivery::read`]).
pub(super) const DUE_WEBHOOKS: &str =
    "SELECT json_array(d.id, d.endpoint_id, e.host_id, d.booking_id, d.event, d.occurred_at, \
     d.attempts, COALESCE(e.url_sealed, e.url), e.include_personal, \
     e.secret_sealed, e.previous_secret_sealed, e.previous_secret_until) AS value \
     FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id \
     WHERE d.next_attempt_at <= ?1 AND e.disabled_at IS NULL \
     ORDER BY d.next_attempt_at LIMIT ?2";

/// A queued webhook whose time has come, with what sending it needs from its endpoint.
#[derive(Debug)]
pub struct DueDelivery {
    pub id: String,
    pub endpoint_id: String,
    pub host_id: String,
    pub booking_id: String,
    pub event: String,
    pub occurred_at: i64,
    pub attempts: i64,
    pub url: String,
    pub include_personal: i64,
    /// The signing secret, sealed (`calendar::vault`'s cipher, bound to host and endpoint).
    pub secret_sealed: String,
    pub previous_secret_sealed: Option<String>,
    pub previous_secret_until: Option<i64>,
}

/// An endpoint's sealed secrets, for re-sealing after a key rotation.
#[derive(Debug)]
pub struct SealedWebhookSecrets {
    pub id: String,
    pub host_id: String,
    pub secret_sealed: String,
    pub previous_secret_sealed: Option<String>,
}

/// An endpoint to disable, with whom to tell.
#[derive(Debug)]
pub struct FailingEndpoint {
    pub host_id: String,
    pub url: String,
    pub host_email: String,
    pub host_name: String,
}

impl WebhookEndpointRow {
    /// The endpoint from a row of `select_endpoints!`, its columns in that order.
    fn read(mut row: Columns) -> Result<Self, StoreError> {
        let read = Self {
            id: row.take(Columns::text),
            event_type_id: row.take(Columns::optional_text),
            url: row.take(Columns::text),
            events: row.take(Columns::text),
            include_personal: row.take(Columns::number),
            previous_secret_until: row.take(Columns::optional_number),
            failing_since: row.take(Columns::optional_number),
            disabled_at: row.take(Columns::optional_number),
            created_at: row.take(Columns::number),
        };
        row.finish(read)
    }
}

impl DeliveryLogRow {
    /// The delivery from a row of `webhook_delivery_log`'s SQL, its columns in that order.
    fn read(mut row: Columns) -> Result<Self, StoreError> {
        let read = Self {
            id: row.take(Columns::text),
            event: row.take(Columns::text),
            booking_id: row.take(Columns::text),
            occurred_at: row.take(Columns::number),
            attempts: row.take(Columns::number),
            last_attempt_at: row.take(Columns::optional_number),
            last_status: row.take(Columns::optional_number),
            delivered_at: row.take(Columns::optional_number),
            next_attempt_at: row.take(Columns::optional_number),
        };
        row.finish(read)
    }
}

impl DueDelivery {
    /// The delivery from a row of [`DUE_WEBHOOKS`], its columns in that order.
    pub(super) fn read(mut row: Columns) -> Result<Self, StoreError> {
        let read = Self {
            id: row.take(Columns::text),
            endpoint_id: row.take(Columns::text),
            host_id: row.take(Columns::text),
            booking_id: row.take(Columns::text),
            event: row.take(Columns::text),
            occurred_at: row.take(Columns::number),
            attempts: row.take(Columns::number),
            url: row.take(Columns::text),
            include_personal: row.take(Columns::number),
            secret_sealed: row.take(Columns::text),
            previous_secret_sealed: row.take(Columns::optional_text),
            previous_secret_until: row.take(Columns::optional_number),
        };
        row.finish(read)
    }
}

/// An endpoint SELECT with the given tail, each row one JSON array
/// ([`WebhookEndpointRow::read`]); keeps the column list in one place.
macro_rules! select_endpoints {
    ($tail:literal) => {
        concat!(
            "SELECT json_array(id, event_type_id, COALESCE(url_sealed, url), events, ",
            "include_personal, previous_secret_until, ",
            "failing_since, disabled_at, created_at) AS value FROM webhook_endpoints ",
            $tail
        )
    };
}

impl Store {
    /// Adds an endpoint for host `host_id` unless they already have
    /// [`MAX_ENDPOINTS_PER_HOST`] or the event type is not theirs, in one statement. True when
    /// it was added.
    pub async fn create_webhook_endpoint(
        &self,
        host_id: &str,
        id: &str,
        settings: &EndpointWrite<'_>,
        secret_sealed: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let url_sealed = self
            .seal_field(host_id, endpoint_url_field(id), settings.url)
            .await?;
        let changed = self
            .execute(
                "create_webhook_endpoint",
                "INSERT INTO webhook_endpoints (id, host_id, event_type_id, url, events, \
                 include_personal, created_at, secret_sealed, url_sealed) \
                 SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?9, ?10 \
                 WHERE (SELECT COUNT(*) FROM webhook_endpoints WHERE host_id = ?2) < ?8 \
                 AND (?3 IS NULL OR EXISTS \
                      (SELECT 1 FROM event_types WHERE id = ?3 AND host_id = ?2))",
                &[
                    Param::Text(id),
                    Param::Text(host_id),
                    settings.event_type_id.map_or(Param::Null, Param::Text),
                    Param::Text(URL_STAND_IN),
                    Param::Text(settings.events),
                    Param::Int(i64::from(settings.include_personal)),
                    Param::Int(now),
                    Param::Int(MAX_ENDPOINTS_PER_HOST),
                    Param::Text(secret_sealed),
                    Param::Text(&url_sealed),
                ],
            )
            .await?;
        Ok(changed == 1)
    }

    /// The host's endpoints, oldest first.
    pub async fn host_webhook_endpoints(
        &self,
        host_id: &str,
    ) -> Result<Vec<WebhookEndpointRow>, StoreError> {
        let mut rows = self
            .all_columns(
                "host_webhook_endpoints",
                select_endpoints!("WHERE host_id = ?1 ORDER BY created_at, id"),
                &[Param::Text(host_id)],
            )
            .await?
            .into_iter()
            .map(WebhookEndpointRow::read)
            .collect::<Result<Vec<_>, _>>()?;
        for row in &mut rows {
            self.open_host_setting(host_id, endpoint_url_field(&row.id), &mut row.url)
                .await?;
        }
        Ok(rows)
    }

    /// The host's endpoint `id`, if it is theirs.
    pub async fn host_webhook_endpoint(
        &self,
        host_id: &str,
        id: &str,
    ) -> Result<Option<WebhookEndpointRow>, StoreError> {
        let row = self
            .all_columns(
                "host_webhook_endpoint",
                select_endpoints!("WHERE host_id = ?1 AND id = ?2"),
                &[Param::Text(host_id), Param::Text(id)],
            )
            .await?
            .into_iter()
            .next();
        let Some(row) = row else {
            return Ok(None);
        };
        let mut row = WebhookEndpointRow::read(row)?;
        self.open_host_setting(host_id, endpoint_url_field(&row.id), &mut row.url)
            .await?;
        Ok(Some(row))
    }

    /// Changes the host's endpoint `id`; `enabled` turns it on (clearing a disabling and the
    /// failure streak) or off at `now`, or leaves it. False when it is not theirs (or the event
    /// type is not).
    pub async fn update_webhook_endpoint(
        &self,
        host_id: &str,
        id: &str,
        settings: &EndpointWrite<'_>,
        enabled: Option<bool>,
        now: i64,
    ) -> Result<bool, StoreError> {
        let switch = match enabled {
            Some(true) => 1,
            Some(false) => 0,
            None => 2,
        };
        let url_sealed = self
            .seal_field(host_id, endpoint_url_field(id), settings.url)
            .await?;
        let changed = self
            .execute(
                "update_webhook_endpoint",
                "UPDATE webhook_endpoints SET event_type_id = ?3, url = ?9, url_sealed = ?4, \
                 events = ?5, \
                 include_personal = ?6, \
                 disabled_at = CASE ?7 WHEN 1 THEN NULL WHEN 0 THEN COALESCE(disabled_at, ?8) \
                    ELSE disabled_at END, \
                 failing_since = CASE ?7 WHEN 1 THEN NULL ELSE failing_since END \
                 WHERE host_id = ?1 AND id = ?2 AND (?3 IS NULL OR EXISTS \
                      (SELECT 1 FROM event_types WHERE id = ?3 AND host_id = ?1))",
                &[
                    Param::Text(host_id),
                    Param::Text(id),
                    settings.event_type_id.map_or(Param::Null, Param::Text),
                    Param::Text(&url_sealed),
                    Param::Text(settings.events),
                    Param::Int(i64::from(settings.include_personal)),
                    Param::Int(switch),
                    Param::Int(now),
                    Param::Text(URL_STAND_IN),
                ],
            )
            .await?;
        Ok(changed == 1)
    }

    /// Deletes the host's endpoint `id` with its queued deliveries and log. False when it is
    /// not theirs.
    pub async fn delete_webhook_endpoint(
        &self,
        host_id: &str,
        id: &str,
    ) -> Result<bool, StoreError> {
        let changed = self
            .execute(
                "delete_webhook_endpoint",
                "DELETE FROM webhook_endpoints WHERE host_id = ?1 AND id = ?2",
                &[Param::Text(host_id), Param::Text(id)],
            )
            .await?;
        // D1 counts the deliveries the cascade removed too, so "deleted" is "more than none".
        Ok(changed > 0)
    }

    /// Makes `secret_sealed` the host's endpoint `id`'s secret; the one it replaces keeps
    /// signing until `previous_until`. False when the endpoint is not theirs.
    pub async fn rotate_webhook_secret(
        &self,
        host_id: &str,
        id: &str,
        secret_sealed: &str,
        previous_until: i64,
    ) -> Result<bool, StoreError> {
        let changed = self
            .execute(
                "rotate_webhook_secret",
                "UPDATE webhook_endpoints SET previous_secret_sealed = secret_sealed, \
                 secret_sealed = ?3, previous_secret_until = ?4 WHERE host_id = ?1 AND id = ?2",
                &[
                    Param::Text(host_id),
                    Param::Text(id),
                    Param::Text(secret_sealed),
                    Param::Int(previous_until),
                ],
            )
            .await?;
        Ok(changed == 1)
    }

    /// Every endpoint's sealed secrets (the key rotation re-seals those a retired key sealed).
    pub async fn all_webhook_secrets(&self) -> Result<Vec<SealedWebhookSecrets>, StoreError> {
        self.all_columns(
            "all_webhook_secrets",
            "SELECT json_array(id, host_id, secret_sealed, previous_secret_sealed) AS value \
             FROM webhook_endpoints",
            &[],
        )
        .await?
        .into_iter()
        .map(|mut row| {
            Ok(SealedWebhookSecrets {
                id: row.text()?,
                host_id: row.text()?,
                secret_sealed: row.text()?,
                previous_secret_sealed: row.optional_text()?,
            })
        })
        .collect()
    }

    /// Replaces endpoint `id`'s sealed secrets with the same secrets sealed anew, unless a
    /// rotation changed them since they were read (`was` and `previous_was`). True when done.
    pub async fn reseal_webhook_secrets(
        &self,
        id: &str,
        was: &str,
        previous_was: Option<&str>,
        sealed: &str,
        previous_sealed: Option<&str>,
    ) -> Result<bool, StoreError> {
        let changed = self
            .execute(
                "reseal_webhook_secrets",
                "UPDATE webhook_endpoints SET secret_sealed = ?4, previous_secret_sealed = ?5 \
                 WHERE id = ?1 AND secret_sealed = ?2 AND previous_secret_sealed IS ?3",
                &[
                    Param::Text(id),
                    Param::Text(was),
                    previous_was.map_or(Param::Null, Param::Text),
                    Param::Text(sealed),
                    previous_sealed.map_or(Param::Null, Param::Text),
                ],
            )
            .await?;
        Ok(changed == 1)
    }

    /// Sends delivery `delivery_id` of the host's endpoint `endpoint_id` again from `now`,
    /// with a fresh retry schedule and its own `webhook-id` (receivers that already handled it
    /// drop it by that id). False when it is not theirs, or is being sent right now.
    pub async fn resend_webhook_delivery(
        &self,
        host_id: &str,
        endpoint_id: &str,
        delivery_id: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let changed = self
            .execute(
                "resend_webhook_delivery",
                "UPDATE webhook_deliveries SET next_attempt_at = ?4, attempts = 0, \
                 delivered_at = NULL \
                 WHERE id = ?3 AND endpoint_id = ?2 \
                 AND (next_attempt_at IS NULL OR next_attempt_at <= ?4) \
                 AND EXISTS (SELECT 1 FROM webhook_endpoints WHERE id = ?2 AND host_id = ?1)",
                &[
                    Param::Text(host_id),
                    Param::Text(endpoint_id),
                    Param::Text(delivery_id),
                    Param::Int(now),
                ],
            )
            .await?;
        Ok(changed == 1)
    }

    /// The endpoint's latest deliveries (at most `limit`), newest first: its delivery log.
    /// Events of the same second come in the order they were queued (`rowid`), not by their
    /// random ids.
    pub async fn webhook_delivery_log(
        &self,
        endpoint_id: &str,
        limit: i64,
    ) -> Result<Vec<DeliveryLogRow>, StoreError> {
        self.all_columns(
            "webhook_delivery_log",
            "SELECT json_array(id, event, booking_id, occurred_at, attempts, last_attempt_at, \
             last_status, delivered_at, next_attempt_at) AS value FROM webhook_deliveries \
             WHERE endpoint_id = ?1 ORDER BY occurred_at DESC, rowid DESC LIMIT ?2",
            &[Param::Text(endpoint_id), Param::Int(limit)],
        )
        .await?
        .into_iter()
        .map(DeliveryLogRow::read)
        .collect()
    }

    /// Opens the receiver URLs of due deliveries read with [`DUE_WEBHOOKS`].
    pub(super) async fn open_due_webhooks(
        &self,
        mut rows: Vec<DueDelivery>,
    ) -> Result<Vec<DueDelivery>, StoreError> {
        for row in &mut rows {
            let field = endpoint_url_field(&row.endpoint_id);
            self.open_host_setting(&row.host_id, field, &mut row.url)
                .await?;
        }
        Ok(rows)
    }

    /// Claims a due delivery until `lease_until`, unless another sender did. True when this
    /// call claimed it.
    pub async fn claim_webhook_delivery(
        &self,
        id: &str,
        now: i64,
        lease_until: i64,
    ) -> Result<bool, StoreError> {
        let changed = self
            .execute(
                "claim_webhook_delivery",
                "UPDATE webhook_deliveries SET next_attempt_at = ?3 \
                 WHERE id = ?1 AND next_attempt_at <= ?2",
                &[Param::Text(id), Param::Int(now), Param::Int(lease_until)],
            )
            .await?;
        Ok(changed == 1)
    }

    /// Records an attempt of delivery `id` to endpoint `endpoint_id`. A success ends the
    /// endpoint's failure streak; a failure starts one if none is running; a dropped delivery
    /// leaves it as it is. One batch.
    pub async fn record_webhook_attempt(
        &self,
        id: &str,
        endpoint_id: &str,
        attempt: WebhookAttempt,
    ) -> Result<(), StoreError> {
        let delivery = [
            Param::Text(id),
            Param::Int(attempt.attempts),
            attempt.retry_at.into(),
            Param::Int(attempt.now),
            Param::Int(attempt.status),
            Param::Int(i64::from(attempt.outcome == AttemptOutcome::Delivered)),
        ];
        let outcome = match attempt.outcome {
            AttemptOutcome::Delivered => 1,
            AttemptOutcome::Failed => 0,
            AttemptOutcome::Dropped => 2,
        };
        let endpoint = [
            Param::Text(endpoint_id),
            Param::Int(attempt.now),
            Param::Int(outcome),
        ];
        self.batch(
            "record_webhook_attempt",
            &[
                (
                    "UPDATE webhook_deliveries SET attempts = ?2, next_attempt_at = ?3, \
                     last_attempt_at = ?4, last_status = ?5, \
                     delivered_at = CASE WHEN ?6 = 1 THEN ?4 ELSE NULL END WHERE id = ?1",
                    &delivery,
                ),
                (
                    "UPDATE webhook_endpoints SET failing_since = CASE ?3 \
                     WHEN 1 THEN NULL WHEN 0 THEN COALESCE(failing_since, ?2) \
                     ELSE failing_since END WHERE id = ?1",
                    &endpoint,
                ),
            ],
        )
        .await
        .map(|_| ())
    }

    /// The endpoint `id` if it is enabled and failing since `failing_before` or earlier, with
    /// its host's address (after a 410 Gone, `failing_before` is now: any failure counts).
    pub async fn failing_webhook_endpoint(
        &self,
        id: &str,
        failing_before: i64,
    ) -> Result<Option<FailingEndpoint>, StoreError> {
        let row = self
            .all_columns(
                "failing_webhook_endpoint",
                "SELECT json_array(e.host_id, COALESCE(e.url_sealed, e.url), \
                 COALESCE(h.email_sealed, h.email), h.name) AS value \
                 FROM webhook_endpoints e JOIN hosts h ON h.id = e.host_id \
                 WHERE e.id = ?1 AND e.disabled_at IS NULL AND e.failing_since <= ?2",
                &[Param::Text(id), Param::Int(failing_before)],
            )
            .await?
            .into_iter()
            .next();
        let Some(mut row) = row else {
            return Ok(None);
        };
        let mut row = FailingEndpoint {
            host_id: row.text()?,
            url: row.text()?,
            host_email: row.text()?,
            host_name: row.text()?,
        };
        self.open_host_email_in(&row.host_id, &mut row.host_email)
            .await?;
        self.open_host_setting(&row.host_id, endpoint_url_field(id), &mut row.url)
            .await?;
        Ok(Some(row))
    }

    /// Disables the endpoint `id`, failing since `failing_before` or earlier and still
    /// enabled, drops its queued deliveries and queues its host's one email about it
    /// (`notice_id`, `payload`, sealed under the key of `host_id`, the endpoint's host), in one
    /// batch: of concurrent callers exactly one does it. True when this call did.
    pub async fn disable_failing_webhook_endpoint(
        &self,
        host_id: &str,
        id: &str,
        failing_before: i64,
        now: i64,
        notice_id: &str,
        payload: &str,
    ) -> Result<bool, StoreError> {
        let payload = self.seal_host_notice(host_id, notice_id, payload).await?;
        let params = [
            Param::Text(id),
            Param::Int(failing_before),
            Param::Int(now),
            Param::Text(notice_id),
            Param::Text(&payload),
        ];
        let changed = self
            .batch(
                "disable_failing_webhook_endpoint",
                &[
                    (
                        "INSERT INTO notice_outbox (id, host_id, kind, payload, attempts, \
                         next_attempt_at, created_at) \
                         SELECT ?4, host_id, 'webhook_disabled', ?5, 0, ?3, ?3 \
                         FROM webhook_endpoints WHERE id = ?1 AND disabled_at IS NULL \
                         AND failing_since <= ?2",
                        &params,
                    ),
                    (
                        "UPDATE webhook_deliveries SET next_attempt_at = NULL \
                         WHERE endpoint_id = ?1 AND next_attempt_at IS NOT NULL \
                         AND delivered_at IS NULL AND EXISTS (SELECT 1 FROM webhook_endpoints \
                         WHERE id = ?1 AND disabled_at IS NULL AND failing_since <= ?2) \
                         AND ?3 IS NOT NULL AND ?4 IS NOT NULL AND ?5 IS NOT NULL",
                        &params,
                    ),
                    (
                        "UPDATE webhook_endpoints SET disabled_at = ?3 WHERE id = ?1 \
                         AND disabled_at IS NULL AND failing_since <= ?2 \
                         AND ?4 IS NOT NULL AND ?5 IS NOT NULL",
                        &params,
                    ),
                ],
            )
            .await?;
        Ok(changed.first().copied().unwrap_or(0) > 0)
    }
}

/// What one delivery attempt did.
#[derive(Debug, Clone, Copy)]
pub struct WebhookAttempt {
    pub now: i64,
    /// Attempts in all, this one included.
    pub attempts: i64,
    /// The HTTP status, or 0 when no answer came.
    pub status: i64,
    pub outcome: AttemptOutcome,
    /// When to try again; `None` once delivered or given up.
    pub retry_at: Option<i64>,
}

/// How an attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// The receiver answered 2xx.
    Delivered,
    /// It answered otherwise, or not at all.
    Failed,
    /// Nothing was sent: the booking is gone.
    Dropped,
}
