//! Zoom meetings and the Resend-compatible email capture.

mod common;
use common::*;
use serde_json::json;

#[test]
fn zoom_meeting_create_get_patch_delete() {
    let (_srv, c) = start();
    let at = s(&zoom_login(&c, "host@example.com"), "/access_token").to_string();
    let me = c.get("/zoom/api/v2/users/me", Some(&at));
    assert_eq!(me.status, 200);
    assert_eq!(me.json()["email"], "host@example.com");

    let r = c.post_json(
        "/zoom/api/v2/users/me/meetings",
        Some(&at),
        &json!({ "topic": "Intro call", "type": 2, "start_time": "2030-01-07T15:00:00+01:00",
                 "duration": 30, "timezone": "Europe/Paris", "settings": { "join_before_host": true } }),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let m = r.json();
    let id = m["id"].as_u64().expect("numeric id");
    assert!(id >= 10_000_000_000);
    assert_eq!(m["topic"], "Intro call");
    assert_eq!(m["start_time"], "2030-01-07T14:00:00Z");
    assert_eq!(m["duration"], 30);
    assert_eq!(m["timezone"], "Europe/Paris");
    assert!(s(&m, "/join_url").contains(&id.to_string()));
    assert!(s(&m, "/start_url").contains("zak="));
    assert!(!s(&m, "/password").is_empty());
    assert_eq!(m["settings"]["join_before_host"], true);
    assert_eq!(m["settings"]["waiting_room"], true);

    let path = format!("/zoom/api/v2/meetings/{id}");
    assert_eq!(c.get(&path, Some(&at)).json()["id"], id);
    let p = c.send_json("PATCH", &path, Some(&at), &json!({ "duration": 45 }));
    assert_eq!(p.status, 204);
    assert_eq!(c.get(&path, Some(&at)).json()["duration"], 45);
    let bad = c.send_json("PATCH", &path, Some(&at), &json!({ "start_time": "soon" }));
    assert_eq!(bad.status, 400);
    assert_eq!(bad.json()["code"], 300);

    assert_eq!(c.delete(&path, Some(&at)).status, 204);
    let gone = c.get(&path, Some(&at));
    assert_eq!(gone.status, 404);
    assert_eq!(gone.json()["code"], 3001);
    assert!(s(&gone.json(), "/message").contains(&id.to_string()));
    assert_eq!(c.delete(&path, Some(&at)).status, 404);

    let meetings = c.get("/_fake/meetings", None).json();
    assert_eq!(meetings[0]["deleted"], true);
    assert_eq!(meetings[0]["body"]["topic"], "Intro call");
}

#[test]
fn zoom_rejects_unknown_tokens_with_code_124() {
    let (_srv, c) = start();
    let r = c.get("/zoom/api/v2/users/me", Some("nope"));
    assert_eq!(r.status, 401);
    assert_eq!(
        r.json(),
        json!({ "code": 124, "message": "Invalid access token." })
    );
    let r = c.post_json("/zoom/api/v2/users/me/meetings", None, &json!({}));
    assert_eq!(r.status, 401);
}

#[test]
fn email_is_captured_with_decoded_text_attachments() {
    let (_srv, c) = start();
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n";
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(ics);
    let r = c.post_json(
        "/email/resend/emails",
        Some("re_test_key"),
        &json!({
            "from": "Openslot <bookings@example.com>",
            "to": "invitee@example.org",
            "cc": ["host@example.com"],
            "subject": "Confirmed: Intro call",
            "html": "<p>See you</p>",
            "text": "See you",
            "reply_to": "host@example.com",
            "headers": { "X-Entity-Ref-ID": "b-1" },
            "attachments": [
                { "filename": "invite.ics", "content": b64, "content_type": "text/calendar; method=REQUEST" },
                { "filename": "logo.png", "content": "iVBORw0KGgo=" }
            ]
        }),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let id = s(&r.json(), "/id").to_string();
    assert_eq!(id.len(), 36);

    let r = c.post_json(
        "/email/resend/emails",
        Some("re_test_key"),
        &json!({ "from": "a@example.com", "to": ["b@example.com", "c@example.com"], "subject": "Second", "text": "2" }),
    );
    assert_eq!(r.status, 200);

    let emails = c.get("/_fake/emails", None).json();
    assert_eq!(emails.as_array().unwrap().len(), 2);
    assert_eq!(emails[0]["id"], id.as_str(), "oldest first");
    assert_eq!(emails[0]["to"], json!(["invitee@example.org"]));
    assert_eq!(emails[0]["cc"], json!(["host@example.com"]));
    assert_eq!(emails[0]["attachments"][0]["text"], ics);
    assert_eq!(
        emails[0]["attachments"][1]["content_type"],
        "application/octet-stream"
    );
    assert!(emails[0]["attachments"][1]["text"].is_null());
    assert_eq!(emails[0]["headers"]["X-Entity-Ref-ID"], "b-1");
    assert_eq!(emails[1]["to"], json!(["b@example.com", "c@example.com"]));
}

#[test]
fn email_requires_a_key_and_the_required_fields() {
    let (_srv, c) = start();
    let ok =
        json!({ "from": "a@example.com", "to": "b@example.com", "subject": "Hi", "text": "x" });
    let r = c.post_json("/email/resend/emails", None, &ok);
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["name"], "missing_api_key");

    for field in ["from", "to", "subject"] {
        let mut body = ok.clone();
        body.as_object_mut().unwrap().remove(field);
        let r = c.post_json("/email/resend/emails", Some("k"), &body);
        assert_eq!(r.status, 422, "missing {field}");
        let e = r.json();
        assert_eq!(e["statusCode"], 422);
        assert_eq!(e["name"], "missing_required_field");
        assert!(s(&e, "/message").contains(field));
    }
    let mut no_body = ok.clone();
    no_body.as_object_mut().unwrap().remove("text");
    assert_eq!(
        c.post_json("/email/resend/emails", Some("k"), &no_body)
            .status,
        422
    );

    let mut bad_att = ok.clone();
    bad_att["attachments"] = json!([{ "filename": "x.ics" }]);
    let r = c.post_json("/email/resend/emails", Some("k"), &bad_att);
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["name"], "invalid_attachment");
    assert!(c
        .get("/_fake/emails", None)
        .json()
        .as_array()
        .unwrap()
        .is_empty());
}

