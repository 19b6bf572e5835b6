//! The email outbox (`email_outbox`, migration 0003): rows are queued in the same batch as
//! the booking change they report (see `bookings.rs`), then claimed, sent and marked here.
//!
//! A sender claims a due row by pushing its `next_attempt_at` forward by a lease in one
//! conditional UPDATE, so the `wait_until` delivery and the cron never work on the same row at
//! once; if a sender dies mid-send, the row is due again when the lease ends, and the
//! provider's idempotency key (the row id) keeps that retry from sending twice.

use super::columns::Columns;
use super::{Param, Store, StoreError};
use crate::crypto::data_key::{is_sealed, Field};

/// One email to queue with a booking change ([`Store::new_email`]).
pub struct NewEmail {
    pub id: String,
    pub kind: &'static str,
    /// The recipient's blind index: a kept row says whom it went to only to someone holding
    /// the instance secret (a plain SHA-256 of an address is undone by trying addresses).
    pub recipient_hash: String,
    /// The rendered `mail::Message` as JSON.
    pub payload: String,
}

/// A queued email whose time has come.
#[derive(Debug)]
pub struct DueEmail {
    pub id: String,
    pub payload: Option<String>,
    pub attempts: i64,
    /// The booking's host and idempotency key, from which the sender derives the manage
    /// link's token (the payload holds a placeholder, so D1 never holds the token).
    pub host_id: Option<String>,
    pub idempotency_key: Option<String>,
}

impl DueEmail {
    /// The email from a row of [`DUE_EMAILS`], its columns in that order.
    pub(super) fn read(mut row: Columns) -> Result<Self, StoreError> {
        let read = Self {
            id: row.take(Columns::text),
            payload: row.take(Columns::optional_text),
            attempts: row.take(Columns::number),
            host_id: row.take(Columns::optional_text),
            idempotency_key: row.take(Columns::optional_text),
        };
        row.finish(read)
    }
}

/// Emails waiting to be sent whose next attempt is due at `?1`, oldest first, at most `?2`,
/// each row one JSON array ([`DueEmail::read`]).
pub(super) const DUE_EMAILS: &str =
    "SELECT json_array(o.id, o.payload, o.attempts, b.host_id, b.idempotency_key) AS value \
     FROM email_outbox o \
     LEFT JOIN bookings b ON b.id = o.booking_id \
     WHERE o.sent_at IS NULL AND o.failed_at IS NULL AND o.next_attempt_at <= ?1 \
     ORDER BY o.next_attempt_at LIMIT ?2";

/// Queues an email for the booking `?2` only if that booking exists: in the creation batch
/// the booking INSERT may have been skipped by its conflict check, and then no email may go.
pub(super) const QUEUE_FOR_NEW_BOOKING: &str =
    "INSERT INTO email_outbox (id, booking_id, kind, recipient_hash, payload, attempts, next_attempt_at, created_at) \
     SELECT ?1, ?2, ?3, ?4, ?5, 0, ?6, ?6 WHERE EXISTS (SELECT 1 FROM bookings WHERE id = ?2)";

/// Queues a cancellation email only if the booking `?2` is cancelled, and at most one of each
/// kind per booking: cancelling twice queues nothing the second time.
pub(super) const QUEUE_FOR_CANCELLED_BOOKING: &str =
    "INSERT INTO email_outbox (id, booking_id, kind, recipient_hash, payload, attempts, next_attempt_at, created_at) \
     SELECT ?1, ?2, ?3, ?4, ?5, 0, ?6, ?6 \
     WHERE EXISTS (SELECT 1 FROM bookings WHERE id = ?2 AND status = 'cancelled') \
     ON CONFLICT (booking_id, kind, lead_minutes) DO NOTHING";

