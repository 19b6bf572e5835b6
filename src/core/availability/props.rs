//! Property tests: random tricky zones, dates in 2020–2035, schedules, rules, busy sets and
//! bookings. The engine must equal a brute-force oracle that checks every rule naively, every
//! slot must satisfy each rule on its own terms, and `is_offered` must agree with the list.
//! A second, exhaustive test checks rule 1 against every transition of those zones.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Days, NaiveDate, Offset, TimeDelta, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use proptest::prelude::*;

use super::zone::{local_date, local_instant, resolve_local};
use super::{
    available_slots, group_by_local_date, is_offered, parse_zone, Booked, Interval, LocalRange, PeriodLimits, RulesInput,
    Schedule, SlotQuery, SlotRules, WeeklyHours,
};

/// Zones with odd offsets, 30-minute or 2-hour DST, negative DST, changes at midnight, Ramadan
/// DST, abolished DST and date-line jumps.
const ZONES: &[&str] = &[
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Dublin",
    "Europe/Chisinau",
    "Europe/Moscow",
    "America/New_York",
    "America/Los_Angeles",
    "America/St_Johns",
    "America/Santiago",
    "America/Havana",
    "America/Asuncion",
    "America/Sao_Paulo",
    "America/Nuuk",
    "America/Scoresbysund",
    "America/Mexico_City",
    "America/Caracas",
    "Australia/Lord_Howe",
    "Australia/Adelaide",
    "Asia/Kathmandu",
    "Asia/Kolkata",
    "Asia/Tehran",
    "Asia/Gaza",
    "Asia/Beirut",
    "Asia/Pyongyang",
    "Africa/Casablanca",
    "Africa/Cairo",
    "Antarctica/Troll",
    "Pacific/Apia",
    "Pacific/Kiritimati",
    "Pacific/Chatham",
    "Pacific/Norfolk",
    "Pacific/Fiji",
    "Pacific/Marquesas",
    "Pacific/Tongatapu",
];

const MIN_NOW: i64 = 1_577_836_800; // 2020-01-01T00:00:00Z
const MAX_NOW: i64 = 2_082_758_400; // 2036-01-01T00:00:00Z

fn arb_zone() -> impl Strategy<Value = Tz> {
    prop::sample::select(ZONES).prop_map(|name| parse_zone(name).unwrap())
}

/// Up to five ranges per day, touching or apart, on a 5-minute grid (24:00 included).
fn arb_day() -> impl Strategy<Value = Vec<LocalRange>> {
    (
        prop::collection::btree_set(0u16..=288, 0..7),
        prop::collection::vec(any::<bool>(), 6),
    )
        .prop_map(|(cuts, keep)| {
            let cuts: Vec<u16> = cuts.into_iter().map(|c| c * 5).collect();
            cuts.windows(2)
                .zip(keep)
                .filter(|(_, keep)| *keep)
                .map(|(w, _)| LocalRange::new(w[0], w[1]).unwrap())
                .collect()
        })
}

fn arb_rules() -> impl Strategy<Value = RulesInput> {
    (
        prop_oneof![3 => 5u32..=120, 1 => 1u32..=1440],
        prop::option::of(prop_oneof![3 => 10u32..=60, 1 => 61u32..=180]),
        0u32..=90,
        0u32..=90,
        prop_oneof![Just(0u32), 0u32..=4320],
        1u32..=30,
        prop::option::of(1u32..=4),
    )
        .prop_map(
            |(duration, interval, before, after, notice, window, max)| RulesInput {
                duration_minutes: duration,
                interval_minutes: interval,
                buffer_before_minutes: before,
                buffer_after_minutes: after,
                minimum_notice_minutes: notice,
                booking_window_days: window,
                max_per_day: max,
            },
        )
}

