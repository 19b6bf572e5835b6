//! A booking's status, parsed once where D1's row is read (the store's rows deserialize
//! straight into it), so no page, API or job compares status strings.

use serde::{Deserialize, Serialize};

/// What `bookings.status` holds (its CHECK constraint allows exactly these two).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BookingStatus {
    /// The time is taken; the meeting happens (or happened).
    Confirmed,
    /// Cancelled by either side, or moved (then `rescheduled_to` names the new booking).
    Cancelled,
}

/// How a booking reads to people: a cancelled booking that moved on was rescheduled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Confirmed,
    Cancelled,
    Rescheduled,
}

impl BookingStatus {
    /// The standing of a booking with this status whose move (if any) went to
    /// `rescheduled_to`.
    pub fn standing(self, rescheduled_to: Option<&str>) -> Standing {
        match (self, rescheduled_to) {
            (Self::Confirmed, _) => Standing::Confirmed,
            (Self::Cancelled, Some(_)) => Standing::Rescheduled,
            (Self::Cancelled, None) => Standing::Cancelled,
        }
    }

    /// Whether the time is still taken by this booking.
    pub fn is_confirmed(self) -> bool {
        self == Self::Confirmed
    }

    /// Whether the booking was cancelled or moved away.
    pub fn is_cancelled(self) -> bool {
        self == Self::Cancelled
    }
}

impl Standing {
    /// The API's word for it (`openapi.yaml`: `confirmed`, `cancelled`, `rescheduled`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Confirmed => "confirmed",
            Self::Cancelled => "cancelled",
            Self::Rescheduled => "rescheduled",
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
        assert!(parse("Confirmed").is_err());
        assert!(parse("pending").is_err());
    }

    #[test]
    fn a_cancelled_booking_that_moved_on_reads_as_rescheduled() {
        use BookingStatus::*;
        assert_eq!(Confirmed.standing(None), Standing::Confirmed);
        assert_eq!(Cancelled.standing(None), Standing::Cancelled);
        assert_eq!(Cancelled.standing(Some("b2")).as_str(), "rescheduled");
    }
}
