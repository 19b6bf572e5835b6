//! What a booking has at the providers (`booking_calendar`: the calendar event's id, the
//! meeting's id and join link), kept in D1 only sealed under the key of the connection that
//! made it (crypto-shredding, issue 13; `sealed_account.rs` says why connections have keys).
//!
//! The event id is the calendar connection's (`calendar_provider`); the meeting's id and link
//! belong to the conferencing provider (`zoom`, or the calendar that made a Meet or Teams
//! link). When that connection is removed, or Zoom deauthorizes the app, its key goes and
//! every copy of these values with it; a booking then simply has no link any more, which is
//! also true at the provider. Values are bound to the host and the column, not the row:
//! a reschedule hands a booking's event and meeting over to the new booking by copying them
//! in SQL (`MOVE_CALENDAR_WORK`).
//!
//! A value written while its connection had no key yet (a connection from before sealing)
//! stays plaintext until the hourly run seals it ([`Store::seal_plaintext_meetings`]).

use super::{Param, Store, StoreError};
use crate::crypto::data_key::{DataKey, Field, KeyRef};
use crate::providers::calendar::MeetingMaker;
use crate::providers::connection_key::ConnectionKey;

/// The columns of `booking_calendar` sealed here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum MeetingColumn {
    EventId,
    /// The calendar the event went to (migration 0031), the calendar connection's like the
    /// event's id.
    CalendarId,
    MeetingId,
    MeetingUrl,
}

impl MeetingColumn {
    fn name(self) -> &'static str {
        match self {
            MeetingColumn::EventId => "event_id",
            MeetingColumn::CalendarId => "calendar_id",
            MeetingColumn::MeetingId => "meeting_id",
            MeetingColumn::MeetingUrl => "meeting_url",
        }
    }

    /// Whose connection made the value (its name): the calendar for the event, the
    /// conferencing provider for the meeting, which for a Meet or Teams link is the calendar
    /// account whose event carries it.
    fn owner(self, calendar: Option<ConnectionKey>, conference: &str) -> Option<String> {
        match self {
            MeetingColumn::EventId | MeetingColumn::CalendarId => calendar.map(ConnectionKey::name),
            MeetingColumn::MeetingId | MeetingColumn::MeetingUrl => {
                let maker = MeetingMaker::parse(conference).and_then(MeetingMaker::connection)?;
                Some(match calendar {
                    Some(calendar) if calendar.provider.as_str() == maker => calendar.name(),
                    _ => maker.to_owned(),
                })
            }
        }
    }
}

fn meeting_field(host_id: &str, column: MeetingColumn) -> Field<'_> {
    Field {
        table: "booking_calendar",
        column: column.name(),
        row_id: host_id,
    }
}

/// Which connections a booking's values belong to.
pub(super) struct MeetingOwners<'a> {
    pub host_id: &'a str,
    pub calendar: Option<ConnectionKey>,
    pub conference: &'a str,
}

impl Store {
    /// The key of `host_id`'s connection to `provider`, if the connection exists and has one.
    pub(super) async fn connection_key(
        &self,
        host_id: &str,
        provider: &str,
    ) -> Result<Option<DataKey>, StoreError> {
        match self.connection_key_id(host_id, provider).await? {
            Some(key_id) => self.data_key(host_id, &KeyRef::Connection(key_id)).await,
            None => Ok(None),
        }
    }

    /// `value` of `column` as D1 should hold it: sealed under its connection's key, or as it
    /// is while that connection has no key (see the module comment).
    pub(super) async fn seal_meeting_value(
        &self,
        owners: &MeetingOwners<'_>,
        column: MeetingColumn,
        value: &str,
    ) -> Result<String, StoreError> {
        let Some(owner) = column.owner(owners.calendar, owners.conference) else {
            return Ok(value.to_owned());
        };
        Ok(match self.connection_key(owners.host_id, &owner).await? {
            Some(key) => key.seal(meeting_field(owners.host_id, column), value),
            None => value.to_owned(),
        })
    }

    /// [`Self::seal_meeting_value`] for an optional value.
    pub(super) async fn seal_meeting_option(
        &self,
        owners: &MeetingOwners<'_>,
        column: MeetingColumn,
        value: Option<&str>,
    ) -> Result<Option<String>, StoreError> {
        match value {
            Some(value) => Ok(Some(self.seal_meeting_value(owners, column, value).await?)),
            None => Ok(None),
        }
    }

    /// Opens a stored value in place. A value whose connection's key is gone (disconnected,
    /// deauthorized) reads as none: it no longer exists for Openslot.
    pub(super) async fn open_meeting_value(
        &self,
        host_id: &str,
        column: MeetingColumn,
        stored: &mut Option<String>,
    ) -> Result<(), StoreError> {
        let Some(value) = stored.as_deref() else {
            return Ok(());
        };
        let Some(key_ref) = KeyRef::of_sealed(value) else {
            return Ok(());
        };
        *stored = match self.data_key(host_id, &key_ref).await? {
            Some(key) => Some(
                key.open(meeting_field(host_id, column), value)
                    .map_err(|e| super::failed("open_meeting_value", e))?,
            ),
            None => None,
        };
        Ok(())
    }

