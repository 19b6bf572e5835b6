//! Signing in and out: `/auth/signin`, `/auth/{provider}/start`, `/auth/{provider}/callback`
//! and `POST /auth/signout`.
//!
//! A sign-in's `state` and PKCE verifier wait in D1 (`oauth_states`, hashed state, ten
//! minutes, single use), bound to the browser that started it by a nonce in a short-lived
//! cookie whose hash is stored with the state. The identity comes from the provider's
//! userinfo endpoint (see `providers::identity`), never from the browser. The first sign-in
//! creates the host if the instance's sign-up policy admits the address.

use askama::Template;
use worker::{Request, Response};

use super::request::{field, form, query};
use super::session::{
    check_form, clear_cookie, cookie, current_host, redirect, require_host, set_cookie,
    start_session, SESSION_COOKIE,
};
use crate::app::AppError;
use crate::app::Ctx;
use crate::config::OAuthClient;
use crate::core::signup::{slug_base, unique_slug};
use crate::core::types::{PersonName, TimeZoneName};
use crate::crypto::digest::sha256_hex;
use crate::crypto::random_hex;
use crate::providers::fetch::fetch;
use crate::providers::identity::{self, Identity, IdentityError, IdentityProvider};
use crate::store::{HostCreation, NewHost, NewOAuthState};

/// The cookie that ties a sign-in under way to this browser (`Path=/`, as `__Host-` requires).
const SIGN_IN_COOKIE: &str = "__Host-openslot_signin";
/// How long a sign-in may take at the provider.
const SIGN_IN_SECONDS: i64 = 10 * 60;
/// How long an expired sign-in is kept, so a late callback is told "expired", not "unknown".
const EXPIRED_SIGN_IN_KEPT_SECONDS: i64 = 60 * 60;

#[derive(Template)]
#[template(path = "signin.html")]
struct SignInPage {
    /// `(path name, label)` of each provider this instance has a client for.
    providers: Vec<(&'static str, &'static str)>,
    notice: Option<String>,
}

fn sign_in_page(ctx: &Ctx, notice: Option<String>) -> Result<Response, AppError> {
    let providers = IdentityProvider::ALL
        .into_iter()
        .filter(|p| registration(ctx, *p).is_some())
        .map(|p| (p.as_str(), p.label()))
        .collect();
    Ok(Response::from_html(
        SignInPage { providers, notice }.render()?,
    )?)
}

fn registration(ctx: &Ctx, provider: IdentityProvider) -> Option<&OAuthClient> {
    match provider {
        IdentityProvider::Google => ctx.config.google_client.as_ref(),
        IdentityProvider::Microsoft => ctx.config.microsoft_client.as_ref(),
    }
}

/// The provider named in the path, if this instance can sign in with it.
fn configured(ctx: &Ctx, name: &str) -> Result<(IdentityProvider, OAuthClient), AppError> {
    let provider = IdentityProvider::parse(name)
        .ok_or_else(|| AppError::NotFound("There is nothing at this address.".into()))?;
    let client = registration(ctx, provider).cloned().ok_or_else(|| {
        AppError::NotFound(format!(
            "Signing in with {} is not set up on this Openslot.",
            provider.label()
        ))
    })?;
    Ok((provider, client))
}

fn redirect_uri(ctx: &Ctx, provider: IdentityProvider) -> String {
    format!("{}/auth/{}/callback", ctx.origin, provider.as_str())
}

/// `GET /auth/signin`: one button per configured provider (already signed in: the dashboard).
pub async fn sign_in(ctx: &Ctx, req: &Request) -> Result<Response, AppError> {
    if current_host(ctx, req).await?.is_some() {
        return redirect("/dashboard", 303);
    }
    sign_in_page(ctx, None)
}

