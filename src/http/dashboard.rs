//! The signed-in host's pages: `/dashboard` (home: what is left to set up, the next bookings,
//! each event type with its link, and the connections' health) and `/dashboard/profile` (name,
//! public slug, time zone). Every page shows only the data of the host whose session made the
//! request; no host id ever comes from the request.

use super::dashboard_nav::ConnectionAlert;
use askama::Template;
use chrono::DateTime;
use chrono_tz::Tz;
use worker::{Request, Response};

use super::profile_form::{read_profile, save_profile_fields};
use super::request::form;
use super::session::{check_form, redirect, require_host};
use crate::app::AppError;
use crate::app::Ctx;
use crate::core::booking::FieldErrors;
use crate::core::display::{location_label, span_label};
use crate::core::event_type::{durations_label, offered_durations};
use crate::mail::stored::zone_or_utc;
use crate::providers::registry::ConnectProvider;
use crate::store::BookingsWhen;

/// How many of the next bookings the home page lists.
const NEXT_BOOKINGS: usize = 5;

struct EventItem {
    id: String,
    title: String,
    href: String,
    /// The whole public address, to copy.
    url: String,
    /// "30", or "15 / 30 / 60" when the invitee picks.
    duration_minutes: String,
    hidden: bool,
}

/// One of the next meetings: who, when (in the host's zone) and where.
struct NextBooking {
    who: String,
    event_title: String,
    when: String,
    location: &'static str,
    meeting_url: Option<String>,
}

/// A calendar or Zoom account this Openslot can connect, as the home page reports it.
struct ConnectionHealth {
    label: String,
    /// `working`, `needs_reconnect`, `not_answering` or `not_connected`.
    state: &'static str,
    account: String,
}

/// One line of the "finish setting up" list.
struct SetupStep {
    label: &'static str,
    href: String,
    done: bool,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    /// The banner of broken connections every dashboard page shows.
    alerts: Vec<ConnectionAlert>,
    name: String,
    email: String,
    slug: String,
    public_url: String,
    zone: String,
    events: Vec<EventItem>,
    next: Vec<NextBooking>,
    /// Requests among the upcoming ones that wait for the host's answer.
    waiting: usize,
    connections: Vec<ConnectionHealth>,
    /// Empty once every step is done.
    setup: Vec<SetupStep>,
    csrf: String,
}

impl DashboardPage {
    fn setup_left(&self) -> usize {
        self.setup.iter().filter(|s| !s.done).count()
    }
}

