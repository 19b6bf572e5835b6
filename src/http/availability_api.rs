//! The host's availability in the JSON API: `/api/v1/availability` (the default schedule's
//! weekly hours and the zone they are read in, with the date overrides to come) and
//! `/api/v1/availability/overrides/{date}`; and the named schedules, `/api/v1/schedules[/{id}]`
//! and `/api/v1/schedules/{id}/overrides/{date}`, each read and saved the same way.
//!
//! Ranges travel as `{"start": "09:00", "end": "17:00"}`, the wire form of [`LocalRange`], and
//! are checked by the dashboard's own rules ([`check_day`], [`store_override`]), so the API
//! refuses exactly what the editor refuses, with a message under the weekday's name. Reads
//! accept the session cookie; writes only a token ([`ApiAccess::Write`]).

use chrono::{NaiveDate, Weekday};
use chrono_tz::Tz;
use serde_json::{json, Map, Value};
use worker::{Env, Request, Response};

use super::request::{object, UNKNOWN};
use super::session::authorize;
use super::session::{ApiAccess, SignedIn};
use crate::app::availability::{
    self, check_day, host_limits, no_override, overrides_between, schedule, schedule_name,
    set_host_limits, store_override, store_week, stored_week, OverrideProblem,
};
use crate::app::AppError;
use crate::app::Ctx;
use crate::core::availability::{parse_zone, LocalRange};
use crate::core::booking::FieldErrors;
use crate::core::display::capitalised;
use crate::core::host_limits::{HostLimits, MOST_PER_PERIOD};
use crate::core::types::TimeZoneName;
use crate::store::ScheduleRow;

/// The weekdays as the API names them, Monday first (the order the store keeps them in).
const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// Stored minute ranges as ranges again (a stored range is always a valid one).
fn local_ranges(stored: &[(i64, i64)]) -> Vec<LocalRange> {
    stored
        .iter()
        .filter_map(|(start, end)| {
            LocalRange::new(u16::try_from(*start).ok()?, u16::try_from(*end).ok()?).ok()
        })
        .collect()
}

/// Stored minute ranges in their wire form.
fn ranges_json(stored: &[(i64, i64)]) -> Value {
    json!(local_ranges(stored))
}

/// Reads `[{"start", "end"}, …]`; the message says what is wrong with it.
fn parse_ranges(value: &Value) -> Result<Vec<LocalRange>, String> {
    let Value::Array(items) = value else {
        return Err(
            "Use a list of ranges such as [{\"start\": \"09:00\", \"end\": \"17:00\"}] (an \
             empty list: no hours)."
                .into(),
        );
    };
    items
        .iter()
        .map(|item| {
            let object = item
                .as_object()
                .filter(|o| o.len() == 2)
                .ok_or("Write each range as {\"start\": \"09:00\", \"end\": \"17:00\"}.")?;
            match (object.get("start"), object.get("end")) {
                (Some(Value::String(start)), Some(Value::String(end))) => {
                    LocalRange::parse(start, end).map_err(|e| capitalised(e.to_string()) + ".")
                }
                _ => Err("Write each range as {\"start\": \"09:00\", \"end\": \"17:00\"}.".into()),
            }
        })
        .collect()
}

/// The zone a schedule's hours are read in (UTC should the stored name ever be unknown).
fn zone_of(schedule: &ScheduleRow) -> Tz {
    parse_zone(&schedule.time_zone).unwrap_or(chrono_tz::UTC)
}

/// A schedule as the list shows it.
fn schedule_summary(row: &ScheduleRow) -> Value {
    json!({
        "id": row.id,
        "name": row.name,
        "time_zone": row.time_zone,
        "is_default": row.is_default == 1,
        "event_types": row.in_use,
    })
}

/// A schedule in full: its summary with its week and the overrides from today on.
async fn schedule_json(
    ctx: &Ctx,
    signed_in: &SignedIn,
    row: &ScheduleRow,
) -> Result<Value, AppError> {
    let mut value = availability_json(ctx, signed_in, row).await?;
    if let (Value::Object(map), Value::Object(summary)) = (&mut value, schedule_summary(row)) {
        map.extend(summary);
    }
    Ok(value)
}

