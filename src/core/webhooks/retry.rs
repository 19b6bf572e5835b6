//! When a failed webhook is tried again, and when an endpoint is given up: the example retry
//! schedule of the Standard Webhooks specification ("Deliverability and reliability": 5 s,
//! 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h, about three days in all) with up to a tenth
//! of random jitter, each wait at least a minute because the cron runs once a minute. An
//! endpoint that has failed every attempt for [`DISABLE_AFTER_FAILING_FOR`], or answered
//! `410 Gone`, is disabled and its host told once, as the specification recommends.

use chrono::{DateTime, Duration, Utc};

/// The waits after the 1st, 2nd, … failed attempt, in seconds; after the last, give up.
const WAITS: [i64; 9] = [
    5,
    5 * 60,
    30 * 60,
    2 * 3600,
    5 * 3600,
    10 * 3600,
    14 * 3600,
    20 * 3600,
    24 * 3600,
];

/// How many times one webhook is attempted in all.
pub const MAX_ATTEMPTS: u32 = WAITS.len() as u32 + 1;

/// How long an endpoint may fail every attempt before it is disabled: a little less than one
/// webhook's whole schedule, so a single undeliverable webhook is enough to reach it.
pub const DISABLE_AFTER_FAILING_FOR: Duration = Duration::hours(72);

/// The shortest wait: the cron runs once a minute.
const MIN_WAIT_SECONDS: i64 = 60;

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    RetryAt(DateTime<Utc>),
    GiveUp,
}

/// After `attempts` failed attempts in all (this one included), failing at `now`; `jitter`
/// in `[0, 1)` (random) spreads retries by up to a tenth of the wait.
pub fn after_failure(attempts: u32, now: DateTime<Utc>, jitter: f64) -> AfterFailure {
    if attempts >= MAX_ATTEMPTS {
        return AfterFailure::GiveUp;
    }
    let Some(wait) = attempts
        .checked_sub(1)
        .and_then(|index| WAITS.get(index as usize))
    else {
        return AfterFailure::GiveUp;
    };
    let spread = (*wait as f64 * 0.1 * jitter.clamp(0.0, 1.0)) as i64;
    AfterFailure::RetryAt(now + Duration::seconds((*wait + spread).max(MIN_WAIT_SECONDS)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn follows_the_specifications_schedule_then_gives_up() {
        let now = Utc.with_ymd_and_hms(2026, 12, 4, 8, 0, 0).unwrap();
        let waits: Vec<i64> = (1..MAX_ATTEMPTS)
            .map(|n| match after_failure(n, now, 0.0) {
                AfterFailure::RetryAt(at) => (at - now).num_seconds(),
                AfterFailure::GiveUp => panic!("gave up after {n}"),
            })
            .collect();
        assert_eq!(
            waits,
            vec![60, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400]
        );
        assert_eq!(after_failure(MAX_ATTEMPTS, now, 0.0), AfterFailure::GiveUp);
        assert_eq!(after_failure(0, now, 0.0), AfterFailure::GiveUp);
    }

    #[test]
    fn jitter_adds_at_most_a_tenth() {
        let now = Utc.with_ymd_and_hms(2026, 12, 4, 8, 0, 0).unwrap();
        let AfterFailure::RetryAt(at) = after_failure(4, now, 0.999) else {
            panic!("gave up")
        };
        let wait = (at - now).num_seconds();
        assert!((7200..7920).contains(&wait), "{wait}");
    }

    #[test]
    fn one_undeliverable_webhook_outlasts_the_disabling_threshold() {
        let total: i64 = WAITS.iter().sum();
        assert!(Duration::seconds(total) > DISABLE_AFTER_FAILING_FOR);
    }
}
