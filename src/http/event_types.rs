//! The host's event types in the dashboard: create, edit, duplicate, hide or show, delete.
//! Every action needs the host's session and, for writes, the form's CSRF token; ids from the
//! address only ever reach queries scoped to the signed-in host.

use askama::Template;
use worker::{Request, Response};

use super::context::Ctx;
use super::error::AppError;
use super::request::{field, form};
use super::session::{check_form, redirect, require_host, SignedIn};
use crate::core::booking::FieldErrors;
use crate::core::display::location_label;
use crate::core::event_type::{EventTypeInput, LocationKind};
use crate::core::questions::{questions_from_json, QuestionInput, MAX_QUESTIONS, QUESTION_FIELDS};
use crate::crypto::random_hex;
use crate::store::{EventTypeDelete, EventTypeRow, EventTypeWrite};

/// One row of the questions editor.
struct QuestionRow {
    /// `question_N`: the label field's name and id, and where its error is reported.
    field: &'static str,
    label: String,
    required: bool,
}

/// Blank rows the editor offers below the questions, so a host adds one without JavaScript.
const SPARE_QUESTION_ROWS: usize = 3;

struct LocationOption {
    value: &'static str,
    label: &'static str,
}

#[derive(Template)]
#[template(path = "event_type.html")]
struct EventTypePage {
    /// `None` for a new event type.
    id: Option<String>,
    input: EventTypeInput,
    hidden: bool,
    locations: Vec<LocationOption>,
    public_base: String,
    csrf: String,
    errors: FieldErrors,
}

impl EventTypePage {
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }

    /// The questions' rows as typed, then spare blank ones, at most [`MAX_QUESTIONS`].
    fn question_rows(&self) -> Vec<QuestionRow> {
        let used = self
            .input
            .questions
            .iter()
            .rposition(|q| !q.label.trim().is_empty())
            .map_or(0, |last| last + 1);
        QUESTION_FIELDS
            .iter()
            .take((used + SPARE_QUESTION_ROWS).min(MAX_QUESTIONS))
            .enumerate()
            .map(|(position, field)| {
                let row = self.input.questions.get(position);
                QuestionRow {
                    field,
                    label: row.map(|q| q.label.clone()).unwrap_or_default(),
                    required: row.is_some_and(|q| q.required),
                }
            })
            .collect()
    }

    fn action(&self) -> String {
        match &self.id {
            Some(id) => format!("/dashboard/event-types/{id}"),
            None => "/dashboard/event-types".to_owned(),
        }
    }
}

fn page(
    signed_in: &SignedIn,
    ctx: &Ctx,
    id: Option<String>,
    input: EventTypeInput,
    hidden: bool,
    errors: FieldErrors,
) -> EventTypePage {
    EventTypePage {
        id,
        input,
        hidden,
        locations: LocationKind::ALL
            .iter()
            .map(|kind| LocationOption {
                value: kind.as_str(),
                label: location_label(kind.as_str()),
            })
            .collect(),
        public_base: format!("{}/{}/", ctx.origin, signed_in.host.slug),
        csrf: signed_in.csrf_token().to_owned(),
        errors,
    }
}

pub(super) fn input_of(row: &EventTypeRow) -> EventTypeInput {
    let text = |value: Option<i64>| value.map(|v| v.to_string()).unwrap_or_default();
    EventTypeInput {
        title: row.title.clone(),
        slug: row.slug.clone(),
        description: row.description.clone(),
        duration_minutes: row.duration_minutes.to_string(),
        interval_minutes: text(row.slot_interval_minutes),
        buffer_before_minutes: row.buffer_before_minutes.to_string(),
        buffer_after_minutes: row.buffer_after_minutes.to_string(),
        minimum_notice_minutes: row.minimum_notice_minutes.to_string(),
        booking_window_days: row.booking_window_days.to_string(),
        max_per_day: text(row.max_bookings_per_day),
        location_kind: row.location_kind.clone(),
        location_detail: row.location_detail.clone(),
        other_durations: row.other_durations.replace(',', ", "),
        // A stored value is written only after parsing, so it always reads back.
        questions: questions_from_json(&row.questions)
            .unwrap_or_default()
            .into_iter()
            .map(|q| QuestionInput {
                label: q.label,
                required: q.required,
            })
            .collect(),
    }
}

