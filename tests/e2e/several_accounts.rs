//! Several accounts of one provider (issue 14): a host connects a work and a personal Google
//! account side by side. Each one's busy times count, each has its own tokens, settings and
//! reconnect, the one chosen receives the events, and disconnecting one leaves the other whole.

use serde_json::{json, Value};

use crate::api_tokens::{call, new_token};
use crate::caldav::radicale;
use crate::calendars::{at, calendar_host, live_events, offered, set_busy, CalendarHost};
use crate::connections::consent;
use crate::sign_in::{csrf_of, location};
use crate::support::http::{get, post_form, post_json};
use crate::support::kv;
use crate::support::mail::{run_cron, wait_for_emails};
use crate::support::seed::sql;
use crate::support::world::world;

/// The host's connections as stored: (name, provider, status, receives_events), by name.
fn stored(host_id: &str) -> Vec<(String, String, String, i64)> {
    sql(&format!(
        "SELECT connection, provider, status, receives_events FROM connections \
         WHERE host_id = '{host_id}' ORDER BY connection"
    ))
    .iter()
    .map(|row| {
        (
            row["connection"].as_str().unwrap().to_owned(),
            row["provider"].as_str().unwrap().to_owned(),
            row["status"].as_str().unwrap().to_owned(),
            row["receives_events"].as_i64().unwrap(),
        )
    })
    .collect()
}

/// The query parameter `name` of `url`, decoded.
fn param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

/// Connects a second Google account, `second`, chosen at the provider's account chooser
/// (the fake takes the pick as a `login_hint` added to the URL, as `consent` does).
fn connect_another(host: &CalendarHost, second: &str) {
    let page = host.browser.get("/dashboard/connections");
    let href = "/dashboard/connections/google/connect?another=1";
    assert!(
        page.body.contains(&format!("href=\"{href}\"")),
        "{}",
        page.body
    );
    let authorize = location(&host.browser.get(href));
    // Google asks which account (and consents again, so a refresh token comes), with no
    // hint towards the account already connected.
    assert_eq!(
        param(&authorize, "prompt").as_deref(),
        Some("select_account consent")
    );
    assert_eq!(param(&authorize, "login_hint"), None);
    let done = host.browser.get(&consent(&authorize, second));
    assert_eq!(
        location(&done),
        "/dashboard/connections?done=connected",
        "{}",
        done.body
    );
}

