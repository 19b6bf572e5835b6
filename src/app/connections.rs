//! A host's calendar and Zoom connections as they are changed: each provider's settings and
//! the rules of which applies to which (a Zoom connection has no calendars, only Outlook has
//! "show as" states), Google and Outlook calendar lists read live (names are never stored),
//! and forgetting a connection. The dashboard and the JSON API each parse their own input into
//! a [`SettingsChange`] and hand it to [`save_change`].

use super::{AppError, Ctx};
use crate::calendar::call::CallError;
use crate::calendar::Revocation;
use crate::core::booking::FieldErrors;
use crate::core::calendar_settings::WhenUnreadable;
use crate::providers::calendar::google::{self, CalendarChoice};
use crate::providers::calendar::microsoft::{self, BlockingShowAs};
use crate::providers::calendar::CalendarProvider;
use crate::providers::connection_key::{ConnectionKey, MOST_ACCOUNTS};
use crate::providers::registry::ConnectProvider;
use crate::store::{ConnectionRow, ConnectionSettings};

/// The Outlook "show as" states a host may let block a slot, with what Outlook calls them.
pub const SHOW_AS_CHOICES: [(&str, &str); 4] = [
    ("busy", "Busy"),
    ("tentative", "Tentative"),
    ("oof", "Away (out of office)"),
    ("workingElsewhere", "Working elsewhere"),
];

/// The calendar ids a Google connection checks (`["primary"]` until the host chooses).
pub fn checked_ids(row: &ConnectionRow) -> Vec<String> {
    crate::core::calendar_settings::stored_ids(&row.checked_calendars)
        .unwrap_or_else(|| vec!["primary".to_owned()])
}

/// Whether calendar `id` is in Google's `list`; `primary` is Google's own name for the
/// primary calendar (and what a connection checks until the host chooses).
fn is_listed(list: &[CalendarChoice], id: &str) -> bool {
    list.iter()
        .any(|c| c.id == id || (id == "primary" && c.primary))
}

/// Google's calendars, each with whether the connection checks it for conflicts.
pub fn with_checked(list: Vec<CalendarChoice>, checked: &[String]) -> Vec<(CalendarChoice, bool)> {
    list.into_iter()
        .map(|c| {
            let on = checked
                .iter()
                .any(|id| is_listed(std::slice::from_ref(&c), id));
            (c, on)
        })
        .collect()
}

/// Google's list of the host's calendars, read live (names are never stored): `409` while
/// the connection needs reconnecting, `503` while Google cannot be read.
pub async fn google_calendars(
    ctx: &Ctx,
    row: &ConnectionRow,
) -> Result<Vec<CalendarChoice>, AppError> {
    let needs_reconnect = || {
        AppError::Conflict(
            "Google Calendar needs reconnecting before Openslot can read your calendars.".into(),
        )
    };
    if row.needs_reconnect() {
        return Err(needs_reconnect());
    }
    let calendars = ctx.calendars()?;
    let urls = &ctx.config.services;
    let unavailable = |error: &dyn std::fmt::Display| {
        worker::console_warn!("calendar list of host {}: {error}", row.host_id);
        AppError::Unavailable(
            "We could not reach Google to read your calendars just now. Please try again.".into(),
        )
    };
    // Google pages the list (250 at most per page): follow `nextPageToken`, or calendars past
    // the first page could never be chosen.
    let mut list: Vec<CalendarChoice> = Vec::new();
    let mut page: Option<String> = None;
    for _ in 0..CALENDAR_LIST_PAGES {
        match calendars
            .call(
                row,
                |token| google::calendar_list_page(urls, token, page.as_deref()),
                google::parse_calendar_list_page,
            )
            .await
        {
            Ok((mut more, next)) => {
                list.append(&mut more);
                match next {
                    Some(next) => page = Some(next),
                    None => {
                        CalendarChoice::primary_first(&mut list);
                        return Ok(list);
                    }
                }
            }
            Err(CallError::NeedsReconnect) => return Err(needs_reconnect()),
            Err(error) => return Err(unavailable(&error)),
        }
    }
    Err(unavailable(&"more calendarList pages than we follow"))
}

/// Pages of Google's calendar list followed at most (250 calendars each).
const CALENDAR_LIST_PAGES: usize = 20;

