//! The calendar an event type's bookings go to ("Add bookings to"): the host's default (the
//! connection that receives events, in its default calendar) or one calendar the host can
//! write in, of one of their calendar connections. The lists are read live from the providers
//! like the connections page's (names are never stored); a choice is checked against them
//! before it is saved, so the dashboard and the JSON API refuse alike (422 on
//! `event_calendar`).

use super::connections::listed_calendars;
use super::{AppError, Ctx};
use crate::core::booking::FieldErrors;
use crate::providers::calendar::receiving::{among, stored_id, EventCalendar, NotWritable};
use crate::providers::connection_key::ConnectionKey;
use crate::store::ConnectionRow;

/// The field both the form and the API report a refused choice under.
pub const FIELD: &str = "event_calendar";

/// One calendar the host can write in, offered as a receiving calendar.
#[derive(Debug, Clone)]
pub struct CalendarOption {
    pub calendar: EventCalendar,
    /// The host's own name for it, read live.
    pub name: String,
    /// Its account as the host knows it ([`ConnectionKey::label_among`]).
    pub account: String,
}

/// What "Add bookings to" offers: the host's default, the writable calendars of every
/// calendar connection that could be read, and the connections that could not (named, so the
/// page can say so and keep the saved choice).
#[derive(Debug, Default)]
pub struct Choices {
    /// The account that receives events today, if any, as the host knows it.
    pub default_connection: Option<String>,
    pub options: Vec<CalendarOption>,
    /// The accounts whose calendars could not be read, as the host knows them.
    pub unreadable: Vec<String>,
}

/// The writable calendars of one connection, or `None` when it cannot be read now.
async fn writable(ctx: &Ctx, row: &ConnectionRow, account: &str) -> Option<Vec<CalendarOption>> {
    if !row.provider().is_calendar() {
        return None;
    }
    let listed = listed_calendars(ctx, row, row.provider()).await.ok()?;
    Some(
        listed
            .iter()
            .filter(|c| c.writable)
            .map(|c| CalendarOption {
                calendar: EventCalendar {
                    connection: row.key,
                    calendar_id: stored_id(c),
                },
                name: c.name.clone(),
                account: account.to_owned(),
            })
            .collect(),
    )
}

/// Everything "Add bookings to" offers the host, read live; each account is named by its
/// address when the host has several of its provider.
pub async fn choices(ctx: &Ctx, host_id: &str) -> Result<Choices, AppError> {
    let connections: Vec<ConnectionRow> = ctx
        .store
        .host_connections(host_id)
        .await?
        .into_iter()
        .filter(|c| c.provider().is_calendar())
        .collect();
    let keys: Vec<ConnectionKey> = connections.iter().map(|c| c.key).collect();
    let addresses = ctx.store.open_account_emails(&connections).await?;
    let mut choices = Choices::default();
    for (row, address) in connections.iter().zip(&addresses) {
        let account = row.key.label_among(&keys, address);
        if row.receives_events == 1 {
            choices.default_connection = Some(account.clone());
        }
        match writable(ctx, row, &account).await {
            Some(options) => choices.options.extend(options),
            None => choices.unreadable.push(account),
        }
    }
    Ok(choices)
}

fn refused(message: impl Into<String>) -> AppError {
    AppError::InvalidFields(FieldErrors::one(FIELD, message))
}

/// Checks `wanted` against the host's calendars as the provider lists them now: it must be
/// a calendar the host can write in, of a calendar connection they have. `saved` (the stored
/// choice) is kept as it is without a check, so saving the other settings works while the
/// provider cannot be read. Returns the choice as it is stored.
pub async fn check(
    ctx: &Ctx,
    host_id: &str,
    wanted: Option<EventCalendar>,
    saved: Option<&EventCalendar>,
) -> Result<Option<EventCalendar>, AppError> {
    let Some(wanted) = wanted else {
        return Ok(None);
    };
    if saved == Some(&wanted) {
        return Ok(Some(wanted));
    }
    let label = wanted.connection.label();
    let connections = ctx.store.host_connections(host_id).await?;
    let Some(row) = connections.iter().find(|c| c.key == wanted.connection) else {
        return Err(refused(format!(
            "You have no {label} connection; connect it first, or use your default calendar."
        )));
    };
    let listed = listed_calendars(ctx, row, row.provider())
        .await
        .map_err(|_| {
            refused(format!(
                "Openslot could not read your {label} calendars just now; try again in a moment."
            ))
        })?;
    match among(&listed, &wanted) {
        Ok(stored) => Ok(Some(stored)),
        Err(NotWritable::ReadOnly) => Err(refused(format!(
            "You can only read this {label} calendar, so Openslot cannot add bookings to it."
        ))),
        Err(NotWritable::NotListed) => Err(refused(format!(
            "This is not one of your {label} calendars."
        ))),
    }
}

/// Saves the checked choice for the host's event type `id` (`None`: the default again).
pub async fn save(
    ctx: &Ctx,
    host_id: &str,
    id: &str,
    choice: Option<&EventCalendar>,
) -> Result<(), AppError> {
    ctx.store.send_event_type_to(host_id, id, choice).await?;
    Ok(())
}
