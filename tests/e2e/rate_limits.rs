//! Per-client rate limits: a client over its booking budget gets 429 with Retry-After,
//! and other clients are unaffected.

use crate::support::http::send_from;

#[test]
fn a_client_over_its_booking_budget_gets_429_and_others_do_not() {
    let attempt = |ip: &str| send_from(ip, "POST", "/api/v1/bookings", "application/json", "{}");
    // The budget is 20 a minute in a fixed window; if the window turns during the burst, the
    // count starts again, so up to 41 requests may be needed to see the refusal.
    let mut allowed = 0;
    let refusal = (0..41).map(|_| attempt("192.0.2.77")).find(|reply| {
        let refused = reply.status == 429;
        allowed += usize::from(!refused);
        refused
    });
    let refusal = refusal.expect("a client over budget is refused");
    assert!(
        allowed >= 20,
        "at least the first 20 requests are served ({allowed})"
    );
    assert_eq!(refusal.header("retry-after"), Some("60"));
    assert_eq!(refusal.json()["error"]["code"], "too_many_requests");
    assert_ne!(
        attempt("192.0.2.78").status,
        429,
        "another client has its own budget"
    );
}
