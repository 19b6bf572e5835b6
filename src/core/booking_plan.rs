//! Where a booking at a given start sits, as one plan that creating a booking and moving one
//! both follow: when it ends, which span its buffers keep free, which local day, week and month
//! its caps count, and which range of busy times decides whether it is still free.
//!
//! A booking belongs to the local date of its start in the schedule's zone (the same rule the
//! engine's caps use), so a meeting that runs past midnight counts on the day it starts.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use super::availability::{
    local_dates_to_utc, AvailabilityError, Interval, Measure, Scope, SlotRules,
};

/// One limit as the atomic booking statement checks it: what the bookings of `scope` that
/// start within `[from, until)` (Unix seconds, the bounds of one local period) hold, plus what
/// the new booking adds, is at most `cap`: bookings, or seconds of meetings for
/// [`Measure::Minutes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CapCheck {
    pub cap: i64,
    pub from: i64,
    pub until: i64,
    pub scope: Scope,
    pub measure: Measure,
}

/// What a booking at `start` takes, decided purely from the event type's rules and the
/// schedule's zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingPlan {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// The local day of the start in the schedule's zone, as UTC instants.
    pub day: Interval,
    /// The span no other booking may overlap: the meeting with its buffers (Unix seconds).
    pub blocked_from: i64,
    pub blocked_until: i64,
    /// The caps the insert enforces (day, week, month: those the event type has).
    pub caps: Vec<CapCheck>,
}

impl BookingPlan {
    /// Plans a booking of `rules`' duration at `start` for a schedule in `zone`.
    pub fn new(start: DateTime<Utc>, rules: &SlotRules, zone: Tz) -> Result<Self, AvailabilityError> {
        let local_day = start.with_timezone(&zone).date_naive();
        let day = local_dates_to_utc(local_day, local_day, zone)?;
        let end = start + Duration::minutes(i64::from(rules.duration_minutes()));
        let mut caps = Vec::new();
        for limit in rules.limits() {
            let span = local_dates_to_utc(
                limit.period.first_date(local_day),
                limit.period.last_date(local_day),
                zone,
            )?;
            let unit = match limit.measure {
                Measure::Bookings => 1,
                Measure::Minutes => 60,
            };
            caps.push(CapCheck {
                cap: i64::from(limit.max) * unit,
                from: span.start().timestamp(),
                until: span.end().timestamp(),
                scope: limit.scope,
                measure: limit.measure,
            });
        }
        Ok(Self {
            start,
            end,
            day,
            blocked_from: start.timestamp() - 60 * i64::from(rules.buffer_before_minutes()),
            blocked_until: end.timestamp() + 60 * i64::from(rules.buffer_after_minutes()),
            caps,
        })
    }

    /// The range whose busy times and bookings decide whether `start` is free: its local day
    /// and a day on either side, which every buffer and the daily cap stay within.
    pub fn deciding_range(start: DateTime<Utc>, zone: Tz) -> Result<Interval, AvailabilityError> {
        let local_day = start.with_timezone(&zone).date_naive();
        let day = local_dates_to_utc(local_day, local_day, zone)?;
        Interval::new(
            day.start() - Duration::days(1),
            day.end() + Duration::days(1),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::availability::RulesInput;

    fn rules(max_per_day: Option<u32>) -> SlotRules {
        SlotRules::new(RulesInput {
            duration_minutes: 30,
            interval_minutes: None,
            buffer_before_minutes: 10,
            buffer_after_minutes: 5,
            minimum_notice_minutes: 0,
            booking_window_days: 60,
            max_per_day,
        })
        .unwrap()
    }

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    #[test]
    fn the_buffers_widen_the_blocked_span_on_each_side() {
        let plan = BookingPlan::new(at("2026-03-02T09:00:00Z"), &rules(None), chrono_tz::UTC)
            .unwrap();
        assert_eq!(plan.end, at("2026-03-02T09:30:00Z"));
        assert_eq!(plan.blocked_from, at("2026-03-02T08:50:00Z").timestamp());
        assert_eq!(plan.blocked_until, at("2026-03-02T09:35:00Z").timestamp());
        assert!(plan.caps.is_empty());
    }

    #[test]
    fn a_late_start_counts_on_its_local_day_not_the_utc_one() {
        // 23:30 in New York on 2 March is 04:30 UTC on 3 March.
        let zone = chrono_tz::America::New_York;
        let plan = BookingPlan::new(at("2026-03-03T04:30:00Z"), &rules(Some(2)), zone).unwrap();
        assert_eq!(
            plan.caps,
            [CapCheck {
                cap: 2,
                from: at("2026-03-02T05:00:00Z").timestamp(),
                until: at("2026-03-03T05:00:00Z").timestamp(),
                scope: Scope::EventType,
                measure: Measure::Bookings,
            }]
        );
    }

    #[test]
    fn every_limit_spans_the_local_period_of_the_start_and_says_what_it_counts() {
        use crate::core::availability::PeriodLimits;
        let zone = chrono_tz::Europe::Berlin;
        let rules = rules(None)
            .with_period_limits(PeriodLimits {
                max_per_week: Some(3),
                max_per_month: Some(10),
                max_minutes_per_day: Some(90),
                host_max_per_day: None,
                host_max_per_week: Some(5),
                week_starts: chrono::Weekday::Sun,
            })
            .unwrap();
        // Wednesday 1 April 2026, 00:30 in Berlin (CEST) is 22:30Z on 31 March.
        let plan = BookingPlan::new(at("2026-03-31T22:30:00Z"), &rules, zone).unwrap();
        assert_eq!(
            plan.caps,
            [
                // Sunday 29 March (the night Berlin springs forward) to Saturday 4 April.
                CapCheck {
                    cap: 3,
                    from: at("2026-03-28T23:00:00Z").timestamp(),
                    until: at("2026-04-04T22:00:00Z").timestamp(),
                    scope: Scope::EventType,
                    measure: Measure::Bookings,
                },
                CapCheck {
                    cap: 10,
                    from: at("2026-03-31T22:00:00Z").timestamp(),
                    until: at("2026-04-30T22:00:00Z").timestamp(),
                    scope: Scope::EventType,
                    measure: Measure::Bookings,
                },
                // 90 minutes of meetings on Wednesday 1 April, in seconds.
                CapCheck {
                    cap: 5400,
                    from: at("2026-03-31T22:00:00Z").timestamp(),
                    until: at("2026-04-01T22:00:00Z").timestamp(),
                    scope: Scope::EventType,
                    measure: Measure::Minutes,
                },
                CapCheck {
                    cap: 5,
                    from: at("2026-03-28T23:00:00Z").timestamp(),
                    until: at("2026-04-04T22:00:00Z").timestamp(),
                    scope: Scope::Host,
                    measure: Measure::Bookings,
                },
            ]
        );
    }

    #[test]
    fn a_day_with_a_dst_change_is_23_hours_long() {
        // New York springs forward on 8 March 2026.
        let zone = chrono_tz::America::New_York;
        let plan = BookingPlan::new(at("2026-03-08T15:00:00Z"), &rules(Some(1)), zone).unwrap();
        assert_eq!(plan.day.end() - plan.day.start(), Duration::hours(23));
    }

    #[test]
    fn the_deciding_range_reaches_a_day_past_the_local_day_on_each_side() {
        let zone = chrono_tz::Europe::Berlin;
        let range = BookingPlan::deciding_range(at("2026-06-10T12:00:00Z"), zone).unwrap();
        assert_eq!(range.start(), at("2026-06-08T22:00:00Z"));
        assert_eq!(range.end(), at("2026-06-11T22:00:00Z"));
    }
}
