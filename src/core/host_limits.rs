//! A host's limits across all their event types (at most so many bookings a day and a week)
//! and the weekday their weeks start on, which weekly limits count from. The availability
//! page's limits form and the API's availability resource set them together.

use chrono::Weekday;

/// The most a host may allow per period: more would be no limit at all.
pub const MOST_PER_PERIOD: u32 = 1000;

/// The host's limits, as stored; `None` is no limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostLimits {
    pub week_starts: Weekday,
    pub max_per_day: Option<u32>,
    pub max_per_week: Option<u32>,
}

impl HostLimits {
    /// From the host's columns (`week_start` as days from Monday; Monday if out of range).
    pub fn stored(week_start: i64, max_per_day: Option<i64>, max_per_week: Option<i64>) -> Self {
        let max = |value: Option<i64>| value.and_then(|v| u32::try_from(v).ok());
        Self {
            week_starts: u8::try_from(week_start)
                .ok()
                .and_then(|days| Weekday::try_from(days).ok())
                .unwrap_or(Weekday::Mon),
            max_per_day: max(max_per_day),
            max_per_week: max(max_per_week),
        }
    }

    /// One maximum as typed: empty is no limit, else a whole number from 1 to
    /// [`MOST_PER_PERIOD`]; the error says what to type.
    pub fn parse_max(raw: &str) -> Result<Option<u32>, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Ok(None);
        }
        match raw.parse::<u32>() {
            Ok(n) if (1..=MOST_PER_PERIOD).contains(&n) => Ok(Some(n)),
            _ => Err(format!(
                "Give a whole number from 1 to {MOST_PER_PERIOD}, or leave it empty for no limit."
            )),
        }
    }

    /// The first weekday as days from Monday (0–6), as stored.
    pub fn week_start_days(&self) -> i64 {
        i64::from(self.week_starts.num_days_from_monday())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_maximum_is_empty_or_a_whole_number_in_range() {
        assert_eq!(HostLimits::parse_max(" "), Ok(None));
        assert_eq!(HostLimits::parse_max(" 4 "), Ok(Some(4)));
        assert_eq!(HostLimits::parse_max("1000"), Ok(Some(1000)));
        for wrong in ["0", "-1", "2.5", "four", "1001"] {
            assert!(HostLimits::parse_max(wrong).unwrap_err().contains("1 to 1000"), "{wrong}");
        }
    }

    #[test]
    fn stored_columns_read_back_and_a_stray_weekday_is_monday() {
        let limits = HostLimits::stored(6, Some(3), None);
        assert_eq!(limits.week_starts, Weekday::Sun);
        assert_eq!((limits.max_per_day, limits.max_per_week), (Some(3), None));
        assert_eq!(limits.week_start_days(), 6);
        assert_eq!(HostLimits::stored(9, None, None).week_starts, Weekday::Mon);
    }
}