/// Outlook's list of the host's calendars (`/me/calendars`, followed by `@odata.nextLink`),
/// read live like Google's: `409` while the connection needs reconnecting, `503` while
/// Microsoft cannot be read.
pub async fn outlook_calendars(
    ctx: &Ctx,
    row: &ConnectionRow,
) -> Result<Vec<CalendarChoice>, AppError> {
    if row.needs_reconnect() {
        return Err(AppError::Conflict(
            "Microsoft Outlook needs reconnecting before Openslot can read your calendars.".into(),
        ));
    }
    let calendars = ctx.calendars()?;
    let urls = &ctx.config.services;
    let unavailable = |error: &dyn std::fmt::Display| {
        worker::console_warn!("Outlook calendar list of host {}: {error}", row.host_id);
        AppError::Unavailable(
            "We could not reach Microsoft to read your calendars just now. Please try again."
                .into(),
        )
    };
    let mut list: Vec<CalendarChoice> = Vec::new();
    let mut next: Option<microsoft::NextLink> = None;
    for _ in 0..CALENDAR_LIST_PAGES {
        let page = match &next {
            None => {
                calendars
                    .call(
                        row,
                        |token| microsoft::calendar_list(urls, token),
                        microsoft::parse_calendar_list,
                    )
                    .await
            }
            Some(link) => {
                calendars
                    .call(
                        row,
                        |token| microsoft::calendar_view_next(urls, token, link),
                        microsoft::parse_calendar_list,
                    )
                    .await
            }
        };
        match page {
            Ok((mut more, link)) => {
                list.append(&mut more);
                match link {
                    Some(link) => next = Some(link),
                    None => {
                        CalendarChoice::primary_first(&mut list);
                        return Ok(list);
                    }
                }
            }
            Err(CallError::NeedsReconnect) => {
                return Err(AppError::Conflict(
                    "Microsoft Outlook needs reconnecting before Openslot can read your calendars."
                        .into(),
                ))
            }
            Err(error) => return Err(unavailable(&error)),
        }
    }
    Err(unavailable(&"more calendar pages than we follow"))
}

/// Why a connection without a calendar (Zoom) has no list, naming those that have one.
pub fn no_calendars(provider: ConnectProvider) -> String {
    let calendars: Vec<&str> = ConnectProvider::ALL
        .into_iter()
        .filter(|p| p.is_calendar())
        .map(ConnectProvider::label)
        .collect();
    format!(
        "{} has no calendars to list; {} do.",
        provider.label(),
        calendars.join(" and ")
    )
}

/// The calendars of a Google or Outlook connection, read live.
pub async fn listed_calendars(
    ctx: &Ctx,
    row: &ConnectionRow,
    provider: ConnectProvider,
) -> Result<Vec<CalendarChoice>, AppError> {
    match provider.calendar() {
        Some(CalendarProvider::Google) => google_calendars(ctx, row).await,
        Some(CalendarProvider::Microsoft) => outlook_calendars(ctx, row).await,
        Some(CalendarProvider::CalDav) => super::caldav_connection::calendars(ctx, row).await,
        None => Err(AppError::NotFound(no_calendars(provider))),
    }
}

/// A change to one connection's settings, parsed from the dashboard's form or the API's JSON;
/// `None` keeps what is stored. [`save_change`] checks it against the provider.
#[derive(Debug, Default)]
pub struct SettingsChange {
    /// Whether busy times that cannot be read stop the booking page or are skipped.
    pub when_unreadable: Option<WhenUnreadable>,
    /// Google: the calendar ids checked for conflicts.
    pub checked_calendars: Option<Vec<String>>,
    /// Microsoft: the Outlook states that block a slot.
    pub blocking_show_as: Option<BlockingShowAs>,
    /// Google: whether Google also emails the invitee about the event.
    pub send_updates: Option<bool>,
    /// `true` makes this the calendar that receives new events; `false` is only accepted
    /// while it is not (it cannot give the role away without naming who takes it).
    pub receives_events: Option<bool>,
    /// CalDAV: which of the account's calendars receives booked events; it is checked for
    /// conflicts too.
    pub event_calendar: Option<String>,
}

