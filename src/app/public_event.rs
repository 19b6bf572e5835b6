//! Loads what the availability engine needs for one event type from D1 and runs it.
//! Shared by the booking page, the slots API and booking creation, so all three agree.

use std::cell::RefCell;

use chrono::{DateTime, Days, NaiveDate, Utc};
use chrono_tz::Tz;

use super::{AppError, Ctx};
use crate::calendar::busy::BusyError;
use crate::core::availability::{
    available_slots, is_offered, local_dates_to_utc, parse_zone, Booked, Interval, LocalRange,
    Period, PeriodLimits, RulesInput, Schedule, Scope, Slot, SlotQuery, SlotRules, WeeklyHours,
};
use crate::core::busy_cache::BusyCache;
use crate::core::event_type::{offered_durations, pick_duration};
use crate::core::host_limits::HostLimits;
use crate::core::questions::{questions_from_json, Question};
use crate::core::types::FieldError;
use crate::store::{
    ConnectionRow, Counted, EventTypeRow, HostRow, OverrideRangeRow, Store, TimeOffRow,
    WeeklyHoursRow,
};

thread_local! {
    /// Busy times read for pages, reused for a few seconds by later views in this isolate.
    static RECENT_BUSY: RefCell<BusyCache> = RefCell::new(BusyCache::default());
}

/// How fresh the calendars' busy times must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reading {
    /// Asked now: confirming or moving a booking, the API, the host's own pages.
    Fresh,
    /// At most a few seconds old (`core::busy_cache`): a public booking page only shows times.
    Recent,
}

/// A host's event type, found by the two slugs of its public link.
pub struct PublicEvent {
    pub host: HostRow,
    pub event: EventTypeRow,
    /// The meeting length slots are computed for: the event type's default until
    /// [`PublicEvent::use_duration`] picks another of its offered ones.
    pub duration_minutes: u32,
}

impl PublicEvent {
    /// Finds the event type of `/{host}/{event}`, or a 404 that says which part is unknown.
    pub async fn find(store: &Store, host_slug: &str, event_slug: &str) -> Result<Self, AppError> {
        let (host, event) = store
            .public_event(host_slug, event_slug)
            .await?
            .ok_or_else(|| {
                AppError::NotFound(format!("There is no host called '{host_slug}' here."))
            })?;
        let event = event.ok_or_else(|| {
            AppError::NotFound(format!(
                "{} has no event type called '{event_slug}'.",
                host.name
            ))
        })?;
        Ok(Self::new(host, event))
    }

    /// The event type at its default duration.
    pub fn new(host: HostRow, event: EventTypeRow) -> Self {
        let duration_minutes = u32::try_from(event.duration_minutes).unwrap_or(u32::MAX);
        Self {
            host,
            event,
            duration_minutes,
        }
    }

    /// Every duration the event type offers, the default first.
    pub fn offered_durations(&self) -> Vec<u32> {
        let default = u32::try_from(self.event.duration_minutes).unwrap_or(u32::MAX);
        offered_durations(default, &self.event.other_durations)
    }

    /// Uses the duration an invitee picked (`raw` empty: the default), if it is offered.
    pub fn use_duration(&mut self, raw: &str) -> Result<u32, FieldError> {
        let minutes = pick_duration(&self.offered_durations(), raw)?;
        self.duration_minutes = minutes;
        Ok(minutes)
    }

    /// The host's questions to invitees of this event type.
    pub fn questions(&self) -> Result<Vec<Question>, AppError> {
        questions_from_json(&self.event.questions)
            .map_err(|e| AppError::Internal(format!("event type {}: {e}", self.event.id)))
    }

    /// The id and zone of the schedule the event type follows (its own or the default).
    fn followed_schedule(&self) -> Result<(&str, Tz), AppError> {
        let (id, zone) = self.event.followed_schedule().ok_or_else(|| {
            AppError::Internal(format!("event type {} has no schedule", self.event.id))
        })?;
        let zone =
            parse_zone(zone).map_err(|e| AppError::Internal(format!("schedule zone: {e}")))?;
        Ok((id, zone))
    }

