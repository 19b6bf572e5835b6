//! A CalDAV calendar at work against a real CalDAV server (Radicale, started per test):
//! connected from the dashboard with an address, a user name and an app password, its busy
//! times hide slots, a booking makes exactly one event in it that cancelling removes, a wrong
//! password is refused on the form, and the password is found nowhere in D1, KV or the log
//! in the clear. Read back over CalDAV only.

#[path = "../support/radicale.rs"]
pub(crate) mod radicale;

use serde_json::{json, Value};

use crate::calendars::{at, day, offered};
use crate::sign_in::sign_in_seeded;
use crate::sign_in::{csrf_of, location};
use crate::support::browser::Browser;
use crate::support::http::{post_form, post_json};
use crate::support::residue;
use crate::support::seed::EVERY_DAY;
use crate::support::{EventSeed, HostSeed, SeededHost};
use radicale::Radicale;

const USER: &str = "dana";

/// A host in UTC, free all day, with a 30-minute `call`, signed in, and a Radicale with one
/// `office` calendar.
struct CalDavHost {
    host: SeededHost,
    browser: Browser,
    server: Radicale,
    password: String,
}

fn caldav_host(name: &str) -> CalDavHost {
    let host = HostSeed::new(name, "UTC")
        .hours(EVERY_DAY, 0, 1440)
        .event(EventSeed::new("call", 30))
        .create();
    let (_, browser) = sign_in_seeded(&host, name);
    // A password nobody else uses, so finding it anywhere means it leaked.
    let password = format!("app-pw-{}", host.slug);
    let server = Radicale::start(&[(USER, &password)]);
    let made = dav(&server, &password, "MKCALENDAR", "/dana/office/", None);
    assert_eq!(made, 201);
    CalDavHost {
        host,
        browser,
        server,
        password,
    }
}

/// One raw CalDAV request as the host's own calendar app would send it; the status.
fn dav(server: &Radicale, password: &str, method: &str, path: &str, ics: Option<&str>) -> u16 {
    use base64::Engine;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{password}"));
    let call = ureq::request(method, &format!("{}{path}", server.base))
        .set("Authorization", &format!("Basic {basic}"));
    let result = match ics {
        Some(body) => call
            .set("Content-Type", "text/calendar; charset=utf-8")
            .send_string(body),
        None => call.call(),
    };
    match result {
        Ok(response) => response.status(),
        Err(ureq::Error::Status(status, _)) => status,
        Err(other) => panic!("{method} {path}: {other}"),
    }
}

/// The event resources in the host's `office` calendar: (path, iCalendar text).
fn events(server: &Radicale, password: &str) -> Vec<(String, String)> {
    events_in(server, password, "office")
}

/// The event resources in the host's calendar `name`: (path, iCalendar text).
fn events_in(server: &Radicale, password: &str, name: &str) -> Vec<(String, String)> {
    use base64::Engine;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{password}"));
    let listing = ureq::request("PROPFIND", &format!("{}/dana/{name}/", server.base))
        .set("Authorization", &format!("Basic {basic}"))
        .set("Depth", "1")
        .call()
        .expect("PROPFIND")
        .into_string()
        .unwrap();
    listing
        .split("<href>")
        .skip(1)
        .filter_map(|part| part.split("</href>").next())
        .filter(|href| href.ends_with(".ics"))
        .map(|href| {
            let text = ureq::get(&format!("{}{href}", server.base))
                .set("Authorization", &format!("Basic {basic}"))
                .call()
                .expect("GET event")
                .into_string()
                .unwrap();
            (href.to_owned(), text)
        })
        .collect()
}

fn compact(time: &str) -> String {
    format!("{}T{}00Z", day().replace('-', ""), time.replace(':', ""))
}

/// Connects the host's CalDAV account through the dashboard's form; the reply.
fn connect(host: &CalDavHost, password: &str) -> crate::support::http::Reply {
    let form = host.browser.get("/dashboard/connections/caldav/connect");
    assert_eq!(form.status, 200, "{}", form.body);
    host.browser.post_form(
        "/dashboard/connections/caldav/connect",
        &[
            ("csrf", &csrf_of(&form)),
            ("address", &host.server.base),
            ("username", USER),
            ("password", password),
        ],
        &[],
    )
}

