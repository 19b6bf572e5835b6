//! The privacy pages: asking for a deletion or erasure link (`/privacy`, public, rate-limited,
//! with the same answer whether or not the address is known), confirming one
//! (`/privacy/confirm/{token}`: `GET` asks, `POST` acts, so a mail scanner that opens links
//! deletes nothing), and the signed-in host's own page (`/dashboard/privacy`: export, and the
//! "delete my account" button, which also only sends the link).
//!
//! Confirming a deletion first removes the host's provider data (`privacy::provider_cleanup`),
//! then deletes the host in one D1 batch that also queues each invitee's cancellation and the
//! host's final notice; if anything fails before that batch, the link still works and
//! confirming again finishes the job.

use super::dashboard_nav::ConnectionAlert;
use askama::Template;
use worker::{Env, Request, Response};

use super::cancel::cancellation_messages;
use super::request::same_origin;
use super::request::{field, form};
use super::session::{check_form, require_host};
use crate::app::AppError;
use crate::app::Ctx;
use crate::core::types::{CancellationReason, Email};
use crate::crypto::digest::sha256_hex;
use crate::mail::privacy as emails;
use crate::mail::render::CancelledBy;
use crate::privacy::{privacy_email, provider_cleanup, Desk, Outcome, CONFIRM_PATH};
use crate::store::PrivacyEmail;

#[derive(Template)]
#[template(path = "privacy.html")]
struct PrivacyPage {
    notice: String,
    privacy_address: String,
    delete_email: String,
    delete_error: String,
    erase_email: String,
    erase_error: String,
}

#[derive(Template)]
#[template(path = "privacy_confirm.html")]
struct ConfirmPage {
    title: String,
    lines: Vec<String>,
    /// Empty: no form (a result page).
    action: String,
    button: String,
}

#[derive(Template)]
#[template(path = "privacy_dashboard.html")]
struct DashboardPrivacyPage {
    /// The banner of broken connections every dashboard page shows.
    alerts: Vec<ConnectionAlert>,
    notice: String,
    email: String,
    csrf: String,
}

fn public_page(ctx: &Ctx) -> PrivacyPage {
    PrivacyPage {
        notice: String::new(),
        privacy_address: ctx.config.privacy_address.clone().unwrap_or_default(),
        delete_email: String::new(),
        delete_error: String::new(),
        erase_email: String::new(),
        erase_error: String::new(),
    }
}

fn html(page: &impl Template, status: u16) -> Result<Response, AppError> {
    Ok(Response::from_html(page.render()?)?.with_status(status))
}

fn desk(ctx: &Ctx) -> Desk<'_> {
    Desk {
        store: &ctx.store,
        origin: &ctx.origin,
        link_key: &ctx.config.link_key,
        now: ctx.now,
    }
}

/// `GET /privacy`: the two request forms.
pub fn page(ctx: &Ctx) -> Result<Response, AppError> {
    html(&public_page(ctx), 200)
}

/// Which of the two public forms was sent.
#[derive(Clone, Copy)]
pub enum Ask {
    /// `POST /privacy/delete`: a host's account.
    Deletion,
    /// `POST /privacy/erase`: an invitee's details.
    Erasure,
}

/// `POST /privacy/delete` and `POST /privacy/erase`: queue a link if the address is known,
/// and answer the same sentence either way.
pub async fn ask(ctx: &Ctx, req: &mut Request, which: Ask) -> Result<Response, AppError> {
    if !same_origin(ctx, req)? {
        return Err(AppError::Forbidden(
            "This form can only be sent from this site's own privacy page.".into(),
        ));
    }
    let pairs = form(req).await?;
    let raw = field(&pairs, "email").unwrap_or_default().trim().to_owned();
    let mut page = public_page(ctx);
    let address = match Email::parse(&raw) {
        Ok(address) => address,
        Err(_) => {
            let error = "Enter an email address such as name@example.com.".to_owned();
            match which {
                Ask::Deletion => (page.delete_email, page.delete_error) = (raw, error),
                Ask::Erasure => (page.erase_email, page.erase_error) = (raw, error),
            }
            return html(&page, 422);
        }
    };
    let outcome = match which {
        Ask::Deletion => desk(ctx).ask_host_deletion(&address).await?,
        Ask::Erasure => desk(ctx).ask_invitee_erasure(&address).await?,
    };
    // Neither the page nor the log says whether the address was known.
    let _: Outcome = outcome;
    page.notice = match which {
        Ask::Deletion => format!(
            "If {address} is the address of a host account here, we have emailed it a link to \
             confirm the deletion. The link works once, within 24 hours."
        ),
        Ask::Erasure => format!(
            "If bookings here were made with {address}, we have emailed it a link to confirm \
             the erasure. The link works once, within 24 hours."
        ),
    };
    html(&page, 200)
}

