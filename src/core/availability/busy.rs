//! Busy time as the engine sweeps it: sorted and merged once, then walked with a moving index.
//!
//! Invariant: the merged spans are sorted, disjoint and non-touching, so "does `[a, b)` overlap
//! anything busy" only needs the first merged span that ends after `a`. Queries arrive in
//! increasing order, so the index only moves forward and a whole sweep is O(candidates + busy).

use chrono::{DateTime, Utc};

use super::interval::Interval;

/// Busy spans merged for a sweep over increasing query starts.
pub(crate) struct BusySweep {
    merged: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    next: usize,
}

impl BusySweep {
    /// Sorts and merges the busy spans that could touch `[from, to)`; others are dropped first.
    pub(crate) fn new(busy: &[Interval], from: DateTime<Utc>, to: DateTime<Utc>) -> Self {
        let mut spans: Vec<_> = busy
            .iter()
            .filter(|b| b.start() < to && from < b.end())
            .map(|b| (b.start(), b.end()))
            .collect();
        crate::core::sort::sort_by_key(&mut spans, &|(start, end)| {
            (start.timestamp_micros(), end.timestamp_micros())
        });
        let mut merged: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::with_capacity(spans.len());
        for (start, end) in spans {
            match merged.last_mut() {
                Some(last) if start <= last.1 => last.1 = last.1.max(end),
                _ => merged.push((start, end)),
            }
        }
        Self { merged, next: 0 }
    }

    /// Whether `[start, end)` overlaps busy time. Successive calls must not decrease `start`
    /// or `end` (the engine's blocked spans have a fixed length and increasing starts).
    pub(crate) fn blocks(&mut self, start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
        while self
            .merged
            .get(self.next)
            .is_some_and(|span| span.1 <= start)
        {
            self.next += 1;
        }
        self.merged.get(self.next).is_some_and(|span| span.0 < end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(hhmm: &str) -> DateTime<Utc> {
        format!("2026-03-02T{hhmm}:00Z").parse().unwrap()
    }

    fn iv(start: &str, end: &str) -> Interval {
        Interval::new(t(start), t(end)).unwrap()
    }

    #[test]
    fn unsorted_overlapping_and_touching_busy_spans_are_merged() {
        let busy = [
            iv("11:00", "12:00"),
            iv("09:00", "10:00"),
            iv("09:30", "10:30"),
            iv("10:30", "10:45"),
        ];
        let sweep = BusySweep::new(&busy, t("00:00"), t("23:00"));
        assert_eq!(
            sweep.merged,
            vec![(t("09:00"), t("10:45")), (t("11:00"), t("12:00"))]
        );
    }

    #[test]
    fn a_sweep_finds_overlaps_and_lets_back_to_back_spans_through() {
        let busy = [iv("09:00", "10:00"), iv("13:00", "14:00")];
        let mut sweep = BusySweep::new(&busy, t("00:00"), t("23:00"));
        assert!(!sweep.blocks(t("08:00"), t("09:00")));
        assert!(sweep.blocks(t("08:30"), t("09:30")));
        assert!(!sweep.blocks(t("10:00"), t("11:00")));
        assert!(!sweep.blocks(t("12:00"), t("13:00")));
        assert!(sweep.blocks(t("13:59"), t("14:59")));
        assert!(!sweep.blocks(t("14:00"), t("15:00")));
    }

    #[test]
    fn busy_spans_outside_the_sweep_are_dropped() {
        let busy = [
            iv("01:00", "02:00"),
            iv("09:00", "10:00"),
            iv("22:00", "23:00"),
        ];
        let sweep = BusySweep::new(&busy, t("02:00"), t("22:00"));
        assert_eq!(sweep.merged, vec![(t("09:00"), t("10:00"))]);
    }
}
