//! Calendar behaviour: Google freeBusy and events (idempotency, Meet pending→success,
//! delete semantics) and Graph calendarView (paging, $select, Prefer) and events.

mod common;
use common::*;
use serde_json::{json, Value};

const CAL: &str = "/google/api/calendar/v3";

fn busy_for(c: &Client, token: &str, ids: &[&str], min: &str, max: &str) -> Value {
    let items: Vec<Value> = ids.iter().map(|i| json!({ "id": i })).collect();
    let r = c.post_json(
        &format!("{CAL}/freeBusy"),
        Some(token),
        &json!({ "timeMin": min, "timeMax": max, "timeZone": "UTC", "items": items }),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    r.json()
}

#[test]
fn free_busy_returns_clipped_merged_busy_and_not_found_errors() {
    let (_srv, c) = start();
    let tok = google_login(&c, "ada@example.com");
    let at = s(&tok, "/access_token");
    c.control(
        "google/busy",
        json!({ "email": "ada@example.com", "busy": [
            { "start": "2030-01-07T08:00:00Z", "end": "2030-01-07T10:00:00Z" },
            { "start": "2030-01-07T09:30:00Z", "end": "2030-01-07T11:00:00Z" },
            { "start": "2030-01-07T13:00:00+01:00", "end": "2030-01-07T13:30:00+01:00" },
            { "start": "2030-01-07T15:00:00Z", "end": "2030-01-07T16:00:00Z", "show_as": "free" },
            { "start": "2030-01-08T09:00:00Z", "end": "2030-01-08T10:00:00Z" }
        ]}),
    );
    c.control(
        "google/busy",
        json!({ "email": "ada@example.com", "calendar_id": "team@group.calendar.google.com",
                "busy": [{ "start": "2030-01-07T12:00:00Z", "end": "2030-01-07T12:30:00Z" }] }),
    );
    let fb = busy_for(
        &c,
        at,
        &[
            "primary",
            "ada@example.com",
            "team@group.calendar.google.com",
            "stranger@example.com",
        ],
        "2030-01-07T09:00:00Z",
        "2030-01-08T00:00:00Z",
    );
    assert_eq!(fb["kind"], "calendar#freeBusy");
    assert_eq!(fb["timeMin"], "2030-01-07T09:00:00.000Z");
    let expected = json!([
        { "start": "2030-01-07T09:00:00Z", "end": "2030-01-07T11:00:00Z" },
        { "start": "2030-01-07T12:00:00Z", "end": "2030-01-07T12:30:00Z" }
    ]);
    assert_eq!(
        fb["calendars"]["primary"]["busy"], expected,
        "clipped to timeMin, merged, offsets normalised, free ignored"
    );
    assert_eq!(fb["calendars"]["ada@example.com"]["busy"], expected);
    assert_eq!(
        fb["calendars"]["team@group.calendar.google.com"]["busy"],
        json!([{ "start": "2030-01-07T12:00:00Z", "end": "2030-01-07T12:30:00Z" }])
    );
    assert_eq!(
        fb["calendars"]["stranger@example.com"]["errors"],
        json!([{ "domain": "global", "reason": "notFound" }])
    );
    assert!(
        fb["calendars"]["primary"].get("busyDetails").is_none(),
        "no bait unless asked"
    );

    let missing = c.post_json(
        &format!("{CAL}/freeBusy"),
        Some(at),
        &json!({ "timeMax": "2030-01-08T00:00:00Z" }),
    );
    assert_eq!(missing.status, 400);
    assert_eq!(missing.json()["error"]["code"], 400);

    let list = c
        .get(&format!("{CAL}/users/me/calendarList"), Some(at))
        .json();
    let ids: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["ada@example.com", "team@group.calendar.google.com"]);
    assert_eq!(list["items"][0]["primary"], true);
}

