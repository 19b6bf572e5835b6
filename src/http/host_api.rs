//! The host JSON API, `/api/v1/me` and `/api/v1/event-types[/{id}]`, for scripts holding a
//! personal API token (`Authorization: Bearer os_…`). Reads also accept the dashboard's
//! session cookie; writes take only a token ([`ApiAccess::Write`]), so a page on another site
//! can never make a signed-in browser change anything here.
//!
//! Event types go through the dashboard's own parsing ([`EventTypeInput::parse`], the slot
//! engine's rules) and store functions: a JSON field is turned into the form field of the same
//! name (a number becomes its decimal text, `null` an empty field), so the API and the form
//! accept exactly the same settings and report problems under the same field names. Every
//! query is scoped by the authenticated host's id; another host's id is simply not found.

use serde_json::{json, Map, Value};
use worker::{Env, Request, Response};

use super::request::{object, UNKNOWN};
use super::session::{authorize, ApiAccess, SignedIn};
use crate::app::availability;
use crate::app::event_calendar;
use crate::app::event_types::{
    self, create, defaults, delete, duplicate, input_of, Created, Saved,
};
use crate::app::profile::{save, ProfileSaved};
use crate::app::AppError;
use crate::app::Ctx;
use crate::core::booking::FieldErrors;
use crate::core::event_type::{offered_durations, EventTypeInput};
use crate::core::profile::Profile;
use crate::core::questions::{questions_from_json, QuestionInput};
use crate::providers::calendar::receiving::{choice_of, EventCalendar};
use crate::store::EventTypeRow;

fn host_json(ctx: &Ctx, slug: &str, name: &str, email: &str, time_zone: &str) -> Value {
    json!({
        "slug": slug,
        "name": name,
        "email": email,
        "time_zone": time_zone,
        "public_url": format!("{}/{}", ctx.origin, slug),
    })
}

fn event_type_json(
    ctx: &Ctx,
    host_slug: &str,
    row: &EventTypeRow,
    calendar: Option<&EventCalendar>,
) -> Value {
    json!({
        "id": row.id,
        "slug": row.slug,
        "title": row.title,
        "description": row.description,
        "duration_minutes": row.duration_minutes,
        "interval_minutes": row.slot_interval_minutes,
        "buffer_before_minutes": row.buffer_before_minutes,
        "buffer_after_minutes": row.buffer_after_minutes,
        "minimum_notice_minutes": row.minimum_notice_minutes,
        "booking_window_days": row.booking_window_days,
        "max_per_day": row.max_bookings_per_day,
        "max_per_week": row.max_bookings_per_week,
        "max_per_month": row.max_bookings_per_month,
        "max_minutes_per_day": row.max_booked_minutes_per_day,
        "lang": row.lang.map(|l| l.code()),
        "confirmation_message": row.confirmation_message.to_value(),
        "change_cutoff_minutes": row.change_cutoff_minutes,
        "approval_hours": row.approval_hours,
        "location_kind": row.location_kind,
        "location_detail": row.location_detail,
        "other_durations": offered_durations(
            u32::try_from(row.duration_minutes).unwrap_or(0),
            &row.other_durations,
        )
        .get(1..)
        .unwrap_or_default(),
        "questions": questions_from_json(&row.questions).unwrap_or_default(),
        "hidden": row.hidden != 0,
        "schedule_id": row.schedule_id,
        "event_calendar": calendar.map(|c| json!({
            "connection": c.connection.name(),
            "calendar_id": c.calendar_id,
        })),
        "public_url": format!("{}/{}/{}", ctx.origin, host_slug, row.slug),
    })
}

/// A JSON value as form text: strings as they are, numbers as decimals, `null` as empty.
fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Null => Some(String::new()),
        _ => None,
    }
}

const NOT_TEXT: &str = "Use a string or a number.";

fn not_found() -> AppError {
    AppError::NotFound("You have no event type with this id.".into())
}

// ----- /api/v1/me -----

/// `GET /api/v1/me`: the host the token (or session) belongs to.
pub async fn me(ctx: &Ctx, env: &Env, req: &Request) -> Result<Response, AppError> {
    let host = authorize(ctx, env, req, ApiAccess::Read).await?.host;
    let email = ctx.store.open_host_email(&host.id, &host.email).await?;
    let body = host_json(ctx, &host.slug, &host.name, &email, &host.time_zone);
    Ok(Response::from_json(&body)?)
}

