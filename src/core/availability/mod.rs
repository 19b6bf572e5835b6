//! The availability (slot) engine: which meeting starts a host offers, given their schedule,
//! an event type's rules, busy time and the clock (issue 3).
//!
//! Pure and deterministic: no I/O, no clock; `now` is a field of [`SlotQuery`].
//!
//! # Inputs
//! - A [`Schedule`]: an IANA zone and, per weekday, zero or more [`LocalRange`]s of local
//!   wall-clock time `[HH:MM, HH:MM)` (the end may be `24:00`; ranges of one day never overlap,
//!   touching is fine), plus date overrides whose list replaces that date's weekday ranges (an
//!   empty list closes the day).
//! - [`SlotRules`]: duration, slot interval (default: the duration), buffers before and after,
//!   minimum notice, booking window (1..=365 days), optional maximum bookings per local day,
//!   per week (from the host's first weekday) and per calendar month ([`PeriodLimits`]).
//! - Busy [`Interval`]s, half-open UTC `[start, end)`, in any order (calendars and bookings).
//! - The start instants of this event type's confirmed bookings, for the caps: all of those in
//!   every day, week and month the requested range touches.
//! - `now` and the requested UTC range ([`local_dates_to_utc`] makes one from the invitee's
//!   local dates).
//!
//! # Semantics
//! 1. A range on local date D in the schedule's zone becomes the instant interval
//!    `[local(D, start), local(D, end))`. A local time that does not exist (DST gap) moves
//!    forward by the gap: 02:30 on 2026-03-29 in Europe/Berlin is 03:30 CEST (01:30Z). An
//!    ambiguous local time (fall-back) takes its earlier instant. `24:00` means 00:00 of D+1,
//!    resolved the same way. A range left empty by this (02:00–03:00 on a night that skips
//!    that hour) offers nothing.
//! 2. Candidate starts begin at the range's start instant and step by the slot interval in
//!    absolute time; a candidate is kept only while `start + duration <= range end`.
//! 3. A candidate is offered only if `start >= now + minimum notice`, `start < now + booking
//!    window` (whole 24-hour days), `[start - buffer_before, start + duration + buffer_after)`
//!    overlaps no busy interval, and, for each maximum, fewer confirmed bookings fall in the
//!    candidate's period than the maximum. A booking belongs to the local date (schedule zone)
//!    of its start instant, so a meeting past midnight counts on the day it starts, and a start
//!    moved out of a DST gap (rule 1) counts on the date of the instant it became, even when a
//!    range that ends in that gap began the day before. Its week is the seven local dates from
//!    the host's first weekday that hold that date; its month the calendar month of that date.
//!    Only starts inside the requested range are returned.
//! 4. The output is sorted by start with no duplicates (ranges of neighbouring dates can meet
//!    around DST changes; a start reached twice is offered once), each slot `start`/`end` in
//!    UTC; [`group_by_local_date`] groups slots by local date in any zone (the invitee's).
//!
//! [`is_offered`] answers rules 1–3 for one start and always agrees with [`available_slots`].
//! Invalid input is an [`AvailabilityError`] with a sentence for the user, never a panic.
//!
//! # Cost
//! Only local dates that can yield a start in `requested range ∩ [now + notice, now + window)`
//! are visited. Busy time is sorted and merged once and swept with a moving index, so a call is
//! O(candidates + busy · log busy).

mod busy;
mod candidates;
mod engine;
mod error;
mod grouping;
mod interval;
mod limits;
mod local_range;
mod rules;
mod schedule;
mod weekly_hours;
mod zone;

#[cfg(test)]
mod dst_tests;
#[cfg(test)]
mod engine_tests;
#[cfg(test)]
mod props;
#[cfg(test)]
mod schedule_tests;
#[cfg(test)]
mod test_support;

pub use engine::{available_slots, is_offered, Slot, SlotQuery};
pub use error::AvailabilityError;
pub use grouping::{group_by_local_date, local_dates_to_utc};
pub use interval::Interval;
pub use limits::{Booked, Measure, Period, Scope};
pub use local_range::LocalRange;
pub use rules::{PeriodLimits, RulesInput, SlotRules};
pub use schedule::Schedule;
pub use weekly_hours::WeeklyHours;
pub use zone::parse_zone;
pub(crate) use zone::resolve_local;
