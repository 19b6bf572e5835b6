//! A host's availability as it is stored and changed: their named schedules, each with weekly
//! hours (several ranges a day), the zone they are read in, and date overrides. The
//! dashboard, onboarding and the JSON API all save through here, so each refuses exactly what
//! the engine would ([`WeeklyHours::new`], [`Schedule::new`]). Exactly one schedule is the
//! default: it cannot be deleted, and neither can a schedule an event type uses.

use chrono::NaiveDate;

use crate::core::host_limits::HostLimits;
use chrono_tz::Tz;

use super::public_event::PublicEvent;
use super::{AppError, Ctx};
use crate::core::availability::{parse_zone, LocalRange, Schedule, WeeklyHours};
use crate::core::display::capitalised;
use crate::core::types::TimeZoneName;
use crate::crypto::random_hex;
use crate::store::{HostRow, MinuteRange, ScheduleRow, ScheduleWrite, SessionHostRow};

/// Longest list of ranges a day takes.
pub const MAX_RANGES_PER_DAY: usize = 12;

fn minutes(ranges: &[LocalRange]) -> Vec<MinuteRange> {
    ranges
        .iter()
        .map(|r| MinuteRange {
            start_minute: i64::from(r.start_minute()),
            end_minute: i64::from(r.end_minute()),
        })
        .collect()
}

/// The host's schedule `id`, or their default one (`None`); a schedule that is not theirs is
/// a 404.
pub async fn schedule(ctx: &Ctx, host_id: &str, id: Option<&str>) -> Result<ScheduleRow, AppError> {
    match ctx.store.schedule(host_id, id).await? {
        Some(row) => Ok(row),
        None if id.is_some() => Err(AppError::NotFound(
            "You have no schedule at this address.".into(),
        )),
        None => Err(AppError::Internal(format!(
            "host {host_id} has no default schedule"
        ))),
    }
}

/// The id of the host's default schedule (onboarding and the dashboard's overview read it).
pub async fn default_schedule_id(ctx: &Ctx, host_id: &str) -> Result<String, AppError> {
    Ok(schedule(ctx, host_id, None).await?.id)
}

/// The host's schedules, the default first.
pub async fn schedules(ctx: &Ctx, host_id: &str) -> Result<Vec<ScheduleRow>, AppError> {
    Ok(ctx.store.schedules(host_id).await?)
}

/// A schedule's name as typed, trimmed; a blank or over-long one is refused with the message
/// shown under the field.
pub fn schedule_name(raw: &str) -> Result<&str, String> {
    let name = raw.trim();
    match name.chars().count() {
        0 => Err("Enter a name for the schedule.".into()),
        1..=100 => Ok(name),
        _ => Err("Use at most 100 characters.".into()),
    }
}

fn name_taken() -> AppError {
    AppError::Conflict("You already have a schedule of that name.".into())
}

/// Adds a schedule named `name` (checked by [`schedule_name`]) read in `zone`, with no hours
/// yet, and returns its id.
pub async fn create_schedule(
    ctx: &Ctx,
    host_id: &str,
    name: &str,
    zone: &TimeZoneName,
) -> Result<String, AppError> {
    let id = random_hex::<16>();
    match ctx
        .store
        .create_schedule(host_id, &id, name, zone.name(), ctx.now.timestamp())
        .await?
    {
        ScheduleWrite::Saved => Ok(id),
        ScheduleWrite::NameTaken => Err(name_taken()),
        ScheduleWrite::NotFound => Err(AppError::Internal("schedule not created".into())),
    }
}

/// Renames the host's schedule `id` (the name checked by [`schedule_name`]).
pub async fn rename_schedule(
    ctx: &Ctx,
    host_id: &str,
    id: &str,
    name: &str,
) -> Result<(), AppError> {
    match ctx.store.rename_schedule(host_id, id, name).await? {
        ScheduleWrite::Saved => Ok(()),
        ScheduleWrite::NameTaken => Err(name_taken()),
        ScheduleWrite::NotFound => schedule(ctx, host_id, Some(id)).await.map(drop),
    }
}

/// Makes the host's schedule `id` their default: the event types that follow the default
/// follow it from now on.
pub async fn make_default(ctx: &Ctx, host_id: &str, id: &str) -> Result<(), AppError> {
    if !ctx.store.make_default_schedule(host_id, id).await? {
        schedule(ctx, host_id, Some(id)).await?;
    }
    Ok(())
}

/// Deletes the host's schedule `id` with its hours and overrides; the default schedule and a
/// schedule an event type uses are refused (409) with what to do instead.
pub async fn delete_schedule(ctx: &Ctx, host_id: &str, id: &str) -> Result<(), AppError> {
    let row = schedule(ctx, host_id, Some(id)).await?;
    let refusal = if row.is_default == 1 {
        "This is your default schedule. Make another schedule the default first.".to_owned()
    } else if row.in_use > 0 {
        format!(
            "{} event type(s) use this schedule. Choose another schedule for them first.",
            row.in_use
        )
    } else if ctx.store.delete_schedule(host_id, id).await? {
        return Ok(());
    } else {
        "This schedule is now in use or the default; it was not deleted.".to_owned()
    };
    Err(AppError::Conflict(refusal))
}

