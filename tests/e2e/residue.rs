//! Every path that deletes or erases, checked for residue instead of named fields: a test plants
//! a distinct marker in every personal field the path touches, runs the path, and then
//! `support::residue` searches every column of every D1 table, every live KV entry and the
//! Worker's log for each marker. A marker found anywhere fails the test, saying where.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::privacy::host;
use crate::privacy_findings::{ask, book_with, erase, session_of};
use crate::privacy_rights::confirm_path;
use crate::sign_in::{csrf_of, fake_account, location, sign_in};
use crate::support::browser::Browser;
use crate::support::http::{get, post_form, request};
use crate::support::kv;
use crate::support::log_scan::remember;
use crate::support::mail::{run_cron, wait_for_emails};
use crate::support::residue::{assert_no_residue, marker};
use crate::support::seed::sql;
use crate::support::world::TEST_ZOOM_WEBHOOK_SECRET;
use crate::support::SeededHost;

/// An address whose local part is a fresh marker (the fakes accept any address).
fn marker_address(field: &str) -> String {
    let address = format!("{}@example.com", marker(field));
    remember(&address);
    address
}

/// Waits until neither outbox holds an email not yet tried (emails other tests make fail on
/// purpose wait for their retry), running the cron now and then.
fn wait_for_outboxes_to_drain() {
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        let waiting = sql(
            "SELECT (SELECT COUNT(*) FROM notice_outbox WHERE attempts = 0) + \
             (SELECT COUNT(*) FROM email_outbox WHERE attempts = 0 AND sent_at IS NULL \
              AND failed_at IS NULL) AS n",
        )[0]["n"]
            .as_i64()
            .unwrap();
        if waiting == 0 {
            return;
        }
        assert!(Instant::now() < deadline, "{waiting} emails stay queued");
        run_cron();
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// Two bookings of the host's `call` by one invitee whose every field is a marker, with two
/// answers: the markers, and the bookings' manage tokens among them.
fn invitee_with_markers(host: &SeededHost, days: u64) -> (String, Vec<String>, Vec<String>) {
    let email = marker_address("inviteeemail");
    let name = marker("inviteename");
    let note = marker("note");
    let (first, second) = (marker("answerone"), marker("answertwo"));
    let mut ids = Vec::new();
    let mut markers = vec![email.clone(), name.clone(), note.clone(), first.clone()];
    markers.push(second.clone());
    for hour in [9, 11] {
        let booking = book_with(
            host,
            days,
            hour,
            &name,
            &email,
            &note,
            json!({ "Question one": first, "Question two": second }),
        );
        let url = booking["manage_url"].as_str().unwrap();
        markers.push(url.rsplit('/').next().unwrap().to_owned());
        ids.push(booking["id"].as_str().unwrap().to_owned());
    }
    wait_for_emails(&email, "", 2);
    (email, markers, ids)
}

/// [P42] Deleting a host's account leaves nothing of the host or their invitees anywhere: profile,
/// event types with their questions, confirmation paragraphs, reminder texts and chosen calendars, time off, sign-ins, sessions, API tokens, connections, calendar
/// work (with the calendar each event went to), bookings with every invitee field, emails (a notice still queued too), webhook
/// endpoints and their deliveries, KV entries and both links' tokens.
#[test]
fn a_host_deletion_leaves_no_residue() {
    let host = host("Residue Host");
    let id = host.id.clone();
    let host_name = marker("hostname");
    let host_email = marker_address("hostemail");
    let (title, description, place) = (marker("title"), marker("description"), marker("place"));
    let (label_one, label_two) = (marker("labelone"), marker("labeltwo"));
    // The host's own words: the confirmation email's paragraph (set before the booking, so
    // it travels through the email outbox too) and a time-off note.
    let (message, away) = (marker("confirmationmessage"), marker("timeoffnote"));
    let reminder = marker("remindernote");
    // A second schedule named with a marker (a copy of the default's zone and hours), used by
    // the event type.
    let schedule = marker("schedulename");
    sql(&format!(
        "INSERT INTO schedules (id, host_id, name, time_zone, is_default, created_at) \
         SELECT '{id}-second', '{id}', '{schedule}', time_zone, 0, 0 FROM schedules \
         WHERE host_id = '{id}' AND is_default = 1; \
         INSERT INTO weekly_hours (host_id, schedule_id, weekday, start_minute, end_minute) \
         SELECT host_id, '{id}-second', weekday, start_minute, end_minute FROM weekly_hours \
         WHERE host_id = '{id}'; \
         UPDATE event_types SET schedule_id = '{id}-second' WHERE host_id = '{id}'; \
         UPDATE schedules SET name = '{schedule}-default' WHERE host_id = '{id}' AND is_default = 1"
    ));
    sql(&format!(
        "UPDATE hosts SET name = '{host_name}', email = '{host_email}' WHERE id = '{id}'; \
         UPDATE event_types SET title = '{title}', description = '{description}', \
           location_kind = 'in_person', location_detail = '{place}', \
           confirmation_message = '{{\"en\":\"{message}\"}}' WHERE host_id = '{id}'; \
         INSERT INTO time_off (id, host_id, start_at, end_at, note, created_at) \
         VALUES (lower(hex(randomblob(16))), '{id}', 4000000000, 4000003600, '{away}', 0); \
         UPDATE event_types SET own_reminders = 1 WHERE host_id = '{id}'; \
         INSERT INTO event_type_reminders (event_type_id, minutes_before, recipients, note) \
         SELECT id, 60, 'both', '{reminder}' FROM event_types WHERE host_id = '{id}'"
    ));
    remember(&host_name);
    // The second question is a choice whose option and help text are markers too.
    let (option, help) = (marker("option"), marker("help"));
    ask(&host, &[&label_one, &label_two]);
    sql(&format!(
        "UPDATE event_types SET questions = json_set(questions, '$[1].kind', 'radio', \
           '$[1].options', json_array('{option}', 'Other'), '$[1].help', '{help}') \
         WHERE host_id = '{id}'"
    ));
    let asked = sql(&format!(
        "SELECT questions FROM event_types WHERE host_id = '{id}'"
    ));
    let asked = asked[0]["questions"].as_str().unwrap();
    assert!(
        asked.contains("\"kind\":\"radio\"") && asked.contains(&help),
        "{asked}"
    );
    // Bookings answer by label: the invitee's answers go under the planted labels.
    let (invitee, answer) = (marker_address("inviteeemail"), marker("answer"));
    let (invitee_name, note) = (marker("inviteename"), marker("note"));
    let booking = book_with(
        &host,
        4,
        10,
        &invitee_name,
        &invitee,
        &note,
        json!({ label_one.as_str(): answer, label_two.as_str(): option }),
    );
    let booking_id = booking["id"].as_str().unwrap().to_owned();
    let manage_token = booking["manage_url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let confirmation = wait_for_emails(&invitee, "", 1);
    assert!(
        confirmation[0].to_string().contains(&message),
        "the paragraph went out with the confirmation: {}",
        confirmation[0]
    );
    let (subject, identity_email) = (marker("signinsubject"), marker_address("signinemail"));
    let (account, account_email) = (marker("accountid"), marker_address("accountemail"));
    let (token_name, event_id, meeting) =
        (marker("tokenname"), marker("eventid"), marker("meeting"));
    // The calendar an event type sends its bookings to, and the one a booking's event went to.
    let (chosen_calendar, used_calendar) = (marker("eventcalendar"), marker("bookingcalendar"));
    let (kv_value, access_value) = (marker("kvrefresh"), marker("kvaccess"));
    sql(&format!(
        "INSERT INTO host_identities (host_id, provider, subject, email, created_at) \
         VALUES ('{id}', 'google', '{subject}', '{identity_email}', 0); \
         INSERT INTO api_tokens (id, host_id, name, token_hash, created_at) \
         VALUES (lower(hex(randomblob(16))), '{id}', '{token_name}', lower(hex(randomblob(32))), 0); \
         INSERT INTO connections (host_id, connection, provider, account_id, account_email, connected_at) \
         VALUES ('{id}', 'zoom', 'zoom', '{account}', '{account_email}', 0); \
         INSERT INTO booking_calendar (booking_id, host_id, calendar_provider, conference, event_id, \
           meeting_url, state, next_attempt_at, updated_at, calendar_id) \
         VALUES ('{booking_id}', '{id}', 'google', 'zoom', '{event_id}', 'https://zoom.example/{meeting}', \
           'created', 4000000000, 0, '{used_calendar}'); \
         UPDATE event_types SET event_calendar_connection = 'google', \
           event_calendar_id = '{chosen_calendar}' WHERE host_id = '{id}'"
    ));
    kv::put(&format!("host/{id}/refresh/zoom"), &kv_value);
    kv::put(&format!("host/{id}/access/zoom"), &access_value);
    // A webhook endpoint with a delivery waiting, and a notice to the host still queued.
    let (hook_path, hook_secret, delivery, notice) = (
        marker("hookpath"),
        marker("hooksecret"),
        marker("delivery"),
        marker("notice"),
    );
    sql(&format!(
        "INSERT INTO webhook_endpoints (id, host_id, url, events, secret_sealed, created_at) \
         VALUES ('{hook_path}', '{id}', 'https://hooks.example.com/{hook_path}', 'booking.created', \
           'v1.k1.{hook_secret}', 0); \
         INSERT INTO webhook_deliveries (id, endpoint_id, booking_id, event, occurred_at, \
           next_attempt_at) \
         VALUES ('msg_{delivery}', '{hook_path}', '{booking_id}', 'booking.created', 0, 4000000000); \
         INSERT INTO notice_outbox (id, host_id, kind, payload, next_attempt_at, created_at) \
         VALUES ('{notice}', '{id}', 'connection_broken', '{{\"to\":\"{notice}\"}}', 4000000000, 0)"
    ));
    let browser = session_of(&host);
    assert_eq!(browser.get("/dashboard").status, 200);
    let session = browser
        .cookie(crate::privacy_findings::SESSION_COOKIE)
        .unwrap();

    assert_eq!(
        post_form("/privacy/delete", &[("email", &host_email)]).status,
        200
    );
    let path = confirm_path(&wait_for_emails(&host_email, "Confirm the deletion", 1)[0]);
    let done = post_form(&path, &[]);
    assert_eq!(done.status, 200, "{}", done.body);
    wait_for_emails(&host_email, "Your Openslot account was deleted", 1);
    wait_for_emails(&invitee, "Cancelled:", 1);
    wait_for_outboxes_to_drain();

    let privacy_token = path.rsplit('/').next().unwrap().to_owned();
    assert_no_residue(&[
        host_name,
        host_email,
        title,
        description,
        place,
        message,
        away,
        reminder,
        schedule,
        label_one,
        label_two,
        option,
        help,
        invitee,
        invitee_name,
        note,
        answer,
        subject,
        identity_email,
        account,
        account_email,
        token_name,
        event_id,
        meeting,
        chosen_calendar,
        used_calendar,
        kv_value,
        access_value,
        manage_token,
        privacy_token,
        session,
        hook_path,
        hook_secret,
        delivery,
        notice,
    ]);
}

/// [P42] Erasing an invitee leaves none of their fields, answers or links anywhere, and keeps other
/// invitees' bookings whole.
#[test]
fn an_invitee_erasure_leaves_no_residue() {
    let host = host("Residue Erasure");
    ask(&host, &["Question one", "Question two"]);
    let (email, mut markers, ids) = invitee_with_markers(&host, 5);
    let kept = book_with(
        &host,
        5,
        14,
        "Kept Keeper",
        "kept.keeper.residue@example.com",
        "kept note",
        json!({ "Question one": "kept answer" }),
    );

    erase(&email);
    wait_for_outboxes_to_drain();

    for id in &ids {
        let row = &sql(&format!(
            "SELECT answers, invitee_sealed FROM bookings WHERE id = '{id}'"
        ))[0];
        assert_eq!(row["answers"], "[]", "the labels go with the answers");
        assert_eq!(row["invitee_sealed"], serde_json::Value::Null);
    }
    let other = crate::support::sealed::stored_invitee(kept["id"].as_str().unwrap());
    assert_eq!(other["note"], "kept note");
    assert!(other["answers"].to_string().contains("kept answer"));
    markers.retain(|m| !m.is_empty());
    assert_no_residue(&markers);
}

/// [P42] The hourly retention job leaves nothing of an invitee whose meeting ended long ago.
#[test]
fn the_retention_purge_leaves_no_residue() {
    let host = host("Residue Retention");
    ask(&host, &["Question one", "Question two"]);
    let (_, markers, ids) = invitee_with_markers(&host, 6);
    for id in &ids {
        sql(&format!(
            "UPDATE bookings SET start_at = start_at - 200 * 86400, end_at = end_at - 200 * 86400 \
             WHERE id = '{id}'"
        ));
    }
    assert_eq!(get("/__scheduled?cron=17+*+*+*+*").status, 200);
    wait_for_outboxes_to_drain();
    assert_no_residue(&markers);
}

/// A host signed in at the fakes with a Google sign-in, connecting `provider` as `account`.
fn connected(name: &str, provider: &str, account: &str) -> (Browser, String) {
    let email = crate::sign_in::address("residue");
    fake_account("google", &email, name);
    fake_account(provider, account, name);
    let browser = Browser::new();
    // The sign-in creates the host, so it leads to the onboarding steps.
    assert_eq!(
        location(&sign_in(&browser, "google", &email)),
        "/dashboard/welcome"
    );
    crate::connections::connect(&browser, provider, account);
    let id = crate::sign_in::host_row(&email)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    (browser, id)
}

/// What a connection brings, as markers: the provider's account id and address, and every
/// token the provider issued for it.
fn connection_markers(host_id: &str, provider: &str, account: &str) -> Vec<String> {
    let row = &sql(&format!(
        "SELECT account_id FROM connections WHERE host_id = '{host_id}' AND provider = '{provider}'"
    ))[0];
    let mut markers = vec![
        account.to_owned(),
        row["account_id"].as_str().unwrap().to_owned(),
    ];
    markers.extend(crate::connections::issued_refresh_tokens(provider, account));
    let state = get(&format!(
        "{}/_fake/state",
        crate::support::world().fakes_url
    ))
    .json();
    markers.extend(
        state["tokens"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["email"] == account)
            .filter_map(|t| t["access_token"].as_str().map(str::to_owned)),
    );
    markers
}

/// [P42] Disconnecting a calendar leaves no trace of the account or its tokens.
#[test]
fn a_disconnect_leaves_no_residue() {
    let account = marker_address("outlookaccount");
    let (browser, host_id) = connected("Residue Disconnect", "microsoft", &account);
    let markers = connection_markers(&host_id, "microsoft", &account);
    let page = browser.get("/dashboard/connections");
    let reply = browser.post_form(
        "/dashboard/connections/microsoft/disconnect",
        &[("csrf", &csrf_of(&page))],
        &[],
    );
    assert_eq!(
        location(&reply),
        "/dashboard/connections?done=disconnected-microsoft"
    );
    assert_no_residue(&markers);
}

/// [P42] Zoom's deauthorization leaves no trace of the Zoom account or its tokens.
#[test]
fn a_zoom_deauthorization_leaves_no_residue() {
    let account = marker_address("zoomaccount");
    let (_browser, host_id) = connected("Residue Zoom", "zoom", &account);
    let markers = connection_markers(&host_id, "zoom", &account);
    let now = chrono::Utc::now().timestamp();
    let body = json!({ "event": "app_deauthorized", "event_ts": now * 1000,
        "payload": { "account_id": "acc-residue", "user_id": markers[1], "signature": "x",
                     "deauthorization_time": "2026-11-24T08:00:00Z", "client_id": "client" } })
    .to_string();
    let signature = openslot::crypto::zoom_webhook::sign(
        TEST_ZOOM_WEBHOOK_SECRET,
        &now.to_string(),
        body.as_bytes(),
    );
    let timestamp = now.to_string();
    let reply = request(
        "POST",
        "/webhooks/zoom",
        &[
            ("x-zm-request-timestamp", &timestamp),
            ("x-zm-signature", &signature),
        ],
        Some(("application/json", &body)),
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_no_residue(&markers);
}

/// [P42] An expired privacy request, once purged, leaves neither the address it was for nor its
/// link's token.
#[test]
fn an_expired_privacy_request_leaves_no_residue() {
    let host = host("Residue Expiry");
    // Booked with capitals: the request would keep the address lower-cased (it keeps it
    // sealed now), the booking as typed, so the lower-cased form is the request's own trace.
    let typed = format!("{}@example.com", marker("Expiring"));
    remember(&typed);
    book_with(&host, 7, 9, "Exp Iring", &typed, "", json!({}));
    wait_for_emails(&typed, "", 1);
    assert_eq!(
        post_form("/privacy/erase", &[("email", &typed)]).status,
        200
    );
    let path = confirm_path(&wait_for_emails(&typed, "Confirm the erasure", 1)[0]);
    wait_for_outboxes_to_drain();
    let lower = typed.to_lowercase();
    // The request is found by the address's blind index (the address itself is sealed).
    let index = crate::support::sealed::email_index(&typed);
    assert!(
        !sql(&format!(
            "SELECT 1 FROM privacy_requests WHERE invitee_email = '{index}'"
        ))
        .is_empty(),
        "the request is open"
    );
    sql(&format!(
        "UPDATE privacy_requests SET created_at = 1, expires_at = 2 WHERE invitee_email = '{index}'"
    ));
    assert_eq!(get("/__scheduled?cron=17+*+*+*+*").status, 200);
    assert_no_residue(&[lower, path.rsplit('/').next().unwrap().to_owned()]);
}
