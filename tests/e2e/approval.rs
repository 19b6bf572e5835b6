//! Approval that holds the slot (issue 19): an event type may take requests instead of
//! bookings. A request holds its time exactly like a booking (the one booking statement counts
//! it), the invitee is told it is pending, the host approves or declines it from the dashboard
//! (no script) or the API, and one not answered in time expires and frees the time. The
//! calendar event and meeting link are made only on approval; each step emails the invitee.

use chrono::Utc;
use serde_json::{json, Value};

use crate::api_tokens::{call, host_with_token};
use crate::booking_form::{first_slot_href, hidden};
use crate::calendars::{calendar_host, live_events};
use crate::dashboard_bookings::{offered, start_in_days, status_of};
use crate::limits::{assert_refused_under, limited_host, save_event_form};
use crate::questions_and_durations::open_around_the_clock;
use crate::sign_in::{csrf_of, host_row, location};
use crate::support::browser::Browser;
use crate::support::http::{get, post_form, post_json, query};
use crate::support::mail::{emails_to, run_cron, wait_for_emails};
use crate::support::sealed::stored_invitee;
use crate::support::seed::sql;

/// Free all day, every day, in UTC: the host's starting hours out, then the shared week.
fn open_all_day(host_id: &str) {
    sql(&format!(
        "DELETE FROM weekly_hours WHERE host_id = '{host_id}'"
    ));
    open_around_the_clock(host_id);
}

/// A host with an API token and a 30-minute `call` that needs approval within `hours`,
/// created through the API: (token, host slug, host id).
fn approving_host(tag: &str, hours: u32) -> (String, String, String) {
    let (_browser, token, slug, host_id, _) = approving_host_in_browser(tag, hours);
    (token, slug, host_id)
}

/// [`approving_host`] with the host's signed-in browser first and their address last.
fn approving_host_in_browser(tag: &str, hours: u32) -> (Browser, String, String, String, String) {
    let (browser, email, token) = host_with_token(tag);
    let created = call(
        "POST",
        "/api/v1/event-types",
        &token,
        Some(
            json!({ "title": "Call", "slug": "call", "duration_minutes": 30,
                     "minimum_notice_minutes": 0, "location_kind": "phone",
                     "location_detail": "+1 555 0100", "approval_hours": hours }),
        ),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.json()["approval_hours"], hours);
    let host = host_row(&email);
    let host_id = host["id"].as_str().unwrap().to_owned();
    open_all_day(&host_id);
    (
        browser,
        token,
        host["slug"].as_str().unwrap().to_owned(),
        host_id,
        email,
    )
}

/// Requests `start` through the public API for `invitee`: (status, body).
fn request(slug: &str, start: &str, invitee: &str) -> (u16, Value) {
    let reply = post_json(
        "/api/v1/bookings",
        &json!({ "host": slug, "event": "call", "start": start, "name": "Rhea Request",
                 "email": invitee, "time_zone": "UTC" }),
    );
    (reply.status, reply.json())
}

fn host_api(
    token: &str,
    id: &str,
    action: &str,
    body: Option<Value>,
) -> crate::support::http::Reply {
    call(
        "POST",
        &format!("/api/v1/bookings/{id}/{action}"),
        token,
        body,
    )
}

