//! The "at most N bookings per day" rule, where "day" is a local date in the schedule's zone.
//!
//! A slot on local date D is offered only while fewer than N confirmed bookings of this event
//! type start on D. The bookings' dates are computed once and sorted, so each check is a pair
//! of binary searches.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use super::zone::local_date;

/// The daily cap of one query; allows everything when the rules set no maximum.
pub(crate) struct DailyCap {
    zone: Tz,
    max: Option<u32>,
    booked_dates: Vec<NaiveDate>,
}

impl DailyCap {
    /// Counts `booked_starts` per local date in `zone`; skips the work when there is no cap.
    pub(crate) fn new(zone: Tz, max: Option<u32>, booked_starts: &[DateTime<Utc>]) -> Self {
        let mut booked_dates = match max {
            Some(_) => booked_starts.iter().map(|t| local_date(*t, zone)).collect(),
            None => Vec::new(),
        };
        booked_dates.sort_unstable();
        Self {
            zone,
            max,
            booked_dates,
        }
    }

    /// Whether a meeting starting at `start` still fits under its local day's cap.
    pub(crate) fn allows(&self, start: DateTime<Utc>) -> bool {
        let Some(max) = self.max else { return true };
        let date = local_date(start, self.zone);
        let first = self.booked_dates.partition_point(|d| *d < date);
        let after = self.booked_dates.partition_point(|d| *d <= date);
        after - first < max as usize
    }
}
