//! The host JSON API for connected accounts, `/api/v1/connections[/{provider}[/calendars]]`:
//! what the dashboard's Connected accounts page shows and changes, for scripts. Authentication
//! and rate limits are the host API's ([`authorize`]): reads take a token or the session
//! cookie, writes only a token.
//!
//! Connecting an OAuth provider is not here: it needs the host's browser at the provider's
//! consent screen, so each provider's answer carries `connect_url`, the dashboard address that
//! starts it. A password provider (CalDAV) connects here too ([`connect`]), by the same
//! [`caldav_connection::connect`] as the dashboard's form. Settings
//! are parsed from JSON into the dashboard's own [`SettingsChange`] and saved by the same
//! [`save_change`], so both accept exactly the same settings; a connection is looked up by the
//! authenticated host's id and a provider name, so another host's connections are never reached.

use serde_json::{json, Map, Value};
use worker::{Env, Request, Response};

use super::request::{object, UNKNOWN};
use super::session::authorize;
use super::session::ApiAccess;
use crate::app::caldav_connection::{self, PasswordForm};
use crate::app::connections::{
    checked_ids, forget, listed_calendars, no_calendars, not_connected, save_change,
    show_as_choice, with_checked, SettingsChange, SHOW_AS_CHOICES,
};
use crate::app::AppError;
use crate::app::Ctx;
use crate::core::booking::FieldErrors;
use crate::core::calendar_settings::WhenUnreadable;
use crate::providers::connection_key::ConnectionKey;
use crate::providers::registry::ConnectProvider;
use crate::store::ConnectionRow;

/// One connection (or a provider not connected) as the API shows it: always the provider's
/// name, whether it is connected and where the host connects (or reconnects) it; when
/// connected, its name in the routes (`google`, `google-2` for a second account), the account
/// and the settings this provider has.
fn connection_json(
    ctx: &Ctx,
    provider: ConnectProvider,
    row: Option<(&ConnectionRow, &str)>,
) -> Value {
    let name = row.map_or_else(|| provider.as_str().to_owned(), |(row, _)| row.key.name());
    let mut body = json!({
        "provider": provider.as_str(),
        "connected": row.is_some(),
        "connect_url": format!("{}/dashboard/connections/{name}/connect", ctx.origin),
    });
    let Some((row, account_email)) = row else {
        return body;
    };
    body["connection"] = json!(name);
    body["account_email"] = json!(account_email);
    body["state"] = json!(row.status.as_str());
    let can = provider.capabilities();
    if can.calendar.is_some() {
        body["receives_events"] = json!(row.receives_events == 1);
        body["when_unreadable"] = json!(row.when_unreadable.as_str());
        let checked = checked_ids(row);
        if can.chooses_event_calendar {
            body["event_calendar"] = json!(checked.first());
        }
        body["checked_calendars"] = json!(checked);
    }
    if can.emails_invitee {
        body["send_updates"] = json!(row.send_updates == 1);
    }
    if can.show_as_states {
        let blocking = row.blocking_show_as;
        let states: Vec<&str> = SHOW_AS_CHOICES
            .iter()
            .map(|(name, _)| *name)
            .filter(|name| blocking.blocks(Some(name)))
            .collect();
        body["blocking_show_as"] = json!(states);
    }
    body
}

/// The provider a path segment names (404 for any other word).
fn provider_in_path(name: &str) -> Result<ConnectProvider, AppError> {
    ConnectProvider::parse(name).ok_or_else(|| {
        AppError::NotFound(
            "There is no such provider; use google, microsoft, caldav or zoom.".into(),
        )
    })
}

/// The host's connection `key` (404 when there is none).
async fn connection(
    ctx: &Ctx,
    host_id: &str,
    key: ConnectionKey,
) -> Result<ConnectionRow, AppError> {
    ctx.store
        .connection(host_id, key)
        .await?
        .ok_or_else(|| not_connected(key.provider))
}

/// The connection a path segment names: a provider's (its first account), or a further
/// account's (`google-2`); 404 for any other word.
fn connection_in_path(name: &str) -> Result<ConnectionKey, AppError> {
    ConnectionKey::parse(name).ok_or_else(|| {
        AppError::NotFound(
            "There is no such connection; use google, microsoft, caldav or zoom, with -2 to -5 \
             for a further account (google-2)."
                .into(),
        )
    })
}

