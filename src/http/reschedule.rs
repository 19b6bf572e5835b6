//! Rescheduling by the invitee: `GET /booking/{token}/reschedule` lists the event's free times
//! (a week at a time, in the invitee's zone), `?slot=` asks to confirm, `POST` with `slot`
//! moves the booking; `POST /api/v1/bookings/{token}/reschedule` does the same for clients.
//!
//! The move itself, and what it refuses, is `app::reschedule`; this module parses and renders.

use askama::Template;
use chrono::{DateTime, Days, NaiveDate, Utc};
use worker::{Request, Response};

use super::request::same_origin;
use super::request::{accept_language, page_lang};
use super::request::{field, form, json, query};
use crate::app::reschedule::{find, free_times, gone, move_booking, Found, Movable};
use crate::app::AppError;
use crate::app::Ctx;
use crate::core::availability::{group_by_local_date, local_dates_to_utc};
use crate::core::booking::{parse_slot_start, FieldErrors};
use crate::core::display::rfc3339;
use crate::core::questions::answers_from_json;
use crate::core::types::TimeZoneName;
use crate::i18n::{default_clock, span_label, time_label, Clock, Lang, Strings};
use crate::mail::stored::zone_or_utc;
use crate::store::BookingDetailsRow;
use chrono_tz::Tz;

/// How many local days the page lists at once.
const DAYS_PER_PAGE: u64 = 7;

struct SlotLink {
    label: String,
    accessible_label: String,
    href: String,
}

struct DayList {
    label: String,
    slots: Vec<SlotLink>,
}

struct Choice {
    when: String,
    start: String,
}

#[derive(Template)]
#[template(path = "reschedule.html")]
struct ReschedulePage {
    t: &'static Strings,
    title: String,
    host_name: String,
    current: String,
    zone: String,
    zone_names: &'static [chrono_tz::Tz],
    clock: &'static str,
    notice: Option<String>,
    chosen: Option<Choice>,
    action: String,
    days: Vec<DayList>,
    range_label: String,
    previous_href: Option<String>,
    next_href: String,
    back_href: String,
}

/// How the page reads: its language, clock and the zone times are shown in (`?tz=`, by
/// default the zone the invitee booked in).
#[derive(Clone, Copy)]
struct View {
    lang: Lang,
    clock: Clock,
    zone: Tz,
}

impl View {
    /// The view `req` asks for, in the booking's event type's fixed language if it has one.
    fn read(
        req: &Request,
        pairs: &[(String, String)],
        booking: &BookingDetailsRow,
    ) -> Result<View, AppError> {
        let booked_zone = zone_or_utc(&booking.invitee_time_zone);
        let accept = accept_language(req);
        let zone = match field(pairs, "tz").filter(|v| !v.is_empty()) {
            Some(name) => TimeZoneName::parse(name)
                .map_err(|e| {
                    AppError::BadRequest(format!("The time zone '{name}' is not known: {e}"))
                })?
                .tz(),
            None => booked_zone,
        };
        Ok(View {
            lang: booking
                .event_lang
                .unwrap_or_else(|| Lang::from_accept_language(&accept)),
            clock: field(pairs, "clock")
                .and_then(Clock::from_param)
                .unwrap_or_else(|| default_clock(&accept)),
            zone,
        })
    }
}

fn redirect(url: &str) -> Result<Response, AppError> {
    // Not `Response::redirect_with_status`: its headers are immutable, so the security headers
    // (framing, CSP, no-referrer) could not be added to it.
    let url = worker::Url::parse(url).map_err(|e| AppError::Internal(format!("URL: {e}")))?;
    super::session::redirect(url.as_str(), 303)
}

/// `GET /booking/{token}/reschedule[?from=&slot=]`: free times, or a chosen one to confirm.
pub async fn page(ctx: &Ctx, req: &Request, token: &str) -> Result<Response, AppError> {
    let movable = match find(ctx, token, page_lang(req)).await? {
        Found::Movable(movable) => movable,
        Found::Gone(url) => return redirect(&url),
    };
    let pairs = query(req)?;
    let view = View::read(req, &pairs, &movable.booking)?;
    let zone = view.zone;
    let today = ctx.now.with_timezone(&zone).date_naive();
    let from = match field(&pairs, "from").filter(|v| !v.is_empty()) {
        Some(text) => text
            .parse::<NaiveDate>()
            .map_err(|_| AppError::BadRequest(format!("'{text}' is not a date like 2026-05-04.")))?
            .max(today),
        None => today,
    };
    let slot = match field(&pairs, "slot").filter(|v| !v.is_empty()) {
        Some(text) => {
            Some(parse_slot_start(text).map_err(|e| AppError::BadRequest(e.to_string()))?)
        }
        None => None,
    };
    render(ctx, token, &movable, view, from, slot, None).await
}

