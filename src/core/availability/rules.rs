//! The booking rules of one event type: how long a meeting is and when it may be booked.
//!
//! Invariant: every value is within sane bounds (durations, intervals and buffers at most a day,
//! notice at most a year, a window of 1..=365 days, a daily maximum of at least 1), so the engine
//! never meets a zero step or an overflowing sum.

use chrono::{TimeDelta, Weekday};
use serde::Deserialize;

use super::error::AvailabilityError;
use super::limits::{Limit, Measure, Period, Scope};

/// Longest meeting: a day.
pub const MAX_DURATION_MINUTES: u32 = 24 * 60;
/// Longest step between slot starts: a day.
pub const MAX_INTERVAL_MINUTES: u32 = 24 * 60;
/// Longest buffer on either side: a day.
pub const MAX_BUFFER_MINUTES: u32 = 24 * 60;
/// Longest minimum notice: a year.
pub const MAX_NOTICE_MINUTES: u32 = 365 * 24 * 60;
/// Furthest booking window: a year.
pub const MAX_BOOKING_WINDOW_DAYS: u32 = 365;

/// The rules as a host typed them, before checking; `interval_minutes: None` means "duration".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub struct RulesInput {
    /// Meeting length.
    pub duration_minutes: u32,
    /// Step between candidate starts; `None` = the duration (back-to-back slots).
    pub interval_minutes: Option<u32>,
    /// Free time kept before each meeting.
    pub buffer_before_minutes: u32,
    /// Free time kept after each meeting.
    pub buffer_after_minutes: u32,
    /// How far ahead of `now` the earliest bookable start is.
    pub minimum_notice_minutes: u32,
    /// How many days ahead of `now` starts may be booked.
    pub booking_window_days: u32,
    /// At most this many confirmed bookings per local day of the schedule; `None` = no cap.
    pub max_per_day: Option<u32>,
}

/// The weekly and monthly maxima of an event type, its booked minutes per day, the host's
/// maxima across all event types, and the weekday the host's weeks start on (the days, weeks
/// and months are those of the schedule's zone).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PeriodLimits {
    /// At most this many confirmed bookings per week; `None` = no cap.
    pub max_per_week: Option<u32>,
    /// At most this many confirmed bookings per calendar month; `None` = no cap.
    pub max_per_month: Option<u32>,
    /// At most this many minutes of the event type's meetings per day; `None` = no cap.
    pub max_minutes_per_day: Option<u32>,
    /// At most this many confirmed bookings of the host, of any event type, per day.
    pub host_max_per_day: Option<u32>,
    /// Likewise per week.
    pub host_max_per_week: Option<u32>,
    /// The first day of the host's week.
    pub week_starts: Weekday,
}

impl Default for PeriodLimits {
    /// No caps; weeks start on Monday (ISO 8601).
    fn default() -> Self {
        Self {
            max_per_week: None,
            max_per_month: None,
            max_minutes_per_day: None,
            host_max_per_day: None,
            host_max_per_week: None,
            week_starts: Weekday::Mon,
        }
    }
}

/// Checked event-type rules; the only way to get one is [`SlotRules::new`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SlotRules {
    duration: u32,
    interval: u32,
    buffer_before: u32,
    buffer_after: u32,
    notice: u32,
    window_days: u32,
    max_per_day: Option<u32>,
    periods: PeriodLimits,
}

