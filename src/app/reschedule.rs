//! Moving a booking to another time, by its invitee's link (the page and the API alike).
//!
//! A move is one D1 batch (`Store::reschedule_booking`): the new booking is inserted only if
//! its time is free of everything but the booking being moved, and only then is the old one
//! cancelled and linked to it (`rescheduled_to` / `rescheduled_from`); if the new time is taken,
//! nothing changes. The new booking keeps the invitee's details and the calendar UID of the
//! chain, with SEQUENCE one higher, and gets its own manage link; its two emails (one to each
//! side, iTIP REQUEST) are queued in the same batch. Links work until the meeting starts.

use chrono::{DateTime, Utc};

use super::booking::{deciding_range, plan, queue, refusal, run_calendar_work, taken};
use super::bookings::booking_by_link;
use super::cancel::invitee_change_refused;
use super::public_event::{Availability, PublicEvent};
use super::{AppError, Ctx};
use crate::core::availability::{Interval, Slot};
use crate::core::booking::FieldErrors;
use crate::core::calendar_work::CalendarWorkState;
use crate::core::lifecycle::next_sequence;
use crate::core::questions::answers_from_json;
use crate::crypto::digest::sha256_hex;
use crate::crypto::random_hex;
use crate::i18n::Lang;
use crate::mail::render::{self, BookingFacts, PreviousTime, HOST_LANG};
use crate::mail::stored::zone_or_utc;
use crate::mail::Kind;
use crate::store::BookingDetailsRow;

