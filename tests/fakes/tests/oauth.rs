//! OAuth behaviour of the three providers: code flow with PKCE, refresh, revoke,
//! consent and denial, and provider-specific error bodies.

mod common;
use common::*;
use serde_json::json;

#[test]
fn google_code_flow_with_pkce_issues_tokens_and_a_decodable_id_token() {
    let (_srv, c) = start();
    let r = google_authorize(&c, &[("nonce", "n-1")]);
    assert_eq!(r.status, 302);
    assert!(r.header("location").unwrap().starts_with(REDIRECT));
    assert_eq!(r.location_param("state").as_deref(), Some("st-123"));
    let code = r.location_param("code").unwrap();

    let t = google_token(&c, &code);
    assert_eq!(t.status, 200, "{}", t.text);
    let tok = t.json();
    assert_eq!(tok["token_type"], "Bearer");
    assert_eq!(tok["expires_in"], 3599);
    assert!(s(&tok, "/access_token").starts_with("ya29."));
    assert!(
        tok["refresh_token"].is_string(),
        "offline + first consent gives a refresh token"
    );
    let claims = jwt_payload(s(&tok, "/id_token"));
    assert_eq!(claims["iss"], "https://accounts.google.com");
    assert_eq!(claims["aud"], "google-client");
    assert_eq!(claims["email"], "host@example.com");
    assert_eq!(claims["email_verified"], true);
    assert_eq!(claims["name"], "Demo Host");
    assert_eq!(claims["nonce"], "n-1");
    assert!(claims["exp"].as_i64().unwrap() > claims["iat"].as_i64().unwrap());

    let info = c.get(
        "/google/openidconnect/v1/userinfo",
        Some(s(&tok, "/access_token")),
    );
    assert_eq!(info.status, 200);
    assert_eq!(info.json()["sub"], claims["sub"]);

    // Codes are single use.
    let again = google_token(&c, &code);
    assert_eq!(again.status, 400);
    assert_eq!(again.json()["error"], "invalid_grant");
}

#[test]
fn google_gives_a_refresh_token_only_on_first_consent_unless_prompt_consent() {
    let (_srv, c) = start();
    let first = google_login(&c, "ada@example.com");
    assert!(first["refresh_token"].is_string());
    let second = google_login(&c, "ada@example.com");
    assert!(second.get("refresh_token").is_none(), "{second}");
    let r = google_authorize(
        &c,
        &[("login_hint", "ada@example.com"), ("prompt", "consent")],
    );
    let t = google_token(&c, &r.location_param("code").unwrap()).json();
    assert!(t["refresh_token"].is_string());
    // Without access_type=offline there is never a refresh token.
    let r = c.get_query(
        "/google/accounts/o/oauth2/v2/auth",
        &[
            ("client_id", "google-client"),
            ("redirect_uri", REDIRECT),
            ("response_type", "code"),
            ("scope", "openid email"),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
            ("login_hint", "new@example.com"),
        ],
    );
    let t = google_token(&c, &r.location_param("code").unwrap()).json();
    assert!(t.get("refresh_token").is_none());
}

#[test]
fn google_rejects_bad_verifier_redirect_mismatch_and_missing_secret() {
    let (_srv, c) = start();
    let code = google_authorize(&c, &[]).location_param("code").unwrap();
    let base = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("client_id", "google-client"),
    ];
    let mut wrong_verifier = base.to_vec();
    wrong_verifier.extend([
        ("client_secret", "x"),
        ("redirect_uri", REDIRECT),
        ("code_verifier", "nope-nope"),
    ]);
    let r = c.post_form("/google/oauth2/token", None, &wrong_verifier);
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"], "invalid_grant");

    let mut wrong_redirect = base.to_vec();
    wrong_redirect.extend([
        ("client_secret", "x"),
        ("redirect_uri", "http://evil/cb"),
        ("code_verifier", VERIFIER),
    ]);
    let r = c.post_form("/google/oauth2/token", None, &wrong_redirect);
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"], "redirect_uri_mismatch");

    let mut no_secret = base.to_vec();
    no_secret.extend([("redirect_uri", REDIRECT), ("code_verifier", VERIFIER)]);
    let r = c.post_form("/google/oauth2/token", None, &no_secret);
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["error"], "invalid_client");

    // Google also accepts client credentials via HTTP Basic.
    let r = c.post_form(
        "/google/oauth2/token",
        Some(("google-client", "google-secret")),
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.text);
}