#[test]
fn a_request_through_the_pages_holds_its_time_and_the_host_approves_it_from_the_dashboard() {
    let host = calendar_host("Approving Host", "google_meet", &["google"]);
    sql(&format!(
        "UPDATE event_types SET approval_hours = 24 WHERE host_id = '{}'",
        host.host.id
    ));
    let page = get(&format!(
        "/{}/call?{}",
        host.host.slug,
        query(&[("tz", "UTC")])
    ));
    assert_eq!(page.status, 200, "{}", page.body);
    let form = get(&first_slot_href(&page.body));
    // The stranger is told before they send it: a request, answered by email either way.
    assert!(form.body.contains("Send request"), "{}", form.body);
    assert!(form
        .body
        .contains("Approving Host confirms each booking of this kind"));
    let slot = hidden(&form.body, "slot");
    let start: chrono::DateTime<Utc> = slot.parse().unwrap();
    let invitee = "rhea.pages@example.org";
    let submitted = post_form(
        &format!("/{}/call", host.host.slug),
        &[
            ("slot", slot.as_str()),
            ("tz", "UTC"),
            ("idempotency_key", &hidden(&form.body, "idempotency_key")),
            ("name", "Rhea Pages"),
            ("email", invitee),
            ("note", ""),
        ],
    );
    assert_eq!(submitted.status, 303, "{}", submitted.body);
    let manage = location(&submitted);

    // The invitee is told it is a request, and until when the time is held for them.
    let pending = get(&manage);
    assert!(pending.body.contains("Request sent"), "{}", pending.body);
    assert!(pending
        .body
        .contains("Nobody else can book this time until"));
    assert!(!pending.body.contains("You are booked"));
    assert!(!pending.body.contains("calendar.ics"), "no invitation yet");
    assert!(
        !offered(&host.host.slug, start),
        "the request holds its time"
    );
    let sent = wait_for_emails(invitee, "Request sent:", 1);
    assert_eq!(sent.len(), 1);
    assert!(sent[0]["attachments"].as_array().is_none_or(Vec::is_empty));
    let ask = wait_for_emails(&host.email, "Approve or decline:", 1);
    assert_eq!(ask.len(), 1);
    assert!(
        ask[0]["text"]
            .as_str()
            .unwrap()
            .contains("/dashboard/bookings"),
        "{}",
        ask[0]["text"]
    );

    // No event and no Meet link until the host approves, however often the cron runs.
    run_cron();
    run_cron();
    assert!(live_events("google", &host.email).is_empty());
    assert!(emails_to(invitee)
        .iter()
        .all(|e| !e["subject"].as_str().unwrap().starts_with("Booked:")));

    // The host's home says a request waits; Bookings shows it, approved with a plain form.
    let home = host.browser.get("/dashboard");
    assert!(
        home.body.contains("A request waits for your approval"),
        "{}",
        home.body
    );
    let bookings = host.browser.get("/dashboard/bookings");
    assert!(
        bookings.body.contains("Waiting for your approval"),
        "{}",
        bookings.body
    );
    let id = sql(&format!(
        "SELECT id FROM bookings WHERE host_id = '{}'",
        host.host.id
    ))[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(bookings
        .body
        .contains(&format!("/dashboard/bookings/{id}/approve")));
    let approved = host.browser.post_form(
        &format!("/dashboard/bookings/{id}/approve"),
        &[("csrf", &csrf_of(&bookings))],
        &[],
    );
    assert_eq!(approved.status, 303, "{}", approved.body);
    run_cron();

    // Now it is a booking: one event with its Meet link, and the invitation to the invitee.
    let events = live_events("google", &host.email);
    assert_eq!(events.len(), 1, "{events:?}");
    let booked = wait_for_emails(invitee, "Booked:", 1);
    assert_eq!(booked.len(), 1);
    assert!(!booked[0]["attachments"].as_array().unwrap().is_empty());
    let page = get(&manage);
    assert!(page.body.contains("You are booked"), "{}", page.body);
    assert!(page.body.contains("Join the meeting"), "{}", page.body);
    assert_eq!(status_of(&id), "confirmed");
    // Approving twice changes nothing and sends nothing more.
    let again = host.browser.post_form(
        &format!("/dashboard/bookings/{id}/approve"),
        &[("csrf", &csrf_of(&host.browser.get("/dashboard/bookings")))],
        &[],
    );
    assert_eq!(again.status, 409, "{}", again.body);
    run_cron();
    assert_eq!(live_events("google", &host.email).len(), 1);
    assert_eq!(wait_for_emails(invitee, "Booked:", 2).len(), 1);
}

/// [P56] A waiting request keeps its invitee only sealed, like a booking; declined, its time
/// is free at once and its details go on the schedule of every cancelled booking.
#[test]
fn a_declined_request_frees_its_time_and_tells_the_invitee_the_hosts_reason() {
    let (token, slug, _) = approving_host("decline", 48);
    let start = start_in_days(3);
    let invitee = "rhea.declined@example.org";
    let (status, body) = request(&slug, &start.to_rfc3339(), invitee);
    assert_eq!(status, 201, "{body}");
    let booking = &body["booking"];
    assert_eq!(booking["status"], "pending");
    let held: chrono::DateTime<Utc> = booking["held_until"].as_str().unwrap().parse().unwrap();
    let hours = (held - Utc::now()).num_minutes() as f64 / 60.0;
    assert!((47.5..=48.0).contains(&hours), "held for {hours} hours");
    let id = booking["id"].as_str().unwrap().to_owned();

    // The slot is taken for everyone else while the host decides.
    assert!(!offered(&slug, start));
    let (other, _) = request(&slug, &start.to_rfc3339(), "someone.else@example.org");
    assert_eq!(other, 409);
    let seen = call("GET", &format!("/api/v1/bookings/{id}"), &token, None).json();
    assert_eq!(seen["status"], "pending");
    assert!(seen["held_until"].is_string());
    // A retry of the invitee's request (same key) gets the request back, as it stands.
    let keyed = json!({ "host": slug, "event": "call", "start": (start + chrono::Duration::hours(2)).to_rfc3339(),
                        "name": "Rhea Request", "email": "rhea.retry@example.org",
                        "time_zone": "UTC", "idempotency_key": "retry-approval-0001" });
    let made = post_json("/api/v1/bookings", &keyed);
    assert_eq!(made.status, 201, "{}", made.body);
    let again = post_json("/api/v1/bookings", &keyed);
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.json()["booking"]["status"], "pending");
    assert_eq!(
        again.json()["booking"]["held_until"],
        made.json()["booking"]["held_until"]
    );

    let declined = host_api(
        &token,
        &id,
        "decline",
        Some(json!({ "reason": "Fully booked that week" })),
    );
    assert_eq!(declined.status, 200, "{}", declined.body);
    assert_eq!(declined.json()["status"], "declined");
    assert!(offered(&slug, start), "the time is free again");
    let told = wait_for_emails(invitee, "Declined:", 1);
    assert_eq!(told.len(), 1);
    assert!(told[0]["text"]
        .as_str()
        .unwrap()
        .contains("Fully booked that week"));
    assert!(told[0]["attachments"].as_array().is_none_or(Vec::is_empty));
    // Nobody can approve it now, and the manage page says how it ended.
    let late = host_api(&token, &id, "approve", None);
    assert_eq!(late.status, 409, "{}", late.body);
    assert!(late.body.contains("already declined"), "{}", late.body);
    let manage = booking["manage_url"].as_str().unwrap();
    assert!(get(manage).body.contains("This request was declined"));
    assert_eq!(status_of(&id), "cancelled");

    // Only sealed in D1 while it lived, and erased like any cancelled booking once its
    // meeting time is past the retention window.
    let raw = &sql(&format!("SELECT * FROM bookings WHERE id = '{id}'"))[0];
    assert!(!raw.to_string().contains(invitee), "{raw}");
    assert_eq!(stored_invitee(&id)["email"], invitee);
    let ended = Utc::now().timestamp() - 91 * 86_400;
    sql(&format!(
        "UPDATE bookings SET start_at = {}, end_at = {ended} WHERE id = '{id}'",
        ended - 1800
    ));
    let hourly = get("/__scheduled?cron=17+*+*+*+*");
    assert_eq!(hourly.status, 200, "{}", hourly.body);
    assert_eq!(stored_invitee(&id)["email"], "");
    assert!(sql(&format!(
        "SELECT invitee_sealed FROM bookings WHERE id = '{id}'"
    ))[0]["invitee_sealed"]
        .is_null());
}