#[test]
fn a_second_google_account_counts_receives_events_reconnects_and_disconnects_on_its_own() {
    let host = calendar_host("Two Accounts", "none", &["google"]);
    let id = host.host.id.clone();
    let second = format!("second.{}", host.email);
    connect_another(&host, &second);
    assert_eq!(
        stored(&id),
        [
            ("google".into(), "google".into(), "working".into(), 1),
            ("google-2".into(), "google".into(), "working".into(), 0),
        ]
    );
    let page = host.browser.get("/dashboard/connections");
    assert!(
        page.body.contains("id=\"account-google-2\""),
        "{}",
        page.body
    );
    assert!(page.body.contains(&second) && page.body.contains(&host.email));
    assert!(page
        .body
        .contains("action=\"/dashboard/connections/google-2/settings\""));
    // Each account's tokens are its own.
    let keys = kv::keys();
    for name in ["google", "google-2"] {
        assert!(
            keys.contains(&format!("host/{id}/refresh/{name}")),
            "{name}: {keys:?}"
        );
    }

    // Busy in either account hides the slot.
    set_busy(
        "google",
        &second,
        json!([{ "start": at("10:00"), "end": at("10:30") }]),
    );
    set_busy(
        "google",
        &host.email,
        json!([{ "start": at("11:00"), "end": at("11:30") }]),
    );
    let slots = offered(&host.host).unwrap();
    assert!(!slots.contains(&at("10:00")), "{slots:?}");
    assert!(!slots.contains(&at("11:00")), "{slots:?}");
    assert!(slots.contains(&at("09:00")), "{slots:?}");

    // Reconnecting the second account starts at it and keeps it the second connection.
    let authorize = location(&host.browser.get("/dashboard/connections/google-2/connect"));
    assert_eq!(
        param(&authorize, "login_hint").as_deref(),
        Some(second.as_str())
    );
    assert_eq!(param(&authorize, "prompt").as_deref(), Some("consent"));
    let done = host.browser.get(&consent(&authorize, &second));
    assert_eq!(location(&done), "/dashboard/connections?done=connected");
    assert_eq!(stored(&id).len(), 2, "{:?}", stored(&id));

    // The second account receives the events: a booking goes there, and its cancel too.
    let page = host.browser.get("/dashboard/connections");
    let chosen = host.browser.post_form(
        "/dashboard/connections/google-2/receive-events",
        &[("csrf", &csrf_of(&page))],
        &[],
    );
    assert_eq!(location(&chosen), "/dashboard/connections?done=saved");
    let booked = post_json(
        "/api/v1/bookings",
        &json!({ "host": host.host.slug, "event": "call", "start": at("09:00"),
                 "name": "Ivy Invitee", "email": "ivy.two@example.com",
                 "time_zone": "Europe/Paris" }),
    );
    assert_eq!(booked.status, 201, "{}", booked.body);
    crate::support::mail::run_cron();
    assert_eq!(live_events("google", &second).len(), 1);
    assert!(live_events("google", &host.email).is_empty());
    let manage_url = booked.json()["booking"]["manage_url"]
        .as_str()
        .unwrap()
        .to_owned();
    let cancelled = post_form(&format!("{manage_url}/cancel"), &[("reason", "")]);
    assert_eq!(cancelled.status, 303, "{}", cancelled.body);
    assert!(live_events("google", &second).is_empty());

    // Disconnecting the second account revokes its grant only; the first takes the events.
    let page = host.browser.get("/dashboard/connections");
    let gone = host.browser.post_form(
        "/dashboard/connections/google-2/disconnect",
        &[("csrf", &csrf_of(&page))],
        &[],
    );
    assert_eq!(location(&gone), "/dashboard/connections?done=disconnected");
    assert_eq!(
        stored(&id),
        [("google".into(), "google".into(), "working".into(), 1)]
    );
    let revoked: Vec<Value> = get(&format!("{}/_fake/revocations", world().fakes_url))
        .json()
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["provider"] == "google")
        .filter(|r| r["email"] == second.as_str() || r["email"] == host.email.as_str())
        .cloned()
        .collect();
    assert_eq!(revoked.len(), 1, "{revoked:?}");
    assert_eq!(revoked[0]["email"], second.as_str());
    let keys = kv::keys();
    let prefix = format!("host/{id}/");
    assert!(
        !keys
            .iter()
            .any(|k| k.starts_with(&prefix) && k.ends_with("/google-2")),
        "{keys:?}"
    );
    assert!(keys.contains(&format!("host/{id}/refresh/google")));
    let slots = offered(&host.host).unwrap();
    assert!(
        slots.contains(&at("10:00")),
        "the second account no longer counts"
    );
    assert!(!slots.contains(&at("11:00")), "the first one still does");
}

