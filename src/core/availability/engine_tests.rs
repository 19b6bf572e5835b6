//! One test per rule of the engine (rules 2–4 of the module doc) and for the invitee helpers,
//! mostly in UTC so the expected instants are plain to read; DST lives in `dst_tests`.

use chrono::Weekday::{Mon, Tue};

use super::test_support::{date, hours, iso, span, utc, zone, Case};
use super::{group_by_local_date, local_dates_to_utc, AvailabilityError};

/// Monday 2026-03-02, 09:00–12:00 UTC, asking for that whole Monday.
fn monday_morning() -> Case {
    Case::new(
        "UTC",
        &[Mon],
        &[("09:00", "12:00")],
        "2026-03-02T00:00:00Z",
        "2026-03-03T00:00:00Z",
    )
}

#[test]
fn slots_follow_each_other_back_to_back_when_no_interval_is_set() {
    let mut case = monday_morning();
    case.rules.interval_minutes = None;
    assert_eq!(
        case.starts(),
        [
            "2026-03-02T09:00:00Z",
            "2026-03-02T10:00:00Z",
            "2026-03-02T11:00:00Z"
        ]
    );
}

#[test]
fn every_slot_lasts_the_duration() {
    let slots = monday_morning().minutes(45, 60).slots();
    assert!(slots
        .iter()
        .all(|s| s.end - s.start == chrono::TimeDelta::minutes(45)));
    assert_eq!(iso(slots[2].end), "2026-03-02T11:45:00Z");
}

#[test]
fn a_shorter_interval_offers_overlapping_candidates() {
    let case = monday_morning().minutes(60, 30);
    assert_eq!(
        case.starts(),
        [
            "2026-03-02T09:00:00Z",
            "2026-03-02T09:30:00Z",
            "2026-03-02T10:00:00Z",
            "2026-03-02T10:30:00Z",
            "2026-03-02T11:00:00Z",
        ]
    );
}

#[test]
fn a_meeting_that_would_run_past_the_range_end_is_not_offered() {
    let mut case = monday_morning().minutes(30, 30);
    case.weekly = super::WeeklyHours::on_days(&[Mon], &[hours("09:00", "10:45")]).unwrap();
    assert_eq!(
        case.starts(),
        [
            "2026-03-02T09:00:00Z",
            "2026-03-02T09:30:00Z",
            "2026-03-02T10:00:00Z"
        ]
    );
}

#[test]
fn each_range_starts_its_own_step_grid() {
    let mut case = monday_morning().minutes(30, 30);
    case.weekly =
        super::WeeklyHours::on_days(&[Mon], &[hours("09:00", "10:00"), hours("10:10", "11:10")])
            .unwrap();
    assert_eq!(
        case.starts(),
        [
            "2026-03-02T09:00:00Z",
            "2026-03-02T09:30:00Z",
            "2026-03-02T10:10:00Z",
            "2026-03-02T10:40:00Z",
        ]
    );
    assert!(!case.offers("2026-03-02T10:00:00Z"));
}

#[test]
fn a_start_off_the_step_grid_is_not_offered() {
    let case = monday_morning().minutes(30, 30);
    assert!(case.offers("2026-03-02T09:30:00Z"));
    assert!(!case.offers("2026-03-02T09:15:00Z"));
    assert!(!case.offers("2026-03-02T09:30:01Z"));
}

#[test]
fn touching_ranges_offer_slots_across_the_seam() {
    let mut case = monday_morning().minutes(60, 30);
    case.weekly =
        super::WeeklyHours::on_days(&[Mon], &[hours("09:00", "10:00"), hours("10:00", "11:00")])
            .unwrap();
    // A meeting cannot straddle two ranges: each range has its own candidates.
    assert_eq!(
        case.starts(),
        ["2026-03-02T09:00:00Z", "2026-03-02T10:00:00Z"]
    );
}

#[test]
fn a_range_ending_at_24_00_offers_a_slot_that_ends_at_midnight() {
    let case = Case::new(
        "Europe/London",
        &[Mon],
        &[("22:00", "24:00")],
        "2026-01-05T00:00:00Z",
        "2026-01-06T00:00:00Z",
    );
    let slots = case.slots();
    let starts: Vec<_> = slots.iter().map(|s| iso(s.start)).collect();
    assert_eq!(starts, ["2026-01-05T22:00:00Z", "2026-01-05T23:00:00Z"]);
    assert_eq!(iso(slots[1].end), "2026-01-06T00:00:00Z");
}

