//! The public JSON API (`/api/v1/...`): free slots of an event type and booking creation.
//! Described in `openapi.yaml`; errors are `{ "error": { "code", "message", "fields"? } }`.

use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::Serialize;
use worker::{Request, Response};

use super::request::page_lang;
use super::request::{field, json, query};
use crate::app::booking::{create_booking, ProviderWork};
use crate::app::public_event::PublicEvent;
use crate::app::AppError;
use crate::app::Ctx;
use crate::core::availability::{group_by_local_date, local_dates_to_utc, Interval};
use crate::core::booking::{BookingInput, FieldErrors};
use crate::core::display::rfc3339;
use crate::core::questions::{answers_by_label, parse_answers, Answer};
use crate::core::types::TimeZoneName;
use crate::i18n::Lang;

/// Longest range one slots request may cover, in days.
const MAX_RANGE_DAYS: i64 = 62;

#[derive(Serialize)]
struct SlotJson {
    start: String,
    end: String,
    /// The start in the requested zone, with its offset: what a client shows.
    local_start: String,
}

#[derive(Serialize)]
struct DayJson {
    date: NaiveDate,
    slots: Vec<SlotJson>,
}

#[derive(Serialize)]
struct SlotsJson<'a> {
    host: &'a str,
    event: &'a str,
    time_zone: &'a str,
    duration_minutes: u32,
    /// Every duration the event type offers, the default first.
    durations: Vec<u32>,
    start: String,
    end: String,
    days: Vec<DayJson>,
}

fn required<'a>(
    pairs: &'a [(String, String)],
    name: &'static str,
    errors: &mut FieldErrors,
) -> Option<&'a str> {
    let value = field(pairs, name).filter(|v| !v.trim().is_empty());
    if value.is_none() {
        errors.push(name, "This parameter is required.");
    }
    value
}

fn parse_with<T>(
    pairs: &[(String, String)],
    name: &'static str,
    errors: &mut FieldErrors,
    what: &str,
) -> Option<T>
where
    T: std::str::FromStr,
{
    let text = field(pairs, name).filter(|v| !v.trim().is_empty())?;
    let parsed = text.trim().parse::<T>().ok();
    if parsed.is_none() {
        errors.push(name, format!("Give {what}."));
    }
    parsed
}

/// `GET /api/v1/slots?host=&event=&tz=&from=&to=` (local dates in `tz`) or `&start=&end=` (RFC 3339),
/// with `&duration=` for one of the event type's other durations.
pub async fn slots(ctx: &Ctx, req: &Request) -> Result<Response, AppError> {
    let pairs = query(req)?;
    let mut errors = FieldErrors::default();
    let host = required(&pairs, "host", &mut errors);
    let event = required(&pairs, "event", &mut errors);
    let zone = match field(&pairs, "tz").filter(|v| !v.is_empty()) {
        Some(name) => TimeZoneName::parse(name)
            .map_err(|e| errors.push("tz", e.to_string()))
            .ok(),
        None => None,
    };
    let from = parse_with::<NaiveDate>(&pairs, "from", &mut errors, "a date like 2026-05-04");
    let to = parse_with::<NaiveDate>(&pairs, "to", &mut errors, "a date like 2026-05-10");
    let start = parse_with::<DateTime<Utc>>(
        &pairs,
        "start",
        &mut errors,
        "an RFC 3339 instant like 2026-05-04T00:00:00Z",
    );
    let end = parse_with::<DateTime<Utc>>(
        &pairs,
        "end",
        &mut errors,
        "an RFC 3339 instant like 2026-05-11T00:00:00Z",
    );
    let (Some(host), Some(event)) = (host, event) else {
        return Err(AppError::InvalidFields(errors));
    };
    if !errors.is_empty() {
        return Err(AppError::InvalidFields(errors));
    }
    let mut target = PublicEvent::find(&ctx.store, host, event).await?;
    target
        .use_duration(field(&pairs, "duration").unwrap_or_default())
        .map_err(|e| AppError::InvalidFields(FieldErrors::one("duration", e.to_string())))?;
    let zone = zone
        .map(TimeZoneName::tz)
        .unwrap_or_else(|| target.host_zone());
    let range = match (start, end) {
        (Some(start), Some(end)) => Interval::new(start, end)
            .map_err(|e| AppError::InvalidFields(FieldErrors::one("end", e.to_string())))?,
        (Some(_), None) | (None, Some(_)) => {
            return Err(AppError::InvalidFields(FieldErrors::one(
                "end",
                "Give both start and end, or neither.",
            )))
        }
        (None, None) => {
            let from = from.unwrap_or_else(|| ctx.now.with_timezone(&zone).date_naive());
            let to = to.unwrap_or(from + Days::new(6));
            if to < from {
                return Err(AppError::InvalidFields(FieldErrors::one(
                    "to",
                    "The end date is before the start date.",
                )));
            }
            local_dates_to_utc(from, to, zone)
                .map_err(|e| AppError::InvalidFields(FieldErrors::one("to", e.to_string())))?
        }
    };
    if (range.end() - range.start()).num_days() > MAX_RANGE_DAYS {
        return Err(AppError::InvalidFields(FieldErrors::one(
            "to",
            format!("Ask for at most {MAX_RANGE_DAYS} days at a time."),
        )));
    }
    let slots = target.availability(ctx, range).await?.slots();
    let days = group_by_local_date(&slots, zone)
        .into_iter()
        .map(|day| DayJson {
            date: day.date,
            slots: day
                .slots
                .iter()
                .map(|s| SlotJson {
                    start: rfc3339(&s.start),
                    end: rfc3339(&s.end),
                    local_start: rfc3339(&s.start.with_timezone(&zone)),
                })
                .collect(),
        })
        .collect();
    let body = SlotsJson {
        host: &target.host.slug,
        event: &target.event.slug,
        time_zone: zone.name(),
        duration_minutes: target.duration_minutes,
        durations: target.offered_durations(),
        start: rfc3339(&range.start()),
        end: rfc3339(&range.end()),
        days,
    };
    Ok(Response::from_json(&body)?)
}

