//! The host's bookings in the JSON API: `GET /api/v1/bookings` (upcoming or past, a page at a
//! time), `GET /api/v1/bookings/{id}` and `POST /api/v1/bookings/{id}/cancel`.
//!
//! Pages are keyset-paged ([`BookingCursor`]), so a booking made or cancelled meanwhile never
//! makes the next page skip or repeat one.
//! Cancelling goes through the dashboard's path ([`cancel_as_host`]): same checks, same emails
//! to the invitee and host, same calendar clean-up. Every query is scoped by the authenticated
//! host's id, so another host's booking is a 404.

use chrono::{DateTime, Utc};

use crate::core::display::rfc3339;
use serde_json::{json, Map, Value};
use worker::{Env, Request, Response};

use super::request::{field, query};
use super::request::{object, UNKNOWN};
use super::session::authorize;
use super::session::ApiAccess;
use crate::app::approval;
use crate::app::bookings::{bookings_page, host_booking};
use crate::app::cancel::cancel_as_host;
use crate::app::AppError;
use crate::app::Ctx;
use crate::core::booking::FieldErrors;
use crate::core::booking_status::BookingStatus;
use crate::core::display::capitalised;
use crate::core::paging::BookingCursor;
use crate::core::questions::answers_from_json;
use crate::core::types::CancellationReason;
use crate::store::{BookingDetailsRow, BookingsWhen};

/// Bookings per page unless `limit` says otherwise, and the most a page holds.
const DEFAULT_LIMIT: i64 = 50;
const MAX_LIMIT: i64 = 100;

fn instant(seconds: i64) -> String {
    rfc3339(&DateTime::<Utc>::from_timestamp(seconds, 0).unwrap_or_default())
}

/// How the host sees a booking: `rescheduled` is a cancelled booking that moved on.
fn booking_json(row: &BookingDetailsRow) -> Value {
    let status = row.status.standing(row.rescheduled_to.as_deref()).as_str();
    json!({
        "id": row.id,
        "status": status,
        "event": row.event_slug,
        "event_title": row.event_title,
        "start": instant(row.start_at),
        "end": instant(row.end_at),
        "duration_minutes": (row.end_at - row.start_at) / 60,
        "invitee": {
            "name": row.invitee_name,
            "email": row.invitee_email,
            "time_zone": row.invitee_time_zone,
        },
        "note": row.note,
        "answers": answers_from_json(&row.answers),
        "lang": row.lang,
        "location_kind": row.location_kind,
        "meeting_url": row.meeting_url.as_deref().filter(|url| url.starts_with("https://")),
        "calendar_state": row.calendar_state,
        "held_until": row.awaiting_approval_until
            .filter(|_| row.status == BookingStatus::Pending)
            .map(instant),
        "rescheduled_from": row.rescheduled_from,
        "rescheduled_to": row.rescheduled_to,
        "created_at": instant(row.created_at),
    })
}

/// `GET /api/v1/bookings?when=upcoming|past&limit=&cursor=`: one page of the host's bookings.
pub async fn list(ctx: &Ctx, env: &Env, req: &Request) -> Result<Response, AppError> {
    let signed_in = authorize(ctx, env, req, ApiAccess::Read).await?;
    let pairs = query(req)?;
    let mut errors = FieldErrors::default();
    let when = match field(&pairs, "when").unwrap_or("upcoming") {
        "upcoming" => Some(BookingsWhen::Upcoming),
        "past" => Some(BookingsWhen::Past),
        _ => {
            errors.push("when", "Use upcoming or past.");
            None
        }
    };
    let limit = match field(&pairs, "limit") {
        None => Some(DEFAULT_LIMIT),
        Some(text) => match text.parse::<i64>() {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => Some(n),
            _ => {
                errors.push(
                    "limit",
                    format!("Use a whole number from 1 to {MAX_LIMIT}."),
                );
                None
            }
        },
    };
    let after = match field(&pairs, "cursor").filter(|c| !c.is_empty()) {
        None => None,
        Some(text) => text
            .parse::<BookingCursor>()
            .map_err(|e| errors.push("cursor", capitalised(e.to_string()) + "."))
            .ok(),
    };
    let (Some(when), Some(limit), true) = (when, limit, errors.is_empty()) else {
        return Err(AppError::InvalidFields(errors));
    };
    let (rows, next) = bookings_page(ctx, &signed_in.host.id, when, after.as_ref(), limit).await?;
    let next_cursor = next.map(|cursor| cursor.to_string());
    let items: Vec<Value> = rows.iter().map(booking_json).collect();
    Ok(Response::from_json(&json!({
        "bookings": items,
        "next_cursor": next_cursor,
    }))?)
}

