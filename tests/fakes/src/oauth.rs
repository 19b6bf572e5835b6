//! OAuth 2.0 authorization-code flow with PKCE, refresh and revocation, shared by
//! Google, Microsoft and Zoom; each provider's quirks are explicit branches here.
//!
//! Sources for the shapes: Google identity docs (`/o/oauth2/v2/auth`, token JSON,
//! `refresh_token` only on first consent with `access_type=offline`, `invalid_grant`
//! body, `/revoke`); Microsoft identity platform v2.0 docs (token JSON with
//! `ext_expires_in`; error body `error`, `error_description`, `error_codes`,
//! `timestamp`, `trace_id`, `correlation_id`); Zoom OAuth docs (Basic client auth,
//! `token_type: "bearer"`, refresh tokens rotate and are single use).
//! AADSTS numbers are representative, not exhaustive.
//!
//! id_tokens are JWTs with header `{"alg":"RS256","kid":"openslot-fakes"}` and a
//! FIXED DUMMY SIGNATURE: they cannot be verified, only decoded. Clients must take
//! identity from the token endpoint response over TLS (as Google permits) rather
//! than verifying signatures against these fakes.

use crate::http::{field, with_query, Req, Resp};
use crate::ids;
use crate::state::{AuthCode, Grant, IssuedToken, Provider, State, CODE_LIFETIME};
use crate::time;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

/// The fixed tenant id put in Microsoft id_tokens.
pub const MICROSOFT_TENANT_ID: &str = "00000000-0000-4000-a000-0000000f4ce5";

/// An identity-endpoint error in the provider's own body shape.
pub fn identity_error(p: Provider, status: u16, error: &str, description: &str, code: u32) -> Resp {
    let body = match p {
        Provider::Google => json!({ "error": error, "error_description": description }),
        Provider::Microsoft => {
            let now = time::now();
            let (trace, corr) = (ids::uuid(), ids::uuid());
            let ts = time::identity_timestamp(now);
            json!({
                "error": error,
                "error_description": format!(
                    "AADSTS{code}: {description}\r\nTrace ID: {trace}\r\nCorrelation ID: {corr}\r\nTimestamp: {ts}"
                ),
                "error_codes": [code],
                "timestamp": ts,
                "trace_id": trace,
                "correlation_id": corr,
                "error_uri": format!("https://login.microsoftonline.com/error?code={code}"),
            })
        }
        Provider::Zoom => json!({ "reason": description, "error": error }),
    };
    Resp::json(status, &body)
        .with_header("Cache-Control", "no-store")
        .with_header("Pragma", "no-cache")
}

fn error_page(p: Provider, message: &str) -> Resp {
    Resp::html(
        400,
        format!(
            "<!doctype html><title>Error 400: invalid_request</title><h1>{} sign-in error</h1><p>Error 400: invalid_request</p><p>{}</p>",
            p.as_str(),
            crate::http::escape_html(message)
        ),
    )
}

fn redirect_error(redirect_uri: &str, state: Option<&str>, error: &str, description: &str) -> Resp {
    let mut params = vec![("error", error), ("error_description", description)];
    if let Some(s) = state {
        params.push(("state", s));
    }
    Resp::redirect(&with_query(redirect_uri, &params))
}