#[test]
fn an_unanswered_request_expires_frees_its_time_and_cannot_be_approved_after() {
    let (token, slug, _) = approving_host("expire", 4);
    let start = start_in_days(2);
    let invitee = "rhea.expired@example.org";
    let (status, body) = request(&slug, &start.to_rfc3339(), invitee);
    assert_eq!(status, 201, "{body}");
    let id = body["booking"]["id"].as_str().unwrap().to_owned();
    run_cron();
    assert_eq!(
        status_of(&id),
        "confirmed",
        "a request within its hold stays"
    );
    assert!(!offered(&slug, start));

    // Its hold runs out (moved into the past rather than waiting four hours).
    sql(&format!(
        "UPDATE bookings SET awaiting_approval_until = {} WHERE id = '{id}'",
        Utc::now().timestamp() - 1
    ));
    let late = host_api(&token, &id, "approve", None);
    assert_eq!(late.status, 409, "{}", late.body);
    run_cron();
    let seen = call("GET", &format!("/api/v1/bookings/{id}"), &token, None).json();
    assert_eq!(seen["status"], "expired");
    assert!(offered(&slug, start), "the time is free again");
    assert_eq!(wait_for_emails(invitee, "Not confirmed:", 1).len(), 1);
    // A second run sends nothing more.
    run_cron();
    assert_eq!(wait_for_emails(invitee, "Not confirmed:", 2).len(), 1);
}

