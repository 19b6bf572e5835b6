//! The public pages beyond booking read in the invitee's language (`Accept-Language: de`):
//! the host's page, cancelling, rescheduling (with its own zone picker), error pages, the
//! "time was just taken" refusal and the booking form's field errors; and every one of them
//! links to the privacy page in its footer.

use chrono::{DateTime, Days, Utc};
use serde_json::json;

use crate::support::http::{get_with, post_form_with, post_json};
use crate::support::seed::EVERY_DAY;
use crate::support::{EventSeed, HostSeed, SeededHost};

const DE: &[(&str, &str)] = &[("Accept-Language", "de-DE,de;q=0.9,en;q=0.5")];

fn host(name: &str) -> SeededHost {
    HostSeed::new(name, "UTC")
        .hours(EVERY_DAY, 0, 1440)
        .event(EventSeed::new("call", 30))
        .create()
}

fn start_in_days(days: u64) -> DateTime<Utc> {
    format!("{}T09:00:00Z", Utc::now().date_naive() + Days::new(days))
        .parse()
        .unwrap()
}

/// Books in UTC and returns the manage URL's path.
fn book(host: &SeededHost, start: DateTime<Utc>) -> String {
    let reply = post_json(
        "/api/v1/bookings",
        &json!({ "host": host.slug, "event": "call", "start": start.to_rfc3339(),
                 "name": "Sprach Gast", "email": format!("i18n-{}@example.org", host.slug),
                 "time_zone": "UTC" }),
    );
    assert_eq!(reply.status, 201, "{}", reply.body);
    let url = reply.json()["booking"]["manage_url"]
        .as_str()
        .unwrap()
        .to_owned();
    format!("/booking/{}", url.rsplit("/booking/").next().unwrap())
}

#[test]
fn the_host_cancel_and_reschedule_pages_read_in_german() {
    let host = host("Sprache Host");
    let manage = book(&host, start_in_days(4));

    let profile = get_with(&format!("/{}", host.slug), DE);
    assert_eq!(profile.status, 200);
    assert!(
        profile.body.contains("<html lang=\"de\">"),
        "{}",
        profile.body
    );
    assert!(profile
        .body
        .contains("Wählen Sie einen Termin, um freie Zeiten zu sehen."));
    assert!(profile.body.contains("30 Minuten"));

    let cancel = get_with(&format!("{manage}/cancel"), DE);
    assert_eq!(cancel.status, 200, "{}", cancel.body);
    assert!(cancel.body.contains("<html lang=\"de\">"));
    assert!(cancel.body.contains("Diese Buchung stornieren?"));
    assert!(cancel.body.contains("Grund für Sprache Host"));
    assert!(cancel.body.contains("Buchung behalten"));
    assert!(!cancel.body.contains("Cancel this booking?"));

    let too_long = "x".repeat(501);
    let refused = post_form_with(&format!("{manage}/cancel"), DE, &[("reason", &too_long)]);
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.body.contains("Bitte höchstens 500 Zeichen."),
        "{}",
        refused.body
    );

    let reschedule = get_with(&format!("{manage}/reschedule"), DE);
    assert_eq!(reschedule.status, 200, "{}", reschedule.body);
    assert!(reschedule.body.contains("<html lang=\"de\">"));
    assert!(reschedule.body.contains("Diese Buchung verschieben"));
    assert!(reschedule.body.contains("Eine neue Zeit wählen"));
    assert!(reschedule.body.contains("Die jetzige Zeit behalten"));
    assert!(!reschedule.body.contains("Pick a new time"));

    // English stays English.
    let english = get_with(&format!("{manage}/cancel"), &[("Accept-Language", "en")]);
    assert!(english.body.contains("Cancel this booking?"));
}

