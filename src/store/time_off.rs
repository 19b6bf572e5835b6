//! A host's time off (`time_off`, migration 0022): spans of UTC instants in which no event
//! type is offered, each with an optional note for the booking page.

use super::columns::Columns;
use super::{Param, Store, StoreError};

/// One span of time off as stored.
#[derive(Debug, Clone)]
pub struct TimeOffRow {
    pub id: String,
    pub start_at: i64,
    pub end_at: i64,
    pub note: String,
}

impl TimeOffRow {
    /// The span from a row `json_array(id, start_at, end_at, note)`.
    fn read(mut row: Columns) -> Result<Self, StoreError> {
        Ok(Self {
            id: row.text()?,
            start_at: row.number()?,
            end_at: row.number()?,
            note: row.text()?,
        })
    }
}

impl Store {
    /// The host's time off that has not ended by `now`, soonest first.
    pub async fn time_off_ahead(
        &self,
        host_id: &str,
        now: i64,
    ) -> Result<Vec<TimeOffRow>, StoreError> {
        self.all_columns(
            "time_off_ahead",
            "SELECT json_array(id, start_at, end_at, note) AS value FROM time_off \
             WHERE host_id = ?1 AND end_at > ?2 ORDER BY start_at, id",
            &[Param::Text(host_id), Param::Int(now)],
        )
        .await?
        .into_iter()
        .map(TimeOffRow::read)
        .collect()
    }

    /// All of the host's time off, past and ahead, for their data export.
    pub async fn export_time_off(
        &self,
        host_id: &str,
    ) -> Result<Vec<serde_json::Value>, StoreError> {
        self.export_objects(
            "export_time_off",
            "SELECT json_object('id', id, 'start_at', start_at, 'end_at', end_at, 'note', note) \
             AS value FROM time_off WHERE host_id = ?1 ORDER BY start_at, id",
            host_id,
        )
        .await
    }

    /// Adds a span of time off.
    pub async fn add_time_off(
        &self,
        host_id: &str,
        row: &TimeOffRow,
        now: i64,
    ) -> Result<(), StoreError> {
        self.execute(
            "add_time_off",
            "INSERT INTO time_off (id, host_id, start_at, end_at, note, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            &[
                Param::Text(&row.id),
                Param::Text(host_id),
                Param::Int(row.start_at),
                Param::Int(row.end_at),
                Param::Text(&row.note),
                Param::Int(now),
            ],
        )
        .await?;
        Ok(())
    }

    /// Removes one of the host's spans; false when the host has none with this id.
    pub async fn delete_time_off(&self, host_id: &str, id: &str) -> Result<bool, StoreError> {
        let changed = self
            .execute(
                "delete_time_off",
                "DELETE FROM time_off WHERE id = ?1 AND host_id = ?2",
                &[Param::Text(id), Param::Text(host_id)],
            )
            .await?;
        Ok(changed == 1)
    }
}