/// [P54] Busy times only, and the app password only sealed: in the clear it is found nowhere.
#[test]
fn a_caldav_calendar_hides_busy_slots_and_gets_one_event_per_booking_until_cancelled() {
    let host = caldav_host("CalDAV Host");
    let connected = connect(&host, &host.password);
    assert_eq!(
        location(&connected),
        "/dashboard/connections?done=connected",
        "{}",
        connected.body
    );
    let page = host.browser.get("/dashboard/connections");
    assert!(page.body.contains("Working: connected as"), "{}", page.body);

    // Busy 10:00–11:00 in the host's own calendar app: 10:00 and 10:30 are gone.
    // Its title is a marker: what the server tells about the host's own events is never kept.
    let title = format!("Dentist-{}", host.host.slug);
    let busy = format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:busy@t\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:{}\r\nDTEND:{}\r\nSUMMARY:{title}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        compact("10:00"),
        compact("11:00")
    );
    assert_eq!(
        dav(
            &host.server,
            &host.password,
            "PUT",
            "/dana/office/busy.ics",
            Some(&busy)
        ),
        201
    );
    let slots = offered(&host.host).expect("times offered");
    assert!(slots.contains(&at("09:30")), "{slots:?}");
    assert!(
        !slots.contains(&at("10:00")) && !slots.contains(&at("10:30")),
        "{slots:?}"
    );
    assert!(slots.contains(&at("11:00")), "{slots:?}");

    // A booking: exactly one new event, ours, at its time, inviting nobody by itself.
    let invitee = "ivy.caldav@example.com";
    let reply = post_json(
        "/api/v1/bookings",
        &json!({ "host": host.host.slug, "event": "call", "start": at("12:00"),
                 "name": "Ivy Invitee", "email": invitee, "time_zone": "Europe/Paris" }),
    );
    assert_eq!(reply.status, 201, "{}", reply.body);
    let body: Value = reply.json();
    // The request only books; the cron run, within the minute, makes the event.
    crate::support::mail::run_cron();
    let ours: Vec<_> = events(&host.server, &host.password)
        .into_iter()
        .filter(|(path, _)| !path.ends_with("/busy.ics"))
        .collect();
    assert_eq!(ours.len(), 1, "{ours:?}");
    let (_, ics) = &ours[0];
    assert!(
        ics.contains(&format!("DTSTART:{}", compact("12:00"))),
        "{ics}"
    );
    assert!(
        ics.contains(invitee) && ics.contains("SCHEDULE-AGENT=CLIENT"),
        "{ics}"
    );
    assert!(!ics.contains("METHOD:"), "{ics}");
    assert!(!offered(&host.host).unwrap().contains(&at("12:00")));

    // Cancelled: the event goes; the host's own event stays.
    let manage_url = body["booking"]["manage_url"].as_str().unwrap().to_owned();
    let done = post_form(&format!("{manage_url}/cancel"), &[("reason", "")]);
    assert_eq!(done.status, 303, "{}", done.body);
    let left = events(&host.server, &host.password);
    assert_eq!(left.len(), 1, "{left:?}");
    assert!(left[0].0.ends_with("/busy.ics"));

    // The app password is kept only sealed: in the clear it is nowhere in D1, KV or the log.
    // Neither is the title of the host's own event, which the server had to hand.
    residue::assert_no_residue(&[host.password.clone(), title]);
}

#[test]
fn a_wrong_password_is_refused_on_the_form_and_connects_nothing() {
    let host = caldav_host("CalDAV Wrong Password");
    let reply = connect(&host, "not-the-password");
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert!(
        reply.body.contains("refused this user name and password"),
        "{}",
        reply.body
    );
    assert!(
        !reply.body.contains("not-the-password"),
        "the password is not sent back"
    );
    let page = host.browser.get("/dashboard/connections");
    assert!(
        page.body.contains("Connect CalDAV calendar"),
        "{}",
        page.body
    );
}

