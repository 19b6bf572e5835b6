//! Personal API tokens: a host creates one in the dashboard and sees it once; D1 keeps only its
//! hash; `Authorization: Bearer` with it signs API calls in as that host until it is revoked;
//! unknown, malformed or revoked tokens get a JSON 401; API writes never take a cookie.

use openslot::crypto::digest::sha256_hex;
use serde_json::json;

use crate::sign_in::{csrf_of, host_row, location, signed_in_host};
use crate::support::browser::Browser;
use crate::support::http::{request, Reply};
use crate::support::seed::sql;

/// Creates a token named `name` in the dashboard and returns its secret from the one page
/// that shows it.
pub(crate) fn new_token(browser: &Browser, name: &str) -> String {
    let csrf = csrf_of(&browser.get("/dashboard/api-tokens"));
    let reply = browser.post_form(
        "/dashboard/api-tokens",
        &[("csrf", &csrf), ("name", name)],
        &[],
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    let marker = "<code id=\"new-token\">";
    let start = reply.body.find(marker).expect("the new token is shown") + marker.len();
    let token = reply.body[start..].split('<').next().unwrap().to_owned();
    assert!(token.starts_with("os_") && token.len() == 46, "{token}");
    assert!(token[3..]
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    token
}

/// A signed-in host with a fresh token: (browser, email, token).
pub(crate) fn host_with_token(tag: &str) -> (Browser, String, String) {
    let (browser, email) = signed_in_host(tag, "Token Host");
    let token = new_token(&browser, "script");
    (browser, email, token)
}

/// An API call with `token` as bearer and an optional JSON body.
pub(crate) fn call(
    method: &str,
    path: &str,
    token: &str,
    body: Option<serde_json::Value>,
) -> Reply {
    let auth = format!("Bearer {token}");
    let text = body.map(|b| b.to_string());
    request(
        method,
        path,
        &[("Authorization", &auth)],
        text.as_deref().map(|t| ("application/json", t)),
    )
}

/// An API call carrying `browser`'s session cookie (and our Origin) instead of a token.
pub(crate) fn cookie_call(
    browser: &Browser,
    method: &str,
    path: &str,
    body: Option<serde_json::Value>,
) -> Reply {
    let cookie = format!(
        "__Host-openslot_session={}",
        browser.cookie("__Host-openslot_session").unwrap()
    );
    let text = body.map(|b| b.to_string());
    request(
        method,
        path,
        &[
            ("Cookie", &cookie),
            ("Origin", &crate::support::world().base_url),
        ],
        text.as_deref().map(|t| ("application/json", t)),
    )
}

fn assert_unauthorized(reply: &Reply) {
    assert_eq!(reply.status, 401, "{}", reply.body);
    assert_eq!(
        reply.json()["error"]["code"],
        "unauthorized",
        "{}",
        reply.body
    );
}

#[test]
fn api_token_is_shown_once_and_d1_keeps_only_its_hash() {
    let (browser, email) = signed_in_host("tokens", "Token Keeper");
    let host_id = host_row(&email)["id"].as_str().unwrap().to_owned();
    let token = new_token(&browser, "Zapier <export>");
    let list = browser.get("/dashboard/api-tokens");
    assert_eq!(list.status, 200);
    assert!(
        !list.body.contains(&token),
        "the list shows the secret again"
    );
    assert!(!list.body.contains("new-token"));
    assert!(
        list.body.contains("Zapier &#60;export&#62;")
            || list.body.contains("Zapier &lt;export&gt;")
    );
    assert!(list.body.contains("last used never"));
    let rows = sql(&format!(
        "SELECT * FROM api_tokens WHERE host_id = '{host_id}'"
    ));
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["token_hash"], sha256_hex(&token));
    assert!(!rows[0].to_string().contains(&token[3..]), "{rows:?}");
    assert!(rows[0]["revoked_at"].is_null());
    // The dashboard links to the page.
    assert!(browser
        .get("/dashboard")
        .body
        .contains("href=\"/dashboard/api-tokens\""));
}

#[test]
fn api_bearer_token_works_until_revoked_and_wrong_tokens_get_401() {
    let (browser, email, token) = host_with_token("bearer");
    let me = call("GET", "/api/v1/me", &token, None);
    assert_eq!(me.status, 200, "{}", me.body);
    assert_eq!(me.json()["email"], email.as_str());
    let used = sql(&format!(
        "SELECT id, last_used_at FROM api_tokens WHERE token_hash = '{}'",
        sha256_hex(&token)
    ));
    assert!(used[0]["last_used_at"].is_i64(), "{used:?}");
    assert!(!browser
        .get("/dashboard/api-tokens")
        .body
        .contains("last used never"));

    // Unknown, malformed, or in another scheme: 401, never the cookie's host.
    let unknown = format!("os_{}", "A".repeat(43));
    assert_unauthorized(&call("GET", "/api/v1/me", &unknown, None));
    assert_unauthorized(&call("GET", "/api/v1/me", "os_short", None));
    assert_unauthorized(&call("GET", "/api/v1/me", &token[3..], None));
    let cookie = format!(
        "__Host-openslot_session={}",
        browser.cookie("__Host-openslot_session").unwrap()
    );
    let basic = request(
        "GET",
        "/api/v1/me",
        &[
            ("Authorization", &format!("Basic {token}")),
            ("Cookie", &cookie),
        ],
        None,
    );
    assert_unauthorized(&basic);
    assert_unauthorized(&request("GET", "/api/v1/event-types", &[], None));

    // Revoking ends it at once; the list says so.
    let id = used[0]["id"].as_str().unwrap();
    let csrf = csrf_of(&browser.get("/dashboard/api-tokens"));
    let revoked = browser.post_form(
        &format!("/dashboard/api-tokens/{id}/revoke"),
        &[("csrf", &csrf)],
        &[],
    );
    assert_eq!(location(&revoked), "/dashboard/api-tokens");
    assert_unauthorized(&call("GET", "/api/v1/me", &token, None));
    assert_unauthorized(&call("GET", "/api/v1/event-types", &token, None));
    let list = browser.get("/dashboard/api-tokens");
    assert!(list.body.contains("revoked"));
    assert!(!list
        .body
        .contains(&format!("/dashboard/api-tokens/{id}/revoke")));
    // Revoking twice finds nothing to revoke.
    let again = browser.post_form(
        &format!("/dashboard/api-tokens/{id}/revoke"),
        &[("csrf", &csrf)],
        &[],
    );
    assert_eq!(again.status, 404);
}

#[test]
fn api_token_forms_need_csrf_a_name_and_the_owner() {
    let (owner, _email, token) = host_with_token("owner");
    let csrf = csrf_of(&owner.get("/dashboard/api-tokens"));
    let forged = owner.post_form("/dashboard/api-tokens", &[("name", "x")], &[]);
    assert_eq!(forged.status, 403);
    let cross_site = owner.post_form(
        "/dashboard/api-tokens",
        &[("csrf", &csrf), ("name", "x")],
        &[("Sec-Fetch-Site", "cross-site")],
    );
    assert_eq!(cross_site.status, 403);
    let nameless = owner.post_form(
        "/dashboard/api-tokens",
        &[("csrf", &csrf), ("name", "  ")],
        &[],
    );
    assert_eq!(nameless.status, 422);
    assert!(nameless.body.contains("id=\"name-error\""));
    assert!(!nameless.body.contains("new-token"));
    let long = "n".repeat(101);
    let too_long = owner.post_form(
        "/dashboard/api-tokens",
        &[("csrf", &csrf), ("name", &long)],
        &[],
    );
    assert_eq!(too_long.status, 422);

    // Another host cannot revoke this token, nor see it.
    let id = sql(&format!(
        "SELECT id FROM api_tokens WHERE token_hash = '{}'",
        sha256_hex(&token)
    ))[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (other, _) = signed_in_host("intruder", "Other Host");
    assert!(!other.get("/dashboard/api-tokens").body.contains(&id));
    let other_csrf = csrf_of(&other.get("/dashboard/api-tokens"));
    let reply = other.post_form(
        &format!("/dashboard/api-tokens/{id}/revoke"),
        &[("csrf", &other_csrf)],
        &[],
    );
    assert_eq!(reply.status, 404);
    assert_eq!(call("GET", "/api/v1/me", &token, None).status, 200);
    // Signed out, the page sends to sign-in.
    let anonymous = Browser::new().get("/dashboard/api-tokens");
    assert_eq!(location(&anonymous), "/auth/signin");
}

#[test]
fn api_reads_take_a_session_cookie_but_writes_only_a_token() {
    let (browser, email) = signed_in_host("cookie", "Cookie Host");
    let cookie = format!(
        "__Host-openslot_session={}",
        browser.cookie("__Host-openslot_session").unwrap()
    );
    let me = request("GET", "/api/v1/me", &[("Cookie", &cookie)], None);
    assert_eq!(me.status, 200, "{}", me.body);
    assert_eq!(me.json()["email"], email.as_str());
    let list = request("GET", "/api/v1/event-types", &[("Cookie", &cookie)], None);
    assert_eq!(list.status, 200, "{}", list.body);
    let body = json!({ "name": "Changed By Cookie" }).to_string();
    for (method, path) in [("PATCH", "/api/v1/me"), ("POST", "/api/v1/event-types")] {
        let reply = request(
            method,
            path,
            &[
                ("Cookie", &cookie),
                ("Origin", &crate::support::world().base_url),
            ],
            Some(("application/json", &body)),
        );
        assert_unauthorized(&reply);
    }
    assert_eq!(host_row(&email)["name"], "Cookie Host");
}
