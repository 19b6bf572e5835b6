//! Rescheduling by the invitee: `GET /booking/{token}/reschedule` lists the event's free times
//! (a week at a time, in the invitee's zone), `?slot=` asks to confirm, `POST` with `slot`
//! moves the booking; `POST /api/v1/bookings/{token}/reschedule` does the same for clients.
//!
//! A move is one D1 batch (`Store::reschedule_booking`): the new booking is inserted only if
//! its time is free of everything but the booking being moved, and only then is the old one
//! cancelled and linked to it (`rescheduled_to` / `rescheduled_from`); if the new time is taken,
//! nothing changes. The new booking keeps the invitee's details and the calendar UID of the
//! chain, with SEQUENCE one higher, and gets its own manage link; its two emails (one to each
//! side, iTIP REQUEST) are queued in the same batch. Links work until the meeting starts.

use askama::Template;
use chrono::{DateTime, Days, Duration, NaiveDate, Utc};
use worker::{Request, Response};

use super::booking::{queue, refusal, taken, zone_or_utc};
use super::cancel::too_late;
use super::public_pages::booking_by_link;
use super::request::page_lang;
use super::request::same_origin;
use super::request::{field, form, json, query};
use super::slots::{Availability, PublicEvent};
use crate::app::AppError;
use crate::app::Ctx;
use crate::core::availability::{group_by_local_date, local_dates_to_utc, Interval};
use crate::core::booking::{parse_slot_start, FieldErrors};
use crate::core::display::rfc3339;
use crate::core::lifecycle::next_sequence;
use crate::core::questions::answers_from_json;
use crate::core::types::TimeZoneName;
use crate::crypto::digest::sha256_hex;
use crate::crypto::random_hex;
use crate::i18n::{default_clock, span_label, time_label, Clock, Lang, Strings};
use crate::mail::render::{self, BookingFacts, PreviousTime, HOST_LANG};
use crate::mail::Kind;
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

