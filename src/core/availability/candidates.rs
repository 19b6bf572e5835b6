//! Where candidate starts come from (rules 1 and 2), shared by the sweep and the single check.
//!
//! A range on local date D becomes `[local(D, start), local(D, end))` in absolute time; its
//! candidates are `range start + k × interval` for k = 0, 1, ... while `start + duration` still
//! fits before the range's end. Only dates that can produce a start inside the offer bounds
//! (requested range ∩ [now + notice, now + window)) are looked at.

use chrono::{DateTime, Days, NaiveDate, TimeDelta, Utc};
use chrono_tz::Tz;

use super::engine::SlotQuery;
use super::local_range::LocalRange;
use super::zone::{local_date, local_instant};

/// Local dates looked at before the date of the first possible start: a range on date E can
/// yield starts whose own local date is later than E (24:00, or a start pushed over midnight by
/// a DST gap, by at most the gap, which the tz database keeps to a day).
const DAYS_BEFORE: u64 = 3;
/// Local dates looked at after the date of the last possible start: a fall-back across midnight
/// can give a later instant an earlier local date.
const DAYS_AFTER: u64 = 1;

/// `[lo, hi)`: the instants a slot start may take for a query, before busy time and the cap.
#[derive(Clone, Copy, Debug)]
pub(crate) struct OfferBounds {
    pub(crate) lo: DateTime<Utc>,
    pub(crate) hi: DateTime<Utc>,
}

impl OfferBounds {
    /// The requested range cut to `[now + notice, now + window)`; `None` when nothing is left.
    pub(crate) fn of(q: &SlotQuery) -> Option<Self> {
        let earliest = saturating_add(q.now, q.rules.notice());
        let window_end = saturating_add(q.now, q.rules.window());
        let lo = q.range.start().max(earliest);
        let hi = q.range.end().min(window_end);
        (lo < hi).then_some(Self { lo, hi })
    }

    /// Whether a start is allowed by the range, notice and window rules.
    pub(crate) fn contains(&self, start: DateTime<Utc>) -> bool {
        self.lo <= start && start < self.hi
    }
}

/// The local dates (schedule zone) whose ranges can produce a start in `[lo, hi]`, in order.
pub(crate) fn source_dates(
    zone: Tz,
    lo: DateTime<Utc>,
    hi: DateTime<Utc>,
) -> impl Iterator<Item = NaiveDate> {
    let first = local_date(lo, zone);
    let first = first
        .checked_sub_days(Days::new(DAYS_BEFORE))
        .unwrap_or(first);
    let last = local_date(hi, zone);
    let last = last.checked_add_days(Days::new(DAYS_AFTER)).unwrap_or(last);
    first.iter_days().take_while(move |date| *date <= last)
}

/// The absolute span of `range` on local `date` (rule 1); `None` if DST resolution leaves it
/// empty (e.g. 02:00–03:00 on a night that skips that hour) or the date is out of reach.
pub(crate) fn range_span(
    zone: Tz,
    date: NaiveDate,
    range: &LocalRange,
) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let start = local_instant(zone, date, range.start_minute())?;
    let end = local_instant(zone, date, range.end_minute())?;
    (start < end).then_some((start, end))
}

/// Appends the candidate starts of one span that lie in `bounds`, jumping straight to the first
/// one at or after `bounds.lo` instead of stepping there.
pub(crate) fn push_candidates(
    span: (DateTime<Utc>, DateTime<Utc>),
    bounds: OfferBounds,
    interval: TimeDelta,
    duration: TimeDelta,
    out: &mut Vec<DateTime<Utc>>,
) {
    let (span_start, span_end) = span;
    let Some(last_start) = span_end.checked_sub_signed(duration) else {
        return;
    };
    let mut start = span_start;
    if bounds.lo > span_start {
        let Some(step) = interval.num_nanoseconds() else {
            return;
        };
        let Some(behind) = (bounds.lo - span_start).num_nanoseconds() else {
            return;
        };
        let steps = behind / step + i64::from(behind % step != 0);
        let Some(jump) = steps.checked_mul(step) else {
            return;
        };
        let Some(first) = span_start.checked_add_signed(TimeDelta::nanoseconds(jump)) else {
            return;
        };
        start = first;
    }
    while start < bounds.hi && start <= last_start {
        out.push(start);
        let Some(next) = start.checked_add_signed(interval) else {
            return;
        };
        start = next;
    }
}

/// Whether `start` is one of the span's candidates: inside it, meeting fits, on the step grid.
pub(crate) fn is_candidate_of(
    span: (DateTime<Utc>, DateTime<Utc>),
    start: DateTime<Utc>,
    interval: TimeDelta,
    duration: TimeDelta,
) -> bool {
    let (span_start, span_end) = span;
    if start < span_start
        || span_end
            .checked_sub_signed(duration)
            .is_none_or(|last| start > last)
    {
        return false;
    }
    match (
        (start - span_start).num_nanoseconds(),
        interval.num_nanoseconds(),
    ) {
        (Some(offset), Some(step)) => offset % step == 0,
        _ => false,
    }
}

/// `t + d`, or the last representable instant instead of overflowing.
pub(crate) fn saturating_add(t: DateTime<Utc>, d: TimeDelta) -> DateTime<Utc> {
    t.checked_add_signed(d).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// `t - d`, or the first representable instant instead of overflowing.
pub(crate) fn saturating_sub(t: DateTime<Utc>, d: TimeDelta) -> DateTime<Utc> {
    t.checked_sub_signed(d).unwrap_or(DateTime::<Utc>::MIN_UTC)
}