#[test]
fn authorize_requires_pkce_for_google_and_microsoft_and_validates_parameters() {
    let (_srv, c) = start();
    let r = c.get_query(
        "/google/accounts/o/oauth2/v2/auth",
        &[
            ("client_id", "g"),
            ("redirect_uri", REDIRECT),
            ("response_type", "code"),
            ("scope", "openid"),
            ("state", "s"),
        ],
    );
    assert_eq!(r.status, 302);
    assert_eq!(
        r.location_param("error").as_deref(),
        Some("invalid_request")
    );
    assert_eq!(r.location_param("state").as_deref(), Some("s"));
    assert!(r.location_param("code").is_none());

    let r = c.get_query(
        "/microsoft/login/common/oauth2/v2.0/authorize",
        &[
            ("client_id", "m"),
            ("redirect_uri", REDIRECT),
            ("response_type", "code"),
            ("scope", "User.Read"),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "plain"),
        ],
    );
    assert_eq!(
        r.location_param("error").as_deref(),
        Some("invalid_request")
    );

    // No redirect_uri: an error page, never a redirect.
    let r = c.get_query(
        "/google/accounts/o/oauth2/v2/auth",
        &[("client_id", "g"), ("response_type", "code")],
    );
    assert_eq!(r.status, 400);
    assert!(r.header("location").is_none());

    let r = c.get_query(
        "/google/accounts/o/oauth2/v2/auth",
        &[
            ("client_id", "g"),
            ("redirect_uri", REDIRECT),
            ("response_type", "token"),
            ("scope", "openid"),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ],
    );
    assert_eq!(
        r.location_param("error").as_deref(),
        Some("unsupported_response_type")
    );
}

#[test]
fn access_denied_by_parameter_or_knob_redirects_with_error_and_state() {
    let (_srv, c) = start();
    let r = google_authorize(&c, &[("error_simulation", "access_denied")]);
    assert_eq!(r.location_param("error").as_deref(), Some("access_denied"));
    assert_eq!(r.location_param("state").as_deref(), Some("st-123"));

    c.control("google/deny", json!({ "count": 1 }));
    let r = google_authorize(&c, &[]);
    assert_eq!(r.location_param("error").as_deref(), Some("access_denied"));
    let r = google_authorize(&c, &[]);
    assert!(r.location_param("code").is_some(), "the knob applies once");
}

#[test]
fn control_login_chooses_the_account_and_login_hint_overrides_it() {
    let (_srv, c) = start();
    c.control(
        "google/login",
        json!({ "email": "Grace@Example.com", "name": "Grace Hopper", "sub": "1234" }),
    );
    let code = google_authorize(&c, &[]).location_param("code").unwrap();
    let tok = google_token(&c, &code).json();
    let claims = jwt_payload(s(&tok, "/id_token"));
    assert_eq!(claims["email"], "grace@example.com");
    assert_eq!(claims["name"], "Grace Hopper");
    assert_eq!(claims["sub"], "1234");

    let tok = google_login(&c, "linus@example.com");
    assert_eq!(
        jwt_payload(s(&tok, "/id_token"))["email"],
        "linus@example.com"
    );
}

