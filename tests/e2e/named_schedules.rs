//! Named schedules (issue 19): a host keeps several schedules, each with its own zone, weekly
//! hours and date overrides, one of them the default; each event type follows the schedule it
//! picked (or the default). Through the plain HTML forms without script and through the API,
//! each event type's times follow its own schedule, a weekly limit counts the weeks of that
//! schedule's zone, and a schedule in use or the default one cannot be deleted.

use chrono::{Days, NaiveDate};
use serde_json::{json, Value};

use crate::api_tokens::{call, host_with_token, new_token};
use crate::limits::{at, book_event};
use crate::sign_in::{csrf_of, location};
use crate::support::browser::Browser;
use crate::support::http::{get, query, Reply};
use crate::support::seed::{next_monday, sql, EVERY_DAY};
use crate::support::{EventSeed, HostSeed, SeededHost};
use crate::time_and_host_limits::host_of_two;

/// The UTC start times (`HH:MM`) the public slots API offers `event` on the UTC date `day`.
fn starts(host: &SeededHost, event: &str, day: NaiveDate) -> Vec<String> {
    let day = day.to_string();
    let q = query(&[
        ("host", &host.slug),
        ("event", event),
        ("tz", "UTC"),
        ("from", &day),
        ("to", &day),
    ]);
    let reply = get(&format!("/api/v1/slots?{q}"));
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()["days"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["slots"].as_array().unwrap().clone())
        .map(|s| s["start"].as_str().unwrap()[11..16].to_owned())
        .collect()
}

/// Half-hour starts from `from` to before `until` (`HH:MM`, same day).
fn half_hours(from: u32, until: u32) -> Vec<String> {
    (from * 2..until * 2)
        .map(|h| format!("{:02}:{:02}", h / 2, (h % 2) * 30))
        .collect()
}

/// Posts the event type `slug`'s edit form as a host without script, choosing `schedule`
/// (empty: the default).
fn choose_on_form(browser: &Browser, host: &SeededHost, slug: &str, schedule: &str) -> Reply {
    let path = format!("/dashboard/event-types/{}-{slug}", host.id);
    let page = browser.get(&path);
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("name=\"schedule\""), "{}", page.body);
    let csrf = csrf_of(&page);
    browser.post_form(
        &path,
        &[
            ("csrf", csrf.as_str()),
            ("title", "Intro call"),
            ("slug", slug),
            ("description", ""),
            ("duration_minutes", "30"),
            ("interval_minutes", ""),
            ("buffer_before_minutes", "0"),
            ("buffer_after_minutes", "0"),
            ("minimum_notice_minutes", "0"),
            ("booking_window_days", "60"),
            ("max_per_day", ""),
            ("location_kind", "google_meet"),
            ("schedule", schedule),
        ],
        &[],
    )
}

fn schedule_count(host: &SeededHost) -> i64 {
    sql(&format!(
        "SELECT COUNT(*) AS n FROM schedules WHERE host_id = '{}'",
        host.id
    ))[0]["n"]
        .as_i64()
        .unwrap()
}