fn arb_periods() -> impl Strategy<Value = PeriodLimits> {
    (
        (prop::option::of(1u32..=6), prop::option::of(1u32..=10)),
        // The day's booked time as minutes beyond one meeting (the rules refuse less).
        prop::option::of(0u32..=240),
        (prop::option::of(1u32..=4), prop::option::of(1u32..=8)),
        0u8..7,
    )
        .prop_map(|((week, month), minutes, (host_day, host_week), first)| PeriodLimits {
            max_per_week: week,
            max_per_month: month,
            max_minutes_per_day: minutes,
            host_max_per_day: host_day,
            host_max_per_week: host_week,
            week_starts: Weekday::try_from(first).unwrap(),
        })
}

/// The inputs of one query, owned, so proptest can shrink and print them.
#[derive(Debug, Clone)]
struct World {
    zone: Tz,
    invitee: Tz,
    week: [Vec<LocalRange>; 7],
    overrides: BTreeMap<i64, Vec<LocalRange>>,
    rules: RulesInput,
    periods: PeriodLimits,
    now: DateTime<Utc>,
    range: Interval,
    busy: Vec<Interval>,
    booked: Vec<Booked>,
    probes: Vec<DateTime<Utc>>,
}

fn arb_world() -> impl Strategy<Value = World> {
    let now = prop_oneof![
        (MIN_NOW / 300..MAX_NOW / 300).prop_map(|t| t * 300),
        MIN_NOW..MAX_NOW,
    ];
    (
        (arb_zone(), arb_zone(), prop::array::uniform7(arb_day())),
        prop::collection::btree_map(-1i64..16, arb_day(), 0..3),
        (arb_rules(), arb_periods()),
        (now, -3 * 1440i64..10 * 1440, 1i64..=14 * 1440),
        prop::collection::vec((-2 * 1440i64..17 * 1440, 1i64..=480), 0..40),
        prop::collection::vec((-1440i64..16 * 1440, 5u32..=240, any::<bool>()), 0..12),
        prop::collection::vec(-1440i64..16 * 1440, 0..16),
    )
        .prop_map(
            |((zone, invitee, week), overrides, (rules, mut periods), (now, from, len), busy, booked, probes)| {
                periods.max_minutes_per_day =
                    periods.max_minutes_per_day.map(|extra| rules.duration_minutes + extra);
                let now = DateTime::from_timestamp(now, 0).unwrap();
                let start = now + TimeDelta::minutes(from);
                let range = Interval::new(start, start + TimeDelta::minutes(len)).unwrap();
                let at = |m: i64| start + TimeDelta::minutes(m);
                World {
                    zone,
                    invitee,
                    week,
                    overrides,
                    rules,
                    periods,
                    now,
                    range,
                    busy: busy
                        .into_iter()
                        .map(|(m, len)| Interval::new(at(m), at(m + len)).unwrap())
                        .collect(),
                    booked: booked
                        .into_iter()
                        .map(|(m, minutes, this_event_type)| Booked {
                            start: at(m),
                            minutes,
                            this_event_type,
                        })
                        .collect(),
                    probes: probes.into_iter().map(at).collect(),
                }
            },
        )
}

impl World {
    fn schedule(&self) -> Schedule {
        let first = local_date(self.range.start(), self.zone);
        let overrides = self
            .overrides
            .iter()
            .map(|(offset, ranges)| (first + TimeDelta::days(*offset), ranges.clone()))
            .collect();
        Schedule::new(
            self.zone,
            WeeklyHours::new(self.week.clone()).unwrap(),
            overrides,
        )
        .unwrap()
    }
}

