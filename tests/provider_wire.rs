//! The calendar wire layer against the local fakes: every request built by
//! `openslot::providers::calendar` is sent over real HTTP (ureq) to `openslot-fakes`, which
//! follows the providers' documented wire formats, and the answers go through our parsers.
//! Access tokens come from the fakes' own OAuth endpoints (authorize + PKCE code exchange).

#[path = "support/wire_http.rs"]
mod wire_http;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use oauth2::AccessToken;
use openslot::config::ServiceUrls;
use openslot::core::availability::Interval;
use openslot::core::types::{Email, PersonName, TimeZoneName};
use openslot::providers::calendar::microsoft::BlockingShowAs;
use openslot::providers::calendar::own_meetings::MeetingSearch;
use openslot::providers::calendar::{
    google, microsoft, zoom, ApiError, Attendee, BookingKey, Conference, ConferenceStatus, Deleted,
    NewEvent,
};
use openslot_fakes::FakeServer;
use serde_json::{json, Value};
use sha2::Digest;
use wire_http::{agent, send};

const REDIRECT: &str = "http://127.0.0.1/callback";

fn urls(base: &str) -> ServiceUrls {
    ServiceUrls {
        google_accounts: format!("{base}/google/accounts"),
        google_oauth2: format!("{base}/google/oauth2"),
        google_openid: format!("{base}/google/openidconnect"),
        google_api: format!("{base}/google/api"),
        microsoft_login: format!("{base}/microsoft/login"),
        microsoft_graph: format!("{base}/microsoft/graph"),
        zoom_oauth: format!("{base}/zoom"),
        zoom_api: format!("{base}/zoom/api"),
        email_api: format!("{base}/email/resend"),
    }
}

/// A `/_fake/` control call.
fn control(base: &str, path: &str, body: Value) -> Value {
    agent()
        .post(&format!("{base}/_fake/{path}"))
        .send_json(body)
        .expect("control call")
        .into_json()
        .expect("control JSON")
}

/// An access token for `email` with `scope`, the way a connecting host gets one: authorize
/// (PKCE S256, `login_hint`), then the code exchange at the provider's token endpoint.
fn access_token(base: &str, provider: &str, scope: &str, email: &str) -> AccessToken {
    let verifier = "v".repeat(64);
    let challenge = URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()));
    let (authorize, token) = match provider {
        "google" => (
            format!("{base}/google/accounts/o/oauth2/v2/auth"),
            format!("{base}/google/oauth2/token"),
        ),
        "microsoft" => (
            format!("{base}/microsoft/login/common/oauth2/v2.0/authorize"),
            format!("{base}/microsoft/login/common/oauth2/v2.0/token"),
        ),
        _ => (
            format!("{base}/zoom/oauth/authorize"),
            format!("{base}/zoom/oauth/token"),
        ),
    };
    let redirect = agent()
        .get(&authorize)
        .query("client_id", "client-1")
        .query("redirect_uri", REDIRECT)
        .query("response_type", "code")
        .query("scope", scope)
        .query("state", "state-1")
        .query("access_type", "offline")
        .query("login_hint", email)
        .query("code_challenge", &challenge)
        .query("code_challenge_method", "S256")
        .call()
        .expect("authorize");
    assert_eq!(redirect.status(), 302, "authorize redirects back");
    let location = redirect.header("location").expect("location").to_owned();
    let code = oauth2::url::Url::parse(&location)
        .expect("redirect URL")
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .expect("code in the redirect");
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
        ("code_verifier", verifier.as_str()),
    ];
    let mut call = agent().post(&token);
    if provider == "zoom" {
        // Zoom takes client credentials only as HTTP Basic.
        let basic = STANDARD.encode("client-1:secret-1");
        call = call.set("Authorization", &format!("Basic {basic}"));
    } else {
        form.extend([("client_id", "client-1"), ("client_secret", "secret-1")]);
    }
    let answer: Value = call
        .send_form(&form)
        .expect("token exchange")
        .into_json()
        .expect("token JSON");
    AccessToken::new(
        answer["access_token"]
            .as_str()
            .expect("access_token")
            .to_owned(),
    )
}

fn at(text: &str) -> chrono::DateTime<chrono::Utc> {
    text.parse().expect("instant")
}

fn interval(start: &str, end: &str) -> Interval {
    Interval::new(at(start), at(end)).expect("interval")
}

