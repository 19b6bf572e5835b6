//! The host's event types in the dashboard: create, edit, duplicate, hide or show, delete.
//! Every action needs the host's session and, for writes, the form's CSRF token; ids from the
//! address only ever reach queries scoped to the signed-in host.

use super::dashboard_nav::ConnectionAlert;
use askama::Template;
use worker::{Request, Response};

use super::request::{field, form};
use super::session::{check_form, redirect, require_host, SignedIn};
use crate::app::availability;
use crate::app::event_calendar;
use crate::app::event_types::{self, defaults, duplicate, input_of, Created, Saved};
use crate::app::AppError;
use crate::app::Ctx;
use crate::core::booking::FieldErrors;
use crate::core::display::location_label;
use crate::core::event_summary::summary;
use crate::core::event_type::{EventTypeInput, LocationKind};
use crate::core::questions::{
    QuestionInput, QuestionKind, HELP_FIELDS, KIND_FIELDS, MAX_FIELDS, MAX_QUESTIONS, MIN_FIELDS,
    OPTIONS_FIELDS, QUESTION_FIELDS,
};
use crate::providers::calendar::receiving::{form_value, parse_form_value, EventCalendar};

/// One row of the questions editor: its fields' names (also where their errors are reported)
/// and what they hold.
struct QuestionRow {
    /// `question_N`: the label field's name and id.
    field: &'static str,
    kind_field: &'static str,
    input: QuestionInput,
    kinds: Vec<Choice>,
    /// Help, options and bounds: one template loop draws them all.
    details: Vec<DetailField>,
}

/// A question's detail field in the editor (help, options, smallest, largest).
struct DetailField {
    /// The field's name and id, where its error is reported.
    name: &'static str,
    label: &'static str,
    /// When the field applies, after the label.
    note: &'static str,
    value: String,
    /// Options take several lines.
    multiline: bool,
    /// `choice` or `number`: the kinds that use it (the page's script hides it otherwise).
    used_for: &'static str,
    error: String,
}

/// Blank rows the editor offers below the questions, so a host adds one without JavaScript.
const SPARE_QUESTION_ROWS: usize = 3;

struct LocationOption {
    value: &'static str,
    label: &'static str,
}

/// A choice in a short list (a chip or an option): its value, label and whether it is chosen.
struct Choice {
    value: String,
    label: String,
    chosen: bool,
}

/// Durations offered as chips; a stored one not among them is shown too.
const DURATION_CHOICES: [u32; 7] = [15, 20, 30, 45, 60, 90, 120];
/// Minimum notice choices, in minutes.
const NOTICE_CHOICES: [u32; 9] = [0, 15, 30, 60, 120, 240, 720, 1440, 2880];
/// "Requests wait for your answer …" choices, in hours; 0 stands for no approval (an empty
/// field).
const APPROVAL_CHOICES: [u32; 6] = [0, 4, 12, 24, 48, 168];
/// "Free time before/after" choices, in minutes.
const BUFFER_CHOICES: [u32; 6] = [0, 5, 10, 15, 30, 60];
/// "A start every …" choices, in minutes (empty: the duration).
const INTERVAL_CHOICES: [u32; 6] = [5, 10, 15, 20, 30, 60];

/// "15 min", "1 hour", "2 days": how a choice of minutes reads.
fn minutes_label(minutes: u32) -> String {
    match minutes {
        0 => "None".to_owned(),
        m if m % 1440 == 0 => format!("{} day{}", m / 1440, if m == 1440 { "" } else { "s" }),
        m if m % 60 == 0 => format!("{} hour{}", m / 60, if m == 60 { "" } else { "s" }),
        m => format!("{m} min"),
    }
}

/// The choices of a short list with `typed` chosen; a typed value not among them is added, so
/// what is stored (or typed) is always on the form.
fn choices(list: &[u32], typed: &str, label: fn(u32) -> String) -> Vec<Choice> {
    let typed = typed.trim();
    let mut out: Vec<Choice> = list
        .iter()
        .map(|m| Choice {
            value: m.to_string(),
            label: label(*m),
            chosen: m.to_string() == typed,
        })
        .collect();
    if !typed.is_empty() && !out.iter().any(|c| c.chosen) {
        out.push(Choice {
            value: typed.to_owned(),
            label: typed.parse().map_or_else(|_| typed.to_owned(), label),
            chosen: true,
        });
    }
    out
}

