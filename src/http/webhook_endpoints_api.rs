//! The host's webhook endpoints in the JSON API: `GET`/`POST /api/v1/webhooks`,
//! `GET`/`PATCH`/`DELETE /api/v1/webhooks/{id}` (one endpoint with its delivery log) and
//! `POST /api/v1/webhooks/{id}/rotate-secret`. The steps are `webhooks::manage`'s, shared with
//! the dashboard; a new secret is in the one response that makes it. Every query is scoped
//! by the authenticated host; another host's endpoint is a 404.

use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};
use worker::{Env, Request, Response};

use super::request::{object, UNKNOWN};
use super::session::authorize;
use super::session::ApiAccess;
use crate::app::AppError;
use crate::app::Ctx;
use crate::core::booking::FieldErrors;
use crate::core::display::rfc3339;
use crate::core::webhooks::{EndpointInput, EventSet};
use crate::store::{DeliveryLogRow, WebhookEndpointRow};
use crate::webhooks::manage::{self, delivery_state, input_of, LOG_LENGTH};

fn instant(seconds: i64) -> String {
    rfc3339(&DateTime::<Utc>::from_timestamp(seconds, 0).unwrap_or_default())
}

/// An endpoint as the host sees it (never its secret).
fn endpoint_json(row: &WebhookEndpointRow, now: i64) -> Value {
    json!({
        "id": row.id,
        "url": row.url,
        "events": EventSet::from_stored(&row.events).names(),
        "event_type_id": row.event_type_id,
        "include_personal": row.include_personal == 1,
        "enabled": row.disabled_at.is_none(),
        "disabled_at": row.disabled_at.map(instant),
        "failing_since": row.failing_since.map(instant),
        "previous_secret_valid_until": row.previous_secret_until.filter(|until| *until > now).map(instant),
        "created_at": instant(row.created_at),
    })
}

fn delivery_json(row: &DeliveryLogRow) -> Value {
    json!({
        "id": row.id,
        "event": row.event,
        "booking_id": row.booking_id,
        "occurred_at": instant(row.occurred_at),
        "state": delivery_state(row),
        "attempts": row.attempts,
        "last_status": row.last_status.filter(|status| *status > 0),
        "last_attempt_at": row.last_attempt_at.map(instant),
        "next_attempt_at": row.next_attempt_at.filter(|_| row.delivered_at.is_none()).map(instant),
    })
}

/// Overlays the JSON fields of `body` on `input`; `enabled` is read out separately.
fn overlay(
    mut input: EndpointInput,
    body: &Map<String, Value>,
) -> Result<(EndpointInput, Option<bool>), FieldErrors> {
    let mut errors = FieldErrors::default();
    let mut enabled = None;
    for (key, value) in body {
        match (key.as_str(), value) {
            ("url", Value::String(url)) => input.url = url.clone(),
            ("url", _) => errors.push("url", "Use a string."),
            ("events", Value::Array(items)) => {
                let names: Option<Vec<String>> = items
                    .iter()
                    .map(|item| item.as_str().map(str::to_owned))
                    .collect();
                match names {
                    Some(names) if !names.is_empty() => input.events = names,
                    Some(_) => errors.push("events", "Choose at least one event."),
                    None => errors.push("events", "Use a list of event names."),
                }
            }
            ("events", _) => errors.push("events", "Use a list of event names."),
            ("event_type_id", Value::String(id)) => input.event_type_id = Some(id.clone()),
            ("event_type_id", Value::Null) => input.event_type_id = None,
            ("event_type_id", _) => errors.push("event_type_id", "Use a string or null."),
            ("include_personal", Value::Bool(flag)) => input.include_personal = *flag,
            ("include_personal", _) => errors.push("include_personal", "Use true or false."),
            ("enabled", Value::Bool(flag)) => enabled = Some(*flag),
            ("enabled", _) => errors.push("enabled", "Use true or false."),
            _ => errors.push("unknown_field", format!("{UNKNOWN} ({key})")),
        }
    }
    if errors.is_empty() {
        Ok((input, enabled))
    } else {
        Err(errors)
    }
}

/// `GET /api/v1/webhooks`: the host's endpoints.
pub async fn list(ctx: &Ctx, env: &Env, req: &Request) -> Result<Response, AppError> {
    let signed_in = authorize(ctx, env, req, ApiAccess::Read).await?;
    let now = ctx.now.timestamp();
    let items: Vec<Value> = ctx
        .store
        .host_webhook_endpoints(&signed_in.host.id)
        .await?
        .iter()
        .map(|row| endpoint_json(row, now))
        .collect();
    Ok(Response::from_json(&json!({ "webhooks": items }))?)
}