fn input_from(pairs: &[(String, String)]) -> EventTypeInput {
    let value = |name: &str| field(pairs, name).unwrap_or_default().to_owned();
    EventTypeInput {
        title: value("title"),
        slug: value("slug"),
        description: value("description"),
        duration_minutes: value("duration_minutes"),
        interval_minutes: value("interval_minutes"),
        buffer_before_minutes: value("buffer_before_minutes"),
        buffer_after_minutes: value("buffer_after_minutes"),
        minimum_notice_minutes: value("minimum_notice_minutes"),
        booking_window_days: value("booking_window_days"),
        max_per_day: value("max_per_day"),
        location_kind: value("location_kind"),
        location_detail: value("location_detail"),
        other_durations: value("other_durations"),
        questions: QUESTION_FIELDS
            .iter()
            .map(|name| QuestionInput {
                label: value(name),
                required: field(pairs, &format!("{name}_required")).is_some(),
            })
            .collect(),
    }
}

fn not_found() -> AppError {
    AppError::NotFound("You have no event type at this address.".into())
}

fn slug_taken(slug: &str) -> FieldErrors {
    FieldErrors::one(
        "slug",
        format!("You already use '{slug}' for another event type."),
    )
}

/// A new event type's settings before the host changes any (the form's and the API's).
pub(super) fn defaults() -> EventTypeInput {
    EventTypeInput {
        duration_minutes: "30".into(),
        buffer_before_minutes: "0".into(),
        buffer_after_minutes: "0".into(),
        minimum_notice_minutes: "60".into(),
        booking_window_days: "60".into(),
        location_kind: LocationKind::GoogleMeet.as_str().into(),
        ..EventTypeInput::default()
    }
}

/// `GET /dashboard/event-types/new`: an empty form with sensible defaults.
pub async fn new(ctx: &Ctx, req: &Request) -> Result<Response, AppError> {
    let signed_in = require_host(ctx, req).await?;
    let page = page(
        &signed_in,
        ctx,
        None,
        defaults(),
        false,
        FieldErrors::default(),
    );
    Ok(Response::from_html(page.render()?)?)
}

/// `POST /dashboard/event-types`: creates one, or shows the form again with messages.
pub async fn create(ctx: &Ctx, req: &mut Request) -> Result<Response, AppError> {
    let signed_in = require_host(ctx, req).await?;
    let pairs = form(req).await?;
    check_form(ctx, req, &signed_in, &pairs)?;
    let input = input_from(&pairs);
    let errors = match input.parse() {
        Ok(settings) => {
            let id = random_hex::<16>();
            let host_id = &signed_in.host.id;
            match ctx
                .store
                .create_event_type(host_id, &id, &settings, false, ctx.now.timestamp())
                .await?
            {
                EventTypeWrite::Saved => return redirect("/dashboard", 303),
                EventTypeWrite::SlugTaken | EventTypeWrite::NotFound => {
                    slug_taken(settings.slug.as_str())
                }
            }
        }
        Err(errors) => errors,
    };
    let page = page(&signed_in, ctx, None, input, false, errors);
    Ok(Response::from_html(page.render()?)?.with_status(422))
}

/// `GET /dashboard/event-types/{id}`: the edit form.
pub async fn edit(ctx: &Ctx, req: &Request, id: &str) -> Result<Response, AppError> {
    let signed_in = require_host(ctx, req).await?;
    let row = ctx
        .store
        .host_event_type(&signed_in.host.id, id)
        .await?
        .ok_or_else(not_found)?;
    let page = page(
        &signed_in,
        ctx,
        Some(row.id.clone()),
        input_of(&row),
        row.hidden != 0,
        FieldErrors::default(),
    );
    Ok(Response::from_html(page.render()?)?)
}

