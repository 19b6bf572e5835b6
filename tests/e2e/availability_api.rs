//! The host's availability through the JSON API: weekly hours replaced (PUT) or changed a
//! weekday at a time (PATCH), date overrides set, read and deleted, each checked by the
//! dashboard's rules with a message under the weekday or field, and each change visible in
//! what the public slots API offers. Another host's token reaches only its own hours.

use chrono::{Days, Weekday};
use serde_json::{json, Value};

use crate::api_tokens::{call, cookie_call, host_with_token, new_token};
use crate::dashboard_availability::{host_with_event, next, offered_times, weekly_rows};
use crate::support::http::Reply;

fn range(start: &str, end: &str) -> Value {
    json!({ "start": start, "end": end })
}

fn fields(reply: &Reply) -> Value {
    assert_eq!(reply.status, 422, "{}", reply.body);
    let body = reply.json();
    assert_eq!(body["error"]["code"], "invalid_input", "{}", reply.body);
    body["error"]["fields"].clone()
}

#[test]
fn api_weekly_hours_are_replaced_or_patched_and_feed_the_slots() {
    let (browser, host_id, slug, _csrf) = host_with_event("api-weekly");
    let token = new_token(&browser, "hours");
    let put = call(
        "PUT",
        "/api/v1/availability",
        &token,
        Some(json!({
            "time_zone": "Europe/Berlin",
            "weekly_hours": {
                "monday": [range("09:00", "10:00"), range("14:00", "15:00")],
                "wednesday": [range("13:00", "14:00")],
            },
        })),
    );
    assert_eq!(put.status, 200, "{}", put.body);
    let saved = put.json();
    assert_eq!(saved["time_zone"], "Europe/Berlin");
    assert_eq!(
        saved["weekly_hours"]["monday"],
        json!([range("09:00", "10:00"), range("14:00", "15:00")])
    );
    assert_eq!(saved["weekly_hours"]["tuesday"], json!([]));
    assert_eq!(weekly_rows(&host_id).len(), 3);
    let monday = next(Weekday::Mon);
    assert_eq!(
        offered_times(&slug, monday),
        ["09:00", "09:30", "14:00", "14:30"]
    );

    // PATCH changes the weekdays sent and keeps the others.
    let patched = call(
        "PATCH",
        "/api/v1/availability",
        &token,
        Some(json!({ "weekly_hours": { "monday": [range("11:00", "12:00")] } })),
    );
    assert_eq!(patched.status, 200, "{}", patched.body);
    assert_eq!(
        patched.json()["weekly_hours"]["wednesday"],
        json!([range("13:00", "14:00")])
    );
    assert_eq!(offered_times(&slug, monday), ["11:00", "11:30"]);
    assert_eq!(offered_times(&slug, next(Weekday::Wed)), ["13:00", "13:30"]);

    // A new zone moves the same wall-clock hours.
    let zoned = call(
        "PATCH",
        "/api/v1/availability",
        &token,
        Some(json!({ "time_zone": "Asia/Tokyo" })),
    );
    assert_eq!(zoned.status, 200, "{}", zoned.body);
    assert_eq!(
        zoned.json()["weekly_hours"]["monday"],
        json!([range("11:00", "12:00")])
    );
    // 11:00 in Tokyo is 03:00 in Berlin in winter, 04:00 in summer.
    let berlin = offered_times(&slug, monday);
    assert!(
        berlin == ["03:00", "03:30"] || berlin == ["04:00", "04:30"],
        "{berlin:?}"
    );

    // What a GET answers can be sent back as it is.
    let current = call("GET", "/api/v1/availability", &token, None).json();
    let echoed = call("PUT", "/api/v1/availability", &token, Some(current.clone()));
    assert_eq!(echoed.status, 200, "{}", echoed.body);
    assert_eq!(echoed.json(), current);

    // The dashboard's session may read, not write.
    let read = cookie_call(&browser, "GET", "/api/v1/availability", None);
    assert_eq!(read.status, 200, "{}", read.body);
    assert_eq!(read.json(), current);
    let write = cookie_call(
        &browser,
        "PATCH",
        "/api/v1/availability",
        Some(json!({ "time_zone": "UTC" })),
    );
    assert_eq!(write.status, 401, "{}", write.body);
    assert_eq!(
        call("GET", "/api/v1/availability", &token, None).json(),
        current
    );
}

