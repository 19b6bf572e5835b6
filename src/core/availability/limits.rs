//! The "at most so much per period" rules: an event type's bookings per local day, week and
//! calendar month and its booked minutes per day, and the host's bookings per day and week
//! across all event types, where every period is one of the schedule's zone.
//!
//! A booking belongs to the local date of its start instant in the schedule's zone (a meeting
//! that runs past midnight counts on the day it starts, with all its minutes; a start moved
//! forward out of a DST gap counts on the date of the instant it became). The week of a date
//! starts on the host's chosen weekday; the month is the calendar month of the date. A slot is
//! offered only while, for every limit, what the period its start falls in already holds plus
//! what the slot would add (one booking, or its minutes) stays within the maximum.
//!
//! Each limit's bookings are keyed by period once and sorted with running totals, so each
//! check is a pair of binary searches per limit.

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc, Weekday};
use chrono_tz::Tz;

use super::zone::local_date;

/// A kind of period a limit counts in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    /// One local date.
    Day,
    /// Seven local dates from the host's first weekday.
    Week(Weekday),
    /// One calendar month.
    Month,
}

impl Period {
    /// The first local date of the period that holds `date`.
    pub fn first_date(self, date: NaiveDate) -> NaiveDate {
        match self {
            Self::Day => date,
            Self::Week(first) => {
                let back = (7 + date.weekday().num_days_from_monday()
                    - first.num_days_from_monday())
                    % 7;
                date - Days::new(u64::from(back))
            }
            Self::Month => date.with_day(1).unwrap_or(date),
        }
    }

    /// The last local date of the period that holds `date`.
    pub fn last_date(self, date: NaiveDate) -> NaiveDate {
        let first = self.first_date(date);
        match self {
            Self::Day => first,
            Self::Week(_) => first + Days::new(6),
            Self::Month => first
                .checked_add_months(chrono::Months::new(1))
                .and_then(|next| next.pred_opt())
                .unwrap_or(first),
        }
    }
}

/// Whose bookings a limit counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The event type's own.
    EventType,
    /// The host's, of every event type.
    Host,
}

/// What a limit adds up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Measure {
    /// Bookings, one each.
    Bookings,
    /// Booked minutes, each booking's length (its buffers not counted).
    Minutes,
}

/// One limit: at most `max` of `measure` per `period` among `scope`'s bookings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    pub period: Period,
    pub max: u32,
    pub scope: Scope,
    pub measure: Measure,
}

impl Limit {
    /// What one booking of `minutes` adds to this limit's total.
    pub fn weight(&self, minutes: u32) -> u64 {
        match self.measure {
            Measure::Bookings => 1,
            Measure::Minutes => u64::from(minutes),
        }
    }
}

/// A confirmed booking as the limits count it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Booked {
    pub start: DateTime<Utc>,
    /// Its length in minutes.
    pub minutes: u32,
    /// Whether it is of the event type asked about (its own limits count only these).
    pub this_event_type: bool,
}

/// One limit with the period keys of the bookings it counts, sorted, and the running total of
/// their weights (`totals[i]` is the sum of the first `i`).
struct Counted {
    limit: Limit,
    keys: Vec<NaiveDate>,
    totals: Vec<u64>,
}

/// The limits of one query; allows everything when the rules set none.
pub(crate) struct BookingLimits {
    zone: Tz,
    slot_minutes: u32,
    limits: Vec<Counted>,
}

impl BookingLimits {
    /// Counts `booked` per period of each limit in `zone`, for slots of `slot_minutes`; skips
    /// the work when the rules set no limit.
    pub(crate) fn new(
        zone: Tz,
        limits: impl IntoIterator<Item = Limit>,
        booked: &[Booked],
        slot_minutes: u32,
    ) -> Self {
        let mut counted: Vec<Counted> = limits
            .into_iter()
            .map(|limit| Counted {
                limit,
                keys: Vec::new(),
                totals: Vec::new(),
            })
            .collect();
        if !counted.is_empty() {
            let dated: Vec<(NaiveDate, &Booked)> =
                booked.iter().map(|b| (local_date(b.start, zone), b)).collect();
            for one in &mut counted {
                let limit = one.limit;
                let mut keyed: Vec<(NaiveDate, u64)> = dated
                    .iter()
                    .filter(|(_, b)| limit.scope == Scope::Host || b.this_event_type)
                    .map(|(date, b)| (limit.period.first_date(*date), limit.weight(b.minutes)))
                    .collect();
                crate::core::sort::sort_by_key(&mut keyed, &|(d, _)| {
                    (i64::from(d.num_days_from_ce()), 0)
                });
                one.totals.push(0);
                for (key, weight) in keyed {
                    one.keys.push(key);
                    let total = one.totals.last().copied().unwrap_or(0) + weight;
                    one.totals.push(total);
                }
            }
        }
        Self {
            zone,
            slot_minutes,
            limits: counted,
        }
    }