#[test]
fn a_host_has_at_most_five_accounts_of_a_provider_and_unknown_names_are_not_found() {
    let host = calendar_host("Many Accounts", "none", &["google"]);
    for n in 2..=5 {
        connect_another(&host, &format!("account{n}.{}", host.email));
    }
    let names: Vec<String> = stored(&host.host.id).into_iter().map(|c| c.0).collect();
    assert_eq!(
        names,
        ["google", "google-2", "google-3", "google-4", "google-5"]
    );
    let page = host.browser.get("/dashboard/connections");
    assert!(!page.body.contains("connect?another=1"), "no sixth offered");
    let sixth = host
        .browser
        .get("/dashboard/connections/google/connect?another=1");
    assert_eq!(sixth.status, 409, "{}", sixth.body);
    assert!(
        sixth.body.contains("the most Openslot keeps"),
        "{}",
        sixth.body
    );
    // The receiving account goes: exactly one other (the longest connected) takes over.
    let csrf = csrf_of(&page);
    let chosen = host.browser.post_form(
        "/dashboard/connections/google-3/receive-events",
        &[("csrf", csrf.as_str())],
        &[],
    );
    assert_eq!(location(&chosen), "/dashboard/connections?done=saved");
    let gone = host.browser.post_form(
        "/dashboard/connections/google-3/disconnect",
        &[("csrf", csrf.as_str())],
        &[],
    );
    assert_eq!(location(&gone), "/dashboard/connections?done=disconnected");
    let receiving: Vec<String> = stored(&host.host.id)
        .into_iter()
        .filter(|c| c.3 == 1)
        .map(|c| c.0)
        .collect();
    assert_eq!(receiving, ["google"]);
    connect_another(&host, &format!("account6.{}", host.email));
    assert_eq!(
        stored(&host.host.id).len(),
        5,
        "the freed number is taken again"
    );
    assert!(stored(&host.host.id).iter().any(|c| c.0 == "google-3"));
    let page = host.browser.get("/dashboard/connections");
    for name in ["google-1", "google-6", "google-02", "gmail-2"] {
        let csrf = csrf_of(&page);
        let reply = host.browser.post_form(
            &format!("/dashboard/connections/{name}/disconnect"),
            &[("csrf", csrf.as_str())],
            &[],
        );
        assert_eq!(reply.status, 404, "{name}: {}", reply.body);
    }
    assert_eq!(stored(&host.host.id).len(), 5);
}

/// The API lists each account as its own connection and takes its name in the routes.
#[test]
fn the_api_lists_each_account_and_patches_one_by_its_name() {
    let host = calendar_host("Api Accounts", "none", &["google"]);
    let second = format!("second.{}", host.email);
    connect_another(&host, &second);
    let token = new_token(&host.browser, "script");
    let list = call("GET", "/api/v1/connections", &token, None);
    assert_eq!(list.status, 200, "{}", list.body);
    let google: Vec<Value> = list.json()["connections"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["provider"] == "google")
        .cloned()
        .collect();
    assert_eq!(google.len(), 2, "{google:?}");
    assert_eq!(google[1]["connection"], "google-2");
    assert_eq!(google[1]["account_email"], second.as_str());
    let patched = call(
        "PATCH",
        "/api/v1/connections/google-2",
        &token,
        Some(json!({ "when_unreadable": "ignore" })),
    );
    assert_eq!(patched.status, 200, "{}", patched.body);
    assert_eq!(patched.json()["connection"], "google-2");
    let rows = sql(&format!(
        "SELECT connection, when_unreadable FROM connections WHERE host_id = '{}' \
         ORDER BY connection",
        host.host.id
    ));
    assert_eq!(rows[0]["when_unreadable"], "stop");
    assert_eq!(rows[1]["when_unreadable"], "ignore");
    let missing = call(
        "GET",
        "/api/v1/connections/google-3/calendars",
        &token,
        None,
    );
    assert_eq!(missing.status, 404, "{}", missing.body);
}

/// Connect flows of one host finished at the same moment (the host signed in on two devices):
/// two new accounts get two numbers, never one overwriting the other, and one account
/// finished twice at once is one connection.
#[test]
fn connects_finished_at_once_get_their_own_numbers_and_one_account_gets_one() {
    let host = calendar_host("Racing Accounts", "none", &["google"]);
    let race = |accounts: [String; 4]| -> Vec<String> {
        // Each flow started in its own browser (its own connect cookie) of the same session,
        // each account picked at the chooser before the callbacks run together.
        let flows: Vec<(crate::support::browser::Browser, String)> = accounts
            .iter()
            .map(|account| {
                let browser = host.browser.clone();
                let authorize =
                    location(&browser.get("/dashboard/connections/google/connect?another=1"));
                let callback = consent(&authorize, account);
                (browser, callback)
            })
            .collect();
        std::thread::scope(|scope| {
            let handles: Vec<_> = flows
                .into_iter()
                .map(|(browser, callback)| scope.spawn(move || location(&browser.get(&callback))))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        })
    };
    let a = format!("a.{}", host.email);
    let b = format!("b.{}", host.email);
    let done = race([a.clone(), b.clone(), a.clone(), b.clone()]);
    assert!(
        done.iter()
            .all(|to| to == "/dashboard/connections?done=connected"),
        "{done:?}"
    );
    let rows = stored(&host.host.id);
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(rows.iter().all(|row| row.2 == "working"), "{rows:?}");
    let page = host.browser.get("/dashboard/connections");
    // Each account shown as often as the other: neither is connected twice.
    let (shown_a, shown_b) = (
        page.body.matches(a.as_str()).count(),
        page.body.matches(b.as_str()).count(),
    );
    assert!(shown_a > 0 && shown_a == shown_b, "{shown_a} {shown_b}");
}

