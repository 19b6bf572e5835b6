//! The host JSON API for time off, `/api/v1/time-off[/{id}]`: the spans in which no event
//! type is offered, as RFC 3339 instants with their notes. Reads take a token or the session
//! cookie, writes only a token ([`authorize`]); every span is looked up by the authenticated
//! host's id, so another host's time off is never reached.

use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};
use worker::{Env, Request, Response};

use super::request::{object, UNKNOWN};
use super::session::{authorize, ApiAccess};
use crate::app::{time_off, AppError, Ctx};
use crate::core::booking::FieldErrors;
use crate::core::display::rfc3339;
use crate::core::time_off::TimeOff;
use crate::store::TimeOffRow;

/// One span as the API shows it.
fn span_json(row: &TimeOffRow) -> Value {
    let instant = |at: i64| DateTime::from_timestamp(at, 0).map(|t| rfc3339(&t));
    json!({
        "id": row.id,
        "start": instant(row.start_at),
        "end": instant(row.end_at),
        "note": row.note,
    })
}

/// The body of a `POST` as a checked [`TimeOff`]; each wrong or unknown key is named.
fn parse_span(body: &Map<String, Value>, now: DateTime<Utc>) -> Result<TimeOff, FieldErrors> {
    let mut errors = FieldErrors::default();
    if body
        .keys()
        .any(|key| !matches!(key.as_str(), "start" | "end" | "note" | "id"))
    {
        errors.push("unknown_field", UNKNOWN);
    }
    let mut instant = |field: &'static str| match body.get(field).and_then(Value::as_str) {
        Some(text) => DateTime::parse_from_rfc3339(text)
            .map(|t| t.to_utc())
            .map_err(|_| errors.push(field, "Use an RFC 3339 time, e.g. 2030-01-07T00:00:00Z."))
            .ok(),
        None => {
            errors.push(
                field,
                "Send it as an RFC 3339 time, e.g. 2030-01-07T00:00:00Z.",
            );
            None
        }
    };
    let (start, end) = (instant("start"), instant("end"));
    let note = match body.get("note") {
        None | Some(Value::Null) => "",
        Some(Value::String(text)) => text.as_str(),
        Some(_) => {
            errors.push("note", "Use a string.");
            ""
        }
    };
    let (Some(start), Some(end), true) = (start, end, errors.is_empty()) else {
        return Err(errors);
    };
    TimeOff::new(start, end, note, now)
}

/// `GET /api/v1/time-off`: the host's time off that has not ended, soonest first.
pub async fn list(ctx: &Ctx, env: &Env, req: &Request) -> Result<Response, AppError> {
    let host = authorize(ctx, env, req, ApiAccess::Read).await?.host;
    let items: Vec<Value> = time_off::ahead(ctx, &host.id)
        .await?
        .iter()
        .map(span_json)
        .collect();
    Ok(Response::from_json(&json!({ "time_off": items }))?)
}

/// `POST /api/v1/time-off`: adds a span (201 with it).
pub async fn create(ctx: &Ctx, env: &Env, req: &mut Request) -> Result<Response, AppError> {
    let host = authorize(ctx, env, req, ApiAccess::Write).await?.host;
    let body = object(req).await?;
    let span = parse_span(&body, ctx.now).map_err(AppError::InvalidFields)?;
    let row = time_off::add(ctx, &host.id, span).await?;
    Ok(Response::from_json(&span_json(&row))?.with_status(201))
}

/// `DELETE /api/v1/time-off/{id}`: removes a span (204; 404 for one the host does not have).
pub async fn delete(ctx: &Ctx, env: &Env, req: &Request, id: &str) -> Result<Response, AppError> {
    let host = authorize(ctx, env, req, ApiAccess::Write).await?.host;
    time_off::remove(ctx, &host.id, id).await?;
    Ok(Response::empty()?.with_status(204))
}
