//! Hosts sign in with Google or Microsoft through the fakes, get a session, use the dashboard
//! and sign out. Every redirect is followed by hand with a cookie-keeping `Browser`.
//!
//! The suite's Worker runs with `SIGNUP_POLICY=allow:@hosts.example,listed@elsewhere.example`.
//! Each test signs in with its own address, passed to the fake as `login_hint`, so tests
//! running side by side never sign in as each other.

use std::sync::atomic::{AtomicU32, Ordering};

use openslot::crypto::digest::sha256_hex;
use serde_json::json;

use crate::support::browser::Browser;
use crate::support::http::{get, post_json, Reply};
use crate::support::sealed::host_id_by_email;
use crate::support::seed::sql;
use crate::support::{world, HostSeed, SeededHost};

static NEXT: AtomicU32 = AtomicU32::new(1);

/// An address at the allowed domain, unique to this run and call.
pub(crate) fn address(tag: &str) -> String {
    let n = NEXT.fetch_add(1, Ordering::SeqCst);
    format!("{tag}.{}.{n}@hosts.example", std::process::id())
}

/// Creates the account at the fake with a display name (the sign-in itself uses `login_hint`).
pub(crate) fn fake_account(provider: &str, email: &str, name: &str) {
    let url = format!("{}/_fake/{provider}/login", world().fakes_url);
    let reply = post_json(&url, &json!({ "email": email, "name": name }));
    assert_eq!(reply.status, 200, "{}", reply.body);
}

pub(crate) fn location(reply: &Reply) -> String {
    assert!(
        matches!(reply.status, 302 | 303),
        "expected a redirect, got {}: {}",
        reply.status,
        reply.body
    );
    reply
        .header("location")
        .expect("a Location header")
        .to_owned()
}

pub(crate) fn query_value(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    form_urlencoded::parse(query.as_bytes())
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.into_owned())
}

/// `/auth/{provider}/start` in `browser`: the provider's authorize URL.
pub(crate) fn start(browser: &Browser, provider: &str) -> String {
    let reply = browser.get(&format!("/auth/{provider}/start?tz=Europe/Berlin"));
    assert_eq!(reply.status, 302, "{}", reply.body);
    location(&reply)
}

/// The fake's authorize step (auto-consent as `email`): the callback URL it redirects to.
pub(crate) fn authorize(authorize_url: &str, email: &str) -> String {
    let url = format!(
        "{authorize_url}&{}",
        crate::support::http::query(&[("login_hint", email)])
    );
    let callback = location(&get(&url));
    assert!(
        callback.starts_with(&format!("{}/auth/", world().base_url)),
        "{callback}"
    );
    callback
}

/// The whole dance: start, the provider, the callback. Returns the callback's reply.
pub(crate) fn sign_in(browser: &Browser, provider: &str, email: &str) -> Reply {
    let callback = authorize(&start(browser, provider), email);
    browser.get(&callback)
}

/// Signs a seeded `host` in through Google at the fakes, as the seed's address
/// (`{slug}@example.com`); returns the address and the signed-in browser.
pub(crate) fn sign_in_seeded(host: &SeededHost, name: &str) -> (String, Browser) {
    let email = format!("{}@example.com", host.slug);
    fake_account("google", &email, name);
    let browser = Browser::new();
    assert_eq!(location(&sign_in(&browser, "google", &email)), "/dashboard");
    (email, browser)
}

/// Signs in a new host at the allowed domain and returns the browser and the address.
pub(crate) fn signed_in_host(tag: &str, name: &str) -> (Browser, String) {
    let email = address(tag);
    fake_account("google", &email, name);
    let browser = Browser::new();
    let reply = sign_in(&browser, "google", &email);
    // A first sign-in leads to onboarding (tests/e2e/onboarding.rs walks it).
    assert_eq!(location(&reply), "/dashboard/welcome", "{}", reply.body);
    (browser, email)
}

