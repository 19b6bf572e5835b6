//! `/dashboard/api-tokens`: a host's personal API tokens for the JSON API. A new token's secret
//! is in the one response that creates it and nowhere else: D1 keeps only its SHA-256 hash,
//! and the list shows names and dates. Creating and revoking are CSRF-checked forms.

use super::dashboard_nav::ConnectionAlert;
use askama::Template;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::DateTime;
use worker::{Request, Response};

use super::request::{field, form};
use super::session::{check_form, redirect, require_host, SignedIn, API_TOKEN_PREFIX};
use crate::app::AppError;
use crate::app::Ctx;
use crate::core::booking::FieldErrors;
use crate::core::types::FieldError;
use crate::crypto::digest::sha256_hex;
use crate::crypto::{random_bytes, random_hex};

/// Longest token name.
const MAX_NAME_CHARS: usize = 100;

struct TokenItem {
    id: String,
    name: String,
    created: String,
    last_used: String,
    revoked: Option<String>,
}

#[derive(Template)]
#[template(path = "api_tokens.html")]
struct ApiTokensPage {
    /// The banner of broken connections every dashboard page shows.
    alerts: Vec<ConnectionAlert>,
    tokens: Vec<TokenItem>,
    /// The secret of the token just created: shown in this response only.
    new_secret: Option<String>,
    name: String,
    api_base: String,
    csrf: String,
    errors: FieldErrors,
}

impl ApiTokensPage {
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }
}

fn when(seconds: i64) -> String {
    DateTime::from_timestamp(seconds, 0)
        .map(|t| {
            t.format_with_items(crate::core::display::layouts::UTC_MINUTE.iter())
                .to_string()
        })
        .unwrap_or_default()
}

async fn page(
    ctx: &Ctx,
    signed_in: &SignedIn,
    new_secret: Option<String>,
    name: String,
    errors: FieldErrors,
) -> Result<ApiTokensPage, AppError> {
    let tokens = ctx
        .store
        .host_api_tokens(&signed_in.host.id)
        .await?
        .into_iter()
        .map(|t| TokenItem {
            id: t.id,
            name: t.name,
            created: when(t.created_at),
            last_used: t.last_used_at.map(when).unwrap_or_else(|| "never".into()),
            revoked: t.revoked_at.map(when),
        })
        .collect();
    Ok(ApiTokensPage {
        tokens,
        new_secret,
        name,
        api_base: format!("{}/api/v1", ctx.origin),
        alerts: signed_in.connection_alerts(),
        csrf: signed_in.csrf_token().to_owned(),
        errors,
    })
}

/// A fresh token: `os_` and 256 random bits as 43 base64url characters.
fn new_token() -> String {
    format!(
        "{API_TOKEN_PREFIX}{}",
        URL_SAFE_NO_PAD.encode(random_bytes::<32>())
    )
}

/// `GET /dashboard/api-tokens`: the host's tokens, never their secrets.
pub async fn list(ctx: &Ctx, req: &Request) -> Result<Response, AppError> {
    let signed_in = require_host(ctx, req).await?;
    let page = page(ctx, &signed_in, None, String::new(), FieldErrors::default()).await?;
    Ok(Response::from_html(page.render()?)?)
}

/// `POST /dashboard/api-tokens`: creates a token and shows its secret this once.
pub async fn create(ctx: &Ctx, req: &mut Request) -> Result<Response, AppError> {
    let signed_in = require_host(ctx, req).await?;
    let pairs = form(req).await?;
    check_form(ctx, req, &signed_in, &pairs)?;
    let name = field(&pairs, "name").unwrap_or_default().trim().to_owned();
    let problem = if name.is_empty() {
        Some(FieldError::Required)
    } else if name.chars().count() > MAX_NAME_CHARS {
        Some(FieldError::TooLong(MAX_NAME_CHARS))
    } else if name.chars().any(char::is_control) {
        Some(FieldError::ControlCharacters)
    } else {
        None
    };
    if let Some(problem) = problem {
        let errors = FieldErrors::one("name", problem.to_string());
        let page = page(ctx, &signed_in, None, name, errors).await?;
        return Ok(Response::from_html(page.render()?)?.with_status(422));
    }
    let secret = new_token();
    ctx.store
        .create_api_token(
            &signed_in.host.id,
            &random_hex::<16>(),
            &name,
            &sha256_hex(&secret),
            ctx.now.timestamp(),
        )
        .await?;
    let page = page(
        ctx,
        &signed_in,
        Some(secret),
        String::new(),
        FieldErrors::default(),
    )
    .await?;
    Ok(Response::from_html(page.render()?)?)
}

/// `POST /dashboard/api-tokens/{id}/revoke`: the token stops working at once.
pub async fn revoke(ctx: &Ctx, req: &mut Request, id: &str) -> Result<Response, AppError> {
    let signed_in = require_host(ctx, req).await?;
    let pairs = form(req).await?;
    check_form(ctx, req, &signed_in, &pairs)?;
    if !ctx
        .store
        .revoke_api_token(&signed_in.host.id, id, ctx.now.timestamp())
        .await?
    {
        return Err(AppError::NotFound(
            "You have no live API token at this address.".into(),
        ));
    }
    redirect("/dashboard/api-tokens", 303)
}
