//! A new host's first minutes: three short steps after the sign-in that created them, each
//! skippable. 1. name, link and time zone (`/dashboard/welcome`); 2. working hours, pre-filled
//! Monday to Friday 09:00–17:00 in that zone (`/dashboard/welcome/hours`); 3. connect a
//! calendar (`/dashboard/welcome/calendar`). Leaving step 1, either way, gives a host with no
//! hours those hours and a host with no event types a "30 minute meeting", so the link works
//! at once.
//!
//! Only the sign-in that creates a host leads here; hosts who exist are never sent. Every form
//! is a plain POST with the session's CSRF token, and the steps use the same rules as the
//! profile and availability pages ([`super::profile_form::read_profile`],
//! [`super::week_form::read_week_form`]).

use askama::Template;
use chrono_tz::Tz;
use worker::{Request, Response};

use super::profile_form::{read_profile, save_profile_fields, ProfileForm};
use super::request::{field, form};
use super::session::{check_form, redirect, require_host, SignedIn};
use super::week_form::{read_week_form, WeekEditor, WeekSubmit};
use crate::app::availability::{default_schedule_id, schedule_zone, store_week, stored_week};
use crate::app::onboarding::start_with_defaults;
use crate::app::AppError;
use crate::app::Ctx;
use crate::core::booking::FieldErrors;
use crate::core::types::TimeZoneName;
use crate::providers::registry::ConnectProvider;

const HOURS_STEP: &str = "/dashboard/welcome/hours";
const CALENDAR_STEP: &str = "/dashboard/welcome/calendar";

/// A calendar the host can connect in step 3.
struct CalendarChoice {
    name: &'static str,
    label: &'static str,
    connected: bool,
}

#[derive(Template)]
#[template(path = "onboarding.html")]
struct OnboardingPage {
    /// 1, 2 or 3.
    step: u8,
    csrf: String,
    origin: String,
    profile: ProfileForm,
    zone_names: &'static [Tz],
    week: WeekEditor,
    calendars: Vec<CalendarChoice>,
    /// The first event type's public path, once there is one.
    first_link: Option<String>,
}

impl OnboardingPage {
    fn new(ctx: &Ctx, signed_in: &SignedIn, step: u8) -> Self {
        let host = &signed_in.host;
        Self {
            step,
            csrf: signed_in.csrf_token().to_owned(),
            origin: ctx.origin.clone(),
            profile: ProfileForm {
                name: host.name.clone(),
                slug: host.slug.clone(),
                time_zone: host.time_zone.clone(),
                errors: FieldErrors::default(),
            },
            zone_names: &chrono_tz::TZ_VARIANTS,
            week: WeekEditor::stored(&Default::default(), &host.time_zone),
            calendars: Vec::new(),
            first_link: None,
        }
    }

    fn error(&self, field: &str) -> &str {
        self.profile.errors.get(field).unwrap_or("")
    }
}

fn html(page: &OnboardingPage, status: u16) -> Result<Response, AppError> {
    Ok(Response::from_html(page.render()?)?.with_status(status))
}

/// `GET /dashboard/welcome`: step 1, the name, link and time zone.
pub async fn profile_step(ctx: &Ctx, req: &Request) -> Result<Response, AppError> {
    let signed_in = require_host(ctx, req).await?;
    html(&OnboardingPage::new(ctx, &signed_in, 1), 200)
}

/// `POST /dashboard/welcome`: saves step 1 (or skips it), makes sure the host has hours and a
/// first event type, and goes on to step 2.
pub async fn save_profile_step(ctx: &Ctx, req: &mut Request) -> Result<Response, AppError> {
    let signed_in = require_host(ctx, req).await?;
    let pairs = form(req).await?;
    check_form(ctx, req, &signed_in, &pairs)?;
    let zone = if field(&pairs, "skip").is_some() {
        signed_in.host.time_zone.clone()
    } else {
        let (mut typed, parsed) = read_profile(&pairs);
        let errors = match parsed {
            Ok(valid) => save_profile_fields(ctx, &signed_in.host.id, &valid)
                .await?
                .unwrap_or_default(),
            Err(errors) => errors,
        };
        if !errors.is_empty() {
            typed.errors = errors;
            let mut page = OnboardingPage::new(ctx, &signed_in, 1);
            page.profile = typed;
            return html(&page, 422);
        }
        typed.time_zone
    };
    let zone = TimeZoneName::parse(&zone)
        .or_else(|_| TimeZoneName::parse("UTC"))
        .map_err(|e| AppError::Internal(format!("UTC as a zone: {e}")))?;
    start_with_defaults(ctx, &signed_in.host.id, &zone).await?;
    redirect(HOURS_STEP, 303)
}

/// `GET /dashboard/welcome/hours`: step 2, the working hours as stored (the defaults at first).
pub async fn hours_step(ctx: &Ctx, req: &Request) -> Result<Response, AppError> {
    let signed_in = require_host(ctx, req).await?;
    let zone = schedule_zone(ctx, &signed_in.host).await?;
    let mut page = OnboardingPage::new(ctx, &signed_in, 2);
    let host_id = signed_in.host.id.as_str();
    let schedule_id = default_schedule_id(ctx, host_id).await?;
    page.week = WeekEditor::stored(&stored_week(ctx, host_id, &schedule_id).await?, zone.name());
    html(&page, 200)
}

/// `POST /dashboard/welcome/hours`: saves the week (the availability page's rules) and goes
/// on to step 3, or shows the step again with messages or with a range added.
pub async fn save_hours_step(ctx: &Ctx, req: &mut Request) -> Result<Response, AppError> {
    let signed_in = require_host(ctx, req).await?;
    let pairs = form(req).await?;
    check_form(ctx, req, &signed_in, &pairs)?;
    let (week, status) = match read_week_form(&pairs) {
        WeekSubmit::Save(days, zone) => {
            let host_id = signed_in.host.id.as_str();
            let schedule_id = default_schedule_id(ctx, host_id).await?;
            store_week(ctx, host_id, &schedule_id, &zone, days).await?;
            return redirect(CALENDAR_STEP, 303);
        }
        WeekSubmit::Edited(week) => (week, 200),
        WeekSubmit::Invalid(week) => (week, 422),
    };
    let mut page = OnboardingPage::new(ctx, &signed_in, 2);
    page.week = week;
    html(&page, status)
}

/// `GET /dashboard/welcome/calendar`: step 3, the calendars this Openslot can connect, and
/// the host's first link.
pub async fn calendar_step(ctx: &Ctx, req: &Request) -> Result<Response, AppError> {
    let signed_in = require_host(ctx, req).await?;
    let host = &signed_in.host;
    let connected = ctx.store.host_connections(&host.id).await?;
    let mut page = OnboardingPage::new(ctx, &signed_in, 3);
    page.calendars = ConnectProvider::ALL
        .into_iter()
        .filter(|p| p.is_calendar() && p.available(&ctx.config))
        .map(|p| CalendarChoice {
            name: p.as_str(),
            label: p.label(),
            connected: connected.iter().any(|c| c.provider() == p),
        })
        .collect();
    page.first_link = ctx
        .store
        .host_event_types(&host.id)
        .await?
        .into_iter()
        .find(|e| e.hidden == 0)
        .map(|e| format!("/{}/{}", host.slug, e.slug));
    html(&page, 200)
}
