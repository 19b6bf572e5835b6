//! Outgoing webhooks from the outside: a loopback receiver gets what a receiver on the
//! internet would, and every signature is checked by the Standard Webhooks reference verifier
//! (the `standardwebhooks` package from PyPI), never by our own code. Covered: thin and full
//! payloads, each event once, retries with the same `webhook-id`, disabling after three days
//! of failures with one email, secret rotation with both signatures, the SSRF guard, and
//! endpoints scoped to their host and event type.

use std::io::Write;
use std::process::{Command, Stdio};

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use crate::api_tokens::{call, new_token};
use crate::dashboard_bookings::{bookable_host, start_in_days};
use crate::sign_in::csrf_of;
use crate::support::http::{post_json, Reply};
use crate::support::mail::{run_cron, wait_for_emails};
use crate::support::receiver::{Received, Receiver};
use crate::support::seed::sql;
use crate::support::world::repo_root;

/// Whether the reference verifier accepts `received` for `secret` (its error otherwise).
pub(crate) fn reference_verifies(secret: &str, received: &Received) -> Result<(), String> {
    let headers = json!({
        "webhook-id": received.header("webhook-id"),
        "webhook-timestamp": received.header("webhook-timestamp"),
        "webhook-signature": received.header("webhook-signature"),
    });
    let python = repo_root().join("target/tools/venv/bin/python");
    assert!(
        python.exists(),
        "the reference verifier is missing: tests/support/install.sh installs it"
    );
    let mut child = Command::new(python)
        .args([
            "-c",
            "import json, sys\n\
             from standardwebhooks.webhooks import Webhook\n\
             body = sys.stdin.buffer.read().decode('utf-8')\n\
             Webhook(sys.argv[1]).verify(body, json.loads(sys.argv[2]))\n",
            secret,
            &headers.to_string(),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(received.body.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    if output.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

/// Books `start` of the host's `call` and returns the API's booking object.
fn book(slug: &str, start: DateTime<Utc>, invitee: &str) -> Value {
    let reply = post_json(
        "/api/v1/bookings",
        &json!({ "host": slug, "event": "call", "start": start.to_rfc3339(),
                 "name": "Hook Invitee", "email": invitee, "time_zone": "Europe/Paris" }),
    );
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.json()["booking"].clone()
}

fn add_endpoint(token: &str, body: Value) -> Value {
    let reply = call("POST", "/api/v1/webhooks", token, Some(body));
    assert_eq!(reply.status, 201, "{}", reply.body);
    let endpoint = reply.json();
    assert!(endpoint["secret"].as_str().unwrap().starts_with("whsec_"));
    endpoint
}

fn of_type<'a>(received: &'a [Received], kind: &str) -> Vec<&'a Received> {
    received
        .iter()
        .filter(|r| r.json()["type"] == kind)
        .collect()
}

fn invalid(reply: &Reply, field: &str) {
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert!(
        reply.json()["error"]["fields"][field].is_string(),
        "{field}: {}",
        reply.body
    );
}

/// [P44] [P45] A thin payload carries nothing personal, a full one the invitee's details; each
/// endpoint's own secret signs, as the reference verifier checks.
#[test]
fn bookings_reach_receivers_signed_as_the_reference_verifier_expects() {
    let (browser, _email, slug, _csrf) = bookable_host("hooks-signed");
    let token = new_token(&browser, "hooks");
    let thin_receiver = Receiver::start();
    let full_receiver = Receiver::start();
    let thin = add_endpoint(&token, json!({ "url": thin_receiver.url("/thin") }));
    assert_eq!(
        thin["events"],
        json!([
            "booking.created",
            "booking.rescheduled",
            "booking.cancelled"
        ])
    );
    let full = add_endpoint(
        &token,
        json!({ "url": full_receiver.url("/full"), "include_personal": true,
                "events": ["booking.created"] }),
    );
    // [P45] The secrets are nowhere in D1 or KV as they were shown, only sealed.
    let rows = crate::privacy::d1_rows();
    let kv = crate::support::kv::dump();
    for endpoint in [&thin, &full] {
        let shown = &endpoint["secret"].as_str().unwrap()[6..];
        assert!(
            crate::privacy::tables_containing(&rows, shown).is_empty(),
            "a secret is stored"
        );
        assert!(!kv.contains(shown), "a secret is in KV");
    }
    let sealed = sql("SELECT secret_sealed FROM webhook_endpoints");
    assert!(sealed
        .iter()
        .all(|row| row["secret_sealed"].as_str().unwrap().starts_with("v1.")));

    let invitee = format!("hooked-{slug}@example.org");
    let booking = book(&slug, start_in_days(4), &invitee);
    let id = booking["id"].as_str().unwrap();

    let thin_got = thin_receiver.wait_for(1);
    let full_got = full_receiver.wait_for(1);
    assert_eq!((thin_got.len(), full_got.len()), (1, 1));
    let (thin_hook, full_hook) = (&thin_got[0], &full_got[0]);
    let thin_secret = thin["secret"].as_str().unwrap();
    let full_secret = full["secret"].as_str().unwrap();
    reference_verifies(thin_secret, thin_hook).unwrap();
    reference_verifies(full_secret, full_hook).unwrap();
    assert!(
        reference_verifies(full_secret, thin_hook).is_err(),
        "each endpoint has its own secret"
    );
    assert_eq!(
        (thin_hook.path.as_str(), full_hook.path.as_str()),
        ("/thin", "/full")
    );
    assert!(thin_hook.header("webhook-id").starts_with("msg_"));
    assert_eq!(thin_hook.header("content-type"), "application/json");

    let body = thin_hook.json();
    assert_eq!(body["type"], "booking.created");
    assert_eq!(body["data"]["booking_id"], id);
    assert_eq!(body["data"]["status"], "confirmed");
    assert_eq!(body["data"]["event_type"]["slug"], "call");
    assert_eq!(body["data"]["start"], booking["start"]);
    assert!(body["data"].get("invitee").is_none(), "{body}");
    for personal in [invitee.as_str(), "Hook Invitee", "Europe/Paris"] {
        assert!(
            !thin_hook.body.contains(personal),
            "a thin payload leaked {personal}"
        );
    }
    let full_body = full_hook.json();
    assert_eq!(full_body["data"]["invitee"]["email"], invitee.as_str());
    assert_eq!(full_body["data"]["invitee"]["name"], "Hook Invitee");
    assert_eq!(full_body["data"]["invitee"]["time_zone"], "Europe/Paris");

    // A cancellation reaches the endpoint that wants it, once, however often it is asked.
    let cancel = call(
        "POST",
        &format!("/api/v1/bookings/{id}/cancel"),
        &token,
        None,
    );
    assert_eq!(cancel.status, 200, "{}", cancel.body);
    call(
        "POST",
        &format!("/api/v1/bookings/{id}/cancel"),
        &token,
        None,
    );
    let thin_got = thin_receiver.wait_for(2);
    run_cron();
    std::thread::sleep(std::time::Duration::from_millis(500));
    let all = thin_receiver.received();
    let cancelled = of_type(&all, "booking.cancelled");
    assert_eq!(cancelled.len(), 1, "{thin_got:?}");
    assert_eq!(cancelled[0].json()["data"]["status"], "cancelled");
    reference_verifies(thin_secret, cancelled[0]).unwrap();
    assert_eq!(
        full_receiver.received().len(),
        1,
        "full wants creations only"
    );

    // The delivery log: each delivery's state, status and time, nothing else.
    let log = call(
        "GET",
        &format!("/api/v1/webhooks/{}", thin["id"].as_str().unwrap()),
        &token,
        None,
    );
    assert_eq!(log.status, 200, "{}", log.body);
    let deliveries = log.json()["deliveries"].as_array().unwrap().clone();
    assert_eq!(deliveries.len(), 2, "{deliveries:?}");
    for delivery in &deliveries {
        assert_eq!(delivery["state"], "delivered");
        assert_eq!(delivery["last_status"], 204);
        assert!(delivery["last_attempt_at"].is_string());
    }
    assert!(!log.body.contains(&invitee));
    assert!(log.json().get("secret").is_none(), "a secret is shown once");
}

#[test]
fn a_move_is_one_rescheduled_webhook_naming_the_old_booking() {
    let (browser, _email, slug, _csrf) = bookable_host("hooks-moved");
    let token = new_token(&browser, "hooks");
    let receiver = Receiver::start();
    let endpoint = add_endpoint(&token, json!({ "url": receiver.url("/moves") }));
    let booking = book(
        &slug,
        start_in_days(5),
        &format!("mover-{slug}@example.org"),
    );
    receiver.wait_for(1);
    let manage_url = booking["manage_url"].as_str().unwrap();
    let manage_token = manage_url.rsplit('/').next().unwrap();
    let moved = post_json(
        &format!("/api/v1/bookings/{manage_token}/reschedule"),
        &json!({ "start": start_in_days(6).to_rfc3339() }),
    );
    assert!(moved.status < 300, "{}", moved.body);
    let got = receiver.wait_for(2);
    assert_eq!(got.len(), 2, "no cancellation for a move: {got:?}");
    let hook = &got[1];
    reference_verifies(endpoint["secret"].as_str().unwrap(), hook).unwrap();
    let body = hook.json();
    assert_eq!(body["type"], "booking.rescheduled");
    assert_eq!(body["data"]["rescheduled_from"], booking["id"]);
    assert_ne!(body["data"]["booking_id"], booking["id"]);
    assert_eq!(
        body["data"]["start"],
        start_in_days(6).format("%Y-%m-%dT%H:%M:%SZ").to_string()
    );
}

#[test]
fn a_failed_webhook_is_retried_with_the_same_id_and_a_dead_endpoint_is_disabled_once() {
    let (browser, email, slug, _csrf) = bookable_host("hooks-failing");
    let token = new_token(&browser, "hooks");
    let receiver = Receiver::start();
    let endpoint = add_endpoint(&token, json!({ "url": receiver.url("/flaky") }));
    let endpoint_id = endpoint["id"].as_str().unwrap().to_owned();
    receiver.answer_next(&[500]);
    book(
        &slug,
        start_in_days(3),
        &format!("retry-{slug}@example.org"),
    );
    let first = receiver.wait_for(1);
    assert_eq!(first.len(), 1);
    let row = &sql(&format!(
        "SELECT attempts, next_attempt_at, last_status, delivered_at FROM webhook_deliveries \
         WHERE endpoint_id = '{endpoint_id}'"
    ))[0];
    assert_eq!(row["attempts"], 1);
    assert_eq!(row["last_status"], 500);
    assert!(row["delivered_at"].is_null());
    assert!(row["next_attempt_at"].as_i64().unwrap() >= Utc::now().timestamp() + 50);

    // Its time comes: the same webhook, the same id, delivered now; the failure streak ends.
    sql(&format!(
        "UPDATE webhook_deliveries SET next_attempt_at = 0 WHERE endpoint_id = '{endpoint_id}'"
    ));
    run_cron();
    let both = receiver.wait_for(2);
    assert_eq!(both.len(), 2);
    assert_eq!(both[0].header("webhook-id"), both[1].header("webhook-id"));
    assert_eq!(both[0].body, both[1].body);
    reference_verifies(endpoint["secret"].as_str().unwrap(), &both[1]).unwrap();
    let streak = &sql(&format!(
        "SELECT failing_since FROM webhook_endpoints WHERE id = '{endpoint_id}'"
    ))[0];
    assert!(streak["failing_since"].is_null(), "{streak}");

    // Three days of failures: the next failure disables it and tells the host, once.
    receiver.answer_next(&[503, 503]);
    book(&slug, start_in_days(4), &format!("dead-{slug}@example.org"));
    receiver.wait_for(3);
    let four_days_ago = Utc::now().timestamp() - 4 * 86_400;
    sql(&format!(
        "UPDATE webhook_endpoints SET failing_since = {four_days_ago} WHERE id = '{endpoint_id}'; \
         UPDATE webhook_deliveries SET next_attempt_at = 0 \
         WHERE endpoint_id = '{endpoint_id}' AND delivered_at IS NULL"
    ));
    run_cron();
    receiver.wait_for(4);
    let notices = wait_for_emails(&email, "Openslot stopped sending webhooks", 1);
    assert_eq!(notices.len(), 1);
    let state = call(
        "GET",
        &format!("/api/v1/webhooks/{endpoint_id}"),
        &token,
        None,
    )
    .json();
    assert_eq!(state["enabled"], false, "{state}");
    assert_eq!(state["deliveries"][0]["state"], "given_up", "{state}");
    book(
        &slug,
        start_in_days(5),
        &format!("after-{slug}@example.org"),
    );
    run_cron();
    std::thread::sleep(std::time::Duration::from_secs(1));
    assert_eq!(
        receiver.received().len(),
        4,
        "a disabled endpoint gets nothing"
    );
    assert_eq!(
        wait_for_emails(&email, "Openslot stopped sending webhooks", 2).len(),
        1,
        "the host is told once"
    );

    // Turned back on, it receives again.
    let on = call(
        "PATCH",
        &format!("/api/v1/webhooks/{endpoint_id}"),
        &token,
        Some(json!({ "enabled": true })),
    );
    assert_eq!(on.status, 200, "{}", on.body);
    assert_eq!(on.json()["enabled"], true);
    assert!(on.json()["failing_since"].is_null());
    book(&slug, start_in_days(6), &format!("back-{slug}@example.org"));
    assert_eq!(receiver.wait_for(5).len(), 5);

    // The webhook given up while it was down can be sent again, with its own webhook-id.
    let given_up = call(
        "GET",
        &format!("/api/v1/webhooks/{endpoint_id}"),
        &token,
        None,
    )
    .json()["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["state"] == "given_up")
        .cloned()
        .expect("a given-up delivery in the log");
    let dead_id = given_up["id"].as_str().unwrap();
    let (stranger, _, _, _) = bookable_host("hooks-resend-stranger");
    let stranger_token = new_token(&stranger, "hooks");
    let resend_path = format!("/api/v1/webhooks/{endpoint_id}/deliveries/{dead_id}/resend");
    assert_eq!(
        call("POST", &resend_path, &stranger_token, None).status,
        404
    );
    let resent = call("POST", &resend_path, &token, None);
    assert_eq!(resent.status, 202, "{}", resent.body);
    run_cron();
    let got = receiver.wait_for(6);
    assert_eq!(got.len(), 6);
    assert_eq!(got[5].header("webhook-id"), dead_id);
    assert_eq!(
        got[2].header("webhook-id"),
        dead_id,
        "the same webhook as before"
    );
    reference_verifies(endpoint["secret"].as_str().unwrap(), &got[5]).unwrap();
    let log = call(
        "GET",
        &format!("/api/v1/webhooks/{endpoint_id}"),
        &token,
        None,
    )
    .json();
    let now_delivered = log["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == dead_id)
        .unwrap()
        .clone();
    assert_eq!(now_delivered["state"], "delivered", "{now_delivered}");
}

#[test]
fn a_receiver_that_answers_gone_is_disabled_at_once() {
    let (browser, email, slug, _csrf) = bookable_host("hooks-gone");
    let token = new_token(&browser, "hooks");
    let receiver = Receiver::start();
    let endpoint = add_endpoint(&token, json!({ "url": receiver.url("/gone") }));
    receiver.answer_next(&[410]);
    book(&slug, start_in_days(3), &format!("gone-{slug}@example.org"));
    receiver.wait_for(1);
    run_cron();
    let notices = wait_for_emails(&email, "Openslot stopped sending webhooks", 1);
    assert!(
        notices[0].to_string().contains("410 Gone"),
        "{}",
        notices[0]
    );
    let state = call(
        "GET",
        &format!("/api/v1/webhooks/{}", endpoint["id"].as_str().unwrap()),
        &token,
        None,
    )
    .json();
    assert_eq!(state["enabled"], false);
}

#[test]
fn a_rotated_secret_and_the_previous_one_both_sign_during_the_grace_period() {
    let (browser, _email, slug, _csrf) = bookable_host("hooks-rotate");
    let token = new_token(&browser, "hooks");
    let receiver = Receiver::start();
    let endpoint = add_endpoint(&token, json!({ "url": receiver.url("/rotating") }));
    let id = endpoint["id"].as_str().unwrap();
    let old = endpoint["secret"].as_str().unwrap();
    let rotated = call(
        "POST",
        &format!("/api/v1/webhooks/{id}/rotate-secret"),
        &token,
        None,
    );
    assert_eq!(rotated.status, 200, "{}", rotated.body);
    let rotated = rotated.json();
    let new = rotated["secret"].as_str().unwrap();
    assert_ne!(new, old);
    let until: DateTime<Utc> = rotated["previous_secret_valid_until"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let grace = until - Utc::now();
    assert!(grace > chrono::Duration::hours(23) && grace <= chrono::Duration::hours(24));

    book(
        &slug,
        start_in_days(3),
        &format!("rotation-{slug}@example.org"),
    );
    let got = receiver.wait_for(1);
    assert_eq!(got[0].header("webhook-signature").split(' ').count(), 2);
    reference_verifies(new, &got[0]).unwrap();
    reference_verifies(old, &got[0]).unwrap();

    // After the grace period only the new secret signs.
    sql(&format!(
        "UPDATE webhook_endpoints SET previous_secret_until = 1 WHERE id = '{id}'"
    ));
    book(
        &slug,
        start_in_days(4),
        &format!("rotated-{slug}@example.org"),
    );
    let got = receiver.wait_for(2);
    assert_eq!(got[1].header("webhook-signature").split(' ').count(), 1);
    reference_verifies(new, &got[1]).unwrap();
    assert!(reference_verifies(old, &got[1]).is_err());
}

/// [P46] Addresses inside private networks are refused; endpoints stay with their host.
#[test]
fn endpoints_refuse_private_addresses_and_belong_to_their_host_and_event_type() {
    let (browser, _email, slug, _csrf) = bookable_host("hooks-guard");
    let token = new_token(&browser, "hooks");
    for url in [
        "http://hooks.example.com/in",
        "https://10.0.0.7/in",
        "https://169.254.169.254/latest/meta-data/",
        "https://[fd00::5]/in",
        "https://metadata.google.internal/",
        "https://printer.local/in",
        "http://192.168.0.10/",
        "ftp://hooks.example.com/",
        "not a url",
    ] {
        let reply = call(
            "POST",
            "/api/v1/webhooks",
            &token,
            Some(json!({ "url": url })),
        );
        invalid(&reply, "url");
    }
    let reply = call(
        "POST",
        "/api/v1/webhooks",
        &token,
        Some(json!({ "url": "https://hooks.example.com/in", "events": ["booking.exploded"] })),
    );
    invalid(&reply, "events");
    // Nothing refused was stored (addresses are sealed, so count the host's endpoints).
    let listed = call("GET", "/api/v1/webhooks", &token, None);
    assert_eq!(listed.json()["webhooks"], json!([]), "{}", listed.body);

    // An endpoint for one event type hears nothing of another.
    let other = call(
        "POST",
        "/api/v1/event-types",
        &token,
        Some(json!({ "slug": "other", "title": "Other", "duration_minutes": 30 })),
    );
    assert_eq!(other.status, 201, "{}", other.body);
    let call_type = call("GET", "/api/v1/event-types", &token, None).json()["event_types"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["slug"] == "call")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let for_call = Receiver::start();
    let for_other = Receiver::start();
    add_endpoint(
        &token,
        json!({ "url": for_call.url("/call"), "event_type_id": call_type }),
    );
    add_endpoint(
        &token,
        json!({ "url": for_other.url("/other"), "event_type_id": other.json()["id"] }),
    );
    book(
        &slug,
        start_in_days(3),
        &format!("scoped-{slug}@example.org"),
    );
    assert_eq!(for_call.wait_for(1).len(), 1);
    run_cron();
    assert!(for_other.received().is_empty());

    // Another host neither sees nor changes this host's endpoints, nor uses its event types.
    let (stranger, _, _, _) = bookable_host("hooks-stranger");
    let stranger_token = new_token(&stranger, "hooks");
    let mine = call("GET", "/api/v1/webhooks", &token, None).json()["webhooks"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        call("GET", "/api/v1/webhooks", &stranger_token, None).json()["webhooks"],
        json!([])
    );
    for (method, path, body) in [
        ("GET", format!("/api/v1/webhooks/{mine}"), None),
        (
            "PATCH",
            format!("/api/v1/webhooks/{mine}"),
            Some(json!({ "enabled": false })),
        ),
        (
            "POST",
            format!("/api/v1/webhooks/{mine}/rotate-secret"),
            None,
        ),
        ("DELETE", format!("/api/v1/webhooks/{mine}"), None),
    ] {
        let reply = call(method, &path, &stranger_token, body);
        assert_eq!(reply.status, 404, "{method} {path}: {}", reply.body);
    }
    let borrowed = call(
        "POST",
        "/api/v1/webhooks",
        &stranger_token,
        Some(json!({ "url": "https://hooks.example.com/in", "event_type_id": call_type })),
    );
    invalid(&borrowed, "event_type_id");
    assert_eq!(
        call("GET", &format!("/api/v1/webhooks/{mine}"), &token, None).status,
        200
    );

    // An endpoint limited to an event type goes with it (openapi.yaml, deleteEventType);
    // the others stay.
    let everything = add_endpoint(&token, json!({ "url": "https://hooks.example.com/all" }));
    let other_id = other.json()["id"].as_str().unwrap().to_owned();
    let gone = call(
        "DELETE",
        &format!("/api/v1/event-types/{other_id}"),
        &token,
        None,
    );
    assert_eq!(gone.status, 204, "{}", gone.body);
    let left: Vec<Value> = call("GET", "/api/v1/webhooks", &token, None).json()["webhooks"]
        .as_array()
        .unwrap()
        .clone();
    let scopes: Vec<&Value> = left.iter().map(|w| &w["event_type_id"]).collect();
    assert_eq!(left.len(), 2, "{left:?}");
    assert!(scopes.contains(&&json!(call_type)), "{left:?}");
    assert!(scopes.contains(&&Value::Null), "{left:?}");
    assert!(left.iter().any(|w| w["id"] == everything["id"]), "{left:?}");
    // D1 counts the rows a cascade removes: an endpoint with a log (the call endpoint's
    // delivery) is deleted with a 204 all the same, then gone.
    let with_log = left
        .iter()
        .find(|w| w["event_type_id"] == json!(call_type))
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/api/v1/webhooks/{with_log}");
    let removed = call("DELETE", &path, &token, None);
    assert_eq!(removed.status, 204, "{}", removed.body);
    assert_eq!(call("GET", &path, &token, None).status, 404);
}

#[test]
fn the_dashboard_adds_an_endpoint_shows_its_secret_once_and_removes_it() {
    let (browser, email, _slug, _csrf) = bookable_host("hooks-page");
    let page = browser.get("/dashboard/webhooks");
    assert_eq!(page.status, 200, "{}", page.body);
    let csrf = csrf_of(&page);
    let refused = browser.post_form(
        "/dashboard/webhooks",
        &[
            ("csrf", &csrf),
            ("url", "https://192.168.1.1/hook"),
            ("events", "booking.created"),
        ],
        &[],
    );
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("private network"), "{}", refused.body);
    let added = browser.post_form(
        "/dashboard/webhooks",
        &[
            ("csrf", &csrf),
            ("url", "https://hooks.example.com/openslot"),
            ("events", "booking.created"),
            ("events", "booking.cancelled"),
            ("include_personal", "on"),
        ],
        &[],
    );
    assert_eq!(added.status, 201, "{}", added.body);
    assert!(
        added.body.contains("<code id=\"new-secret\">whsec_"),
        "{}",
        added.body
    );
    let listed = browser.get("/dashboard/webhooks");
    assert!(listed.body.contains("https://hooks.example.com/openslot"));
    assert!(listed.body.contains("Booked, Cancelled"), "{}", listed.body);
    assert!(!listed.body.contains("whsec_"), "the secret is shown once");
    // The host's export lists the endpoint, never its secret.
    let export = browser.get("/dashboard/export");
    assert_eq!(export.status, 200);
    let export = export.json();
    assert_eq!(
        export["webhooks"][0]["url"],
        "https://hooks.example.com/openslot"
    );
    assert_eq!(export["webhooks"][0]["include_personal"], true);
    assert!(!export.to_string().contains("whsec_") && !export.to_string().contains("\"v1."));
    let host_id = crate::support::sealed::host_id_by_email(&email).expect("the host");
    let id = sql(&format!(
        "SELECT id FROM webhook_endpoints WHERE host_id = '{host_id}'"
    ))[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Turned off and on again from the page: the button says which, D1 keeps which.
    let disabled_at = || {
        sql(&format!(
            "SELECT disabled_at FROM webhook_endpoints WHERE id = '{id}'"
        ))[0]["disabled_at"]
            .clone()
    };
    let off = browser.post_form(
        &format!("/dashboard/webhooks/{id}/disable"),
        &[("csrf", &csrf)],
        &[],
    );
    assert_eq!(off.status, 303, "{}", off.body);
    assert!(disabled_at().is_i64());
    let listed = browser.get("/dashboard/webhooks");
    assert!(
        listed
            .body
            .contains(&format!("action=\"/dashboard/webhooks/{id}/enable\"")),
        "{}",
        listed.body
    );
    let on = browser.post_form(
        &format!("/dashboard/webhooks/{id}/enable"),
        &[("csrf", &csrf)],
        &[],
    );
    assert_eq!(on.status, 303, "{}", on.body);
    assert!(disabled_at().is_null());
    assert!(browser
        .get("/dashboard/webhooks")
        .body
        .contains(&format!("action=\"/dashboard/webhooks/{id}/disable\"")));
    // Without the form's token nothing changes.
    let forged = browser.post_form(&format!("/dashboard/webhooks/{id}/disable"), &[], &[]);
    assert_eq!(forged.status, 403, "{}", forged.body);
    assert!(disabled_at().is_null());
    let removed = browser.post_form(
        &format!("/dashboard/webhooks/{id}/delete"),
        &[("csrf", &csrf)],
        &[],
    );
    assert_eq!(removed.status, 303, "{}", removed.body);
    assert!(!browser
        .get("/dashboard/webhooks")
        .body
        .contains("hooks.example.com/openslot"));
    assert!(sql(&format!(
        "SELECT id FROM webhook_endpoints WHERE id = '{id}'"
    ))
    .is_empty());
}

/// [P44] An invitee erased while their webhook waited for a retry is not in it when it leaves:
/// the body is built from the booking as it is sent.
#[test]
fn an_invitee_erased_before_a_webhook_left_is_not_in_it() {
    let (browser, _email, slug, _csrf) = bookable_host("hooks-erased");
    let token = new_token(&browser, "hooks");
    let receiver = Receiver::start();
    let endpoint = add_endpoint(
        &token,
        json!({ "url": receiver.url("/erased"), "include_personal": true }),
    );
    let invitee = format!("erased-{slug}@example.org");
    receiver.answer_next(&[500]);
    let booking = book(&slug, start_in_days(3), &invitee);
    let first = receiver.wait_for(1);
    assert!(
        first[0].body.contains(&invitee),
        "the first attempt was full"
    );
    let id = booking["id"].as_str().unwrap();
    sql(&format!(
        "UPDATE bookings SET start_at = start_at - 200 * 86400, end_at = end_at - 200 * 86400 \
         WHERE id = '{id}'"
    ));
    assert_eq!(
        crate::support::http::get("/__scheduled?cron=17+*+*+*+*").status,
        200
    );
    sql(&format!(
        "UPDATE webhook_deliveries SET next_attempt_at = 0 WHERE endpoint_id = '{}'",
        endpoint["id"].as_str().unwrap()
    ));
    run_cron();
    let both = receiver.wait_for(2);
    assert_eq!(both.len(), 2);
    assert_eq!(both[0].header("webhook-id"), both[1].header("webhook-id"));
    for personal in [invitee.as_str(), "Hook Invitee", "Europe/Paris"] {
        assert!(
            !both[1].body.contains(personal),
            "{personal} left after the erasure: {}",
            both[1].body
        );
    }
    reference_verifies(endpoint["secret"].as_str().unwrap(), &both[1]).unwrap();
}

/// Racing cancellations and cron runs still queue one `booking.cancelled` and deliver it once
/// (the queueing is conditional in the cancelling batch, a delivery is claimed with a lease);
/// racing additions stop at exactly ten endpoints (one conditional INSERT).
#[test]
fn races_send_one_webhook_per_event_and_endpoints_stop_at_ten() {
    let (browser, _email, slug, _csrf) = bookable_host("hooks-race");
    let token = new_token(&browser, "hooks");
    let receiver = Receiver::start();
    add_endpoint(
        &token,
        json!({ "url": receiver.url("/race"), "events": ["booking.cancelled"] }),
    );
    let booking = book(&slug, start_in_days(3), &format!("race-{slug}@example.org"));
    let id = booking["id"].as_str().unwrap();
    std::thread::scope(|scope| {
        for _ in 0..8 {
            scope.spawn(|| {
                call(
                    "POST",
                    &format!("/api/v1/bookings/{id}/cancel"),
                    &token,
                    None,
                )
            });
            scope.spawn(|| crate::support::http::get("/__scheduled?cron=*+*+*+*+*"));
        }
    });
    run_cron();
    receiver.wait_for(2);
    let cancelled = receiver.received();
    assert_eq!(cancelled.len(), 1, "{cancelled:?}");
    assert_eq!(cancelled[0].json()["type"], "booking.cancelled");

    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let racers: Vec<_> = (0..16)
            .map(|n| {
                let token = &token;
                scope.spawn(move || {
                    call(
                        "POST",
                        "/api/v1/webhooks",
                        token,
                        Some(json!({ "url": format!("https://hooks.example.com/race/{n}") })),
                    )
                    .status
                })
            })
            .collect();
        racers.into_iter().map(|r| r.join().unwrap()).collect()
    });
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        9,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        7,
        "{statuses:?}"
    );
    let listed = call("GET", "/api/v1/webhooks", &token, None).json();
    assert_eq!(listed["webhooks"].as_array().unwrap().len(), 10);
}
