//! Single-use links (issue 20): a host makes a link in the dashboard (without script) or the
//! API; an invitee books through it once, with the link carried by every page of the booking
//! flow; afterwards, or after its expiry, the link shows a page that says so, and of twenty
//! racing requests on one link exactly one books.

use chrono::{Days, Utc};
use serde_json::{json, Value};

use crate::api_tokens::{call, new_token};
use crate::booking_form::{first_slot_href, hidden};
use crate::limits::at;
use crate::sign_in::{csrf_of, location, sign_in_seeded};
use crate::support::browser::Browser;
use crate::support::http::{get, get_with, post_form, post_json, Reply};
use crate::support::seed::{next_monday, sql, EVERY_DAY};
use crate::support::{EventSeed, HostSeed, SeededHost};

/// A host in UTC open 09:00–17:00 every day with a 30-minute `call` hidden from their page,
/// signed in on a browser.
fn host_with_hidden_call(name: &str) -> (SeededHost, Browser) {
    let host = HostSeed::new(name, "UTC")
        .hours(EVERY_DAY, 9 * 60, 17 * 60)
        .event(EventSeed::new("call", 30))
        .create();
    sql(&format!(
        "UPDATE event_types SET hidden = 1 WHERE id = '{}'",
        event_id(&host)
    ));
    let (_, browser) = sign_in_seeded(&host, name);
    (host, browser)
}

fn event_id(host: &SeededHost) -> String {
    format!("{}-call", host.id)
}

fn links_page(host: &SeededHost) -> String {
    format!("/dashboard/event-types/{}/links", event_id(host))
}

/// Creates a link on the dashboard's form with `valid_days`; the answer.
fn create_on_form(browser: &Browser, host: &SeededHost, valid_days: &str) -> Reply {
    let page = browser.get(&links_page(host));
    assert_eq!(page.status, 200, "{}", page.body);
    browser.post_form(
        &links_page(host),
        &[("csrf", &csrf_of(&page)), ("valid_days", valid_days)],
        &[],
    )
}

/// The addresses of the open links the dashboard page lists, newest first, as paths.
fn open_links(browser: &Browser, host: &SeededHost) -> Vec<String> {
    let page = browser.get(&links_page(host));
    assert_eq!(page.status, 200, "{}", page.body);
    page.body
        .split("readonly value=\"")
        .skip(1)
        .map(|rest| path_of(rest.split('"').next().unwrap()))
        .collect()
}

/// `https://host/path?query` as `/path?query`, entities decoded.
fn path_of(url: &str) -> String {
    let url = url.replace("&#38;", "&").replace("&amp;", "&");
    let after_scheme = url.split_once("://").map_or(url.as_str(), |(_, rest)| rest);
    after_scheme[after_scheme.find('/').unwrap()..].to_owned()
}

