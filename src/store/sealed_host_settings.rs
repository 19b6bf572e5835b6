//! What a host configured that can carry a secret or a name, kept in D1 only sealed under the
//! host's data key (crypto-shredding, issue 13; `keys.rs` says where keys live): a webhook
//! endpoint's address (receivers often put a token, or a person's name, in the URL) and an API
//! token's name.
//!
//! The sealed value is in `webhook_endpoints.url_sealed` and `api_tokens.name_sealed`, bound to
//! the row's id; the old columns hold fixed stand-ins. Rows are read with
//! `COALESCE(sealed, old)` and opened by the store before it hands them up, so no caller sees a
//! sealed value. Rows written before sealing existed keep their plaintext until the hourly run
//! ([`Store::seal_plaintext_host_settings`]) seals them; until then they are read as they are.

use super::sealed_invitee::of_first_hosts;
use super::{Param, Store, StoreError};
use crate::crypto::data_key::Field;

/// What `webhook_endpoints.url` holds once the address is sealed (RFC 2606 §2: `.invalid`
/// never resolves, so a stand-in that escaped would reach no one).
pub(super) const URL_STAND_IN: &str = "https://sealed.invalid/";

/// What `api_tokens.name` holds once the name is sealed.
pub(super) const NAME_STAND_IN: &str = "sealed";

/// Where endpoint `endpoint_id`'s sealed address belongs.
pub(super) fn endpoint_url_field(endpoint_id: &str) -> Field<'_> {
    Field {
        table: "webhook_endpoints",
        column: "url_sealed",
        row_id: endpoint_id,
    }
}

/// Where token `token_id`'s sealed name belongs.
pub(super) fn token_name_field(token_id: &str) -> Field<'_> {
    Field {
        table: "api_tokens",
        column: "name_sealed",
        row_id: token_id,
    }
}

impl Store {
    /// Opens in place a value of host `host_id`'s row that D1 returned as
    /// `COALESCE(sealed, plaintext)`.
    pub(super) async fn open_host_setting(
        &self,
        host_id: &str,
        field: Field<'_>,
        stored: &mut String,
    ) -> Result<(), StoreError> {
        *stored = self.open_field(host_id, field, stored).await?;
        Ok(())
    }

    /// Seals the webhook addresses and token names of up to `max_hosts` hosts written before
    /// sealing existed (at most `limit` rows), in one D1 batch of conditional UPDATEs (a row
    /// changed meanwhile is left for the next run). Returns how many it sealed.
    pub async fn seal_plaintext_host_settings(
        &self,
        limit: i64,
        max_hosts: usize,
    ) -> Result<usize, StoreError> {
        struct PlaintextSettingRow {
            is_endpoint: i64,
            id: String,
            host_id: String,
            value: String,
        }
        let rows = self
            .all_columns(
                "plaintext_host_settings",
                "SELECT json_array(is_endpoint, id, host_id, setting) AS value FROM \
                 (SELECT 1 AS is_endpoint, id, host_id, url AS setting FROM webhook_endpoints \
                  WHERE url_sealed IS NULL \
                  UNION ALL SELECT 0, id, host_id, name FROM api_tokens WHERE name_sealed IS NULL) \
                 ORDER BY host_id, id LIMIT ?1",
                &[Param::Int(limit)],
            )
            .await?
            .into_iter()
            .map(|mut row| {
                Ok(PlaintextSettingRow {
                    is_endpoint: row.number()?,
                    id: row.text()?,
                    host_id: row.text()?,
                    value: row.text()?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let rows = of_first_hosts(rows, max_hosts, |row| &row.host_id);
        let mut sealed = Vec::with_capacity(rows.len());
        for row in &rows {
            let field = if row.is_endpoint == 1 {
                endpoint_url_field(&row.id)
            } else {
                token_name_field(&row.id)
            };
            sealed.push(self.seal_field(&row.host_id, field, &row.value).await?);
        }
        let params: Vec<[Param<'_>; 4]> = rows
            .iter()
            .zip(&sealed)
            .map(|(row, sealed)| {
                let stand_in = if row.is_endpoint == 1 {
                    URL_STAND_IN
                } else {
                    NAME_STAND_IN
                };
                [
                    Param::Text(&row.id),
                    Param::Text(sealed),
                    Param::Text(&row.value),
                    Param::Text(stand_in),
                ]
            })
            .collect();
        if params.is_empty() {
            return Ok(0);
        }
        let statements: Vec<(&'static str, &[Param<'_>])> = rows
            .iter()
            .zip(&params)
            .map(|(row, params)| {
                let sql = if row.is_endpoint == 1 {
                    "UPDATE webhook_endpoints SET url_sealed = ?2, url = ?4 \
                     WHERE id = ?1 AND url = ?3 AND url_sealed IS NULL"
                } else {
                    "UPDATE api_tokens SET name_sealed = ?2, name = ?4 \
                     WHERE id = ?1 AND name = ?3 AND name_sealed IS NULL"
                };
                (sql, &params[..])
            })
            .collect();
        let changed = self
            .batch("seal_plaintext_host_settings", &statements)
            .await?;
        Ok(changed.iter().filter(|&&n| n == 1).count())
    }
}