#[test]
fn each_event_type_follows_its_own_schedule_through_the_plain_forms() {
    let (host, browser) = host_of_two("Two Schedules Form");
    let default_id = format!("{}-default", host.id);
    let page = browser.get("/dashboard/availability");
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Working hours"), "{}", page.body);
    let csrf = csrf_of(&page);

    // Without the CSRF token nothing is added.
    let forged = browser.post_form(
        "/dashboard/schedules",
        &[("schedule_name", "Forged"), ("schedule_zone", "UTC")],
        &[],
    );
    assert_eq!(forged.status, 403, "{}", forged.body);
    // A blank name or an unknown zone comes back under its field.
    let blank = browser.post_form(
        "/dashboard/schedules",
        &[
            ("csrf", &csrf),
            ("schedule_name", " "),
            ("schedule_zone", "UTC"),
        ],
        &[],
    );
    assert_eq!(blank.status, 422, "{}", blank.body);
    assert!(
        blank.body.contains("id=\"new_schedule_name-error\""),
        "{}",
        blank.body
    );
    let bad_zone = browser.post_form(
        "/dashboard/schedules",
        &[
            ("csrf", &csrf),
            ("schedule_name", "Evenings"),
            ("schedule_zone", "Mars/Base"),
        ],
        &[],
    );
    assert_eq!(bad_zone.status, 422, "{}", bad_zone.body);
    assert!(bad_zone.body.contains("id=\"schedule_zone-error\""));
    assert_eq!(schedule_count(&host), 1);

    // "Evenings" in Tokyo, 18:00–20:00 every day.
    let added = browser.post_form(
        "/dashboard/schedules",
        &[
            ("csrf", &csrf),
            ("schedule_name", "Evenings"),
            ("schedule_zone", "Asia/Tokyo"),
        ],
        &[],
    );
    let to = location(&added);
    let evenings = to
        .strip_prefix("/dashboard/availability?schedule=")
        .unwrap_or_else(|| panic!("{to}: {}", added.body))
        .to_owned();
    let shown = browser.get(&to);
    assert!(
        shown.body.contains("Weekly hours of Evenings"),
        "{}",
        shown.body
    );
    let mut week = vec![
        ("csrf", csrf.as_str()),
        ("schedule", evenings.as_str()),
        ("schedule_time_zone", "Asia/Tokyo"),
    ];
    for day in ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] {
        week.push((day, "18:00-20:00"));
    }
    let saved = browser.post_form("/dashboard/availability", &week, &[]);
    assert_eq!(location(&saved), to, "{}", saved.body);
    // The default schedule's hours are untouched.
    let default_rows = sql(&format!(
        "SELECT COUNT(*) AS n FROM weekly_hours WHERE schedule_id = '{default_id}'"
    ));
    assert_eq!(default_rows[0]["n"], 7);

    // `chat` picks Evenings on its form; `call` keeps following the default.
    let chose = choose_on_form(&browser, &host, "chat", &evenings);
    assert_eq!(location(&chose), "/dashboard", "{}", chose.body);
    let form = browser.get(&format!("/dashboard/event-types/{}-chat", host.id));
    assert!(
        form.body.contains(&format!(
            "<option value=\"{evenings}\" selected>Evenings</option>"
        )),
        "{}",
        form.body
    );
    assert!(form.body.contains("Default schedule (Working hours)"));
    let monday = next_monday();
    let tuesday = monday + Days::new(1);
    assert_eq!(starts(&host, "call", monday), half_hours(9, 17));
    // 18:00–20:00 in Tokyo is 09:00–11:00 UTC.
    assert_eq!(starts(&host, "chat", monday), half_hours(9, 11));

    // An override of Evenings (Tokyo's Tuesday off) leaves `call` alone.
    let off = browser.post_form(
        "/dashboard/availability/overrides",
        &[
            ("csrf", csrf.as_str()),
            ("schedule", evenings.as_str()),
            ("override_date", &tuesday.to_string()),
            ("override_day_off", "1"),
        ],
        &[],
    );
    assert_eq!(location(&off), to, "{}", off.body);
    assert!(starts(&host, "chat", tuesday).is_empty());
    assert_eq!(starts(&host, "call", tuesday), half_hours(9, 17));
    let removed = browser.post_form(
        &format!("/dashboard/availability/overrides/{tuesday}/delete"),
        &[("csrf", csrf.as_str()), ("schedule", evenings.as_str())],
        &[],
    );
    assert_eq!(location(&removed), to, "{}", removed.body);
    assert_eq!(starts(&host, "chat", tuesday), half_hours(9, 11));

    // Renamed; the list says so.
    let renamed = browser.post_form(
        &format!("/dashboard/schedules/{evenings}"),
        &[("csrf", &csrf), ("schedule_name", "Late evenings")],
        &[],
    );
    assert_eq!(location(&renamed), to, "{}", renamed.body);
    assert!(browser.get(&to).body.contains("Late evenings"));

    // A schedule in use, or the default one, is not deleted: the page says why.
    let in_use = browser.post_form(
        &format!("/dashboard/schedules/{evenings}/delete"),
        &[("csrf", &csrf)],
        &[],
    );
    assert_eq!(in_use.status, 422, "{}", in_use.body);
    assert!(
        in_use.body.contains("1 event type(s) use this schedule"),
        "{}",
        in_use.body
    );
    let the_default = browser.post_form(
        &format!("/dashboard/schedules/{default_id}/delete"),
        &[("csrf", &csrf)],
        &[],
    );
    assert_eq!(the_default.status, 422, "{}", the_default.body);
    assert!(the_default.body.contains("This is your default schedule"));
    assert_eq!(schedule_count(&host), 2);

    // Evenings made the default: `call` follows it now; Working hours can then go.
    let made = browser.post_form(
        &format!("/dashboard/schedules/{evenings}/default"),
        &[("csrf", &csrf)],
        &[],
    );
    assert_eq!(location(&made), to, "{}", made.body);
    assert_eq!(starts(&host, "call", monday), half_hours(9, 11));
    assert!(browser
        .get("/dashboard/availability")
        .body
        .contains("Weekly hours of Late evenings"));
    let deleted = browser.post_form(
        &format!("/dashboard/schedules/{default_id}/delete"),
        &[("csrf", &csrf)],
        &[],
    );
    assert_eq!(
        location(&deleted),
        "/dashboard/availability",
        "{}",
        deleted.body
    );
    assert_eq!(schedule_count(&host), 1);
    let gone = sql(&format!(
        "SELECT COUNT(*) AS n FROM weekly_hours WHERE schedule_id = '{default_id}'"
    ));
    assert_eq!(gone[0]["n"], 0, "its hours went with it");
}