fn march() -> Interval {
    interval("2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z")
}

fn new_event(key: &str, conference: Conference) -> NewEvent {
    NewEvent {
        key: BookingKey::parse(key).expect("key"),
        title: "Intro call".into(),
        description: "Booked with Openslot.".into(),
        when: interval("2026-04-06T09:00:00Z", "2026-04-06T09:30:00Z"),
        host_zone: TimeZoneName::parse("Europe/Berlin").expect("zone"),
        attendee: Attendee {
            email: Email::parse("invitee@example.org").expect("email"),
            name: PersonName::parse("Ivo Invitee").expect("name"),
        },
        conference,
        location: None,
    }
}

#[test]
fn google_free_busy_reads_every_checked_calendar_in_one_request() {
    let fakes = FakeServer::start("127.0.0.1:0").expect("fakes");
    let base = fakes.url();
    let urls = urls(&base);
    let host = "gina@example.com";
    let team = "team#1@group.calendar.google.com";
    let token = access_token(
        &base,
        "google",
        "openid email https://www.googleapis.com/auth/calendar.freebusy",
        host,
    );
    control(
        &base,
        "google/busy",
        json!({ "email": host, "busy": [
            { "start": "2026-03-02T09:00:00Z", "end": "2026-03-02T10:00:00Z" },
        ]}),
    );
    control(
        &base,
        "google/busy",
        json!({ "email": host, "calendar_id": team, "busy": [
            { "start": "2026-03-03T14:00:00+01:00", "end": "2026-03-03T15:00:00+01:00" },
        ]}),
    );
    control(&base, "privacy", json!({ "enabled": true }));

    let ids = [host, team];
    let answer = send(google::free_busy(&urls, &token, march(), &ids).unwrap());
    assert_eq!(
        google::parse_free_busy(&answer, &ids).unwrap(),
        vec![
            interval("2026-03-02T09:00:00Z", "2026-03-02T10:00:00Z"),
            interval("2026-03-03T13:00:00Z", "2026-03-03T14:00:00Z"),
        ]
    );

    // A calendar the account cannot see fails the whole read.
    let ids = [host, "nobody@example.com"];
    let answer = send(google::free_busy(&urls, &token, march(), &ids).unwrap());
    assert_eq!(
        google::parse_free_busy(&answer, &ids),
        Err(ApiError::Rejected {
            status: 200,
            code: "notFound".into()
        })
    );

    // Injected failures come back classified, with Retry-After.
    let ids = [host];
    control(
        &base,
        "fail",
        json!({ "path_prefix": "/google/api/calendar/v3/freeBusy", "status": 429, "retry_after": 7 }),
    );
    let answer = send(google::free_busy(&urls, &token, march(), &ids).unwrap());
    assert_eq!(
        google::parse_free_busy(&answer, &ids),
        Err(ApiError::RateLimited {
            retry_after: Some(7)
        })
    );
    control(
        &base,
        "fail",
        json!({ "path_prefix": "/google/api/calendar/v3/freeBusy", "status": 503 }),
    );
    let answer = send(google::free_busy(&urls, &token, march(), &ids).unwrap());
    assert_eq!(
        google::parse_free_busy(&answer, &ids),
        Err(ApiError::Unavailable {
            status: 503,
            retry_after: None
        })
    );
    let stranger = AccessToken::new("ya29.not-issued".into());
    let answer = send(google::free_busy(&urls, &stranger, march(), &ids).unwrap());
    assert_eq!(
        google::parse_free_busy(&answer, &ids),
        Err(ApiError::Unauthorized)
    );
}

