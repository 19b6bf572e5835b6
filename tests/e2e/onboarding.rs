//! A new host's first minutes, as plain HTML forms (no JavaScript): the sign-in that creates
//! the host leads to three skippable steps (name, link and zone; working hours pre-filled
//! Monday to Friday 09:00–17:00; connect a calendar), after which a "30 minute meeting" is
//! bookable at once and the dashboard lists what is left. Hosts who already exist are never
//! sent there, and onboarding never touches hours or event types a host already has.

use chrono::Weekday;
use serde_json::json;

use crate::dashboard_availability::{next, weekly_rows};
use crate::sign_in::{csrf_of, fake_account, host_row, location, sign_in, signed_in_host};
use crate::support::browser::Browser;
use crate::support::http::{get, post_json, query};
use crate::support::seed::sql;
use crate::support::{EventSeed, HostSeed};

/// The local start times the slots API offers for `event` on `date` in Europe/Berlin.
fn times(slug: &str, event: &str, date: &str) -> Vec<String> {
    let reply = get(&format!(
        "/api/v1/slots?{}",
        query(&[
            ("host", slug),
            ("event", event),
            ("tz", "Europe/Berlin"),
            ("from", date),
            ("to", date)
        ])
    ));
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()["days"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["slots"].as_array().unwrap().clone())
        .map(|s| {
            let local = s["local_start"].as_str().unwrap();
            local.split_once('T').map_or(local, |(_, t)| t)[..5].to_owned()
        })
        .collect()
}

fn event_rows(host_id: &str) -> Vec<serde_json::Value> {
    sql(&format!(
        "SELECT title, slug, duration_minutes, minimum_notice_minutes, booking_window_days, hidden \
         FROM event_types WHERE host_id = '{host_id}'"
    ))
}

/// The hours step's form for Monday to Friday 09:00–17:00 as the page shows it.
fn default_week_form(csrf: &str) -> Vec<(String, String)> {
    let mut fields = vec![
        ("csrf".to_owned(), csrf.to_owned()),
        ("week".to_owned(), "ranges".to_owned()),
        ("schedule_time_zone".to_owned(), "Europe/Berlin".to_owned()),
    ];
    for day in ["mon", "tue", "wed", "thu", "fri"] {
        fields.push((format!("{day}_on"), "1".to_owned()));
        fields.push((format!("{day}_start"), "09:00".to_owned()));
        fields.push((format!("{day}_end"), "17:00".to_owned()));
    }
    fields
}

fn borrowed(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect()
}

