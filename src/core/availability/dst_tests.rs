//! Rule 1 across real DST and date-line changes. Every expected instant is worked out by hand
//! from the tz database's transitions (as `zdump -v` lists them), not by the code under test.

use chrono::Weekday::{self, Fri, Mon, Sat, Sun, Thu};

use super::test_support::{date, iso, local_dates_to_utc_iso, zone, Case};
use super::{group_by_local_date, WeeklyHours};

/// `ranges` on `days`, asking for all of `[from, to)` with `duration`-minute slots every
/// `interval` minutes.
fn case(
    zone: &str,
    days: &[Weekday],
    ranges: &[(&str, &str)],
    from: &str,
    to: &str,
    duration: u32,
    interval: u32,
) -> Case {
    Case::new(zone, days, ranges, from, to).minutes(duration, interval)
}

fn assert_sorted_and_unique(starts: &[String]) {
    assert!(
        starts.windows(2).all(|w| w[0] < w[1]),
        "not strictly increasing: {starts:?}"
    );
}

// Europe/Berlin: 2026-03-29 02:00 CET -> 03:00 CEST at 01:00Z.

#[test]
fn berlin_a_range_starting_in_the_skipped_hour_starts_an_hour_later_on_the_wall_clock() {
    // 02:30 does not exist: it is 03:30 CEST = 01:30Z. 04:00 CEST = 02:00Z.
    let c = case(
        "Europe/Berlin",
        &[Sun],
        &[("02:30", "04:00")],
        "2026-03-28T00:00:00Z",
        "2026-03-30T00:00:00Z",
        30,
        30,
    );
    assert_eq!(c.starts(), ["2026-03-29T01:30:00Z"]);
}

#[test]
fn berlin_ranges_that_meet_inside_the_gap_offer_a_shared_start_once() {
    // 01:00–02:45 is [00:00Z, 01:45Z) and 03:00–04:00 is [01:00Z, 02:00Z): both reach 01:00Z.
    let c = case(
        "Europe/Berlin",
        &[Sun],
        &[("01:00", "02:45"), ("03:00", "04:00")],
        "2026-03-28T00:00:00Z",
        "2026-03-30T00:00:00Z",
        30,
        30,
    );
    assert_eq!(
        c.starts(),
        [
            "2026-03-29T00:00:00Z",
            "2026-03-29T00:30:00Z",
            "2026-03-29T01:00:00Z",
            "2026-03-29T01:30:00Z"
        ]
    );
}

#[test]
fn berlin_an_hour_that_is_skipped_entirely_offers_nothing() {
    // 02:00 and 03:00 both resolve to 01:00Z: the range is empty.
    let c = case(
        "Europe/Berlin",
        &[Sun],
        &[("02:00", "03:00")],
        "2026-03-28T00:00:00Z",
        "2026-03-30T00:00:00Z",
        15,
        15,
    );
    assert!(c.starts().is_empty());
}

// Europe/London: 2026-03-29 01:00 GMT -> 02:00 BST at 01:00Z; 2026-10-25 02:00 BST -> 01:00 GMT at 01:00Z.

#[test]
fn london_spring_forward_night_has_one_hour_fewer() {
    // 00:00 GMT = 00:00Z; 04:00 BST = 03:00Z.
    let c = case(
        "Europe/London",
        &[Sun],
        &[("00:00", "04:00")],
        "2026-03-28T00:00:00Z",
        "2026-03-30T00:00:00Z",
        60,
        60,
    );
    assert_eq!(
        c.starts(),
        [
            "2026-03-29T00:00:00Z",
            "2026-03-29T01:00:00Z",
            "2026-03-29T02:00:00Z"
        ]
    );
}

#[test]
fn london_fall_back_night_has_one_hour_more_and_no_duplicates() {
    // 00:00 BST = 10-24 23:00Z; 03:00 GMT = 03:00Z. Local 01:00 happens at 00:00Z and 01:00Z.
    let c = case(
        "Europe/London",
        &[Sun],
        &[("00:00", "03:00")],
        "2026-10-24T00:00:00Z",
        "2026-10-26T00:00:00Z",
        60,
        60,
    );
    assert_eq!(
        c.starts(),
        [
            "2026-10-24T23:00:00Z",
            "2026-10-25T00:00:00Z",
            "2026-10-25T01:00:00Z",
            "2026-10-25T02:00:00Z"
        ]
    );
}

