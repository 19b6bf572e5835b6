//! Connecting calendars and Zoom from the dashboard: the full OAuth redirect dance against
//! the fakes, tokens sealed in KV, single-use state bound to the browser, disconnecting.

use serde_json::{json, Value};

use crate::sign_in::{csrf_of, fake_account, host_row, location, signed_in_host};
use crate::support::browser::Browser;
use crate::support::http::{get, post_json};
use crate::support::kv;
use crate::support::sealed::open_field;
use crate::support::seed::sql;
use crate::support::world::world;

/// The fake's control state.
fn fake_state() -> Value {
    get(&format!("{}/_fake/state", world().fakes_url)).json()
}

/// Every refresh token the fake ever issued to `email` at `provider`.
pub(crate) fn issued_refresh_tokens(provider: &str, email: &str) -> Vec<String> {
    fake_state()["grants"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|g| g["provider"] == provider && g["email"] == email)
        .flat_map(|g| {
            let live = g["refresh_tokens"].as_array().cloned().unwrap_or_default();
            let retired = g["retired_refresh_tokens"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            live.into_iter().chain(retired)
        })
        .filter_map(|t| t.as_str().map(str::to_owned))
        .collect()
}

/// Starts connecting `provider` in `browser`: the provider's authorize URL.
pub(crate) fn start_connect(browser: &Browser, provider: &str) -> String {
    let page = browser.get("/dashboard/connections");
    assert_eq!(page.status, 200, "{}", page.body);
    let href = format!("/dashboard/connections/{provider}/connect");
    assert!(
        page.body.contains(&format!("href=\"{href}\"")),
        "{}",
        page.body
    );
    location(&browser.get(&href))
}

/// The fake's consent step as `email`: the callback URL it sends the browser back to.
pub(crate) fn consent(authorize_url: &str, email: &str) -> String {
    let url = format!(
        "{authorize_url}&{}",
        crate::support::http::query(&[("login_hint", email)])
    );
    let callback = location(&get(&url));
    assert!(
        callback.starts_with(&format!("{}/dashboard/connections/", world().base_url)),
        "{callback}"
    );
    callback
}

/// Connects `provider` for the host signed in to `browser`, as `email` at the provider.
pub(crate) fn connect(browser: &Browser, provider: &str, email: &str) {
    let callback = consent(&start_connect(browser, provider), email);
    let reply = browser.get(&callback);
    assert_eq!(
        location(&reply),
        if provider == "zoom" {
            "/dashboard/connections?done=connected-zoom"
        } else {
            "/dashboard/connections?done=connected"
        },
        "{}",
        reply.body
    );
}

/// The connection's row: the account's address (opened where it is sealed), its status and
/// whether it receives events.
pub(crate) fn connection(host_id: &str, provider: &str) -> Option<Value> {
    let row = sql(&format!(
        "SELECT account_email, account_sealed, status, receives_events FROM connections \
         WHERE host_id = '{host_id}' AND provider = '{provider}'"
    ))
    .into_iter()
    .next()?;
    let account_email = match row["account_sealed"].as_str() {
        Some(sealed) => open_field(
            host_id,
            "connections",
            "account_sealed",
            &format!("{host_id}/{provider}"),
            sealed,
        )
        .unwrap_or_else(|e| panic!("{provider} of {host_id}: {e}"))
        .into(),
        None => row["account_email"].clone(),
    };
    Some(
        json!({ "account_email": account_email, "status": row["status"],
                 "receives_events": row["receives_events"] }),
    )
}

#[test]
fn each_provider_connects_through_the_redirect_dance_and_its_tokens_are_sealed_in_kv() {
    let (browser, email) = signed_in_host("connect", "Connie Nect");
    let host_id = host_row(&email)["id"].as_str().unwrap().to_owned();
    for provider in ["google", "microsoft", "zoom"] {
        fake_account(provider, &email, "Connie Nect");
        let authorize = start_connect(&browser, provider);
        if provider == "google" {
            assert!(authorize.contains("access_type=offline"), "{authorize}");
        }
        assert!(
            authorize.contains("code_challenge_method=S256"),
            "{authorize}"
        );
        let callback = consent(&authorize, &email);
        let reply = browser.get(&callback);
        assert!(matches!(reply.status, 303), "{provider}: {}", reply.body);
        // The state is single use.
        let again = browser.get(&callback);
        assert_eq!(again.status, 400, "{provider}: {}", again.body);
        assert!(again.body.contains("already used"), "{}", again.body);

        let row = connection(&host_id, provider).expect("a connection row");
        assert_eq!(row["account_email"], email.as_str());
        assert_eq!(row["status"], "working");
        let key = format!("host/{host_id}/refresh/{provider}");
        assert!(kv::keys().contains(&key), "{:?}", kv::keys());
        let sealed = kv::value(&key);
        assert!(sealed.starts_with("v1.k1."), "{sealed}");
        let issued = issued_refresh_tokens(provider, &email);
        assert!(!issued.is_empty());
        for token in issued {
            assert!(!sealed.contains(&token), "plaintext refresh token in KV");
        }
    }
    // The first calendar receives events; Zoom never does.
    assert_eq!(
        connection(&host_id, "google").unwrap()["receives_events"],
        1
    );
    assert_eq!(
        connection(&host_id, "microsoft").unwrap()["receives_events"],
        0
    );
    let page = browser.get("/dashboard/connections");
    assert!(page.body.contains("Working: connected as"), "{}", page.body);
    assert!(page.body.contains("Put new bookings here"), "{}", page.body);
}

#[test]
fn a_callback_in_another_browser_or_for_another_host_connects_nothing() {
    let (browser, email) = signed_in_host("connect-x", "Cross Browser");
    let host_id = host_row(&email)["id"].as_str().unwrap().to_owned();
    fake_account("google", &email, "Cross Browser");
    let callback = consent(&start_connect(&browser, "google"), &email);
    // Another signed-in host follows the link (e.g. sent to them by an attacker).
    let (other, _) = signed_in_host("connect-y", "Other Host");
    let reply = other.get(&callback);
    assert_eq!(reply.status, 400, "{}", reply.body);
    // The state was not spent by the stranger's attempt? It was: single use wins.
    assert_eq!(browser.get(&callback).status, 400);
    assert!(connection(&host_id, "google").is_none());
    // Signed out, the callback asks for sign-in first.
    let stranger = Browser::new();
    let callback = consent(&start_connect(&browser, "google"), &email);
    assert!(matches!(stranger.get(&callback).status, 302 | 303 | 401));
}

#[test]
fn cancelling_at_the_provider_is_said_plainly_and_connects_nothing() {
    let (browser, email) = signed_in_host("connect-deny", "Dee Nied");
    let host_id = host_row(&email)["id"].as_str().unwrap().to_owned();
    let deny = post_json(
        &format!("{}/_fake/microsoft/deny", world().fakes_url),
        &json!({ "count": 1 }),
    );
    assert_eq!(deny.status, 200);
    let callback = location(&get(&start_connect(&browser, "microsoft")));
    let reply = browser.get(&callback);
    assert_eq!(location(&reply), "/dashboard/connections?done=cancelled");
    let page = browser.get("/dashboard/connections?done=cancelled");
    assert!(
        page.body.contains("Connecting was cancelled"),
        "{}",
        page.body
    );
    assert!(connection(&host_id, "microsoft").is_none());
}

#[test]
fn disconnecting_revokes_the_grant_and_deletes_the_tokens() {
    let (browser, email) = signed_in_host("disconnect", "Dis Connect");
    let host_id = host_row(&email)["id"].as_str().unwrap().to_owned();
    for provider in ["google", "zoom"] {
        fake_account(provider, &email, "Dis Connect");
        connect(&browser, provider, &email);
    }
    for provider in ["google", "zoom"] {
        let page = browser.get("/dashboard/connections");
        let reply = browser.post_form(
            &format!("/dashboard/connections/{provider}/disconnect"),
            &[("csrf", &csrf_of(&page))],
            &[],
        );
        assert_eq!(location(&reply), "/dashboard/connections?done=disconnected");
        assert!(connection(&host_id, provider).is_none());
        let prefix = format!("host/{host_id}/");
        let left: Vec<String> = kv::keys()
            .into_iter()
            .filter(|k| k.starts_with(&prefix) && k.ends_with(provider))
            .collect();
        assert!(left.is_empty(), "{left:?}");
        let revoked = fake_state()["revocations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["provider"] == provider && r["email"] == email.as_str());
        assert!(revoked, "{provider} grant not revoked at the provider");
    }
    // Without a CSRF token nothing is disconnected.
    fake_account("google", &email, "Dis Connect");
    connect(&browser, "google", &email);
    let reply = browser.post_form("/dashboard/connections/google/disconnect", &[], &[]);
    assert_eq!(reply.status, 403);
    assert!(connection(&host_id, "google").is_some());
}

#[test]
fn the_calendar_that_receives_events_is_chosen_through_its_form() {
    let host = crate::calendars::calendar_host("Chooser Host", "zoom", &["google", "microsoft"]);
    let id = &host.host.id;
    assert_eq!(connection(id, "google").unwrap()["receives_events"], 1);
    let page = host.browser.get("/dashboard/connections");
    assert!(page
        .body
        .contains("action=\"/dashboard/connections/microsoft/receive-events\""));
    let csrf = csrf_of(&page);
    let path = "/dashboard/connections/microsoft/receive-events";
    // Without the form's token nothing changes.
    assert_eq!(host.browser.post_form(path, &[], &[]).status, 403);
    assert_eq!(connection(id, "microsoft").unwrap()["receives_events"], 0);

    let chosen = host
        .browser
        .post_form(path, &[("csrf", csrf.as_str())], &[]);
    assert_eq!(location(&chosen), "/dashboard/connections?done=saved");
    assert_eq!(connection(id, "microsoft").unwrap()["receives_events"], 1);
    assert_eq!(connection(id, "google").unwrap()["receives_events"], 0);
    // Zoom holds no events, and another host's form cannot choose for this one.
    let zoom = host.browser.post_form(
        "/dashboard/connections/zoom/receive-events",
        &[("csrf", csrf.as_str())],
        &[],
    );
    assert_eq!(zoom.status, 404);
    let other = crate::calendars::calendar_host("Other Chooser", "zoom", &["google"]);
    let other_csrf = csrf_of(&other.browser.get("/dashboard/connections"));
    let theirs = other
        .browser
        .post_form(path, &[("csrf", other_csrf.as_str())], &[]);
    assert_eq!(theirs.status, 404, "they have no Microsoft calendar");
    assert_eq!(connection(id, "microsoft").unwrap()["receives_events"], 1);
}

/// Google's granular consent lets the host untick a calendar permission; the token answer's
/// `scope` then lacks it. Such a connection is refused with a page naming the box to tick,
/// and nothing is stored: it would fail every booking (and, without free/busy, offer times
/// the host is busy).
#[test]
fn a_grant_with_a_calendar_permission_unticked_is_refused_with_a_page_naming_it() {
    let (browser, email) = signed_in_host("connect-partial", "Part Ial");
    let host_id = host_row(&email)["id"].as_str().unwrap().to_owned();
    for (provider, withheld, words) in [
        (
            "google",
            "https://www.googleapis.com/auth/calendar.events.owned",
            "See, create, change, and delete events on Google calendars you own",
        ),
        (
            "google",
            "https://www.googleapis.com/auth/calendar.freebusy",
            "See your availability",
        ),
        ("microsoft", "Calendars.ReadWrite", "Calendars.ReadWrite"),
    ] {
        fake_account(provider, &email, "Part Ial");
        let withhold = post_json(
            &format!("{}/_fake/{provider}/withhold-scopes", world().fakes_url),
            &json!({ "email": email, "scopes": [withheld] }),
        );
        assert_eq!(withhold.status, 200, "{}", withhold.body);
        let callback = consent(&start_connect(&browser, provider), &email);
        let reply = browser.get(&callback);
        assert_eq!(reply.status, 400, "{provider}: {}", reply.body);
        assert!(reply.body.contains(words), "{provider}: {}", reply.body);
        assert!(reply.body.contains("tick every box"), "{}", reply.body);
        assert!(connection(&host_id, provider).is_none(), "{provider}");
        // No token and no connection key: only the host's own data key, made at sign-up.
        assert!(
            !kv::keys()
                .iter()
                .any(|k| k.starts_with(&format!("host/{host_id}/"))
                    && !k.starts_with(&format!("host/{host_id}/keys/host-"))),
            "{:?}",
            kv::keys()
        );
    }
    // Everything ticked: connected.
    let all = post_json(
        &format!("{}/_fake/google/withhold-scopes", world().fakes_url),
        &json!({ "email": email, "scopes": [] }),
    );
    assert_eq!(all.status, 200);
    connect(&browser, "google", &email);
    assert_eq!(connection(&host_id, "google").unwrap()["status"], "working");
}

/// Zoom revokes only by the access token (with the app's Basic credentials); when it does not
/// confirm, the host is told plainly that access may live on and where to remove it.
#[test]
fn a_zoom_revocation_zoom_does_not_confirm_is_told_to_the_host() {
    let (browser, email) = signed_in_host("disconnect-zoom", "Zoe Revoke");
    let host_id = host_row(&email)["id"].as_str().unwrap().to_owned();
    fake_account("zoom", &email, "Zoe Revoke");
    connect(&browser, "zoom", &email);
    let fail = post_json(
        &format!("{}/_fake/fail", world().fakes_url),
        &json!({ "path_prefix": "/zoom/oauth/revoke", "status": 500, "count": 1,
                 "account": email }),
    );
    assert_eq!(fail.status, 200, "{}", fail.body);
    let page = browser.get("/dashboard/connections");
    let reply = browser.post_form(
        "/dashboard/connections/zoom/disconnect",
        &[("csrf", &csrf_of(&page))],
        &[],
    );
    let target = location(&reply);
    assert_eq!(
        target,
        "/dashboard/connections?done=disconnected-zoom-unrevoked"
    );
    let told = browser.get(&target);
    assert!(told.body.contains("Zoom did not confirm"), "{}", told.body);
    assert!(connection(&host_id, "zoom").is_none());
}
