//! The calendar an event type's bookings go to (`event_types.event_calendar_connection`, the
//! connection's name, and `event_calendar_id`, migration 0031). The calendar's id is the provider's (a Google
//! calendar's id can be an address), so it is kept sealed under the key of the connection it
//! belongs to, like the checked calendars' ids (PRIVACY.md [P51]): a disconnect deletes that
//! key, and the choice then reads as none, the host's default calendar.

use super::{Param, Store, StoreError};
use crate::crypto::data_key::{Field, KeyRef};
use crate::providers::calendar::receiving::EventCalendar;
use crate::providers::connection_key::ConnectionKey;

fn sealed_field(host_id: &str) -> Field<'_> {
    Field {
        table: "event_types",
        column: "event_calendar_id",
        row_id: host_id,
    }
}

impl Store {
    /// Sends the bookings of the host's event type `event_type_id` to `choice` (`None`: the
    /// host's default calendar again); false when the host has no such event type.
    pub async fn send_event_type_to(
        &self,
        host_id: &str,
        event_type_id: &str,
        choice: Option<&EventCalendar>,
    ) -> Result<bool, StoreError> {
        let sealed = match choice {
            Some(choice) => Some(
                match self
                    .connection_key(host_id, &choice.connection.name())
                    .await?
                {
                    Some(key) => key.seal(sealed_field(host_id), &choice.calendar_id),
                    // A connection from before sealing has no key yet: the id stays as it
                    // is until the host saves the choice again.
                    None => choice.calendar_id.clone(),
                },
            ),
            None => None,
        };
        let name = choice.map(|c| c.connection.name());
        let changed = self
            .execute(
                "send_event_type_to",
                "UPDATE event_types SET event_calendar_connection = ?3, event_calendar_id = ?4 \
                 WHERE host_id = ?1 AND id = ?2",
                &[
                    Param::Text(host_id),
                    Param::Text(event_type_id),
                    name.as_deref().into(),
                    sealed.as_deref().into(),
                ],
            )
            .await?;
        Ok(changed == 1)
    }

    /// The calendar each of the host's event types chose, by event type id; event types that
    /// follow the default, or whose chosen connection is gone, are not listed.
    pub async fn event_calendars(
        &self,
        host_id: &str,
        event_type_id: Option<&str>,
    ) -> Result<Vec<(String, EventCalendar)>, StoreError> {
        let rows = self
            .all_columns(
                "event_calendars",
                "SELECT json_array(id, event_calendar_connection, event_calendar_id) AS value \
                 FROM event_types WHERE host_id = ?1 AND (?2 IS NULL OR id = ?2) \
                 AND event_calendar_id IS NOT NULL",
                &[Param::Text(host_id), event_type_id.into()],
            )
            .await?;
        let mut chosen = Vec::with_capacity(rows.len());
        for mut row in rows {
            let id = row.text()?;
            let name = row.text()?;
            let stored = row.text()?;
            let Some(connection) =
                ConnectionKey::parse(&name).filter(|key| key.provider.is_calendar())
            else {
                continue;
            };
            let calendar_id = match KeyRef::of_sealed(&stored) {
                None => stored,
                Some(key_ref) => match self.data_key(host_id, &key_ref).await? {
                    Some(key) => key
                        .open(sealed_field(host_id), &stored)
                        .map_err(|e| super::failed("event_calendars", e))?,
                    // The connection was removed: its choice went with it.
                    None => continue,
                },
            };
            chosen.push((
                id,
                EventCalendar {
                    connection,
                    calendar_id,
                },
            ));
        }
        Ok(chosen)
    }

    /// The calendar the host's event type `event_type_id` chose, if any (see
    /// [`Self::event_calendars`]).
    pub async fn event_calendar(
        &self,
        host_id: &str,
        event_type_id: &str,
    ) -> Result<Option<EventCalendar>, StoreError> {
        Ok(self
            .event_calendars(host_id, Some(event_type_id))
            .await?
            .pop()
            .map(|(_, chosen)| chosen))
    }
}