    /// The zone the event type's schedule is written in: its slots' days, weeks and months.
    pub fn schedule_zone(&self) -> Result<Tz, AppError> {
        Ok(self.followed_schedule()?.1)
    }

    /// The host's own display zone.
    pub fn host_zone(&self) -> Tz {
        parse_zone(&self.host.time_zone).unwrap_or(chrono_tz::UTC)
    }

    /// The event type's rules as the engine takes them.
    pub fn rules(&self) -> Result<SlotRules, AppError> {
        let e = &self.event;
        let host = Self::limits_of(&self.host);
        let minutes = |value: i64| u32::try_from(value).unwrap_or(u32::MAX);
        SlotRules::new(RulesInput {
            duration_minutes: self.duration_minutes,
            interval_minutes: e.slot_interval_minutes.map(minutes),
            buffer_before_minutes: minutes(e.buffer_before_minutes),
            buffer_after_minutes: minutes(e.buffer_after_minutes),
            minimum_notice_minutes: minutes(e.minimum_notice_minutes),
            booking_window_days: minutes(e.booking_window_days),
            max_per_day: e.max_bookings_per_day.map(minutes),
        })
        .and_then(|rules| {
            rules.with_period_limits(PeriodLimits {
                max_per_week: e.max_bookings_per_week.map(minutes),
                max_per_month: e.max_bookings_per_month.map(minutes),
                max_minutes_per_day: e.max_booked_minutes_per_day.map(minutes),
                host_max_per_day: host.max_per_day,
                host_max_per_week: host.max_per_week,
                week_starts: host.week_starts,
            })
        })
        .map_err(|err| AppError::Internal(format!("event type {} rules: {err}", e.id)))
    }

    /// `host`'s limits across event types and the weekday their weeks start on.
    pub fn limits_of(host: &HostRow) -> HostLimits {
        HostLimits::stored(
            host.week_start,
            host.max_bookings_per_day,
            host.max_bookings_per_week,
        )
    }

    /// The host's schedule from its weekly hours and the overrides read for the range.
    fn schedule(
        &self,
        zone: Tz,
        weekly_hours: Vec<WeeklyHoursRow>,
        override_rows: Vec<OverrideRangeRow>,
    ) -> Result<Schedule, AppError> {
        let bad = |what: &str, err: String| {
            AppError::Internal(format!("host {} {what}: {err}", self.host.id))
        };
        let mut days: [Vec<LocalRange>; 7] = Default::default();
        for row in weekly_hours {
            let range = local_range(row.start_minute, row.end_minute)
                .map_err(|e| bad("weekly hours", e))?;
            let day = days
                .get_mut(row.weekday as usize)
                .ok_or_else(|| bad("weekday", row.weekday.to_string()))?;
            day.push(range);
        }
        let weekly = WeeklyHours::new(days).map_err(|e| bad("weekly hours", e.to_string()))?;
        let mut overrides: Vec<(NaiveDate, Vec<LocalRange>)> = Vec::new();
        for row in override_rows {
            let date = row
                .local_date
                .parse::<NaiveDate>()
                .map_err(|e| bad("override date", e.to_string()))?;
            if overrides.last().is_none_or(|(last, _)| *last != date) {
                overrides.push((date, Vec::new()));
            }
            if let (Some(start), Some(end)) = (row.start_minute, row.end_minute) {
                let range = local_range(start, end).map_err(|e| bad("override range", e))?;
                overrides.last_mut().expect("pushed above").1.push(range);
            }
        }
        Schedule::new(zone, weekly, overrides).map_err(|e| bad("schedule", e.to_string()))
    }

