//! Connected accounts through the host JSON API (`/api/v1/connections…`) against the provider
//! fakes: each provider's state and settings, every setting changed by the dashboard's rules
//! (422 per field, unknown Google calendars, settings another provider has), the calendar that
//! receives events, disconnecting, and no way to read or change another host's connections.

use serde_json::{json, Value};

use crate::api_tokens::{call, host_with_token, new_token};
use crate::calendars::{calendar_host, CalendarHost};
use crate::support::http::{post_json, request, Reply};
use crate::support::kv;
use crate::support::seed::sql;
use crate::support::world::world;

const LIST: &str = "/api/v1/connections";

/// A host in UTC connected to `providers` at the fakes, with an API token.
fn connected_host(name: &str, providers: &[&str]) -> (CalendarHost, String) {
    let host = calendar_host(name, "none", providers);
    let token = new_token(&host.browser, "script");
    (host, token)
}

/// `provider`'s object in the list the API gives `token`.
fn listed(token: &str, provider: &str) -> Value {
    let reply = call("GET", LIST, token, None);
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()["connections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["provider"] == provider)
        .cloned()
        .unwrap_or_else(|| panic!("{provider} is not listed: {}", reply.body))
}

fn patch(token: &str, provider: &str, body: Value) -> Reply {
    call("PATCH", &format!("{LIST}/{provider}"), token, Some(body))
}

/// The fields of a 422.
fn fields(reply: &Reply) -> Value {
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert_eq!(reply.json()["error"]["code"], "invalid_input");
    reply.json()["error"]["fields"].clone()
}

fn row(host_id: &str, provider: &str) -> Option<Value> {
    sql(&format!(
        "SELECT status, checked_calendars, blocking_show_as, when_unreadable, receives_events, \
         send_updates FROM connections WHERE host_id = '{host_id}' AND provider = '{provider}'"
    ))
    .into_iter()
    .next()
}

fn fake(path: &str, body: Value) {
    let reply = post_json(&format!("{}{path}", world().fakes_url), &body);
    assert_eq!(reply.status, 200, "{}", reply.body);
}

/// Makes the next read of `email`'s Google calendar list answer 429 with a wait too long to
/// spend inside a request.
fn calendar_list_fails_once(email: &str) {
    fake(
        "/_fake/fail",
        json!({ "account": email, "path_prefix": "/google/api/calendar/v3/users/me/calendarList",
                "status": 429, "retry_after": 120, "count": 1 }),
    );
}

#[test]
fn api_lists_each_provider_with_its_state_and_settings() {
    let (host, token) = connected_host("Api Lister", &["google", "microsoft", "zoom"]);
    let all = call("GET", LIST, &token, None).json();
    let names: Vec<&str> = all["connections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["provider"].as_str().unwrap())
        .collect();
    // CalDAV needs no app registration, so it is always listed (connected on the dashboard).
    assert_eq!(names, ["google", "microsoft", "caldav", "zoom"], "{all}");
    let caldav = listed(&token, "caldav");
    assert_eq!(caldav["connected"], false);
    assert_eq!(
        caldav["connect_url"],
        format!("{}/dashboard/connections/caldav/connect", world().base_url)
    );

    let google = listed(&token, "google");
    assert_eq!(google["connected"], true);
    assert_eq!(google["account_email"], host.email.as_str());
    assert_eq!(google["state"], "working");
    assert_eq!(google["receives_events"], true);
    assert_eq!(google["when_unreadable"], "stop");
    assert_eq!(google["checked_calendars"], json!(["primary"]));
    assert_eq!(google["send_updates"], false);
    assert_eq!(
        google["connect_url"],
        format!("{}/dashboard/connections/google/connect", world().base_url)
    );
    assert!(google.get("blocking_show_as").is_none(), "{google}");

    let microsoft = listed(&token, "microsoft");
    assert_eq!(microsoft["receives_events"], false);
    assert_eq!(
        microsoft["blocking_show_as"],
        json!(["busy", "tentative", "oof", "workingElsewhere"])
    );
    // Outlook's calendars are chosen like Google's: the default one until the host chooses.
    assert_eq!(
        microsoft["checked_calendars"],
        json!(["primary"]),
        "{microsoft}"
    );

    let zoom = listed(&token, "zoom");
    assert_eq!(zoom["connected"], true);
    assert_eq!(zoom["state"], "working");
    for calendar_only in ["receives_events", "when_unreadable", "send_updates"] {
        assert!(zoom.get(calendar_only).is_none(), "{calendar_only}: {zoom}");
    }

    let calendars = call("GET", &format!("{LIST}/google/calendars"), &token, None);
    assert_eq!(calendars.status, 200, "{}", calendars.body);
    let primary = &calendars.json()["calendars"][0];
    assert_eq!(primary["id"], host.email.as_str());
    assert_eq!(primary["primary"], true);
    assert_eq!(primary["checked"], true, "primary stands for it");

    // The host removes Openslot's access at Google: the next read finds out.
    fake("/_fake/google/revoke-all", json!({ "email": host.email }));
    let refused = call("GET", &format!("{LIST}/google/calendars"), &token, None);
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert!(
        refused.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("reconnecting"),
        "{}",
        refused.body
    );
    let google = listed(&token, "google");
    assert_eq!(google["state"], "needs_reconnect");
    assert_eq!(google["connected"], true);
    assert_eq!(listed(&token, "microsoft")["state"], "working");
}

#[test]
fn api_patches_each_setting_by_the_dashboards_rules() {
    let (host, token) = connected_host("Api Settings", &["google", "microsoft", "zoom"]);
    let host_id = host.host.id.as_str();
    let team = "team.api@group.calendar.google.com";
    fake(
        "/_fake/google/busy",
        json!({ "email": host.email, "calendar_id": team, "busy": [] }),
    );

    let google = patch(
        &token,
        "google",
        json!({ "when_unreadable": "ignore", "send_updates": true,
                "checked_calendars": [host.email, team] }),
    );
    assert_eq!(google.status, 200, "{}", google.body);
    let google = google.json();
    assert_eq!(google["when_unreadable"], "ignore");
    assert_eq!(google["send_updates"], true);
    assert_eq!(google["checked_calendars"], json!([host.email, team]));
    let stored = row(host_id, "google").unwrap();
    assert_eq!(stored["when_unreadable"], "ignore");
    assert_eq!(stored["send_updates"], 1);
    let calendars = call("GET", &format!("{LIST}/google/calendars"), &token, None).json();
    let checked: Vec<&Value> = calendars["calendars"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["checked"] == true)
        .collect();
    assert_eq!(checked.len(), 2, "{calendars}");
    // A GET's answer can be sent back as it is.
    let round_trip = patch(&token, "google", google.clone());
    assert_eq!(round_trip.status, 200, "{}", round_trip.body);
    assert_eq!(round_trip.json(), google);

    let microsoft = patch(
        &token,
        "microsoft",
        json!({ "blocking_show_as": ["busy", "oof"], "when_unreadable": "ignore" }),
    );
    assert_eq!(microsoft.status, 200, "{}", microsoft.body);
    assert_eq!(microsoft.json()["blocking_show_as"], json!(["busy", "oof"]));
    assert_eq!(
        row(host_id, "microsoft").unwrap()["blocking_show_as"],
        "busy,oof"
    );

    // Bad values, each under its own name, and nothing changes.
    let before = (row(host_id, "google"), row(host_id, "microsoft"));
    let unknown = fields(&patch(
        &token,
        "google",
        json!({ "checked_calendars": [host.email, "someone-else@example.com"] }),
    ));
    assert!(
        unknown["checked_calendars"]
            .as_str()
            .unwrap()
            .contains("someone-else@example.com"),
        "{unknown}"
    );
    let none = fields(&patch(&token, "google", json!({ "checked_calendars": [] })));
    assert!(none["checked_calendars"].is_string(), "{none}");
    let typed = fields(&patch(
        &token,
        "google",
        json!({ "when_unreadable": "sometimes", "send_updates": "yes", "receives_events": 1,
                "checked_calendars": "primary", "colour": "red" }),
    ));
    for field in [
        "when_unreadable",
        "send_updates",
        "receives_events",
        "checked_calendars",
        "unknown_field",
    ] {
        assert!(typed[field].is_string(), "{field}: {typed}");
    }
    for states in [json!(["free"]), json!(["sleeping"]), json!("busy")] {
        let bad = fields(&patch(
            &token,
            "microsoft",
            json!({ "blocking_show_as": states }),
        ));
        assert!(bad["blocking_show_as"].is_string(), "{bad}");
    }
    // A setting the provider does not have.
    let not_google = fields(&patch(&token, "microsoft", json!({ "send_updates": true })));
    assert!(not_google["send_updates"].is_string(), "{not_google}");
    let not_zoom = fields(&patch(
        &token,
        "zoom",
        json!({ "checked_calendars": ["primary"] }),
    ));
    assert!(not_zoom["checked_calendars"].is_string(), "{not_zoom}");
    let not_outlook = fields(&patch(
        &token,
        "google",
        json!({ "blocking_show_as": ["busy"] }),
    ));
    assert!(not_outlook["blocking_show_as"].is_string(), "{not_outlook}");
    let not_calendar = fields(&patch(
        &token,
        "zoom",
        json!({ "when_unreadable": "stop", "receives_events": true }),
    ));
    assert!(
        not_calendar["when_unreadable"].is_string() && not_calendar["receives_events"].is_string(),
        "{not_calendar}"
    );
    assert_eq!(
        (row(host_id, "google"), row(host_id, "microsoft")),
        before,
        "a refused change saves nothing"
    );

    // Google cannot be read just now: the ids cannot be checked, so nothing is saved.
    calendar_list_fails_once(&host.email);
    let unreachable = patch(&token, "google", json!({ "checked_calendars": [team] }));
    assert_eq!(unreachable.status, 503, "{}", unreachable.body);
    assert!(unreachable.header("retry-after").is_some());
    calendar_list_fails_once(&host.email);
    let list = call("GET", &format!("{LIST}/google/calendars"), &token, None);
    assert_eq!(list.status, 503, "{}", list.body);
    assert_eq!(row(host_id, "google"), before.0);
    // Outlook lists its calendars the same way, the default one checked.
    let outlook = call("GET", &format!("{LIST}/microsoft/calendars"), &token, None);
    assert_eq!(outlook.status, 200, "{}", outlook.body);
    assert_eq!(outlook.json()["calendars"][0]["primary"], true);
    assert_eq!(outlook.json()["calendars"][0]["checked"], true);

    for (path, what) in [
        (format!("{LIST}/yahoo"), "an unknown provider"),
        (
            format!("{LIST}/zoom/calendars"),
            "a provider without a list",
        ),
    ] {
        let method = if path.ends_with("calendars") {
            "GET"
        } else {
            "PATCH"
        };
        let reply = call(method, &path, &token, Some(json!({})));
        assert_eq!(reply.status, 404, "{what}: {}", reply.body);
    }
}

#[test]
fn api_receives_events_moves_between_the_two_calendars() {
    let (host, token) = connected_host("Api Receiver", &["google", "microsoft"]);
    let host_id = host.host.id.as_str();
    assert_eq!(listed(&token, "google")["receives_events"], true);
    let moved = patch(&token, "microsoft", json!({ "receives_events": true }));
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert_eq!(moved.json()["receives_events"], true);
    assert_eq!(listed(&token, "google")["receives_events"], false);
    assert_eq!(row(host_id, "google").unwrap()["receives_events"], 0);
    assert_eq!(row(host_id, "microsoft").unwrap()["receives_events"], 1);
    // Giving the role away without naming who takes it is refused; declining it is a no-op.
    let refused = fields(&patch(
        &token,
        "microsoft",
        json!({ "receives_events": false }),
    ));
    assert!(refused["receives_events"].is_string(), "{refused}");
    let declined = patch(&token, "google", json!({ "receives_events": false }));
    assert_eq!(declined.status, 200, "{}", declined.body);
    assert_eq!(listed(&token, "microsoft")["receives_events"], true);
    let back = patch(&token, "google", json!({ "receives_events": true }));
    assert_eq!(back.status, 200, "{}", back.body);
    assert_eq!(listed(&token, "microsoft")["receives_events"], false);
}

#[test]
fn api_delete_disconnects_and_forgets_the_tokens() {
    let (host, token) = connected_host("Api Disconnecter", &["google", "zoom"]);
    let host_id = host.host.id.as_str();
    let prefix = format!("host/{host_id}/");
    let zoom_keys = || -> Vec<String> {
        kv::keys()
            .into_iter()
            .filter(|k| k.starts_with(&prefix) && k.ends_with("zoom"))
            .collect()
    };
    assert!(!zoom_keys().is_empty());
    let gone = call("DELETE", &format!("{LIST}/zoom"), &token, None);
    assert_eq!(gone.status, 204, "{}", gone.body);
    assert!(row(host_id, "zoom").is_none());
    assert!(zoom_keys().is_empty(), "{:?}", zoom_keys());
    let zoom = listed(&token, "zoom");
    assert_eq!(zoom["connected"], false);
    assert!(zoom.get("account_email").is_none(), "{zoom}");
    assert!(zoom["connect_url"]
        .as_str()
        .unwrap()
        .ends_with("/dashboard/connections/zoom/connect"));
    let again = call("DELETE", &format!("{LIST}/zoom"), &token, None);
    assert_eq!(again.status, 404, "{}", again.body);
    assert_eq!(
        patch(&token, "zoom", json!({})).status,
        404,
        "not connected"
    );
    assert_eq!(listed(&token, "google")["state"], "working");
    assert!(row(host_id, "google").is_some());
}

#[test]
fn api_connections_are_the_hosts_own_and_writes_need_a_token() {
    let (owner, owner_token) = connected_host("Api Owner", &["google"]);
    let owner_id = owner.host.id.as_str();
    let (_stranger, _email, stranger_token) = host_with_token("apiconn-stranger");
    // Another host sees only their own (unconnected) providers and reaches nothing of ours.
    let theirs = listed(&stranger_token, "google");
    assert_eq!(theirs["connected"], false, "{theirs}");
    assert!(theirs.get("account_email").is_none());
    for (method, path, body) in [
        (
            "PATCH",
            format!("{LIST}/google"),
            Some(json!({ "when_unreadable": "ignore" })),
        ),
        ("DELETE", format!("{LIST}/google"), None),
        ("GET", format!("{LIST}/google/calendars"), None),
    ] {
        let reply = call(method, &path, &stranger_token, body);
        assert_eq!(reply.status, 404, "{method} {path}: {}", reply.body);
        assert_eq!(reply.json()["error"]["code"], "not_found");
    }
    let kept = row(owner_id, "google").expect("the owner's connection stays");
    assert_eq!(kept["when_unreadable"], "stop");

    // No token at all.
    for (method, path) in [
        ("GET", LIST.to_owned()),
        ("PATCH", format!("{LIST}/google")),
        ("DELETE", format!("{LIST}/google")),
    ] {
        let reply = request(
            method,
            &path,
            &[],
            Some(("application/json", r#"{"when_unreadable":"ignore"}"#)),
        );
        assert_eq!(reply.status, 401, "{method}: {}", reply.body);
        assert_eq!(reply.json()["error"]["code"], "unauthorized");
    }
    // The session cookie reads, but never writes.
    let cookie = format!(
        "__Host-openslot_session={}",
        owner.browser.cookie("__Host-openslot_session").unwrap()
    );
    let read = request("GET", LIST, &[("Cookie", &cookie)], None);
    assert_eq!(read.status, 200, "{}", read.body);
    assert_eq!(
        read.json()["connections"][0]["account_email"],
        owner.email.as_str()
    );
    for method in ["PATCH", "DELETE"] {
        let reply = request(
            method,
            &format!("{LIST}/google"),
            &[("Cookie", &cookie), ("Origin", &world().base_url)],
            Some(("application/json", r#"{"when_unreadable":"ignore"}"#)),
        );
        assert_eq!(reply.status, 401, "{method}: {}", reply.body);
    }
    assert_eq!(row(owner_id, "google").unwrap()["when_unreadable"], "stop");
    assert_eq!(
        call("GET", LIST, &owner_token, None).json()["connections"][0]["connected"],
        true
    );
}