/// `GET` authorize: validates like the provider, auto-consents and redirects with a code.
pub fn authorize(st: &mut State, p: Provider, req: &Req) -> Resp {
    let client_id = req.q("client_id").unwrap_or("").trim();
    let redirect_uri = req.q("redirect_uri").unwrap_or("").trim();
    if client_id.is_empty() {
        return error_page(p, "Missing required parameter: client_id");
    }
    if redirect_uri.is_empty() {
        return error_page(p, "Missing required parameter: redirect_uri");
    }
    let state = req.q("state");
    if req.q("response_type") != Some("code") {
        return redirect_error(
            redirect_uri,
            state,
            "unsupported_response_type",
            "response_type must be code",
        );
    }
    let mut scope = req.q("scope").unwrap_or("").trim().to_string();
    if scope.is_empty() {
        if p == Provider::Zoom {
            // Zoom takes scopes from the app's configuration; the parameter is optional.
            scope = "meeting:write user:read".into();
        } else {
            return redirect_error(
                redirect_uri,
                state,
                "invalid_request",
                "Missing required parameter: scope",
            );
        }
    }
    let challenge = req.q("code_challenge").filter(|c| !c.is_empty());
    let method = req.q("code_challenge_method");
    match (p, challenge, method) {
        (Provider::Zoom, None, _) => {}
        (Provider::Zoom, Some(_), None | Some("S256") | Some("plain")) => {}
        (_, Some(_), Some("S256")) => {}
        _ => {
            return redirect_error(
                redirect_uri,
                state,
                "invalid_request",
                "PKCE is required: code_challenge with code_challenge_method=S256",
            )
        }
    }
    if req.q("error_simulation") == Some("access_denied") || st.take_deny(p) {
        let description = match p {
            Provider::Microsoft => "AADSTS65004: User declined to consent to access the app.",
            _ => "The user denied access",
        };
        return redirect_error(redirect_uri, state, "access_denied", description);
    }
    let email = match req.q("login_hint").filter(|h| h.contains('@')) {
        Some(h) => st.ensure_account(p, h, None, None).email.clone(),
        None => st.current_login(p),
    };
    // What the person left ticked: Google's granular consent screen lets them untick any
    // non-sign-in scope, and the token answer's `scope` then lists only what was granted
    // (developers.google.com/identity/protocols/oauth2/resources/granular-permissions);
    // RFC 6749 §5.1 has `scope` in the answer whenever it differs from the request.
    let withheld = st
        .account(p, &email)
        .map(|a| a.withheld_scopes.clone())
        .unwrap_or_default();
    let scope = scope
        .split_whitespace()
        .filter(|s| !withheld.iter().any(|w| w == s))
        .collect::<Vec<_>>()
        .join(" ");
    let consent_key = format!("{} {client_id} {email}", p.as_str());
    let first_consent = st.consents.insert(consent_key);
    let issue_refresh = match p {
        Provider::Google => {
            req.q("access_type") == Some("offline")
                && (first_consent || req.q("prompt").is_some_and(|v| v.contains("consent")))
        }
        Provider::Microsoft => scope.split_whitespace().any(|s| s == "offline_access"),
        Provider::Zoom => true,
    };
    let code = match p {
        Provider::Google => ids::token("4/0A", 48),
        Provider::Microsoft => ids::token("M.C5_BAY.2.U.", 48),
        Provider::Zoom => ids::token("", 24),
    };
    st.codes.push(AuthCode {
        code: code.clone(),
        provider: p,
        client_id: client_id.to_string(),
        redirect_uri: redirect_uri.to_string(),
        scope: scope.clone(),
        email,
        code_challenge: challenge.map(str::to_string),
        code_challenge_method: challenge.map(|_| method.unwrap_or("plain").to_string()),
        nonce: req.q("nonce").map(str::to_string),
        issue_refresh,
        issued_at: time::now(),
        used: false,
    });
    let mut params = vec![("code", code.as_str())];
    if let Some(s) = state {
        params.push(("state", s));
    }
    if p == Provider::Google {
        params.push(("scope", scope.as_str()));
    }
    Resp::redirect(&with_query(redirect_uri, &params))
}

/// base64url (no padding) of SHA-256 of the verifier: RFC 7636 S256.
pub fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn client_credentials(
    p: Provider,
    req: &Req,
    form: &[(String, String)],
) -> Option<(String, String)> {
    let basic = req.basic();
    let from_form = || {
        Some((
            field(form, "client_id")?.to_string(),
            field(form, "client_secret")?.to_string(),
        ))
    };
    let creds = match p {
        Provider::Zoom => basic,
        Provider::Google | Provider::Microsoft => from_form().or(basic),
    }?;
    (!creds.0.trim().is_empty() && !creds.1.trim().is_empty()).then_some(creds)
}

fn id_token(st: &State, p: Provider, client_id: &str, email: &str, nonce: Option<&str>) -> String {
    let now = time::now();
    let acct = st.account(p, email);
    let name = acct.map(|a| a.name.clone()).unwrap_or_default();
    let sub = acct.map(|a| a.sub.clone()).unwrap_or_default();
    let mut claims = match p {
        Provider::Microsoft => json!({
            "iss": format!("https://login.microsoftonline.com/{MICROSOFT_TENANT_ID}/v2.0"),
            "aud": client_id, "sub": sub, "oid": sub, "tid": MICROSOFT_TENANT_ID,
            "email": email, "preferred_username": email, "name": name,
            "iat": now, "nbf": now, "exp": now + 3600, "ver": "2.0",
        }),
        _ => json!({
            "iss": "https://accounts.google.com", "azp": client_id,
            "aud": client_id, "sub": sub, "email": email, "email_verified": true,
            "name": name, "iat": now, "exp": now + 3600,
        }),
    };
    if let Some(n) = nonce {
        claims["nonce"] = json!(n);
    }
    let header = json!({ "alg": "RS256", "kid": "openslot-fakes", "typ": "JWT" });
    let enc = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
    format!(
        "{}.{}.{}",
        enc(&header),
        enc(&claims),
        URL_SAFE_NO_PAD.encode(b"openslot-fakes-dummy-signature-not-verifiable")
    )
}

