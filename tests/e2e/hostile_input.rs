//! Hostile input: markup and SQL metacharacters are stored and shown verbatim (escaped where
//! they are displayed), header-injection attempts are refused, and malformed addresses or
//! requests get a 4xx, never a 500.

use chrono::{Days, Utc};
use serde_json::json;

use crate::support::http::{get, post_json, send};
use crate::support::seed::{sql, EVERY_DAY};
use crate::support::{EventSeed, HostSeed};

const XSS: &[&str] = &[
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "'><svg/onload=alert(1)>",
    "javascript:alert(1)",
    "</textarea><script>alert(1)</script>",
];

#[test]
fn markup_and_sql_typed_by_invitees_comes_back_verbatim_and_escaped() {
    let host = HostSeed::new("Hostile Host", "UTC")
        .hours(EVERY_DAY, 0, 1440)
        .event(EventSeed::new("call", 15))
        .create();
    let day = Utc::now().date_naive() + Days::new(2);
    let sql_text = "Robert'); DROP TABLE bookings;-- \\ % _ \"";
    for (i, payload) in XSS.iter().chain(std::iter::once(&sql_text)).enumerate() {
        let start = format!("{day}T{:02}:00:00Z", 8 + i);
        let body = json!({ "host": host.slug, "event": "call", "start": start, "name": payload,
                           "email": format!("hostile{i}@example.com"), "time_zone": "UTC",
                           "note": format!("{payload}\nsecond line") });
        let created = post_json("/api/v1/bookings", &body);
        assert_eq!(created.status, 201, "{payload}: {}", created.body);
        let booking = created.json();
        assert_eq!(
            booking["booking"]["invitee"]["name"], *payload,
            "JSON returns it verbatim"
        );

        let page = get(booking["booking"]["manage_url"].as_str().unwrap());
        assert_eq!(page.status, 200);
        assert!(
            !page.body.contains(payload) || !payload.contains(['<', '>', '"', '\'']),
            "{payload} unescaped"
        );
        let calendar = get(&format!(
            "{}/calendar.ics",
            booking["booking"]["manage_url"].as_str().unwrap()
        ));
        let unfolded = calendar.body.replace("\r\n ", "");
        assert_eq!(unfolded.matches("BEGIN:VEVENT").count(), 1);
        assert_eq!(
            unfolded
                .lines()
                .filter(|l| l.starts_with("ATTENDEE"))
                .count(),
            1
        );
        assert!(
            calendar.body.split("\r\n").all(|line| line.len() <= 75),
            "folded at 75 octets"
        );
    }
    let stored: Vec<_> = sql(&format!(
        "SELECT id FROM bookings WHERE host_id = '{}'",
        host.id
    ))
    .iter()
    .map(|row| crate::support::sealed::stored_invitee(row["id"].as_str().unwrap()))
    .filter(|invitee| invitee["email"] == "hostile5@example.com")
    .collect();
    assert_eq!(
        stored[0]["name"], sql_text,
        "SQL metacharacters are stored verbatim"
    );
    assert_eq!(stored[0]["note"], format!("{sql_text}\nsecond line"));
}

#[test]
fn header_injection_through_a_name_is_refused() {
    let host = HostSeed::new("Header Host", "UTC")
        .hours(EVERY_DAY, 0, 1440)
        .event(EventSeed::new("call", 15))
        .create();
    let start = format!("{}T09:00:00Z", Utc::now().date_naive() + Days::new(2));
    for name in [
        "Ana\r\nBcc: victim@example.com",
        "Ana\nSubject: hi",
        "Ana\u{0}",
    ] {
        let reply = post_json(
            "/api/v1/bookings",
            &json!({ "host": host.slug, "event": "call", "start": start, "name": name,
                     "email": "ana@example.com", "time_zone": "UTC" }),
        );
        assert_eq!(reply.status, 422, "{name:?}");
        assert!(reply.json()["error"]["fields"]["name"]
            .as_str()
            .unwrap()
            .contains("Line breaks"));
    }
    let email = post_json(
        "/api/v1/bookings",
        &json!({ "host": host.slug, "event": "call", "start": start, "name": "Ana",
                 "email": "ana@example.com\r\nBcc: victim@example.com", "time_zone": "UTC" }),
    );
    assert_eq!(email.status, 422);
}

#[test]
fn malformed_addresses_methods_and_bodies_get_4xx_not_500() {
    let long_segment = "a".repeat(5000);
    for path in [
        "/%00",
        "/%ff%fe/%c0%af",
        "/..%2f..%2fetc%2fpasswd",
        "/api/v1/slots?host=%00&event=%ff",
        "/api/v1/slots?host=a&event=b&from=2026-02-30",
        "/api/v1/slots?host=a&event=b&start=9999-12-31T23:59:59Z&end=9999-12-31T23:59:59Z",
        &format!("/{long_segment}"),
        &format!("/{long_segment}/{long_segment}"),
        "/a/b?slot=not-a-time",
        "/a/b?tz=%00",
    ] {
        let status = get(path).status;
        assert!((400..500).contains(&status), "{path} answered {status}");
    }
    for (content_type, body) in [
        ("application/json", "[]"),
        ("application/json", "null"),
        ("application/json", "{\"host\": 1}"),
        ("application/json", "\u{feff}{}"),
        ("application/json; charset=latin1", "{\"host\":\"\u{e9}\"}"),
        ("multipart/form-data; boundary=x", "--x--"),
        ("", ""),
    ] {
        let status = send("POST", "/api/v1/bookings", content_type, body).status;
        assert!(
            (400..500).contains(&status),
            "{content_type} {body:?} answered {status}"
        );
    }
    for method in ["PUT", "PATCH", "DELETE", "OPTIONS", "PROPFIND"] {
        let status = send(method, "/api/v1/slots", "text/plain", "").status;
        assert_eq!(status, 405, "{method}");
    }
}