/// `GET /api/v1/bookings/{id}`: one of the host's bookings.
pub async fn get(ctx: &Ctx, env: &Env, req: &Request, id: &str) -> Result<Response, AppError> {
    let signed_in = authorize(ctx, env, req, ApiAccess::Read).await?;
    let booking = host_booking(ctx, &signed_in.host.id, id).await?;
    Ok(Response::from_json(&booking_json(&booking))?)
}

/// Which host answer a `POST` with an optional reason gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// `…/cancel`: ends the booking, or declines it while it is a request.
    Cancel,
    /// `…/decline`: declines a request; a booking that is no longer one is a 409, so a
    /// decline racing an approval never cancels the meeting the approval made.
    Decline,
}

/// `POST /api/v1/bookings/{id}/cancel` (or `…/decline`) with an optional `reason` the invitee
/// is told. Cancelling a cancelled booking (declining a declined request) again changes
/// nothing and answers the same.
pub async fn cancel(
    ctx: &Ctx,
    env: &Env,
    req: &mut Request,
    id: &str,
    answer: Answer,
) -> Result<Response, AppError> {
    let signed_in = authorize(ctx, env, req, ApiAccess::Write).await?;
    // No body at all is a cancellation without a reason.
    let headers = req.headers();
    let bodiless = !headers.has("Content-Type").unwrap_or(false)
        && headers
            .get("Content-Length")
            .ok()
            .flatten()
            .is_none_or(|length| length.trim() == "0");
    let body = if bodiless {
        Map::new()
    } else {
        object(req).await?
    };
    let mut errors = FieldErrors::default();
    let mut reason = CancellationReason::parse("").ok();
    for (key, value) in &body {
        match (key.as_str(), value) {
            ("reason", Value::String(text)) => {
                reason = CancellationReason::parse(text)
                    .map_err(|e| errors.push("reason", e.to_string()))
                    .ok();
            }
            ("reason", Value::Null) => {}
            ("reason", _) => errors.push("reason", "Use a string."),
            _ => errors.push("unknown_field", UNKNOWN),
        }
    }
    let (Some(reason), true) = (reason, errors.is_empty()) else {
        return Err(AppError::InvalidFields(errors));
    };
    let host_id = signed_in.host.id.as_str();
    let booking = host_booking(ctx, host_id, id).await?;
    match (answer, booking.status) {
        (_, BookingStatus::Pending) => approval::decline(ctx, &booking, &reason).await?,
        (Answer::Decline, BookingStatus::Declined) => {}
        (Answer::Decline, _) => return Err(approval::not_waiting(&booking)),
        (Answer::Cancel, status) if !status.is_cancelled() => {
            cancel_as_host(ctx, &booking, &reason).await?
        }
        (Answer::Cancel, _) => {}
    }
    let now = host_booking(ctx, host_id, id).await?;
    Ok(Response::from_json(&booking_json(&now))?)
}

/// `POST /api/v1/bookings/{id}/approve`: approves the host's waiting request (no body); the
/// booking as it now stands. Approving an approved booking again is a no-op answered 200, so
/// a retried call is safe; a declined, expired or withdrawn request is a 409.
pub async fn approve(
    ctx: &Ctx,
    env: &Env,
    req: &mut Request,
    id: &str,
) -> Result<Response, AppError> {
    let signed_in = authorize(ctx, env, req, ApiAccess::Write).await?;
    let host_id = signed_in.host.id.as_str();
    let booking = host_booking(ctx, host_id, id).await?;
    if !booking.status.is_confirmed() {
        approval::approve(ctx, &booking).await?;
    }
    let now = host_booking(ctx, host_id, id).await?;
    Ok(Response::from_json(&booking_json(&now))?)
}