/// The booking behind the link, if it can still be moved.
pub struct Movable {
    pub booking: BookingDetailsRow,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// Why a booking's link can no longer move it, or the booking.
pub enum Found {
    Movable(Box<Movable>),
    /// Cancelled or moved already: the page to send the invitee to instead.
    Gone(String),
}

/// The manage page of the booking `booking` was moved to, if it was moved.
pub async fn moved_to_url(
    ctx: &Ctx,
    booking: &BookingDetailsRow,
) -> Result<Option<String>, AppError> {
    let Some(next) = &booking.rescheduled_to else {
        return Ok(None);
    };
    let Some(key) = ctx.store.link_key_of(next).await? else {
        return Ok(None);
    };
    let token = ctx
        .config
        .link_key
        .manage_token(&key.host_id, &key.idempotency_key);
    Ok(Some(format!("{}/booking/{token}", ctx.origin)))
}

/// The booking behind `token` if it can still be moved, where to send the invitee if it was
/// cancelled or moved, or a refusal in `lang` if its meeting has started.
pub async fn find(ctx: &Ctx, token: &str, lang: Lang) -> Result<Found, AppError> {
    let (booking, start, end) = booking_by_link(ctx, token).await?;
    if !booking.status.is_confirmed() {
        let url = match moved_to_url(ctx, &booking).await? {
            Some(url) => url,
            None => format!("{}/booking/{token}", ctx.origin),
        };
        return Ok(Found::Gone(url));
    }
    if let Some(refused) = invitee_change_refused(&booking, start, ctx.now, lang) {
        return Err(refused);
    }
    Ok(Found::Movable(Box::new(Movable {
        booking,
        start,
        end,
    })))
}

/// The booking's event type, with slots as long as the booking itself: a move keeps the
/// duration the invitee picked, even if the host no longer offers it for new bookings.
async fn target_of(ctx: &Ctx, movable: &Movable) -> Result<PublicEvent, AppError> {
    let booking = &movable.booking;
    let mut target = PublicEvent::find(&ctx.store, &booking.host_slug, &booking.event_slug).await?;
    let minutes = (movable.end - movable.start).num_minutes();
    target.duration_minutes = u32::try_from(minutes)
        .ok()
        .filter(|m| *m > 0)
        .ok_or_else(|| AppError::Internal(format!("booking {} has no length", booking.id)))?;
    Ok(target)
}

/// The times `movable` can move to within `range`: the free slots of its event type at its
/// own length, counting its own time as free but leaving it out of the list.
pub async fn free_times(
    ctx: &Ctx,
    movable: &Movable,
    range: Interval,
) -> Result<Vec<Slot>, AppError> {
    let target = target_of(ctx, movable).await?;
    let mut availability = target.availability(ctx, range).await?;
    without(&mut availability, movable.start, movable.end);
    Ok(availability
        .slots()
        .into_iter()
        .filter(|s| s.start != movable.start)
        .collect())
}

/// The availability as if the booking being moved were not there: its own time and its
/// neighbours are free for it (the move's conflict check ignores it too).
fn without(availability: &mut Availability, start: DateTime<Utc>, end: DateTime<Utc>) {
    availability
        .busy
        .retain(|busy| !(busy.start() == start && busy.end() == end));
    if let Some(at) = availability
        .booked
        .iter()
        .position(|b| b.start == start && b.this_event_type)
    {
        availability.booked.remove(at);
    }
}

/// The refusal of a move through the link of a booking that no longer stands.
pub fn gone() -> AppError {
    AppError::Conflict(
        "This booking was cancelled or already moved; use the link of the booking it became."
            .into(),
    )
}

/// A booking that now exists in place of the moved one.
pub struct Moved {
    pub id: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// The new booking's manage page, with its token: for the redirect and the API answer only.
    pub manage_url: String,
}

/// Moves `movable` to `start`, or says precisely why not (then nothing changed).
pub async fn move_booking(
    ctx: &Ctx,
    movable: &Movable,
    start: DateTime<Utc>,
) -> Result<Moved, AppError> {
    let old = &movable.booking;
    if start == movable.start {
        return Err(AppError::InvalidFields(FieldErrors::one(
            "start",
            "The booking is already at this time. Pick another time.",
        )));
    }
    let target = target_of(ctx, movable).await?;
    let zone = target.schedule_zone()?;
    let mut availability = target
        .availability(ctx, deciding_range(start, zone)?)
        .await?;
    without(&mut availability, movable.start, movable.end);
    if !availability.offers(start) {
        return Err(refusal(&availability, start));
    }
    let plan = plan(start, &availability, zone)?;
    let end = plan.end;
    let id = random_hex::<16>();
    let idempotency_key = random_hex::<16>();
    let manage_token = ctx
        .config
        .link_key
        .manage_token(&target.host.id, &idempotency_key);
    let manage_url = format!("{}/booking/{manage_token}", ctx.origin);
    // The emails are queued with a placeholder for the token: D1 never holds it.
    let queued_url = crate::mail::links::queued_manage_url(&ctx.origin);
    let sequence = next_sequence(u32::try_from(old.sequence).unwrap_or(0));
    // The moved booking keeps the language it was booked in, whatever this request's.
    let lang = Lang::from_code(&old.lang).unwrap_or(Lang::En);
    // The event and its meeting move with the booking, so the link stays the same.
    let meeting_url = ctx
        .store
        .meeting_url(&old.id)
        .await?
        .filter(|m| m.state == CalendarWorkState::Created)
        .and_then(|m| m.meeting_url)
        .filter(|url| url.starts_with("https://"));
    // The answers move with the booking, like the name and the note.
    let answers = answers_from_json(&old.answers);
    let facts = BookingFacts {
        calendar_uid: &old.calendar_uid,
        sequence,
        event_title: &target.event.title,
        host_name: &target.host.name,
        host_email: &old.host_email,
        host_zone: target.host_zone(),
        invitee_name: &old.invitee_name,
        invitee_email: &old.invitee_email,
        invitee_zone: zone_or_utc(&old.invitee_time_zone),
        note: &old.note,
        start,
        end,
        location_kind: target.event.location_kind,
        location_detail: &target.event.location_detail,
        meeting_url: meeting_url.as_deref(),
        manage_url: &queued_url,
        answers: &answers,
        invitee_lang: lang,
        host_lang: HOST_LANG,
        host_message: "",
    };
    let previous = PreviousTime {
        start: movable.start,
        end: movable.end,
    };
    let emails = [
        queue(
            ctx,
            Kind::InviteeReschedule,
            &render::invitee_reschedule(&facts, previous, ctx.now)?,
        )?,
        queue(
            ctx,
            Kind::HostReschedule,
            &render::host_reschedule(&facts, previous, ctx.now)?,
        )?,
    ];
    let token_hash = sha256_hex(&manage_token);
    let row = crate::store::NewBookingRow {
        awaiting_approval_until: None,
        id: &id,
        host_id: &target.host.id,
        event_type_id: &target.event.id,
        start_at: start.timestamp(),
        end_at: end.timestamp(),
        blocked_from: plan.blocked_from,
        blocked_until: plan.blocked_until,
        caps: &plan.caps,
        invitee_name: &old.invitee_name,
        invitee_email: &old.invitee_email,
        invitee_time_zone: &old.invitee_time_zone,
        note: &old.note,
        manage_token_hash: &token_hash,
        idempotency_key: &idempotency_key,
        created_at: ctx.now.timestamp(),
        calendar_uid: &old.calendar_uid,
        sequence: i64::from(sequence),
        answers: &old.answers,
        lang: lang.code(),
        // A move keeps the booking a link made; it uses no link of its own.
        single_use_link_hash: None,
    };
    if ctx
        .store
        .reschedule_booking(&old.id, ctx.now.timestamp(), &row, &emails)
        .await?
    {
        // The event moves with the booking; an old one never created is removed instead.
        run_calendar_work(ctx, &id).await;
        run_calendar_work(ctx, &old.id).await;
        return Ok(Moved {
            id,
            start,
            end,
            manage_url,
        });
    }
    // Nothing changed: say why, from what is true now.
    let (now_row, now_start, _) = booking_by_link_id(ctx, old).await?;
    if !now_row.status.is_confirmed() {
        return Err(gone());
    }
    if let Some(refused) = invitee_change_refused(&now_row, now_start, ctx.now, Lang::En) {
        return Err(refused);
    }
    Err(taken())
}

/// The moved booking as it is now, read again by its own link.
async fn booking_by_link_id(
    ctx: &Ctx,
    old: &BookingDetailsRow,
) -> Result<(BookingDetailsRow, DateTime<Utc>, DateTime<Utc>), AppError> {
    let row = ctx
        .store
        .booking_by_id(&old.id)
        .await?
        .ok_or_else(|| AppError::Internal(format!("booking {} vanished", old.id)))?;
    let start = DateTime::from_timestamp(row.start_at, 0).unwrap_or_default();
    let end = DateTime::from_timestamp(row.end_at, 0).unwrap_or_default();
    Ok((row, start, end))
}
