//! Whole-document tests, read back through a deliberately strict little reader: it refuses
//! anything that is not CRLF-terminated, unfolds exactly as RFC 5545 §3.1 says, and parses
//! parameters the way §3.2 defines them, so a value that broke out of its place shows up as
//! an extra property or parameter.

use chrono::{DateTime, TimeZone, Utc};
use proptest::prelude::*;

use super::*;

/// One parsed content line.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Prop {
    name: String,
    params: Vec<(String, String)>,
    value: String,
}

/// Splits on CRLF (panicking on a bare CR or LF) and joins each "CRLF SPACE" continuation.
fn unfold(ics: &str) -> Vec<String> {
    let body = ics
        .strip_suffix("\r\n")
        .expect("the document ends with CRLF");
    let mut lines: Vec<String> = Vec::new();
    for physical in body.split("\r\n") {
        assert!(
            !physical.contains(['\r', '\n']),
            "bare CR or LF in {physical:?}"
        );
        match physical.strip_prefix(' ') {
            Some(rest) => lines
                .last_mut()
                .expect("no continuation first")
                .push_str(rest),
            None => lines.push(physical.to_owned()),
        }
    }
    lines
}

/// name *(";" param-name "=" param-value) ":" value, where a param-value is either a
/// DQUOTE-delimited string or runs to the next `;` or `:` (§3.1, §3.2).
fn parse_line(line: &str) -> Prop {
    let name_end = line.find([';', ':']).expect("a name ends in ; or :");
    let name = line[..name_end].to_owned();
    let mut rest = &line[name_end..];
    let mut params = Vec::new();
    while let Some(after) = rest.strip_prefix(';') {
        let eq = after.find('=').expect("param has =");
        let key = after[..eq].to_owned();
        let after = &after[eq + 1..];
        let (value, tail) = if let Some(quoted) = after.strip_prefix('"') {
            let close = quoted.find('"').expect("closing DQUOTE");
            (quoted[..close].to_owned(), &quoted[close + 1..])
        } else {
            let end = after.find([';', ':']).expect("param value ends");
            (after[..end].to_owned(), &after[end..])
        };
        params.push((key, value));
        rest = tail;
    }
    let value = rest.strip_prefix(':').expect("value after :").to_owned();
    Prop {
        name,
        params,
        value,
    }
}

fn parse(ics: &str) -> Vec<Prop> {
    unfold(ics).iter().map(|l| parse_line(l)).collect()
}

/// Reverses TEXT escaping (§3.3.11); panics on an escape the writer should never produce.
fn unescape(value: &str) -> String {
    let mut out = String::new();
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('\\') => out.push('\\'),
            Some(';') => out.push(';'),
            Some(',') => out.push(','),
            Some('n') => out.push('\n'),
            other => panic!("bad escape \\{other:?} in {value:?}"),
        }
    }
    out
}

fn one<'p>(props: &'p [Prop], name: &str) -> &'p Prop {
    let found: Vec<_> = props.iter().filter(|p| p.name == name).collect();
    assert_eq!(found.len(), 1, "expected one {name}, got {found:?}");
    found[0]
}

fn count(props: &[Prop], name: &str, value: &str) -> usize {
    props
        .iter()
        .filter(|p| p.name == name && p.value == value)
        .count()
}

fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, h, m, s).unwrap()
}

fn booking() -> Invitation<'static> {
    Invitation {
        uid: "0193a7c2-5f1e-7c3b-9d2a-1f2e3d4c5b6a@openslot",
        sequence: 0,
        method: Method::Request,
        stamp: at(7, 0, 0),
        start: at(8, 30, 0),
        end: at(9, 0, 0),
        summary: "Intro call: Ada & Zoë",
        description: "Agenda:\n- budget, timing; scope\n- C:\\share",
        location: Some("https://meet.example.com/abc-defg-hij"),
        url: Some("https://openslot.example/booking/tok123"),
        organizer: Person {
            name: "Ada Lovelace",
            email: "ada@example.com",
        },
        attendee: Person {
            name: "Zoë Lee",
            email: "zoe@example.org",
        },
    }
}