#[test]
fn minimum_notice_hides_starts_that_come_too_soon() {
    let mut case = monday_morning();
    case.now = utc("2026-03-02T08:50:00Z");
    case.rules.minimum_notice_minutes = 60;
    assert_eq!(
        case.starts(),
        ["2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z"]
    );
}

#[test]
fn a_start_exactly_at_the_minimum_notice_is_offered() {
    let mut case = monday_morning();
    case.now = utc("2026-03-02T08:00:00Z");
    case.rules.minimum_notice_minutes = 60;
    assert_eq!(case.starts()[0], "2026-03-02T09:00:00Z");
}

#[test]
fn the_booking_window_ends_exactly_window_days_after_now() {
    let mut case = Case::new(
        "UTC",
        &[Mon, Tue],
        &[("09:00", "12:00")],
        "2026-03-02T00:00:00Z",
        "2026-03-04T00:00:00Z",
    );
    case.now = utc("2026-03-02T10:00:00Z");
    case.rules.booking_window_days = 1;
    assert_eq!(
        case.starts(),
        [
            "2026-03-02T10:00:00Z",
            "2026-03-02T11:00:00Z",
            "2026-03-03T09:00:00Z"
        ]
    );
    assert!(!case.offers("2026-03-03T10:00:00Z"));
}

#[test]
fn only_starts_inside_the_requested_range_are_returned_even_if_the_slot_ends_after_it() {
    let mut case = monday_morning().minutes(30, 30);
    case.range = span("2026-03-02T09:30:00Z", "2026-03-02T10:15:00Z");
    assert_eq!(
        case.starts(),
        ["2026-03-02T09:30:00Z", "2026-03-02T10:00:00Z"]
    );
    assert!(!case.offers("2026-03-02T09:00:00Z"));
}

#[test]
fn busy_time_hides_overlapping_slots_but_back_to_back_ones_stay() {
    let mut case = monday_morning();
    case.busy = vec![span("2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z")];
    assert_eq!(
        case.starts(),
        ["2026-03-02T09:00:00Z", "2026-03-02T11:00:00Z"]
    );
    assert!(!case.offers("2026-03-02T10:00:00Z"));
}

#[test]
fn a_buffer_before_keeps_free_time_before_the_meeting() {
    let mut case = monday_morning();
    case.busy = vec![span("2026-03-02T08:50:00Z", "2026-03-02T09:00:00Z")];
    assert_eq!(case.starts().len(), 3);
    case.rules.buffer_before_minutes = 15;
    assert_eq!(
        case.starts(),
        ["2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z"]
    );
    case.busy = vec![span("2026-03-02T08:40:00Z", "2026-03-02T08:50:00Z")];
    case.rules.buffer_before_minutes = 10;
    assert_eq!(
        case.starts().len(),
        3,
        "a buffer that just touches busy time is fine"
    );
}

#[test]
fn a_buffer_after_keeps_free_time_after_the_meeting() {
    let mut case = monday_morning();
    case.busy = vec![span("2026-03-02T11:05:00Z", "2026-03-02T11:30:00Z")];
    case.rules.buffer_after_minutes = 10;
    assert_eq!(case.starts(), ["2026-03-02T09:00:00Z"]);
    case.rules.buffer_after_minutes = 5;
    assert_eq!(
        case.starts(),
        ["2026-03-02T09:00:00Z", "2026-03-02T10:00:00Z"]
    );
}

#[test]
fn busy_time_may_arrive_unsorted_and_overlapping() {
    let mut case = monday_morning().minutes(30, 30);
    case.weekly = super::WeeklyHours::on_days(&[Mon], &[hours("09:00", "17:00")]).unwrap();
    case.busy = vec![
        span("2026-03-02T15:00:00Z", "2026-03-02T16:30:00Z"),
        span("2026-03-02T09:20:00Z", "2026-03-02T10:00:00Z"),
        span("2026-03-02T09:00:00Z", "2026-03-02T09:10:00Z"),
        span("2026-03-02T15:30:00Z", "2026-03-02T16:00:00Z"),
        span("2026-03-02T10:00:00Z", "2026-03-02T14:00:00Z"),
    ];
    assert_eq!(
        case.starts(),
        [
            "2026-03-02T14:00:00Z",
            "2026-03-02T14:30:00Z",
            "2026-03-02T16:30:00Z",
        ]
    );
}