#[test]
fn api_bad_hours_get_a_message_per_weekday_and_change_nothing() {
    let (_browser, _email, token) = host_with_token("api-weekly-bad");
    let before = call("GET", "/api/v1/availability", &token, None);
    assert_eq!(before.status, 200, "{}", before.body);
    let before = before.json();

    let errors = fields(&call(
        "PATCH",
        "/api/v1/availability",
        &token,
        Some(json!({
            "time_zone": "Mars/Olympus",
            "weekly_hours": {
                "monday": [range("09:00", "12:00"), range("11:00", "13:00")],
                "tuesday": [range("17:00", "09:00")],
                "wednesday": [range("9am", "5pm")],
                "thursday": "09:00-17:00",
                "friday": [{ "start": "09:00" }],
            },
        })),
    ));
    for field in [
        "time_zone",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
    ] {
        assert!(errors[field].is_string(), "{field}: {errors}");
    }
    assert!(
        errors["monday"].as_str().unwrap().contains("overlap"),
        "{errors}"
    );
    assert!(
        errors["time_zone"].as_str().unwrap().contains("IANA"),
        "{errors}"
    );

    for (body, field) in [
        (json!({ "weekly_hours": { "someday": [] } }), "weekly_hours"),
        (json!({ "weekly_hours": [] }), "weekly_hours"),
        (json!({ "time_zone": 5 }), "time_zone"),
        (json!({ "timezone": "UTC" }), "unknown_field"),
        (
            json!({ "weekly_hours": { "monday": vec![range("09:00", "09:30"); 13] } }),
            "monday",
        ),
    ] {
        let errors = fields(&call(
            "PATCH",
            "/api/v1/availability",
            &token,
            Some(body.clone()),
        ));
        assert!(errors[field].is_string(), "{body} -> {errors}");
    }
    // PUT replaces everything, so it needs both parts.
    let errors = fields(&call(
        "PUT",
        "/api/v1/availability",
        &token,
        Some(json!({ "weekly_hours": {} })),
    ));
    assert!(errors["time_zone"].is_string(), "{errors}");
    let errors = fields(&call(
        "PUT",
        "/api/v1/availability",
        &token,
        Some(json!({ "time_zone": "UTC" })),
    ));
    assert!(errors["weekly_hours"].is_string(), "{errors}");
    let not_json = crate::support::http::request(
        "PATCH",
        "/api/v1/availability",
        &[("Authorization", &format!("Bearer {token}"))],
        Some(("application/json", "{\"weekly_hours\":")),
    );
    assert_eq!(not_json.status, 400, "{}", not_json.body);

    assert_eq!(
        call("GET", "/api/v1/availability", &token, None).json(),
        before
    );
}

#[test]
fn api_date_overrides_are_set_read_and_deleted() {
    let (browser, _host_id, slug, _csrf) = host_with_event("api-overrides");
    let token = new_token(&browser, "overrides");
    let put = call(
        "PUT",
        "/api/v1/availability",
        &token,
        Some(json!({ "time_zone": "Europe/Berlin", "weekly_hours": {
            "monday": [range("09:00", "10:00")] } })),
    );
    assert_eq!(put.status, 200, "{}", put.body);
    let monday = next(Weekday::Mon);
    let path = format!("/api/v1/availability/overrides/{monday}");
    assert_eq!(call("GET", &path, &token, None).status, 404);

    let off = call("PUT", &path, &token, Some(json!({ "day_off": true })));
    assert_eq!(off.status, 200, "{}", off.body);
    assert_eq!(
        off.json(),
        json!({ "date": monday.to_string(), "day_off": true, "ranges": [] })
    );
    assert!(offered_times(&slug, monday).is_empty());

    let other = call(
        "PUT",
        &path,
        &token,
        Some(json!({ "ranges": [range("13:00", "14:00")] })),
    );
    assert_eq!(other.status, 200, "{}", other.body);
    assert_eq!(other.json()["day_off"], false);
    assert_eq!(offered_times(&slug, monday), ["13:00", "13:30"]);
    assert_eq!(call("GET", &path, &token, None).json(), other.json());
    let listed = call("GET", "/api/v1/availability", &token, None).json();
    assert_eq!(listed["overrides"], json!([other.json()]));
    // The week after still follows the weekly hours.
    assert_eq!(
        offered_times(&slug, monday + Days::new(7)),
        ["09:00", "09:30"]
    );

    let past_date = chrono::Utc::now().date_naive() - Days::new(2);
    for (at, body, field) in [
        (
            path.clone(),
            json!({ "ranges": [range("13:00", "14:00"), range("13:30", "15:00")] }),
            "ranges",
        ),
        (
            path.clone(),
            json!({ "ranges": [range("14:00", "13:00")] }),
            "ranges",
        ),
        (
            path.clone(),
            json!({ "day_off": true, "ranges": [range("13:00", "14:00")] }),
            "day_off",
        ),
        (path.clone(), json!({}), "ranges"),
        (path.clone(), json!({ "day_off": "yes" }), "day_off"),
        (path.clone(), json!({ "hours": [] }), "unknown_field"),
        (
            format!("/api/v1/availability/overrides/{past_date}"),
            json!({ "day_off": true }),
            "date",
        ),
        (
            "/api/v1/availability/overrides/next-monday".to_owned(),
            json!({ "day_off": true }),
            "date",
        ),
    ] {
        let errors = fields(&call("PUT", &at, &token, Some(body.clone())));
        assert!(errors[field].is_string(), "{at} {body} -> {errors}");
    }
    assert_eq!(call("GET", &path, &token, None).json(), other.json());

    // Another host's token cannot read or delete this override.
    let (_other, _email, other_token) = host_with_token("api-overrides-other");
    assert_eq!(call("GET", &path, &other_token, None).status, 404);
    assert_eq!(call("DELETE", &path, &other_token, None).status, 404);
    assert!(
        call("GET", "/api/v1/availability", &other_token, None).json()["overrides"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // Its weekly hours are its own: replacing them leaves this host's week as it was.
    let week_before = call("GET", "/api/v1/availability", &token, None).json();
    let theirs = call(
        "PUT",
        "/api/v1/availability",
        &other_token,
        Some(json!({ "time_zone": "UTC", "weekly_hours": {} })),
    );
    assert_eq!(theirs.status, 200, "{}", theirs.body);
    assert_eq!(
        call("GET", "/api/v1/availability", &token, None).json(),
        week_before
    );
    assert_eq!(offered_times(&slug, monday), ["13:00", "13:30"]);

    let deleted = call("DELETE", &path, &token, None);
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    assert_eq!(offered_times(&slug, monday), ["09:00", "09:30"]);
    assert_eq!(call("DELETE", &path, &token, None).status, 404);
    assert_eq!(
        call("GET", "/api/v1/availability/overrides/soon", &token, None).status,
        404
    );
}
