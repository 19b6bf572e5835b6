//! The pages anyone can open: the instance's front page, a host's profile `/{host}`, the
//! booking page `/{host}/{event}` with its form, and the confirmation `/booking/{token}`.
//!
//! Everything works without JavaScript: slots are links, the form is a plain POST, and the
//! invitee's zone travels in the `tz` query parameter (the page's script only pre-fills it).

use askama::Template;
use chrono::{DateTime, Days, NaiveDate, Utc};
use chrono_tz::Tz;
use worker::{Request, Response};

use super::booking::create_booking;
use super::context::Ctx;
use super::error::AppError;
use super::request::{field, form, query};
use super::slots::PublicEvent;
use crate::core::availability::{group_by_local_date, local_dates_to_utc};
use crate::core::booking::{parse_slot_start, BookingInput, FieldErrors};
use crate::core::display::{clock_label, day_label, location_label, span_label};
use crate::core::ics;
use crate::core::types::TimeZoneName;
use crate::crypto::digest::sha256_hex;
use crate::crypto::link_token::is_well_formed;
use crate::crypto::random_hex;
use crate::store::BookingDetailsRow;

/// How many local days the booking page shows at once.
const DAYS_PER_PAGE: u64 = 7;

fn html(page: impl Template) -> Result<Response, AppError> {
    Ok(Response::from_html(page.render()?)?)
}

fn encode(pairs: &[(&str, &str)]) -> String {
    let mut serializer = form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs {
        serializer.append_pair(name, value);
    }
    serializer.finish()
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage;

/// `GET /`: what this instance is.
pub fn home() -> Result<Response, AppError> {
    html(HomePage)
}

struct EventLink {
    title: String,
    href: String,
    duration_minutes: i64,
    location: &'static str,
}

#[derive(Template)]
#[template(path = "host.html")]
struct HostPage {
    host_name: String,
    events: Vec<EventLink>,
}

/// `GET /{host}`: the host's listed event types.
pub async fn host_profile(ctx: &Ctx, host_slug: &str) -> Result<Response, AppError> {
    let host = ctx.store.host_by_slug(host_slug).await?.ok_or_else(|| {
        AppError::NotFound(format!("There is no host called '{host_slug}' here."))
    })?;
    let events = ctx
        .store
        .listed_event_types(&host.id)
        .await?
        .into_iter()
        .map(|e| EventLink {
            href: format!("/{}/{}", host.slug, e.slug),
            location: location_label(&e.location_kind),
            duration_minutes: e.duration_minutes,
            title: e.title,
        })
        .collect();
    html(HostPage {
        host_name: host.name,
        events,
    })
}

struct SlotLink {
    label: String,
    accessible_label: String,
    href: String,
}

struct DayColumn {
    label: String,
    slots: Vec<SlotLink>,
}

/// The chosen slot and the form to book it.
struct BookingForm {
    start: String,
    when: String,
    name: String,
    email: String,
    note: String,
    idempotency_key: String,
    errors: FieldErrors,
}

impl BookingForm {
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }
}

#[derive(Template)]
#[template(path = "booking.html")]
struct BookingPage {
    host_name: String,
    title: String,
    description: String,
    duration_minutes: i64,
    location: &'static str,
    page_href: String,
    zone: &'static str,
    zone_names: &'static [Tz],
    days: Vec<DayColumn>,
    range_label: String,
    previous_href: Option<String>,
    next_href: String,
    form: Option<BookingForm>,
    notice: Option<String>,
}

/// Which week and zone a booking page shows, and which slot (if any) is being booked.
struct PageParams {
    zone: Tz,
    from: NaiveDate,
    slot: Option<DateTime<Utc>>,
}

fn page_params(
    ctx: &Ctx,
    target: &PublicEvent,
    pairs: &[(String, String)],
) -> Result<PageParams, AppError> {
    let zone = match field(pairs, "tz").filter(|v| !v.is_empty()) {
        Some(name) => TimeZoneName::parse(name)
            .map_err(|e| AppError::BadRequest(format!("The time zone '{name}' is not known: {e}")))?
            .tz(),
        None => target.host_zone(),
    };
    let today = ctx.now.with_timezone(&zone).date_naive();
    let from = match field(pairs, "from").filter(|v| !v.is_empty()) {
        Some(text) => text
            .parse::<NaiveDate>()
            .map_err(|_| AppError::BadRequest(format!("'{text}' is not a date like 2026-05-04.")))?
            .max(today),
        None => today,
    };
    let slot = match field(pairs, "slot").filter(|v| !v.is_empty()) {
        Some(text) => {
            Some(parse_slot_start(text).map_err(|e| AppError::BadRequest(e.to_string()))?)
        }
        None => None,
    };
    Ok(PageParams { zone, from, slot })
}

