//! An invitee books through the HTML pages, without JavaScript: slot link → form → confirmation.

use crate::support::http::{get, post_form, query};
use crate::support::seed::{sql, EVERY_DAY};
use crate::support::{EventSeed, HostSeed, SeededHost};

fn round_the_clock_host(name: &str) -> SeededHost {
    HostSeed::new(name, "Europe/Berlin")
        .hours(EVERY_DAY, 0, 1440)
        .event(EventSeed::new("intro", 30))
        .create()
}

/// The `href` of the first slot link on a booking page, its entities decoded.
pub(crate) fn first_slot_href(page: &str) -> String {
    let at = page
        .find("class=\"slot\" href=\"")
        .expect("the page lists a slot")
        + "class=\"slot\" href=\"".len();
    let href = &page[at..at + page[at..].find('"').unwrap()];
    href.replace("&#38;", "&").replace("&amp;", "&")
}

/// The value of the hidden field `name` on a page.
pub(crate) fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let at = page
        .find(&marker)
        .unwrap_or_else(|| panic!("no hidden {name}"))
        + marker.len();
    page[at..at + page[at..].find('"').unwrap()].to_owned()
}

#[test]
fn invitee_picks_a_slot_fills_the_form_and_sees_the_confirmation() {
    let host = round_the_clock_host("Form Host");
    let page = get(&format!(
        "/{}/intro?{}",
        host.slug,
        query(&[("tz", "America/New_York")])
    ));
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Intro call") && page.body.contains("Form Host"));

    let form_page = get(&first_slot_href(&page.body));
    assert_eq!(form_page.status, 200);
    assert!(
        form_page.body.contains("Your details"),
        "{}",
        form_page.body
    );
    assert!(form_page.body.contains("(America/New_York)"));
    let slot = hidden(&form_page.body, "slot");
    let key = hidden(&form_page.body, "idempotency_key");

    let fields = [
        ("slot", slot.as_str()),
        ("tz", "America/New_York"),
        ("idempotency_key", key.as_str()),
        ("name", "Ana Lima"),
        ("email", "ana.form@example.com"),
        ("note", "Looking forward"),
    ];
    let submitted = post_form(&format!("/{}/intro", host.slug), &fields);
    assert_eq!(submitted.status, 303, "{}", submitted.body);
    let location = submitted.header("location").expect("a redirect").to_owned();
    assert!(location.contains("/booking/"));

    let confirmation = get(&location);
    assert_eq!(confirmation.status, 200);
    assert!(confirmation.body.contains("You are booked"));
    assert!(confirmation.body.contains("Ana Lima"));
    assert!(confirmation.body.contains("(America/New_York)"));
    assert!(
        confirmation.body.contains("(Europe/Berlin)"),
        "the host's time is shown too"
    );

    let rows = sql(&format!(
        "SELECT id, status, start_at FROM bookings WHERE host_id = '{}'",
        host.id
    ));
    assert_eq!(rows.len(), 1);
    let invitee = crate::support::sealed::stored_invitee(rows[0]["id"].as_str().unwrap());
    assert_eq!(invitee["email"], "ana.form@example.com");
    assert_eq!(invitee["time_zone"], "America/New_York");
    assert_eq!(rows[0]["status"], "confirmed");
    let start = chrono::DateTime::parse_from_rfc3339(&slot)
        .unwrap()
        .timestamp();
    assert_eq!(rows[0]["start_at"], start);

    // Submitting the same form again (a double click) books nothing more, and says the
    // booking exists without handing out its link (that went to the invitee's address).
    let again = post_form(&format!("/{}/intro", host.slug), &fields);
    assert_eq!(again.status, 200, "{}", again.body);
    assert!(again.header("location").is_none());
    assert!(again.body.contains("already booked"), "{}", again.body);
    assert!(!again.body.contains(&location), "{}", again.body);
    let count = sql(&format!(
        "SELECT COUNT(*) AS n FROM bookings WHERE host_id = '{}'",
        host.id
    ));
    assert_eq!(count[0]["n"], 1);

    // The confirmation offers the booking as an iCalendar file, in UTC.
    let calendar_href = format!("{location}/calendar.ics");
    assert!(confirmation.body.contains("/calendar.ics\""));
    let calendar = get(&calendar_href);
    assert_eq!(calendar.status, 200);
    assert!(calendar
        .header("content-type")
        .unwrap()
        .starts_with("text/calendar"));
    let unfolded = calendar.body.replace("\r\n ", "");
    let lines: Vec<&str> = unfolded.split("\r\n").collect();
    let dtstart = chrono::DateTime::parse_from_rfc3339(&slot)
        .unwrap()
        .format("%Y%m%dT%H%M%SZ")
        .to_string();
    for expected in [
        "BEGIN:VCALENDAR".to_owned(),
        "METHOD:PUBLISH".to_owned(),
        format!("DTSTART:{dtstart}"),
        "SUMMARY:Intro call with Form Host".to_owned(),
        "DESCRIPTION:Looking forward".to_owned(),
    ] {
        assert!(
            lines.contains(&expected.as_str()),
            "{expected} in {unfolded}"
        );
    }
    assert!(lines
        .iter()
        .any(|l| l.starts_with("ATTENDEE") && l.ends_with(":mailto:ana.form@example.com")));
    assert_eq!(
        get(&format!("/booking/{}/calendar.ics", "B".repeat(43))).status,
        404
    );

    // The Worker's log names no invitee.
    let log = crate::support::world().worker_log();
    assert!(log.contains("POST /"), "the log is captured");
    assert!(
        !log.contains("ana.form@example.com") && !log.contains("Ana Lima"),
        "personal data in the log"
    );

    // The booked slot is gone from the page.
    let after = get(&format!(
        "/{}/intro?{}",
        host.slug,
        query(&[("tz", "America/New_York")])
    ));
    assert!(!after.body.contains(&query(&[("slot", &slot)])));
}

