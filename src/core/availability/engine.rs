//! The slot engine: every bookable start for a query (rules 2–4), and the same test for one start.
//!
//! `available_slots` collects candidates from the dates that can matter, sorts and dedups them
//! (ranges of neighbouring dates can meet around DST changes), then sweeps busy time once with a
//! moving index. `is_offered` answers for one start without the sweep, and the property tests
//! check that both always agree.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::busy::BusySweep;
use super::candidates::{
    is_candidate_of, push_candidates, range_span, saturating_add, saturating_sub, source_dates,
    OfferBounds,
};
use super::interval::Interval;
use super::limits::{Booked, BookingLimits};
use super::rules::SlotRules;
use super::schedule::Schedule;

/// One bookable meeting, as UTC instants; the Worker serializes these to JSON as RFC 3339.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Slot {
    /// When the meeting starts.
    pub start: DateTime<Utc>,
    /// When it ends: `start + duration`.
    pub end: DateTime<Utc>,
}

/// Everything one availability question needs; `now` is a parameter so tests control the clock.
#[derive(Clone, Copy, Debug)]
pub struct SlotQuery<'a> {
    /// The host's working hours.
    pub schedule: &'a Schedule,
    /// The event type's rules.
    pub rules: &'a SlotRules,
    /// Busy time from calendars and confirmed bookings; any order, overlaps allowed.
    pub busy: &'a [Interval],
    /// The host's confirmed bookings, for the limits (`limits.rs`): all of those in every
    /// period the range touches (only the event type's own when the host sets no limit).
    pub booked: &'a [Booked],
    /// The current instant.
    pub now: DateTime<Utc>,
    /// Only starts inside this span are returned.
    pub range: Interval,
}

/// Every offered slot of the query, sorted by start, without duplicates.
pub fn available_slots(q: &SlotQuery) -> Vec<Slot> {
    let Some(bounds) = OfferBounds::of(q) else {
        return Vec::new();
    };
    let zone = q.schedule.zone();
    let (interval, duration) = (q.rules.interval(), q.rules.duration());
    let mut starts = Vec::new();
    for date in source_dates(zone, bounds.lo, bounds.hi) {
        for range in q.schedule.ranges_on(date) {
            if let Some(span) = range_span(zone, date, range) {
                push_candidates(span, bounds, interval, duration, &mut starts);
            }
        }
    }
    crate::core::sort::sort_by_key(&mut starts, &|t| (t.timestamp_micros(), 0));
    starts.dedup();

    let (before, after) = (q.rules.buffer_before(), q.rules.buffer_after());
    let blocked_span = |start| {
        (
            saturating_sub(start, before),
            saturating_add(saturating_add(start, duration), after),
        )
    };
    let (Some(first), Some(last)) = (starts.first(), starts.last()) else {
        return Vec::new();
    };
    let mut busy = BusySweep::new(q.busy, blocked_span(*first).0, blocked_span(*last).1);
    let cap = BookingLimits::new(zone, q.rules.limits(), q.booked, q.rules.duration_minutes());
    starts
        .into_iter()
        .filter(|start| {
            let (from, to) = blocked_span(*start);
            !busy.blocks(from, to) && cap.allows(*start)
        })
        .map(|start| Slot {
            start,
            end: saturating_add(start, duration),
        })
        .collect()
}

/// Whether exactly this start would be offered, e.g. to validate a booking request without
/// listing every slot. Agrees with [`available_slots`] for every query and instant.
pub fn is_offered(q: &SlotQuery, start: DateTime<Utc>) -> bool {
    let Some(bounds) = OfferBounds::of(q) else {
        return false;
    };
    if !bounds.contains(start) {
        return false;
    }
    let zone = q.schedule.zone();
    let (interval, duration) = (q.rules.interval(), q.rules.duration());
    let from_schedule = source_dates(zone, start, start).any(|date| {
        q.schedule.ranges_on(date).iter().any(|range| {
            range_span(zone, date, range)
                .is_some_and(|span| is_candidate_of(span, start, interval, duration))
        })
    });
    if !from_schedule {
        return false;
    }
    let blocked_from = saturating_sub(start, q.rules.buffer_before());
    let blocked_to = saturating_add(saturating_add(start, duration), q.rules.buffer_after());
    let is_busy = q
        .busy
        .iter()
        .any(|b| b.start() < blocked_to && blocked_from < b.end());
    !is_busy
        && BookingLimits::new(zone, q.rules.limits(), q.booked, q.rules.duration_minutes())
            .allows(start)
}
