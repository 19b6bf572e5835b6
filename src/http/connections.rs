//! `/dashboard/connections`: connect, reconnect and disconnect Google, Microsoft and Zoom, see
//! each connection's state, and choose how busy times are read and where events go.
//!
//! Connecting is OAuth with PKCE like signing in: the state and verifier wait in D1
//! (`connect_states`, hashed state, ten minutes, single use), tied to the browser by a nonce
//! cookie and to the signed-in host, who must still be signed in when the provider sends the
//! browser back. The refresh token goes straight into the KV vault, sealed.
//!
//! Settings are changed here and through the JSON API (`connections_api`) alike, by
//! `app::connections`, which holds the rules.

use super::dashboard_nav::ConnectionAlert;
use super::session::SignedIn;
use crate::core::booking::FieldErrors;
use askama::Template;
use worker::{Request, Response};

use super::request::{field, form, query};
use super::session::{check_form, clear_cookie, cookie, redirect, require_host, set_cookie};
use crate::app::caldav_connection::{self, PasswordForm};
use crate::app::connections::{
    checked_ids, claim, forget, listed_calendars, not_connected, save_change, show_as_choice,
    with_checked, SettingsChange, SHOW_AS_CHOICES,
};
use crate::app::AppError;
use crate::app::Ctx;
use crate::calendar::{registration, Revocation};
use crate::core::calendar_settings::WhenUnreadable;
use crate::crypto::digest::sha256_hex;
use crate::crypto::random_hex;
use crate::providers::calendar::microsoft::BlockingShowAs;
use crate::providers::connect::{self, ConnectError};
use crate::providers::connection_key::{ConnectionKey, MOST_ACCOUNTS};
use crate::providers::fetch::fetch;
use crate::providers::registry::ConnectProvider;
use crate::store::{ConnectionRow, NewConnection};

/// The cookie that ties a connection under way to this browser (`Path=/`, as `__Host-`
/// requires).
const CONNECT_COOKIE: &str = "__Host-openslot_connect";
/// How long the host may take at the provider.
const CONNECT_SECONDS: i64 = 10 * 60;

/// One provider's row on the page.
struct ProviderItem {
    name: &'static str,
    label: &'static str,
    is_calendar: bool,
    /// Its entries carry "show as" states the host picks from (the registry's capability).
    show_as_states: bool,
    /// It can email the invitee about the event itself.
    emails_invitee: bool,
    /// The host picks which of its calendars receives booked events.
    chooses_event_calendar: bool,
    /// Each connected account, the first first.
    connections: Vec<ConnectionItem>,
    /// The host may connect another account of this calendar provider.
    can_add_another: bool,
}

/// One connected account on the page.
struct ConnectionItem {
    /// Its name in the routes (`google`, `google-2`).
    name: String,
    /// "Google", "Google (2nd account)".
    label: String,
    account_email: String,
    needs_reconnect: bool,
    receives_events: bool,
    stop_when_unreadable: bool,
    /// Google also emails the invitee about the event.
    send_updates: bool,
    /// `(value, label, blocks)` of every Microsoft showAs value.
    show_as: Vec<(&'static str, &'static str, bool)>,
    /// `(id, name, checked, writable)` of each calendar the host may have checked; only a
    /// writable one may receive booked events.
    calendars: Vec<(String, String, bool, bool)>,
    /// The calendar booked events go into, where the host chooses it (the first checked).
    event_calendar: Option<String>,
    /// Google's calendar list could not be read just now.
    calendars_unavailable: bool,
}

#[derive(Template)]
#[template(path = "connections.html")]
struct ConnectionsPage {
    /// The banner of broken connections every dashboard page shows.
    alerts: Vec<ConnectionAlert>,
    providers: Vec<ProviderItem>,
    /// More than one calendar is connected: the host picks which receives events.
    several_calendars: bool,
    notice: Option<String>,
    csrf: String,
}