#[test]
fn google_events_get_meet_links_and_retries_never_make_a_second_event() {
    let fakes = FakeServer::start("127.0.0.1:0").expect("fakes");
    let base = fakes.url();
    let urls = urls(&base);
    let host = "gina@example.com";
    let token = access_token(
        &base,
        "google",
        "openid email https://www.googleapis.com/auth/calendar.events.owned",
        host,
    );
    let send_updates = google::SendUpdates::All;
    // An insert as the Worker sends it: the event under its booking key.
    let insert = |calendar: &str, event: &NewEvent| {
        send(
            google::insert_event_as(
                &urls,
                &token,
                calendar,
                event,
                google::event_id(event),
                send_updates,
            )
            .unwrap(),
        )
    };

    // Meet creation answers pending first; reading the event again gives the link.
    control(&base, "google/conference-pending", json!({ "reads": 1 }));
    let meet = new_event("aaaaaaaaaaaaaaaa0000000000000001", Conference::GoogleMeet);
    let answer = insert(host, &meet);
    let created = google::parse_event(&answer).unwrap();
    assert_eq!(created.event_id, meet.key.as_str());
    assert_eq!(created.conference, ConferenceStatus::Pending);
    assert_eq!(created.meeting_url, None);
    let answer = send(google::get_event(&urls, &token, host, &created.event_id).unwrap());
    let ready = google::parse_event(&answer).unwrap();
    assert_eq!(ready.conference, ConferenceStatus::Ready);
    let link = ready.meeting_url.clone().expect("Meet link");
    assert!(link.starts_with("https://meet.google.com/"), "{link}");

    // The fakes answer a repeated Meet requestId with the event already made.
    let answer = insert(host, &meet);
    assert_eq!(google::parse_event(&answer).unwrap(), ready);

    // Without a conference, the repeated id is a 409; reading it back recovers the event. The
    // calendar id has '#' and '@', so the path encoding is exercised too.
    let team = "team#1@group.calendar.google.com";
    control(
        &base,
        "google/busy",
        json!({ "email": host, "calendar_id": team, "busy": [] }),
    );
    let plain = new_event("aaaaaaaaaaaaaaaa0000000000000002", Conference::None);
    let answer = insert(team, &plain);
    let first = google::parse_event(&answer).unwrap();
    assert_eq!(first.conference, ConferenceStatus::NotRequested);
    let answer = insert(team, &plain);
    assert_eq!(google::parse_event(&answer), Err(ApiError::Conflict));
    let answer = send(google::get_event(&urls, &token, team, google::event_id(&plain)).unwrap());
    assert_eq!(google::parse_event(&answer).unwrap(), first);
    let events = agent()
        .get(&format!("{base}/_fake/events"))
        .call()
        .unwrap()
        .into_json::<Value>()
        .unwrap();
    assert_eq!(
        events.as_array().map(Vec::len),
        Some(2),
        "one event per booking"
    );
    let stored = &events[0]["body"];
    assert_eq!(stored["attendees"][0]["email"], "invitee@example.org");
    assert_eq!(stored["reminders"], json!({ "useDefault": true }));

    // Move, then delete twice: the second delete finds it already gone.
    let later = interval("2026-04-07T09:00:00Z", "2026-04-07T09:30:00Z");
    let zone = TimeZoneName::parse("Europe/Berlin").unwrap();
    let answer = send(
        google::move_event(
            &urls,
            &token,
            host,
            &ready.event_id,
            later,
            zone,
            send_updates,
        )
        .unwrap(),
    );
    assert_eq!(
        google::parse_event(&answer).unwrap().event_id,
        ready.event_id
    );
    let delete = || google::delete_event(&urls, &token, host, &ready.event_id, send_updates);
    assert_eq!(
        google::parse_deleted(&send(delete().unwrap())),
        Ok(Deleted::Now)
    );
    assert_eq!(
        google::parse_deleted(&send(delete().unwrap())),
        Ok(Deleted::AlreadyGone)
    );
    let answer = send(google::get_event(&urls, &token, host, &ready.event_id).unwrap());
    assert!(google::parse_event(&answer).unwrap().cancelled);
}

