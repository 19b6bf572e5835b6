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

use super::request::{field, form, query};
use super::session::{check_form, redirect, require_host, SignedIn};
use crate::app::bookings::{bookings_page, host_booking};
use crate::app::cancel::cancel_as_host;
use crate::app::AppError;
use crate::app::Ctx;
use crate::core::booking::FieldErrors;
use crate::core::booking_status::{BookingStatus, Standing};
use crate::core::calendar_work::CalendarWorkState;
use crate::core::display::{location_label, span_label};
use crate::core::paging::BookingCursor;
use crate::core::questions::{answers_from_json, Answer};
use crate::core::types::CancellationReason;
use crate::mail::stored::zone_or_utc;
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
    /// A request waiting for the host's answer: when its hold ends, in the host's zone.
    held_until: Option<String>,
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
        Standing::Pending => "Waiting for your approval",
        Standing::Declined => "Declined",
        Standing::Expired => "Expired unanswered",
    };
    BookingItem {
        cancellable: row.status.holds_time() && start > now,
        held_until: row
            .awaiting_approval_until
            .filter(|_| row.status == BookingStatus::Pending)
            .and_then(|at| DateTime::from_timestamp(at, 0))
            .map(|at| {
                let english = crate::i18n::Lang::En.strings();
                crate::i18n::instant_label(english, crate::i18n::Clock::H24, at, zone)
            }),
        id: row.id,
        when: span_label(start, end, zone),
        event_title: row.event_title,
        invitee_name: row.invitee_name,
        invitee_email: row.invitee_email,
        status,
        location: location_label(row.location_kind),
        answers: answers_from_json(&row.answers),
        meeting_url: row.meeting_url.filter(|url| url.starts_with("https://")),
        calendar_note: match (row.status, row.calendar_state) {
            (BookingStatus::Confirmed, Some(CalendarWorkState::Pending)) => {
                Some("being added to your calendar")
            }
            (BookingStatus::Confirmed, Some(CalendarWorkState::Failed)) => {
                Some("not in your calendar: adding it failed, please add it yourself")
            }
            _ => None,
        },
    }
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

/// `POST /dashboard/bookings/{id}/approve`: approves the host's waiting request; the invitee
/// gets the confirmation and the meeting is put in the calendar.
pub async fn approve(ctx: &Ctx, req: &mut Request, id: &str) -> Result<Response, AppError> {
    let signed_in = require_host(ctx, req).await?;
    let pairs = form(req).await?;
    check_form(ctx, req, &signed_in, &pairs)?;
    let booking = host_booking(ctx, &signed_in.host.id, id).await?;
    crate::app::approval::approve(ctx, &booking).await?;
    redirect("/dashboard/bookings", 303)
}

/// `POST /dashboard/bookings/{id}/cancel`: cancels the host's booking and tells the invitee;
/// for a request waiting for approval, declines it.
pub async fn cancel(ctx: &Ctx, req: &mut Request, id: &str) -> Result<Response, AppError> {
    let signed_in = require_host(ctx, req).await?;
    let pairs = form(req).await?;
    check_form(ctx, req, &signed_in, &pairs)?;
    let booking = host_booking(ctx, &signed_in.host.id, id).await?;
    // A request's Decline button says so: if an approval got there first, the meeting stays.
    if field(&pairs, "decline").is_some() && booking.status != BookingStatus::Pending {
        return Err(crate::app::approval::not_waiting(&booking));
    }
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
