//! Connected calendars at work, against the provider fakes: busy times hide slots, a booking
//! makes exactly one event with its meeting link and the invitee, cancelling removes it, and
//! a revoked grant or an unreachable provider never leads to wrong slots.

use chrono::{Days, Utc};
use serde_json::{json, Value};

use crate::connections::connect;
use crate::sign_in::sign_in_seeded;
use crate::sign_in::{csrf_of, fake_account, location};
use crate::support::browser::Browser;
use crate::support::http::{get, post_form, post_json, query};
use crate::support::kv;
use crate::support::seed::{sql, EVERY_DAY};
use crate::support::world::world;
use crate::support::{EventSeed, HostSeed, SeededHost};

/// A host in UTC, free all day, with a 30-minute `call` at `location_kind`, signed in and
/// connected to each of `providers` at the fakes.
pub(crate) struct CalendarHost {
    pub host: SeededHost,
    pub email: String,
    pub browser: Browser,
}

pub(crate) fn calendar_host(name: &str, location_kind: &str, providers: &[&str]) -> CalendarHost {
    let host = HostSeed::new(name, "UTC")
        .hours(EVERY_DAY, 0, 1440)
        .event(EventSeed::new("call", 30))
        .create();
    sql(&format!(
        "UPDATE event_types SET location_kind = '{location_kind}' WHERE host_id = '{}'",
        host.id
    ));
    let (email, browser) = sign_in_seeded(&host, name);
    for provider in providers {
        fake_account(provider, &email, name);
        connect(&browser, provider, &email);
    }
    CalendarHost {
        host,
        email,
        browser,
    }
}

fn fakes(path: &str) -> String {
    format!("{}{path}", world().fakes_url)
}

pub(crate) fn day() -> String {
    (Utc::now().date_naive() + Days::new(4)).to_string()
}

pub(crate) fn at(time: &str) -> String {
    format!("{}T{time}:00Z", day())
}

/// The starts offered on `day()` between 08:00 and 14:00.
pub(crate) fn offered(host: &SeededHost) -> Result<Vec<String>, (u16, String)> {
    let q = query(&[
        ("host", &host.slug),
        ("event", "call"),
        ("start", &at("08:00")),
        ("end", &at("14:00")),
    ]);
    let reply = get(&format!("/api/v1/slots?{q}"));
    if reply.status != 200 {
        return Err((reply.status, reply.body));
    }
    Ok(reply.json()["days"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["slots"].as_array().cloned().unwrap_or_default())
        .map(|s| s["start"].as_str().unwrap().to_owned())
        .collect())
}

pub(crate) fn set_busy(provider: &str, email: &str, busy: Value) {
    let reply = post_json(
        &fakes(&format!("/_fake/{provider}/busy")),
        &json!({ "email": email, "busy": busy }),
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
}

/// Injects a failure into the calls made with `email`'s tokens only, so tests running at the
/// same time never take each other's failures.
fn fail(email: &str, mut rule: Value) {
    rule["account"] = json!(email);
    let reply = post_json(&fakes("/_fake/fail"), &rule);
    assert_eq!(reply.status, 200, "{}", reply.body);
}

/// Books `time` through the JSON API and lets the cron trigger run, as it does within the
/// minute: the request only books, the cron run makes the event and meeting.
fn book(host: &SeededHost, time: &str, invitee: &str) -> (u16, Value) {
    let booked = post_booking(host, time, invitee);
    if booked.0 == 201 {
        crate::support::mail::run_cron();
    }
    booked
}

/// The JSON API's booking request alone: its status and body.
fn post_booking(host: &SeededHost, time: &str, invitee: &str) -> (u16, Value) {
    let reply = post_json(
        "/api/v1/bookings",
        &json!({ "host": host.slug, "event": "call", "start": at(time), "name": "Ivy Invitee",
                 "email": invitee, "time_zone": "Europe/Paris" }),
    );
    (reply.status, reply.json())
}

/// The fake's live (not deleted) events of `email`'s calendar at `provider`.
pub(crate) fn live_events(provider: &str, email: &str) -> Vec<Value> {
    get(&fakes("/_fake/events"))
        .json()
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["provider"] == provider && e["email"] == email && e["deleted"] == false)
        .cloned()
        .collect()
}

/// How many Google access tokens the fake has issued to `email` (exchange and refreshes).
fn issued_access_tokens(email: &str) -> usize {
    get(&fakes("/_fake/state")).json()["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["provider"] == "google" && t["email"] == email)
        .count()
}

fn live_meetings(email: &str) -> Vec<Value> {
    get(&fakes("/_fake/meetings"))
        .json()
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["email"] == email && m["deleted"] == false)
        .cloned()
        .collect()
}

fn cancel(manage_url: &str) {
    let done = post_form(&format!("{manage_url}/cancel"), &[("reason", "")]);
    assert_eq!(done.status, 303, "{}", done.body);
}

#[test]
fn busy_times_in_google_and_outlook_hide_the_slots_they_cover() {
    let google = calendar_host("Busy Google", "none", &["google"]);
    assert!(offered(&google.host).unwrap().contains(&at("10:00")));
    set_busy(
        "google",
        &google.email,
        json!([{ "start": at("10:00"), "end": at("11:00") }]),
    );
    let slots = offered(&google.host).unwrap();
    assert!(
        !slots.contains(&at("10:00")) && !slots.contains(&at("10:30")),
        "{slots:?}"
    );
    assert!(
        slots.contains(&at("09:30")) && slots.contains(&at("11:00")),
        "{slots:?}"
    );

    let outlook = calendar_host("Busy Outlook", "none", &["microsoft"]);
    set_busy(
        "microsoft",
        &outlook.email,
        json!([
            { "start": at("09:00"), "end": at("09:30"), "show_as": "tentative" },
            { "start": at("12:00"), "end": at("12:30"), "show_as": "free" },
            { "start": at("13:00"), "end": at("13:30"), "show_as": "oof" },
        ]),
    );
    let slots = offered(&outlook.host).unwrap();
    assert!(
        !slots.contains(&at("09:00")),
        "tentative blocks by default: {slots:?}"
    );
    assert!(slots.contains(&at("12:00")), "free never blocks: {slots:?}");
    assert!(!slots.contains(&at("13:00")), "{slots:?}");

    // The host lets tentative entries through.
    let page = outlook.browser.get("/dashboard/connections");
    let saved = outlook.browser.post_form(
        "/dashboard/connections/microsoft/settings",
        &[
            ("csrf", &csrf_of(&page)),
            ("show_as", "busy"),
            ("show_as", "oof"),
            ("when_unreadable", "stop"),
        ],
        &[],
    );
    assert_eq!(location(&saved), "/dashboard/connections?done=saved");
    let slots = offered(&outlook.host).unwrap();
    assert!(slots.contains(&at("09:00")), "{slots:?}");
    assert!(!slots.contains(&at("13:00")), "{slots:?}");
}