fn issue_access(
    st: &mut State,
    p: Provider,
    grant_id: u64,
    email: &str,
    client: &str,
    scope: &str,
) -> (String, u64) {
    let lifetime = st.token_lifetime(p);
    let token = match p {
        Provider::Google => ids::token("ya29.a0", 64),
        Provider::Microsoft => ids::token("EwB4A8l6BAAU", 96),
        Provider::Zoom => ids::token("eyJzdiI6IjAwMDAwMSIsImFsZyI6IkhTNTEyIn0.", 96),
    };
    let now = time::now();
    st.tokens.push(IssuedToken {
        access_token: token.clone(),
        provider: p,
        email: email.to_string(),
        client_id: client.to_string(),
        scope: scope.to_string(),
        grant_id,
        issued_at: now,
        expires_at: now + lifetime as i64,
        revoked: false,
    });
    (token, lifetime)
}

fn new_refresh(p: Provider) -> String {
    match p {
        Provider::Google => ids::token("1//0g", 64),
        Provider::Microsoft => ids::token("M.C5_BAY.0.U.-", 96),
        Provider::Zoom => ids::token("eyJzdiI6IjAwMDAwMSIsImFsZyI6IkhTNTEyIn0.r", 96),
    }
}

#[allow(clippy::too_many_arguments)]
fn token_response(
    st: &State,
    p: Provider,
    access: &str,
    lifetime: u64,
    scope: &str,
    refresh: Option<&str>,
    client: &str,
    email: &str,
    nonce: Option<&str>,
) -> Resp {
    let mut body = Map::new();
    body.insert("access_token".into(), json!(access));
    body.insert(
        "token_type".into(),
        // Zoom documents lowercase "bearer"; Google and Microsoft send "Bearer".
        json!(if p == Provider::Zoom {
            "bearer"
        } else {
            "Bearer"
        }),
    );
    body.insert("expires_in".into(), json!(lifetime));
    if p == Provider::Microsoft {
        body.insert("ext_expires_in".into(), json!(lifetime));
    }
    body.insert("scope".into(), json!(scope));
    if let Some(r) = refresh {
        body.insert("refresh_token".into(), json!(r));
    }
    if p != Provider::Zoom && scope.split_whitespace().any(|s| s == "openid") {
        body.insert(
            "id_token".into(),
            json!(id_token(st, p, client, email, nonce)),
        );
    }
    Resp::json(200, &Value::Object(body))
        .with_header("Cache-Control", "no-store")
        .with_header("Pragma", "no-cache")
}

/// `POST` token: `authorization_code` and `refresh_token` grants.
pub fn token(st: &mut State, p: Provider, req: &Req) -> Resp {
    let form = req.form();
    let Some((client_id, _secret)) = client_credentials(p, req, &form) else {
        return match p {
            Provider::Microsoft => identity_error(
                p,
                401,
                "invalid_client",
                "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
                7_000_218,
            ),
            Provider::Zoom => identity_error(p, 401, "invalid_client", "Invalid client_id or client_secret", 0),
            Provider::Google => identity_error(p, 401, "invalid_client", "Unauthorized", 0),
        };
    };
    match field(&form, "grant_type") {
        Some("authorization_code") => redeem_code(st, p, &form, &client_id),
        Some("refresh_token") => refresh(st, p, &form, &client_id),
        Some(other) => identity_error(
            p,
            400,
            "unsupported_grant_type",
            &format!("Invalid grant_type: {other}"),
            70_003,
        ),
        None => identity_error(
            p,
            400,
            "invalid_request",
            "Missing required parameter: grant_type",
            900_144,
        ),
    }
}

