//! The privacy pages: asking for a deletion or erasure link (`/privacy`, public, rate-limited,
//! with the same answer whether or not the address is known), confirming one
//! (`/privacy/confirm/{token}`: `GET` asks, `POST` acts, so a mail scanner that opens links
//! deletes nothing), and the signed-in host's own page (`/dashboard/privacy`: export, and the
//! "delete my account" button, which also only sends the link).
//!
//! What confirming does is `app::privacy`; this module asks, parses and renders.

use super::dashboard_nav::ConnectionAlert;
use askama::Template;
use worker::{Request, Response};

use super::request::same_origin;
use super::request::{field, form};
use super::session::{check_form, require_host};
use crate::app::privacy::{
    delete_host, deletion_preview, desk, erase_invitee, erasure_preview, export_document,
    open_request, token_hash, Open,
};
use crate::app::AppError;
use crate::app::Ctx;
use crate::core::types::Email;
use crate::privacy::{Outcome, CONFIRM_PATH};

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

/// `GET /privacy/confirm/{token}`: what confirming will do, and the button that does it.
pub async fn confirm_page(ctx: &Ctx, token: &str) -> Result<Response, AppError> {
    let hash = token_hash(token)?;
    let action = format!("{CONFIRM_PATH}{token}");
    let page = match open_request(ctx, &hash).await? {
        Open::DeleteHost { host_id } => {
            let (host, upcoming) = deletion_preview(ctx, &host_id).await?;
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
            let bookings = erasure_preview(ctx, &email).await?;
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
pub async fn confirm(ctx: &Ctx, req: &Request, token: &str) -> Result<Response, AppError> {
    if !same_origin(ctx, req)? {
        return Err(AppError::Forbidden(
            "This form can only be sent from this site's own confirmation page.".into(),
        ));
    }
    let hash = token_hash(token)?;
    let page = match open_request(ctx, &hash).await? {
        Open::DeleteHost { host_id } => {
            let deleted = delete_host(ctx, &host_id, &hash).await?;
            let mut lines = vec![format!(
                "Everything of your account is gone from this instance. {} upcoming booking(s) \
                 were cancelled and each invitee is being told.",
                deleted.upcoming_cancelled
            )];
            lines.extend(deleted.left);
            lines.push(
                "If you connected a Microsoft account, remove Openslot's access yourself at \
                 myapps.microsoft.com (work or school) or account.live.com/consent/Manage \
                 (personal)."
                    .into(),
            );
            ConfirmPage {
                title: "Your account was deleted".into(),
                lines,
                action: String::new(),
                button: String::new(),
            }
        }
        Open::EraseInvitee { email } => {
            let erased = erase_invitee(ctx, &email, &hash).await?;
            ConfirmPage {
                title: "Your details were erased".into(),
                lines: vec![format!(
                    "Your name, email address, time zone and notes were erased from {erased} \
                     booking(s). The hosts were told, without any of your details."
                )],
                action: String::new(),
                button: String::new(),
            }
        }
    };
    html(&page, 200)
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
    let (slug, document) = export_document(ctx, &signed_in.host.id).await?;
    let body = serde_json::to_string_pretty(&document)
        .map_err(|e| AppError::Internal(format!("export: {e}")))?;
    let mut response = Response::ok(body)?;
    let headers = response.headers_mut();
    headers.set("Content-Type", "application/json; charset=utf-8")?;
    headers.set(
        "Content-Disposition",
        &format!(
            "attachment; filename=\"openslot-{}-{}.json\"",
            slug,
            ctx.now
                .format_with_items(crate::core::display::layouts::DATE.iter())
        ),
    )?;
    Ok(response)
}
