//! Booking emails: one confirmation to the invitee (with `invite.ics`) and one notification to
//! the host per booking, delivered after the response, retried by the cron trigger when the
//! email API fails, and never sent twice.

use chrono::{DateTime, Days, Utc};
use serde_json::json;

use crate::support::http::post_json;
use crate::support::mail::{
    fail_emails_sent_to, ics_attachment, parse_invitation, run_cron, wait_for_emails,
};
use crate::support::seed::{sql, EVERY_DAY};
use crate::support::{EventSeed, HostSeed, SeededHost};

fn host(name: &str) -> SeededHost {
    HostSeed::new(name, "Europe/Berlin")
        .hours(EVERY_DAY, 0, 1440)
        .event(EventSeed::new("call", 30))
        .create()
}

fn host_email(host: &SeededHost) -> String {
    format!("{}@example.com", host.slug)
}

fn start_in_days(days: u64) -> DateTime<Utc> {
    format!("{}T10:00:00Z", Utc::now().date_naive() + Days::new(days))
        .parse()
        .unwrap()
}

/// Books through the API and returns the created booking's JSON.
fn book(host: &SeededHost, start: DateTime<Utc>, invitee: &str, note: &str) -> serde_json::Value {
    let reply = post_json(
        "/api/v1/bookings",
        &json!({ "host": host.slug, "event": "call", "start": start.to_rfc3339(),
                 "name": "Mail Invitee", "email": invitee, "time_zone": "Asia/Kathmandu",
                 "note": note }),
    );
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.json()["booking"].clone()
}

#[test]
fn a_booking_sends_one_confirmation_with_an_invitation_and_one_host_notification() {
    let host = host("Mail Host");
    let invitee = format!("invitee-{}@example.org", host.slug);
    let start = start_in_days(3);
    let booking = book(&host, start, &invitee, "<script>alert(1)</script> see you");
    let id = booking["id"].as_str().unwrap();
    let manage_url = booking["manage_url"].as_str().unwrap();

    let to_invitee = wait_for_emails(&invitee, "", 1);
    assert_eq!(
        to_invitee.len(),
        1,
        "exactly one email to the invitee: {to_invitee:?}"
    );
    let email = &to_invitee[0];
    let subject = email["subject"].as_str().unwrap();
    assert!(
        subject.starts_with("Booked: Intro call with Mail Host on "),
        "{subject}"
    );
    assert_eq!(email["reply_to"], host_email(&host));
    let text = email["text"].as_str().unwrap();
    let html = email["html"].as_str().unwrap();
    let kathmandu = start
        .with_timezone(&chrono_tz::Asia::Kathmandu)
        .format("%H:%M")
        .to_string();
    let berlin = start
        .with_timezone(&chrono_tz::Europe::Berlin)
        .format("%H:%M")
        .to_string();
    for part in [text, html] {
        assert!(
            part.contains(&format!("{kathmandu}–")),
            "invitee's zone: {part}"
        );
        assert!(part.contains("(Asia/Kathmandu)"));
        assert!(part.contains(&format!("{berlin}–")), "host's zone: {part}");
        assert!(part.contains("Google Meet"));
        assert!(part.contains(manage_url), "manage link: {part}");
    }
    assert!(text.contains("<script>alert(1)</script> see you"));
    assert!(
        !html.contains("<script>"),
        "user text escaped in HTML: {html}"
    );

    let (content_type, ics) = ics_attachment(email);
    assert!(
        content_type.starts_with("text/calendar; method=REQUEST"),
        "{content_type}"
    );
    let invitation = parse_invitation(&ics);
    assert_eq!(invitation.method, "REQUEST");
    assert_eq!(invitation.uid, format!("{id}@openslot"));
    assert_eq!(invitation.sequence, "0");
    assert_eq!(invitation.status, "CONFIRMED");
    assert_eq!(
        invitation.dtstart,
        start.format("%Y%m%dT%H%M%SZ").to_string()
    );
    assert_eq!(
        invitation.dtend,
        (start + chrono::Duration::minutes(30))
            .format("%Y%m%dT%H%M%SZ")
            .to_string()
    );
    assert_eq!(invitation.attendee, format!("mailto:{invitee}"));
    assert_eq!(
        invitation.organizer,
        format!("mailto:{}", host_email(&host))
    );
    assert_eq!(invitation.location, "Google Meet");

    let to_host = wait_for_emails(&host_email(&host), "", 1);
    assert_eq!(
        to_host.len(),
        1,
        "exactly one email to the host: {to_host:?}"
    );
    let notification = &to_host[0];
    assert!(notification["subject"]
        .as_str()
        .unwrap()
        .starts_with("New booking: Intro call with Mail Invitee on "));
    let host_text = notification["text"].as_str().unwrap();
    assert!(
        host_text.contains(&format!("Mail Invitee <{invitee}>")),
        "{host_text}"
    );
    assert!(host_text.contains(&format!(", {berlin}–")), "{host_text}");
    assert!(host_text.contains("(Europe/Berlin)"));
    assert!(host_text.contains("Note:  <script>alert(1)</script> see you"));
    assert!(!notification["html"].as_str().unwrap().contains("<script>"));

    // Sent rows keep no personal data: the payload is gone, the address only as a hash.
    let rows = sql(&format!(
        "SELECT id, kind, payload, sent_at, attempts, recipient_hash FROM email_outbox \
         WHERE booking_id = '{id}' ORDER BY kind"
    ));
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[0]["kind"], "host_notification");
    assert_eq!(rows[1]["kind"], "invitee_confirmation");
    for row in &rows {
        assert!(row["payload"].is_null(), "{row}");
        assert!(row["sent_at"].is_i64(), "{row}");
        assert_eq!(row["attempts"], 1);
        assert_eq!(row["recipient_hash"].as_str().unwrap().len(), 64);
    }
    // The row id is the provider's idempotency key.
    assert_eq!(email["idempotency_key"], rows[1]["id"]);
}