#[test]
fn privacy_knob_adds_bait_fields_with_the_chosen_marker() {
    let (_srv, c) = start();
    let g = google_login(&c, "ada@example.com");
    let m = microsoft_login(&c, "ada@example.com");
    c.control(
        "microsoft/busy",
        json!({ "email": "ada@example.com", "busy": [
        { "start": "2030-01-07T09:00:00Z", "end": "2030-01-07T10:00:00Z" }] }),
    );
    c.control("privacy", json!({ "enabled": true, "marker": "SEKRIT-42" }));
    let fb = busy_for(
        &c,
        s(&g, "/access_token"),
        &["primary"],
        "2030-01-07T00:00:00Z",
        "2030-01-08T00:00:00Z",
    );
    assert!(fb.to_string().contains("SEKRIT-42"));
    let view = c.get_with(
        "/microsoft/graph/v1.0/me/calendarView?startDateTime=2030-01-07T00:00:00Z&endDateTime=2030-01-08T00:00:00Z&$select=start,end,showAs",
        Some(s(&m, "/access_token")),
        &[],
    );
    let ev = &view.json()["value"][0];
    assert_eq!(ev["subject"], "SEKRIT-42 subject");
    assert!(ev["bodyPreview"].as_str().unwrap().contains("SEKRIT-42"));
    assert!(ev["attendees"][0]["emailAddress"]["address"]
        .as_str()
        .unwrap()
        .contains("sekrit-42"));
    c.control("privacy", json!({ "enabled": false }));
    let fb = busy_for(
        &c,
        s(&g, "/access_token"),
        &["primary"],
        "2030-01-07T00:00:00Z",
        "2030-01-08T00:00:00Z",
    );
    assert!(!fb.to_string().contains("SEKRIT-42"));
}

fn meet_event(request_id: &str) -> Value {
    json!({
        "summary": "Intro call",
        "start": { "dateTime": "2030-01-07T14:00:00Z", "timeZone": "UTC" },
        "end": { "dateTime": "2030-01-07T14:30:00Z", "timeZone": "UTC" },
        "attendees": [{ "email": "invitee@example.org" }],
        "conferenceData": { "createRequest": { "requestId": request_id, "conferenceSolutionKey": { "type": "hangoutsMeet" } } }
    })
}

#[test]
fn google_insert_is_idempotent_by_request_id_and_meet_goes_pending_then_success() {
    let (srv, c) = start();
    let at = s(&google_login(&c, "ada@example.com"), "/access_token").to_string();
    c.control("google/conference-pending", json!({ "reads": 1 }));
    let url = format!("{CAL}/calendars/primary/events?conferenceDataVersion=1&sendUpdates=all");
    let r = c.post_json(&url, Some(&at), &meet_event("booking-1"));
    assert_eq!(r.status, 200, "{}", r.text);
    let ev = r.json();
    assert_eq!(ev["kind"], "calendar#event");
    assert_eq!(ev["status"], "confirmed");
    assert_eq!(ev["attendees"][0]["responseStatus"], "needsAction");
    assert_eq!(
        ev["conferenceData"]["createRequest"]["status"]["statusCode"],
        "pending"
    );
    assert!(ev.get("hangoutLink").is_none());
    let id = s(&ev, "/id").to_string();

    // A retry with the same requestId returns the same event, not a second one.
    let again = c
        .post_json(&url, Some(&at), &meet_event("booking-1"))
        .json();
    assert_eq!(again["id"], ev["id"]);
    assert_eq!(srv.state().events.len(), 1);

    let got = c
        .get(&format!("{CAL}/calendars/primary/events/{id}"), Some(&at))
        .json();
    assert_eq!(
        got["conferenceData"]["createRequest"]["status"]["statusCode"],
        "success"
    );
    let link = s(&got, "/hangoutLink");
    assert!(link.starts_with("https://meet.google.com/"));
    assert_eq!(
        got["conferenceData"]["entryPoints"][0]["entryPointType"],
        "video"
    );
    assert_eq!(got["conferenceData"]["entryPoints"][0]["uri"], link);

    // A different requestId makes a new event; the calendar now shows it busy.
    let other = c
        .post_json(&url, Some(&at), &meet_event("booking-2"))
        .json();
    assert_ne!(other["id"], ev["id"]);
    let fb = busy_for(
        &c,
        &at,
        &["primary"],
        "2030-01-07T00:00:00Z",
        "2030-01-08T00:00:00Z",
    );
    assert_eq!(
        fb["calendars"]["primary"]["busy"],
        json!([{ "start": "2030-01-07T14:00:00Z", "end": "2030-01-07T14:30:00Z" }])
    );

    let stored = c.get("/_fake/events", None).json();
    assert_eq!(stored[0]["send_updates"], json!(["all"]));
}

