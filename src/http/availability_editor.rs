//! The host's availability in the dashboard: weekly hours per weekday (several ranges a day),
//! the zone they are read in, date overrides, and a preview of the next seven days' slots
//! computed by the same engine the public pages use.
//!
//! Each weekday has an on/off switch and one or more ranges of two time fields (`mon_start`,
//! `mon_end`, repeated per range). Without JavaScript, "Add a range" and "Copy to weekdays" are
//! submit buttons that send the form back with the change made and nothing saved; with it,
//! static/assets/hours.js makes the same changes in the page. A form with a `mon` text field
//! (`09:00-12:00, 13:00-17:00`) is read as before. Either way every range goes through
//! [`LocalRange::parse`] and [`check_day`] ([`WeeklyHours::new`]), so the dashboard, onboarding
//! and the JSON API refuse exactly what the engine would. Saving replaces the whole week in one
//! D1 batch. Every query is scoped by the signed-in host's id; dates and ids from the address
//! only reach such queries.

use super::dashboard_nav::ConnectionAlert;
use askama::Template;
use chrono::{Days, NaiveDate};
use chrono_tz::Tz;
use worker::{Request, Response};

use super::request::capitalised;
use super::request::{field, form, query};
use super::session::{check_form, redirect, require_host, SignedIn};
use crate::app::public_event::PublicEvent;
use crate::app::AppError;
use crate::app::Ctx;
use crate::core::availability::{
    group_by_local_date, local_dates_to_utc, parse_zone, LocalRange, Schedule, WeeklyHours,
};
use crate::core::booking::FieldErrors;
use crate::core::display::{clock_label, day_label};
use crate::core::types::TimeZoneName;
use crate::store::MinuteRange;

/// Form field names of the weekdays, Monday first, and how the page labels them.
const WEEKDAYS: [(&str, &str); 7] = [
    ("mon", "Monday"),
    ("tue", "Tuesday"),
    ("wed", "Wednesday"),
    ("thu", "Thursday"),
    ("fri", "Friday"),
    ("sat", "Saturday"),
    ("sun", "Sunday"),
];

/// At most this many ranges per day: more is a typing accident, and it bounds the D1 batch.
const MAX_RANGES_PER_DAY: usize = 12;

/// How many days the preview shows, starting today in the schedule's zone.
const PREVIEW_DAYS: u64 = 7;

/// One weekday of the hours editor as the host sees it.
pub(super) struct DayEditor {
    /// `mon` … `sun`: the prefix of the day's field names and the id of its message.
    pub(super) field: &'static str,
    pub(super) label: &'static str,
    /// The switch: a day switched off has no hours, whatever its ranges say.
    pub(super) on: bool,
    /// Start and end of each range as `HH:MM` (an end of 24:00 shows as 00:00).
    pub(super) ranges: Vec<(String, String)>,
    pub(super) error: String,
}

/// The weekly hours editor as shown: seven days and the zone they are read in. Shared by the
/// availability page and onboarding (templates/week_editor.html).
pub(super) struct WeekEditor {
    pub(super) days: Vec<DayEditor>,
    pub(super) zone: String,
    pub(super) zone_error: String,
    /// After "add a range" or "copy" without JavaScript: the page says nothing is saved yet.
    pub(super) unsaved: bool,
    pub(super) zone_names: &'static [Tz],
}

/// What a posted weekly hours form asks for.
pub(super) enum WeekSubmit {
    /// Every day passed [`check_day`] and the zone is known: save these.
    Save([Vec<LocalRange>; 7], TimeZoneName),
    /// "Add a range" or "Copy to weekdays" without JavaScript: show the form again, unsaved.
    Edited(WeekEditor),
    /// Something is wrong: show the form again with a message at each day or the zone (422).
    Invalid(WeekEditor),
}

/// The range a day switched on starts with.
const DEFAULT_RANGE: (&str, &str) = ("09:00", "17:00");

fn end_text(minute: i64) -> String {
    // A time field cannot hold 24:00; midnight at the end of a range means the day's end.
    if minute >= 1440 {
        "00:00".to_owned()
    } else {
        hhmm(minute)
    }
}

impl WeekEditor {
    /// The editor showing a stored week (minute ranges, Monday first) in `zone`.
    pub(super) fn stored(week: &[Vec<(i64, i64)>; 7], zone: &str) -> Self {
        let days = WEEKDAYS
            .iter()
            .zip(week)
            .map(|((field, label), ranges)| DayEditor {
                field,
                label,
                on: !ranges.is_empty(),
                ranges: if ranges.is_empty() {
                    vec![(DEFAULT_RANGE.0.to_owned(), DEFAULT_RANGE.1.to_owned())]
                } else {
                    ranges
                        .iter()
                        .map(|(start, end)| (hhmm(*start), end_text(*end)))
                        .collect()
                },
                error: String::new(),
            })
            .collect();
        Self {
            days,
            zone: zone.to_owned(),
            zone_error: String::new(),
            unsaved: false,
            zone_names: &chrono_tz::TZ_VARIANTS,
        }
    }
}

