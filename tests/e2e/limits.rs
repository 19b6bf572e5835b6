//! Weekly and monthly booking limits (issue 19): set on the event type's form (HTML, no
//! script) and through the host API, a full week or month hides the rest of its times on the
//! booking page and in the slots API while other periods stay open, and the one booking
//! statement holds the limit when requests race.

use chrono::{Datelike, Days, NaiveDate, Utc};
use serde_json::{json, Value};

use crate::sign_in::sign_in_seeded;
use crate::sign_in::{csrf_of, location};
use crate::support::browser::Browser;
use crate::support::http::{get, post_json, query, Reply};
use crate::support::seed::next_monday;
use crate::support::seed::{sql, EVERY_DAY};
use crate::support::{EventSeed, HostSeed, SeededHost};

/// A host in UTC open 09:00–17:00 every day with a 30-minute `call`, signed in on a browser.
pub(crate) fn limited_host(name: &str) -> (SeededHost, Browser) {
    let host = HostSeed::new(name, "UTC")
        .hours(EVERY_DAY, 9 * 60, 17 * 60)
        .event(EventSeed::new("call", 30))
        .create();
    let (_, browser) = sign_in_seeded(&host, name);
    (host, browser)
}

pub(crate) fn at(day: NaiveDate, time: &str) -> String {
    format!("{day}T{time}:00Z")
}

fn book(host: &SeededHost, start: &str, email: &str) -> u16 {
    book_event(host, "call", start, email)
}

/// Books `event` of `host` at `start` through the API; the answer's status.
pub(crate) fn book_event(host: &SeededHost, event: &str, start: &str, email: &str) -> u16 {
    post_json(
        "/api/v1/bookings",
        &json!({ "host": host.slug, "event": event, "start": start, "name": "Lim Ited",
                 "email": email, "time_zone": "UTC" }),
    )
    .status
}

/// How many times the slots API offers from `from` to `to` (local dates, inclusive).
fn offered_between(host: &SeededHost, from: NaiveDate, to: NaiveDate) -> usize {
    offered_of(host, "call", from, to)
}

/// How many times the slots API offers `event` from `from` to `to` (inclusive).
pub(crate) fn offered_of(host: &SeededHost, event: &str, from: NaiveDate, to: NaiveDate) -> usize {
    let q = query(&[
        ("host", &host.slug),
        ("event", event),
        ("tz", "UTC"),
        ("from", &from.to_string()),
        ("to", &to.to_string()),
    ]);
    let reply = get(&format!("/api/v1/slots?{q}"));
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|day| day["slots"].as_array().unwrap().len())
        .sum()
}

fn event_id(host: &SeededHost) -> String {
    format!("{}-call", host.id)
}

/// The event type's edit form as a host without JavaScript sends it, with `limits`.
pub(crate) fn save_event_form(
    browser: &Browser,
    host: &SeededHost,
    limits: &[(&str, &str)],
) -> Reply {
    let path = format!("/dashboard/event-types/{}", event_id(host));
    let page = browser.get(&path);
    assert_eq!(page.status, 200, "{}", page.body);
    let csrf = csrf_of(&page);
    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("title", "Intro call"),
        ("slug", "call"),
        ("description", ""),
        ("duration_minutes", "30"),
        ("interval_minutes", ""),
        ("buffer_before_minutes", "0"),
        ("buffer_after_minutes", "0"),
        ("minimum_notice_minutes", "0"),
        ("booking_window_days", "60"),
        ("max_per_day", ""),
        ("location_kind", "google_meet"),
    ];
    fields.extend_from_slice(limits);
    browser.post_form(&path, &fields, &[])
}

