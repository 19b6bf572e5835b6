//! The invitee's view: slots grouped by their local date, and local dates turned into a UTC range.
//!
//! An invitee picks days on their own calendar, so both helpers take the invitee's zone, which
//! need not be the schedule's. A day starts at its first instant: local midnight, resolved like
//! every local time (rule 1), so a day whose midnight is skipped starts when the clock resumes.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use chrono_tz::Tz;
use serde::Serialize;

use super::engine::Slot;
use super::error::AvailabilityError;
use super::interval::Interval;
use super::zone::{local_date, local_instant};

/// The slots starting on one local date of the invitee, in start order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DaySlots {
    /// The invitee's local date.
    pub date: NaiveDate,
    /// Slots whose start falls on `date` in the invitee's zone.
    pub slots: Vec<Slot>,
}

/// Groups slots by the local date of their start in `zone`, dates ascending; within a date the
/// input order is kept (sorted input stays sorted).
pub fn group_by_local_date(slots: &[Slot], zone: Tz) -> Vec<DaySlots> {
    let mut days: BTreeMap<NaiveDate, Vec<Slot>> = BTreeMap::new();
    for slot in slots {
        days.entry(local_date(slot.start, zone))
            .or_default()
            .push(*slot);
    }
    days.into_iter()
        .map(|(date, slots)| DaySlots { date, slots })
        .collect()
}

/// The UTC span of whole local days `from..=to_inclusive` in `zone`: from the start of `from`
/// to the start of the day after `to_inclusive`, for "show me next week" in the invitee's zone.
pub fn local_dates_to_utc(
    from: NaiveDate,
    to_inclusive: NaiveDate,
    zone: Tz,
) -> Result<Interval, AvailabilityError> {
    if to_inclusive < from {
        return Err(AvailabilityError::DatesReversed {
            from,
            to: to_inclusive,
        });
    }
    let start = local_instant(zone, from, 0).ok_or(AvailabilityError::DateOutOfRange(from))?;
    let end = to_inclusive
        .checked_add_days(Days::new(1))
        .and_then(|next| local_instant(zone, next, 0))
        .ok_or(AvailabilityError::DateOutOfRange(to_inclusive))?;
    Interval::new(start, end)
}
