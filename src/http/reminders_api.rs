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
use crate::core::reminders::{check_count, checked, Recipients, Reminder, ReminderPlan, RowFields};

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

/// Reads one reminder of the body; `None` with its error recorded when it is not one.
fn reminder(index: usize, value: &Value, errors: &mut FieldErrors) -> Option<Reminder> {
    let Some(item) = value.as_object() else {
        errors.push(API_FIELDS.lead[index], "Each reminder is an object.");
        return None;
    };
    if item
        .keys()
        .any(|key| !matches!(key.as_str(), "minutes_before" | "to" | "note"))
    {
        errors.push("unknown_field", UNKNOWN);
        return None;
    }
    let minutes_before = item.get("minutes_before").and_then(Value::as_i64);
    let recipients = item
        .get("to")
        .and_then(Value::as_str)
        .and_then(Recipients::parse);
    let note = match item.get("note") {
        None | Some(Value::Null) => Some(""),
        Some(value) => value.as_str(),
    };
    if minutes_before.is_none() {
        errors.push(
            API_FIELDS.lead[index],
            "Give whole minutes before the meeting, 1 to 43200.",
        );
    }
    if recipients.is_none() {
        errors.push(
            API_FIELDS.recipients[index],
            "Give \"invitee\", \"host\" or \"both\".",
        );
    }
    if note.is_none() {
        errors.push(API_FIELDS.note[index], "Give a text or null.");
    }
    Some(Reminder {
        minutes_before: minutes_before?,
        recipients: recipients?,
        note: note?.to_owned(),
    })
}

/// The plan a `PUT` body describes, checked.
fn plan_of(body: &Map<String, Value>) -> Result<ReminderPlan, FieldErrors> {
    if body.keys().any(|key| key != "plan" && key != "reminders") {
        return Err(FieldErrors::one("unknown_field", UNKNOWN));
    }
    let reminders = body.get("reminders").unwrap_or(&Value::Null);
    match body.get("plan").and_then(Value::as_str) {
        Some("instance")
            if reminders.is_null() || reminders.as_array().is_some_and(Vec::is_empty) =>
        {
            Ok(ReminderPlan::Instance)
        }
        Some("instance") => Err(FieldErrors::one(
            "reminders",
            "The instance's plan has no reminders of its own; send \"plan\": \"own\" with them.",
        )),
        Some("own") => {
            let Some(items) = reminders.as_array() else {
                return Err(FieldErrors::one(
                    "reminders",
                    "Give the reminders as an array (empty for none).",
                ));
            };
            check_count(items.len(), &API_FIELDS)?;
            let mut errors = FieldErrors::default();
            let list: Vec<Reminder> = items
                .iter()
                .enumerate()
                .filter_map(|(index, item)| reminder(index, item, &mut errors))
                .collect();
            if !errors.is_empty() {
                return Err(errors);
            }
            checked(list, &API_FIELDS).map(ReminderPlan::Own)
        }
        _ => Err(FieldErrors::one(
            "plan",
            "Give \"instance\" (the instance's reminder) or \"own\".",
        )),
    }
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
