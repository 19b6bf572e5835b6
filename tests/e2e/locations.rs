//! Phone, in-person and custom-link meetings name their place: the host enters the number,
//! address or link with the event type (form and API, checked per kind), and invitees find it
//! where they need it: the address on the booking page, and everything in the confirmation
//! page, the emails, their invitations and the downloadable .ics.

use serde_json::json;

use crate::api_tokens::{call, new_token};
use crate::dashboard_bookings::{book, bookable_host, call_form, start_in_days};
use crate::sign_in::location;
use crate::support::browser::Browser;
use crate::support::http::get;
use crate::support::mail::{ics_attachment, parse_invitation, wait_for_emails};
use crate::support::seed::sql;

fn call_id(slug: &str) -> String {
    sql(&format!(
        "SELECT e.id FROM event_types e JOIN hosts h ON h.id = e.host_id \
         WHERE h.slug = '{slug}' AND e.slug = 'call'"
    ))[0]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Saves the `call` event type through the dashboard form with this location.
fn save_location(
    browser: &Browser,
    csrf: &str,
    id: &str,
    kind: &str,
    detail: &str,
) -> crate::support::http::Reply {
    browser.post_form(
        &format!("/dashboard/event-types/{id}"),
        &call_form(csrf, kind, detail),
        &[],
    )
}

/// The manage link (path) of the one booking `invitee` made, read back from its confirmation
/// email.
fn manage_path(invitee: &str) -> String {
    let email = &wait_for_emails(invitee, "Booked:", 1)[0];
    let text = email["text"].as_str().unwrap();
    let start = text.find("/booking/").expect("a manage link");
    text[start..]
        .split_whitespace()
        .next()
        .unwrap()
        .trim_end_matches(['.', ')'])
        .to_owned()
}

#[test]
fn an_in_person_meeting_shows_its_address_from_booking_page_to_invitation() {
    let (browser, _email, slug, csrf) = bookable_host("place-visit");
    let id = call_id(&slug);
    for (kind, detail) in [
        ("in_person", ""),
        ("phone", "call me maybe"),
        ("custom_link", "http://meet.example.com/x"),
    ] {
        let refused = save_location(&browser, &csrf, &id, kind, detail);
        assert_eq!(refused.status, 422, "{kind}: {}", refused.body);
        assert!(
            refused.body.contains("id=\"location_detail-error\""),
            "{}",
            refused.body
        );
    }
    let address = "Hauptstraße 5; Hinterhaus, Berlin";
    let saved = save_location(&browser, &csrf, &id, "in_person", address);
    assert_eq!(location(&saved), "/dashboard", "{}", saved.body);
    let form = browser.get(&format!("/dashboard/event-types/{id}"));
    assert!(form
        .body
        .contains("value=\"Hauptstraße 5; Hinterhaus, Berlin\""));

    let page = get(&format!("/{slug}/call"));
    assert!(page.body.contains(address), "{}", page.body);
    let invitee = format!("visitor-{slug}@example.org");
    book(&slug, start_in_days(3), "Vera Visitor", &invitee);
    let confirmation = get(&manage_path(&invitee));
    assert!(
        confirmation.body.contains(&format!("In person: {address}")),
        "{}",
        confirmation.body
    );
    let email = &wait_for_emails(&invitee, "Booked:", 1)[0];
    assert!(email["text"].as_str().unwrap().contains(address));
    let invitation = parse_invitation(&ics_attachment(email).1);
    assert_eq!(invitation.location, format!("In person: {address}"));
    let download = get(&format!("{}/calendar.ics", manage_path(&invitee)));
    assert_eq!(download.status, 200);
    let file = parse_invitation(&download.body);
    assert_eq!(file.location, format!("In person: {address}"));

    // A phone number is not on the public page, only in what the invitee gets.
    let number = "+49 30 1234567";
    let saved = save_location(&browser, &csrf, &id, "phone", number);
    assert_eq!(location(&saved), "/dashboard", "{}", saved.body);
    assert!(!get(&format!("/{slug}/call")).body.contains(number));
    let caller = format!("caller-{slug}@example.org");
    book(&slug, start_in_days(4), "Carl Caller", &caller);
    let email = &wait_for_emails(&caller, "Booked:", 1)[0];
    assert!(
        email["text"]
            .as_str()
            .unwrap()
            .contains(&format!("Phone call: {number}")),
        "{email}"
    );
}

#[test]
fn a_hosts_own_meeting_link_is_what_invitees_join() {
    let (browser, _email, slug, _csrf) = bookable_host("place-link");
    let token = new_token(&browser, "places");
    let path = format!("/api/v1/event-types/{}", call_id(&slug));
    let missing = call(
        "PATCH",
        &path,
        &token,
        Some(json!({ "location_kind": "custom_link" })),
    );
    assert_eq!(missing.status, 422, "{}", missing.body);
    assert!(missing.json()["error"]["fields"]["location_detail"].is_string());
    let insecure = call(
        "PATCH",
        &path,
        &token,
        Some(json!({ "location_kind": "custom_link",
                     "location_detail": "javascript:alert(1)" })),
    );
    assert_eq!(insecure.status, 422, "{}", insecure.body);

    let link = "https://meet.jit.si/openslot-planning";
    let saved = call(
        "PATCH",
        &path,
        &token,
        Some(json!({ "location_kind": "custom_link", "location_detail": link })),
    );
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert_eq!(saved.json()["location_detail"], link);
    // The link is for invitees who booked, not for the public page.
    assert!(!get(&format!("/{slug}/call")).body.contains(link));

    let invitee = format!("joiner-{slug}@example.org");
    book(&slug, start_in_days(3), "Jo Joiner", &invitee);
    let confirmation = get(&manage_path(&invitee));
    assert!(
        confirmation.body.contains(&format!("href=\"{link}\"")),
        "{}",
        confirmation.body
    );
    let email = &wait_for_emails(&invitee, "Booked:", 1)[0];
    assert!(email["text"]
        .as_str()
        .unwrap()
        .contains(&format!("Join:  {link}")));
    assert_eq!(parse_invitation(&ics_attachment(email).1).location, link);

    // Another kind keeps no detail.
    let zoom = call(
        "PATCH",
        &path,
        &token,
        Some(json!({ "location_kind": "zoom" })),
    );
    assert_eq!(zoom.status, 200, "{}", zoom.body);
    assert_eq!(zoom.json()["location_detail"], "");
}

#[test]
fn the_public_api_tells_a_booking_form_what_it_needs_and_nothing_private() {
    let (browser, email, slug, _csrf) = bookable_host("place-public");
    let token = new_token(&browser, "public");
    let id = call_id(&slug);
    let saved = call(
        "PATCH",
        &format!("/api/v1/event-types/{id}"),
        &token,
        Some(
            json!({ "location_kind": "in_person", "location_detail": "Marktplatz 1, Bonn",
                     "other_durations": [60],
                     "questions": [{ "label": "Company", "required": true }] }),
        ),
    );
    assert_eq!(saved.status, 200, "{}", saved.body);
    let hidden = call(
        "POST",
        "/api/v1/event-types",
        &token,
        Some(json!({ "title": "Secret", "slug": "secret", "hidden": true,
                     "location_kind": "phone", "location_detail": "+49 228 000000" })),
    );
    assert_eq!(hidden.status, 201, "{}", hidden.body);

    let host = get(&format!("/api/v1/hosts/{slug}"));
    assert_eq!(host.status, 200, "{}", host.body);
    let host = host.json();
    assert_eq!(host["name"], "Booked Host");
    let listed: Vec<&str> = host["event_types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["slug"].as_str().unwrap())
        .collect();
    assert_eq!(listed, ["call"], "hidden ones are not listed");
    assert_eq!(host["event_types"][0]["address"], "Marktplatz 1, Bonn");

    let call_info = get(&format!("/api/v1/hosts/{slug}/event-types/call")).json();
    assert_eq!(call_info["durations"], json!([30, 60]));
    assert_eq!(call_info["duration_minutes"], 30);
    assert_eq!(
        call_info["questions"],
        json!([{ "label": "Company", "required": true, "kind": "long_text" }])
    );
    assert_eq!(call_info["host"]["slug"], slug.as_str());
    assert!(call_info["booking_url"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/{slug}/call")));
    // A hidden event type answers by its link, but its phone number waits for a booking.
    let secret = get(&format!("/api/v1/hosts/{slug}/event-types/secret"));
    assert_eq!(secret.status, 200, "{}", secret.body);
    assert_eq!(secret.json()["address"], serde_json::Value::Null);
    for reply in [&secret, &get(&format!("/api/v1/hosts/{slug}"))] {
        assert!(!reply.body.contains("+49 228"), "{}", reply.body);
        assert!(!reply.body.contains(&email), "{}", reply.body);
    }
    assert_eq!(get("/api/v1/hosts/nobody-here").status, 404);
    assert_eq!(
        get(&format!("/api/v1/hosts/{slug}/event-types/nothing")).status,
        404
    );
}
