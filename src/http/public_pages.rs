//! The pages anyone can open: the instance's front page, a host's profile `/{host}`, the
//! booking page `/{host}/{event}` with its form, and the confirmation `/booking/{token}`.
//!
//! Everything works without JavaScript: days and slots are links, the form is a plain POST,
//! and the invitee's zone and clock travel in the `tz` and `clock` query parameters (the
//! page's script only detects the zone). The booking page reads `month=YYYY-MM`,
//! `date=YYYY-MM-DD`, `slot=` (an RFC 3339 start) and, for an event type offering several
//! durations, `duration=` (minutes; every link and form carries it on); it runs the slot engine
//! once per view, over the shown month. The host's questions are form fields `answer_1` … in
//! their order. Words come from `crate::i18n`, in the language of `Accept-Language`.

use std::collections::BTreeMap;

use askama::Template;
use chrono::{DateTime, Datelike, Days, Months, NaiveDate, Utc};
use chrono_tz::Tz;
use worker::{Request, Response};

use super::request::accept_language;
use super::request::{field, form, query};
use crate::app::booking::{create_booking, finish_left_work, ProviderWork};
use crate::app::bookings::booking_by_link;
use crate::app::public_event::PublicEvent;
use crate::app::single_use_links::check_open;
use crate::app::AppError;
use crate::app::Ctx;
use crate::core::availability::{group_by_local_date, local_dates_to_utc, Slot};
use crate::core::booking::{parse_slot_start, BookingInput, FieldErrors};
use crate::core::booking_status::BookingStatus;
use crate::core::calendar_work::CalendarWorkState;
use crate::core::event_type::LocationKind;
use crate::core::ics;
use crate::core::lifecycle::ChangeWindow;
use crate::core::location::Location;
use crate::core::questions::{parse_answers, Question, ANSWER_FIELDS};
use crate::core::types::TimeZoneName;
use crate::crypto::random_hex;
use crate::i18n::{default_clock, span_label, time_label, Clock, Lang, Strings};
use crate::providers::calendar::MeetingMaker;

fn html(page: impl Template) -> Result<Response, AppError> {
    Ok(Response::from_html(page.render()?)?)
}

