//! The calendar an event type's bookings go to (tracker issue 14): a host picks one of the
//! calendars they can write in, in the dashboard or through the API; bookings of that event
//! type are created in it at the provider fakes, a reschedule moves the event there (even after
//! the choice changed) and a cancel deletes it there, while other event types keep the default
//! calendar. A calendar the host cannot write in is refused with a field error, and a choice
//! whose connection is gone falls back to the default.

use serde_json::{json, Value};

use crate::api_tokens::{call, new_token};
use crate::calendars::{at, live_events};
use crate::connections::connect;
use crate::sign_in::{csrf_of, fake_account, location, sign_in_seeded};
use crate::support::browser::Browser;
use crate::support::http::{post_form, post_json, Reply};
use crate::support::mail::run_cron;
use crate::support::sealed::{open_field, stored_meeting_value};
use crate::support::seed::{sql, EVERY_DAY};
use crate::support::world::world;
use crate::support::{EventSeed, HostSeed, SeededHost};

/// A host in UTC, free all day, with the event types `call` and `chat` (no meeting link),
/// signed in and connected to each of `providers`, with an API token.
struct Host {
    host: SeededHost,
    email: String,
    browser: Browser,
    token: String,
}

fn host(name: &str, providers: &[&str]) -> Host {
    let host = HostSeed::new(name, "UTC")
        .hours(EVERY_DAY, 0, 1440)
        .event(EventSeed::new("call", 30))
        .event(EventSeed::new("chat", 30))
        .create();
    sql(&format!(
        "UPDATE event_types SET location_kind = 'none' WHERE host_id = '{}'",
        host.id
    ));
    let (email, browser) = sign_in_seeded(&host, name);
    for provider in providers {
        fake_account(provider, &email, name);
        connect(&browser, provider, &email);
    }
    let token = new_token(&browser, "calendars");
    Host {
        host,
        email,
        browser,
        token,
    }
}