#[test]
fn one_busy_read_per_calendar_account_and_the_access_token_is_reused() {
    let host = calendar_host("Token Reuse", "none", &["google"]);
    let count = |path: &str| {
        get(&fakes("/_fake/requests"))
            .json()
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["path"].as_str().unwrap_or("").ends_with(path))
            .filter(|r| r["account"] == host.email.as_str())
            .count()
    };
    let (reads, tokens) = (count("/freeBusy"), count("/google/oauth2/token"));
    offered(&host.host).unwrap();
    offered(&host.host).unwrap();
    assert_eq!(
        count("/freeBusy") - reads,
        2,
        "one freeBusy per slots request"
    );
    assert_eq!(
        count("/google/oauth2/token") - tokens,
        0,
        "no refresh while the token lives"
    );
}

#[test]
fn a_slot_filled_in_the_calendar_a_moment_ago_is_refused_with_409() {
    let host = calendar_host("Recheck", "none", &["google"]);
    assert!(offered(&host.host).unwrap().contains(&at("11:00")));
    set_busy(
        "google",
        &host.email,
        json!([{ "start": at("11:00"), "end": at("11:30") }]),
    );
    let (status, body) = book(&host.host, "11:00", "late.recheck@example.com");
    assert_eq!(status, 409, "{body}");
    assert_eq!(
        sql(&format!(
            "SELECT id FROM bookings WHERE host_id = '{}'",
            host.host.id
        ))
        .len(),
        0
    );
}

#[test]
fn a_google_meet_booking_makes_one_event_with_its_link_even_when_the_first_insert_fails() {
    let host = calendar_host("Meet Host", "google_meet", &["google"]);
    fail(
        &host.email,
        json!({ "path_prefix": "/google/api/calendar/v3/calendars/", "method": "POST",
                 "status": 500, "count": 1 }),
    );
    let invitee = "meet.invitee@example.com";
    let (status, body) = book(&host.host, "10:00", invitee);
    assert_eq!(status, 201, "{body}");
    let events = live_events("google", &host.email);
    assert_eq!(events.len(), 1, "{events:?}");
    // Openslot sends its own invitation; Google stays silent unless the host asks.
    assert_eq!(events[0]["send_updates"], json!(["none"]));
    let event = &events[0]["body"];
    let attendees = event["attendees"].to_string();
    assert!(attendees.contains(invitee), "{attendees}");
    assert_eq!(
        event["start"]["dateTime"]
            .as_str()
            .map(|s| s.starts_with(&day())),
        Some(true)
    );
    // The confirmation page shows the Meet link the provider made.
    let manage_url = body["booking"]["manage_url"].as_str().unwrap().to_owned();
    let page = get(&manage_url);
    let meet = events[0]["meet_code"].as_str().expect("a Meet code");
    assert!(page.body.contains(meet), "{}", page.body);
    assert!(page.body.contains("Join the meeting"));
    // And the host's bookings page.
    let bookings = host.browser.get("/dashboard/bookings");
    assert!(bookings.body.contains(meet), "{}", bookings.body);
    // So do both emails, and the invitation's LOCATION.
    use crate::support::mail::{emails_to, ics_attachment, wait_for_emails};
    // The confirmation carries the link; if another test's cron sent it while the first insert
    // was failing, the late-link email (the same composer) carries it instead.
    // The booking request made the event; its emails go with the next cron run.
    crate::support::mail::run_cron();
    wait_for_emails(invitee, "Booked:", 1);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let confirmation = loop {
        let with_link: Vec<_> = emails_to(invitee)
            .into_iter()
            .filter(|e| e.to_string().contains(meet))
            .collect();
        if !with_link.is_empty() || std::time::Instant::now() > deadline {
            break with_link;
        }
        crate::support::mail::run_cron();
        std::thread::sleep(std::time::Duration::from_millis(300));
    };
    assert!(
        !confirmation.is_empty(),
        "no email to the invitee carries the Meet link"
    );
    let (_, ics) = ics_attachment(&confirmation[0]);
    let unfolded = ics.replace("\r\n ", "");
    assert!(
        unfolded.contains("LOCATION:https://meet.google.com/") && unfolded.contains(meet),
        "{unfolded}"
    );
    assert!(confirmation[0].to_string().contains(meet));
    let notification = wait_for_emails(&host.email, "New booking", 1);
    assert!(notification[0].to_string().contains(meet));
    // The new event now counts as busy, and D1 says so too.
    assert!(!offered(&host.host).unwrap().contains(&at("10:00")));

    cancel(&manage_url);
    assert!(live_events("google", &host.email).is_empty());
    let rows = sql(&format!(
        "SELECT c.state FROM booking_calendar c JOIN bookings b ON b.id = c.booking_id \
         WHERE b.host_id = '{}'",
        host.host.id
    ));
    assert_eq!(rows[0]["state"], "removed");
}

#[test]
fn a_teams_booking_makes_one_outlook_event_with_the_teams_link_and_cancelling_removes_it() {
    let host = calendar_host("Teams Host", "microsoft_teams", &["microsoft"]);
    fail(
        &host.email,
        json!({ "path_prefix": "/microsoft/graph/v1.0/me/events", "method": "POST",
                 "status": 503, "count": 1, "retry_after": 1 }),
    );
    let invitee = "teams.invitee@example.com";
    let (status, body) = book(&host.host, "12:00", invitee);
    assert_eq!(status, 201, "{body}");
    let events = live_events("microsoft", &host.email);
    assert_eq!(events.len(), 1, "{events:?}");
    let event = &events[0]["body"];
    assert!(event["attendees"].to_string().contains(invitee));
    let join = event["onlineMeeting"]["joinUrl"]
        .as_str()
        .expect("a Teams link");
    let manage_url = body["booking"]["manage_url"].as_str().unwrap().to_owned();
    assert!(get(&manage_url).body.contains(join));
    cancel(&manage_url);
    assert!(live_events("microsoft", &host.email).is_empty());
}

#[test]
fn a_zoom_booking_makes_one_meeting_and_one_calendar_event_carrying_its_link() {
    let host = calendar_host("Zoom Host", "zoom", &["google", "zoom"]);
    let invitee = "zoom.invitee@example.com";
    let (status, body) = book(&host.host, "13:00", invitee);
    assert_eq!(status, 201, "{body}");
    let meetings = live_meetings(&host.email);
    assert_eq!(meetings.len(), 1, "{meetings:?}");
    let join = meetings[0]["body"]["join_url"].as_str().unwrap().to_owned();
    let events = live_events("google", &host.email);
    assert_eq!(events.len(), 1);
    assert!(
        events[0]["body"].to_string().contains(&join),
        "{}",
        events[0]["body"]
    );
    let manage_url = body["booking"]["manage_url"].as_str().unwrap().to_owned();
    assert!(get(&manage_url).body.contains(&join));
    cancel(&manage_url);
    assert!(live_meetings(&host.email).is_empty());
    assert!(live_events("google", &host.email).is_empty());
}