    /// Everything the engine needs to answer for `range`.
    ///
    /// Busy times come from D1 (bookings) and from the host's connected calendars, read
    /// fresh on every call: a booking's own call is the re-check that refuses a slot filled
    /// in the calendar a moment ago.
    pub async fn availability(&self, ctx: &Ctx, range: Interval) -> Result<Availability, AppError> {
        self.read_availability(ctx, range, Reading::Fresh).await
    }

    /// Like [`Self::availability`], for a public page that only shows times: the calendars'
    /// busy times may be up to a few seconds old, so a flood of views cannot spend the
    /// host's provider quota (bookings are still checked afresh).
    pub async fn availability_to_show(
        &self,
        ctx: &Ctx,
        range: Interval,
    ) -> Result<Availability, AppError> {
        self.read_availability(ctx, range, Reading::Recent).await
    }

    async fn read_availability(
        &self,
        ctx: &Ctx,
        range: Interval,
        reading: Reading,
    ) -> Result<Availability, AppError> {
        let now = ctx.now;
        let (schedule_id, zone) = self.followed_schedule()?;
        // Overrides and bookings are loaded a day beyond the range on both sides: local days,
        // buffers and the daily cap all reach past the range's own bounds.
        let from = (range.start().with_timezone(&zone).date_naive()) - Days::new(1);
        let to = (range.end().with_timezone(&zone).date_naive()) + Days::new(1);
        let margin = 86_400;
        let rules = self.rules()?;
        let counted = counted_span(&rules, zone, from, to)?;
        // One D1 round trip for everything below (weekly hours, overrides, bookings,
        // connections and the starts weekly and monthly caps count) instead of five.
        let rows = ctx
            .store
            .availability_rows(
                &self.host.id,
                schedule_id,
                [&from.to_string(), &to.to_string()],
                range.start().timestamp() - margin,
                range.end().timestamp() + margin,
                counted.map(|span| Counted {
                    event_type_id: &self.event.id,
                    host_wide: rules.limits().any(|l| l.scope == Scope::Host),
                    from: span.start().timestamp(),
                    until: span.end().timestamp(),
                }),
            )
            .await?;
        let schedule = self.schedule(zone, rows.weekly_hours, rows.overrides)?;
        let mut busy = Vec::with_capacity(rows.bookings.len());
        let mut booked = Vec::new();
        for row in &rows.bookings {
            let (Some(start), Some(end)) = (
                DateTime::from_timestamp(row.start_at, 0),
                DateTime::from_timestamp(row.end_at, 0),
            ) else {
                continue;
            };
            if let Ok(interval) = Interval::new(start, end) {
                busy.push(interval);
            }
        }
        // The limits count the bookings read for them over whole weeks and months, or else
        // those read for busy times (a day's limits stay within them).
        for row in rows.counted.as_ref().unwrap_or(&rows.bookings) {
            if let Some(start) = DateTime::from_timestamp(row.start_at, 0) {
                booked.push(Booked {
                    start,
                    minutes: u32::try_from((row.end_at - row.start_at) / 60).unwrap_or(0),
                    this_event_type: row.event_type_id == self.event.id,
                });
            }
        }
        for off in &rows.time_off {
            if let (Some(start), Some(end)) = (
                DateTime::from_timestamp(off.start_at, 0),
                DateTime::from_timestamp(off.end_at, 0),
            ) {
                if let Ok(interval) = Interval::new(start, end) {
                    busy.push(interval);
                }
            }
        }
        let window = Interval::new(
            range.start() - chrono::Duration::seconds(margin),
            range.end() + chrono::Duration::seconds(margin),
        )
        .map_err(|e| AppError::Internal(e.to_string()))?;
        let now_ms = ctx.now.timestamp_millis();
        let recent = match reading {
            Reading::Recent => {
                RECENT_BUSY.with(|cache| cache.borrow().get(&self.host.id, window, now_ms))
            }
            Reading::Fresh => None,
        };
        let calendar_busy = match recent {
            Some(busy) => busy,
            None => {
                // Stamped with when it was read: a hit never extends an entry's life.
                let busy = self.calendar_busy(ctx, &rows.connections, window).await?;
                RECENT_BUSY.with(|cache| {
                    cache
                        .borrow_mut()
                        .put(&self.host.id, window, now_ms, busy.clone())
                });
                busy
            }
        };
        busy.extend(calendar_busy);
        Ok(Availability {
            schedule,
            rules,
            busy,
            booked,
            now,
            range,
            connections: rows.connections,
            time_off: rows.time_off,
        })
    }