pub(crate) fn host_row(email: &str) -> serde_json::Value {
    let id = host_id_by_email(email).unwrap_or_else(|| panic!("no host for {email}"));
    let rows = sql(&format!(
        "SELECT id, slug, name, time_zone, (SELECT s.time_zone FROM schedules s \
         WHERE s.host_id = hosts.id AND s.is_default = 1) AS schedule_time_zone \
         FROM hosts WHERE id = '{id}'"
    ));
    assert_eq!(rows.len(), 1, "exactly one host for {email}: {rows:?}");
    rows[0].clone()
}

pub(crate) fn csrf_of(page: &Reply) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = page.body.find(marker).expect("a csrf field") + marker.len();
    page.body[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn google_sign_in_creates_a_host_then_signs_into_the_same_host() {
    let email = address("ana");
    fake_account("google", &email, "Ana Lima");
    let browser = Browser::new();
    let authorize_url = start(&browser, "google");
    let fakes = &world().fakes_url;
    assert!(
        authorize_url.starts_with(&format!("{fakes}/google/accounts/o/oauth2/v2/auth?")),
        "{authorize_url}"
    );
    assert_eq!(
        query_value(&authorize_url, "scope").as_deref(),
        Some("openid email profile")
    );
    assert_eq!(
        query_value(&authorize_url, "code_challenge_method").as_deref(),
        Some("S256")
    );
    // D1 keeps the state only as a hash, with the browser's nonce hashed beside it.
    let state = query_value(&authorize_url, "state").expect("a state");
    let nonce = browser
        .cookie("__Host-openslot_signin")
        .expect("the sign-in cookie");
    let stored = sql(&format!(
        "SELECT provider, browser_hash, time_zone FROM oauth_states WHERE state_hash = '{}'",
        sha256_hex(&state)
    ));
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["browser_hash"], sha256_hex(&nonce));
    assert!(sql(&format!(
        "SELECT 1 FROM oauth_states WHERE state_hash = '{state}'"
    ))
    .is_empty());

    let callback = browser.get(&authorize(&authorize_url, &email));
    assert_eq!(location(&callback), "/dashboard/welcome");
    let session_cookie = callback
        .header_all("set-cookie")
        .into_iter()
        .find(|c| c.starts_with("__Host-openslot_session="))
        .expect("a session cookie")
        .to_owned();
    for attribute in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
        assert!(session_cookie.contains(attribute), "{session_cookie}");
    }
    let host = host_row(&email);
    assert_eq!(host["name"], "Ana Lima");
    assert_eq!(host["time_zone"], "Europe/Berlin");
    assert_eq!(host["schedule_time_zone"], "Europe/Berlin");
    let slug = host["slug"].as_str().unwrap().to_owned();
    assert!(slug.starts_with("ana-"), "{slug}");
    // The session id is stored only as its hash.
    let session_id = browser.cookie("__Host-openslot_session").unwrap();
    assert_eq!(
        sql(&format!(
            "SELECT host_id FROM sessions WHERE id_hash = '{}'",
            sha256_hex(&session_id)
        ))[0]["host_id"],
        host["id"]
    );

    let dashboard = browser.get("/dashboard");
    assert_eq!(dashboard.status, 200);
    assert!(dashboard.body.contains("Ana Lima"));
    assert!(dashboard.body.contains(&format!("href=\"/{slug}\"")));

    // A second sign-in, from another browser, lands in the same host.
    let other = Browser::new();
    assert_eq!(location(&sign_in(&other, "google", &email)), "/dashboard");
    assert_eq!(host_row(&email)["id"], host["id"]);
    let identities = sql(&format!(
        "SELECT provider FROM host_identities WHERE host_id = '{}'",
        host["id"].as_str().unwrap()
    ));
    assert_eq!(identities, vec![json!({ "provider": "google" })]);
    assert!(other.get("/dashboard").body.contains(&slug));
}

