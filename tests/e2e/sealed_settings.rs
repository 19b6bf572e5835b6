//! Crypto-shredding of what a host configured (issue 13): a webhook receiver's address (which
//! often embeds a token or a name) and an API token's name reach D1 only sealed under the
//! host's data key, are opened wherever the host or the delivery needs them, and open no more
//! once the host is deleted, from any copy of the database.

use serde_json::json;

use crate::api_tokens::{call, new_token};
use crate::dashboard_bookings::{bookable_host, start_in_days};
use crate::shredding::{
    assert_key_is_gone, assert_no_plaintext_in_d1, assert_not_in_database_files, delete_account,
    run_hourly_until,
};
use crate::support::http::post_json;
use crate::support::receiver::Receiver;
use crate::support::residue::marker;
use crate::support::sealed::{host_id_by_email, open_field};
use crate::support::seed::sql;

/// The host's endpoint and token rows as D1 holds them.
fn stored_settings(host_id: &str) -> (serde_json::Value, serde_json::Value) {
    let endpoint = sql(&format!(
        "SELECT id, url, url_sealed FROM webhook_endpoints WHERE host_id = '{host_id}'"
    ))[0]
        .clone();
    let token = sql(&format!(
        "SELECT id, name, name_sealed FROM api_tokens WHERE host_id = '{host_id}'"
    ))[0]
        .clone();
    (endpoint, token)
}

/// Adds a webhook endpoint for `url` through the API.
fn add_webhook(token: &str, url: &str) {
    let added = call(
        "POST",
        "/api/v1/webhooks",
        token,
        Some(json!({ "url": url })),
    );
    assert_eq!(added.status, 201, "{}", added.body);
}

/// [P53] The receiver's address and the token's name are in no column of any table and in no
/// byte of the database files in plaintext; the dashboard, the API and the export show them
/// opened, the webhook reaches the address; after the host's deletion a copy of the sealed
/// values taken before opens no more.
#[test]
fn a_webhook_address_and_a_token_name_are_stored_only_sealed() {
    let (browser, email, slug, _csrf) = bookable_host("sealed-settings");
    let host_id = host_id_by_email(&email).unwrap();
    let name = marker("tokenname");
    let token = new_token(&browser, &name);
    let path = format!("/{}", marker("hookpath"));
    let receiver = Receiver::start();
    let url = receiver.url(&path);
    add_webhook(&token, &url);

    let (endpoint, stored_token) = stored_settings(&host_id);
    assert_eq!(endpoint["url"], "https://sealed.invalid/", "{endpoint}");
    assert_eq!(stored_token["name"], "sealed", "{stored_token}");
    let opened_url = |row: &serde_json::Value| {
        open_field(
            &host_id,
            "webhook_endpoints",
            "url_sealed",
            row["id"].as_str().unwrap(),
            row["url_sealed"].as_str().unwrap(),
        )
    };
    let opened_name = |row: &serde_json::Value| {
        open_field(
            &host_id,
            "api_tokens",
            "name_sealed",
            row["id"].as_str().unwrap(),
            row["name_sealed"].as_str().unwrap(),
        )
    };
    assert_eq!(opened_url(&endpoint).as_deref(), Ok(url.as_str()));
    assert_eq!(opened_name(&stored_token).as_deref(), Ok(name.as_str()));
    let markers = vec![path.trim_start_matches('/').to_owned(), name.clone()];
    assert_no_plaintext_in_d1(&markers);
    assert_not_in_database_files(&markers);

    // Opened wherever the host looks, and where the webhook goes.
    assert!(browser.get("/dashboard/api-tokens").body.contains(&name));
    assert!(browser.get("/dashboard/webhooks").body.contains(&url));
    let listed = call("GET", "/api/v1/webhooks", &token, None);
    assert_eq!(
        listed.json()["webhooks"][0]["url"],
        url.as_str(),
        "{}",
        listed.body
    );
    let export = browser.get("/dashboard/export").json();
    assert_eq!(export["api_tokens"][0]["name"], name.as_str(), "{export}");
    assert_eq!(export["webhooks"][0]["url"], url.as_str(), "{export}");
    let booked = post_json(
        "/api/v1/bookings",
        &json!({ "host": slug, "event": "call", "start": start_in_days(3).to_rfc3339(),
                 "name": "Sealed Hook", "email": "sealed.hook@example.org",
                 "time_zone": "UTC" }),
    );
    assert_eq!(booked.status, 201, "{}", booked.body);
    let received = receiver.wait_for(1);
    assert_eq!(received[0].path, path);

    delete_account(&host_id);
    assert_key_is_gone(&opened_url(&endpoint));
    assert_key_is_gone(&opened_name(&stored_token));
}

/// [P53] An endpoint and a token written before sealing existed are sealed by the hourly run;
/// the host still sees them as they were.
#[test]
fn the_hourly_run_seals_webhook_addresses_and_token_names_written_before_sealing() {
    let (browser, email, _slug, _csrf) = bookable_host("0-settings-later");
    let host_id = host_id_by_email(&email).unwrap();
    let token = new_token(&browser, "sealed later");
    let receiver = Receiver::start();
    let url = receiver.url(&format!("/{}", marker("legacyhook")));
    add_webhook(&token, &url);
    let name = marker("legacyname");
    // As a Worker from before sealing wrote them.
    sql(&format!(
        "UPDATE webhook_endpoints SET url = '{url}', url_sealed = NULL WHERE host_id = '{host_id}'"
    ));
    sql(&format!(
        "UPDATE api_tokens SET name = '{name}', name_sealed = NULL WHERE host_id = '{host_id}'"
    ));
    assert!(browser.get("/dashboard/api-tokens").body.contains(&name));

    run_hourly_until("the host's settings are not sealed", || {
        let (endpoint, token) = stored_settings(&host_id);
        endpoint["url_sealed"].is_string() && token["name_sealed"].is_string()
    });
    let (endpoint, stored_token) = stored_settings(&host_id);
    assert_eq!(endpoint["url"], "https://sealed.invalid/");
    assert_eq!(stored_token["name"], "sealed");
    assert_no_plaintext_in_d1(&[url.clone(), name.clone()]);
    assert!(browser.get("/dashboard/api-tokens").body.contains(&name));
    assert!(browser.get("/dashboard/webhooks").body.contains(&url));
}
