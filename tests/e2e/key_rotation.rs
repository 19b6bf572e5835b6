//! Rotating the token encryption key (README, *Rotating the token encryption key*): with a
//! new current key and the old one retired, the hourly cron seals every refresh token again
//! under the new key, and after the old key is removed the connection still works.
//!
//! The suite's own Worker cannot change its keys, so a host is connected there (the real
//! OAuth dance with the fakes, sealed under `k1`), and its rows and sealed refresh token are
//! copied as stored into the state of second Workers that run with other keys.

use std::path::Path;

use serde_json::{json, Value};

use crate::api_tokens::{call, new_token};
use crate::calendars::{at, calendar_host, set_busy};
use crate::support::http::{get, post_json, query};
use crate::support::kv;
use crate::support::other_worker::{fresh_state_dir, OtherWorker};
use crate::support::receiver::Receiver;
use crate::support::seed::{sql, sql_in};
use crate::support::world::TEST_TOKEN_KEY;
use crate::webhooks::reference_verifies;

/// The key the operator rotates to (32 bytes 31..=0, standard base64).
const NEW_KEY: &str = "Hx4dHBsaGRgXFhUUExIREA8ODQwLCgkIBwYFBAMCAQA=";

fn literal(value: &Value) -> String {
    match value {
        Value::Null => "NULL".to_owned(),
        Value::Bool(b) => i32::from(*b).to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => format!("'{}'", s.replace('\'', "''")),
        other => panic!("unexpected column value {other}"),
    }
}

/// Copies `host_id`'s data keys, sealed as KV holds them, into `state_dir`'s KV.
pub(crate) fn copy_data_keys(host_id: &str, state_dir: &Path) {
    let key_prefix = format!("host/{host_id}/keys/");
    for name in kv::keys().iter().filter(|n| n.starts_with(&key_prefix)) {
        kv::put_in(state_dir, name, &kv::value(name));
    }
}

/// Copies the rows of `table` whose `column` is `id` from the suite's D1 into `state_dir`'s.
pub(crate) fn copy_rows(table: &str, column: &str, id: &str, state_dir: &Path) {
    for row in sql(&format!("SELECT * FROM {table} WHERE {column} = '{id}'")) {
        let row = row.as_object().unwrap();
        let columns: Vec<&str> = row.keys().map(String::as_str).collect();
        let values: Vec<String> = row.values().map(literal).collect();
        sql_in(
            state_dir,
            &format!(
                "INSERT INTO {table} ({}) VALUES ({})",
                columns.join(", "),
                values.join(", ")
            ),
        );
    }
}

