//! How long one availability query takes at a realistic size: a 60-day window of Mon–Fri
//! 09:00–17:00 hours in New York (crossing a DST change), 30-minute meetings every 15 minutes
//! with 10-minute buffers, against 500 unsorted busy intervals. The goal is under 1 ms a call.

use chrono::{DateTime, TimeDelta, Utc, Weekday};
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use openslot::core::availability::{
    available_slots, is_offered, parse_zone, Booked, Interval, LocalRange, PeriodLimits,
    RulesInput, Schedule, SlotQuery, SlotRules, WeeklyHours,
};

/// 500 busy intervals of 15–120 minutes spread over the window, from a fixed-seed LCG so every
/// run measures the same input.
fn busy(from: DateTime<Utc>, days: i64) -> Vec<Interval> {
    let mut seed: u64 = 0x5eed;
    let mut next = move |bound: i64| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((seed >> 33) % bound as u64) as i64
    };
    (0..500)
        .map(|_| {
            let start = from + TimeDelta::minutes(next(days * 1440) / 5 * 5);
            let length = TimeDelta::minutes(15 + next(106));
            Interval::new(start, start + length).expect("non-empty")
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let zone = parse_zone("America/New_York").expect("zone");
    let weekdays = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
    ];
    let hours = LocalRange::parse("09:00", "17:00").expect("hours");
    let weekly = WeeklyHours::on_days(&weekdays, &[hours]).expect("week");
    let schedule = Schedule::new(zone, weekly, Vec::new()).expect("schedule");
    let input = RulesInput {
        duration_minutes: 30,
        interval_minutes: Some(15),
        buffer_before_minutes: 10,
        buffer_after_minutes: 10,
        minimum_notice_minutes: 0,
        booking_window_days: 60,
        max_per_day: None,
    };
    let rules = SlotRules::new(input).expect("rules");
    let now: DateTime<Utc> = "2026-02-16T12:00:00Z".parse().expect("now");
    let busy = busy(now, 60);
    let query = SlotQuery {
        schedule: &schedule,
        rules: &rules,
        busy: &busy,
        booked: &[],
        now,
        range: Interval::new(now, now + TimeDelta::days(60)).expect("range"),
    };
    let slots = available_slots(&query);
    assert!(
        slots.len() > 500,
        "the benchmark should offer a realistic number of slots"
    );

    c.bench_function("available_slots 60 days, 500 busy", |b| {
        b.iter(|| available_slots(black_box(&query)))
    });
    let probe = slots[slots.len() / 2].start;
    c.bench_function("is_offered one start, 500 busy", |b| {
        b.iter(|| is_offered(black_box(&query), black_box(probe)))
    });

    // The same load with every limit active (the event type's day, week from Sunday, month and
    // booked minutes a day; the host's day and week) and 120 confirmed bookings (two a
    // weekday, every third of another event type) counted against them.
    let limited = SlotRules::new(RulesInput {
        max_per_day: Some(3),
        ..input
    })
    .and_then(|rules| {
        rules.with_period_limits(PeriodLimits {
            max_per_week: Some(12),
            max_per_month: Some(45),
            max_minutes_per_day: Some(120),
            host_max_per_day: Some(4),
            host_max_per_week: Some(16),
            week_starts: Weekday::Sun,
        })
    })
    .expect("limits");
    let booked: Vec<Booked> = slots
        .iter()
        .step_by(slots.len() / 120)
        .enumerate()
        .map(|(i, s)| Booked {
            start: s.start,
            minutes: 30,
            this_event_type: i % 3 != 0,
        })
        .collect();
    let capped = SlotQuery {
        rules: &limited,
        booked: &booked,
        ..query
    };
    assert!(!available_slots(&capped).is_empty());
    c.bench_function("available_slots 60 days, 500 busy, all caps", |b| {
        b.iter(|| available_slots(black_box(&capped)))
    });

    // A host's second schedule (issue 19: each event type picks one): Europe/Berlin, Monday to
    // Saturday in two blocks, with ten date overrides (four days off, six with other hours),
    // and time off (a holiday week and two afternoons, which the engine reads as busy time),
    // under every limit with the same 120 bookings.
    let berlin = parse_zone("Europe/Berlin").expect("zone");
    let blocks = [
        LocalRange::parse("08:00", "12:00").expect("morning"),
        LocalRange::parse("13:00", "18:00").expect("afternoon"),
    ];
    let six_days = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
    ];
    let first_day = now.date_naive();
    let overrides = (0..10u64)
        .map(|i| {
            let date = first_day + chrono::Days::new(3 + i * 5);
            let ranges = if i % 3 == 0 {
                Vec::new()
            } else {
                vec![LocalRange::parse("10:00", "14:00").expect("short day")]
            };
            (date, ranges)
        })
        .collect();
    let second = Schedule::new(
        berlin,
        WeeklyHours::on_days(&six_days, &blocks).expect("week"),
        overrides,
    )
    .expect("schedule");
    let mut busy_and_time_off = busy.clone();
    for (from_day, hours) in [(20, 7 * 24), (35, 5), (42, 5)] {
        let start = now + TimeDelta::days(from_day) + TimeDelta::hours(1);
        busy_and_time_off.push(Interval::new(start, start + TimeDelta::hours(hours)).expect("off"));
    }
    let second_query = SlotQuery {
        schedule: &second,
        busy: &busy_and_time_off,
        ..capped
    };
    assert!(!available_slots(&second_query).is_empty());
    c.bench_function(
        "available_slots 60 days, 500 busy, all caps, second schedule with overrides and time off",
        |b| b.iter(|| available_slots(black_box(&second_query))),
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