async fn availability_json(
    ctx: &Ctx,
    signed_in: &SignedIn,
    schedule: &ScheduleRow,
) -> Result<Value, AppError> {
    let host_id = signed_in.host.id.as_str();
    let zone = zone_of(schedule);
    let week = stored_week(ctx, host_id, &schedule.id).await?;
    let weekly: Map<String, Value> = WEEKDAYS
        .iter()
        .zip(&week)
        .map(|(day, ranges)| ((*day).to_owned(), ranges_json(ranges)))
        .collect();
    let today = ctx.now.with_timezone(&zone).date_naive();
    let overrides: Vec<Value> = overrides_between(ctx, host_id, &schedule.id, today, None)
        .await?
        .iter()
        .map(|(date, ranges)| override_json(date, ranges))
        .collect();
    let limits = host_limits(ctx, &signed_in.host).await?;
    Ok(json!({
        "time_zone": zone.name(),
        "week_starts_on": WEEKDAYS[limits.week_starts.num_days_from_monday() as usize],
        "max_per_day": limits.max_per_day,
        "max_per_week": limits.max_per_week,
        "weekly_hours": weekly,
        "overrides": overrides,
    }))
}

fn override_json(date: &str, ranges: &[(i64, i64)]) -> Value {
    json!({ "date": date, "day_off": ranges.is_empty(), "ranges": ranges_json(ranges) })
}

/// `GET /api/v1/availability`: the default schedule's week, its zone, and the overrides from
/// today on.
pub async fn get(ctx: &Ctx, env: &Env, req: &Request) -> Result<Response, AppError> {
    let signed_in = authorize(ctx, env, req, ApiAccess::Read).await?;
    let row = schedule(ctx, &signed_in.host.id, None).await?;
    Ok(Response::from_json(
        &availability_json(ctx, &signed_in, &row).await?,
    )?)
}

/// `GET /api/v1/schedules`: the host's schedules, the default first.
pub async fn list_schedules(ctx: &Ctx, env: &Env, req: &Request) -> Result<Response, AppError> {
    let signed_in = authorize(ctx, env, req, ApiAccess::Read).await?;
    let items: Vec<Value> = availability::schedules(ctx, &signed_in.host.id)
        .await?
        .iter()
        .map(schedule_summary)
        .collect();
    Ok(Response::from_json(&json!({ "schedules": items }))?)
}

/// `GET /api/v1/schedules/{id}`: one schedule with its week and overrides.
pub async fn get_schedule(
    ctx: &Ctx,
    env: &Env,
    req: &Request,
    id: &str,
) -> Result<Response, AppError> {
    let signed_in = authorize(ctx, env, req, ApiAccess::Read).await?;
    let row = schedule(ctx, &signed_in.host.id, Some(id)).await?;
    Ok(Response::from_json(
        &schedule_json(ctx, &signed_in, &row).await?,
    )?)
}

/// The `name` of a schedule's body, checked; `None` when it is not sent.
fn name_of(body: &Map<String, Value>, errors: &mut FieldErrors) -> Option<String> {
    let value = body.get("name")?;
    let checked = match value {
        Value::String(text) => schedule_name(text).map(str::to_owned),
        _ => Err("Send the name as a string.".to_owned()),
    };
    checked.map_err(|message| errors.push("name", message)).ok()
}

/// `POST /api/v1/schedules`: adds a schedule from its `name` and `time_zone` (and, if sent,
/// its `weekly_hours`: none otherwise), not the default (201 with it).
pub async fn create_schedule(
    ctx: &Ctx,
    env: &Env,
    req: &mut Request,
) -> Result<Response, AppError> {
    let signed_in = authorize(ctx, env, req, ApiAccess::Write).await?;
    let mut body = object(req).await?;
    let mut errors = FieldErrors::default();
    let name = name_of(&body, &mut errors);
    if name.is_none() && errors.is_empty() {
        errors.push("name", "Send the schedule's name.");
    }
    let zone = match body.get("time_zone").and_then(Value::as_str) {
        Some(text) => TimeZoneName::parse(text.trim())
            .map_err(|e| errors.push("time_zone", e.to_string()))
            .ok(),
        None => {
            errors.push("time_zone", "Send the zone the hours are read in.");
            None
        }
    };
    let mut days: [Vec<LocalRange>; 7] = Default::default();
    for (key, value) in &body {
        match key.as_str() {
            "weekly_hours" => read_week(value, &mut days, &mut errors),
            "name" | "time_zone" => {}
            _ => errors.push("unknown_field", UNKNOWN),
        }
    }
    let (Some(name), Some(zone), true) = (name, zone, errors.is_empty()) else {
        return Err(AppError::InvalidFields(errors));
    };
    let host_id = signed_in.host.id.as_str();
    let id = availability::create_schedule(ctx, host_id, &name, &zone).await?;
    if body.remove("weekly_hours").is_some() {
        store_week(ctx, host_id, &id, &zone, days).await?;
    }
    let row = schedule(ctx, host_id, Some(&id)).await?;
    Ok(Response::from_json(&schedule_json(ctx, &signed_in, &row).await?)?.with_status(201))
}

