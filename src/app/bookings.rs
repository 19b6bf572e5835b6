//! Finding bookings, for every way a booking is reached: by its invitee's manage link, by the
//! host and its id, and a page of a host's list (the dashboard and the API page alike).

use chrono::{DateTime, Utc};

use super::{AppError, Ctx};
use crate::core::paging::BookingCursor;
use crate::crypto::digest::sha256_hex;
use crate::crypto::link_token::is_well_formed;
use crate::store::{BookingDetailsRow, BookingsWhen};

/// The booking behind a manage link, with its start and end as instants.
pub async fn booking_by_link(
    ctx: &Ctx,
    token: &str,
) -> Result<(BookingDetailsRow, DateTime<Utc>, DateTime<Utc>), AppError> {
    let not_found = || {
        AppError::NotFound(
            "This booking link is not valid. Check that you copied all of it.".into(),
        )
    };
    if !is_well_formed(token) {
        return Err(not_found());
    }
    let booking = ctx
        .store
        .booking_by_manage_token_hash(&sha256_hex(token))
        .await?
        .ok_or_else(not_found)?;
    let (start, end) = times_of(&booking)?;
    Ok((booking, start, end))
}

/// The start and end of `booking` as instants (a stored time out of range is our fault).
pub fn times_of(booking: &BookingDetailsRow) -> Result<(DateTime<Utc>, DateTime<Utc>), AppError> {
    match (
        DateTime::from_timestamp(booking.start_at, 0),
        DateTime::from_timestamp(booking.end_at, 0),
    ) {
        (Some(start), Some(end)) => Ok((start, end)),
        _ => Err(AppError::Internal(format!(
            "booking {} has an impossible time",
            booking.id
        ))),
    }
}

/// One of the host's bookings by id; another host's is not found, never a hint it exists.
pub async fn host_booking(
    ctx: &Ctx,
    host_id: &str,
    id: &str,
) -> Result<BookingDetailsRow, AppError> {
    ctx.store
        .host_booking(host_id, id)
        .await?
        .ok_or_else(|| AppError::NotFound("You have no booking at this address.".into()))
}

/// One page of the host's bookings, `limit` of them after `after`, and the cursor of the next
/// page if there is one. The dashboard and the API page alike.
pub async fn bookings_page(
    ctx: &Ctx,
    host_id: &str,
    when: BookingsWhen,
    after: Option<&BookingCursor>,
    limit: i64,
) -> Result<(Vec<BookingDetailsRow>, Option<BookingCursor>), AppError> {
    // One more than asked tells whether another page follows.
    let mut rows = ctx
        .store
        .host_bookings_page(
            host_id,
            when,
            ctx.now.timestamp(),
            after.map(|c| (c.start_at, c.id.as_str())),
            limit + 1,
        )
        .await?;
    let wanted = usize::try_from(limit).unwrap_or(0);
    let more = rows.len() > wanted;
    rows.truncate(wanted);
    let next = more
        .then(|| rows.last())
        .flatten()
        .map(|row| BookingCursor {
            start_at: row.start_at,
            id: row.id.clone(),
        });
    Ok((rows, next))
}