/// Makes a second calendar, `home`, next to `office`, connects the account through the form
/// and gives both calendars' URLs.
fn connect_office_and_home(host: &CalDavHost) -> (String, String) {
    let made = dav(
        &host.server,
        &host.password,
        "MKCALENDAR",
        "/dana/home/",
        None,
    );
    assert_eq!(made, 201);
    let connected = connect(host, &host.password);
    assert_eq!(
        location(&connected),
        "/dashboard/connections?done=connected"
    );
    (
        format!("{}/dana/office/", host.server.base),
        format!("{}/dana/home/", host.server.base),
    )
}

#[test]
fn a_reconnect_keeps_the_calendars_the_host_chose() {
    let host = caldav_host("CalDAV Reconnect");
    let (office, home) = connect_office_and_home(&host);
    let page = host.browser.get("/dashboard/connections");
    for url in [&office, &home] {
        assert!(
            page.body.contains(&format!("value=\"{url}\" checked")),
            "{}",
            page.body
        );
    }
    // The host checks only `home`, then connects again (a new app password, say).
    let saved = host.browser.post_form(
        "/dashboard/connections/caldav/settings",
        &[
            ("csrf", &csrf_of(&page)),
            ("calendars_listed", "1"),
            ("calendar", &home),
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
    let again = connect(&host, &host.password);
    assert_eq!(location(&again), "/dashboard/connections?done=connected");
    let page = host.browser.get("/dashboard/connections");
    assert!(
        page.body.contains(&format!("value=\"{home}\" checked")),
        "{}",
        page.body
    );
    assert!(
        page.body.contains(&format!("value=\"{office}\">")),
        "{}",
        page.body
    );
}

/// The DTSTARTs of the events Openslot put in the host's `office` calendar, by path.
fn our_events(host: &CalDavHost) -> Vec<(String, String)> {
    events(&host.server, &host.password)
        .into_iter()
        .filter(|(path, _)| !path.ends_with("/busy.ics"))
        .map(|(path, ics)| {
            let start = ics
                .lines()
                .find_map(|line| line.strip_prefix("DTSTART:"))
                .unwrap_or_default()
                .trim()
                .to_owned();
            (path, start)
        })
        .collect()
}

/// A script connects CalDAV through the host API as the form does (OAuth providers are sent
/// to their consent screen); the event of a booking moves with its reschedule, and deleting
/// the account removes the upcoming event from the server and the sealed credentials from KV.
#[test]
fn a_caldav_account_connected_through_the_api_keeps_its_event_through_reschedule_and_deletion() {
    use crate::api_tokens::{call, new_token};
    let host = caldav_host("CalDAV Api");
    let token = new_token(&host.browser, "script");
    let url = "/api/v1/connections/caldav";
    let body = |password: &str| json!({ "address": host.server.base, "username": USER, "password": password });

    let oauth = call(
        "POST",
        "/api/v1/connections/google",
        &token,
        Some(body("x")),
    );
    assert_eq!(oauth.status, 409, "{}", oauth.body);
    assert!(oauth.body.contains("/dashboard/connections/google/connect"));
    let refused = call("POST", url, &token, Some(body("not-the-password")));
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.json()["error"]["fields"]["password"].is_string());
    let mut unknown = body(&host.password);
    unknown["calendar"] = json!("office");
    let refused = call("POST", url, &token, Some(unknown));
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.json()["error"]["fields"]["unknown_field"].is_string());
    let wrong_type = call(
        "POST",
        url,
        &token,
        Some(json!({ "address": host.server.base, "username": USER, "password": 7 })),
    );
    assert_eq!(wrong_type.status, 422, "{}", wrong_type.body);

    let connected = call("POST", url, &token, Some(body(&host.password)));
    assert_eq!(connected.status, 201, "{}", connected.body);
    let office = format!("{}/dana/office/", host.server.base);
    assert_eq!(connected.json()["checked_calendars"], json!([office]));
    assert_eq!(connected.json()["state"], "working");
    assert!(!connected.body.contains(&host.password));
    let again = call("POST", url, &token, Some(body(&host.password)));
    assert_eq!(again.status, 200, "{}", again.body);

    let booked = post_json(
        "/api/v1/bookings",
        &json!({ "host": host.host.slug, "event": "call", "start": at("09:00"),
                 "name": "Rae Rescheduler", "email": "rae.caldav@example.com",
                 "time_zone": "Europe/Paris" }),
    );
    assert_eq!(booked.status, 201, "{}", booked.body);
    crate::support::mail::run_cron();
    let made = our_events(&host);
    assert_eq!(made.len(), 1, "{made:?}");
    assert_eq!(made[0].1, compact("09:00"));

    let manage_url = booked.json()["booking"]["manage_url"]
        .as_str()
        .unwrap()
        .to_owned();
    let manage_token = manage_url.rsplit('/').next().unwrap();
    let moved = post_json(
        &format!("/api/v1/bookings/{manage_token}/reschedule"),
        &json!({ "start": at("15:00") }),
    );
    assert_eq!(moved.status, 200, "{}", moved.body);
    crate::support::mail::run_cron();
    let after_move = our_events(&host);
    assert_eq!(after_move.len(), 1, "one event, moved: {after_move:?}");
    assert_eq!(after_move[0], (made[0].0.clone(), compact("15:00")));

    crate::calendars::delete_account_of(&host.browser, &format!("{}@example.com", host.host.slug));
    assert!(our_events(&host).is_empty(), "the upcoming event is left");
    let prefix = format!("host/{}/", host.host.id);
    assert!(crate::support::kv::keys()
        .iter()
        .all(|key| !key.starts_with(&prefix)));
}

