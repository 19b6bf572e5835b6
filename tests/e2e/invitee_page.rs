//! The invitee's booking page: a month calendar marking free days, a chosen day's times in the
//! invitee's zone and clock, German or English from `Accept-Language`, add-to-calendar links
//! on the confirmation, framing limited to `EMBED_ALLOWED_ORIGINS`, and booking with plain
//! links and forms (no JavaScript).

use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

use crate::support::http::{get, get_with, post_form, query};
use crate::support::seed::EVERY_DAY;
use crate::support::world::TEST_EMBED_ORIGIN;
use crate::support::{EventSeed, HostSeed, SeededHost};

const BERLIN: Tz = chrono_tz::Europe::Berlin;
const TOKYO: Tz = chrono_tz::Asia::Tokyo;

/// 09:00–17:00 in Berlin every day: 16 half-hour slots a day.
fn office_hours_host(name: &str, day_off: Option<NaiveDate>) -> SeededHost {
    let mut seed = HostSeed::new(name, "Europe/Berlin").hours(EVERY_DAY, 540, 1020);
    if let Some(date) = day_off {
        seed = seed.date_override(&date.to_string(), &[]);
    }
    seed.event(EventSeed::new("intro", 30)).create()
}

fn today_in(zone: Tz) -> NaiveDate {
    Utc::now().with_timezone(&zone).date_naive()
}

/// Undoes askama's attribute escaping of `&`.
fn unescape(text: &str) -> String {
    text.replace("&#38;", "&").replace("&amp;", "&")
}

/// The value of attribute `attr` of the first element whose markup contains `marker`.
fn attribute_after(page: &str, marker: &str, attr: &str) -> String {
    let at = page
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} in {page}"));
    let tag_start = page[..at].rfind('<').unwrap();
    let tag = &page[tag_start..tag_start + page[tag_start..].find('>').unwrap()];
    let key = format!("{attr}=\"");
    let from = tag.find(&key).unwrap_or_else(|| panic!("{attr} in {tag}")) + key.len();
    unescape(&tag[from..from + tag[from..].find('"').unwrap()])
}

fn first_slot_href(page: &str) -> String {
    attribute_after(page, "class=\"slot\"", "href")
}

fn hidden(page: &str, name: &str) -> String {
    attribute_after(page, &format!("name=\"{name}\" value="), "value")
}

fn query_pairs(url: &str) -> Vec<(String, String)> {
    let query = url.split_once('?').expect("a query").1;
    form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

fn param(pairs: &[(String, String)], name: &str) -> String {
    pairs
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("{name} in {pairs:?}"))
        .1
        .clone()
}

/// "Wednesday 25 November", as the calendar names a day.
fn day_name(date: NaiveDate) -> String {
    date.format("%A %-d %B").to_string()
}

#[test]
fn the_month_marks_free_days_but_not_a_day_off() {
    let day_off = today_in(BERLIN) + Days::new(10);
    let host = office_hours_host("Month Host", Some(day_off));
    let month = day_off.format("%Y-%m").to_string();
    let page = get(&format!(
        "/{}/intro?{}",
        host.slug,
        query(&[("tz", "Europe/Berlin"), ("month", &month), ("clock", "24")])
    ));
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("<table class=\"calendar\""));
    assert!(
        page.body
            .contains(&format!("aria-label=\"{}\"", day_name(day_off))),
        "the day off is named without free times"
    );
    assert!(!page
        .body
        .contains(&format!("{}, 16 times free", day_name(day_off))));
    for other in [day_off - Days::new(1), day_off + Days::new(1)] {
        if other.format("%Y-%m").to_string() == month {
            assert!(
                page.body.contains(&format!(
                    "aria-label=\"{}, 16 times free\"",
                    day_name(other)
                )),
                "{other} is marked: {}",
                page.body
            );
        }
    }
    // The day off's own page lists nothing; a free day's link says it is the chosen one.
    let chosen = get(&format!(
        "/{}/intro?{}",
        host.slug,
        query(&[("tz", "Europe/Berlin"), ("date", &day_off.to_string())])
    ));
    assert!(chosen.body.contains("No free times on this day"));
    assert!(chosen.body.contains("aria-current=\"date\""));
    assert!(!chosen.body.contains("class=\"slot\""));
}

