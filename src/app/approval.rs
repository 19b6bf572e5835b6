//! Requests that wait for the host's approval: approving, declining and expiring one, for the
//! dashboard, the host API and the cron alike.
//!
//! A request is made by [`super::booking::create_booking`] as a booking row that holds its
//! time (so the one booking statement keeps everyone else off it, and counts it toward every
//! limit) with the invitee's "request sent" and the host's "approve or decline" emails. Each
//! way out is one conditional batch in the store (`store::requests`): approving queues what a
//! new booking would have (its confirmation emails, its calendar event and meeting, its
//! `booking.created` webhooks); declining or expiring frees the time and tells the invitee.

use super::booking::{confirmation_emails, run_calendar_work};
use super::bookings::times_of;
use super::{AppError, Ctx};
use crate::calendar::jobs::work_for;
use crate::core::booking_status::{BookingStatus, RequestOutcome};
use crate::core::types::CancellationReason;
use crate::mail::render;
use crate::mail::stored;
use crate::mail::Kind;
use crate::runtime::Run;
use crate::store::BookingDetailsRow;

/// The refusal of an answer to a request that is no longer waiting, saying how it ended.
pub fn not_waiting(booking: &BookingDetailsRow) -> AppError {
    AppError::Conflict(
        match booking.status {
            BookingStatus::Confirmed => "This booking is already confirmed.",
            BookingStatus::Declined => "This request was already declined.",
            BookingStatus::Expired => {
                "This request expired before it was answered, and its time is free again."
            }
            _ => "This request was withdrawn or cancelled; there is nothing left to answer.",
        }
        .into(),
    )
}

/// Approves the host's waiting request `booking`: from now on it is a booking like any other.
/// Its confirmation and the host's notification are queued, and its calendar event and meeting
/// are made right away (or by the cron, with backoff, if that fails), in the same order a
/// booking that needed no approval gets them.
pub async fn approve(ctx: &Ctx, booking: &BookingDetailsRow) -> Result<(), AppError> {
    if booking.status != BookingStatus::Pending {
        return Err(not_waiting(booking));
    }
    let (start, end) = times_of(booking)?;
    // The emails are queued with a placeholder for the token: D1 never holds it.
    let manage_url = crate::mail::links::queued_manage_url(&ctx.origin);
    let facts = stored::facts(booking, start, end, None, &manage_url);
    let emails = confirmation_emails(ctx, &facts)?;
    let connections = ctx.store.host_connections(&booking.host_id).await?;
    let chosen = ctx
        .store
        .event_calendar(&booking.host_id, &booking.event_type_id)
        .await?;
    let work = work_for(booking.location_kind, &connections, chosen.as_ref());
    let approved = ctx
        .store
        .approve_request(
            &booking.host_id,
            &booking.id,
            ctx.now.timestamp(),
            &emails,
            work.as_ref(),
        )
        .await?;
    if !approved {
        return Err(answered_meanwhile(ctx, booking).await?);
    }
    if work.is_some() {
        run_calendar_work(ctx, &booking.id).await;
    }
    Ok(())
}

/// Declines the host's waiting request `booking`, with the host's `reason` (maybe empty) in
/// the invitee's email: the time is free again at once.
pub async fn decline(
    ctx: &Ctx,
    booking: &BookingDetailsRow,
    reason: &CancellationReason,
) -> Result<(), AppError> {
    if booking.status != BookingStatus::Pending {
        return Err(not_waiting(booking));
    }
    if !end(ctx, booking, RequestOutcome::Declined, reason.as_str()).await? {
        return Err(answered_meanwhile(ctx, booking).await?);
    }
    Ok(())
}

/// Ends every request whose hold ran out by `run.now` as expired, telling each invitee; the
/// cron's minute runs it, so a request's time is free within a minute of its hold's end. How
/// many it ended.
pub async fn expire_due(run: &Run) -> Result<usize, AppError> {
    let mut ended = 0;
    for id in run.store.expired_request_ids(run.now.timestamp()).await? {
        let Some(booking) = run.store.booking_by_id(&id).await? else {
            continue;
        };
        if end(run, &booking, RequestOutcome::Expired, "").await? {
            ended += 1;
        }
    }
    Ok(ended)
}

/// Ends `booking`'s request as `outcome` with the invitee's email; false when it was not
/// waiting (declined) or not yet due (expired) any more. The email carries no link: the
/// request is over, and the invitee books again through the host's own link.
async fn end(
    run: &Run,
    booking: &BookingDetailsRow,
    outcome: RequestOutcome,
    reason: &str,
) -> Result<bool, AppError> {
    let (start, end) = times_of(booking)?;
    let facts = stored::facts(booking, start, end, None, "");
    let declined = outcome == RequestOutcome::Declined;
    let message = render::request_ended(&facts, declined, reason)?;
    let email = run
        .store
        .new_email(Kind::InviteeRequestEnded.as_str(), &message.to, &message)?;
    Ok(run
        .store
        .end_request(
            &booking.id,
            outcome,
            run.now.timestamp(),
            &booking.host_id,
            &email,
        )
        .await?)
}

/// Why an answer changed nothing though the request looked open: someone (another tab, the
/// API, the cron) answered it first, or its hold ran out a moment ago.
async fn answered_meanwhile(ctx: &Ctx, booking: &BookingDetailsRow) -> Result<AppError, AppError> {
    Ok(match ctx.store.booking_by_id(&booking.id).await? {
        Some(now) if now.status != BookingStatus::Pending => not_waiting(&now),
        _ => AppError::Conflict(
            "This request's hold ran out a moment ago, so it can no longer be answered.".into(),
        ),
    })
}