/// `GET /dashboard`: the host's home.
pub async fn overview(ctx: &Ctx, req: &Request) -> Result<Response, AppError> {
    let signed_in = require_host(ctx, req).await?;
    let host = &signed_in.host;
    let zone = zone_or_utc(&host.time_zone);
    let rows = ctx.store.host_event_types(&host.id).await?;
    let events: Vec<EventItem> = rows
        .into_iter()
        .map(|e| {
            let href = format!("/{}/{}", host.slug, e.slug);
            EventItem {
                id: e.id,
                url: format!("{}{href}", ctx.origin),
                href,
                title: e.title,
                duration_minutes: durations_label(&offered_durations(
                    u32::try_from(e.duration_minutes).unwrap_or(0),
                    &e.other_durations,
                )),
                hidden: e.hidden != 0,
            }
        })
        .collect();
    let now = ctx.now.timestamp();
    // A few more than shown: cancelled ones in between are left out.
    let upcoming = ctx
        .store
        .host_bookings_page(&host.id, BookingsWhen::Upcoming, now, None, 20)
        .await?;
    let ever_booked = !upcoming.is_empty()
        || !ctx
            .store
            .host_bookings_page(&host.id, BookingsWhen::Past, now, None, 1)
            .await?
            .is_empty();
    let waiting = upcoming
        .iter()
        .filter(|b| b.status == crate::core::booking_status::BookingStatus::Pending)
        .count();
    let next = upcoming
        .into_iter()
        .filter(|b| b.status.is_confirmed())
        .take(NEXT_BOOKINGS)
        .map(|b| NextBooking {
            when: span_label(
                DateTime::from_timestamp(b.start_at, 0).unwrap_or_default(),
                DateTime::from_timestamp(b.end_at, 0).unwrap_or_default(),
                zone,
            ),
            who: b.invitee_name,
            event_title: b.event_title,
            location: location_label(b.location_kind),
            meeting_url: b.meeting_url.filter(|url| url.starts_with("https://")),
        })
        .collect();
    let stored = ctx.store.host_connections(&host.id).await?;
    let accounts = ctx.store.open_account_emails(&stored).await?;
    // Each connected account, and each provider not connected at all.
    let mut connections: Vec<ConnectionHealth> = Vec::new();
    for provider in ConnectProvider::ALL
        .into_iter()
        .filter(|p| p.available(&ctx.config))
    {
        let before = connections.len();
        for (row, account) in stored
            .iter()
            .zip(&accounts)
            .filter(|(c, _)| c.provider() == provider)
        {
            connections.push(ConnectionHealth {
                label: row.key.label(),
                state: if row.needs_reconnect() {
                    "needs_reconnect"
                } else if row.breakage().is_some() {
                    "not_answering"
                } else {
                    "working"
                },
                account: account.clone(),
            });
        }
        if connections.len() == before {
            connections.push(ConnectionHealth {
                label: provider.label().to_owned(),
                state: "not_connected",
                account: String::new(),
            });
        }
    }
    let schedule_id = crate::app::availability::default_schedule_id(ctx, &host.id).await?;
    let has_hours = crate::app::availability::stored_week(ctx, &host.id, &schedule_id)
        .await?
        .iter()
        .any(|day| !day.is_empty());
    let calendar_connected = stored
        .iter()
        .any(|c| c.provider().is_calendar() && !c.needs_reconnect());
    let first_link = events
        .iter()
        .find(|e| !e.hidden)
        .map_or_else(|| format!("/{}", host.slug), |e| e.href.clone());
    let mut setup = vec![
        SetupStep {
            label: "Set your working hours",
            href: "/dashboard/availability".into(),
            done: has_hours,
        },
        SetupStep {
            label: "Create an event type",
            href: "/dashboard/event-types/new".into(),
            done: !events.is_empty(),
        },
        SetupStep {
            label: "Connect a calendar",
            href: "/dashboard/connections".into(),
            done: calendar_connected,
        },
        SetupStep {
            label: "Try your own link",
            href: first_link,
            done: ever_booked,
        },
    ];
    // A calendar can be connected only where the instance has one set up.
    let calendar_available = ConnectProvider::ALL
        .into_iter()
        .any(|p| p.is_calendar() && p.available(&ctx.config));
    if !calendar_available {
        setup.retain(|s| s.href != "/dashboard/connections");
    }
    if setup.iter().all(|s| s.done) {
        setup.clear();
    }
    let page = DashboardPage {
        name: host.name.clone(),
        email: ctx.store.open_host_email(&host.id, &host.email).await?,
        slug: host.slug.clone(),
        public_url: format!("{}/{}", ctx.origin, host.slug),
        zone: zone.name().to_owned(),
        events,
        next,
        waiting,
        connections,
        setup,
        alerts: signed_in.connection_alerts(),
        csrf: signed_in.csrf_token().to_owned(),
    };
    Ok(Response::from_html(page.render()?)?)
}

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    /// The banner of broken connections every dashboard page shows.
    alerts: Vec<ConnectionAlert>,
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
        alerts: signed_in.connection_alerts(),
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
    let (typed, parsed) = read_profile(&pairs);
    let errors = match parsed {
        Ok(valid) => match save_profile_fields(ctx, &signed_in.host.id, &valid).await? {
            None => return redirect("/dashboard", 303),
            Some(errors) => errors,
        },
        Err(errors) => errors,
    };
    let page = ProfilePage {
        name: typed.name,
        slug: typed.slug,
        suggest_browser_zone: false,
        time_zone: typed.time_zone,
        zone_names: &chrono_tz::TZ_VARIANTS,
        origin: ctx.origin.clone(),
        alerts: signed_in.connection_alerts(),
        csrf: signed_in.csrf_token().to_owned(),
        errors,
    };
    Ok(Response::from_html(page.render()?)?.with_status(422))
}