/// A link's token: 64 hex digits, or the link cannot be one of ours.
fn token_hash(token: &str) -> Result<String, AppError> {
    if token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(sha256_hex(&token.to_ascii_lowercase()))
    } else {
        Err(unknown_link())
    }
}

fn unknown_link() -> AppError {
    AppError::NotFound(
        "This link is not valid: it was already used, or it never existed. You can ask for a \
         new one at /privacy."
            .into(),
    )
}

/// What an open request will do, read from its link.
enum Open {
    DeleteHost { host_id: String },
    EraseInvitee { email: String },
}

async fn open_request(ctx: &Ctx, hash: &str) -> Result<Open, AppError> {
    let request = ctx
        .store
        .privacy_request(hash)
        .await?
        .ok_or_else(unknown_link)?;
    if request.expires_at <= ctx.now.timestamp() {
        return Err(AppError::Expired(
            "This link has expired: links work for 24 hours. Ask for a new one at /privacy.".into(),
        ));
    }
    match (
        request.kind.as_str(),
        request.host_id,
        request.invitee_email,
    ) {
        ("delete_host", Some(host_id), _) => Ok(Open::DeleteHost { host_id }),
        ("erase_invitee", _, Some(email)) => Ok(Open::EraseInvitee { email }),
        // The request's own key is gone (it outlives the link's 24 hours by a day).
        ("erase_invitee", _, None) => Err(unknown_link()),
        (kind, _, _) => Err(AppError::Internal(format!(
            "privacy request of kind {kind} without its subject"
        ))),
    }
}

/// `GET /privacy/confirm/{token}`: what confirming will do, and the button that does it.
pub async fn confirm_page(ctx: &Ctx, token: &str) -> Result<Response, AppError> {
    let hash = token_hash(token)?;
    let action = format!("{CONFIRM_PATH}{token}");
    let page = match open_request(ctx, &hash).await? {
        Open::DeleteHost { host_id } => {
            let host = ctx
                .store
                .host_profile(&host_id)
                .await?
                .ok_or_else(unknown_link)?;
            let upcoming = ctx
                .store
                .host_future_confirmed_bookings(&host_id, ctx.now.timestamp())
                .await?
                .len();
            ConfirmPage {
                title: "Delete your Openslot account?".into(),
                lines: vec![
                    format!(
                        "This deletes the account of {} ({}) for good: profile, event types, \
                         availability, bookings, sign-ins, API tokens, calendar connections and webhook endpoints.",
                        host.name, host.email
                    ),
                    format!(
                        "{upcoming} upcoming booking(s) will be cancelled and each invitee told \
                         by email. You get one last email confirming the deletion."
                    ),
                ],
                action,
                button: "Delete my account for good".into(),
            }
        }
        Open::EraseInvitee { email } => {
            let hosts = ctx.store.hosts_of_invitee(&email).await?;
            let bookings: i64 = hosts.iter().map(|h| h.bookings).sum();
            ConfirmPage {
                title: "Erase your details from bookings?".into(),
                lines: vec![
                    format!(
                        "This erases your name, email address, time zone and notes from the \
                         {bookings} booking(s) made with {email}. The hosts keep only that the \
                         time was booked, and are told that details were erased."
                    ),
                    "Upcoming meetings stay in the hosts' schedules; you will get no reminders \
                     for them."
                        .into(),
                ],
                action,
                button: "Erase my details".into(),
            }
        }
    };
    html(&page, 200)
}

/// `POST /privacy/confirm/{token}`: deletes the host or erases the invitee.
pub async fn confirm(
    ctx: &Ctx,
    env: &Env,
    req: &Request,
    token: &str,
) -> Result<Response, AppError> {
    if !same_origin(ctx, req)? {
        return Err(AppError::Forbidden(
            "This form can only be sent from this site's own confirmation page.".into(),
        ));
    }
    let hash = token_hash(token)?;
    let page = match open_request(ctx, &hash).await? {
        Open::DeleteHost { host_id } => delete_host(ctx, env, &host_id, &hash).await?,
        Open::EraseInvitee { email } => erase_invitee(ctx, &email, &hash).await?,
    };
    html(&page, 200)
}

