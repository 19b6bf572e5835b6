//! Retention: what the hourly job erases. A booking whose meeting ended before the cut-off
//! keeps its time (an anonymous busy slot in the host's history) and loses its invitee's name,
//! email, time zone, note and answers to the host's questions; its email outbox rows (a hash
//! of the address) go entirely.

use super::{Param, Store, StoreError};

/// What one retention run erased.
pub struct Erased {
    pub bookings: usize,
    pub outbox_rows: usize,
}

impl Store {
    /// Erases the personal data of bookings that ended before `cutoff` (Unix seconds).
    pub async fn erase_ended_bookings(&self, cutoff: i64) -> Result<Erased, StoreError> {
        let outbox_rows = self
            .execute(
                "erase_ended_outbox_rows",
                "DELETE FROM email_outbox WHERE booking_id IN (SELECT id FROM bookings WHERE end_at < ?1)",
                &[Param::Int(cutoff)],
            )
            .await?;
        let bookings = self
            .execute(
                "erase_ended_bookings",
                "UPDATE bookings SET invitee_name = '', invitee_email = '', invitee_time_zone = 'UTC', note = '', \
                 answers = '[]', invitee_sealed = NULL, invitee_email_index = NULL \
                 WHERE end_at < ?1 AND (invitee_sealed IS NOT NULL OR invitee_name != '' \
                                        OR invitee_email != '' OR note != '' \
                                        OR invitee_time_zone != 'UTC' OR answers != '[]')",
                &[Param::Int(cutoff)],
            )
            .await?;
        Ok(Erased {
            bookings,
            outbox_rows,
        })
    }
}