#[test]
fn event_creation_that_keeps_failing_is_retried_by_cron_and_the_booking_is_kept() {
    use crate::support::mail::run_cron;
    let host = calendar_host("Retry Host", "google_meet", &["google"]);
    fail(
        &host.email,
        json!({ "path_prefix": "/google/api/calendar/v3/calendars/", "method": "POST",
                 "status": 500, "count": 3 }),
    );
    let (status, body) = book(&host.host, "09:00", "retry.invitee@example.com");
    assert_eq!(status, 201, "{body}");
    assert!(live_events("google", &host.email).is_empty());
    let manage_url = body["booking"]["manage_url"].as_str().unwrap().to_owned();
    let page = get(&manage_url);
    assert!(
        page.body.contains("meeting link is being created"),
        "{}",
        page.body
    );
    // The retry is due a minute later; make it due now and let cron run it.
    sql(&format!(
        "UPDATE booking_calendar SET next_attempt_at = 0 WHERE host_id = '{}'",
        host.host.id
    ));
    run_cron();
    assert_eq!(live_events("google", &host.email).len(), 1);
    assert!(get(&manage_url).body.contains("Join the meeting"));
}

#[test]
fn a_revoked_grant_stops_offering_times_until_the_host_reconnects() {
    let host = calendar_host("Revoked Host", "none", &["google"]);
    let reply = post_json(
        &fakes("/_fake/google/revoke-all"),
        &json!({ "email": host.email }),
    );
    assert_eq!(reply.status, 200);
    let (status, body) = offered(&host.host).unwrap_err();
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("temporarily unavailable"), "{body}");
    let page = get(&format!("/{}/call", host.host.slug));
    assert_eq!(page.status, 503);
    let dashboard = host.browser.get("/dashboard/connections");
    assert!(
        dashboard.body.contains("Needs reconnecting"),
        "{}",
        dashboard.body
    );
    let overview = host.browser.get("/dashboard");
    assert!(
        overview.body.contains("Google Calendar needs reconnecting"),
        "{}",
        overview.body
    );
    let status = sql(&format!(
        "SELECT status FROM connections WHERE host_id = '{}'",
        host.host.id
    ));
    assert_eq!(status[0]["status"], "needs_reconnect");
    // The host chooses to keep offering times without this calendar.
    let saved = host.browser.post_form(
        "/dashboard/connections/google/settings",
        &[
            ("csrf", &csrf_of(&dashboard)),
            ("when_unreadable", "ignore"),
        ],
        &[],
    );
    assert_eq!(location(&saved), "/dashboard/connections?done=saved");
    assert!(offered(&host.host).unwrap().contains(&at("10:00")));
    // Reconnecting makes it work again.
    connect(&host.browser, "google", &host.email);
    let page = host.browser.get("/dashboard/connections");
    assert!(!page.body.contains("Needs reconnecting"), "{}", page.body);
    set_busy(
        "google",
        &host.email,
        json!([{ "start": at("10:00"), "end": at("10:30") }]),
    );
    assert!(!offered(&host.host).unwrap().contains(&at("10:00")));
}

#[test]
fn an_unreachable_calendar_gives_a_clear_503_never_wrong_slots_and_short_waits_are_retried() {
    let host = calendar_host("Flaky Host", "none", &["google"]);
    set_busy(
        "google",
        &host.email,
        json!([{ "start": at("10:00"), "end": at("10:30") }]),
    );
    // One 429 with a short Retry-After is waited out.
    fail(
        &host.email,
        json!({ "path_prefix": "/google/api/calendar/v3/freeBusy", "status": 429,
                 "count": 1, "retry_after": 1 }),
    );
    assert!(!offered(&host.host).unwrap().contains(&at("10:00")));
    // An outage longer than the retries: no slots at all, a clear message.
    fail(
        &host.email,
        json!({ "path_prefix": "/google/api/calendar/v3/freeBusy", "status": 500, "count": 3 }),
    );
    let (status, body) = offered(&host.host).unwrap_err();
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("temporarily unavailable"), "{body}");
    // A long Retry-After is not waited out inside a request.
    fail(
        &host.email,
        json!({ "path_prefix": "/google/api/calendar/v3/freeBusy", "status": 429,
                 "count": 1, "retry_after": 120 }),
    );
    assert_eq!(offered(&host.host).unwrap_err().0, 503);
    // A provider that hangs is cut off: the page answers, and says why.
    fail(
        &host.email,
        json!({ "path_prefix": "/google/api/calendar/v3/freeBusy", "count": 1,
                 "delay_ms": 12_000 }),
    );
    let started = std::time::Instant::now();
    assert_eq!(offered(&host.host).unwrap_err().0, 503);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(11),
        "{:?}",
        started.elapsed()
    );
    // Malformed JSON is an unreadable calendar too.
    fail(
        &host.email,
        json!({ "path_prefix": "/google/api/calendar/v3/freeBusy", "malformed": true, "count": 1 }),
    );
    assert_eq!(offered(&host.host).unwrap_err().0, 503);
    // Recovered.
    assert!(!offered(&host.host).unwrap().contains(&at("10:00")));
}

#[test]
fn a_401_refreshes_once_and_zoom_rotation_keeps_the_grant_across_refreshes() {
    let host = calendar_host("Rotating Host", "zoom", &["google", "zoom"]);
    // The provider answers 401 once (a token revoked on its side): one refresh, one retry.
    let before = issued_access_tokens(&host.email);
    fail(
        &host.email,
        json!({ "path_prefix": "/google/api/calendar/v3/freeBusy", "status": 401, "count": 1 }),
    );
    assert!(offered(&host.host).unwrap().contains(&at("10:00")));
    assert_eq!(issued_access_tokens(&host.email) - before, 1);
    // Zoom hands out a new refresh token on every refresh and kills the old one: two bookings
    // whose cached access token is gone refresh twice, each time with the token stored last.
    let issued_before = crate::connections::issued_refresh_tokens("zoom", &host.email).len();
    for time in ["09:00", "10:30"] {
        kv::delete(&format!("host/{}/access/zoom", host.host.id));
        let invitee = format!("rot{}@example.com", time.replace(':', ""));
        let (status, body) = book(&host.host, time, &invitee);
        assert_eq!(status, 201, "{body}");
    }
    assert_eq!(live_meetings(&host.email).len(), 2);
    assert_eq!(
        crate::connections::issued_refresh_tokens("zoom", &host.email).len() - issued_before,
        2,
        "two rotations"
    );
    let status = sql(&format!(
        "SELECT provider, status FROM connections WHERE host_id = '{}' ORDER BY provider",
        host.host.id
    ));
    assert!(
        status.iter().all(|r| r["status"] == "working"),
        "{status:?}"
    );
}

