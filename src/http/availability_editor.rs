//! The host's availability in the dashboard: their named schedules (listed, added, renamed,
//! made the default, deleted), and for the schedule chosen with `?schedule={id}` (the default
//! one without it) its weekly hours per weekday (several ranges a day), the zone they are read
//! in and its date overrides; the host-wide limits and time off; and a preview of the next
//! seven days' slots computed by the same engine the public pages use. The schedule's forms
//! carry its id in a hidden `schedule` field, so every form works without JavaScript.
//!
//! The week is edited through the form in `week_form` (shared with onboarding) and saved,
//! like the overrides, through `app::availability`, so the dashboard, onboarding and the JSON
//! API refuse exactly what the engine would. Every query is scoped by the signed-in host's id;
//! dates and ids from the address only reach such queries.

use super::dashboard_nav::ConnectionAlert;
use askama::Template;
use chrono::{Days, NaiveDate, Weekday};
use chrono_tz::Tz;
use worker::{Request, Response};

use super::request::{field, form, query};
use super::session::{check_form, redirect, require_host, SignedIn};
use super::week_form::{hhmm, posted_ranges, read_week_form, WeekEditor, WeekSubmit};
use crate::app::availability::{
    self, no_override, overrides_between, schedule, schedule_name, schedule_zone, set_host_limits,
    store_override, store_week, stored_week, OverrideProblem,
};
use crate::app::public_event::PublicEvent;
use crate::app::time_off;
use crate::app::AppError;
use crate::app::Ctx;
use crate::core::availability::{group_by_local_date, local_dates_to_utc, parse_zone, LocalRange};
use crate::core::booking::FieldErrors;
use crate::core::display::capitalised;
use crate::core::display::{clock_label, day_label};
use crate::core::host_limits::HostLimits;
use crate::core::time_off::TimeOffForm;
use crate::core::types::TimeZoneName;
use crate::i18n::Lang;
use crate::store::ScheduleRow;

/// How many days the preview shows, starting today in the schedule's zone.
const PREVIEW_DAYS: u64 = 7;

struct OverrideItem {
    date: String,
    label: String,
    hours: String,
}

struct EventChoice {
    id: String,
    title: String,
    selected: bool,
}

struct PreviewDay {
    label: String,
    times: Vec<String>,
}

#[derive(Template)]
#[template(path = "availability.html")]
struct AvailabilityPage {
    /// The banner of broken connections every dashboard page shows.
    alerts: Vec<ConnectionAlert>,
    /// The host's schedules, the default first.
    schedules: Vec<ScheduleRow>,
    /// The schedule whose hours and overrides the page edits.
    schedule: ScheduleRow,
    week: WeekEditor,
    overrides: Vec<OverrideItem>,
    override_date: String,
    override_hours: String,
    override_day_off: bool,
    events: Vec<EventChoice>,
    preview_title: String,
    preview_zone: String,
    preview: Vec<PreviewDay>,
    /// A connected calendar could not be read, so no preview can be computed.
    preview_unreadable: bool,
    /// `(value, label, chosen)` of each weekday the host's weeks may start on.
    week_starts: Vec<(u32, &'static str, bool)>,
    /// The host's limits across event types as shown (typed, or as saved).
    host_max_per_day: String,
    host_max_per_week: String,
    time_off: Vec<TimeOffItem>,
    /// The time-off form as typed (empty at first).
    time_off_form: TimeOffForm,
    csrf: String,
    errors: FieldErrors,
}

impl AvailabilityPage {
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }

    /// The override form's two range rows, from what was typed (empty at first).
    fn override_rows(&self) -> Vec<(String, String)> {
        let mut rows: Vec<(String, String)> = self
            .override_hours
            .split([',', ';'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|piece| match piece.split_once(['-', '–']) {
                Some((start, end)) => (
                    start.trim().to_owned(),
                    end.trim().replace("24:00", "00:00"),
                ),
                None => (piece.to_owned(), String::new()),
            })
            .collect();
        while rows.len() < 2 {
            rows.push((String::new(), String::new()));
        }
        rows
    }
}

/// What the host typed (or what is stored) for the parts of the page that are forms.
#[derive(Default)]
struct Typed {
    week: Option<WeekEditor>,
    override_date: String,
    override_hours: String,
    override_day_off: bool,
    time_off: TimeOffForm,
    /// The limits form's two maxima as typed, when they are shown again with an error.
    limits: Option<(String, String)>,
}

/// One span of time off as the page lists it.
struct TimeOffItem {
    id: String,
    /// From when to when, in the schedule's zone.
    label: String,
    note: String,
}

fn ranges_text(ranges: &[(i64, i64)]) -> String {
    ranges
        .iter()
        .map(|(start, end)| format!("{}-{}", hhmm(*start), hhmm(*end)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Parses `09:00-12:00, 13:00-17:00` (en dashes too); an empty text is no ranges.
fn parse_ranges(text: &str) -> Result<Vec<LocalRange>, String> {
    let mut ranges = Vec::new();
    for piece in text
        .split([',', ';'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let (start, end) = piece
            .split_once(['-', '–'])
            .ok_or_else(|| format!("\"{piece}\" is not a range; write it as 09:00-17:00"))?;
        ranges.push(LocalRange::parse(start.trim(), end.trim()).map_err(|e| e.to_string())?);
    }
    Ok(ranges)
}

/// Today in a schedule's zone.
fn today_in(ctx: &Ctx, zone: Tz) -> NaiveDate {
    ctx.now.with_timezone(&zone).date_naive()
}

/// Where a form of `schedule` goes back to: the page of that schedule (the plain address for
/// the default one).
fn page_of(schedule: &ScheduleRow) -> String {
    if schedule.is_default == 1 {
        "/dashboard/availability".to_owned()
    } else {
        format!("/dashboard/availability?schedule={}", schedule.id)
    }
}

/// The host's schedule a form or address names in its `schedule` field (the default one
/// without it).
async fn chosen_schedule(
    ctx: &Ctx,
    signed_in: &SignedIn,
    pairs: &[(String, String)],
) -> Result<ScheduleRow, AppError> {
    let id = field(pairs, "schedule").filter(|id| !id.is_empty());
    schedule(ctx, &signed_in.host.id, id).await
}

async fn render(
    ctx: &Ctx,
    signed_in: &SignedIn,
    chosen_event: Option<&str>,
    schedule: ScheduleRow,
    typed: Typed,
    errors: FieldErrors,
) -> Result<Response, AppError> {
    let host_id = signed_in.host.id.as_str();
    let host = ctx
        .store
        .host_by_slug(&signed_in.host.slug)
        .await?
        .filter(|h| h.id == host_id)
        .ok_or_else(|| AppError::Internal(format!("host {host_id} not found by its slug")))?;
    let zone = parse_zone(&schedule.time_zone).unwrap_or(chrono_tz::UTC);
    // Time off is typed and listed in the default schedule's zone, whichever schedule is shown.
    let host_zone = parse_zone(&host.schedule_time_zone).unwrap_or(chrono_tz::UTC);
    let limits = PublicEvent::limits_of(&host);
    let first = limits.week_starts;
    let today = today_in(ctx, zone);

    let week = match typed.week {
        Some(week) => week,
        None => WeekEditor::stored(&stored_week(ctx, host_id, &schedule.id).await?, zone.name()),
    };

    let overrides = overrides_between(ctx, host_id, &schedule.id, today, None)
        .await?
        .into_iter()
        .map(|(date, ranges)| OverrideItem {
            label: date
                .parse::<NaiveDate>()
                .map(day_label)
                .unwrap_or_else(|_| date.clone()),
            hours: if ranges.is_empty() {
                "Day off".to_owned()
            } else {
                ranges_text(&ranges)
            },
            date,
        })
        .collect();

    let event_rows = ctx.store.host_event_types(host_id).await?;
    let chosen_id = chosen_event
        .filter(|id| event_rows.iter().any(|e| e.id == *id))
        .or_else(|| event_rows.first().map(|e| e.id.as_str()))
        .map(str::to_owned);
    let events = event_rows
        .iter()
        .map(|e| EventChoice {
            id: e.id.clone(),
            title: e.title.clone(),
            selected: chosen_id.as_deref() == Some(e.id.as_str()),
        })
        .collect();
    let (mut preview_title, mut preview) = (String::new(), Vec::new());
    let mut preview_unreadable = false;
    let mut preview_zone = zone;
    if let Some(id) = &chosen_id {
        if let Some(event) = ctx.store.host_event_type(host_id, id).await? {
            preview_title = event.title.clone();
            let target = PublicEvent::new(host, event);
            // The event type's own schedule decides its times, whichever schedule is edited.
            let zone = target.schedule_zone()?;
            preview_zone = zone;
            let today = today_in(ctx, zone);
            let last = today + Days::new(PREVIEW_DAYS - 1);
            let range = local_dates_to_utc(today, last, zone)
                .map_err(|e| AppError::Internal(format!("preview range: {e}")))?;
            // A calendar that cannot be read empties the preview, not the page: the host
            // must still be able to edit their hours (the banner says what broke).
            let slots = match target.availability(ctx, range).await {
                Ok(availability) => availability.slots(),
                Err(AppError::Unavailable(_)) => {
                    preview_unreadable = true;
                    Vec::new()
                }
                Err(other) => return Err(other),
            };
            preview = group_by_local_date(&slots, zone)
                .into_iter()
                .map(|day| PreviewDay {
                    label: day_label(day.date),
                    times: day
                        .slots
                        .iter()
                        .map(|s| clock_label(s.start, zone))
                        .collect(),
                })
                .collect();
        }
    }

    let invalid = week.days.iter().any(|d| !d.error.is_empty()) || !week.zone_error.is_empty();
    // The dashboard is in English; the weekday names are the English pages' own.
    let week_starts = Lang::En
        .strings()
        .weekdays
        .iter()
        .zip(0u32..)
        .map(|(name, days)| (days, *name, days == first.num_days_from_monday()))
        .collect();
    let time_off = time_off::ahead(ctx, host_id)
        .await?
        .into_iter()
        .map(|row| TimeOffItem {
            label: span_label(row.start_at, row.end_at, host_zone),
            id: row.id,
            note: row.note,
        })
        .collect();
    let shown = |max: Option<u32>| max.map(|n| n.to_string()).unwrap_or_default();
    let (host_max_per_day, host_max_per_week) = typed
        .limits
        .unwrap_or_else(|| (shown(limits.max_per_day), shown(limits.max_per_week)));
    let page = AvailabilityPage {
        schedules: availability::schedules(ctx, host_id).await?,
        schedule,
        week_starts,
        host_max_per_day,
        host_max_per_week,
        time_off,
        time_off_form: typed.time_off,
        week,
        overrides,
        override_date: typed.override_date,
        override_hours: typed.override_hours,
        override_day_off: typed.override_day_off,
        events,
        preview_title,
        preview_zone: preview_zone.name().to_owned(),
        preview,
        preview_unreadable,
        alerts: signed_in.connection_alerts(),
        csrf: signed_in.csrf_token().to_owned(),
        errors,
    };
    let status = if page.errors.is_empty() && !invalid {
        200
    } else {
        422
    };
    Ok(Response::from_html(page.render()?)?.with_status(status))
}

/// `GET /dashboard/availability[?schedule={id}][&event={id}]`: the forms and the preview.
pub async fn page(ctx: &Ctx, req: &Request) -> Result<Response, AppError> {
    let signed_in = require_host(ctx, req).await?;
    let pairs = query(req)?;
    let schedule = chosen_schedule(ctx, &signed_in, &pairs).await?;
    render(
        ctx,
        &signed_in,
        field(&pairs, "event"),
        schedule,
        Typed::default(),
        FieldErrors::default(),
    )
    .await
}

/// What a schedule's own buttons ask for.
pub enum ScheduleChange {
    /// `POST /dashboard/schedules/{id}` with `name`.
    Rename,
    /// `POST /dashboard/schedules/{id}/default`.
    MakeDefault,
    /// `POST /dashboard/schedules/{id}/delete` (refused for the default or one in use).
    Delete,
}

/// The page again with `message` under `field`, for a schedule form that was refused.
async fn refused(
    ctx: &Ctx,
    signed_in: &SignedIn,
    schedule: ScheduleRow,
    field: &'static str,
    message: String,
) -> Result<Response, AppError> {
    let errors = FieldErrors::one(field, message);
    render(ctx, signed_in, None, schedule, Typed::default(), errors).await
}

/// `POST /dashboard/schedules`: adds a schedule from its `schedule_name` and `schedule_zone`
/// and shows it, to be given hours.
pub async fn add_schedule(ctx: &Ctx, req: &mut Request) -> Result<Response, AppError> {
    let signed_in = require_host(ctx, req).await?;
    let pairs = form(req).await?;
    check_form(ctx, req, &signed_in, &pairs)?;
    let host_id = signed_in.host.id.as_str();
    let name = schedule_name(field(&pairs, "schedule_name").unwrap_or_default());
    let zone = TimeZoneName::parse(field(&pairs, "schedule_zone").unwrap_or_default().trim());
    let (name, zone) = match (name, zone) {
        (Ok(name), Ok(zone)) => (name, zone),
        (Err(message), _) => {
            let current = schedule(ctx, host_id, None).await?;
            return refused(ctx, &signed_in, current, "new_schedule_name", message).await;
        }
        (_, Err(error)) => {
            let current = schedule(ctx, host_id, None).await?;
            return refused(ctx, &signed_in, current, "schedule_zone", error.to_string()).await;
        }
    };
    match availability::create_schedule(ctx, host_id, name, &zone).await {
        Ok(id) => redirect(&format!("/dashboard/availability?schedule={id}"), 303),
        Err(AppError::Conflict(message)) => {
            let current = schedule(ctx, host_id, None).await?;
            refused(ctx, &signed_in, current, "new_schedule_name", message).await
        }
        Err(other) => Err(other),
    }
}

/// `POST /dashboard/schedules/{id}[/default|/delete]`: renames the schedule, makes it the
/// default, or deletes it; a refusal (a taken name, the default, one in use) is shown on the
/// schedule's page.
pub async fn change_schedule(
    ctx: &Ctx,
    req: &mut Request,
    id: &str,
    change: ScheduleChange,
) -> Result<Response, AppError> {
    let signed_in = require_host(ctx, req).await?;
    let pairs = form(req).await?;
    check_form(ctx, req, &signed_in, &pairs)?;
    let host_id = signed_in.host.id.as_str();
    let row = schedule(ctx, host_id, Some(id)).await?;
    let done = match change {
        ScheduleChange::Rename => {
            match schedule_name(field(&pairs, "schedule_name").unwrap_or_default()) {
                Ok(name) => availability::rename_schedule(ctx, host_id, id, name).await,
                Err(message) => Err(AppError::Conflict(message)),
            }
        }
        ScheduleChange::MakeDefault => availability::make_default(ctx, host_id, id).await,
        ScheduleChange::Delete => availability::delete_schedule(ctx, host_id, id).await,
    };
    match (done, change) {
        (Ok(()), ScheduleChange::Delete) => redirect("/dashboard/availability", 303),
        (Ok(()), _) => redirect(&format!("/dashboard/availability?schedule={id}"), 303),
        (Err(AppError::Conflict(message)), _) => {
            refused(ctx, &signed_in, row, "schedule_name", message).await
        }
        (Err(other), _) => Err(other),
    }
}

/// `POST /dashboard/availability`: replaces the weekly hours and their zone, or shows the
/// form again: with a message per weekday, or with a range added or a day copied (unsaved).
pub async fn save_weekly(ctx: &Ctx, req: &mut Request) -> Result<Response, AppError> {
    let signed_in = require_host(ctx, req).await?;
    let pairs = form(req).await?;
    check_form(ctx, req, &signed_in, &pairs)?;
    let schedule = chosen_schedule(ctx, &signed_in, &pairs).await?;
    let week = match read_week_form(&pairs) {
        WeekSubmit::Save(days, zone) => {
            store_week(ctx, &signed_in.host.id, &schedule.id, &zone, days).await?;
            return redirect(&page_of(&schedule), 303);
        }
        WeekSubmit::Edited(week) | WeekSubmit::Invalid(week) => week,
    };
    let typed = Typed {
        week: Some(week),
        ..Typed::default()
    };
    render(
        ctx,
        &signed_in,
        None,
        schedule,
        typed,
        FieldErrors::default(),
    )
    .await
}

/// "Mon 5 Jul 09:00 – Fri 9 Jul 24:00" in `zone`: a span of time off as the host reads it.
fn span_label(start_at: i64, end_at: i64, zone: Tz) -> String {
    let point = |at: i64, end: bool| {
        let Some(instant) = chrono::DateTime::from_timestamp(at, 0) else {
            return String::new();
        };
        let local = instant.with_timezone(&zone);
        // An end at midnight is the end of the day before, as the form took it.
        if end && local.time() == chrono::NaiveTime::MIN {
            let day = local.date_naive().pred_opt().unwrap_or(local.date_naive());
            return format!("{} 24:00", day_label(day));
        }
        format!(
            "{} {}",
            day_label(local.date_naive()),
            clock_label(instant, zone)
        )
    };
    format!("{} – {}", point(start_at, false), point(end_at, true))
}

/// `POST /dashboard/availability/time-off`: adds a span in which nothing is offered.
pub async fn add_time_off(ctx: &Ctx, req: &mut Request) -> Result<Response, AppError> {
    let signed_in = require_host(ctx, req).await?;
    let pairs = form(req).await?;
    check_form(ctx, req, &signed_in, &pairs)?;
    let value = |name: &str| field(&pairs, name).unwrap_or_default().to_owned();
    let typed = TimeOffForm {
        start_date: value("time_off_start_date"),
        start_time: value("time_off_start_time"),
        end_date: value("time_off_end_date"),
        end_time: value("time_off_end_time"),
        note: value("time_off_note"),
    };
    let zone = schedule_zone(ctx, &signed_in.host).await?;
    match typed.parse(zone, ctx.now) {
        Ok(off) => {
            time_off::add(ctx, &signed_in.host.id, off).await?;
            redirect("/dashboard/availability", 303)
        }
        Err(errors) => {
            let mut named = FieldErrors::default();
            for (field, message) in errors.iter() {
                let field = match field {
                    "start_date" => "time_off_start_date",
                    "end_date" => "time_off_end_date",
                    _ => "time_off_note",
                };
                named.push(field, message);
            }
            let typed = Typed {
                time_off: typed,
                ..Typed::default()
            };
            let default = schedule(ctx, &signed_in.host.id, None).await?;
            render(ctx, &signed_in, None, default, typed, named).await
        }
    }
}

/// `POST /dashboard/availability/time-off/{id}/delete`.
pub async fn delete_time_off(ctx: &Ctx, req: &mut Request, id: &str) -> Result<Response, AppError> {
    let signed_in = require_host(ctx, req).await?;
    let pairs = form(req).await?;
    check_form(ctx, req, &signed_in, &pairs)?;
    time_off::remove(ctx, &signed_in.host.id, id).await?;
    redirect("/dashboard/availability", 303)
}

/// `POST /dashboard/availability/limits`: the weekday weekly limits count from and the host's
/// limits across event types; a wrong maximum is shown again under its field.
pub async fn save_limits(ctx: &Ctx, req: &mut Request) -> Result<Response, AppError> {
    let signed_in = require_host(ctx, req).await?;
    let pairs = form(req).await?;
    check_form(ctx, req, &signed_in, &pairs)?;
    let first = field(&pairs, "week_start")
        .and_then(|value| value.parse::<u8>().ok())
        .and_then(|days| Weekday::try_from(days).ok())
        .ok_or_else(|| AppError::BadRequest("Choose the weekday your weeks start on.".into()))?;
    let value = |name: &str| field(&pairs, name).unwrap_or_default().to_owned();
    let (day, week) = (value("host_max_per_day"), value("host_max_per_week"));
    let mut errors = FieldErrors::default();
    let mut max = |field: &'static str, raw: &str| {
        HostLimits::parse_max(raw)
            .map_err(|message| errors.push(field, message))
            .ok()
    };
    let (max_per_day, max_per_week) = (
        max("host_max_per_day", &day),
        max("host_max_per_week", &week),
    );
    let (Some(max_per_day), Some(max_per_week)) = (max_per_day, max_per_week) else {
        let typed = Typed {
            limits: Some((day, week)),
            ..Typed::default()
        };
        let default = schedule(ctx, &signed_in.host.id, None).await?;
        return render(ctx, &signed_in, None, default, typed, errors).await;
    };
    let limits = HostLimits {
        week_starts: first,
        max_per_day,
        max_per_week,
    };
    set_host_limits(ctx, &signed_in.host.id, &limits).await?;
    redirect("/dashboard/availability", 303)
}

/// `POST /dashboard/availability/overrides`: sets one date's hours, or takes the day off.
pub async fn save_override(ctx: &Ctx, req: &mut Request) -> Result<Response, AppError> {
    let signed_in = require_host(ctx, req).await?;
    let pairs = form(req).await?;
    check_form(ctx, req, &signed_in, &pairs)?;
    let date_text = field(&pairs, "override_date")
        .unwrap_or_default()
        .trim()
        .to_owned();
    // The time fields (`override_start`/`override_end`, per range), or the older text field.
    let hours_text = match field(&pairs, "override_hours").map(str::trim) {
        Some(text) if !text.is_empty() => text.to_owned(),
        _ => posted_ranges(&pairs, "override")
            .iter()
            .map(|(start, end)| {
                let end = if end == "00:00" {
                    "24:00"
                } else {
                    end.as_str()
                };
                format!("{start}-{end}")
            })
            .collect::<Vec<_>>()
            .join(", "),
    };
    let day_off = field(&pairs, "override_day_off").is_some_and(|v| !v.is_empty());
    let schedule = chosen_schedule(ctx, &signed_in, &pairs).await?;
    let zone = parse_zone(&schedule.time_zone).unwrap_or(chrono_tz::UTC);
    let mut errors = FieldErrors::default();
    let date = match date_text.parse::<NaiveDate>() {
        Ok(date) => Some(date),
        Err(_) => {
            errors.push("override_date", "Enter a date as YYYY-MM-DD.");
            None
        }
    };
    let ranges = if day_off {
        Some(Vec::new())
    } else if hours_text.is_empty() {
        errors.push(
            "override_hours",
            "Enter the hours for this date, such as 10:00-14:00, or tick \"Day off\".",
        );
        None
    } else {
        match parse_ranges(&hours_text) {
            Ok(ranges) => Some(ranges),
            Err(message) => {
                errors.push("override_hours", capitalised(message));
                None
            }
        }
    };
    if let (Some(date), Some(ranges)) = (date, ranges) {
        match store_override(ctx, &signed_in.host.id, &schedule.id, zone, date, ranges).await? {
            Ok(_) => return redirect(&page_of(&schedule), 303),
            Err(OverrideProblem::PastDate) => {
                errors.push("override_date", "Choose today or a later date.")
            }
            Err(OverrideProblem::Hours(message)) => errors.push("override_hours", message),
        }
    }
    let typed = Typed {
        override_date: date_text,
        override_hours: hours_text,
        override_day_off: day_off,
        ..Typed::default()
    };
    render(ctx, &signed_in, None, schedule, typed, errors).await
}

/// `POST /dashboard/availability/overrides/{date}/delete`: back to the weekly hours that day.
pub async fn delete_override(
    ctx: &Ctx,
    req: &mut Request,
    date: &str,
) -> Result<Response, AppError> {
    let signed_in = require_host(ctx, req).await?;
    let pairs = form(req).await?;
    check_form(ctx, req, &signed_in, &pairs)?;
    let schedule = chosen_schedule(ctx, &signed_in, &pairs).await?;
    let date = date.parse::<NaiveDate>().map_err(|_| no_override())?;
    availability::delete_override(ctx, &signed_in.host.id, &schedule.id, date).await?;
    redirect(&page_of(&schedule), 303)
}