fn names(props: &[Prop]) -> Vec<&str> {
    props.iter().map(|p| p.name.as_str()).collect()
}

#[test]
fn a_request_is_one_calendar_with_one_confirmed_event_in_a_fixed_order() {
    let props = parse(&write(&booking()));
    assert_eq!(
        names(&props),
        [
            "BEGIN",
            "VERSION",
            "PRODID",
            "CALSCALE",
            "METHOD",
            "BEGIN",
            "UID",
            "SEQUENCE",
            "DTSTAMP",
            "DTSTART",
            "DTEND",
            "SUMMARY",
            "DESCRIPTION",
            "LOCATION",
            "URL",
            "STATUS",
            "ORGANIZER",
            "ATTENDEE",
            "END",
            "END",
        ]
    );
    assert_eq!(props[0].value, "VCALENDAR");
    assert_eq!(props[5].value, "VEVENT");
    assert_eq!(props[18].value, "VEVENT");
    assert_eq!(props[19].value, "VCALENDAR");
    assert_eq!(one(&props, "VERSION").value, "2.0");
    assert_eq!(one(&props, "PRODID").value, "-//Openslot//Openslot//EN");
    assert_eq!(one(&props, "CALSCALE").value, "GREGORIAN");
    assert_eq!(one(&props, "METHOD").value, "REQUEST");
    assert_eq!(one(&props, "STATUS").value, "CONFIRMED");
    assert_eq!(one(&props, "SEQUENCE").value, "0");
    assert_eq!(
        one(&props, "UID").value,
        "0193a7c2-5f1e-7c3b-9d2a-1f2e3d4c5b6a@openslot"
    );
}

#[test]
fn a_cancellation_keeps_the_uid_bumps_the_sequence_and_says_cancelled() {
    let request = parse(&write(&booking()));
    let cancel = parse(&write(&Invitation {
        method: Method::Cancel,
        sequence: 2,
        ..booking()
    }));
    assert_eq!(one(&cancel, "METHOD").value, "CANCEL");
    assert_eq!(one(&cancel, "STATUS").value, "CANCELLED");
    assert_eq!(one(&cancel, "SEQUENCE").value, "2");
    assert_eq!(one(&cancel, "UID"), one(&request, "UID"));
}

#[test]
fn a_stored_event_has_no_method_and_tells_the_server_not_to_invite_the_attendee() {
    let stored = write_stored(&booking());
    let props = parse(&stored);
    assert_eq!(count(&props, "METHOD", "REQUEST"), 0);
    assert!(props.iter().all(|p| p.name != "METHOD"), "{stored}");
    assert_eq!(one(&props, "STATUS").value, "CONFIRMED");
    let attendee = one(&props, "ATTENDEE");
    assert!(attendee
        .params
        .iter()
        .any(|(k, v)| k == "SCHEDULE-AGENT" && v == "CLIENT"));
    let request = parse(&write(&booking()));
    assert!(one(&request, "ATTENDEE")
        .params
        .iter()
        .all(|(k, _)| k != "SCHEDULE-AGENT"));
}

#[test]
fn times_are_written_in_utc_basic_form_without_fractions() {
    let invitation = Invitation {
        start: at(8, 30, 0) + chrono::Duration::milliseconds(999),
        end: at(9, 15, 5),
        ..booking()
    };
    let props = parse(&write(&invitation));
    assert_eq!(one(&props, "DTSTAMP").value, "20261125T070000Z");
    assert_eq!(one(&props, "DTSTART").value, "20261125T083000Z");
    assert_eq!(one(&props, "DTEND").value, "20261125T091505Z");
    assert!(
        one(&props, "DTSTART").params.is_empty(),
        "no TZID on UTC times"
    );
}