#[test]
fn the_host_chooses_which_google_calendars_are_checked() {
    let host = calendar_host("Two Calendars", "none", &["google"]);
    let team = "team.two@group.calendar.google.com";
    let reply = post_json(
        &fakes("/_fake/google/busy"),
        &json!({ "email": host.email, "calendar_id": team,
                 "busy": [{ "start": at("10:00"), "end": at("11:00") }] }),
    );
    assert_eq!(reply.status, 200);
    // Only the primary calendar is checked at first.
    assert!(offered(&host.host).unwrap().contains(&at("10:00")));
    let page = host.browser.get("/dashboard/connections");
    assert!(page.body.contains(team), "{}", page.body);
    let primary = host.email.as_str();
    let stranger = host.browser.post_form(
        "/dashboard/connections/google/settings",
        &[
            ("csrf", &csrf_of(&page)),
            ("calendars_listed", "1"),
            ("calendar", "someone-else@example.com"),
        ],
        &[],
    );
    assert_eq!(stranger.status, 400, "{}", stranger.body);
    let saved = host.browser.post_form(
        "/dashboard/connections/google/settings",
        &[
            ("csrf", &csrf_of(&page)),
            ("calendars_listed", "1"),
            ("calendar", primary),
            ("calendar", team),
            ("when_unreadable", "stop"),
        ],
        &[],
    );
    assert_eq!(location(&saved), "/dashboard/connections?done=saved");
    assert!(!offered(&host.host).unwrap().contains(&at("10:00")));
    // The chosen ids (the primary calendar's is the host's address) are kept only sealed
    // under the connection's key (PRIVACY.md P51).
    let row = &sql(&format!(
        "SELECT checked_calendars, calendars_sealed FROM connections \
         WHERE host_id = '{}' AND provider = 'google'",
        host.host.id
    ))[0];
    assert_eq!(row["checked_calendars"], "[]", "{row}");
    assert!(!row.to_string().contains(team) && !row.to_string().contains(primary));
    let opened = crate::support::sealed::open_field(
        &host.host.id,
        "connections",
        "calendars_sealed",
        &format!("{}/google", host.host.id),
        row["calendars_sealed"].as_str().unwrap(),
    )
    .unwrap();
    assert!(
        opened.contains(team) && opened.contains(primary),
        "{opened}"
    );
}

#[test]
fn rescheduling_moves_the_calendar_event_and_the_meeting_instead_of_making_new_ones() {
    let host = calendar_host("Mover Host", "zoom", &["google", "zoom"]);
    let (status, body) = book(&host.host, "09:00", "mover.invitee@example.com");
    assert_eq!(status, 201, "{body}");
    let manage_url = body["booking"]["manage_url"].as_str().unwrap().to_owned();
    let token = manage_url.rsplit('/').next().unwrap();
    let moved = post_json(
        &format!("/api/v1/bookings/{token}/reschedule"),
        &json!({ "start": at("12:00") }),
    );
    assert_eq!(moved.status, 200, "{}", moved.body);
    let events = live_events("google", &host.email);
    assert_eq!(events.len(), 1, "{events:?}");
    assert!(
        events[0]["body"]["start"]["dateTime"]
            .as_str()
            .is_some_and(|t| t.starts_with(&at("12:00")[..16])),
        "{}",
        events[0]["body"]
    );
    let meetings = live_meetings(&host.email);
    assert_eq!(meetings.len(), 1, "{meetings:?}");
    assert!(
        meetings[0]["body"]["start_time"]
            .as_str()
            .is_some_and(|t| t.starts_with(&at("12:00")[..16])),
        "{}",
        meetings[0]["body"]
    );
    // The moved booking's page still shows the same link.
    let new_url = moved.json()["booking"]["manage_url"]
        .as_str()
        .unwrap()
        .to_owned();
    let join = meetings[0]["body"]["join_url"].as_str().unwrap();
    assert!(get(&new_url).body.contains(join));
}

#[test]
fn when_the_calendar_refuses_the_event_for_good_the_booking_stands_and_the_host_is_told() {
    use crate::support::mail::wait_for_emails;
    let host = calendar_host("Refused Host", "google_meet", &["google"]);
    fail(
        &host.email,
        json!({ "path_prefix": "/google/api/calendar/v3/calendars/", "method": "POST",
                 "status": 400, "count": 1 }),
    );
    let (status, body) = book(&host.host, "14:00", "refused.invitee@example.com");
    assert_eq!(status, 201, "{body}");
    assert!(live_events("google", &host.email).is_empty());
    let rows = sql(&format!(
        "SELECT state, last_error FROM booking_calendar WHERE host_id = '{}'",
        host.host.id
    ));
    assert_eq!(rows[0]["state"], "failed", "{rows:?}");
    let bookings = host.browser.get("/dashboard/bookings");
    assert!(
        bookings.body.contains("not in your calendar"),
        "{}",
        bookings.body
    );
    // The booking request made (and lost) the event; its emails go with the next cron run.
    crate::support::mail::run_cron();
    let told = wait_for_emails(&host.email, "Action needed", 1);
    let text = told[0].to_string();
    assert!(text.contains("Ivy Invitee"), "{text}");
    assert!(text.contains("Google Meet"), "{text}");
    assert!(text.contains("/dashboard/connections"), "{text}");
    // The booking itself is untouched.
    let bookings = sql(&format!(
        "SELECT status FROM bookings WHERE host_id = '{}'",
        host.host.id
    ));
    assert_eq!(bookings[0]["status"], "confirmed");
}

/// Two bookings at once, both needing a new Zoom access token. Zoom's refresh tokens are
/// single use, so unguarded one request spends the token the other holds, and the connection
/// looks revoked (checked by hand: without the refresh lease and the retry with the rotated
/// token, this test fails every time; either guard alone passes it). Here one request
/// refreshes, the other uses the new token, both get their meeting and the connection keeps
/// working.
#[test]
fn two_bookings_at_once_share_one_zoom_refresh_and_the_connection_keeps_working() {
    let host = calendar_host("Racing Host", "zoom", &["zoom"]);
    kv::delete(&format!("host/{}/access/zoom", host.host.id));
    let results: Vec<(u16, Value)> = std::thread::scope(|scope| {
        let racers: Vec<_> = [
            ("10:00", "racer.one@example.com"),
            ("12:00", "racer.two@example.com"),
        ]
        .into_iter()
        .map(|(time, invitee)| scope.spawn(|| book(&host.host, time, invitee)))
        .collect();
        racers.into_iter().map(|r| r.join().unwrap()).collect()
    });
    for (status, body) in &results {
        assert_eq!(*status, 201, "{body}");
    }
    assert_eq!(live_meetings(&host.email).len(), 2);
    let rows = sql(&format!(
        "SELECT status FROM connections WHERE host_id = '{}' AND provider = 'zoom'",
        host.host.id
    ));
    assert_ne!(rows[0]["status"], "needs_reconnect", "{rows:?}");
    let states = sql(&format!(
        "SELECT state FROM booking_calendar WHERE host_id = '{}'",
        host.host.id
    ));
    assert!(
        states.len() == 2 && states.iter().all(|s| s["state"] == "created"),
        "{states:?}"
    );
    // The rotated refresh token still works: a later booking refreshes again without trouble.
    kv::delete(&format!("host/{}/access/zoom", host.host.id));
    let (status, body) = book(&host.host, "14:00", "racer.three@example.com");
    assert_eq!(status, 201, "{body}");
    assert_eq!(live_meetings(&host.email).len(), 3);
}