/// The booking behind the link, if it can still be moved.
struct Movable {
    booking: BookingDetailsRow,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

/// Why a booking's link can no longer move it, or the booking.
enum Found {
    Movable(Box<Movable>),
    /// Cancelled or moved already: the page to send the invitee to instead.
    Gone(String),
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
    fn read(req: &Request, pairs: &[(String, String)], booked_zone: Tz) -> Result<View, AppError> {
        let accept = req
            .headers()
            .get("Accept-Language")
            .ok()
            .flatten()
            .unwrap_or_default();
        let zone = match field(pairs, "tz").filter(|v| !v.is_empty()) {
            Some(name) => TimeZoneName::parse(name)
                .map_err(|e| {
                    AppError::BadRequest(format!("The time zone '{name}' is not known: {e}"))
                })?
                .tz(),
            None => booked_zone,
        };
        Ok(View {
            lang: Lang::from_accept_language(&accept),
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

/// The manage page of the booking `booking` was moved to, if it was moved.
pub(super) async fn moved_to_url(
    ctx: &Ctx,
    booking: &BookingDetailsRow,
) -> Result<Option<String>, AppError> {
    let Some(next) = &booking.rescheduled_to else {
        return Ok(None);
    };
    let Some(key) = ctx.store.link_key_of(next).await? else {
        return Ok(None);
    };
    let token = ctx
        .config
        .link_key
        .manage_token(&key.host_id, &key.idempotency_key);
    Ok(Some(format!("{}/booking/{token}", ctx.origin)))
}

async fn find(ctx: &Ctx, token: &str, lang: Lang) -> Result<Found, AppError> {
    let (booking, start, end) = booking_by_link(ctx, token).await?;
    if !booking.status.is_confirmed() {
        let url = match moved_to_url(ctx, &booking).await? {
            Some(url) => url,
            None => format!("{}/booking/{token}", ctx.origin),
        };
        return Ok(Found::Gone(url));
    }
    if start <= ctx.now {
        return Err(too_late(&booking, lang));
    }
    Ok(Found::Movable(Box::new(Movable {
        booking,
        start,
        end,
    })))
}

/// The booking's event type, with slots as long as the booking itself: a move keeps the
/// duration the invitee picked, even if the host no longer offers it for new bookings.
async fn target_of(ctx: &Ctx, movable: &Movable) -> Result<PublicEvent, AppError> {
    let booking = &movable.booking;
    let mut target = PublicEvent::find(&ctx.store, &booking.host_slug, &booking.event_slug).await?;
    let minutes = (movable.end - movable.start).num_minutes();
    target.duration_minutes = u32::try_from(minutes)
        .ok()
        .filter(|m| *m > 0)
        .ok_or_else(|| AppError::Internal(format!("booking {} has no length", booking.id)))?;
    Ok(target)
}

/// The availability as if the booking being moved were not there: its own time and its
/// neighbours are free for it (the move's conflict check ignores it too).
fn without(availability: &mut Availability, start: DateTime<Utc>, end: DateTime<Utc>) {
    availability
        .busy
        .retain(|busy| !(busy.start() == start && busy.end() == end));
    if let Some(at) = availability.booked_starts.iter().position(|s| *s == start) {
        availability.booked_starts.remove(at);
    }
}

/// `GET /booking/{token}/reschedule[?from=&slot=]`: free times, or a chosen one to confirm.
pub async fn page(ctx: &Ctx, req: &Request, token: &str) -> Result<Response, AppError> {
    let movable = match find(ctx, token, page_lang(req)).await? {
        Found::Movable(movable) => movable,
        Found::Gone(url) => return redirect(&url),
    };
    let pairs = query(req)?;
    let view = View::read(req, &pairs, zone_or_utc(&movable.booking.invitee_time_zone))?;
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
    let target = target_of(ctx, movable).await?;
    let to = from + Days::new(DAYS_PER_PAGE - 1);
    let range =
        local_dates_to_utc(from, to, zone).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let mut availability = target.availability(ctx, range).await?;
    without(&mut availability, movable.start, movable.end);
    let slots: Vec<_> = availability
        .slots()
        .into_iter()
        .filter(|s| s.start != movable.start)
        .collect();
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
    let view = View::read(req, &pairs, zone_or_utc(&movable.booking.invitee_time_zone))?;
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

fn gone() -> AppError {
    AppError::Conflict(
        "This booking was cancelled or already moved; use the link of the booking it became."
            .into(),
    )
}

/// A booking that now exists in place of the moved one.
struct Moved {
    id: String,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    manage_url: String,
}

/// Moves `movable` to `start`, or says precisely why not (then nothing changed).
async fn move_booking(
    ctx: &Ctx,
    movable: &Movable,
    start: DateTime<Utc>,
) -> Result<Moved, AppError> {
    let old = &movable.booking;
    if start == movable.start {
        return Err(AppError::InvalidFields(FieldErrors::one(
            "start",
            "The booking is already at this time. Pick another time.",
        )));
    }
    let target = target_of(ctx, movable).await?;
    let zone = target.schedule_zone()?;
    let local_day = start.with_timezone(&zone).date_naive();
    let day = local_dates_to_utc(local_day, local_day, zone)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let around = Interval::new(
        day.start() - Duration::days(1),
        day.end() + Duration::days(1),
    )
    .map_err(|e| AppError::Internal(e.to_string()))?;
    let mut availability = target.availability(ctx, around).await?;
    without(&mut availability, movable.start, movable.end);
    if !availability.offers(start) {
        return Err(refusal(&availability, start));
    }
    let rules = &availability.rules;
    let end = start + Duration::minutes(i64::from(rules.duration_minutes()));
    let id = random_hex::<16>();
    let idempotency_key = random_hex::<16>();
    let manage_token = ctx
        .config
        .link_key
        .manage_token(&target.host.id, &idempotency_key);
    let manage_url = format!("{}/booking/{manage_token}", ctx.origin);
    // The emails are queued with a placeholder for the token: D1 never holds it.
    let queued_url = crate::mail::links::queued_manage_url(&ctx.origin);
    let sequence = next_sequence(u32::try_from(old.sequence).unwrap_or(0));
    // The moved booking keeps the language it was booked in, whatever this request's.
    let lang = Lang::from_code(&old.lang).unwrap_or(Lang::En);
    // The event and its meeting move with the booking, so the link stays the same.
    let meeting_url = ctx
        .store
        .meeting_url(&old.id)
        .await?
        .filter(|m| m.state == "created")
        .and_then(|m| m.meeting_url)
        .filter(|url| url.starts_with("https://"));
    // The answers move with the booking, like the name and the note.
    let answers = answers_from_json(&old.answers);
    let facts = BookingFacts {
        calendar_uid: &old.calendar_uid,
        sequence,
        event_title: &target.event.title,
        host_name: &target.host.name,
        host_email: &old.host_email,
        host_zone: target.host_zone(),
        invitee_name: &old.invitee_name,
        invitee_email: &old.invitee_email,
        invitee_zone: zone_or_utc(&old.invitee_time_zone),
        note: &old.note,
        start,
        end,
        location_kind: &target.event.location_kind,
        location_detail: &target.event.location_detail,
        meeting_url: meeting_url.as_deref(),
        manage_url: &queued_url,
        answers: &answers,
        invitee_lang: lang,
        host_lang: HOST_LANG,
    };
    let previous = PreviousTime {
        start: movable.start,
        end: movable.end,
    };
    let emails = [
        queue(
            ctx,
            Kind::InviteeReschedule,
            &render::invitee_reschedule(&facts, previous, ctx.now)?,
        )?,
        queue(
            ctx,
            Kind::HostReschedule,
            &render::host_reschedule(&facts, previous, ctx.now)?,
        )?,
    ];
    let token_hash = sha256_hex(&manage_token);
    let row = crate::store::NewBookingRow {
        id: &id,
        host_id: &target.host.id,
        event_type_id: &target.event.id,
        start_at: start.timestamp(),
        end_at: end.timestamp(),
        blocked_from: start.timestamp() - 60 * i64::from(rules.buffer_before_minutes()),
        blocked_until: end.timestamp() + 60 * i64::from(rules.buffer_after_minutes()),
        daily_cap: rules.max_per_day().map(|cap| {
            (
                i64::from(cap),
                day.start().timestamp(),
                day.end().timestamp(),
            )
        }),
        invitee_name: &old.invitee_name,
        invitee_email: &old.invitee_email,
        invitee_time_zone: &old.invitee_time_zone,
        note: &old.note,
        manage_token_hash: &token_hash,
        idempotency_key: &idempotency_key,
        created_at: ctx.now.timestamp(),
        calendar_uid: &old.calendar_uid,
        sequence: i64::from(sequence),
        answers: &old.answers,
        lang: lang.code(),
    };
    if ctx
        .store
        .reschedule_booking(&old.id, ctx.now.timestamp(), &row, &emails)
        .await?
    {
        // The event moves with the booking; an old one never created is removed instead.
        super::booking::run_calendar_work(ctx, &id).await;
        super::booking::run_calendar_work(ctx, &old.id).await;
        return Ok(Moved {
            id,
            start,
            end,
            manage_url,
        });
    }
    // Nothing changed: say why, from what is true now.
    let (now_row, now_start, _) = booking_by_link_id(ctx, old).await?;
    if !now_row.status.is_confirmed() {
        return Err(gone());
    }
    if now_start <= ctx.now {
        return Err(too_late(&now_row, Lang::En));
    }
    Err(taken())
}

/// The moved booking as it is now, read again by its own link.
async fn booking_by_link_id(
    ctx: &Ctx,
    old: &BookingDetailsRow,
) -> Result<(BookingDetailsRow, DateTime<Utc>, DateTime<Utc>), AppError> {
    let row = ctx
        .store
        .booking_by_id(&old.id)
        .await?
        .ok_or_else(|| AppError::Internal(format!("booking {} vanished", old.id)))?;
    let start = DateTime::from_timestamp(row.start_at, 0).unwrap_or_default();
    let end = DateTime::from_timestamp(row.end_at, 0).unwrap_or_default();
    Ok((row, start, end))
}
