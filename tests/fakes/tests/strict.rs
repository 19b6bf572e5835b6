//! The fakes behave as the documented services do where our first reading was too kind:
//! partial grants, late conference links, 5xx after a commit, Zoom's revocation and meeting
//! lists, Google's paging and freeBusy limit, Graph's calendars.

mod common;
use common::*;
use serde_json::json;

const CAL: &str = "/google/api/calendar/v3";
const GRAPH: &str = "/microsoft/graph/v1.0";

#[test]
fn an_unticked_scope_is_missing_from_the_grant_and_its_calls_are_refused() {
    let (_srv, c) = start();
    c.control(
        "google/withhold-scopes",
        json!({ "email": "part@example.com",
                "scopes": ["https://www.googleapis.com/auth/calendar.freebusy"] }),
    );
    let tok = google_login(&c, "part@example.com");
    let scope = s(&tok, "/scope");
    assert!(!scope.contains("calendar.freebusy"), "{scope}");
    assert!(scope.contains("calendar.events"), "{scope}");
    let at = s(&tok, "/access_token");
    let fb = c.post_json(
        &format!("{CAL}/freeBusy"),
        Some(at),
        &json!({ "timeMin": "2030-01-07T00:00:00Z", "timeMax": "2030-01-08T00:00:00Z",
                 "items": [{ "id": "primary" }] }),
    );
    assert_eq!(fb.status, 403, "{}", fb.text);
    assert_eq!(
        fb.json()["error"]["errors"][0]["reason"],
        "insufficientPermissions"
    );
    // calendarList and events still work with what was granted.
    assert_eq!(
        c.get(&format!("{CAL}/users/me/calendarList"), Some(at))
            .status,
        200
    );
}

