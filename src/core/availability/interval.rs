//! A half-open span of absolute time, `[start, end)` in UTC, never empty.
//!
//! Busy times from calendars, existing bookings and the caller's requested range all use it;
//! half-open means a meeting ending at 10:00 does not collide with one starting at 10:00.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::error::AvailabilityError;

/// A non-empty `[start, end)` span of UTC time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Interval {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

impl Interval {
    /// Orders a list by start, then end, with the Worker's one sort (`core::sort`).
    pub fn sort(list: &mut Vec<Interval>) {
        crate::core::sort::sort_by_key(list, &|i| {
            (i.start.timestamp_micros(), i.end.timestamp_micros())
        });
    }

    /// Rejects an end at or before the start, so every interval holds at least one instant.
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Result<Self, AvailabilityError> {
        if end <= start {
            return Err(AvailabilityError::EndNotAfterStart { start, end });
        }
        Ok(Self { start, end })
    }

    /// The first instant inside.
    pub fn start(&self) -> DateTime<Utc> {
        self.start
    }

    /// The first instant after (exclusive).
    pub fn end(&self) -> DateTime<Utc> {
        self.end
    }

    /// Whether the two spans share an instant; back-to-back spans do not.
    #[cfg(test)]
    pub fn overlaps(&self, other: &Interval) -> bool {
        self.start < other.end && other.start < self.end
    }

    /// Whether `instant` lies in `[start, end)`.
    #[cfg(test)]
    pub fn contains(&self, instant: DateTime<Utc>) -> bool {
        self.start <= instant && instant < self.end
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iv(start: &str, end: &str) -> Interval {
        Interval::new(start.parse().unwrap(), end.parse().unwrap()).unwrap()
    }

    #[test]
    fn an_interval_must_end_after_it_starts() {
        let t: DateTime<Utc> = "2026-03-02T09:00:00Z".parse().unwrap();
        assert_eq!(
            Interval::new(t, t).unwrap_err(),
            AvailabilityError::EndNotAfterStart { start: t, end: t }
        );
        assert!(Interval::new(t, t - chrono::TimeDelta::minutes(1)).is_err());
    }

    #[test]
    fn back_to_back_intervals_do_not_overlap() {
        let a = iv("2026-03-02T09:00:00Z", "2026-03-02T10:00:00Z");
        let b = iv("2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z");
        let c = iv("2026-03-02T09:59:00Z", "2026-03-02T10:01:00Z");
        assert!(!a.overlaps(&b) && !b.overlaps(&a));
        assert!(a.overlaps(&c) && c.overlaps(&b));
        assert!(a.contains(a.start()) && !a.contains(a.end()));
    }
}