#[test]
fn the_reschedule_page_shows_times_in_the_zone_the_invitee_picks() {
    let host = host("Zone Move Host");
    let start = start_in_days(5);
    let manage = book(&host, start);

    let booked_zone = get_with(&format!("{manage}/reschedule"), &[]);
    assert!(booked_zone.body.contains("Times are shown in UTC."));
    assert!(booked_zone.body.contains("<datalist id=\"zones\">"));
    assert!(booked_zone.body.contains("<option value=\"Asia/Tokyo\">"));

    let tokyo = get_with(
        &format!("{manage}/reschedule?tz=Asia%2FTokyo&clock=24"),
        &[],
    );
    assert_eq!(tokyo.status, 200, "{}", tokyo.body);
    assert!(tokyo.body.contains("Times are shown in Asia/Tokyo."));
    assert!(tokyo
        .body
        .contains("name=\"tz\" list=\"zones\" value=\"Asia/Tokyo\""));
    // 09:00 UTC is 18:00 in Tokyo (no DST there).
    assert!(tokyo.body.contains("18:00"), "{}", tokyo.body);
    // Every slot and week link keeps the zone, and the confirm form posts it.
    assert!(
        tokyo
            .body
            .contains("tz=Asia%2FTokyo&#38;clock=24&#38;from="),
        "{}",
        tokyo.body
    );
    let slot = start + chrono::Duration::hours(2);
    let chosen = get_with(
        &format!(
            "{manage}/reschedule?tz=Asia%2FTokyo&clock=24&slot={}",
            slot.format("%Y-%m-%dT%H:%M:%SZ")
        ),
        &[],
    );
    assert!(chosen
        .body
        .contains("<input type=\"hidden\" name=\"tz\" value=\"Asia/Tokyo\">"));
    assert!(chosen.body.contains("20:00"), "{}", chosen.body);

    let unknown = get_with(&format!("{manage}/reschedule?tz=Mars%2FOlympus"), &[]);
    assert_eq!(unknown.status, 400);
}

#[test]
fn error_pages_a_taken_time_and_field_errors_read_in_german() {
    let missing = get_with("/no-such-host-for-i18n", DE);
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("<html lang=\"de\">"));
    assert!(missing.body.contains("Seite nicht gefunden"));
    assert!(missing.body.contains("Zur Startseite"));

    let host = host("Besetzt Host");
    let start = start_in_days(6);
    book(&host, start);
    let slot = start.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let taken = post_form_with(
        &format!("/{}/call", host.slug),
        DE,
        &[
            ("slot", &slot),
            ("tz", "Europe/Berlin"),
            ("name", "Zweite Person"),
            ("email", "zweite@example.org"),
        ],
    );
    assert_eq!(taken.status, 409, "{}", taken.body);
    assert!(taken
        .body
        .contains("Jemand hat diese Zeit gerade gebucht. Bitte wählen Sie eine andere."));

    let free = (start + chrono::Duration::hours(3))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let bad = post_form_with(
        &format!("/{}/call", host.slug),
        DE,
        &[
            ("slot", &free),
            ("tz", "Europe/Berlin"),
            ("name", "  "),
            ("email", "keine-adresse"),
        ],
    );
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(bad
        .body
        .contains("id=\"name-error\">Dieses Feld ist erforderlich."));
    assert!(bad
        .body
        .contains("id=\"email-error\">Geben Sie eine E-Mail-Adresse wie name@example.com ein."));
}

#[test]
fn the_booking_and_confirmation_pages_link_to_the_privacy_page_in_both_languages() {
    let host = host("Datenschutz Host");
    let manage = book(&host, start_in_days(7));
    let en: &[(&str, &str)] = &[("Accept-Language", "en")];
    for (headers, link) in [
        (en, "<a href=\"/privacy\">Privacy</a>"),
        (DE, "<a href=\"/privacy\">Datenschutz</a>"),
    ] {
        for path in [format!("/{}/call", host.slug), manage.clone()] {
            let page = get_with(&path, headers);
            assert_eq!(page.status, 200, "{path}: {}", page.body);
            assert!(
                page.body.contains(link),
                "{path} lacks {link}: {}",
                page.body
            );
        }
    }
}