impl SettingsChange {
    /// Whether any stored setting (not the event calendar) changes.
    fn touches_settings(&self) -> bool {
        self.when_unreadable.is_some()
            || self.checked_calendars.is_some()
            || self.event_calendar.is_some()
            || self.blocking_show_as.is_some()
            || self.send_updates.is_some()
    }
}

/// Outlook states chosen by name (of [`SHOW_AS_CHOICES`]); a name not offered is refused.
pub fn show_as_choice<'a>(
    names: impl IntoIterator<Item = &'a str>,
) -> Result<BlockingShowAs, String> {
    let names: Vec<&str> = names.into_iter().collect();
    if let Some(unknown) = names
        .iter()
        .find(|name| !SHOW_AS_CHOICES.iter().any(|(known, _)| known == *name))
    {
        return Err(format!("'{unknown}' is not an Outlook availability state."));
    }
    BlockingShowAs::parse(&names.join(",")).map_err(|e| e.to_string())
}

/// Checks `change` against `provider` (a setting it does not have is refused under that
/// setting's name) and, for Google calendar ids, against the live calendar list; then saves
/// it over `current`. The rules of both the dashboard and the JSON API.
pub async fn save_change(
    ctx: &Ctx,
    current: &ConnectionRow,
    provider: ConnectProvider,
    change: SettingsChange,
) -> Result<(), AppError> {
    let can = provider.capabilities();
    let label = provider.label();
    let mut errors = FieldErrors::default();
    if change.when_unreadable.is_some() && can.calendar.is_none() {
        errors.push(
            "when_unreadable",
            format!("{label} has no calendar to read; this is a setting of a connected calendar."),
        );
    }
    if change.receives_events.is_some() && can.calendar.is_none() {
        errors.push(
            "receives_events",
            format!(
                "{label} makes meetings, not calendar events; choose a connected calendar instead."
            ),
        );
    } else if change.receives_events == Some(false) && current.receives_events == 1 {
        errors.push(
            "receives_events",
            "New bookings go into this calendar until another one receives them: set \
             receives_events to true on the other calendar.",
        );
    }
    if change.event_calendar.is_some() && !can.chooses_event_calendar {
        errors.push(
            "event_calendar",
            format!(
                "{label} puts booked events in its primary calendar; there is no other to choose."
            ),
        );
    }
    match &change.checked_calendars {
        Some(_) if can.calendar.is_none() => errors.push(
            "checked_calendars",
            format!("{label} has no calendars; choose them on a connected calendar."),
        ),
        Some(ids) if ids.is_empty() => errors.push(
            "checked_calendars",
            "Choose at least one calendar to check for conflicts.",
        ),
        _ => {}
    }
    if change.blocking_show_as.is_some() && !can.show_as_states {
        errors.push(
            "blocking_show_as",
            format!("{label} does not mark entries as busy, tentative, away or working elsewhere."),
        );
    }
    if change.send_updates.is_some() && !can.emails_invitee {
        errors.push(
            "send_updates",
            format!("{label} cannot email the invitee about the event itself."),
        );
    }
    if !errors.is_empty() {
        return Err(AppError::InvalidFields(errors));
    }
    let host_id = &current.host_id;
    if change.touches_settings() {
        let checked_calendars = match checked_after(ctx, current, provider, &change).await? {
            Some(checked) => {
                serde_json::to_string(&checked).map_err(|e| AppError::Internal(e.to_string()))?
            }
            None => current.checked_calendars.clone(),
        };
        let when_unreadable = change.when_unreadable.unwrap_or(current.when_unreadable);
        let blocking = change.blocking_show_as.unwrap_or(current.blocking_show_as);
        let saved = ctx
            .store
            .save_connection_settings(
                host_id,
                current.key,
                &ConnectionSettings {
                    checked_calendars: &checked_calendars,
                    blocking_show_as: blocking,
                    when_unreadable,
                    send_updates: change.send_updates.unwrap_or(current.send_updates == 1),
                },
            )
            .await?;
        if !saved {
            return Err(not_connected(provider));
        }
    }
    if change.receives_events == Some(true)
        && !ctx
            .store
            .choose_event_calendar(host_id, current.key)
            .await?
    {
        return Err(not_connected(provider));
    }
    Ok(())
}

