//! `/dashboard/event-types/{id}/links`: a host's single-use links for one event type. Each
//! link books one meeting and then stops working; the page lists them with where they stand,
//! shows an open link's address (derived again, never stored), creates one (optionally
//! expiring after some days) and removes one. Every write is a CSRF-checked form, and ids
//! from the address only reach queries scoped to the signed-in host.

use askama::Template;
use chrono_tz::Tz;
use worker::{Request, Response};

use super::dashboard_nav::ConnectionAlert;
use super::request::{field, form};
use super::session::{check_form, redirect, require_host, SignedIn};
use crate::app::single_use_links::{self, ShownLink};
use crate::app::{AppError, Ctx};
use crate::core::booking::FieldErrors;
use crate::core::display::moment_label;
use crate::core::single_use_link::{expiry_in_days, LinkState, MAX_VALID_DAYS};

/// One link as the page lists it.
struct LinkItem {
    id: String,
    /// The address to send, while the link is open.
    url: Option<String>,
    /// "Open", "Used 3 December 2026, 10:00", "Expired …", with when it was created.
    status: String,
    created: String,
}

#[derive(Template)]
#[template(path = "single_use_links.html")]
struct LinksPage {
    /// The banner of broken connections every dashboard page shows.
    alerts: Vec<ConnectionAlert>,
    event_id: String,
    event_title: String,
    hidden: bool,
    links: Vec<LinkItem>,
    /// The "valid for … days" field as typed.
    valid_days: String,
    max_days: i64,
    /// The host's zone, which the links' times are shown in.
    zone: &'static str,
    csrf: String,
    errors: FieldErrors,
}

impl LinksPage {
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }
}

fn item(link: ShownLink, zone: Tz) -> LinkItem {
    let at = |seconds: i64| moment_label(seconds, zone);
    let status = match (link.state, link.row.used_at, link.row.expires_at) {
        (LinkState::Used, Some(used), _) => format!("Used {}", at(used)),
        (LinkState::Expired, _, Some(end)) => format!("Expired {}", at(end)),
        (_, _, Some(end)) => format!("Open until {}", at(end)),
        _ => "Open, does not expire".to_owned(),
    };
    LinkItem {
        id: link.row.id,
        url: link.url,
        status,
        created: at(link.row.created_at),
    }
}

async fn page(
    ctx: &Ctx,
    signed_in: &SignedIn,
    event_type_id: &str,
    valid_days: String,
    errors: FieldErrors,
) -> Result<LinksPage, AppError> {
    let host = &signed_in.host;
    let (event, links) = single_use_links::list(ctx, &host.id, &host.slug, event_type_id).await?;
    let zone: Tz = host.time_zone.parse().unwrap_or(chrono_tz::UTC);
    Ok(LinksPage {
        alerts: signed_in.connection_alerts(),
        event_id: event.id,
        event_title: event.title,
        hidden: event.hidden != 0,
        links: links.into_iter().map(|link| item(link, zone)).collect(),
        valid_days,
        max_days: MAX_VALID_DAYS,
        zone: zone.name(),
        csrf: signed_in.csrf_token().to_owned(),
        errors,
    })
}

/// `GET /dashboard/event-types/{id}/links`: the event type's links and the form for a new one.
pub async fn list(ctx: &Ctx, req: &Request, id: &str) -> Result<Response, AppError> {
    let signed_in = require_host(ctx, req).await?;
    let page = page(ctx, &signed_in, id, String::new(), FieldErrors::default()).await?;
    Ok(Response::from_html(page.render()?)?)
}

/// `POST /dashboard/event-types/{id}/links`: creates a link and shows it at the top of the
/// list, or shows the form again with what was wrong.
pub async fn create(ctx: &Ctx, req: &mut Request, id: &str) -> Result<Response, AppError> {
    let signed_in = require_host(ctx, req).await?;
    let pairs = form(req).await?;
    check_form(ctx, req, &signed_in, &pairs)?;
    let typed = field(&pairs, "valid_days").unwrap_or_default().to_owned();
    match expiry_in_days(&typed, ctx.now, "valid_days") {
        Ok(expires_at) => {
            let host = &signed_in.host;
            let link = single_use_links::create(ctx, &host.id, &host.slug, id, expires_at).await?;
            redirect(
                &format!("/dashboard/event-types/{id}/links#link-{}", link.row.id),
                303,
            )
        }
        Err(errors) => {
            let page = page(ctx, &signed_in, id, typed, errors).await?;
            Ok(Response::from_html(page.render()?)?.with_status(422))
        }
    }
}

/// `POST /dashboard/event-types/{id}/links/{link}/delete`: removes a link; an open one stops
/// working at once.
pub async fn delete(
    ctx: &Ctx,
    req: &mut Request,
    id: &str,
    link_id: &str,
) -> Result<Response, AppError> {
    let signed_in = require_host(ctx, req).await?;
    let pairs = form(req).await?;
    check_form(ctx, req, &signed_in, &pairs)?;
    single_use_links::remove(ctx, &signed_in.host.id, id, link_id).await?;
    redirect(&format!("/dashboard/event-types/{id}/links"), 303)
}