/// `PATCH /api/v1/me`: changes any of name, slug and time zone (422 invalid, 409 slug taken).
pub async fn update_me(ctx: &Ctx, env: &Env, req: &mut Request) -> Result<Response, AppError> {
    let host = authorize(ctx, env, req, ApiAccess::Write).await?.host;
    let body = object(req).await?;
    let mut errors = FieldErrors::default();
    let (mut name, mut slug, mut zone) =
        (host.name.clone(), host.slug.clone(), host.time_zone.clone());
    for (key, value) in &body {
        let target = match key.as_str() {
            "name" => &mut name,
            "slug" => &mut slug,
            "time_zone" => &mut zone,
            // Read-only fields of a GET's answer, so it can be sent back as it is.
            "email" | "public_url" => continue,
            _ => {
                errors.push(field_label(key), UNKNOWN);
                continue;
            }
        };
        match value {
            Value::String(s) => *target = s.trim().to_owned(),
            _ => errors.push(field_label(key), "Use a string."),
        }
    }
    let parsed = Profile::parse(&name, &slug, &zone, &mut errors);
    let (Some(Profile { name, slug, zone }), true) = (parsed, errors.is_empty()) else {
        return Err(AppError::InvalidFields(errors));
    };
    let profile = Profile { name, slug, zone };
    if let ProfileSaved::SlugTaken(message) = save(ctx, &host.id, &profile).await? {
        return Err(AppError::Conflict(message));
    }
    let Profile { name, slug, zone } = profile;
    let email = ctx.store.open_host_email(&host.id, &host.email).await?;
    let body = host_json(ctx, slug.as_str(), name.as_str(), &email, zone.name());
    Ok(Response::from_json(&body)?)
}

/// The field name an error is reported under: a known name, or `unknown_field` for any other
/// key (error field names are fixed strings, never echoed client text).
fn field_label(key: &str) -> &'static str {
    const KNOWN: [&str; 25] = [
        "name",
        "slug",
        "time_zone",
        "title",
        "description",
        "duration_minutes",
        "interval_minutes",
        "buffer_before_minutes",
        "buffer_after_minutes",
        "minimum_notice_minutes",
        "booking_window_days",
        "max_per_day",
        "max_per_week",
        "max_per_month",
        "max_minutes_per_day",
        "lang",
        "confirmation_message",
        "change_cutoff_minutes",
        "approval_hours",
        "location_kind",
        "location_detail",
        "hidden",
        "public_url",
        "other_durations",
        "questions",
    ];
    KNOWN
        .into_iter()
        .find(|k| *k == key)
        .unwrap_or("unknown_field")
}

// ----- /api/v1/event-types -----

/// Lays the body's fields over `base` (and the `hidden` flag over `hidden`).
fn overlay(
    mut base: EventTypeInput,
    hidden: &mut bool,
    body: &Map<String, Value>,
) -> Result<EventTypeInput, FieldErrors> {
    let mut errors = FieldErrors::default();
    for (key, value) in body {
        if key == "hidden" {
            match value {
                Value::Bool(b) => *hidden = *b,
                _ => errors.push("hidden", "Use true or false."),
            }
            continue;
        }
        if key == "other_durations" {
            match durations_text(value) {
                Some(text) => base.other_durations = text,
                None => errors.push(
                    "other_durations",
                    "Use an array of whole numbers of minutes, e.g. [15, 60].",
                ),
            }
            continue;
        }
        if key == "confirmation_message" {
            match message_texts(value) {
                Some((en, de)) => (base.message_en, base.message_de) = (en, de),
                None => errors.push(
                    "confirmation_message",
                    "Use an object of language to text, e.g. {\"en\": \"Bring a pen.\", \"de\": \
                     \"Stift mitbringen.\"}, or null for none.",
                ),
            }
            continue;
        }
        if key == "questions" {
            match question_rows(value) {
                Some(rows) => base.questions = rows,
                None => errors.push(
                    "questions",
                    "Use an array of objects like {\"label\": \"Company\", \"required\": true, \
                     \"kind\": \"short_text\"}: \"options\" an array of strings, \"min\" and \
                     \"max\" whole numbers.",
                ),
            }
            continue;
        }
        let slot = match key.as_str() {
            "title" => &mut base.title,
            "slug" => &mut base.slug,
            "description" => &mut base.description,
            "duration_minutes" => &mut base.duration_minutes,
            "interval_minutes" => &mut base.interval_minutes,
            "buffer_before_minutes" => &mut base.buffer_before_minutes,
            "buffer_after_minutes" => &mut base.buffer_after_minutes,
            "minimum_notice_minutes" => &mut base.minimum_notice_minutes,
            "booking_window_days" => &mut base.booking_window_days,
            "max_per_day" => &mut base.max_per_day,
            "max_per_week" => &mut base.max_per_week,
            "max_per_month" => &mut base.max_per_month,
            "max_minutes_per_day" => &mut base.max_minutes_per_day,
            "lang" => &mut base.lang,
            "change_cutoff_minutes" => &mut base.change_cutoff_minutes,
            "approval_hours" => &mut base.approval_hours,
            "location_kind" => &mut base.location_kind,
            "location_detail" => &mut base.location_detail,
            // Read-only fields of a GET's answer, so it can be sent back as it is.
            "id" | "public_url" => continue,
            _ => {
                errors.push(field_label(key), UNKNOWN);
                continue;
            }
        };
        // Words are strings; only the numeric settings also take numbers (and `null`).
        let is_words = matches!(
            key.as_str(),
            "title" | "slug" | "description" | "location_kind" | "location_detail"
        );
        match (value, text(value)) {
            (Value::String(s), _) => *slot = s.clone(),
            (_, _) if is_words => errors.push(field_label(key), "Use a string."),
            (_, Some(t)) => *slot = t,
            (_, None) => errors.push(field_label(key), NOT_TEXT),
        }
    }
    if errors.is_empty() {
        Ok(base)
    } else {
        Err(errors)
    }
}