fn queued(kind: &'static str, message: &crate::mail::Message) -> Result<PrivacyEmail, AppError> {
    privacy_email(kind, message).map_err(AppError::Internal)
}

async fn delete_host(
    ctx: &Ctx,
    env: &Env,
    host_id: &str,
    hash: &str,
) -> Result<ConfirmPage, AppError> {
    let Some(host) = ctx.store.host_profile(host_id).await? else {
        return Err(unknown_link());
    };
    let kv = env
        .kv("TOKENS")
        .map_err(|e| AppError::Internal(format!("KV binding TOKENS: {e}")))?;
    // The invitees of upcoming bookings are read (opened with the host's data key) while the
    // key still exists: each is told of the cancellation.
    let upcoming = ctx
        .store
        .host_future_confirmed_bookings(host_id, ctx.now.timestamp())
        .await?;
    // At the providers, while the tokens still exist: events of upcoming bookings and Zoom
    // meetings go, grants are revoked (Google, Zoom). Then every KV entry of the host, its
    // data keys among them (`host/{id}/keys/`): from then on nothing sealed under them opens,
    // in D1's rows, its Time Travel history or any copy of its files (crypto-shredding).
    let cleanup = ctx.calendars()?.remove_host_from_providers(host_id).await?;
    let removed = provider_cleanup::remove_provider_data(&kv, host_id)
        .await
        .map_err(AppError::Internal)?;
    worker::console_log!(
        "privacy: host {host_id}: {} calendar events removed ({} left), {} grants revoked ({} \
         left)",
        cleanup.events_removed,
        cleanup.events_left,
        cleanup.grants_revoked,
        cleanup.grants_left.len()
    );
    let grants_left: Vec<&str> = cleanup.grants_left.iter().map(|p| p.label()).collect();
    let left = emails::deletion_leftovers(cleanup.events_left, &grants_left);
    let reason = CancellationReason::parse("The host has deleted their Openslot account.")
        .map_err(|e| AppError::Internal(format!("cancellation reason: {e}")))?;
    let mut emails = Vec::with_capacity(upcoming.len() + 1);
    for booking in &upcoming {
        let (Some(start), Some(end)) = (
            chrono::DateTime::from_timestamp(booking.start_at, 0),
            chrono::DateTime::from_timestamp(booking.end_at, 0),
        ) else {
            continue;
        };
        // The booking's page is gone with it: the email points at the instance instead.
        let (to_invitee, _) = cancellation_messages(
            ctx,
            booking,
            start,
            end,
            &reason,
            CancelledBy::Host,
            &ctx.origin,
        )?;
        emails.push(queued("deletion_cancellation", &to_invitee)?);
    }
    emails.push(queued(
        "deletion_notice",
        &emails::deletion_notice(&host.email, &host.name, upcoming.len(), &left),
    )?);
    let deleted = ctx
        .store
        .delete_host_account(host_id, hash, ctx.now.timestamp(), &emails)
        .await?;
    if !deleted {
        // Another click got there first.
        return Err(unknown_link());
    }
    worker::console_log!(
        "privacy: host {host_id} deleted ({} upcoming bookings cancelled, {removed} KV entries \
         with its data keys)",
        upcoming.len()
    );
    let mut lines = vec![format!(
        "Everything of your account is gone from this instance. {} upcoming booking(s) were \
         cancelled and each invitee is being told.",
        upcoming.len()
    )];
    lines.extend(left);
    lines.push(
        "If you connected a Microsoft account, remove Openslot's access yourself at \
         myapps.microsoft.com (work or school) or account.live.com/consent/Manage (personal)."
            .into(),
    );
    Ok(ConfirmPage {
        title: "Your account was deleted".into(),
        lines,
        action: String::new(),
        button: String::new(),
    })
}

