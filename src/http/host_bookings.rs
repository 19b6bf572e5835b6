//! The host's bookings in the dashboard: upcoming (soonest first) and past (newest first), at
//! most [`HOST_BOOKINGS_LIMIT`] each, in the host's own zone; and cancelling one with a reason.
//!
//! A host's cancellation goes through the same path as an invitee's ([`cancel_and_notify`]):
//! the status change and both emails (iTIP CANCEL, same UID, next SEQUENCE) in one D1 batch.
//! Ids from the address only reach queries scoped to the signed-in host, so another host's
//! booking is a 404, never a hint that it exists.

use askama::Template;
use chrono::{DateTime, Utc};
use worker::{Request, Response};

use super::booking::zone_or_utc;
use super::cancel::cancel_and_notify;
use super::context::Ctx;
use super::error::AppError;
use super::request::{field, form};
use super::session::{check_form, redirect, require_host, SignedIn};
use crate::core::booking::FieldErrors;
use crate::core::display::{location_label, span_label};
use crate::core::questions::{answers_from_json, Answer};
use crate::core::types::CancellationReason;
use crate::mail::render::CancelledBy;
use crate::store::{BookingDetailsRow, HostBookingRow};

struct BookingItem {
    id: String,
    when: String,
    event_title: String,
    invitee_name: String,
    invitee_email: String,
    status: &'static str,
    location: &'static str,
    /// The invitee's answers to the host's questions.
    answers: Vec<Answer>,
    /// The Meet, Teams or Zoom link (https only).
    meeting_url: Option<String>,
    /// Said when the calendar event is still being made or could not be made.
    calendar_note: Option<&'static str>,
    cancellable: bool,
}

#[derive(Template)]
#[template(path = "bookings.html")]
struct BookingsPage {
    zone: String,
    upcoming: Vec<BookingItem>,
    past: Vec<BookingItem>,
    limit: i64,
    csrf: String,
    /// The booking whose cancel form failed, and why.
    failed_id: String,
    failed_reason: String,
    errors: FieldErrors,
}

impl BookingsPage {
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }
}

fn item(row: HostBookingRow, zone: chrono_tz::Tz, now: DateTime<Utc>) -> BookingItem {
    let start = DateTime::from_timestamp(row.start_at, 0).unwrap_or_default();
    let end = DateTime::from_timestamp(row.end_at, 0).unwrap_or_default();
    let status = match (row.status.as_str(), &row.rescheduled_to) {
        ("cancelled", Some(_)) => "Rescheduled",
        ("cancelled", None) => "Cancelled",
        _ if end <= now => "Took place",
        _ => "Confirmed",
    };
    BookingItem {
        cancellable: row.status == "confirmed" && start > now,
        id: row.id,
        when: span_label(start, end, zone),
        event_title: row.event_title,
        invitee_name: row.invitee_name,
        invitee_email: row.invitee_email,
        status,
        location: location_label(&row.location_kind),
        answers: answers_from_json(&row.answers),
        meeting_url: row.meeting_url.filter(|url| url.starts_with("https://")),
        calendar_note: match (row.status.as_str(), row.calendar_state.as_deref()) {
            ("confirmed", Some("pending")) => Some("being added to your calendar"),
            ("confirmed", Some("failed")) => {
                Some("not in your calendar: adding it failed, please add it yourself")
            }
            _ => None,
        },
    }
}

async fn render(
    ctx: &Ctx,
    signed_in: &SignedIn,
    failed_id: String,
    failed_reason: String,
    errors: FieldErrors,
) -> Result<Response, AppError> {
    let host = &signed_in.host;
    let zone = zone_or_utc(&host.time_zone);
    let now = ctx.now.timestamp();
    let upcoming = ctx.store.host_upcoming_bookings(&host.id, now).await?;
    let past = ctx.store.host_past_bookings(&host.id, now).await?;
    let page = BookingsPage {
        zone: zone.name().to_owned(),
        upcoming: upcoming
            .into_iter()
            .map(|r| item(r, zone, ctx.now))
            .collect(),
        past: past.into_iter().map(|r| item(r, zone, ctx.now)).collect(),
        limit: crate::store::HOST_BOOKINGS_LIMIT,
        csrf: signed_in.csrf_token().to_owned(),
        failed_id,
        failed_reason,
        errors,
    };
    let status = if page.errors.is_empty() { 200 } else { 422 };
    Ok(Response::from_html(page.render()?)?.with_status(status))
}

/// `GET /dashboard/bookings`: both lists.
pub async fn list(ctx: &Ctx, req: &Request) -> Result<Response, AppError> {
    let signed_in = require_host(ctx, req).await?;
    render(
        ctx,
        &signed_in,
        String::new(),
        String::new(),
        FieldErrors::default(),
    )
    .await
}

/// `POST /dashboard/bookings/{id}/cancel`: cancels the host's booking and tells the invitee.
pub async fn cancel(ctx: &Ctx, req: &mut Request, id: &str) -> Result<Response, AppError> {
    let signed_in = require_host(ctx, req).await?;
    let pairs = form(req).await?;
    check_form(ctx, req, &signed_in, &pairs)?;
    let booking = host_booking(ctx, &signed_in.host.id, id).await?;
    if booking.status == "cancelled" {
        return redirect("/dashboard/bookings", 303);
    }
    let raw_reason = field(&pairs, "reason").unwrap_or_default();
    let reason = match CancellationReason::parse(raw_reason) {
        Ok(reason) => reason,
        Err(error) => {
            let errors = FieldErrors::one("reason", error.to_string());
            return render(ctx, &signed_in, booking.id, raw_reason.to_owned(), errors).await;
        }
    };
    cancel_as_host(ctx, &booking, &reason).await?;
    redirect("/dashboard/bookings", 303)
}

/// One of the host's bookings by id; another host's is not found, never a hint it exists.
pub(super) async fn host_booking(
    ctx: &Ctx,
    host_id: &str,
    id: &str,
) -> Result<BookingDetailsRow, AppError> {
    ctx.store
        .host_booking(host_id, id)
        .await?
        .ok_or_else(|| AppError::NotFound("You have no booking at this address.".into()))
}

/// Cancels the host's confirmed `booking` and tells the invitee, as the dashboard and the API
/// both do; a meeting that has started is too late (409).
pub(super) async fn cancel_as_host(
    ctx: &Ctx,
    booking: &BookingDetailsRow,
    reason: &CancellationReason,
) -> Result<(), AppError> {
    let (Some(start), Some(end)) = (
        DateTime::from_timestamp(booking.start_at, 0),
        DateTime::from_timestamp(booking.end_at, 0),
    ) else {
        return Err(AppError::Internal(format!(
            "booking {} has an impossible time",
            booking.id
        )));
    };
    let too_late = || {
        AppError::TooLate(
            "This meeting has already started, so it can no longer be cancelled.".into(),
        )
    };
    if start <= ctx.now {
        return Err(too_late());
    }
    let token = ctx
        .config
        .link_key
        .manage_token(&booking.host_id, &booking.idempotency_key);
    let manage_url = format!("{}/booking/{token}", ctx.origin);
    let cancelled = cancel_and_notify(
        ctx,
        booking,
        start,
        end,
        reason,
        CancelledBy::Host,
        &manage_url,
    )
    .await?;
    if !cancelled {
        // Another request got there first, or the meeting started a moment ago.
        let now_status = ctx
            .store
            .host_booking(&booking.host_id, &booking.id)
            .await?;
        if now_status.is_some_and(|b| b.status != "cancelled") {
            return Err(too_late());
        }
    }
    Ok(())
}