/// The body of `POST /api/v1/bookings`.
#[derive(serde::Deserialize)]
struct CreateBookingJson {
    host: String,
    event: String,
    /// One of the event type's durations (default: its first).
    #[serde(default)]
    duration_minutes: Option<serde_json::Value>,
    /// Answers to the host's questions, by question label.
    #[serde(default)]
    answers: Option<serde_json::Value>,
    /// The language of the invitee's emails; without it, `Accept-Language` decides.
    #[serde(default, deserialize_with = "present")]
    lang: Option<String>,
    /// The token of a single-use link (its `link=` parameter): the booking uses it up.
    #[serde(default)]
    single_use_link: Option<String>,
    #[serde(flatten)]
    booking: BookingInput,
}

/// The `answers` object as (label, text) pairs: a string, an array of strings (a multiple
/// choice, one per line for the core), a boolean (a checkbox: `true` ticks it) or a whole
/// number; anything else is a 422.
fn answer_pairs(value: Option<&serde_json::Value>) -> Result<Vec<(&str, String)>, FieldErrors> {
    use serde_json::Value;
    let bad = || {
        FieldErrors::one(
            "answers",
            "Give answers as an object of question label to text (an array of options for a \
             multiple choice, true or false for a checkbox, a whole number for a number).",
        )
    };
    let text = |answer: &Value| match answer {
        Value::String(text) => Some(text.clone()),
        Value::Null | Value::Bool(false) => Some(String::new()),
        Value::Bool(true) => Some("yes".to_owned()),
        Value::Number(n) => n.as_i64().map(|n| n.to_string()),
        Value::Array(items) => items
            .iter()
            .map(|o| o.as_str().filter(|o| !o.contains('\n')))
            .collect::<Option<Vec<_>>>()
            .map(|chosen| chosen.join("\n")),
        Value::Object(_) => None,
    };
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Object(map)) => map
            .iter()
            .map(|(label, answer)| text(answer).map(|t| (label.as_str(), t)).ok_or_else(bad))
            .collect(),
        Some(_) => Err(bad()),
    }
}