/// `GET /auth/{provider}/start`: remembers a fresh state and verifier, sends the browser on.
pub async fn start(ctx: &Ctx, req: &Request, provider_name: &str) -> Result<Response, AppError> {
    let (provider, client) = configured(ctx, provider_name)?;
    let pairs = query(req)?;
    let time_zone = field(&pairs, "tz")
        .and_then(|tz| TimeZoneName::parse(tz).ok())
        .map(TimeZoneName::name);
    let now = ctx.now.timestamp();
    ctx.store
        .purge_expired_oauth_states(now - EXPIRED_SIGN_IN_KEPT_SECONDS)
        .await?;
    let state = random_hex::<32>();
    let verifier = random_hex::<32>();
    let nonce = random_hex::<32>();
    ctx.store
        .save_oauth_state(&NewOAuthState {
            state_hash: &sha256_hex(&state),
            provider: provider.as_str(),
            pkce_verifier: &verifier,
            browser_hash: &sha256_hex(&nonce),
            time_zone,
            created_at: now,
            expires_at: now + SIGN_IN_SECONDS,
        })
        .await?;
    let url = identity::authorize_url(
        provider,
        &ctx.config.services,
        &client,
        &redirect_uri(ctx, provider),
        &state,
        &verifier,
    )
    .map_err(|e| AppError::Internal(e.to_string()))?;
    let mut response = redirect(&url, 302)?;
    response.headers_mut().append(
        "Set-Cookie",
        &set_cookie(SIGN_IN_COOKIE, &nonce, SIGN_IN_SECONDS),
    )?;
    Ok(response)
}

/// `GET /auth/{provider}/callback?code&state`: checks the state, reads the identity, signs in.
pub async fn callback(ctx: &Ctx, req: &Request, provider_name: &str) -> Result<Response, AppError> {
    let (provider, client) = configured(ctx, provider_name)?;
    let pairs = query(req)?;
    let state = field(&pairs, "state").filter(|s| !s.is_empty());
    if let Some(error) = field(&pairs, "error") {
        // Whatever happened, this state is spent.
        if let Some(state) = state {
            ctx.store.take_oauth_state(&sha256_hex(state)).await?;
        }
        if error == "access_denied" {
            let notice = format!(
                "Signing in with {} was cancelled, so nothing was shared with Openslot. \
                 You can try again, or choose another account.",
                provider.label()
            );
            let mut response = sign_in_page(ctx, Some(notice))?;
            response
                .headers_mut()
                .append("Set-Cookie", &clear_cookie(SIGN_IN_COOKIE))?;
            return Ok(response);
        }
        return Err(AppError::BadRequest(format!(
            "{} could not sign you in (it said '{error}'). Please try again.",
            provider.label()
        )));
    }
    let start_again = |why: &str| {
        AppError::BadRequest(format!(
            "{why} Please go back to the sign-in page and start again."
        ))
    };
    let (Some(state), Some(code)) = (state, field(&pairs, "code").filter(|c| !c.is_empty())) else {
        return Err(start_again("This sign-in link is incomplete."));
    };
    let pending = ctx
        .store
        .take_oauth_state(&sha256_hex(state))
        .await?
        .filter(|p| p.provider == provider)
        .ok_or_else(|| start_again("This sign-in link is unknown or was already used."))?;
    if pending.expires_at <= ctx.now.timestamp() {
        return Err(start_again("This sign-in took too long and expired."));
    }
    let same_browser =
        cookie(req, SIGN_IN_COOKIE).is_some_and(|nonce| sha256_hex(&nonce) == pending.browser_hash);
    if !same_browser {
        return Err(start_again(
            "This sign-in was started in another browser (or its cookie was lost).",
        ));
    }
    let identity = identity::identify(
        provider,
        &ctx.config.services,
        &client,
        &redirect_uri(ctx, provider),
        code,
        &pending.pkce_verifier,
        &fetch,
    )
    .await
    .map_err(|error| identity_failure(provider, error))?;
    let (host_id, created) =
        find_or_create_host(ctx, provider, &identity, pending.time_zone).await?;
    let session_cookie = start_session(ctx, &host_id).await?;
    // A host this sign-in created is led through onboarding; everyone else goes home.
    let landing = if created {
        super::dashboard_nav::FIRST_STEP
    } else {
        "/dashboard"
    };
    let mut response = redirect(landing, 303)?;
    let headers = response.headers_mut();
    headers.append("Set-Cookie", &clear_cookie(SIGN_IN_COOKIE))?;
    headers.append("Set-Cookie", &session_cookie)?;
    Ok(response)
}

