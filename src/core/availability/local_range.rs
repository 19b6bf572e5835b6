//! A range of local wall-clock time within one day, `[start, end)` in minutes after midnight.
//!
//! Invariant: `0 <= start < end <= 1440`. `1440` is written `24:00` and means midnight at the
//! end of the day, so a range can run to the very end of a day. The range says nothing about
//! zones or dates; [`super::Schedule`] places it on a date in its zone.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::error::AvailabilityError;

/// Minutes in a civil day; also the largest minute-of-day, written `24:00`.
pub const MINUTES_PER_DAY: u16 = 1440;

/// Working hours of one day as local wall-clock minutes, so a schedule cannot hold "17:00–09:00".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "RangeText", into = "RangeText")]
pub struct LocalRange {
    start: u16,
    end: u16,
}

impl LocalRange {
    /// Builds a range from minutes after midnight (0..=1440), for callers that store minutes.
    pub fn new(start_minute: u16, end_minute: u16) -> Result<Self, AvailabilityError> {
        for minute in [start_minute, end_minute] {
            if minute > MINUTES_PER_DAY {
                return Err(AvailabilityError::MinuteOutOfDay(minute));
            }
        }
        if end_minute <= start_minute {
            return Err(AvailabilityError::EmptyRange {
                start: hhmm(start_minute),
                end: hhmm(end_minute),
            });
        }
        Ok(Self {
            start: start_minute,
            end: end_minute,
        })
    }

    /// Parses `"HH:MM"` times as a host types them (`"9:00"` is accepted, `"24:00"` only as 24:00).
    pub fn parse(start: &str, end: &str) -> Result<Self, AvailabilityError> {
        Self::new(parse_time_of_day(start)?, parse_time_of_day(end)?)
    }

    /// Minutes after local midnight at which the range opens.
    pub fn start_minute(&self) -> u16 {
        self.start
    }

    /// Minutes after local midnight at which the range closes (exclusive; 1440 = 24:00).
    pub fn end_minute(&self) -> u16 {
        self.end
    }

    /// Whether the two ranges share a minute; touching ranges (09:00–12:00, 12:00–13:00) do not.
    pub fn overlaps(&self, other: &LocalRange) -> bool {
        self.start < other.end && other.start < self.end
    }
}

impl fmt::Display for LocalRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}–{}", hhmm(self.start), hhmm(self.end))
    }
}

/// Parses `H:MM` or `HH:MM` into minutes after midnight, 00:00 through 24:00.
fn parse_time_of_day(text: &str) -> Result<u16, AvailabilityError> {
    let invalid = || AvailabilityError::InvalidTimeOfDay(text.to_owned());
    let (hours, minutes) = text.trim().split_once(':').ok_or_else(invalid)?;
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !(1..=2).contains(&hours.len()) || minutes.len() != 2 {
        return Err(invalid());
    }
    if !all_digits(hours) || !all_digits(minutes) {
        return Err(invalid());
    }
    let hours: u16 = hours.parse().map_err(|_| invalid())?;
    let minutes: u16 = minutes.parse().map_err(|_| invalid())?;
    let total = hours * 60 + minutes;
    if minutes >= 60 || total > MINUTES_PER_DAY {
        return Err(invalid());
    }
    Ok(total)
}

/// Formats minutes after midnight as `HH:MM` (1440 as `24:00`).
fn hhmm(minute: u16) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

/// The wire form of a range, `{"start": "09:00", "end": "17:00"}`, as a host would write it.
#[derive(Serialize, Deserialize)]
struct RangeText {
    start: String,
    end: String,
}

impl TryFrom<RangeText> for LocalRange {
    type Error = AvailabilityError;

    fn try_from(text: RangeText) -> Result<Self, Self::Error> {
        Self::parse(&text.start, &text.end)
    }
}

impl From<LocalRange> for RangeText {
    fn from(range: LocalRange) -> Self {
        Self {
            start: hhmm(range.start),
            end: hhmm(range.end),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_parses_from_hours_and_minutes() {
        let range = LocalRange::parse("09:00", "17:30").unwrap();
        assert_eq!((range.start_minute(), range.end_minute()), (540, 1050));
    }

    #[test]
    fn a_single_digit_hour_is_accepted() {
        assert_eq!(
            LocalRange::parse("9:05", "10:00").unwrap().start_minute(),
            545
        );
    }

    #[test]
    fn a_range_may_end_at_24_00() {
        let range = LocalRange::parse("22:00", "24:00").unwrap();
        assert_eq!(range.end_minute(), 1440);
        assert_eq!(range.to_string(), "22:00–24:00");
    }

    #[test]
    fn a_range_displays_with_an_en_dash() {
        assert_eq!(
            LocalRange::new(540, 1020).unwrap().to_string(),
            "09:00–17:00"
        );
    }

    #[test]
    fn times_that_are_not_a_minute_of_the_day_are_rejected() {
        for bad in [
            "24:01", "25:00", "12:60", "12", "12:5", "12:005", "-1:00", "ab:cd", "", "12:00:00",
            "+9:00",
        ] {
            assert_eq!(
                LocalRange::parse(bad, "24:00").unwrap_err(),
                AvailabilityError::InvalidTimeOfDay(bad.into()),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn a_minute_past_the_end_of_the_day_is_rejected() {
        assert_eq!(
            LocalRange::new(0, 1441).unwrap_err(),
            AvailabilityError::MinuteOutOfDay(1441)
        );
    }

    #[test]
    fn an_end_before_or_equal_to_the_start_is_rejected() {
        let err = LocalRange::parse("17:00", "09:00").unwrap_err();
        assert_eq!(
            err.to_string(),
            "the time range 17:00–09:00 must end after it starts"
        );
        assert!(LocalRange::parse("09:00", "09:00").is_err());
    }

    #[test]
    fn touching_ranges_do_not_overlap() {
        let morning = LocalRange::parse("09:00", "12:00").unwrap();
        let afternoon = LocalRange::parse("12:00", "17:00").unwrap();
        let lunch = LocalRange::parse("11:30", "12:30").unwrap();
        assert!(!morning.overlaps(&afternoon));
        assert!(morning.overlaps(&lunch) && lunch.overlaps(&afternoon));
    }

    #[test]
    fn a_range_round_trips_through_json_as_text() {
        let range = LocalRange::parse("08:15", "24:00").unwrap();
        let json = serde_json::to_string(&range).unwrap();
        assert_eq!(json, r#"{"start":"08:15","end":"24:00"}"#);
        assert_eq!(serde_json::from_str::<LocalRange>(&json).unwrap(), range);
        assert!(serde_json::from_str::<LocalRange>(r#"{"start":"18:00","end":"08:00"}"#).is_err());
    }
}