#[test]
fn a_new_host_goes_through_three_steps_and_has_a_bookable_link() {
    let (browser, email) = signed_in_host("welcome", "Provider Name");
    let host = host_row(&email);
    let host_id = host["id"].as_str().unwrap().to_owned();
    let slug = host["slug"].as_str().unwrap().to_owned();
    // Before step 1 is left, nothing was made for the host.
    assert!(event_rows(&host_id).is_empty());

    let step1 = browser.get("/dashboard/welcome");
    assert_eq!(step1.status, 200);
    assert!(
        step1.body.contains("value=\"Provider Name\""),
        "{}",
        step1.body
    );
    assert!(step1.body.contains(&format!("value=\"{slug}\"")));
    // The zone the browser sent at sign-in is chosen (host.js picks the browser's with JS).
    assert!(step1
        .body
        .contains("<option selected>Europe/Berlin</option>"));
    let csrf = csrf_of(&step1);

    // A bad name comes back with its message and changes nothing.
    let bad = browser.post_form(
        "/dashboard/welcome",
        &[
            ("csrf", &csrf),
            ("name", ""),
            ("slug", &slug),
            ("time_zone", "Europe/Berlin"),
        ],
        &[],
    );
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(bad.body.contains("id=\"name-error\""));
    assert!(event_rows(&host_id).is_empty());

    let saved = browser.post_form(
        "/dashboard/welcome",
        &[
            ("csrf", &csrf),
            ("name", "Noor Haddad"),
            ("slug", &slug),
            ("time_zone", "Europe/Berlin"),
        ],
        &[],
    );
    assert_eq!(
        location(&saved),
        "/dashboard/welcome/hours",
        "{}",
        saved.body
    );
    assert_eq!(host_row(&email)["name"], "Noor Haddad");
    let events = event_rows(&host_id);
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["title"], "30 minute meeting");
    assert_eq!(events[0]["slug"], "30min");
    assert_eq!(events[0]["duration_minutes"], 30);
    assert_eq!(events[0]["hidden"], 0);
    let week = weekly_rows(&host_id);
    assert_eq!(
        week,
        (0..5)
            .map(|d| json!({ "weekday": d, "start_minute": 540, "end_minute": 1020 }))
            .collect::<Vec<_>>()
    );
    assert_eq!(host_row(&email)["schedule_time_zone"], "Europe/Berlin");

    // Step 2 shows those hours in the editor; continuing saves them as shown.
    let step2 = browser.get("/dashboard/welcome/hours");
    assert_eq!(step2.status, 200);
    assert!(step2.body.contains("name=\"mon_start\" value=\"09:00\""));
    assert!(step2.body.contains("name=\"fri_end\" value=\"17:00\""));
    assert!(step2
        .body
        .contains("id=\"mon_on\" name=\"mon_on\" value=\"1\" checked"));
    assert!(!step2
        .body
        .contains("id=\"sat_on\" name=\"sat_on\" value=\"1\" checked"));
    let form = default_week_form(&csrf);
    let continued = browser.post_form("/dashboard/welcome/hours", &borrowed(&form), &[]);
    assert_eq!(location(&continued), "/dashboard/welcome/calendar");
    assert_eq!(weekly_rows(&host_id), week);

    // Step 3 offers the calendars and shows the link that already works.
    let step3 = browser.get("/dashboard/welcome/calendar");
    assert_eq!(step3.status, 200);
    assert!(step3
        .body
        .contains("href=\"/dashboard/connections/google/connect\""));
    assert!(step3.body.contains(&format!("href=\"/{slug}/30min\"")));

    // An invitee books Monday 09:00 Berlin time on the new link.
    let monday = next(Weekday::Mon).to_string();
    let offered = times(&slug, "30min", &monday);
    assert_eq!(
        offered.first().map(String::as_str),
        Some("09:00"),
        "{offered:?}"
    );
    assert_eq!(offered.last().map(String::as_str), Some("16:30"));
    assert_eq!(offered.len(), 16);
    assert!(times(&slug, "30min", &next(Weekday::Sat).to_string()).is_empty());
    let start = get(&format!(
        "/api/v1/slots?{}",
        query(&[
            ("host", &slug),
            ("event", "30min"),
            ("from", &monday),
            ("to", &monday)
        ])
    ))
    .json()["days"][0]["slots"][0]["start"]
        .as_str()
        .unwrap()
        .to_owned();
    let booked = post_json(
        "/api/v1/bookings",
        &json!({ "host": slug, "event": "30min", "start": start, "name": "Iris Invitee",
                 "email": "iris@example.com", "time_zone": "Europe/Berlin" }),
    );
    assert_eq!(booked.status, 201, "{}", booked.body);

    // The dashboard lists what is left and the meeting just booked.
    let home = browser.get("/dashboard");
    assert_eq!(home.status, 200);
    assert!(home.body.contains("Finish setting up"), "{}", home.body);
    assert!(home
        .body
        .contains("<a href=\"/dashboard/connections\">Connect a calendar</a>"));
    assert!(home.body.contains("<span>Try your own link</span>"));
    assert!(home.body.contains("Iris Invitee"));
    assert!(home
        .body
        .contains(&format!("href=\"/{slug}/30min\" class=\"preview\"")));
}

#[test]
fn skipping_every_step_still_leaves_default_hours_and_a_first_event_type() {
    let (browser, email) = signed_in_host("skipper", "Skipping Host");
    let host = host_row(&email);
    let host_id = host["id"].as_str().unwrap().to_owned();
    let csrf = csrf_of(&browser.get("/dashboard/welcome"));
    let skipped = browser.post_form(
        "/dashboard/welcome",
        &[("csrf", &csrf), ("name", ""), ("skip", "1")],
        &[],
    );
    assert_eq!(location(&skipped), "/dashboard/welcome/hours");
    assert_eq!(
        host_row(&email)["name"],
        "Skipping Host",
        "a skipped step saves nothing"
    );
    assert_eq!(event_rows(&host_id).len(), 1);
    assert_eq!(weekly_rows(&host_id).len(), 5);
    // A second pass (the back button) makes nothing twice.
    let again = browser.post_form("/dashboard/welcome", &[("csrf", &csrf), ("skip", "1")], &[]);
    assert_eq!(location(&again), "/dashboard/welcome/hours");
    assert_eq!(event_rows(&host_id).len(), 1);
    assert_eq!(weekly_rows(&host_id).len(), 5);
    let step3 = browser.get("/dashboard/welcome/calendar");
    assert!(step3.body.contains("/30min\""));
    // Without the CSRF token nothing happens.
    let forged = browser.post_form(
        "/dashboard/welcome",
        &[("name", "Forged"), ("slug", "forged"), ("time_zone", "UTC")],
        &[],
    );
    assert_eq!(forged.status, 403);
    assert_eq!(host_row(&email)["name"], "Skipping Host");
}

