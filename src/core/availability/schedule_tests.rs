//! Named schedules (issue 19): the engine takes one schedule per query, so two event types of
//! one host on two schedules in different zones are two queries over the same busy times and
//! bookings. These tests pin that each gets its own schedule's hours, and that a weekly limit
//! counts weeks in its own schedule's zone.

use chrono::Weekday::{Fri, Mon, Sun, Thu, Tue, Wed};
use chrono::{DateTime, TimeDelta, Utc};
use proptest::prelude::*;

use super::test_support::{hours, iso, span, utc, zone, Case};
use super::{available_slots, Booked, PeriodLimits, Schedule, SlotQuery, SlotRules, WeeklyHours};

/// Mon–Fri 09:00–17:00 in `zone_name`, asking for the week of Monday 2026-03-02 (UTC).
fn working_week(zone_name: &str) -> Case {
    Case::new(
        zone_name,
        &[Mon, Tue, Wed, Thu, Fri],
        &[("09:00", "17:00")],
        "2026-03-02T00:00:00Z",
        "2026-03-07T00:00:00Z",
    )
}

#[test]
fn two_schedules_in_different_zones_offer_different_slots_from_the_same_busy_times() {
    let busy = vec![span("2026-03-03T14:00:00Z", "2026-03-03T16:00:00Z")];
    let mut berlin = working_week("Europe/Berlin");
    let mut new_york = working_week("America/New_York");
    berlin.busy.clone_from(&busy);
    new_york.busy = busy;
    let (berlin_starts, new_york_starts) = (berlin.starts(), new_york.starts());
    // Tuesday in Berlin: 08:00–16:00 UTC, less 14:00–16:00; in New York (EST, UTC-5):
    // 14:00–22:00 UTC, less the same two hours.
    let tuesday = |starts: &[String]| -> Vec<String> {
        starts
            .iter()
            .filter(|s| s.starts_with("2026-03-03"))
            .cloned()
            .collect()
    };
    assert_eq!(
        tuesday(&berlin_starts),
        [
            "2026-03-03T08:00:00Z",
            "2026-03-03T09:00:00Z",
            "2026-03-03T10:00:00Z",
            "2026-03-03T11:00:00Z",
            "2026-03-03T12:00:00Z",
            "2026-03-03T13:00:00Z"
        ]
    );
    assert_eq!(
        tuesday(&new_york_starts),
        [
            "2026-03-03T16:00:00Z",
            "2026-03-03T17:00:00Z",
            "2026-03-03T18:00:00Z",
            "2026-03-03T19:00:00Z",
            "2026-03-03T20:00:00Z",
            "2026-03-03T21:00:00Z"
        ]
    );
    assert_ne!(berlin_starts, new_york_starts);
}

/// The slots of `case` with a weekly limit of one and a booking starting at `booked`.
fn with_week_limit(case: &Case, booked: DateTime<Utc>) -> Vec<String> {
    let schedule = Schedule::new(case.zone, case.weekly.clone(), Vec::new()).unwrap();
    let rules = SlotRules::new(case.rules)
        .and_then(|r| {
            r.with_period_limits(PeriodLimits {
                max_per_week: Some(1),
                ..PeriodLimits::default()
            })
        })
        .unwrap();
    let booked = [Booked {
        start: booked,
        minutes: 60,
        this_event_type: true,
    }];
    available_slots(&SlotQuery {
        schedule: &schedule,
        rules: &rules,
        busy: &[],
        booked: &booked,
        now: case.now,
        range: case.range,
    })
    .iter()
    .map(|s| iso(s.start))
    .collect()
}

#[test]
fn a_week_limit_counts_weeks_in_the_schedules_own_zone() {
    // Sunday 2026-03-08 22:00 UTC: in Tokyo already Monday 9 March (the new week), in New
    // York still Sunday (the week before).
    let booked = utc("2026-03-08T22:00:00Z");
    let ask = |zone_name: &str| {
        let mut case = Case::new(
            zone_name,
            &[Mon, Tue, Wed, Thu, Fri, Sun],
            &[("00:00", "24:00")],
            "2026-03-09T12:00:00Z",
            "2026-03-12T00:00:00Z",
        );
        case.now = utc("2026-03-01T00:00:00Z");
        with_week_limit(&case, booked)
    };
    assert!(ask("Asia/Tokyo").is_empty(), "Tokyo's week of 9 March is full");
    assert!(
        !ask("America/New_York").is_empty(),
        "New York's week of 9 March has not started with that booking"
    );
}

proptest! {
    /// For any busy span and any two zones, each schedule's slots lie inside its own local
    /// hours and outside the busy span: one schedule's hours never leak into another's.
    #[test]
    fn each_schedule_offers_only_its_own_hours(
        zones in prop::sample::subsequence(
            vec!["Europe/Berlin", "America/New_York", "Asia/Kathmandu", "Australia/Adelaide", "UTC"],
            2,
        ),
        busy_start in 0_i64..(5 * 24 * 4),
        busy_quarters in 1_i64..16,
    ) {
        let from = utc("2026-03-02T00:00:00Z") + TimeDelta::minutes(busy_start * 15);
        let busy = vec![super::Interval::new(from, from + TimeDelta::minutes(busy_quarters * 15)).unwrap()];
        for name in zones {
            let mut case = working_week(name);
            case.busy.clone_from(&busy);
            let own = zone(name);
            for slot in case.slots() {
                let local = slot.start.with_timezone(&own);
                let end = slot.end.with_timezone(&own);
                let minute = |t: chrono::NaiveTime| chrono::Timelike::num_seconds_from_midnight(&t) / 60;
                prop_assert!(minute(local.time()) >= 9 * 60 && minute(end.time()) <= 17 * 60,
                    "{} offers {} outside its hours", name, iso(slot.start));
                prop_assert!(slot.end <= busy[0].start() || slot.start >= busy[0].end());
            }
        }
    }
}

#[test]
fn a_schedule_without_hours_offers_nothing_whatever_the_other_offers() {
    let mut evenings = working_week("Asia/Tokyo");
    evenings.weekly = WeeklyHours::on_days(&[Sun], &[hours("18:00", "21:00")]).unwrap();
    assert!(evenings.slots().is_empty(), "no Sunday in the asked week");
    assert!(!working_week("Asia/Tokyo").slots().is_empty());
}
