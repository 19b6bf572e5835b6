//! `/dashboard/event-types/{id}/reminders`: the reminders of one event type. The host keeps
//! the instance's reminder or writes their own list (up to five rows: a time before the
//! meeting chosen from a list, who gets it, a text of theirs), in one form that works without script; a wrong
//! row is shown again with what was typed and the error under its field. Every write is a
//! CSRF-checked form, and the id from the address only reaches queries scoped to the host.

use askama::Template;
use worker::{Request, Response};

use super::dashboard_nav::ConnectionAlert;
use super::request::{field, form};
use super::session::{check_form, redirect, require_host, SignedIn};
use crate::app::reminders;
use crate::app::{AppError, Ctx};
use crate::core::booking::FieldErrors;
use crate::core::reminders::{
    from_rows, lead_label, Recipients, ReminderPlan, TypedRow, FORM_FIELDS, MAX_NOTE_CHARS,
    MAX_REMINDERS, OFFERED_LEADS,
};

/// One row of the form, as shown.
struct Row {
    /// The chosen lead in minutes; 0: no reminder in this row.
    lead: i64,
    /// The leads offered (minutes, "1 day before"): the usual ones and the row's own.
    leads: Vec<(i64, String)>,
    to: Recipients,
    note: String,
    lead_field: &'static str,
    to_field: &'static str,
    note_field: &'static str,
}

#[derive(Template)]
#[template(path = "reminders.html")]
struct RemindersPage {
    /// The banner of broken connections every dashboard page shows.
    alerts: Vec<ConnectionAlert>,
    event_id: String,
    event_title: String,
    /// The event type follows the instance's reminder.
    instance: bool,
    /// "1 day before, to you and the invitee", or that the instance sends none.
    instance_label: String,
    rows: Vec<Row>,
    recipients: [Recipients; 3],
    max_note: usize,
    csrf: String,
    errors: FieldErrors,
    saved: bool,
}

impl RemindersPage {
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }
}

/// Row `index` of the form with `lead` chosen (0: none).
fn row(index: usize, lead: i64, to: Recipients, note: String) -> Row {
    let mut offered = OFFERED_LEADS.to_vec();
    if lead > 0 && !offered.contains(&lead) {
        let at = offered
            .iter()
            .position(|m| *m > lead)
            .unwrap_or(offered.len());
        offered.insert(at, lead);
    }
    Row {
        lead,
        leads: offered
            .into_iter()
            .map(|m| (m, format!("{} before", lead_label(m))))
            .collect(),
        to,
        note,
        lead_field: FORM_FIELDS.lead[index],
        to_field: FORM_FIELDS.recipients[index],
        note_field: FORM_FIELDS.note[index],
    }
}

/// The form's rows for a saved plan: its reminders, then empty rows up to five.
fn rows_of(plan: &ReminderPlan) -> Vec<Row> {
    let saved = match plan {
        ReminderPlan::Instance => &[][..],
        ReminderPlan::Own(list) => list.as_slice(),
    };
    (0..MAX_REMINDERS)
        .map(|index| match saved.get(index) {
            Some(r) => row(index, r.minutes_before, r.recipients, r.note.clone()),
            None => row(index, 0, Recipients::Both, String::new()),
        })
        .collect()
}

fn instance_label(ctx: &Ctx) -> String {
    match reminders::instance_minutes(ctx) {
        Some(minutes) => format!("{} before, to you and the invitee", lead_label(minutes)),
        None => "none (this instance sends no reminders by default)".to_owned(),
    }
}

async fn page(
    ctx: &Ctx,
    signed_in: &SignedIn,
    event_type_id: &str,
    shown: Option<(bool, Vec<Row>)>,
    errors: FieldErrors,
    saved: bool,
) -> Result<RemindersPage, AppError> {
    let host = &signed_in.host;
    let (event, plan) = reminders::plan(ctx, &host.id, event_type_id).await?;
    let (instance, rows) =
        shown.unwrap_or_else(|| (plan == ReminderPlan::Instance, rows_of(&plan)));
    Ok(RemindersPage {
        alerts: signed_in.connection_alerts(),
        event_id: event.id,
        event_title: event.title,
        instance,
        instance_label: instance_label(ctx),
        rows,
        recipients: Recipients::ALL,
        max_note: MAX_NOTE_CHARS,
        csrf: signed_in.csrf_token().to_owned(),
        errors,
        saved,
    })
}

/// `GET /dashboard/event-types/{id}/reminders`: the event type's reminders, as a form.
pub async fn show(ctx: &Ctx, req: &Request, id: &str) -> Result<Response, AppError> {
    let signed_in = require_host(ctx, req).await?;
    let saved = req.url()?.query() == Some("saved");
    let page = page(ctx, &signed_in, id, None, FieldErrors::default(), saved).await?;
    Ok(Response::from_html(page.render()?)?)
}

/// `POST /dashboard/event-types/{id}/reminders`: saves the plan and shows it again, or shows
/// the form again as typed with what was wrong (422).
pub async fn save(ctx: &Ctx, req: &mut Request, id: &str) -> Result<Response, AppError> {
    let signed_in = require_host(ctx, req).await?;
    let pairs = form(req).await?;
    check_form(ctx, req, &signed_in, &pairs)?;
    let value = |name: &str| field(&pairs, name).unwrap_or_default();
    let typed: Vec<TypedRow<'_>> = (0..MAX_REMINDERS)
        .map(|index| TypedRow {
            amount: value(FORM_FIELDS.lead[index]),
            recipients: value(FORM_FIELDS.recipients[index]),
            note: value(FORM_FIELDS.note[index]),
        })
        .collect();
    let instance = value("plan") != "own";
    let checked = match from_rows(&typed, &FORM_FIELDS) {
        Ok(list) if instance && !list.is_empty() => Err(FieldErrors::one(
            "plan",
            "Choose \"These reminders\" to use the rows below, or empty them.",
        )),
        other => other,
    };
    match checked {
        Ok(list) => {
            let plan = if instance {
                ReminderPlan::Instance
            } else {
                ReminderPlan::Own(list)
            };
            reminders::save(ctx, &signed_in.host.id, id, &plan).await?;
            redirect(&format!("/dashboard/event-types/{id}/reminders?saved"), 303)
        }
        Err(errors) => {
            let rows = typed
                .iter()
                .enumerate()
                .map(|(index, typed)| {
                    row(
                        index,
                        typed.amount.trim().parse().unwrap_or(0),
                        Recipients::parse(typed.recipients).unwrap_or(Recipients::Both),
                        typed.note.to_owned(),
                    )
                })
                .collect();
            let page = page(ctx, &signed_in, id, Some((instance, rows)), errors, false).await?;
            Ok(Response::from_html(page.render()?)?.with_status(422))
        }
    }
}