#[test]
fn a_failing_email_api_never_blocks_the_booking_and_the_cron_sends_the_email_once() {
    let host = host("Flaky Mail Host");
    let invitee = format!("flaky-{}@example.org", host.slug);
    // Only the invitee's confirmation is addressed to them (the host's notification mentions
    // the address too, but not as `to`).
    fail_emails_sent_to(&invitee, 500, 1);
    let booking = book(&host, start_in_days(4), &invitee, "");
    let id = booking["id"].as_str().unwrap();

    // Wait for the delivery after the response to record the failure.
    let failed_row = || {
        sql(&format!(
            "SELECT attempts, last_error, sent_at, next_attempt_at FROM email_outbox \
             WHERE booking_id = '{id}' AND kind = 'invitee_confirmation'"
        ))
        .remove(0)
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while failed_row()["attempts"] == 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let row = failed_row();
    assert_eq!(row["attempts"], 1, "{row}");
    assert!(row["sent_at"].is_null());
    assert_eq!(row["last_error"], "HTTP 500 application_error");
    let waited = row["next_attempt_at"].as_i64().unwrap() - Utc::now().timestamp();
    assert!(
        (1..=61).contains(&waited),
        "retried a minute later, not at once: {waited}"
    );
    assert!(wait_for_emails(&invitee, "", 0).is_empty());

    // The cron before the backoff ends sends nothing; once the minute has passed (moved
    // forward here rather than waited for), it sends the email exactly once.
    run_cron();
    assert!(wait_for_emails(&invitee, "", 0).is_empty());
    sql(&format!(
        "UPDATE email_outbox SET next_attempt_at = 0 WHERE booking_id = '{id}' AND sent_at IS NULL"
    ));
    run_cron();
    run_cron();
    let delivered = wait_for_emails(&invitee, "Booked:", 1);
    assert_eq!(delivered.len(), 1, "{delivered:?}");
    let row = failed_row();
    assert_eq!(row["attempts"], 2, "{row}");
    assert!(row["sent_at"].is_i64());
    assert_eq!(
        wait_for_emails(&host_email(&host), "New booking:", 1).len(),
        1
    );
}
