//! A day's booked time per event type and the host's limits across event types (issue 19):
//! set on the pages without script and through the API, a reached limit hides the rest of its
//! period's times for every event type it covers, and the one booking statement holds the
//! host's weekly limit when requests for two event types race.

use chrono::Days;
use serde_json::{json, Value};

use crate::limits::{
    assert_api_refused, assert_exactly_booked, assert_refused_under, at, book_event, limited_host,
    offered_of, patch_availability, race_fifty_through_a_week, save_event_form, save_host_limits,
};
use crate::sign_in::{location, sign_in_seeded};
use crate::support::browser::Browser;
use crate::support::seed::{next_monday, sql, EVERY_DAY};
use crate::support::{EventSeed, HostSeed, SeededHost};

/// A host in UTC open 09:00–17:00 every day (their default schedule) with two 30-minute
/// types, `call` and `chat`, signed in.
pub(crate) fn host_of_two(name: &str) -> (SeededHost, Browser) {
    let host = HostSeed::new(name, "UTC")
        .hours(EVERY_DAY, 9 * 60, 17 * 60)
        .event(EventSeed::new("call", 30))
        .event(EventSeed::new("chat", 30))
        .create();
    let (_, browser) = sign_in_seeded(&host, name);
    (host, browser)
}

#[test]
fn a_days_booked_time_counts_each_meeting_whole_and_the_next_day_stays_open() {
    let (host, browser) = limited_host("Minutes Limit");
    let refused = save_event_form(&browser, &host, &[("max_minutes_per_day", "20")]);
    assert_refused_under(
        &refused,
        "max_minutes_per_day",
        "less than one 30-minute meeting",
    );
    assert!(
        refused.body.contains("value=\"20\""),
        "the typed value is kept"
    );
    let saved = save_event_form(&browser, &host, &[("max_minutes_per_day", "60")]);
    assert_eq!(location(&saved), "/dashboard", "{}", saved.body);

    let monday = next_monday();
    let tuesday = monday + Days::new(1);
    assert_eq!(
        book_event(&host, "call", &at(monday, "09:00"), "t1@example.com"),
        201
    );
    assert_eq!(
        offered_of(&host, "call", monday, monday),
        15,
        "30 of 60 minutes left"
    );
    assert_eq!(
        book_event(&host, "call", &at(monday, "14:00"), "t2@example.com"),
        201
    );
    assert_eq!(
        offered_of(&host, "call", monday, monday),
        0,
        "60 minutes booked"
    );
    assert_ne!(
        book_event(&host, "call", &at(monday, "16:00"), "t3@example.com"),
        201
    );
    assert_eq!(offered_of(&host, "call", tuesday, tuesday), 16);
    let page = crate::support::http::get(&format!("/{}/call?date={monday}", host.slug));
    assert!(!page.body.contains("class=\"slot\""), "{}", page.body);

    use crate::api_tokens::{call, new_token};
    let token = new_token(&browser, "script");
    let path = format!("/api/v1/event-types/{}-call", host.id);
    let read = call("GET", &path, &token, None);
    assert_eq!(read.json()["max_minutes_per_day"], 60, "{}", read.body);
    let short = call(
        "PATCH",
        &path,
        &token,
        Some(json!({ "max_minutes_per_day": 29 })),
    );
    assert_eq!(short.status, 422, "{}", short.body);
    assert!(short.json()["error"]["fields"]["max_minutes_per_day"].is_string());
    let more = call(
        "PATCH",
        &path,
        &token,
        Some(json!({ "max_minutes_per_day": 90 })),
    );
    assert_eq!(more.status, 200, "{}", more.body);
    assert_eq!(
        offered_of(&host, "call", monday, monday),
        14,
        "one more meeting fits"
    );
    let none = call(
        "PATCH",
        &path,
        &token,
        Some(json!({ "max_minutes_per_day": null })),
    );
    assert_eq!(
        none.json()["max_minutes_per_day"],
        Value::Null,
        "{}",
        none.body
    );
}

#[test]
fn the_hosts_daily_and_weekly_limits_count_every_event_type() {
    let (host, browser) = host_of_two("Host Limits");
    let refused = save_host_limits(&browser, "0", "0", "");
    assert_refused_under(&refused, "host_max_per_day", "from 1 to 1000");
    assert!(refused.body.contains("id=\"host_max_per_day\" name=\"host_max_per_day\" type=\"number\" min=\"1\" max=\"1000\" class=\"short\" value=\"0\""));
    let saved = save_host_limits(&browser, "0", "2", "");
    assert_eq!(
        location(&saved),
        "/dashboard/availability",
        "{}",
        saved.body
    );
    let page = browser.get("/dashboard/availability");
    assert!(page.body.contains("name=\"host_max_per_day\" type=\"number\" min=\"1\" max=\"1000\" class=\"short\" value=\"2\""), "{}", page.body);

    let monday = next_monday();
    let tuesday = monday + Days::new(1);
    assert_eq!(
        book_event(&host, "call", &at(monday, "09:00"), "h1@example.com"),
        201
    );
    assert_eq!(
        book_event(&host, "chat", &at(monday, "10:00"), "h2@example.com"),
        201
    );
    for event in ["call", "chat"] {
        assert_eq!(
            offered_of(&host, event, monday, monday),
            0,
            "{event}: the day is full"
        );
        assert_eq!(offered_of(&host, event, tuesday, tuesday), 16, "{event}");
    }
    assert_ne!(
        book_event(&host, "chat", &at(monday, "15:00"), "h3@example.com"),
        201
    );

    use crate::api_tokens::{call, new_token};
    let token = new_token(&browser, "script");
    let read = call("GET", "/api/v1/availability", &token, None);
    assert_eq!(read.json()["max_per_day"], 2, "{}", read.body);
    assert_eq!(read.json()["max_per_week"], Value::Null);
    let wrong = patch_availability(&token, json!({ "max_per_week": "3" }));
    assert_api_refused(&wrong, "max_per_week");
    let weekly = patch_availability(&token, json!({ "max_per_day": null, "max_per_week": 3 }));
    assert_eq!(weekly.status, 200, "{}", weekly.body);
    assert_eq!(weekly.json()["max_per_week"], 3);
    assert_eq!(weekly.json()["max_per_day"], Value::Null);
    assert_eq!(weekly.json()["week_starts_on"], "monday", "kept");
    assert_eq!(
        offered_of(&host, "call", monday, monday),
        14,
        "the day is open again"
    );
    assert_eq!(
        book_event(&host, "chat", &at(tuesday, "09:00"), "h4@example.com"),
        201
    );
    let sunday = monday + Days::new(6);
    for event in ["call", "chat"] {
        assert_eq!(
            offered_of(&host, event, monday, sunday),
            0,
            "{event}: the week is full"
        );
        assert_eq!(
            offered_of(&host, event, sunday + Days::new(1), sunday + Days::new(1)),
            16
        );
    }
}

/// Fifty requests for fifty different times of one week, of two event types, under a host's
/// weekly limit of 3: exactly three bookings, none overlapping, none lost.
#[test]
fn fifty_racing_requests_for_two_event_types_against_the_hosts_weekly_limit_make_three() {
    let (host, _browser) = host_of_two("Racing Host Limit");
    sql(&format!(
        "UPDATE hosts SET max_bookings_per_week = 3 WHERE id = '{}'",
        host.id
    ));
    let statuses = race_fifty_through_a_week(&host, &["call", "chat"], next_monday());
    assert_exactly_booked(&host, &statuses, 3);
}
