//! Connections that never fail silently (issue 14): a refused grant, a missing permission or a
//! calendar that stops answering reaches the host as one email and a banner on every
//! dashboard page, and the hourly health check finds a dead grant before any invitee does.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

use crate::calendars::calendar_host;
use crate::connections::connect;
use crate::support::http::{get, post_json};
use crate::support::mail::{emails_to, run_cron, wait_for_emails};
use crate::support::seed::sql;
use crate::support::world::world;

/// Every dashboard page a signed-in host can open with a GET.
const DASHBOARD_PAGES: [&str; 9] = [
    "/dashboard",
    "/dashboard/profile",
    "/dashboard/event-types/new",
    "/dashboard/availability",
    "/dashboard/bookings",
    "/dashboard/connections",
    "/dashboard/api-tokens",
    "/dashboard/webhooks",
    "/dashboard/privacy",
];

const RECONNECT_SUBJECT: &str = "Reconnect Google Calendar to Openslot";
const SILENT_SUBJECT: &str = "Google Calendar is not answering Openslot";

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn fakes(path: &str) -> String {
    format!("{}{path}", world().fakes_url)
}

/// Runs the hourly cron once (retention, key rotation, the health check).
fn run_hourly() {
    let reply = get("/__scheduled?cron=17+*+*+*+*");
    assert_eq!(reply.status, 200, "{}", reply.body);
}