/// `POST /api/v1/webhooks`: adds an endpoint (201) with its secret, shown this once.
pub async fn create(ctx: &Ctx, env: &Env, req: &mut Request) -> Result<Response, AppError> {
    let signed_in = authorize(ctx, env, req, ApiAccess::Write).await?;
    let body = object(req).await?;
    let (input, enabled) =
        overlay(EndpointInput::default(), &body).map_err(AppError::InvalidFields)?;
    if enabled.is_some() {
        return Err(AppError::InvalidFields(FieldErrors::one(
            "enabled",
            "A new endpoint is always enabled; leave this out.",
        )));
    }
    let settings = input
        .parse(ctx.config.local_development)
        .map_err(AppError::InvalidFields)?;
    let added = manage::add(
        &ctx.store,
        &ctx.config,
        &signed_in.host.id,
        &settings,
        ctx.now,
    )
    .await?;
    let mut body = endpoint_json(&added.endpoint, ctx.now.timestamp());
    body["secret"] = Value::String(added.secret);
    Ok(Response::from_json(&body)?.with_status(201))
}

/// `GET /api/v1/webhooks/{id}`: one endpoint with its latest deliveries.
pub async fn get(ctx: &Ctx, env: &Env, req: &Request, id: &str) -> Result<Response, AppError> {
    let signed_in = authorize(ctx, env, req, ApiAccess::Read).await?;
    respond_with(ctx, &signed_in.host.id, id).await
}

async fn respond_with(ctx: &Ctx, host_id: &str, id: &str) -> Result<Response, AppError> {
    let row = ctx
        .store
        .host_webhook_endpoint(host_id, id)
        .await?
        .ok_or(manage::ManageError::NotFound)?;
    let deliveries: Vec<Value> = ctx
        .store
        .webhook_delivery_log(&row.id, LOG_LENGTH)
        .await?
        .iter()
        .map(delivery_json)
        .collect();
    let mut body = endpoint_json(&row, ctx.now.timestamp());
    body["deliveries"] = Value::Array(deliveries);
    Ok(Response::from_json(&body)?)
}

/// `PATCH /api/v1/webhooks/{id}`: changes the fields sent; `"enabled": true` turns a
/// disabled endpoint back on, `false` pauses it.
pub async fn update(
    ctx: &Ctx,
    env: &Env,
    req: &mut Request,
    id: &str,
) -> Result<Response, AppError> {
    let signed_in = authorize(ctx, env, req, ApiAccess::Write).await?;
    let host_id = signed_in.host.id.as_str();
    let current = ctx
        .store
        .host_webhook_endpoint(host_id, id)
        .await?
        .ok_or(manage::ManageError::NotFound)?;
    let body = object(req).await?;
    let (input, enabled) = overlay(input_of(&current), &body).map_err(AppError::InvalidFields)?;
    let settings = input
        .parse(ctx.config.local_development)
        .map_err(AppError::InvalidFields)?;
    manage::change(&ctx.store, host_id, id, &settings, enabled, ctx.now).await?;
    respond_with(ctx, host_id, id).await
}

/// `DELETE /api/v1/webhooks/{id}`: 204; its queued webhooks and log go with it.
pub async fn delete(ctx: &Ctx, env: &Env, req: &Request, id: &str) -> Result<Response, AppError> {
    let signed_in = authorize(ctx, env, req, ApiAccess::Write).await?;
    manage::remove(&ctx.store, &signed_in.host.id, id).await?;
    Ok(Response::empty()?.with_status(204))
}

/// `POST /api/v1/webhooks/{id}/deliveries/{delivery_id}/resend`: sends one delivery again
/// (202), with the same `webhook-id`, on a fresh retry schedule.
pub async fn resend(
    ctx: &Ctx,
    env: &Env,
    req: &Request,
    id: &str,
    delivery_id: &str,
) -> Result<Response, AppError> {
    let signed_in = authorize(ctx, env, req, ApiAccess::Write).await?;
    manage::resend(&ctx.store, &signed_in.host.id, id, delivery_id, ctx.now).await?;
    Ok(Response::from_json(&json!({ "id": delivery_id, "state": "pending" }))?.with_status(202))
}

/// `POST /api/v1/webhooks/{id}/rotate-secret`: a new secret, shown this once; the previous
/// one also signs until `previous_secret_valid_until`.
pub async fn rotate_secret(
    ctx: &Ctx,
    env: &Env,
    req: &Request,
    id: &str,
) -> Result<Response, AppError> {
    let signed_in = authorize(ctx, env, req, ApiAccess::Write).await?;
    let (secret, until) =
        manage::rotate(&ctx.store, &ctx.config, &signed_in.host.id, id, ctx.now).await?;
    Ok(Response::from_json(&json!({
        "secret": secret,
        "previous_secret_valid_until": rfc3339(&until),
    }))?)
}
