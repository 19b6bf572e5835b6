//! The host's bookings through the JSON API: a page at a time (upcoming and past, keyset
//! cursors that neither skip nor repeat), one booking, and cancelling with a reason, which
//! tells the invitee and offers the time again exactly like the dashboard. Another host's
//! booking is simply not found, and a session cookie may read but not cancel.

use chrono::Utc;
use serde_json::{json, Value};

use crate::api_tokens::{call, cookie_call, host_with_token, new_token};
use crate::dashboard_bookings::{book, bookable_host, offered, start_in_days, status_of};
use crate::support::http::request;
use crate::support::mail::wait_for_emails;
use crate::support::seed::sql;

fn ids(page: &Value) -> Vec<String> {
    page["bookings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_str().unwrap().to_owned())
        .collect()
}

fn invalid_field(reply: &crate::support::http::Reply, field: &str) {
    assert_eq!(reply.status, 422, "{}", reply.body);
    let body = reply.json();
    assert_eq!(body["error"]["code"], "invalid_input");
    assert!(
        body["error"]["fields"][field].is_string(),
        "{field}: {}",
        reply.body
    );
}

#[test]
fn api_lists_the_hosts_bookings_a_page_at_a_time() {
    let (browser, _email, slug, _csrf) = bookable_host("api-bookings-list");
    let token = new_token(&browser, "list");
    let invitee = format!("paged-{slug}@example.org");
    let third = book(&slug, start_in_days(7), "Third Invitee", &invitee);
    let first = book(&slug, start_in_days(3), "First Invitee", &invitee);
    let second = book(&slug, start_in_days(5), "Second Invitee", &invitee);
    let past_one = book(&slug, start_in_days(9), "Past One", &invitee);
    let past_two = book(&slug, start_in_days(10), "Past Two", &invitee);
    let now = Utc::now().timestamp();
    for (id, days_ago) in [(&past_one, 4), (&past_two, 2)] {
        let start = now - days_ago * 86_400;
        sql(&format!(
            "UPDATE bookings SET start_at = {start}, end_at = {} WHERE id = '{id}'",
            start + 1800
        ));
    }

    let page = call("GET", "/api/v1/bookings?limit=2", &token, None);
    assert_eq!(page.status, 200, "{}", page.body);
    let page = page.json();
    assert_eq!(ids(&page), [first.clone(), second.clone()], "soonest first");
    let booking = &page["bookings"][0];
    assert_eq!(booking["status"], "confirmed");
    assert_eq!(booking["event"], "call");
    assert_eq!(booking["event_title"], "Planning call");
    assert_eq!(booking["invitee"]["name"], "First Invitee");
    assert_eq!(booking["invitee"]["email"], invitee.as_str());
    assert_eq!(booking["invitee"]["time_zone"], "America/New_York");
    assert_eq!(booking["duration_minutes"], 30);
    assert_eq!(booking["location_kind"], "zoom");
    assert_eq!(
        booking["start"],
        start_in_days(3).format("%Y-%m-%dT%H:%M:%SZ").to_string()
    );
    // A booking made meanwhile, before the cursor, does not shift the next page.
    let earliest = book(&slug, start_in_days(2), "Early Bird", &invitee);
    let cursor = page["next_cursor"].as_str().expect("a next page");
    let next = call(
        "GET",
        &format!("/api/v1/bookings?limit=2&cursor={cursor}"),
        &token,
        None,
    )
    .json();
    assert_eq!(ids(&next), std::slice::from_ref(&third));
    assert_eq!(next["next_cursor"], Value::Null);
    let all = call("GET", "/api/v1/bookings", &token, None).json();
    assert_eq!(ids(&all), [earliest, first, second, third]);

    let past = call("GET", "/api/v1/bookings?when=past&limit=1", &token, None).json();
    assert_eq!(ids(&past), [past_two], "latest first");
    let cursor = past["next_cursor"].as_str().unwrap();
    let older = call(
        "GET",
        &format!("/api/v1/bookings?when=past&limit=1&cursor={cursor}"),
        &token,
        None,
    )
    .json();
    assert_eq!(ids(&older), [past_one]);

    // The dashboard's session may read the list too.
    let by_cookie = cookie_call(&browser, "GET", "/api/v1/bookings?when=past", None);
    assert_eq!(by_cookie.status, 200, "{}", by_cookie.body);
    assert_eq!(ids(&by_cookie.json()).len(), 2);

    for (query, field) in [
        ("when=later", "when"),
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=ten", "limit"),
        ("cursor=not-a-cursor", "cursor"),
        ("cursor=12_a%27--", "cursor"),
    ] {
        invalid_field(
            &call("GET", &format!("/api/v1/bookings?{query}"), &token, None),
            field,
        );
    }
    assert_eq!(
        call("GET", "/api/v1/bookings", "os_wrong", None).status,
        401
    );
}

#[test]
fn api_cancels_a_booking_with_a_reason_and_the_invitee_is_told() {
    let (browser, host_email, slug, _csrf) = bookable_host("api-bookings-cancel");
    let token = new_token(&browser, "cancel");
    let invitee = format!("api-told-{slug}@example.org");
    let start = start_in_days(4);
    let id = book(&slug, start, "Api Told", &invitee);
    wait_for_emails(&invitee, "Booked:", 1);

    let one = call("GET", &format!("/api/v1/bookings/{id}"), &token, None);
    assert_eq!(one.status, 200, "{}", one.body);
    assert_eq!(one.json()["invitee"]["name"], "Api Told");

    // Reads only with a session: the dashboard's cookie cannot cancel.
    let by_cookie = cookie_call(
        &browser,
        "POST",
        &format!("/api/v1/bookings/{id}/cancel"),
        Some(json!({})),
    );
    assert_eq!(by_cookie.status, 401, "{}", by_cookie.body);
    invalid_field(
        &call(
            "POST",
            &format!("/api/v1/bookings/{id}/cancel"),
            &token,
            Some(json!({ "reason": "x".repeat(501) })),
        ),
        "reason",
    );
    invalid_field(
        &call(
            "POST",
            &format!("/api/v1/bookings/{id}/cancel"),
            &token,
            Some(json!({ "reason": "ok", "notify": false })),
        ),
        "unknown_field",
    );
    invalid_field(
        &call(
            "POST",
            &format!("/api/v1/bookings/{id}/cancel"),
            &token,
            Some(json!({ "reason": 5 })),
        ),
        "reason",
    );
    assert_eq!(status_of(&id), "confirmed");

    let done = call(
        "POST",
        &format!("/api/v1/bookings/{id}/cancel"),
        &token,
        Some(json!({ "reason": "Double-booked, sorry" })),
    );
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(done.json()["status"], "cancelled");
    assert_eq!(status_of(&id), "cancelled");
    assert!(offered(&slug, start), "the time is offered again");
    let told = wait_for_emails(&invitee, "Cancelled", 1);
    let text = told[0]["text"].as_str().unwrap();
    assert!(
        text.contains("Their reason: Double-booked, sorry"),
        "{text}"
    );
    assert_eq!(wait_for_emails(&host_email, "Cancelled", 1).len(), 1);

    // Again: the same answer, nothing more queued.
    let again = call(
        "POST",
        &format!("/api/v1/bookings/{id}/cancel"),
        &token,
        None,
    );
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.json()["status"], "cancelled");
    let queued = sql(&format!(
        "SELECT COUNT(*) AS n FROM email_outbox WHERE booking_id = '{id}' AND kind LIKE '%cancellation'"
    ));
    assert_eq!(queued[0]["n"], 2);

    // No body at all is a cancellation without a reason.
    let bare = book(&slug, start_in_days(6), "Bare Cancel", &invitee);
    let auth = format!("Bearer {token}");
    let reply = request(
        "POST",
        &format!("/api/v1/bookings/{bare}/cancel"),
        &[("Authorization", &auth)],
        None,
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(status_of(&bare), "cancelled");

    // A meeting under way can no longer be cancelled.
    let running = book(&slug, start_in_days(8), "Running Now", &invitee);
    let now = Utc::now().timestamp();
    sql(&format!(
        "UPDATE bookings SET start_at = {}, end_at = {} WHERE id = '{running}'",
        now - 600,
        now + 1200
    ));
    let late = call(
        "POST",
        &format!("/api/v1/bookings/{running}/cancel"),
        &token,
        None,
    );
    assert_eq!(late.status, 409, "{}", late.body);
    assert_eq!(late.json()["error"]["code"], "too_late");
    assert_eq!(status_of(&running), "confirmed");
}

#[test]
fn api_another_hosts_booking_is_not_found() {
    let (browser, _email, slug, _csrf) = bookable_host("api-bookings-owner");
    let owner_token = new_token(&browser, "owner");
    let id = book(
        &slug,
        start_in_days(5),
        "Kept Private",
        &format!("private-{slug}@example.org"),
    );
    let (_other, _other_email, other_token) = host_with_token("api-bookings-stranger");
    let path = format!("/api/v1/bookings/{id}");
    assert_eq!(call("GET", &path, &other_token, None).status, 404);
    let cancel = call(
        "POST",
        &format!("{path}/cancel"),
        &other_token,
        Some(json!({ "reason": "not mine" })),
    );
    assert_eq!(cancel.status, 404, "{}", cancel.body);
    assert_eq!(status_of(&id), "confirmed");
    let theirs = call("GET", "/api/v1/bookings", &other_token, None).json();
    assert!(ids(&theirs).is_empty(), "{theirs}");
    assert_eq!(call("GET", &path, &owner_token, None).status, 200);
    // The path's other methods are named, not guessed.
    let wrong = call("DELETE", &path, &owner_token, None);
    assert_eq!(wrong.status, 405);
    assert_eq!(wrong.header("allow"), Some("GET"));
}