async fn render_booking_page(
    ctx: &Ctx,
    target: &PublicEvent,
    params: &PageParams,
    form: Option<BookingForm>,
    notice: Option<String>,
) -> Result<Response, AppError> {
    let zone = params.zone;
    let to = params.from + Days::new(DAYS_PER_PAGE - 1);
    let range = local_dates_to_utc(params.from, to, zone)
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    let availability = target.availability(&ctx.store, range, ctx.now).await?;
    let slots = availability.slots();
    let page_href = format!("/{}/{}", target.host.slug, target.event.slug);
    let days = group_by_local_date(&slots, zone)
        .into_iter()
        .map(|day| DayColumn {
            label: day_label(day.date),
            slots: day
                .slots
                .iter()
                .map(|slot| {
                    let start = slot
                        .start
                        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
                    let query = encode(&[
                        ("tz", zone.name()),
                        ("from", &params.from.to_string()),
                        ("slot", &start),
                    ]);
                    SlotLink {
                        label: clock_label(slot.start, zone),
                        accessible_label: format!(
                            "Book {}",
                            span_label(slot.start, slot.end, zone)
                        ),
                        href: format!("{page_href}?{query}#book"),
                    }
                })
                .collect(),
        })
        .collect();
    let today = ctx.now.with_timezone(&zone).date_naive();
    let week_href = |from: NaiveDate| {
        format!(
            "{page_href}?{}",
            encode(&[("tz", zone.name()), ("from", &from.to_string())])
        )
    };
    let previous_href = (params.from > today)
        .then(|| week_href((params.from - Days::new(DAYS_PER_PAGE)).max(today)));
    let event = &target.event;
    html(BookingPage {
        host_name: target.host.name.clone(),
        title: event.title.clone(),
        description: event.description.clone(),
        duration_minutes: event.duration_minutes,
        location: location_label(&event.location_kind),
        zone: zone.name(),
        zone_names: &chrono_tz::TZ_VARIANTS,
        days,
        range_label: format!("{} – {}", day_label(params.from), day_label(to)),
        previous_href,
        next_href: week_href(params.from + Days::new(DAYS_PER_PAGE)),
        page_href,
        form,
        notice,
    })
}

/// `GET /{host}/{event}`: a week of free times in the invitee's zone; with `slot`, the form.
pub async fn booking_page(
    ctx: &Ctx,
    req: &Request,
    host_slug: &str,
    event_slug: &str,
) -> Result<Response, AppError> {
    let target = PublicEvent::find(&ctx.store, host_slug, event_slug).await?;
    let params = page_params(ctx, &target, &query(req)?)?;
    let (form, notice) = match params.slot {
        None => (None, None),
        Some(start) => {
            let day = local_dates_to_utc(
                start.with_timezone(&params.zone).date_naive(),
                start.with_timezone(&params.zone).date_naive(),
                params.zone,
            )
            .map_err(|e| AppError::BadRequest(e.to_string()))?;
            let availability = target.availability(&ctx.store, day, ctx.now).await?;
            if availability.offers(start) {
                let end = start + chrono::Duration::minutes(target.event.duration_minutes);
                let form = BookingForm {
                    start: start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    when: span_label(start, end, params.zone),
                    name: String::new(),
                    email: String::new(),
                    note: String::new(),
                    idempotency_key: random_hex::<16>(),
                    errors: FieldErrors::default(),
                };
                (Some(form), None)
            } else {
                (
                    None,
                    Some("That time is no longer available. Please pick another.".to_owned()),
                )
            }
        }
    };
    render_booking_page(ctx, &target, &params, form, notice).await
}

/// `POST /{host}/{event}`: books the chosen slot and redirects to the confirmation, or shows
/// the form again with a message next to each field that needs attention.
pub async fn submit_booking(
    ctx: &Ctx,
    req: &mut Request,
    host_slug: &str,
    event_slug: &str,
) -> Result<Response, AppError> {
    let target = PublicEvent::find(&ctx.store, host_slug, event_slug).await?;
    let pairs = form(req).await?;
    let params = page_params(ctx, &target, &pairs)?;
    let value = |name: &str| field(&pairs, name).unwrap_or_default().to_owned();
    let input = BookingInput {
        start: value("slot"),
        name: value("name"),
        email: value("email"),
        time_zone: params.zone.name().to_owned(),
        note: value("note"),
        idempotency_key: value("idempotency_key"),
    };
    let outcome = match input.parse() {
        Ok(request) => create_booking(ctx, &target, &request).await,
        Err(errors) => Err(AppError::InvalidFields(errors)),
    };
    match outcome {
        Ok(booking) => {
            let location = format!("{}/booking/{}", ctx.origin, booking.manage_token);
            let url = worker::Url::parse(&location)
                .map_err(|e| AppError::Internal(format!("confirmation URL: {e}")))?;
            Ok(Response::redirect_with_status(url, 303)?)
        }
        Err(AppError::InvalidFields(errors))
            if params.slot.is_some() && errors.get("start").is_none() =>
        {
            let start = params.slot.expect("checked above");
            let end = start + chrono::Duration::minutes(target.event.duration_minutes);
            let form = BookingForm {
                start: start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                when: span_label(start, end, params.zone),
                name: input.name,
                email: input.email,
                note: input.note,
                idempotency_key: input.idempotency_key,
                errors,
            };
            let response = render_booking_page(ctx, &target, &params, Some(form), None).await?;
            Ok(response.with_status(422))
        }
        Err(AppError::Conflict(message)) => {
            let params = PageParams {
                slot: None,
                ..params
            };
            let response = render_booking_page(ctx, &target, &params, None, Some(message)).await?;
            Ok(response.with_status(409))
        }
        Err(other) => Err(other),
    }
}