/// `PATCH /api/v1/schedules/{id}`: changes what is sent of the name, the zone, the weekly
/// hours and the host's limits, and with `"is_default": true` makes it the default.
pub async fn patch_schedule(
    ctx: &Ctx,
    env: &Env,
    req: &mut Request,
    id: &str,
) -> Result<Response, AppError> {
    let signed_in = authorize(ctx, env, req, ApiAccess::Write).await?;
    let mut body = object(req).await?;
    let host_id = signed_in.host.id.as_str();
    let row = schedule(ctx, host_id, Some(id)).await?;
    let mut errors = FieldErrors::default();
    let name = name_of(&body, &mut errors);
    body.remove("name");
    let make_default = match body.remove("is_default") {
        None => false,
        Some(Value::Bool(true)) => true,
        Some(Value::Bool(false)) if row.is_default == 1 => {
            errors.push("is_default", "Make another schedule the default instead.");
            false
        }
        Some(Value::Bool(false)) => false,
        Some(_) => {
            errors.push("is_default", "Use true or false.");
            false
        }
    };
    // Read-only parts of a GET's answer, so it can be sent back as it is.
    body.remove("id");
    body.remove("event_types");
    save_body(ctx, &signed_in, &body, false, &row, errors).await?;
    if let Some(name) = name {
        availability::rename_schedule(ctx, host_id, id, &name).await?;
    }
    if make_default {
        availability::make_default(ctx, host_id, id).await?;
    }
    let row = schedule(ctx, host_id, Some(id)).await?;
    Ok(Response::from_json(
        &schedule_json(ctx, &signed_in, &row).await?,
    )?)
}

/// `DELETE /api/v1/schedules/{id}`: 204; 409 for the default schedule or one in use.
pub async fn delete_schedule(
    ctx: &Ctx,
    env: &Env,
    req: &Request,
    id: &str,
) -> Result<Response, AppError> {
    let signed_in = authorize(ctx, env, req, ApiAccess::Write).await?;
    availability::delete_schedule(ctx, &signed_in.host.id, id).await?;
    Ok(Response::empty()?.with_status(204))
}

/// `PUT /api/v1/availability` replaces the default schedule's week (a weekday left out has no
/// hours) and needs the zone; `PATCH` changes the weekdays and zone sent and keeps the rest.
/// Either way the whole week is checked and saved in one batch.
pub async fn save(
    ctx: &Ctx,
    env: &Env,
    req: &mut Request,
    replace: bool,
) -> Result<Response, AppError> {
    let signed_in = authorize(ctx, env, req, ApiAccess::Write).await?;
    let body = object(req).await?;
    let row = schedule(ctx, &signed_in.host.id, None).await?;
    let zone = save_body(
        ctx,
        &signed_in,
        &body,
        replace,
        &row,
        FieldErrors::default(),
    )
    .await?;
    let row = ScheduleRow {
        time_zone: zone.name().to_owned(),
        ..row
    };
    Ok(Response::from_json(
        &availability_json(ctx, &signed_in, &row).await?,
    )?)
}

