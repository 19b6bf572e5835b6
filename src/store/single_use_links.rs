//! Single-use booking links (`single_use_links`, migration 0027): each books one meeting of
//! one event type. D1 keeps the SHA-256 of a link's token, never the token; the booking
//! statement that uses a link is in `store::bookings`.

use super::columns::Columns;
use super::{Param, Store, StoreError};
use crate::core::single_use_link::LinkState;

/// A link's columns as [`SingleUseLinkRow::read`] takes them, then `$tail`.
macro_rules! select_link {
    ($tail:literal) => {
        concat!(
            "SELECT json_array(id, event_type_id, created_at, expires_at, used_at) AS value ",
            $tail
        )
    };
}

/// One link as stored, without its token.
#[derive(Debug, Clone)]
pub struct SingleUseLinkRow {
    pub id: String,
    pub event_type_id: String,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub used_at: Option<i64>,
}

impl SingleUseLinkRow {
    /// The link from a row of `select_link!`.
    fn read(mut row: Columns) -> Result<Self, StoreError> {
        Ok(Self {
            id: row.text()?,
            event_type_id: row.text()?,
            created_at: row.number()?,
            expires_at: row.optional_number()?,
            used_at: row.optional_number()?,
        })
    }

    /// Where the link stands at `now` (Unix seconds).
    pub fn state(&self, now: i64) -> LinkState {
        LinkState::at(self.used_at, self.expires_at, now)
    }
}

/// A new link: its id (from which the token is derived) and the token's hash.
pub struct NewSingleUseLink<'a> {
    pub id: &'a str,
    pub token_hash: &'a str,
    pub expires_at: Option<i64>,
    pub created_at: i64,
}

impl Store {
    /// The links of the host's event type `event_type_id`, newest first.
    pub async fn single_use_links(
        &self,
        host_id: &str,
        event_type_id: &str,
    ) -> Result<Vec<SingleUseLinkRow>, StoreError> {
        self.all_columns(
            "single_use_links",
            select_link!(
                "FROM single_use_links WHERE event_type_id = ?1 AND host_id = ?2 \
                 ORDER BY created_at DESC, rowid DESC"
            ),
            &[Param::Text(event_type_id), Param::Text(host_id)],
        )
        .await?
        .into_iter()
        .map(SingleUseLinkRow::read)
        .collect()
    }

    /// All of the host's links, for their data export.
    pub async fn export_single_use_links(
        &self,
        host_id: &str,
    ) -> Result<Vec<serde_json::Value>, StoreError> {
        self.export_objects(
            "export_single_use_links",
            "SELECT json_object('id', id, 'event_type_id', event_type_id, \
             'created_at', created_at, 'expires_at', expires_at, 'used_at', used_at) AS value \
             FROM single_use_links WHERE host_id = ?1 ORDER BY created_at, id",
            host_id,
        )
        .await
    }

    /// Adds a link to the host's event type `event_type_id`, in one statement that finds the
    /// event type among the host's; false when the host has no such event type.
    pub async fn add_single_use_link(
        &self,
        host_id: &str,
        event_type_id: &str,
        link: &NewSingleUseLink<'_>,
    ) -> Result<bool, StoreError> {
        let changed = self
            .execute(
                "add_single_use_link",
                "INSERT INTO single_use_links (id, host_id, event_type_id, token_hash, expires_at, \
                 created_at) SELECT ?1, host_id, id, ?2, ?3, ?4 FROM event_types \
                 WHERE id = ?5 AND host_id = ?6",
                &[
                    Param::Text(link.id),
                    Param::Text(link.token_hash),
                    link.expires_at.map_or(Param::Null, Param::Int),
                    Param::Int(link.created_at),
                    Param::Text(event_type_id),
                    Param::Text(host_id),
                ],
            )
            .await?;
        Ok(changed == 1)
    }

    /// Removes one of the host's links of `event_type_id`; false when there is none.
    pub async fn delete_single_use_link(
        &self,
        host_id: &str,
        event_type_id: &str,
        id: &str,
    ) -> Result<bool, StoreError> {
        let changed = self
            .execute(
                "delete_single_use_link",
                "DELETE FROM single_use_links WHERE id = ?1 AND event_type_id = ?2 AND host_id = ?3",
                &[
                    Param::Text(id),
                    Param::Text(event_type_id),
                    Param::Text(host_id),
                ],
            )
            .await?;
        Ok(changed == 1)
    }

    /// The link of event type `event_type_id` whose token hashes to `token_hash`.
    pub async fn single_use_link_by_token_hash(
        &self,
        event_type_id: &str,
        token_hash: &str,
    ) -> Result<Option<SingleUseLinkRow>, StoreError> {
        self.all_columns(
            "single_use_link_by_token_hash",
            select_link!("FROM single_use_links WHERE token_hash = ?1 AND event_type_id = ?2"),
            &[Param::Text(token_hash), Param::Text(event_type_id)],
        )
        .await?
        .into_iter()
        .next()
        .map(SingleUseLinkRow::read)
        .transpose()
    }
}