#[test]
fn graph_calendar_view_pages_and_honours_show_as() {
    let fakes = FakeServer::start("127.0.0.1:0").expect("fakes");
    let base = fakes.url();
    let urls = urls(&base);
    let host = "max@contoso.example";
    let token = access_token(
        &base,
        "microsoft",
        "openid email offline_access Calendars.ReadWrite",
        host,
    );
    // 502 hourly events from 2026-03-01 00:00Z: more than one page of 500.
    let start = at("2026-03-01T00:00:00Z");
    let busy: Vec<Value> = (0..502)
        .map(|i| {
            let s = start + chrono::TimeDelta::hours(i);
            let show_as = match i {
                0 => "free",
                1 => "tentative",
                _ => "busy",
            };
            json!({
                "start": s.to_rfc3339(),
                "end": (s + chrono::TimeDelta::minutes(10)).to_rfc3339(),
                "show_as": show_as,
            })
        })
        .collect();
    control(
        &base,
        "microsoft/busy",
        json!({ "email": host, "busy": busy }),
    );
    control(&base, "privacy", json!({ "enabled": true }));

    let mut all = Vec::new();
    let mut request = microsoft::calendar_view(&urls, &token, march()).unwrap();
    let mut pages = 0;
    loop {
        pages += 1;
        let answer = send(request);
        let page = microsoft::parse_calendar_view(&answer, BlockingShowAs::default()).unwrap();
        all.extend(page.busy);
        match page.next_link {
            Some(link) => request = microsoft::calendar_view_next(&urls, &token, &link).unwrap(),
            None => break,
        }
    }
    assert_eq!(pages, 2);
    assert_eq!(all.len(), 501, "every event but the free one blocks");
    assert_eq!(
        all[0],
        interval("2026-03-01T01:00:00Z", "2026-03-01T01:10:00Z")
    );

    let only_busy = BlockingShowAs::parse("busy").unwrap();
    let answer = send(microsoft::calendar_view(&urls, &token, march()).unwrap());
    let page = microsoft::parse_calendar_view(&answer, only_busy).unwrap();
    assert_eq!(
        page.busy.len(),
        498,
        "first page without free and tentative"
    );

    control(
        &base,
        "fail",
        json!({ "path_prefix": "/microsoft/graph/v1.0/me/calendarView", "status": 429, "retry_after": 3 }),
    );
    let answer = send(microsoft::calendar_view(&urls, &token, march()).unwrap());
    assert_eq!(
        microsoft::parse_calendar_view(&answer, only_busy),
        Err(ApiError::RateLimited {
            retry_after: Some(3)
        })
    );
}

#[test]
fn graph_events_get_teams_links_and_are_created_once() {
    let fakes = FakeServer::start("127.0.0.1:0").expect("fakes");
    let base = fakes.url();
    let urls = urls(&base);
    let host = "max@contoso.example";
    let token = access_token(
        &base,
        "microsoft",
        "openid email offline_access Calendars.ReadWrite",
        host,
    );
    let event = new_event("bbbbbbbbbbbbbbbb0000000000000001", Conference::TeamsMeeting);
    let answer = send(microsoft::create_event(&urls, &token, &event, None).unwrap());
    assert_eq!(answer.status(), 201);
    let created = microsoft::parse_event(&answer, true).unwrap();
    assert_eq!(created.conference, ConferenceStatus::Ready);
    let link = created.meeting_url.clone().expect("Teams link");
    assert!(link.starts_with("https://teams.microsoft.com/"), "{link}");

    // The same transactionId gives back the same event.
    let answer = send(microsoft::create_event(&urls, &token, &event, None).unwrap());
    assert_eq!(microsoft::parse_event(&answer, true).unwrap(), created);
    let answer = send(microsoft::get_event(&urls, &token, &created.event_id).unwrap());
    assert_eq!(microsoft::parse_event(&answer, true).unwrap(), created);

    let later = interval("2026-04-07T09:00:00Z", "2026-04-07T09:30:00Z");
    let answer = send(microsoft::move_event(&urls, &token, &created.event_id, later).unwrap());
    assert_eq!(microsoft::parse_moved(&answer), Ok(()));
    let answer = send(
        microsoft::calendar_view(
            &urls,
            &token,
            interval("2026-04-07T00:00:00Z", "2026-04-08T00:00:00Z"),
        )
        .unwrap(),
    );
    let page = microsoft::parse_calendar_view(&answer, BlockingShowAs::default()).unwrap();
    assert_eq!(
        page.busy,
        vec![later],
        "the moved event blocks its new time"
    );

    let delete = || microsoft::delete_event(&urls, &token, &created.event_id);
    assert_eq!(
        microsoft::parse_deleted(&send(delete().unwrap())),
        Ok(Deleted::Now)
    );
    assert_eq!(
        microsoft::parse_deleted(&send(delete().unwrap())),
        Ok(Deleted::AlreadyGone)
    );
}

