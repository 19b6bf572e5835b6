//! The CalDAV wire layer against a real CalDAV server, Radicale: discovery from a bare
//! address (its well-known redirect included), the calendars it lists with their names and
//! whether they take events, refusals, and busy times from `free-busy-query`, including a
//! weekly event across a DST change and the events the RFC says are not busy. The answers
//! are read back over CalDAV only; nothing here knows Radicale's storage.

#[path = "support/radicale.rs"]
mod radicale;
#[path = "support/wire_http.rs"]
mod wire_http;

use chrono::{TimeZone, Utc};
use openslot::core::availability::Interval;
use openslot::core::ics::{self, Invitation, Person};
use openslot::providers::calendar::caldav::{
    calendar_query, create_event, delete_event, event_url, free_busy_query, move_event,
    parse_calendar_query, parse_created, parse_deleted, parse_free_busy, parse_moved, Created,
    Credentials, DavCalendar, Discovery, DiscoveryError, Next,
};
use openslot::providers::calendar::{ApiError, BookingKey, Deleted};
use radicale::Radicale;
use wire_http::{agent, send};

const USER: &str = "ana";
const PASSWORD: &str = "an app-specific password";

fn credentials(password: &str) -> Credentials {
    Credentials {
        username: USER.into(),
        password: password.into(),
    }
}

/// Runs a discovery to its end, sending each request to the server.
fn discover(address: &str, password: &str) -> Result<Vec<DavCalendar>, DiscoveryError> {
    let (mut discovery, mut request) = Discovery::start(address, credentials(password), true)?;
    loop {
        match discovery.read(&send(request))? {
            Next::Send(next) => request = *next,
            Next::Found(calendars) => return Ok(calendars),
        }
    }
}

/// MKCALENDAR (RFC 4791 §5.3.1) with a display name and the components it takes.
fn make_calendar(server: &Radicale, path: &str, name: Option<&str>, components: &[&str]) {
    let name = name
        .map(|n| format!("<D:displayname>{}</D:displayname>", n.replace('&', "&amp;")))
        .unwrap_or_default();
    let comps: String = components
        .iter()
        .map(|c| format!(r#"<C:comp name="{c}"/>"#))
        .collect();
    let body = format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>{name}<C:supported-calendar-component-set>{comps}</C:supported-calendar-component-set></D:prop></D:set></C:mkcalendar>"#
    );
    let status = agent()
        .request("MKCALENDAR", &format!("{}{path}", server.base))
        .set("Authorization", &basic())
        .send_string(&body)
        .map(|r| r.status())
        .unwrap_or_else(|e| panic!("MKCALENDAR {path}: {e}"));
    assert_eq!(status, 201, "MKCALENDAR {path}");
}

/// PUT of one event resource (RFC 4791 §5.3.2).
fn put_event(server: &Radicale, path: &str, ics: &str) {
    let status = agent()
        .put(&format!("{}{path}", server.base))
        .set("Authorization", &basic())
        .set("Content-Type", "text/calendar; charset=utf-8")
        .send_string(&ics.replace('\n', "\r\n"))
        .map(|r| r.status())
        .unwrap_or_else(|e| panic!("PUT {path}: {e}"));
    assert_eq!(status, 201, "PUT {path}");
}

fn basic() -> String {
    use base64::Engine;
    let pair = format!("{USER}:{PASSWORD}");
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    )
}

fn event(uid: &str, times: &str, extra: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Openslot tests//EN\n{VTIMEZONE}BEGIN:VEVENT\nUID:{uid}\nDTSTAMP:20270101T000000Z\n{times}\n{extra}SUMMARY:Secret board meeting\nLOCATION:Room 7\nEND:VEVENT\nEND:VCALENDAR\n"
    )
}

/// Europe/Berlin as RFC 5545 §3.6.5 writes a zone (DST from the last Sunday of March).
const VTIMEZONE: &str = "BEGIN:VTIMEZONE\nTZID:Europe/Berlin\nBEGIN:STANDARD\nDTSTART:19701025T030000\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\nTZOFFSETFROM:+0200\nTZOFFSETTO:+0100\nEND:STANDARD\nBEGIN:DAYLIGHT\nDTSTART:19700329T020000\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0200\nEND:DAYLIGHT\nEND:VTIMEZONE\n";

