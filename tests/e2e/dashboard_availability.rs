//! A signed-in host sets their availability from the dashboard: weekly hours with several
//! ranges a day and the zone they are read in, date overrides (a day off, other hours), and a
//! preview of the next week. What they save is what the public slots API offers; bad input
//! comes back with a message per field and changes nothing; every write needs the CSRF token.

use chrono::{Datelike, Days, NaiveDate, Utc, Weekday};

use crate::sign_in::{csrf_of, host_row, location, signed_in_host};
use crate::support::browser::Browser;
use crate::support::http::{get, query};
use crate::support::seed::sql;

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// A signed-in host in Europe/Berlin with one event type `call` (30 minutes, 60 minutes'
/// notice): (browser, host id, host slug, csrf).
pub(crate) fn host_with_event(tag: &str) -> (Browser, String, String, String) {
    let (browser, email) = signed_in_host(tag, "Hours Host");
    let host = host_row(&email);
    let csrf = csrf_of(&browser.get("/dashboard/event-types/new"));
    let reply = browser.post_form(
        "/dashboard/event-types",
        &[
            ("csrf", csrf.as_str()),
            ("title", "Call"),
            ("slug", "call"),
            ("description", ""),
            ("duration_minutes", "30"),
            ("interval_minutes", ""),
            ("buffer_before_minutes", "0"),
            ("buffer_after_minutes", "0"),
            ("minimum_notice_minutes", "60"),
            ("booking_window_days", "30"),
            ("max_per_day", ""),
            ("location_kind", "zoom"),
        ],
        &[],
    );
    assert_eq!(location(&reply), "/dashboard", "{}", reply.body);
    (
        browser,
        host["id"].as_str().unwrap().to_owned(),
        host["slug"].as_str().unwrap().to_owned(),
        csrf,
    )
}

/// Posts the weekly hours form: `hours` per weekday by field name, the rest empty.
fn save_week(
    browser: &Browser,
    csrf: &str,
    hours: &[(&str, &str)],
    zone: &str,
) -> crate::support::http::Reply {
    let mut fields = vec![("csrf", csrf), ("schedule_time_zone", zone)];
    for day in DAYS {
        let value = hours
            .iter()
            .find(|(d, _)| *d == day)
            .map_or("", |(_, v)| *v);
        fields.push((day, value));
    }
    browser.post_form("/dashboard/availability", &fields, &[])
}

fn every_day(hours: &str) -> Vec<(&'static str, &str)> {
    DAYS.iter().map(|d| (*d, hours)).collect()
}

