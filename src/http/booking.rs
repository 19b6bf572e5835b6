//! Creating a booking, shared by the booking form and the JSON API.
//!
//! The engine decides whether the start is offered at all; the single atomic insert in
//! `store::bookings` then decides, against every concurrent request, whether it is still free.
//! The confirmation to the invitee and the notification to the host are rendered first and
//! queued in the outbox by that same batch, so they exist exactly when the booking does.

use chrono::{DateTime, Duration, Utc};

use super::context::Ctx;
use super::error::AppError;
use super::slots::PublicEvent;
use crate::core::availability::{local_dates_to_utc, Interval};
use crate::core::booking::{BookingRequest, FieldErrors};
use crate::core::display::location_label;
use crate::core::questions::{answers_to_json, Answer};
use crate::core::types::TimeZoneName;
use crate::crypto::digest::sha256_hex;
use crate::crypto::random_hex;
use crate::mail::render::{self, BookingFacts};
use crate::mail::{Kind, Message};
use crate::store::{InsertOutcome, NewBookingRow, NewEmail};

/// A booking that now exists, with the secret of its manage link.
pub struct CreatedBooking {
    pub id: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Goes into the invitee's link only; D1 keeps its hash.
    pub manage_token: String,
    /// True when this request repeated an earlier one and got the same booking back.
    pub replayed: bool,
}

/// Books `request` for `target` (at the duration `target` was set to), with the invitee's
/// checked `answers` to the host's questions, or says precisely why not.
pub async fn create_booking(
    ctx: &Ctx,
    target: &PublicEvent,
    request: &BookingRequest,
    answers: &[Answer],
) -> Result<CreatedBooking, AppError> {
    let zone = target.schedule_zone()?;
    let local_day = request.start.with_timezone(&zone).date_naive();
    let day = local_dates_to_utc(local_day, local_day, zone)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let around = Interval::new(
        day.start() - Duration::days(1),
        day.end() + Duration::days(1),
    )
    .map_err(|e| AppError::Internal(e.to_string()))?;
    let availability = target.availability(&ctx.store, around, ctx.now).await?;

    let idempotency_key = match &request.idempotency_key {
        Some(key) => key.as_str().to_owned(),
        None => random_hex::<16>(),
    };
    let manage_token = ctx
        .config
        .link_key
        .manage_token(&target.host.id, &idempotency_key);
    let rules = &availability.rules;
    let end = request.start + Duration::minutes(i64::from(rules.duration_minutes()));

    if !availability.offers(request.start) {
        // A retry of a booking that already went through finds its own booking in the way.
        if request.idempotency_key.is_none() || !availability.would_offer_when_free(request.start) {
            return Err(refusal(&availability, request.start));
        }
    }

    let id = random_hex::<16>();
    let token_hash = sha256_hex(&manage_token);
    let daily_cap = rules.max_per_day().map(|cap| {
        (
            i64::from(cap),
            day.start().timestamp(),
            day.end().timestamp(),
        )
    });
    let manage_url = format!("{}/booking/{manage_token}", ctx.origin);
    let uid = render::calendar_uid(&id);
    let facts = BookingFacts {
        booking_id: &id,
        calendar_uid: &uid,
        sequence: 0,
        event_title: &target.event.title,
        host_name: &target.host.name,
        host_email: &target.host.email,
        host_zone: target.host_zone(),
        invitee_name: request.invitee.name.as_str(),
        invitee_email: request.invitee.email.as_str(),
        invitee_zone: request.invitee.time_zone.tz(),
        note: request.note.as_str(),
        start: request.start,
        end,
        location: location_label(&target.event.location_kind),
        manage_url: &manage_url,
        answers,
    };
    let emails = [
        queue(
            Kind::InviteeConfirmation,
            &render::invitee_confirmation(&facts, ctx.now)?,
        )?,
        queue(
            Kind::HostNotification,
            &render::host_notification(&facts, ctx.now)?,
        )?,
    ];
    let stored_answers = answers_to_json(answers);
    let row = NewBookingRow {
        id: &id,
        host_id: &target.host.id,
        event_type_id: &target.event.id,
        start_at: request.start.timestamp(),
        end_at: end.timestamp(),
        blocked_from: request.start.timestamp() - 60 * i64::from(rules.buffer_before_minutes()),
        blocked_until: end.timestamp() + 60 * i64::from(rules.buffer_after_minutes()),
        daily_cap,
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
    };
    match ctx.store.insert_booking_if_free(&row, &emails).await? {
        InsertOutcome::Created => Ok(CreatedBooking {
            id,
            start: request.start,
            end,
            manage_token,
            replayed: false,
        }),
        InsertOutcome::AlreadyCreated(earlier) => Ok(CreatedBooking {
            id: earlier.id,
            start: request.start,
            end,
            manage_token,
            replayed: true,
        }),
        InsertOutcome::KeyReused => Err(AppError::InvalidFields(FieldErrors::one(
            "idempotency_key",
            "This idempotency key was already used for a different booking.",
        ))),
        InsertOutcome::Conflict => Err(taken()),
    }
}

/// An outbox row for `message`: a fresh id (also the email API's idempotency key), the hash of
/// the recipient, and the rendered message as the payload.
pub fn queue(kind: Kind, message: &Message) -> Result<NewEmail, AppError> {
    Ok(NewEmail {
        id: random_hex::<16>(),
        kind: kind.as_str(),
        recipient_hash: sha256_hex(&message.to.to_lowercase()),
        payload: serde_json::to_string(message)
            .map_err(|e| AppError::Internal(format!("email payload: {e}")))?,
    })
}

/// A zone name from D1, or UTC if a row holds one we no longer know.
pub fn zone_or_utc(name: &str) -> chrono_tz::Tz {
    TimeZoneName::parse(name)
        .map(TimeZoneName::tz)
        .unwrap_or(chrono_tz::UTC)
}

pub(super) fn taken() -> AppError {
    AppError::Conflict("Someone booked this time a moment ago. Please pick another time.".into())
}

pub(super) fn refusal(availability: &super::slots::Availability, start: DateTime<Utc>) -> AppError {
    if availability.would_offer_when_free(start) {
        taken()
    } else {
        AppError::InvalidFields(FieldErrors::one(
            "start",
            "This time is not offered for this event. Pick one of the listed times.",
        ))
    }
}
