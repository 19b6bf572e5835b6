//! The host's bookings in the dashboard: upcoming (soonest first) and past (newest first),
//! [`HOST_BOOKINGS_LIMIT`] a page each with links to the next pages (keyset cursors, shared
//! with the API), in the host's own zone; and cancelling one with a reason.
//!
//! A host's cancellation goes through the same path as an invitee's ([`cancel_and_notify`]):
//! the status change and both emails (iTIP CANCEL, same UID, next SEQUENCE) in one D1 batch.
//! Ids from the address only reach queries scoped to the signed-in host, so another host's
//! booking is a 404, never a hint that it exists.

use super::dashboard_nav::ConnectionAlert;
use askama::Template;
use chrono::{DateTime, Utc};
use worker::{Request, Response};

use super::booking::zone_or_utc;
use super::cancel::cancel_and_notify;
use super::request::{field, form, query};
use super::session::{check_form, redirect, require_host, SignedIn};
use crate::app::AppError;
use crate::app::Ctx;
use crate::core::booking::FieldErrors;
use crate::core::booking_status::{BookingStatus, Standing};
use crate::core::display::{location_label, span_label};
use crate::core::paging::BookingCursor;
use crate::core::questions::{answers_from_json, Answer};
use crate::core::types::CancellationReason;
use crate::mail::render::CancelledBy;
use crate::store::{BookingDetailsRow, BookingsWhen, HOST_BOOKINGS_LIMIT};

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
    /// The banner of broken connections every dashboard page shows.
    alerts: Vec<ConnectionAlert>,
    zone: String,
    upcoming: Vec<BookingItem>,
    past: Vec<BookingItem>,
    /// The next page of each list, keeping the other list where it is.
    later_href: Option<String>,
    older_href: Option<String>,
    /// Either list is past its first page.
    paged: bool,
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

fn item(row: BookingDetailsRow, zone: chrono_tz::Tz, now: DateTime<Utc>) -> BookingItem {
    let start = DateTime::from_timestamp(row.start_at, 0).unwrap_or_default();
    let end = DateTime::from_timestamp(row.end_at, 0).unwrap_or_default();
    let status = match row.status.standing(row.rescheduled_to.as_deref()) {
        Standing::Rescheduled => "Rescheduled",
        Standing::Cancelled => "Cancelled",
        Standing::Confirmed if end <= now => "Took place",
        Standing::Confirmed => "Confirmed",
    };
    BookingItem {
        cancellable: row.status.is_confirmed() && start > now,
        id: row.id,
        when: span_label(start, end, zone),
        event_title: row.event_title,
        invitee_name: row.invitee_name,
        invitee_email: row.invitee_email,
        status,
        location: location_label(&row.location_kind),
        answers: answers_from_json(&row.answers),
        meeting_url: row.meeting_url.filter(|url| url.starts_with("https://")),
        calendar_note: match (row.status, row.calendar_state.as_deref()) {
            (BookingStatus::Confirmed, Some("pending")) => Some("being added to your calendar"),
            (BookingStatus::Confirmed, Some("failed")) => {
                Some("not in your calendar: adding it failed, please add it yourself")
            }
            _ => None,
        },
    }
}

/// One page of the host's bookings, `limit` of them after `after`, and the cursor of the next
/// page if there is one. The dashboard and the API page alike.
pub(super) async fn bookings_page(
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

/// Where each list of the page starts (`?upcoming_after=` and `?past_after=`).
#[derive(Default)]
struct PageStarts {
    upcoming: Option<BookingCursor>,
    past: Option<BookingCursor>,
}

impl PageStarts {
    /// The cursors of the address; one we did not hand out starts its list from the top.
    fn of(pairs: &[(String, String)]) -> Self {
        let cursor = |name| field(pairs, name).and_then(|text| text.parse().ok());
        Self {
            upcoming: cursor("upcoming_after"),
            past: cursor("past_after"),
        }
    }

    fn href(upcoming: Option<&BookingCursor>, past: Option<&BookingCursor>) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        if let Some(cursor) = upcoming {
            query.append_pair("upcoming_after", &cursor.to_string());
        }
        if let Some(cursor) = past {
            query.append_pair("past_after", &cursor.to_string());
        }
        format!("/dashboard/bookings?{}", query.finish())
    }
}

async fn render(
    ctx: &Ctx,
    signed_in: &SignedIn,
    starts: PageStarts,
    failed_id: String,
    failed_reason: String,
    errors: FieldErrors,
) -> Result<Response, AppError> {
    let host = &signed_in.host;
    let zone = zone_or_utc(&host.time_zone);
    let (upcoming, next_upcoming) = bookings_page(
        ctx,
        &host.id,
        BookingsWhen::Upcoming,
        starts.upcoming.as_ref(),
        HOST_BOOKINGS_LIMIT,
    )
    .await?;
    let (past, next_past) = bookings_page(
        ctx,
        &host.id,
        BookingsWhen::Past,
        starts.past.as_ref(),
        HOST_BOOKINGS_LIMIT,
    )
    .await?;
    let page = BookingsPage {
        zone: zone.name().to_owned(),
        upcoming: upcoming
            .into_iter()
            .map(|r| item(r, zone, ctx.now))
            .collect(),
        past: past.into_iter().map(|r| item(r, zone, ctx.now)).collect(),
        later_href: next_upcoming
            .as_ref()
            .map(|next| PageStarts::href(Some(next), starts.past.as_ref())),
        older_href: next_past
            .as_ref()
            .map(|next| PageStarts::href(starts.upcoming.as_ref(), Some(next))),
        paged: starts.upcoming.is_some() || starts.past.is_some(),
        alerts: signed_in.connection_alerts(),
        csrf: signed_in.csrf_token().to_owned(),
        failed_id,
        failed_reason,
        errors,
    };
    let status = if page.errors.is_empty() { 200 } else { 422 };
    Ok(Response::from_html(page.render()?)?.with_status(status))
}

/// `GET /dashboard/bookings[?upcoming_after=&past_after=]`: a page of both lists.
pub async fn list(ctx: &Ctx, req: &Request) -> Result<Response, AppError> {
    let signed_in = require_host(ctx, req).await?;
    let starts = PageStarts::of(&query(req)?);
    render(
        ctx,
        &signed_in,
        starts,
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
    if booking.status.is_cancelled() {
        return redirect("/dashboard/bookings", 303);
    }
    let raw_reason = field(&pairs, "reason").unwrap_or_default();
    let reason = match CancellationReason::parse(raw_reason) {
        Ok(reason) => reason,
        Err(error) => {
            let errors = FieldErrors::one("reason", error.to_string());
            let starts = PageStarts::default();
            return render(
                ctx,
                &signed_in,
                starts,
                booking.id,
                raw_reason.to_owned(),
                errors,
            )
            .await;
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
    // The emails are queued with a placeholder for the token: D1 never holds it.
    let manage_url = crate::mail::links::queued_manage_url(&ctx.origin);
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
        if now_status.is_some_and(|b| !b.status.is_cancelled()) {
            return Err(too_late());
        }
    }
    Ok(())
}