#[test]
fn a_form_with_bad_fields_comes_back_with_messages_next_to_them() {
    let host = round_the_clock_host("Fields Host");
    let page = get(&format!("/{}/intro", host.slug));
    let form_page = get(&first_slot_href(&page.body));
    let slot = hidden(&form_page.body, "slot");
    let reply = post_form(
        &format!("/{}/intro", host.slug),
        &[
            ("slot", &slot),
            ("tz", "Europe/Berlin"),
            ("name", "  "),
            ("email", "not-an-email"),
            ("note", ""),
        ],
    );
    assert_eq!(reply.status, 422);
    assert!(reply
        .body
        .contains("id=\"name-error\">This field is required."));
    assert!(reply
        .body
        .contains("id=\"email-error\">Enter an email address like name@example.com."));
    assert!(
        reply.body.contains("value=\"not-an-email\""),
        "what the invitee typed is kept"
    );
    assert!(sql(&format!(
        "SELECT id FROM bookings WHERE host_id = '{}'",
        host.id
    ))
    .is_empty());
}

/// Books `slot` of `host`'s `intro` by the form, as "Someone" in Berlin.
fn book_from_berlin(host: &SeededHost, slot: &str, email: &str) -> crate::support::http::Reply {
    post_form(
        &format!("/{}/intro", host.slug),
        &[
            ("slot", slot),
            ("tz", "Europe/Berlin"),
            ("name", "Someone"),
            ("email", email),
        ],
    )
}

#[test]
fn when_the_taken_time_was_the_days_last_the_409_page_offers_the_next_days_times() {
    use chrono::{Datelike, Months, NaiveDate, Utc};
    // One time a day (09:00–09:30), on the 15th of next month: the taken time leaves its day
    // with none, so the page must show the 16th's.
    let host = HostSeed::new("Last Slot Host", "Europe/Berlin")
        .hours(EVERY_DAY, 540, 570)
        .event(EventSeed::new("intro", 30))
        .create();
    let next_month = Utc::now().date_naive().with_day(1).unwrap() + Months::new(1);
    let day = NaiveDate::from_ymd_opt(next_month.year(), next_month.month(), 15).unwrap();
    let page = get(&format!("/{}/intro?tz=Europe/Berlin&date={day}", host.slug));
    let form_page = get(&first_slot_href(&page.body));
    let slot = hidden(&form_page.body, "slot");
    assert!(slot.starts_with(&day.to_string()), "{slot}");
    let book = |email: &str| book_from_berlin(&host, &slot, email);
    assert_eq!(book("first@example.com").status, 303);
    let second = book("second@example.com");
    assert_eq!(second.status, 409);
    let next_day = (day + chrono::Days::new(1)).to_string();
    let offered = first_slot_href(&second.body);
    assert!(offered.contains(&format!("date={next_day}")), "{offered}");
}

#[test]
fn a_slot_taken_meanwhile_is_refused_with_a_409_page_and_other_times() {
    let host = round_the_clock_host("Race Host");
    let page = get(&format!("/{}/intro", host.slug));
    let form_page = get(&first_slot_href(&page.body));
    let slot = hidden(&form_page.body, "slot");
    let book = |email: &str| book_from_berlin(&host, &slot, email);
    assert_eq!(book("first@example.com").status, 303);
    let second = book("second@example.com");
    assert_eq!(second.status, 409);
    assert!(second
        .body
        .contains("Someone booked this time a moment ago"));
    assert!(
        second.body.contains("class=\"slot\""),
        "other times are offered"
    );
}

#[test]
fn a_stale_slot_link_explains_that_the_time_is_gone() {
    let host = round_the_clock_host("Stale Host");
    let reply = get(&format!(
        "/{}/intro?{}",
        host.slug,
        query(&[("slot", "2020-01-06T09:00:00Z")])
    ));
    assert_eq!(reply.status, 200);
    assert!(reply.body.contains("That time is no longer available"));
    assert!(!reply.body.contains("Your details"));
}

#[test]
fn text_typed_by_invitees_is_escaped_on_the_confirmation_page() {
    let host = round_the_clock_host("Escape Host");
    let page = get(&format!("/{}/intro", host.slug));
    let slot = hidden(&get(&first_slot_href(&page.body)).body, "slot");
    let payload = "<script>alert(1)</script>";
    let reply = post_form(
        &format!("/{}/intro", host.slug),
        &[
            ("slot", &slot),
            ("tz", "Europe/Berlin"),
            ("name", payload),
            ("email", "x@example.com"),
            ("note", payload),
        ],
    );
    assert_eq!(reply.status, 303);
    let confirmation = get(reply.header("location").unwrap());
    assert!(!confirmation.body.contains(payload));
    assert!(
        confirmation.body.contains("&#60;script&#62;")
            || confirmation.body.contains("&lt;script&gt;")
    );
}
