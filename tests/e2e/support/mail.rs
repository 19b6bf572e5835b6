//! Reading what the Worker emailed (the fakes' capture), running its cron trigger, making the
//! email API fail for one address, and reading `.ics` attachments with an independent parser.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::http::{get, post_json};
use super::world;

/// Every captured email addressed to `address`, oldest first.
pub fn emails_to(address: &str) -> Vec<Value> {
    let all = get(&format!("{}/_fake/emails", world().fakes_url)).json();
    all.as_array()
        .expect("a list of emails")
        .iter()
        .filter(|e| {
            e["to"]
                .as_array()
                .is_some_and(|to| to.iter().any(|t| t.as_str() == Some(address)))
        })
        .cloned()
        .collect()
}

/// Waits (delivery runs after the response) until `address` has `count` emails whose subject
/// starts with `subject_prefix`, then a moment more so a duplicate would show, and returns them.
pub fn wait_for_emails(address: &str, subject_prefix: &str, count: usize) -> Vec<Value> {
    let matching = || {
        emails_to(address)
            .into_iter()
            .filter(|e| {
                e["subject"]
                    .as_str()
                    .unwrap_or("")
                    .starts_with(subject_prefix)
            })
            .collect::<Vec<_>>()
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while matching().len() < count && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(150));
    }
    std::thread::sleep(Duration::from_millis(500));
    matching()
}

/// Runs the Worker's cron trigger once (`wrangler dev --test-scheduled`).
pub fn run_cron() {
    let reply = get("/__scheduled?cron=*+*+*+*+*");
    assert_eq!(reply.status, 200, "{}", reply.body);
}

/// The next `count` sends to the email API addressed to `address` answer `status`. Matches
/// the compact JSON the Worker sends (`"to":["…"]`), so tests running alongside are untouched.
pub fn fail_emails_sent_to(address: &str, status: u16, count: u32) {
    let reply = post_json(
        &format!("{}/_fake/fail", world().fakes_url),
        &json!({ "path_prefix": "/email/resend/emails", "body_contains": format!("\"to\":[\"{address}\"]"),
                 "status": status, "count": count }),
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
}

/// The one `.ics` attachment of a captured email, as text.
pub fn ics_attachment(email: &Value) -> (String, String) {
    let attachments = email["attachments"].as_array().expect("attachments");
    assert_eq!(attachments.len(), 1, "{email}");
    (
        attachments[0]["content_type"].as_str().unwrap().to_owned(),
        attachments[0]["text"]
            .as_str()
            .expect("decoded text")
            .to_owned(),
    )
}

/// What the tests check of an invitation, read by the `icalendar` crate's parser.
#[derive(Debug)]
pub struct Invitation {
    pub method: String,
    pub uid: String,
    pub sequence: String,
    pub status: String,
    pub dtstart: String,
    pub dtend: String,
    pub organizer: String,
    pub attendee: String,
    pub location: String,
}

/// Parses a VCALENDAR holding one VEVENT.
pub fn parse_invitation(text: &str) -> Invitation {
    let unfolded = icalendar::parser::unfold(text);
    let calendar = icalendar::parser::read_calendar(&unfolded)
        .unwrap_or_else(|e| panic!("not iCalendar ({e}):\n{text}"));
    let method = calendar
        .properties
        .iter()
        .find(|p| p.name.as_str() == "METHOD")
        .map(|p| p.val.as_str().to_owned())
        .expect("METHOD");
    let events: Vec<_> = calendar
        .components
        .iter()
        .filter(|c| c.name.as_str() == "VEVENT")
        .collect();
    assert_eq!(events.len(), 1, "{text}");
    let event = events[0];
    let prop = |name: &str| {
        event
            .find_prop(name)
            .map(|p| p.val.as_str().to_owned())
            .unwrap_or_else(|| panic!("{name} missing in\n{text}"))
    };
    Invitation {
        method,
        uid: prop("UID"),
        sequence: prop("SEQUENCE"),
        status: prop("STATUS"),
        dtstart: prop("DTSTART"),
        dtend: prop("DTEND"),
        organizer: prop("ORGANIZER"),
        attendee: prop("ATTENDEE"),
        location: prop("LOCATION"),
    }
}