/// Queues a reminder only if the booking `?2` is still confirmed and its reminder `?7`
/// minutes before was claimed at `?6` by the INSERT before it in the batch, and at most one of
/// each kind per booking and lead.
pub(super) const QUEUE_FOR_REMINDER: &str =
    "INSERT INTO email_outbox (id, booking_id, kind, lead_minutes, recipient_hash, payload, attempts, next_attempt_at, created_at) \
     SELECT ?1, ?2, ?3, ?7, ?4, ?5, 0, ?6, ?6 \
     WHERE EXISTS (SELECT 1 FROM booking_reminders WHERE booking_id = ?2 AND minutes_before = ?7 AND claimed_at = ?6) \
     AND EXISTS (SELECT 1 FROM bookings WHERE id = ?2 AND status = 'confirmed' \
     AND awaiting_approval_until IS NULL) \
     ON CONFLICT (booking_id, kind, lead_minutes) DO NOTHING";

/// The bound parameters of a queueing statement: `payload` is the email's, sealed
/// ([`Store::sealed_payloads`]).
pub(super) fn queue_params<'a>(
    email: &'a NewEmail,
    payload: &'a str,
    booking_id: &'a str,
    now: i64,
) -> [Param<'a>; 6] {
    [
        Param::Text(&email.id),
        Param::Text(booking_id),
        Param::Text(email.kind),
        Param::Text(&email.recipient_hash),
        Param::Text(payload),
        Param::Int(now),
    ]
}

/// Where a queued email's payload belongs (its associated data): the outbox row.
fn payload_field(email_id: &str) -> Field<'_> {
    Field {
        table: "email_outbox",
        column: "payload",
        row_id: email_id,
    }
}

impl Store {
    /// An outbox row of `kind` for `message` (a rendered `mail::Message`) to `recipient`: a
    /// fresh id (also the email API's idempotency key), the recipient's blind index, and the
    /// message as JSON (sealed when it is queued).
    pub fn new_email<M: serde::Serialize>(
        &self,
        kind: &'static str,
        recipient: &str,
        message: &M,
    ) -> Result<NewEmail, StoreError> {
        Ok(NewEmail {
            id: crate::crypto::random_hex::<16>(),
            kind,
            recipient_hash: self.email_index(recipient)?,
            payload: serde_json::to_string(message).map_err(|e| super::failed("new_email", e))?,
        })
    }

    /// The payloads of `emails`, in order, each sealed under `host_id`'s data key: a rendered
    /// email names the invitee, and D1 keeps what was once in a row (crypto-shredding).
    pub(super) async fn sealed_payloads(
        &self,
        host_id: &str,
        emails: &[NewEmail],
    ) -> Result<Vec<String>, StoreError> {
        let mut sealed = Vec::with_capacity(emails.len());
        for email in emails {
            sealed.push(
                self.seal_field(host_id, payload_field(&email.id), &email.payload)
                    .await?,
            );
        }
        Ok(sealed)
    }

    /// Replaces the rendered messages of queued emails of `host_id`'s booking that no one
    /// has tried to send yet, given as (kind, message as JSON); one read and one batch.
    pub async fn replace_unsent_payloads(
        &self,
        host_id: &str,
        booking_id: &str,
        replacements: &[(&str, String)],
    ) -> Result<(), StoreError> {
        let queued = self
            .all_columns(
                "unsent_emails",
                "SELECT json_array(id, kind) AS value FROM email_outbox WHERE booking_id = ?1 \
                 AND attempts = 0 AND sent_at IS NULL AND failed_at IS NULL",
                &[Param::Text(booking_id)],
            )
            .await?
            .into_iter()
            .map(|mut row| Ok((row.text()?, row.text()?)))
            .collect::<Result<Vec<(String, String)>, StoreError>>()?;
        let mut sealed = Vec::new();
        for (id, kind) in &queued {
            if let Some((_, payload)) = replacements
                .iter()
                .find(|(wanted, _)| *wanted == kind.as_str())
            {
                let payload = self.seal_field(host_id, payload_field(id), payload).await?;
                sealed.push((id.as_str(), payload));
            }
        }
        let params: Vec<[Param<'_>; 2]> = sealed
            .iter()
            .map(|(id, payload)| [Param::Text(id), Param::Text(payload)])
            .collect();
        let statements: Vec<(&'static str, &[Param<'_>])> = params
            .iter()
            .map(|params| {
                (
                    "UPDATE email_outbox SET payload = ?2 WHERE id = ?1 \
                     AND attempts = 0 AND sent_at IS NULL AND failed_at IS NULL",
                    params.as_slice(),
                )
            })
            .collect();
        if !statements.is_empty() {
            self.batch("replace_unsent_payloads", &statements).await?;
        }
        Ok(())
    }

