//! Rescheduling by the invitee: the manage link's "Reschedule" page moves a booking in one
//! step (old cancelled, new confirmed, linked both ways), one email goes to each side with a
//! REQUEST that updates the same calendar entry (same UID, SEQUENCE bumped), a taken time
//! changes nothing, a meeting that has started cannot be moved, and a chain keeps one UID.

use chrono::{DateTime, Days, Utc};
use serde_json::json;

use crate::support::http::{get, post_form, post_json, query};
use crate::support::mail::{ics_attachment, parse_invitation, wait_for_emails, Invitation};
use crate::support::seed::{sql, EVERY_DAY};
use crate::support::{world, EventSeed, HostSeed, SeededHost};

pub fn host(name: &str) -> SeededHost {
    HostSeed::new(name, "UTC")
        .hours(EVERY_DAY, 0, 1440)
        .event(EventSeed::new("call", 30))
        .create()
}

pub fn at(days: u64, hour: u32) -> DateTime<Utc> {
    format!(
        "{}T{hour:02}:00:00Z",
        Utc::now().date_naive() + Days::new(days)
    )
    .parse()
    .unwrap()
}

pub(crate) fn z(instant: DateTime<Utc>) -> String {
    instant.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Books through the API and returns (booking id, manage URL).
pub fn book(host: &SeededHost, start: DateTime<Utc>, invitee: &str) -> (String, String) {
    let reply = post_json(
        "/api/v1/bookings",
        &json!({ "host": host.slug, "event": "call", "start": start.to_rfc3339(),
                 "name": "Moving Invitee", "email": invitee, "time_zone": "UTC",
                 "note": "bring the numbers" }),
    );
    assert_eq!(reply.status, 201, "{}", reply.body);
    let booking = &reply.json()["booking"];
    (
        booking["id"].as_str().unwrap().to_owned(),
        booking["manage_url"].as_str().unwrap().to_owned(),
    )
}

fn token_of(manage_url: &str) -> &str {
    manage_url.rsplit('/').next().unwrap()
}

fn offered(host: &SeededHost, start: DateTime<Utc>) -> bool {
    let date = start.date_naive().to_string();
    let reply = get(&format!(
        "/api/v1/slots?{}",
        query(&[
            ("host", &host.slug),
            ("event", "call"),
            ("tz", "UTC"),
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
        .any(|s| s["start"] == z(start).as_str())
}

fn row(id: &str) -> serde_json::Value {
    sql(&format!(
        "SELECT id, status, start_at, calendar_uid, sequence, \
         rescheduled_from, rescheduled_to FROM bookings WHERE id = '{id}'"
    ))
    .remove(0)
}

fn invitation_of(email: &serde_json::Value) -> Invitation {
    let (content_type, ics) = ics_attachment(email);
    assert!(
        content_type.starts_with("text/calendar; method=REQUEST"),
        "{content_type}"
    );
    parse_invitation(&ics)
}

fn api_reschedule(token: &str, start: DateTime<Utc>) -> crate::support::http::Reply {
    post_json(
        &format!("/api/v1/bookings/{token}/reschedule"),
        &json!({ "start": start.to_rfc3339() }),
    )
}

#[test]
fn an_invitee_moves_a_booking_by_the_links_and_the_calendar_entry_follows() {
    let host = host("Move Host");
    let host_email = format!("{}@example.com", host.slug);
    let invitee = format!("move-{}@example.org", host.slug);
    let (old_start, new_start) = (at(5, 9), at(5, 11));
    let (id, manage_url) = book(&host, old_start, &invitee);
    let booked = wait_for_emails(&invitee, "Booked:", 1);
    let original = invitation_of(&booked[0]);
    assert_eq!(original.sequence, "0");

    // The manage page links to the reschedule page, which lists the new time.
    let base = &world().base_url;
    let reschedule_url = format!("{manage_url}/reschedule");
    let page = get(&manage_url);
    assert!(
        page.body.contains(&format!(
            "href=\"{}\"",
            reschedule_url.trim_start_matches(base.as_str())
        )),
        "{}",
        page.body
    );
    let list = get(&reschedule_url);
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(
        list.body.contains(&format!("slot={}", z(new_start))),
        "{}",
        list.body
    );
    assert!(!list.body.contains(&format!("slot={}", z(old_start))));
    let confirm = get(&format!("{reschedule_url}?slot={}", z(new_start)));
    assert_eq!(confirm.status, 200);
    assert!(confirm
        .body
        .contains(&format!("name=\"slot\" value=\"{}\"", z(new_start))));

    let moved = post_form(&reschedule_url, &[("slot", &z(new_start))]);
    assert_eq!(moved.status, 303, "{}", moved.body);
    let new_url = moved.header("Location").unwrap().to_owned();
    assert!(
        new_url.starts_with(&format!("{base}/booking/")),
        "{new_url}"
    );
    assert_ne!(new_url, manage_url);

    // D1: the old booking is cancelled and points at the new one, which keeps the details.
    let old = row(&id);
    assert_eq!(old["status"], "cancelled");
    let new_id = old["rescheduled_to"].as_str().expect("linked").to_owned();
    let new = row(&new_id);
    assert_eq!(new["status"], "confirmed");
    assert_eq!(new["rescheduled_from"], id.as_str());
    assert_eq!(new["start_at"], new_start.timestamp());
    let details = crate::support::sealed::stored_invitee(&new_id);
    assert_eq!(details["email"], invitee.as_str());
    assert_eq!(details["name"], "Moving Invitee");
    assert_eq!(details["note"], "bring the numbers");
    assert_eq!(new["calendar_uid"], format!("{id}@openslot").as_str());
    assert_eq!(new["sequence"], 1);

    assert!(offered(&host, old_start), "the old time is free again");
    assert!(!offered(&host, new_start), "the new time is taken");

    // Exactly one email to each side, updating the original calendar entry.
    for (address, prefix) in [(&invitee, "Moved:"), (&host_email, "Moved by")] {
        let emails = wait_for_emails(address, prefix, 1);
        assert_eq!(emails.len(), 1, "{address}: {emails:?}");
        let update = invitation_of(&emails[0]);
        assert_eq!(update.method, "REQUEST");
        assert_eq!(update.uid, original.uid);
        assert_eq!(update.sequence, "1");
        assert_eq!(
            update.dtstart,
            new_start.format("%Y%m%dT%H%M%SZ").to_string()
        );
    }
    assert_eq!(
        wait_for_emails(&invitee, "Booked:", 1).len(),
        1,
        "no second confirmation"
    );
    assert_eq!(
        wait_for_emails(&invitee, "Cancelled", 0).len(),
        0,
        "no cancellation"
    );

    // The old link now says where the booking went; the new one manages it.
    let old_page = get(&manage_url);
    assert!(
        old_page.body.contains("This booking was moved"),
        "{}",
        old_page.body
    );
    assert!(old_page.body.contains(&new_url));
    assert_eq!(get(&reschedule_url).status, 303);
    let new_page = get(&new_url);
    assert!(new_page.body.contains("You are booked"));
    assert!(new_page.body.contains("Reschedule this booking"));
    let ics = get(&format!("{new_url}/calendar.ics"));
    assert_eq!(parse_invitation(&ics.body).uid, original.uid);
}

#[test]
fn a_move_to_a_taken_time_changes_nothing() {
    let host = host("Taken Move Host");
    let mover = format!("mover-{}@example.org", host.slug);
    let (id, manage_url) = book(&host, at(6, 9), &mover);
    book(
        &host,
        at(6, 11),
        &format!("other-{}@example.org", host.slug),
    );

    let refused = post_form(
        &format!("{manage_url}/reschedule"),
        &[("slot", &z(at(6, 11)))],
    );
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert!(
        refused.body.contains("Someone booked this time"),
        "{}",
        refused.body
    );
    let api = api_reschedule(token_of(&manage_url), at(6, 11));
    assert_eq!(api.status, 409, "{}", api.body);
    assert_eq!(api.json()["error"]["code"], "conflict");
    // Overlapping the other booking by a quarter: refused too.
    let overlap = api_reschedule(
        token_of(&manage_url),
        at(6, 11) - chrono::Duration::minutes(15),
    );
    assert!(matches!(overlap.status, 409 | 422), "{}", overlap.body);

    let old = row(&id);
    assert_eq!(old["status"], "confirmed");
    assert!(old["rescheduled_to"].is_null());
    assert_eq!(old["start_at"], at(6, 9).timestamp());
    let count = sql(&format!(
        "SELECT COUNT(*) AS n FROM bookings b JOIN hosts h ON h.id = b.host_id WHERE h.slug = '{}'",
        host.slug
    ));
    assert_eq!(count[0]["n"], 2);
    assert!(!offered(&host, at(6, 9)), "the old time is still taken");
    assert!(wait_for_emails(&mover, "Moved", 0).is_empty());
}

#[test]
fn a_meeting_that_has_started_cannot_be_moved() {
    let host = host("Started Move Host");
    let invitee = format!("started-{}@example.org", host.slug);
    let (id, manage_url) = book(&host, at(6, 9), &invitee);
    let now = Utc::now().timestamp();
    sql(&format!(
        "UPDATE bookings SET start_at = {}, end_at = {} WHERE id = '{id}'",
        now - 600,
        now + 1200
    ));
    assert!(!get(&manage_url).body.contains("Reschedule this booking"));
    let reschedule_url = format!("{manage_url}/reschedule");
    let page = get(&reschedule_url);
    assert_eq!(page.status, 409);
    assert!(page.body.contains("already started"), "{}", page.body);
    let post = post_form(&reschedule_url, &[("slot", &z(at(7, 9)))]);
    assert_eq!(post.status, 409);
    let api = api_reschedule(token_of(&manage_url), at(7, 9));
    assert_eq!(api.status, 409);
    assert_eq!(api.json()["error"]["code"], "too_late");
    let old = row(&id);
    assert_eq!(old["status"], "confirmed");
    assert!(old["rescheduled_to"].is_null());
    assert!(wait_for_emails(&invitee, "Moved", 0).is_empty());
}

#[test]
fn moving_twice_keeps_one_calendar_entry_and_bumps_the_sequence() {
    let host = host("Twice Move Host");
    let host_email = format!("{}@example.com", host.slug);
    let invitee = format!("twice-{}@example.org", host.slug);
    let (id, first_url) = book(&host, at(8, 9), &invitee);

    let first = api_reschedule(token_of(&first_url), at(8, 10));
    assert_eq!(first.status, 200, "{}", first.body);
    let second_booking = first.json()["booking"].clone();
    assert_eq!(second_booking["status"], "confirmed");
    assert_eq!(second_booking["start"], z(at(8, 10)).as_str());
    assert_eq!(second_booking["invitee"]["email"], invitee.as_str());
    let second_url = second_booking["manage_url"].as_str().unwrap().to_owned();

    // The first link cannot move it again.
    let stale = api_reschedule(token_of(&first_url), at(8, 12));
    assert_eq!(stale.status, 409, "{}", stale.body);

    let again = api_reschedule(token_of(&second_url), at(8, 11));
    assert_eq!(again.status, 200, "{}", again.body);
    let third = again.json()["booking"].clone();
    let third_id = third["id"].as_str().unwrap();
    assert_eq!(row(third_id)["sequence"], 2);
    assert_eq!(
        row(second_booking["id"].as_str().unwrap())["rescheduled_to"],
        third_id
    );

    for (address, prefix) in [(&invitee, "Moved:"), (&host_email, "Moved by")] {
        let emails = wait_for_emails(address, prefix, 2);
        assert_eq!(emails.len(), 2, "{address}: {emails:?}");
        let sequences: Vec<_> = emails
            .iter()
            .map(|e| {
                let inv = invitation_of(e);
                assert_eq!(inv.uid, format!("{id}@openslot"));
                inv.sequence
            })
            .collect();
        let mut sorted = sequences.clone();
        sorted.sort();
        assert_eq!(sorted, vec!["1", "2"], "{sequences:?}");
    }
    assert!(offered(&host, at(8, 9)) && offered(&host, at(8, 10)));
    assert!(!offered(&host, at(8, 11)));

    // Cancelling the end of the chain removes the one entry: same UID, SEQUENCE 3.
    let third_url = third["manage_url"].as_str().unwrap();
    assert_eq!(post_form(&format!("{third_url}/cancel"), &[]).status, 303);
    let cancel = wait_for_emails(&invitee, "Cancelled", 1);
    let (_, ics) = ics_attachment(&cancel[0]);
    let cancel = parse_invitation(&ics);
    assert_eq!(cancel.uid, format!("{id}@openslot"));
    assert_eq!(cancel.sequence, "3");
}

/// Twenty requests at once on one booking's manage link, ten moving it to ten different free
/// times and ten cancelling it: the "still confirmed, not moved, before the cut-off" condition
/// lives in the one statement each makes, so exactly one of them changes it, however they
/// interleave: at most one new booking, never both a move and a cancellation, one email.
#[test]
fn twenty_racing_moves_and_cancels_of_one_booking_change_it_exactly_once() {
    let host = host("Racing Move Host");
    let invitee = format!("race-move-{}@example.org", host.slug);
    let (id, manage_url) = book(&host, at(6, 9), &invitee);
    let token = token_of(&manage_url).to_owned();
    let statuses: Vec<(bool, u16)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..20u32)
            .map(|i| {
                let (token, manage_url) = (token.clone(), manage_url.clone());
                scope.spawn(move || {
                    if i % 2 == 0 {
                        (true, api_reschedule(&token, at(7, 8 + i / 2)).status)
                    } else {
                        let url = format!("{manage_url}/cancel");
                        (false, post_form(&url, &[("reason", "")]).status)
                    }
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let moved: Vec<_> = statuses.iter().filter(|(m, s)| *m && *s == 200).collect();
    assert!(moved.len() <= 1, "{statuses:?}");
    for (is_move, status) in &statuses {
        assert!(*status < 500, "{statuses:?}");
        if *is_move && *status != 200 {
            assert_eq!(*status, 409, "{statuses:?}");
        }
    }
    let old = row(&id);
    assert_eq!(old["status"], "cancelled", "{statuses:?}");
    let successors = sql(&format!(
        "SELECT id, status FROM bookings WHERE rescheduled_from = '{id}'"
    ));
    let confirmed = sql(&format!(
        "SELECT id FROM bookings WHERE host_id = '{}' AND status = 'confirmed'",
        host.id
    ));
    if moved.len() == 1 {
        assert_eq!(successors.len(), 1, "{successors:?}");
        assert_eq!(old["rescheduled_to"], successors[0]["id"]);
        assert_eq!(confirmed.len(), 1, "only the moved booking");
        assert_eq!(wait_for_emails(&invitee, "Moved", 1).len(), 1);
        assert!(wait_for_emails(&invitee, "Cancelled", 0).is_empty());
    } else {
        assert!(successors.is_empty(), "{successors:?}");
        assert!(old["rescheduled_to"].is_null());
        assert!(confirmed.is_empty());
        assert_eq!(wait_for_emails(&invitee, "Cancelled", 1).len(), 1);
        assert!(wait_for_emails(&invitee, "Moved", 0).is_empty());
    }
}