#[test]
fn microsoft_sign_in_reads_graph_and_joins_the_host_with_the_same_address() {
    let email = address("bo");
    fake_account("microsoft", &email, "Bo Chen");
    let browser = Browser::new();
    let authorize_url = start(&browser, "microsoft");
    assert!(authorize_url.starts_with(&format!(
        "{}/microsoft/login/common/oauth2/v2.0/authorize?",
        world().fakes_url
    )));
    assert_eq!(
        query_value(&authorize_url, "scope").as_deref(),
        Some("openid email profile User.Read")
    );
    let callback = browser.get(&authorize(&authorize_url, &email));
    assert_eq!(
        location(&callback),
        "/dashboard/welcome",
        "{}",
        callback.body
    );
    let host = host_row(&email);
    assert_eq!(host["name"], "Bo Chen");
    let dashboard = browser.get("/dashboard");
    assert_eq!(dashboard.status, 200);
    assert!(dashboard.body.contains("Bo Chen"));

    // Google vouches for the same address: same host, a second identity.
    fake_account("google", &email, "Bo Chen");
    let google = Browser::new();
    assert_eq!(location(&sign_in(&google, "google", &email)), "/dashboard");
    assert_eq!(host_row(&email)["id"], host["id"]);
    let providers = sql(&format!(
        "SELECT provider FROM host_identities WHERE host_id = '{}' ORDER BY provider",
        host["id"].as_str().unwrap()
    ));
    assert_eq!(
        providers,
        vec![
            json!({ "provider": "google" }),
            json!({ "provider": "microsoft" })
        ]
    );
}

#[test]
fn a_used_state_cannot_sign_in_again() {
    let email = address("replay");
    fake_account("google", &email, "Replay Host");
    let browser = Browser::new();
    let authorize_url = start(&browser, "google");
    let callback = authorize(&authorize_url, &email);
    assert_eq!(location(&browser.get(&callback)), "/dashboard/welcome");
    // The same callback again, in the same browser with its cookie put back.
    let state = query_value(&authorize_url, "state").unwrap();
    assert!(sql(&format!(
        "SELECT 1 FROM oauth_states WHERE state_hash = '{}'",
        sha256_hex(&state)
    ))
    .is_empty());
    let again = browser.get(&callback);
    assert_eq!(again.status, 400);
    assert!(
        again.body.contains("unknown or was already used"),
        "{}",
        again.body
    );
}

#[test]
fn a_callback_in_another_browser_or_with_a_wrong_cookie_is_refused() {
    let email = address("victim");
    fake_account("google", &email, "Victim Host");
    // Someone else's browser finishes a sign-in this browser started.
    let starter = Browser::new();
    let callback = authorize(&start(&starter, "google"), &email);
    let stranger = Browser::new();
    let refused = stranger.get(&callback);
    assert_eq!(refused.status, 400);
    assert!(refused.body.contains("another browser"), "{}", refused.body);
    assert!(stranger.cookie("__Host-openslot_session").is_none());
    // The state is spent: its own browser cannot use it afterwards either.
    assert_eq!(starter.get(&callback).status, 400);

    let browser = Browser::new();
    let callback = authorize(&start(&browser, "google"), &email);
    browser.set_cookie("__Host-openslot_signin", Some(&"0".repeat(64)));
    let refused = browser.get(&callback);
    assert_eq!(refused.status, 400);
    assert!(refused.body.contains("another browser"));
    assert_eq!(host_id_by_email(&email), None);
}

#[test]
fn an_expired_state_is_refused() {
    let email = address("slow");
    fake_account("google", &email, "Slow Host");
    let browser = Browser::new();
    let authorize_url = start(&browser, "google");
    let callback = authorize(&authorize_url, &email);
    let state = query_value(&authorize_url, "state").unwrap();
    // A minute ago: expired, but not yet purged by other sign-ins starting meanwhile.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    sql(&format!(
        "UPDATE oauth_states SET expires_at = {} WHERE state_hash = '{}'",
        now - 60,
        sha256_hex(&state)
    ));
    let refused = browser.get(&callback);
    assert_eq!(refused.status, 400);
    assert!(refused.body.contains("expired"), "{}", refused.body);
    assert!(browser.cookie("__Host-openslot_session").is_none());
}