#[test]
fn a_chosen_day_lists_its_times_in_the_invitees_zone_and_clock() {
    let host = office_hours_host("Zone Host", None);
    let date = today_in(TOKYO) + Days::new(12);
    // Berlin's 09:00 on that date is late afternoon the same day in Tokyo.
    let berlin_nine = BERLIN
        .from_local_datetime(&date.and_hms_opt(9, 0, 0).unwrap())
        .unwrap()
        .with_timezone(&Utc);
    let in_tokyo = berlin_nine.with_timezone(&TOKYO);
    assert_eq!(in_tokyo.date_naive(), date);
    let path = |clock: &str| {
        format!(
            "/{}/intro?{}",
            host.slug,
            query(&[
                ("tz", "Asia/Tokyo"),
                ("date", &date.to_string()),
                ("clock", clock)
            ])
        )
    };
    let page = get(&path("24"));
    assert_eq!(page.status, 200);
    assert!(page
        .body
        .contains(&format!(">{}</a>", in_tokyo.format("%H:%M"))));
    assert!(
        page.body.contains("(Asia/Tokyo)\""),
        "slot names give the zone"
    );
    assert!(page.body.contains("value=\"Asia/Tokyo\""));
    assert!(
        page.body
            .contains(&format!("aria-label=\"{}, ", day_name(date)))
            && page.body.contains("aria-current=\"date\"")
    );
    assert!(!page.body.contains(" PM</a>"));

    let twelve = get(&path("12"));
    assert!(
        twelve
            .body
            .contains(&format!(">{}</a>", in_tokyo.format("%-I:%M %p"))),
        "{}",
        twelve.body
    );
    // Without `clock`, US English reads 12-hour and British English 24-hour.
    let bare = format!(
        "/{}/intro?{}",
        host.slug,
        query(&[("tz", "Asia/Tokyo"), ("date", &date.to_string())])
    );
    let us = get_with(&bare, &[("Accept-Language", "en-US,en;q=0.9")]);
    assert!(us.body.contains(" PM</a>"), "{}", us.body);
    let gb = get_with(&bare, &[("Accept-Language", "en-GB,en;q=0.9")]);
    assert!(!gb.body.contains(" PM</a>") && !gb.body.contains(" AM</a>"));
}

#[test]
fn german_readers_get_a_german_page_and_others_english() {
    let host = office_hours_host("Sprach Host", None);
    let path = format!("/{}/intro?tz=Europe%2FBerlin", host.slug);
    let german = get_with(&path, &[("Accept-Language", "de-DE,de;q=0.9,en;q=0.5")]);
    assert_eq!(german.status, 200);
    assert!(german.body.contains("<html lang=\"de\">"));
    for text in [
        "Termin wählen",
        "Zeitzone",
        "30 Minuten",
        "Zum Inhalt springen",
    ] {
        assert!(german.body.contains(text), "{text}");
    }
    let month = [
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
    ][today_in(BERLIN)
        .format("%m")
        .to_string()
        .parse::<usize>()
        .unwrap()
        - 1];
    assert!(german.body.contains(month));
    assert!(german.body.contains("Termine frei\""));

    for header in ["fr-FR,fr;q=0.9", "", "de;q=0.1, en;q=0.9"] {
        let english = get_with(&path, &[("Accept-Language", header)]);
        assert!(english.body.contains("<html lang=\"en\">"), "{header}");
        assert!(english.body.contains("Pick a time"), "{header}");
    }
}

/// Books the first offered slot through the pages; returns (slot start, confirmation URL).
fn book_first_slot(host: &SeededHost, tz: &str) -> (DateTime<Utc>, String) {
    let page = get(&format!("/{}/intro?{}", host.slug, query(&[("tz", tz)])));
    let form_page = get(&first_slot_href(&page.body));
    assert!(form_page.body.contains("Your details"));
    let slot = hidden(&form_page.body, "slot");
    let submitted = post_form(
        &format!("/{}/intro", host.slug),
        &[
            ("slot", &slot),
            ("tz", tz),
            ("clock", &hidden(&form_page.body, "clock")),
            (
                "idempotency_key",
                &hidden(&form_page.body, "idempotency_key"),
            ),
            ("name", "Link Invitee"),
            ("email", "link.invitee@example.com"),
            ("note", "Agenda: a & b"),
        ],
    );
    assert_eq!(submitted.status, 303, "{}", submitted.body);
    (
        slot.parse().unwrap(),
        submitted.header("location").unwrap().to_owned(),
    )
}

