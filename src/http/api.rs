//! The public JSON API (`/api/v1/...`): free slots of an event type and booking creation.
//! Described in `openapi.yaml`; errors are `{ "error": { "code", "message", "fields"? } }`.

use chrono::{DateTime, Days, NaiveDate, SecondsFormat, Utc};
use serde::Serialize;
use worker::{Request, Response};

use super::booking::create_booking;
use super::context::Ctx;
use super::error::AppError;
use super::public_pages::page_lang;
use super::request::{field, json, query};
use super::slots::PublicEvent;
use crate::core::availability::{group_by_local_date, local_dates_to_utc, Interval};
use crate::core::booking::{BookingInput, FieldErrors};
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
    duration_minutes: i64,
    start: String,
    end: String,
    days: Vec<DayJson>,
}

fn rfc3339(instant: DateTime<Utc>) -> String {
    instant.to_rfc3339_opts(SecondsFormat::Secs, true)
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

/// `GET /api/v1/slots?host=&event=&tz=&from=&to=` (local dates in `tz`) or `&start=&end=` (RFC 3339).
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
    let target = PublicEvent::find(&ctx.store, host, event).await?;
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
                    start: rfc3339(s.start),
                    end: rfc3339(s.end),
                    local_start: s
                        .start
                        .with_timezone(&zone)
                        .to_rfc3339_opts(SecondsFormat::Secs, true),
                })
                .collect(),
        })
        .collect();
    let body = SlotsJson {
        host: &target.host.slug,
        event: &target.event.slug,
        time_zone: zone.name(),
        duration_minutes: target.event.duration_minutes,
        start: rfc3339(range.start()),
        end: rfc3339(range.end()),
        days,
    };
    Ok(Response::from_json(&body)?)
}

/// The body of `POST /api/v1/bookings`.
#[derive(serde::Deserialize)]
struct CreateBookingJson {
    host: String,
    event: String,
    /// The language of the invitee's emails; without it, `Accept-Language` decides.
    #[serde(default, deserialize_with = "present")]
    lang: Option<String>,
    #[serde(flatten)]
    booking: BookingInput,
}

/// A field that, when sent, must be a string: `null` is refused like any other wrong type.
fn present<'de, D: serde::Deserializer<'de>>(value: D) -> Result<Option<String>, D::Error> {
    <String as serde::Deserialize>::deserialize(value).map(Some)
}

/// The `lang` of a booking request: exactly one of the shipped codes, as `openapi.yaml` says.
fn requested_lang(req: &Request, lang: Option<&str>) -> Result<Lang, AppError> {
    match lang {
        None => Ok(page_lang(req)),
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
    invitee: InviteeJson<'a>,
    manage_url: String,
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
    let lang = requested_lang(req, body.lang.as_deref())?;
    let request = body.booking.parse().map_err(AppError::InvalidFields)?;
    let target = PublicEvent::find(&ctx.store, &body.host, &body.event).await?;
    let booking = create_booking(ctx, &target, &request, lang).await?;
    let json = BookingJson {
        id: &booking.id,
        status: "confirmed",
        host: &target.host.slug,
        event: &target.event.slug,
        start: rfc3339(booking.start),
        end: rfc3339(booking.end),
        invitee: InviteeJson {
            name: request.invitee.name.as_str(),
            email: request.invitee.email.as_str(),
            time_zone: request.invitee.time_zone.name(),
        },
        manage_url: format!("{}/booking/{}", ctx.origin, booking.manage_token),
    };
    let status = if booking.replayed { 200 } else { 201 };
    Ok(Response::from_json(&serde_json::json!({ "booking": json }))?.with_status(status))
}
