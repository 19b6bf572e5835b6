//! `/dashboard/connections`: connect, reconnect and disconnect Google, Microsoft and Zoom, see
//! each connection's state, and choose how busy times are read and where events go.
//!
//! Connecting is OAuth with PKCE like signing in: the state and verifier wait in D1
//! (`connect_states`, hashed state, ten minutes, single use), tied to the browser by a nonce
//! cookie and to the signed-in host, who must still be signed in when the provider sends the
//! browser back. The refresh token goes straight into the KV vault, sealed.

use askama::Template;
use worker::{Request, Response};

use super::context::Ctx;
use super::error::AppError;
use super::request::{field, form, query};
use super::session::{check_form, clear_cookie, cookie, redirect, require_host, set_cookie};
use crate::calendar::registration;
use crate::core::calendar_settings::WhenUnreadable;
use crate::crypto::digest::sha256_hex;
use crate::crypto::random_hex;
use crate::providers::calendar::google::{self, CalendarChoice};
use crate::providers::calendar::microsoft::BlockingShowAs;
use crate::providers::connect::{self, ConnectError, ConnectProvider};
use crate::providers::fetch::fetch;
use crate::store::{ConnectionRow, ConnectionSettings, NewConnection};

/// The cookie that ties a connection under way to this browser.
const CONNECT_COOKIE: &str = "openslot_connect";
/// Only the callbacks need it.
const CONNECT_COOKIE_PATH: &str = "/dashboard/connections/";
/// How long the host may take at the provider.
const CONNECT_SECONDS: i64 = 10 * 60;

/// One provider's row on the page.
struct ProviderItem {
    name: &'static str,
    label: &'static str,
    is_calendar: bool,
    connection: Option<ConnectionItem>,
}

struct ConnectionItem {
    account_email: String,
    needs_reconnect: bool,
    receives_events: bool,
    stop_when_unreadable: bool,
    /// Google also emails the invitee about the event.
    send_updates: bool,
    /// `(value, label, blocks)` of every Microsoft showAs value.
    show_as: Vec<(&'static str, &'static str, bool)>,
    /// Google: `(id, name, checked)` of each calendar the host may have checked.
    calendars: Vec<(String, String, bool)>,
    /// Google's calendar list could not be read just now.
    calendars_unavailable: bool,
}

#[derive(Template)]
#[template(path = "connections.html")]
struct ConnectionsPage {
    providers: Vec<ProviderItem>,
    /// More than one calendar is connected: the host picks which receives events.
    several_calendars: bool,
    notice: Option<&'static str>,
    csrf: String,
}

/// What a redirect back to the page may announce (fixed texts: nothing from the URL is shown).
fn notice(code: &str) -> Option<&'static str> {
    Some(match code {
        "connected" => "Connected. Openslot now reads your busy times from it.",
        "connected-zoom" => {
            "Zoom is connected. Event types with Zoom as location get a Zoom meeting per booking."
        }
        "disconnected" => "Disconnected. Openslot deleted its tokens for that account.",
        "saved" => "Saved.",
        "cancelled" => "Connecting was cancelled, so nothing was shared with Openslot.",
        _ => return None,
    })
}

fn provider_in_path(ctx: &Ctx, name: &str) -> Result<ConnectProvider, AppError> {
    let provider = ConnectProvider::parse(name)
        .ok_or_else(|| AppError::NotFound("There is nothing at this address.".into()))?;
    if registration(&ctx.config, provider).is_none() {
        return Err(AppError::NotFound(format!(
            "Connecting {} is not set up on this Openslot.",
            provider.label()
        )));
    }
    Ok(provider)
}

fn redirect_uri(ctx: &Ctx, provider: ConnectProvider) -> String {
    format!(
        "{}/dashboard/connections/{}/callback",
        ctx.origin,
        provider.as_str()
    )
}

/// The Outlook "show as" states a host may let block a slot, with what Outlook calls them.
const SHOW_AS_CHOICES: [(&str, &str); 4] = [
    ("busy", "Busy"),
    ("tentative", "Tentative"),
    ("oof", "Away (out of office)"),
    ("workingElsewhere", "Working elsewhere"),
];

fn item(row: &ConnectionRow) -> ConnectionItem {
    let blocking = BlockingShowAs::parse(&row.blocking_show_as).unwrap_or_default();
    ConnectionItem {
        account_email: row.account_email.clone(),
        needs_reconnect: row.needs_reconnect(),
        receives_events: row.receives_events == 1,
        send_updates: row.send_updates == 1,
        stop_when_unreadable: WhenUnreadable::parse(&row.when_unreadable) == WhenUnreadable::Stop,
        show_as: SHOW_AS_CHOICES
            .iter()
            .map(|(value, label)| (*value, *label, blocking.blocks(Some(value))))
            .collect(),
        calendars: Vec::new(),
        calendars_unavailable: false,
    }
}