/// What a redirect back to the page may announce: fixed texts, or texts built from the
/// provider registry for a provider the code names; nothing from the URL is shown.
fn notice(code: &str) -> Option<String> {
    let fixed = match code {
        "connected" => Some("Connected. Openslot now reads your busy times from it."),
        "disconnected" => Some(
            "Disconnected. The provider revoked Openslot's access, and Openslot deleted its \
             tokens for that account.",
        ),
        "saved" => Some("Saved."),
        "cancelled" => Some("Connecting was cancelled, so nothing was shared with Openslot."),
        _ => None,
    };
    if let Some(text) = fixed {
        return Some(text.to_owned());
    }
    ConnectProvider::ALL.into_iter().find_map(|provider| {
        let entry = provider.entry();
        let name = entry.name;
        if code == format!("connected-{name}") {
            let service = entry.capabilities.meeting?.brand();
            return Some(format!(
                "{} is connected. Event types with {service} as location get a {service} \
                 meeting per booking.",
                entry.label
            ));
        }
        if code == format!("disconnected-{name}") {
            return Some(format!(
                "Disconnected. Openslot deleted its tokens for that account. {} offers apps no \
                 way to revoke their own access: to remove it, remove Openslot at {}.",
                entry.company, entry.remove_access_at
            ));
        }
        if code == format!("disconnected-{name}-unrevoked") {
            return Some(format!(
                "Disconnected, and Openslot deleted its tokens, but {} did not confirm that it \
                 revoked Openslot's access. To be sure, remove Openslot at {}.",
                entry.company, entry.remove_access_at
            ));
        }
        None
    })
}

fn provider_in_path(ctx: &Ctx, name: &str) -> Result<ConnectProvider, AppError> {
    let provider = ConnectProvider::parse(name)
        .ok_or_else(|| AppError::NotFound("There is nothing at this address.".into()))?;
    if !provider.available(&ctx.config) {
        return Err(AppError::NotFound(format!(
            "Connecting {} is not set up on this Openslot.",
            provider.label()
        )));
    }
    Ok(provider)
}

/// The connection a path segment names (`google`, `google-2`); anything else is not found.
fn connection_in_path(name: &str) -> Result<ConnectionKey, AppError> {
    ConnectionKey::parse(name)
        .ok_or_else(|| AppError::NotFound("There is nothing at this address.".into()))
}

/// The form a provider connected with a password (CalDAV) is connected by.
#[derive(Template)]
#[template(path = "connect_password.html")]
struct PasswordPage {
    alerts: Vec<ConnectionAlert>,
    name: &'static str,
    label: &'static str,
    address: String,
    username: String,
    errors: FieldErrors,
    csrf: String,
}

impl PasswordPage {
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }
}

fn password_page(
    signed_in: &SignedIn,
    provider: ConnectProvider,
    form: PasswordForm,
    errors: FieldErrors,
) -> Result<Response, AppError> {
    let page = PasswordPage {
        alerts: signed_in.connection_alerts(),
        name: provider.as_str(),
        label: provider.label(),
        address: form.address,
        username: form.username,
        errors,
        csrf: signed_in.csrf_token().to_owned(),
    };
    Ok(Response::from_html(page.render()?)?)
}

/// `POST /dashboard/connections/{provider}/connect` for a provider connected with a
/// password (CalDAV): finds the calendars and connects, or shows the form again with what
/// needs attention (the password is never sent back).
pub async fn connect_with_password(
    ctx: &Ctx,
    req: &mut Request,
    name: &str,
) -> Result<Response, AppError> {
    let signed_in = require_host(ctx, req).await?;
    let pairs = form(req).await?;
    check_form(ctx, req, &signed_in, &pairs)?;
    let provider = provider_in_path(ctx, name)?;
    if !provider.connects_with_password() {
        return Err(AppError::NotFound(
            "There is nothing at this address.".into(),
        ));
    }
    let value = |key: &str| field(&pairs, key).unwrap_or_default().to_owned();
    let typed = PasswordForm {
        address: value("address"),
        username: value("username"),
        password: value("password"),
    };
    match caldav_connection::connect(ctx, &signed_in.host.id, provider, &typed).await {
        Ok(_) => redirect("/dashboard/connections?done=connected", 303),
        Err(AppError::InvalidFields(errors)) => {
            Ok(password_page(&signed_in, provider, typed, errors)?.with_status(422))
        }
        Err(other) => Err(other),
    }
}

