//! The host's availability in the JSON API: `/api/v1/availability` (weekly hours and the zone
//! they are read in, with the date overrides to come) and `/api/v1/availability/overrides/{date}`.
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
    self, check_day, host_limits, no_override, overrides_between, schedule_zone, set_host_limits,
    store_override, store_week, stored_week, OverrideProblem,
};
use crate::app::AppError;
use crate::app::Ctx;
use crate::core::availability::LocalRange;
use crate::core::booking::FieldErrors;
use crate::core::display::capitalised;
use crate::core::host_limits::{HostLimits, MOST_PER_PERIOD};
use crate::core::types::TimeZoneName;

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

async fn availability_json(ctx: &Ctx, signed_in: &SignedIn, zone: Tz) -> Result<Value, AppError> {
    let host_id = signed_in.host.id.as_str();
    let week = stored_week(ctx, host_id).await?;
    let weekly: Map<String, Value> = WEEKDAYS
        .iter()
        .zip(&week)
        .map(|(day, ranges)| ((*day).to_owned(), ranges_json(ranges)))
        .collect();
    let today = ctx.now.with_timezone(&zone).date_naive();
    let overrides: Vec<Value> = overrides_between(ctx, host_id, today, None)
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

/// `GET /api/v1/availability`: the week, its zone, and the overrides from today on.
pub async fn get(ctx: &Ctx, env: &Env, req: &Request) -> Result<Response, AppError> {
    let signed_in = authorize(ctx, env, req, ApiAccess::Read).await?;
    let zone = schedule_zone(ctx, &signed_in.host).await?;
    Ok(Response::from_json(
        &availability_json(ctx, &signed_in, zone).await?,
    )?)
}

/// `PUT /api/v1/availability` replaces the week (a weekday left out has no hours) and needs the
/// zone; `PATCH` changes the weekdays and zone sent and keeps the rest. Either way the whole
/// week is checked and saved in one batch.
pub async fn save(
    ctx: &Ctx,
    env: &Env,
    req: &mut Request,
    replace: bool,
) -> Result<Response, AppError> {
    let signed_in = authorize(ctx, env, req, ApiAccess::Write).await?;
    let body = object(req).await?;
    let host_id = signed_in.host.id.as_str();
    let mut errors = FieldErrors::default();
    let mut days: [Vec<LocalRange>; 7] = Default::default();
    if !replace {
        for (day, stored) in days.iter_mut().zip(stored_week(ctx, host_id).await?) {
            *day = local_ranges(&stored);
        }
    }
    let mut zone_text = None;
    let mut first_weekday = None;
    let (mut max_per_day, mut max_per_week) = (None, None);
    for (key, value) in &body {
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
        None => TimeZoneName::parse(schedule_zone(ctx, &signed_in.host).await?.name()).ok(),
    };
    let (Some(zone), true) = (zone, errors.is_empty()) else {
        return Err(AppError::InvalidFields(errors));
    };
    store_week(ctx, host_id, &zone, days).await?;
    if first_weekday.is_some() || max_per_day.is_some() || max_per_week.is_some() {
        let stored = host_limits(ctx, &signed_in.host).await?;
        let limits = HostLimits {
            week_starts: first_weekday.unwrap_or(stored.week_starts),
            max_per_day: max_per_day.unwrap_or(stored.max_per_day),
            max_per_week: max_per_week.unwrap_or(stored.max_per_week),
        };
        set_host_limits(ctx, host_id, &limits).await?;
    }
    Ok(Response::from_json(
        &availability_json(ctx, &signed_in, zone.tz()).await?,
    )?)
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

/// `GET /api/v1/availability/overrides/{date}`.
pub async fn get_override(
    ctx: &Ctx,
    env: &Env,
    req: &Request,
    date: &str,
) -> Result<Response, AppError> {
    let signed_in = authorize(ctx, env, req, ApiAccess::Read).await?;
    let date = date.parse::<NaiveDate>().map_err(|_| no_override())?;
    one_override(ctx, &signed_in, date).await
}

async fn one_override(
    ctx: &Ctx,
    signed_in: &SignedIn,
    date: NaiveDate,
) -> Result<Response, AppError> {
    let found = overrides_between(ctx, &signed_in.host.id, date, Some(date))
        .await?
        .into_iter()
        .next()
        .ok_or_else(no_override)?;
    Ok(Response::from_json(&override_json(&found.0, &found.1))?)
}

/// `PUT /api/v1/availability/overrides/{date}`: that date's hours instead of the weekday's
/// (`"ranges": []` or `"day_off": true` takes the day off).
pub async fn put_override(
    ctx: &Ctx,
    env: &Env,
    req: &mut Request,
    date: &str,
) -> Result<Response, AppError> {
    let signed_in = authorize(ctx, env, req, ApiAccess::Write).await?;
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
    let zone = schedule_zone(ctx, &signed_in.host).await?;
    let saved = match store_override(ctx, &signed_in.host.id, zone, date, ranges).await? {
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

/// `DELETE /api/v1/availability/overrides/{date}`: that date follows the weekly hours again.
pub async fn delete_override(
    ctx: &Ctx,
    env: &Env,
    req: &Request,
    date: &str,
) -> Result<Response, AppError> {
    let signed_in = authorize(ctx, env, req, ApiAccess::Write).await?;
    let date = date.parse::<NaiveDate>().map_err(|_| no_override())?;
    availability::delete_override(ctx, &signed_in.host.id, date).await?;
    Ok(Response::empty()?.with_status(204))
}