/// The local start times (`HH:MM`) the public slots API offers on `date` in Europe/Berlin.
pub(crate) fn offered_times(slug: &str, date: NaiveDate) -> Vec<String> {
    let date = date.to_string();
    let reply = get(&format!(
        "/api/v1/slots?{}",
        query(&[
            ("host", slug),
            ("event", "call"),
            ("tz", "Europe/Berlin"),
            ("from", &date),
            ("to", &date)
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
            let time = local.split_once('T').map_or(local, |(_, t)| t);
            time[..5].to_owned()
        })
        .collect()
}

/// The first `weekday` at least two days from today, clear of notice and "today" edge cases.
pub(crate) fn next(weekday: Weekday) -> NaiveDate {
    let mut date = Utc::now().date_naive() + Days::new(2);
    while date.weekday() != weekday {
        date = date + Days::new(1);
    }
    date
}

pub(crate) fn weekly_rows(host_id: &str) -> Vec<serde_json::Value> {
    sql(&format!(
        "SELECT weekday, start_minute, end_minute FROM weekly_hours WHERE host_id = '{host_id}' \
         ORDER BY weekday, start_minute"
    ))
}

#[test]
fn saved_weekly_hours_are_what_the_slots_api_offers() {
    let (browser, host_id, slug, csrf) = host_with_event("weekly");
    let page = browser.get("/dashboard/availability");
    assert_eq!(page.status, 200);
    // Each weekday has a switch and time fields per range.
    assert!(page.body.contains("name=\"mon_on\""));
    assert!(page.body.contains("type=\"time\" name=\"mon_start\""));
    assert!(page
        .body
        .contains("<option selected>Europe/Berlin</option>"));

    let saved = save_week(
        &browser,
        &csrf,
        &[("mon", "10:00-11:00"), ("wed", "13:00-14:00, 09:00-10:00")],
        "Europe/Berlin",
    );
    assert_eq!(
        location(&saved),
        "/dashboard/availability",
        "{}",
        saved.body
    );
    let rows = weekly_rows(&host_id);
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!(
        (
            rows[0]["weekday"].as_i64(),
            rows[0]["start_minute"].as_i64(),
            rows[0]["end_minute"].as_i64()
        ),
        (Some(0), Some(600), Some(660))
    );

    assert_eq!(offered_times(&slug, next(Weekday::Mon)), ["10:00", "10:30"]);
    assert!(offered_times(&slug, next(Weekday::Tue)).is_empty());
    assert_eq!(
        offered_times(&slug, next(Weekday::Wed)),
        ["09:00", "09:30", "13:00", "13:30"]
    );
    // The page shows what is stored, sorted, one range of time fields after the other.
    let page = browser.get("/dashboard/availability");
    let wednesday = page.body.split("data-day=\"wed\"").nth(1).unwrap();
    let wednesday = wednesday.split("data-day=\"thu\"").next().unwrap();
    let first = wednesday.find("name=\"wed_start\" value=\"09:00\"");
    let second = wednesday.find("name=\"wed_start\" value=\"13:00\"");
    assert!(first.is_some() && first < second, "{}", page.body);
    assert!(wednesday.contains("name=\"wed_end\" value=\"14:00\""));
    assert!(page
        .body
        .contains("id=\"mon_on\" name=\"mon_on\" value=\"1\" checked"));
    assert!(!page
        .body
        .contains("id=\"tue_on\" name=\"tue_on\" value=\"1\" checked"));

    // The zone the hours are read in moves them: 10:00 in New York is 16:00 in Berlin.
    let moved = save_week(
        &browser,
        &csrf,
        &[("mon", "10:00-11:00")],
        "America/New_York",
    );
    assert_eq!(location(&moved), "/dashboard/availability");
    assert_eq!(host_row_zone(&host_id), "America/New_York");
    let monday = offered_times(&slug, next(Weekday::Mon));
    assert_eq!(monday.len(), 2, "{monday:?}");
    assert!(monday[0] == "16:00" || monday[0] == "15:00", "{monday:?}");
}

fn host_row_zone(host_id: &str) -> String {
    sql(&format!(
        "SELECT time_zone FROM schedules WHERE host_id = '{host_id}' AND is_default = 1"
    ))[0]["time_zone"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn overlapping_or_bad_hours_come_back_with_messages_and_nothing_changes() {
    let (browser, host_id, _slug, csrf) = host_with_event("overlap");
    let saved = save_week(&browser, &csrf, &every_day("09:00-17:00"), "Europe/Berlin");
    assert_eq!(location(&saved), "/dashboard/availability");
    let before = weekly_rows(&host_id);
    assert_eq!(before.len(), 7);

    let reply = save_week(
        &browser,
        &csrf,
        &[
            ("mon", "09:00-12:00, 11:00-13:00"),
            ("tue", "25:00-26:00"),
            ("wed", "17:00-09:00"),
            ("thu", "nine to five"),
        ],
        "Europe/Berlin",
    );
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert!(reply.body.contains("id=\"mon-error\""));
    assert!(
        reply
            .body
            .contains("09:00–12:00 and 11:00–13:00 on Monday overlap"),
        "{}",
        reply.body
    );
    assert!(reply.body.contains("id=\"tue-error\""));
    assert!(reply.body.contains("is not a time of day"));
    assert!(reply.body.contains("id=\"wed-error\""));
    assert!(reply.body.contains("id=\"thu-error\""));
    assert!(!reply.body.contains("id=\"fri-error\""));
    assert!(
        reply.body.contains("name=\"mon_start\" value=\"11:00\"")
            && reply.body.contains("name=\"mon_end\" value=\"13:00\""),
        "what the host typed is kept"
    );
    assert_eq!(weekly_rows(&host_id), before);

    let zone = save_week(&browser, &csrf, &[("mon", "10:00-11:00")], "Mars/Olympus");
    assert_eq!(zone.status, 422);
    assert!(zone.body.contains("id=\"schedule_time_zone-error\""));
    assert_eq!(weekly_rows(&host_id), before);
    assert_eq!(host_row_zone(&host_id), "Europe/Berlin");
}

#[test]
fn a_day_off_override_removes_that_dates_slots_until_it_is_deleted() {
    let (browser, host_id, slug, csrf) = host_with_event("override");
    assert_eq!(
        location(&save_week(
            &browser,
            &csrf,
            &every_day("09:00-17:00"),
            "Europe/Berlin"
        )),
        "/dashboard/availability"
    );
    let date = Utc::now().date_naive() + Days::new(3);
    let usual = offered_times(&slug, date);
    assert_eq!(usual.len(), 16, "{usual:?}");

    let off = browser.post_form(
        "/dashboard/availability/overrides",
        &[
            ("csrf", csrf.as_str()),
            ("override_date", &date.to_string()),
            ("override_hours", ""),
            ("override_day_off", "1"),
        ],
        &[],
    );
    assert_eq!(location(&off), "/dashboard/availability", "{}", off.body);
    assert!(offered_times(&slug, date).is_empty());
    let page = browser.get("/dashboard/availability");
    assert!(page
        .body
        .contains(&format!("/dashboard/availability/overrides/{date}/delete")));
    assert!(page.body.contains("Day off"));

    // Other hours replace the day's, and an override may be replaced.
    let other = browser.post_form(
        "/dashboard/availability/overrides",
        &[
            ("csrf", csrf.as_str()),
            ("override_date", &date.to_string()),
            ("override_hours", "18:00-19:00"),
        ],
        &[],
    );
    assert_eq!(location(&other), "/dashboard/availability");
    assert_eq!(offered_times(&slug, date), ["18:00", "18:30"]);

    // Bad overrides: overlapping hours, a past date, neither hours nor a day off.
    let overlapping = browser.post_form(
        "/dashboard/availability/overrides",
        &[
            ("csrf", csrf.as_str()),
            ("override_date", &date.to_string()),
            ("override_hours", "10:00-12:00, 11:00-13:00"),
        ],
        &[],
    );
    assert_eq!(overlapping.status, 422);
    assert!(overlapping.body.contains("id=\"override_hours-error\""));
    assert!(overlapping.body.contains("overlap"));
    let past = browser.post_form(
        "/dashboard/availability/overrides",
        &[
            ("csrf", csrf.as_str()),
            ("override_date", "2020-01-01"),
            ("override_day_off", "1"),
        ],
        &[],
    );
    assert_eq!(past.status, 422);
    assert!(past.body.contains("id=\"override_date-error\""));
    let empty = browser.post_form(
        "/dashboard/availability/overrides",
        &[
            ("csrf", csrf.as_str()),
            ("override_date", &date.to_string()),
            ("override_hours", ""),
        ],
        &[],
    );
    assert_eq!(empty.status, 422);
    assert_eq!(
        offered_times(&slug, date),
        ["18:00", "18:30"],
        "nothing changed"
    );

    let deleted = browser.post_form(
        &format!("/dashboard/availability/overrides/{date}/delete"),
        &[("csrf", csrf.as_str())],
        &[],
    );
    assert_eq!(location(&deleted), "/dashboard/availability");
    assert_eq!(offered_times(&slug, date), usual);
    let rows = sql(&format!(
        "SELECT COUNT(*) AS n FROM date_overrides WHERE host_id = '{host_id}'"
    ));
    assert_eq!(rows[0]["n"], 0);
    let again = browser.post_form(
        &format!("/dashboard/availability/overrides/{date}/delete"),
        &[("csrf", csrf.as_str())],
        &[],
    );
    assert_eq!(again.status, 404);
}

#[test]
fn the_preview_shows_the_next_weeks_slots_from_the_same_engine() {
    let (browser, _host_id, _slug, csrf) = host_with_event("preview");
    let empty = browser.get("/dashboard/availability");
    assert!(empty
        .body
        .contains("No times are offered in the next 7 days."));
    assert_eq!(
        location(&save_week(
            &browser,
            &csrf,
            &every_day("09:00-10:00"),
            "Europe/Berlin"
        )),
        "/dashboard/availability"
    );
    let page = browser.get("/dashboard/availability");
    assert!(
        page.body
            .contains("<time class=\"preview-slot\">09:00</time>"),
        "{}",
        page.body
    );
    assert!(page
        .body
        .contains("<time class=\"preview-slot\">09:30</time>"));
    assert!(!page
        .body
        .contains("<time class=\"preview-slot\">10:00</time>"));
    let tomorrow = Utc::now().date_naive() + Days::new(1);
    assert!(page
        .body
        .contains(&tomorrow.format("%A, %-d %B %Y").to_string()));
    assert!(!page.body.contains(
        &(tomorrow + Days::new(7))
            .format("%A, %-d %B %Y")
            .to_string()
    ));
}

#[test]
fn availability_writes_need_the_csrf_token_and_a_session() {
    let (browser, host_id, _slug, csrf) = host_with_event("csrf-hours");
    assert_eq!(
        location(&save_week(
            &browser,
            &csrf,
            &every_day("09:00-17:00"),
            "Europe/Berlin"
        )),
        "/dashboard/availability"
    );
    let before = weekly_rows(&host_id);
    let mut fields = vec![("schedule_time_zone", "UTC"), ("mon", "10:00-11:00")];
    assert_eq!(
        browser
            .post_form("/dashboard/availability", &fields, &[])
            .status,
        403
    );
    fields.push(("csrf", "0000"));
    assert_eq!(
        browser
            .post_form("/dashboard/availability", &fields, &[])
            .status,
        403
    );
    let date = (Utc::now().date_naive() + Days::new(3)).to_string();
    let override_fields = [("override_date", date.as_str()), ("override_day_off", "1")];
    assert_eq!(
        browser
            .post_form("/dashboard/availability/overrides", &override_fields, &[])
            .status,
        403
    );
    assert_eq!(weekly_rows(&host_id), before);
    let rows = sql(&format!(
        "SELECT COUNT(*) AS n FROM date_overrides WHERE host_id = '{host_id}'"
    ));
    assert_eq!(rows[0]["n"], 0);
    // Another site's form is refused even with the token.
    let mut with_token = override_fields.to_vec();
    with_token.push(("csrf", csrf.as_str()));
    let cross = browser.post_form(
        "/dashboard/availability/overrides",
        &with_token,
        &[("Sec-Fetch-Site", "cross-site")],
    );
    assert_eq!(cross.status, 403);
    // Signed out: no page.
    let anonymous = get("/dashboard/availability");
    assert!(
        matches!(anonymous.status, 302 | 303 | 401),
        "{}",
        anonymous.status
    );
    assert_eq!(
        crate::support::http::send("PUT", "/dashboard/availability", "text/plain", "")
            .header("allow"),
        Some("GET, HEAD, POST")
    );
}

#[test]
fn saving_the_profile_keeps_the_zone_the_weekly_hours_are_read_in() {
    let (browser, host_id, slug, csrf) = host_with_event("profilezone");
    let saved = save_week(&browser, &csrf, &[("mon", "10:00-11:00")], "Asia/Tokyo");
    assert_eq!(location(&saved), "/dashboard/availability");
    let before = offered_times(&slug, next(Weekday::Mon));
    assert!(!before.is_empty());

    // The profile form has its own zone: the one the host reads times in.
    let profile = browser.post_form(
        "/dashboard/profile",
        &[
            ("csrf", csrf.as_str()),
            ("name", "Hours Host"),
            ("slug", slug.as_str()),
            ("time_zone", "America/Los_Angeles"),
        ],
        &[],
    );
    assert_eq!(location(&profile), "/dashboard", "{}", profile.body);
    let zones = &sql(&format!(
        "SELECT time_zone, (SELECT s.time_zone FROM schedules s WHERE s.host_id = hosts.id \
         AND s.is_default = 1) AS schedule_time_zone FROM hosts WHERE id = '{host_id}'"
    ))[0];
    assert_eq!(zones["time_zone"], "America/Los_Angeles");
    assert_eq!(zones["schedule_time_zone"], "Asia/Tokyo");
    // The weekly hours still mean 10:00 in Tokyo, so the same times are offered.
    assert_eq!(offered_times(&slug, next(Weekday::Mon)), before);
    let page = browser.get("/dashboard/availability");
    assert!(
        page.body.contains("<option selected>Asia/Tokyo</option>"),
        "the availability form still shows its own zone"
    );

    // And saving the weekly hours leaves the profile's zone alone.
    let again = save_week(&browser, &csrf, &[("mon", "10:00-11:00")], "Europe/Berlin");
    assert_eq!(location(&again), "/dashboard/availability");
    let zones = &sql(&format!(
        "SELECT time_zone, (SELECT s.time_zone FROM schedules s WHERE s.host_id = hosts.id \
         AND s.is_default = 1) AS schedule_time_zone FROM hosts WHERE id = '{host_id}'"
    ))[0];
    assert_eq!(zones["time_zone"], "America/Los_Angeles");
    assert_eq!(zones["schedule_time_zone"], "Europe/Berlin");
}

#[test]
fn the_weekly_editor_and_the_override_time_fields_work_as_plain_forms() {
    let (browser, host_id, slug, csrf) = host_with_event("editor");
    // Monday with a break, Friday switched off although it has a range, the rest empty.
    let saved = browser.post_form(
        "/dashboard/availability",
        &[
            ("csrf", csrf.as_str()),
            ("week", "ranges"),
            ("schedule_time_zone", "Europe/Berlin"),
            ("mon_on", "1"),
            ("mon_start", "13:00"),
            ("mon_end", "14:00"),
            ("mon_start", "09:00"),
            ("mon_end", "10:00"),
            ("mon_start", ""),
            ("mon_end", ""),
            ("fri_start", "09:00"),
            ("fri_end", "17:00"),
        ],
        &[],
    );
    assert_eq!(
        location(&saved),
        "/dashboard/availability",
        "{}",
        saved.body
    );
    assert_eq!(
        offered_times(&slug, next(Weekday::Mon)),
        ["09:00", "09:30", "13:00", "13:30"]
    );
    assert!(offered_times(&slug, next(Weekday::Fri)).is_empty());
    assert_eq!(weekly_rows(&host_id).len(), 2);

    // "Copy to weekdays" without JavaScript: shown again with Monday's ranges on every
    // weekday, and nothing saved until the host saves.
    let copied = browser.post_form(
        "/dashboard/availability",
        &[
            ("csrf", csrf.as_str()),
            ("week", "ranges"),
            ("schedule_time_zone", "Europe/Berlin"),
            ("mon_on", "1"),
            ("mon_start", "09:00"),
            ("mon_end", "10:00"),
            ("edit", "copy:mon"),
        ],
        &[],
    );
    assert_eq!(copied.status, 200);
    assert!(copied.body.contains("name=\"thu_start\" value=\"09:00\""));
    assert!(copied.body.contains("Not saved yet"));
    assert_eq!(weekly_rows(&host_id).len(), 2);

    // An override from the date field and two ranges of time fields.
    let date = next(Weekday::Tue);
    let other = browser.post_form(
        "/dashboard/availability/overrides",
        &[
            ("csrf", csrf.as_str()),
            ("override_date", &date.to_string()),
            ("override_start", "18:00"),
            ("override_end", "19:00"),
            ("override_start", "07:00"),
            ("override_end", "07:30"),
        ],
        &[],
    );
    assert_eq!(
        location(&other),
        "/dashboard/availability",
        "{}",
        other.body
    );
    assert_eq!(offered_times(&slug, date), ["07:00", "18:00", "18:30"]);
    let clash = browser.post_form(
        "/dashboard/availability/overrides",
        &[
            ("csrf", csrf.as_str()),
            ("override_date", &date.to_string()),
            ("override_start", "10:00"),
            ("override_end", "12:00"),
            ("override_start", "11:00"),
            ("override_end", "13:00"),
        ],
        &[],
    );
    assert_eq!(clash.status, 422);
    assert!(clash
        .body
        .contains("name=\"override_start\" value=\"11:00\""));
    assert!(clash.body.contains("overlap"));
}