fn utc(y: i32, mo: u32, d: u32, h: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, 0, 0).unwrap()
}

#[test]
fn discovery_from_the_bare_address_lists_the_calendars_and_what_they_take() {
    let server = Radicale::start(&[(USER, PASSWORD)]);
    make_calendar(&server, "/ana/office/", Some("Work & travel"), &["VEVENT"]);
    make_calendar(&server, "/ana/home/", None, &["VEVENT", "VTODO"]);
    make_calendar(&server, "/ana/tasks/", Some("Tasks"), &["VTODO"]);
    let mut calendars = discover(&server.base, PASSWORD).expect("discovery");
    calendars.sort_by(|a, b| a.url.cmp(&b.url));
    let base = &server.base;
    assert_eq!(
        calendars,
        vec![
            // Radicale names a calendar without a display name by its path.
            DavCalendar {
                url: format!("{base}/ana/home/"),
                name: "ana/home".into(),
                takes_events: true,
                writable: true,
            },
            DavCalendar {
                url: format!("{base}/ana/office/"),
                name: "Work & travel".into(),
                takes_events: true,
                writable: true,
            },
            DavCalendar {
                url: format!("{base}/ana/tasks/"),
                name: "Tasks".into(),
                takes_events: false,
                writable: true,
            },
        ]
    );
}

/// A calendar shared with the user read-only is listed (its busy times count) but not as one
/// that can receive bookings, as the server's `current-user-privilege-set` says; and the
/// server does refuse a PUT there, so the listing tells the truth.
#[test]
fn a_read_only_calendar_is_listed_as_not_writable() {
    let server = Radicale::start_with_shared(&[(USER, PASSWORD)]);
    make_calendar(&server, "/ana/office/", Some("Office"), &["VEVENT"]);
    let shared = server.add_read_only_calendar(USER, "team", "Team");
    let mut calendars = discover(&server.base, PASSWORD).expect("discovery");
    calendars.sort_by(|a, b| a.url.cmp(&b.url));
    let base = &server.base;
    assert_eq!(
        calendars,
        vec![
            DavCalendar {
                url: format!("{base}/ana/office/"),
                name: "Office".into(),
                takes_events: true,
                writable: true,
            },
            DavCalendar {
                url: shared.clone(),
                name: "Team".into(),
                takes_events: true,
                writable: false,
            },
        ]
    );
    let refused = agent()
        .put(&format!("{shared}refused.ics"))
        .set("Authorization", &basic())
        .set("Content-Type", "text/calendar; charset=utf-8")
        .send_string(
            &event(
                "refused",
                "DTSTART:20270104T090000Z\nDTEND:20270104T093000Z",
                "",
            )
            .replace('\n', "\r\n"),
        );
    match refused {
        Err(ureq::Error::Status(status, _)) => assert_eq!(status, 403),
        other => panic!(
            "a PUT into a read-only calendar: {:?}",
            other.map(|r| r.status())
        ),
    }
}

#[test]
fn a_wrong_password_is_refused_as_such() {
    let server = Radicale::start(&[(USER, PASSWORD)]);
    assert_eq!(
        discover(&server.base, "not the password").unwrap_err(),
        DiscoveryError::Unauthorized
    );
}

/// An `office` calendar holding a weekly event at 10:00–11:00 in Berlin, four times from 15 March
/// 2027: 09:00Z before DST starts on 28 March, 08:00Z after.
fn office_calendar_with_a_weekly_event(server: &Radicale) {
    make_calendar(server, "/ana/office/", Some("Work"), &["VEVENT"]);
    put_event(
        server,
        "/ana/office/weekly.ics",
        &event(
            "weekly@test",
            "DTSTART;TZID=Europe/Berlin:20270315T100000\nDTEND;TZID=Europe/Berlin:20270315T110000",
            "RRULE:FREQ=WEEKLY;COUNT=4\n",
        ),
    );
}