#[test]
fn an_invitee_can_withdraw_a_waiting_request_and_its_time_is_free_again() {
    let (_browser, _token, slug, _, host_email) = approving_host_in_browser("withdraw", 24);
    let start = start_in_days(4);
    let invitee = "rhea.withdraws@example.org";
    let (status, body) = request(&slug, &start.to_rfc3339(), invitee);
    assert_eq!(status, 201, "{body}");
    let manage = body["booking"]["manage_url"].as_str().unwrap().to_owned();
    // Nothing to add to a calendar while the host has not said yes.
    let file = get(&format!("{manage}/calendar.ics"));
    assert_eq!(file.status, 404, "{}", file.body);
    assert!(file.body.contains("waits for the host"), "{}", file.body);
    assert!(!file.body.contains("BEGIN:VCALENDAR"));
    let page = get(&manage);
    assert!(page.body.contains("Withdraw this request"), "{}", page.body);
    assert!(!page.body.contains("Reschedule"), "a request is not moved");
    let asked = get(&format!("{manage}/cancel"));
    assert!(
        asked.body.contains("<h1>Withdraw this request</h1>"),
        "{}",
        asked.body
    );
    let withdrawn = post_form(&format!("{manage}/cancel"), &[("reason", "")]);
    assert!(withdrawn.status < 400, "{}", withdrawn.body);
    assert!(offered(&slug, start));
    // Both are told, and neither email carries a cancel.ics for an event no calendar has
    // (RFC 5546 3.2.5: CANCEL removes an event an earlier REQUEST put there).
    for address in [invitee, &host_email] {
        let told = wait_for_emails(address, "Cancel", 1);
        assert_eq!(told.len(), 1, "{address}");
        assert!(
            told[0]["attachments"].as_array().is_none_or(Vec::is_empty),
            "{address}: {}",
            told[0]
        );
    }
}