#[test]
fn a_failure_after_commit_does_the_work_and_still_answers_the_error() {
    let (_srv, c) = start();
    let at = s(&zoom_login(&c, "commit@example.com"), "/access_token").to_string();
    c.control(
        "fail",
        json!({ "path_prefix": "/zoom/api/v2/users/me/meetings", "method": "POST",
                "status": 502, "after_commit": true }),
    );
    let r = c.post_json(
        "/zoom/api/v2/users/me/meetings",
        Some(&at),
        &json!({ "topic": "T", "type": 2, "start_time": "2099-01-07T15:00:00Z", "duration": 30 }),
    );
    assert_eq!(r.status, 502);
    assert_eq!(
        c.get("/_fake/meetings", None)
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn zoom_lists_upcoming_meetings_with_agendas_cut_to_250_characters() {
    let (_srv, c) = start();
    let at = s(&zoom_login(&c, "list@example.com"), "/access_token").to_string();
    let agenda = format!("[openslot:key] {}", "x".repeat(400));
    for start in ["2000-01-07T15:00:00Z", "2099-01-07T15:00:00Z"] {
        let r = c.post_json(
            "/zoom/api/v2/users/me/meetings",
            Some(&at),
            &json!({ "topic": "T", "type": 2, "start_time": start, "duration": 30, "agenda": agenda }),
        );
        assert_eq!(r.status, 201);
        assert_eq!(
            r.json()["agenda"].as_str().unwrap().chars().count(),
            agenda.chars().count()
        );
    }
    let list = c
        .get(
            "/zoom/api/v2/users/me/meetings?type=upcoming&page_size=300",
            Some(&at),
        )
        .json();
    let meetings = list["meetings"].as_array().unwrap();
    assert_eq!(meetings.len(), 1, "the past meeting is not upcoming");
    assert_eq!(meetings[0]["agenda"].as_str().unwrap().chars().count(), 250);
    let all = c.get("/zoom/api/v2/users/me/meetings", Some(&at)).json();
    assert_eq!(all["meetings"].as_array().unwrap().len(), 2);
}

#[test]
fn google_pages_calendar_lists_and_refuses_more_than_50_calendars_per_free_busy() {
    let (_srv, c) = start();
    let at = s(&google_login(&c, "many@example.com"), "/access_token").to_string();
    c.control(
        "google/calendars",
        json!({ "email": "many@example.com", "count": 300 }),
    );
    let first = c
        .get(
            &format!("{CAL}/users/me/calendarList?maxResults=250"),
            Some(&at),
        )
        .json();
    assert_eq!(first["items"].as_array().unwrap().len(), 250);
    let next = s(&first, "/nextPageToken").to_string();
    let second = c
        .get(
            &format!("{CAL}/users/me/calendarList?maxResults=250&pageToken={next}"),
            Some(&at),
        )
        .json();
    assert_eq!(second["items"].as_array().unwrap().len(), 51);
    assert!(second.get("nextPageToken").is_none());
    let items: Vec<_> = (0..51)
        .map(|i| json!({ "id": format!("extra.{i:04}@group.calendar.google.com") }))
        .collect();
    let fb = c
        .post_json(
            &format!("{CAL}/freeBusy"),
            Some(&at),
            &json!({ "timeMin": "2030-01-07T00:00:00Z", "timeMax": "2030-01-08T00:00:00Z",
                     "items": items }),
        )
        .json();
    let last = &fb["calendars"]["extra.0050@group.calendar.google.com"];
    assert_eq!(last["errors"][0]["reason"], "tooManyCalendarsRequested");
    assert!(fb["calendars"]["extra.0049@group.calendar.google.com"]["errors"].is_null());
}

#[test]
fn google_conferences_can_stay_pending_for_one_account_only() {
    let (_srv, c) = start();
    c.control(
        "google/conference-pending",
        json!({ "email": "slow@example.com", "reads": 2 }),
    );
    for (email, first) in [
        ("slow@example.com", "pending"),
        ("fast@example.com", "success"),
    ] {
        let at = s(&google_login(&c, email), "/access_token").to_string();
        let r = c.post_json(
            &format!("{CAL}/calendars/primary/events?conferenceDataVersion=1"),
            Some(&at),
            &json!({ "start": { "dateTime": "2030-01-07T10:00:00Z" },
                     "end": { "dateTime": "2030-01-07T10:30:00Z" },
                     "conferenceData": { "createRequest": { "requestId": format!("r-{email}"),
                         "conferenceSolutionKey": { "type": "hangoutsMeet" } } } }),
        );
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(
            r.json()["conferenceData"]["createRequest"]["status"]["statusCode"],
            first,
            "{email}"
        );
    }
}

#[test]
fn graph_teams_links_can_come_late_and_calendars_are_listed_and_read_one_by_one() {
    let (_srv, c) = start();
    c.control(
        "microsoft/online-meeting-late",
        json!({ "email": "late@example.com", "reads": 2 }),
    );
    let at = s(&microsoft_login(&c, "late@example.com"), "/access_token").to_string();
    let r = c.post_json(
        &format!("{GRAPH}/me/events"),
        Some(&at),
        &json!({ "subject": "S", "isOnlineMeeting": true, "onlineMeetingProvider": "teamsForBusiness",
                 "start": { "dateTime": "2030-01-07T10:00:00", "timeZone": "UTC" },
                 "end": { "dateTime": "2030-01-07T10:30:00", "timeZone": "UTC" } }),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    assert!(r.json()["onlineMeeting"].is_null());
    assert_eq!(r.json()["isOnlineMeeting"], true);
    let path = format!("{GRAPH}/me/events/{}", s(&r.json(), "/id"));
    assert!(c.get(&path, Some(&at)).json()["onlineMeeting"].is_null());
    let filled = c.get(&path, Some(&at)).json();
    assert!(s(&filled, "/onlineMeeting/joinUrl").starts_with("https://teams.microsoft.com/"));

    c.control(
        "microsoft/calendars",
        json!({ "email": "late@example.com", "count": 12, "prefix": "Team" }),
    );
    c.control(
        "microsoft/busy",
        json!({ "email": "late@example.com", "calendar_id": "AAMkADTeam0011AAA=",
                "busy": [{ "start": "2030-01-07T12:00:00Z", "end": "2030-01-07T13:00:00Z" }] }),
    );
    let page = c.get(&format!("{GRAPH}/me/calendars"), Some(&at)).json();
    assert_eq!(page["value"].as_array().unwrap().len(), 10);
    assert_eq!(page["value"][0]["isDefaultCalendar"], true);
    let next = s(&page, "/@odata.nextLink").to_string();
    let rest = next.split("/microsoft/").nth(1).unwrap();
    let more = c.get(&format!("/microsoft/{rest}"), Some(&at)).json();
    assert_eq!(more["value"].as_array().unwrap().len(), 3);
    let view = c
        .get(
            &format!(
                "{GRAPH}/me/calendars/AAMkADTeam0011AAA%3D/calendarView?startDateTime=2030-01-07T00:00:00Z&endDateTime=2030-01-08T00:00:00Z"
            ),
            Some(&at),
        )
        .json();
    let items = view["value"].as_array().unwrap();
    assert_eq!(items.len(), 1, "only that calendar's entries: {view}");
    assert_eq!(items[0]["start"]["dateTime"], "2030-01-07T12:00:00.0000000");
}

#[test]
fn unknown_field_names_are_refused_as_google_and_graph_refuse_them() {
    let (_srv, c) = start();
    let at = s(&google_login(&c, "typo@example.com"), "/access_token").to_string();
    let r = c.post_json(
        &format!("{CAL}/calendars/primary/events"),
        Some(&at),
        &json!({ "summery": "typo", "start": { "dateTime": "2030-01-07T10:00:00Z" },
                 "end": { "dateTime": "2030-01-07T10:30:00Z" } }),
    );
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.json()["error"]["status"], "INVALID_ARGUMENT");
    assert!(s(&r.json(), "/error/message").contains("Unknown name \"summery\""));
    let at = s(&microsoft_login(&c, "typo@example.com"), "/access_token").to_string();
    let r = c.post_json(
        &format!("{GRAPH}/me/events"),
        Some(&at),
        &json!({ "subjekt": "typo", "start": { "dateTime": "2030-01-07T10:00:00", "timeZone": "UTC" },
                 "end": { "dateTime": "2030-01-07T10:30:00", "timeZone": "UTC" } }),
    );
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.json()["error"]["code"], "RequestBodyRead");
}