/// The four instances of [`office_calendar_with_a_weekly_event`].
fn weekly_instances() -> Vec<(chrono::DateTime<Utc>, chrono::DateTime<Utc>)> {
    vec![
        (utc(2027, 3, 15, 9), utc(2027, 3, 15, 10)),
        (utc(2027, 3, 22, 9), utc(2027, 3, 22, 10)),
        (utc(2027, 3, 29, 8), utc(2027, 3, 29, 9)),
        (utc(2027, 4, 5, 8), utc(2027, 4, 5, 9)),
    ]
}

#[test]
fn busy_times_follow_a_weekly_event_across_dst_and_leave_out_free_and_cancelled_ones() {
    let server = Radicale::start(&[(USER, PASSWORD)]);
    office_calendar_with_a_weekly_event(&server);
    put_event(
        &server,
        "/ana/office/transparent.ics",
        &event(
            "free@test",
            "DTSTART:20270317T120000Z\nDTEND:20270317T130000Z",
            "TRANSP:TRANSPARENT\n",
        ),
    );
    put_event(
        &server,
        "/ana/office/cancelled.ics",
        &event(
            "gone@test",
            "DTSTART:20270318T120000Z\nDTEND:20270318T130000Z",
            "STATUS:CANCELLED\n",
        ),
    );
    let window = Interval::new(utc(2027, 3, 14, 0), utc(2027, 4, 10, 0)).unwrap();
    let request = free_busy_query(
        &format!("{}/ana/office/", server.base),
        &credentials(PASSWORD),
        window,
    )
    .unwrap();
    let answer = send(request);
    let body = String::from_utf8_lossy(answer.body()).into_owned();
    assert!(
        !body.contains("Secret") && !body.contains("Room 7"),
        "{body}"
    );
    let mut busy: Vec<_> = parse_free_busy(&answer)
        .expect("busy times")
        .into_iter()
        .map(|i| (i.start(), i.end()))
        .collect();
    busy.sort();
    assert_eq!(busy, weekly_instances());
}

/// The busy periods of the calendar at `path` over March 2027.
fn busy_in_march(
    server: &Radicale,
    path: &str,
) -> Vec<(chrono::DateTime<Utc>, chrono::DateTime<Utc>)> {
    let window = Interval::new(utc(2027, 3, 1, 0), utc(2027, 4, 1, 0)).unwrap();
    let request = free_busy_query(
        &format!("{}{path}", server.base),
        &credentials(PASSWORD),
        window,
    )
    .unwrap();
    let mut busy: Vec<_> = parse_free_busy(&send(request))
        .unwrap()
        .into_iter()
        .map(|i| (i.start(), i.end()))
        .collect();
    busy.sort();
    busy
}

/// How many event resources the calendar at `path` holds (a Depth 1 PROPFIND).
fn resources(server: &Radicale, path: &str) -> usize {
    let answer = agent()
        .request("PROPFIND", &format!("{}{path}", server.base))
        .set("Authorization", &basic())
        .set("Depth", "1")
        .call()
        .expect("PROPFIND")
        .into_string()
        .unwrap();
    answer.matches(".ics</").count()
}

fn booking_event(start: chrono::DateTime<Utc>) -> String {
    ics::write_stored(&Invitation {
        uid: "0123456789abcdef0123456789abcdef@openslot",
        sequence: 0,
        method: ics::Method::Request,
        stamp: utc(2027, 3, 1, 0),
        start,
        end: start + chrono::Duration::minutes(30),
        summary: "Intro call with Bob",
        description: "Booked with Openslot",
        location: None,
        url: None,
        organizer: Person {
            name: "Ana",
            email: "ana@example.com",
        },
        attendee: Person {
            name: "Bob",
            email: "bob@example.org",
        },
    })
}

