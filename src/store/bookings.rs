//! Queries about bookings, including the one atomic statement that makes double booking
//! impossible: the conflict check, the daily cap and the insert are a single SQL statement,
//! and D1 runs each statement alone, so two racing requests cannot both pass the check.
//! The booking's emails are queued in the same D1 batch (one transaction), so a booking
//! never exists without its emails, and emails never exist without their booking.

use serde::Deserialize;

use super::outbox::{queue_params, QUEUE_FOR_CANCELLED_BOOKING, QUEUE_FOR_NEW_BOOKING};
use super::{BookingRow, NewEmail, Param, Store, StoreError};

/// Everything needed to insert one booking and check it against the others.
pub struct NewBookingRow<'a> {
    pub id: &'a str,
    pub host_id: &'a str,
    pub event_type_id: &'a str,
    pub start_at: i64,
    pub end_at: i64,
    /// The span no other booking of the host may touch: the meeting plus its buffers.
    pub blocked_from: i64,
    pub blocked_until: i64,
    /// With a daily cap: the cap and the bounds of the slot's local day in the host's zone.
    pub daily_cap: Option<(i64, i64, i64)>,
    pub invitee_name: &'a str,
    pub invitee_email: &'a str,
    pub invitee_time_zone: &'a str,
    pub note: &'a str,
    pub manage_token_hash: &'a str,
    pub idempotency_key: &'a str,
    pub created_at: i64,
}

/// What the atomic insert did.
pub enum InsertOutcome {
    Created,
    /// The same idempotency key already made this booking.
    AlreadyCreated(BookingRow),
    /// The idempotency key was used before for a different booking.
    KeyReused,
    /// Another booking overlaps, or the day is full.
    Conflict,
}

/// A confirmed booking's occupied time, for turning into busy intervals.
#[derive(Debug, Deserialize)]
pub struct BusyRow {
    pub event_type_id: String,
    pub start_at: i64,
    pub end_at: i64,
}

/// A booking as the invitee's confirmation page shows it, with its host and event type.
#[derive(Debug, Deserialize)]
pub struct BookingDetailsRow {
    pub id: String,
    pub start_at: i64,
    pub end_at: i64,
    pub status: String,
    pub invitee_name: String,
    pub invitee_email: String,
    pub invitee_time_zone: String,
    pub note: String,
    pub host_slug: String,
    pub host_name: String,
    pub host_email: String,
    pub host_time_zone: String,
    pub event_slug: String,
    pub event_title: String,
    pub location_kind: String,
}

impl Store {
    /// The host's confirmed bookings that overlap `[from, until)` (Unix seconds).
    pub async fn confirmed_bookings_overlapping(
        &self,
        host_id: &str,
        from: i64,
        until: i64,
    ) -> Result<Vec<BusyRow>, StoreError> {
        self.all(
            "confirmed_bookings_overlapping",
            "SELECT event_type_id, start_at, end_at FROM bookings \
             WHERE host_id = ?1 AND status = 'confirmed' AND start_at < ?3 AND end_at > ?2 ORDER BY start_at",
            &[Param::Text(host_id), Param::Int(from), Param::Int(until)],
        )
        .await
    }

