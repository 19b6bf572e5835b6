//! A signed-in host runs their event types from the dashboard: create, edit, duplicate, hide,
//! show and delete, each through its form, with field messages for bad input, CSRF on every
//! write and no way to touch another host's event types.

use crate::sign_in::{csrf_of, host_row, location, signed_in_host};
use crate::support::browser::Browser;
use crate::support::http::get;
use crate::support::seed::sql;

fn event_form<'a>(
    csrf: &'a str,
    title: &'a str,
    slug: &'a str,
    duration: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("title", title),
        ("slug", slug),
        ("description", "Let's talk <b>plans</b>"),
        ("duration_minutes", duration),
        ("interval_minutes", ""),
        ("buffer_before_minutes", "0"),
        ("buffer_after_minutes", "5"),
        ("minimum_notice_minutes", "60"),
        ("booking_window_days", "30"),
        ("max_per_day", "4"),
        ("location_kind", "zoom"),
    ]
}

fn event_id(host_id: &str, slug: &str) -> String {
    let rows = sql(&format!(
        "SELECT id FROM event_types WHERE host_id = '{host_id}' AND slug = '{slug}'"
    ));
    rows[0]["id"].as_str().unwrap().to_owned()
}

fn create(browser: &Browser, title: &str, slug: &str) -> String {
    let csrf = csrf_of(&browser.get("/dashboard/event-types/new"));
    let reply = browser.post_form(
        "/dashboard/event-types",
        &event_form(&csrf, title, slug, "45"),
        &[],
    );
    assert_eq!(location(&reply), "/dashboard", "{}", reply.body);
    csrf
}

#[test]
fn a_host_creates_an_event_type_and_invitees_can_book_it() {
    let (browser, email) = signed_in_host("creator", "Creating Host");
    let host = host_row(&email);
    let slug = host["slug"].as_str().unwrap();
    create(&browser, "Strategy session", "strategy");
    let rows = sql(&format!(
        "SELECT title, duration_minutes, buffer_after_minutes, max_bookings_per_day, location_kind, hidden \
         FROM event_types WHERE host_id = '{}'",
        host["id"].as_str().unwrap()
    ));
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["title"], "Strategy session");
    assert_eq!(rows[0]["duration_minutes"], 45);
    assert_eq!(rows[0]["max_bookings_per_day"], 4);
    assert_eq!(rows[0]["location_kind"], "zoom");
    let dashboard = browser.get("/dashboard");
    assert!(dashboard.body.contains("Strategy session"));
    let public = get(&format!("/{slug}"));
    assert!(public.body.contains(&format!("href=\"/{slug}/strategy\"")));
    let page = get(&format!("/{slug}/strategy"));
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains("Let&#39;s talk &#60;b&#62;plans&#60;/b&#62;")
            || page.body.contains("&lt;b&gt;")
    );
}

#[test]
fn bad_settings_come_back_with_messages_and_nothing_is_saved() {
    let (browser, email) = signed_in_host("fussy", "Fussy Host");
    let host_id = host_row(&email)["id"].as_str().unwrap().to_owned();
    let csrf = csrf_of(&browser.get("/dashboard/event-types/new"));
    let mut fields = event_form(&csrf, "", "Bad Slug", "0");
    fields.retain(|(name, _)| *name != "booking_window_days");
    fields.push(("booking_window_days", "999"));
    let reply = browser.post_form("/dashboard/event-types", &fields, &[]);
    assert_eq!(reply.status, 422);
    assert!(reply.body.contains("id=\"title-error\""));
    assert!(reply.body.contains("id=\"slug-error\""));
    assert!(
        reply.body.contains("value=\"Bad Slug\""),
        "what the host typed is kept"
    );
    // The engine's own rules speak through the form too.
    let zero = browser.post_form(
        "/dashboard/event-types",
        &event_form(&csrf, "Zero", "zero", "0"),
        &[],
    );
    assert_eq!(zero.status, 422);
    assert!(zero.body.contains("id=\"duration_minutes-error\""));
    create(&browser, "First", "taken");
    let clash = browser.post_form(
        "/dashboard/event-types",
        &event_form(&csrf, "Second", "taken", "30"),
        &[],
    );
    assert_eq!(clash.status, 422);
    assert!(
        clash.body.contains("You already use &#39;taken&#39;")
            || clash.body.contains("You already use 'taken'")
    );
    let count = sql(&format!(
        "SELECT COUNT(*) AS n FROM event_types WHERE host_id = '{host_id}'"
    ));
    assert_eq!(count[0]["n"], 1);
}

