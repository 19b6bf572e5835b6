//! A few seconds' memory of a host's busy times, so public booking pages do not ask the
//! calendar provider on every view: however many people (or scripts) open a host's page, the
//! provider is asked at most once per host and range every [`FRESH_FOR_MS`].
//!
//! It lives in the Worker's memory only (never D1 or KV: busy times are the host's, and only
//! ever needed for seconds), holds at most [`MAX_ENTRIES`] ranges, and is never used for the
//! check that confirms a booking, which always asks the provider afresh. Pure: the caller passes
//! the time.


use super::availability::Interval;
use super::small_map::SmallMap;

/// How long busy times read for a page are reused.
pub const FRESH_FOR_MS: i64 = 5_000;

/// Ranges remembered at most; beyond that the stalest are dropped first.
pub const MAX_ENTRIES: usize = 512;

/// Busy times by host and range, each with when it was read.
#[derive(Debug, Default)]
pub struct BusyCache {
    entries: SmallMap<(String, i64, i64), (i64, Vec<Interval>)>,
}

fn key(host_id: &str, window: Interval) -> (String, i64, i64) {
    (
        host_id.to_owned(),
        window.start().timestamp(),
        window.end().timestamp(),
    )
}

impl BusyCache {
    /// The busy times of `host_id` over exactly `window`, if read less than
    /// [`FRESH_FOR_MS`] before `now_ms`.
    pub fn get(&self, host_id: &str, window: Interval, now_ms: i64) -> Option<Vec<Interval>> {
        self.entries
            .get(&key(host_id, window))
            .filter(|(read_at, _)| now_ms - read_at < FRESH_FOR_MS && now_ms >= *read_at)
            .map(|(_, busy)| busy.clone())
    }

    /// Remembers what was read at `now_ms`, dropping what is stale.
    pub fn put(&mut self, host_id: &str, window: Interval, now_ms: i64, busy: Vec<Interval>) {
        self.entries
            .retain(|_, (read_at, _)| now_ms - *read_at < FRESH_FOR_MS);
        while self.entries.count() >= MAX_ENTRIES {
            let Some(oldest) = self
                .entries
                .iter()
                .min_by_key(|(_, (read_at, _))| *read_at)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            self.entries.remove(&oldest);
        }
        self.entries.insert(key(host_id, window), (now_ms, busy));
    }

    /// How many ranges are remembered.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.entries.count()
    }

    /// Whether nothing is remembered.
    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.entries.count() == 0
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;

    fn window(day: u32) -> Interval {
        Interval::new(
            Utc.with_ymd_and_hms(2026, 12, day, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2026, 12, day + 1, 0, 0, 0).unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn busy_times_are_reused_for_a_few_seconds_for_the_same_host_and_range_only() {
        let mut cache = BusyCache::default();
        let busy = vec![window(3)];
        cache.put("h1", window(2), 1_000, busy.clone());
        assert_eq!(cache.get("h1", window(2), 1_000), Some(busy.clone()));
        assert_eq!(
            cache.get("h1", window(2), 1_000 + FRESH_FOR_MS - 1),
            Some(busy)
        );
        assert_eq!(cache.get("h1", window(2), 1_000 + FRESH_FOR_MS), None);
        assert_eq!(cache.get("h2", window(2), 1_001), None);
        assert_eq!(cache.get("h1", window(4), 1_001), None);
        // A clock that went back does not make old data fresh.
        assert_eq!(cache.get("h1", window(2), 999), None);
    }

    #[test]
    fn stale_entries_go_and_the_size_stays_bounded() {
        let mut cache = BusyCache::default();
        cache.put("old", window(2), 0, Vec::new());
        cache.put("new", window(2), FRESH_FOR_MS, Vec::new());
        assert_eq!(cache.len(), 1, "the stale entry went");
        for n in 0..(MAX_ENTRIES as i64 + 50) {
            cache.put(&format!("h{n}"), window(2), FRESH_FOR_MS + n, Vec::new());
        }
        assert_eq!(cache.len(), MAX_ENTRIES);
        let last = format!("h{}", MAX_ENTRIES as i64 + 49);
        assert!(cache
            .get(&last, window(2), FRESH_FOR_MS + MAX_ENTRIES as i64 + 49)
            .is_some());
    }
}
