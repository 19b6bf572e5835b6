//! Personal API tokens. D1 holds only each token's SHA-256 hash; every statement but the
//! bearer lookup is scoped by the host's id, so one host can never list or revoke another's.

use super::sealed_host_settings::{token_name_field, NAME_STAND_IN};
use super::{Param, SessionHostRow, Store, StoreError};

/// A token as the dashboard lists it: never the secret, nor its hash.
#[derive(Debug, Clone)]
pub struct ApiTokenRow {
    pub id: String,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// How often (seconds) a token's `last_used_at` is written at most, so busy clients do not
/// turn every read into a D1 write.
const LAST_USED_GRANULARITY: i64 = 60;

impl Store {
    /// Stores a new token's hash for the host.
    pub async fn create_api_token(
        &self,
        host_id: &str,
        id: &str,
        name: &str,
        token_hash: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        let name_sealed = self.seal_field(host_id, token_name_field(id), name).await?;
        self.execute(
            "create_api_token",
            "INSERT INTO api_tokens (id, host_id, name, token_hash, created_at, name_sealed) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            &[
                Param::Text(id),
                Param::Text(host_id),
                Param::Text(NAME_STAND_IN),
                Param::Text(token_hash),
                Param::Int(now),
                Param::Text(&name_sealed),
            ],
        )
        .await?;
        Ok(())
    }

    /// The host's tokens, newest first, revoked ones included.
    pub async fn host_api_tokens(&self, host_id: &str) -> Result<Vec<ApiTokenRow>, StoreError> {
        let mut rows = self
            .all_columns(
                "host_api_tokens",
                "SELECT json_array(id, COALESCE(name_sealed, name), created_at, last_used_at, \
                 revoked_at) AS value FROM api_tokens WHERE host_id = ?1 \
                 ORDER BY created_at DESC, rowid DESC",
                &[Param::Text(host_id)],
            )
            .await?
            .into_iter()
            .map(|mut row| {
                Ok(ApiTokenRow {
                    id: row.text()?,
                    name: row.text()?,
                    created_at: row.number()?,
                    last_used_at: row.optional_number()?,
                    revoked_at: row.optional_number()?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        for row in &mut rows {
            self.open_host_setting(host_id, token_name_field(&row.id), &mut row.name)
                .await?;
        }
        Ok(rows)
    }

    /// Revokes one of the host's tokens; false when it is not theirs or already revoked.
    pub async fn revoke_api_token(
        &self,
        host_id: &str,
        id: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let changed = self
            .execute(
                "revoke_api_token",
                "UPDATE api_tokens SET revoked_at = ?3 \
                 WHERE id = ?1 AND host_id = ?2 AND revoked_at IS NULL",
                &[Param::Text(id), Param::Text(host_id), Param::Int(now)],
            )
            .await?;
        Ok(changed == 1)
    }

    /// The host a live token (by hash) belongs to, with the token's id (what its rate limit is
    /// keyed by); notes when it was used. The host row comes back with an empty CSRF secret: a
    /// token never stands in for a browser form.
    pub async fn api_token_host(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<(SessionHostRow, String)>, StoreError> {
        let row = self
            .all_columns(
                "api_token_host",
                "SELECT json_array(t.id, h.id, h.slug, h.name, COALESCE(h.email_sealed, h.email), \
                 h.time_zone) AS value \
                 FROM api_tokens t JOIN hosts h ON h.id = t.host_id \
                 WHERE t.token_hash = ?1 AND t.revoked_at IS NULL",
                &[Param::Text(token_hash)],
            )
            .await?
            .into_iter()
            .next();
        let Some(mut row) = row else {
            return Ok(None);
        };
        let token_id = row.text()?;
        let host = SessionHostRow {
            id: row.text()?,
            slug: row.text()?,
            name: row.text()?,
            email: row.parsed()?,
            time_zone: row.text()?,
            csrf_secret: String::new(),
            broken_connections: Vec::new(),
        };
        self.execute(
            "touch_api_token",
            "UPDATE api_tokens SET last_used_at = ?2 WHERE token_hash = ?1 \
             AND (last_used_at IS NULL OR last_used_at <= ?2 - ?3)",
            &[
                Param::Text(token_hash),
                Param::Int(now),
                Param::Int(LAST_USED_GRANULARITY),
            ],
        )
        .await?;
        Ok(Some((host, token_id)))
    }
}