#[test]
fn google_conference_is_ignored_without_conference_data_version_and_duplicate_ids_conflict() {
    let (_srv, c) = start();
    let at = s(&google_login(&c, "ada@example.com"), "/access_token").to_string();
    let url = format!("{CAL}/calendars/primary/events");
    let ev = c.post_json(&url, Some(&at), &meet_event("x")).json();
    assert!(ev.get("conferenceData").is_none());

    let mut body = meet_event("y");
    body["id"] = json!("openslotbooking00001");
    assert_eq!(c.post_json(&url, Some(&at), &body).status, 200);
    let dup = c.post_json(&url, Some(&at), &body);
    assert_eq!(dup.status, 409);
    assert_eq!(dup.json()["error"]["errors"][0]["reason"], "duplicate");

    body["id"] = json!("Not_Base32Hex!");
    assert_eq!(c.post_json(&url, Some(&at), &body).status, 400);

    let no_end = c.post_json(
        &url,
        Some(&at),
        &json!({ "start": { "dateTime": "2030-01-07T14:00:00Z" } }),
    );
    assert_eq!(no_end.status, 400);
    let other_cal = c.post_json(
        &format!("{CAL}/calendars/someone%40else.com/events"),
        Some(&at),
        &meet_event("z"),
    );
    assert_eq!(other_cal.status, 404);
}

#[test]
fn google_patch_bumps_sequence_and_delete_is_204_then_410() {
    let (_srv, c) = start();
    let at = s(&google_login(&c, "ada@example.com"), "/access_token").to_string();
    let ev = c
        .post_json(
            &format!("{CAL}/calendars/primary/events"),
            Some(&at),
            &meet_event("a"),
        )
        .json();
    let path = format!("{CAL}/calendars/ada%40example.com/events/{}", s(&ev, "/id"));
    let patched = c.send_json(
        "PATCH",
        &format!("{path}?sendUpdates=none"),
        Some(&at),
        &json!({ "summary": "Moved" }),
    );
    assert_eq!(patched.status, 200);
    let p = patched.json();
    assert_eq!(p["summary"], "Moved");
    assert_eq!(p["sequence"], 1);
    assert_eq!(p["start"], ev["start"]);

    assert_eq!(
        c.delete(&format!("{path}?sendUpdates=all"), Some(&at))
            .status,
        204
    );
    let gone = c.delete(&path, Some(&at));
    assert_eq!(gone.status, 410);
    assert_eq!(gone.json()["error"]["errors"][0]["reason"], "deleted");
    assert_eq!(c.get(&path, Some(&at)).json()["status"], "cancelled");
    assert_eq!(
        c.get(
            &format!("{CAL}/calendars/primary/events/nosuchevent"),
            Some(&at)
        )
        .status,
        404
    );
    let stored = c.get("/_fake/events", None).json();
    assert_eq!(stored[0]["send_updates"], json!([null, "none", "all"]));
    assert_eq!(stored[0]["deleted"], true);
}