#[test]
fn google_refresh_then_revoke_ends_the_grant_and_is_recorded() {
    let (_srv, c) = start();
    let tok = google_login(&c, "ada@example.com");
    let rt = s(&tok, "/refresh_token").to_string();
    let refresh = |c: &Client| {
        c.post_form(
            "/google/oauth2/token",
            None,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", &rt),
                ("client_id", "google-client"),
                ("client_secret", "s"),
            ],
        )
    };
    let r = refresh(&c);
    assert_eq!(r.status, 200, "{}", r.text);
    let new = r.json();
    assert_ne!(new["access_token"], tok["access_token"]);
    assert!(
        new.get("refresh_token").is_none(),
        "Google keeps the same refresh token"
    );

    let r = c.post_form("/google/oauth2/revoke", None, &[("token", &rt)]);
    assert_eq!(r.status, 200);
    let r = refresh(&c);
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json(),
        json!({ "error": "invalid_grant", "error_description": "Token has been expired or revoked." })
    );
    // The access tokens of the grant die with it.
    let api = c.get(
        "/google/api/calendar/v3/users/me/calendarList",
        Some(s(&new, "/access_token")),
    );
    assert_eq!(api.status, 401);
    assert_eq!(api.json()["error"]["status"], "UNAUTHENTICATED");

    let revs = c.get("/_fake/revocations", None).json();
    assert_eq!(revs.as_array().unwrap().len(), 1);
    assert_eq!(revs[0]["kind"], "refresh_token");
    assert_eq!(revs[0]["email"], "ada@example.com");
    // Revoking again is an error, like Google.
    assert_eq!(
        c.post_form("/google/oauth2/revoke", None, &[("token", &rt)])
            .status,
        400
    );
    // After revocation the next consent yields a refresh token again.
    assert!(google_login(&c, "ada@example.com")["refresh_token"].is_string());
}

#[test]
fn token_lifetime_knob_forces_expiry_and_revoke_all_kills_refresh() {
    let (_srv, c) = start();
    c.control("google/token-lifetime", json!({ "seconds": 0 }));
    let tok = google_login(&c, "ada@example.com");
    assert_eq!(tok["expires_in"], 0);
    let api = c.get(
        "/google/api/calendar/v3/users/me/calendarList",
        Some(s(&tok, "/access_token")),
    );
    assert_eq!(api.status, 401);

    c.control("google/token-lifetime", json!({ "seconds": 3599 }));
    let rt = s(&tok, "/refresh_token");
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", rt),
        ("client_id", "google-client"),
        ("client_secret", "s"),
    ];
    let fresh = c.post_form("/google/oauth2/token", None, &form).json();
    let api = c.get(
        "/google/api/calendar/v3/users/me/calendarList",
        Some(s(&fresh, "/access_token")),
    );
    assert_eq!(api.status, 200);

    let out = c.control("google/revoke-all", json!({ "email": "ada@example.com" }));
    assert_eq!(out["grants_revoked"], 1);
    let r = c.post_form("/google/oauth2/token", None, &form);
    assert_eq!(r.json()["error"], "invalid_grant");
    assert_eq!(
        c.get(
            "/google/api/calendar/v3/users/me/calendarList",
            Some(s(&fresh, "/access_token"))
        )
        .status,
        401
    );
}