fn encode(pairs: &[(&str, &str)]) -> String {
    let mut serializer = form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs {
        serializer.append_pair(name, value);
    }
    serializer.finish()
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage;

/// `GET /`: what this instance is.
pub fn home() -> Result<Response, AppError> {
    html(HomePage)
}

struct EventLink {
    title: String,
    href: String,
    /// "30" or, with several durations, "15 / 30 / 60".
    duration_minutes: String,
    location: &'static str,
}

#[derive(Template)]
#[template(path = "host.html")]
struct HostPage {
    t: &'static Strings,
    host_name: String,
    events: Vec<EventLink>,
}

/// `GET /{host}`: the host's listed event types.
pub async fn host_profile(ctx: &Ctx, host_slug: &str, lang: Lang) -> Result<Response, AppError> {
    let t = lang.strings();
    let host = ctx.store.host_by_slug(host_slug).await?.ok_or_else(|| {
        AppError::NotFound(format!("There is no host called '{host_slug}' here."))
    })?;
    let events = ctx
        .store
        .listed_event_types(&host.id)
        .await?
        .into_iter()
        .map(|e| EventLink {
            href: format!("/{}/{}", host.slug, e.slug),
            location: t.location(e.location_kind),
            duration_minutes: crate::core::event_type::durations_label(
                &crate::core::event_type::offered_durations(
                    u32::try_from(e.duration_minutes).unwrap_or(0),
                    &e.other_durations,
                ),
            ),
            title: e.title,
        })
        .collect();
    html(HostPage {
        t,
        host_name: host.name,
        events,
    })
}

/// Field errors in the page's language.
pub(super) fn translated(t: &Strings, errors: &FieldErrors) -> FieldErrors {
    let mut out = FieldErrors::default();
    for (field, message) in errors.iter() {
        out.push(field, t.field_error(message));
    }
    out
}

/// The language and clock a page is written in: the event type's fixed language, or else
/// `Accept-Language`'s; the clock from `?clock=`, or else the browser's locale.
#[derive(Clone, Copy)]
struct Locale {
    lang: Lang,
    t: &'static Strings,
    clock: Clock,
}

fn locale(req: &Request, pairs: &[(String, String)], fixed: Option<Lang>) -> Locale {
    let accept = accept_language(req);
    let clock = field(pairs, "clock")
        .and_then(Clock::from_param)
        .unwrap_or_else(|| default_clock(&accept));
    let lang = fixed.unwrap_or_else(|| Lang::from_accept_language(&accept));
    Locale {
        lang,
        t: lang.strings(),
        clock,
    }
}

struct SlotLink {
    label: String,
    accessible_label: String,
    href: String,
}

/// One cell of the month calendar: a day of the shown month.
struct DayCell {
    number: u32,
    /// The screen-reader name: "Wednesday 25 November, 6 times free".
    label: String,
    /// A link to the day's times when it has any.
    href: Option<String>,
    current: bool,
}

/// The chosen day and its free times.
struct ChosenDay {
    label: String,
    slots: Vec<SlotLink>,
}

/// One option of a choice question on the booking form.
struct OptionField {
    /// `answer_N-K`: the radio button's or checkbox's id.
    id: String,
    value: String,
    /// Whether it is chosen (radio, checkbox) or selected (list).
    chosen: bool,
}

/// One of the host's questions as a form field.
struct QuestionField {
    /// `answer_N`: the field's name and id.
    name: &'static str,
    label: String,
    /// The kind's name, which decides the control (`QuestionKind::as_str`).
    kind: &'static str,
    help: String,
    required: bool,
    /// What the invitee gave, for a text-like field or a ticked box.
    value: String,
    options: Vec<OptionField>,
    min: Option<i64>,
    max: Option<i64>,
}

/// The host's questions as form fields, holding `values` (by position; a multiple choice's
/// options one per line).
fn question_fields(questions: &[Question], values: &[String]) -> Vec<QuestionField> {
    questions
        .iter()
        .zip(ANSWER_FIELDS)
        .enumerate()
        .map(|(position, (question, name))| {
            let value = values.get(position).cloned().unwrap_or_default();
            let options = question
                .options
                .iter()
                .enumerate()
                .map(|(k, option)| OptionField {
                    id: format!("{name}-{}", k + 1),
                    value: option.clone(),
                    chosen: value.lines().any(|chosen| chosen.trim() == option),
                })
                .collect();
            QuestionField {
                name,
                label: question.label.clone(),
                kind: question.kind.as_str(),
                help: question.help.clone(),
                required: question.required,
                value,
                options,
                min: question.min,
                max: question.max,
            }
        })
        .collect()
}

/// The chosen slot and the form to book it.
struct BookingForm {
    start: String,
    when: String,
    name: String,
    email: String,
    note: String,
    questions: Vec<QuestionField>,
    idempotency_key: String,
    errors: FieldErrors,
}

/// One duration the invitee may pick, as a link that keeps the rest of the view.
struct DurationLink {
    minutes: u32,
    href: String,
    current: bool,
}

impl BookingForm {
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }

    /// The ids a question's control is described by: its help (a phone question always has
    /// one, the number's form) and its error.
    fn described_by(&self, q: &QuestionField) -> String {
        let mut ids = Vec::new();
        if !q.help.is_empty() || q.kind == "phone" {
            ids.push(format!("{}-help", q.name));
        }
        if self.errors.get(q.name).is_some() {
            ids.push(format!("{}-error", q.name));
        }
        ids.join(" ")
    }
}

#[derive(Template)]
#[template(path = "booking.html")]
struct BookingPage {
    t: &'static Strings,
    host_name: String,
    title: String,
    description: String,
    duration_minutes: u32,
    /// Links to the other durations, when the event type offers several (shortest first).
    durations: Vec<DurationLink>,
    /// The `duration` every link and form carries, empty when only one is offered.
    duration_param: String,
    /// The kind of place; an in-person meeting's address too, so invitees know where it is.
    location: String,
    page_href: String,
    zone: &'static str,
    zone_names: &'static [Tz],
    clock: &'static str,
    clock_12_href: String,
    clock_24_href: String,
    month_param: String,
    month_label: String,
    weekdays: Vec<(&'static str, &'static str)>,
    weeks: Vec<Vec<Option<DayCell>>>,
    previous_href: Option<String>,
    next_href: Option<String>,
    month_has_times: bool,
    chosen: Option<ChosenDay>,
    form: Option<BookingForm>,
    notice: Option<String>,
    /// The notes of the host's time off in the shown month ("Back on 12 January"), as the
    /// host wrote them; never why.
    time_off_notes: Vec<String>,
    /// The single-use link the page was opened with, carried by its forms.
    link: Option<String>,
    /// The event type takes requests the host approves: said above the form's button, which
    /// then sends a request.
    needs_approval: Option<String>,
}