/// `{"en": …, "de": …}` (either may be left out) as the form's two texts; `null` clears both.
fn message_texts(value: &Value) -> Option<(String, String)> {
    let mut texts = (String::new(), String::new());
    match value {
        Value::Null => {}
        Value::Object(by_lang) => {
            for (code, text) in by_lang {
                let slot = match code.as_str() {
                    "en" => &mut texts.0,
                    "de" => &mut texts.1,
                    _ => return None,
                };
                *slot = text.as_str()?.to_owned();
            }
        }
        _ => return None,
    }
    Some(texts)
}

/// `[15, 60]` (numbers or numeric strings) as the form's text `15, 60`; `null` clears it.
fn durations_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => Some(String::new()),
        Value::Array(items) => items
            .iter()
            .map(|item| match item {
                Value::Number(n) => Some(n.to_string()),
                Value::String(s) => Some(s.trim().to_owned()),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()
            .map(|parts| parts.join(", ")),
        _ => None,
    }
}

/// The question fields the API takes, as the editor has them.
const QUESTION_KEYS: [&str; 7] = ["label", "required", "kind", "help", "options", "min", "max"];

/// `[{"label", "required"?, "kind"?, "help"?, "options"?, "min"?, "max"?}]` as the editor's
/// rows (options as an array of strings, bounds as integers); `null` removes every question.
/// `None` for any other shape.
fn question_rows(value: &Value) -> Option<Vec<QuestionInput>> {
    let text = |object: &serde_json::Map<String, Value>, key: &str| match object.get(key) {
        None | Some(Value::Null) => Some(String::new()),
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => None,
    };
    let whole = |object: &serde_json::Map<String, Value>, key: &str| match object.get(key) {
        None | Some(Value::Null) => Some(String::new()),
        Some(Value::Number(n)) => n.as_i64().map(|n| n.to_string()),
        Some(_) => None,
    };
    match value {
        Value::Null => Some(Vec::new()),
        Value::Array(items) => items
            .iter()
            .map(|item| {
                let object = item.as_object()?;
                if object.keys().any(|k| !QUESTION_KEYS.contains(&k.as_str())) {
                    return None;
                }
                let label = object.get("label")?.as_str()?;
                let required = match object.get("required") {
                    None | Some(Value::Null) => false,
                    Some(Value::Bool(b)) => *b,
                    Some(_) => return None,
                };
                let options = match object.get("options") {
                    None | Some(Value::Null) => String::new(),
                    Some(Value::Array(options)) => options
                        .iter()
                        .map(|o| o.as_str().filter(|o| !o.contains('\n')))
                        .collect::<Option<Vec<_>>>()?
                        .join("\n"),
                    Some(_) => return None,
                };
                // A blank label would be dropped silently by the editor's rules; here it is a
                // mistake worth naming.
                if label.trim().is_empty() {
                    return None;
                }
                Some(QuestionInput {
                    label: label.to_owned(),
                    required,
                    kind: text(object, "kind")?,
                    help: text(object, "help")?,
                    options,
                    min: whole(object, "min")?,
                    max: whole(object, "max")?,
                })
            })
            .collect(),
        _ => None,
    }
}