/// Checks `body` (the week, its zone and the host's limits) on top of `errors` already found,
/// and saves it over `schedule`; returns the zone saved.
async fn save_body(
    ctx: &Ctx,
    signed_in: &SignedIn,
    body: &Map<String, Value>,
    replace: bool,
    schedule: &ScheduleRow,
    mut errors: FieldErrors,
) -> Result<TimeZoneName, AppError> {
    let host_id = signed_in.host.id.as_str();
    let mut days: [Vec<LocalRange>; 7] = Default::default();
    if !replace {
        for (day, stored) in days
            .iter_mut()
            .zip(stored_week(ctx, host_id, &schedule.id).await?)
        {
            *day = local_ranges(&stored);
        }
    }
    let mut zone_text = None;
    let mut first_weekday = None;
    let (mut max_per_day, mut max_per_week) = (None, None);
    for (key, value) in body {
        match key.as_str() {
            "week_starts_on" => match value
                .as_str()
                .and_then(|name| WEEKDAYS.iter().position(|d| *d == name))
                .and_then(|index| u8::try_from(index).ok())
                .and_then(|index| Weekday::try_from(index).ok())
            {
                Some(first) => first_weekday = Some(first),
                None => errors.push(
                    "week_starts_on",
                    "Use a weekday: monday, tuesday, wednesday, thursday, friday, saturday or \
                     sunday.",
                ),
            },
            "max_per_day" => max_per_day = limit_of(value, "max_per_day", &mut errors),
            "max_per_week" => max_per_week = limit_of(value, "max_per_week", &mut errors),
            "time_zone" => match value {
                Value::String(name) => zone_text = Some(name.trim().to_owned()),
                _ => errors.push("time_zone", "Use an IANA zone name such as Europe/Berlin."),
            },
            "weekly_hours" => read_week(value, &mut days, &mut errors),
            // Read-only part of a GET's answer, so it can be sent back as it is.
            "overrides" => {}
            _ => errors.push("unknown_field", UNKNOWN),
        }
    }
    if replace && !body.contains_key("weekly_hours") {
        errors.push(
            "weekly_hours",
            "Send the week's hours (a weekday left out has none).",
        );
    }
    let zone = match zone_text {
        Some(text) => TimeZoneName::parse(&text)
            .map_err(|e| errors.push("time_zone", e.to_string()))
            .ok(),
        None if replace => {
            errors.push("time_zone", "Send the zone the hours are read in.");
            None
        }
        None => Some(TimeZoneName::from(zone_of(schedule))),
    };
    let (Some(zone), true) = (zone, errors.is_empty()) else {
        return Err(AppError::InvalidFields(errors));
    };
    store_week(ctx, host_id, &schedule.id, &zone, days).await?;
    if first_weekday.is_some() || max_per_day.is_some() || max_per_week.is_some() {
        let stored = host_limits(ctx, &signed_in.host).await?;
        let limits = HostLimits {
            week_starts: first_weekday.unwrap_or(stored.week_starts),
            max_per_day: max_per_day.unwrap_or(stored.max_per_day),
            max_per_week: max_per_week.unwrap_or(stored.max_per_week),
        };
        set_host_limits(ctx, host_id, &limits).await?;
    }
    Ok(zone)
}

/// A host's limit as sent: a whole number from 1 to [`MOST_PER_PERIOD`], or `null` for none
/// (`Some(None)`); `None` when it is wrong (the message is under `field`).
fn limit_of(value: &Value, field: &'static str, errors: &mut FieldErrors) -> Option<Option<u32>> {
    let parsed = match value {
        Value::Null => Ok(None),
        Value::Number(n) => HostLimits::parse_max(&n.to_string()),
        _ => Err(format!(
            "Give a whole number from 1 to {MOST_PER_PERIOD}, or null for no limit."
        )),
    };
    parsed.map_err(|message| errors.push(field, message)).ok()
}

/// Lays `{"monday": [...], …}` over `days`, one message per weekday that is wrong.
fn read_week(value: &Value, days: &mut [Vec<LocalRange>; 7], errors: &mut FieldErrors) {
    let Value::Object(week) = value else {
        errors.push(
            "weekly_hours",
            "Use an object with a list of ranges per weekday, e.g. {\"monday\": [{\"start\": \
             \"09:00\", \"end\": \"17:00\"}]}.",
        );
        return;
    };
    for (key, ranges) in week {
        let Some(index) = WEEKDAYS.iter().position(|d| d == key) else {
            errors.push(
                "weekly_hours",
                "Name the weekdays monday, tuesday, wednesday, thursday, friday, saturday and \
                 sunday.",
            );
            continue;
        };
        match parse_ranges(ranges).and_then(|r| check_day(index, r)) {
            Ok(ranges) => days[index] = ranges,
            Err(message) => errors.push(WEEKDAYS[index], message),
        }
    }
}