#[test]
fn london_a_range_starting_in_the_repeated_hour_takes_the_first_occurrence() {
    // 01:30 happens twice; the earlier is 01:30 BST = 00:30Z. 02:30 GMT = 02:30Z.
    let c = case(
        "Europe/London",
        &[Sun],
        &[("01:30", "02:30")],
        "2026-10-24T00:00:00Z",
        "2026-10-26T00:00:00Z",
        30,
        30,
    );
    assert_eq!(
        c.starts(),
        [
            "2026-10-25T00:30:00Z",
            "2026-10-25T01:00:00Z",
            "2026-10-25T01:30:00Z",
            "2026-10-25T02:00:00Z"
        ]
    );
}

#[test]
fn london_working_hours_follow_the_wall_clock_across_the_change() {
    // Friday 09:00 GMT = 09:00Z; Monday 09:00 BST = 08:00Z.
    let c = case(
        "Europe/London",
        &[Fri, Mon],
        &[("09:00", "10:00")],
        "2026-03-27T00:00:00Z",
        "2026-03-31T00:00:00Z",
        60,
        60,
    );
    assert_eq!(c.starts(), ["2026-03-27T09:00:00Z", "2026-03-30T08:00:00Z"]);
}

// America/New_York: 2026-03-08 02:00 EST -> 03:00 EDT at 07:00Z; 2026-11-01 02:00 EDT -> 01:00 EST at 06:00Z.

#[test]
fn new_york_spring_forward_skips_the_missing_hour() {
    // 01:00 EST = 06:00Z; 04:00 EDT = 08:00Z: local 01:00, 01:30, 03:00, 03:30.
    let c = case(
        "America/New_York",
        &[Sun],
        &[("01:00", "04:00")],
        "2026-03-07T00:00:00Z",
        "2026-03-09T00:00:00Z",
        30,
        30,
    );
    assert_eq!(
        c.starts(),
        [
            "2026-03-08T06:00:00Z",
            "2026-03-08T06:30:00Z",
            "2026-03-08T07:00:00Z",
            "2026-03-08T07:30:00Z"
        ]
    );
}

#[test]
fn new_york_a_range_starting_at_a_skipped_time_moves_forward_by_the_gap() {
    // 02:30 -> 03:30 EDT = 07:30Z.
    let c = case(
        "America/New_York",
        &[Sun],
        &[("02:30", "04:00")],
        "2026-03-07T00:00:00Z",
        "2026-03-09T00:00:00Z",
        30,
        30,
    );
    assert_eq!(c.starts(), ["2026-03-08T07:30:00Z"]);
}

#[test]
fn new_york_fall_back_night_gives_twenty_distinct_quarter_hours_for_four_wall_clock_hours() {
    // 00:00 EDT = 04:00Z; 04:00 EST = 09:00Z: five real hours, 20 quarter-hour slots, none twice.
    let c = case(
        "America/New_York",
        &[Sun],
        &[("00:00", "04:00")],
        "2026-10-31T00:00:00Z",
        "2026-11-02T00:00:00Z",
        15,
        15,
    );
    let starts = c.starts();
    assert_eq!(starts.len(), 20);
    assert_eq!(starts[0], "2026-11-01T04:00:00Z");
    assert_eq!(starts[19], "2026-11-01T08:45:00Z");
    assert_sorted_and_unique(&starts);
}

#[test]
fn new_york_weekday_hours_shift_by_an_hour_in_utc_after_the_change() {
    let c = case(
        "America/New_York",
        &[Fri, Mon],
        &[("09:00", "10:00")],
        "2026-03-06T00:00:00Z",
        "2026-03-10T00:00:00Z",
        60,
        60,
    );
    assert_eq!(c.starts(), ["2026-03-06T14:00:00Z", "2026-03-09T13:00:00Z"]);
}

// Australia/Lord_Howe (+10:30 standard, +11 summer; a 30-minute change):
// 2026-10-04 02:00 +10:30 -> 02:30 +11 at 10-03 15:30Z; 2026-04-05 02:00 +11 -> 01:30 +10:30 at 04-04 15:00Z.

#[test]
fn lord_howe_spring_forward_skips_half_an_hour() {
    // 01:00 +10:30 = 14:30Z; 04:00 +11 = 17:00Z: local 01:00, 01:30, 02:30, 03:00, 03:30.
    let c = case(
        "Australia/Lord_Howe",
        &[Sun],
        &[("01:00", "04:00")],
        "2026-10-02T00:00:00Z",
        "2026-10-05T00:00:00Z",
        30,
        30,
    );
    assert_eq!(
        c.starts(),
        [
            "2026-10-03T14:30:00Z",
            "2026-10-03T15:00:00Z",
            "2026-10-03T15:30:00Z",
            "2026-10-03T16:00:00Z",
            "2026-10-03T16:30:00Z",
        ]
    );
}