/// Which month, day and zone a booking page shows, and which slot (if any) is being booked.
struct PageParams {
    zone: Tz,
    locale: Locale,
    /// The first day of the shown month.
    month: NaiveDate,
    /// The chosen day, if any (never before today).
    date: Option<NaiveDate>,
    slot: Option<DateTime<Utc>>,
    /// The token of the single-use link the invitee came through (`link=`): every link and
    /// form of the page carries it on, and the booking uses it up.
    link: Option<String>,
}

fn first_of_month(date: NaiveDate) -> NaiveDate {
    date.with_day(1).unwrap_or(date)
}

fn parse_month(text: &str) -> Option<NaiveDate> {
    let valid = text.len() == 7
        && text.as_bytes()[4] == b'-'
        && text
            .chars()
            .enumerate()
            .all(|(i, c)| i == 4 || c.is_ascii_digit());
    if !valid {
        return None;
    }
    crate::core::display::parse_layout(&format!("{text}-01"), crate::core::display::layouts::DATE)
        .and_then(|parsed| parsed.to_naive_date())
        .ok()
}

fn page_params(
    ctx: &Ctx,
    req: &Request,
    target: &mut PublicEvent,
    pairs: &[(String, String)],
) -> Result<PageParams, AppError> {
    // A duration the event type does not offer is refused, naming the ones it does.
    target
        .use_duration(field(pairs, "duration").unwrap_or_default())
        .map_err(|e| AppError::InvalidFields(FieldErrors::one("duration", e.to_string())))?;
    let zone = match field(pairs, "tz").filter(|v| !v.is_empty()) {
        Some(name) => TimeZoneName::parse(name)
            .map_err(|e| AppError::BadRequest(format!("The time zone '{name}' is not known: {e}")))?
            .tz(),
        None => target.host_zone(),
    };
    let today = ctx.now.with_timezone(&zone).date_naive();
    let slot = match field(pairs, "slot").filter(|v| !v.is_empty()) {
        Some(text) => {
            Some(parse_slot_start(text).map_err(|e| AppError::BadRequest(e.to_string()))?)
        }
        None => None,
    };
    let date = match (slot, field(pairs, "date").filter(|v| !v.is_empty())) {
        (Some(start), _) => Some(start.with_timezone(&zone).date_naive()),
        (None, Some(text)) => Some(text.parse::<NaiveDate>().map_err(|_| {
            AppError::BadRequest(format!("'{text}' is not a date like 2026-05-04."))
        })?),
        (None, None) => None,
    }
    .filter(|date| *date >= today);
    let month = match (date, field(pairs, "month").filter(|v| !v.is_empty())) {
        (Some(date), _) => first_of_month(date),
        (None, Some(text)) => parse_month(text).ok_or_else(|| {
            AppError::BadRequest(format!("'{text}' is not a month like 2026-05."))
        })?,
        (None, None) => first_of_month(today),
    }
    .max(first_of_month(today));
    Ok(PageParams {
        zone,
        locale: locale(req, pairs, target.event.lang),
        month,
        date,
        slot,
        link: field(pairs, "link")
            .filter(|v| !v.is_empty())
            .map(str::to_owned),
    })
}