#[test]
fn the_daily_cap_counts_bookings_on_the_schedules_local_date() {
    // New York hours; 2026-03-03T02:00Z is Monday 21:00 EST, so it counts for Monday.
    let mut case = Case::new(
        "America/New_York",
        &[Mon, Tue],
        &[("09:00", "11:00")],
        "2026-03-02T00:00:00Z",
        "2026-03-04T05:00:00Z",
    );
    case.rules.max_per_day = Some(2);
    case.booked = vec![utc("2026-03-02T14:00:00Z"), utc("2026-03-03T02:00:00Z")];
    assert_eq!(
        case.starts(),
        ["2026-03-03T14:00:00Z", "2026-03-03T15:00:00Z"]
    );
    case.rules.max_per_day = Some(3);
    assert_eq!(case.starts().len(), 4, "below the cap every slot stays");
}

#[test]
fn without_a_daily_cap_bookings_only_matter_as_busy_time() {
    let mut case = monday_morning();
    case.booked = vec![utc("2026-03-02T09:00:00Z"); 10];
    assert_eq!(case.starts().len(), 3);
}

#[test]
fn an_override_replaces_the_weekday_hours_and_an_empty_one_closes_the_day() {
    let mut case = Case::new(
        "UTC",
        &[Mon, Tue],
        &[("09:00", "10:00")],
        "2026-03-02T00:00:00Z",
        "2026-03-05T00:00:00Z",
    );
    case.overrides = vec![
        (date("2026-03-02"), vec![]),
        (date("2026-03-04"), vec![hours("13:00", "14:00")]),
    ];
    assert_eq!(
        case.starts(),
        ["2026-03-03T09:00:00Z", "2026-03-04T13:00:00Z"]
    );
}

#[test]
fn nothing_is_offered_when_notice_and_window_leave_no_room() {
    let mut case = monday_morning();
    case.now = utc("2026-02-01T00:00:00Z");
    case.rules.booking_window_days = 7;
    assert!(case.starts().is_empty());
    assert!(!case.offers("2026-03-02T09:00:00Z"));
}

#[test]
fn a_schedule_with_no_hours_offers_nothing() {
    let mut case = monday_morning();
    case.weekly = super::WeeklyHours::default();
    assert!(case.starts().is_empty());
}

#[test]
fn an_invitee_elsewhere_sees_the_hosts_day_split_across_their_own_dates() {
    // Host in New York, Monday 09:00–17:00 EST = 14:00Z–22:00Z; in Tokyo (+09) that is
    // Monday 23:00 to Tuesday 07:00.
    let case = Case::new(
        "America/New_York",
        &[Mon],
        &[("09:00", "17:00")],
        "2026-03-02T00:00:00Z",
        "2026-03-03T12:00:00Z",
    );
    let days = group_by_local_date(&case.slots(), zone("Asia/Tokyo"));
    assert_eq!(days.len(), 2);
    assert_eq!(days[0].date, date("2026-03-02"));
    assert_eq!(
        days[0]
            .slots
            .iter()
            .map(|s| iso(s.start))
            .collect::<Vec<_>>(),
        ["2026-03-02T14:00:00Z"]
    );
    assert_eq!(days[1].date, date("2026-03-03"));
    assert_eq!(days[1].slots.len(), 7);
    assert_eq!(iso(days[1].slots[0].start), "2026-03-02T15:00:00Z");
    assert_eq!(iso(days[1].slots[6].start), "2026-03-02T21:00:00Z");
}