/// Every candidate of every range on the local dates around the request (rules 1 and 2, by
/// stepping from each range start), and those of them that pass rule 3, checked naively.
fn oracle(q: &SlotQuery, periods: &PeriodLimits) -> (Vec<DateTime<Utc>>, Vec<DateTime<Utc>>) {
    let zone = q.schedule.zone();
    let duration = TimeDelta::minutes(q.rules.duration_minutes().into());
    let interval = TimeDelta::minutes(q.rules.interval_minutes().into());
    let first = local_date(q.range.start(), zone) - Days::new(3);
    let last = local_date(q.range.end(), zone) + Days::new(3);
    let mut candidates = Vec::new();
    for date in first.iter_days().take_while(|d| *d <= last) {
        for range in q.schedule.ranges_on(date) {
            let start = local_instant(zone, date, range.start_minute()).unwrap();
            let end = local_instant(zone, date, range.end_minute()).unwrap();
            let mut t = start;
            while t + duration <= end {
                candidates.push(t);
                t += interval;
            }
        }
    }
    candidates.sort();
    candidates.dedup();
    let offered = candidates
        .iter()
        .copied()
        .filter(|t| passes_rule_3(q, periods, *t))
        .collect();
    (candidates, offered)
}

fn passes_rule_3(q: &SlotQuery, periods: &PeriodLimits, t: DateTime<Utc>) -> bool {
    let r = q.rules;
    let duration = TimeDelta::minutes(r.duration_minutes().into());
    let blocked_from = t - TimeDelta::minutes(r.buffer_before_minutes().into());
    let blocked_to = t + duration + TimeDelta::minutes(r.buffer_after_minutes().into());
    let zone = q.schedule.zone();
    // What the bookings of the event type (or of the host) on the dates `same` says yes to
    // add up to, counted one each (or in minutes).
    let held = |host: bool, same: &dyn Fn(NaiveDate) -> bool, minutes: bool| -> u64 {
        q.booked
            .iter()
            .filter(|b| (host || b.this_event_type) && same(local_date(b.start, zone)))
            .map(|b| if minutes { u64::from(b.minutes) } else { 1 })
            .sum()
    };
    let day = local_date(t, zone);
    // Naively: walk back to the week's first day; the month by its year and number.
    let mut week_start = day;
    while week_start.weekday() != periods.week_starts {
        week_start = week_start.pred_opt().unwrap();
    }
    let in_week = |d: NaiveDate| week_start <= d && d < week_start + Days::new(7);
    let in_month = |d: NaiveDate| (d.year(), d.month()) == (day.year(), day.month());
    let under = |max: Option<u32>, held: u64, adds: u64| max.is_none_or(|max| held + adds <= u64::from(max));
    let minutes = u64::from(r.duration_minutes());
    q.range.contains(t)
        && t >= q.now + TimeDelta::minutes(r.minimum_notice_minutes().into())
        && t < q.now + TimeDelta::days(r.booking_window_days().into())
        && q.busy
            .iter()
            .all(|b| b.end() <= blocked_from || blocked_to <= b.start())
        && under(r.max_per_day(), held(false, &|d| d == day, false), 1)
        && under(periods.max_per_week, held(false, &in_week, false), 1)
        && under(periods.max_per_month, held(false, &in_month, false), 1)
        && under(periods.max_minutes_per_day, held(false, &|d| d == day, true), minutes)
        && under(periods.host_max_per_day, held(true, &|d| d == day, false), 1)
        && under(periods.host_max_per_week, held(true, &in_week, false), 1)
}