/// The calendar ids a Google connection checks (`["primary"]` until the host chooses).
fn checked_ids(row: &ConnectionRow) -> Vec<String> {
    serde_json::from_str(&row.checked_calendars).unwrap_or_else(|_| vec!["primary".to_owned()])
}

/// Google's list of the host's calendars, read live (names are never stored).
async fn google_calendars(ctx: &Ctx, row: &ConnectionRow) -> Option<Vec<CalendarChoice>> {
    let calendars = ctx.calendars().ok()?;
    let urls = &ctx.config.services;
    match calendars
        .call(
            row,
            |token| google::calendar_list(urls, token),
            google::parse_calendar_list,
        )
        .await
    {
        Ok(list) => Some(list),
        Err(error) => {
            worker::console_warn!("calendar list of host {}: {error}", row.host_id);
            None
        }
    }
}

/// `GET /dashboard/connections`.
pub async fn page(ctx: &Ctx, req: &Request) -> Result<Response, AppError> {
    let signed_in = require_host(ctx, req).await?;
    let rows = ctx.store.host_connections(&signed_in.host.id).await?;
    let mut providers: Vec<ProviderItem> = ConnectProvider::ALL
        .into_iter()
        .filter(|p| registration(&ctx.config, *p).is_some())
        .map(|p| ProviderItem {
            name: p.as_str(),
            label: p.label(),
            is_calendar: p.is_calendar(),
            connection: rows.iter().find(|r| r.provider == p.as_str()).map(item),
        })
        .collect();
    let google = rows
        .iter()
        .find(|r| r.provider == "google" && !r.needs_reconnect());
    if let (Some(row), Some(item)) = (
        google,
        providers
            .iter_mut()
            .find(|p| p.name == "google")
            .and_then(|p| p.connection.as_mut()),
    ) {
        let checked = checked_ids(row);
        match google_calendars(ctx, row).await {
            Some(list) => {
                item.calendars = list
                    .into_iter()
                    .map(|c| {
                        let on = checked.contains(&c.id)
                            || (c.primary && checked.iter().any(|id| id == "primary"));
                        (c.id, c.name, on)
                    })
                    .collect();
            }
            None => item.calendars_unavailable = true,
        }
    }
    let several_calendars = rows
        .iter()
        .filter(|r| ConnectProvider::parse(&r.provider).is_some_and(ConnectProvider::is_calendar))
        .count()
        > 1;
    let pairs = query(req)?;
    let page = ConnectionsPage {
        providers,
        several_calendars,
        notice: field(&pairs, "done").and_then(notice),
        csrf: signed_in.csrf_token().to_owned(),
    };
    Ok(Response::from_html(page.render()?)?)
}

/// `GET /dashboard/connections/{provider}/connect`: remembers a state and verifier and sends
/// the browser to the provider's consent page.
///
/// A link, not a form: browsers apply the page's CSP `form-action 'self'` to a form's
/// redirect, so a form could not lead to the provider. Started from elsewhere it does no
/// harm: it ends at the provider's consent screen for the host's own account, and only this
/// browser (its nonce cookie) can finish it.
pub async fn start(ctx: &Ctx, req: &Request, name: &str) -> Result<Response, AppError> {
    let signed_in = require_host(ctx, req).await?;
    let provider = provider_in_path(ctx, name)?;
    let client = registration(&ctx.config, provider)
        .ok_or_else(|| AppError::Internal(format!("{} client vanished", provider.as_str())))?;
    let now = ctx.now.timestamp();
    ctx.store.purge_expired_connect_states(now).await?;
    let state = random_hex::<32>();
    let verifier = random_hex::<32>();
    let nonce = random_hex::<32>();
    ctx.store
        .save_connect_state(
            &sha256_hex(&state),
            &signed_in.host.id,
            provider.as_str(),
            &verifier,
            &sha256_hex(&nonce),
            now,
            now + CONNECT_SECONDS,
        )
        .await?;
    let url = connect::authorize_url(
        provider,
        &ctx.config.services,
        client,
        &redirect_uri(ctx, provider),
        &state,
        &verifier,
        Some(&signed_in.host.email),
    )
    .map_err(|e| AppError::Internal(e.to_string()))?;
    let mut response = redirect(&url, 303)?;
    response.headers_mut().append(
        "Set-Cookie",
        &set_cookie(CONNECT_COOKIE, &nonce, CONNECT_COOKIE_PATH, CONNECT_SECONDS),
    )?;
    Ok(response)
}

