//! Reminders per event type (issue 20): each reminder of an event type goes out once, at its
//! time before the meeting, to whom it names, with the host's text; a moved meeting gets its
//! reminders again for its new time and the old time's are never sent; a meeting booked after
//! a reminder's time gets none of it; an event type can keep the instance's reminder or have
//! none. The host sets them on the dashboard (without script) or through the API.
//!
//! The cron runs are named for chosen minutes (Miniflare's `/cdn-cgi/local/scheduled?time=`,
//! `cron::minute` works at that minute), in a second Worker with its own database, so minutes
//! days ahead touch no other test's bookings or emails.

use chrono::{DateTime, Duration, Timelike, Utc};
use serde_json::{json, Value};

use crate::api_tokens::{call, new_token};
use crate::cron_turns::{run_cron_at, settle};
use crate::reschedule::at;
use crate::sign_in::{csrf_of, location, sign_in_seeded};
use crate::support::browser::Browser;
use crate::support::http::post_json;
use crate::support::mail::{emails_to, wait_for_emails};
use crate::support::other_worker::{fresh_state_dir, OtherWorker};
use crate::support::seed::{sql, sql_in, EVERY_DAY};
use crate::support::{EventSeed, HostSeed, SeededHost};

/// A Worker of its own (on the paid plan: every run does all that is due) whose host `name`
/// is open all day, every day, with the 30-minute event types `slugs`.
fn worker_with_host(tag: &str, name: &str, slugs: &[&'static str]) -> (OtherWorker, SeededHost) {
    let state_dir = fresh_state_dir(tag);
    let mut seed = HostSeed::new(name, "UTC").hours(EVERY_DAY, 0, 1440);
    for slug in slugs {
        seed = seed.event(EventSeed::new(slug, 30));
    }
    let host = seed.create_in(&state_dir);
    (
        OtherWorker::start_in(state_dir, &["WORKERS_PLAN:paid"]),
        host,
    )
}

/// Gives the host's event type `slug` its own reminders `(minutes before, to, note)`, in
/// place of those it had.
fn own_reminders(worker: &OtherWorker, host: &SeededHost, slug: &str, list: &[(i64, &str, &str)]) {
    let event = format!("{}-{slug}", host.id);
    // As the dashboard saves: the choice, the old rows out, the new ones in.
    let mut statements = format!(
        "UPDATE event_types SET own_reminders = 1 WHERE id = '{event}'; \
         DELETE FROM event_type_reminders WHERE event_type_id = '{event}';"
    );
    for (minutes, to, note) in list {
        statements.push_str(&format!(
            "INSERT INTO event_type_reminders (event_type_id, minutes_before, recipients, note) \
             VALUES ('{event}', {minutes}, '{to}', '{note}');"
        ));
    }
    sql_in(&worker.state_dir, &statements);
}

/// Books `slug` at `start` on `worker` as `invitee`; the booking's id and manage token.
fn book(
    worker: &OtherWorker,
    host: &SeededHost,
    slug: &str,
    start: DateTime<Utc>,
    invitee: &str,
) -> (String, String) {
    let reply = post_json(
        &format!("{}/api/v1/bookings", worker.base_url),
        &json!({ "host": host.slug, "event": slug, "start": start.to_rfc3339(),
                 "name": "Reminded Invitee", "email": invitee, "time_zone": "UTC" }),
    );
    assert_eq!(reply.status, 201, "{}\n{}", reply.body, worker.log());
    let booking = &reply.json()["booking"];
    let manage_url = booking["manage_url"].as_str().unwrap();
    (
        booking["id"].as_str().unwrap().to_owned(),
        manage_url.rsplit('/').next().unwrap().to_owned(),
    )
}

/// Runs the cron at `at`, then gives its emails a moment to reach the fake.
fn cron_at(worker: &OtherWorker, at: DateTime<Utc>) {
    run_cron_at(worker, at.timestamp_millis());
    settle();
}

/// Two runs at `at`, at once.
fn racing_crons_at(worker: &OtherWorker, at: DateTime<Utc>) {
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| run_cron_at(worker, at.timestamp_millis()));
        }
    });
    settle();
}