async fn erase_invitee(ctx: &Ctx, email: &str, hash: &str) -> Result<ConfirmPage, AppError> {
    let hosts = ctx.store.hosts_of_invitee(email).await?;
    let notices = hosts
        .iter()
        .map(|host| {
            let count = usize::try_from(host.bookings).unwrap_or(0);
            queued(
                "erasure_notice",
                &emails::erasure_notice(&host.host_email, &host.host_name, count),
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    let erased = ctx
        .store
        .erase_invitee(email, hash, ctx.now.timestamp(), &notices)
        .await?;
    worker::console_log!(
        "privacy: an invitee's details erased from {erased} bookings of {} hosts",
        hosts.len()
    );
    Ok(ConfirmPage {
        title: "Your details were erased".into(),
        lines: vec![format!(
            "Your name, email address, time zone and notes were erased from {erased} booking(s). \
             The hosts were told, without any of your details."
        )],
        action: String::new(),
        button: String::new(),
    })
}

/// `GET /dashboard/privacy`: export and account deletion for the signed-in host.
pub async fn dashboard_page(ctx: &Ctx, req: &Request) -> Result<Response, AppError> {
    let signed_in = require_host(ctx, req).await?;
    html(
        &DashboardPrivacyPage {
            notice: String::new(),
            email: ctx
                .store
                .open_host_email(&signed_in.host.id, &signed_in.host.email)
                .await?,
            alerts: signed_in.connection_alerts(),
            csrf: signed_in.csrf_token().to_owned(),
        },
        200,
    )
}

/// `POST /dashboard/privacy/delete`: emails the signed-in host a deletion link.
pub async fn dashboard_delete(ctx: &Ctx, req: &mut Request) -> Result<Response, AppError> {
    let signed_in = require_host(ctx, req).await?;
    let pairs = form(req).await?;
    check_form(ctx, req, &signed_in, &pairs)?;
    let host = &signed_in.host;
    let email = ctx.store.open_host_email(&host.id, &host.email).await?;
    let notice = match desk(ctx).ask_own_deletion(&host.id, &email).await? {
        Outcome::TooManyOpen => format!(
            "You already have {} open deletion links: use one of the emails we sent to {email}.",
            crate::store::OPEN_REQUESTS_LIMIT,
        ),
        _ => format!(
            "We have emailed a link to {email}. Open it within 24 hours and confirm to delete \
             your account; until then nothing changes."
        ),
    };
    html(
        &DashboardPrivacyPage {
            notice,
            email,
            alerts: signed_in.connection_alerts(),
            csrf: signed_in.csrf_token().to_owned(),
        },
        200,
    )
}

/// `GET /dashboard/export`: everything stored about the signed-in host, as one JSON file.
pub async fn export(ctx: &Ctx, req: &Request) -> Result<Response, AppError> {
    let signed_in = require_host(ctx, req).await?;
    let id = &signed_in.host.id;
    let store = &ctx.store;
    let profile = store
        .host_profile(id)
        .await?
        .ok_or_else(|| AppError::NotFound("Your account no longer exists.".into()))?;
    let weekly_hours: Vec<serde_json::Value> = store
        .weekly_hours(id)
        .await?
        .into_iter()
        .map(|h| {
            serde_json::json!({ "weekday": h.weekday, "start_minute": h.start_minute,
                                "end_minute": h.end_minute })
        })
        .collect();
    let webhooks: Vec<serde_json::Value> = store
        .host_webhook_endpoints(id)
        .await?
        .into_iter()
        .map(|e| {
            serde_json::json!({ "url": e.url, "events": crate::core::webhooks::EventSet::from_stored(&e.events).names(),
                                "event_type_id": e.event_type_id,
                                "include_personal": e.include_personal == 1,
                                "enabled": e.disabled_at.is_none(), "created_at": e.created_at })
        })
        .collect();
    let document = serde_json::json!({
        "format": "openslot-export/1",
        "exported_at": ctx.now.to_rfc3339(),
        "profile": profile,
        "sign_in_identities": store.export_identities(id).await?,
        "event_types": store.export_event_types(id).await?,
        "availability": {
            "schedule_time_zone": profile.schedule_time_zone,
            "weekly_hours": weekly_hours,
            "date_overrides": store.export_overrides(id).await?,
        },
        "bookings": store.export_bookings(id).await?,
        "connections": store.export_connections(id).await?,
        "api_tokens": store.export_api_tokens(id).await?,
        "webhooks": webhooks,
    });
    let body = serde_json::to_string_pretty(&document)
        .map_err(|e| AppError::Internal(format!("export: {e}")))?;
    let mut response = Response::ok(body)?;
    let headers = response.headers_mut();
    headers.set("Content-Type", "application/json; charset=utf-8")?;
    headers.set(
        "Content-Disposition",
        &format!(
            "attachment; filename=\"openslot-{}-{}.json\"",
            profile.slug,
            ctx.now.format("%Y-%m-%d")
        ),
    )?;
    Ok(response)
}