#[test]
fn a_full_week_hides_its_remaining_times_and_the_next_week_stays_open() {
    let (host, browser) = limited_host("Weekly Limit");
    let refused = save_event_form(
        &browser,
        &host,
        &[("max_per_week", "0"), ("max_per_month", "")],
    );
    assert_refused_under(&refused, "max_per_week", "weekly maximum of 0");
    let saved = save_event_form(
        &browser,
        &host,
        &[("max_per_week", "2"), ("max_per_month", "")],
    );
    assert_eq!(location(&saved), "/dashboard", "{}", saved.body);
    let page = browser.get(&format!("/dashboard/event-types/{}", event_id(&host)));
    assert!(page
        .body
        .contains("name=\"max_per_week\" inputmode=\"numeric\" class=\"short\" value=\"2\""));

    let monday = next_monday();
    let sunday = monday + Days::new(6);
    let next_week = (monday + Days::new(7), monday + Days::new(13));
    let full_week = offered_between(&host, monday, sunday);
    assert_eq!(full_week, 7 * 16, "16 half hours a day");
    assert_eq!(book(&host, &at(monday, "09:00"), "w1@example.com"), 201);
    assert_eq!(offered_between(&host, monday, sunday), full_week - 1);
    assert_eq!(book(&host, &at(sunday, "16:30"), "w2@example.com"), 201);
    assert_eq!(
        offered_between(&host, monday, sunday),
        0,
        "the week is full"
    );
    assert_eq!(offered_between(&host, next_week.0, next_week.1), 7 * 16);
    // The booking page (no script) shows the full week's days without times, the next
    // week's with them.
    let full_page = get(&format!("/{}/call?date={monday}", host.slug));
    assert_eq!(full_page.status, 200);
    assert!(
        !full_page.body.contains("class=\"slot\""),
        "{}",
        full_page.body
    );
    let open_page = get(&format!("/{}/call?date={}", host.slug, next_week.0));
    assert!(
        open_page.body.contains("class=\"slot\""),
        "{}",
        open_page.body
    );
    // A third booking in the full week is refused; the next week takes one.
    assert_ne!(
        book(&host, &at(monday + Days::new(2), "11:00"), "w3@example.com"),
        201
    );
    assert_eq!(
        book(&host, &at(next_week.0, "11:00"), "w4@example.com"),
        201
    );
}

#[test]
fn a_monthly_limit_set_through_the_api_counts_the_calendar_month() {
    use crate::api_tokens::{call, new_token};
    let (host, browser) = limited_host("Monthly Limit");
    let token = new_token(&browser, "script");
    let path = format!("/api/v1/event-types/{}", event_id(&host));
    let zero = call("PATCH", &path, &token, Some(json!({ "max_per_month": 0 })));
    assert_eq!(zero.status, 422, "{}", zero.body);
    assert!(zero.json()["error"]["fields"]["max_per_month"].is_string());
    let set = call(
        "PATCH",
        &path,
        &token,
        Some(json!({ "max_per_month": 1, "max_per_week": null })),
    );
    assert_eq!(set.status, 200, "{}", set.body);
    assert_eq!(set.json()["max_per_month"], 1);
    assert_eq!(set.json()["max_per_week"], Value::Null);

    // A month that lies wholly ahead: the one holding the day 32 days from now. Once it holds
    // one booking, none of its days offers a time; the month after it does.
    let today = Utc::now().date_naive();
    let first = (today + Days::new(32)).with_day(1).unwrap();
    let last = (first + Days::new(32))
        .with_day(1)
        .unwrap()
        .pred_opt()
        .unwrap();
    assert_eq!(
        book(&host, &at(first + Days::new(1), "09:00"), "m1@example.com"),
        201
    );
    assert_eq!(offered_between(&host, first, first + Days::new(13)), 0);
    assert_eq!(offered_between(&host, last - Days::new(1), last), 0);
    assert_eq!(
        offered_between(&host, last + Days::new(1), last + Days::new(1)),
        16
    );
}

/// `PATCH /api/v1/availability` with `body`, as the host's script sends it.
pub(crate) fn patch_availability(token: &str, body: Value) -> Reply {
    crate::api_tokens::call("PATCH", "/api/v1/availability", token, Some(body))
}

/// An API answer refused (422) naming `field`.
pub(crate) fn assert_api_refused(reply: &Reply, field: &str) {
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert!(
        reply.json()["error"]["fields"][field].is_string(),
        "{}",
        reply.body
    );
}

/// A form sent back refused (422) with `field`'s error saying `says`, next to the field.
pub(crate) fn assert_refused_under(reply: &Reply, field: &str, says: &str) {
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert!(
        reply.body.contains(&format!("id=\"{field}-error\"")),
        "{}",
        reply.body
    );
    assert!(reply.body.contains(says), "{}", reply.body);
}