fn redirect_uri(ctx: &Ctx, provider: ConnectProvider) -> String {
    format!(
        "{}/dashboard/connections/{}/callback",
        ctx.origin,
        provider.as_str()
    )
}

fn item(row: &ConnectionRow, account_email: &str) -> ConnectionItem {
    let blocking = row.blocking_show_as;
    ConnectionItem {
        name: row.key.name(),
        label: row.key.label(),
        account_email: account_email.to_owned(),
        needs_reconnect: row.needs_reconnect(),
        receives_events: row.receives_events == 1,
        send_updates: row.send_updates == 1,
        stop_when_unreadable: row.when_unreadable == WhenUnreadable::Stop,
        show_as: SHOW_AS_CHOICES
            .iter()
            .map(|(value, label)| (*value, *label, blocking.blocks(Some(value))))
            .collect(),
        calendars: Vec::new(),
        event_calendar: None,
        calendars_unavailable: false,
    }
}

/// The dashboard shows a failed setting as one sentence on a 400 page, as it always has.
fn as_page_error(error: AppError) -> AppError {
    match error {
        AppError::InvalidFields(fields) => AppError::BadRequest(
            fields
                .iter()
                .map(|(_, message)| message)
                .collect::<Vec<_>>()
                .join(" "),
        ),
        other => other,
    }
}