    /// Whether a meeting starting at `start` still fits under every limit.
    pub(crate) fn allows(&self, start: DateTime<Utc>) -> bool {
        if self.limits.is_empty() {
            return true;
        }
        let date = local_date(start, self.zone);
        self.limits.iter().all(|one| {
            let key = one.limit.period.first_date(date);
            let first = one.keys.partition_point(|d| *d < key);
            let after = one.keys.partition_point(|d| *d <= key);
            let held = one.totals[after] - one.totals[first];
            held + one.limit.weight(self.slot_minutes) <= u64::from(one.limit.max)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn ours(start: DateTime<Utc>, minutes: u32) -> Booked {
        Booked {
            start,
            minutes,
            this_event_type: true,
        }
    }

    #[test]
    fn a_week_starts_on_the_hosts_first_weekday() {
        // 2026-03-04 is a Wednesday.
        let wednesday = date("2026-03-04");
        assert_eq!(Period::Week(Weekday::Mon).first_date(wednesday), date("2026-03-02"));
        assert_eq!(Period::Week(Weekday::Sun).first_date(wednesday), date("2026-03-01"));
        assert_eq!(Period::Week(Weekday::Wed).first_date(wednesday), wednesday);
        assert_eq!(Period::Week(Weekday::Thu).first_date(wednesday), date("2026-02-26"));
        assert_eq!(Period::Week(Weekday::Sat).last_date(wednesday), date("2026-03-06"));
    }

    #[test]
    fn a_month_is_the_calendar_month_of_the_date() {
        assert_eq!(Period::Month.first_date(date("2028-02-29")), date("2028-02-01"));
        assert_eq!(Period::Month.last_date(date("2028-02-10")), date("2028-02-29"));
        assert_eq!(Period::Month.last_date(date("2026-12-31")), date("2026-12-31"));
        assert_eq!(Period::Day.last_date(date("2026-12-31")), date("2026-12-31"));
    }

    #[test]
    fn a_full_week_hides_its_other_days_and_the_next_week_is_open() {
        let zone = chrono_tz::Europe::Berlin;
        let at = |text: &str| DateTime::parse_from_rfc3339(text).unwrap().to_utc();
        // Monday 9:00 and Tuesday 9:00 Berlin time booked; at most 2 a week from Monday.
        let booked = [ours(at("2026-03-02T08:00:00Z"), 30), ours(at("2026-03-03T08:00:00Z"), 30)];
        let week = Limit {
            period: Period::Week(Weekday::Mon),
            max: 2,
            scope: Scope::EventType,
            measure: Measure::Bookings,
        };
        let limits = BookingLimits::new(zone, [week], &booked, 30);
        assert!(!limits.allows(at("2026-03-08T20:00:00Z")), "Sunday 21:00 Berlin");
        assert!(!limits.allows(at("2026-03-08T22:30:00Z")), "Sunday 23:30 Berlin");
        assert!(limits.allows(at("2026-03-08T23:00:00Z")), "Monday 00:00 Berlin");
    }

    #[test]
    fn booked_minutes_count_the_slot_too_and_the_host_counts_every_event_type() {
        let zone = chrono_tz::Europe::Berlin;
        let at = |text: &str| DateTime::parse_from_rfc3339(text).unwrap().to_utc();
        let other = Booked {
            this_event_type: false,
            ..ours(at("2026-03-02T12:00:00Z"), 60)
        };
        // 90 minutes of this type and 60 of another on Monday.
        let booked = [ours(at("2026-03-02T08:00:00Z"), 90), other];
        let minutes = Limit {
            period: Period::Day,
            max: 120,
            scope: Scope::EventType,
            measure: Measure::Minutes,
        };
        let monday = at("2026-03-02T14:00:00Z");
        assert!(BookingLimits::new(zone, [minutes], &booked, 30).allows(monday), "90 + 30 = 120");
        assert!(!BookingLimits::new(zone, [minutes], &booked, 31).allows(monday), "90 + 31 > 120");
        let host_day = Limit {
            period: Period::Day,
            max: 2,
            scope: Scope::Host,
            measure: Measure::Bookings,
        };
        assert!(!BookingLimits::new(zone, [host_day], &booked, 30).allows(monday));
        let type_day = Limit {
            scope: Scope::EventType,
            ..host_day
        };
        assert!(BookingLimits::new(zone, [type_day], &booked, 30).allows(monday));
        assert!(BookingLimits::new(zone, [host_day], &booked, 30).allows(at("2026-03-03T08:00:00Z")));
    }
}
