//! Creating a booking, shared by the booking form and the JSON API.
//!
//! The engine decides whether the start is offered at all; the single atomic insert in
//! `store::bookings` then decides, against every concurrent request, whether it is still free.
//! The confirmation to the invitee and the notification to the host are rendered first and
//! queued in the outbox by that same batch, so they exist exactly when the booking does.
//!
//! The event and meeting at the providers are made after the insert, never by the booking
//! request: by the confirmation page the booking form redirects to, or by the next cron run
//! (the JSON API), each an invocation with a CPU budget of its own ([`ProviderWork`]).

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::public_event::{Availability, PublicEvent};
use super::single_use_links::{closed_link, link_state, unknown_link};
use super::{AppError, Ctx};
use crate::calendar::jobs::{work_for, Outcome};
use crate::core::availability::Interval;
use crate::core::booking::{BookingRequest, FieldErrors};
use crate::core::booking_plan::BookingPlan;
use crate::core::calendar_work::CalendarWorkState;
use crate::core::questions::{answers_to_json, Answer};
use crate::core::single_use_link::LinkState;
use crate::crypto::digest::sha256_hex;
use crate::crypto::random_hex;
use crate::i18n::Lang;
use crate::mail::render::{self, BookingFacts, HOST_LANG};
use crate::mail::{Kind, Message};
use crate::store::{
    BookingDetailsRow, InsertOutcome, MeetingLinkRow, NewBookingRow, NewCalendarWork, NewEmail,
};

/// A booking that now exists, with the secret of its manage link.
pub struct CreatedBooking {
    pub id: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Goes into the invitee's link only; D1 keeps its hash.
    pub manage_token: String,
    /// True when this request repeated an earlier one and got the same booking back.
    pub replayed: bool,
    /// True when the event and meeting are still to be made, by the confirmation page
    /// ([`ProviderWork::OnConfirmationPage`]).
    pub provider_work_left: bool,
    /// For a request that waits for the host's approval: when its hold ends.
    pub held_until: Option<DateTime<Utc>>,
}

/// Where a new booking's event and meeting are made at the providers. Reading three calendars
/// and writing the booking already takes about half the free plan's 10 ms of CPU; making the
/// event and meeting and sending the emails takes about as much again (11.5 ms at the median
/// for the JSON API with three calendars when it did both). So the booking request only books;
/// whoever makes the event leaves the emails to the next cron run (BENCHMARKS.md, *CPU per
/// request*).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderWork {
    /// By the next cron run, within the minute: the JSON API, whose client may load no page
    /// next. The emails that will carry the meeting link wait for that run, which makes the
    /// link and then sends them; the webhooks go with it too.
    ByCron,
    /// On the confirmation page the browser is redirected to ([`finish_left_work`]); the
    /// cron trigger does it if that page is never loaded.
    OnConfirmationPage,
}

