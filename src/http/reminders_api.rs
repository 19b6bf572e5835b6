//! The host JSON API for an event type's reminders, `/api/v1/event-types/{id}/reminders`:
//! read the plan, or replace it whole (`PUT`). Reads take a token or the session cookie,
//! writes only a token ([`authorize`]); the event type is looked up by the authenticated
//! host's id, so another host's is never reached.
//!
//! `{"plan": "instance"}` follows the instance's reminder; `{"plan": "own", "reminders":
//! [{"minutes_before": 1440, "to": "both", "note": "…"}]}` replaces it with the event type's
//! own list (empty: no reminders).

use serde_json::{json, Map, Value};
use worker::{Env, Request, Response};

use super::request::{object, UNKNOWN};
use super::session::{authorize, ApiAccess};
use crate::app::reminders;
use crate::app::{AppError, Ctx};
use crate::core::booking::FieldErrors;
use crate::core::reminders::{check_count, from_rows, ReminderPlan, RowFields, TypedRow};

/// Where the API reports a reminder's errors: its path in the body.
const API_FIELDS: RowFields = RowFields {
    lead: [
        "reminders[0].minutes_before",
        "reminders[1].minutes_before",
        "reminders[2].minutes_before",
        "reminders[3].minutes_before",
        "reminders[4].minutes_before",
    ],
    recipients: [
        "reminders[0].to",
        "reminders[1].to",
        "reminders[2].to",
        "reminders[3].to",
        "reminders[4].to",
    ],
    note: [
        "reminders[0].note",
        "reminders[1].note",
        "reminders[2].note",
        "reminders[3].note",
        "reminders[4].note",
    ],
    list: "reminders",
};

fn plan_json(ctx: &Ctx, plan: &ReminderPlan) -> Value {
    let (name, list) = match plan {
        ReminderPlan::Instance => ("instance", &[][..]),
        ReminderPlan::Own(list) => ("own", list.as_slice()),
    };
    let reminders: Vec<Value> = list
        .iter()
        .map(|r| json!({ "minutes_before": r.minutes_before, "to": r.recipients.as_str(), "note": r.note }))
        .collect();
    json!({
        "plan": name,
        "instance_minutes_before": reminders::instance_minutes(ctx),
        "reminders": reminders,
    })
}

/// `GET /api/v1/event-types/{id}/reminders`: the event type's plan.
pub async fn get(ctx: &Ctx, env: &Env, req: &Request, id: &str) -> Result<Response, AppError> {
    let host = authorize(ctx, env, req, ApiAccess::Read).await?.host;
    let plan = reminders::plan_only(ctx, &host.id, id).await?;
    Ok(Response::from_json(&plan_json(ctx, &plan))?)
}

/// The plan a `PUT` body describes, checked by the rules the dashboard's rows follow (each
/// reminder read as a row in minutes, its errors under its path in the body).
fn plan_of(body: &Map<String, Value>) -> Result<ReminderPlan, FieldErrors> {
    if body.keys().any(|key| key != "plan" && key != "reminders") {
        return Err(FieldErrors::one("unknown_field", UNKNOWN));
    }
    let reminders = body.get("reminders").unwrap_or(&Value::Null);
    let items = match (
        body.get("plan").and_then(Value::as_str),
        reminders.as_array(),
    ) {
        (Some("instance"), None) if reminders.is_null() => return Ok(ReminderPlan::Instance),
        (Some("instance"), Some(items)) if items.is_empty() => return Ok(ReminderPlan::Instance),
        (Some("instance"), _) => return Err(FieldErrors::one(
            "reminders",
            "The instance's plan has no reminders of its own; send \"plan\": \"own\" with them.",
        )),
        (Some("own"), Some(items)) => items,
        (Some("own"), None) => {
            return Err(FieldErrors::one(
                "reminders",
                "Give the reminders as an array (empty for none).",
            ))
        }
        _ => {
            return Err(FieldErrors::one(
                "plan",
                "Give \"instance\" (the instance's reminder) or \"own\".",
            ))
        }
    };
    check_count(items.len(), &API_FIELDS)?;
    let mut typed = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let field = |name: &str| item.get(name).unwrap_or(&Value::Null);
        if item.as_object().is_none_or(|o| {
            o.keys()
                .any(|k| !matches!(k.as_str(), "minutes_before" | "to" | "note"))
        }) {
            return Err(FieldErrors::one("unknown_field", UNKNOWN));
        }
        let note = match field("note") {
            Value::Null => "",
            Value::String(text) => text,
            _ => {
                return Err(FieldErrors::one(
                    API_FIELDS.note[index],
                    "Give a text or null.",
                ))
            }
        };
        // A missing or non-integer lead reads as text that is no whole number.
        let amount = field("minutes_before")
            .as_i64()
            .map_or_else(|| "?".to_owned(), |m| m.to_string());
        typed.push((amount, field("to").as_str().unwrap_or_default(), note));
    }
    let rows: Vec<TypedRow<'_>> = typed
        .iter()
        .map(|(amount, to, note)| TypedRow {
            amount,
            recipients: to,
            note,
        })
        .collect();
    from_rows(&rows, &API_FIELDS).map(ReminderPlan::Own)
}

/// `PUT /api/v1/event-types/{id}/reminders`: replaces the event type's plan and answers it
/// as saved (latest reminder first), or 422 naming each wrong field.
pub async fn put(ctx: &Ctx, env: &Env, req: &mut Request, id: &str) -> Result<Response, AppError> {
    let host = authorize(ctx, env, req, ApiAccess::Write).await?.host;
    let body = object(req).await?;
    let plan = plan_of(&body).map_err(AppError::InvalidFields)?;
    reminders::save(ctx, &host.id, id, &plan).await?;
    Ok(Response::from_json(&plan_json(ctx, &plan))?)
}