/// `GET /api/v1/availability/overrides/{date}` (the default schedule's) and
/// `GET /api/v1/schedules/{id}/overrides/{date}` (schedule `id`'s).
pub async fn get_override(
    ctx: &Ctx,
    env: &Env,
    req: &Request,
    schedule_id: Option<&str>,
    date: &str,
) -> Result<Response, AppError> {
    let signed_in = authorize(ctx, env, req, ApiAccess::Read).await?;
    let row = schedule(ctx, &signed_in.host.id, schedule_id).await?;
    let date = date.parse::<NaiveDate>().map_err(|_| no_override())?;
    let found = overrides_between(ctx, &signed_in.host.id, &row.id, date, Some(date))
        .await?
        .into_iter()
        .next()
        .ok_or_else(no_override)?;
    Ok(Response::from_json(&override_json(&found.0, &found.1))?)
}

/// `PUT /api/v1/availability/overrides/{date}` (or a schedule's): that date's hours instead of
/// the weekday's (`"ranges": []` or `"day_off": true` takes the day off).
pub async fn put_override(
    ctx: &Ctx,
    env: &Env,
    req: &mut Request,
    schedule_id: Option<&str>,
    date: &str,
) -> Result<Response, AppError> {
    let signed_in = authorize(ctx, env, req, ApiAccess::Write).await?;
    let row = schedule(ctx, &signed_in.host.id, schedule_id).await?;
    let body = object(req).await?;
    let mut errors = FieldErrors::default();
    let date = date
        .parse::<NaiveDate>()
        .map_err(|_| errors.push("date", "Write the date in the address as YYYY-MM-DD."))
        .ok();
    let mut ranges = None;
    let mut day_off = None;
    for (key, value) in &body {
        match (key.as_str(), value) {
            ("ranges", value) => match parse_ranges(value) {
                Ok(parsed) => ranges = Some(parsed),
                Err(message) => errors.push("ranges", message),
            },
            ("day_off", Value::Bool(b)) => day_off = Some(*b),
            ("day_off", _) => errors.push("day_off", "Use true or false."),
            // Read-only part of a GET's answer, so it can be sent back as it is.
            ("date", _) => {}
            _ => errors.push("unknown_field", UNKNOWN),
        }
    }
    let ranges = match (day_off, ranges) {
        (Some(true), Some(r)) if !r.is_empty() => {
            errors.push(
                "day_off",
                "A day off has no hours: leave out ranges or send [].",
            );
            None
        }
        (Some(true), _) => Some(Vec::new()),
        (_, Some(r)) if r.is_empty() && day_off == Some(false) => {
            errors.push(
                "ranges",
                "Send the hours of this date, or take the day off.",
            );
            None
        }
        (_, Some(r)) => Some(r),
        (_, None) => {
            if errors.get("ranges").is_none() {
                errors.push(
                    "ranges",
                    "Send the hours of this date as ranges, or \"day_off\": true.",
                );
            }
            None
        }
    };
    let (Some(date), Some(ranges), true) = (date, ranges, errors.is_empty()) else {
        return Err(AppError::InvalidFields(errors));
    };
    let (zone, host_id) = (zone_of(&row), &signed_in.host.id);
    let saved = match store_override(ctx, host_id, &row.id, zone, date, ranges).await? {
        Ok(saved) => saved,
        Err(OverrideProblem::PastDate) => {
            return Err(AppError::InvalidFields(FieldErrors::one(
                "date",
                "Choose today or a later date (in the zone of your hours).",
            )))
        }
        Err(OverrideProblem::Hours(message)) => {
            return Err(AppError::InvalidFields(FieldErrors::one("ranges", message)))
        }
    };
    let saved: Vec<(i64, i64)> = saved
        .iter()
        .map(|r| (r.start_minute, r.end_minute))
        .collect();
    Ok(Response::from_json(&override_json(
        &date.to_string(),
        &saved,
    ))?)
}

/// `DELETE /api/v1/availability/overrides/{date}` (or a schedule's): that date follows the
/// weekly hours again.
pub async fn delete_override(
    ctx: &Ctx,
    env: &Env,
    req: &Request,
    schedule_id: Option<&str>,
    date: &str,
) -> Result<Response, AppError> {
    let signed_in = authorize(ctx, env, req, ApiAccess::Write).await?;
    let row = schedule(ctx, &signed_in.host.id, schedule_id).await?;
    let date = date.parse::<NaiveDate>().map_err(|_| no_override())?;
    availability::delete_override(ctx, &signed_in.host.id, &row.id, date).await?;
    Ok(Response::empty()?.with_status(204))
}