#[derive(Template)]
#[template(path = "event_type.html")]
struct EventTypePage {
    /// The banner of broken connections every dashboard page shows.
    alerts: Vec<ConnectionAlert>,
    /// `None` for a new event type.
    id: Option<String>,
    input: EventTypeInput,
    hidden: bool,
    locations: Vec<LocationOption>,
    /// The schedules the type may follow; the first (value empty) is "the default".
    schedules: Vec<Choice>,
    /// "Add bookings to": the host's default (value empty), then each writable calendar.
    calendars: Vec<Choice>,
    /// Connections whose calendars could not be read for the list just now.
    calendar_notes: Vec<String>,
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
                let input = self
                    .input
                    .questions
                    .get(position)
                    .cloned()
                    .unwrap_or_default();
                // A new row offers one line of text, the most common question.
                let kind = QuestionKind::parse(&input.kind)
                    .map_or(QuestionKind::ShortText.as_str(), QuestionKind::as_str);
                let detail = |name: &'static str, label, note, value: &str, used_for| DetailField {
                    name,
                    label,
                    note,
                    value: value.to_owned(),
                    multiline: used_for == "choice",
                    used_for,
                    error: self.error(name).to_owned(),
                };
                let details = vec![
                    detail(
                        HELP_FIELDS[position],
                        "Help text",
                        "optional, shown under the question",
                        &input.help,
                        "",
                    ),
                    detail(
                        OPTIONS_FIELDS[position],
                        "Options, one per line",
                        "only for \"one of\" and \"any of\"",
                        &input.options,
                        "choice",
                    ),
                    detail(
                        MIN_FIELDS[position],
                        "Smallest",
                        "only for a whole number",
                        &input.min,
                        "number",
                    ),
                    detail(
                        MAX_FIELDS[position],
                        "Largest",
                        "only for a whole number",
                        &input.max,
                        "number",
                    ),
                ];
                QuestionRow {
                    field,
                    kind_field: KIND_FIELDS[position],
                    details,
                    kinds: QuestionKind::ALL
                        .iter()
                        .map(|k| Choice {
                            value: k.as_str().to_owned(),
                            label: k.label().to_owned(),
                            chosen: k.as_str() == kind,
                        })
                        .collect(),
                    input,
                }
            })
            .collect()
    }

    fn duration_choices(&self) -> Vec<Choice> {
        choices(&DURATION_CHOICES, &self.input.duration_minutes, |m| {
            format!("{m} min")
        })
    }

    /// The further durations as chips, each ticked when offered.
    fn other_duration_choices(&self) -> Vec<Choice> {
        let offered: Vec<&str> = self
            .input
            .other_durations
            .split([',', ' '])
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        let mut out: Vec<Choice> = DURATION_CHOICES
            .iter()
            .map(|m| Choice {
                value: m.to_string(),
                label: format!("{m} min"),
                chosen: offered.contains(&m.to_string().as_str()),
            })
            .collect();
        for extra in offered {
            if !out.iter().any(|c| c.value == extra) {
                out.push(Choice {
                    value: extra.to_owned(),
                    label: format!("{extra} min"),
                    chosen: true,
                });
            }
        }
        out
    }

    fn notice_choices(&self) -> Vec<Choice> {
        choices(
            &NOTICE_CHOICES,
            &self.input.minimum_notice_minutes,
            minutes_label,
        )
    }

    /// The language the page and emails are fixed to: the browser's, English or German (each
    /// language named in itself, as a reader of it looks for it).
    fn lang_choices(&self) -> Vec<Choice> {
        [
            ("", "The invitee's browser"),
            ("en", "English"),
            ("de", "Deutsch"),
        ]
        .into_iter()
        .map(|(value, label)| Choice {
            value: value.to_owned(),
            label: label.to_owned(),
            chosen: self.input.lang.trim() == value,
        })
        .collect()
    }

    fn cutoff_choices(&self) -> Vec<Choice> {
        choices(
            &NOTICE_CHOICES,
            &self.input.change_cutoff_minutes,
            minutes_label,
        )
    }

    fn approval_choices(&self) -> Vec<Choice> {
        let mut list = choices(
            &APPROVAL_CHOICES,
            &self.input.approval_hours,
            |hours| match hours {
                0 => "No: bookings are confirmed at once".to_owned(),
                h if h % 24 == 0 && h > 24 => format!("Yes, requests wait up to {} days", h / 24),
                h => format!("Yes, requests wait up to {h} hours"),
            },
        );
        if let Some(none) = list.first_mut() {
            none.value.clear();
            none.chosen = self.input.approval_hours.trim().is_empty();
        }
        list
    }

    fn before_choices(&self) -> Vec<Choice> {
        choices(
            &BUFFER_CHOICES,
            &self.input.buffer_before_minutes,
            minutes_label,
        )
    }

    fn after_choices(&self) -> Vec<Choice> {
        choices(
            &BUFFER_CHOICES,
            &self.input.buffer_after_minutes,
            minutes_label,
        )
    }

    fn interval_choices(&self) -> Vec<Choice> {
        choices(&INTERVAL_CHOICES, &self.input.interval_minutes, |m| {
            format!("every {m} min")
        })
    }

    /// "30 min, every 30 min, at least 1 hour's notice, up to 60 days ahead".
    fn summary(&self) -> String {
        summary(&self.input)
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
        schedules: Vec::new(),
        calendars: Vec::new(),
        calendar_notes: Vec::new(),
        locations: LocationKind::all()
            .map(|kind| LocationOption {
                value: kind.as_str(),
                label: location_label(kind),
            })
            .collect(),
        public_base: format!("{}/{}/", ctx.origin, signed_in.host.slug),
        alerts: signed_in.connection_alerts(),
        csrf: signed_in.csrf_token().to_owned(),
        errors,
    }
}