#[test]
fn edit_duplicate_hide_show_and_delete_work_through_their_forms() {
    let (browser, email) = signed_in_host("editor", "Editing Host");
    let host = host_row(&email);
    let (host_id, slug) = (
        host["id"].as_str().unwrap().to_owned(),
        host["slug"].as_str().unwrap().to_owned(),
    );
    let csrf = create(&browser, "Office hours", "office");
    let id = event_id(&host_id, "office");

    let edit_page = browser.get(&format!("/dashboard/event-types/{id}"));
    assert_eq!(edit_page.status, 200);
    assert!(edit_page.body.contains("value=\"Office hours\""));
    let saved = browser.post_form(
        &format!("/dashboard/event-types/{id}"),
        &event_form(&csrf, "Open office hours", "open-office", "20"),
        &[],
    );
    assert_eq!(location(&saved), "/dashboard");
    assert_eq!(get(&format!("/{slug}/open-office")).status, 200);
    assert_eq!(get(&format!("/{slug}/office")).status, 404);

    let copy = browser.post_form(
        &format!("/dashboard/event-types/{id}/duplicate"),
        &[("csrf", &csrf)],
        &[],
    );
    let copy_url = location(&copy);
    assert!(copy_url.starts_with("/dashboard/event-types/"));
    let copies = sql(&format!(
        "SELECT slug, title, hidden FROM event_types WHERE host_id = '{host_id}' AND id != '{id}'"
    ));
    assert_eq!(copies.len(), 1);
    assert_eq!(copies[0]["slug"], "open-office-copy");
    assert_eq!(copies[0]["title"], "Open office hours (copy)");
    assert_eq!(copies[0]["hidden"], 1, "a copy starts hidden");

    let hide = browser.post_form(
        &format!("/dashboard/event-types/{id}/hide"),
        &[("csrf", &csrf)],
        &[],
    );
    assert_eq!(location(&hide), "/dashboard");
    let profile = get(&format!("/{slug}"));
    assert!(
        !profile.body.contains("/open-office\""),
        "hidden from the public page"
    );
    assert_eq!(
        get(&format!("/{slug}/open-office")).status,
        200,
        "the link still works"
    );
    browser.post_form(
        &format!("/dashboard/event-types/{id}/show"),
        &[("csrf", &csrf)],
        &[],
    );
    assert!(get(&format!("/{slug}")).body.contains("/open-office\""));

    let delete = browser.post_form(
        &format!("/dashboard/event-types/{id}/delete"),
        &[("csrf", &csrf)],
        &[],
    );
    assert_eq!(location(&delete), "/dashboard");
    assert_eq!(get(&format!("/{slug}/open-office")).status, 404);
}

#[test]
fn an_event_type_with_meetings_ahead_cannot_be_deleted() {
    let (browser, email) = signed_in_host("busy", "Busy Host");
    let host_id = host_row(&email)["id"].as_str().unwrap().to_owned();
    let csrf = create(&browser, "Popular", "popular");
    let id = event_id(&host_id, "popular");
    let start = chrono::Utc::now().timestamp() + 86_400;
    sql(&format!(
        "INSERT INTO bookings (id, host_id, event_type_id, start_at, end_at, invitee_name, invitee_email, \
         invitee_time_zone, manage_token_hash, idempotency_key, created_at) VALUES ('ahead-{id}', '{host_id}', \
         '{id}', {start}, {}, 'Someone', 'someone@example.com', 'UTC', 'hash-ahead-{id}', 'key-ahead-{id}', 0)",
        start + 2700
    ));
    let refused = browser.post_form(
        &format!("/dashboard/event-types/{id}/delete"),
        &[("csrf", &csrf)],
        &[],
    );
    assert_eq!(refused.status, 409);
    assert!(refused.body.contains("1 upcoming meeting"));
    assert_eq!(
        sql(&format!("SELECT id FROM event_types WHERE id = '{id}'")).len(),
        1
    );
}

#[test]
fn writes_need_the_csrf_token_and_never_reach_another_hosts_event_types() {
    let (owner, owner_email) = signed_in_host("owner", "Owner Host");
    let owner_id = host_row(&owner_email)["id"].as_str().unwrap().to_owned();
    create(&owner, "Private", "private");
    let id = event_id(&owner_id, "private");

    let no_token = owner.post_form(&format!("/dashboard/event-types/{id}/delete"), &[], &[]);
    assert_eq!(no_token.status, 403);

    let (intruder, _) = signed_in_host("intruder", "Intruding Host");
    let their_csrf = csrf_of(&intruder.get("/dashboard"));
    assert_eq!(
        intruder.get(&format!("/dashboard/event-types/{id}")).status,
        404
    );
    for action in ["hide", "duplicate", "delete"] {
        let reply = intruder.post_form(
            &format!("/dashboard/event-types/{id}/{action}"),
            &[("csrf", &their_csrf)],
            &[],
        );
        assert_eq!(reply.status, 404, "{action}");
    }
    let edit = intruder.post_form(
        &format!("/dashboard/event-types/{id}"),
        &event_form(&their_csrf, "Taken over", "taken-over", "30"),
        &[],
    );
    assert_eq!(edit.status, 404);
    let rows = sql(&format!(
        "SELECT title, hidden FROM event_types WHERE id = '{id}'"
    ));
    assert_eq!(
        (rows[0]["title"].as_str(), rows[0]["hidden"].as_i64()),
        (Some("Private"), Some(0))
    );
    let signed_out = Browser::new();
    assert_eq!(
        location(&signed_out.get("/dashboard/event-types/new")),
        "/auth/signin"
    );
}