/// A JSON array of strings, or `None` for anything else.
fn strings(value: &Value) -> Option<Vec<&str>> {
    value.as_array()?.iter().map(Value::as_str).collect()
}

/// The body of a `PATCH` as a [`SettingsChange`]; wrong types and unknown keys are reported
/// per field. Whether a setting applies to the provider is [`save_change`]'s to say.
fn parse_change(body: &Map<String, Value>) -> Result<SettingsChange, FieldErrors> {
    let mut change = SettingsChange::default();
    let mut errors = FieldErrors::default();
    for (key, value) in body {
        match key.as_str() {
            "when_unreadable" => match value.as_str().and_then(WhenUnreadable::choose) {
                Some(choice) => change.when_unreadable = Some(choice),
                None => errors.push(
                    "when_unreadable",
                    "Use \"stop\" (offer no times) or \"ignore\" (offer times as if this \
                     calendar were empty).",
                ),
            },
            "checked_calendars" => match strings(value) {
                Some(ids) => {
                    change.checked_calendars = Some(ids.into_iter().map(str::to_owned).collect());
                }
                None => errors.push(
                    "checked_calendars",
                    "Use an array of calendar ids, as /api/v1/connections/google/calendars \
                     lists them.",
                ),
            },
            "blocking_show_as" => match strings(value).map(show_as_choice) {
                Some(Ok(blocking)) => change.blocking_show_as = Some(blocking),
                Some(Err(message)) => errors.push("blocking_show_as", message),
                None => errors.push(
                    "blocking_show_as",
                    "Use an array of busy, tentative, oof and workingElsewhere.",
                ),
            },
            "event_calendar" => match value.as_str() {
                Some(id) => change.event_calendar = Some(id.to_owned()),
                None => errors.push(
                    "event_calendar",
                    "Use a calendar id, as /api/v1/connections/caldav/calendars lists them.",
                ),
            },
            "send_updates" => match value.as_bool() {
                Some(on) => change.send_updates = Some(on),
                None => errors.push("send_updates", "Use true or false."),
            },
            "receives_events" => match value.as_bool() {
                Some(on) => change.receives_events = Some(on),
                None => errors.push("receives_events", "Use true or false."),
            },
            // Read-only fields of a GET's answer, so it can be sent back as it is.
            "provider" | "connection" | "connected" | "account_email" | "state" | "connect_url" => {
            }
            _ => errors.push("unknown_field", UNKNOWN),
        }
    }
    if errors.is_empty() {
        Ok(change)
    } else {
        Err(errors)
    }
}

/// `GET /api/v1/connections`: each provider this Openslot has set up, connected or not.
pub async fn list(ctx: &Ctx, env: &Env, req: &Request) -> Result<Response, AppError> {
    let host = authorize(ctx, env, req, ApiAccess::Read).await?.host;
    let rows = ctx.store.host_connections(&host.id).await?;
    let accounts = ctx.store.open_account_emails(&rows).await?;
    let mut items: Vec<Value> = Vec::new();
    for provider in ConnectProvider::ALL
        .into_iter()
        .filter(|p| p.available(&ctx.config))
    {
        let before = items.len();
        items.extend(
            rows.iter()
                .zip(&accounts)
                .filter(|(row, _)| row.provider() == provider)
                .map(|(row, account)| connection_json(ctx, provider, Some((row, account)))),
        );
        if items.len() == before {
            items.push(connection_json(ctx, provider, None));
        }
    }
    Ok(Response::from_json(&json!({ "connections": items }))?)
}

/// `GET /api/v1/connections/{google|microsoft|caldav}/calendars`: the host's calendars, read live,
/// and which are checked for conflicts.
pub async fn calendars(
    ctx: &Ctx,
    env: &Env,
    req: &Request,
    name: &str,
) -> Result<Response, AppError> {
    let host = authorize(ctx, env, req, ApiAccess::Read).await?.host;
    let key = connection_in_path(name)?;
    let provider = key.provider;
    if !provider.is_calendar() {
        return Err(AppError::NotFound(no_calendars(provider)));
    }
    let row = connection(ctx, &host.id, key).await?;
    let list = listed_calendars(ctx, &row, provider).await?;
    let items: Vec<Value> = with_checked(list, &checked_ids(&row))
        .into_iter()
        .map(|(calendar, checked)| {
            json!({
                "id": calendar.id,
                "name": calendar.name,
                "primary": calendar.primary,
                "writable": calendar.writable,
                "checked": checked,
            })
        })
        .collect();
    Ok(Response::from_json(&json!({ "calendars": items }))?)
}

