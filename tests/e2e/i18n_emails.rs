//! The invitee's emails speak the language they booked in: a booking made with
//! `Accept-Language: de` (or the API's `lang`) gets a German confirmation and, later, a German
//! cancellation, whatever language the cancelling request asks for; the host's emails stay in
//! the host's language; an English booking stays English.

use chrono::{DateTime, Days, SecondsFormat, Utc};
use serde_json::json;

use crate::support::http::{post_form_with, post_json};
use crate::support::mail::{ics_attachment, parse_invitation, wait_for_emails};
use crate::support::seed::{sql, EVERY_DAY};
use crate::support::{EventSeed, HostSeed, SeededHost};

const DE: &[(&str, &str)] = &[("Accept-Language", "de-DE,de;q=0.9,en;q=0.5")];
const EN: &[(&str, &str)] = &[("Accept-Language", "en-GB,en;q=0.9")];

fn host(name: &str) -> SeededHost {
    HostSeed::new(name, "Europe/Berlin")
        .hours(EVERY_DAY, 0, 1440)
        .event(EventSeed::new("call", 30))
        .create()
}

fn start_in_days(days: u64) -> DateTime<Utc> {
    format!("{}T13:00:00Z", Utc::now().date_naive() + Days::new(days))
        .parse()
        .unwrap()
}

/// Books through the HTML form with `headers` and returns the manage link's path.
fn book_by_form(
    host: &SeededHost,
    start: DateTime<Utc>,
    email: &str,
    headers: &[(&str, &str)],
) -> String {
    let slot = start.to_rfc3339_opts(SecondsFormat::Secs, true);
    let reply = post_form_with(
        &format!("/{}/call", host.slug),
        headers,
        &[
            ("slot", &slot),
            ("tz", "Europe/Vienna"),
            ("name", "Jana Gast"),
            ("email", email),
        ],
    );
    assert_eq!(reply.status, 303, "{}", reply.body);
    let location = reply.header("location").expect("a redirect");
    let token = location.rsplit("/booking/").next().unwrap();
    format!("/booking/{}", token.split('?').next().unwrap())
}

fn cancel(manage: &str, headers: &[(&str, &str)]) {
    let reply = post_form_with(&format!("{manage}/cancel"), headers, &[("reason", "Krank")]);
    assert_eq!(reply.status, 303, "{}", reply.body);
}

fn the_one(address: &str, subject_prefix: &str) -> serde_json::Value {
    let emails = wait_for_emails(address, subject_prefix, 1);
    assert_eq!(
        emails.len(),
        1,
        "one '{subject_prefix}' to {address}: {emails:?}"
    );
    emails[0].clone()
}

/// `Mittwoch, 25. November 2026` for the start's day in Vienna.
fn german_day(start: DateTime<Utc>) -> String {
    const DAYS: [&str; 7] = [
        "Montag",
        "Dienstag",
        "Mittwoch",
        "Donnerstag",
        "Freitag",
        "Samstag",
        "Sonntag",
    ];
    const MONTHS: [&str; 12] = [
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ];
    use chrono::Datelike;
    let local = start.with_timezone(&chrono_tz::Europe::Vienna).date_naive();
    format!(
        "{}, {}. {} {}",
        DAYS[local.weekday().num_days_from_monday() as usize],
        local.day(),
        MONTHS[local.month0() as usize],
        local.year()
    )
}

#[test]
fn a_booking_made_in_german_gets_german_emails_and_the_host_keeps_english() {
    let host = host("Sprach Mail Host");
    let invitee = format!("de-{}@example.org", host.slug);
    let start = start_in_days(5);
    let manage = book_by_form(&host, start, &invitee, DE);
    let rows = sql(&format!(
        "SELECT lang FROM bookings WHERE host_id = '{}'",
        host.id
    ));
    assert_eq!(
        rows[0]["lang"], "de",
        "the language is stored with the booking"
    );

    let day = german_day(start);
    let vienna = start
        .with_timezone(&chrono_tz::Europe::Vienna)
        .format("%H:%M")
        .to_string();
    let confirmation = the_one(&invitee, "Gebucht:");
    assert_eq!(
        confirmation["subject"],
        format!("Gebucht: Intro call mit Sprach Mail Host am {day}")
    );
    let text = confirmation["text"].as_str().unwrap();
    let html = confirmation["html"].as_str().unwrap();
    assert!(text.starts_with("Hallo Jana Gast,"), "{text}");
    assert!(text.contains("Ihr Termin ist gebucht: Intro call mit Sprach Mail Host."));
    assert!(
        text.contains(&format!("Wann:   {day}, {vienna}–")),
        "German day, 24-hour clock: {text}"
    );
    assert!(text.contains("Wo:     Google Meet"), "{text}");
    assert!(text.contains("Buchung ansehen oder stornieren: "), "{text}");
    assert!(!text.contains("Hello") && !text.contains("When:"), "{text}");
    assert!(html.contains("<html lang=\"de\">"), "{html}");
    assert!(html.contains("<strong>Intro call</strong> mit Sprach Mail Host"));
    let (_, ics) = ics_attachment(&confirmation);
    assert!(
        ics.replace("\r\n ", "")
            .contains("SUMMARY:Intro call mit Sprach Mail Host"),
        "{ics}"
    );
    assert_eq!(parse_invitation(&ics).method, "REQUEST");

    let notification = the_one(&format!("{}@example.com", host.slug), "New booking:");
    assert!(notification["text"]
        .as_str()
        .unwrap()
        .starts_with("Jana Gast booked Intro call with you."));

    // Cancelled from a browser that asks for English: the booking's language still decides.
    cancel(&manage, EN);
    let cancellation = the_one(&invitee, "Storniert:");
    assert_eq!(
        cancellation["subject"],
        format!("Storniert: Intro call mit Sprach Mail Host am {day}")
    );
    let text = cancellation["text"].as_str().unwrap();
    assert!(
        text.contains("Ihre Buchung ist storniert: Intro call mit Sprach Mail Host."),
        "{text}"
    );
    assert!(text.contains("Ihr Grund: Krank"), "{text}");
    let (content_type, ics) = ics_attachment(&cancellation);
    assert!(content_type.contains("method=CANCEL"), "{content_type}");
    assert_eq!(parse_invitation(&ics).method, "CANCEL");
    let to_host = the_one(&format!("{}@example.com", host.slug), "Cancelled by");
    assert!(to_host["subject"]
        .as_str()
        .unwrap()
        .starts_with("Cancelled by Jana Gast: Intro call on "));
}