#[test]
fn microsoft_flow_profile_refresh_and_identity_error_shape() {
    let (_srv, c) = start();
    let tok = microsoft_login(&c, "megan@contoso.example");
    assert_eq!(tok["token_type"], "Bearer");
    assert!(tok["ext_expires_in"].is_number());
    assert!(tok["refresh_token"].is_string(), "offline_access asked");
    let claims = jwt_payload(s(&tok, "/id_token"));
    assert_eq!(claims["preferred_username"], "megan@contoso.example");
    assert_eq!(claims["aud"], "ms-client");

    let me = c.get("/microsoft/graph/v1.0/me", Some(s(&tok, "/access_token")));
    assert_eq!(me.status, 200);
    let me = me.json();
    assert_eq!(me["mail"], "megan@contoso.example");
    assert_eq!(me["userPrincipalName"], "megan@contoso.example");
    assert_eq!(me["id"], claims["oid"]);
    assert!(me["displayName"].is_string());

    let form = |rt: &str| {
        c.post_form(
            "/microsoft/login/common/oauth2/v2.0/token",
            None,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", rt),
                ("client_id", "ms-client"),
                ("client_secret", "x"),
                ("scope", "Calendars.ReadWrite offline_access"),
            ],
        )
    };
    let r = form(s(&tok, "/refresh_token"));
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.json()["refresh_token"].is_string());

    let bad = form("not-a-token");
    assert_eq!(bad.status, 400);
    let b = bad.json();
    assert_eq!(b["error"], "invalid_grant");
    assert!(b["error_codes"].as_array().is_some_and(|a| !a.is_empty()));
    for k in [
        "error_description",
        "trace_id",
        "correlation_id",
        "timestamp",
    ] {
        assert!(b[k].is_string(), "missing {k} in {b}");
    }
    assert!(s(&b, "/error_description").starts_with("AADSTS"));

    let unauth = c.get("/microsoft/graph/v1.0/me", Some("bogus"));
    assert_eq!(unauth.status, 401);
    assert_eq!(unauth.json()["error"]["code"], "InvalidAuthenticationToken");
}

#[test]
fn zoom_uses_basic_auth_and_rotates_refresh_tokens() {
    let (_srv, c) = start();
    let tok = zoom_login(&c, "host@example.com");
    assert_eq!(tok["token_type"], "bearer");
    let rt1 = s(&tok, "/refresh_token").to_string();
    let refresh = |rt: &str| {
        c.post_form(
            "/zoom/oauth/token",
            Some(("zoom-client", "zoom-secret")),
            &[("grant_type", "refresh_token"), ("refresh_token", rt)],
        )
    };
    let r = refresh(&rt1);
    assert_eq!(r.status, 200, "{}", r.text);
    let rt2 = s(&r.json(), "/refresh_token").to_string();
    assert_ne!(rt1, rt2, "each refresh returns a new refresh token");
    let old = refresh(&rt1);
    assert_eq!(old.status, 400, "the old refresh token is single use");
    assert_eq!(old.json()["error"], "invalid_grant");
    let r = refresh(&rt2);
    assert_eq!(r.status, 200);
    let rt3 = s(&r.json(), "/refresh_token").to_string();
    let at3 = s(&r.json(), "/access_token").to_string();

    // Form credentials are not enough for Zoom: Basic is required.
    let r = c.post_form(
        "/zoom/oauth/token",
        None,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &rt3),
            ("client_id", "zoom-client"),
            ("client_secret", "s"),
        ],
    );
    assert_eq!(r.status, 401);

    // Zoom revokes by the access token: a refresh token is an invalid token there, and the
    // grant lives on.
    let r = c.post_form(
        &format!("/zoom/oauth/revoke?token={rt3}"),
        Some(("zoom-client", "zoom-secret")),
        &[],
    );
    assert_eq!(r.status, 400, "{}", r.text);
    assert!(c.get("/_fake/revocations", None).json()[0].is_null());
    let r = c.post_form(
        &format!("/zoom/oauth/revoke?token={at3}"),
        Some(("zoom-client", "zoom-secret")),
        &[],
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["status"], "success");
    assert_eq!(refresh(&rt3).status, 400);
    let revs = c.get("/_fake/revocations", None).json();
    assert_eq!(revs[0]["provider"], "zoom");
}

#[test]
fn zoom_accepts_optional_pkce_and_checks_it_when_sent() {
    let (_srv, c) = start();
    let r = c.get_query(
        "/zoom/oauth/authorize",
        &[
            ("client_id", "zc"),
            ("redirect_uri", REDIRECT),
            ("response_type", "code"),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ],
    );
    let code = r.location_param("code").unwrap();
    let redeem = |v: &str| {
        c.post_form(
            "/zoom/oauth/token",
            Some(("zc", "secret")),
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT),
                ("code_verifier", v),
            ],
        )
    };
    assert_eq!(redeem("wrong-verifier").status, 400);
    assert_eq!(redeem(VERIFIER).status, 200);
}