#[test]
fn lord_howe_a_skipped_time_moves_forward_by_thirty_minutes() {
    // 02:15 -> 02:45 +11 = 15:45Z; 03:15 +11 = 16:15Z.
    let c = case(
        "Australia/Lord_Howe",
        &[Sun],
        &[("02:15", "03:15")],
        "2026-10-02T00:00:00Z",
        "2026-10-05T00:00:00Z",
        30,
        30,
    );
    assert_eq!(c.starts(), ["2026-10-03T15:45:00Z"]);
}

#[test]
fn lord_howe_fall_back_repeats_half_an_hour_without_duplicates() {
    // 01:00 +11 = 14:00Z; 03:00 +10:30 = 16:30Z: local 01:00, 01:30 (+11), 01:30 (+10:30), 02:00, 02:30.
    let c = case(
        "Australia/Lord_Howe",
        &[Sun],
        &[("01:00", "03:00")],
        "2026-04-03T00:00:00Z",
        "2026-04-06T00:00:00Z",
        30,
        30,
    );
    assert_eq!(
        c.starts(),
        [
            "2026-04-04T14:00:00Z",
            "2026-04-04T14:30:00Z",
            "2026-04-04T15:00:00Z",
            "2026-04-04T15:30:00Z",
            "2026-04-04T16:00:00Z",
        ]
    );
}

#[test]
fn lord_howe_a_repeated_time_takes_its_earlier_instant() {
    // 01:45 happens at +11 (14:45Z) and at +10:30 (15:15Z); the range starts at the first.
    let c = case(
        "Australia/Lord_Howe",
        &[Sun],
        &[("01:45", "02:15")],
        "2026-04-03T00:00:00Z",
        "2026-04-06T00:00:00Z",
        30,
        30,
    );
    assert_eq!(c.starts(), ["2026-04-04T14:45:00Z", "2026-04-04T15:15:00Z"]);
}

// Asia/Kathmandu: +05:45 all year.

#[test]
fn kathmandu_hours_land_on_quarter_past_in_utc() {
    let c = case(
        "Asia/Kathmandu",
        &[Mon],
        &[("09:00", "10:00")],
        "2026-03-01T00:00:00Z",
        "2026-03-03T00:00:00Z",
        30,
        30,
    );
    assert_eq!(c.starts(), ["2026-03-02T03:15:00Z", "2026-03-02T03:45:00Z"]);
}

// America/Santiago changes at local midnight: 2026-04-04 24:00 -03 -> 23:00 -04 at 04-05 03:00Z;
// 2026-09-05 24:00 -04 -> 09-06 01:00 -03 at 04:00Z.

#[test]
fn santiago_a_skipped_midnight_starts_the_day_at_01_00() {
    // Sunday 00:00 does not exist -> 01:00 -03 = 04:00Z; 02:00 -03 = 05:00Z.
    let c = case(
        "America/Santiago",
        &[Sun],
        &[("00:00", "02:00")],
        "2026-09-05T00:00:00Z",
        "2026-09-07T00:00:00Z",
        30,
        30,
    );
    assert_eq!(c.starts(), ["2026-09-06T04:00:00Z", "2026-09-06T04:30:00Z"]);
}

#[test]
fn santiago_a_range_ending_at_a_skipped_midnight_ends_when_the_clock_resumes() {
    // Saturday 22:00 -04 = 02:00Z; 24:00 -> Sunday 00:00 -> 01:00 -03 = 04:00Z.
    let c = case(
        "America/Santiago",
        &[Sat],
        &[("22:00", "24:00")],
        "2026-09-05T00:00:00Z",
        "2026-09-07T00:00:00Z",
        60,
        60,
    );
    assert_eq!(c.starts(), ["2026-09-06T02:00:00Z", "2026-09-06T03:00:00Z"]);
}

#[test]
fn santiago_the_repeated_hour_before_midnight_is_offered_twice_as_distinct_instants() {
    // Saturday 22:00 -03 = 01:00Z, 24:00 = Sunday 00:00 -04 = 04:00Z: local 22:00, 23:00 -03, 23:00 -04;
    // Sunday 00:00 -04 = 04:00Z follows without repeating anything.
    let c = case(
        "America/Santiago",
        &[Sat, Sun],
        &[("00:00", "01:00"), ("22:00", "24:00")],
        "2026-04-04T00:00:00Z",
        "2026-04-06T00:00:00Z",
        60,
        60,
    );
    let starts = c.starts();
    let around_midnight: Vec<_> = starts
        .iter()
        .filter(|s| s.starts_with("2026-04-05"))
        .cloned()
        .collect();
    assert_eq!(
        around_midnight,
        [
            "2026-04-05T01:00:00Z",
            "2026-04-05T02:00:00Z",
            "2026-04-05T03:00:00Z",
            "2026-04-05T04:00:00Z"
        ]
    );
    assert_sorted_and_unique(&starts);
}