#[test]
fn an_english_booking_stays_english_even_when_cancelled_from_a_german_browser() {
    let host = host("English Mail Host");
    let invitee = format!("en-{}@example.org", host.slug);
    let manage = book_by_form(&host, start_in_days(6), &invitee, EN);
    let confirmation = the_one(&invitee, "Booked:");
    let text = confirmation["text"].as_str().unwrap();
    assert!(text.starts_with("Hello Jana Gast,"), "{text}");
    assert!(text.contains("When:  "), "{text}");
    assert!(confirmation["html"]
        .as_str()
        .unwrap()
        .contains("<html lang=\"en\">"));

    cancel(&manage, DE);
    let cancellation = the_one(&invitee, "Cancelled:");
    assert!(cancellation["text"]
        .as_str()
        .unwrap()
        .contains("your booking is cancelled: Intro call with English Mail Host."));
}

#[test]
fn the_api_takes_the_language_as_a_field_and_refuses_unknown_ones() {
    let host = host("Api Sprach Host");
    let invitee = format!("api-de-{}@example.org", host.slug);
    let body = |lang: &str| {
        json!({ "host": host.slug, "event": "call",
                "start": start_in_days(7).to_rfc3339(), "name": "Jana Gast", "email": invitee,
                "time_zone": "Europe/Vienna", "lang": lang })
    };
    let refused = post_json("/api/v1/bookings", &body("fr"));
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.json()["error"]["fields"]["lang"].is_string(),
        "{}",
        refused.body
    );

    let booked = post_json("/api/v1/bookings", &body("de"));
    assert_eq!(booked.status, 201, "{}", booked.body);
    let confirmation = the_one(&invitee, "Gebucht:");
    assert!(confirmation["text"]
        .as_str()
        .unwrap()
        .starts_with("Hallo Jana Gast,"));

    // A move (by a client that names no language) keeps the booking's language.
    let manage_url = booked.json()["booking"]["manage_url"]
        .as_str()
        .unwrap()
        .to_owned();
    let token = manage_url.rsplit("/booking/").next().unwrap();
    let moved = post_json(
        &format!("/api/v1/bookings/{token}/reschedule"),
        &json!({ "start": start_in_days(8).to_rfc3339() }),
    );
    assert_eq!(moved.status, 200, "{}", moved.body);
    let notice = the_one(&invitee, "Verschoben:");
    let text = notice["text"].as_str().unwrap();
    assert!(
        text.contains("Ihre Buchung wurde verschoben: Intro call mit Api Sprach Host."),
        "{text}"
    );
    assert!(text.contains("Vorher: "), "{text}");
}