/// The body of `POST /api/v1/connections/{provider}`: the server's address, the user name and
/// an app-specific password; any other key, or a value that is not a string, is named.
fn parse_password_form(body: &Map<String, Value>) -> Result<PasswordForm, FieldErrors> {
    let mut form = PasswordForm::default();
    let mut errors = FieldErrors::default();
    if body
        .keys()
        .any(|key| !matches!(key.as_str(), "address" | "username" | "password"))
    {
        errors.push("unknown_field", UNKNOWN);
    }
    for (field, slot) in [
        ("address", &mut form.address),
        ("username", &mut form.username),
        ("password", &mut form.password),
    ] {
        match body.get(field) {
            None => {}
            Some(Value::String(text)) => text.clone_into(slot),
            Some(_) => errors.push(field, "Use a string."),
        }
    }
    if errors.is_empty() {
        Ok(form)
    } else {
        Err(errors)
    }
}

/// `POST /api/v1/connections/{provider}`: connects a password provider (CalDAV) by discovery,
/// as the dashboard's form does: 201 with the connection (200 on a reconnect, which keeps the
/// calendars the host chose), 422 naming the field the server or the form refused. An OAuth
/// provider answers 409 with the `connect_url` its consent screen starts from.
pub async fn connect(
    ctx: &Ctx,
    env: &Env,
    req: &mut Request,
    name: &str,
) -> Result<Response, AppError> {
    let host = authorize(ctx, env, req, ApiAccess::Write).await?.host;
    let provider = provider_in_path(name)?;
    if !provider.connects_with_password() {
        return Err(AppError::Conflict(format!(
            "{} is connected in the browser, at its consent screen: open {}/dashboard/\
             connections/{}/connect while signed in.",
            provider.label(),
            ctx.origin,
            provider.as_str()
        )));
    }
    let body = object(req).await?;
    let form = parse_password_form(&body).map_err(AppError::InvalidFields)?;
    let before: Vec<ConnectionKey> = ctx
        .store
        .host_connections(&host.id)
        .await?
        .iter()
        .map(|row| row.key)
        .collect();
    let key = caldav_connection::connect(ctx, &host.id, provider, &form).await?;
    let saved = connection(ctx, &host.id, key).await?;
    let account_email = ctx
        .store
        .open_account_email(&saved.host_id, key, &saved.account_email)
        .await?;
    let status = if before.contains(&key) { 200 } else { 201 };
    Ok(Response::from_json(&connection_json(
        ctx,
        provider,
        Some((&saved, &account_email)),
    ))?
    .with_status(status))
}

/// `PATCH /api/v1/connections/{provider}`: changes the settings sent, by the dashboard's rules.
pub async fn update(
    ctx: &Ctx,
    env: &Env,
    req: &mut Request,
    name: &str,
) -> Result<Response, AppError> {
    let host = authorize(ctx, env, req, ApiAccess::Write).await?.host;
    let key = connection_in_path(name)?;
    let provider = key.provider;
    let current = connection(ctx, &host.id, key).await?;
    let body = object(req).await?;
    let change = parse_change(&body).map_err(AppError::InvalidFields)?;
    save_change(ctx, &current, provider, change).await?;
    let saved = connection(ctx, &host.id, key).await?;
    let account_email = ctx
        .store
        .open_account_email(&saved.host_id, key, &saved.account_email)
        .await?;
    Ok(Response::from_json(&connection_json(
        ctx,
        provider,
        Some((&saved, &account_email)),
    ))?)
}

/// `DELETE /api/v1/connections/{provider}`: disconnects as the dashboard does (204).
pub async fn delete(ctx: &Ctx, env: &Env, req: &Request, name: &str) -> Result<Response, AppError> {
    let host = authorize(ctx, env, req, ApiAccess::Write).await?.host;
    let key = connection_in_path(name)?;
    connection(ctx, &host.id, key).await?;
    forget(ctx, &host.id, key).await?;
    Ok(Response::empty()?.with_status(204))
}