fn range(start: &str, end: &str) -> Value {
    json!({ "start": start, "end": end })
}

#[test]
fn api_schedules_are_listed_created_changed_chosen_and_refused_deletion_in_use() {
    let (host, browser) = host_of_two("Two Schedules Api");
    let token = new_token(&browser, "schedules");
    let listed = call("GET", "/api/v1/schedules", &token, None);
    assert_eq!(listed.status, 200, "{}", listed.body);
    let list = listed.json()["schedules"].clone();
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list[0]["name"], "Working hours");
    assert_eq!(list[0]["is_default"], true);
    let default_id = list[0]["id"].as_str().unwrap().to_owned();

    let missing = call(
        "POST",
        "/api/v1/schedules",
        &token,
        Some(json!({ "time_zone": "UTC" })),
    );
    assert_eq!(missing.status, 422, "{}", missing.body);
    assert!(missing.json()["error"]["fields"]["name"].is_string());
    let monday_hours =
        json!({ "monday": [range("18:00", "20:00")], "tuesday": [range("18:00", "20:00")] });
    let created = call(
        "POST",
        "/api/v1/schedules",
        &token,
        Some(
            json!({ "name": "Evenings", "time_zone": "Asia/Tokyo", "weekly_hours": monday_hours }),
        ),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    let evenings = created.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(created.json()["is_default"], false);
    assert_eq!(
        created.json()["weekly_hours"]["monday"],
        json!([range("18:00", "20:00")])
    );
    let twice = call(
        "POST",
        "/api/v1/schedules",
        &token,
        Some(json!({ "name": "Evenings", "time_zone": "UTC" })),
    );
    assert_eq!(twice.status, 409, "{}", twice.body);

    // `chat` picks Evenings; an id that is not the host's is refused under `schedule_id`.
    let chat = format!("/api/v1/event-types/{}-chat", host.id);
    let wrong = call(
        "PATCH",
        &chat,
        &token,
        Some(json!({ "schedule_id": "nope" })),
    );
    assert_eq!(wrong.status, 422, "{}", wrong.body);
    assert!(wrong.json()["error"]["fields"]["schedule_id"].is_string());
    let chose = call(
        "PATCH",
        &chat,
        &token,
        Some(json!({ "schedule_id": evenings })),
    );
    assert_eq!(chose.status, 200, "{}", chose.body);
    assert_eq!(chose.json()["schedule_id"], evenings.as_str());
    let call_type = call(
        "GET",
        &format!("/api/v1/event-types/{}-call", host.id),
        &token,
        None,
    );
    assert_eq!(call_type.json()["schedule_id"], Value::Null);
    let monday = next_monday();
    // Tokyo's Monday 18:00–20:00 is Monday 09:00–11:00 UTC.
    assert_eq!(starts(&host, "chat", monday), half_hours(9, 11));
    assert_eq!(starts(&host, "call", monday), half_hours(9, 17));

    // The schedule's own overrides; /availability stays the default schedule's view.
    let path = format!("/api/v1/schedules/{evenings}/overrides/{monday}");
    let off = call("PUT", &path, &token, Some(json!({ "day_off": true })));
    assert_eq!(off.status, 200, "{}", off.body);
    assert!(starts(&host, "chat", monday).is_empty());
    assert_eq!(starts(&host, "call", monday), half_hours(9, 17));
    let one = call(
        "GET",
        &format!("/api/v1/schedules/{evenings}"),
        &token,
        None,
    );
    assert_eq!(one.json()["overrides"][0]["day_off"], true, "{}", one.body);
    let default_view = call("GET", "/api/v1/availability", &token, None);
    assert_eq!(
        default_view.json()["time_zone"],
        "UTC",
        "{}",
        default_view.body
    );
    assert_eq!(default_view.json()["overrides"], json!([]));
    assert_eq!(call("DELETE", &path, &token, None).status, 204);
    assert_eq!(starts(&host, "chat", monday), half_hours(9, 11));

    // PATCH: a new name and zone (the same wall-clock hours, now in Kolkata, UTC+5:30).
    let patched = call(
        "PATCH",
        &format!("/api/v1/schedules/{evenings}"),
        &token,
        Some(json!({ "name": "Late", "time_zone": "Asia/Kolkata" })),
    );
    assert_eq!(patched.status, 200, "{}", patched.body);
    assert_eq!(patched.json()["name"], "Late");
    // Monday 18:00–20:00 in Kolkata is 12:30–14:30 UTC.
    assert_eq!(
        starts(&host, "chat", monday),
        ["12:30", "13:00", "13:30", "14:00"]
    );
    let unknown = call(
        "PATCH",
        &format!("/api/v1/schedules/{evenings}"),
        &token,
        Some(json!({ "colour": "red" })),
    );
    assert_eq!(unknown.status, 422, "{}", unknown.body);

    // Deleting the default or a schedule in use is refused (409), never a 500.
    for id in [&evenings, &default_id] {
        let refused = call("DELETE", &format!("/api/v1/schedules/{id}"), &token, None);
        assert_eq!(refused.status, 409, "{}", refused.body);
    }
    // Another host's token does not reach this host's schedules.
    let (_, _, other) = host_with_token("schedules-other");
    let foreign = call(
        "GET",
        &format!("/api/v1/schedules/{evenings}"),
        &other,
        None,
    );
    assert_eq!(foreign.status, 404, "{}", foreign.body);
    let foreign_delete = call(
        "DELETE",
        &format!("/api/v1/schedules/{evenings}"),
        &other,
        None,
    );
    assert_eq!(foreign_delete.status, 404, "{}", foreign_delete.body);

    // Made the default over the API, then the old default can go once nothing uses it.
    let made = call(
        "PATCH",
        &format!("/api/v1/schedules/{evenings}"),
        &token,
        Some(json!({ "is_default": true })),
    );
    assert_eq!(made.status, 200, "{}", made.body);
    assert_eq!(made.json()["is_default"], true);
    assert_eq!(starts(&host, "call", monday), starts(&host, "chat", monday));
    let back = call("PATCH", &chat, &token, Some(json!({ "schedule_id": null })));
    assert_eq!(back.json()["schedule_id"], Value::Null, "{}", back.body);
    let old = format!("/api/v1/schedules/{default_id}");
    assert_eq!(call("DELETE", &old, &token, None).status, 204);
    assert_eq!(call("GET", &old, &token, None).status, 404);
    assert_eq!(schedule_count(&host), 1);
}

