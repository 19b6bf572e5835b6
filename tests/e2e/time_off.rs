//! Time off (issue 19): added on the availability page (HTML, no script) or through the host
//! API, it hides every time it covers on the booking page and in the slots API, the booking
//! page shows its note, the booking statement refuses a time inside it, and removing it gives
//! the times back. Another host's time off is never reached.

use chrono::{Days, NaiveDate};
use serde_json::{json, Value};

use crate::sign_in::sign_in_seeded;
use crate::sign_in::{csrf_of, location};
use crate::support::browser::Browser;
use crate::support::http::{get, post_json, query};
use crate::support::seed::next_monday;
use crate::support::seed::EVERY_DAY;
use crate::support::{EventSeed, HostSeed, SeededHost};

/// A host in Berlin open 09:00–17:00 every day with a 30-minute `call`, signed in.
fn host(name: &str) -> (SeededHost, Browser) {
    let host = HostSeed::new(name, "Europe/Berlin")
        .hours(EVERY_DAY, 9 * 60, 17 * 60)
        .event(EventSeed::new("call", 30))
        .create();
    let (_, browser) = sign_in_seeded(&host, name);
    (host, browser)
}

/// The times the slots API offers on each local date from `from` to `to`, in Berlin.
fn offered(host: &SeededHost, from: NaiveDate, to: NaiveDate) -> Vec<usize> {
    let q = query(&[
        ("host", &host.slug),
        ("event", "call"),
        ("tz", "Europe/Berlin"),
        ("from", &from.to_string()),
        ("to", &to.to_string()),
    ]);
    let reply = get(&format!("/api/v1/slots?{q}"));
    assert_eq!(reply.status, 200, "{}", reply.body);
    let days = reply.json()["days"].as_array().unwrap().clone();
    from.iter_days()
        .take_while(|d| *d <= to)
        .map(|date| {
            days.iter()
                .find(|d| d["date"] == date.to_string())
                .map_or(0, |d| d["slots"].as_array().unwrap().len())
        })
        .collect()
}

fn book(host: &SeededHost, start: &str) -> u16 {
    post_json(
        "/api/v1/bookings",
        &json!({ "host": host.slug, "event": "call", "start": start, "name": "Tim Off",
                 "email": "tim.off@example.com", "time_zone": "Europe/Berlin" }),
    )
    .status
}

#[test]
fn time_off_from_the_availability_page_hides_its_days_and_shows_its_note() {
    let (host, browser) = host("Holiday Host");
    let monday = next_monday();
    let wednesday = monday + Days::new(2);
    let page = browser.get("/dashboard/availability");
    assert!(
        page.body.contains("You have no time off ahead."),
        "{}",
        page.body
    );
    let add = |start: &str, end: &str, note: &str| {
        let page = browser.get("/dashboard/availability");
        browser.post_form(
            "/dashboard/availability/time-off",
            &[
                ("csrf", &csrf_of(&page)),
                ("time_off_start_date", start),
                ("time_off_start_time", ""),
                ("time_off_end_date", end),
                ("time_off_end_time", ""),
                ("time_off_note", note),
            ],
            &[],
        )
    };
    // The end before the start: the form comes back with the message and what was typed.
    let refused = add(
        &wednesday.to_string(),
        &monday.to_string(),
        "Back on Thursday",
    );
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.body.contains("time_off_end_date-error"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("value=\"Back on Thursday\""));

    let added = add(
        &monday.to_string(),
        &wednesday.to_string(),
        "Back on Thursday",
    );
    assert_eq!(
        location(&added),
        "/dashboard/availability",
        "{}",
        added.body
    );
    let page = browser.get("/dashboard/availability");
    assert!(page.body.contains("Back on Thursday"), "{}", page.body);

    // Monday to Wednesday offer nothing, Sunday and Thursday their 16 half hours.
    assert_eq!(
        offered(&host, monday - Days::new(1), wednesday + Days::new(1)),
        [16, 0, 0, 0, 16]
    );
    let booking_page = get(&format!("/{}/call?date={monday}", host.slug));
    assert!(
        booking_page.body.contains("Back on Thursday"),
        "{}",
        booking_page.body
    );
    assert_ne!(
        book(&host, &format!("{}T09:00:00Z", monday + Days::new(1))),
        201
    );

    // Removed: the days are offered again.
    let remove = page
        .body
        .split("action=\"/dashboard/availability/time-off/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a remove form")
        .to_owned();
    let removed = browser.post_form(
        &format!("/dashboard/availability/time-off/{remove}"),
        &[("csrf", &csrf_of(&page))],
        &[],
    );
    assert_eq!(
        location(&removed),
        "/dashboard/availability",
        "{}",
        removed.body
    );
    assert_eq!(offered(&host, monday, wednesday), [16, 16, 16]);
}

#[test]
fn time_off_through_the_api_is_listed_refuses_bookings_and_is_the_hosts_own() {
    use crate::api_tokens::{call, new_token};
    let (host, browser) = host("Api Holiday");
    let token = new_token(&browser, "script");
    let friday = next_monday() + Days::new(4);
    // 12:00–15:00 in Berlin (winter or summer time alike, as an offset).
    let span = |h: u32| {
        let local = friday.and_hms_opt(h, 0, 0).unwrap();
        let instant = chrono::TimeZone::from_local_datetime(&chrono_tz::Europe::Berlin, &local)
            .single()
            .unwrap();
        instant.to_rfc3339()
    };
    for (body, field) in [
        (json!({ "end": span(15) }), "start"),
        (json!({ "start": span(15), "end": span(12) }), "end"),
        (
            json!({ "start": span(12), "end": span(15), "note": "x".repeat(201) }),
            "note",
        ),
        (
            json!({ "start": span(12), "end": span(15), "why": "dentist" }),
            "unknown_field",
        ),
        (json!({ "start": "friday noon", "end": span(15) }), "start"),
    ] {
        let reply = call("POST", "/api/v1/time-off", &token, Some(body));
        assert_eq!(reply.status, 422, "{}", reply.body);
        assert!(
            reply.json()["error"]["fields"][field].is_string(),
            "{}",
            reply.body
        );
    }
    let created = call(
        "POST",
        "/api/v1/time-off",
        &token,
        Some(json!({ "start": span(12), "end": span(15), "note": "Back at three" })),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let listed = call("GET", "/api/v1/time-off", &token, None).json();
    assert_eq!(listed["time_off"].as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed["time_off"][0]["note"], "Back at three");
    // 10 of the day's 16 half hours are left (09:00–12:00 and 15:00–17:00).
    assert_eq!(offered(&host, friday, friday), [10]);
    let noon = chrono::DateTime::parse_from_rfc3339(&span(12))
        .unwrap()
        .to_utc();
    assert_ne!(
        book(
            &host,
            &noon.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        ),
        201
    );

    // Another host's token reaches none of it.
    let (_, other_browser) = self::host("Other Holiday");
    let other = new_token(&other_browser, "other");
    let theirs = call("GET", "/api/v1/time-off", &other, None).json();
    assert_eq!(theirs["time_off"], Value::Array(Vec::new()));
    let stolen = call("DELETE", &format!("/api/v1/time-off/{id}"), &other, None);
    assert_eq!(stolen.status, 404, "{}", stolen.body);

    let deleted = call("DELETE", &format!("/api/v1/time-off/{id}"), &token, None);
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    assert_eq!(offered(&host, friday, friday), [16]);
    let again = call("DELETE", &format!("/api/v1/time-off/{id}"), &token, None);
    assert_eq!(again.status, 404);
}
