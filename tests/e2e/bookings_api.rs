//! `POST /api/v1/bookings`: 201 with the booking, 409 for a taken slot, 422 per field,
//! idempotent retries, and never two bookings on one slot, even when requests race.

use chrono::{Days, Utc};
use serde_json::json;

use crate::support::http::{post_json, send};
use crate::support::seed::{sql, EVERY_DAY};
use crate::support::{EventSeed, HostSeed, SeededHost};

fn host(name: &str) -> SeededHost {
    HostSeed::new(name, "UTC")
        .hours(EVERY_DAY, 0, 1440)
        .event(EventSeed::new("call", 30))
        .create()
}

fn slot_in_days(days: u64, time: &str) -> String {
    format!("{}T{time}:00Z", Utc::now().date_naive() + Days::new(days))
}

fn booking(host: &SeededHost, start: &str, email: &str) -> serde_json::Value {
    json!({ "host": host.slug, "event": "call", "start": start, "name": "Api Person", "email": email,
            "time_zone": "Asia/Kathmandu" })
}

#[test]
fn a_booking_is_created_once_and_the_slot_then_conflicts() {
    let host = host("Api Host");
    let start = slot_in_days(2, "10:00");
    let created = post_json(
        "/api/v1/bookings",
        &booking(&host, &start, "first@example.com"),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    let body = created.json();
    assert_eq!(body["booking"]["start"], start);
    assert_eq!(body["booking"]["end"], slot_in_days(2, "10:30"));
    assert_eq!(body["booking"]["status"], "confirmed");
    assert_eq!(body["booking"]["invitee"]["time_zone"], "Asia/Kathmandu");
    let manage_url = body["booking"]["manage_url"].as_str().unwrap();
    let page = crate::support::http::get(manage_url);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Api Person"));

    let clash = post_json(
        "/api/v1/bookings",
        &booking(&host, &start, "second@example.com"),
    );
    assert_eq!(clash.status, 409);
    assert_eq!(clash.json()["error"]["code"], "conflict");

    // Overlapping but not identical: 10:15 was never a slot (30-minute steps) → 422; 10:30 is free.
    let off_grid = post_json(
        "/api/v1/bookings",
        &booking(&host, &slot_in_days(2, "10:15"), "x@example.com"),
    );
    assert_eq!(off_grid.status, 422);
    assert!(off_grid.json()["error"]["fields"]["start"].is_string());
    let next = post_json(
        "/api/v1/bookings",
        &booking(&host, &slot_in_days(2, "10:30"), "x@example.com"),
    );
    assert_eq!(next.status, 201);
}

#[test]
fn a_retry_with_the_same_idempotency_key_returns_the_same_booking() {
    let host = host("Retry Host");
    let mut body = booking(&host, &slot_in_days(3, "09:00"), "retry@example.com");
    body["idempotency_key"] = json!("retry-key-0123456789abcdef");
    let first = post_json("/api/v1/bookings", &body);
    let second = post_json("/api/v1/bookings", &body);
    assert_eq!(first.status, 201);
    assert_eq!(second.status, 200);
    // The same booking, without its private link (it went to the invitee's address).
    let mut expected = first.json()["booking"].clone();
    expected["manage_url"] = serde_json::Value::Null;
    assert_eq!(expected, second.json()["booking"]);

    body["start"] = json!(slot_in_days(3, "11:00"));
    let reused = post_json("/api/v1/bookings", &body);
    assert_eq!(reused.status, 422);
    assert!(reused.json()["error"]["fields"]["idempotency_key"].is_string());
    let rows = sql(&format!(
        "SELECT COUNT(*) AS n FROM bookings WHERE host_id = '{}'",
        host.id
    ));
    assert_eq!(rows[0]["n"], 1);
}

/// Sends every body at once from its own thread and returns the statuses.
fn race(bodies: Vec<serde_json::Value>) -> Vec<u16> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = bodies
            .into_iter()
            .map(|body| scope.spawn(move || post_json("/api/v1/bookings", &body).status))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

/// Pairs of the host's confirmed bookings that overlap, straight from D1.
fn overlapping_pairs(host: &SeededHost) -> Vec<serde_json::Value> {
    sql(&format!(
        "SELECT a.id FROM bookings a JOIN bookings b ON a.host_id = b.host_id AND a.id < b.id \
         WHERE a.host_id = '{}' AND a.status = 'confirmed' AND b.status = 'confirmed' \
         AND a.start_at < b.end_at AND b.start_at < a.end_at",
        host.id
    ))
}

#[test]
fn fifty_racing_requests_for_one_slot_make_exactly_one_booking() {
    let host = host("Racing Host");
    let start = slot_in_days(4, "14:00");
    let bodies = (0..50)
        .map(|i| booking(&host, &start, &format!("racer{i}@example.com")))
        .collect();
    let statuses = race(bodies);
    assert_eq!(
        statuses.iter().filter(|&&s| s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|&&s| s == 409).count(),
        49,
        "{statuses:?}"
    );
    let rows = sql(&format!(
        "SELECT COUNT(*) AS n FROM bookings WHERE host_id = '{}'",
        host.id
    ));
    assert_eq!(rows[0]["n"], 1);
}

#[test]
fn overlapping_slots_of_two_event_types_never_both_book() {
    let host = HostSeed::new("Two Types Host", "UTC")
        .hours(EVERY_DAY, 0, 1440)
        .event(EventSeed::new("call", 30))
        .event(EventSeed {
            interval: Some(15),
            ..EventSeed::new("long", 60)
        })
        .create();
    // 10:00–10:30 and 10:30–11:00 (call) both overlap 10:15–11:15 (long), but not each other.
    let mut bodies = Vec::new();
    for i in 0..10 {
        let time = if i % 2 == 0 { "10:00" } else { "10:30" };
        let mut call = booking(&host, &slot_in_days(5, time), &format!("c{i}@example.com"));
        call["event"] = serde_json::json!("call");
        let mut long = booking(
            &host,
            &slot_in_days(5, "10:15"),
            &format!("l{i}@example.com"),
        );
        long["event"] = serde_json::json!("long");
        bodies.push(call);
        bodies.push(long);
    }
    let statuses = race(bodies);
    let created = statuses.iter().filter(|&&s| s == 201).count();
    assert!((1..=2).contains(&created), "{statuses:?}");
    assert!(
        statuses.iter().all(|&s| s == 201 || s == 409),
        "{statuses:?}"
    );
    assert!(
        overlapping_pairs(&host).is_empty(),
        "D1 holds overlapping bookings"
    );
}

#[test]
fn invalid_bodies_get_clear_4xx_answers() {
    let host = host("Invalid Host");
    let bad_fields = post_json(
        "/api/v1/bookings",
        &json!({ "host": host.slug, "event": "call", "start": "soon", "name": "", "email": "nope", "time_zone": "Nowhere" }),
    );
    assert_eq!(bad_fields.status, 422);
    let fields = &bad_fields.json()["error"]["fields"];
    for name in ["start", "name", "email", "time_zone"] {
        assert!(fields[name].is_string(), "{name} is reported: {fields}");
    }

    let past = post_json(
        "/api/v1/bookings",
        &booking(&host, "2020-01-06T10:00:00Z", "p@example.com"),
    );
    assert_eq!(past.status, 422);

    let unknown_event = post_json(
        "/api/v1/bookings",
        &json!({ "host": host.slug, "event": "nope", "start": slot_in_days(2, "10:00"), "name": "A",
                 "email": "a@example.com", "time_zone": "UTC" }),
    );
    assert_eq!(unknown_event.status, 404);

    let broken = send(
        "POST",
        "/api/v1/bookings",
        "application/json",
        "{\"host\": ",
    );
    assert_eq!(broken.status, 400);
    assert_eq!(broken.json()["error"]["code"], "bad_request");

    let form = send("POST", "/api/v1/bookings", "text/plain", "hello");
    assert_eq!(form.status, 415);

    let huge = send(
        "POST",
        "/api/v1/bookings",
        "application/json",
        &format!("{{\"name\": \"{}\"}}", "a".repeat(70_000)),
    );
    assert_eq!(huge.status, 413);

    let wrong_method = send("PUT", "/api/v1/bookings", "application/json", "{}");
    assert_eq!(wrong_method.status, 405);
    assert!(sql(&format!(
        "SELECT id FROM bookings WHERE host_id = '{}'",
        host.id
    ))
    .is_empty());
}