/// One CalDAV request as the account's own calendar app would send it; the status.
fn dav(server: &radicale::Radicale, user: &str, method: &str, path: &str) -> u16 {
    use base64::Engine;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{user}:pw-{user}"));
    match ureq::request(method, &format!("{}{path}", server.base))
        .set("Authorization", &format!("Basic {basic}"))
        .call()
    {
        Ok(response) => response.status(),
        Err(ureq::Error::Status(status, _)) => status,
        Err(other) => panic!("{method} {path}: {other}"),
    }
}

/// How many events the CalDAV account `user` has in its `home` calendar.
fn caldav_events(server: &radicale::Radicale, user: &str) -> usize {
    use base64::Engine;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{user}:pw-{user}"));
    ureq::request("PROPFIND", &format!("{}/{user}/home/", server.base))
        .set("Authorization", &format!("Basic {basic}"))
        .set("Depth", "1")
        .call()
        .expect("PROPFIND")
        .into_string()
        .unwrap()
        .matches(".ics</href>")
        .count()
}

/// Two accounts on a real CalDAV server (Radicale), connected through the API: each is its own
/// connection, connecting one again is a reconnect, and the one chosen receives the events.
#[test]
fn two_caldav_accounts_are_two_connections_and_the_chosen_one_gets_the_event() {
    let host = crate::support::HostSeed::new("Two Dav", "UTC")
        .hours(crate::support::seed::EVERY_DAY, 0, 1440)
        .event(crate::support::EventSeed::new("call", 30))
        .create();
    let (_, browser) = crate::sign_in::sign_in_seeded(&host, "Two Dav");
    let server = radicale::Radicale::start(&[("work", "pw-work"), ("home", "pw-home")]);
    for user in ["work", "home"] {
        assert_eq!(
            dav(&server, user, "MKCALENDAR", &format!("/{user}/home/")),
            201
        );
    }
    let token = new_token(&browser, "script");
    let connect = |user: &str| {
        call(
            "POST",
            "/api/v1/connections/caldav",
            &token,
            Some(
                json!({ "address": server.base, "username": user, "password": format!("pw-{user}") }),
            ),
        )
    };
    let work = connect("work");
    assert_eq!(work.status, 201, "{}", work.body);
    assert_eq!(work.json()["connection"], "caldav");
    let home = connect("home");
    assert_eq!(home.status, 201, "{}", home.body);
    assert_eq!(home.json()["connection"], "caldav-2");
    let again = connect("home");
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.json()["connection"], "caldav-2");
    assert_eq!(stored(&host.id).len(), 2);

    let chosen = call(
        "PATCH",
        "/api/v1/connections/caldav-2",
        &token,
        Some(json!({ "receives_events": true })),
    );
    assert_eq!(chosen.status, 200, "{}", chosen.body);
    let booked = post_json(
        "/api/v1/bookings",
        &json!({ "host": host.slug, "event": "call", "start": at("09:00"),
                 "name": "Dee Dav", "email": "dee.dav@example.com", "time_zone": "UTC" }),
    );
    assert_eq!(booked.status, 201, "{}", booked.body);
    crate::support::mail::run_cron();
    assert_eq!(caldav_events(&server, "home"), 1);
    assert_eq!(caldav_events(&server, "work"), 0);
}

