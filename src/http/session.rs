//! Signed-in hosts: the session cookie, [`require_host`], and the CSRF checks every
//! state-changing form of a signed-in host goes through.
//!
//! The cookie `__Host-openslot_session` holds a random 256-bit id; D1 keeps only its SHA-256 hash,
//! so a copy of the database signs nobody in. Each session has its own random CSRF secret,
//! which forms carry in a hidden `csrf` field; a POST must also not come from another site
//! (`Sec-Fetch-Site`, `Origin`, where the browser sends them).
//!
//! The host JSON API (`/api/v1/...`) also takes a personal API token, `Authorization: Bearer
//! os_…` ([`require_api_host`]). D1 keeps only the token's SHA-256 hash. Reads accept a session
//! cookie too; writes accept only a token, which a browser never sends on its own, so no
//! cross-site page can make a signed-in browser change anything through the API.

use worker::{Env, Request, Response};

use super::rate_limit::{spend_as, Budget, Client};

use crate::app::AppError;
use crate::app::Ctx;
use crate::crypto::digest::sha256_hex;
use crate::crypto::random_hex;
use crate::store::SessionHostRow;

/// The session cookie's name. Every cookie of ours has the `__Host-` prefix: browsers then
/// take it only with `Secure`, `Path=/` and no `Domain`, so no other host of the domain (and no
/// plain-HTTP page on the network) can set or overwrite it. Chromium and Firefox treat
/// `http://127.0.0.1` and `http://localhost` as secure, so it works in `make dev` too.
pub const SESSION_COOKIE: &str = "__Host-openslot_session";

/// How long a session lasts from sign-in.
pub const SESSION_SECONDS: i64 = 30 * 24 * 60 * 60;

/// The value of cookie `name` in the request, if any.
pub fn cookie(req: &Request, name: &str) -> Option<String> {
    let header = req.headers().get("Cookie").ok().flatten()?;
    header.split(';').find_map(|pair| {
        let (key, value) = pair.trim().split_once('=')?;
        (key == name && !value.is_empty()).then(|| value.to_owned())
    })
}

/// A `Set-Cookie` value: HttpOnly, Secure, SameSite=Lax and `Path=/` (which the `__Host-`
/// prefix of our names requires), always.
pub fn set_cookie(name: &str, value: &str, max_age: i64) -> String {
    debug_assert!(name.starts_with("__Host-"));
    format!("{name}={value}; Path=/; Max-Age={max_age}; HttpOnly; Secure; SameSite=Lax")
}

/// A `Set-Cookie` value that removes the cookie.
pub fn clear_cookie(name: &str) -> String {
    set_cookie(name, "", 0)
}

/// A signed-in host and their session.
pub struct SignedIn {
    pub host: SessionHostRow,
    /// Hash of the session id, to revoke it (empty when an API token authenticated).
    pub session_hash: String,
    /// The id of the personal API token that authenticated the request (its rate-limit key).
    pub api_token_id: Option<String>,
}

impl SignedIn {
    /// The token forms must carry back in their `csrf` field.
    pub fn csrf_token(&self) -> &str {
        &self.host.csrf_secret
    }
}

/// The host signed in with this request's session cookie, if the session is live.
pub async fn current_host(ctx: &Ctx, req: &Request) -> Result<Option<SignedIn>, AppError> {
    let Some(id) = cookie(req, SESSION_COOKIE) else {
        return Ok(None);
    };
    // Our ids are 64 hex digits; anything else cannot match and is not worth a query.
    if id.len() != 64 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let session_hash = sha256_hex(&id);
    let host = ctx
        .store
        .session_host(&session_hash, ctx.now.timestamp())
        .await?;
    Ok(host.map(|host| SignedIn {
        host,
        session_hash,
        api_token_id: None,
    }))
}

/// The signed-in host; otherwise pages redirect to the sign-in page and the API answers 401.
pub async fn require_host(ctx: &Ctx, req: &Request) -> Result<SignedIn, AppError> {
    current_host(ctx, req)
        .await?
        .ok_or_else(|| AppError::Unauthorized("Please sign in to continue.".into()))
}

/// What an API call does: reads take a session cookie or a token, writes only a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiAccess {
    Read,
    Write,
}

/// Every personal API token starts with this, so it is recognisable in a leaked file.
pub const API_TOKEN_PREFIX: &str = "os_";