/// The ranges of one day as posted: the `{day}_start` and `{day}_end` values in order.
fn posted_ranges(pairs: &[(String, String)], day: &str) -> Vec<(String, String)> {
    let values = |name: String| -> Vec<String> {
        pairs
            .iter()
            .filter(|(key, _)| *key == name)
            .map(|(_, value)| value.trim().to_owned())
            .collect()
    };
    let (starts, ends) = (values(format!("{day}_start")), values(format!("{day}_end")));
    (0..starts.len().max(ends.len()))
        .map(|i| {
            (
                starts.get(i).cloned().unwrap_or_default(),
                ends.get(i).cloned().unwrap_or_default(),
            )
        })
        .filter(|(start, end)| !start.is_empty() || !end.is_empty())
        .take(MAX_RANGES_PER_DAY + 1)
        .collect()
}

/// One day's typed ranges checked as the engine reads them (`index`: 0 is Monday).
fn check_typed_day(
    index: usize,
    label: &str,
    on: bool,
    rows: &[(String, String)],
) -> Result<Vec<LocalRange>, String> {
    if !on {
        return Ok(Vec::new());
    }
    let mut ranges = Vec::with_capacity(rows.len());
    for (start, end) in rows {
        if start.is_empty() || end.is_empty() {
            return Err(format!(
                "{label}: give each range a start and an end time, or clear both to remove it."
            ));
        }
        let end = if end == "00:00" {
            "24:00"
        } else {
            end.as_str()
        };
        ranges.push(
            LocalRange::parse(start, end)
                .map_err(|e| format!("{label}: {}.", capitalised(e.to_string())))?,
        );
    }
    check_day(index, ranges)
}

/// Reads a posted weekly hours form (the editor's fields, or one text field per day).
pub(super) fn read_week_form(pairs: &[(String, String)]) -> WeekSubmit {
    let structured = field(pairs, "week") == Some("ranges");
    let mut days: Vec<DayEditor> = WEEKDAYS
        .iter()
        .map(|(name, label)| {
            let (on, ranges) = if structured {
                let on = field(pairs, &format!("{name}_on")).is_some_and(|v| !v.is_empty());
                (on, posted_ranges(pairs, name))
            } else {
                let text = field(pairs, name).unwrap_or_default().trim().to_owned();
                let ranges: Vec<(String, String)> = text
                    .split([',', ';'])
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(|piece| match piece.split_once(['-', '–']) {
                        Some((start, end)) => (start.trim().to_owned(), end.trim().to_owned()),
                        None => (piece.to_owned(), String::new()),
                    })
                    .collect();
                (!text.is_empty(), ranges)
            };
            DayEditor {
                field: name,
                label,
                on,
                ranges,
                error: String::new(),
            }
        })
        .collect();
    let zone_text = field(pairs, "schedule_time_zone")
        .unwrap_or_default()
        .trim()
        .to_owned();
    let edit = field(pairs, "edit").and_then(|e| e.split_once(':'));
    let position = |day: &str| WEEKDAYS.iter().position(|(name, _)| *name == day);
    let edited = match edit {
        Some(("add", day)) => position(day).map(|i| {
            if let Some(d) = days.get_mut(i) {
                d.on = true;
                if d.ranges.len() < MAX_RANGES_PER_DAY {
                    d.ranges.push((String::new(), String::new()));
                }
            }
        }),
        Some(("copy", day)) => position(day).map(|from| {
            let (on, ranges) = (days[from].on, days[from].ranges.clone());
            // Monday to Friday: the weekend keeps its own hours.
            for d in days.iter_mut().take(5) {
                d.on = on;
                d.ranges = ranges.clone();
            }
        }),
        _ => None,
    };
    let mut valid: [Vec<LocalRange>; 7] = Default::default();
    let mut wrong = false;
    for (index, day) in days.iter_mut().enumerate() {
        if day.ranges.is_empty() {
            // Nothing typed: the day is off, and offers the usual range should it be switched on.
            day.ranges
                .push((DEFAULT_RANGE.0.to_owned(), DEFAULT_RANGE.1.to_owned()));
            day.on = false;
            continue;
        }
        if edited.is_some() {
            continue;
        }
        match check_typed_day(index, day.label, day.on, &day.ranges) {
            Ok(ranges) => valid[index] = ranges,
            Err(message) => {
                day.error = message;
                wrong = true;
            }
        }
    }
    let mut editor = WeekEditor {
        days,
        zone: zone_text.clone(),
        zone_error: String::new(),
        unsaved: false,
        zone_names: &chrono_tz::TZ_VARIANTS,
    };
    if edited.is_some() {
        editor.unsaved = true;
        return WeekSubmit::Edited(editor);
    }
    match TimeZoneName::parse(&zone_text) {
        Ok(zone) if !wrong => WeekSubmit::Save(valid, zone),
        Ok(_) => WeekSubmit::Invalid(editor),
        Err(e) => {
            editor.zone_error = e.to_string();
            WeekSubmit::Invalid(editor)
        }
    }
}

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
}