impl SlotRules {
    /// Checks each value, rejecting zero and absurd ones with a message naming the field.
    pub fn new(input: RulesInput) -> Result<Self, AvailabilityError> {
        let duration = input.duration_minutes;
        if duration == 0 {
            return Err(AvailabilityError::ZeroDuration);
        }
        if duration > MAX_DURATION_MINUTES {
            return Err(AvailabilityError::DurationTooLong(duration));
        }
        let interval = input.interval_minutes.unwrap_or(duration);
        if interval == 0 {
            return Err(AvailabilityError::ZeroInterval);
        }
        if interval > MAX_INTERVAL_MINUTES {
            return Err(AvailabilityError::IntervalTooLong(interval));
        }
        for (side, minutes) in [
            ("before", input.buffer_before_minutes),
            ("after", input.buffer_after_minutes),
        ] {
            if minutes > MAX_BUFFER_MINUTES {
                return Err(AvailabilityError::BufferTooLong { side, minutes });
            }
        }
        if input.minimum_notice_minutes > MAX_NOTICE_MINUTES {
            return Err(AvailabilityError::NoticeTooLong(
                input.minimum_notice_minutes,
            ));
        }
        if !(1..=MAX_BOOKING_WINDOW_DAYS).contains(&input.booking_window_days) {
            return Err(AvailabilityError::BookingWindowOutOfRange(
                input.booking_window_days,
            ));
        }
        if input.max_per_day == Some(0) {
            return Err(AvailabilityError::ZeroDailyMaximum);
        }
        Ok(Self {
            duration,
            interval,
            buffer_before: input.buffer_before_minutes,
            buffer_after: input.buffer_after_minutes,
            notice: input.minimum_notice_minutes,
            window_days: input.booking_window_days,
            max_per_day: input.max_per_day,
            periods: PeriodLimits::default(),
        })
    }

    /// These rules with the period limits; a maximum of zero is refused like a daily one (it
    /// would hide every slot). A day's booked time shorter than this duration offers nothing
    /// (the event type's form refuses one shorter than any duration it offers).
    pub fn with_period_limits(self, periods: PeriodLimits) -> Result<Self, AvailabilityError> {
        for (max, name) in [
            (periods.max_per_week, "weekly"),
            (periods.max_per_month, "monthly"),
            (periods.host_max_per_day, "host's daily"),
            (periods.host_max_per_week, "host's weekly"),
        ] {
            if max == Some(0) {
                return Err(AvailabilityError::ZeroPeriodMaximum(name));
            }
        }
        Ok(Self { periods, ..self })
    }

    /// Every limit of these rules, the event type's and the host's.
    pub fn limits(&self) -> impl Iterator<Item = Limit> {
        let week = Period::Week(self.periods.week_starts);
        let p = &self.periods;
        let limit = |max: Option<u32>, period, scope, measure| {
            max.map(|max| Limit {
                period,
                max,
                scope,
                measure,
            })
        };
        let (ours, host, count) = (Scope::EventType, Scope::Host, Measure::Bookings);
        [
            limit(self.max_per_day, Period::Day, ours, count),
            limit(p.max_per_week, week, ours, count),
            limit(p.max_per_month, Period::Month, ours, count),
            limit(p.max_minutes_per_day, Period::Day, ours, Measure::Minutes),
            limit(p.host_max_per_day, Period::Day, host, count),
            limit(p.host_max_per_week, week, host, count),
        ]
        .into_iter()
        .flatten()
    }

    /// Meeting length in minutes.
    pub fn duration_minutes(&self) -> u32 {
        self.duration
    }

    /// Step between candidate starts in minutes (the duration unless set).
    #[cfg(test)]
    pub fn interval_minutes(&self) -> u32 {
        self.interval
    }

    /// Minimum minutes between `now` and a bookable start.
    #[cfg(test)]
    pub fn minimum_notice_minutes(&self) -> u32 {
        self.notice
    }

    /// How many days ahead of `now` may be booked.
    #[cfg(test)]
    pub fn booking_window_days(&self) -> u32 {
        self.window_days
    }

    /// Free minutes kept before each meeting.
    pub fn buffer_before_minutes(&self) -> u32 {
        self.buffer_before
    }

    /// Free minutes kept after each meeting.
    pub fn buffer_after_minutes(&self) -> u32 {
        self.buffer_after
    }

    /// The daily cap of confirmed bookings, if any.
    #[cfg(test)]
    pub fn max_per_day(&self) -> Option<u32> {
        self.max_per_day
    }

    pub(crate) fn duration(&self) -> TimeDelta {
        TimeDelta::minutes(self.duration.into())
    }

    pub(crate) fn interval(&self) -> TimeDelta {
        TimeDelta::minutes(self.interval.into())
    }

    pub(crate) fn buffer_before(&self) -> TimeDelta {
        TimeDelta::minutes(self.buffer_before.into())
    }

