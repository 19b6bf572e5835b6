//! The one error type of the availability engine.
//!
//! Every way a schedule, a set of rules or a request can be malformed has its own variant, so
//! the HTTP layer can map it to a 4xx without parsing strings, and its `Display` is a sentence a
//! host or invitee understands (it is shown to them as is).

use chrono::{DateTime, NaiveDate, Utc};

use super::local_range::LocalRange;
use super::rules::{
    MAX_BOOKING_WINDOW_DAYS, MAX_BUFFER_MINUTES, MAX_DURATION_MINUTES, MAX_INTERVAL_MINUTES,
    MAX_NOTICE_MINUTES,
};

/// Why availability input was rejected; each message is fit to show to the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AvailabilityError {
    /// The zone name is not in the IANA database we ship.
    #[error("\"{0}\" is not a time zone we know; use an IANA name such as Europe/Berlin")]
    UnknownZone(String),

    /// A time of day that is not `HH:MM` between 00:00 and 24:00.
    #[error("\"{0}\" is not a time of day; write it as HH:MM between 00:00 and 24:00")]
    InvalidTimeOfDay(String),

    /// A minute-of-day past 24:00.
    #[error("minute {0} is outside a day; use 0 (00:00) to 1440 (24:00)")]
    MinuteOutOfDay(u16),

    /// A range whose end is not after its start.
    #[error("the time range {start}–{end} must end after it starts")]
    EmptyRange {
        /// The start as typed, `HH:MM`.
        start: String,
        /// The end as typed, `HH:MM`.
        end: String,
    },

    /// Two ranges of the same day share some minutes (touching is fine).
    #[error("the time ranges {first} and {second} on {day} overlap")]
    OverlappingRanges {
        /// The weekday ("Monday") or override date ("2026-03-29").
        day: String,
        /// The earlier of the two ranges.
        first: LocalRange,
        /// The range that starts before `first` ends.
        second: LocalRange,
    },

    /// The same date was overridden twice, so it is unclear which hours apply.
    #[error("{0} has more than one date override; keep one list of hours per date")]
    DuplicateOverride(NaiveDate),

    /// A meeting of zero minutes.
    #[error("a meeting must last at least one minute")]
    ZeroDuration,

    /// A meeting longer than a day.
    #[error("a meeting of {0} minutes is too long; the most is {max} minutes (24 hours)", max = MAX_DURATION_MINUTES)]
    DurationTooLong(u32),

    /// A slot interval of zero minutes would never advance.
    #[error("the time between slot starts must be at least one minute")]
    ZeroInterval,

    /// A slot interval longer than a day.
    #[error("a slot interval of {0} minutes is too long; the most is {max} minutes (24 hours)", max = MAX_INTERVAL_MINUTES)]
    IntervalTooLong(u32),

    /// A buffer longer than a day.
    #[error("a buffer of {minutes} minutes {side} a meeting is too long; the most is {max} minutes (24 hours)", max = MAX_BUFFER_MINUTES)]
    BufferTooLong {
        /// "before" or "after".
        side: &'static str,
        /// The rejected value.
        minutes: u32,
    },

    /// A minimum notice longer than a year.
    #[error("a minimum notice of {0} minutes is too long; the most is {max} minutes (365 days)", max = MAX_NOTICE_MINUTES)]
    NoticeTooLong(u32),

    /// A booking window of 0 days or more than a year.
    #[error("the booking window must be between 1 and {max} days ahead, not {0}", max = MAX_BOOKING_WINDOW_DAYS)]
    BookingWindowOutOfRange(u32),

    /// A daily maximum of zero would silently hide every slot.
    #[error("a daily maximum of 0 bookings would hide every slot; leave it empty for no limit")]
    ZeroDailyMaximum,

    /// A weekly or monthly maximum of zero would silently hide every slot.
    #[error("a {0} maximum of 0 bookings would hide every slot; leave it empty for no limit")]
    ZeroPeriodMaximum(&'static str),

    /// A span of time whose end is not after its start.
    #[error("the time span must end after it starts ({start} is not before {end})")]
    EndNotAfterStart {
        /// The requested start.
        start: DateTime<Utc>,
        /// The requested end.
        end: DateTime<Utc>,
    },

    /// A date range whose last day comes before its first.
    #[error("the date range must end on or after its first day ({to} is before {from})")]
    DatesReversed {
        /// The first day asked for.
        from: NaiveDate,
        /// The last day asked for.
        to: NaiveDate,
    },

    /// A date at the edge of what the calendar types can represent.
    #[error("{0} is outside the dates this calendar can handle")]
    DateOutOfRange(NaiveDate),
}