    /// Inserts the booking only if nothing of the host's overlaps it and the day is not full,
    /// in one statement, together with its `emails` (queued only if the booking went in), in
    /// one batch; then tells which of the outcomes happened.
    pub async fn insert_booking_if_free(
        &self,
        row: &NewBookingRow<'_>,
        emails: &[NewEmail],
    ) -> Result<InsertOutcome, StoreError> {
        let (cap, day_start, day_end) = match row.daily_cap {
            Some((cap, start, end)) => (Some(cap), Some(start), Some(end)),
            None => (None, None, None),
        };
        let booking_params = [
            Param::Text(row.id),
            Param::Text(row.host_id),
            Param::Text(row.event_type_id),
            Param::Int(row.start_at),
            Param::Int(row.end_at),
            Param::Text(row.invitee_name),
            Param::Text(row.invitee_email),
            Param::Text(row.invitee_time_zone),
            Param::Text(row.note),
            Param::Text(row.manage_token_hash),
            Param::Text(row.idempotency_key),
            Param::Int(row.created_at),
            Param::Int(row.blocked_from),
            Param::Int(row.blocked_until),
            cap.into(),
            day_start.into(),
            day_end.into(),
        ];
        let email_params: Vec<_> = emails
            .iter()
            .map(|email| queue_params(email, row.id, row.created_at))
            .collect();
        let mut statements: Vec<(&'static str, &[Param<'_>])> = vec![(
            "INSERT INTO bookings (id, host_id, event_type_id, start_at, end_at, status, invitee_name, \
             invitee_email, invitee_time_zone, note, manage_token_hash, idempotency_key, created_at) \
             SELECT ?1, ?2, ?3, ?4, ?5, 'confirmed', ?6, ?7, ?8, ?9, ?10, ?11, ?12 \
             WHERE NOT EXISTS (SELECT 1 FROM bookings WHERE host_id = ?2 AND status = 'confirmed' \
                               AND start_at < ?14 AND end_at > ?13) \
             AND (?15 IS NULL OR (SELECT COUNT(*) FROM bookings WHERE event_type_id = ?3 \
                                  AND status = 'confirmed' AND start_at >= ?16 AND start_at < ?17) < ?15) \
             ON CONFLICT (host_id, idempotency_key) DO NOTHING",
            &booking_params,
        )];
        statements.extend(
            email_params
                .iter()
                .map(|params| (QUEUE_FOR_NEW_BOOKING, params.as_slice())),
        );
        let changed = self
            .batch("insert_booking_if_free", &statements)
            .await?
            .first()
            .copied()
            .unwrap_or(0);
        if changed == 1 {
            return Ok(InsertOutcome::Created);
        }
        let earlier = self
            .booking_by_idempotency_key(row.host_id, row.idempotency_key)
            .await?;
        Ok(match earlier {
            Some(booking)
                if booking.start_at == row.start_at
                    && booking.event_type_id == row.event_type_id
                    && booking.invitee_email == row.invitee_email =>
            {
                InsertOutcome::AlreadyCreated(booking)
            }
            Some(_) => InsertOutcome::KeyReused,
            None => InsertOutcome::Conflict,
        })
    }

    async fn booking_by_idempotency_key(
        &self,
        host_id: &str,
        key: &str,
    ) -> Result<Option<BookingRow>, StoreError> {
        self.first(
            "booking_by_idempotency_key",
            "SELECT id, event_type_id, start_at, invitee_email FROM bookings WHERE host_id = ?1 AND idempotency_key = ?2",
            &[Param::Text(host_id), Param::Text(key)],
        )
        .await
    }

    /// The booking whose manage link hashes to `token_hash`, with what its page shows.
    pub async fn booking_by_manage_token_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<BookingDetailsRow>, StoreError> {
        self.first(
            "booking_by_manage_token_hash",
            "SELECT b.id, b.start_at, b.end_at, b.status, b.invitee_name, b.invitee_email, b.invitee_time_zone, \
             b.note, h.slug AS host_slug, h.name AS host_name, h.email AS host_email, h.time_zone AS host_time_zone, \
             e.slug AS event_slug, e.title AS event_title, e.location_kind \
             FROM bookings b JOIN hosts h ON h.id = b.host_id JOIN event_types e ON e.id = b.event_type_id \
             WHERE b.manage_token_hash = ?1",
            &[Param::Text(token_hash)],
        )
        .await
    }

    /// Cancels the confirmed booking `booking_id` if it has not started by `now`, and queues
    /// its cancellation `emails`, in one batch. True when this call cancelled it; false when it
    /// was already cancelled or has started (then nothing is queued).
    pub async fn cancel_booking(
        &self,
        booking_id: &str,
        now: i64,
        emails: &[NewEmail],
    ) -> Result<bool, StoreError> {
        let update_params = [Param::Text(booking_id), Param::Int(now)];
        let email_params: Vec<_> = emails
            .iter()
            .map(|email| queue_params(email, booking_id, now))
            .collect();
        let mut statements: Vec<(&'static str, &[Param<'_>])> = vec![(
            "UPDATE bookings SET status = 'cancelled' \
             WHERE id = ?1 AND status = 'confirmed' AND start_at > ?2",
            &update_params,
        )];
        statements.extend(
            email_params
                .iter()
                .map(|params| (QUEUE_FOR_CANCELLED_BOOKING, params.as_slice())),
        );
        let changed = self.batch("cancel_booking", &statements).await?;
        Ok(changed.first() == Some(&1))
    }
}