    pub(crate) fn buffer_after(&self) -> TimeDelta {
        TimeDelta::minutes(self.buffer_after.into())
    }

    pub(crate) fn notice(&self) -> TimeDelta {
        TimeDelta::minutes(self.notice.into())
    }

    pub(crate) fn window(&self) -> TimeDelta {
        TimeDelta::days(self.window_days.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> RulesInput {
        RulesInput {
            duration_minutes: 30,
            interval_minutes: None,
            buffer_before_minutes: 5,
            buffer_after_minutes: 10,
            minimum_notice_minutes: 120,
            booking_window_days: 60,
            max_per_day: Some(4),
        }
    }

    #[test]
    fn the_interval_defaults_to_the_duration() {
        let rules = SlotRules::new(input()).unwrap();
        assert_eq!(rules.interval_minutes(), 30);
        assert_eq!(rules.duration_minutes(), 30);
        assert_eq!(rules.buffer_before_minutes(), 5);
        assert_eq!(rules.buffer_after_minutes(), 10);
        assert_eq!(rules.minimum_notice_minutes(), 120);
        assert_eq!(rules.booking_window_days(), 60);
        assert_eq!(rules.max_per_day(), Some(4));
    }

    #[test]
    fn an_explicit_interval_is_kept() {
        let rules = SlotRules::new(RulesInput {
            interval_minutes: Some(15),
            ..input()
        })
        .unwrap();
        assert_eq!(rules.interval_minutes(), 15);
    }

    #[test]
    fn zero_and_absurd_values_are_rejected_with_their_own_error() {
        let cases = [
            (
                RulesInput {
                    duration_minutes: 0,
                    ..input()
                },
                AvailabilityError::ZeroDuration,
            ),
            (
                RulesInput {
                    duration_minutes: 1441,
                    ..input()
                },
                AvailabilityError::DurationTooLong(1441),
            ),
            (
                RulesInput {
                    interval_minutes: Some(0),
                    ..input()
                },
                AvailabilityError::ZeroInterval,
            ),
            (
                RulesInput {
                    interval_minutes: Some(1441),
                    ..input()
                },
                AvailabilityError::IntervalTooLong(1441),
            ),
            (
                RulesInput {
                    buffer_before_minutes: 1441,
                    ..input()
                },
                AvailabilityError::BufferTooLong {
                    side: "before",
                    minutes: 1441,
                },
            ),
            (
                RulesInput {
                    buffer_after_minutes: 2000,
                    ..input()
                },
                AvailabilityError::BufferTooLong {
                    side: "after",
                    minutes: 2000,
                },
            ),
            (
                RulesInput {
                    minimum_notice_minutes: 525_601,
                    ..input()
                },
                AvailabilityError::NoticeTooLong(525_601),
            ),
            (
                RulesInput {
                    booking_window_days: 0,
                    ..input()
                },
                AvailabilityError::BookingWindowOutOfRange(0),
            ),
            (
                RulesInput {
                    booking_window_days: 366,
                    ..input()
                },
                AvailabilityError::BookingWindowOutOfRange(366),
            ),
            (
                RulesInput {
                    max_per_day: Some(0),
                    ..input()
                },
                AvailabilityError::ZeroDailyMaximum,
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(SlotRules::new(input).unwrap_err(), expected);
        }
    }

    #[test]
    fn the_largest_sane_values_are_accepted() {
        let rules = SlotRules::new(RulesInput {
            duration_minutes: 1440,
            interval_minutes: Some(1440),
            buffer_before_minutes: 1440,
            buffer_after_minutes: 1440,
            minimum_notice_minutes: 525_600,
            booking_window_days: 365,
            max_per_day: Some(u32::MAX),
        });
        assert!(rules.is_ok());
    }

    #[test]
    fn messages_name_the_limit() {
        let err = SlotRules::new(RulesInput {
            buffer_after_minutes: 2000,
            ..input()
        })
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "a buffer of 2000 minutes after a meeting is too long; the most is 1440 minutes (24 hours)"
        );
        let err = SlotRules::new(RulesInput {
            booking_window_days: 0,
            ..input()
        })
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "the booking window must be between 1 and 365 days ahead, not 0"
        );
    }
}