/// Books `time` through the JSON API for `host` and lets the cron run make the event.
fn book_and_run_cron(host: &CalDavHost, time: &str, invitee: &str) {
    let booked = post_json(
        "/api/v1/bookings",
        &json!({ "host": host.host.slug, "event": "call", "start": at(time),
                 "name": "Cal Chooser", "email": invitee, "time_zone": "Europe/Paris" }),
    );
    assert_eq!(booked.status, 201, "{}", booked.body);
    crate::support::mail::run_cron();
}

/// The host picks which CalDAV calendar receives booked events, on the dashboard (a select of
/// the account's calendars) and through the API (`event_calendar`); each booking's event goes
/// there and nowhere else.
#[test]
fn the_host_chooses_the_caldav_calendar_that_receives_booked_events() {
    use crate::api_tokens::{call, new_token};
    let host = caldav_host("CalDAV Chooser");
    let (office, home) = connect_office_and_home(&host);
    let page = host.browser.get("/dashboard/connections");
    assert!(page.body.contains("New bookings go into"), "{}", page.body);
    for url in [&office, &home] {
        assert!(
            page.body.contains(&format!("<option value=\"{url}\"")),
            "{}",
            page.body
        );
    }

    // Home receives them (checked for conflicts too, though the host left it unticked).
    let saved = host.browser.post_form(
        "/dashboard/connections/caldav/settings",
        &[
            ("csrf", &csrf_of(&page)),
            ("calendars_listed", "1"),
            ("calendar", &office),
            ("event_calendar", &home),
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
    let page = host.browser.get("/dashboard/connections");
    assert!(
        page.body
            .contains(&format!("<option value=\"{home}\" selected>")),
        "{}",
        page.body
    );
    assert!(
        page.body.contains(&format!("value=\"{home}\" checked")),
        "{}",
        page.body
    );
    book_and_run_cron(&host, "09:00", "chooser.one@example.com");
    assert_eq!(events_in(&host.server, &host.password, "home").len(), 1);
    assert!(events_in(&host.server, &host.password, "office").is_empty());

    // Through the API: back to office; a calendar of no account is refused by name.
    let token = new_token(&host.browser, "script");
    let url = "/api/v1/connections/caldav";
    let elsewhere = call(
        "PATCH",
        url,
        &token,
        Some(json!({ "event_calendar": "https://elsewhere.example/dav/x/" })),
    );
    assert_eq!(elsewhere.status, 422, "{}", elsewhere.body);
    assert!(elsewhere.json()["error"]["fields"]["event_calendar"].is_string());
    let moved = call(
        "PATCH",
        url,
        &token,
        Some(json!({ "event_calendar": office })),
    );
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert_eq!(moved.json()["event_calendar"], json!(office));
    assert_eq!(moved.json()["checked_calendars"], json!([office, home]));
    book_and_run_cron(&host, "10:00", "chooser.two@example.com");
    assert_eq!(events_in(&host.server, &host.password, "office").len(), 1);
    assert_eq!(events_in(&host.server, &host.password, "home").len(), 1);
}

/// A calendar shared with the host read-only (a colleague's, say) counts for busy times but
/// never receives bookings: the connect makes the host's own `office` receive them, the
/// connections page and the event-type editor offer only calendars the host may write in, the
/// API says which are writable, and choosing the shared one is a 422 on `event_calendar`.
#[test]
fn a_calendar_shared_read_only_counts_for_busy_times_but_never_receives_bookings() {
    use crate::api_tokens::{call, new_token};
    let seeded = HostSeed::new("Shared Reader", "UTC")
        .hours(EVERY_DAY, 0, 1440)
        .event(EventSeed::new("call", 30))
        .create();
    let (_, browser) = sign_in_seeded(&seeded, "Shared Reader");
    let password = format!("app-pw-{}", seeded.slug);
    let server = Radicale::start_with_shared(&[(USER, &password)]);
    assert_eq!(
        dav(&server, &password, "MKCALENDAR", "/dana/office/", None),
        201
    );
    let shared = server.add_read_only_calendar(USER, "team", "Team");
    let busy = format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:team@t\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:{}\r\nDTEND:{}\r\nSUMMARY:Team offsite\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        compact("10:00"),
        compact("11:00")
    );
    server.add_shared_event(USER, "team", "offsite.ics", &busy);
    let host = CalDavHost {
        host: seeded,
        browser,
        server,
        password: password.clone(),
    };
    let connected = connect(&host, &password);
    assert_eq!(
        location(&connected),
        "/dashboard/connections?done=connected",
        "{}",
        connected.body
    );

    // Checked for busy times: the shared calendar's 10:00-11:00 is not offered.
    let slots = offered(&host.host).expect("times offered");
    assert!(slots.contains(&at("09:30")), "{slots:?}");
    assert!(!slots.contains(&at("10:00")), "{slots:?}");

    // Offered to receive bookings nowhere; listed as not writable to a script.
    let page = host.browser.get("/dashboard/connections");
    assert!(
        page.body.contains(&format!("value=\"{shared}\" checked")),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains(&format!("<option value=\"{shared}\"")),
        "{}",
        page.body
    );
    let editor = host
        .browser
        .get(&format!("/dashboard/event-types/{}-call", host.host.id));
    assert!(
        !editor.body.contains(&format!("caldav:{shared}")),
        "{}",
        editor.body
    );
    let token = new_token(&host.browser, "shared");
    let listed = call("GET", "/api/v1/connections/caldav/calendars", &token, None);
    assert_eq!(listed.status, 200, "{}", listed.body);
    let writable: Vec<(String, bool)> = listed.json()["calendars"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["id"].as_str().unwrap().to_owned(), c["writable"] == true))
        .collect();
    assert!(writable.contains(&(shared.clone(), false)), "{writable:?}");
    let refused = call(
        "PATCH",
        "/api/v1/connections/caldav",
        &token,
        Some(json!({ "event_calendar": shared })),
    );
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.json()["error"]["fields"]["event_calendar"]
            .as_str()
            .is_some_and(|m| m.contains("only read")),
        "{}",
        refused.body
    );
    let by_type = call(
        "PATCH",
        &format!("/api/v1/event-types/{}-call", host.host.id),
        &token,
        Some(json!({ "event_calendar": { "connection": "caldav", "calendar_id": shared } })),
    );
    assert_eq!(by_type.status, 422, "{}", by_type.body);

    // A booking's event goes into the host's own calendar.
    book_and_run_cron(&host, "12:00", "shared.reader@example.com");
    assert_eq!(events_in(&host.server, &host.password, "office").len(), 1);
}