    /// The busy times of the host's connected calendars over `window`, asked now.
    async fn calendar_busy(
        &self,
        ctx: &Ctx,
        connections: &[ConnectionRow],
        window: Interval,
    ) -> Result<Vec<Interval>, AppError> {
        ctx.calendars()?
            .busy_times_among(&self.host.id, connections, window, self.host_zone())
            .await
            .map_err(|error| match error {
                BusyError::Store(e) => AppError::from(e),
                BusyError::Unreadable(_) => AppError::Unavailable(
                    "Availability is temporarily unavailable: we could not check the host's \
                     calendar just now. Please try again in a few minutes."
                        .into(),
                ),
            })
    }
}

fn local_range(start: i64, end: i64) -> Result<LocalRange, String> {
    let start = u16::try_from(start).map_err(|e| e.to_string())?;
    let end = u16::try_from(end).map_err(|e| e.to_string())?;
    LocalRange::new(start, end).map_err(|e| e.to_string())
}

/// The span whose bookings the weekly and monthly caps of `rules` count for the local dates
/// `from ..= to`: every week and month those dates touch, whole. `None` when the rules have
/// no such cap (the daily cap's days are within the bookings read for busy times).
fn counted_span(
    rules: &SlotRules,
    zone: Tz,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Option<Interval>, AppError> {
    let mut dates: Option<(NaiveDate, NaiveDate)> = None;
    for period in rules
        .limits()
        .map(|l| l.period)
        .filter(|p| *p != Period::Day)
    {
        let (first, last) = (period.first_date(from), period.last_date(to));
        dates = Some(match dates {
            Some((a, b)) => (a.min(first), b.max(last)),
            None => (first, last),
        });
    }
    dates
        .map(|(first, last)| local_dates_to_utc(first, last, zone))
        .transpose()
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// The engine's inputs for one event type over one range.
pub struct Availability {
    pub schedule: Schedule,
    pub rules: SlotRules,
    pub busy: Vec<Interval>,
    /// The bookings the limits count (`core::availability::Booked`).
    pub booked: Vec<Booked>,
    pub now: DateTime<Utc>,
    pub range: Interval,
    /// The host's connections as read with the rest, so booking needs no second read.
    pub connections: Vec<ConnectionRow>,
    /// The host's time off around the range (already in `busy`), for the notes a booking
    /// page shows.
    pub time_off: Vec<TimeOffRow>,
}

impl Availability {
    fn query(&self) -> SlotQuery<'_> {
        SlotQuery {
            schedule: &self.schedule,
            rules: &self.rules,
            busy: &self.busy,
            booked: &self.booked,
            now: self.now,
            range: self.range,
        }
    }

    /// The free slots in the range.
    pub fn slots(&self) -> Vec<Slot> {
        available_slots(&self.query())
    }

    /// Whether `start` is offered now.
    pub fn offers(&self, start: DateTime<Utc>) -> bool {
        is_offered(&self.query(), start)
    }

    /// Whether `start` would be offered if nothing were booked: tells "taken" from "never offered".
    pub fn would_offer_when_free(&self, start: DateTime<Utc>) -> bool {
        let query = SlotQuery {
            busy: &[],
            booked: &[],
            ..self.query()
        };
        is_offered(&query, start)
    }
}