// America/Havana changes at local midnight: 2026-03-08 00:00 CST -> 01:00 CDT at 05:00Z;
// 2026-11-01 01:00 CDT -> 00:00 CST at 05:00Z.

#[test]
fn havana_a_skipped_midnight_starts_the_day_at_01_00() {
    // Sunday 00:00 -> 01:00 CDT = 05:00Z; 02:00 CDT = 06:00Z.
    let c = case(
        "America/Havana",
        &[Sun],
        &[("00:00", "02:00")],
        "2026-03-07T00:00:00Z",
        "2026-03-09T00:00:00Z",
        30,
        30,
    );
    assert_eq!(c.starts(), ["2026-03-08T05:00:00Z", "2026-03-08T05:30:00Z"]);
    assert_eq!(
        local_dates_to_utc_iso("2026-03-08", "2026-03-08", "America/Havana"),
        ("2026-03-08T05:00:00Z".into(), "2026-03-09T04:00:00Z".into())
    );
}

#[test]
fn havana_a_repeated_midnight_starts_the_day_at_its_first_occurrence() {
    // Saturday 23:00 CDT = 03:00Z, 24:00 = Sunday 00:00, earlier = CDT = 04:00Z;
    // Sunday 00:00 CDT = 04:00Z to 02:00 CST = 07:00Z.
    let c = case(
        "America/Havana",
        &[Sat, Sun],
        &[("00:00", "02:00"), ("23:00", "24:00")],
        "2026-10-31T02:00:00Z",
        "2026-11-02T00:00:00Z",
        60,
        60,
    );
    assert_eq!(
        c.starts(),
        [
            "2026-10-31T04:00:00Z",
            "2026-10-31T05:00:00Z",
            "2026-11-01T03:00:00Z",
            "2026-11-01T04:00:00Z",
            "2026-11-01T05:00:00Z",
            "2026-11-01T06:00:00Z"
        ]
    );
    assert_eq!(
        local_dates_to_utc_iso("2026-11-01", "2026-11-01", "America/Havana"),
        ("2026-11-01T04:00:00Z".into(), "2026-11-02T05:00:00Z".into())
    );
}

// Date line. Pacific/Kiritimati is +14 all year. Pacific/Apia jumped from -10 to +14 at
// 2011-12-30 10:00Z: Thursday 12-29 23:59:59 -10 was followed by Saturday 12-31 00:00 +14.

#[test]
fn kiritimati_monday_morning_is_sunday_for_an_invitee_in_honolulu() {
    // Monday 09:00 +14 = Sunday 19:00Z = Sunday 09:00 HST (-10).
    let mut c = case(
        "Pacific/Kiritimati",
        &[Mon],
        &[("09:00", "10:00")],
        "2026-02-28T00:00:00Z",
        "2026-03-04T00:00:00Z",
        60,
        60,
    );
    let honolulu = zone("Pacific/Honolulu");
    c.range = super::local_dates_to_utc(date("2026-03-01"), date("2026-03-01"), honolulu).unwrap();
    assert_eq!(iso(c.range.start()), "2026-03-01T10:00:00Z");
    assert_eq!(c.starts(), ["2026-03-01T19:00:00Z"]);
    let days = group_by_local_date(&c.slots(), honolulu);
    assert_eq!(days[0].date, date("2026-03-01"));
    let days = group_by_local_date(&c.slots(), zone("Pacific/Kiritimati"));
    assert_eq!(days[0].date, date("2026-03-02"));
}

#[test]
fn apia_the_hours_of_the_skipped_day_move_a_day_forward_and_meet_the_next_days_hours_once() {
    // Friday 12-30 09:00 does not exist: forward by the 24-hour gap to Saturday 09:00 +14 =
    // 12-30 19:00Z, which is exactly where Saturday's own 09:00 is.
    let mut c = case(
        "Pacific/Apia",
        &[Thu, Fri, Sat],
        &[("09:00", "10:00")],
        "2011-12-28T00:00:00Z",
        "2012-01-02T00:00:00Z",
        60,
        60,
    );
    // Thursday 12-29 09:00 -10 = 19:00Z; Wednesday 12-28 is not a working day.
    assert_eq!(c.starts(), ["2011-12-29T19:00:00Z", "2011-12-30T19:00:00Z"]);
    c.weekly =
        WeeklyHours::on_days(&[Fri], &[super::test_support::hours("09:00", "10:00")]).unwrap();
    assert_eq!(c.starts(), ["2011-12-30T19:00:00Z"]);
}
