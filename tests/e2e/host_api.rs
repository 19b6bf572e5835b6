//! The host JSON API with a personal API token: the profile (`/api/v1/me`) and event types
//! (`/api/v1/event-types[/{id}]`), good and bad input, conflicts, and no way into another
//! host's data (their ids are simply not found).

use openslot::crypto::digest::sha256_hex;
use serde_json::{json, Value};

use crate::api_tokens::{call, host_with_token};
use crate::sign_in::host_row;
use crate::support::http::request;
use crate::support::seed::sql;

fn event(title: &str, slug: &str) -> Value {
    json!({ "title": title, "slug": slug, "duration_minutes": 45, "buffer_after_minutes": "5",
            "max_per_day": 4, "location_kind": "zoom", "description": "Plans" })
}

fn create(token: &str, title: &str, slug: &str) -> Value {
    let reply = call(
        "POST",
        "/api/v1/event-types",
        token,
        Some(event(title, slug)),
    );
    assert_eq!(reply.status, 201, "{}", reply.body);
    let body = reply.json();
    assert_eq!(
        reply.header("location"),
        Some(format!("/api/v1/event-types/{}", body["id"].as_str().unwrap()).as_str())
    );
    body
}

fn fields(reply: &crate::support::http::Reply) -> Value {
    assert_eq!(reply.status, 422, "{}", reply.body);
    let body = reply.json();
    assert_eq!(body["error"]["code"], "invalid_input");
    body["error"]["fields"].clone()
}