#[test]
fn declining_at_the_provider_shows_a_friendly_page() {
    let browser = Browser::new();
    let authorize_url = start(&browser, "microsoft");
    let denied = location(&get(&format!(
        "{authorize_url}&error_simulation=access_denied"
    )));
    assert_eq!(
        query_value(&denied, "error").as_deref(),
        Some("access_denied")
    );
    let page = browser.get(&denied);
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains("Signing in with Microsoft was cancelled"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Sign in with Google"));
    assert!(browser.cookie("__Host-openslot_session").is_none());
    assert!(browser.cookie("__Host-openslot_signin").is_none());
    let state = query_value(&authorize_url, "state").unwrap();
    assert!(sql(&format!(
        "SELECT 1 FROM oauth_states WHERE state_hash = '{}'",
        sha256_hex(&state)
    ))
    .is_empty());
}

#[test]
fn the_sign_up_policy_admits_only_listed_addresses_and_domains() {
    for email in ["stranger@elsewhere.example", "someone@sub.hosts.example"] {
        fake_account("google", email, "Not Listed");
        let browser = Browser::new();
        let refused = sign_in(&browser, "google", email);
        assert_eq!(refused.status, 403, "{email}: {}", refused.body);
        assert!(
            refused.body.contains("not taking new hosts"),
            "{}",
            refused.body
        );
        assert!(browser.cookie("__Host-openslot_session").is_none());
        assert_eq!(host_id_by_email(email), None);
    }
    let listed = "listed@elsewhere.example";
    fake_account("microsoft", listed, "Listed Person");
    let browser = Browser::new();
    assert_eq!(
        location(&sign_in(&browser, "microsoft", listed)),
        "/dashboard/welcome"
    );
    assert_eq!(host_row(listed)["name"], "Listed Person");

    // An existing host signs in even when their address is not on the list.
    let seeded = HostSeed::new("Seeded Host", "UTC").create();
    let seeded_email = format!("{}@example.com", seeded.slug);
    fake_account("google", &seeded_email, "Seeded Host");
    let browser = Browser::new();
    assert_eq!(
        location(&sign_in(&browser, "google", &seeded_email)),
        "/dashboard"
    );
    assert!(browser.get("/dashboard").body.contains(&seeded.slug));
}

#[test]
fn the_dashboard_needs_a_live_session() {
    for path in ["/dashboard", "/dashboard/profile"] {
        let reply = get(path);
        assert_eq!(reply.status, 303, "{path}");
        assert_eq!(reply.header("location"), Some("/auth/signin"));
    }
    let forged = Browser::new();
    forged.set_cookie("__Host-openslot_session", Some(&"a".repeat(64)));
    assert_eq!(location(&forged.get("/dashboard")), "/auth/signin");
    let page = get("/auth/signin");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("href=\"/auth/google/start\""));
    assert!(page.body.contains("href=\"/auth/microsoft/start\""));
    assert_eq!(get("/auth/zoom/start").status, 404);
    let api = get("/api/v1/me");
    assert_eq!(api.status, 401);
    assert_eq!(api.json()["error"]["code"], "unauthorized");
    assert_eq!(forged.get("/api/v1/me").status, 401);
}

#[test]
fn the_api_tells_a_signed_in_host_who_they_are() {
    let (browser, email) = signed_in_host("api", "Api Host");
    let me = browser.get("/api/v1/me");
    assert_eq!(me.status, 200, "{}", me.body);
    let body = me.json();
    assert_eq!(body["email"], email.as_str());
    assert_eq!(body["name"], "Api Host");
    assert_eq!(body["slug"], host_row(&email)["slug"]);
    assert_eq!(body["time_zone"], "Europe/Berlin");
}