async fn render(
    ctx: &Ctx,
    token: &str,
    movable: &Movable,
    view: View,
    from: NaiveDate,
    slot: Option<DateTime<Utc>>,
    notice: Option<String>,
) -> Result<Response, AppError> {
    let booking = &movable.booking;
    let (t, clock, zone) = (view.lang.strings(), view.clock, view.zone);
    let to = from + Days::new(DAYS_PER_PAGE - 1);
    let range =
        local_dates_to_utc(from, to, zone).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let slots = free_times(ctx, movable, range).await?;
    let base = format!("/booking/{token}/reschedule");
    // Every link keeps the zone and clock the invitee is looking at.
    let view_query = form_urlencoded::Serializer::new(String::new())
        .append_pair("tz", zone.name())
        .append_pair("clock", clock.param())
        .finish();
    let week_href = |from: NaiveDate| format!("{base}?{view_query}&from={from}");
    let days = group_by_local_date(&slots, zone)
        .into_iter()
        .map(|day| DayList {
            label: t.day_label(day.date),
            slots: day
                .slots
                .iter()
                .map(|s| SlotLink {
                    label: time_label(&s.start.with_timezone(&zone), clock),
                    accessible_label: format!(
                        "{}: {}",
                        t.move_submit,
                        span_label(t, clock, s.start, s.end, zone)
                    ),
                    href: format!(
                        "{base}?{view_query}&from={from}&slot={}#confirm",
                        rfc3339(&s.start)
                    ),
                })
                .collect(),
        })
        .collect();
    let duration = movable.end - movable.start;
    html(ReschedulePage {
        t,
        title: booking.event_title.clone(),
        host_name: booking.host_name.clone(),
        current: span_label(t, clock, movable.start, movable.end, zone),
        zone: zone.name().to_owned(),
        zone_names: &chrono_tz::TZ_VARIANTS,
        clock: clock.param(),
        notice,
        chosen: slot.map(|start| Choice {
            when: span_label(t, clock, start, start + duration, zone),
            start: rfc3339(&start),
        }),
        action: base.clone(),
        days,
        range_label: format!("{} – {}", t.day_label(from), t.day_label(to)),
        previous_href: (from > today_of(ctx, zone))
            .then(|| week_href((from - Days::new(DAYS_PER_PAGE)).max(today_of(ctx, zone)))),
        next_href: week_href(from + Days::new(DAYS_PER_PAGE)),
        back_href: format!("/booking/{token}"),
    })
}

fn today_of(ctx: &Ctx, zone: chrono_tz::Tz) -> NaiveDate {
    ctx.now.with_timezone(&zone).date_naive()
}

fn html(page: impl Template) -> Result<Response, AppError> {
    Ok(Response::from_html(page.render()?)?)
}

/// `POST /booking/{token}/reschedule` with `slot`: moves the booking and shows the new one.
pub async fn submit(ctx: &Ctx, req: &mut Request, token: &str) -> Result<Response, AppError> {
    if !same_origin(ctx, req)? {
        return Err(AppError::Forbidden(
            "This form can only be sent from this site's own reschedule page.".into(),
        ));
    }
    let lang = page_lang(req);
    let movable = match find(ctx, token, lang).await? {
        Found::Movable(movable) => movable,
        Found::Gone(url) => return redirect(&url),
    };
    let pairs = form(req).await?;
    let start = parse_slot_start(field(&pairs, "slot").unwrap_or_default())
        .map_err(|e| AppError::InvalidFields(FieldErrors::one("slot", e.to_string())))?;
    let view = View::read(req, &pairs, &movable.booking)?;
    let zone = view.zone;
    let from = start.with_timezone(&zone).date_naive();
    match move_booking(ctx, &movable, start).await {
        Ok(moved) => redirect(&moved.manage_url),
        Err(error @ (AppError::Conflict(_) | AppError::InvalidFields(_))) => {
            let (status, message) = match &error {
                AppError::Conflict(message) => (
                    409,
                    if lang == Lang::En {
                        message.clone()
                    } else {
                        lang.strings().slot_gone.to_owned()
                    },
                ),
                AppError::InvalidFields(fields) => (
                    422,
                    fields
                        .iter()
                        .map(|(_, message)| message.to_owned())
                        .collect::<Vec<_>>()
                        .join(" "),
                ),
                _ => unreachable!("matched above"),
            };
            // The booking may have changed under us: show what is true now.
            let movable = match find(ctx, token, lang).await? {
                Found::Movable(movable) => movable,
                Found::Gone(url) => return redirect(&url),
            };
            let today = today_of(ctx, zone);
            Ok(render(
                ctx,
                token,
                &movable,
                view,
                from.max(today),
                None,
                Some(message),
            )
            .await?
            .with_status(status))
        }
        Err(error) => Err(error),
    }
}

/// The body of `POST /api/v1/bookings/{token}/reschedule`.
#[derive(serde::Deserialize)]
struct RescheduleJson {
    start: String,
}

/// `POST /api/v1/bookings/{token}/reschedule` `{start}`: 200 with the new booking.
pub async fn api(ctx: &Ctx, req: &mut Request, token: &str) -> Result<Response, AppError> {
    let body: RescheduleJson = json(req).await?;
    let start = parse_slot_start(&body.start)
        .map_err(|e| AppError::InvalidFields(FieldErrors::one("start", e.to_string())))?;
    let movable = match find(ctx, token, Lang::En).await? {
        Found::Movable(movable) => movable,
        Found::Gone(_) => return Err(gone()),
    };
    let moved = move_booking(ctx, &movable, start).await?;
    let b = &movable.booking;
    let json = serde_json::json!({ "booking": {
        "id": moved.id,
        "status": "confirmed",
        "host": b.host_slug,
        "event": b.event_slug,
        "start": rfc3339(&moved.start),
        "end": rfc3339(&moved.end),
        "duration_minutes": (moved.end - moved.start).num_minutes(),
        "invitee": { "name": b.invitee_name, "email": b.invitee_email, "time_zone": b.invitee_time_zone },
        "answers": answers_from_json(&b.answers),
        "manage_url": moved.manage_url,
        "rescheduled_from": b.id,
    }});
    Ok(Response::from_json(&json)?)
}