/// Adds one calendar named `prefix` to the account at the fake; its id.
fn add_calendar(provider: &str, email: &str, prefix: &str, read_only: bool) -> String {
    let reply = post_json(
        &format!("{}/_fake/{provider}/calendars", world().fakes_url),
        &json!({ "email": email, "count": 1, "prefix": prefix, "read_only": read_only }),
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    match provider {
        "google" => format!("{prefix}.0000@group.calendar.google.com"),
        _ => format!("AAMkAD{prefix}0000AAA="),
    }
}

fn event_type(host: &Host, slug: &str) -> String {
    format!("/api/v1/event-types/{}-{slug}", host.host.id)
}

fn choose(host: &Host, slug: &str, choice: Value) -> Reply {
    call(
        "PATCH",
        &event_type(host, slug),
        &host.token,
        Some(json!({ "event_calendar": choice })),
    )
}

/// Books `slug` at `time` through the API and lets the cron make the event; the manage URL.
fn book(host: &Host, slug: &str, time: &str, invitee: &str) -> String {
    let reply = post_json(
        "/api/v1/bookings",
        &json!({ "host": host.host.slug, "event": slug, "start": at(time), "name": "Ivy Invitee",
                 "email": invitee, "time_zone": "Europe/Paris" }),
    );
    assert_eq!(reply.status, 201, "{}", reply.body);
    run_cron();
    reply.json()["booking"]["manage_url"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Moves the booking of `manage_url` to `time`; the new manage URL.
fn reschedule(manage_url: &str, time: &str) -> String {
    let token = manage_url.rsplit('/').next().unwrap();
    let moved = post_json(
        &format!("/api/v1/bookings/{token}/reschedule"),
        &json!({ "start": at(time) }),
    );
    assert_eq!(moved.status, 200, "{}", moved.body);
    run_cron();
    moved.json()["booking"]["manage_url"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn cancel(manage_url: &str) {
    let done = post_form(&format!("{manage_url}/cancel"), &[("reason", "")]);
    assert_eq!(done.status, 303, "{}", done.body);
    run_cron();
}

/// The live events of `email` at `provider` in `calendar`, with their start times.
fn events_in(provider: &str, email: &str, calendar: &str) -> Vec<String> {
    live_events(provider, email)
        .iter()
        .filter(|e| e["calendar_id"] == calendar)
        .map(|e| {
            e["body"]["start"]["dateTime"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

fn starts_at(starts: &[String], time: &str) -> bool {
    starts.len() == 1 && starts[0].starts_with(&at(time)[..16])
}

/// The field error of a 422 on `event_calendar`.
fn field_error(reply: &Reply) -> String {
    assert_eq!(reply.status, 422, "{}", reply.body);
    reply.json()["error"]["fields"]["event_calendar"]
        .as_str()
        .unwrap_or_else(|| panic!("no event_calendar error: {}", reply.body))
        .to_owned()
}

/// [P51] The chosen calendar's id, in the event type and in the booking's calendar work, is
/// kept only sealed under the key of the connection it belongs to.
#[test]
fn a_google_event_type_adds_its_bookings_to_the_chosen_calendar_and_keeps_them_there() {
    let host = host("Team Calendar Host", &["google"]);
    let team = add_calendar("google", &host.email, "team", false);
    let holidays = add_calendar("google", &host.email, "holidays", true);

    // The editor offers the default and the calendars the host can write in, not the others.
    let page = host
        .browser
        .get(&format!("/dashboard/event-types/{}-call", host.host.id));
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains("Your default calendar (Google Calendar)"),
        "{}",
        page.body
    );
    assert!(page.body.contains(&format!("value=\"google:{team}\"")));
    assert!(page.body.contains("value=\"google:primary\""));
    assert!(!page.body.contains(&holidays));
    // A script learns the same from the API: which calendars take events.
    let listed = call(
        "GET",
        "/api/v1/connections/google/calendars",
        &host.token,
        None,
    );
    assert_eq!(listed.status, 200, "{}", listed.body);
    let writable = |id: &str| {
        listed.json()["calendars"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .map(|c| c["writable"].clone())
    };
    assert_eq!(writable(&team), Some(json!(true)), "{}", listed.body);
    assert_eq!(writable(&holidays), Some(json!(false)), "{}", listed.body);

    // A read-only calendar, one the host does not have, a provider without calendars and a
    // calendar connection the host lacks are each refused on the field, never a 500.
    let read_only = choose(
        &host,
        "call",
        json!({ "connection": "google", "calendar_id": holidays }),
    );
    assert!(
        field_error(&read_only).contains("only read"),
        "{}",
        read_only.body
    );
    let stranger = choose(
        &host,
        "call",
        json!({ "connection": "google", "calendar_id": "bob@example.com" }),
    );
    assert!(field_error(&stranger).contains("not one of your"));
    let zoom = choose(
        &host,
        "call",
        json!({ "connection": "zoom", "calendar_id": "x" }),
    );
    field_error(&zoom);
    let outlook = choose(
        &host,
        "call",
        json!({ "connection": "microsoft", "calendar_id": "primary" }),
    );
    assert!(
        field_error(&outlook).contains("no Microsoft Outlook"),
        "{}",
        outlook.body
    );
    let shape = choose(&host, "call", json!("team"));
    field_error(&shape);

    let chose = choose(
        &host,
        "call",
        json!({ "connection": "google", "calendar_id": team }),
    );
    assert_eq!(chose.status, 200, "{}", chose.body);
    assert_eq!(
        chose.json()["event_calendar"],
        json!({ "connection": "google", "calendar_id": team })
    );
    // A copy of the event type adds its bookings to the same calendar.
    let copy = call(
        "POST",
        &format!("{}/duplicate", event_type(&host, "call")),
        &host.token,
        None,
    );
    assert_eq!(copy.status, 201, "{}", copy.body);
    assert_eq!(
        copy.json()["event_calendar"],
        chose.json()["event_calendar"]
    );
    let chat = call("GET", &event_type(&host, "chat"), &host.token, None);
    assert_eq!(chat.json()["event_calendar"], Value::Null);
    let listed = call("GET", "/api/v1/event-types", &host.token, None);
    let listed = listed.json()["event_types"].as_array().unwrap().clone();
    assert!(listed
        .iter()
        .any(|t| t["slug"] == "call" && t["event_calendar"]["calendar_id"] == team.as_str()));

    // The calendar's id is kept only sealed under the connection's key (PRIVACY.md P51).
    let stored = sql(&format!(
        "SELECT event_calendar_connection, event_calendar_id FROM event_types WHERE id = '{}-call'",
        host.host.id
    ));
    assert_eq!(stored[0]["event_calendar_connection"], "google");
    let opened = open_field(
        &host.host.id,
        "event_types",
        "event_calendar_id",
        &host.host.id,
        stored[0]["event_calendar_id"].as_str().unwrap(),
    );
    assert_eq!(opened.as_deref(), Ok(team.as_str()));
    assert!(
        !stored[0].to_string().contains("team.0000"),
        "{}",
        stored[0]
    );

    // [P22] The host's export names it, opened.
    let export = host.browser.get("/dashboard/export");
    assert_eq!(export.status, 200);
    let exported = export.json()["event_types"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["slug"] == "call")
        .cloned()
        .unwrap();
    assert_eq!(
        exported["event_calendar"]["calendar_id"],
        team.as_str(),
        "{exported}"
    );

    let call_url = book(&host, "call", "09:00", "team.invitee@example.com");
    book(&host, "chat", "10:00", "chat.invitee@example.com");
    // Google's fake records the primary calendar under its id, the host's address.
    assert!(starts_at(&events_in("google", &host.email, &team), "09:00"));
    assert!(starts_at(
        &events_in("google", &host.email, &host.email),
        "10:00"
    ));
    let work = sql(&format!(
        "SELECT c.calendar_id FROM booking_calendar c JOIN bookings b ON b.id = c.booking_id \
         WHERE b.event_type_id = '{}-call'",
        host.host.id
    ));
    let sealed = work[0]["calendar_id"].as_str().unwrap();
    assert!(sealed.starts_with("s1."), "{sealed}");
    assert_eq!(
        stored_meeting_value(&host.host.id, "calendar_id", sealed).as_deref(),
        Ok(team.as_str())
    );

    // A reschedule moves the event within the team calendar.
    let moved_url = reschedule(&call_url, "12:00");
    assert!(starts_at(&events_in("google", &host.email, &team), "12:00"));
    // The event type goes back to the default: the booking's event stays where it went.
    let back = choose(&host, "call", Value::Null);
    assert_eq!(back.status, 200, "{}", back.body);
    assert_eq!(back.json()["event_calendar"], Value::Null);
    let moved_again = reschedule(&moved_url, "13:00");
    assert!(starts_at(&events_in("google", &host.email, &team), "13:00"));
    assert_eq!(events_in("google", &host.email, &host.email).len(), 1);

    // A cancel deletes it there.
    cancel(&moved_again);
    assert!(events_in("google", &host.email, &team).is_empty());
    assert_eq!(events_in("google", &host.email, &host.email).len(), 1);
}

/// The edit form of `slug` with its seeded settings and `calendar` as "Add bookings to".
fn save_form(host: &Host, slug: &str, calendar: &str) -> Reply {
    let path = format!("/dashboard/event-types/{}-{slug}", host.host.id);
    let csrf = csrf_of(&host.browser.get(&path));
    host.browser.post_form(
        &path,
        &[
            ("csrf", &csrf),
            ("title", "Call"),
            ("slug", slug),
            ("description", ""),
            ("duration_minutes", "30"),
            ("interval_minutes", ""),
            ("buffer_before_minutes", "0"),
            ("buffer_after_minutes", "0"),
            ("minimum_notice_minutes", "0"),
            ("booking_window_days", "60"),
            ("location_kind", "none"),
            ("event_calendar", calendar),
        ],
        &[],
    )
}

#[test]
fn an_outlook_event_type_adds_its_bookings_to_the_chosen_calendar_through_the_dashboard() {
    let host = host("Outlook Team Host", &["microsoft"]);
    let team = add_calendar("microsoft", &host.email, "team", false);
    let shared = add_calendar("microsoft", &host.email, "shared", true);

    // Not a calendar the host can write in: the form comes back with the field's message.
    let refused = save_form(&host, "call", &format!("microsoft:{shared}"));
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.body.contains("id=\"event_calendar-error\""),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("only read"));
    let unknown = save_form(&host, "call", "microsoft:AAMkADnope");
    assert_eq!(unknown.status, 422);
    assert!(unknown
        .body
        .contains("not one of your Microsoft Outlook calendars"));
    let garbled = save_form(&host, "call", "nonsense");
    assert_eq!(garbled.status, 422);
    assert!(garbled.body.contains("id=\"event_calendar-error\""));

    let saved = save_form(&host, "call", &format!("microsoft:{team}"));
    assert_eq!(location(&saved), "/dashboard", "{}", saved.body);
    let page = host
        .browser
        .get(&format!("/dashboard/event-types/{}-call", host.host.id));
    assert!(
        page.body
            .contains(&format!("<option value=\"microsoft:{team}\" selected>")),
        "{}",
        page.body
    );

    // Graph: created with POST /me/calendars/{id}/events (the fake records the calendar), then
    // moved and deleted by the event's id.
    let call_url = book(&host, "call", "09:00", "outlook.team@example.com");
    book(&host, "chat", "10:00", "outlook.chat@example.com");
    assert!(starts_at(
        &events_in("microsoft", &host.email, &team),
        "09:00"
    ));
    assert!(starts_at(
        &events_in("microsoft", &host.email, "calendar"),
        "10:00"
    ));
    let moved = reschedule(&call_url, "12:00");
    assert!(starts_at(
        &events_in("microsoft", &host.email, &team),
        "12:00"
    ));
    cancel(&moved);
    assert!(events_in("microsoft", &host.email, &team).is_empty());
    assert_eq!(events_in("microsoft", &host.email, "calendar").len(), 1);
}

#[test]
fn a_choice_whose_connection_is_gone_falls_back_to_the_default_calendar() {
    let host = host("Fallback Host", &["microsoft", "google"]);
    sql(&format!(
        "UPDATE connections SET receives_events = (provider = 'microsoft') WHERE host_id = '{}'",
        host.host.id
    ));
    let team = add_calendar("google", &host.email, "team", false);
    let chose = choose(
        &host,
        "call",
        json!({ "connection": "google", "calendar_id": team }),
    );
    assert_eq!(chose.status, 200, "{}", chose.body);

    // While Google is broken, bookings go to the default calendar (Outlook's).
    sql(&format!(
        "UPDATE connections SET broken_reason = 'permission_missing', broken_since = 0 \
         WHERE host_id = '{}' AND provider = 'google'",
        host.host.id
    ));
    book(&host, "call", "09:00", "broken.fallback@example.com");
    assert!(starts_at(
        &events_in("microsoft", &host.email, "calendar"),
        "09:00"
    ));
    assert!(events_in("google", &host.email, &team).is_empty());
    sql(&format!(
        "UPDATE connections SET broken_reason = NULL, broken_since = NULL \
         WHERE host_id = '{}' AND provider = 'google'",
        host.host.id
    ));

    // Disconnected, the choice goes with the connection's key.
    let page = host.browser.get("/dashboard/connections");
    let gone = host.browser.post_form(
        "/dashboard/connections/google/disconnect",
        &[("csrf", &csrf_of(&page))],
        &[],
    );
    assert_eq!(location(&gone), "/dashboard/connections?done=disconnected");
    let read = call("GET", &event_type(&host, "call"), &host.token, None);
    assert_eq!(read.json()["event_calendar"], Value::Null, "{}", read.body);
    book(&host, "call", "11:00", "gone.fallback@example.com");
    let outlook = events_in("microsoft", &host.email, "calendar");
    assert_eq!(outlook.len(), 2, "{outlook:?}");
}

#[test]
fn when_google_cannot_be_read_the_editor_says_so_and_keeps_the_saved_choice() {
    let host = host("Unreadable List Host", &["google"]);
    let team = add_calendar("google", &host.email, "team", false);
    let chose = choose(
        &host,
        "call",
        json!({ "connection": "google", "calendar_id": team }),
    );
    assert_eq!(chose.status, 200, "{}", chose.body);
    // Google's calendar list answers 500 for this host's token from now on.
    let failing = post_json(
        &format!("{}/_fake/fail", world().fakes_url),
        &json!({ "path_prefix": "/google/api/calendar/v3/users/me/calendarList", "method": "GET",
                 "status": 500, "count": 50, "account": host.email }),
    );
    assert_eq!(failing.status, 200, "{}", failing.body);

    let path = format!("/dashboard/event-types/{}-call", host.host.id);
    let page = host.browser.get(&path);
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body
            .contains("Openslot could not read your Google Calendar calendars just now"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains(&format!("<option value=\"google:{team}\" selected>")),
        "{}",
        page.body
    );
    // Saving the page keeps the choice; a new one cannot be checked now and is refused.
    let saved = save_form(&host, "call", &format!("google:{team}"));
    assert_eq!(location(&saved), "/dashboard", "{}", saved.body);
    let read = call("GET", &event_type(&host, "call"), &host.token, None);
    assert_eq!(read.json()["event_calendar"]["calendar_id"], team.as_str());
    let other = save_form(&host, "call", "google:primary");
    assert_eq!(other.status, 422, "{}", other.body);
    assert!(other
        .body
        .contains("could not read your Google Calendar calendars just now"));
}