/// Books `request` for `target` (at the duration `target` was set to), with the invitee's
/// checked `answers` to the host's questions, or says precisely why not. `lang` is the
/// language the invitee booked in: it is stored with the booking and every email to them is
/// written in it. `single_use_link` is the token of the link the invitee came through, if
/// any: the booking is made only while that link is open, and uses it up in the same
/// statement, so of any number of racing requests on one link exactly one books.
pub async fn create_booking(
    ctx: &Ctx,
    target: &PublicEvent,
    request: &BookingRequest,
    answers: &[Answer],
    lang: Lang,
    providers: ProviderWork,
    single_use_link: Option<&str>,
) -> Result<CreatedBooking, AppError> {
    // A link used or expired is said so first, whatever the time asked for; except that a
    // used link lets a request with an idempotency key through, which may be the retry of
    // the booking that used it (the insert then finds that booking, or refuses).
    let link_hash = match single_use_link {
        Some(token) => match link_state(ctx, target, token).await? {
            (hash, LinkState::Open) => Some(hash),
            (hash, LinkState::Used) if request.idempotency_key.is_some() => Some(hash),
            (_, closed) => return Err(closed_link(target, closed)),
        },
        None => None,
    };
    let zone = target.schedule_zone()?;
    let availability = target
        .availability(ctx, deciding_range(request.start, zone)?)
        .await?;

    let idempotency_key = match &request.idempotency_key {
        Some(key) => key.as_str().to_owned(),
        None => random_hex::<16>(),
    };
    let manage_token = ctx
        .config
        .link_key
        .manage_token(&target.host.id, &idempotency_key);
    if !availability.offers(request.start) {
        // A retry of a booking that already went through finds its own booking in the way.
        if request.idempotency_key.is_none() || !availability.would_offer_when_free(request.start) {
            return Err(refusal(&availability, request.start));
        }
    }

    let plan = plan(request.start, &availability, zone)?;
    let end = plan.end;
    let id = random_hex::<16>();
    let token_hash = sha256_hex(&manage_token);
    // The emails are queued with a placeholder for the token: D1 never holds it.
    let manage_url = crate::mail::links::queued_manage_url(&ctx.origin);
    let uid = render::calendar_uid(&id);
    let host_email = ctx
        .store
        .open_host_email(&target.host.id, &target.host.email)
        .await?;
    let facts = BookingFacts {
        calendar_uid: &uid,
        sequence: 0,
        event_title: &target.event.title,
        host_name: &target.host.name,
        host_email: &host_email,
        host_zone: target.host_zone(),
        invitee_name: request.invitee.name.as_str(),
        invitee_email: request.invitee.email.as_str(),
        invitee_zone: request.invitee.time_zone.tz(),
        note: request.note.as_str(),
        start: request.start,
        end,
        location_kind: target.event.location_kind,
        location_detail: &target.event.location_detail,
        meeting_url: None,
        manage_url: &manage_url,
        answers,
        invitee_lang: lang,
        host_lang: HOST_LANG,
        host_message: target.event.confirmation_message.for_reader(lang),
    };
    // An event type that needs the host's approval takes a request: it holds the time until
    // the host answers, or until the meeting would start if that is sooner.
    let held_until = target
        .event
        .approval_hours
        .map(|hours| (ctx.now + chrono::Duration::hours(hours)).min(request.start));
    let emails = match held_until {
        None => confirmation_emails(ctx, &facts)?,
        Some(until) => {
            let dashboard = format!("{}/dashboard/bookings", ctx.origin);
            let (to_invitee, to_host) = render::request_made(&facts, until, &dashboard)?;
            [
                queue(ctx, Kind::InviteeRequest, &to_invitee)?,
                queue(ctx, Kind::HostRequest, &to_host)?,
            ]
        }
    };
    let stored_answers = answers_to_json(answers);
    let row = NewBookingRow {
        id: &id,
        host_id: &target.host.id,
        event_type_id: &target.event.id,
        start_at: request.start.timestamp(),
        end_at: end.timestamp(),
        blocked_from: plan.blocked_from,
        blocked_until: plan.blocked_until,
        caps: &plan.caps,
        invitee_name: request.invitee.name.as_str(),
        invitee_email: request.invitee.email.as_str(),
        invitee_time_zone: request.invitee.time_zone.name(),
        note: request.note.as_str(),
        manage_token_hash: &token_hash,
        idempotency_key: &idempotency_key,
        created_at: ctx.now.timestamp(),
        calendar_uid: &uid,
        sequence: 0,
        answers: &stored_answers,
        lang: lang.code(),
        single_use_link_hash: link_hash.as_deref(),
        awaiting_approval_until: held_until.map(|until| until.timestamp()),
    };
    // The connections were read with the availability, in the same round trip; the calendar
    // the event type chose is read only when it could receive the event: a host without a
    // calendar connection (most hosts on the free plan's 10 ms) pays no D1 read for it. A
    // request's event and meeting wait for the host's approval.
    let has_calendar = availability
        .connections
        .iter()
        .any(|c| c.provider().is_calendar());
    let chosen = if held_until.is_none() && has_calendar {
        ctx.store
            .event_calendar(&target.host.id, &target.event.id)
            .await?
    } else {
        None
    };
    let work = work_for(
        target.event.location_kind,
        &availability.connections,
        chosen.as_ref(),
    )
    .filter(|_| held_until.is_none())
    .map(|work| NewCalendarWork {
        left_to_page: providers == ProviderWork::OnConfirmationPage,
        ..work
    });
    match ctx
        .store
        .insert_booking_if_free(&row, &emails, work.as_ref())
        .await?
    {
        InsertOutcome::Created => {
            let provider_work_left = match (&work, providers) {
                (None, _) => false,
                (Some(_), ProviderWork::OnConfirmationPage) => true,
                (Some(_), ProviderWork::ByCron) => {
                    // The cron run that makes the event sends the emails and webhooks after
                    // it, so they leave in the order the invitee expects and this request
                    // stays within its CPU budget.
                    ctx.send_nothing_after_response();
                    false
                }
            };
            Ok(CreatedBooking {
                id,
                start: request.start,
                end,
                manage_token,
                replayed: false,
                provider_work_left,
                held_until,
            })
        }
        InsertOutcome::AlreadyCreated(earlier) => Ok(CreatedBooking {
            // Still waiting, or approved meanwhile: as the earlier request stands now.
            held_until: earlier
                .awaiting_approval_until
                .and_then(|at| DateTime::from_timestamp(at, 0)),
            id: earlier.id,
            start: request.start,
            end,
            manage_token,
            replayed: true,
            provider_work_left: false,
        }),
        InsertOutcome::KeyReused => Err(AppError::InvalidFields(FieldErrors::one(
            "idempotency_key",
            "This idempotency key was already used for a different booking.",
        ))),
        InsertOutcome::Conflict => Err(taken()),
        InsertOutcome::LinkClosed(Some(state)) => Err(closed_link(target, state)),
        InsertOutcome::LinkClosed(None) => Err(unknown_link()),
    }
}

