//! CalDAV connections as the Worker uses them: finding a host's calendars when they connect
//! (discovery, RFC 6764), their busy times, and the events bookings get. The credentials (a
//! user name and an app-specific password) are the connection's long-lived secret, sealed in
//! the vault where an OAuth connection keeps its refresh token, and handed to each call in
//! place of an access token, so every CalDAV call follows `Calendars::call`'s rules.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use oauth2::AccessToken;

use super::call::CallError;
use super::Calendars;
use crate::core::availability::Interval;
use crate::core::ics::{self, Invitation, Person};
use crate::providers::calendar::caldav::{
    self, Created, Credentials, DavCalendar, Discovery, DiscoveryError, Next,
};
use crate::providers::calendar::{BookingKey, BuildError, Deleted, NewEvent};
use crate::providers::fetch::fetch;
use crate::store::{CalendarWorkRow, ConnectionRow};

/// Requests one discovery may send (its redirects and three questions, with room to spare).
const DISCOVERY_REQUESTS: usize = 12;

/// The calendars at `address` that `credentials` reach, found as a host connects.
pub async fn discover(
    address: &str,
    credentials: Credentials,
    local_development: bool,
) -> Result<Vec<DavCalendar>, DiscoveryError> {
    let (mut discovery, mut request) = Discovery::start(address, credentials, local_development)?;
    for _ in 0..DISCOVERY_REQUESTS {
        let response = fetch(request).await.map_err(|error| {
            worker::console_warn!("CalDAV discovery: no answer: {error}");
            DiscoveryError::Server(0)
        })?;
        match discovery.read(&response)? {
            Next::Send(next) => request = *next,
            Next::Found(calendars) => return Ok(calendars),
        }
    }
    Err(DiscoveryError::BadRedirect)
}

/// What the vault keeps for a CalDAV connection: the address the host typed (to list their
/// calendars again) and the credentials. Sealed like a refresh token; the calls read only
/// the credentials from it ([`Credentials::from_secret`] ignores the address).
#[derive(serde::Serialize, serde::Deserialize)]
pub struct StoredAccount {
    pub address: String,
    pub username: String,
    pub password: String,
}

impl StoredAccount {
    /// The vault's secret.
    pub fn to_secret(&self) -> String {
        serde_json::to_string(self).expect("three strings serialize")
    }

    /// The account from the vault's secret, if it is one. Read by a described shape
    /// (`providers::calendar::shape`), which accepts and refuses what the derived
    /// `Deserialize` does, instead of compiling that deserializer into the Worker.
    pub fn from_secret(secret: &str) -> Option<Self> {
        use crate::providers::calendar::shape::{read, Field, Shape};
        static ACCOUNT: Shape = Shape::Record(&[
            Field::new("address", Shape::Text),
            Field::new("username", Shape::Text),
            Field::new("password", Shape::Text),
        ]);
        let mut account = read(secret.as_bytes(), &ACCOUNT).ok()?;
        Some(Self {
            address: account.take("address").into_text()?,
            username: account.take("username").into_text()?,
            password: account.take("password").into_text()?,
        })
    }

    /// The credentials to send.
    pub fn credentials(&self) -> Credentials {
        Credentials {
            username: self.username.clone(),
            password: self.password.clone(),
        }
    }
}

/// The credentials a call is sent with, from the vault's secret.
fn credentials_of(token: &AccessToken) -> Result<Credentials, BuildError> {
    Credentials::from_secret(token.secret())
        .ok_or_else(|| BuildError::Invalid("stored CalDAV credentials unreadable".into()))
}

/// The calendars a connection checks (their URLs), in the order they were found.
pub fn checked_urls(connection: &ConnectionRow) -> Vec<String> {
    crate::core::calendar_settings::stored_ids(&connection.checked_calendars).unwrap_or_default()
}