#[test]
fn graph_calendar_view_pages_with_next_link_and_honours_select_and_prefer() {
    let (_srv, c) = start();
    let tok = microsoft_login(&c, "megan@contoso.example");
    let at = s(&tok, "/access_token");
    let busy: Vec<Value> = (0..13)
        .map(|i| {
            json!({ "start": format!("2030-01-07T{:02}:00:00Z", 6 + i), "end": format!("2030-01-07T{:02}:30:00Z", 6 + i),
                    "show_as": if i == 0 { "tentative" } else { "busy" } })
        })
        .collect();
    c.control(
        "microsoft/busy",
        json!({ "email": "megan@contoso.example", "busy": busy }),
    );
    let first = c.get_with(
        "/microsoft/graph/v1.0/me/calendarView?startDateTime=2030-01-07T00:00:00Z&endDateTime=2030-01-08T00:00:00Z&$select=start,end,showAs",
        Some(at),
        &[("Prefer", "outlook.timezone=\"UTC\"")],
    );
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(
        first.header("Preference-Applied"),
        Some("outlook.timezone=\"UTC\"")
    );
    let page1 = first.json();
    let values = page1["value"].as_array().unwrap();
    assert_eq!(values.len(), 10);
    assert_eq!(
        values[0]["start"],
        json!({ "dateTime": "2030-01-07T06:00:00.0000000", "timeZone": "UTC" })
    );
    assert_eq!(values[0]["showAs"], "tentative");
    assert!(values[0]["id"].is_string());
    assert!(
        values[0].get("subject").is_none(),
        "$select keeps only what was asked (plus id)"
    );
    let next = s(&page1, "/@odata.nextLink").to_string();
    assert!(next.starts_with(&c.base));
    assert!(next.contains("$skip=10"));

    let page2 = c.get(&next, Some(at)).json();
    let values = page2["value"].as_array().unwrap();
    assert_eq!(values.len(), 3);
    assert_eq!(values[2]["end"]["dateTime"], "2030-01-07T18:30:00.0000000");
    assert!(page2.get("@odata.nextLink").is_none());

    let top = c.get(
        "/microsoft/graph/v1.0/me/calendarView?startDateTime=2030-01-07T17:00:00Z&endDateTime=2030-01-08T00:00:00Z&$top=1",
        Some(at),
    );
    let top = top.json();
    assert_eq!(top["value"].as_array().unwrap().len(), 1);
    assert!(top["@odata.nextLink"].as_str().unwrap().contains("$top=1"));
    assert_eq!(
        top["value"][0]["subject"], "Busy",
        "no $select: the whole event"
    );

    let no_window = c.get("/microsoft/graph/v1.0/me/calendarView", Some(at));
    assert_eq!(no_window.status, 400);
    assert!(no_window.json()["error"]["code"].is_string());
}

fn teams_event(tid: &str) -> Value {
    json!({
        "subject": "Intro call",
        "body": { "contentType": "HTML", "content": "Booked with Openslot" },
        "start": { "dateTime": "2030-01-07T14:00:00", "timeZone": "UTC" },
        "end": { "dateTime": "2030-01-07T14:30:00", "timeZone": "UTC" },
        "attendees": [{ "emailAddress": { "address": "invitee@example.org", "name": "Invitee" }, "type": "required" }],
        "isOnlineMeeting": true,
        "onlineMeetingProvider": "teamsForBusiness",
        "transactionId": tid
    })
}