async fn render_booking_page(
    ctx: &Ctx,
    target: &PublicEvent,
    params: &PageParams,
    form: Option<BookingForm>,
    notice: Option<String>,
) -> Result<Response, AppError> {
    let (zone, t, clock) = (params.zone, params.locale.t, params.locale.clock);
    let today = ctx.now.with_timezone(&zone).date_naive();
    let next_month = params.month + Months::new(1);
    let last_day = next_month - Days::new(1);
    // One engine run per page view: the whole shown month (from today on).
    let range = local_dates_to_utc(params.month.max(today), last_day, zone)
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    // Showing times only: busy times a few seconds old will do (the booking re-checks).
    let availability = target.availability_to_show(ctx, range).await?;
    let by_day: BTreeMap<NaiveDate, Vec<Slot>> = group_by_local_date(&availability.slots(), zone)
        .into_iter()
        .map(|day| (day.date, day.slots))
        .collect();
    let slot_is_free =
        |start: DateTime<Utc>| by_day.values().flatten().any(|slot| slot.start == start);
    let (form, notice) = match (form, params.slot) {
        (Some(_), Some(start)) if !slot_is_free(start) => (None, Some(t.slot_gone.to_owned())),
        (form, _) => (form, notice),
    };
    // A page that says a time is gone offers other times: the chosen day's, or, when that
    // day has none left (its last time was the one taken), the next day's that has some.
    let next_free_day = |from: NaiveDate| by_day.range(from..).next().map(|(day, _)| *day);
    let chosen_date = match params.date {
        Some(date) if notice.is_some() && !by_day.contains_key(&date) => {
            next_free_day(date).or(Some(date))
        }
        Some(date) => Some(date),
        None => by_day.keys().next().copied(),
    };

    let page_href = format!("/{}/{}", target.host.slug, target.event.slug);
    let offered = target.offered_durations();
    let duration_param = if offered.len() > 1 {
        target.duration_minutes.to_string()
    } else {
        String::new()
    };
    let link_with = |minutes: &str, clock: Clock, extra: &[(&str, &str)]| {
        let mut pairs = vec![("tz", zone.name()), ("clock", clock.param())];
        if !minutes.is_empty() {
            pairs.push(("duration", minutes));
        }
        if let Some(token) = &params.link {
            pairs.push(("link", token));
        }
        pairs.extend_from_slice(extra);
        format!("{page_href}?{}", encode(&pairs))
    };
    let link = |clock: Clock, extra: &[(&str, &str)]| link_with(&duration_param, clock, extra);
    let month_param = params
        .month
        .format_with_items(crate::core::display::layouts::MONTH_OF_YEAR.iter())
        .to_string();

    let mut weeks = Vec::new();
    let offset = params.month.weekday().num_days_from_monday() as usize;
    let mut week: Vec<Option<DayCell>> = (0..offset).map(|_| None).collect();
    let mut day = params.month;
    while day <= last_day {
        let free = by_day.get(&day).map_or(0, Vec::len);
        let date_text = day.to_string();
        week.push(Some(DayCell {
            number: day.day(),
            label: if free > 0 {
                format!("{}, {}", t.short_day_label(day), t.times_free(free))
            } else {
                t.short_day_label(day)
            },
            href: (free > 0).then(|| format!("{}#times", link(clock, &[("date", &date_text)]))),
            current: Some(day) == chosen_date,
        }));
        if week.len() == 7 {
            weeks.push(std::mem::take(&mut week));
        }
        day = day + Days::new(1);
    }
    if !week.is_empty() {
        week.resize_with(7, || None);
        weeks.push(week);
    }

    let chosen = chosen_date.map(|date| {
        let date_text = date.to_string();
        ChosenDay {
            label: t.day_label(date),
            slots: by_day
                .get(&date)
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .map(|slot| {
                    let start = crate::core::display::rfc3339(&slot.start);
                    SlotLink {
                        label: time_label(&slot.start.with_timezone(&zone), clock),
                        accessible_label: t
                            .book_slot(&span_label(t, clock, slot.start, slot.end, zone)),
                        href: format!(
                            "{}#book",
                            link(clock, &[("date", &date_text), ("slot", &start)])
                        ),
                    }
                })
                .collect(),
        }
    });
    let view: Vec<(&str, String)> = match chosen_date {
        Some(date) => vec![("date", date.to_string())],
        None => vec![("month", month_param.clone())],
    };
    let view: Vec<(&str, &str)> = view.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let month_href = |first: NaiveDate| {
        link(
            clock,
            &[(
                "month",
                &first
                    .format_with_items(crate::core::display::layouts::MONTH_OF_YEAR.iter())
                    .to_string(),
            )],
        )
    };
    let window_end =
        today + Days::new(u64::try_from(target.event.booking_window_days).unwrap_or(0));
    let mut shortest_first = offered.clone();
    crate::core::sort::sort_numbers(&mut shortest_first);
    let durations = if offered.len() > 1 {
        shortest_first
            .into_iter()
            .map(|minutes| DurationLink {
                minutes,
                href: format!("{}#times", link_with(&minutes.to_string(), clock, &view)),
                current: minutes == target.duration_minutes,
            })
            .collect()
    } else {
        Vec::new()
    };
    let event = &target.event;
    let mut time_off_notes: Vec<String> = Vec::new();
    for off in &availability.time_off {
        if !off.note.is_empty() && !time_off_notes.contains(&off.note) {
            time_off_notes.push(off.note.clone());
        }
    }
    html(BookingPage {
        time_off_notes,
        t,
        host_name: target.host.name.clone(),
        title: event.title.clone(),
        description: event.description.clone(),
        duration_minutes: target.duration_minutes,
        durations,
        duration_param: duration_param.clone(),
        location: {
            let place = Location::from_stored(event.location_kind, &event.location_detail);
            if place.kind() == LocationKind::InPerson {
                t.place(&place)
            } else {
                t.location(event.location_kind).to_owned()
            }
        },
        zone: zone.name(),
        zone_names: &chrono_tz::TZ_VARIANTS,
        clock: clock.param(),
        clock_12_href: link(Clock::H12, &view),
        clock_24_href: link(Clock::H24, &view),
        month_label: t.month_label(params.month.year(), params.month.month()),
        weekdays: t
            .weekdays_short
            .iter()
            .copied()
            .zip(t.weekdays.iter().copied())
            .collect(),
        month_has_times: !by_day.is_empty(),
        weeks,
        previous_href: (params.month > first_of_month(today))
            .then(|| month_href(params.month - Months::new(1))),
        next_href: (next_month <= window_end).then(|| month_href(next_month)),
        month_param,
        chosen,
        page_href,
        link: params.link.clone(),
        needs_approval: event
            .approval_hours
            .map(|_| Strings::fill(t.approval_note, "host", &target.host.name)),
        form,
        notice,
    })
}