/// The starts a Worker at `base_url` offers `slug`'s `call` between 08:00 and 14:00.
fn offered(base_url: &str, slug: &str) -> Vec<String> {
    let q = query(&[
        ("host", slug),
        ("event", "call"),
        ("start", &at("08:00")),
        ("end", &at("14:00")),
    ]);
    let reply = get(&format!("{base_url}/api/v1/slots?{q}"));
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()["days"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["slots"].as_array().cloned().unwrap_or_default())
        .map(|s| s["start"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_rotated_key_reseals_every_refresh_token_and_the_old_key_can_then_be_removed() {
    let connected = calendar_host("Rotating Host", "none", &["google"]);
    let host_id = connected.host.id.clone();
    let refresh_key = format!("host/{host_id}/refresh/google");
    let sealed_under_k1 = kv::value(&refresh_key);
    assert!(sealed_under_k1.starts_with("v1.k1."), "{sealed_under_k1}");

    // A webhook endpoint, its secret sealed under k1 too: the receiver must keep verifying.
    let token = new_token(&connected.browser, "hooks");
    let receiver = Receiver::start();
    let endpoint = call(
        "POST",
        "/api/v1/webhooks",
        &token,
        Some(json!({ "url": receiver.url("/rotation") })),
    );
    assert_eq!(endpoint.status, 201, "{}", endpoint.body);
    let secret = endpoint.json()["secret"].as_str().unwrap().to_owned();

    let state_dir = fresh_state_dir("key-rotation");
    copy_rows("hosts", "id", &host_id, &state_dir);
    copy_rows("schedules", "host_id", &host_id, &state_dir);
    copy_rows("event_types", "host_id", &host_id, &state_dir);
    copy_rows("weekly_hours", "host_id", &host_id, &state_dir);
    copy_rows("connections", "host_id", &host_id, &state_dir);
    copy_rows("webhook_endpoints", "host_id", &host_id, &state_dir);
    kv::put_in(&state_dir, &refresh_key, &sealed_under_k1);
    // The host's data keys (the endpoint's address is sealed under one), as KV holds them.
    copy_data_keys(&host_id, &state_dir);

    // Step 1: the new key is current, the old one retired; the hourly run re-seals.
    let new_key = format!("TOKEN_ENCRYPTION_KEY:{NEW_KEY}");
    let retired = format!("TOKEN_ENCRYPTION_RETIRED_KEYS:k1:{TEST_TOKEN_KEY}");
    // The blind indexes stay keyed as they were (README, step 1).
    let index_key = format!("BLIND_INDEX_KEY:{TEST_TOKEN_KEY}");
    let rotating = OtherWorker::start_in(
        state_dir.clone(),
        &[&new_key, "TOKEN_ENCRYPTION_KEY_ID:k2", &retired, &index_key],
    );
    let hourly = get(&format!(
        "{}/__scheduled?cron=17+*+*+*+*",
        rotating.base_url
    ));
    assert_eq!(hourly.status, 200, "{}", hourly.body);
    let resealed = kv::value_in(&state_dir, &refresh_key);
    assert!(
        resealed.starts_with("v1.k2."),
        "still sealed under the retired key after the hourly run: {resealed}\n{}",
        rotating.log()
    );
    assert!(
        rotating
            .log()
            .contains("re-sealed 1 refresh tokens under the current key, 0 left"),
        "{}",
        rotating.log()
    );
    assert!(
        rotating
            .log()
            .contains("re-sealed 1 webhook secrets under the current key, 0 left"),
        "{}",
        rotating.log()
    );
    assert!(
        rotating
            .log()
            .contains("re-sealed 2 data keys under the current key, 0 left"),
        "{}",
        rotating.log()
    );
    let key_prefix = format!("host/{host_id}/keys/");
    for name in kv::keys_in(&state_dir)
        .iter()
        .filter(|n| n.starts_with(&key_prefix))
    {
        let value = kv::value_in(&state_dir, name);
        assert!(value.starts_with("v1.k2."), "{name}: {value}");
    }
    let sealed = sql_in(&state_dir, "SELECT secret_sealed FROM webhook_endpoints");
    assert!(
        sealed[0]["secret_sealed"]
            .as_str()
            .unwrap()
            .starts_with("v1.k2."),
        "{sealed:?}"
    );
    drop(rotating);

    // Step 2: the old key is gone; the connection still reads the calendar.
    set_busy(
        "google",
        &connected.email,
        json!([{ "start": at("10:00"), "end": at("11:00") }]),
    );
    let renewed = OtherWorker::start_in(
        state_dir.clone(),
        &[&new_key, "TOKEN_ENCRYPTION_KEY_ID:k2", &index_key],
    );
    let slots = offered(&renewed.base_url, &connected.host.slug);
    assert!(
        !slots.contains(&at("10:00")) && slots.contains(&at("11:00")),
        "the busy hour must be hidden through the re-sealed grant: {slots:?}\n{}",
        renewed.log()
    );
    let status = sql_in(
        &state_dir,
        &format!("SELECT status FROM connections WHERE host_id = '{host_id}'"),
    );
    assert_eq!(status[0]["status"], "working");

    // And a booking's webhook is still signed with the secret the receiver was given.
    let booked = post_json(
        &format!("{}/api/v1/bookings", renewed.base_url),
        &json!({ "host": connected.host.slug, "event": "call", "start": at("12:00"),
                 "name": "Rotation Invitee", "email": "rotation@example.org", "time_zone": "UTC" }),
    );
    assert_eq!(booked.status, 201, "{}", booked.body);
    // A booking made through the API leaves its calendar work and webhooks to the cron. This
    // Worker runs on the free plan, where a run that makes a calendar event sends nothing else
    // (`core::cron_plan`): the next run, with no calendar work left, sends the webhook.
    for _ in 0..2 {
        let cron = get(&format!("{}/__scheduled?cron=*+*+*+*+*", renewed.base_url));
        assert_eq!(cron.status, 200, "{}", cron.body);
    }
    let got = receiver.wait_for(1);
    assert_eq!(got.len(), 1, "{}", renewed.log());
    reference_verifies(&secret, &got[0]).unwrap();
}