#[test]
fn graph_event_create_is_idempotent_by_transaction_id_and_has_a_teams_link() {
    let (srv, c) = start();
    let at = s(
        &microsoft_login(&c, "megan@contoso.example"),
        "/access_token",
    )
    .to_string();
    let r = c.post_json(
        "/microsoft/graph/v1.0/me/events",
        Some(&at),
        &teams_event("tx-1"),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let ev = r.json();
    assert!(
        s(&ev, "/onlineMeeting/joinUrl").starts_with("https://teams.microsoft.com/l/meetup-join/")
    );
    assert_eq!(
        ev["organizer"]["emailAddress"]["address"],
        "megan@contoso.example"
    );
    let again = c.post_json(
        "/microsoft/graph/v1.0/me/events",
        Some(&at),
        &teams_event("tx-1"),
    );
    assert_eq!(again.json()["id"], ev["id"]);
    assert_eq!(srv.state().events.len(), 1);

    // It is busy in calendarView now.
    let view = c.get(
        "/microsoft/graph/v1.0/me/calendarView?startDateTime=2030-01-07T00:00:00Z&endDateTime=2030-01-08T00:00:00Z&$select=start,end,showAs",
        Some(&at),
    ).json();
    assert_eq!(view["value"][0]["id"], ev["id"]);
    assert_eq!(view["value"][0]["showAs"], "busy");

    let path = format!("/microsoft/graph/v1.0/me/events/{}", s(&ev, "/id"));
    let patched = c.send_json("PATCH", &path, Some(&at), &json!({ "subject": "Moved" }));
    assert_eq!(patched.status, 200);
    assert_eq!(patched.json()["subject"], "Moved");
    assert_eq!(c.get(&path, Some(&at)).status, 200);
    assert_eq!(c.delete(&path, Some(&at)).status, 204);
    let gone = c.get(&path, Some(&at));
    assert_eq!(gone.status, 404);
    assert_eq!(gone.json()["error"]["code"], "ErrorItemNotFound");
}

#[test]
fn tokens_without_the_right_scope_are_refused() {
    let (_srv, c) = start();
    // Google: a free/busy-only Calendar scope may query freeBusy but not insert events.
    let r = c.get_query(
        "/google/accounts/o/oauth2/v2/auth",
        &[
            ("client_id", "google-client"),
            ("redirect_uri", REDIRECT),
            ("response_type", "code"),
            (
                "scope",
                "openid https://www.googleapis.com/auth/calendar.freebusy",
            ),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
            ("login_hint", "ro@example.com"),
        ],
    );
    let tok = google_token(&c, &r.location_param("code").unwrap()).json();
    let at = s(&tok, "/access_token");
    let fb = busy_for(
        &c,
        at,
        &["primary"],
        "2030-01-07T00:00:00Z",
        "2030-01-08T00:00:00Z",
    );
    assert!(fb["calendars"]["primary"]["busy"].is_array());
    let ins = c.post_json(
        &format!("{CAL}/calendars/primary/events"),
        Some(at),
        &meet_event("q"),
    );
    assert_eq!(ins.status, 403);
    assert_eq!(
        ins.json()["error"]["errors"][0]["reason"],
        "insufficientPermissions"
    );

    // Google: sendUpdates must be one of the documented values.
    let full = s(&google_login(&c, "ada@example.com"), "/access_token").to_string();
    let bad = c.post_json(
        &format!("{CAL}/calendars/primary/events?sendUpdates=everyone"),
        Some(&full),
        &meet_event("q"),
    );
    assert_eq!(bad.status, 400);

    // Graph: Calendars.Read can list but not create.
    let r = c.get_query(
        "/microsoft/login/common/oauth2/v2.0/authorize",
        &[
            ("client_id", "ms-client"),
            ("redirect_uri", REDIRECT),
            ("response_type", "code"),
            ("scope", "https://graph.microsoft.com/Calendars.Read"),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ],
    );
    let code = r.location_param("code").unwrap();
    let t = c.post_form(
        "/microsoft/login/common/oauth2/v2.0/token",
        None,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("client_id", "ms-client"),
            ("client_secret", "x"),
            ("code_verifier", VERIFIER),
        ],
    );
    let t = t.json();
    assert!(
        t.get("refresh_token").is_none(),
        "no offline_access, no refresh token"
    );
    let at = s(&t, "/access_token");
    let view = c.get(
        "/microsoft/graph/v1.0/me/calendarView?startDateTime=2030-01-07T00:00:00Z&endDateTime=2030-01-08T00:00:00Z",
        Some(at),
    );
    assert_eq!(view.status, 200);
    let create = c.post_json(
        "/microsoft/graph/v1.0/me/events",
        Some(at),
        &teams_event("t"),
    );
    assert_eq!(create.status, 403);
    assert_eq!(create.json()["error"]["code"], "ErrorAccessDenied");
    assert_eq!(
        c.get("/microsoft/graph/v1.0/me", Some(at)).status,
        403,
        "/me needs User.Read"
    );
}