#[test]
fn signing_out_revokes_the_session() {
    let (browser, _) = signed_in_host("leaver", "Leaving Host");
    let session = browser.cookie("__Host-openslot_session").unwrap();
    let dashboard = browser.get("/dashboard");
    assert_eq!(dashboard.status, 200);
    // Without the form's token nothing happens.
    let refused = browser.post_form("/auth/signout", &[], &[]);
    assert_eq!(refused.status, 403);
    assert_eq!(browser.get("/dashboard").status, 200);

    let out = browser.post_form("/auth/signout", &[("csrf", &csrf_of(&dashboard))], &[]);
    assert_eq!(location(&out), "/auth/signin");
    assert!(browser.cookie("__Host-openslot_session").is_none());
    // The old cookie, replayed, no longer works.
    let replay = Browser::new();
    replay.set_cookie("__Host-openslot_session", Some(&session));
    assert_eq!(location(&replay.get("/dashboard")), "/auth/signin");
}

#[test]
fn an_expired_session_is_refused() {
    let (browser, email) = signed_in_host("expired", "Expired Host");
    assert_eq!(browser.get("/dashboard").status, 200);
    let session = browser.cookie("__Host-openslot_session").unwrap();
    sql(&format!(
        "UPDATE sessions SET created_at = 0, expires_at = 1 WHERE id_hash = '{}'",
        sha256_hex(&session)
    ));
    assert_eq!(location(&browser.get("/dashboard")), "/auth/signin");
    assert_eq!(host_row(&email)["name"], "Expired Host");
}

#[test]
fn profile_posts_without_a_valid_csrf_token_or_from_another_site_change_nothing() {
    let (browser, email) = signed_in_host("guarded", "Guarded Host");
    let before = host_row(&email);
    let slug = before["slug"].as_str().unwrap().to_owned();
    let token = csrf_of(&browser.get("/dashboard/profile"));
    fn edit(csrf: Option<&str>) -> Vec<(&'static str, &str)> {
        let mut fields = vec![
            ("name", "Hijacked"),
            ("slug", "hijacked"),
            ("time_zone", "UTC"),
        ];
        if let Some(csrf) = csrf {
            fields.push(("csrf", csrf));
        }
        fields
    }
    for (fields, headers) in [
        (edit(None), vec![]),
        (edit(Some("not-the-token")), vec![]),
        (edit(Some(&token)), vec![("Origin", "https://evil.example")]),
        (edit(Some(&token)), vec![("Sec-Fetch-Site", "cross-site")]),
        // `Origin: null` without the browser's Sec-Fetch-Site proves nothing.
        (edit(Some(&token)), vec![("Origin", "null")]),
        (
            edit(Some(&token)),
            vec![("Origin", "null"), ("Sec-Fetch-Site", "same-site")],
        ),
    ] {
        let reply = browser.post_form("/dashboard/profile", &fields, &headers);
        assert_eq!(reply.status, 403, "{headers:?}: {}", reply.body);
        assert!(reply.body.contains("did not act on it") || reply.body.contains("has expired"));
    }
    assert_eq!(host_row(&email), before);
    assert_eq!(get(&format!("/{slug}")).status, 200);
    // Another host's token is no good either.
    let (other, _) = signed_in_host("other", "Other Host");
    let foreign = csrf_of(&other.get("/dashboard"));
    let reply = browser.post_form("/dashboard/profile", &edit(Some(&foreign)), &[]);
    assert_eq!(reply.status, 403);
    assert_eq!(host_row(&email), before);
}

#[test]
fn a_form_from_our_own_page_is_accepted_with_the_origin_null_chromium_sends() {
    // Our pages are served with `Referrer-Policy: no-referrer`, so Chromium sends
    // `Origin: null` with their form posts; its `Sec-Fetch-Site: same-origin` vouches for them.
    let (browser, email) = signed_in_host("nullorigin", "Null Origin");
    let slug = host_row(&email)["slug"].as_str().unwrap().to_owned();
    let token = csrf_of(&browser.get("/dashboard/profile"));
    let reply = browser.post_form(
        "/dashboard/profile",
        &[
            ("csrf", &token),
            ("name", "Renamed In Chromium"),
            ("slug", &slug),
            ("time_zone", "Europe/Berlin"),
        ],
        &[("Origin", "null"), ("Sec-Fetch-Site", "same-origin")],
    );
    assert_eq!(location(&reply), "/dashboard", "{}", reply.body);
    assert_eq!(host_row(&email)["name"], "Renamed In Chromium");
}