/// `GET /{host}/{event}`: a month of free days in the invitee's zone, the chosen day's times;
/// with `slot`, the form.
pub async fn booking_page(
    ctx: &Ctx,
    req: &Request,
    host_slug: &str,
    event_slug: &str,
) -> Result<Response, AppError> {
    let mut target = PublicEvent::find(&ctx.store, host_slug, event_slug).await?;
    let params = page_params(ctx, req, &mut target, &query(req)?)?;
    if let Some(token) = &params.link {
        // A used or expired link gets its own page, not the times it can no longer book.
        check_open(ctx, &target, token).await?;
    }
    let questions = target.questions()?;
    // The form is only shown if the slot is among the free times, which `render_booking_page`
    // checks in the same engine run that renders the page.
    let form = params.slot.map(|start| {
        let end = start + chrono::Duration::minutes(i64::from(target.duration_minutes));
        BookingForm {
            start: crate::core::display::rfc3339(&start),
            when: span_label(
                params.locale.t,
                params.locale.clock,
                start,
                end,
                params.zone,
            ),
            name: String::new(),
            email: String::new(),
            note: String::new(),
            questions: question_fields(&questions, &[]),
            idempotency_key: random_hex::<16>(),
            errors: FieldErrors::default(),
        }
    });
    render_booking_page(ctx, &target, &params, form, None).await
}

