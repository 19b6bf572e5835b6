//! The iCalendar writer with arbitrary user text: the output keeps its shape (one VEVENT, one
//! ATTENDEE, lines of at most 75 octets ending in CRLF) whatever the names and notes contain.
#![no_main]

use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use openslot::core::ics::{write, Invitation, Method, Person};

fuzz_target!(|fields: (&str, &str, &str, &str, &str)| {
    let (summary, description, name, location, email) = fields;
    let start = Utc.with_ymd_and_hms(2026, 11, 25, 9, 0, 0).unwrap();
    let text = write(&Invitation {
        uid: "fuzz@openslot",
        sequence: 0,
        method: Method::Request,
        stamp: start,
        start,
        end: start + chrono::Duration::minutes(30),
        summary,
        description,
        location: Some(location),
        url: None,
        organizer: Person { name, email: "host@example.com" },
        attendee: Person { name, email },
    });
    assert!(text.ends_with("\r\n"));
    let lines: Vec<&str> = text.trim_end_matches("\r\n").split("\r\n").collect();
    assert!(lines.iter().all(|line| line.len() <= 75 && !line.contains('\n') && !line.contains('\r')));
    let unfolded = text.replace("\r\n ", "");
    let logical: Vec<&str> = unfolded.trim_end_matches("\r\n").split("\r\n").collect();
    assert_eq!(logical.iter().filter(|l| **l == "BEGIN:VEVENT").count(), 1);
    assert_eq!(logical.iter().filter(|l| l.starts_with("ATTENDEE")).count(), 1);
    assert_eq!(logical.first(), Some(&"BEGIN:VCALENDAR"));
    assert_eq!(logical.last(), Some(&"END:VCALENDAR"));
});