/// Deletes `host`'s account as its owner does: the dashboard button, then the emailed link.
/// Returns the page the link answers with.
fn delete_account(host: &CalendarHost) -> crate::support::http::Reply {
    delete_account_of(&host.browser, &host.email)
}

/// Deletes the account signed in on `browser` as its host would, confirming by the link
/// emailed to `email`; the confirmation's reply.
pub fn delete_account_of(browser: &Browser, email: &str) -> crate::support::http::Reply {
    let page = browser.get("/dashboard/privacy");
    let asked = browser.post_form(
        "/dashboard/privacy/delete",
        &[("csrf", &csrf_of(&page))],
        &[],
    );
    assert_eq!(asked.status, 200, "{}", asked.body);
    let link = crate::support::mail::wait_for_emails(email, "Confirm the deletion", 1);
    let done = post_form(&crate::privacy_rights::confirm_path(&link[0]), &[]);
    assert_eq!(done.status, 200, "{}", done.body);
    done
}

/// [P41] Deleting an account removes the events and meetings of its upcoming bookings at the
/// providers and revokes the Google and Zoom grants before the tokens go.
#[test]
fn deleting_the_account_removes_upcoming_events_and_meetings_and_revokes_the_grants() {
    let host = calendar_host("Leaving Host", "zoom", &["google", "zoom"]);
    let (status, body) = book(&host.host, "11:00", "leaving.invitee@example.com");
    assert_eq!(status, 201, "{body}");
    assert_eq!(live_events("google", &host.email).len(), 1);
    assert_eq!(live_meetings(&host.email).len(), 1);
    delete_account(&host);
    assert!(live_events("google", &host.email).is_empty());
    assert!(live_meetings(&host.email).is_empty());
    let revocations = get(&fakes("/_fake/revocations")).json();
    for provider in ["google", "zoom"] {
        assert!(
            revocations
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["provider"] == provider && r["email"] == host.email.as_str()),
            "{provider}: {revocations}"
        );
    }
    let prefix = format!("host/{}/", host.host.id);
    assert!(kv::keys().iter().all(|k| !k.starts_with(&prefix)));
}

/// [P41] A provider refusing to remove an event while the host deletes their account does not stop
/// the deletion: everything of the host still goes, and the host is told what is left at
/// the provider for them to remove.
#[test]
fn deleting_the_account_while_google_refuses_still_deletes_everything_and_says_what_is_left() {
    use crate::support::mail::wait_for_emails;
    let host = calendar_host("Stuck Host", "google_meet", &["google"]);
    let (status, body) = book(&host.host, "10:00", "stuck.invitee@example.com");
    assert_eq!(status, 201, "{body}");
    assert_eq!(live_events("google", &host.email).len(), 1);
    fail(
        &host.email,
        json!({ "path_prefix": "/google/api/calendar/v3/calendars/", "method": "DELETE",
                "status": 500, "count": 20 }),
    );
    let done = delete_account(&host);
    assert!(
        done.body
            .contains("1 calendar event(s) or meeting(s) of the cancelled bookings could not be"),
        "{}",
        done.body
    );
    assert_eq!(
        live_events("google", &host.email).len(),
        1,
        "Google kept it"
    );
    let notice = wait_for_emails(&host.email, "Your Openslot account was deleted", 1);
    assert!(notice[0]["text"]
        .as_str()
        .unwrap()
        .contains("please delete them there yourself"));
    // Nothing of the host is left with us all the same.
    let id = &host.host.id;
    for table in ["hosts", "connections", "booking_calendar"] {
        let column = if table == "hosts" { "id" } else { "host_id" };
        let rows = sql(&format!(
            "SELECT COUNT(*) AS n FROM {table} WHERE {column} = '{id}'"
        ));
        assert_eq!(rows[0]["n"], 0, "{table}");
    }
    let prefix = format!("host/{id}/");
    assert!(kv::keys().iter().all(|k| !k.starts_with(&prefix)));
}

#[test]
fn a_host_may_let_google_email_the_invitee_too() {
    let host = calendar_host("Loud Host", "google_meet", &["google"]);
    let page = host.browser.get("/dashboard/connections");
    let saved = host.browser.post_form(
        "/dashboard/connections/google/settings",
        &[
            ("csrf", &csrf_of(&page)),
            ("send_updates", "1"),
            ("when_unreadable", "stop"),
        ],
        &[],
    );
    assert_eq!(location(&saved), "/dashboard/connections?done=saved");
    let page = host.browser.get("/dashboard/connections");
    assert!(
        page.body
            .contains("name=\"send_updates\" value=\"1\" checked"),
        "{}",
        page.body
    );
    let (status, body) = book(&host.host, "15:00", "loud.invitee@example.com");
    assert_eq!(status, 201, "{body}");
    let events = live_events("google", &host.email);
    assert_eq!(events[0]["send_updates"], json!(["all"]), "{events:?}");
}

/// Makes `host`'s calendar work due now and lets the cron trigger run it (twice: the second
/// run also sends what the first one queued).
fn run_calendar_work_now(host: &SeededHost) {
    use crate::support::mail::run_cron;
    sql(&format!(
        "UPDATE booking_calendar SET next_attempt_at = 0 WHERE host_id = '{}'",
        host.id
    ));
    run_cron();
    run_cron();
}

/// Books `time` for `invitee` while the fake's `knob` keeps the meeting link back for the
/// create and the four reads inside the request; the booking's manage URL.
fn book_while_the_link_is_late(
    host: &CalendarHost,
    knob: &str,
    time: &str,
    invitee: &str,
) -> String {
    let late = post_json(&fakes(knob), &json!({ "email": host.email, "reads": 5 }));
    assert_eq!(late.status, 200, "{}", late.body);
    let (status, body) = book(&host.host, time, invitee);
    assert_eq!(status, 201, "{body}");
    body["booking"]["manage_url"].as_str().unwrap().to_owned()
}