fn reminders_to(address: &str) -> Vec<Value> {
    emails_to(address)
        .into_iter()
        .filter(|e| e["subject"].as_str().unwrap_or("").starts_with("Reminder:"))
        .collect()
}

/// The booking's reminder rows in the outbox, as (kind, lead), in the order queued.
fn outbox_reminders(worker: &OtherWorker, booking: &str) -> Vec<(String, i64)> {
    sql_in(
        &worker.state_dir,
        &format!(
            "SELECT kind, lead_minutes FROM email_outbox WHERE booking_id = '{booking}' \
             AND kind LIKE '%_reminder' ORDER BY created_at, lead_minutes DESC, kind DESC"
        ),
    )
    .iter()
    .map(|row| {
        (
            row["kind"].as_str().unwrap().to_owned(),
            row["lead_minutes"].as_i64().unwrap(),
        )
    })
    .collect()
}

#[test]
fn each_reminder_goes_out_once_at_its_time_to_whom_it_names_with_the_hosts_text() {
    let (worker, host) = worker_with_host("own-reminders", "Own Reminders", &["call"]);
    let host_email = format!("{}@example.com", host.slug);
    own_reminders(
        &worker,
        &host,
        "call",
        &[
            (1440, "invitee", "Bring the contract, <b>signed</b>."),
            (60, "host", ""),
            (30, "both", ""),
        ],
    );
    let invitee = "own.reminders@example.org";
    let start = at(3, 10);
    let (id, _) = book(&worker, &host, "call", start, invitee);

    // A minute before the first reminder's time: nothing.
    cron_at(&worker, start - Duration::minutes(1441));
    assert!(reminders_to(invitee).is_empty() && reminders_to(&host_email).is_empty());

    // A day before: the invitee's, with the host's text, escaped in the HTML part.
    cron_at(&worker, start - Duration::minutes(1440));
    let day_before = wait_for_emails(invitee, "Reminder:", 1);
    assert_eq!(day_before.len(), 1);
    let text = day_before[0]["text"].as_str().unwrap();
    assert!(
        text.contains("Bring the contract, <b>signed</b>."),
        "{text}"
    );
    let html = day_before[0]["html"].as_str().unwrap();
    assert!(!html.contains("<b>signed"), "{html}");
    assert!(
        reminders_to(&host_email).is_empty(),
        "the day-before one is the invitee's only"
    );
    // The host saves the same reminders again, one text changed: later runs, two at once
    // among them, send it no second time.
    own_reminders(
        &worker,
        &host,
        "call",
        &[
            (1440, "invitee", "Saved again."),
            (60, "host", ""),
            (30, "both", ""),
        ],
    );
    racing_crons_at(&worker, start - Duration::minutes(1439));
    cron_at(&worker, start - Duration::minutes(120));
    assert_eq!(reminders_to(invitee).len(), 1);

    // An hour before: the host's alone, without the day-before text.
    cron_at(&worker, start - Duration::minutes(60));
    let to_host = wait_for_emails(&host_email, "Reminder:", 1);
    assert_eq!(to_host.len(), 1);
    assert!(!to_host[0]["text"].as_str().unwrap().contains("contract"));
    assert_eq!(reminders_to(invitee).len(), 1);

    // Half an hour before, two runs at once: one more each.
    racing_crons_at(&worker, start - Duration::minutes(30));
    assert_eq!(wait_for_emails(invitee, "Reminder:", 2).len(), 2);
    assert_eq!(wait_for_emails(&host_email, "Reminder:", 2).len(), 2);
    cron_at(&worker, start - Duration::minutes(1));
    assert_eq!(reminders_to(invitee).len(), 2);
    assert_eq!(reminders_to(&host_email).len(), 2);

    // The outbox held each once.
    assert_eq!(
        outbox_reminders(&worker, &id),
        [
            ("invitee_reminder".to_owned(), 1440),
            ("host_reminder".to_owned(), 60),
            ("invitee_reminder".to_owned(), 30),
            ("host_reminder".to_owned(), 30),
        ]
    );
}