/// Whether `text` looks like one of our API tokens: `os_` and 43 base64url characters.
pub fn is_api_token(text: &str) -> bool {
    text.strip_prefix(API_TOKEN_PREFIX).is_some_and(|rest| {
        rest.len() == 43
            && rest
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

/// The host an API call acts for: the `Authorization: Bearer` token's host when the header is
/// there (an unknown, malformed or revoked token is a 401, never a fall-back to the cookie),
/// otherwise, for reads only, the session cookie's host.
pub async fn require_api_host(
    ctx: &Ctx,
    req: &Request,
    access: ApiAccess,
) -> Result<SignedIn, AppError> {
    let header = req.headers().get("Authorization").ok().flatten();
    let Some(header) = header else {
        return match access {
            ApiAccess::Read => require_host(ctx, req).await,
            ApiAccess::Write => Err(AppError::Unauthorized(
                "Send a personal API token as `Authorization: Bearer os_…` (create one in the \
                 dashboard under API tokens)."
                    .into(),
            )),
        };
    };
    let refused = || AppError::Unauthorized("This API token is not valid or was revoked.".into());
    let (scheme, token) = header.trim().split_once(' ').ok_or_else(refused)?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || !is_api_token(token) {
        return Err(refused());
    }
    let (host, token_id) = ctx
        .store
        .api_token_host(&sha256_hex(token), ctx.now.timestamp())
        .await?
        .ok_or_else(refused)?;
    Ok(SignedIn {
        host,
        session_hash: String::new(),
        api_token_id: Some(token_id),
    })
}

/// Starts a session for `host_id` and returns the `Set-Cookie` value that carries it.
pub async fn start_session(ctx: &Ctx, host_id: &str) -> Result<String, AppError> {
    let now = ctx.now.timestamp();
    // Housekeeping while we are here: dead sessions are of no use to anyone.
    ctx.store.purge_dead_sessions(now).await?;
    let id = random_hex::<32>();
    let csrf_secret = random_hex::<32>();
    ctx.store
        .create_session(
            &sha256_hex(&id),
            host_id,
            &csrf_secret,
            now,
            now + SESSION_SECONDS,
        )
        .await?;
    Ok(set_cookie(SESSION_COOKIE, &id, SESSION_SECONDS))
}

/// Whether a POST came from one of our own pages (`own`: our origins), by the headers browsers
/// add. `Origin: null` is what Chromium sends with every form POST from a page served with
/// `Referrer-Policy: no-referrer`, as all of ours are: it tells nothing, so then the browser's
/// own `Sec-Fetch-Site` (which no page can set) decides, and a `null` without it is refused.
pub fn sent_from_own_site(fetch_site: Option<&str>, origin: Option<&str>, own: &[&str]) -> bool {
    if let Some(site) = fetch_site {
        if !matches!(site, "same-origin" | "none") {
            return false;
        }
    }
    match origin {
        None => true,
        Some("null") => fetch_site.is_some(),
        Some(origin) => own.contains(&origin),
    }
}

/// Refuses a POST sent from another site, by the headers browsers add.
pub fn check_same_origin(ctx: &Ctx, req: &Request) -> Result<(), AppError> {
    let header = |name: &str| req.headers().get(name).ok().flatten();
    let own = req
        .url()
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default();
    let (site, origin) = (header("Sec-Fetch-Site"), header("Origin"));
    if sent_from_own_site(
        site.as_deref(),
        origin.as_deref(),
        &[own.as_str(), ctx.origin.as_str()],
    ) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "This form was sent from another website, so we did not act on it.".into(),
        ))
    }
}

/// Checks a signed-in host's form: same origin, and the session's CSRF token in `csrf`.
pub fn check_form(
    ctx: &Ctx,
    req: &Request,
    signed_in: &SignedIn,
    pairs: &[(String, String)],
) -> Result<(), AppError> {
    check_same_origin(ctx, req)?;
    let sent = super::request::field(pairs, "csrf").unwrap_or_default();
    // Compare digests, not the secrets, so the comparison's timing tells nothing.
    if sent.is_empty() || sha256_hex(sent) != sha256_hex(signed_in.csrf_token()) {
        return Err(AppError::Forbidden(
            "This form has expired or did not come from your Openslot page. Go back, reload \
             the page and try again."
                .into(),
        ));
    }
    Ok(())
}

/// A redirect to `location` (a path on this site or a full URL) with `status`.
pub fn redirect(location: &str, status: u16) -> Result<Response, AppError> {
    let mut response = Response::empty()?.with_status(status);
    response.headers_mut().set("Location", location)?;
    Ok(response)
}

/// Authenticates an API call and spends its rate-limit budget: a valid token spends its own
/// budget ([`Budget::HostApiToken`]), anything else (no token, a bad one, a session cookie) the
/// client IP's ([`Budget::HostApiIp`]). A bad token is checked before it is refused, so guessing
/// tokens costs the guesser's IP budget, never a real token's.
pub async fn authorize(
    ctx: &Ctx,
    env: &Env,
    req: &Request,
    access: ApiAccess,
) -> Result<SignedIn, AppError> {
    let has_token = req.headers().has("Authorization").unwrap_or(false);
    if !has_token {
        spend_as(env, Client::Ip(req), Budget::HostApiIp).await?;
        return require_api_host(ctx, req, access).await;
    }
    match require_api_host(ctx, req, access).await {
        Ok(signed_in) => {
            match &signed_in.api_token_id {
                Some(id) => spend_as(env, Client::ApiToken(id), Budget::HostApiToken).await?,
                None => spend_as(env, Client::Ip(req), Budget::HostApiIp).await?,
            }
            Ok(signed_in)
        }
        Err(error) => {
            spend_as(env, Client::Ip(req), Budget::HostApiIp).await?;
            Err(error)
        }
    }
}
