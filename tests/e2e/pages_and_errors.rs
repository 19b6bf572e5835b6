//! Public pages, error pages and the headers every response carries.

use crate::support::http::{get, send};
use crate::support::seed::EVERY_DAY;
use crate::support::{EventSeed, HostSeed};

#[test]
fn a_host_page_lists_their_event_types_with_links() {
    let host = HostSeed::new("Profile Host", "Asia/Kathmandu")
        .hours(EVERY_DAY, 540, 1020)
        .event(EventSeed {
            title: "Deep dive",
            ..EventSeed::new("deep-dive", 90)
        })
        .create();
    let page = get(&format!("/{}", host.slug));
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Profile Host"));
    assert!(page
        .body
        .contains(&format!("href=\"/{}/deep-dive\"", host.slug)));
    assert!(page.body.contains("90 min"));
}

#[test]
fn unknown_hosts_events_and_paths_get_404_pages_not_500s() {
    let host = HostSeed::new("Known Host", "UTC")
        .hours(EVERY_DAY, 0, 1440)
        .event(EventSeed::new("call", 30))
        .create();
    let unknown_host = get("/no-such-host/call");
    assert_eq!(unknown_host.status, 404);
    assert!(unknown_host.body.contains("There is no host called"));
    let unknown_event = get(&format!("/{}/no-such-event", host.slug));
    assert_eq!(unknown_event.status, 404);
    assert!(unknown_event.body.contains("Known Host has no event type"));
    assert_eq!(get("/a/b/c/d").status, 404);
    assert_eq!(get("/booking/not-a-token").status, 404);
    assert_eq!(get(&format!("/booking/{}", "A".repeat(43))).status, 404);
    assert_eq!(
        get(&format!("/{}/call?tz=Not/AZone", host.slug)).status,
        400
    );
    assert_eq!(
        get(&format!("/{}/call?date=yesterday", host.slug)).status,
        400
    );
    let delete = send("DELETE", &format!("/{}/call", host.slug), "text/plain", "");
    assert_eq!(delete.status, 405);
    assert_eq!(delete.header("allow"), Some("GET, HEAD, POST"));
    let query = send("QUERY", "/api/v1/slots", "text/plain", "");
    assert_eq!(query.status, 405, "an unknown method is not read as GET");
    assert_eq!(query.header("allow"), Some("GET"));
    assert_eq!(
        send(
            "POST",
            &format!("/{}/call", host.slug),
            "application/json",
            "{}"
        )
        .status,
        415
    );
    assert_eq!(get("/api/v1/nothing").json()["error"]["code"], "not_found");
}

#[test]
fn every_response_carries_the_security_headers() {
    for path in ["/", "/no-such-host", "/api/v1/slots", "/healthz"] {
        let reply = get(path);
        let csp = reply
            .header("content-security-policy")
            .unwrap_or_else(|| panic!("CSP on {path}"));
        assert!(
            csp.contains("default-src 'none'") && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"));
        assert_eq!(
            reply.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(
            reply.header("referrer-policy"),
            Some("no-referrer"),
            "{path}"
        );
        assert!(
            reply.header("strict-transport-security").is_some(),
            "{path}"
        );
        assert!(
            reply
                .header("permissions-policy")
                .unwrap()
                .contains("camera=()"),
            "{path}"
        );
        assert_eq!(reply.header("cache-control"), Some("no-store"), "{path}");
    }
}

#[test]
fn static_assets_are_served_by_workers_assets() {
    let css = get("/assets/openslot.css");
    assert_eq!(css.status, 200);
    assert!(css.header("content-type").unwrap().starts_with("text/css"));
    assert!(css.header("cache-control").unwrap().contains("max-age"));
}