/// Google makes a Meet conference asynchronously (`createRequest.status.statusCode: pending`):
/// when the link is not there by the end of the booking request, the background work reads
/// the event again (never PATCHes it, which would send attendees an update), records the link
/// and emails it to the invitee.
#[test]
fn a_meet_link_that_arrives_late_is_read_back_recorded_and_emailed_to_the_invitee() {
    let host = calendar_host("Late Meet", "google_meet", &["google"]);
    // Insert and the four reads inside the request answer `pending`; the next read succeeds.
    let invitee = "late.meet@example.com";
    let manage_url =
        book_while_the_link_is_late(&host, "/_fake/google/conference-pending", "10:00", invitee);
    assert!(get(&manage_url)
        .body
        .contains("meeting link is being created"));
    run_calendar_work_now(&host.host);
    let events = live_events("google", &host.email);
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(
        events[0]["send_updates"],
        json!(["none"]),
        "read, never patched"
    );
    let meet = events[0]["meet_code"].as_str().unwrap().to_owned();
    assert!(get(&manage_url).body.contains(&meet));
    let told = crate::support::mail::wait_for_emails(invitee, "Your meeting link", 1);
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(told[0].to_string().contains(&meet), "{}", told[0]);
    let rows = sql(&format!(
        "SELECT state FROM booking_calendar WHERE host_id = '{}'",
        host.host.id
    ));
    assert_eq!(rows[0]["state"], "created");
}

/// Graph may answer a Teams event's create with `onlineMeeting: null` and fill the link in
/// later: the event is read until it is there (Graph's own GET, never a PATCH).
#[test]
fn a_teams_link_that_arrives_late_is_read_back_recorded_and_emailed_to_the_invitee() {
    let host = calendar_host("Late Teams", "microsoft_teams", &["microsoft"]);
    // The create and the four reads inside the request answer null; the next read has it.
    let invitee = "late.teams@example.com";
    let manage_url = book_while_the_link_is_late(
        &host,
        "/_fake/microsoft/online-meeting-late",
        "11:00",
        invitee,
    );
    run_calendar_work_now(&host.host);
    let events = live_events("microsoft", &host.email);
    assert_eq!(events.len(), 1, "{events:?}");
    let join = events[0]["body"]["onlineMeeting"]["joinUrl"]
        .as_str()
        .expect("the link is there now")
        .to_owned();
    assert!(get(&manage_url).body.contains(&join));
    let patched = get(&fakes("/_fake/requests"))
        .json()
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["method"] == "PATCH" && r["account"] == host.email.as_str())
        .count();
    assert_eq!(patched, 0, "no spurious update to the attendees");
    let told = crate::support::mail::wait_for_emails(invitee, "Your meeting link", 1);
    assert_eq!(told.len(), 1, "{told:?}");
    let text = told[0].to_string();
    // The link is JSON-escaped in the captured email; its meeting id is enough.
    let id = join
        .split("meeting_")
        .nth(1)
        .unwrap()
        .split('%')
        .next()
        .unwrap();
    assert!(text.contains(id), "{text}");
}

/// Outlook's `showAs: unknown` (Outlook could not say) blocks a slot for a stored connection
/// exactly as the code's default says: wrong slots are worse than missing ones.
#[test]
fn an_outlook_entry_shown_as_unknown_blocks_its_slot() {
    let host = calendar_host("Unknown Outlook", "none", &["microsoft"]);
    set_busy(
        "microsoft",
        &host.email,
        json!([{ "start": at("10:00"), "end": at("10:30"), "show_as": "unknown" }]),
    );
    let slots = offered(&host.host).unwrap();
    assert!(!slots.contains(&at("10:00")), "{slots:?}");
    assert!(slots.contains(&at("10:30")), "{slots:?}");
    // Saving the settings (which never offer `unknown`) keeps it blocking.
    let page = host.browser.get("/dashboard/connections");
    let saved = host.browser.post_form(
        "/dashboard/connections/microsoft/settings",
        &[
            ("csrf", &csrf_of(&page)),
            ("show_as", "busy"),
            ("when_unreadable", "stop"),
        ],
        &[],
    );
    assert_eq!(location(&saved), "/dashboard/connections?done=saved");
    assert!(!offered(&host.host).unwrap().contains(&at("10:00")));
}

/// A cancelled booking's page no longer offers the meeting: the Meet, Teams or Zoom meeting
/// was deleted with the booking.
#[test]
fn a_cancelled_booking_page_offers_no_join_link() {
    for (name, kind, providers, time) in [
        ("Gone Meet", "google_meet", &["google"][..], "09:00"),
        ("Gone Teams", "microsoft_teams", &["microsoft"][..], "10:00"),
        ("Gone Zoom", "zoom", &["zoom"][..], "11:00"),
    ] {
        let host = calendar_host(name, kind, providers);
        let invitee = format!("{}@example.com", kind.replace('_', "."));
        let (status, body) = book(&host.host, time, &invitee);
        assert_eq!(status, 201, "{body}");
        let manage_url = body["booking"]["manage_url"].as_str().unwrap().to_owned();
        let before = get(&manage_url);
        assert!(before.body.contains("Join the meeting"), "{kind}");
        cancel(&manage_url);
        let after = get(&manage_url);
        assert_eq!(after.status, 200);
        assert!(
            !after.body.contains("Join the meeting"),
            "{kind}: {}",
            after.body
        );
        for needle in ["meet.google.com", "teams.microsoft.com", "zoom.us/j/"] {
            assert!(!after.body.contains(needle), "{kind}: {needle}");
        }
    }
}

/// A create can succeed at the provider and still answer 5xx (a gateway timing out after the
/// commit). Zoom has no idempotency key: before trying again the meeting is looked for by the
/// marker in its agenda, so the booking gets exactly one meeting. Google (our event id) and
/// Graph (`transactionId`) recognise the retried create: exactly one event each.
#[test]
fn a_5xx_after_the_provider_committed_a_create_makes_exactly_one_meeting_and_one_event() {
    let zoom = calendar_host("Committed Zoom", "zoom", &["google", "zoom"]);
    fail(
        &zoom.email,
        json!({ "path_prefix": "/zoom/api/v2/users/me/meetings", "method": "POST",
                 "status": 502, "count": 1, "after_commit": true }),
    );
    fail(
        &zoom.email,
        json!({ "path_prefix": "/google/api/calendar/v3/calendars/", "method": "POST",
                 "status": 503, "count": 1, "after_commit": true }),
    );
    let (status, body) = book(&zoom.host, "10:00", "committed.zoom@example.com");
    assert_eq!(status, 201, "{body}");
    run_calendar_work_now(&zoom.host);
    let meetings = live_meetings(&zoom.email);
    assert_eq!(meetings.len(), 1, "{meetings:?}");
    let join = meetings[0]["body"]["join_url"].as_str().unwrap().to_owned();
    let events = live_events("google", &zoom.email);
    assert_eq!(events.len(), 1, "{events:?}");
    assert!(events[0]["body"].to_string().contains(&join));
    let manage_url = body["booking"]["manage_url"].as_str().unwrap().to_owned();
    assert!(get(&manage_url).body.contains(&join));

    let teams = calendar_host("Committed Teams", "microsoft_teams", &["microsoft"]);
    fail(
        &teams.email,
        json!({ "path_prefix": "/microsoft/graph/v1.0/me/events", "method": "POST",
                 "status": 504, "count": 1, "after_commit": true }),
    );
    let (status, body) = book(&teams.host, "11:00", "committed.teams@example.com");
    assert_eq!(status, 201, "{body}");
    run_calendar_work_now(&teams.host);
    assert_eq!(live_events("microsoft", &teams.email).len(), 1);
}