    /// Opens the payloads of due emails read with [`DUE_EMAILS`]; a row whose payload does
    /// not open here (its key not visible in this location yet) is left for a later run.
    pub(super) async fn open_due_emails(
        &self,
        rows: Vec<DueEmail>,
    ) -> Result<Vec<DueEmail>, StoreError> {
        let mut due = Vec::with_capacity(rows.len());
        for mut row in rows {
            if let (Some(payload), Some(host_id)) = (&row.payload, &row.host_id) {
                match self
                    .open_field(host_id, payload_field(&row.id), payload)
                    .await
                {
                    Ok(opened) => row.payload = Some(opened),
                    Err(error) => {
                        worker::console_warn!("email {}: left for later: {error}", row.id);
                        continue;
                    }
                }
            } else if row.payload.as_deref().is_some_and(is_sealed) {
                // Sealed, and its booking (so its host's key) is gone: nothing can open it.
                row.payload = None;
            }
            due.push(row);
        }
        Ok(due)
    }

    /// Claims the due emails `ids` until `lease_until`, in one D1 batch: for each, whether
    /// this call claimed it (another sender may have, in the meantime).
    pub async fn claim_emails(
        &self,
        ids: &[&str],
        now: i64,
        lease_until: i64,
    ) -> Result<Vec<bool>, StoreError> {
        let params: Vec<[Param<'_>; 3]> = ids
            .iter()
            .map(|id| [Param::Text(id), Param::Int(now), Param::Int(lease_until)])
            .collect();
        let changed = self
            .batch_each(
                "claim_emails",
                "UPDATE email_outbox SET next_attempt_at = ?3 \
                 WHERE id = ?1 AND next_attempt_at <= ?2 AND sent_at IS NULL AND failed_at IS NULL",
                &params,
            )
            .await?;
        Ok(changed.into_iter().map(|n| n == 1).collect())
    }

    /// Marks the email sent and drops its payload (personal data is not kept once sent).
    pub async fn email_sent(&self, id: &str, attempts: i64, now: i64) -> Result<(), StoreError> {
        self.execute(
            "email_sent",
            "UPDATE email_outbox SET sent_at = ?3, attempts = ?2, payload = NULL, last_error = NULL WHERE id = ?1",
            &[Param::Text(id), Param::Int(attempts), Param::Int(now)],
        )
        .await
        .map(drop)
    }

    /// Records a failed attempt and when to try again.
    pub async fn email_failed(
        &self,
        id: &str,
        attempts: i64,
        retry_at: i64,
        error: &str,
    ) -> Result<(), StoreError> {
        self.execute(
            "email_failed",
            "UPDATE email_outbox SET attempts = ?2, next_attempt_at = ?3, last_error = substr(?4, 1, 200) WHERE id = ?1",
            &[
                Param::Text(id),
                Param::Int(attempts),
                Param::Int(retry_at),
                Param::Text(error),
            ],
        )
        .await
        .map(drop)
    }

    /// Gives the email up for good; the payload goes, the failure stays on record.
    pub async fn email_given_up(
        &self,
        id: &str,
        attempts: i64,
        now: i64,
        error: &str,
    ) -> Result<(), StoreError> {
        self.execute(
            "email_given_up",
            "UPDATE email_outbox SET attempts = ?2, failed_at = ?3, payload = NULL, last_error = substr(?4, 1, 200) \
             WHERE id = ?1",
            &[
                Param::Text(id),
                Param::Int(attempts),
                Param::Int(now),
                Param::Text(error),
            ],
        )
        .await
        .map(drop)
    }
}
