//! Cancelling a booking, by its invitee or its host: the status change and the two cancellation
//! emails (iTIP CANCEL, same UID, the next SEQUENCE) are one D1 batch; the UPDATE only applies
//! to a confirmed booking that has not started, and the outbox holds at most one email of each
//! kind per booking, so cancelling twice, even concurrently, sends nothing more. The event and
//! meeting at the providers are removed right after, or by the cron if that fails.

use chrono::{DateTime, Utc};

use super::booking::{queue, run_calendar_work};
use super::bookings::times_of;
use super::{AppError, Ctx};
use crate::core::lifecycle::ChangeWindow;
use crate::core::types::CancellationReason;
use crate::i18n::{Lang, Strings};
use crate::mail::render::{self, CancelledBy};
use crate::mail::stored;
use crate::mail::{Kind, Message};
use crate::store::BookingDetailsRow;

/// The meeting has started: the sentence is written in the page's language here, since only
/// the handler knows the host's name (see `AppError::into_response`).
pub fn too_late(booking: &BookingDetailsRow, lang: Lang) -> AppError {
    AppError::TooLate(Strings::fill(
        lang.strings().too_late,
        "host",
        &booking.host_name,
    ))
}

/// Refuses an invitee's change (cancel or move) once the meeting has started or its event
/// type's cut-off has passed (`ChangeWindow`): the sentence names the host to write to.
pub fn invitee_change_refused(
    booking: &BookingDetailsRow,
    start: DateTime<Utc>,
    now: DateTime<Utc>,
    lang: Lang,
) -> Option<AppError> {
    match ChangeWindow::at(start, now, booking.change_cutoff_minutes) {
        ChangeWindow::Open => None,
        ChangeWindow::Started => Some(too_late(booking, lang)),
        ChangeWindow::CutOff => Some(AppError::TooLate(Strings::fill(
            lang.strings().past_change_cutoff,
            "host",
            &booking.host_name,
        ))),
    }
}

/// One cancellation as its two emails tell it.
pub struct Cancellation<'a> {
    pub booking: &'a BookingDetailsRow,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// In both emails.
    pub reason: &'a CancellationReason,
    pub by: CancelledBy,
    /// Where the emails send the invitee (the queued placeholder, or the instance itself when
    /// the booking's page goes with an account).
    pub manage_url: &'a str,
}

/// Cancels the booking and queues its two cancellation emails (iTIP CANCEL with the booking's
/// calendar UID and the next SEQUENCE) in one D1 batch. The one cancellation path, for the
/// invitee's link and the host's dashboard alike. True when this call cancelled it; false when
/// it was already cancelled or has started (then nothing is queued).
pub async fn cancel_and_notify(
    ctx: &Ctx,
    cancellation: &Cancellation<'_>,
) -> Result<bool, AppError> {
    let booking = cancellation.booking;
    let (to_invitee, to_host) = cancellation_messages(ctx, cancellation)?;
    let emails = [
        queue(ctx, Kind::InviteeCancellation, &to_invitee)?,
        queue(ctx, Kind::HostCancellation, &to_host)?,
    ];
    let cancelled = ctx
        .store
        .cancel_booking(
            &booking.host_id,
            &booking.id,
            ctx.now.timestamp(),
            cancellation.by == CancelledBy::Invitee,
            &emails,
        )
        .await?;
    if cancelled {
        run_calendar_work(ctx, &booking.id).await;
    }
    Ok(cancelled)
}

/// The two cancellation emails (to the invitee, to the host), rendered but not queued (a
/// request's carry no `cancel.ics`: its invitation was never sent):
/// [`cancel_and_notify`] queues both with the status change; deleting a host's account sends
/// the invitee's in the deletion's own batch.
pub fn cancellation_messages(
    ctx: &Ctx,
    cancellation: &Cancellation<'_>,
) -> Result<(Message, Message), AppError> {
    let Cancellation {
        booking,
        start,
        end,
        reason,
        by,
        manage_url,
    } = *cancellation;
    let facts = stored::facts(booking, start, end, None, manage_url);
    if booking.status == crate::core::booking_status::BookingStatus::Pending {
        return Ok(render::request_withdrawal(&facts, reason.as_str(), by)?);
    }
    Ok((
        render::invitee_cancellation(&facts, reason.as_str(), by, ctx.now)?,
        render::host_cancellation(&facts, reason.as_str(), by, ctx.now)?,
    ))
}

/// Cancels the host's confirmed `booking` and tells the invitee, as the dashboard and the API
/// both do; a meeting that has started is too late (409). A request still waiting for the
/// host's approval is declined instead (the invitee was never sent an invitation to cancel).
pub async fn cancel_as_host(
    ctx: &Ctx,
    booking: &BookingDetailsRow,
    reason: &CancellationReason,
) -> Result<(), AppError> {
    if booking.status == crate::core::booking_status::BookingStatus::Pending {
        return super::approval::decline(ctx, booking, reason).await;
    }
    let (start, end) = times_of(booking)?;
    let too_late = || {
        AppError::TooLate(
            "This meeting has already started, so it can no longer be cancelled.".into(),
        )
    };
    if start <= ctx.now {
        return Err(too_late());
    }
    // The emails are queued with a placeholder for the token: D1 never holds it.
    let manage_url = crate::mail::links::queued_manage_url(&ctx.origin);
    let cancellation = Cancellation {
        booking,
        start,
        end,
        reason,
        by: CancelledBy::Host,
        manage_url: &manage_url,
    };
    let cancelled = cancel_and_notify(ctx, &cancellation).await?;
    if !cancelled {
        // Another request got there first, or the meeting started a moment ago.
        let now_status = ctx
            .store
            .host_booking(&booking.host_id, &booking.id)
            .await?;
        if now_status.is_some_and(|b| !b.status.is_cancelled()) {
            return Err(too_late());
        }
    }
    Ok(())
}