/// An event with the booking's id that was deleted in Google Calendar reads back `cancelled`
/// (Google keeps it, and its id stays taken): the retried insert's 409 must not take it for
/// the booking's live event. The booking gets a live event under another id.
#[test]
fn a_deleted_event_with_our_id_is_not_taken_for_the_booking_event() {
    let host = calendar_host("Deleted Id", "google_meet", &["google"]);
    // The insert goes through at Google but its answer is lost, with a wait too long to
    // spend inside the request: the work is left to the cron.
    fail(
        &host.email,
        json!({ "path_prefix": "/google/api/calendar/v3/calendars/", "method": "POST",
                 "status": 503, "count": 1, "retry_after": 120, "after_commit": true }),
    );
    let (status, body) = book(&host.host, "12:00", "deleted.id@example.com");
    assert_eq!(status, 201, "{body}");
    let made = live_events("google", &host.email);
    assert_eq!(made.len(), 1, "{made:?}");
    // The host deletes it in Google Calendar before the retry.
    let deleted = post_json(
        &fakes("/_fake/google/delete-event"),
        &json!({ "email": host.email, "id": made[0]["id"] }),
    );
    assert_eq!(deleted.status, 200, "{}", deleted.body);
    run_calendar_work_now(&host.host);
    let live = live_events("google", &host.email);
    assert_eq!(live.len(), 1, "{live:?}");
    assert_ne!(live[0]["id"], made[0]["id"]);
    let rows = sql(&format!(
        "SELECT state, event_id FROM booking_calendar WHERE host_id = '{}'",
        host.host.id
    ));
    assert_eq!(rows[0]["state"], "created", "{rows:?}");
    let event_id = crate::support::sealed::stored_meeting_value(
        &host.host.id,
        "event_id",
        rows[0]["event_id"].as_str().unwrap(),
    );
    assert_eq!(event_id.as_deref().ok(), live[0]["id"].as_str());
    // Cancelling removes the live one.
    cancel(body["booking"]["manage_url"].as_str().unwrap());
    assert!(live_events("google", &host.email).is_empty());
}

/// Google pages its calendar list (250 at most per page): a calendar past the first page
/// can be chosen, and more than 50 checked calendars are read in batches of 50 (Google
/// refuses more in one freeBusy request with `tooManyCalendarsRequested`).
#[test]
fn calendars_past_the_first_page_can_be_checked_and_sixty_are_read_in_batches() {
    let host = calendar_host("Many Calendars", "none", &["google"]);
    let added = post_json(
        &fakes("/_fake/google/calendars"),
        &json!({ "email": host.email, "count": 300, "prefix": "team" }),
    );
    assert_eq!(added.status, 200, "{}", added.body);
    // The 281st calendar of the list (the primary one comes first).
    let far = "team.0279@group.calendar.google.com";
    let reply = post_json(
        &fakes("/_fake/google/busy"),
        &json!({ "email": host.email, "calendar_id": far,
                 "busy": [{ "start": at("10:00"), "end": at("10:30") }] }),
    );
    assert_eq!(reply.status, 200);
    let page = host.browser.get("/dashboard/connections");
    assert!(page.body.contains(far), "the list has only its first page");
    // Sixty calendars checked, the busy one last.
    let mut form: Vec<(String, String)> = vec![
        ("csrf".into(), csrf_of(&page)),
        ("calendars_listed".into(), "1".into()),
        ("when_unreadable".into(), "stop".into()),
        ("calendar".into(), host.email.clone()),
    ];
    for i in 221..280 {
        form.push((
            "calendar".into(),
            format!("team.{i:04}@group.calendar.google.com"),
        ));
    }
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let saved = host
        .browser
        .post_form("/dashboard/connections/google/settings", &form, &[]);
    assert_eq!(
        location(&saved),
        "/dashboard/connections?done=saved",
        "{}",
        saved.body
    );
    let slots = offered(&host.host).unwrap();
    assert!(!slots.contains(&at("10:00")), "{slots:?}");
    assert!(slots.contains(&at("10:30")), "{slots:?}");
}

/// A busy entry in a second Outlook calendar blocks a slot once the host checks that calendar,
/// as with Google: Outlook's calendars are listed (`/me/calendars`, paged) and each checked
/// one is read (`/me/calendars/{id}/calendarView`), not only the default calendar.
#[test]
fn the_host_chooses_which_outlook_calendars_are_checked() {
    let host = calendar_host("Two Outlooks", "none", &["microsoft"]);
    // Twelve more calendars: the list takes more than one page of Graph's.
    let added = post_json(
        &fakes("/_fake/microsoft/calendars"),
        &json!({ "email": host.email, "count": 12, "prefix": "Team" }),
    );
    assert_eq!(added.status, 200, "{}", added.body);
    let team = "AAMkADTeam0011AAA=";
    set_busy_in("microsoft", &host.email, team, at("10:00"), at("11:00"));
    assert!(offered(&host.host).unwrap().contains(&at("10:00")));
    let page = host.browser.get("/dashboard/connections");
    assert!(page.body.contains(team), "{}", page.body);
    let default_id = "calendar";
    let saved = host.browser.post_form(
        "/dashboard/connections/microsoft/settings",
        &[
            ("csrf", &csrf_of(&page)),
            ("calendars_listed", "1"),
            ("calendar", default_id),
            ("calendar", team),
            ("show_as", "busy"),
            ("when_unreadable", "stop"),
        ],
        &[],
    );
    assert_eq!(
        location(&saved),
        "/dashboard/connections?done=saved",
        "{}",
        saved.body
    );
    let slots = offered(&host.host).unwrap();
    assert!(!slots.contains(&at("10:00")), "{slots:?}");
    // The default calendar is still read.
    set_busy_in(
        "microsoft",
        &host.email,
        "primary",
        at("12:00"),
        at("12:30"),
    );
    assert!(!offered(&host.host).unwrap().contains(&at("12:00")));
}