fn hhmm(minute: i64) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
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

fn minutes(ranges: &[LocalRange]) -> Vec<MinuteRange> {
    ranges
        .iter()
        .map(|r| MinuteRange {
            start_minute: i64::from(r.start_minute()),
            end_minute: i64::from(r.end_minute()),
        })
        .collect()
}

/// Today in the host's schedule zone.
fn today(ctx: &Ctx, zone: Tz) -> NaiveDate {
    ctx.now.with_timezone(&zone).date_naive()
}

/// The host's stored weekly hours as minute ranges, Monday first.
pub(super) async fn stored_week(
    ctx: &Ctx,
    host_id: &str,
) -> Result<[Vec<(i64, i64)>; 7], AppError> {
    let mut per_day: [Vec<(i64, i64)>; 7] = Default::default();
    for row in ctx.store.weekly_hours(host_id).await? {
        if let Some(day) = usize::try_from(row.weekday)
            .ok()
            .and_then(|d| per_day.get_mut(d))
        {
            day.push((row.start_minute, row.end_minute));
        }
    }
    Ok(per_day)
}

/// The host's date overrides from `from` to `until` (inclusive; `None`: every later one), by
/// date (`YYYY-MM-DD`); a day off has no ranges.
pub(super) async fn overrides_between(
    ctx: &Ctx,
    host_id: &str,
    from: NaiveDate,
    until: Option<NaiveDate>,
) -> Result<Vec<(String, Vec<(i64, i64)>)>, AppError> {
    let until = until.map_or_else(|| "9999-12-31".to_owned(), |d| d.to_string());
    let mut overrides: Vec<(String, Vec<(i64, i64)>)> = Vec::new();
    for row in ctx
        .store
        .date_overrides(host_id, &from.to_string(), &until)
        .await?
    {
        if overrides.last().map(|(date, _)| date.as_str()) != Some(row.local_date.as_str()) {
            overrides.push((row.local_date.clone(), Vec::new()));
        }
        if let (Some((_, ranges)), Some(start), Some(end)) =
            (overrides.last_mut(), row.start_minute, row.end_minute)
        {
            ranges.push((start, end));
        }
    }
    Ok(overrides)
}

/// The zone the host's hours are read in (UTC should the stored name ever be unknown).
pub(super) async fn schedule_zone(ctx: &Ctx, signed_in: &SignedIn) -> Result<Tz, AppError> {
    let host = ctx
        .store
        .host_by_slug(&signed_in.host.slug)
        .await?
        .filter(|h| h.id == signed_in.host.id)
        .ok_or_else(|| AppError::Internal("signed-in host not found by its slug".into()))?;
    Ok(parse_zone(&host.schedule_time_zone).unwrap_or(chrono_tz::UTC))
}

/// One weekday's ranges checked on their own, so every weekday with overlapping ranges gets
/// its own message (`index`: 0 is Monday).
pub(super) fn check_day(index: usize, ranges: Vec<LocalRange>) -> Result<Vec<LocalRange>, String> {
    if ranges.len() > MAX_RANGES_PER_DAY {
        return Err(format!("Use at most {MAX_RANGES_PER_DAY} ranges a day."));
    }
    let mut alone: [Vec<LocalRange>; 7] = Default::default();
    if let Some(day) = alone.get_mut(index) {
        *day = ranges.clone();
    }
    WeeklyHours::new(alone)
        .map(|_| ranges)
        .map_err(|error| capitalised(error.to_string()) + ".")
}

/// Replaces the host's week (each day already passed [`check_day`]) and its zone.
pub(super) async fn store_week(
    ctx: &Ctx,
    host_id: &str,
    zone: &TimeZoneName,
    days: [Vec<LocalRange>; 7],
) -> Result<(), AppError> {
    let weekly = WeeklyHours::new(days).map_err(|e| AppError::Internal(e.to_string()))?;
    let mut stored: [Vec<MinuteRange>; 7] = Default::default();
    let mut weekday = chrono::Weekday::Mon;
    for day in &mut stored {
        *day = minutes(weekly.ranges_on(weekday));
        weekday = weekday.succ();
    }
    ctx.store
        .replace_weekly_hours(host_id, zone.name(), &stored)
        .await?;
    Ok(())
}