impl Calendars<'_> {
    /// The busy periods of every checked calendar in `window`: `free-busy-query`, or for a
    /// server that refuses it, `calendar-query` with dates in the host's zone.
    pub(super) async fn caldav_busy(
        &self,
        connection: &ConnectionRow,
        window: Interval,
        host_zone: Tz,
    ) -> Result<Vec<Interval>, CallError> {
        let mut busy = Vec::new();
        for url in checked_urls(connection) {
            let free_busy = self
                .call(
                    connection,
                    |token| caldav::free_busy_query(&url, &credentials_of(token)?, window),
                    caldav::parse_free_busy,
                )
                .await;
            let periods = match free_busy {
                Err(CallError::Api(error)) if caldav::lacks_free_busy(&error) => {
                    self.call(
                        connection,
                        |token| caldav::calendar_query(&url, &credentials_of(token)?, window),
                        |response| caldav::parse_calendar_query(response, host_zone),
                    )
                    .await?
                }
                other => other?,
            };
            busy.extend(periods);
        }
        Interval::sort(&mut busy);
        Ok(busy)
    }

    /// Puts the booking's event into the calendar the host chose for them (the first checked
    /// one, `app::connections`); a retry after a lost
    /// answer finds it there (412) instead of making a second one. Returns its URL.
    pub(super) async fn caldav_create(
        &self,
        connection: &ConnectionRow,
        row: &CalendarWorkRow,
        event: &NewEvent,
    ) -> Result<String, CallError> {
        let url = self.caldav_event_url(connection, &event.key, row.calendar_id.as_deref())?;
        let ics = stored_event(row, event, &caldav::event_uid(&event.key), 0, self.now);
        let made = self
            .call(
                connection,
                |token| caldav::create_event(&url, &credentials_of(token)?, &ics),
                caldav::parse_created,
            )
            .await?;
        match made {
            Created::Now { .. } | Created::AlreadyThere => Ok(url),
        }
    }

    /// Moves the booking's event to its new time, only over an existing event (a host who
    /// deleted it does not get it back). It keeps the UID it was made with: `row` may be a
    /// rescheduled booking, whose own key names no event.
    pub(super) async fn caldav_move(
        &self,
        connection: &ConnectionRow,
        row: &CalendarWorkRow,
        event: &NewEvent,
        event_url: &str,
    ) -> Result<(), CallError> {
        let uid = caldav::uid_at(event_url);
        let ics = stored_event(row, event, &uid, sequence_at(self.now), self.now);
        self.call(
            connection,
            |token| caldav::move_event(event_url, &credentials_of(token)?, None, &ics),
            caldav::parse_moved,
        )
        .await
        .map(|_| ())
    }

    /// Deletes the booking's event at `event_url`; gone already is fine.
    pub(super) async fn caldav_delete(
        &self,
        connection: &ConnectionRow,
        event_url: &str,
    ) -> Result<Deleted, CallError> {
        self.call(
            connection,
            |token| caldav::delete_event(event_url, &credentials_of(token)?),
            caldav::parse_deleted,
        )
        .await
    }

    /// Where the event of booking `key` is made: in `calendar` (the collection the event
    /// type chose, `None` for none) or else in the calendar the host chose for booked events,
    /// which is the first of the checked ones.
    pub(super) fn caldav_event_url(
        &self,
        connection: &ConnectionRow,
        key: &BookingKey,
        calendar: Option<&str>,
    ) -> Result<String, CallError> {
        let calendar = match calendar {
            Some(url) => url.to_owned(),
            None => checked_urls(connection).into_iter().next().ok_or_else(|| {
                CallError::Build(BuildError::Invalid("no CalDAV calendar is checked".into()))
            })?,
        };
        Ok(caldav::event_url(&calendar, key))
    }
}

/// The event as stored in the host's calendar under `uid`: our own .ics, its attendee marked
/// so a scheduling server sends no invitation of its own (Openslot sends it).
fn stored_event(
    row: &CalendarWorkRow,
    event: &NewEvent,
    uid: &str,
    sequence: u32,
    stamp: DateTime<Utc>,
) -> String {
    let location = match &event.conference {
        crate::providers::calendar::Conference::JoinUrl(url) => Some(url.as_str()),
        _ => None,
    };
    ics::write_stored(&Invitation {
        uid,
        sequence,
        method: ics::Method::Request,
        stamp,
        start: event.when.start(),
        end: event.when.end(),
        summary: &event.title,
        description: &event.description,
        location,
        url: location,
        organizer: Person {
            name: "",
            email: &row.host_email,
        },
        attendee: Person {
            name: event.attendee.name.as_str(),
            email: event.attendee.email.as_str(),
        },
    })
}

/// A SEQUENCE that grows with every move (RFC 5545 §3.8.7.4): minutes since 2020.
fn sequence_at(now: DateTime<Utc>) -> u32 {
    u32::try_from((now.timestamp() - 1_577_836_800) / 60).unwrap_or(u32::MAX)
}