#[test]
fn a_host_edits_their_profile_and_a_taken_slug_gets_a_field_error() {
    let (browser, email) = signed_in_host("editor", "Editor Host");
    let profile = browser.get("/dashboard/profile");
    assert_eq!(profile.status, 200);
    assert!(profile
        .body
        .contains("<option selected>Europe/Berlin</option>"));
    let token = csrf_of(&profile);
    let new_slug = format!(
        "edited-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    );
    let saved = browser.post_form(
        "/dashboard/profile",
        &[
            ("csrf", &token),
            ("name", "  Edited Name "),
            ("slug", &new_slug),
            ("time_zone", "America/New_York"),
        ],
        &[
            ("Origin", &world().base_url),
            ("Sec-Fetch-Site", "same-origin"),
        ],
    );
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(location(&saved), "/dashboard");
    let host = host_row(&email);
    assert_eq!(host["name"], "Edited Name");
    assert_eq!(host["slug"], new_slug.as_str());
    assert_eq!(host["time_zone"], "America/New_York");
    let public = get(&format!("/{new_slug}"));
    assert_eq!(public.status, 200);
    assert!(public.body.contains("Edited Name"));

    let taken = HostSeed::new("Slug Owner", "UTC").create();
    for (slug, message) in [
        (taken.slug.as_str(), "is already someone"),
        ("Not A Slug", "lower-case letters"),
        ("dashboard", "reserved"),
    ] {
        let reply = browser.post_form(
            "/dashboard/profile",
            &[
                ("csrf", &token),
                ("name", "Another Name"),
                ("slug", slug),
                ("time_zone", "Europe/Paris"),
            ],
            &[],
        );
        assert_eq!(reply.status, 422, "{slug}");
        assert!(reply.body.contains(message), "{slug}: {}", reply.body);
        assert!(reply.body.contains("aria-invalid=\"true\""));
        assert!(reply.body.contains("value=\"Another Name\""));
    }
    let bad_zone = browser.post_form(
        "/dashboard/profile",
        &[
            ("csrf", &token),
            ("name", ""),
            ("slug", &new_slug),
            ("time_zone", "Mars/Base"),
        ],
        &[],
    );
    assert_eq!(bad_zone.status, 422);
    assert!(bad_zone.body.contains("This field is required."));
    assert!(bad_zone.body.contains("Choose a time zone"));
    assert_eq!(host_row(&email), host);
}

#[test]
fn one_host_never_sees_another_hosts_dashboard_data() {
    let (ana, ana_email) = signed_in_host("first", "First Host");
    let (bo, _) = signed_in_host("second", "Second Host");
    let ana_id = host_row(&ana_email)["id"].as_str().unwrap().to_owned();
    sql(&format!(
        "INSERT INTO event_types (id, host_id, slug, title, duration_minutes, hidden, created_at) \
         VALUES ('{ana_id}-secret', '{ana_id}', 'secret-call', 'Secret planning call', 45, 1, 0)"
    ));
    let ana_page = ana.get("/dashboard");
    assert!(ana_page.body.contains("Secret planning call"));
    assert!(ana_page.body.contains("hidden from your public page"));
    let bo_page = bo.get("/dashboard");
    assert_eq!(bo_page.status, 200);
    assert!(bo_page.body.contains("Second Host"));
    assert!(!bo_page.body.contains("Secret planning call"));
    assert!(!bo_page.body.contains("First Host"));
    assert!(!bo.get("/dashboard/profile").body.contains("First Host"));
    // Bo's CSRF token is bound to Bo's session: it cannot be used with Ana's cookie.
    assert_ne!(csrf_of(&ana_page), csrf_of(&bo_page));
}