#[derive(Template)]
#[template(path = "confirmation.html")]
struct ConfirmationPage {
    title: String,
    host_name: String,
    invitee_name: String,
    invitee_email: String,
    when_invitee: String,
    when_host: Option<String>,
    location: &'static str,
    note: String,
    cancelled: bool,
    /// Offered while the meeting has not started.
    cancel_href: Option<String>,
    /// Offered while the meeting has not started (see `reschedule.rs`).
    reschedule_href: Option<String>,
    /// The booking this one was moved to, once it was.
    moved_to_href: Option<String>,
    book_again_href: String,
    calendar_href: String,
}

/// The booking behind a manage link, with its start and end as instants.
pub(super) async fn booking_by_link(
    ctx: &Ctx,
    token: &str,
) -> Result<(BookingDetailsRow, DateTime<Utc>, DateTime<Utc>), AppError> {
    let not_found = || {
        AppError::NotFound(
            "This booking link is not valid. Check that you copied all of it.".into(),
        )
    };
    if !is_well_formed(token) {
        return Err(not_found());
    }
    let booking = ctx
        .store
        .booking_by_manage_token_hash(&sha256_hex(token))
        .await?
        .ok_or_else(not_found)?;
    let (Some(start), Some(end)) = (
        DateTime::from_timestamp(booking.start_at, 0),
        DateTime::from_timestamp(booking.end_at, 0),
    ) else {
        return Err(AppError::Internal(format!(
            "booking {} has an impossible time",
            booking.id
        )));
    };
    Ok((booking, start, end))
}

/// `GET /booking/{token}/calendar.ics`: the booking as an iCalendar file to add by hand.
pub async fn calendar_file(ctx: &Ctx, token: &str) -> Result<Response, AppError> {
    let (booking, start, end) = booking_by_link(ctx, token).await?;
    let summary = format!("{} with {}", booking.event_title, booking.host_name);
    let url = format!("{}/booking/{token}", ctx.origin);
    let file = ics::write(&ics::Invitation {
        uid: &booking.calendar_uid,
        sequence: u32::try_from(booking.sequence).unwrap_or(0),
        method: ics::Method::Publish,
        stamp: ctx.now,
        start,
        end,
        summary: &summary,
        description: &booking.note,
        location: Some(location_label(&booking.location_kind)),
        url: Some(&url),
        organizer: ics::Person {
            name: &booking.host_name,
            email: &booking.host_email,
        },
        attendee: ics::Person {
            name: &booking.invitee_name,
            email: &booking.invitee_email,
        },
    });
    let mut response = Response::ok(file)?;
    let headers = response.headers_mut();
    headers.set("Content-Type", "text/calendar; charset=utf-8")?;
    headers.set(
        "Content-Disposition",
        "attachment; filename=\"booking.ics\"",
    )?;
    Ok(response)
}

/// `GET /booking/{token}`: the invitee's booking, found by the hash of their link's token.
pub async fn confirmation(ctx: &Ctx, token: &str) -> Result<Response, AppError> {
    let (booking, start, end) = booking_by_link(ctx, token).await?;
    let moved_to_href = super::reschedule::moved_to_url(ctx, &booking).await?;
    let invitee_zone = TimeZoneName::parse(&booking.invitee_time_zone)
        .map(TimeZoneName::tz)
        .unwrap_or(chrono_tz::UTC);
    let host_zone = TimeZoneName::parse(&booking.host_time_zone)
        .map(TimeZoneName::tz)
        .unwrap_or(chrono_tz::UTC);
    html(ConfirmationPage {
        title: booking.event_title,
        host_name: booking.host_name,
        invitee_name: booking.invitee_name,
        invitee_email: booking.invitee_email,
        when_invitee: span_label(start, end, invitee_zone),
        when_host: (host_zone != invitee_zone).then(|| span_label(start, end, host_zone)),
        location: location_label(&booking.location_kind),
        note: booking.note,
        cancel_href: (booking.status == "confirmed" && start > ctx.now)
            .then(|| format!("/booking/{token}/cancel")),
        reschedule_href: (booking.status == "confirmed" && start > ctx.now)
            .then(|| format!("/booking/{token}/reschedule")),
        moved_to_href,
        cancelled: booking.status == "cancelled",
        book_again_href: format!("/{}/{}", booking.host_slug, booking.event_slug),
        calendar_href: format!("/booking/{token}/calendar.ics"),
    })
}