fn token_of(path: &str) -> String {
    path.split("link=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_owned()
}

/// Books the first time the page at `path` offers, through the form, as `email`.
fn book_through(path: &str, host: &SeededHost, email: &str) -> Reply {
    let page = get(path);
    assert_eq!(page.status, 200, "{}", page.body);
    let form_page = get(&first_slot_href(&page.body));
    assert_eq!(form_page.status, 200, "{}", form_page.body);
    let fields = [
        ("slot", hidden(&form_page.body, "slot")),
        ("tz", "UTC".to_owned()),
        (
            "idempotency_key",
            hidden(&form_page.body, "idempotency_key"),
        ),
        ("link", hidden(&form_page.body, "link")),
        ("name", "Una Single".to_owned()),
        ("email", email.to_owned()),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    post_form(&format!("/{}/call", host.slug), &fields)
}

fn confirmed(host: &SeededHost) -> i64 {
    let rows = sql(&format!(
        "SELECT COUNT(*) AS n FROM bookings WHERE host_id = '{}' AND status = 'confirmed'",
        host.id
    ));
    rows[0]["n"].as_i64().unwrap()
}

/// [P55] The link's token is found nowhere (no table, KV entry, raw database byte or log line),
/// and its row holds nothing of who booked through it.
#[test]
fn a_link_made_on_the_dashboard_books_one_meeting_and_then_says_it_was_used() {
    let (host, browser) = host_with_hidden_call("Once Host");
    // Both the overview and the event type's form lead to its links.
    for page in [
        "/dashboard".to_owned(),
        format!("/dashboard/event-types/{}", event_id(&host)),
    ] {
        let body = browser.get(&page).body;
        assert!(
            body.contains(&format!("href=\"{}\"", links_page(&host))),
            "{page}"
        );
    }
    let empty = browser.get(&links_page(&host));
    assert!(
        empty.body.contains("You have made no single-use links"),
        "{}",
        empty.body
    );
    let made = create_on_form(&browser, &host, "");
    assert!(location(&made).starts_with(&format!("{}#link-", links_page(&host))));
    let links = open_links(&browser, &host);
    assert_eq!(links.len(), 1, "{links:?}");
    let page = browser.get(&links_page(&host));
    assert!(page.body.contains("Open, does not expire"), "{}", page.body);
    // D1 keeps the token's hash only.
    let token = token_of(&links[0]);
    let stored = sql(&format!(
        "SELECT token_hash FROM single_use_links WHERE event_type_id = '{}'",
        event_id(&host)
    ));
    assert_ne!(stored[0]["token_hash"], Value::from(token.clone()));
    assert!(!sql("SELECT * FROM single_use_links")
        .iter()
        .any(|row| row.to_string().contains(&token)));

    // Every link of the booking page carries the link on, and the form sends it.
    let booking_page = get(&links[0]);
    assert_eq!(booking_page.status, 200, "{}", booking_page.body);
    assert!(first_slot_href(&booking_page.body).contains(&format!("link={token}")));
    let booked = book_through(&links[0], &host, "una@example.com");
    assert_eq!(booked.status, 303, "{}", booked.body);
    assert_eq!(confirmed(&host), 1);

    // Used: the link's own page says so, in the invitee's language too, and books nothing.
    let used = get(&links[0]);
    assert_eq!(used.status, 410, "{}", used.body);
    assert!(
        used.body.contains("already used to book a meeting"),
        "{}",
        used.body
    );
    assert!(
        used.body.contains("Ask Once Host for a new link"),
        "{}",
        used.body
    );
    let german = get_with(&links[0], &[("Accept-Language", "de")]);
    assert_eq!(german.status, 410);
    assert!(
        german
            .body
            .contains("Einmal-Link wurde schon ein Termin gebucht"),
        "{}",
        german.body
    );
    let again = post_json(
        "/api/v1/bookings",
        &json!({ "host": host.slug, "event": "call", "start": at(next_monday(), "11:00"),
                 "name": "Second Try", "email": "two@example.com", "time_zone": "UTC",
                 "single_use_link": token }),
    );
    assert_eq!(again.status, 410, "{}", again.body);
    assert_eq!(again.json()["error"]["code"], "link_used");
    assert_eq!(confirmed(&host), 1);
    let listed = browser.get(&links_page(&host));
    assert!(listed.body.contains("<strong>Used "), "{}", listed.body);
    // Nowhere at all: no table, outbox, KV entry, raw database byte or log line holds it.
    crate::support::residue::assert_no_residue(std::slice::from_ref(&token));
    let rows = sql("SELECT * FROM single_use_links");
    assert!(!rows
        .iter()
        .any(|row| row.to_string().contains("una@example.com")));
    assert!(open_links(&browser, &host).is_empty());
}

#[test]
fn an_expired_or_removed_link_books_nothing_and_a_wrong_expiry_is_shown_again() {
    let (host, browser) = host_with_hidden_call("Expiring Host");
    let refused = create_on_form(&browser, &host, "400");
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("from 1 to 365"), "{}", refused.body);
    assert!(refused.body.contains("value=\"400\""), "{}", refused.body);
    assert!(location(&create_on_form(&browser, &host, "2")).contains("#link-"));
    let page = browser.get(&links_page(&host));
    assert!(page.body.contains("Open until "), "{}", page.body);
    assert!(
        page.body.contains("Times are in your time zone, UTC."),
        "the times say their zone"
    );
    let link = open_links(&browser, &host).remove(0);

    // Its time ran out: its own page, and the form's POST refused alike.
    sql(&format!(
        "UPDATE single_use_links SET expires_at = {} WHERE event_type_id = '{}'",
        Utc::now().timestamp() - 1,
        event_id(&host)
    ));
    let expired = get(&link);
    assert_eq!(expired.status, 410, "{}", expired.body);
    assert!(expired.body.contains("has expired"), "{}", expired.body);
    let posted = post_form(
        &format!("/{}/call", host.slug),
        &[
            ("slot", &at(next_monday(), "10:00")),
            ("tz", "UTC"),
            ("name", "Late"),
            ("email", "late@example.com"),
            ("idempotency_key", "late-aaaaaaaaaaaa"),
            ("link", &token_of(&link)),
        ],
    );
    assert_eq!(posted.status, 410, "{}", posted.body);
    assert_eq!(confirmed(&host), 0);
    assert!(browser
        .get(&links_page(&host))
        .body
        .contains("<strong>Expired "));

    // Removed: the address is no longer a link at all; a made-up or cut one neither.
    create_on_form(&browser, &host, "");
    let open = open_links(&browser, &host).remove(0);
    let page = browser.get(&links_page(&host));
    let id = page
        .body
        .split("/links/")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let removed = browser.post_form(
        &format!("{}/{id}/delete", links_page(&host)),
        &[("csrf", &csrf_of(&page))],
        &[],
    );
    assert_eq!(location(&removed), links_page(&host));
    for gone in [
        open.clone(),
        format!("/{}/call?link={}", host.slug, &token_of(&open)[..20]),
    ] {
        let reply = get(&gone);
        assert_eq!(reply.status, 404, "{gone}: {}", reply.body);
        assert!(reply.body.contains("not valid"), "{}", reply.body);
    }
}

/// Each racer sends its own idempotency key, as the form always does: then a used link cannot
/// be refused before the insert (the request might be the retry of the booking that used
/// it), and only the booking statement stands between the racers.
#[test]
fn twenty_racing_requests_on_one_link_make_exactly_one_booking() {
    let (host, browser) = host_with_hidden_call("Racing Link");
    let token = new_token(&browser, "links");
    let made = call(
        "POST",
        &format!("/api/v1/event-types/{}/single-use-links", event_id(&host)),
        &token,
        Some(json!({})),
    );
    assert_eq!(made.status, 201, "{}", made.body);
    let link = token_of(made.json()["url"].as_str().unwrap());
    let monday = next_monday();
    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..20u64)
            .map(|i| {
                let (host, link) = (&host, &link);
                scope.spawn(move || {
                    let day = monday + Days::new(i % 5);
                    let start = at(day, &format!("{:02}:00", 9 + i / 5));
                    post_json(
                        "/api/v1/bookings",
                        &json!({ "host": host.slug, "event": "call", "start": start,
                                 "name": "Racer", "email": format!("racer{i}@example.com"),
                                 "time_zone": "UTC", "single_use_link": link,
                                 "idempotency_key": format!("race-link-{i:04}-aaaaaaaa") }),
                    )
                    .status
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(
        statuses.iter().filter(|&&s| s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|&s| s == 201 || s == 410),
        "{statuses:?}"
    );
    assert_eq!(confirmed(&host), 1);
    let listed = call(
        "GET",
        &format!("/api/v1/event-types/{}/single-use-links", event_id(&host)),
        &token,
        None,
    );
    assert_eq!(listed.json()["single_use_links"][0]["state"], "used");
    assert!(listed.json()["single_use_links"][0]["url"].is_null());
}

#[test]
fn the_api_makes_lists_and_removes_links_and_a_retry_gets_its_booking_back() {
    let (host, browser) = host_with_hidden_call("Api Links");
    let token = new_token(&browser, "links");
    let path = format!("/api/v1/event-types/{}/single-use-links", event_id(&host));
    for (body, field) in [
        (json!({ "expires_at": "tomorrow" }), "expires_at"),
        (
            json!({ "expires_at": "2020-01-01T00:00:00Z" }),
            "expires_at",
        ),
        (json!({ "label": "x" }), "unknown_field"),
    ] {
        let refused = call("POST", &path, &token, Some(body));
        assert_eq!(refused.status, 422, "{}", refused.body);
        assert!(
            refused.json()["error"]["fields"][field].is_string(),
            "{}",
            refused.body
        );
    }
    let elsewhere = call(
        "POST",
        "/api/v1/event-types/not-mine/single-use-links",
        &token,
        Some(json!({})),
    );
    assert_eq!(elsewhere.status, 404, "{}", elsewhere.body);

    let expiry = (Utc::now() + chrono::Duration::days(3))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let made = call("POST", &path, &token, Some(json!({ "expires_at": expiry })));
    assert_eq!(made.status, 201, "{}", made.body);
    let link = made.json();
    assert_eq!(link["state"], "open");
    assert_eq!(link["expires_at"], expiry);
    let url = link["url"].as_str().unwrap();
    assert!(url.contains(&format!("/{}/call?link=", host.slug)), "{url}");

    // A retry of the same request (same Idempotency-Key) gets its booking back, not a 410.
    let booking = json!({ "host": host.slug, "event": "call", "start": at(next_monday(), "10:00"),
                          "name": "Ret Ry", "email": "retry@example.com", "time_zone": "UTC",
                          "idempotency_key": "retry-with-link-0001",
                          "single_use_link": token_of(url) });
    let first = post_json("/api/v1/bookings", &booking);
    assert_eq!(first.status, 201, "{}", first.body);
    let retry = post_json("/api/v1/bookings", &booking);
    assert_eq!(retry.status, 200, "{}", retry.body);
    assert_eq!(retry.json()["booking"]["id"], first.json()["booking"]["id"]);
    assert_eq!(confirmed(&host), 1);

    let listed = call("GET", &path, &token, None).json();
    assert_eq!(listed["single_use_links"][0]["state"], "used");
    let id = listed["single_use_links"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let removed = call("DELETE", &format!("{path}/{id}"), &token, None);
    assert_eq!(removed.status, 204, "{}", removed.body);
    assert_eq!(
        call("DELETE", &format!("{path}/{id}"), &token, None).status,
        404
    );
    assert_eq!(
        call("GET", &path, &token, None).json()["single_use_links"],
        json!([])
    );
}