fn identity_failure(provider: IdentityProvider, error: IdentityError) -> AppError {
    let label = provider.label();
    match error {
        IdentityError::Refused(_) => AppError::BadRequest(format!(
            "{label} did not accept this sign-in (it may have been used already). Please start again."
        )),
        IdentityError::Unusable(what) => AppError::BadRequest(format!(
            "Your {label} account did not share {what}, which Openslot needs to sign you in."
        )),
        IdentityError::Unreachable(cause) => {
            worker::console_warn!("sign-in with {label}: {cause}");
            AppError::Unavailable(format!(
                "We could not reach {label} just now. Please try again in a moment."
            ))
        }
        IdentityError::Endpoint(cause) => AppError::Internal(format!("sign-in with {label}: {cause}")),
    }
}

/// The host this identity signs into, created on a first sign-in if the policy allows, and
/// whether this sign-in created it.
async fn find_or_create_host(
    ctx: &Ctx,
    provider: IdentityProvider,
    identity: &Identity,
    time_zone: Option<String>,
) -> Result<(String, bool), AppError> {
    let store = &ctx.store;
    let now = ctx.now.timestamp();
    if let Some(host_id) = store
        .host_by_identity(provider.as_str(), &identity.subject)
        .await?
    {
        return Ok((host_id, false));
    }
    let email = identity.email.as_str();
    let unconfirmed = || {
        AppError::Forbidden(format!(
            "{} does not confirm that {email} belongs to this account, so Openslot cannot \
             use it. Sign in with an account whose address is confirmed.",
            provider.label()
        ))
    };
    let link = |host_id: String| async move {
        store
            .add_host_identity(&host_id, provider.as_str(), &identity.subject, email, now)
            .await?;
        Ok::<_, AppError>((host_id, false))
    };
    if let Some(host_id) = store.host_by_email(email).await? {
        return if identity.email_verified {
            link(host_id).await
        } else {
            Err(unconfirmed())
        };
    }
    if !identity.email_verified {
        return Err(unconfirmed());
    }
    if !ctx.config.signup_policy.admits(&identity.email) {
        return Err(AppError::Forbidden(format!(
            "This Openslot is not taking new hosts, and {email} is not on its list. \
             Ask the person who runs it to let you in."
        )));
    }
    let name = identity
        .name
        .clone()
        .or_else(|| PersonName::parse(&slug_base(&identity.email)).ok())
        .map_or_else(|| "Host".to_owned(), |n| n.as_str().to_owned());
    let time_zone = time_zone.unwrap_or_else(|| "UTC".to_owned());
    let base = slug_base(&identity.email);
    // Another sign-in may take the chosen slug first: choose again a few times.
    for _ in 0..3 {
        let taken = store.host_slugs_like(&base).await?;
        let slug = unique_slug(&base, &taken);
        let id = random_hex::<16>();
        let outcome = store
            .create_host(&NewHost {
                id: &id,
                slug: slug.as_str(),
                name: &name,
                email,
                time_zone: &time_zone,
                provider: provider.as_str(),
                subject: &identity.subject,
                created_at: now,
            })
            .await?;
        match outcome {
            HostCreation::Created => return Ok((id, true)),
            HostCreation::SlugTaken => continue,
            // The same person finished a second sign-in at the same moment.
            HostCreation::EmailTaken => {
                let host_id = store
                    .host_by_email(email)
                    .await?
                    .ok_or_else(|| AppError::Internal("host email taken but not found".into()))?;
                return link(host_id).await;
            }
        }
    }
    Err(AppError::Unavailable(
        "We are busy for a moment. Please try again in a few seconds.".into(),
    ))
}

/// `POST /auth/signout`: revokes the session and forgets the cookie.
pub async fn sign_out(ctx: &Ctx, req: &mut Request) -> Result<Response, AppError> {
    let signed_in = require_host(ctx, req).await?;
    let pairs = form(req).await?;
    check_form(ctx, req, &signed_in, &pairs)?;
    ctx.store
        .revoke_session(&signed_in.session_hash, ctx.now.timestamp())
        .await?;
    let mut response = redirect("/auth/signin", 303)?;
    response
        .headers_mut()
        .append("Set-Cookie", &clear_cookie(SESSION_COOKIE))?;
    Ok(response)
}