#[test]
fn the_confirmation_offers_google_and_outlook_links_with_the_meeting() {
    let host = office_hours_host("Link Host", None);
    let (start, location) = book_first_slot(&host, "Asia/Tokyo");
    let end = start + chrono::Duration::minutes(30);
    let page = get(&location);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("(Asia/Tokyo)") && page.body.contains("(Europe/Berlin)"));

    let google = attribute_after(&page.body, "class=\"google\"", "href");
    assert!(google.starts_with("https://calendar.google.com/calendar/render?action=TEMPLATE&"));
    assert!(
        google.contains("text=Intro%20call%20with%20Link%20Host"),
        "{google}"
    );
    let pairs = query_pairs(&google);
    assert_eq!(param(&pairs, "text"), "Intro call with Link Host");
    assert_eq!(
        param(&pairs, "dates"),
        format!(
            "{}/{}",
            start.format("%Y%m%dT%H%M%SZ"),
            end.format("%Y%m%dT%H%M%SZ")
        )
    );
    assert_eq!(param(&pairs, "location"), "Google Meet");
    let details = param(&pairs, "details");
    // The note, and never the manage link: this URL goes to a third party.
    assert_eq!(details, "Agenda: a & b", "{details}");

    let outlook = attribute_after(&page.body, "class=\"outlook\"", "href");
    assert!(outlook.starts_with("https://outlook.live.com/calendar/0/deeplink/compose?"));
    let pairs = query_pairs(&outlook);
    assert_eq!(param(&pairs, "subject"), "Intro call with Link Host");
    assert_eq!(
        param(&pairs, "startdt"),
        start.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    );
    assert_eq!(
        param(&pairs, "enddt"),
        end.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    );
    assert_eq!(param(&pairs, "location"), "Google Meet");
    assert!(param(&pairs, "body").contains("Agenda: a & b"));
    assert!(page.body.contains("/calendar.ics\""), "the .ics stays");
    assert!(page.body.contains("/cancel\""), "the cancel link stays");

    let german = get_with(&location, &[("Accept-Language", "de")]);
    assert!(german.body.contains("Ihr Termin ist gebucht"));
    assert!(german.body.contains("Google Kalender"));
}

#[test]
fn only_the_booking_flow_may_be_framed_and_only_by_the_allowed_origins() {
    let host = office_hours_host("Frame Host", None);
    let (_, confirmation) = book_first_slot(&host, "Europe/Berlin");
    for path in [format!("/{}/intro", host.slug), confirmation.clone()] {
        let reply = get(&path);
        let csp = reply.header("content-security-policy").unwrap();
        assert!(
            csp.contains(&format!("frame-ancestors {TEST_EMBED_ORIGIN}")),
            "{path}: {csp}"
        );
        assert!(!csp.contains("frame-ancestors 'none'"));
        assert_eq!(reply.header("x-frame-options"), None, "{path}");
    }
    for path in [
        "/".to_owned(),
        format!("/{}", host.slug),
        format!("{}/cancel", confirmation.split('?').next().unwrap()),
        "/api/v1/slots".to_owned(),
        "/no/such/page".to_owned(),
    ] {
        let reply = get(&path);
        let csp = reply.header("content-security-policy").unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(!csp.contains(TEST_EMBED_ORIGIN), "{path}");
        assert_eq!(reply.header("x-frame-options"), Some("DENY"), "{path}");
    }
    let embed = get("/assets/embed.js");
    assert_eq!(embed.status, 200);
    assert!(embed.body.contains("data-openslot-inline"));
}

#[test]
fn an_invitee_without_javascript_books_through_links_and_a_form() {
    let host = office_hours_host("Plain Host", None);
    let page = get(&format!("/{}/intro", host.slug));
    // Next month, then its first free day, then that day's first time.
    let next = attribute_after(&page.body, "rel=\"next\"", "href");
    let month = get(&next);
    assert_eq!(month.status, 200);
    let day_href = attribute_after(&month.body, "class=\"day free\"", "href");
    assert!(day_href.contains("date="));
    let day = get(&day_href);
    assert!(day.body.contains("aria-current=\"date\""));
    let form_page = get(&first_slot_href(&day.body));
    assert!(form_page.body.contains("<form method=\"post\""));
    let slot = hidden(&form_page.body, "slot");
    let submitted = post_form(
        &format!("/{}/intro", host.slug),
        &[
            ("slot", &slot),
            ("tz", &hidden(&form_page.body, "tz")),
            ("clock", "12"),
            (
                "idempotency_key",
                &hidden(&form_page.body, "idempotency_key"),
            ),
            ("name", "Plain Invitee"),
            ("email", "plain@example.com"),
        ],
    );
    assert_eq!(submitted.status, 303, "{}", submitted.body);
    let location = submitted.header("location").unwrap();
    assert!(
        location.ends_with("?clock=12"),
        "the chosen clock carries over"
    );
    let confirmation = get(location);
    assert!(confirmation.body.contains("You are booked"));
    assert!(confirmation.body.contains(" AM") || confirmation.body.contains(" PM"));
}