#[test]
fn a_week_limit_counts_the_weeks_of_the_event_types_own_schedule_zone() {
    // Open all day every day; `call` follows a Tokyo schedule, `chat` the UTC default; each
    // takes one booking a week (weeks start on Monday).
    let host = HostSeed::new("Week Zones", "UTC")
        .hours(EVERY_DAY, 0, 24 * 60)
        .event(EventSeed::new("call", 30))
        .event(EventSeed::new("chat", 30))
        .create();
    let id = &host.id;
    let mut week = vec![format!(
        "INSERT INTO schedules (id, host_id, name, time_zone, is_default, created_at) \
         VALUES ('{id}-tokyo', '{id}', 'Tokyo', 'Asia/Tokyo', 0, 0); \
         UPDATE event_types SET max_bookings_per_week = 1 WHERE host_id = '{id}'; \
         UPDATE event_types SET schedule_id = '{id}-tokyo' WHERE id = '{id}-call'"
    )];
    for day in 0..7 {
        week.push(format!(
            "INSERT INTO weekly_hours (host_id, schedule_id, weekday, start_minute, end_minute) \
             VALUES ('{id}', '{id}-tokyo', {day}, 0, 1440)"
        ));
    }
    sql(&week.join("; "));
    let monday = next_monday();
    let sunday = monday - Days::new(1);
    let (tuesday, wednesday) = (monday + Days::new(1), monday + Days::new(2));
    assert_eq!(starts(&host, "call", tuesday).len(), 48);
    // Sunday 22:00 UTC is already Monday 07:00 in Tokyo: it fills `call`'s (Tokyo) week of
    // that Monday. Sunday 21:00 UTC is still Sunday in UTC: `chat`'s week before.
    assert_eq!(
        book_event(&host, "call", &at(sunday, "22:00"), "tokyo@example.com"),
        201
    );
    assert_eq!(
        book_event(&host, "chat", &at(sunday, "21:00"), "utc@example.com"),
        201
    );
    assert!(starts(&host, "call", tuesday).is_empty());
    assert!(starts(&host, "call", wednesday).is_empty());
    assert_eq!(starts(&host, "chat", tuesday).len(), 48);
    // The booking statement holds the same limits.
    let refused = book_event(&host, "call", &at(tuesday, "10:00"), "late@example.com");
    assert!([409, 422].contains(&refused), "{refused}");
    assert_eq!(
        book_event(&host, "chat", &at(tuesday, "10:00"), "fine@example.com"),
        201
    );
}
