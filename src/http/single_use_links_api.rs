//! The host JSON API for single-use links, `/api/v1/event-types/{id}/single-use-links[/{id}]`:
//! list an event type's links, create one (optionally with an RFC 3339 expiry), remove one.
//! Reads take a token or the session cookie, writes only a token ([`authorize`]); event
//! types and links are looked up by the authenticated host's id, so another host's are never
//! reached. A link's `url` is there while it is open: it is derived again, never stored.

use chrono::DateTime;
use serde_json::{json, Value};
use worker::{Env, Request, Response};

use super::request::{object, UNKNOWN};
use super::session::{authorize, ApiAccess};
use crate::app::single_use_links::{self, ShownLink};
use crate::app::{AppError, Ctx};
use crate::core::booking::FieldErrors;
use crate::core::display::rfc3339;
use crate::core::single_use_link::checked_expiry;

/// One link as the API shows it.
fn link_json(link: &ShownLink) -> Value {
    let instant = |at: i64| DateTime::from_timestamp(at, 0).map(|t| rfc3339(&t));
    json!({
        "id": link.row.id,
        "event_type_id": link.row.event_type_id,
        "state": link.state.as_str(),
        "url": link.url,
        "created_at": instant(link.row.created_at),
        "expires_at": link.row.expires_at.and_then(instant),
        "used_at": link.row.used_at.and_then(instant),
    })
}

/// `GET /api/v1/event-types/{id}/single-use-links`: the event type's links, newest first.
pub async fn list(ctx: &Ctx, env: &Env, req: &Request, id: &str) -> Result<Response, AppError> {
    let host = authorize(ctx, env, req, ApiAccess::Read).await?.host;
    let (_, links) = single_use_links::list(ctx, &host.id, &host.slug, id).await?;
    let items: Vec<Value> = links.iter().map(link_json).collect();
    Ok(Response::from_json(&json!({ "single_use_links": items }))?)
}

/// `POST /api/v1/event-types/{id}/single-use-links`: creates a link (201 with it and its
/// `url`). The body may be empty or `{"expires_at": "…"}`.
pub async fn create(
    ctx: &Ctx,
    env: &Env,
    req: &mut Request,
    id: &str,
) -> Result<Response, AppError> {
    let host = authorize(ctx, env, req, ApiAccess::Write).await?.host;
    let body = object(req).await?;
    if body.keys().any(|key| key != "expires_at") {
        return Err(AppError::InvalidFields(FieldErrors::one(
            "unknown_field",
            UNKNOWN,
        )));
    }
    let expires_at = match body.get("expires_at") {
        None | Some(Value::Null) => None,
        Some(value) => {
            let parsed = value
                .as_str()
                .and_then(|text| DateTime::parse_from_rfc3339(text).ok())
                .ok_or_else(|| {
                    FieldErrors::one(
                        "expires_at",
                        "Use an RFC 3339 time, e.g. 2030-01-07T00:00:00Z, or null.",
                    )
                })
                .and_then(|at| checked_expiry(at.to_utc(), ctx.now, "expires_at"));
            Some(parsed.map_err(AppError::InvalidFields)?)
        }
    };
    let link = single_use_links::create(ctx, &host.id, &host.slug, id, expires_at).await?;
    Ok(Response::from_json(&link_json(&link))?.with_status(201))
}

/// `DELETE /api/v1/event-types/{id}/single-use-links/{link_id}`: removes a link (204; 404 for
/// one the event type does not have). An open link stops working at once.
pub async fn delete(
    ctx: &Ctx,
    env: &Env,
    req: &Request,
    id: &str,
    link_id: &str,
) -> Result<Response, AppError> {
    let host = authorize(ctx, env, req, ApiAccess::Write).await?.host;
    single_use_links::remove(ctx, &host.id, id, link_id).await?;
    Ok(Response::empty()?.with_status(204))
}