/// Takes `schedule_id` out of the body: `None` when it is not sent, `Some(None)` for `null`
/// (the default schedule), else one of the host's schedules (422 for any other value).
async fn schedule_choice(
    ctx: &Ctx,
    host_id: &str,
    body: &mut Map<String, Value>,
) -> Result<Option<Option<String>>, AppError> {
    let wrong = |message: &str| AppError::InvalidFields(FieldErrors::one("schedule_id", message));
    match body.remove("schedule_id") {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(Value::String(id)) => match availability::schedule(ctx, host_id, Some(&id)).await {
            Ok(row) => Ok(Some(Some(row.id))),
            Err(AppError::NotFound(_)) => Err(wrong("You have no schedule with this id.")),
            Err(other) => Err(other),
        },
        Some(_) => Err(wrong(
            "Use a schedule's id, or null for your default schedule.",
        )),
    }
}

/// Takes `event_calendar` out of the body: `None` when it is not sent, `Some(None)` for `null`
/// (the host's default calendar), else `{"connection", "calendar_id"}` naming a calendar the
/// host can write in (422 on `event_calendar` for anything else, as the dashboard refuses).
async fn calendar_choice(
    ctx: &Ctx,
    host_id: &str,
    body: &mut Map<String, Value>,
    saved: Option<&EventCalendar>,
) -> Result<Option<Option<EventCalendar>>, AppError> {
    let wrong =
        |message: String| AppError::InvalidFields(FieldErrors::one(event_calendar::FIELD, message));
    let wanted = match body.remove(event_calendar::FIELD) {
        None => return Ok(None),
        Some(Value::Null) => return Ok(Some(None)),
        Some(Value::Object(choice)) => match (
            choice.get("connection").and_then(Value::as_str),
            choice.get("calendar_id").and_then(Value::as_str),
        ) {
            (Some(connection), Some(id)) if choice.len() == 2 => {
                choice_of(connection, id).map_err(wrong)?
            }
            _ => {
                return Err(wrong(
                    "Send {\"connection\": ..., \"calendar_id\": ...} with both as strings.".into(),
                ))
            }
        },
        Some(_) => {
            return Err(wrong(
                "Use {\"provider\": ..., \"calendar_id\": ...}, or null for your default calendar."
                    .into(),
            ))
        }
    };
    Ok(Some(
        event_calendar::check(ctx, host_id, Some(wanted), saved).await?,
    ))
}

fn slug_taken(slug: &str) -> AppError {
    AppError::Conflict(format!("You already use '{slug}' for another event type."))
}

async fn respond_with(
    ctx: &Ctx,
    signed_in: &SignedIn,
    id: &str,
    status: u16,
) -> Result<Response, AppError> {
    let row = ctx
        .store
        .host_event_type(&signed_in.host.id, id)
        .await?
        .ok_or_else(not_found)?;
    let calendar = ctx.store.event_calendar(&signed_in.host.id, id).await?;
    let body = event_type_json(ctx, &signed_in.host.slug, &row, calendar.as_ref());
    let mut response = Response::from_json(&body)?.with_status(status);
    if status == 201 {
        response
            .headers_mut()
            .set("Location", &format!("/api/v1/event-types/{id}"))?;
    }
    Ok(response)
}

/// `GET /api/v1/event-types`: all of the host's event types, hidden ones too.
pub async fn list_event_types(ctx: &Ctx, env: &Env, req: &Request) -> Result<Response, AppError> {
    let signed_in = authorize(ctx, env, req, ApiAccess::Read).await?;
    let rows = ctx
        .store
        .host_event_types_in_full(&signed_in.host.id)
        .await?;
    let calendars = ctx.store.event_calendars(&signed_in.host.id, None).await?;
    let items: Vec<Value> = rows
        .iter()
        .map(|row| {
            let calendar = calendars
                .iter()
                .find(|(id, _)| *id == row.id)
                .map(|(_, calendar)| calendar);
            event_type_json(ctx, &signed_in.host.slug, row, calendar)
        })
        .collect();
    Ok(Response::from_json(&json!({ "event_types": items }))?)
}