/// `GET /dashboard/connections/{provider}/callback?code&state`.
pub async fn callback(ctx: &Ctx, req: &Request, name: &str) -> Result<Response, AppError> {
    let signed_in = require_host(ctx, req).await?;
    let provider = provider_in_path(ctx, name)?;
    let client = registration(&ctx.config, provider)
        .ok_or_else(|| AppError::Internal(format!("{} client vanished", provider.as_str())))?;
    let pairs = query(req)?;
    let state = field(&pairs, "state").filter(|s| !s.is_empty());
    let start_again = |why: &str| {
        AppError::BadRequest(format!(
            "{why} Go back to Connected accounts and start again."
        ))
    };
    if let Some(error) = field(&pairs, "error") {
        if let Some(state) = state {
            ctx.store.take_connect_state(&sha256_hex(state)).await?;
        }
        if error == "access_denied" {
            return done(redirect("/dashboard/connections?done=cancelled", 303)?);
        }
        return Err(start_again(&format!(
            "{} did not connect (it said '{error}').",
            provider.label()
        )));
    }
    let (Some(state), Some(code)) = (state, field(&pairs, "code").filter(|c| !c.is_empty())) else {
        return Err(start_again("This link is incomplete."));
    };
    let pending = ctx
        .store
        .take_connect_state(&sha256_hex(state))
        .await?
        .filter(|p| p.provider == provider.as_str() && p.host_id == signed_in.host.id)
        .ok_or_else(|| start_again("This link is unknown or was already used."))?;
    if pending.expires_at <= ctx.now.timestamp() {
        return Err(start_again("Connecting took too long and expired."));
    }
    let same_browser =
        cookie(req, CONNECT_COOKIE).is_some_and(|nonce| sha256_hex(&nonce) == pending.browser_hash);
    if !same_browser {
        return Err(start_again(
            "Connecting was started in another browser (or its cookie was lost).",
        ));
    }
    let grant = connect::exchange_code(
        provider,
        &ctx.config.services,
        client,
        &redirect_uri(ctx, provider),
        code,
        &pending.pkce_verifier,
        ctx.now,
        &fetch,
    )
    .await
    .map_err(|error| connect_failure(provider, error))?;
    let host_id = &signed_in.host.id;
    let calendars = ctx.calendars()?;
    let vault_failed = |e: crate::calendar::vault::VaultError| AppError::Internal(e.to_string());
    // Tokens first: a connection row without its tokens would look connected and not work.
    calendars
        .vault
        .put_refresh_token(host_id, provider, &grant.refresh_token)
        .await
        .map_err(vault_failed)?;
    calendars
        .vault
        .put_access_token(host_id, provider, &grant.access, ctx.now)
        .await
        .map_err(vault_failed)?;
    ctx.store
        .save_connection(&NewConnection {
            host_id,
            provider: provider.as_str(),
            account_id: &grant.account.id,
            account_email: grant.account.email.as_str(),
            connected_at: ctx.now.timestamp(),
        })
        .await?;
    let target = if provider.is_calendar() {
        "/dashboard/connections?done=connected"
    } else {
        "/dashboard/connections?done=connected-zoom"
    };
    done(redirect(target, 303)?)
}

/// Clears the connect cookie on the way back to the page.
fn done(mut response: Response) -> Result<Response, AppError> {
    response.headers_mut().append(
        "Set-Cookie",
        &clear_cookie(CONNECT_COOKIE, CONNECT_COOKIE_PATH),
    )?;
    Ok(response)
}

fn connect_failure(provider: ConnectProvider, error: ConnectError) -> AppError {
    let label = provider.label();
    match error {
        ConnectError::Revoked => AppError::BadRequest(format!(
            "{label} did not accept this connection (the link may have been used already). \
             Please start again."
        )),
        ConnectError::Incomplete(what) => AppError::BadRequest(format!(
            "{label} did not give Openslot {what}, so the connection could not be made. If you \
             connected this account before, remove Openslot's access in your {label} account \
             settings and connect again."
        )),
        ConnectError::Unreachable(cause) => {
            worker::console_warn!("connecting {}: {cause}", provider.as_str());
            AppError::Unavailable(format!(
                "We could not reach {label} just now. Please try again in a moment."
            ))
        }
        ConnectError::Endpoint(cause) => {
            AppError::Internal(format!("connecting {}: {cause}", provider.as_str()))
        }
    }
}

