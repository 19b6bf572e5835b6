//! The "at most N bookings per period" rules of an event type: per local day, per week and
//! per calendar month, where every period is one of the schedule's zone.
//!
//! A booking belongs to the local date of its start instant in the schedule's zone (a meeting
//! that runs past midnight counts on the day it starts; a start moved forward out of a DST gap
//! counts on the date of the instant it became). The week of a date starts on the host's
//! chosen weekday; the month is the calendar month of the date. A slot is offered only while
//! every period its start falls in holds fewer confirmed bookings of the event type than that
//! period's maximum.
//!
//! Each booking's period keys are computed once and sorted, so each check is a pair of binary
//! searches per limit.

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

/// One limit: at most `max` bookings per `period`, with the period keys of the bookings.
struct Counted {
    period: Period,
    max: u32,
    keys: Vec<NaiveDate>,
}

/// The limits of one query; allows everything when the rules set none.
pub(crate) struct BookingLimits {
    zone: Tz,
    limits: Vec<Counted>,
}

impl BookingLimits {
    /// Counts `booked_starts` per period of each limit in `zone`; skips the work when the
    /// rules set no limit.
    pub(crate) fn new(
        zone: Tz,
        limits: impl IntoIterator<Item = (Period, u32)>,
        booked_starts: &[DateTime<Utc>],
    ) -> Self {
        let mut counted: Vec<Counted> = limits
            .into_iter()
            .map(|(period, max)| Counted {
                period,
                max,
                keys: Vec::new(),
            })
            .collect();
        if !counted.is_empty() {
            let dates: Vec<NaiveDate> = booked_starts.iter().map(|t| local_date(*t, zone)).collect();
            for limit in &mut counted {
                limit.keys = dates.iter().map(|d| limit.period.first_date(*d)).collect();
                crate::core::sort::sort_by_key(&mut limit.keys, &|d| {
                    (i64::from(d.num_days_from_ce()), 0)
                });
            }
        }
        Self {
            zone,
            limits: counted,
        }
    }

    /// Whether a meeting starting at `start` still fits under every limit.
    pub(crate) fn allows(&self, start: DateTime<Utc>) -> bool {
        if self.limits.is_empty() {
            return true;
        }
        let date = local_date(start, self.zone);
        self.limits.iter().all(|limit| {
            let key = limit.period.first_date(date);
            let first = limit.keys.partition_point(|d| *d < key);
            let after = limit.keys.partition_point(|d| *d <= key);
            after - first < limit.max as usize
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
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
        let booked = [at("2026-03-02T08:00:00Z"), at("2026-03-03T08:00:00Z")];
        let limits = BookingLimits::new(zone, [(Period::Week(Weekday::Mon), 2)], &booked);
        assert!(!limits.allows(at("2026-03-08T20:00:00Z")), "Sunday 21:00 Berlin");
        assert!(!limits.allows(at("2026-03-08T22:30:00Z")), "Sunday 23:30 Berlin");
        assert!(limits.allows(at("2026-03-08T23:00:00Z")), "Monday 00:00 Berlin");
    }
}