/// Per event type, the calendar that receives its bookings may be one of a second account's
/// (issue 14): the editor lists it under that account, the API names it by the connection
/// (`google-2`), and a Meet booking's event and link are made there by that account, while
/// the first account, which receives events, keeps its calendar empty.
#[test]
fn an_event_type_sends_its_meet_bookings_to_a_calendar_of_the_second_account() {
    let host = calendar_host("Second Account Calendar", "google_meet", &["google"]);
    let second = format!("second.{}", host.email);
    connect_another(&host, &second);
    let added = post_json(
        &format!("{}/_fake/google/calendars", world().fakes_url),
        &json!({ "email": second, "count": 1, "prefix": "team", "read_only": false }),
    );
    assert_eq!(added.status, 200, "{}", added.body);
    let team = "team.0000@group.calendar.google.com";

    let editor = host
        .browser
        .get(&format!("/dashboard/event-types/{}-call", host.host.id));
    let value = format!("value=\"google-2:{team}\"");
    assert!(editor.body.contains(&value), "{}", editor.body);
    // Each account is named by its address, the default one too.
    assert!(
        editor
            .body
            .contains(&format!("(Google Calendar ({second}))")),
        "{}",
        editor.body
    );
    assert!(
        editor.body.contains(&format!(
            "Your default calendar (Google Calendar ({}))",
            host.email
        )),
        "{}",
        editor.body
    );

    let token = new_token(&host.browser, "second account");
    let path = format!("/api/v1/event-types/{}-call", host.host.id);
    let chose = call(
        "PATCH",
        &path,
        &token,
        Some(json!({ "event_calendar": { "connection": "google-2", "calendar_id": team } })),
    );
    assert_eq!(chose.status, 200, "{}", chose.body);
    assert_eq!(chose.json()["event_calendar"]["connection"], "google-2");
    // A connection the host does not have is refused under the field.
    let sixth = call(
        "PATCH",
        &path,
        &token,
        Some(json!({ "event_calendar": { "connection": "google-3", "calendar_id": team } })),
    );
    assert_eq!(sixth.status, 422, "{}", sixth.body);
    assert!(sixth.json()["error"]["fields"]["event_calendar"].is_string());

    let booked = post_json(
        "/api/v1/bookings",
        &json!({ "host": host.host.slug, "event": "call", "start": at("10:00"),
                 "name": "Ivy Invitee", "email": "second.calendar@example.com",
                 "time_zone": "Europe/Paris" }),
    );
    assert_eq!(booked.status, 201, "{}", booked.body);
    run_cron();
    let events = live_events("google", &second);
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["calendar_id"], team, "{events:?}");
    assert!(events[0]["meet_code"].is_string(), "{events:?}");
    assert!(live_events("google", &host.email).is_empty());
    assert_eq!(
        sql(&format!(
            "SELECT calendar_connection FROM booking_calendar WHERE host_id = '{}'",
            host.host.id
        ))[0]["calendar_connection"],
        "google-2"
    );
}

/// With two Google accounts, the one email about a refused grant names the account that broke
/// by its address, and its link reconnects that account.
#[test]
fn the_notice_about_a_broken_second_account_names_it_by_its_address() {
    let host = calendar_host("Broken Second", "none", &["google"]);
    let second = format!("second.{}", host.email);
    connect_another(&host, &second);
    let revoked = post_json(
        &format!("{}/_fake/google/revoke-all", world().fakes_url),
        &json!({ "email": second }),
    );
    assert_eq!(revoked.status, 200, "{}", revoked.body);
    // An invitee's view finds the refused grant.
    get(&format!("/{}/call", host.host.slug));
    run_cron();
    let subject = format!("Reconnect Google Calendar ({second}) to Openslot");
    let told = wait_for_emails(&host.email, &subject, 1);
    assert_eq!(told.len(), 1, "{told:?}");
    let text = told[0]["text"].as_str().unwrap();
    assert!(
        text.contains("/dashboard/connections/google-2/connect"),
        "{text}"
    );
}