#[test]
fn api_me_reads_and_changes_the_profile() {
    let (_browser, email, token) = host_with_token("apime");
    let (_other, other_email, _) = host_with_token("apime-other");
    let other_slug = host_row(&other_email)["slug"].as_str().unwrap().to_owned();
    let me = call("GET", "/api/v1/me", &token, None).json();
    assert_eq!(me["email"], email.as_str());
    let slug = format!("api-me-{}", std::process::id());
    let changed = call(
        "PATCH",
        "/api/v1/me",
        &token,
        Some(
            json!({ "name": "Renamed Host", "slug": slug, "time_zone": "Asia/Kathmandu",
                     "email": "ignored@example.com" }),
        ),
    );
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(changed.json()["slug"], slug.as_str());
    assert!(changed.json()["public_url"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/{slug}")));
    let row = host_row(&email);
    assert_eq!(row["name"], "Renamed Host");
    assert_eq!(row["time_zone"], "Asia/Kathmandu");
    // The profile's zone is not the zone the weekly hours are read in.
    assert_eq!(row["schedule_time_zone"], "Europe/Berlin");
    // Only the fields sent change.
    let partial = call(
        "PATCH",
        "/api/v1/me",
        &token,
        Some(json!({ "name": "Only Name" })),
    );
    assert_eq!(partial.status, 200, "{}", partial.body);
    assert_eq!(partial.json()["slug"], slug.as_str());

    let bad = fields(&call(
        "PATCH",
        "/api/v1/me",
        &token,
        Some(json!({ "slug": "Not A Slug", "time_zone": "Mars/Base", "name": "" })),
    ));
    assert!(
        bad["slug"].is_string() && bad["time_zone"].is_string() && bad["name"].is_string(),
        "{bad}"
    );
    let reserved = fields(&call(
        "PATCH",
        "/api/v1/me",
        &token,
        Some(json!({ "slug": "dashboard" })),
    ));
    assert!(reserved["slug"].is_string());
    let typed = fields(&call(
        "PATCH",
        "/api/v1/me",
        &token,
        Some(json!({ "name": 5, "colour": "red" })),
    ));
    assert!(
        typed["name"].is_string() && typed["unknown_field"].is_string(),
        "{typed}"
    );

    let taken = call(
        "PATCH",
        "/api/v1/me",
        &token,
        Some(json!({ "slug": other_slug })),
    );
    assert_eq!(taken.status, 409, "{}", taken.body);
    assert_eq!(taken.json()["error"]["code"], "conflict");
    assert_eq!(host_row(&email)["slug"], slug.as_str());

    let auth = format!("Bearer {token}");
    let not_json = request(
        "PATCH",
        "/api/v1/me",
        &[("Authorization", &auth)],
        Some(("text/plain", "{}")),
    );
    assert_eq!(not_json.status, 415);
    let broken = request(
        "PATCH",
        "/api/v1/me",
        &[("Authorization", &auth)],
        Some(("application/json", "{")),
    );
    assert_eq!(broken.status, 400);
    assert_eq!(
        call("PATCH", "/api/v1/me", &token, Some(json!([1]))).status,
        400
    );
    let head = request("DELETE", "/api/v1/me", &[("Authorization", &auth)], None);
    assert_eq!(head.status, 405);
    assert_eq!(head.header("allow"), Some("GET, PATCH"));
}

#[test]
fn api_event_types_are_created_read_changed_and_deleted() {
    let (_browser, email, token) = host_with_token("apievents");
    let host = host_row(&email);
    let host_id = host["id"].as_str().unwrap();
    let created = create(&token, "Strategy session", "strategy");
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["duration_minutes"], 45);
    assert_eq!(created["buffer_after_minutes"], 5);
    assert_eq!(created["max_per_day"], 4);
    assert_eq!(created["interval_minutes"], Value::Null);
    assert_eq!(
        created["minimum_notice_minutes"], 60,
        "the dashboard's defaults"
    );
    assert_eq!(created["hidden"], false);
    let stored = sql(&format!(
        "SELECT title, location_kind FROM event_types WHERE id = '{id}' AND host_id = '{host_id}'"
    ));
    assert_eq!(stored[0]["location_kind"], "zoom");

    let list = call("GET", "/api/v1/event-types", &token, None);
    assert_eq!(list.status, 200);
    assert_eq!(list.json()["event_types"].as_array().unwrap().len(), 1);
    let one = call("GET", &format!("/api/v1/event-types/{id}"), &token, None);
    assert_eq!(one.status, 200);
    assert_eq!(one.json(), created);

    let patched = call(
        "PATCH",
        &format!("/api/v1/event-types/{id}"),
        &token,
        Some(json!({ "duration_minutes": "30", "hidden": true, "max_per_day": null })),
    );
    assert_eq!(patched.status, 200, "{}", patched.body);
    let patched = patched.json();
    assert_eq!(patched["duration_minutes"], 30);
    assert_eq!(patched["hidden"], true);
    assert_eq!(patched["max_per_day"], Value::Null);
    assert_eq!(patched["title"], "Strategy session", "unsent fields stay");
    // A GET's answer can be sent back as it is.
    let round_trip = call(
        "PUT",
        &format!("/api/v1/event-types/{id}"),
        &token,
        Some(patched.clone()),
    );
    assert_eq!(round_trip.status, 200, "{}", round_trip.body);
    assert_eq!(round_trip.json(), patched);
    let replaced = call(
        "PUT",
        &format!("/api/v1/event-types/{id}"),
        &token,
        Some(json!({ "title": "Replaced", "slug": "replaced" })),
    );
    assert_eq!(replaced.status, 200, "{}", replaced.body);
    let replaced = replaced.json();
    assert_eq!(replaced["duration_minutes"], 30);
    assert_eq!(
        replaced["buffer_after_minutes"], 0,
        "PUT resets unsent settings"
    );
    assert_eq!(replaced["location_kind"], "google_meet");
    assert_eq!(replaced["hidden"], false);

    let deleted = call("DELETE", &format!("/api/v1/event-types/{id}"), &token, None);
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    assert_eq!(
        call("GET", &format!("/api/v1/event-types/{id}"), &token, None).status,
        404
    );
    assert_eq!(
        call("DELETE", &format!("/api/v1/event-types/{id}"), &token, None).status,
        404
    );
}

#[test]
fn api_event_type_bad_input_gets_field_messages_and_taken_slugs_409() {
    let (_browser, email, token) = host_with_token("apibad");
    let host_id = host_row(&email)["id"].as_str().unwrap().to_owned();
    let bad = fields(&call(
        "POST",
        "/api/v1/event-types",
        &token,
        Some(
            json!({ "title": "", "slug": "Bad Slug", "duration_minutes": 1.5,
                     "booking_window_days": -3, "location_kind": "pigeon" }),
        ),
    ));
    for field in [
        "title",
        "slug",
        "duration_minutes",
        "booking_window_days",
        "location_kind",
    ] {
        assert!(bad[field].is_string(), "{field}: {bad}");
    }
    // The engine's own rules speak through the API too.
    let engine = fields(&call(
        "POST",
        "/api/v1/event-types",
        &token,
        Some(json!({ "title": "Zero", "slug": "zero", "duration_minutes": 0 })),
    ));
    assert!(engine["duration_minutes"].is_string(), "{engine}");
    let typed = fields(&call(
        "POST",
        "/api/v1/event-types",
        &token,
        Some(
            json!({ "title": "T", "slug": "t", "interval_minutes": [15], "hidden": "yes", "colour": 1 }),
        ),
    ));
    for field in ["interval_minutes", "hidden", "unknown_field"] {
        assert!(typed[field].is_string(), "{field}: {typed}");
    }
    let first = create(&token, "First", "taken");
    let clash = call(
        "POST",
        "/api/v1/event-types",
        &token,
        Some(event("Second", "taken")),
    );
    assert_eq!(clash.status, 409, "{}", clash.body);
    let second = create(&token, "Second", "second");
    let id = second["id"].as_str().unwrap();
    let rename = call(
        "PATCH",
        &format!("/api/v1/event-types/{id}"),
        &token,
        Some(json!({ "slug": "taken" })),
    );
    assert_eq!(rename.status, 409, "{}", rename.body);
    let patch_bad = fields(&call(
        "PATCH",
        &format!("/api/v1/event-types/{id}"),
        &token,
        Some(json!({ "buffer_before_minutes": 721 })),
    ));
    assert!(patch_bad["buffer_before_minutes"].is_string());
    let count = sql(&format!(
        "SELECT COUNT(*) AS n FROM event_types WHERE host_id = '{host_id}'"
    ));
    assert_eq!(count[0]["n"], 2);
    assert_eq!(first["slug"], "taken");
}

#[test]
fn api_event_type_with_a_meeting_ahead_cannot_be_deleted() {
    use crate::reschedule::{at, book, host};
    let seeded = host("Api Deleting Host");
    // A token for the seeded host, stored the way the dashboard stores one.
    let token = format!(
        "os_{}",
        "d".repeat(40) + &format!("{:03}", std::process::id() % 1000)
    );
    sql(&format!(
        "INSERT INTO api_tokens (id, host_id, name, token_hash, created_at) \
         VALUES ('{}', '{}', 'seeded', '{}', 1)",
        &sha256_hex(&token)[..32],
        seeded.id,
        sha256_hex(&token)
    ));
    let id = sql(&format!(
        "SELECT id FROM event_types WHERE host_id = '{}' AND slug = 'call'",
        seeded.id
    ))[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    book(&seeded, at(3, 10), "api.delete@example.com");
    let reply = call("DELETE", &format!("/api/v1/event-types/{id}"), &token, None);
    assert_eq!(reply.status, 409, "{}", reply.body);
    assert_eq!(reply.json()["error"]["code"], "conflict");
    assert_eq!(
        call("GET", &format!("/api/v1/event-types/{id}"), &token, None).status,
        200
    );
}

#[test]
fn api_another_hosts_event_types_are_not_found_on_every_endpoint() {
    let (_a, a_email, a_token) = host_with_token("apiowner");
    let (_b, _b_email, b_token) = host_with_token("apiother");
    let theirs = create(&a_token, "Private", "private");
    let id = theirs["id"].as_str().unwrap();
    let path = format!("/api/v1/event-types/{id}");
    for (method, body) in [
        ("GET", None),
        ("PATCH", Some(json!({ "title": "Taken over" }))),
        (
            "PUT",
            Some(json!({ "title": "Taken over", "slug": "taken-over" })),
        ),
        ("DELETE", None),
    ] {
        let reply = call(method, &path, &b_token, body);
        assert_eq!(reply.status, 404, "{method}: {}", reply.body);
        assert_eq!(reply.json()["error"]["code"], "not_found");
    }
    let list = call("GET", "/api/v1/event-types", &b_token, None).json();
    assert!(list["event_types"].as_array().unwrap().is_empty(), "{list}");
    let me = call("GET", "/api/v1/me", &b_token, None).json();
    assert_ne!(me["email"], a_email.as_str());
    assert_eq!(call("GET", &path, &a_token, None).json(), theirs);
}

#[test]
fn api_duplicates_an_event_type_as_a_hidden_copy() {
    let (_browser, _email, token) = host_with_token("apidup");
    let original = create(&token, "Strategy", "strategy");
    let id = original["id"].as_str().unwrap();
    let path = format!("/api/v1/event-types/{id}/duplicate");
    let copy = call("POST", &path, &token, None);
    assert_eq!(copy.status, 201, "{}", copy.body);
    let copy_body = copy.json();
    let copy_id = copy_body["id"].as_str().unwrap();
    assert_ne!(copy_id, id);
    assert_eq!(
        copy.header("location"),
        Some(format!("/api/v1/event-types/{copy_id}").as_str())
    );
    assert_eq!(copy_body["title"], "Strategy (copy)");
    assert_eq!(copy_body["slug"], "strategy-copy");
    assert_eq!(copy_body["hidden"], true, "a copy is not offered yet");
    for same in [
        "duration_minutes",
        "buffer_after_minutes",
        "max_per_day",
        "location_kind",
    ] {
        assert_eq!(copy_body[same], original[same], "{same}");
    }
    let again = call("POST", &path, &token, None);
    assert_eq!(again.json()["slug"], "strategy-copy-2");
    let list = call("GET", "/api/v1/event-types", &token, None).json();
    assert_eq!(list["event_types"].as_array().unwrap().len(), 3);

    let (_other, _other_email, other_token) = host_with_token("apidup-other");
    assert_eq!(call("POST", &path, &other_token, None).status, 404);
    let mine = call("GET", "/api/v1/event-types", &other_token, None).json();
    assert!(mine["event_types"].as_array().unwrap().is_empty());
    assert_eq!(
        call("POST", "/api/v1/event-types/nope/duplicate", &token, None).status,
        404
    );
}
