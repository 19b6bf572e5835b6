//! Cancelling by the invitee through the manage link: the booking is cancelled with its two
//! cancellation emails (METHOD:CANCEL, same UID), the time is offered again, a second cancel
//! sends nothing, and a meeting that has started can no longer be cancelled.

use chrono::{DateTime, Days, Utc};
use serde_json::json;

use crate::support::http::{get, post_form, post_form_with, post_json, query};
use crate::support::mail::{ics_attachment, parse_invitation, run_cron, wait_for_emails};
use crate::support::seed::{sql, EVERY_DAY};
use crate::support::{EventSeed, HostSeed, SeededHost};

fn host(name: &str) -> SeededHost {
    HostSeed::new(name, "UTC")
        .hours(EVERY_DAY, 0, 1440)
        .event(EventSeed::new("call", 30))
        .create()
}

fn start_in_days(days: u64) -> DateTime<Utc> {
    format!("{}T09:00:00Z", Utc::now().date_naive() + Days::new(days))
        .parse()
        .unwrap()
}

/// Books and returns (booking id, manage URL).
fn book(host: &SeededHost, start: DateTime<Utc>, invitee: &str) -> (String, String) {
    let reply = post_json(
        "/api/v1/bookings",
        &json!({ "host": host.slug, "event": "call", "start": start.to_rfc3339(),
                 "name": "Cancel Invitee", "email": invitee, "time_zone": "UTC" }),
    );
    assert_eq!(reply.status, 201, "{}", reply.body);
    let booking = &reply.json()["booking"];
    (
        booking["id"].as_str().unwrap().to_owned(),
        booking["manage_url"].as_str().unwrap().to_owned(),
    )
}

fn offered(host: &SeededHost, start: DateTime<Utc>) -> bool {
    let date = start.date_naive().to_string();
    let reply = get(&format!(
        "/api/v1/slots?{}",
        query(&[
            ("host", &host.slug),
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

fn status_of(id: &str) -> String {
    sql(&format!("SELECT status FROM bookings WHERE id = '{id}'"))[0]["status"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn an_invitee_cancels_by_the_link_and_the_time_is_offered_again() {
    let host = host("Cancel Host");
    let host_email = format!("{}@example.com", host.slug);
    let invitee = format!("cancel-{}@example.org", host.slug);
    let start = start_in_days(5);
    let (id, manage_url) = book(&host, start, &invitee);
    assert!(!offered(&host, start));
    let confirmation = wait_for_emails(&invitee, "Booked:", 1);
    let (_, request_ics) = ics_attachment(&confirmation[0]);
    let request = parse_invitation(&request_ics);

    let page = get(&manage_url);
    let cancel_url = format!("{manage_url}/cancel");
    let cancel_path = cancel_url.trim_start_matches(&crate::support::world().base_url);
    assert!(
        page.body.contains(&format!("href=\"{cancel_path}\"")),
        "{}",
        page.body
    );
    let form = get(&cancel_url);
    assert_eq!(form.status, 200);
    assert!(form.body.contains("name=\"reason\""));
    assert!(form.body.contains("maxlength=\"500\""));

    let too_long = post_form(&cancel_url, &[("reason", &"x".repeat(501))]);
    assert_eq!(too_long.status, 422);
    assert_eq!(status_of(&id), "confirmed");

    let done = post_form(&cancel_url, &[("reason", "Something came up")]);
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(done.header("Location"), Some(manage_url.as_str()));
    let after = get(&manage_url);
    assert!(after.body.contains("This booking was cancelled"));
    assert!(!after.body.contains("Cancel this booking"));
    assert_eq!(status_of(&id), "cancelled");
    assert!(offered(&host, start), "the time is free again");
    let file = get(&format!("{manage_url}/calendar.ics"));
    assert_eq!(file.status, 404, "a cancelled meeting is nothing to add");
    assert!(file.body.contains("not taking place"), "{}", file.body);

    for address in [&invitee, &host_email] {
        let cancellations = wait_for_emails(address, "Cancelled", 1);
        assert_eq!(cancellations.len(), 1, "{address}: {cancellations:?}");
        let (content_type, ics) = ics_attachment(&cancellations[0]);
        assert!(content_type.starts_with("text/calendar; method=CANCEL"));
        let cancel = parse_invitation(&ics);
        assert_eq!(cancel.method, "CANCEL");
        assert_eq!(cancel.uid, request.uid);
        assert_eq!(cancel.uid, format!("{id}@openslot"));
        assert_eq!(cancel.sequence, "1");
        assert_eq!(cancel.status, "CANCELLED");
        assert_eq!(cancel.dtstart, request.dtstart);
    }
    let to_host = wait_for_emails(&host_email, "Cancelled", 1);
    assert!(to_host[0]["text"]
        .as_str()
        .unwrap()
        .contains("Reason: Something came up"));

    // Again: harmless, and nothing more is sent.
    let again = post_form(&cancel_url, &[("reason", "twice")]);
    assert_eq!(again.status, 303);
    assert_eq!(get(&cancel_url).status, 303);
    run_cron();
    assert_eq!(wait_for_emails(&invitee, "Cancelled", 1).len(), 1);
    assert_eq!(wait_for_emails(&host_email, "Cancelled", 1).len(), 1);
    let rows = sql(&format!(
        "SELECT COUNT(*) AS n FROM email_outbox WHERE booking_id = '{id}'"
    ));
    assert_eq!(rows[0]["n"], 4);
}

#[test]
fn a_meeting_that_has_started_cannot_be_cancelled() {
    let host = host("Past Host");
    let invitee = format!("past-{}@example.org", host.slug);
    let (id, manage_url) = book(&host, start_in_days(6), &invitee);
    // The booking's meeting began ten minutes ago.
    let now = Utc::now().timestamp();
    sql(&format!(
        "UPDATE bookings SET start_at = {}, end_at = {} WHERE id = '{id}'",
        now - 600,
        now + 1200
    ));
    let cancel_url = format!("{manage_url}/cancel");
    assert!(!get(&manage_url).body.contains("Cancel this booking"));
    let form = get(&cancel_url);
    assert_eq!(form.status, 409);
    assert!(form.body.contains("already started"), "{}", form.body);
    let post = post_form(&cancel_url, &[("reason", "late")]);
    assert_eq!(post.status, 409);
    assert_eq!(status_of(&id), "confirmed");
    run_cron();
    assert!(wait_for_emails(&invitee, "Cancelled", 0).is_empty());
}

#[test]
fn a_cancel_posted_from_another_site_is_refused() {
    let host = host("Origin Host");
    let (id, manage_url) = book(
        &host,
        start_in_days(7),
        &format!("origin-{}@example.org", host.slug),
    );
    let cancel_url = format!("{manage_url}/cancel");
    let cross = post_form_with(
        &cancel_url,
        &[("Origin", "https://evil.example")],
        &[("reason", "")],
    );
    assert_eq!(cross.status, 403);
    let cross_site = post_form_with(&cancel_url, &[("Sec-Fetch-Site", "cross-site")], &[]);
    assert_eq!(cross_site.status, 403);
    assert_eq!(status_of(&id), "confirmed");
    let own = crate::support::world().base_url.clone();
    let same = post_form_with(
        &cancel_url,
        &[("Origin", own.as_str()), ("Sec-Fetch-Site", "same-origin")],
        &[],
    );
    assert_eq!(same.status, 303);
    assert_eq!(status_of(&id), "cancelled");
}
