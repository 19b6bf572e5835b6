//! A host's usual week: for each weekday, the local ranges during which they take meetings.
//!
//! Invariant: each day's ranges are sorted by start and do not overlap (touching is fine), so
//! the engine can walk them in order and a slot can never come from two copies of one range.

use chrono::Weekday;

use super::error::AvailabilityError;
use super::local_range::LocalRange;

/// Working hours per weekday (index 0 = Monday), checked once so the engine can trust them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WeeklyHours {
    days: [Vec<LocalRange>; 7],
}

impl WeeklyHours {
    /// Sorts each day's ranges and rejects overlapping ones, naming the weekday in the error.
    pub fn new(mut days: [Vec<LocalRange>; 7]) -> Result<Self, AvailabilityError> {
        let mut weekday = Weekday::Mon;
        for ranges in &mut days {
            sort_and_check(ranges, || weekday_name(weekday).to_owned())?;
            weekday = weekday.succ();
        }
        Ok(Self { days })
    }

    /// The same hours on each of `weekdays` and none on the others: the common "Mon–Fri 9–5"
    /// (the benchmark's and the tests' week; the Worker reads weeks from D1).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn on_days(weekdays: &[Weekday], ranges: &[LocalRange]) -> Result<Self, AvailabilityError> {
        let mut days: [Vec<LocalRange>; 7] = Default::default();
        for weekday in weekdays {
            days[weekday.num_days_from_monday() as usize] = ranges.to_vec();
        }
        Self::new(days)
    }

    /// The ranges of one weekday, sorted by start.
    pub fn ranges_on(&self, weekday: Weekday) -> &[LocalRange] {
        &self.days[weekday.num_days_from_monday() as usize]
    }
}

/// Sorts one day's ranges and rejects any pair sharing a minute; `day` names the day for the
/// message and is only built on error.
pub(crate) fn sort_and_check(
    ranges: &mut Vec<LocalRange>,
    day: impl FnOnce() -> String,
) -> Result<(), AvailabilityError> {
    crate::core::sort::sort_by_key(ranges, &|r| {
        (i64::from(r.start_minute()), i64::from(r.end_minute()))
    });
    if let Some(pair) = ranges.windows(2).find(|pair| pair[0].overlaps(&pair[1])) {
        return Err(AvailabilityError::OverlappingRanges {
            day: day(),
            first: pair[0],
            second: pair[1],
        });
    }
    Ok(())
}

/// English weekday names for messages ("Monday" reads better than chrono's "Mon").
fn weekday_name(weekday: Weekday) -> &'static str {
    match weekday {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(start: &str, end: &str) -> LocalRange {
        LocalRange::parse(start, end).unwrap()
    }

    #[test]
    fn ranges_come_back_sorted_by_start() {
        let mut days: [Vec<LocalRange>; 7] = Default::default();
        days[2] = vec![r("13:00", "17:00"), r("09:00", "12:00")];
        let week = WeeklyHours::new(days).unwrap();
        assert_eq!(
            week.ranges_on(Weekday::Wed),
            [r("09:00", "12:00"), r("13:00", "17:00")]
        );
        assert!(week.ranges_on(Weekday::Thu).is_empty());
    }

    #[test]
    fn touching_ranges_on_one_day_are_fine() {
        let week =
            WeeklyHours::on_days(&[Weekday::Mon], &[r("12:00", "24:00"), r("00:00", "12:00")]);
        assert_eq!(week.unwrap().ranges_on(Weekday::Mon).len(), 2);
    }

    #[test]
    fn overlapping_ranges_are_rejected_naming_the_weekday() {
        let mut days: [Vec<LocalRange>; 7] = Default::default();
        days[4] = vec![r("09:00", "12:00"), r("11:00", "13:00")];
        let err = WeeklyHours::new(days).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the time ranges 09:00–12:00 and 11:00–13:00 on Friday overlap"
        );
    }

    #[test]
    fn the_same_range_twice_counts_as_an_overlap() {
        let err =
            WeeklyHours::on_days(&[Weekday::Sun], &[r("09:00", "10:00"), r("09:00", "10:00")]);
        assert!(matches!(
            err,
            Err(AvailabilityError::OverlappingRanges { .. })
        ));
    }
}
