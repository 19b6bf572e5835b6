//! Change cut-offs (issue 19): an event type may close the invitee's own cancelling and
//! rescheduling some time before the start. Past it, the manage page offers to write to the
//! host instead, the cancel and reschedule pages and the reschedule API refuse with a clear
//! 409, and the booking stays as it was; the host can still cancel. The rule lives in the
//! cancel and reschedule statements themselves (store/bookings.rs).

use chrono::{Days, Utc};
use serde_json::{json, Value};

use crate::api_tokens::{call, host_with_token};
use crate::sign_in::{csrf_of, host_row, location, signed_in_host};
use crate::support::http::{get, post_form, post_json};
use crate::support::seed::sql;

/// A host with an API token, free all day in UTC, and a 30-minute `call` created through
/// the API with `cutoff` (minutes, or null); returns (token, host slug, host email, event type).
fn host_with_cutoff(tag: &str, cutoff: Value) -> (String, String, String, Value) {
    let (_browser, email, token) = host_with_token(tag);
    let created = call(
        "POST",
        "/api/v1/event-types",
        &token,
        Some(
            json!({ "title": "Call", "slug": "call", "duration_minutes": 30,
                     "minimum_notice_minutes": 0, "location_kind": "phone",
                     "location_detail": "+1 555 0100", "change_cutoff_minutes": cutoff }),
        ),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    let host = host_row(&email);
    let host_id = host["id"].as_str().unwrap().to_owned();
    // Free all day, every day, in whatever zone the new host's schedule is.
    sql(&format!(
        "DELETE FROM weekly_hours WHERE host_id = '{host_id}'"
    ));
    for day in 0..7 {
        sql(&format!(
            "INSERT INTO weekly_hours (host_id, schedule_id, weekday, start_minute, end_minute) \
             VALUES ('{host_id}', (SELECT id FROM schedules WHERE host_id = '{host_id}' \
             AND is_default = 1), {day}, 0, 1440)"
        ));
    }
    let slug = host["slug"].as_str().unwrap().to_owned();
    (token, slug, email, created.json())
}

/// Books `call` five days ahead through the public API, then moves its time (as stored) to
/// start `minutes_from_now`: inside or outside the cut-off without waiting for the clock.
fn booked_starting_in(slug: &str, invitee: &str, minutes_from_now: i64) -> (String, String) {
    let day = Utc::now().date_naive() + Days::new(5);
    let reply = post_json(
        "/api/v1/bookings",
        &json!({ "host": slug, "event": "call", "start": format!("{day}T09:00:00Z"),
                 "name": "Cutoff Invitee", "email": invitee, "time_zone": "UTC" }),
    );
    assert_eq!(reply.status, 201, "{}", reply.body);
    let booking = &reply.json()["booking"];
    let id = booking["id"].as_str().unwrap().to_owned();
    let start = Utc::now().timestamp() + minutes_from_now * 60;
    sql(&format!(
        "UPDATE bookings SET start_at = {start}, end_at = {} WHERE id = '{id}'",
        start + 1800
    ));
    (id, booking["manage_url"].as_str().unwrap().to_owned())
}

fn status_of(id: &str) -> String {
    sql(&format!("SELECT status FROM bookings WHERE id = '{id}'"))[0]["status"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn token_of(manage_url: &str) -> &str {
    manage_url.rsplit('/').next().unwrap()
}

#[test]
fn past_the_cut_off_the_invitee_is_sent_to_the_host_and_only_the_host_can_cancel() {
    let (token, slug, host_email, event) = host_with_cutoff("cutoff", json!(1440));
    assert_eq!(event["change_cutoff_minutes"], 1440);

    // Two days ahead: before the cut-off, the invitee may still change it.
    let (open_id, open_url) = booked_starting_in(&slug, "open.cutoff@example.org", 2 * 1440);
    let page = get(&open_url);
    assert!(page.body.contains("Cancel this booking"), "{}", page.body);
    assert!(page.body.contains("Reschedule this booking"));
    assert_eq!(get(&format!("{open_url}/cancel")).status, 200);

    // Five hours ahead with a day's cut-off: the page offers to write to the host instead.
    let (id, manage_url) = booked_starting_in(&slug, "late.cutoff@example.org", 5 * 60);
    let page = get(&manage_url);
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("Cancel this booking"), "{}", page.body);
    assert!(!page.body.contains("Reschedule this booking"));
    assert!(
        page.body
            .contains("can no longer be cancelled or moved here"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains(&format!("mailto:{host_email}")),
        "{}",
        page.body
    );

    // Every way the invitee could still try is refused with the reason, and nothing changes.
    let cancel_url = format!("{manage_url}/cancel");
    let form = get(&cancel_url);
    assert_eq!(form.status, 409, "{}", form.body);
    assert!(form.body.contains("starts soon"), "{}", form.body);
    let posted = post_form(&cancel_url, &[("reason", "too late")]);
    assert_eq!(posted.status, 409, "{}", posted.body);
    assert_eq!(get(&format!("{manage_url}/reschedule")).status, 409);
    let moved = post_json(
        &format!("/api/v1/bookings/{}/reschedule", token_of(&manage_url)),
        &json!({ "start": format!("{}T10:00:00Z", Utc::now().date_naive() + Days::new(6)) }),
    );
    assert_eq!(moved.status, 409, "{}", moved.body);
    assert_eq!(moved.json()["error"]["code"], "too_late");
    assert_eq!(status_of(&id), "confirmed");

    // The host can.
    let by_host = call(
        "POST",
        &format!("/api/v1/bookings/{id}/cancel"),
        &token,
        Some(json!({ "reason": "Something came up" })),
    );
    assert!(by_host.status < 300, "{}", by_host.body);
    assert_eq!(status_of(&id), "cancelled");
    // And the invitee whose booking is outside the cut-off still can.
    let cancelled = post_form(&format!("{open_url}/cancel"), &[("reason", "")]);
    assert!(cancelled.status < 400, "{}", cancelled.body);
    assert_eq!(status_of(&open_id), "cancelled");
}

/// The cut-off is read when the invitee acts, not frozen when they booked: a host who
/// closes changes earlier covers the bookings already made.
#[test]
fn a_cut_off_raised_later_covers_bookings_already_made() {
    let (token, slug, _, event) = host_with_cutoff("cutoff-race", json!(null));
    assert_eq!(event["change_cutoff_minutes"], 0);
    let (id, manage_url) = booked_starting_in(&slug, "race.cutoff@example.org", 3 * 60);
    assert!(get(&manage_url).body.contains("Cancel this booking"));
    // The host closes changes a day ahead after the invitee loaded the page.
    let raised = call(
        "PATCH",
        &format!("/api/v1/event-types/{}", event["id"].as_str().unwrap()),
        &token,
        Some(json!({ "change_cutoff_minutes": 1440 })),
    );
    assert_eq!(raised.status, 200, "{}", raised.body);
    assert_eq!(raised.json()["change_cutoff_minutes"], 1440);
    let posted = post_form(&format!("{manage_url}/cancel"), &[("reason", "")]);
    assert_eq!(posted.status, 409, "{}", posted.body);
    assert_eq!(status_of(&id), "confirmed");
}

#[test]
fn a_cut_off_is_whole_minutes_up_to_a_week_on_the_form_and_in_the_api() {
    let (token, _, _, event) = host_with_cutoff("cutoff-bad", json!(60));
    let path = format!("/api/v1/event-types/{}", event["id"].as_str().unwrap());
    for bad in [json!(10081), json!(-1), json!("a day")] {
        let reply = call(
            "PATCH",
            &path,
            &token,
            Some(json!({ "change_cutoff_minutes": bad })),
        );
        assert_eq!(reply.status, 422, "{bad}: {}", reply.body);
        assert!(
            reply.json()["error"]["fields"]["change_cutoff_minutes"].is_string(),
            "{}",
            reply.body
        );
    }
    assert_eq!(
        call("GET", &path, &token, None).json()["change_cutoff_minutes"],
        60
    );
}

/// The dashboard's form (plain HTML, no script): the cut-off is a select of the notice
/// choices; the stored value comes back chosen, and a forged value is refused by name.
#[test]
fn the_event_type_form_sets_the_cut_off_without_script() {
    let (browser, email) = signed_in_host("cutoff-form", "Form Cutoff Host");
    let host_id = host_row(&email)["id"].as_str().unwrap().to_owned();
    let csrf = csrf_of(&browser.get("/dashboard/event-types/new"));
    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("title", "Advice"),
        ("slug", "advice"),
        ("duration_minutes", "30"),
        ("buffer_before_minutes", "0"),
        ("buffer_after_minutes", "0"),
        ("minimum_notice_minutes", "0"),
        ("booking_window_days", "30"),
        ("location_kind", "zoom"),
        ("change_cutoff_minutes", "1440"),
    ];
    let created = browser.post_form("/dashboard/event-types", &fields, &[]);
    assert_eq!(location(&created), "/dashboard", "{}", created.body);
    let row = sql(&format!(
        "SELECT id, change_cutoff_minutes FROM event_types WHERE host_id = '{host_id}' \
         AND slug = 'advice'"
    ));
    assert_eq!(row[0]["change_cutoff_minutes"], 1440);
    let id = row[0]["id"].as_str().unwrap().to_owned();
    let edit = browser.get(&format!("/dashboard/event-types/{id}"));
    assert!(
        edit.body
            .contains("<option value=\"1440\" selected>1 day</option>"),
        "{}",
        edit.body
    );
    fields.pop();
    fields.push(("change_cutoff_minutes", "20000"));
    let refused = browser.post_form(&format!("/dashboard/event-types/{id}"), &fields, &[]);
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.body.contains("change_cutoff_minutes-error"),
        "{}",
        refused.body
    );
    assert_eq!(
        sql(&format!(
            "SELECT change_cutoff_minutes FROM event_types WHERE id = '{id}'"
        ))[0]["change_cutoff_minutes"],
        1440
    );
}