/// `POST /{host}/{event}`: books the chosen slot and redirects to the confirmation, or shows
/// the form again with a message next to each field that needs attention.
pub async fn submit_booking(
    ctx: &Ctx,
    req: &mut Request,
    host_slug: &str,
    event_slug: &str,
) -> Result<Response, AppError> {
    let mut target = PublicEvent::find(&ctx.store, host_slug, event_slug).await?;
    let pairs = form(req).await?;
    let params = page_params(ctx, req, &mut target, &pairs)?;
    let questions = target.questions()?;
    let value = |name: &str| field(&pairs, name).unwrap_or_default().to_owned();
    let input = BookingInput {
        start: value("slot"),
        name: value("name"),
        email: value("email"),
        time_zone: params.zone.name().to_owned(),
        note: value("note"),
        idempotency_key: value("idempotency_key"),
    };
    // A multiple choice sends its field once per ticked option: one per line for the core.
    let raw_answers: Vec<String> = ANSWER_FIELDS
        .iter()
        .take(questions.len())
        .map(|name| {
            let given: Vec<&str> = pairs
                .iter()
                .filter(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
                .collect();
            given.join("\n")
        })
        .collect();
    // Every field's problem is reported at once: the details and the answers together.
    let outcome = match (input.parse(), parse_answers(&questions, &raw_answers)) {
        (Ok(request), Ok(answers)) => {
            create_booking(
                ctx,
                &target,
                &request,
                &answers,
                params.locale.lang,
                ProviderWork::OnConfirmationPage,
                params.link.as_deref(),
            )
            .await
        }
        (parsed, answers) => {
            let mut errors = parsed.err().unwrap_or_default();
            for (field, message) in answers.err().unwrap_or_default().iter() {
                errors.push(field, message);
            }
            Err(AppError::InvalidFields(errors))
        }
    };
    match outcome {
        // A repeated form (a double click, a resent request) gets the booking's existence,
        // never its link: whoever repeats a request is not thereby its invitee. The link went
        // to the invitee's address.
        Ok(booking) if booking.replayed => {
            let t = params.locale.t;
            super::error::notice_page(
                params.locale.lang,
                t.already_booked_title,
                t.already_booked_message,
            )
        }
        Ok(booking) => {
            if booking.provider_work_left {
                // The confirmation page makes the event and meeting; the emails wait for the
                // link.
                ctx.send_nothing_after_response();
            }
            // A clock the invitee chose carries over to the confirmation.
            let clock = field(&pairs, "clock")
                .and_then(Clock::from_param)
                .map(|clock| format!("?clock={}", clock.param()))
                .unwrap_or_default();
            let location = format!("{}/booking/{}{clock}", ctx.origin, booking.manage_token);
            let url = worker::Url::parse(&location)
                .map_err(|e| AppError::Internal(format!("confirmation URL: {e}")))?;
            // Not `Response::redirect_with_status`: its headers are immutable, so the security
            // headers could not be added to it.
            super::session::redirect(url.as_str(), 303)
        }
        Err(AppError::InvalidFields(errors))
            if params.slot.is_some() && errors.get("start").is_none() =>
        {
            let start = params.slot.expect("checked above");
            let end = start + chrono::Duration::minutes(i64::from(target.duration_minutes));
            let form = BookingForm {
                start: crate::core::display::rfc3339(&start),
                when: span_label(
                    params.locale.t,
                    params.locale.clock,
                    start,
                    end,
                    params.zone,
                ),
                name: input.name,
                email: input.email,
                note: input.note,
                questions: question_fields(&questions, &raw_answers),
                idempotency_key: input.idempotency_key,
                errors: translated(params.locale.t, &errors),
            };
            let response = render_booking_page(ctx, &target, &params, Some(form), None).await?;
            Ok(response.with_status(422))
        }
        Err(AppError::Conflict(message)) => {
            let message = match params.locale.t.code {
                "en" => message,
                _ => params.locale.t.slot_taken.to_owned(),
            };
            let params = PageParams {
                slot: None,
                ..params
            };
            let response = render_booking_page(ctx, &target, &params, None, Some(message)).await?;
            Ok(response.with_status(409))
        }
        Err(other) => Err(other),
    }
}

#[derive(Template)]
#[template(path = "confirmation.html")]
struct ConfirmationPage {
    t: &'static Strings,
    title: String,
    host_name: String,
    invitee_name: String,
    invitee_email: String,
    when_invitee: String,
    /// "For Dana" and the host's time, when the host is in another zone.
    when_host: Option<(String, String)>,
    /// The kind of place, with the number or address the host named.
    location: String,
    /// The link to join: the Meet, Teams or Zoom meeting once the provider made it (https
    /// only), or the host's own link.
    meeting_url: Option<String>,
    /// A link is on its way (created in the background).
    meeting_pending: bool,
    note: String,
    /// The invitee's answers to the host's questions, as they gave them.
    answers: Vec<crate::core::questions::Answer>,
    cancelled: bool,
    /// A request waiting for the host's approval: the sentence saying until when its time
    /// is held.
    held: Option<String>,
    /// The heading of a request that ended unconfirmed (declined or expired).
    ended_request: Option<&'static str>,
    /// Offered until the event type's change cut-off (`ChangeWindow::Open`).
    cancel_href: Option<String>,
    /// "Cancel this booking", or "Withdraw this request" while the host decides.
    cancel_label: &'static str,
    /// Offered until the cut-off too (see `reschedule.rs`).
    reschedule_href: Option<String>,
    /// Past the cut-off and before the start: whom to write to instead (name, address).
    write_to_host: Option<(String, String)>,
    /// The booking this one was moved to, once it was.
    moved_to_href: Option<String>,
    book_again_href: String,
    calendar_href: String,
    google_href: String,
    outlook_href: String,
}

/// Percent-encodes a query value: everything but RFC 3986's unreserved characters.
fn component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// What an add-to-calendar link says about a meeting.
struct CalendarEvent<'a> {
    title: &'a str,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    details: &'a str,
    location: &'a str,
}