/// `POST /dashboard/connections/{provider}/disconnect`: revokes the grant where the provider
/// allows it, deletes the tokens and the connection.
pub async fn disconnect(ctx: &Ctx, req: &mut Request, name: &str) -> Result<Response, AppError> {
    let signed_in = require_host(ctx, req).await?;
    let pairs = form(req).await?;
    check_form(ctx, req, &signed_in, &pairs)?;
    let provider = ConnectProvider::parse(name)
        .ok_or_else(|| AppError::NotFound("There is nothing at this address.".into()))?;
    let calendars = ctx.calendars()?;
    calendars
        .disconnect(&signed_in.host.id, provider)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    redirect("/dashboard/connections?done=disconnected", 303)
}

/// `POST /dashboard/connections/{provider}/settings`: how busy times are read.
pub async fn save_settings(ctx: &Ctx, req: &mut Request, name: &str) -> Result<Response, AppError> {
    let signed_in = require_host(ctx, req).await?;
    let pairs = form(req).await?;
    check_form(ctx, req, &signed_in, &pairs)?;
    let provider = ConnectProvider::parse(name)
        .filter(|p| p.is_calendar())
        .ok_or_else(|| AppError::NotFound("There is nothing at this address.".into()))?;
    let current = ctx
        .store
        .connection(&signed_in.host.id, provider.as_str())
        .await?
        .ok_or_else(|| AppError::NotFound(format!("{} is not connected.", provider.label())))?;
    let when_unreadable = match field(&pairs, "when_unreadable") {
        Some("stop") | None => WhenUnreadable::Stop,
        Some("ignore") => WhenUnreadable::Ignore,
        Some(_) => {
            return Err(AppError::BadRequest(
                "Choose whether to stop offering times or to ignore this calendar.".into(),
            ))
        }
    };
    let checked_calendars = if provider == ConnectProvider::Google
        && pairs.iter().any(|(n, _)| n == "calendars_listed")
    {
        let chosen: Vec<String> = pairs
            .iter()
            .filter(|(name, _)| name == "calendar")
            .map(|(_, value)| value.clone())
            .collect();
        if chosen.is_empty() {
            return Err(AppError::BadRequest(
                "Choose at least one calendar to check for conflicts.".into(),
            ));
        }
        let known = google_calendars(ctx, &current).await.ok_or_else(|| {
            AppError::Unavailable(
                "We could not reach Google to check your calendars just now. Please try again."
                    .into(),
            )
        })?;
        if let Some(unknown) = chosen.iter().find(|id| !known.iter().any(|c| &c.id == *id)) {
            return Err(AppError::BadRequest(format!(
                "'{unknown}' is not one of your Google calendars."
            )));
        }
        serde_json::to_string(&chosen).map_err(|e| AppError::Internal(e.to_string()))?
    } else {
        current.checked_calendars.clone()
    };
    let blocking = if provider == ConnectProvider::Microsoft {
        let chosen: Vec<&str> = pairs
            .iter()
            .filter(|(name, _)| name == "show_as")
            .map(|(_, value)| value.as_str())
            .collect();
        if let Some(unknown) = chosen
            .iter()
            .find(|value| !SHOW_AS_CHOICES.iter().any(|(known, _)| known == *value))
        {
            return Err(AppError::BadRequest(format!(
                "'{unknown}' is not an Outlook availability state."
            )));
        }
        BlockingShowAs::parse(&chosen.join(",")).map_err(|e| AppError::BadRequest(e.to_string()))?
    } else {
        BlockingShowAs::parse(&current.blocking_show_as).unwrap_or_default()
    };
    ctx.store
        .save_connection_settings(
            &signed_in.host.id,
            provider.as_str(),
            &ConnectionSettings {
                checked_calendars: &checked_calendars,
                blocking_show_as: &blocking.to_stored(),
                when_unreadable: when_unreadable.as_str(),
                send_updates: provider == ConnectProvider::Google
                    && field(&pairs, "send_updates") == Some("1"),
            },
        )
        .await?;
    redirect("/dashboard/connections?done=saved", 303)
}

/// `POST /dashboard/connections/{provider}/receive-events`: this calendar gets new events.
pub async fn receive_events(
    ctx: &Ctx,
    req: &mut Request,
    name: &str,
) -> Result<Response, AppError> {
    let signed_in = require_host(ctx, req).await?;
    let pairs = form(req).await?;
    check_form(ctx, req, &signed_in, &pairs)?;
    let provider = ConnectProvider::parse(name)
        .filter(|p| p.is_calendar())
        .ok_or_else(|| AppError::NotFound("There is nothing at this address.".into()))?;
    if !ctx
        .store
        .choose_event_calendar(&signed_in.host.id, provider.as_str())
        .await?
    {
        return Err(AppError::NotFound(format!(
            "{} is not connected.",
            provider.label()
        )));
    }
    redirect("/dashboard/connections?done=saved", 303)
}