    /// Seals the plaintext ids and links of up to `limit` bookings whose connections have keys
    /// now (written before sealing, or before their connection was sealed), in one D1 batch of
    /// conditional UPDATEs; the owning connections' key ids come with the rows, so no row costs
    /// a query of its own. Returns how many rows it sealed.
    pub async fn seal_plaintext_meetings(&self, limit: i64) -> Result<usize, StoreError> {
        struct PlaintextRow {
            booking_id: String,
            host_id: String,
            event_id: Option<String>,
            meeting_id: Option<String>,
            meeting_url: Option<String>,
            event_key_id: Option<String>,
            meeting_key_id: Option<String>,
        }
        // Rows with a value not in the sealed format (`s1.…`) whose owning connection has a
        // key now (others would be found again every run and crowd out the rest).
        let rows = self
            .all_columns(
                "plaintext_meetings",
                "SELECT json_array(booking_id, host_id, event_id, meeting_id, meeting_url, \
                 event_key_id, meeting_key_id) AS value FROM (SELECT c.booking_id, c.host_id, c.event_id, c.meeting_id, \
                   c.meeting_url, \
                   (SELECT k.key_id FROM connections k WHERE k.host_id = c.host_id \
                    AND k.connection = c.calendar_connection) AS event_key_id, \
                   (SELECT k.key_id FROM connections k WHERE k.host_id = c.host_id \
                    AND k.connection = CASE c.conference WHEN 'zoom' THEN 'zoom' \
                        WHEN 'google_meet' THEN 'google' WHEN 'microsoft_teams' THEN 'microsoft' \
                        END) AS meeting_key_id \
                   FROM booking_calendar c) \
                 WHERE (event_id NOT LIKE 's1.%' AND event_key_id IS NOT NULL) \
                    OR ((meeting_id NOT LIKE 's1.%' OR meeting_url NOT LIKE 's1.%') \
                        AND meeting_key_id IS NOT NULL) \
                 ORDER BY booking_id LIMIT ?1",
                &[Param::Int(limit)],
            )
            .await?
            .into_iter()
            .map(|mut row| {
                Ok(PlaintextRow {
                    booking_id: row.text()?,
                    host_id: row.text()?,
                    event_id: row.optional_text()?,
                    meeting_id: row.optional_text()?,
                    meeting_url: row.optional_text()?,
                    event_key_id: row.optional_text()?,
                    meeting_key_id: row.optional_text()?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let mut updates: Vec<[Option<String>; 3]> = Vec::with_capacity(rows.len());
        for row in &rows {
            let mut sealed = [
                row.event_id.clone(),
                row.meeting_id.clone(),
                row.meeting_url.clone(),
            ];
            let columns = [
                (MeetingColumn::EventId, &row.event_key_id),
                (MeetingColumn::MeetingId, &row.meeting_key_id),
                (MeetingColumn::MeetingUrl, &row.meeting_key_id),
            ];
            for (value, (column, key_id)) in sealed.iter_mut().zip(columns) {
                let (Some(plain), Some(key_id)) = (value.as_deref(), key_id) else {
                    continue;
                };
                if KeyRef::of_sealed(plain).is_some() {
                    continue;
                }
                let key = self
                    .data_key(&row.host_id, &KeyRef::Connection(key_id.clone()))
                    .await?;
                if let Some(key) = key {
                    *value = Some(key.seal(meeting_field(&row.host_id, column), plain));
                }
            }
            updates.push(sealed);
        }
        let params: Vec<[Param<'_>; 7]> = rows
            .iter()
            .zip(&updates)
            .map(|(row, [event_id, meeting_id, meeting_url])| {
                [
                    Param::Text(&row.booking_id),
                    event_id.as_deref().into(),
                    meeting_id.as_deref().into(),
                    meeting_url.as_deref().into(),
                    row.event_id.as_deref().into(),
                    row.meeting_id.as_deref().into(),
                    row.meeting_url.as_deref().into(),
                ]
            })
            .collect();
        let changed = self
            .batch_each(
                "seal_plaintext_meetings",
                "UPDATE booking_calendar SET event_id = ?2, meeting_id = ?3, meeting_url = ?4 \
                 WHERE booking_id = ?1 AND event_id IS ?5 AND meeting_id IS ?6 \
                 AND meeting_url IS ?7",
                &params,
            )
            .await?;
        Ok(changed.iter().filter(|&&n| n == 1).count())
    }
}