fn input_from(pairs: &[(String, String)]) -> EventTypeInput {
    let value = |name: &str| field(pairs, name).unwrap_or_default().to_owned();
    // The chips send one `other_durations` per ticked duration; older forms send one text.
    let other_durations = pairs
        .iter()
        .filter(|(name, value)| name == "other_durations" && !value.trim().is_empty())
        .map(|(_, value)| value.trim())
        .collect::<Vec<_>>()
        .join(", ");
    // "Other" beside the duration chips wins when filled in.
    let duration = match field(pairs, "duration_other").map(str::trim) {
        Some(other) if !other.is_empty() => other.to_owned(),
        _ => value("duration_minutes"),
    };
    EventTypeInput {
        title: value("title"),
        slug: value("slug"),
        description: value("description"),
        duration_minutes: duration,
        interval_minutes: value("interval_minutes"),
        buffer_before_minutes: value("buffer_before_minutes"),
        buffer_after_minutes: value("buffer_after_minutes"),
        minimum_notice_minutes: value("minimum_notice_minutes"),
        booking_window_days: value("booking_window_days"),
        max_per_day: value("max_per_day"),
        max_per_week: value("max_per_week"),
        max_per_month: value("max_per_month"),
        max_minutes_per_day: value("max_minutes_per_day"),
        lang: value("lang"),
        message_en: value("message_en"),
        message_de: value("message_de"),
        change_cutoff_minutes: value("change_cutoff_minutes"),
        approval_hours: value("approval_hours"),
        location_kind: value("location_kind"),
        location_detail: value("location_detail"),
        other_durations,
        questions: (0..MAX_QUESTIONS)
            .map(|n| QuestionInput {
                label: value(QUESTION_FIELDS[n]),
                required: field(pairs, &format!("{}_required", QUESTION_FIELDS[n])).is_some(),
                kind: value(KIND_FIELDS[n]),
                help: value(HELP_FIELDS[n]),
                options: value(OPTIONS_FIELDS[n]),
                min: value(MIN_FIELDS[n]),
                max: value(MAX_FIELDS[n]),
            })
            .collect(),
    }
}

