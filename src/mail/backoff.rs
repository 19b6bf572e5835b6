//! When a failed email is tried again: 1, 2, 4, … minutes after each failure, and no more
//! after [`MAX_ATTEMPTS`] attempts in all (about two hours of trying).

use chrono::{DateTime, Duration, Utc};

/// How many times one email is tried before it is given up.
pub const MAX_ATTEMPTS: u32 = 8;

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    RetryAt(DateTime<Utc>),
    GiveUp,
}

/// After `attempts` failed attempts in all (this one included), failing at `now`.
pub fn after_failure(attempts: u32, now: DateTime<Utc>) -> AfterFailure {
    if attempts >= MAX_ATTEMPTS {
        return AfterFailure::GiveUp;
    }
    AfterFailure::RetryAt(now + Duration::minutes(1i64 << attempts.saturating_sub(1)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn waits_double_after_each_failure_then_gives_up_after_eight_attempts() {
        let now = Utc.with_ymd_and_hms(2026, 11, 25, 8, 0, 0).unwrap();
        let waits: Vec<i64> = (1..MAX_ATTEMPTS)
            .map(|n| match after_failure(n, now) {
                AfterFailure::RetryAt(at) => (at - now).num_minutes(),
                AfterFailure::GiveUp => panic!("gave up after {n}"),
            })
            .collect();
        assert_eq!(waits, vec![1, 2, 4, 8, 16, 32, 64]);
        assert_eq!(after_failure(8, now), AfterFailure::GiveUp);
        assert_eq!(after_failure(9, now), AfterFailure::GiveUp);
    }
}