#[test]
fn a_moved_meeting_is_reminded_for_its_new_time_and_late_bookings_and_empty_plans_get_none() {
    let (worker, host) = worker_with_host(
        "moved-reminders",
        "Moved Reminders",
        &["call", "quick", "silent"],
    );
    own_reminders(
        &worker,
        &host,
        "call",
        &[(1440, "both", ""), (60, "invitee", "")],
    );
    own_reminders(&worker, &host, "silent", &[]);

    // A booking reminded a day ahead, then moved a day later.
    let invitee = "moved.reminders@example.org";
    let (old_start, new_start) = (at(3, 9), at(4, 9));
    let (old_id, token) = book(&worker, &host, "call", old_start, invitee);
    cron_at(&worker, old_start - Duration::minutes(1440));
    assert_eq!(wait_for_emails(invitee, "Reminder:", 1).len(), 1);
    let moved = post_json(
        &format!("{}/api/v1/bookings/{token}/reschedule", worker.base_url),
        &json!({ "start": new_start.to_rfc3339() }),
    );
    assert!(moved.status == 200 || moved.status == 201, "{}", moved.body);
    let new_id = moved.json()["booking"]["id"].as_str().unwrap().to_owned();
    assert_ne!(new_id, old_id);
    // The old time's hour-before reminder never goes.
    cron_at(&worker, old_start - Duration::minutes(60));
    assert_eq!(reminders_to(invitee).len(), 1);
    // The new time's: the day before and the hour before, once each.
    cron_at(&worker, new_start - Duration::minutes(1440));
    let both = wait_for_emails(invitee, "Reminder:", 2);
    assert!(both[1]["text"]
        .as_str()
        .unwrap()
        .contains(&new_start.format("%-d").to_string()));
    cron_at(&worker, new_start - Duration::minutes(60));
    cron_at(&worker, new_start - Duration::minutes(59));
    assert_eq!(wait_for_emails(invitee, "Reminder:", 3).len(), 3);
    assert_eq!(
        outbox_reminders(&worker, &old_id).len(),
        2,
        "the old one: a day before, both sides"
    );
    assert_eq!(outbox_reminders(&worker, &new_id).len(), 3);

    // A late run, when both reminders' times have passed: both go in that run, once each.
    let missed = "missed.reminders@example.org";
    let missed_start = at(6, 9);
    let (missed_id, _) = book(&worker, &host, "call", missed_start, missed);
    cron_at(&worker, missed_start - Duration::minutes(30));
    assert_eq!(wait_for_emails(missed, "Reminder:", 2).len(), 2);
    cron_at(&worker, missed_start - Duration::minutes(29));
    settle();
    assert_eq!(reminders_to(missed).len(), 2);
    assert_eq!(
        outbox_reminders(&worker, &missed_id).len(),
        3,
        "a day before to both sides, an hour before to the invitee"
    );

    // Booked three hours ahead: the day-before reminder's time had passed, so only the hour's.
    let late = "late.reminders@example.org";
    let soon = (Utc::now() + Duration::hours(3))
        .with_minute(0)
        .and_then(|t| t.with_second(0))
        .and_then(|t| t.with_nanosecond(0))
        .unwrap();
    book(&worker, &host, "call", soon, late);
    cron_at(&worker, soon - Duration::minutes(61));
    assert!(reminders_to(late).is_empty());
    cron_at(&worker, soon - Duration::minutes(60));
    assert_eq!(wait_for_emails(late, "Reminder:", 1).len(), 1);

    // An own plan with no reminders sends none; the instance's (a day ahead, both) still goes.
    let quiet = "silent.reminders@example.org";
    let default = "instance.reminders@example.org";
    let start = at(5, 15);
    book(&worker, &host, "silent", start, quiet);
    book(&worker, &host, "quick", start + Duration::hours(1), default);
    cron_at(
        &worker,
        start + Duration::hours(1) - Duration::minutes(1440),
    );
    assert_eq!(wait_for_emails(default, "Reminder:", 1).len(), 1);
    cron_at(&worker, start - Duration::minutes(1));
    assert!(reminders_to(quiet).is_empty());
    // The instance's reminder went; an own list with the same lead does not send it again,
    // only its new hour-before one.
    own_reminders(
        &worker,
        &host,
        "quick",
        &[(1440, "both", ""), (60, "invitee", "")],
    );
    cron_at(
        &worker,
        start + Duration::hours(1) - Duration::minutes(1439),
    );
    assert_eq!(reminders_to(default).len(), 1);
    cron_at(&worker, start);
    assert_eq!(wait_for_emails(default, "Reminder:", 2).len(), 2);
}

