//! Single-use links: a link a host hands one person, which books one meeting of an event type
//! and then stops working, or stops at its expiry if it has one.
//!
//! The state of a link is decided here from what D1 keeps (when it was used, when it expires)
//! and the current time; the booking statement applies the same rule atomically
//! (`store::bookings`), so a link is used by exactly one booking even under a race.

use chrono::{DateTime, Duration, Utc};

use super::booking::FieldErrors;

/// Longest validity a host may give a link, in days (a year; more is a typo).
pub const MAX_VALID_DAYS: i64 = 365;

/// Where a link stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    /// It books one meeting.
    Open,
    /// It booked its meeting.
    Used,
    /// Its time ran out before anyone booked through it.
    Expired,
}

impl LinkState {
    /// The state of a link used at `used_at` (if ever) and expiring at `expires_at` (if
    /// ever), at `now` (all Unix seconds, as D1 keeps them). A link expires at the instant
    /// `expires_at`: from then on it books nothing (the statement's `expires_at > now`).
    pub fn at(used_at: Option<i64>, expires_at: Option<i64>, now: i64) -> Self {
        match (used_at, expires_at) {
            (Some(_), _) => LinkState::Used,
            (None, Some(end)) if end <= now => LinkState::Expired,
            (None, _) => LinkState::Open,
        }
    }

    /// The state's name in the host API (`open`, `used`, `expired`).
    pub fn as_str(self) -> &'static str {
        match self {
            LinkState::Open => "open",
            LinkState::Used => "used",
            LinkState::Expired => "expired",
        }
    }
}

/// The expiry of a new link from the dashboard's "valid for … days" field: empty for none,
/// else whole days from `now`, 1 to [`MAX_VALID_DAYS`]; errors are reported under `field`.
pub fn expiry_in_days(
    text: &str,
    now: DateTime<Utc>,
    field: &'static str,
) -> Result<Option<DateTime<Utc>>, FieldErrors> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    match text.parse::<i64>() {
        Ok(days) if (1..=MAX_VALID_DAYS).contains(&days) => Ok(Some(now + Duration::days(days))),
        _ => Err(FieldErrors::one(
            field,
            format!("Enter a whole number of days from 1 to {MAX_VALID_DAYS}, or leave it empty for a link that does not expire."),
        )),
    }
}

/// Checks an expiry given as an instant (the host API): after `now` and at most
/// [`MAX_VALID_DAYS`] ahead.
pub fn checked_expiry(
    at: DateTime<Utc>,
    now: DateTime<Utc>,
    field: &'static str,
) -> Result<DateTime<Utc>, FieldErrors> {
    if at <= now {
        Err(FieldErrors::one(field, "Give an expiry in the future."))
    } else if at - now > Duration::days(MAX_VALID_DAYS) {
        Err(FieldErrors::one(
            field,
            format!("Give an expiry at most {MAX_VALID_DAYS} days ahead."),
        ))
    } else {
        Ok(at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap()
    }

    #[test]
    fn a_used_link_stays_used_even_past_its_expiry() {
        assert_eq!(LinkState::at(Some(1), None, 100), LinkState::Used);
        assert_eq!(LinkState::at(Some(1), Some(95), 100), LinkState::Used);
    }

    #[test]
    fn a_link_expires_at_its_expiry_instant_and_is_open_before() {
        assert_eq!(LinkState::at(None, Some(101), 100), LinkState::Open);
        assert_eq!(LinkState::at(None, Some(100), 100), LinkState::Expired);
        assert_eq!(LinkState::at(None, None, 100), LinkState::Open);
    }

    #[test]
    fn days_of_validity_are_whole_and_bounded() {
        assert_eq!(expiry_in_days(" ", now(), "valid_days").unwrap(), None);
        assert_eq!(
            expiry_in_days("7", now(), "valid_days").unwrap(),
            Some(now() + Duration::days(7))
        );
        for bad in ["0", "366", "-1", "1.5", "a week"] {
            let errors = expiry_in_days(bad, now(), "valid_days").unwrap_err();
            assert!(errors.get("valid_days").is_some(), "{bad}");
        }
    }

    #[test]
    fn an_instant_expiry_is_ahead_and_within_a_year() {
        assert!(checked_expiry(now(), now(), "expires_at").is_err());
        assert!(checked_expiry(now() + Duration::days(366), now(), "expires_at").is_err());
        assert_eq!(
            checked_expiry(now() + Duration::hours(2), now(), "expires_at").unwrap(),
            now() + Duration::hours(2)
        );
    }
}
