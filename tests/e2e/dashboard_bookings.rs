//! A signed-in host sees their bookings (upcoming and past, in their own zone) and cancels one
//! with a reason: the booking is cancelled through the same path as an invitee's cancellation,
//! the invitee gets the METHOD:CANCEL email with the reason, the time is offered again, and no
//! other host can see or cancel it.

use chrono::{DateTime, Days, Utc};
use serde_json::json;

use crate::sign_in::{csrf_of, host_row, location, signed_in_host};
use crate::support::browser::Browser;
use crate::support::http::{get, post_json, query};
use crate::support::mail::{ics_attachment, parse_invitation, wait_for_emails};
use crate::support::seed::sql;

/// The event type form of the `call` every [`bookable_host`] has, at `location_kind` with
/// `location_detail`.
pub(crate) fn call_form<'a>(
    csrf: &'a str,
    location_kind: &'a str,
    location_detail: &'a str,
) -> [(&'a str, &'a str); 13] {
    [
        ("csrf", csrf),
        ("title", "Planning call"),
        ("slug", "call"),
        ("description", ""),
        ("duration_minutes", "30"),
        ("interval_minutes", ""),
        ("buffer_before_minutes", "0"),
        ("buffer_after_minutes", "0"),
        ("minimum_notice_minutes", "60"),
        ("booking_window_days", "30"),
        ("max_per_day", ""),
        ("location_kind", location_kind),
        ("location_detail", location_detail),
    ]
}

/// A signed-in host (Europe/Berlin) with event type `call` bookable all day, every day:
/// (browser, host email, host slug, csrf).
pub(crate) fn bookable_host(tag: &str) -> (Browser, String, String, String) {
    let (browser, email) = signed_in_host(tag, "Booked Host");
    let slug = host_row(&email)["slug"].as_str().unwrap().to_owned();
    let csrf = csrf_of(&browser.get("/dashboard/event-types/new"));
    let reply = browser.post_form("/dashboard/event-types", &call_form(&csrf, "zoom", ""), &[]);
    assert_eq!(location(&reply), "/dashboard", "{}", reply.body);
    let mut week = vec![("csrf", csrf.as_str()), ("schedule_time_zone", "UTC")];
    for day in ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] {
        week.push((day, "00:00-24:00"));
    }
    let saved = browser.post_form("/dashboard/availability", &week, &[]);
    assert_eq!(
        location(&saved),
        "/dashboard/availability",
        "{}",
        saved.body
    );
    (browser, email, slug, csrf)
}

pub(crate) fn start_in_days(days: u64) -> DateTime<Utc> {
    format!("{}T09:00:00Z", Utc::now().date_naive() + Days::new(days))
        .parse()
        .unwrap()
}

pub(crate) fn book(slug: &str, start: DateTime<Utc>, name: &str, invitee: &str) -> String {
    let reply = post_json(
        "/api/v1/bookings",
        &json!({ "host": slug, "event": "call", "start": start.to_rfc3339(),
                 "name": name, "email": invitee, "time_zone": "America/New_York" }),
    );
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.json()["booking"]["id"].as_str().unwrap().to_owned()
}

pub(crate) fn offered(slug: &str, start: DateTime<Utc>) -> bool {
    let date = start.date_naive().to_string();
    let reply = get(&format!(
        "/api/v1/slots?{}",
        query(&[
            ("host", slug),
            ("event", "call"),
            ("tz", "UTC"),
            ("from", &date),
            ("to", &date)
        ])
    ));
    assert_eq!(reply.status, 200, "{}", reply.body);
    let wanted = start.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    reply.json()["days"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["slots"].as_array().unwrap().clone())
        .any(|s| s["start"] == wanted.as_str())
}