/// `POST /dashboard/event-types/{id}`: saves, or shows the form again with messages.
pub async fn save(ctx: &Ctx, req: &mut Request, id: &str) -> Result<Response, AppError> {
    let signed_in = require_host(ctx, req).await?;
    let pairs = form(req).await?;
    check_form(ctx, req, &signed_in, &pairs)?;
    let current = ctx
        .store
        .host_event_type(&signed_in.host.id, id)
        .await?
        .ok_or_else(not_found)?;
    let input = input_from(&pairs);
    let errors = match input.parse() {
        Ok(settings) => match ctx
            .store
            .update_event_type(&signed_in.host.id, id, &settings)
            .await?
        {
            EventTypeWrite::Saved => return redirect("/dashboard", 303),
            EventTypeWrite::SlugTaken => slug_taken(settings.slug.as_str()),
            EventTypeWrite::NotFound => return Err(not_found()),
        },
        Err(errors) => errors,
    };
    let page = page(
        &signed_in,
        ctx,
        Some(current.id),
        input,
        current.hidden != 0,
        errors,
    );
    Ok(Response::from_html(page.render()?)?.with_status(422))
}

/// `POST /dashboard/event-types/{id}/{action}`: duplicate, hide, show or delete.
pub async fn act(
    ctx: &Ctx,
    req: &mut Request,
    id: &str,
    action: &str,
) -> Result<Response, AppError> {
    let signed_in = require_host(ctx, req).await?;
    let pairs = form(req).await?;
    check_form(ctx, req, &signed_in, &pairs)?;
    let host_id = signed_in.host.id.as_str();
    match action {
        "hide" | "show" => {
            if !ctx.store.set_event_type_hidden(host_id, id, action == "hide").await? {
                return Err(not_found());
            }
            redirect("/dashboard", 303)
        }
        "duplicate" => {
            let copy_id = duplicate(ctx, host_id, id).await?;
            redirect(&format!("/dashboard/event-types/{copy_id}"), 303)
        }
        "delete" => match ctx.store.delete_event_type(host_id, id, ctx.now.timestamp()).await? {
            EventTypeDelete::Deleted => redirect("/dashboard", 303),
            EventTypeDelete::HasUpcomingBookings(count) => Err(AppError::Conflict(format!(
                "This event type still has {count} upcoming meeting(s). Hide it instead, or cancel those \
                 meetings first."
            ))),
            EventTypeDelete::NotFound => Err(not_found()),
        },
        _ => Err(AppError::NotFound("There is nothing at this address.".into())),
    }
}

/// Copies the host's event type `id` as "… (copy)" with a free `-copy[-N]` slug and returns
/// the copy's id. A copy starts hidden, so it is not offered before the host has looked at it.
pub(super) async fn duplicate(ctx: &Ctx, host_id: &str, id: &str) -> Result<String, AppError> {
    let original = ctx
        .store
        .host_event_type(host_id, id)
        .await?
        .ok_or_else(not_found)?;
    let mut input = input_of(&original);
    input.title = format!("{} (copy)", original.title)
        .chars()
        .take(120)
        .collect();
    for n in 1..=20 {
        let suffix = if n == 1 {
            "-copy".to_owned()
        } else {
            format!("-copy-{n}")
        };
        let base: String = original.slug.chars().take(64 - suffix.len()).collect();
        input.slug = format!("{}{suffix}", base.trim_end_matches('-'));
        let settings = input
            .parse()
            .map_err(|_| AppError::Internal(format!("event type {id} has invalid settings")))?;
        let copy_id = random_hex::<16>();
        if let EventTypeWrite::Saved = ctx
            .store
            .create_event_type(host_id, &copy_id, &settings, true, ctx.now.timestamp())
            .await?
        {
            return Ok(copy_id);
        }
    }
    Err(AppError::Conflict(
        "There are already too many copies of this event type.".into(),
    ))
}