#[test]
fn a_booking_makes_one_event_that_moves_and_goes_and_no_retry_makes_a_second() {
    let server = Radicale::start(&[(USER, PASSWORD)]);
    make_calendar(&server, "/ana/office/", Some("Work"), &["VEVENT"]);
    let calendar = format!("{}/ana/office/", server.base);
    let key = BookingKey::parse("0123456789abcdef0123456789abcdef").unwrap();
    let url = event_url(&calendar, &key);
    let creds = credentials(PASSWORD);

    let first = booking_event(utc(2027, 3, 10, 9));
    let made = parse_created(&send(create_event(&url, &creds, &first).unwrap())).unwrap();
    let Created::Now { etag } = made else {
        panic!("created: {made:?}")
    };
    assert!(etag.is_some(), "Radicale answers an ETag");
    // A retry after a lost answer: refused, and still one event at the first time.
    let again = parse_created(&send(
        create_event(&url, &creds, &booking_event(utc(2027, 3, 11, 9))).unwrap(),
    ));
    assert_eq!(again.unwrap(), Created::AlreadyThere);
    assert_eq!(resources(&server, "/ana/office/"), 1);
    assert_eq!(
        busy_in_march(&server, "/ana/office/"),
        vec![(
            utc(2027, 3, 10, 9),
            utc(2027, 3, 10, 9) + chrono::Duration::minutes(30)
        )]
    );

    // A move over the version we wrote; a move with a stale tag is refused.
    let moved = booking_event(utc(2027, 3, 12, 14));
    let new_etag = parse_moved(&send(
        move_event(&url, &creds, etag.as_deref(), &moved).unwrap(),
    ))
    .unwrap();
    assert_ne!(new_etag, etag);
    assert_eq!(
        parse_moved(&send(
            move_event(&url, &creds, etag.as_deref(), &first).unwrap()
        ))
        .unwrap_err(),
        ApiError::Conflict
    );
    assert_eq!(
        busy_in_march(&server, "/ana/office/"),
        vec![(
            utc(2027, 3, 12, 14),
            utc(2027, 3, 12, 14) + chrono::Duration::minutes(30)
        )]
    );

    // Cancelled: gone, and gone again on a retry; a move never brings it back.
    assert_eq!(
        parse_deleted(&send(delete_event(&url, &creds).unwrap())).unwrap(),
        Deleted::Now
    );
    assert_eq!(
        parse_deleted(&send(delete_event(&url, &creds).unwrap())).unwrap(),
        Deleted::AlreadyGone
    );
    assert!(parse_moved(&send(move_event(&url, &creds, None, &moved).unwrap())).is_err());
    assert_eq!(resources(&server, "/ana/office/"), 0);
    assert!(busy_in_march(&server, "/ana/office/").is_empty());
}

#[test]
fn the_calendar_query_fallback_reads_expanded_busy_times_and_the_hosts_all_day_events() {
    let server = Radicale::start(&[(USER, PASSWORD)]);
    office_calendar_with_a_weekly_event(&server);
    put_event(
        &server,
        "/ana/office/holiday.ics",
        &event(
            "holiday@test",
            "DTSTART;VALUE=DATE:20270317\nDTEND;VALUE=DATE:20270318",
            "",
        ),
    );
    put_event(
        &server,
        "/ana/office/transparent.ics",
        &event(
            "free@test",
            "DTSTART:20270318T120000Z\nDTEND:20270318T130000Z",
            "TRANSP:TRANSPARENT\n",
        ),
    );
    let window = Interval::new(utc(2027, 3, 14, 0), utc(2027, 4, 10, 0)).unwrap();
    let request = calendar_query(
        &format!("{}/ana/office/", server.base),
        &credentials(PASSWORD),
        window,
    )
    .unwrap();
    let berlin: chrono_tz::Tz = "Europe/Berlin".parse().unwrap();
    let mut busy: Vec<_> = parse_calendar_query(&send(request), berlin)
        .expect("busy times")
        .into_iter()
        .map(|i| (i.start(), i.end()))
        .collect();
    busy.sort();
    // The weekly instances and the host's whole 17 March in Berlin.
    let mut expected = weekly_instances();
    expected.push((utc(2027, 3, 16, 23), utc(2027, 3, 17, 23)));
    expected.sort();
    assert_eq!(busy, expected);
}