fn revoke_google(email: &str) {
    let reply = post_json(
        &fakes("/_fake/google/revoke-all"),
        &json!({ "email": email }),
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
}

/// The next `count` freeBusy calls of `email`'s calendar answer 500 (the Worker tries each
/// read three times).
fn fail_free_busy(email: &str, count: u32) {
    let reply = post_json(
        &fakes("/_fake/fail"),
        &json!({ "path_prefix": "/google/api/calendar/v3/freeBusy", "method": "POST",
                 "status": 500, "count": count, "account": email }),
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
}

fn health_row(host_id: &str) -> Value {
    sql(&format!(
        "SELECT status, broken_reason, broken_since, host_told_at, last_checked_at \
         FROM connections WHERE host_id = '{host_id}' AND provider = 'google'"
    ))
    .remove(0)
}

/// Makes the host's Google connection look connected and checked two days ago, so the next
/// hourly run's health check visits it (a fresh connection waits a day).
fn make_due(host_id: &str) {
    let long_ago = now() - 2 * 24 * 3600;
    sql(&format!(
        "UPDATE connections SET connected_at = {long_ago}, last_checked_at = {long_ago} \
         WHERE host_id = '{host_id}' AND provider = 'google'"
    ));
}

fn with_subject(address: &str, subject: &str) -> Vec<Value> {
    emails_to(address)
        .into_iter()
        .filter(|e| e["subject"].as_str() == Some(subject))
        .collect()
}

#[test]
fn a_refused_grant_tells_the_host_once_and_every_dashboard_page_until_they_reconnect() {
    let host = calendar_host("Health Grant", "none", &["google"]);
    revoke_google(&host.email);
    // Invitees keep arriving at the page while the grant is dead, several at once.
    let slug = host.host.slug.clone();
    let views: Vec<_> = (0..6)
        .map(|_| {
            let path = format!("/{slug}/call");
            std::thread::spawn(move || get(&path).status)
        })
        .collect();
    for view in views {
        assert_eq!(view.join().unwrap(), 503, "no times, never a 500");
    }
    let row = health_row(&host.host.id);
    assert_eq!(row["status"], "needs_reconnect", "{row}");
    assert_eq!(row["broken_reason"], "grant_refused", "{row}");
    run_cron();
    let told = wait_for_emails(&host.email, RECONNECT_SUBJECT, 1);
    assert_eq!(told.len(), 1, "one email, not one per view: {told:?}");
    let text = told[0]["text"].as_str().unwrap();
    assert!(
        text.contains("/dashboard/connections/google/connect"),
        "{text}"
    );
    assert!(text.contains("offer no times"), "{text}");
    // More views, cron runs and health checks later: still that one email.
    assert_eq!(get(&format!("/{slug}/call")).status, 503);
    run_hourly();
    run_cron();
    assert_eq!(wait_for_emails(&host.email, RECONNECT_SUBJECT, 2).len(), 1);
    for page in DASHBOARD_PAGES {
        let reply = host.browser.get(page);
        assert_eq!(reply.status, 200, "{page}: {}", reply.body);
        assert!(
            reply.body.contains("Google Calendar needs reconnecting.")
                && reply
                    .body
                    .contains("href=\"/dashboard/connections/google/connect\""),
            "{page} has no banner: {}",
            reply.body
        );
    }
    // The one click: connecting again mends it, and the banner is gone everywhere.
    connect(&host.browser, "google", &host.email);
    let row = health_row(&host.host.id);
    assert_eq!(row["status"], "working", "{row}");
    assert_eq!(row["broken_reason"], Value::Null, "{row}");
    assert_eq!(row["host_told_at"], Value::Null, "{row}");
    for page in DASHBOARD_PAGES {
        let reply = host.browser.get(page);
        assert!(
            !reply.body.contains("needs reconnecting."),
            "{page} still shows the banner"
        );
    }
    assert_eq!(get(&format!("/{slug}/call")).status, 200);
}

#[test]
fn concurrent_health_checks_of_one_breakage_queue_exactly_one_email() {
    let host = calendar_host("Health Race", "none", &["google"]);
    // Broken before the host could be told (as migration 0012 leaves older connections).
    sql(&format!(
        "UPDATE connections SET status = 'needs_reconnect', broken_reason = 'grant_refused', \
         broken_since = {}, host_told_at = NULL WHERE host_id = '{}'",
        now() - 60,
        host.host.id
    ));
    let runs: Vec<_> = (0..6).map(|_| std::thread::spawn(run_hourly)).collect();
    for run in runs {
        run.join().unwrap();
    }
    // Another test's cron may send the queued email at any moment, so the outbox and the sent
    // emails are not read together: at most one waits, and in the end exactly one was sent.
    let queued = sql(&format!(
        "SELECT COUNT(*) AS n FROM notice_outbox WHERE host_id = '{}' AND kind = 'connection_broken'",
        host.host.id
    ));
    assert!(queued[0]["n"].as_i64().unwrap() <= 1, "{queued:?}");
    run_cron();
    assert_eq!(
        wait_for_emails(&host.email, RECONNECT_SUBJECT, 2).len(),
        1,
        "six concurrent runs must queue one email"
    );
}

#[test]
fn the_daily_health_check_finds_a_dead_grant_before_any_invitee() {
    let host = calendar_host("Health Daily", "none", &["google"]);
    revoke_google(&host.email);
    // Not due yet: connected a moment ago, so the hourly run leaves it alone.
    run_hourly();
    assert_eq!(health_row(&host.host.id)["status"], "working");
    make_due(&host.host.id);
    run_hourly();
    let row = health_row(&host.host.id);
    assert_eq!(row["status"], "needs_reconnect", "{row}");
    assert!(row["host_told_at"].is_i64(), "{row}");
    run_cron();
    assert_eq!(wait_for_emails(&host.email, RECONNECT_SUBJECT, 1).len(), 1);
    assert!(host
        .browser
        .get("/dashboard/bookings")
        .body
        .contains("Google Calendar needs reconnecting."));
}

#[test]
fn a_calendar_that_stops_answering_is_told_after_its_grace_and_mended_when_it_answers() {
    let host = calendar_host("Health Silent", "none", &["google"]);
    make_due(&host.host.id);
    fail_free_busy(&host.email, 3);
    run_hourly();
    let row = health_row(&host.host.id);
    assert_eq!(row["status"], "working", "the grant holds: {row}");
    assert_eq!(row["broken_reason"], "not_answering", "{row}");
    assert_eq!(
        row["host_told_at"],
        Value::Null,
        "not within the grace: {row}"
    );
    // (A page that reads busy times would mend it by reading them: the bookings page does not.)
    let page = host.browser.get("/dashboard/bookings");
    assert!(
        page.body.contains("Google Calendar is not answering."),
        "{}",
        page.body
    );
    run_cron();
    assert!(with_subject(&host.email, SILENT_SUBJECT).is_empty());
    // An hour and more later it still does not answer: now the host hears of it, once.
    let earlier = now() - 2 * 3600;
    sql(&format!(
        "UPDATE connections SET broken_reason = 'not_answering', broken_since = {earlier}, \
         last_checked_at = {earlier} WHERE host_id = '{}'",
        host.host.id
    ));
    fail_free_busy(&host.email, 3);
    run_hourly();
    run_cron();
    let told = wait_for_emails(&host.email, SILENT_SUBJECT, 1);
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(told[0]["text"]
        .as_str()
        .unwrap()
        .contains("/dashboard/connections"));
    // It answers again: mended, the banner gone, and a new breakage would be told anew.
    sql(&format!(
        "UPDATE connections SET last_checked_at = {earlier} WHERE host_id = '{}'",
        host.host.id
    ));
    run_hourly();
    let row = health_row(&host.host.id);
    assert_eq!(row["broken_reason"], Value::Null, "{row}");
    assert_eq!(row["host_told_at"], Value::Null, "{row}");
    assert!(!host
        .browser
        .get("/dashboard")
        .body
        .contains("is not answering."));
}

#[test]
fn a_booking_page_that_cannot_read_the_calendar_marks_it_without_emailing() {
    let host = calendar_host("Health Page", "none", &["google"]);
    fail_free_busy(&host.email, 3);
    let page = get(&format!("/{}/call", host.host.slug));
    assert_eq!(page.status, 503, "{}", page.body);
    let row = health_row(&host.host.id);
    assert_eq!(row["broken_reason"], "not_answering", "{row}");
    // The next read works: the mark is cleared by the page itself.
    assert_eq!(get(&format!("/{}/call", host.host.slug)).status, 200);
    let row = health_row(&host.host.id);
    assert_eq!(row["broken_reason"], Value::Null, "{row}");
    run_cron();
    assert!(with_subject(&host.email, SILENT_SUBJECT).is_empty());
}

/// Another request holding the connection's token refresh is our own side being busy, not the
/// calendar failing: a booking page that meets it records nothing against the calendar.
#[test]
fn a_refresh_held_by_another_request_is_not_the_calendar_failing() {
    let host = calendar_host("Health Lease", "none", &["google"]);
    crate::support::kv::delete(&format!("host/{}/access/google", host.host.id));
    sql(&format!(
        "UPDATE connections SET refresh_lease_until = {}, last_checked_at = {} \
         WHERE host_id = '{}' AND provider = 'google'",
        now() + 600,
        now() - 2 * 86_400,
        host.host.id
    ));
    let page = get(&format!("/{}/call", host.host.slug));
    assert_eq!(page.status, 503, "the times cannot be known: {}", page.body);
    let row = health_row(&host.host.id);
    assert_eq!(row["broken_reason"], Value::Null, "{row}");
    // The scheduled check meeting the same records nothing either, and tries again next hour.
    assert_eq!(get("/__scheduled?cron=17+*+*+*+*").status, 200);
    let row = health_row(&host.host.id);
    assert_eq!(row["broken_reason"], Value::Null, "{row}");
}

/// A calendar that answers 403 `insufficientPermissions` (the host unticked a permission at
/// Google after connecting) needs reconnecting: the booking page offers no times, the host gets
/// one email naming the missing permission and the link that mends it, and every dashboard
/// page says so. The error body is Google's, as its Calendar API documents it ("Handle API
/// errors", 403: Insufficient permissions).
#[test]
fn a_permission_removed_at_google_tells_the_host_once_with_the_way_to_mend_it() {
    let host = calendar_host("Health Permission", "none", &["google"]);
    let reply = post_json(
        &fakes("/_fake/fail"),
        &json!({ "path_prefix": "/google/api/calendar/v3/freeBusy", "method": "POST",
                 "status": 403, "count": 1, "account": host.email,
                 "body": { "error": { "code": 403,
                     "message": "Request had insufficient authentication scopes.",
                     "errors": [{ "domain": "global", "reason": "insufficientPermissions",
                                  "message": "Insufficient Permission" }],
                     "status": "PERMISSION_DENIED" } } }),
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(get(&format!("/{}/call", host.host.slug)).status, 503);
    let row = health_row(&host.host.id);
    assert_eq!(row["status"], "needs_reconnect", "{row}");
    assert_eq!(row["broken_reason"], "permission_missing", "{row}");
    run_cron();
    let told = wait_for_emails(&host.email, RECONNECT_SUBJECT, 1);
    assert_eq!(told.len(), 1, "{told:?}");
    let text = told[0]["text"].as_str().unwrap();
    assert!(
        text.contains("refuses a permission Openslot needs"),
        "{text}"
    );
    assert!(
        text.contains("/dashboard/connections/google/connect"),
        "{text}"
    );
    run_hourly();
    run_cron();
    assert_eq!(wait_for_emails(&host.email, RECONNECT_SUBJECT, 2).len(), 1);
    let page = host.browser.get("/dashboard/webhooks");
    assert!(
        page.body.contains("Google Calendar needs reconnecting."),
        "{}",
        page.body
    );
}

/// The daily check exercises a Zoom connection too, with the read Zoom has (the upcoming
/// meeting list, which a booking's duplicate-safe create also reads): a Zoom that does not
/// answer is marked, one that answers again is mended, and a grant the user revoked at Zoom is
/// found before an invitee books a Zoom meeting.
#[test]
fn the_daily_health_check_probes_zoom_by_its_meeting_list() {
    let host = calendar_host("Health Zoom", "zoom", &["zoom"]);
    let zoom_row = || {
        sql(&format!(
            "SELECT status, broken_reason FROM connections \
             WHERE host_id = '{}' AND provider = 'zoom'",
            host.host.id
        ))[0]
            .clone()
    };
    let make_zoom_due = || {
        let long_ago = now() - 2 * 24 * 3600;
        sql(&format!(
            "UPDATE connections SET connected_at = {long_ago}, last_checked_at = {long_ago} \
             WHERE host_id = '{}' AND provider = 'zoom'",
            host.host.id
        ));
    };
    make_zoom_due();
    let failing = post_json(
        &fakes("/_fake/fail"),
        &json!({ "path_prefix": "/zoom/api/v2/users/me/meetings", "method": "GET",
                 "status": 503, "count": 3, "account": host.email }),
    );
    assert_eq!(failing.status, 200, "{}", failing.body);
    run_hourly();
    let row = zoom_row();
    assert_eq!(row["broken_reason"], "not_answering", "{row}");
    assert_eq!(row["status"], "working", "{row}");

    make_zoom_due();
    run_hourly();
    let row = zoom_row();
    assert_eq!(row["broken_reason"], Value::Null, "answering again: {row}");

    let revoked = post_json(
        &fakes("/_fake/zoom/revoke-all"),
        &json!({ "email": host.email }),
    );
    assert_eq!(revoked.status, 200, "{}", revoked.body);
    make_zoom_due();
    run_hourly();
    let row = zoom_row();
    assert_eq!(row["status"], "needs_reconnect", "{row}");
    assert_eq!(row["broken_reason"], "grant_refused", "{row}");
}