#[test]
fn an_invitee_asks_for_their_own_local_days() {
    // Host in Kathmandu (+05:45), Monday 09:00–11:00 = 03:15Z–05:15Z. An invitee in
    // Los Angeles (PST, -08) asking for their Sunday 2026-03-01 gets [08:00Z, 03-02 08:00Z).
    let mut case = Case::new(
        "Asia/Kathmandu",
        &[Mon],
        &[("09:00", "11:00")],
        "2026-01-01T00:00:00Z",
        "2026-12-31T00:00:00Z",
    );
    let la = zone("America/Los_Angeles");
    case.range = local_dates_to_utc(date("2026-03-01"), date("2026-03-01"), la).unwrap();
    assert_eq!(iso(case.range.start()), "2026-03-01T08:00:00Z");
    assert_eq!(iso(case.range.end()), "2026-03-02T08:00:00Z");
    case.now = utc("2026-02-27T00:00:00Z");
    assert_eq!(
        case.starts(),
        ["2026-03-02T03:15:00Z", "2026-03-02T04:15:00Z"]
    );
    let days = group_by_local_date(&case.slots(), la);
    assert_eq!(days.len(), 1);
    assert_eq!(days[0].date, date("2026-03-01"));
}

#[test]
fn a_local_date_range_covers_whole_days_including_a_short_dst_day() {
    // New York 2026-03-08 is 23 hours long: 05:00Z (EST midnight) to 04:00Z (EDT midnight).
    let day = local_dates_to_utc(
        date("2026-03-08"),
        date("2026-03-08"),
        zone("America/New_York"),
    )
    .unwrap();
    assert_eq!(iso(day.start()), "2026-03-08T05:00:00Z");
    assert_eq!(iso(day.end()), "2026-03-09T04:00:00Z");
}

#[test]
fn a_reversed_local_date_range_is_rejected() {
    let err = local_dates_to_utc(date("2026-03-08"), date("2026-03-07"), zone("UTC")).unwrap_err();
    assert_eq!(
        err,
        AvailabilityError::DatesReversed {
            from: date("2026-03-08"),
            to: date("2026-03-07")
        }
    );
    assert_eq!(
        err.to_string(),
        "the date range must end on or after its first day (2026-03-07 is before 2026-03-08)"
    );
}

#[test]
fn the_last_representable_date_is_an_error_not_a_panic() {
    let err = local_dates_to_utc(chrono::NaiveDate::MAX, chrono::NaiveDate::MAX, zone("UTC"));
    assert_eq!(
        err.unwrap_err(),
        AvailabilityError::DateOutOfRange(chrono::NaiveDate::MAX)
    );
}

#[test]
fn slots_serialize_as_rfc3339_utc() {
    let slots = monday_morning().slots();
    let json = serde_json::to_string(&group_by_local_date(&slots[..1], zone("UTC"))).unwrap();
    assert_eq!(
        json,
        r#"[{"date":"2026-03-02","slots":[{"start":"2026-03-02T09:00:00Z","end":"2026-03-02T10:00:00Z"}]}]"#
    );
}

#[test]
fn instants_at_the_ends_of_time_give_no_slots_rather_than_a_panic() {
    use chrono::{DateTime, TimeDelta, Utc};
    let (min, max) = (DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC);
    for zone_name in ["Pacific/Kiritimati", "Pacific/Pago_Pago", "UTC"] {
        let mut case = Case::new(
            zone_name,
            &[Mon, Tue],
            &[("00:00", "24:00")],
            "2026-03-02T00:00:00Z",
            "2026-03-03T00:00:00Z",
        );
        case.rules.max_per_day = Some(1);
        case.rules.buffer_before_minutes = 1440;
        case.rules.buffer_after_minutes = 1440;
        for (now, from, to) in [
            (max, max - TimeDelta::days(3), max),
            (max - TimeDelta::days(2), max - TimeDelta::days(3), max),
            (min, min, min + TimeDelta::days(3)),
            (min + TimeDelta::days(1), min, min + TimeDelta::days(3)),
        ] {
            case.now = now;
            case.range = super::Interval::new(from, to).unwrap();
            case.busy = vec![case.range];
            case.booked = vec![from, to];
            let _ = case.slots();
            for probe in [from, to, now] {
                let _ = case.with_query(|q| super::is_offered(q, probe));
            }
            let _ = group_by_local_date(
                &[super::Slot {
                    start: from,
                    end: to,
                }],
                zone(zone_name),
            );
        }
    }
}