/// Fifty requests at once for fifty different times of the week from `monday`, taking turns
/// over `events`; every answer's status, in the requests' order.
pub(crate) fn race_fifty_through_a_week(
    host: &SeededHost,
    events: &[&str],
    monday: NaiveDate,
) -> Vec<u16> {
    let requests: Vec<(&str, String)> = (0..50u64)
        .map(|i| {
            let day = monday + Days::new(i % 7);
            let half_hours = 18 + i / 7; // 09:00 onwards, one per day per round
            let time = format!("{:02}:{:02}", half_hours / 2, (half_hours % 2) * 30);
            (events[i as usize % events.len()], at(day, &time))
        })
        .collect();
    std::thread::scope(|scope| {
        let handles: Vec<_> = requests
            .iter()
            .enumerate()
            .map(|(i, (event, start))| {
                scope
                    .spawn(move || book_event(host, event, start, &format!("racer{i}@example.com")))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

/// Exactly `n` of the raced requests booked, every other one refused (none lost in between),
/// and the host holds exactly `n` confirmed bookings.
pub(crate) fn assert_exactly_booked(host: &SeededHost, statuses: &[u16], n: usize) {
    assert_eq!(
        statuses.iter().filter(|&&s| s == 201).count(),
        n,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|&s| [201, 409, 422].contains(&s)),
        "{statuses:?}"
    );
    let rows = sql(&format!(
        "SELECT COUNT(*) AS n FROM bookings WHERE host_id = '{}' AND status = 'confirmed'",
        host.id
    ));
    assert_eq!(rows[0]["n"], n);
}

/// Fifty requests for fifty different times of one week capped at 3: exactly three
/// bookings, none overlapping, every other request refused, none lost in between.
#[test]
fn fifty_racing_requests_against_a_weekly_limit_of_three_make_exactly_three_bookings() {
    let (host, _browser) = limited_host("Racing Weekly");
    sql(&format!(
        "UPDATE event_types SET max_bookings_per_week = 3 WHERE id = '{}'",
        event_id(&host)
    ));
    let statuses = race_fifty_through_a_week(&host, &["call"], next_monday());
    assert_exactly_booked(&host, &statuses, 3);
}

/// The host's weeks start on the weekday they choose (the availability page's form, without
/// script, or the API's `week_starts_on`), and weekly limits count from it.
#[test]
fn weekly_limits_count_from_the_weekday_the_host_chooses() {
    use crate::api_tokens::{call, new_token};
    let (host, browser) = limited_host("Sunday Weeks");
    sql(&format!(
        "UPDATE event_types SET max_bookings_per_week = 1 WHERE id = '{}'",
        event_id(&host)
    ));
    let page = browser.get("/dashboard/availability");
    assert!(
        page.body
            .contains("<option value=\"0\" selected>Monday</option>"),
        "{}",
        page.body
    );
    let saved = save_host_limits(&browser, "6", "", "");
    assert_eq!(
        location(&saved),
        "/dashboard/availability",
        "{}",
        saved.body
    );
    let page = browser.get("/dashboard/availability");
    assert!(
        page.body
            .contains("<option value=\"6\" selected>Sunday</option>"),
        "{}",
        page.body
    );
    let refused = save_host_limits(&browser, "7", "", "");
    assert_eq!(refused.status, 400, "{}", refused.body);

    // Booked on a Sunday: that Sunday to Saturday is full, the Monday-based week is not.
    let sunday = next_monday() + Days::new(6);
    assert_eq!(book(&host, &at(sunday, "10:00"), "sun@example.com"), 201);
    assert_eq!(offered_between(&host, sunday, sunday + Days::new(6)), 0);
    assert_eq!(
        offered_between(&host, sunday - Days::new(6), sunday - Days::new(1)),
        6 * 16
    );
    assert_eq!(
        offered_between(&host, sunday + Days::new(7), sunday + Days::new(7)),
        16
    );

    let token = new_token(&browser, "script");
    let read = call("GET", "/api/v1/availability", &token, None);
    assert_eq!(read.json()["week_starts_on"], "sunday", "{}", read.body);
    let wrong = patch_availability(&token, json!({ "week_starts_on": "someday" }));
    assert_api_refused(&wrong, "week_starts_on");
    let monday_again = patch_availability(&token, json!({ "week_starts_on": "monday" }));
    assert_eq!(monday_again.status, 200, "{}", monday_again.body);
    assert_eq!(monday_again.json()["week_starts_on"], "monday");
    // Monday-based again: the Sunday booking fills the week that ends on it.
    assert_eq!(
        offered_between(&host, sunday + Days::new(1), sunday + Days::new(1)),
        16
    );
    assert_eq!(offered_between(&host, sunday - Days::new(6), sunday), 0);
}

/// The availability page's limits form, as a host without script sends it: the week's first
/// day (`0` Monday … `6` Sunday) and the host's maxima per day and per week (empty: none).
pub(crate) fn save_host_limits(
    browser: &Browser,
    week_start: &str,
    day: &str,
    week: &str,
) -> Reply {
    let page = browser.get("/dashboard/availability");
    assert_eq!(page.status, 200, "{}", page.body);
    browser.post_form(
        "/dashboard/availability/limits",
        &[
            ("csrf", &csrf_of(&page)),
            ("week_start", week_start),
            ("host_max_per_day", day),
            ("host_max_per_week", week),
        ],
        &[],
    )
}