fn redeem_code(st: &mut State, p: Provider, form: &[(String, String)], client_id: &str) -> Resp {
    let code = field(form, "code").unwrap_or("");
    let bad = |d: &str, n: u32| identity_error(p, 400, "invalid_grant", d, n);
    let Some(i) = st
        .codes
        .iter()
        .position(|c| c.provider == p && c.code == code && !code.is_empty())
    else {
        return bad("Malformed auth code.", 9_002_313);
    };
    let c = st.codes[i].clone();
    if c.used {
        return bad("The authorization code has already been redeemed.", 54_005);
    }
    if time::now() - c.issued_at > CODE_LIFETIME {
        return bad("The authorization code has expired.", 70_008);
    }
    if c.client_id != client_id {
        return identity_error(
            p,
            400,
            "invalid_grant",
            "The authorization code was issued to another client.",
            700_005,
        );
    }
    if field(form, "redirect_uri") != Some(c.redirect_uri.as_str()) {
        return match p {
            Provider::Google => identity_error(p, 400, "redirect_uri_mismatch", "Bad Request", 0),
            _ => bad(
                "The redirect_uri does not match the one used to obtain the code.",
                500_112,
            ),
        };
    }
    if let Some(challenge) = &c.code_challenge {
        let verifier = field(form, "code_verifier").unwrap_or("");
        let ok = match c.code_challenge_method.as_deref() {
            Some("plain") => verifier == challenge,
            _ => !verifier.is_empty() && s256(verifier) == *challenge,
        };
        if verifier.is_empty() {
            return bad("Missing code verifier.", 50_148);
        }
        if !ok {
            return bad(
                "The code_verifier does not match the code_challenge supplied in the authorization request for PKCE.",
                50_148,
            );
        }
    }
    st.codes[i].used = true;
    let grant_id = st.grants.len() as u64 + 1;
    let refresh = c.issue_refresh.then(|| new_refresh(p));
    st.grants.push(Grant {
        id: grant_id,
        provider: p,
        client_id: c.client_id.clone(),
        email: c.email.clone(),
        scope: c.scope.clone(),
        refresh_tokens: refresh.iter().cloned().collect(),
        retired_refresh_tokens: Vec::new(),
        revoked: false,
    });
    let (access, lifetime) = issue_access(st, p, grant_id, &c.email, &c.client_id, &c.scope);
    token_response(
        st,
        p,
        &access,
        lifetime,
        &c.scope,
        refresh.as_deref(),
        &c.client_id,
        &c.email,
        c.nonce.as_deref(),
    )
}

fn refresh(st: &mut State, p: Provider, form: &[(String, String)], client_id: &str) -> Resp {
    let rt = field(form, "refresh_token").unwrap_or("");
    let revoked = || match p {
        Provider::Google => identity_error(
            p,
            400,
            "invalid_grant",
            "Token has been expired or revoked.",
            0,
        ),
        Provider::Microsoft => identity_error(
            p,
            400,
            "invalid_grant",
            "The refresh token has been revoked or has expired.",
            70_000,
        ),
        Provider::Zoom => identity_error(p, 400, "invalid_grant", "Invalid Token!", 0),
    };
    let Some(gi) = st.grants.iter().position(|g| {
        g.provider == p && !rt.is_empty() && g.refresh_tokens.iter().any(|r| r == rt)
    }) else {
        return revoked();
    };
    if st.grants[gi].revoked {
        return revoked();
    }
    if st.grants[gi].client_id != client_id {
        return identity_error(p, 400, "unauthorized_client", "Unauthorized", 700_005);
    }
    let new_rt = match p {
        Provider::Google => None,
        Provider::Microsoft => {
            let r = new_refresh(p);
            st.grants[gi].refresh_tokens.push(r.clone());
            Some(r)
        }
        Provider::Zoom => {
            let r = new_refresh(p);
            let g = &mut st.grants[gi];
            let old = std::mem::replace(&mut g.refresh_tokens, vec![r.clone()]);
            g.retired_refresh_tokens.extend(old);
            Some(r)
        }
    };
    let g = st.grants[gi].clone();
    let (access, lifetime) = issue_access(st, p, g.id, &g.email, &g.client_id, &g.scope);
    token_response(
        st,
        p,
        &access,
        lifetime,
        &g.scope,
        new_rt.as_deref(),
        &g.client_id,
        &g.email,
        None,
    )
}

/// Revokes the grant behind an access or refresh token; `None` when the token is unknown.
pub fn revoke_token(st: &mut State, p: Provider, token: &str) -> Option<()> {
    if token.is_empty() {
        return None;
    }
    if let Some(g) = st
        .grants
        .iter()
        .find(|g| g.provider == p && !g.revoked && g.refresh_tokens.iter().any(|r| r == token))
    {
        let id = g.id;
        st.revoke_grant(id, "refresh_token");
        return Some(());
    }
    let id = st
        .tokens
        .iter()
        .find(|t| t.provider == p && !t.revoked && t.access_token == token)?
        .grant_id;
    st.revoke_grant(id, "access_token");
    Some(())
}