/// Why an override cannot be saved, and under which of its fields.
pub(super) enum OverrideProblem {
    /// The date is already past in the schedule's zone.
    PastDate,
    /// The ranges overlap (the engine's own check).
    Hours(String),
}

/// Checks and saves one date's override (no ranges: the day off), as the engine will read it;
/// returns the ranges as saved (in order).
pub(super) async fn store_override(
    ctx: &Ctx,
    host_id: &str,
    zone: Tz,
    date: NaiveDate,
    ranges: Vec<LocalRange>,
) -> Result<Result<Vec<MinuteRange>, OverrideProblem>, AppError> {
    if date < today(ctx, zone) {
        return Ok(Err(OverrideProblem::PastDate));
    }
    if ranges.len() > MAX_RANGES_PER_DAY {
        return Ok(Err(OverrideProblem::Hours(format!(
            "Use at most {MAX_RANGES_PER_DAY} ranges a day."
        ))));
    }
    match Schedule::new(zone, WeeklyHours::default(), vec![(date, ranges)]) {
        Ok(schedule) => {
            let ranges = minutes(schedule.ranges_on(date));
            ctx.store
                .save_date_override(host_id, &date.to_string(), &ranges)
                .await?;
            Ok(Ok(ranges))
        }
        Err(error) => Ok(Err(OverrideProblem::Hours(
            capitalised(error.to_string()) + ".",
        ))),
    }
}

async fn render(
    ctx: &Ctx,
    signed_in: &SignedIn,
    chosen_event: Option<&str>,
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
    let zone = parse_zone(&host.schedule_time_zone).unwrap_or(chrono_tz::UTC);
    let today = today(ctx, zone);

    let week = match typed.week {
        Some(week) => week,
        None => WeekEditor::stored(&stored_week(ctx, host_id).await?, zone.name()),
    };

    let overrides = overrides_between(ctx, host_id, today, None)
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
    if let Some(id) = &chosen_id {
        if let Some(event) = ctx.store.host_event_type(host_id, id).await? {
            preview_title = event.title.clone();
            let target = PublicEvent::new(host, event);
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
    let page = AvailabilityPage {
        week,
        overrides,
        override_date: typed.override_date,
        override_hours: typed.override_hours,
        override_day_off: typed.override_day_off,
        events,
        preview_title,
        preview_zone: zone.name().to_owned(),
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

/// `GET /dashboard/availability[?event={id}]`: the forms and the preview.
pub async fn page(ctx: &Ctx, req: &Request) -> Result<Response, AppError> {
    let signed_in = require_host(ctx, req).await?;
    let pairs = query(req)?;
    render(
        ctx,
        &signed_in,
        field(&pairs, "event"),
        Typed::default(),
        FieldErrors::default(),
    )
    .await
}

/// `POST /dashboard/availability`: replaces the weekly hours and their zone, or shows the
/// form again: with a message per weekday, or with a range added or a day copied (unsaved).
pub async fn save_weekly(ctx: &Ctx, req: &mut Request) -> Result<Response, AppError> {
    let signed_in = require_host(ctx, req).await?;
    let pairs = form(req).await?;
    check_form(ctx, req, &signed_in, &pairs)?;
    let week = match read_week_form(&pairs) {
        WeekSubmit::Save(days, zone) => {
            store_week(ctx, &signed_in.host.id, &zone, days).await?;
            return redirect("/dashboard/availability", 303);
        }
        WeekSubmit::Edited(week) | WeekSubmit::Invalid(week) => week,
    };
    let typed = Typed {
        week: Some(week),
        ..Typed::default()
    };
    render(ctx, &signed_in, None, typed, FieldErrors::default()).await
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
    let zone = schedule_zone(ctx, &signed_in).await?;
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
        match store_override(ctx, &signed_in.host.id, zone, date, ranges).await? {
            Ok(_) => return redirect("/dashboard/availability", 303),
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
    render(ctx, &signed_in, None, typed, errors).await
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
    let not_found = || AppError::NotFound("You have no date override on that date.".into());
    let date = date.parse::<NaiveDate>().map_err(|_| not_found())?;
    if !ctx
        .store
        .delete_date_override(&signed_in.host.id, &date.to_string())
        .await?
    {
        return Err(not_found());
    }
    redirect("/dashboard/availability", 303)
}