#[test]
fn location_and_url_are_written_only_when_given() {
    let props = parse(&write(&booking()));
    assert_eq!(
        one(&props, "LOCATION").value,
        "https://meet.example.com/abc-defg-hij"
    );
    assert_eq!(
        one(&props, "URL").value,
        "https://openslot.example/booking/tok123"
    );

    let bare = parse(&write(&Invitation {
        location: None,
        url: None,
        ..booking()
    }));
    assert!(!names(&bare).contains(&"LOCATION"));
    assert!(!names(&bare).contains(&"URL"));
}

#[test]
fn organizer_and_attendee_carry_their_names_roles_and_mailto_addresses() {
    let props = parse(&write(&booking()));
    let organizer = one(&props, "ORGANIZER");
    assert_eq!(
        organizer.params,
        [("CN".to_owned(), "Ada Lovelace".to_owned())]
    );
    assert_eq!(organizer.value, "mailto:ada@example.com");

    let attendee = one(&props, "ATTENDEE");
    let params: Vec<(&str, &str)> = attendee
        .params
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        params,
        [
            ("CN", "Zoë Lee"),
            ("ROLE", "REQ-PARTICIPANT"),
            ("PARTSTAT", "NEEDS-ACTION"),
            ("RSVP", "TRUE"),
        ]
    );
    assert_eq!(attendee.value, "mailto:zoe@example.org");
}

#[test]
fn a_name_with_separators_is_quoted_and_one_left_empty_drops_its_cn() {
    let invitation = Invitation {
        organizer: Person {
            name: "Lovelace, Ada: PhD; FRS",
            email: "ada@example.com",
        },
        attendee: Person {
            name: "\r\n",
            email: "zoe@example.org",
        },
        ..booking()
    };
    let lines = unfold(&write(&invitation));
    let has = |line: &str| lines.iter().any(|l| l == line);
    assert!(has(
        "ORGANIZER;CN=\"Lovelace, Ada: PhD; FRS\":mailto:ada@example.com"
    ));
    assert!(has(
        "ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:zoe@example.org"
    ));
}

#[test]
fn a_description_with_newlines_and_punctuation_round_trips() {
    let props = parse(&write(&booking()));
    let description = one(&props, "DESCRIPTION");
    assert_eq!(
        description.value,
        r"Agenda:\n- budget\, timing\; scope\n- C:\\share"
    );
    assert_eq!(
        unescape(&description.value),
        "Agenda:\n- budget, timing; scope\n- C:\\share"
    );
    assert_eq!(
        unescape(&one(&props, "SUMMARY").value),
        "Intro call: Ada & Zoë"
    );
}

#[test]
fn long_multi_byte_text_folds_within_75_octets_and_unfolds_to_the_original() {
    let long = "Zoë 李雷, ".repeat(30);
    let invitation = Invitation {
        summary: &long,
        description: &long,
        location: Some(&long),
        attendee: Person {
            name: &long,
            email: "zoe@example.org",
        },
        ..booking()
    };
    let ics = write(&invitation);
    for physical in ics.split_terminator("\r\n") {
        assert!(
            physical.len() <= 75,
            "{} octets: {physical:?}",
            physical.len()
        );
    }
    assert!(ics.split_terminator("\r\n").count() > 40, "it did fold");
    let props = parse(&ics);
    for name in ["SUMMARY", "DESCRIPTION", "LOCATION"] {
        assert_eq!(unescape(&one(&props, name).value), long);
    }
    assert_eq!(
        one(&props, "ATTENDEE").params[0],
        ("CN".to_owned(), long.clone())
    );
}

const INJECTION: &str = "x\r\nBEGIN:VEVENT\r\nATTENDEE:mailto:evil@x\r\nEND:VEVENT\r\n\
                         METHOD:CANCEL\r\n ORGANIZER;CN=\"a\":mailto:b;c,d\\";

