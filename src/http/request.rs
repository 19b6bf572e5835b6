//! What every handler reads from a request the same way: bodies and queries with limits (so
//! oversized or mistyped input becomes a clear 4xx before any parsing), the page language, whether
//! a form came from this site, and the shape of API field errors.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use worker::Request;

use crate::app::{AppError, Ctx};
use crate::i18n::Lang;

/// Largest body we read: a booking form or JSON body is far smaller.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

async fn body_bytes(req: &mut Request) -> Result<Vec<u8>, AppError> {
    let declared = req
        .headers()
        .get("Content-Length")
        .ok()
        .flatten()
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|len| len > MAX_BODY_BYTES) {
        return Err(AppError::PayloadTooLarge(MAX_BODY_BYTES));
    }
    let bytes = req
        .bytes()
        .await
        .map_err(|_| AppError::BadRequest("The request body could not be read.".into()))?;
    if bytes.len() > MAX_BODY_BYTES {
        return Err(AppError::PayloadTooLarge(MAX_BODY_BYTES));
    }
    Ok(bytes)
}

fn content_type(req: &Request) -> String {
    req.headers()
        .get("Content-Type")
        .ok()
        .flatten()
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// Reads an `application/x-www-form-urlencoded` body into name/value pairs.
pub async fn form(req: &mut Request) -> Result<Vec<(String, String)>, AppError> {
    if content_type(req) != "application/x-www-form-urlencoded" {
        return Err(AppError::UnsupportedMediaType(
            "application/x-www-form-urlencoded",
        ));
    }
    let bytes = body_bytes(req).await?;
    Ok(form_urlencoded::parse(&bytes).into_owned().collect())
}

/// Reads a JSON body into `T`; a syntax or shape error is a 400 that says where.
pub async fn json<T: DeserializeOwned>(req: &mut Request) -> Result<T, AppError> {
    if content_type(req) != "application/json" {
        return Err(AppError::UnsupportedMediaType("application/json"));
    }
    let bytes = body_bytes(req).await?;
    serde_json::from_slice(&bytes)
        .map_err(|e| AppError::BadRequest(format!("The JSON body is not valid: {e}.")))
}

/// The query string as name/value pairs (later duplicates win).
pub fn query(req: &Request) -> Result<Vec<(String, String)>, AppError> {
    let url = req
        .url()
        .map_err(|_| AppError::BadRequest("The address could not be read.".into()))?;
    Ok(url.query_pairs().into_owned().collect())
}

/// Looks up one value among form or query pairs.
pub fn field<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .rev()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// The language of a page, from `Accept-Language`.
pub fn page_lang(req: &Request) -> Lang {
    Lang::from_accept_language(&accept_language(req))
}

/// The request's `Accept-Language` header (empty when it sent none), which decides the
/// language and the default clock of a page.
pub fn accept_language(req: &Request) -> String {
    req.headers()
        .get("Accept-Language")
        .ok()
        .flatten()
        .unwrap_or_default()
}

/// Whether a form post came from this site, by the headers browsers send; a client that
/// sends neither (curl, the tests) is let through, since the token is the credential.
pub fn same_origin(ctx: &Ctx, req: &Request) -> Result<bool, AppError> {
    let headers = req.headers();
    let own = req
        .url()
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default();
    Ok(super::session::sent_from_own_site(
        headers.get("Sec-Fetch-Site")?.as_deref(),
        headers.get("Origin")?.as_deref(),
        &[own.as_str(), ctx.origin.as_str()],
    ))
}

/// Reads the body as a JSON object.
pub async fn object(req: &mut Request) -> Result<Map<String, Value>, AppError> {
    match json::<Value>(req).await? {
        Value::Object(map) => Ok(map),
        _ => Err(AppError::BadRequest(
            "The JSON body must be an object.".into(),
        )),
    }
}

/// The message under `unknown_field` for a key the endpoint does not know.
pub const UNKNOWN: &str = "This field is not known.";
