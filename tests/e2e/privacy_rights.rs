//! The privacy rights of PRIVACY.md, by behaviour on the real Worker: deleting a host's account
//! (asked by email, web form or dashboard, confirmed by a single-use link), erasing an invitee,
//! Zoom's deauthorization webhook, the host's export and the hourly purges. Each test names its
//! claim (`/// [Pn]`); `privacy::privacy_claims_and_tests_match` reads this file too.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use openslot::crypto::digest::sha256_hex;
use openslot::crypto::zoom_webhook;
use serde_json::{json, Value};

use crate::privacy::{book, d1_rows, host, tables_containing};
use crate::sign_in::{csrf_of, host_row, signed_in_host};
use crate::support::http::{get, post_form, query, request, send_from, Reply};
use crate::support::kv::dump as kv_dump;
use crate::support::log_scan::remember;
use crate::support::mail::{emails_to, run_cron, wait_for_emails};
use crate::support::seed::sql;
use crate::support::world::{TEST_PRIVACY_ADDRESS, TEST_ZOOM_WEBHOOK_SECRET};
use crate::support::SeededHost;

fn email_of(host: &SeededHost) -> String {
    format!("{}@example.com", host.slug)
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Delivers an email to the Worker's `email` handler the way `wrangler dev` offers for local
/// testing (`POST /cdn-cgi/handler/email?from=…&to=…` with the raw message).
fn inbound_email(envelope_from: &str, extra_headers: &str) -> Reply {
    let raw = format!(
        "Received: from mail.example.net (192.0.2.1)\r\nFrom: <{envelope_from}>\r\n\
         To: <{TEST_PRIVACY_ADDRESS}>\r\n{extra_headers}Subject: Delete my data\r\n\
         Message-ID: <{}@mail.example.net>\r\nDate: Tue, 24 Nov 2026 08:00:00 +0000\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\nPlease delete everything about me.\r\n",
        unix_now()
    );
    let path = format!(
        "/cdn-cgi/handler/email?{}",
        query(&[("from", envelope_from), ("to", TEST_PRIVACY_ADDRESS)])
    );
    let reply = request("POST", &path, &[], Some(("text/plain", &raw)));
    assert!(reply.status < 300, "{} {}", reply.status, reply.body);
    reply
}

/// The `/privacy/confirm/{token}` path in a captured email.
pub(crate) fn confirm_path(email: &serde_json::Value) -> String {
    let text = email["text"].as_str().expect("a text part");
    let at = text.find("/privacy/confirm/").expect("a confirmation link") + 17;
    let token: String = text[at..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    assert_eq!(token.len(), 64, "{text}");
    format!("/privacy/confirm/{token}")
}

fn token_of(path: &str) -> &str {
    path.rsplit('/').next().unwrap()
}

fn count(statement: &str) -> i64 {
    sql(statement)[0]["n"].as_i64().expect("a count")
}

/// Waits until the privacy outbox holds no email mentioning `needle` (each is deleted once
/// sent), running the cron trigger now and then in case the after-response delivery was busy.
fn wait_for_notice_outbox_without(needle: &str) {
    // Generous: on a loaded 2-core machine each `wrangler d1 execute` alone takes seconds.
    let deadline = Instant::now() + Duration::from_secs(120);
    let pending = || {
        crate::support::sealed::waiting_notices()
            .iter()
            .filter(|payload| payload.contains(needle))
            .count()
    };
    while pending() > 0 {
        assert!(Instant::now() < deadline, "privacy emails stay queued");
        run_cron();
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// Gives a seeded host everything an account can hold, in D1 and KV.
fn fill_account(host: &SeededHost, booking_id: &str) {
    let (id, email, slug) = (&host.id, email_of(host), &host.slug);
    sql(&format!(
        "INSERT INTO host_identities (host_id, provider, subject, email, created_at) \
         VALUES ('{id}', 'google', 'sub-{slug}', '{email}', 0); \
         INSERT INTO sessions (id_hash, host_id, csrf_secret, created_at, expires_at) \
         VALUES (lower(hex(randomblob(32))), '{id}', lower(hex(randomblob(32))), 0, 4000000000); \
         INSERT INTO api_tokens (id, host_id, name, token_hash, created_at) \
         VALUES (lower(hex(randomblob(16))), '{id}', 'script of {slug}', lower(hex(randomblob(32))), 0); \
         INSERT INTO connections (host_id, connection, provider, account_id, account_email, receives_events, connected_at) \
         VALUES ('{id}', 'google', 'google', 'g-{slug}', '{email}', 1, 0); \
         INSERT INTO connections (host_id, connection, provider, account_id, account_email, connected_at) \
         VALUES ('{id}', 'zoom', 'zoom', 'z-{slug}', '{email}', 0); \
         INSERT INTO connect_states (state_hash, host_id, provider, pkce_verifier, browser_hash, created_at, expires_at) \
         VALUES (lower(hex(randomblob(32))), '{id}', 'microsoft', printf('%043d', 7), lower(hex(randomblob(32))), 0, 4000000000); \
         INSERT INTO date_overrides (host_id, schedule_id, local_date) VALUES ('{id}', \
           (SELECT id FROM schedules WHERE host_id = '{id}' AND is_default = 1), '2030-01-01'); \
         INSERT INTO booking_calendar (booking_id, host_id, calendar_provider, conference, event_id, meeting_url, state, next_attempt_at, updated_at) \
         VALUES ('{booking_id}', '{id}', 'google', 'google_meet', 'ev-{slug}', 'https://meet.example/{slug}', 'created', 0, 0)"
    ));
    for key in ["refresh/google", "access/google", "refresh/zoom"] {
        crate::support::kv::put(&format!("host/{id}/{key}"), "k1:sealed-value-of-test");
    }
}

/// [P15] A host's account is deleted only through a link sent to their registered address
/// (here asked for by email to the privacy address); confirming it cancels upcoming bookings
/// with an email to each invitee, deletes every D1 row and KV entry of theirs, and sends a
/// final notice. The link works once.
#[test]
fn deletion_by_email_confirmed_by_link_leaves_nothing_of_the_host() {
    let other = host("Keeper Kept").id;
    let host = host("Delia Deleted");
    let email = email_of(&host);
    let first = book(&host, 9, "Ivo Invitee-Pfifteen", "ivo.p15@example.com");
    let second = book(&host, 11, "Una Invitee-Pfifteen", "una.p15@example.com");
    let first_id = first["id"].as_str().unwrap().to_owned();
    let second_id = second["id"].as_str().unwrap().to_owned();
    fill_account(&host, &first_id);
    crate::support::kv::put(
        &format!("host/{other}/refresh/google"),
        "k1:sealed-of-other",
    );

    // The email itself deletes nothing; the link goes to the registered address.
    inbound_email(&email, "");
    let links = wait_for_emails(&email, "Confirm the deletion", 1);
    assert_eq!(links.len(), 1);
    let path = confirm_path(&links[0]);
    assert_eq!(
        count(&format!(
            "SELECT COUNT(*) AS n FROM hosts WHERE id = '{}'",
            host.id
        )),
        1
    );

    // Opening the link (as a mail scanner would) only asks.
    let page = get(&path);
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("2 upcoming booking"), "{}", page.body);
    assert_eq!(
        count(&format!(
            "SELECT COUNT(*) AS n FROM hosts WHERE id = '{}'",
            host.id
        )),
        1
    );

    // Two clicks at once: one deletes, the other finds the link used; nothing happens twice.
    let clicks: Vec<_> = (0..2)
        .map(|_| {
            let path = path.clone();
            std::thread::spawn(move || post_form(&path, &[]))
        })
        .collect();
    let mut replies: Vec<Reply> = clicks.into_iter().map(|c| c.join().unwrap()).collect();
    replies.sort_by_key(|r| r.status);
    assert_eq!(
        replies.iter().map(|r| r.status).collect::<Vec<_>>(),
        vec![200, 404],
        "{}",
        replies[0].body
    );
    assert!(
        replies[0].body.contains("Your account was deleted"),
        "{}",
        replies[0].body
    );

    // Each invitee is told, and the host gets a last notice.
    for invitee in ["ivo.p15@example.com", "una.p15@example.com"] {
        let cancelled = wait_for_emails(invitee, "Cancelled:", 1);
        assert_eq!(cancelled.len(), 1, "{invitee}");
    }
    assert_eq!(
        wait_for_emails(&email, "Your Openslot account was deleted", 1).len(),
        1
    );
    wait_for_notice_outbox_without(&host.slug);

    // Nothing of the host is left in any table or in KV.
    let rows = d1_rows();
    for needle in [
        host.slug.as_str(),
        "Delia Deleted",
        "Ivo Invitee-Pfifteen",
        "ivo.p15@example.com",
        "una.p15@example.com",
        first_id.as_str(),
        second_id.as_str(),
    ] {
        assert!(
            tables_containing(&rows, needle).is_empty(),
            "{needle} is still in {:?}",
            tables_containing(&rows, needle)
        );
    }
    let kv = kv_dump();
    assert!(!kv.contains(&host.id), "{kv}");
    assert!(
        kv.contains(&format!("host/{other}/refresh/google")),
        "another host's entry stays"
    );

    // The link worked once.
    assert_eq!(post_form(&path, &[]).status, 404);
    assert_eq!(get(&path).status, 404);
}

/// [P16] An email whose sender is forged deletes nothing and reaches nobody but the address on
/// record: the link goes to the host's registered address, never to the sender's Reply-To; an
/// unknown sender gets nothing at all.
#[test]
fn a_forged_deletion_email_deletes_nothing_and_tells_only_the_registered_address() {
    let host = host("Forge Target");
    let email = email_of(&host);
    book(&host, 10, "Gil Guest-Psixteen", "gil.p16@example.com");
    let attacker = "mallory.p16@attacker.example";
    // Every row of the host's, outside the request's own bookkeeping.
    let rows_of_host = || {
        d1_rows()
            .into_iter()
            .filter(|(table, row)| row.contains(&host.slug) && !table.starts_with("privacy_"))
            .collect::<Vec<_>>()
    };
    let before = rows_of_host();

    inbound_email(
        &email.to_uppercase(),
        &format!("Reply-To: <{attacker}>\r\n"),
    );
    inbound_email(attacker, "");
    let links = wait_for_emails(&email, "Confirm the deletion", 1);
    assert_eq!(links.len(), 1, "one link, to the registered address");
    assert!(
        emails_to(attacker).is_empty(),
        "the sender as such is never answered"
    );
    assert!(emails_to(&email.to_uppercase()).is_empty());

    assert_eq!(before, rows_of_host(), "nothing of the host changed");
    assert_eq!(
        count("SELECT COUNT(*) AS n FROM privacy_requests WHERE invitee_email LIKE '%attacker%'"),
        0
    );
}

/// [P17] A confirmation link's token is stored only as its SHA-256 hash and works for 24 hours:
/// an expired link deletes nothing, and the hourly job removes it.
#[test]
fn confirmation_links_are_hashed_and_expire() {
    let host = host("Expiry Host");
    let email = email_of(&host);
    let asked = post_form("/privacy/delete", &[("email", &email)]);
    assert_eq!(asked.status, 200, "{}", asked.body);
    let path = confirm_path(&wait_for_emails(&email, "Confirm the deletion", 1)[0]);
    let token = token_of(&path);
    let rows = d1_rows();
    assert!(
        tables_containing(&rows, token).is_empty(),
        "the token is stored"
    );
    assert_eq!(
        tables_containing(&rows, &sha256_hex(token)),
        vec!["privacy_requests".to_owned()]
    );
    let open = sql(&format!(
        "SELECT expires_at - created_at AS lifetime FROM privacy_requests WHERE host_id = '{}'",
        host.id
    ));
    assert_eq!(open[0]["lifetime"], 24 * 3600);

    sql(&format!(
        "UPDATE privacy_requests SET created_at = 1, expires_at = 2 WHERE host_id = '{}'",
        host.id
    ));
    for reply in [get(&path), post_form(&path, &[])] {
        assert_eq!(reply.status, 409, "{}", reply.body);
        assert!(reply.body.contains("expired"), "{}", reply.body);
    }
    assert_eq!(
        count(&format!(
            "SELECT COUNT(*) AS n FROM hosts WHERE id = '{}'",
            host.id
        )),
        1
    );

    let hourly = get("/__scheduled?cron=17+*+*+*+*");
    assert_eq!(hourly.status, 200);
    assert_eq!(
        count(&format!(
            "SELECT COUNT(*) AS n FROM privacy_requests WHERE host_id = '{}'",
            host.id
        )),
        0
    );
    assert_eq!(get(&path).status, 404);
}

/// [P18] The public form answers the same whether or not an address belongs to a host or has
/// bookings, so it cannot tell who uses the instance; it is limited per client address.
#[test]
fn the_public_form_does_not_reveal_who_is_a_host_and_is_rate_limited() {
    let host = host("Probe Target");
    let known = email_of(&host);
    let unknown = format!("nobody.p18.{}@example.com", std::process::id());
    let neutral = |path: &str, address: &str| {
        let reply = post_form(path, &[("email", address)]);
        assert_eq!(reply.status, 200, "{}", reply.body);
        reply.body.replace(address, "ADDRESS")
    };
    assert_eq!(
        neutral("/privacy/delete", &known),
        neutral("/privacy/delete", &unknown)
    );
    book(&host, 13, "Pia Probe-Peighteen", "pia.p18@example.com");
    assert_eq!(
        neutral("/privacy/erase", "pia.p18@example.com"),
        neutral("/privacy/erase", &unknown)
    );
    assert_eq!(wait_for_emails(&known, "Confirm the deletion", 1).len(), 1);
    assert_eq!(
        wait_for_emails("pia.p18@example.com", "Confirm the erasure", 1).len(),
        1
    );
    assert!(emails_to(&unknown).is_empty());

    let bad = post_form("/privacy/delete", &[("email", "not an address")]);
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("Enter an email address"), "{}", bad.body);

    let body = query(&[("email", unknown.as_str())]);
    let attempt = || {
        send_from(
            "192.0.2.118",
            "POST",
            "/privacy/delete",
            "application/x-www-form-urlencoded",
            &body,
        )
    };
    let refusal = (0..21)
        .map(|_| attempt())
        .find(|reply| reply.status == 429)
        .expect("a client over budget is refused");
    assert_eq!(refusal.header("retry-after"), Some("60"));
}

/// [P19] The dashboard's "delete my account" button (a CSRF-checked form) also only emails the
/// link to the registered address; nothing is deleted until it is confirmed.
#[test]
fn the_dashboard_button_sends_the_link_and_deletes_nothing_yet() {
    let (browser, email) = signed_in_host("p19", "Button Presser");
    let page = browser.get("/dashboard/privacy");
    assert_eq!(page.status, 200, "{}", page.body);
    let forged = browser.post_form("/dashboard/privacy/delete", &[("csrf", "0")], &[]);
    assert_eq!(forged.status, 403);
    let asked = browser.post_form(
        "/dashboard/privacy/delete",
        &[("csrf", &csrf_of(&page))],
        &[],
    );
    assert_eq!(asked.status, 200, "{}", asked.body);
    assert!(
        asked.body.contains("We have emailed a link"),
        "{}",
        asked.body
    );
    let links = wait_for_emails(&email, "Confirm the deletion", 1);
    assert_eq!(links.len(), 1);
    host_row(&email);
    assert_eq!(browser.get("/dashboard").status, 200, "still signed in");
}

/// [P20] An invitee can have their details erased (asked by email or the web form, confirmed by
/// a link sent to their own address): name, address, zone and note go from every booking made
/// with it, with the emails waiting for those bookings; each host keeps an anonymous busy
/// time and is told without any detail of the invitee.
#[test]
fn an_invitee_is_erased_from_every_booking_after_confirming() {
    let (first_host, second_host) = (host("Erasure Host A"), host("Erasure Host B"));
    let invitee = "erin.p20@example.com";
    let a = book(&first_host, 9, "Erin Erasable-Ptwenty", invitee);
    let b = book(
        &second_host,
        10,
        "Erin Erasable-Ptwenty",
        "Erin.P20@example.com",
    );
    let kept = book(
        &first_host,
        12,
        "Otto Other-Ptwenty",
        "otto.p20@example.com",
    );
    let ids = [a["id"].as_str().unwrap(), b["id"].as_str().unwrap()];

    inbound_email(invitee, "");
    let path = confirm_path(&wait_for_emails(invitee, "Confirm the erasure", 1)[0]);
    let page = get(&path);
    assert!(page.body.contains("2 booking"), "{}", page.body);
    let done = post_form(&path, &[]);
    assert_eq!(done.status, 200, "{}", done.body);

    for id in ids {
        let row = &sql(&format!(
            "SELECT invitee_name, invitee_email, note, invitee_sealed, invitee_email_index, status, \
             reminder_sent_at FROM bookings WHERE id = '{id}'"
        ))[0];
        assert_eq!(
            row["invitee_sealed"],
            Value::Null,
            "the sealed invitee goes too"
        );
        assert_eq!(row["invitee_email_index"], Value::Null);
        assert!(
            row["reminder_sent_at"].is_i64(),
            "no reminder is left to send"
        );
        assert_eq!(row["invitee_name"], "");
        assert_eq!(row["invitee_email"], "");
        assert_eq!(row["note"], "");
        assert_eq!(row["status"], "confirmed", "the time stays booked");
        assert_eq!(
            count(&format!(
                "SELECT COUNT(*) AS n FROM email_outbox WHERE booking_id = '{id}'"
            )),
            0
        );
    }
    let other = crate::support::sealed::stored_invitee(kept["id"].as_str().unwrap());
    assert_eq!(other["email"], "otto.p20@example.com");
    for host in [&first_host, &second_host] {
        let notices = wait_for_emails(&email_of(host), "An invitee's details were erased", 1);
        assert_eq!(notices.len(), 1);
        let text = notices[0].to_string();
        assert!(
            !text.contains("Erin") && !text.to_lowercase().contains("erin.p20"),
            "{text}"
        );
    }
    // This test's emails only: other tests hold erasure emails back on purpose.
    wait_for_notice_outbox_without("erin.p20");
    let rows = d1_rows();
    for needle in [
        "Erin Erasable-Ptwenty",
        "erin.p20@example.com",
        "Erin.P20@example.com",
    ] {
        assert!(tables_containing(&rows, needle).is_empty(), "{needle}");
    }
    assert_eq!(post_form(&path, &[]).status, 404, "the link worked once");

    // The web form leads to the same link.
    let fay = "fay.p20@example.com";
    book(&first_host, 15, "Fay Formfill-Ptwenty", fay);
    assert_eq!(post_form("/privacy/erase", &[("email", fay)]).status, 200);
    let path = confirm_path(&wait_for_emails(fay, "Confirm the erasure", 1)[0]);
    assert_eq!(post_form(&path, &[]).status, 200);
    assert!(tables_containing(&d1_rows(), fay).is_empty());
}

fn zoom_call(body: &str, timestamp: Option<i64>, signature: Option<String>) -> Reply {
    let timestamp = timestamp.map(|t| t.to_string());
    let mut headers: Vec<(&str, &str)> = Vec::new();
    if let Some(t) = &timestamp {
        headers.push(("x-zm-request-timestamp", t));
    }
    if let Some(s) = &signature {
        headers.push(("x-zm-signature", s));
    }
    request(
        "POST",
        "/webhooks/zoom",
        &headers,
        Some(("application/json", body)),
    )
}

pub(crate) fn signed(body: &str, at: i64) -> Reply {
    let signature = zoom_webhook::sign(TEST_ZOOM_WEBHOOK_SECRET, &at.to_string(), body.as_bytes());
    zoom_call(body, Some(at), Some(signature))
}

/// [P21] When a Zoom user removes the app, Zoom's signed `app_deauthorized` notification
/// deletes that user's Zoom connection and tokens at once; bookings keep their rows. Unsigned,
/// wrongly signed or replayed notifications get 401 and change nothing.
#[test]
fn zoom_deauthorization_drops_the_connection_and_only_when_signed() {
    let host = host("Zoom Leaver");
    let booking = book(&host, 14, "Zed Zoomer-Ptwentyone", "zed.p21@example.com");
    let booking_id = booking["id"].as_str().unwrap().to_owned();
    fill_account(&host, &booking_id);
    crate::support::kv::put(&format!("host/{}/access/zoom", host.id), "k1:sealed-access");
    let zoom_user = format!("z-{}", host.slug);
    let zoom_rows = || {
        count(&format!(
            "SELECT COUNT(*) AS n FROM connections WHERE host_id = '{}' AND provider = 'zoom'",
            host.id
        ))
    };
    let now = unix_now();

    // The URL validation challenge.
    let challenge = json!({ "event": "endpoint.url_validation", "event_ts": now * 1000,
                            "payload": { "plainToken": "qgg8vlvZRS6UYooatFL8Aw" } })
    .to_string();
    let answer = signed(&challenge, now);
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.json()["plainToken"], "qgg8vlvZRS6UYooatFL8Aw");
    assert_eq!(
        answer.json()["encryptedToken"],
        zoom_webhook::url_validation_answer(TEST_ZOOM_WEBHOOK_SECRET, "qgg8vlvZRS6UYooatFL8Aw")
    );

    let body = json!({ "event": "app_deauthorized", "event_ts": now * 1000,
        "payload": { "account_id": "acc-1", "user_id": zoom_user, "signature": "x",
                     "deauthorization_time": "2026-11-24T08:00:00Z", "client_id": "client" } })
    .to_string();
    let wrong = zoom_webhook::sign("another-secret", &now.to_string(), body.as_bytes());
    let stale = now - 10 * 60;
    for refused in [
        zoom_call(&body, None, None),
        zoom_call(&body, Some(now), Some(wrong)),
        signed(&body, stale),
        zoom_call(
            &body.replace("acc-1", "acc-2"),
            Some(now),
            Some(zoom_webhook::sign(
                TEST_ZOOM_WEBHOOK_SECRET,
                &now.to_string(),
                body.as_bytes(),
            )),
        ),
    ] {
        assert_eq!(refused.status, 401, "{}", refused.body);
        assert_eq!(refused.json()["error"]["code"], "unauthorized");
    }
    assert_eq!(zoom_rows(), 1, "nothing changed");
    assert!(crate::support::kv::keys().contains(&format!("host/{}/refresh/zoom", host.id)));

    let accepted = signed(&body, now);
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    assert_eq!(zoom_rows(), 0);
    let keys = crate::support::kv::keys();
    assert!(
        !keys.contains(&format!("host/{}/refresh/zoom", host.id)),
        "{keys:?}"
    );
    assert!(
        !keys.contains(&format!("host/{}/access/zoom", host.id)),
        "{keys:?}"
    );
    assert!(
        keys.contains(&format!("host/{}/refresh/google", host.id)),
        "{keys:?}"
    );
    assert_eq!(
        count(&format!(
            "SELECT COUNT(*) AS n FROM connections WHERE host_id = '{}' AND provider = 'google'",
            host.id
        )),
        1
    );
    assert_eq!(
        count(&format!(
            "SELECT COUNT(*) AS n FROM bookings b JOIN booking_calendar c ON c.booking_id = b.id \
             WHERE b.id = '{booking_id}'"
        )),
        1,
        "bookings keep their rows"
    );
    // Zoom retries deliveries: the same notice again is fine and changes nothing more.
    assert_eq!(signed(&body, now).status, 200);
    assert_eq!(zoom_call("{", None, None).status, 401);
}

/// [P22] A signed-in host can download everything stored about them as one JSON file:
/// profile, sign-ins, event types, availability, overrides, bookings with the invitees'
/// details, connected accounts and API token names, and no token or secret.
#[test]
fn a_host_exports_all_their_data_as_one_json_file() {
    let (browser, email) = signed_in_host("p22", "Export Person");
    let id = host_row(&email)["id"].as_str().unwrap().to_owned();
    remember("Xena Exported-Ptwentytwo");
    sql(&format!(
        "INSERT INTO event_types (id, host_id, slug, title, duration_minutes, created_at, \
           location_kind, location_detail, other_durations, questions) \
         VALUES ('{id}-export', '{id}', 'export-call', 'Export call', 30, 0, 'in_person', \
           'Exportweg 22, Berlin', '60', '[{{\"label\":\"Team size\",\"required\":true}}]'); \
         INSERT INTO weekly_hours (host_id, schedule_id, weekday, start_minute, end_minute) VALUES ('{id}', \
           (SELECT id FROM schedules WHERE host_id = '{id}' AND is_default = 1), 2, 540, 600); \
         INSERT INTO date_overrides (host_id, schedule_id, local_date) VALUES ('{id}', \
           (SELECT id FROM schedules WHERE host_id = '{id}' AND is_default = 1), '2031-02-03'); \
         INSERT INTO bookings (id, host_id, event_type_id, start_at, end_at, invitee_name, invitee_email, \
           invitee_time_zone, note, manage_token_hash, idempotency_key, created_at, answers, lang) \
         VALUES ('{id}-b1', '{id}', '{id}-export', 1900000000, 1900001800, 'Xena Exported-Ptwentytwo', \
           'xena.p22@example.com', 'Asia/Tokyo', 'bring slides', lower(hex(randomblob(32))), '{id}-k1', 0, \
           '[{{\"question\":\"Team size\",\"answer\":\"twelve\"}}]', 'de'); \
         INSERT INTO api_tokens (id, host_id, name, token_hash, created_at) \
         VALUES (lower(hex(randomblob(16))), '{id}', 'export script', printf('%064d', 2222), 0); \
         INSERT INTO connections (host_id, connection, provider, account_id, account_email, connected_at) \
         VALUES ('{id}', 'zoom', 'zoom', 'zexp-{id}', '{email}', 5)"
    ));
    let reply = browser.get("/dashboard/export");
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(reply
        .header("content-type")
        .unwrap()
        .starts_with("application/json"));
    assert!(reply
        .header("content-disposition")
        .unwrap()
        .starts_with("attachment;"));
    let export = reply.json();
    assert_eq!(export["profile"]["email"], email.as_str());
    assert_eq!(export["profile"]["name"], "Export Person");
    assert_eq!(export["sign_in_identities"][0]["provider"], "google");
    let event_type = &export["event_types"][0];
    assert_eq!(event_type["slug"], "export-call");
    assert_eq!(event_type["location_detail"], "Exportweg 22, Berlin");
    assert_eq!(event_type["other_durations"], "60");
    assert_eq!(event_type["questions"][0]["label"], "Team size");
    assert_eq!(
        export["availability"]["weekly_hours"][0]["start_minute"],
        540
    );
    assert_eq!(
        export["availability"]["date_overrides"][0]["local_date"],
        "2031-02-03"
    );
    let booking = &export["bookings"][0];
    assert_eq!(booking["invitee_name"], "Xena Exported-Ptwentytwo");
    assert_eq!(booking["invitee_email"], "xena.p22@example.com");
    assert_eq!(booking["note"], "bring slides");
    assert_eq!(booking["answers"][0]["answer"], "twelve");
    assert_eq!(booking["lang"], "de");
    assert_eq!(export["connections"][0]["provider"], "zoom");
    assert_eq!(export["api_tokens"][0]["name"], "export script");
    assert!(
        !reply.body.contains(&format!("{:064}", 2222)),
        "no token hash"
    );
    assert!(!reply.body.contains("token_hash") && !reply.body.contains("csrf"));
    // Without a session there is nothing to download.
    assert_eq!(get("/dashboard/export").status, 303);
}

/// [P23] The hourly job also deletes what has expired: sessions (and revoked ones), sign-ins
/// and calendar connections never finished (an hour after they expired) and unused privacy
/// links.
#[test]
fn the_hourly_job_purges_expired_sessions_states_and_links() {
    let host = host("Purge Host");
    let id = &host.id;
    let now = unix_now();
    sql(&format!(
        "INSERT INTO sessions (id_hash, host_id, csrf_secret, created_at, expires_at) VALUES \
           (printf('%064d', 2301), '{id}', printf('%064d', 1), 1, 2), \
           (printf('%064d', 2302), '{id}', printf('%064d', 1), 1, {live}); \
         INSERT INTO oauth_states (state_hash, provider, pkce_verifier, browser_hash, created_at, expires_at) VALUES \
           (printf('%064d', 2303), 'google', printf('%043d', 1), printf('%064d', 1), 1, 2), \
           (printf('%064d', 2304), 'google', printf('%043d', 1), printf('%064d', 1), 1, {live}); \
         INSERT INTO connect_states (state_hash, host_id, provider, pkce_verifier, browser_hash, created_at, expires_at) VALUES \
           (printf('%064d', 2305), '{id}', 'zoom', printf('%043d', 1), printf('%064d', 1), 1, 2), \
           (printf('%064d', 2306), '{id}', 'zoom', printf('%043d', 1), printf('%064d', 1), 1, {live}); \
         INSERT INTO privacy_requests (token_hash, kind, host_id, created_at, expires_at) VALUES \
           (printf('%064d', 2307), 'delete_host', '{id}', 1, 2), \
           (printf('%064d', 2308), 'delete_host', '{id}', 1, {live})",
        live = now + 600
    ));
    let hourly = get("/__scheduled?cron=17+*+*+*+*");
    assert_eq!(hourly.status, 200);
    for (table, key, live) in [
        ("sessions", "id_hash", 2302),
        ("oauth_states", "state_hash", 2304),
        ("connect_states", "state_hash", 2306),
        ("privacy_requests", "token_hash", 2308),
    ] {
        let left: Vec<String> = sql(&format!(
            "SELECT {key} AS k FROM {table} WHERE {key} IN \
             (printf('%064d', {expired}), printf('%064d', {live}))",
            expired = live - 1
        ))
        .iter()
        .map(|r| r["k"].as_str().unwrap().to_owned())
        .collect();
        assert_eq!(left, vec![format!("{live:064}")], "{table}");
    }
}