pub(crate) fn status_of(id: &str) -> String {
    sql(&format!("SELECT status FROM bookings WHERE id = '{id}'"))[0]["status"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// `HH:MM–HH:MM` of a 30-minute meeting at `start` in Europe/Berlin.
fn berlin_span(start: DateTime<Utc>) -> String {
    let zone: chrono_tz::Tz = "Europe/Berlin".parse().unwrap();
    let local = start.with_timezone(&zone);
    let end = local + chrono::Duration::minutes(30);
    format!("{}–{}", local.format("%H:%M"), end.format("%H:%M"))
}

#[test]
fn the_bookings_page_lists_upcoming_and_past_bookings_in_the_hosts_zone() {
    let (browser, _email, slug, _csrf) = bookable_host("bookings-list");
    let invitee = format!("list-{slug}@example.org");
    let later = start_in_days(6);
    let sooner = start_in_days(4);
    let later_id = book(&slug, later, "Lena Later", &invitee);
    let sooner_id = book(&slug, sooner, "Sam Sooner", &invitee);
    // A meeting that has taken place, moved into the past directly in D1.
    let past_id = book(&slug, start_in_days(8), "Pat Past", &invitee);
    let past_start = Utc::now().timestamp() - 3 * 86_400;
    sql(&format!(
        "UPDATE bookings SET start_at = {past_start}, end_at = {} WHERE id = '{past_id}'",
        past_start + 1800
    ));

    let page = browser.get("/dashboard/bookings");
    assert_eq!(page.status, 200, "{}", page.body);
    let body = &page.body;
    for text in [
        "Lena Later",
        "Sam Sooner",
        "Pat Past",
        invitee.as_str(),
        "Planning call",
        "Zoom",
        "Europe/Berlin",
    ] {
        assert!(body.contains(text), "{text} missing: {body}");
    }
    assert!(
        body.contains(&berlin_span(later)),
        "{}: {body}",
        berlin_span(later)
    );
    let (upcoming, past) = body.split_once("<h2>Past</h2>").expect("two sections");
    let at = |id: &str| upcoming.find(&format!("id=\"booking-{id}\""));
    assert!(
        at(&sooner_id).unwrap() < at(&later_id).unwrap(),
        "soonest first"
    );
    assert!(!upcoming.contains("Pat Past"));
    assert!(past.contains("Pat Past") && past.contains("Took place"));
    assert!(!past.contains("Lena Later"));
    assert!(upcoming.contains(&format!("action=\"/dashboard/bookings/{later_id}/cancel\"")));
    assert!(
        !past.contains("/cancel\""),
        "a past meeting offers no cancel form"
    );
    assert!(browser
        .get("/dashboard")
        .body
        .contains("href=\"/dashboard/bookings\""));
}

#[test]
fn a_host_cancels_with_a_reason_and_the_invitee_is_told() {
    let (browser, host_email, slug, csrf) = bookable_host("bookings-cancel");
    let invitee = format!("told-{slug}@example.org");
    let start = start_in_days(5);
    let id = book(&slug, start, "Told Invitee", &invitee);
    assert!(!offered(&slug, start));
    let confirmation = wait_for_emails(&invitee, "Booked:", 1);
    let request = parse_invitation(&ics_attachment(&confirmation[0]).1);

    // Without the form's token nothing happens.
    let forged = browser.post_form(
        &format!("/dashboard/bookings/{id}/cancel"),
        &[("reason", "x")],
        &[],
    );
    assert_eq!(forged.status, 403);
    let too_long = browser.post_form(
        &format!("/dashboard/bookings/{id}/cancel"),
        &[("csrf", csrf.as_str()), ("reason", &"x".repeat(501))],
        &[],
    );
    assert_eq!(too_long.status, 422);
    assert!(too_long.body.contains("id=\"reason-error\""));
    assert_eq!(status_of(&id), "confirmed");

    let done = browser.post_form(
        &format!("/dashboard/bookings/{id}/cancel"),
        &[("csrf", csrf.as_str()), ("reason", "I am ill, sorry")],
        &[],
    );
    assert_eq!(location(&done), "/dashboard/bookings", "{}", done.body);
    assert_eq!(status_of(&id), "cancelled");
    assert!(offered(&slug, start), "the time is offered again");
    let page = browser.get("/dashboard/bookings");
    assert!(page.body.contains("Cancelled"));
    assert!(!page
        .body
        .contains(&format!("/dashboard/bookings/{id}/cancel")));

    let told = wait_for_emails(&invitee, "Cancelled", 1);
    assert_eq!(told.len(), 1, "{told:?}");
    let text = told[0]["text"].as_str().unwrap();
    assert!(text.contains("Their reason: I am ill, sorry"), "{text}");
    assert!(
        text.contains("cancelled your booking"),
        "the invitee reads that the host cancelled: {text}"
    );
    let (content_type, ics) = ics_attachment(&told[0]);
    assert!(content_type.starts_with("text/calendar; method=CANCEL"));
    let cancel = parse_invitation(&ics);
    assert_eq!(cancel.method, "CANCEL");
    assert_eq!(cancel.uid, request.uid);
    assert_eq!(cancel.sequence, "1");
    assert_eq!(wait_for_emails(&host_email, "Cancelled", 1).len(), 1);

    // Again: harmless, nothing more is queued.
    let again = browser.post_form(
        &format!("/dashboard/bookings/{id}/cancel"),
        &[("csrf", csrf.as_str()), ("reason", "twice")],
        &[],
    );
    assert_eq!(location(&again), "/dashboard/bookings");
    let rows = sql(&format!(
        "SELECT COUNT(*) AS n FROM email_outbox WHERE booking_id = '{id}' AND kind LIKE '%cancellation'"
    ));
    assert_eq!(rows[0]["n"], 2);
}

#[test]
fn another_host_can_neither_see_nor_cancel_a_booking() {
    let (_owner, _email, slug, _csrf) = bookable_host("bookings-owner");
    let invitee = format!("private-{slug}@example.org");
    let start = start_in_days(7);
    let id = book(&slug, start, "Private Invitee", &invitee);

    let (other, _other_email, _other_slug, other_csrf) = bookable_host("bookings-other");
    let page = other.get("/dashboard/bookings");
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("Private Invitee"));
    assert!(!page.body.contains(&invitee));
    let attempt = other.post_form(
        &format!("/dashboard/bookings/{id}/cancel"),
        &[("csrf", other_csrf.as_str()), ("reason", "mine now")],
        &[],
    );
    assert_eq!(attempt.status, 404, "{}", attempt.body);
    assert_eq!(status_of(&id), "confirmed");
    assert!(!offered(&slug, start));
    let unknown = other.post_form(
        "/dashboard/bookings/no-such-booking/cancel",
        &[("csrf", other_csrf.as_str())],
        &[],
    );
    assert_eq!(unknown.status, 404);
}

#[test]
fn a_long_list_of_bookings_comes_a_page_at_a_time() {
    let (browser, _email, slug, _csrf) = bookable_host("bookings-pages");
    let first = book(
        &slug,
        start_in_days(2),
        "Page One",
        &format!("pages-{slug}@example.org"),
    );
    // 26 more, an hour apart, written straight into D1 (booking them through the API would
    // meet its per-address rate limit).
    sql(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 26) \
         INSERT INTO bookings (id, host_id, event_type_id, start_at, end_at, invitee_name, \
           invitee_email, invitee_time_zone, manage_token_hash, idempotency_key, created_at) \
         SELECT b.id || '-' || n.i, b.host_id, b.event_type_id, b.start_at + n.i * 3600, \
           b.end_at + n.i * 3600, 'Clone ' || n.i, b.invitee_email, b.invitee_time_zone, \
           b.manage_token_hash || '-' || n.i, b.idempotency_key || '-' || n.i, b.created_at \
         FROM bookings b, n WHERE b.id = '{first}'"
    ));
    let listed = |body: &str| -> Vec<String> {
        let upcoming = body.split("<h2>Past</h2>").next().unwrap();
        upcoming
            .split("id=\"booking-")
            .skip(1)
            .map(|rest| rest.split('"').next().unwrap().to_owned())
            .collect()
    };
    let page = browser.get("/dashboard/bookings");
    assert_eq!(page.status, 200, "{}", page.body);
    let shown = listed(&page.body);
    assert_eq!(shown.len(), 25);
    assert_eq!(shown[0], first, "soonest first");
    assert!(!page.body.contains("Back to the first page"));
    let marker = "href=\"/dashboard/bookings?upcoming_after=";
    let start = page
        .body
        .find(marker)
        .expect("a link to the later bookings")
        + 6;
    let href = page.body[start..]
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&");
    let next = browser.get(&href);
    assert_eq!(next.status, 200, "{}", next.body);
    let rest = listed(&next.body);
    assert_eq!(rest.len(), 2, "{rest:?}");
    assert!(
        rest.iter().all(|id| !shown.contains(id)),
        "no booking twice"
    );
    assert!(next.body.contains("Back to the first page"));
    assert!(
        !next.body.contains(marker),
        "the last page links no further"
    );
    // A cursor we never handed out starts from the top.
    let forged = browser.get("/dashboard/bookings?upcoming_after=x%27--");
    assert_eq!(forged.status, 200);
    assert_eq!(listed(&forged.body), shown);
}