/// The calendars `current` checks once `change` is saved, when it changes them: the chosen
/// ones (each found in the provider's live list, each once) or those checked before. Where the host picks the calendar
/// that receives booked events, it comes first (it is checked too): the one chosen now, or the
/// one before while it is still checked.
async fn checked_after(
    ctx: &Ctx,
    current: &ConnectionRow,
    provider: ConnectProvider,
    change: &SettingsChange,
) -> Result<Option<Vec<String>>, AppError> {
    if change.checked_calendars.is_none() && change.event_calendar.is_none() {
        return Ok(None);
    }
    let before = checked_ids(current);
    let known = listed_calendars(ctx, current, provider).await?;
    let mut checked: Vec<String> = Vec::new();
    for id in change.checked_calendars.as_ref().unwrap_or(&before) {
        if !is_listed(&known, id) && change.checked_calendars.is_none() {
            // Checked before and gone from the account since: no longer checked.
            continue;
        }
        if !is_listed(&known, id) {
            return Err(AppError::InvalidFields(FieldErrors::one(
                "checked_calendars",
                format!("'{id}' is not one of your {} calendars.", provider.label()),
            )));
        }
        if !checked.contains(id) {
            checked.push(id.clone());
        }
    }
    if !provider.capabilities().chooses_event_calendar {
        return Ok(Some(checked));
    }
    let receiving = match &change.event_calendar {
        Some(id) if !is_listed(&known, id) => {
            return Err(AppError::InvalidFields(FieldErrors::one(
                "event_calendar",
                format!("'{id}' is not one of your {} calendars.", provider.label()),
            )));
        }
        Some(id) if !known.iter().any(|c| c.id == *id && c.writable) => {
            return Err(AppError::InvalidFields(FieldErrors::one(
                "event_calendar",
                format!(
                    "You can only read this {} calendar, so Openslot cannot add bookings to it.",
                    provider.label()
                ),
            )));
        }
        Some(id) => Some(id.clone()),
        None => before.first().filter(|id| checked.contains(id)).cloned(),
    };
    if let Some(receiving) = receiving {
        checked.retain(|id| *id != receiving);
        checked.insert(0, receiving);
    }
    Ok(Some(checked))
}

/// Which of the host's connections the account `account_id` just connected at `provider` is
/// (`Store::claim_connection`): the one it was before, or a new one. Refused, saying why, when
/// the host has connected the most accounts of the provider already.
pub async fn claim(
    ctx: &Ctx,
    host_id: &str,
    provider: ConnectProvider,
    account_id: &str,
) -> Result<ConnectionKey, AppError> {
    ctx.store
        .claim_connection(host_id, provider, account_id, ctx.now.timestamp())
        .await?
        .ok_or_else(|| {
            AppError::Conflict(format!(
                "You have connected {MOST_ACCOUNTS} {} accounts, the most Openslot keeps. \
                 Disconnect one of them to connect another.",
                provider.label()
            ))
        })
}

/// The 404 for a provider the host has not connected.
pub fn not_connected(provider: ConnectProvider) -> AppError {
    AppError::NotFound(format!("{} is not connected.", provider.label()))
}

/// Revokes the grant where the provider allows it, deletes the tokens and the connection;
/// says how the revocation went.
pub async fn forget(ctx: &Ctx, host_id: &str, key: ConnectionKey) -> Result<Revocation, AppError> {
    ctx.calendars()?
        .disconnect(host_id, key)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// Forgets every connection to the provider's account `account_id`, as the provider told us
/// the account removed Openslot (Zoom's `app_deauthorized`): tokens first, then the rows (a
/// row left without tokens is harmless, the reverse would keep a grant we were told to forget).
/// Answers how many connections went.
pub async fn forget_account(
    ctx: &Ctx,
    provider: ConnectProvider,
    account_id: &str,
) -> Result<usize, AppError> {
    let connections = ctx
        .store
        .connections_of_account(provider.as_str(), account_id)
        .await?;
    let calendars = ctx.calendars()?;
    for connection in &connections {
        calendars
            .vault
            .forget(&connection.host_id, connection.key)
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        ctx.store
            .delete_connection(&connection.host_id, connection.key)
            .await?;
    }
    Ok(connections.len())
}