/// The `duration_minutes` field as form text (a number or a numeric string).
fn duration_text(value: Option<&serde_json::Value>) -> Result<String, FieldErrors> {
    match value {
        None | Some(serde_json::Value::Null) => Ok(String::new()),
        Some(serde_json::Value::Number(n)) => Ok(n.to_string()),
        Some(serde_json::Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(FieldErrors::one(
            "duration_minutes",
            "Give the duration as a whole number of minutes.",
        )),
    }
}

/// A field that, when sent, must be a string: `null` is refused like any other wrong type.
fn present<'de, D: serde::Deserializer<'de>>(value: D) -> Result<Option<String>, D::Error> {
    <String as serde::Deserialize>::deserialize(value).map(Some)
}

/// The `lang` of a booking request: exactly one of the shipped codes, as `openapi.yaml` says;
/// without it the event type's fixed language (`fixed`), or else `Accept-Language`'s.
fn requested_lang(
    req: &Request,
    lang: Option<&str>,
    fixed: Option<Lang>,
) -> Result<Lang, AppError> {
    match lang {
        None => Ok(fixed.unwrap_or_else(|| page_lang(req))),
        Some("en") => Ok(Lang::En),
        Some("de") => Ok(Lang::De),
        Some(_) => Err(AppError::InvalidFields(FieldErrors::one(
            "lang",
            "Use one of the languages en or de.",
        ))),
    }
}

#[derive(Serialize)]
struct BookingJson<'a> {
    id: &'a str,
    status: &'static str,
    host: &'a str,
    event: &'a str,
    start: String,
    end: String,
    duration_minutes: i64,
    invitee: InviteeJson<'a>,
    /// The invitee's answers to the host's questions, in the questions' order.
    answers: &'a [Answer],
    /// The booking's private link: only in the answer that made the booking. A repeated
    /// request gets `null` (the link went to the invitee's address), so learning a request's
    /// idempotency key, address and start never hands out the link.
    manage_url: Option<String>,
    /// A request waiting for the host's approval (`status: pending`): when its hold ends.
    #[serde(skip_serializing_if = "Option::is_none")]
    held_until: Option<String>,
}

#[derive(Serialize)]
struct InviteeJson<'a> {
    name: &'a str,
    email: &'a str,
    time_zone: &'a str,
}

/// `POST /api/v1/bookings`: 201 with the booking (200 when an idempotent retry finds it).
pub async fn create(ctx: &Ctx, req: &mut Request) -> Result<Response, AppError> {
    let header_key = req.headers().get("Idempotency-Key").ok().flatten();
    let mut body: CreateBookingJson = json(req).await?;
    if let Some(key) = header_key.filter(|_| body.booking.idempotency_key.is_empty()) {
        body.booking.idempotency_key = key;
    }
    let request = body.booking.parse().map_err(AppError::InvalidFields)?;
    let mut target = PublicEvent::find(&ctx.store, &body.host, &body.event).await?;
    let lang = requested_lang(req, body.lang.as_deref(), target.event.lang)?;
    let duration =
        duration_text(body.duration_minutes.as_ref()).map_err(AppError::InvalidFields)?;
    target.use_duration(&duration).map_err(|e| {
        AppError::InvalidFields(FieldErrors::one("duration_minutes", e.to_string()))
    })?;
    let questions = target.questions()?;
    let given = answer_pairs(body.answers.as_ref()).map_err(AppError::InvalidFields)?;
    let raw = answers_by_label(&questions, given).map_err(AppError::InvalidFields)?;
    let answers = parse_answers(&questions, &raw).map_err(AppError::InvalidFields)?;
    let booking = create_booking(
        ctx,
        &target,
        &request,
        &answers,
        lang,
        ProviderWork::ByCron,
        body.single_use_link.as_deref(),
    )
    .await?;
    let json = BookingJson {
        id: &booking.id,
        status: if booking.held_until.is_some() {
            "pending"
        } else {
            "confirmed"
        },
        host: &target.host.slug,
        event: &target.event.slug,
        start: rfc3339(&booking.start),
        end: rfc3339(&booking.end),
        duration_minutes: (booking.end - booking.start).num_minutes(),
        invitee: InviteeJson {
            name: request.invitee.name.as_str(),
            email: request.invitee.email.as_str(),
            time_zone: request.invitee.time_zone.name(),
        },
        answers: &answers,
        manage_url: (!booking.replayed)
            .then(|| format!("{}/booking/{}", ctx.origin, booking.manage_token)),
        held_until: booking.held_until.as_ref().map(rfc3339),
    };
    let status = if booking.replayed { 200 } else { 201 };
    Ok(Response::from_json(&serde_json::json!({ "booking": json }))?.with_status(status))
}
