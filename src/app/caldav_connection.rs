//! Connecting a CalDAV account (iCloud, Fastmail, Nextcloud, any RFC 4791 server) with its
//! address, a user name and an app-specific password: the calendars are found by discovery,
//! every one that takes events is checked for conflicts, and the credentials are sealed in
//! the vault (never in D1). Listing the calendars again for the settings reads them live,
//! as Google's and Outlook's are (names are never stored).

use super::{AppError, Ctx};
use crate::calendar::caldav::{checked_urls, discover, StoredAccount};
use crate::core::booking::FieldErrors;
use crate::core::calendar_settings::WhenUnreadable;
use crate::providers::calendar::caldav::{
    checked_on_connect, Credentials, DavCalendar, DiscoveryError,
};
use crate::providers::calendar::google::CalendarChoice;
use crate::providers::calendar::microsoft::BlockingShowAs;
use crate::providers::connection_key::ConnectionKey;
use crate::providers::registry::ConnectProvider;
use crate::store::{ConnectionRow, ConnectionSettings, NewConnection};

/// Longest address, user name and password accepted.
const MAX_ADDRESS: usize = 500;
const MAX_USERNAME: usize = 200;
const MAX_PASSWORD: usize = 500;

/// What the host typed to connect.
#[derive(Debug, Default, Clone)]
pub struct PasswordForm {
    pub address: String,
    pub username: String,
    pub password: String,
}

/// Connects the host's CalDAV account: every calendar that takes events is checked, or on a
/// reconnect those the host had chosen. The connection it is (the one the account was
/// before, or a new one beside the host's others).
pub async fn connect(
    ctx: &Ctx,
    host_id: &str,
    provider: ConnectProvider,
    form: &PasswordForm,
) -> Result<ConnectionKey, AppError> {
    let (address, username) = (form.address.trim(), form.username.trim());
    let mut errors = FieldErrors::default();
    for (field, value, max, what) in [
        (
            "address",
            address,
            MAX_ADDRESS,
            "your calendar server's address",
        ),
        ("username", username, MAX_USERNAME, "your user name"),
        (
            "password",
            form.password.as_str(),
            MAX_PASSWORD,
            "an app-specific password",
        ),
    ] {
        if value.is_empty() {
            errors.push(field, format!("Enter {what}."));
        } else if value.chars().count() > max || value.chars().any(char::is_control) {
            errors.push(field, format!("Enter {what} of at most {max} characters."));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::InvalidFields(errors));
    }
    let account = StoredAccount {
        address: address.to_owned(),
        username: username.to_owned(),
        password: form.password.clone(),
    };
    let found = discover(address, account.credentials(), ctx.config.local_development)
        .await
        .map_err(refused)?;
    if !found.iter().any(|c| c.takes_events) {
        return Err(AppError::InvalidFields(FieldErrors::one(
            "address",
            "That account has no calendar that takes events.",
        )));
    }
    let server = url::Url::parse(&found[0].url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_default();
    let account_id = format!("{}@{server}", username.to_lowercase());
    // The account connected before (a reconnect), or another one beside it.
    let key = super::connections::claim(ctx, host_id, provider, &account_id).await?;
    // A reconnect keeps the host's choice of calendars, as far as they still exist; the
    // first, which receives events, is one the host may write in.
    let chosen_before: Vec<String> = ctx
        .store
        .connection(host_id, key)
        .await?
        .map(|row| checked_urls(&row))
        .unwrap_or_default();
    let checked = checked_on_connect(&found, &chosen_before);
    let calendars = ctx.calendars()?;
    // Credentials first: a connection row without them would look connected and not work.
    calendars
        .vault
        .put_refresh_token(host_id, key, &account.to_secret())
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    ctx.store
        .save_connection(&NewConnection {
            host_id,
            connection: key,
            account_id: &account_id,
            account_email: &format!("{username} at {server}"),
            blocking_show_as: BlockingShowAs::default(),
            connected_at: ctx.now.timestamp(),
        })
        .await?;
    let checked = serde_json::to_string(&checked).map_err(|e| AppError::Internal(e.to_string()))?;
    ctx.store
        .save_connection_settings(
            host_id,
            key,
            &ConnectionSettings {
                checked_calendars: &checked,
                blocking_show_as: BlockingShowAs::default(),
                when_unreadable: WhenUnreadable::Stop,
                send_updates: false,
            },
        )
        .await?;
    Ok(key)
}

/// The account's calendars that take events, read live with the stored credentials.
pub async fn calendars(ctx: &Ctx, row: &ConnectionRow) -> Result<Vec<CalendarChoice>, AppError> {
    let secret = ctx
        .calendars()?
        .vault
        .refresh_token(&row.host_id, row.key)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .and_then(|secret| StoredAccount::from_secret(&secret))
        .ok_or_else(|| AppError::Unavailable("This calendar needs connecting again.".into()))?;
    let found: Vec<DavCalendar> = discover(
        &secret.address,
        Credentials {
            username: secret.username,
            password: secret.password,
        },
        ctx.config.local_development,
    )
    .await
    .map_err(|e| AppError::Unavailable(e.to_string()))?;
    Ok(found
        .into_iter()
        .filter(|c| c.takes_events)
        .map(|c| CalendarChoice {
            id: c.url,
            name: c.name,
            primary: false,
            writable: c.writable,
        })
        .collect())
}

/// A discovery refusal as the field it is about, in words for the host.
fn refused(error: DiscoveryError) -> AppError {
    let (field, message) = match error {
        DiscoveryError::Unauthorized => (
            "password",
            "The server refused this user name and password. Use an app-specific password \
             (iCloud, Fastmail and others make one in their security settings)."
                .to_owned(),
        ),
        DiscoveryError::BadAddress => (
            "address",
            "Enter the address of your calendar server, such as caldav.fastmail.com; it must \
             be reachable on the internet over https."
                .to_owned(),
        ),
        DiscoveryError::Server(_) => (
            "address",
            "The server did not answer just now; try again in a few minutes.".to_owned(),
        ),
        other => ("address", format!("{}.", capitalised(&other.to_string()))),
    };
    AppError::InvalidFields(FieldErrors::one(field, message))
}

fn capitalised(text: &str) -> String {
    crate::core::display::capitalised(text.to_owned())
}
