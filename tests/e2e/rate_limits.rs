//! Per-client rate limits: a client over its budget gets 429 with Retry-After, and other
//! clients are unaffected. On the host API a client is its personal API token; calls without a
//! valid token are counted by IP.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use crate::api_tokens::host_with_token;
use crate::support::http::{request, send_from, Reply};

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

/// Sends `attempt` from `threads` threads at once until one is refused with 429 (each thread
/// sends at most `2 * budget / threads`, as the fixed window may turn during the burst) and
/// returns how many were served before.
fn burst_until_refused(budget: usize, threads: usize, attempt: impl Fn() -> Reply + Sync) -> usize {
    let served = AtomicUsize::new(0);
    let refused = AtomicBool::new(false);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                for _ in 0..=2 * budget / threads {
                    if refused.load(Ordering::SeqCst) {
                        return;
                    }
                    let reply = attempt();
                    if reply.status == 429 {
                        assert_eq!(reply.header("retry-after"), Some("60"));
                        assert_eq!(reply.json()["error"]["code"], "too_many_requests");
                        refused.store(true, Ordering::SeqCst);
                        return;
                    }
                    served.fetch_add(1, Ordering::SeqCst);
                }
            });
        }
    });
    let served = served.into_inner();
    assert!(
        refused.into_inner(),
        "{served} requests were served and none refused"
    );
    served
}

fn me(ip: &str, token: Option<&str>) -> Reply {
    let auth = token.map(|t| format!("Bearer {t}"));
    let mut headers = vec![("CF-Connecting-IP", ip)];
    if let Some(auth) = &auth {
        headers.push(("Authorization", auth.as_str()));
    }
    request("GET", "/api/v1/me", &headers, None)
}

#[test]
fn host_api_calls_without_a_valid_token_are_counted_by_address_and_tokens_are_not() {
    const IP_BUDGET: usize = 300;
    let (_a, _, token) = host_with_token("limit-ip");
    let office = "192.0.2.90";
    // Calls without a token (or with a made-up one) spend the address's budget...
    let made_up = format!("os_{}", "A".repeat(43));
    let served = burst_until_refused(IP_BUDGET, 4, || me(office, Some(&made_up)));
    assert!(served >= IP_BUDGET, "the whole budget is served ({served})");
    assert_eq!(me(office, None).status, 429);
    // ...while a real token from the same address has its own budget,
    assert_eq!(me(office, Some(&token)).status, 200);
    // and another address is unaffected.
    assert_eq!(me("192.0.2.91", None).status, 401);
}

#[test]
fn one_integrators_token_cannot_starve_another_behind_the_same_address() {
    const TOKEN_BUDGET: usize = 1200;
    let (_a, _, first) = host_with_token("limit-a");
    let (_b, _, second) = host_with_token("limit-b");
    let office = "192.0.2.92";
    let served = burst_until_refused(TOKEN_BUDGET, 6, || me(office, Some(&first)));
    assert!(
        served >= TOKEN_BUDGET,
        "the whole budget is served ({served})"
    );
    // The other integrator behind the same address is unaffected, as are calls without a token;
    assert_eq!(me(office, Some(&second)).status, 200);
    assert_eq!(me(office, None).status, 401);
    // the first token is refused from any address: the budget is the token's.
    assert_eq!(me("198.51.100.7", Some(&first)).status, 429);
}
