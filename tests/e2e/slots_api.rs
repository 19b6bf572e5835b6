//! `GET /api/v1/slots`: the engine's answer over HTTP, in the invitee's zone, across DST.

use chrono::{Datelike, Days, NaiveDate, Utc, Weekday};

use crate::support::http::{get, query};
use crate::support::seed::EVERY_DAY;
use crate::support::{EventSeed, HostSeed};

/// The next last-Sunday-of-March: when Europe/Berlin springs forward (EU rule since 1996).
fn next_eu_spring_forward() -> NaiveDate {
    let today = Utc::now().date_naive();
    let mut year = today.year();
    loop {
        let mut day = NaiveDate::from_ymd_opt(year, 3, 31).unwrap();
        while day.weekday() != Weekday::Sun {
            day = day.pred_opt().unwrap();
        }
        if day > today + Days::new(2) {
            return day;
        }
        year += 1;
    }
}

fn starts_and_local_starts(day: &serde_json::Value) -> Vec<(String, String)> {
    day["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["start"].as_str().unwrap().to_owned(),
                s["local_start"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn a_dst_week_shows_the_same_local_hours_in_berlin_and_shifted_hours_in_new_york() {
    let host = HostSeed::new("Dst Host", "Europe/Berlin")
        .hours(EVERY_DAY, 9 * 60, 17 * 60)
        .event(EventSeed {
            window_days: 365,
            ..EventSeed::new("hour", 60)
        })
        .create();
    let sunday = next_eu_spring_forward();
    let saturday = sunday.pred_opt().unwrap();
    let ask = |zone: &str| {
        let q = query(&[
            ("host", &host.slug),
            ("event", "hour"),
            ("tz", zone),
            ("from", &saturday.to_string()),
            ("to", &sunday.to_string()),
        ]);
        let reply = get(&format!("/api/v1/slots?{q}"));
        assert_eq!(reply.status, 200, "{}", reply.body);
        reply.json()
    };

    let berlin = ask("Europe/Berlin");
    assert_eq!(berlin["time_zone"], "Europe/Berlin");
    let days = berlin["days"].as_array().unwrap();
    assert_eq!(days.len(), 2);
    let before = starts_and_local_starts(&days[0]);
    let after = starts_and_local_starts(&days[1]);
    assert_eq!(before.len(), 8, "09:00 to 16:00 local, hourly");
    assert_eq!(after.len(), 8, "the short night does not eat working hours");
    assert_eq!(
        before[0],
        (
            format!("{saturday}T08:00:00Z"),
            format!("{saturday}T09:00:00+01:00")
        )
    );
    assert_eq!(
        after[0],
        (
            format!("{sunday}T07:00:00Z"),
            format!("{sunday}T09:00:00+02:00")
        )
    );
    assert_eq!(after[7].1, format!("{sunday}T16:00:00+02:00"));

    // New York has already moved to EDT (second Sunday of March), so the gap to Berlin
    // shrinks by an hour overnight: 04:00 on Saturday becomes 03:00 on Sunday.
    let new_york = ask("America/New_York");
    let days = new_york["days"].as_array().unwrap();
    assert_eq!(days[0]["date"], saturday.to_string());
    let ny_before = starts_and_local_starts(&days[0]);
    let ny_after = starts_and_local_starts(&days[1]);
    assert_eq!(
        ny_before[0],
        (
            format!("{saturday}T08:00:00Z"),
            format!("{saturday}T04:00:00-04:00")
        )
    );
    assert_eq!(
        ny_after[0],
        (
            format!("{sunday}T07:00:00Z"),
            format!("{sunday}T03:00:00-04:00")
        )
    );
}

#[test]
fn instants_can_bound_the_range_instead_of_local_dates() {
    let host = HostSeed::new("Instant Host", "UTC")
        .hours(EVERY_DAY, 0, 1440)
        .event(EventSeed::new("short", 30))
        .create();
    let from = Utc::now().date_naive() + Days::new(3);
    let q = query(&[
        ("host", &host.slug),
        ("event", "short"),
        ("start", &format!("{from}T10:00:00Z")),
        ("end", &format!("{from}T12:00:00Z")),
    ]);
    let reply = get(&format!("/api/v1/slots?{q}"));
    assert_eq!(reply.status, 200, "{}", reply.body);
    let starts: Vec<String> = reply.json()["days"][0]["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["start"].as_str().unwrap().to_owned())
        .collect();
    let expected: Vec<String> = ["10:00", "10:30", "11:00", "11:30"]
        .iter()
        .map(|t| format!("{from}T{t}:00Z"))
        .collect();
    assert_eq!(starts, expected);
}

#[test]
fn bad_parameters_get_field_level_422s_and_unknown_hosts_404() {
    let host = HostSeed::new("Param Host", "UTC")
        .hours(EVERY_DAY, 0, 1440)
        .event(EventSeed::new("x", 30))
        .create();
    let missing = get("/api/v1/slots");
    assert_eq!(missing.status, 422);
    assert_eq!(
        missing.json()["error"]["fields"]["host"],
        "This parameter is required."
    );

    let bad_zone = get(&format!(
        "/api/v1/slots?{}",
        query(&[("host", &host.slug), ("event", "x"), ("tz", "Mars/Base")])
    ));
    assert_eq!(bad_zone.status, 422);
    assert!(bad_zone.json()["error"]["fields"]["tz"]
        .as_str()
        .unwrap()
        .contains("IANA"));

    let bad_date = get(&format!(
        "/api/v1/slots?{}",
        query(&[("host", &host.slug), ("event", "x"), ("from", "tomorrow")])
    ));
    assert_eq!(bad_date.status, 422);
    assert!(bad_date.json()["error"]["fields"]["from"].is_string());

    let too_long = get(&format!(
        "/api/v1/slots?{}",
        query(&[
            ("host", &host.slug),
            ("event", "x"),
            ("from", "2030-01-01"),
            ("to", "2030-06-01")
        ])
    ));
    assert_eq!(too_long.status, 422);
    assert!(too_long.json()["error"]["fields"]["to"]
        .as_str()
        .unwrap()
        .contains("62 days"));

    let backwards = get(&format!(
        "/api/v1/slots?{}",
        query(&[
            ("host", &host.slug),
            ("event", "x"),
            ("from", "2030-01-05"),
            ("to", "2030-01-01")
        ])
    ));
    assert_eq!(backwards.status, 422);

    let unknown = get(&format!(
        "/api/v1/slots?{}",
        query(&[("host", "nobody-here"), ("event", "x")])
    ));
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.json()["error"]["code"], "not_found");
}

#[test]
fn date_overrides_replace_a_days_hours_or_take_the_day_off() {
    let day_off = Utc::now().date_naive() + Days::new(3);
    let short_day = day_off + Days::new(1);
    let host = HostSeed::new("Override Host", "UTC")
        .hours(EVERY_DAY, 9 * 60, 17 * 60)
        .date_override(&day_off.to_string(), &[])
        .date_override(&short_day.to_string(), &[(10 * 60, 11 * 60)])
        .event(EventSeed::new("call", 30))
        .create();
    let q = query(&[
        ("host", &host.slug),
        ("event", "call"),
        ("tz", "UTC"),
        ("from", &(day_off - Days::new(1)).to_string()),
        ("to", &short_day.to_string()),
    ]);
    let reply = get(&format!("/api/v1/slots?{q}"));
    assert_eq!(reply.status, 200, "{}", reply.body);
    let days = reply.json()["days"].as_array().unwrap().clone();
    let dates: Vec<&str> = days.iter().map(|d| d["date"].as_str().unwrap()).collect();
    assert_eq!(
        dates,
        vec![(day_off - Days::new(1)).to_string(), short_day.to_string()]
    );
    assert_eq!(days[0]["slots"].as_array().unwrap().len(), 16);
    let short: Vec<(String, String)> = starts_and_local_starts(&days[1]);
    assert_eq!(
        short.iter().map(|s| s.0.clone()).collect::<Vec<_>>(),
        vec![
            format!("{short_day}T10:00:00Z"),
            format!("{short_day}T10:30:00Z"),
        ]
    );
}