/// Whether some range, on the slot's local date or one of the few before it, holds the whole
/// meeting in absolute time.
fn lies_in_a_working_range(schedule: &Schedule, start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
    let zone = schedule.zone();
    let day = local_date(start, zone);
    (0..=3).any(|back| {
        let date = day - Days::new(back);
        schedule.ranges_on(date).iter().any(|range| {
            let from = local_instant(zone, date, range.start_minute()).unwrap();
            let to = local_instant(zone, date, range.end_minute()).unwrap();
            from <= start && end <= to
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn every_offered_slot_obeys_every_rule_and_nothing_bookable_is_missing(world in arb_world()) {
        let schedule = world.schedule();
        let rules = SlotRules::new(world.rules)
            .unwrap()
            .with_period_limits(world.periods)
            .unwrap();
        let q = SlotQuery {
            schedule: &schedule,
            rules: &rules,
            busy: &world.busy,
            booked: &world.booked,
            now: world.now,
            range: world.range,
        };
        let slots = available_slots(&q);
        let starts: Vec<_> = slots.iter().map(|s| s.start).collect();
        let (candidates, offered) = oracle(&q, &world.periods);
        prop_assert_eq!(&starts, &offered);

        prop_assert!(starts.windows(2).all(|w| w[0] < w[1]), "sorted and unique");
        let duration = TimeDelta::minutes(world.rules.duration_minutes.into());
        for slot in &slots {
            prop_assert_eq!(slot.end - slot.start, duration);
            prop_assert!(lies_in_a_working_range(&schedule, slot.start, slot.end), "outside hours: {:?}", slot);
            prop_assert!(passes_rule_3(&q, &world.periods, slot.start), "breaks a rule: {:?}", slot);
        }

        let stride = (candidates.len() / 300).max(1);
        let near_slots = starts.iter().flat_map(|t| {
            [*t, *t - TimeDelta::minutes(1), *t + TimeDelta::seconds(1)]
        });
        let probes = candidates.iter().copied().step_by(stride).chain(near_slots).chain(world.probes.iter().copied());
        for probe in probes {
            prop_assert_eq!(is_offered(&q, probe), starts.binary_search(&probe).is_ok(), "at {}", probe);
        }

        let days = group_by_local_date(&slots, world.invitee);
        prop_assert!(days.windows(2).all(|w| w[0].date < w[1].date));
        let regrouped: Vec<_> = days.iter().flat_map(|d| d.slots.iter().copied()).collect();
        prop_assert_eq!(regrouped, slots.clone());
        for day in &days {
            prop_assert!(day.slots.iter().all(|s| local_date(s.start, world.invitee) == day.date));
        }
    }
}

/// Rule 1 against the transitions themselves: for a change at instant T from offset o1 to o2,
/// a local time L before `T + max(o1, o2)` resolves with o1 (unique, skipped-and-moved-forward,
/// or the earlier of two), and at or after it with o2.
#[test]
fn local_times_around_every_transition_2020_to_2035_resolve_per_rule_1() {
    let offset_at = |zone: Tz, t: DateTime<Utc>| -> i64 {
        zone.offset_from_utc_datetime(&t.naive_utc())
            .fix()
            .local_minus_utc()
            .into()
    };
    let mut checked_transitions = 0;
    for name in ZONES {
        let zone = parse_zone(name).unwrap();
        let mut day = DateTime::from_timestamp(MIN_NOW, 0).unwrap();
        let end = DateTime::from_timestamp(MAX_NOW, 0).unwrap();
        while day < end {
            let next = day + TimeDelta::days(1);
            let (o1, o2) = (offset_at(zone, day), offset_at(zone, next));
            if o1 != o2 {
                let (mut lo, mut hi) = (day, next);
                while hi - lo > TimeDelta::seconds(1) {
                    let mid = lo + (hi - lo) / 2;
                    if offset_at(zone, mid) == o1 {
                        lo = mid
                    } else {
                        hi = mid
                    }
                }
                check_transition(zone, hi, o1, o2);
                checked_transitions += 1;
            }
            day = next;
        }
    }
    assert!(
        checked_transitions > 500,
        "only {checked_transitions} transitions found"
    );
}

fn check_transition(zone: Tz, at: DateTime<Utc>, o1: i64, o2: i64) {
    let naive = at.naive_utc();
    let switch = naive + TimeDelta::seconds(o1.max(o2));
    let lowest = naive + TimeDelta::seconds(o1.min(o2));
    let mut local = lowest - TimeDelta::minutes(90);
    while local <= switch + TimeDelta::minutes(90) {
        let offset = if local < switch { o1 } else { o2 };
        let expected = (local - TimeDelta::seconds(offset)).and_utc();
        assert_eq!(
            resolve_local(zone, local),
            Some(expected),
            "{zone} at local {local}"
        );
        local += TimeDelta::minutes(5);
    }
}