#[test]
fn zoom_meetings_are_created_found_again_moved_and_deleted() {
    let fakes = FakeServer::start("127.0.0.1:0").expect("fakes");
    let base = fakes.url();
    let urls = urls(&base);
    let token = access_token(&base, "zoom", "meeting:write", "zed@example.com");
    // Upcoming: Zoom's `type=upcoming` lists only meetings not over yet.
    let mut event = new_event("cccccccccccccccc0000000000000001", Conference::None);
    event.when = interval("2099-04-06T09:00:00Z", "2099-04-06T09:30:00Z");
    // A long description: list answers cut agendas to 250 characters, the marker leads.
    event.description = "Notes. ".repeat(100);
    let answer = send(zoom::create_meeting(&urls, &token, &event).unwrap());
    assert_eq!(answer.status(), 201);
    let meeting = zoom::parse_meeting(&answer).unwrap();
    assert!(
        meeting.join_url.starts_with("https://"),
        "{}",
        meeting.join_url
    );

    // After a lost answer, the list finds the meeting by the marker in its agenda.
    let answer = send(zoom::list_upcoming(&urls, &token, None).unwrap());
    assert_eq!(
        zoom::find_meeting(&answer, &event.key).unwrap(),
        MeetingSearch::Found(meeting.clone())
    );
    let other = BookingKey::parse("dddddddddddddddd0000000000000001").unwrap();
    assert_eq!(
        zoom::find_meeting(&answer, &other).unwrap(),
        MeetingSearch::Absent
    );

    let later = interval("2026-04-07T09:00:00Z", "2026-04-07T10:00:00Z");
    let zone = TimeZoneName::parse("Europe/Berlin").unwrap();
    let answer = send(zoom::move_meeting(&urls, &token, &meeting.meeting_id, later, zone).unwrap());
    assert_eq!(zoom::parse_moved(&answer), Ok(()));
    let stored = agent()
        .get(&format!("{base}/_fake/meetings"))
        .call()
        .unwrap()
        .into_json::<Value>()
        .unwrap();
    assert_eq!(stored[0]["body"]["start_time"], "2026-04-07T09:00:00Z");
    assert_eq!(stored[0]["body"]["duration"], 60);
    assert_eq!(stored[0]["body"]["settings"]["waiting_room"], true);
    assert_eq!(stored[0]["body"]["settings"]["join_before_host"], false);

    let delete = || zoom::delete_meeting(&urls, &token, &meeting.meeting_id);
    assert_eq!(
        zoom::parse_deleted(&send(delete().unwrap())),
        Ok(Deleted::Now)
    );
    assert_eq!(
        zoom::parse_deleted(&send(delete().unwrap())),
        Ok(Deleted::AlreadyGone)
    );
    let answer = send(zoom::list_upcoming(&urls, &token, None).unwrap());
    assert_eq!(
        zoom::find_meeting(&answer, &event.key).unwrap(),
        MeetingSearch::Absent
    );
}

/// Google's calendarList pages (250 a page at most): following `nextPageToken` lists every
/// calendar; freeBusy takes 50 calendars per request and says `tooManyCalendarsRequested`
/// past that, which is why the builder refuses a longer list.
#[test]
fn google_calendar_lists_are_read_page_by_page_and_free_busy_takes_50_at_a_time() {
    let fakes = FakeServer::start("127.0.0.1:0").expect("fakes");
    let base = fakes.url();
    let urls = urls(&base);
    let host = "paula@example.com";
    let token = access_token(
        &base,
        "google",
        "openid email https://www.googleapis.com/auth/calendar.calendarlist.readonly \
         https://www.googleapis.com/auth/calendar.freebusy",
        host,
    );
    control(
        &base,
        "google/calendars",
        json!({ "email": host, "count": 300 }),
    );
    let mut all = Vec::new();
    let mut page: Option<String> = None;
    loop {
        let answer = send(google::calendar_list_page(&urls, &token, page.as_deref()).unwrap());
        let (mut calendars, next) = google::parse_calendar_list_page(&answer).unwrap();
        all.append(&mut calendars);
        match next {
            Some(next) => page = Some(next),
            None => break,
        }
    }
    assert_eq!(all.len(), 301);
    assert!(all
        .iter()
        .any(|c| c.id == "extra.0299@group.calendar.google.com"));
    let ids: Vec<String> = all.iter().take(51).map(|c| c.id.clone()).collect();
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    assert!(google::free_busy(&urls, &token, march(), &ids).is_err());
    let answer = send(google::free_busy(&urls, &token, march(), &ids[..50]).unwrap());
    assert_eq!(google::parse_free_busy(&answer, &ids[..50]), Ok(vec![]));
}