/// Has the host's event type follow their schedule `schedule_id`, or the default one
/// (`None`); a schedule or event type that is not the host's is a 404.
pub async fn choose_schedule(
    ctx: &Ctx,
    host_id: &str,
    event_type_id: &str,
    schedule_id: Option<&str>,
) -> Result<(), AppError> {
    if !ctx
        .store
        .set_event_type_schedule(host_id, event_type_id, schedule_id)
        .await?
    {
        return Err(AppError::NotFound(
            "You have no such schedule or event type.".into(),
        ));
    }
    Ok(())
}

/// The schedule's stored weekly hours as minute ranges, Monday first.
pub async fn stored_week(
    ctx: &Ctx,
    host_id: &str,
    schedule_id: &str,
) -> Result<[Vec<(i64, i64)>; 7], AppError> {
    let mut per_day: [Vec<(i64, i64)>; 7] = Default::default();
    for row in ctx.store.weekly_hours(host_id, schedule_id).await? {
        if let Some(day) = usize::try_from(row.weekday)
            .ok()
            .and_then(|d| per_day.get_mut(d))
        {
            day.push((row.start_minute, row.end_minute));
        }
    }
    Ok(per_day)
}

/// The schedule's date overrides from `from` to `until` (inclusive; `None`: every later one),
/// by date (`YYYY-MM-DD`); a day off has no ranges.
pub async fn overrides_between(
    ctx: &Ctx,
    host_id: &str,
    schedule_id: &str,
    from: NaiveDate,
    until: Option<NaiveDate>,
) -> Result<Vec<(String, Vec<(i64, i64)>)>, AppError> {
    let until = until.map_or_else(|| "9999-12-31".to_owned(), |d| d.to_string());
    let mut overrides: Vec<(String, Vec<(i64, i64)>)> = Vec::new();
    for row in ctx
        .store
        .date_overrides(host_id, schedule_id, &from.to_string(), &until)
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

/// The zone of the host's default schedule, which time off is typed in (UTC should the stored
/// name ever be unknown).
pub async fn schedule_zone(ctx: &Ctx, host: &SessionHostRow) -> Result<Tz, AppError> {
    let host = host_row(ctx, host).await?;
    Ok(parse_zone(&host.schedule_time_zone).unwrap_or(chrono_tz::UTC))
}

/// The host's limits across event types and the weekday their weeks start on.
pub async fn host_limits(ctx: &Ctx, host: &SessionHostRow) -> Result<HostLimits, AppError> {
    let host = host_row(ctx, host).await?;
    Ok(PublicEvent::limits_of(&host))
}

/// Saves the host's limits and first weekday (weekly limits count from it).
pub async fn set_host_limits(
    ctx: &Ctx,
    host_id: &str,
    limits: &HostLimits,
) -> Result<(), AppError> {
    ctx.store.set_host_limits(host_id, limits).await?;
    Ok(())
}

/// The signed-in host's row as the public pages read it.
async fn host_row(ctx: &Ctx, host: &SessionHostRow) -> Result<HostRow, AppError> {
    ctx.store
        .host_by_slug(&host.slug)
        .await?
        .filter(|h| h.id == host.id)
        .ok_or_else(|| AppError::Internal("signed-in host not found by its slug".into()))
}

/// One weekday's ranges checked on their own, so every weekday with overlapping ranges gets
/// its own message (`index`: 0 is Monday).
pub fn check_day(index: usize, ranges: Vec<LocalRange>) -> Result<Vec<LocalRange>, String> {
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

/// Replaces the schedule's week (each day already passed [`check_day`]) and its zone.
pub async fn store_week(
    ctx: &Ctx,
    host_id: &str,
    schedule_id: &str,
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
        .replace_weekly_hours(host_id, schedule_id, zone.name(), &stored)
        .await?;
    Ok(())
}

/// Why an override cannot be saved, and under which of its fields.
pub enum OverrideProblem {
    /// The date is already past in the schedule's zone.
    PastDate,
    /// The ranges overlap (the engine's own check).
    Hours(String),
}

/// Checks and saves one date's override (no ranges: the day off), as the engine will read it;
/// returns the ranges as saved (in order).
pub async fn store_override(
    ctx: &Ctx,
    host_id: &str,
    schedule_id: &str,
    zone: Tz,
    date: NaiveDate,
    ranges: Vec<LocalRange>,
) -> Result<Result<Vec<MinuteRange>, OverrideProblem>, AppError> {
    if date < ctx.now.with_timezone(&zone).date_naive() {
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
                .save_date_override(host_id, schedule_id, &date.to_string(), &ranges)
                .await?;
            Ok(Ok(ranges))
        }
        Err(error) => Ok(Err(OverrideProblem::Hours(
            capitalised(error.to_string()) + ".",
        ))),
    }
}

/// The 404 for a date the host has no override on.
pub fn no_override() -> AppError {
    AppError::NotFound("You have no date override on that date.".into())
}

/// Deletes the schedule's override on `date`, so that day follows the weekly hours again; a
/// date without one is [`no_override`].
pub async fn delete_override(
    ctx: &Ctx,
    host_id: &str,
    schedule_id: &str,
    date: NaiveDate,
) -> Result<(), AppError> {
    if !ctx
        .store
        .delete_date_override(host_id, schedule_id, &date.to_string())
        .await?
    {
        return Err(no_override());
    }
    Ok(())
}
