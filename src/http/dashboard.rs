//! The signed-in host's pages: `/dashboard` (their link, event types, sign-out) and
//! `/dashboard/profile` (name, public slug, time zone). Every page shows only the data of the
//! host whose session made the request; no host id ever comes from the request.

use askama::Template;
use chrono_tz::Tz;
use worker::{Request, Response};

use super::context::Ctx;
use super::error::AppError;
use super::request::{field, form};
use super::session::{check_form, redirect, require_host};
use crate::core::booking::FieldErrors;
use crate::core::event_type::{durations_label, offered_durations};
use crate::core::types::{PersonName, Slug, TimeZoneName};
use crate::store::ProfileUpdate;

struct EventItem {
    id: String,
    title: String,
    href: String,
    /// "30", or "15 / 30 / 60" when the invitee picks.
    duration_minutes: String,
    hidden: bool,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    name: String,
    email: String,
    slug: String,
    public_url: String,
    events: Vec<EventItem>,
    /// Labels of connected accounts the provider stopped accepting.
    needs_reconnect: Vec<&'static str>,
    csrf: String,
}

/// `GET /dashboard`: the host's overview.
pub async fn overview(ctx: &Ctx, req: &Request) -> Result<Response, AppError> {
    let signed_in = require_host(ctx, req).await?;
    let host = &signed_in.host;
    let events = ctx
        .store
        .host_event_types(&host.id)
        .await?
        .into_iter()
        .map(|e| EventItem {
            id: e.id,
            href: format!("/{}/{}", host.slug, e.slug),
            title: e.title,
            duration_minutes: durations_label(&offered_durations(
                u32::try_from(e.duration_minutes).unwrap_or(0),
                &e.other_durations,
            )),
            hidden: e.hidden != 0,
        })
        .collect();
    let needs_reconnect = ctx
        .store
        .host_connections(&host.id)
        .await?
        .iter()
        .filter(|c| c.needs_reconnect())
        .filter_map(|c| crate::providers::connect::ConnectProvider::parse(&c.provider))
        .map(crate::providers::connect::ConnectProvider::label)
        .collect();
    let page = DashboardPage {
        needs_reconnect,
        name: host.name.clone(),
        email: host.email.clone(),
        slug: host.slug.clone(),
        public_url: format!("{}/{}", ctx.origin, host.slug),
        events,
        csrf: signed_in.csrf_token().to_owned(),
    };
    Ok(Response::from_html(page.render()?)?)
}

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    name: String,
    slug: String,
    time_zone: String,
    /// The stored zone is the default `UTC`: let the page's script suggest the browser's.
    suggest_browser_zone: bool,
    zone_names: &'static [Tz],
    origin: String,
    csrf: String,
    errors: FieldErrors,
}

impl ProfilePage {
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }
}

/// `GET /dashboard/profile`: the profile form.
pub async fn profile(ctx: &Ctx, req: &Request) -> Result<Response, AppError> {
    let signed_in = require_host(ctx, req).await?;
    let host = &signed_in.host;
    let page = ProfilePage {
        name: host.name.clone(),
        slug: host.slug.clone(),
        suggest_browser_zone: host.time_zone == "UTC",
        time_zone: host.time_zone.clone(),
        zone_names: &chrono_tz::TZ_VARIANTS,
        origin: ctx.origin.clone(),
        csrf: signed_in.csrf_token().to_owned(),
        errors: FieldErrors::default(),
    };
    Ok(Response::from_html(page.render()?)?)
}

/// `POST /dashboard/profile`: saves and redirects, or shows the form again with messages.
pub async fn save_profile(ctx: &Ctx, req: &mut Request) -> Result<Response, AppError> {
    let signed_in = require_host(ctx, req).await?;
    let pairs = form(req).await?;
    check_form(ctx, req, &signed_in, &pairs)?;
    let value = |name: &str| field(&pairs, name).unwrap_or_default().trim().to_owned();
    let (name, slug, time_zone) = (value("name"), value("slug"), value("time_zone"));
    let mut errors = FieldErrors::default();
    let parsed_name = PersonName::parse(&name)
        .map_err(|e| errors.push("name", e.to_string()))
        .ok();
    let parsed_slug = Slug::parse_host(&slug)
        .map_err(|e| errors.push("slug", e.to_string()))
        .ok();
    let parsed_zone = TimeZoneName::parse(&time_zone)
        .map_err(|e| errors.push("time_zone", e.to_string()))
        .ok();
    if let (Some(name), Some(slug), Some(zone)) = (parsed_name, parsed_slug, parsed_zone) {
        let outcome = ctx
            .store
            .update_host_profile(
                &signed_in.host.id,
                name.as_str(),
                slug.as_str(),
                zone.name(),
            )
            .await?;
        match outcome {
            ProfileUpdate::Saved => return redirect("/dashboard", 303),
            ProfileUpdate::SlugTaken => errors.push(
                "slug",
                format!("'{slug}' is already someone's link; choose another."),
            ),
        }
    }
    let page = ProfilePage {
        name,
        slug,
        suggest_browser_zone: false,
        time_zone,
        zone_names: &chrono_tz::TZ_VARIANTS,
        origin: ctx.origin.clone(),
        csrf: signed_in.csrf_token().to_owned(),
        errors,
    };
    Ok(Response::from_html(page.render()?)?.with_status(422))
}