#[test]
fn email_idempotency_key_returns_the_first_id() {
    let (_srv, c) = start();
    let body =
        json!({ "from": "a@example.com", "to": "b@example.com", "subject": "Hi", "text": "x" });
    let h = [("Idempotency-Key", "booking-1/confirmation")];
    let a = c
        .send_json_headers("/email/resend/emails", Some("k"), &h, &body)
        .json();
    let b = c
        .send_json_headers("/email/resend/emails", Some("k"), &h, &body)
        .json();
    assert_eq!(a["id"], b["id"]);
    assert_eq!(
        c.get("/_fake/emails", None)
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn outbox_lists_newest_first_and_escapes_everything() {
    let (_srv, c) = start();
    for subject in ["First <b>", "Second & last"] {
        let r = c.post_json(
            "/email/resend/emails",
            Some("k"),
            &json!({ "from": "a@example.com", "to": "<script>@example.com", "subject": subject,
                     "text": "Body <img src=x onerror=alert(1)>",
                     "attachments": [{ "filename": "<evil>.ics", "content": "QQ==" }] }),
        );
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let page = c.get("/email/outbox", None);
    assert_eq!(page.status, 200);
    assert!(page
        .header("content-type")
        .unwrap()
        .starts_with("text/html"));
    let html = page.text;
    assert!(html.find("Second &amp; last").unwrap() < html.find("First &lt;b&gt;").unwrap());
    assert!(!html.contains("<script>"));
    assert!(!html.contains("<img"));
    assert!(!html.contains("<evil>"));
    assert!(html.contains("&lt;evil&gt;.ics"));
}