/// An event type fixed to German (its form without script, or the API's `lang`): its booking
/// page, the invitee's pages and emails are German whatever the browser asks for; an API
/// booking's own `lang` still wins; back on the browser's language the page follows it again.
#[test]
fn an_event_type_fixed_to_german_speaks_german_to_an_english_browser() {
    use crate::api_tokens::{call, new_token};
    use crate::limits::save_event_form;
    use crate::sign_in::{location, sign_in_seeded};
    let host = host("Fixed Sprache");
    let (_, browser) = sign_in_seeded(&host, "Fixed Sprache");
    let refused = save_event_form(&browser, &host, &[("lang", "fr")]);
    crate::limits::assert_refused_under(&refused, "lang", "German");
    let saved = save_event_form(&browser, &host, &[("lang", "de")]);
    assert_eq!(location(&saved), "/dashboard", "{}", saved.body);
    let page = crate::support::http::get_with(&format!("/{}/call", host.slug), EN);
    assert!(page.body.contains("<html lang=\"de\">"), "{}", page.body);

    let start = start_in_days(3);
    let manage = book_by_form(&host, start, "fixed-de@example.com", EN);
    let manage_page = crate::support::http::get_with(&manage, EN);
    assert!(
        manage_page.body.contains("<html lang=\"de\">"),
        "{}",
        manage_page.body
    );
    the_one("fixed-de@example.com", "Gebucht:");
    let cancel_page = crate::support::http::get_with(&format!("{manage}/cancel"), EN);
    assert!(
        cancel_page.body.contains("<html lang=\"de\">"),
        "{}",
        cancel_page.body
    );

    let booked = post_json(
        "/api/v1/bookings",
        &json!({ "host": host.slug, "event": "call", "start": start_in_days(4),
                 "name": "Api Gast", "email": "fixed-api@example.com", "time_zone": "UTC" }),
    );
    assert_eq!(booked.status, 201, "{}", booked.body);
    crate::support::mail::run_cron();
    the_one("fixed-api@example.com", "Gebucht:");

    let token = new_token(&browser, "script");
    let path = format!("/api/v1/event-types/{}-call", host.id);
    assert_eq!(call("GET", &path, &token, None).json()["lang"], "de");
    let wrong = call("PATCH", &path, &token, Some(json!({ "lang": "fr" })));
    assert_eq!(wrong.status, 422, "{}", wrong.body);
    let browser_again = call("PATCH", &path, &token, Some(json!({ "lang": null })));
    assert_eq!(
        browser_again.json()["lang"],
        serde_json::Value::Null,
        "{}",
        browser_again.body
    );
    let page = crate::support::http::get_with(&format!("/{}/call", host.slug), EN);
    assert!(page.body.contains("<html lang=\"en\">"), "{}", page.body);
}

/// The host's paragraph in the confirmation (issue 20): written on the event type's form in
/// English and German, each invitee reads the one of the language they booked in, escaped in
/// the HTML part; written in one language only (through the API), everyone reads that one.
#[test]
fn the_hosts_paragraph_reaches_each_invitee_in_their_language_or_as_written() {
    use crate::api_tokens::{call, new_token};
    use crate::limits::save_event_form;
    use crate::sign_in::{location, sign_in_seeded};
    let host = host("Absatz Host");
    let (_, browser) = sign_in_seeded(&host, "Absatz Host");
    let long = "x".repeat(1001);
    let refused = save_event_form(&browser, &host, &[("message_de", &long)]);
    crate::limits::assert_refused_under(&refused, "message_de", "1000 characters");
    let saved = save_event_form(
        &browser,
        &host,
        &[
            ("message_en", "Bring <b>a pen</b>."),
            ("message_de", "Stift mitbringen."),
        ],
    );
    assert_eq!(location(&saved), "/dashboard", "{}", saved.body);

    let german = book_by_form(&host, start_in_days(3), "absatz-de@example.com", DE);
    crate::support::http::get_with(&german, DE);
    let confirmation = the_one("absatz-de@example.com", "Gebucht:");
    assert!(confirmation["text"]
        .as_str()
        .unwrap()
        .contains("Stift mitbringen."));
    assert!(!confirmation["text"].as_str().unwrap().contains("pen"));
    let english = book_by_form(&host, start_in_days(4), "absatz-en@example.com", EN);
    crate::support::http::get_with(&english, EN);
    let confirmation = the_one("absatz-en@example.com", "Booked:");
    let html = confirmation["html"].as_str().unwrap();
    assert!(confirmation["text"]
        .as_str()
        .unwrap()
        .contains("Bring <b>a pen</b>."));
    assert!(
        html.contains("Bring &lt;b&gt;a pen") || html.contains("Bring &#60;b&#62;a pen"),
        "{html}"
    );

    let token = new_token(&browser, "script");
    let path = format!("/api/v1/event-types/{}-call", host.id);
    assert_eq!(
        call("GET", &path, &token, None).json()["confirmation_message"],
        json!({ "en": "Bring <b>a pen</b>.", "de": "Stift mitbringen." })
    );
    let unknown = call(
        "PATCH",
        &path,
        &token,
        Some(json!({ "confirmation_message": { "fr": "Non" } })),
    );
    assert_eq!(unknown.status, 422, "{}", unknown.body);
    assert!(unknown.json()["error"]["fields"]["confirmation_message"].is_string());
    let german_only = call(
        "PATCH",
        &path,
        &token,
        Some(json!({ "confirmation_message": { "de": "Nur auf Deutsch." } })),
    );
    assert_eq!(german_only.status, 200, "{}", german_only.body);
    assert_eq!(
        german_only.json()["confirmation_message"],
        json!({ "de": "Nur auf Deutsch." })
    );
    let later = book_by_form(&host, start_in_days(5), "absatz-en2@example.com", EN);
    crate::support::http::get_with(&later, EN);
    let confirmation = the_one("absatz-en2@example.com", "Booked:");
    assert!(confirmation["text"]
        .as_str()
        .unwrap()
        .contains("Nur auf Deutsch."));
}