/// Fifty invitees ask for the same time at once: exactly one request holds it and every other
/// is refused; fifty more for that held time all fail; and the host's approvals and declines
/// racing each other end it exactly once, with one email to the invitee.
#[test]
fn racing_requests_hold_a_slot_once_and_racing_answers_end_it_once() {
    let (token, slug, host_id) = approving_host("race", 24);
    let start = start_in_days(5).to_rfc3339();
    let race = |prefix: &str| -> Vec<u16> {
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..50)
                .map(|i| {
                    let (slug, start) = (&slug, &start);
                    scope.spawn(move || request(slug, start, &format!("{prefix}{i}@example.org")).0)
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        })
    };
    let first = race("racer");
    assert_eq!(first.iter().filter(|&&s| s == 201).count(), 1, "{first:?}");
    assert!(first.iter().all(|&s| s == 201 || s == 409), "{first:?}");
    let second = race("latecomer");
    assert!(second.iter().all(|&s| s == 409), "{second:?}");
    let rows = sql(&format!(
        "SELECT id FROM bookings WHERE host_id = '{host_id}'"
    ));
    assert_eq!(rows.len(), 1, "{rows:?}");
    let id = rows[0]["id"].as_str().unwrap().to_owned();

    let answers: Vec<u16> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..20)
            .map(|i| {
                let (token, id) = (&token, &id);
                scope.spawn(move || {
                    let action = if i % 2 == 0 { "approve" } else { "decline" };
                    host_api(token, id, action, None).status
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(answers.iter().all(|&s| s == 200 || s == 409), "{answers:?}");
    let winner = status_of(&id);
    let outcome = sql(&format!(
        "SELECT request_outcome, awaiting_approval_until FROM bookings WHERE id = '{id}'"
    ));
    let invitee = sql(&format!(
        "SELECT kind FROM email_outbox WHERE booking_id = '{id}' \
         AND kind IN ('invitee_confirmation', 'invitee_request_closed')"
    ));
    assert_eq!(invitee.len(), 1, "one outcome told, once: {invitee:?}");
    match winner.as_str() {
        "confirmed" => {
            assert!(outcome[0]["awaiting_approval_until"].is_null());
            assert_eq!(invitee[0]["kind"], "invitee_confirmation");
        }
        "cancelled" => {
            assert_eq!(outcome[0]["request_outcome"], "declined");
            assert_eq!(invitee[0]["kind"], "invitee_request_closed");
        }
        other => panic!("ended as {other}"),
    }
}

#[test]
fn the_editor_and_the_api_set_approval_and_refuse_impossible_hours() {
    let (token, _slug, _) = approving_host("editor", 24);
    let events = call("GET", "/api/v1/event-types", &token, None).json();
    let id = events["event_types"][0]["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/event-types/{id}");
    for bad in [json!(0), json!(721), json!("soon")] {
        let reply = call(
            "PATCH",
            &path,
            &token,
            Some(json!({ "approval_hours": bad })),
        );
        assert_eq!(reply.status, 422, "{bad}: {}", reply.body);
        assert!(reply.json()["error"]["fields"]["approval_hours"].is_string());
    }
    let off = call(
        "PATCH",
        &path,
        &token,
        Some(json!({ "approval_hours": null })),
    );
    assert_eq!(off.status, 200, "{}", off.body);
    assert!(off.json()["approval_hours"].is_null());

    // The dashboard's editor, without script: a list of choices, the current one selected.
    let (host, browser) = limited_host("Approval Editor");
    let editor = browser.get(&format!("/dashboard/event-types/{}-call", host.id));
    assert!(
        editor
            .body
            .contains("<option value=\"\" selected>No: bookings are confirmed at once"),
        "{}",
        editor.body
    );
    assert!(editor
        .body
        .contains("<option value=\"48\">Yes, requests wait up to 2 days"));
    let refused = save_event_form(&browser, &host, &[("approval_hours", "0")]);
    assert_refused_under(&refused, "approval_hours", "at least 1 hour");
    let saved = save_event_form(&browser, &host, &[("approval_hours", "12")]);
    assert!(saved.status == 303 || saved.status == 200, "{}", saved.body);
    let stored = sql(&format!(
        "SELECT approval_hours FROM event_types WHERE id = '{}-call'",
        host.id
    ));
    assert_eq!(stored[0]["approval_hours"], 12);
    let again = browser.get(&format!("/dashboard/event-types/{}-call", host.id));
    assert!(again
        .body
        .contains("<option value=\"12\" selected>Yes, requests wait up to 12 hours"));
}

#[test]
fn the_host_declines_from_the_dashboard_with_a_reason_and_a_stale_decline_never_cancels() {
    let (browser, _token, slug, _, _) = approving_host_in_browser("dash-decline", 24);
    let (first, second) = (start_in_days(6), start_in_days(7));
    let ids: Vec<String> = [
        (first, "rhea.dash1@example.org"),
        (second, "rhea.dash2@example.org"),
    ]
    .iter()
    .map(|(start, invitee)| {
        let (status, body) = request(&slug, &start.to_rfc3339(), invitee);
        assert_eq!(status, 201, "{body}");
        body["booking"]["id"].as_str().unwrap().to_owned()
    })
    .collect();
    let page = browser.get("/dashboard/bookings");
    assert!(
        page.body.contains("Decline and tell Rhea Request"),
        "{}",
        page.body
    );
    let csrf = csrf_of(&page);
    let declined = browser.post_form(
        &format!("/dashboard/bookings/{}/cancel", ids[0]),
        &[
            ("csrf", csrf.as_str()),
            ("decline", "1"),
            ("reason", "On holiday then"),
        ],
        &[],
    );
    assert_eq!(declined.status, 303, "{}", declined.body);
    assert!(offered(&slug, first));
    let told = wait_for_emails("rhea.dash1@example.org", "Declined:", 1);
    assert!(told[0]["text"]
        .as_str()
        .unwrap()
        .contains("On holiday then"));

    // The second is approved in another tab; this tab's Decline must not cancel it.
    let approved = browser.post_form(
        &format!("/dashboard/bookings/{}/approve", ids[1]),
        &[("csrf", csrf.as_str())],
        &[],
    );
    assert_eq!(approved.status, 303, "{}", approved.body);
    let stale = browser.post_form(
        &format!("/dashboard/bookings/{}/cancel", ids[1]),
        &[("csrf", csrf.as_str()), ("decline", "1"), ("reason", "")],
        &[],
    );
    assert_eq!(stale.status, 409, "{}", stale.body);
    assert!(stale.body.contains("already confirmed"), "{}", stale.body);
    assert_eq!(status_of(&ids[1]), "confirmed");
}

#[test]
fn endpoints_hear_of_a_request_only_when_it_is_approved() {
    let (token, slug, _) = approving_host("hooks", 24);
    let receiver = crate::support::receiver::Receiver::start();
    let added = call(
        "POST",
        "/api/v1/webhooks",
        &token,
        Some(json!({ "url": receiver.url("/requests") })),
    );
    assert_eq!(added.status, 201, "{}", added.body);
    let (status, body) = request(
        &slug,
        &start_in_days(8).to_rfc3339(),
        "rhea.hooks@example.org",
    );
    assert_eq!(status, 201, "{body}");
    let id = body["booking"]["id"].as_str().unwrap().to_owned();
    run_cron();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert!(
        receiver.received().is_empty(),
        "a request is not a booking yet"
    );

    let approved = host_api(&token, &id, "approve", None);
    assert_eq!(approved.status, 200, "{}", approved.body);
    assert_eq!(approved.json()["status"], "confirmed");
    run_cron();
    let got = receiver.wait_for(1);
    assert_eq!(got.len(), 1, "{got:?}");
    let hook = got[0].json();
    assert_eq!(hook["type"], "booking.created");
    assert_eq!(hook["data"]["booking_id"], id.as_str());
    assert_eq!(hook["data"]["status"], "confirmed");

    // Once approved it is a booking: the invitee may move it, with no second approval.
    let manage = body["booking"]["manage_url"].as_str().unwrap();
    let moved = post_json(
        &format!(
            "/api/v1/bookings/{}/reschedule",
            manage.rsplit('/').next().unwrap()
        ),
        &json!({ "start": start_in_days(9).to_rfc3339() }),
    );
    assert!(moved.status < 300, "{}", moved.body);
    let new_id = moved.json()["booking"]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        call("GET", &format!("/api/v1/bookings/{new_id}"), &token, None).json()["status"],
        "confirmed"
    );
}