/// Google Calendar's "create event" template link; times in UTC (`YYYYMMDDTHHMMSSZ`).
fn google_calendar_href(event: &CalendarEvent<'_>) -> String {
    let stamp = crate::core::ics::utc_date_time;
    format!(
        "https://calendar.google.com/calendar/render?action=TEMPLATE&text={}&dates={}/{}&details={}&location={}",
        component(event.title),
        stamp(event.start),
        stamp(event.end),
        component(event.details),
        component(event.location)
    )
}

/// Outlook's compose deep link; times in UTC as RFC 3339.
fn outlook_href(event: &CalendarEvent<'_>) -> String {
    let stamp = |at: DateTime<Utc>| {
        at.format_with_items(crate::core::display::layouts::UTC_DATE_TIME.iter())
            .to_string()
    };
    format!(
        "https://outlook.live.com/calendar/0/deeplink/compose?subject={}&startdt={}&enddt={}&body={}&location={}",
        component(event.title),
        component(&stamp(event.start)),
        component(&stamp(event.end)),
        component(event.details),
        component(event.location)
    )
}

/// `GET /booking/{token}/calendar.ics`: the booking as an iCalendar file to add by hand; only
/// a confirmed booking has one (a request waiting for the host, or a cancelled booking, is not
/// a meeting to add).
pub async fn calendar_file(ctx: &Ctx, token: &str) -> Result<Response, AppError> {
    let (booking, start, end) = booking_by_link(ctx, token).await?;
    if !booking.status.is_confirmed() {
        return Err(AppError::NotFound(
            if booking.status == BookingStatus::Pending {
                "This request waits for the host's approval: its calendar file comes with the \
                 confirmation."
            } else {
                "This booking is not taking place, so it has no calendar file."
            }
            .into(),
        ));
    }
    let summary = format!("{} with {}", booking.event_title, booking.host_name);
    let place = Location::from_stored(booking.location_kind, &booking.location_detail);
    let location = match place.join_link(booking.meeting_url.as_deref()) {
        Some(url) => url.to_owned(),
        None => Lang::En.strings().place(&place),
    };
    let url = format!("{}/booking/{token}", ctx.origin);
    let file = ics::write(&ics::Invitation {
        uid: &booking.calendar_uid,
        sequence: u32::try_from(booking.sequence).unwrap_or(0),
        method: ics::Method::Publish,
        stamp: ctx.now,
        start,
        end,
        summary: &summary,
        description: &booking.note,
        location: Some(&location),
        url: Some(&url),
        organizer: ics::Person {
            name: &booking.host_name,
            email: &booking.host_email,
        },
        attendee: ics::Person {
            name: &booking.invitee_name,
            email: &booking.invitee_email,
        },
    });
    let mut response = Response::ok(file)?;
    let headers = response.headers_mut();
    headers.set("Content-Type", "text/calendar; charset=utf-8")?;
    headers.set(
        "Content-Disposition",
        "attachment; filename=\"booking.ics\"",
    )?;
    Ok(response)
}

