//! Failure injection, the request log, reset, and the binary's ready line.

mod common;
use common::*;
use serde_json::json;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn injected_failures_apply_count_times_with_the_provider_error_body() {
    let (srv, c) = start();
    let at = s(&google_login(&c, "ada@example.com"), "/access_token").to_string();
    let path = "/google/api/calendar/v3/users/me/calendarList";
    c.control("fail", json!({ "path_prefix": "/google/api/calendar", "method": "GET", "status": 503, "count": 2 }));
    assert_eq!(srv.state().failures[0].count, 2);
    let r = c.get(path, Some(&at));
    assert_eq!(r.status, 503);
    assert_eq!(r.json()["error"]["code"], 503);
    assert_eq!(r.json()["error"]["status"], "UNAVAILABLE");
    assert_eq!(srv.state().failures[0].count, 1, "count decrements");
    // A POST does not match a GET-only failure.
    let fb = c.post_json(
        "/google/api/calendar/v3/freeBusy",
        Some(&at),
        &json!({ "timeMin": "2030-01-01T00:00:00Z", "timeMax": "2030-01-02T00:00:00Z", "items": [] }),
    );
    assert_eq!(fb.status, 200);
    assert_eq!(c.get(path, Some(&at)).status, 503);
    assert!(srv.state().failures.is_empty());
    assert_eq!(c.get(path, Some(&at)).status, 200);
}

#[test]
fn rate_limits_carry_retry_after_and_bodies_match_each_provider() {
    let (_srv, c) = start();
    c.control(
        "fail",
        json!({ "path_prefix": "/microsoft/graph", "status": 429, "retry_after": 7 }),
    );
    let r = c.get("/microsoft/graph/v1.0/me", Some("whatever"));
    assert_eq!(r.status, 429);
    assert_eq!(r.header("retry-after"), Some("7"));
    assert_eq!(r.json()["error"]["code"], "TooManyRequests");

    c.control("fail", json!({ "path_prefix": "/zoom/api", "status": 500 }));
    let r = c.get("/zoom/api/v2/users/me", Some("x"));
    assert_eq!(r.status, 500);
    assert!(r.json()["code"].is_number() && r.json()["message"].is_string());

    c.control("fail", json!({ "path_prefix": "/email/", "status": 429 }));
    let r = c.post_json("/email/resend/emails", Some("k"), &json!({}));
    assert_eq!(r.json()["name"], "rate_limit_exceeded");

    c.control(
        "fail",
        json!({ "path_prefix": "/google/oauth2/token", "status": 503 }),
    );
    let r = c.post_form(
        "/google/oauth2/token",
        None,
        &[("grant_type", "refresh_token")],
    );
    assert_eq!(r.status, 503);
    assert!(
        r.json()["error"].is_string(),
        "identity endpoints use the OAuth error shape"
    );

    c.control(
        "fail",
        json!({ "path_prefix": "/zoom/api", "status": 502, "body": { "custom": true } }),
    );
    assert_eq!(
        c.get("/zoom/api/v2/users/me", Some("x")).json(),
        json!({ "custom": true })
    );
}

#[test]
fn malformed_and_delayed_responses() {
    let (_srv, c) = start();
    let at = s(&google_login(&c, "ada@example.com"), "/access_token").to_string();
    c.control(
        "fail",
        json!({ "path_prefix": "/google/api/calendar/v3/freeBusy", "malformed": true }),
    );
    let body = json!({ "timeMin": "2030-01-01T00:00:00Z", "timeMax": "2030-01-02T00:00:00Z", "items": [] });
    let r = c.post_json("/google/api/calendar/v3/freeBusy", Some(&at), &body);
    assert_eq!(r.status, 200);
    assert!(serde_json::from_str::<serde_json::Value>(&r.text).is_err());

    c.control(
        "fail",
        json!({ "path_prefix": "/google/api/calendar/v3/freeBusy", "delay_ms": 300 }),
    );
    let t = Instant::now();
    let r = c.post_json("/google/api/calendar/v3/freeBusy", Some(&at), &body);
    assert!(t.elapsed() >= Duration::from_millis(300));
    assert_eq!(r.status, 200, "a delay without a status passes through");
    assert_eq!(r.json()["kind"], "calendar#freeBusy");
}

#[test]
fn request_log_records_provider_calls_and_reset_forgets_everything() {
    let (_srv, c) = start();
    let at = s(&google_login(&c, "ada@example.com"), "/access_token").to_string();
    c.get(
        "/google/api/calendar/v3/users/me/calendarList?maxResults=5",
        Some(&at),
    );
    let log = c.get("/_fake/requests", None).json();
    let last = log.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["method"], "GET");
    assert_eq!(
        last["path"],
        "/google/api/calendar/v3/users/me/calendarList"
    );
    assert_eq!(last["query"], "maxResults=5");
    assert_eq!(last["status"], 200);
    assert!(
        !log.to_string().contains("/_fake/"),
        "control calls are not logged"
    );

    let state = c.get("/_fake/state", None).json();
    for k in [
        "accounts",
        "grants",
        "tokens",
        "events",
        "meetings",
        "emails",
        "revocations",
        "requests",
    ] {
        assert!(state.get(k).is_some(), "state has {k}");
    }
    assert_eq!(state["tokens"].as_array().unwrap().len(), 1);
    c.control("reset", json!({}));
    let state = c.get("/_fake/state", None).json();
    assert!(state["tokens"].as_array().unwrap().is_empty());
    assert!(state["requests"].as_array().unwrap().is_empty());
    assert_eq!(
        c.get("/google/api/calendar/v3/users/me/calendarList", Some(&at))
            .status,
        401
    );
}

#[test]
fn the_binary_prints_one_ready_line_and_serves() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_openslot-fakes"))
        .args(["--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn the binary");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("fakes listening on ")
        .unwrap_or_else(|| panic!("unexpected ready line {line:?}"))
        .to_string();
    assert!(url.starts_with("http://127.0.0.1:"));
    let r = ureq::get(&format!("{url}/_fake/state")).call();
    child.kill().ok();
    child.wait().ok();
    assert_eq!(r.expect("served").status(), 200);
}