/// `GET /dashboard/connections`.
pub async fn page(ctx: &Ctx, req: &Request) -> Result<Response, AppError> {
    let signed_in = require_host(ctx, req).await?;
    let rows = ctx.store.host_connections(&signed_in.host.id).await?;
    let accounts = ctx.store.open_account_emails(&rows).await?;
    let mut providers: Vec<ProviderItem> = ConnectProvider::ALL
        .into_iter()
        .filter(|p| p.available(&ctx.config))
        .map(|p| ProviderItem {
            name: p.as_str(),
            label: p.label(),
            is_calendar: p.is_calendar(),
            show_as_states: p.capabilities().show_as_states,
            emails_invitee: p.capabilities().emails_invitee,
            chooses_event_calendar: p.capabilities().chooses_event_calendar,
            connections: rows
                .iter()
                .zip(&accounts)
                .filter(|(r, _)| r.provider() == p)
                .map(|(r, account)| item(r, account))
                .collect(),
            can_add_another: false,
        })
        .collect();
    for provider in &mut providers {
        let count = provider.connections.len();
        provider.can_add_another =
            provider.is_calendar && count > 0 && count < usize::from(MOST_ACCOUNTS);
    }
    // Each calendar's list, read live (names are never stored).
    for row in rows
        .iter()
        .filter(|r| r.provider().is_calendar() && !r.needs_reconnect())
    {
        let provider = row.provider();
        let name = row.key.name();
        let item = providers
            .iter_mut()
            .flat_map(|p| p.connections.iter_mut())
            .find(|c| c.name == name);
        if let Some(item) = item {
            match listed_calendars(ctx, row, provider).await {
                Ok(list) => {
                    let checked = checked_ids(row);
                    item.event_calendar = provider
                        .capabilities()
                        .chooses_event_calendar
                        .then(|| checked.first().cloned())
                        .flatten();
                    item.calendars = with_checked(list, &checked)
                        .into_iter()
                        .map(|(c, on)| (c.id, c.name, on, c.writable))
                        .collect();
                }
                Err(_) => item.calendars_unavailable = true,
            }
        }
    }
    let several_calendars = rows.iter().filter(|r| r.provider().is_calendar()).count() > 1;
    let pairs = query(req)?;
    let page = ConnectionsPage {
        providers,
        several_calendars,
        notice: field(&pairs, "done").and_then(notice),
        alerts: signed_in.connection_alerts(),
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
    let key = connection_in_path(name)?;
    let provider = provider_in_path(ctx, key.provider.as_str())?;
    // `?another=1`: the host adds an account beside those connected, chosen at the provider.
    let another = field(&query(req)?, "another") == Some("1");
    let existing = ctx.store.connection(&signed_in.host.id, key).await?;
    if another {
        let connected = ctx
            .store
            .host_connections(&signed_in.host.id)
            .await?
            .iter()
            .filter(|row| row.provider() == provider)
            .count();
        if connected >= usize::from(MOST_ACCOUNTS) {
            return Err(AppError::Conflict(format!(
                "You have connected {MOST_ACCOUNTS} {} accounts, the most Openslot keeps. \
                 Disconnect one of them to connect another.",
                provider.label()
            )));
        }
    }
    if provider.connects_with_password() {
        return password_page(
            &signed_in,
            provider,
            PasswordForm::default(),
            FieldErrors::default(),
        );
    }
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
    // The provider's account chooser starts at the account being reconnected, or at the
    // host's own address; for another account it asks which.
    let hint = match (another, existing) {
        (true, _) => None,
        (false, Some(row)) => Some(
            ctx.store
                .open_account_email(&signed_in.host.id, key, &row.account_email)
                .await?,
        ),
        (false, None) => Some(
            ctx.store
                .open_host_email(&signed_in.host.id, &signed_in.host.email)
                .await?,
        ),
    };
    let url = connect::authorize_url(
        provider,
        &ctx.config.services,
        client,
        &redirect_uri(ctx, provider),
        &state,
        &verifier,
        if another {
            connect::StartAt::Choose
        } else {
            connect::StartAt::Hint(hint.as_deref())
        },
    )
    .map_err(|e| AppError::Internal(e.to_string()))?;
    let mut response = redirect(&url, 303)?;
    response.headers_mut().append(
        "Set-Cookie",
        &set_cookie(CONNECT_COOKIE, &nonce, CONNECT_SECONDS),
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
        .filter(|p| p.provider == provider && p.host_id == signed_in.host.id)
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
    // The account connected before (a reconnect), or another one beside it.
    let key = claim(ctx, host_id, provider, &grant.account.id).await?;
    let calendars = ctx.calendars()?;
    let vault_failed = |e: crate::calendar::vault::VaultError| AppError::Internal(e.to_string());
    // Tokens before the grant is recorded: until then the connection waits as needing a
    // reconnect, never looking connected without its tokens.
    calendars
        .vault
        .put_refresh_token(host_id, key, &grant.refresh_token)
        .await
        .map_err(vault_failed)?;
    calendars
        .vault
        .put_access_token(host_id, key, &grant.access, ctx.now)
        .await
        .map_err(vault_failed)?;
    ctx.store
        .save_connection(&NewConnection {
            host_id,
            connection: key,
            account_id: &grant.account.id,
            account_email: grant.account.email.as_str(),
            blocking_show_as: BlockingShowAs::default(),
            connected_at: ctx.now.timestamp(),
        })
        .await?;
    let target = if provider.is_calendar() {
        "/dashboard/connections?done=connected".to_owned()
    } else {
        format!(
            "/dashboard/connections?done=connected-{}",
            provider.as_str()
        )
    };
    done(redirect(&target, 303)?)
}

/// Clears the connect cookie on the way back to the page.
fn done(mut response: Response) -> Result<Response, AppError> {
    response
        .headers_mut()
        .append("Set-Cookie", &clear_cookie(CONNECT_COOKIE))?;
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
        ConnectError::MissingScopes(missing) => AppError::BadRequest(format!(
            "{label} was not connected: Openslot needs every permission it asked for, and \
             these were left unticked: “{}”. Without them it could offer times you are busy \
             or fail to put bookings in your calendar. Please connect again and tick every box \
             on {}'s consent screen.",
            missing.join("”, “"),
            provider.label().split(' ').next().unwrap_or(label)
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
    let key = connection_in_path(name)?;
    let provider = key.provider;
    let name = provider.as_str();
    let target = match forget(ctx, &signed_in.host.id, key).await? {
        Revocation::Failed => format!("disconnected-{name}-unrevoked"),
        _ if provider.revoke_by().is_none() => format!("disconnected-{name}"),
        _ => "disconnected".to_owned(),
    };
    redirect(&format!("/dashboard/connections?done={target}"), 303)
}

/// The settings form as a [`SettingsChange`]: the calendar list only when the page showed it
/// (`calendars_listed`), Outlook states only for Microsoft, Google's emails only for Google.
fn form_change(
    provider: ConnectProvider,
    pairs: &[(String, String)],
) -> Result<SettingsChange, AppError> {
    let all = |name: &'static str| {
        pairs
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, value)| value.as_str())
    };
    let when_unreadable = match field(pairs, "when_unreadable") {
        None => WhenUnreadable::Stop,
        Some(choice) => WhenUnreadable::choose(choice).ok_or_else(|| {
            AppError::BadRequest(
                "Choose whether to stop offering times or to ignore this calendar.".into(),
            )
        })?,
    };
    let can = provider.capabilities();
    let listed = can.calendar.is_some() && pairs.iter().any(|(n, _)| n == "calendars_listed");
    let blocking_show_as = if can.show_as_states {
        Some(show_as_choice(all("show_as")).map_err(AppError::BadRequest)?)
    } else {
        None
    };
    Ok(SettingsChange {
        when_unreadable: Some(when_unreadable),
        checked_calendars: listed.then(|| all("calendar").map(str::to_owned).collect()),
        event_calendar: (listed && can.chooses_event_calendar)
            .then(|| field(pairs, "event_calendar").map(str::to_owned))
            .flatten(),
        blocking_show_as,
        send_updates: can
            .emails_invitee
            .then(|| field(pairs, "send_updates") == Some("1")),
        receives_events: None,
    })
}

/// `POST /dashboard/connections/{provider}/settings`: how busy times are read.
pub async fn save_settings(ctx: &Ctx, req: &mut Request, name: &str) -> Result<Response, AppError> {
    let signed_in = require_host(ctx, req).await?;
    let pairs = form(req).await?;
    check_form(ctx, req, &signed_in, &pairs)?;
    let key = connection_in_path(name)?;
    let provider = key.provider;
    if !provider.is_calendar() {
        return Err(AppError::NotFound(
            "There is nothing at this address.".into(),
        ));
    }
    let current = ctx
        .store
        .connection(&signed_in.host.id, key)
        .await?
        .ok_or_else(|| not_connected(provider))?;
    let change = form_change(provider, &pairs)?;
    save_change(ctx, &current, provider, change)
        .await
        .map_err(as_page_error)?;
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
    let key = connection_in_path(name)?;
    let provider = key.provider;
    if !provider.is_calendar() {
        return Err(AppError::NotFound(
            "There is nothing at this address.".into(),
        ));
    }
    let current = ctx
        .store
        .connection(&signed_in.host.id, key)
        .await?
        .ok_or_else(|| not_connected(provider))?;
    let change = SettingsChange {
        receives_events: Some(true),
        ..SettingsChange::default()
    };
    save_change(ctx, &current, provider, change)
        .await
        .map_err(as_page_error)?;
    redirect("/dashboard/connections?done=saved", 303)
}