/// `GET /booking/{token}`: the invitee's booking, found by the hash of their link's token.
pub async fn confirmation(ctx: &Ctx, req: &Request, token: &str) -> Result<Response, AppError> {
    let (booking, start, end) = booking_by_link(ctx, token).await?;
    let Locale { t, clock, .. } = locale(req, &query(req)?, booking.event_lang);
    let moved_to_href = crate::app::reschedule::moved_to_url(ctx, &booking).await?;
    let window = ChangeWindow::at(start, ctx.now, booking.change_cutoff_minutes);
    let changeable = booking.status.is_confirmed() && window == ChangeWindow::Open;
    // A waiting request can be withdrawn until the cut-off, not moved: its time is the one
    // the host is deciding on.
    let withdrawable = booking.status == BookingStatus::Pending && window == ChangeWindow::Open;
    let write_to_host = (booking.status.holds_time() && window == ChangeWindow::CutOff)
        .then(|| (booking.host_name.clone(), booking.host_email.clone()));
    let invitee_zone = TimeZoneName::parse(&booking.invitee_time_zone)
        .map(TimeZoneName::tz)
        .unwrap_or(chrono_tz::UTC);
    let host_zone = TimeZoneName::parse(&booking.host_time_zone)
        .map(TimeZoneName::tz)
        .unwrap_or(chrono_tz::UTC);
    let place = Location::from_stored(booking.location_kind, &booking.location_detail);
    let location = t.place(&place);
    let mut meeting = ctx.store.meeting_url(&booking.id).await?;
    // A booking made through the form left its event and meeting to this page.
    if let Some(row) = meeting.take_if(|m| {
        booking.status.is_confirmed() && m.state == CalendarWorkState::Pending && m.attempts == 0
    }) {
        meeting = Some(finish_left_work(ctx, &booking, row).await?);
    }
    // Only a confirmed booking offers its meeting: a cancelled one's Meet, Teams or Zoom
    // meeting was deleted with it, and a moved one's link lives on the new booking's page.
    let meeting_url = place
        .join_link(meeting.as_ref().and_then(|m| m.meeting_url.as_deref()))
        .filter(|_| booking.status.is_confirmed())
        .map(str::to_owned);
    let meeting_pending = meeting_url.is_none()
        && booking.status.is_confirmed()
        && meeting.as_ref().is_some_and(|m| {
            m.conference != MeetingMaker::None && m.state == CalendarWorkState::Pending
        });
    let summary = format!("{} {} {}", booking.event_title, t.with, booking.host_name);
    // The manage link stays out of the Google and Outlook links: those URLs are handed to a
    // third party (and its logs), and whoever holds the link can cancel or move the booking.
    let calendar_event = CalendarEvent {
        title: &summary,
        start,
        end,
        details: &booking.note,
        location: meeting_url.as_deref().unwrap_or(&location),
    };
    let held = booking
        .awaiting_approval_until
        .filter(|_| booking.status == BookingStatus::Pending)
        .and_then(|at| DateTime::from_timestamp(at, 0))
        .map(|until| {
            let until = crate::i18n::instant_label(t, clock, until, invitee_zone);
            Strings::fill(
                &Strings::fill(t.request_held, "host", &booking.host_name),
                "until",
                &until,
            )
        });
    html(ConfirmationPage {
        t,
        google_href: google_calendar_href(&calendar_event),
        outlook_href: outlook_href(&calendar_event),
        when_invitee: span_label(t, clock, start, end, invitee_zone),
        when_host: (host_zone != invitee_zone).then(|| {
            (
                t.for_host(&booking.host_name),
                span_label(t, clock, start, end, host_zone),
            )
        }),
        title: booking.event_title,
        host_name: booking.host_name,
        invitee_name: booking.invitee_name,
        invitee_email: booking.invitee_email,
        location,
        meeting_url,
        meeting_pending,
        note: booking.note,
        answers: crate::core::questions::answers_from_json(&booking.answers),
        cancel_href: (changeable || withdrawable).then(|| format!("/booking/{token}/cancel")),
        cancel_label: if withdrawable {
            t.withdraw_request
        } else {
            t.cancel_booking
        },
        reschedule_href: changeable.then(|| format!("/booking/{token}/reschedule")),
        write_to_host,
        moved_to_href,
        cancelled: booking.status.is_cancelled(),
        held,
        ended_request: match booking.status {
            BookingStatus::Declined => Some(t.request_declined),
            BookingStatus::Expired => Some(t.request_expired),
            _ => None,
        },
        book_again_href: format!("/{}/{}", booking.host_slug, booking.event_slug),
        calendar_href: format!("/booking/{token}/calendar.ics"),
    })
}