/// The editor's "Schedule" options with `chosen` (empty: the default) selected.
async fn schedule_choices(ctx: &Ctx, host_id: &str, chosen: &str) -> Result<Vec<Choice>, AppError> {
    let rows = availability::schedules(ctx, host_id).await?;
    let default = rows
        .iter()
        .find(|r| r.is_default == 1)
        .map(|r| r.name.as_str());
    let mut choices = vec![Choice {
        value: String::new(),
        label: format!("Default schedule ({})", default.unwrap_or_default()),
        chosen: chosen.is_empty(),
    }];
    choices.extend(rows.iter().map(|r| Choice {
        value: r.id.clone(),
        label: r.name.clone(),
        chosen: r.id == chosen,
    }));
    Ok(choices)
}

/// The editor's "Add bookings to" options with `chosen` (a form value; empty: the default)
/// selected, read live, and a note for each connection that could not be read. A chosen
/// calendar that is not listed (its provider unreadable just now) stays offered, so saving
/// the page keeps it.
async fn calendar_choices(
    ctx: &Ctx,
    host_id: &str,
    chosen: &str,
) -> Result<(Vec<Choice>, Vec<String>), AppError> {
    let listed = event_calendar::choices(ctx, host_id).await?;
    let default = listed
        .default_connection
        .unwrap_or_else(|| "no calendar connected".to_owned());
    let mut choices = vec![Choice {
        value: String::new(),
        label: format!("Your default calendar ({default})"),
        chosen: chosen.is_empty(),
    }];
    choices.extend(listed.options.iter().map(|option| {
        let value = form_value(&option.calendar);
        Choice {
            chosen: value == chosen,
            label: format!("{} ({})", option.name, option.account),
            value,
        }
    }));
    if !chosen.is_empty() && !choices.iter().any(|c| c.chosen) {
        choices.push(Choice {
            value: chosen.to_owned(),
            label: "The calendar you chose (not listed just now)".into(),
            chosen: true,
        });
    }
    let notes = listed
        .unreadable
        .iter()
        .map(|account| {
            format!(
                "Openslot could not read your {account} calendars just now; they are missing \
                 from this list, and a calendar you chose there stays chosen."
            )
        })
        .collect();
    Ok((choices, notes))
}

/// Renders the editor with its schedule and calendar options (`chosen` and `calendar`: the
/// posted or stored choices).
async fn render_page(
    ctx: &Ctx,
    mut page: EventTypePage,
    host_id: &str,
    chosen: &str,
    calendar: &str,
    status: u16,
) -> Result<Response, AppError> {
    page.schedules = schedule_choices(ctx, host_id, chosen).await?;
    (page.calendars, page.calendar_notes) = calendar_choices(ctx, host_id, calendar).await?;
    Ok(Response::from_html(page.render()?)?.with_status(status))
}

/// The posted "Add bookings to" choice checked against the host's calendars: `Ok(None)` for
/// the default, the field's error when refused. A form without the field keeps `saved`.
async fn posted_calendar(
    ctx: &Ctx,
    host_id: &str,
    pairs: &[(String, String)],
    saved: Option<&EventCalendar>,
) -> Result<Result<Option<EventCalendar>, FieldErrors>, AppError> {
    let Some(value) = field(pairs, "event_calendar") else {
        return Ok(Ok(saved.cloned()));
    };
    let wanted = match parse_form_value(value) {
        Ok(wanted) => wanted,
        Err(message) => return Ok(Err(FieldErrors::one(event_calendar::FIELD, message))),
    };
    match event_calendar::check(ctx, host_id, wanted, saved).await {
        Ok(checked) => Ok(Ok(checked)),
        Err(AppError::InvalidFields(errors)) => Ok(Err(errors)),
        Err(other) => Err(other),
    }
}

/// `errors` with the calendar's refusal added, if any.
fn with_calendar_error(
    mut errors: FieldErrors,
    calendar: &Result<Option<EventCalendar>, FieldErrors>,
) -> FieldErrors {
    if let Err(refused) = calendar {
        for (name, message) in refused.iter() {
            errors.push(name, message);
        }
    }
    errors
}

