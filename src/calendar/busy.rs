//! Busy times from the host's connected calendars, for the slot engine.
//!
//! Few provider calls per request (Google: one `freeBusy` per 50 checked calendars;
//! Microsoft: one `calendarView` per checked calendar, more pages only for a crowded range).
//! Only start and end leave this module. A calendar that cannot be read stops the booking
//! page from offering any time, unless the host chose to ignore it: wrong slots are worse
//! than none.

use chrono_tz::Tz;

use crate::core::availability::Interval;
use crate::core::calendar_settings::WhenUnreadable;
use crate::providers::calendar::{google, microsoft, CalendarProvider};
use crate::providers::registry::ConnectProvider;
use crate::store::{ConnectionRow, StoreError};

use super::call::CallError;
use super::Calendars;

/// Pages of one Microsoft calendarView followed at most (each holds hundreds of entries).
const MAX_GRAPH_PAGES: usize = 5;

/// Why busy times are not known.
#[derive(Debug, thiserror::Error)]
pub enum BusyError {
    /// A calendar whose host wants no times offered without it could not be read.
    #[error("{0} could not be read")]
    Unreadable(&'static str),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Calendars<'_> {
    /// Every busy period of the host's checked calendars (among its `connections`, which the
    /// slot engine reads in the same D1 round trip as its other rows) that touches `window`.
    pub async fn busy_times_among(
        &self,
        host_id: &str,
        connections: &[ConnectionRow],
        window: Interval,
        host_zone: Tz,
    ) -> Result<Vec<Interval>, BusyError> {
        let mut busy = Vec::new();
        for connection in connections {
            let provider = connection.provider();
            if !provider.is_calendar() {
                continue;
            }
            let read = self
                .read_busy(connection, provider, window, host_zone)
                .await;
            // Our own side not being ready (storage, another request's refresh) says nothing
            // about whether the calendar answers.
            if !matches!(read, Err(CallError::Ours(_) | CallError::Build(_))) {
                self.note_busy_read(connection, read.is_ok()).await;
            }
            match read {
                Ok(periods) => busy.extend(periods),
                Err(error) => {
                    worker::console_warn!(
                        "busy times of host {host_id} from {}: {error}",
                        provider.as_str()
                    );
                    if connection.when_unreadable == WhenUnreadable::Stop {
                        return Err(BusyError::Unreadable(provider.label()));
                    }
                }
            }
        }
        Ok(busy)
    }

    /// The busy periods of one calendar connection's checked calendars in `window` (the
    /// booking page's read, and the health check's); all-day entries a server leaves floating
    /// are the host's days in `host_zone`.
    pub async fn read_busy(
        &self,
        connection: &ConnectionRow,
        provider: ConnectProvider,
        window: Interval,
        host_zone: Tz,
    ) -> Result<Vec<Interval>, CallError> {
        // A provider without a calendar (Zoom) has no busy times.
        match provider.calendar() {
            Some(CalendarProvider::Google) => self.google_busy(connection, window).await,
            Some(CalendarProvider::Microsoft) => self.microsoft_busy(connection, window).await,
            Some(CalendarProvider::CalDav) => self.caldav_busy(connection, window, host_zone).await,
            None => Ok(Vec::new()),
        }
    }

    async fn google_busy(
        &self,
        connection: &ConnectionRow,
        window: Interval,
    ) -> Result<Vec<Interval>, CallError> {
        let ids = crate::core::calendar_settings::checked_or_primary(&connection.checked_calendars);
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        let urls = &self.config.services;
        // Google answers `tooManyCalendarsRequested` past 50 calendars in one request.
        let mut busy = Vec::new();
        for batch in ids.chunks(google::FREE_BUSY_MAX_CALENDARS) {
            busy.extend(
                self.call(
                    connection,
                    |token| google::free_busy(urls, token, window, batch),
                    |response| google::parse_free_busy(response, batch),
                )
                .await?,
            );
        }
        Interval::sort(&mut busy);
        Ok(busy)
    }

    /// Every Outlook calendar the host checks (the default one until they choose): a busy
    /// entry in a second calendar blocks a slot too.
    async fn microsoft_busy(
        &self,
        connection: &ConnectionRow,
        window: Interval,
    ) -> Result<Vec<Interval>, CallError> {
        let ids = crate::core::calendar_settings::checked_or_primary(&connection.checked_calendars);
        let mut busy = Vec::new();
        for id in &ids {
            busy.append(&mut self.outlook_calendar_busy(connection, window, id).await?);
        }
        Interval::sort(&mut busy);
        Ok(busy)
    }

    async fn outlook_calendar_busy(
        &self,
        connection: &ConnectionRow,
        window: Interval,
        calendar_id: &str,
    ) -> Result<Vec<Interval>, CallError> {
        let blocking = connection.blocking_show_as;
        let urls = &self.config.services;
        let mut page = self
            .call(
                connection,
                |token| microsoft::calendar_view_of(urls, token, calendar_id, window),
                |response| microsoft::parse_calendar_view(response, blocking),
            )
            .await?;
        let mut busy = std::mem::take(&mut page.busy);
        for _ in 1..MAX_GRAPH_PAGES {
            let Some(link) = page.next_link.take() else {
                return Ok(busy);
            };
            page = self
                .call(
                    connection,
                    |token| microsoft::calendar_view_next(urls, token, &link),
                    |response| microsoft::parse_calendar_view(response, blocking),
                )
                .await?;
            busy.append(&mut page.busy);
        }
        if page.next_link.is_some() {
            return Err(CallError::Unavailable(
                "calendarView has more pages than we follow".into(),
            ));
        }
        Ok(busy)
    }
}
