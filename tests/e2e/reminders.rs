//! Reminders from the cron trigger: a booking whose reminder time has come gets exactly one
//! reminder per recipient however often (and however concurrently) the cron runs; cancelled
//! and moved-away bookings get none, and so does a booking made inside the reminder window.
//! The suite runs with the default `REMINDER_MINUTES_BEFORE` (1440 minutes).

use chrono::Utc;

use crate::reschedule::{at, book, host};
use crate::support::http::{post_form, post_json};
use crate::support::mail::{run_cron, wait_for_emails};
use crate::support::seed::sql;

/// Puts booking `id` `minutes_ahead` from now, booked `booked_hours_ago` hours ago.
fn move_into_window(id: &str, minutes_ahead: i64, booked_hours_ago: i64) {
    let now = Utc::now().timestamp();
    let start = now + minutes_ahead * 60;
    sql(&format!(
        "UPDATE bookings SET start_at = {start}, end_at = {}, created_at = {} WHERE id = '{id}'",
        start + 1800,
        now - booked_hours_ago * 3600
    ));
}

fn reminder_rows(id: &str) -> i64 {
    sql(&format!(
        "SELECT COUNT(*) AS n FROM email_outbox WHERE booking_id = '{id}' AND kind LIKE '%_reminder'"
    ))[0]["n"]
        .as_i64()
        .unwrap()
}

#[test]
fn a_booking_in_its_reminder_window_is_reminded_once_per_recipient() {
    let host = host("Remind Host");
    let host_email = format!("{}@example.com", host.slug);
    let invitee = format!("remind-{}@example.org", host.slug);
    let (id, _) = book(&host, at(9, 9), &invitee);
    move_into_window(&id, 120, 72);

    run_cron();
    run_cron();
    let racing: Vec<_> = (0..2).map(|_| std::thread::spawn(run_cron)).collect();
    for thread in racing {
        thread.join().unwrap();
    }

    for address in [&invitee, &host_email] {
        let reminders = wait_for_emails(address, "Reminder:", 1);
        assert_eq!(reminders.len(), 1, "{address}: {reminders:?}");
        assert!(reminders[0]["attachments"]
            .as_array()
            .is_none_or(|a| a.is_empty()));
    }
    let to_invitee = &wait_for_emails(&invitee, "Reminder:", 1)[0];
    assert!(to_invitee["subject"]
        .as_str()
        .unwrap()
        .starts_with("Reminder: Intro call with Remind Host on "));
    assert_eq!(reminder_rows(&id), 2);
    let claimed = sql(&format!(
        "SELECT minutes_before FROM booking_reminders WHERE booking_id = '{id}'"
    ));
    assert_eq!(claimed.len(), 1, "{claimed:?}");
    assert_eq!(claimed[0]["minutes_before"], 1440);
}

#[test]
fn cancelled_and_moved_away_bookings_get_no_reminder() {
    let host = host("No Remind Host");
    let cancelled_invitee = format!("cancelled-{}@example.org", host.slug);
    let (cancelled, cancelled_url) = book(&host, at(9, 9), &cancelled_invitee);
    assert_eq!(
        post_form(&format!("{cancelled_url}/cancel"), &[]).status,
        303
    );
    move_into_window(&cancelled, 120, 72);

    let moved_invitee = format!("moved-{}@example.org", host.slug);
    let (moved, moved_url) = book(&host, at(9, 11), &moved_invitee);
    let token = moved_url.rsplit('/').next().unwrap();
    let reply = post_json(
        &format!("/api/v1/bookings/{token}/reschedule"),
        &serde_json::json!({ "start": at(10, 11).to_rfc3339() }),
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    move_into_window(&moved, 180, 72);

    run_cron();
    run_cron();
    for address in [&cancelled_invitee, &moved_invitee] {
        assert!(
            wait_for_emails(address, "Reminder", 0).is_empty(),
            "{address}"
        );
    }
    assert_eq!(reminder_rows(&cancelled), 0);
    assert_eq!(reminder_rows(&moved), 0);
}

#[test]
fn a_booking_made_inside_the_reminder_window_gets_no_reminder() {
    let host = host("Late Remind Host");
    let invitee = format!("late-{}@example.org", host.slug);
    let (id, _) = book(&host, at(9, 9), &invitee);
    // Booked three hours before its start: inside the 24-hour window.
    move_into_window(&id, 120, 1);
    run_cron();
    assert!(wait_for_emails(&invitee, "Reminder", 0).is_empty());
    assert_eq!(reminder_rows(&id), 0);
}