fn set_busy_in(provider: &str, email: &str, calendar_id: &str, start: String, end: String) {
    let reply = post_json(
        &fakes(&format!("/_fake/{provider}/busy")),
        &json!({ "email": email, "calendar_id": calendar_id,
                 "busy": [{ "start": start, "end": end }] }),
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
}

/// A grant that lacks a permission a call needs (Google answers 403
/// `insufficientPermissions`) is never a silent failure: the connection shows *needs
/// reconnecting* on the dashboard, and no times are offered without the calendar.
#[test]
fn a_missing_permission_at_google_marks_the_connection_for_reconnecting() {
    let host = calendar_host("Narrowed Grant", "none", &["google"]);
    let body = json!({ "error": { "code": 403, "message": "Request had insufficient authentication scopes.",
        "errors": [{ "message": "Insufficient Permission", "domain": "global", "reason": "insufficientPermissions" }],
        "status": "PERMISSION_DENIED" } });
    fail(
        &host.email,
        json!({ "path_prefix": "/google/api/calendar/v3/freeBusy", "status": 403, "body": body }),
    );
    let (status, _) = offered(&host.host).unwrap_err();
    assert_eq!(status, 503);
    let rows = sql(&format!(
        "SELECT status FROM connections WHERE host_id = '{}'",
        host.host.id
    ));
    assert_eq!(rows[0]["status"], "needs_reconnect", "{rows:?}");
    let overview = host.browser.get("/dashboard");
    assert!(
        overview.body.contains("Google Calendar needs reconnecting"),
        "{}",
        overview.body
    );
}

/// Books `time` for `invitee` through the booking form, as a browser that has not yet
/// followed the redirect; the confirmation page's path.
fn book_by_form(host: &SeededHost, time: &str, invitee: &str) -> String {
    let reply = post_form(
        &format!("/{}/call", host.slug),
        &[
            ("slot", &at(time)),
            ("tz", "Europe/Paris"),
            ("name", "Fay Former"),
            ("email", invitee),
        ],
    );
    assert_eq!(reply.status, 303, "{}", reply.body);
    let location = reply.header("location").expect("a redirect");
    let path = location.split_once("/booking/").expect("a booking link").1;
    format!("/booking/{}", path.split('?').next().unwrap())
}

/// The Meet code of the one live event of `host`'s Google calendar.
pub(crate) fn the_meet_code(host: &CalendarHost) -> String {
    let events = live_events("google", &host.email);
    assert_eq!(events.len(), 1, "{events:?}");
    events[0]["meet_code"]
        .as_str()
        .expect("a Meet code")
        .to_owned()
}

/// The one email to `address` whose subject starts with `subject`; it carries `link`.
pub(crate) fn the_email_with(address: &str, subject: &str, link: &str) {
    let emails = crate::support::mail::wait_for_emails(address, subject, 1);
    assert_eq!(emails.len(), 1, "{emails:?}");
    assert!(emails[0].to_string().contains(link), "{}", emails[0]);
}

/// Booking creation must fit the free plan's CPU budget (BENCHMARKS.md, "CPU per request"):
/// the form's request only books and redirects; the confirmation page, a request with a
/// budget of its own, makes the event and the Meet link; the next cron run sends both emails
/// with the link in them.
#[test]
fn the_booking_form_leaves_the_meeting_to_the_confirmation_page_which_makes_and_emails_it() {
    let host = calendar_host("Form Meet", "google_meet", &["google"]);
    let invitee = "form.meet@example.com";
    let page = book_by_form(&host.host, "11:00", invitee);
    // The cron leaves it to the page the browser is about to load.
    crate::support::mail::run_cron();
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert!(
        live_events("google", &host.email).is_empty(),
        "the booking request (or the cron) made the event before the page"
    );
    assert!(
        crate::support::mail::emails_to(invitee).is_empty(),
        "the confirmation left before its meeting link existed"
    );

    let shown = get(&page);
    assert_eq!(shown.status, 200, "{}", shown.body);
    let meet = the_meet_code(&host);
    assert!(shown.body.contains(&meet), "{}", shown.body);
    assert!(shown.body.contains("Join the meeting"));
    crate::support::mail::run_cron();
    the_email_with(invitee, "Booked:", &meet);
    the_email_with(&host.email, "New booking", &meet);
    // Loading the page again makes nothing more and sends nothing more.
    assert!(get(&page).body.contains(&meet));
    crate::support::mail::run_cron();
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert_eq!(live_events("google", &host.email).len(), 1);
    assert_eq!(crate::support::mail::emails_to(invitee).len(), 1);
}

/// The JSON API's booking request must fit the free plan's CPU budget too (BENCHMARKS.md,
/// "CPU per request": 11.5 ms at the median with three calendars when it made the event
/// itself). It only books; the next cron run, an invocation with a budget of its own, makes
/// the event and the Meet link and then sends both emails with the link in them.
#[test]
fn an_api_booking_only_books_and_the_next_cron_run_makes_the_meeting_and_emails_it() {
    let host = calendar_host("Api Meet", "google_meet", &["google"]);
    let invitee = "api.meet@example.com";
    let (status, body) = post_booking(&host.host, "14:00", invitee);
    assert_eq!(status, 201, "{body}");
    // Read at once: another test's cron run may pick the work up any moment now.
    let tries = sql(&format!(
        "SELECT attempts FROM booking_calendar WHERE host_id = '{}'",
        host.host.id
    ));
    assert_eq!(
        tries[0]["attempts"], 0,
        "the booking request tried the event itself"
    );
    assert!(
        live_events("google", &host.email).is_empty(),
        "the booking request made the event itself"
    );
    assert!(
        crate::support::mail::emails_to(invitee).is_empty(),
        "the confirmation left before its meeting link existed"
    );

    crate::support::mail::run_cron();
    let meet = the_meet_code(&host);
    the_email_with(invitee, "Booked:", &meet);
    the_email_with(&host.email, "New booking", &meet);
    // Later runs make nothing more and send nothing more.
    crate::support::mail::run_cron();
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert_eq!(live_events("google", &host.email).len(), 1);
    assert_eq!(crate::support::mail::emails_to(invitee).len(), 1);
}

/// An invitee who closes the tab before the confirmation page loads still gets the event,
/// the meeting and the confirmation with its link, from the cron trigger once the page's
/// minute has passed.
#[test]
fn a_form_booking_whose_confirmation_page_never_loads_is_finished_by_the_cron() {
    let host = calendar_host("Form Cron", "google_meet", &["google"]);
    let invitee = "form.cron@example.com";
    let page = book_by_form(&host.host, "12:00", invitee);
    crate::support::mail::run_cron();
    assert!(live_events("google", &host.email).is_empty());
    // A minute later (`store::PAGE_HOLD_SECONDS`), as far as the rows can tell.
    sql(&format!(
        "UPDATE booking_calendar SET next_attempt_at = next_attempt_at - 60, \
         updated_at = updated_at - 60 WHERE host_id = '{}'",
        host.host.id
    ));
    sql(&format!(
        "UPDATE email_outbox SET next_attempt_at = next_attempt_at - 60 \
         WHERE booking_id IN (SELECT id FROM bookings WHERE host_id = '{}')",
        host.host.id
    ));
    crate::support::mail::run_cron();
    let meet = the_meet_code(&host);
    the_email_with(invitee, "Booked:", &meet);
    // The page, loaded late, shows the link and makes nothing more.
    assert!(get(&page).body.contains(&meet));
    assert_eq!(live_events("google", &host.email).len(), 1);
}