/// `POST /api/v1/event-types`: creates one (201); unset fields take the dashboard's defaults.
pub async fn create_event_type(
    ctx: &Ctx,
    env: &Env,
    req: &mut Request,
) -> Result<Response, AppError> {
    let signed_in = authorize(ctx, env, req, ApiAccess::Write).await?;
    let mut body = object(req).await?;
    let host_id = signed_in.host.id.as_str();
    let schedule = schedule_choice(ctx, host_id, &mut body).await?.flatten();
    let calendar = calendar_choice(ctx, host_id, &mut body, None)
        .await?
        .flatten();
    let mut hidden = false;
    let input = overlay(defaults(), &mut hidden, &body).map_err(AppError::InvalidFields)?;
    let settings = input.parse().map_err(AppError::InvalidFields)?;
    match create(ctx, host_id, &settings, hidden).await? {
        Created::Saved(id) => {
            if schedule.is_some() {
                availability::choose_schedule(ctx, host_id, &id, schedule.as_deref()).await?;
            }
            if calendar.is_some() {
                event_calendar::save(ctx, host_id, &id, calendar.as_ref()).await?;
            }
            respond_with(ctx, &signed_in, &id, 201).await
        }
        Created::SlugTaken | Created::HostGone => Err(slug_taken(settings.slug.as_str())),
    }
}

/// `GET /api/v1/event-types/{id}`.
pub async fn get_event_type(
    ctx: &Ctx,
    env: &Env,
    req: &Request,
    id: &str,
) -> Result<Response, AppError> {
    let signed_in = authorize(ctx, env, req, ApiAccess::Read).await?;
    respond_with(ctx, &signed_in, id, 200).await
}

/// `PATCH /api/v1/event-types/{id}` changes the fields sent; `PUT` replaces the settings, with
/// unset fields taking the defaults a new event type gets.
pub async fn save_event_type(
    ctx: &Ctx,
    env: &Env,
    req: &mut Request,
    id: &str,
    replace: bool,
) -> Result<Response, AppError> {
    let signed_in = authorize(ctx, env, req, ApiAccess::Write).await?;
    let host_id = signed_in.host.id.as_str();
    let current = ctx
        .store
        .host_event_type(host_id, id)
        .await?
        .ok_or_else(not_found)?;
    let mut body = object(req).await?;
    // PUT replaces the choice too: a schedule not sent is the default one.
    let schedule = match schedule_choice(ctx, host_id, &mut body).await? {
        None if replace => Some(None),
        choice => choice,
    };
    // So does the calendar's: not sent, the host's default calendar.
    let saved = ctx.store.event_calendar(host_id, id).await?;
    let calendar = match calendar_choice(ctx, host_id, &mut body, saved.as_ref()).await? {
        None if replace => Some(None),
        choice => choice,
    };
    let (base, mut hidden) = if replace {
        (defaults(), false)
    } else {
        (input_of(&current), current.hidden != 0)
    };
    let input = overlay(base, &mut hidden, &body).map_err(AppError::InvalidFields)?;
    let settings = input.parse().map_err(AppError::InvalidFields)?;
    let changed_hidden = (hidden != (current.hidden != 0)).then_some(hidden);
    match event_types::save(ctx, host_id, id, &settings, changed_hidden).await? {
        Saved::Done => {
            if let Some(schedule) = schedule {
                availability::choose_schedule(ctx, host_id, id, schedule.as_deref()).await?;
            }
            if let Some(calendar) = calendar.filter(|chosen| *chosen != saved) {
                event_calendar::save(ctx, host_id, id, calendar.as_ref()).await?;
            }
            respond_with(ctx, &signed_in, id, 200).await
        }
        Saved::SlugTaken => Err(slug_taken(settings.slug.as_str())),
        Saved::NotFound => Err(not_found()),
    }
}

/// `POST /api/v1/event-types/{id}/duplicate`: a hidden copy with a free `-copy` slug (201).
pub async fn duplicate_event_type(
    ctx: &Ctx,
    env: &Env,
    req: &Request,
    id: &str,
) -> Result<Response, AppError> {
    let signed_in = authorize(ctx, env, req, ApiAccess::Write).await?;
    let copy_id = duplicate(ctx, &signed_in.host.id, id).await?;
    respond_with(ctx, &signed_in, &copy_id, 201).await
}

/// `DELETE /api/v1/event-types/{id}`: 204, or 409 while meetings of it are still ahead.
pub async fn delete_event_type(
    ctx: &Ctx,
    env: &Env,
    req: &Request,
    id: &str,
) -> Result<Response, AppError> {
    let signed_in = authorize(ctx, env, req, ApiAccess::Write).await?;
    match delete(ctx, &signed_in.host.id, id).await? {
        true => Ok(Response::empty()?.with_status(204)),
        false => Err(not_found()),
    }
}