#[test]
fn the_hours_step_adds_ranges_copies_days_and_explains_overlaps_without_javascript() {
    let (browser, email) = signed_in_host("hoursstep", "Hours Step Host");
    let host_id = host_row(&email)["id"].as_str().unwrap().to_owned();
    let csrf = csrf_of(&browser.get("/dashboard/welcome"));
    browser.post_form("/dashboard/welcome", &[("csrf", &csrf), ("skip", "1")], &[]);
    let before = weekly_rows(&host_id);

    // "Add a range" on Monday: the form comes back with a second, empty Monday range, unsaved.
    let mut form = default_week_form(&csrf);
    form.push(("edit".to_owned(), "add:mon".to_owned()));
    let added = browser.post_form("/dashboard/welcome/hours", &borrowed(&form), &[]);
    assert_eq!(added.status, 200, "{}", added.body);
    assert_eq!(added.body.matches("name=\"mon_start\"").count(), 2);
    assert!(added.body.contains("Not saved yet"));
    assert_eq!(weekly_rows(&host_id), before);

    // "Copy to weekdays" from Monday with a lunch break.
    let mut copy = vec![
        ("csrf", csrf.as_str()),
        ("week", "ranges"),
        ("schedule_time_zone", "Europe/Berlin"),
        ("mon_on", "1"),
        ("mon_start", "08:00"),
        ("mon_end", "12:00"),
        ("mon_start", "13:00"),
        ("mon_end", "18:00"),
    ];
    copy.push(("edit", "copy:mon"));
    let copied = browser.post_form("/dashboard/welcome/hours", &copy, &[]);
    assert_eq!(copied.status, 200);
    for day in ["tue", "wed", "thu", "fri"] {
        assert!(copied
            .body
            .contains(&format!("name=\"{day}_start\" value=\"13:00\"")));
        assert!(copied.body.contains(&format!(
            "id=\"{day}_on\" name=\"{day}_on\" value=\"1\" checked"
        )));
    }
    assert!(!copied.body.contains("name=\"sat_start\" value=\"13:00\""));
    assert_eq!(weekly_rows(&host_id), before);

    // Overlapping ranges are named, and nothing is saved.
    let overlap = browser.post_form(
        "/dashboard/welcome/hours",
        &[
            ("csrf", &csrf),
            ("week", "ranges"),
            ("schedule_time_zone", "Europe/Berlin"),
            ("tue_on", "1"),
            ("tue_start", "09:00"),
            ("tue_end", "12:00"),
            ("tue_start", "11:00"),
            ("tue_end", "13:00"),
            ("wed_on", "1"),
            ("wed_start", "10:00"),
            ("wed_end", ""),
        ],
        &[],
    );
    assert_eq!(overlap.status, 422);
    assert!(overlap
        .body
        .contains("09:00–12:00 and 11:00–13:00 on Tuesday overlap"));
    assert!(overlap.body.contains("id=\"tue-error\""));
    assert!(overlap.body.contains("id=\"wed-error\""));
    assert!(overlap
        .body
        .contains("Wednesday: give each range a start and an end time"));
    assert_eq!(weekly_rows(&host_id), before);

    // Monday only, until midnight (a time field writes the day's end as 00:00).
    let late = browser.post_form(
        "/dashboard/welcome/hours",
        &[
            ("csrf", &csrf),
            ("week", "ranges"),
            ("schedule_time_zone", "Europe/Berlin"),
            ("mon_on", "1"),
            ("mon_start", "18:00"),
            ("mon_end", "00:00"),
            ("tue_start", "09:00"),
            ("tue_end", "17:00"),
        ],
        &[],
    );
    assert_eq!(
        location(&late),
        "/dashboard/welcome/calendar",
        "{}",
        late.body
    );
    assert_eq!(
        weekly_rows(&host_id),
        vec![json!({ "weekday": 0, "start_minute": 1080, "end_minute": 1440 })],
        "Tuesday is switched off, so its range is not kept"
    );
}

#[test]
fn hosts_who_already_exist_never_see_onboarding_and_keep_what_they_have() {
    // A host with hours and an event type, signing in for the first time with Google.
    let seeded = HostSeed::new("Seasoned Host", "Europe/Berlin")
        .hours(&[0, 1, 2], 600, 720)
        .event(EventSeed::new("intro", 45))
        .create();
    let email = format!("{}@example.com", seeded.slug);
    fake_account("google", &email, "Seasoned Host");
    let browser = Browser::new();
    assert_eq!(location(&sign_in(&browser, "google", &email)), "/dashboard");
    // A new host's second sign-in goes home as well.
    let (_, new_email) = signed_in_host("twice", "Twice Host");
    let again = Browser::new();
    assert_eq!(
        location(&sign_in(&again, "google", &new_email)),
        "/dashboard"
    );

    // Even walking into onboarding by hand changes nothing they have.
    let hours = weekly_rows(&seeded.id);
    let csrf = csrf_of(&browser.get("/dashboard/welcome"));
    let skipped = browser.post_form("/dashboard/welcome", &[("csrf", &csrf), ("skip", "1")], &[]);
    assert_eq!(location(&skipped), "/dashboard/welcome/hours");
    assert_eq!(weekly_rows(&seeded.id), hours);
    let events = event_rows(&seeded.id);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["slug"], "intro");
    // Their home has nothing left to set up but a calendar and a first booking.
    let home = browser.get("/dashboard");
    assert!(home.body.contains("<span>Set your working hours</span>"));
    assert!(home.body.contains("<span>Create an event type</span>"));
}