/// The range whose busy times decide a booking at `start` ([`BookingPlan::deciding_range`]).
pub fn deciding_range(start: DateTime<Utc>, zone: Tz) -> Result<Interval, AppError> {
    BookingPlan::deciding_range(start, zone).map_err(|e| AppError::Internal(e.to_string()))
}

/// The plan of a booking at `start`, by the rules `availability` was read with.
pub fn plan(
    start: DateTime<Utc>,
    availability: &Availability,
    zone: Tz,
) -> Result<BookingPlan, AppError> {
    BookingPlan::new(start, &availability.rules, zone)
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// Creates (or moves, or removes) what booking `id` needs at the providers right away, so
/// the confirmation page can show the meeting link. A failure never undoes the booking: the
/// row stays due and the cron trigger retries it with backoff.
pub async fn run_calendar_work(ctx: &Ctx, id: &str) {
    let outcome = match ctx.calendars() {
        Ok(calendars) => calendars.process(id).await.map_err(|e| e.to_string()),
        Err(error) => Err(error.to_string()),
    };
    if let Err(error) = outcome {
        worker::console_warn!("calendar work of booking {id}: {error}");
    }
}

/// Does what a booking made through the form left to its confirmation page
/// ([`ProviderWork::OnConfirmationPage`]): makes the event and meeting (the link goes into
/// the two emails held in the outbox) and lets the emails go with the next cron run, within
/// the minute: sending them here too would take this page past the free plan's CPU budget
/// with calendars connected (BENCHMARKS.md). The caller calls it only before the work's first
/// try: retries belong to the cron, so no page view pays for them. `meeting` is the row as
/// the page read it; the booking's meeting as it now stands comes back.
pub async fn finish_left_work(
    ctx: &Ctx,
    booking: &BookingDetailsRow,
    meeting: MeetingLinkRow,
) -> Result<MeetingLinkRow, AppError> {
    let outcome = match ctx.calendars() {
        Ok(calendars) => calendars
            .process_left(booking)
            .await
            .map_err(|e| e.to_string()),
        Err(error) => Err(error.to_string()),
    };
    let done = match outcome {
        // The cron or another load of this page has it.
        Ok(Outcome::Skipped) => return Ok(meeting),
        Ok(Outcome::Done { link }) => Some(link),
        Ok(Outcome::Retrying | Outcome::GivenUp) => None,
        Err(error) => {
            worker::console_warn!("calendar work of booking {}: {error}", booking.id);
            None
        }
    };
    Ok(match done {
        Some(link) => MeetingLinkRow {
            state: CalendarWorkState::Created,
            meeting_url: link,
            attempts: 1,
            ..meeting
        },
        None => ctx.store.meeting_url(&booking.id).await?.unwrap_or(meeting),
    })
}

/// A booking's two emails once it is on: the invitee's confirmation with its invitation and
/// the host's notification. Queued by a new booking and by an approved request alike.
pub fn confirmation_emails(ctx: &Ctx, facts: &BookingFacts<'_>) -> Result<[NewEmail; 2], AppError> {
    Ok([
        queue(
            ctx,
            Kind::InviteeConfirmation,
            &render::invitee_confirmation(facts, ctx.now)?,
        )?,
        queue(
            ctx,
            Kind::HostNotification,
            &render::host_notification(facts, ctx.now)?,
        )?,
    ])
}

/// An outbox row of `kind` for `message` ([`crate::store::Store::new_email`]).
pub fn queue(ctx: &Ctx, kind: Kind, message: &Message) -> Result<NewEmail, AppError> {
    Ok(ctx.store.new_email(kind.as_str(), &message.to, message)?)
}

/// The refusal of a slot someone else took first.
pub fn taken() -> AppError {
    AppError::Conflict("Someone booked this time a moment ago. Please pick another time.".into())
}

/// The refusal of `start`: taken by someone, or never offered for this event.
pub fn refusal(availability: &Availability, start: DateTime<Utc>) -> AppError {
    if availability.would_offer_when_free(start) {
        taken()
    } else {
        AppError::InvalidFields(FieldErrors::one(
            "start",
            "This time is not offered for this event. Pick one of the listed times.",
        ))
    }
}
