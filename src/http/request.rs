//! Reading request bodies and queries with limits, so oversized or mistyped input becomes a
//! clear 4xx before any parsing.

use serde::de::DeserializeOwned;
use worker::Request;

use super::error::AppError;

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
