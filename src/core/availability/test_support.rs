//! Test fixtures: a mutable `Case` that owns one query's inputs, plus terse constructors, so each
//! test states only what it is about and compares hand-written UTC strings.

use chrono::{DateTime, NaiveDate, Utc, Weekday};
use chrono_tz::Tz;

use super::{
    Booked,
    available_slots, is_offered, parse_zone, Interval, LocalRange, RulesInput, Schedule, Slot,
    SlotQuery, SlotRules, WeeklyHours,
};

pub(super) fn utc(text: &str) -> DateTime<Utc> {
    text.parse().expect("an RFC 3339 instant")
}

pub(super) fn date(text: &str) -> NaiveDate {
    text.parse().expect("a YYYY-MM-DD date")
}

pub(super) fn hours(start: &str, end: &str) -> LocalRange {
    LocalRange::parse(start, end).expect("valid hours")
}

pub(super) fn span(start: &str, end: &str) -> Interval {
    Interval::new(utc(start), utc(end)).expect("a non-empty span")
}

pub(super) fn zone(name: &str) -> Tz {
    parse_zone(name).expect("a known zone")
}

pub(super) fn iso(t: DateTime<Utc>) -> String {
    crate::core::display::rfc3339(&t)
}

/// One query's inputs; defaults are 60-minute back-to-back slots, no buffers, no notice, a
/// 365-day window, no cap, nothing busy, and `now` at the start of the requested range.
pub(super) struct Case {
    pub zone: Tz,
    pub weekly: WeeklyHours,
    pub overrides: Vec<(NaiveDate, Vec<LocalRange>)>,
    pub rules: RulesInput,
    pub busy: Vec<Interval>,
    pub booked: Vec<DateTime<Utc>>,
    pub now: DateTime<Utc>,
    pub range: Interval,
}

impl Case {
    /// `hours` on each of `days` in `zone`, asking for starts in `[from, to)`.
    pub fn new(
        zone_name: &str,
        days: &[Weekday],
        ranges: &[(&str, &str)],
        from: &str,
        to: &str,
    ) -> Self {
        let ranges: Vec<_> = ranges.iter().map(|(s, e)| hours(s, e)).collect();
        Self {
            zone: zone(zone_name),
            weekly: WeeklyHours::on_days(days, &ranges).expect("valid week"),
            overrides: Vec::new(),
            rules: RulesInput {
                duration_minutes: 60,
                interval_minutes: None,
                buffer_before_minutes: 0,
                buffer_after_minutes: 0,
                minimum_notice_minutes: 0,
                booking_window_days: 365,
                max_per_day: None,
            },
            busy: Vec::new(),
            booked: Vec::new(),
            now: utc(from),
            range: span(from, to),
        }
    }

    pub fn minutes(mut self, duration: u32, interval: u32) -> Self {
        self.rules.duration_minutes = duration;
        self.rules.interval_minutes = Some(interval);
        self
    }

    /// Runs `f` on the query these inputs describe.
    pub fn with_query<T>(&self, f: impl FnOnce(&SlotQuery) -> T) -> T {
        let schedule = Schedule::new(self.zone, self.weekly.clone(), self.overrides.clone())
            .expect("valid schedule");
        let rules = SlotRules::new(self.rules).expect("valid rules");
        let booked: Vec<Booked> = self
            .booked
            .iter()
            .map(|start| Booked {
                start: *start,
                minutes: self.rules.duration_minutes,
                this_event_type: true,
            })
            .collect();
        f(&SlotQuery {
            schedule: &schedule,
            rules: &rules,
            busy: &self.busy,
            booked: &booked,
            now: self.now,
            range: self.range,
        })
    }

    /// The offered slots; also checks that `is_offered` says yes to each of them.
    pub fn slots(&self) -> Vec<Slot> {
        self.with_query(|q| {
            let slots = available_slots(q);
            for slot in &slots {
                assert!(
                    is_offered(q, slot.start),
                    "is_offered disagrees at {}",
                    iso(slot.start)
                );
            }
            slots
        })
    }

    /// The offered starts as `YYYY-MM-DDTHH:MM:SSZ` strings.
    pub fn starts(&self) -> Vec<String> {
        self.slots().iter().map(|s| iso(s.start)).collect()
    }

    /// Whether one start is offered, by `is_offered`.
    pub fn offers(&self, start: &str) -> bool {
        self.with_query(|q| is_offered(q, utc(start)))
    }
}

/// `local_dates_to_utc` as a pair of ISO strings, for terse DST assertions.
pub(super) fn local_dates_to_utc_iso(from: &str, to: &str, zone_name: &str) -> (String, String) {
    let span =
        super::local_dates_to_utc(date(from), date(to), zone(zone_name)).expect("valid dates");
    (iso(span.start()), iso(span.end()))
}
