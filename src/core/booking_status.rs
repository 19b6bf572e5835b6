//! A booking's status, parsed once where D1's row is read (the store's rows deserialize
//! straight into it), so no page, API or job compares status strings.
//!
//! D1 keeps `bookings.status` (`confirmed` or `cancelled`, its CHECK) and, for an event type
//! that needs the host's approval, `awaiting_approval_until` and `request_outcome`
//! (migration 0029). The store reads the three as one word (`store::bookings`): a request still
//! waiting is a row that holds its time like any confirmed booking, so the one booking
//! statement counts it without a rule of its own.

use serde::{Deserialize, Serialize};

/// Where a booking stands, as the store reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BookingStatus {
    /// A request waiting for the host's approval: its time is held, no event or meeting is
    /// made yet, and it expires unless the host answers first.
    Pending,
    /// The time is taken; the meeting happens (or happened).
    Confirmed,
    /// Cancelled by either side, or moved (then `rescheduled_to` names the new booking).
    Cancelled,
    /// A request the host declined.
    Declined,
    /// A request the host did not answer in time.
    Expired,
}

/// How a booking reads to people: a cancelled booking that moved on was rescheduled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Pending,
    Confirmed,
    Cancelled,
    Rescheduled,
    Declined,
    Expired,
}

impl BookingStatus {
    /// The standing of a booking with this status whose move (if any) went to
    /// `rescheduled_to`.
    pub fn standing(self, rescheduled_to: Option<&str>) -> Standing {
        match (self, rescheduled_to) {
            (Self::Pending, _) => Standing::Pending,
            (Self::Confirmed, _) => Standing::Confirmed,
            (Self::Cancelled, Some(_)) => Standing::Rescheduled,
            (Self::Cancelled, None) => Standing::Cancelled,
            (Self::Declined, _) => Standing::Declined,
            (Self::Expired, _) => Standing::Expired,
        }
    }

    /// Whether the meeting is on: confirmed (a request still waiting is not).
    pub fn is_confirmed(self) -> bool {
        self == Self::Confirmed
    }

    /// Whether the time is still held by this booking: confirmed, or a request waiting.
    pub fn holds_time(self) -> bool {
        matches!(self, Self::Confirmed | Self::Pending)
    }

    /// Whether it no longer holds its time: cancelled, moved away, declined or expired.
    pub fn is_cancelled(self) -> bool {
        !self.holds_time()
    }
}

impl Standing {
    /// The API's word for it (`openapi.yaml`: `pending`, `confirmed`, `cancelled`,
    /// `rescheduled`, `declined`, `expired`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Confirmed => "confirmed",
            Self::Cancelled => "cancelled",
            Self::Rescheduled => "rescheduled",
            Self::Declined => "declined",
            Self::Expired => "expired",
        }
    }
}

/// How a request that was never approved ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestOutcome {
    /// The host said no.
    Declined,
    /// The host did not answer before the hold ran out.
    Expired,
}

impl RequestOutcome {
    /// The value of `bookings.request_outcome`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Declined => "declined",
            Self::Expired => "expired",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_words_parse_and_anything_else_is_refused() {
        let parse = |word: &str| serde_json::from_str::<BookingStatus>(&format!("\"{word}\""));
        assert_eq!(parse("confirmed").unwrap(), BookingStatus::Confirmed);
        assert_eq!(parse("cancelled").unwrap(), BookingStatus::Cancelled);
        assert_eq!(parse("pending").unwrap(), BookingStatus::Pending);
        assert_eq!(parse("declined").unwrap(), BookingStatus::Declined);
        assert_eq!(parse("expired").unwrap(), BookingStatus::Expired);
        assert!(parse("Confirmed").is_err());
        assert!(parse("approved").is_err());
    }

    #[test]
    fn a_cancelled_booking_that_moved_on_reads_as_rescheduled() {
        use BookingStatus::*;
        assert_eq!(Confirmed.standing(None), Standing::Confirmed);
        assert_eq!(Cancelled.standing(None), Standing::Cancelled);
        assert_eq!(Cancelled.standing(Some("b2")).as_str(), "rescheduled");
        assert_eq!(Pending.standing(None).as_str(), "pending");
        assert_eq!(Declined.standing(None).as_str(), "declined");
        assert_eq!(Expired.standing(None).as_str(), "expired");
    }

    #[test]
    fn a_waiting_request_holds_its_time_but_is_not_confirmed() {
        use BookingStatus::*;
        assert!(Pending.holds_time() && !Pending.is_confirmed() && !Pending.is_cancelled());
        assert!(Confirmed.holds_time() && Confirmed.is_confirmed());
        for ended in [Cancelled, Declined, Expired] {
            assert!(ended.is_cancelled() && !ended.holds_time(), "{ended:?}");
        }
    }
}
