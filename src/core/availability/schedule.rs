//! A host's availability schedule: a zone, the usual week, and date overrides.
//!
//! Invariant: an override replaces the weekday's ranges for that local date entirely (an empty
//! list closes the day); overrides are sorted by date with no date twice, and each one's ranges
//! obey the same sorted, non-overlapping rule as [`WeeklyHours`]. All dates and ranges are in
//! the schedule's zone, never the invitee's.

use chrono::{Datelike, NaiveDate};
use chrono_tz::Tz;

use super::error::AvailabilityError;
use super::local_range::LocalRange;
use super::weekly_hours::{sort_and_check, WeeklyHours};

/// Where and when a host works; the engine reads only this, so it can be built once per request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schedule {
    zone: Tz,
    weekly: WeeklyHours,
    overrides: Vec<(NaiveDate, Vec<LocalRange>)>,
}

impl Schedule {
    /// Checks and sorts the overrides; a date given twice is rejected rather than guessed at.
    pub fn new(
        zone: Tz,
        weekly: WeeklyHours,
        mut overrides: Vec<(NaiveDate, Vec<LocalRange>)>,
    ) -> Result<Self, AvailabilityError> {
        for (date, ranges) in &mut overrides {
            sort_and_check(ranges, || date.to_string())?;
        }
        crate::core::sort::sort_by_key(&mut overrides, &|(date, _)| {
            (i64::from(date.num_days_from_ce()), 0)
        });
        if let Some(pair) = overrides.windows(2).find(|pair| pair[0].0 == pair[1].0) {
            return Err(AvailabilityError::DuplicateOverride(pair[0].0));
        }
        Ok(Self {
            zone,
            weekly,
            overrides,
        })
    }

    /// The zone in which the ranges are wall-clock times.
    pub fn zone(&self) -> Tz {
        self.zone
    }

    /// The ranges that apply on a local date: its override if it has one, else its weekday's.
    pub fn ranges_on(&self, date: NaiveDate) -> &[LocalRange] {
        match self.overrides.binary_search_by_key(&date, |(d, _)| *d) {
            Ok(index) => &self.overrides[index].1,
            Err(_) => self.weekly.ranges_on(date.weekday()),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::Weekday;

    use super::*;

    fn r(start: &str, end: &str) -> LocalRange {
        LocalRange::parse(start, end).unwrap()
    }

    fn d(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn nine_to_five() -> WeeklyHours {
        WeeklyHours::on_days(&[Weekday::Mon, Weekday::Tue], &[r("09:00", "17:00")]).unwrap()
    }

    #[test]
    fn a_date_without_override_uses_its_weekday() {
        let schedule = Schedule::new(Tz::UTC, nine_to_five(), vec![]).unwrap();
        assert_eq!(schedule.ranges_on(d("2026-03-02")), [r("09:00", "17:00")]); // Monday
        assert!(schedule.ranges_on(d("2026-03-04")).is_empty()); // Wednesday
    }

    #[test]
    fn an_override_replaces_the_weekday_and_an_empty_one_closes_the_day() {
        let overrides = vec![
            (d("2026-03-03"), vec![]),
            (
                d("2026-03-07"),
                vec![r("14:00", "16:00"), r("10:00", "12:00")],
            ),
        ];
        let schedule = Schedule::new(Tz::UTC, nine_to_five(), overrides).unwrap();
        assert!(schedule.ranges_on(d("2026-03-03")).is_empty());
        assert_eq!(
            schedule.ranges_on(d("2026-03-07")),
            [r("10:00", "12:00"), r("14:00", "16:00")]
        );
    }

    #[test]
    fn an_override_with_overlapping_ranges_is_rejected_naming_the_date() {
        let overrides = vec![(
            d("2026-03-07"),
            vec![r("10:00", "12:00"), r("11:59", "13:00")],
        )];
        let err = Schedule::new(Tz::UTC, nine_to_five(), overrides).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the time ranges 10:00–12:00 and 11:59–13:00 on 2026-03-07 overlap"
        );
    }

    #[test]
    fn a_date_overridden_twice_is_rejected() {
        let overrides = vec![
            (d("2026-03-07"), vec![]),
            (d("2026-03-07"), vec![r("10:00", "11:00")]),
        ];
        assert_eq!(
            Schedule::new(Tz::UTC, nine_to_five(), overrides).unwrap_err(),
            AvailabilityError::DuplicateOverride(d("2026-03-07"))
        );
    }
}