#[test]
fn text_injected_into_every_field_adds_no_property_component_or_parameter() {
    let invitation = Invitation {
        uid: INJECTION,
        summary: INJECTION,
        description: INJECTION,
        location: Some(INJECTION),
        url: Some(INJECTION),
        organizer: Person {
            name: INJECTION,
            email: INJECTION,
        },
        attendee: Person {
            name: INJECTION,
            email: INJECTION,
        },
        ..booking()
    };
    let ics = write(&invitation);
    let props = parse(&ics);

    assert_eq!(count(&props, "BEGIN", "VEVENT"), 1);
    assert_eq!(count(&props, "END", "VEVENT"), 1);
    assert_eq!(count(&props, "BEGIN", "VCALENDAR"), 1);
    assert_eq!(one(&props, "METHOD").value, "REQUEST");
    assert_eq!(props.len(), 20, "no extra content lines: {props:#?}");

    // TEXT fields come back as the caller's text, less its carriage returns.
    let intended = INJECTION.replace('\r', "");
    for name in ["UID", "SUMMARY", "DESCRIPTION", "LOCATION"] {
        assert_eq!(unescape(&one(&props, name).value), intended, "{name}");
    }

    // Names keep their words but lose the DQUOTE and control characters they cannot hold.
    let intended_name = INJECTION
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .replace('"', "'");
    let organizer = one(&props, "ORGANIZER");
    assert_eq!(organizer.params, [("CN".to_owned(), intended_name.clone())]);
    let attendee = one(&props, "ATTENDEE");
    assert_eq!(attendee.params.len(), 4);
    assert_eq!(attendee.params[0], ("CN".to_owned(), intended_name));
    assert_eq!(attendee.params[3], ("RSVP".to_owned(), "TRUE".to_owned()));

    // Addresses and the URL are stripped to what their syntax allows, on one line.
    for address in [&organizer.value, &attendee.value] {
        let address = address.strip_prefix("mailto:").unwrap();
        assert!(
            !address.contains([':', ';', ',', '"', ' ', '\\']),
            "{address}"
        );
    }
    assert!(!one(&props, "URL").value.contains(char::is_whitespace));
}

fn any_text() -> impl Strategy<Value = String> {
    // Weighted towards the characters that matter: separators, quotes, line breaks and
    // multi-byte letters, with some of everything else.
    let piece = prop_oneof![
        3 => prop::sample::select(vec![
            "\\", ";", ",", ":", "\"", "\r", "\n", "\r\n", "\t", " ", "\u{0}", "\u{7f}", "ë",
            "李", "😀", "BEGIN:VEVENT", "END:VCALENDAR", "^n", "=",
        ])
        .prop_map(str::to_owned),
        1 => any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..60).prop_map(|v| v.concat())
}

proptest! {
    #[test]
    fn any_text_in_any_field_keeps_one_event_and_round_trips(
        summary in any_text(),
        description in any_text(),
        location in any_text(),
        name in any_text(),
    ) {
        let invitation = Invitation {
            summary: &summary,
            description: &description,
            location: Some(&location),
            attendee: Person { name: &name, email: "zoe@example.org" },
            ..booking()
        };
        let ics = write(&invitation);
        for physical in ics.split_terminator("\r\n") {
            prop_assert!(physical.len() <= 75);
        }
        let props = parse(&ics);
        prop_assert_eq!(props.len(), 20);
        prop_assert_eq!(count(&props, "BEGIN", "VEVENT"), 1);
        let text = |s: &str| s.chars().filter(|&c| c == '\t' || c == '\n' || !c.is_control()).collect::<String>();
        prop_assert_eq!(unescape(&one(&props, "SUMMARY").value), text(&summary));
        prop_assert_eq!(unescape(&one(&props, "DESCRIPTION").value), text(&description));
        prop_assert_eq!(unescape(&one(&props, "LOCATION").value), text(&location));
        let attendee = one(&props, "ATTENDEE");
        prop_assert_eq!(attendee.params.len(), if name.chars().any(|c| !c.is_control()) { 4 } else { 3 });
        prop_assert_eq!(attendee.value.as_str(), "mailto:zoe@example.org");
    }
}