fn reminders_page(host: &SeededHost) -> String {
    format!("/dashboard/event-types/{}-call/reminders", host.id)
}

/// Posts the reminders form with `fields` (besides the CSRF token).
fn save_on_form(
    browser: &Browser,
    host: &SeededHost,
    fields: &[(&str, &str)],
) -> crate::support::http::Reply {
    let page = browser.get(&reminders_page(host));
    assert_eq!(page.status, 200, "{}", page.body);
    let csrf = csrf_of(&page);
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    browser.post_form(&reminders_page(host), &all, &[])
}

#[test]
fn a_host_sets_reminders_on_the_dashboard_without_script_and_through_the_api() {
    let host = HostSeed::new("Reminder Settings", "UTC")
        .hours(EVERY_DAY, 9 * 60, 17 * 60)
        .event(EventSeed::new("call", 30))
        .create();
    let (_, browser) = sign_in_seeded(&host, "Reminder Settings");
    let overview = browser.get("/dashboard");
    assert!(
        overview.body.contains(&reminders_page(&host)),
        "the overview links the page"
    );
    let page = browser.get(&reminders_page(&host));
    assert!(
        page.body.contains("This instance's reminder: 1 day before"),
        "{}",
        page.body
    );
    assert!(page
        .body
        .contains("id=\"plan-instance\" name=\"plan\" value=\"instance\" checked"));

    // Two reminders in rows 1 and 3; the empty row between is none.
    let saved = save_on_form(
        &browser,
        &host,
        &[
            ("plan", "own"),
            ("lead-0", "60"),
            ("to-0", "host"),
            ("note-0", ""),
            ("lead-1", ""),
            ("to-1", "both"),
            ("note-1", ""),
            ("lead-2", "2880"),
            ("to-2", "invitee"),
            ("note-2", "Read the agenda."),
        ],
    );
    assert_eq!(saved.status, 303, "{}", saved.body);
    let page = browser.get(&location(&saved));
    assert!(page.body.contains("Reminders saved."));
    assert!(page
        .body
        .contains("id=\"plan-own\" name=\"plan\" value=\"own\" checked"));
    // Latest first: row 1 is now the two days, chosen in its list.
    let first_row = page.body.split("id=\"lead-1\"").next().unwrap();
    assert!(
        first_row.contains("<option value=\"2880\" selected>2 days before</option>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Read the agenda."));
    let stored = sql(&format!(
        "SELECT minutes_before, recipients, note FROM event_type_reminders \
         WHERE event_type_id = '{}-call' ORDER BY minutes_before",
        host.id
    ));
    assert_eq!(stored.len(), 2);
    assert_eq!(
        (
            stored[0]["minutes_before"].as_i64(),
            stored[0]["recipients"].as_str()
        ),
        (Some(60), Some("host"))
    );
    assert_eq!(
        (
            stored[1]["minutes_before"].as_i64(),
            stored[1]["note"].as_str()
        ),
        (Some(2880), Some("Read the agenda."))
    );

    // A wrong row is shown again as chosen, its error under it; nothing changes.
    let wrong = save_on_form(
        &browser,
        &host,
        &[
            ("plan", "own"),
            ("lead-0", "1440"),
            ("to-0", "both"),
            ("note-0", "kept text"),
            ("lead-1", "1440"),
            ("to-1", "both"),
            ("note-1", ""),
            ("lead-2", "50000"),
            ("to-2", "both"),
            ("note-2", ""),
        ],
    );
    assert_eq!(wrong.status, 422, "{}", wrong.body);
    assert!(wrong.body.contains("id=\"lead-1-error\""), "{}", wrong.body);
    assert!(wrong
        .body
        .contains("Another reminder already goes 1 day before"));
    assert!(wrong.body.contains("id=\"lead-2-error\""));
    assert!(wrong.body.contains("kept text"));
    assert_eq!(
        sql(&format!(
            "SELECT 1 FROM event_type_reminders WHERE event_type_id = '{}-call'",
            host.id
        ))
        .len(),
        2
    );
    // Rows filled in while the instance's reminder is chosen: said, not dropped silently.
    let unclear = save_on_form(
        &browser,
        &host,
        &[("plan", "instance"), ("lead-0", "180"), ("to-0", "both")],
    );
    assert_eq!(unclear.status, 422);
    assert!(unclear.body.contains("id=\"plan-error\""));

    // The API reads the same plan, replaces it, and refuses what is wrong with field paths.
    let token = new_token(&browser, "reminders");
    let path = format!("/api/v1/event-types/{}-call/reminders", host.id);
    let read = call("GET", &path, &token, None).json();
    assert_eq!(read["plan"], "own");
    assert_eq!(read["instance_minutes_before"], 1440);
    assert_eq!(
        read["reminders"][0],
        json!({ "minutes_before": 2880, "to": "invitee", "note": "Read the agenda." })
    );
    let put = call(
        "PUT",
        &path,
        &token,
        Some(json!({ "plan": "own", "reminders": [
        { "minutes_before": 15, "to": "both" }, { "minutes_before": 1440, "to": "invitee", "note": "Tomorrow!" } ] })),
    );
    assert_eq!(put.status, 200, "{}", put.body);
    assert_eq!(
        put.json()["reminders"][0]["minutes_before"],
        1440,
        "latest first"
    );
    for (body, field) in [
        (
            json!({ "plan": "own", "reminders": [{ "minutes_before": 0, "to": "both" }] }),
            "reminders[0].minutes_before",
        ),
        (
            json!({ "plan": "own", "reminders": [{ "minutes_before": 5, "to": "all" }] }),
            "reminders[0].to",
        ),
        (
            json!({ "plan": "own", "reminders": [{ "minutes_before": 5, "to": "both" }, { "minutes_before": 5, "to": "host" }] }),
            "reminders[1].minutes_before",
        ),
        (
            json!({ "plan": "own", "reminders": (1..=6).map(|m| json!({ "minutes_before": m, "to": "both" })).collect::<Vec<_>>() }),
            "reminders",
        ),
        (json!({ "plan": "sometimes" }), "plan"),
        (
            json!({ "plan": "own", "reminders": [], "extra": 1 }),
            "unknown_field",
        ),
    ] {
        let refused = call("PUT", &path, &token, Some(body.clone()));
        assert_eq!(refused.status, 422, "{body}: {}", refused.body);
        assert!(refused.body.contains(field), "{body}: {}", refused.body);
    }
    assert_eq!(
        call("GET", &path, &token, None).json()["reminders"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let back = call("PUT", &path, &token, Some(json!({ "plan": "instance" })));
    assert_eq!(back.json()["plan"], "instance");
    assert!(sql(&format!(
        "SELECT 1 FROM event_type_reminders WHERE event_type_id = '{}-call'",
        host.id
    ))
    .is_empty());
    // Another host's event type is not there.
    let other = format!("/api/v1/event-types/{}-none/reminders", host.id);
    assert_eq!(call("GET", &other, &token, None).status, 404);
}