/// The schedule a posted form chose (`None`: the default).
fn chosen_schedule(pairs: &[(String, String)]) -> Option<&str> {
    field(pairs, "schedule").filter(|id| !id.is_empty())
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
    render_page(ctx, page, &signed_in.host.id, "", "", 200).await
}

/// `POST /dashboard/event-types`: creates one, or shows the form again with messages.
pub async fn create(ctx: &Ctx, req: &mut Request) -> Result<Response, AppError> {
    let signed_in = require_host(ctx, req).await?;
    let pairs = form(req).await?;
    check_form(ctx, req, &signed_in, &pairs)?;
    let input = input_from(&pairs);
    let host_id = signed_in.host.id.as_str();
    let schedule = chosen_schedule(&pairs);
    let calendar = posted_calendar(ctx, host_id, &pairs, None).await?;
    let errors = match (input.parse(), &calendar) {
        (Ok(settings), Ok(chosen)) => {
            match event_types::create(ctx, host_id, &settings, false).await? {
                Created::Saved(id) => {
                    if schedule.is_some() {
                        availability::choose_schedule(ctx, host_id, &id, schedule).await?;
                    }
                    if chosen.is_some() {
                        event_calendar::save(ctx, host_id, &id, chosen.as_ref()).await?;
                    }
                    return redirect("/dashboard", 303);
                }
                Created::SlugTaken | Created::HostGone => slug_taken(settings.slug.as_str()),
            }
        }
        (Ok(_), Err(_)) => FieldErrors::default(),
        (Err(errors), _) => errors,
    };
    let errors = with_calendar_error(errors, &calendar);
    let page = page(&signed_in, ctx, None, input, false, errors);
    let posted = field(&pairs, "event_calendar").unwrap_or_default();
    render_page(
        ctx,
        page,
        host_id,
        schedule.unwrap_or_default(),
        posted,
        422,
    )
    .await
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
    let chosen = row.schedule_id.as_deref().unwrap_or_default();
    let calendar = ctx
        .store
        .event_calendar(&signed_in.host.id, id)
        .await?
        .map(|c| form_value(&c))
        .unwrap_or_default();
    render_page(ctx, page, &signed_in.host.id, chosen, &calendar, 200).await
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
    let schedule = chosen_schedule(&pairs);
    let host_id = signed_in.host.id.as_str();
    let saved = ctx.store.event_calendar(host_id, id).await?;
    let calendar = posted_calendar(ctx, host_id, &pairs, saved.as_ref()).await?;
    let errors = match (input.parse(), &calendar) {
        (Ok(settings), Ok(chosen)) => {
            match event_types::save(ctx, host_id, id, &settings, None).await? {
                Saved::Done => {
                    availability::choose_schedule(ctx, host_id, id, schedule).await?;
                    if *chosen != saved {
                        event_calendar::save(ctx, host_id, id, chosen.as_ref()).await?;
                    }
                    return redirect("/dashboard", 303);
                }
                Saved::SlugTaken => slug_taken(settings.slug.as_str()),
                Saved::NotFound => return Err(not_found()),
            }
        }
        (Ok(_), Err(_)) => FieldErrors::default(),
        (Err(errors), _) => errors,
    };
    let errors = with_calendar_error(errors, &calendar);
    let page = page(
        &signed_in,
        ctx,
        Some(current.id),
        input,
        current.hidden != 0,
        errors,
    );
    let chosen = schedule.unwrap_or_default();
    let posted = field(&pairs, "event_calendar")
        .map(str::to_owned)
        .or_else(|| saved.as_ref().map(form_value))
        .unwrap_or_default();
    render_page(ctx, page, host_id, chosen, &posted, 422).await
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
            if !event_types::set_hidden(ctx, host_id, id, action == "hide").await? {
                return Err(not_found());
            }
            redirect("/dashboard", 303)
        }
        "duplicate" => {
            let copy_id = duplicate(ctx, host_id, id).await?;
            redirect(&format!("/dashboard/event-types/{copy_id}"), 303)
        }
        "delete" => match event_types::delete(ctx, host_id, id).await? {
            true => redirect("/dashboard", 303),
            false => Err(not_found()),
        },
        _ => Err(AppError::NotFound(
            "There is nothing at this address.".into(),
        )),
    }
}
