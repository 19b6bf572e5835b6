//! A host's own address, kept in D1 only sealed under the host's data key (crypto-shredding,
//! issue 13, step three; `keys.rs` says where keys live).
//!
//! `hosts.email_sealed` holds the address sealed and bound to the host's id. The old column
//! `hosts.email` keeps its UNIQUE constraint (one host per address: SQLite cannot drop it
//! without rebuilding the table every other table points at) by holding a stand-in instead
//! of the address: the address's blind index at the reserved domain `sealed.invalid`
//! (RFC 2606 §2), e.g. `3f…9a@sealed.invalid`. The blind index ignores case, as the lookup it
//! replaces did. `host_identities.email`, which nothing reads back, holds the same stand-in.
//!
//! Readers get a [`StoredHostEmail`], which only [`Store::open_host_email`] turns into an
//! address: the public booking page reads the host without ever needing the key, and no
//! reader can mail a sealed value by mistake. Hosts written before sealing existed keep their
//! plaintext until the hourly run ([`Store::seal_plaintext_host_emails`]) seals them; until
//! then they are read as they are.

use serde::Deserialize;

use super::{Param, Store, StoreError};
use crate::crypto::data_key::Field;

/// The reserved domain of the stand-ins in `hosts.email` (RFC 2606 §2: `.invalid` can never
/// be a real address, so a stand-in that escaped would bounce rather than reach anyone).
const STAND_IN_DOMAIN: &str = "sealed.invalid";

/// Where host `host_id`'s sealed address belongs (its associated data).
fn host_email_field(host_id: &str) -> Field<'_> {
    Field {
        table: "hosts",
        column: "email_sealed",
        row_id: host_id,
    }
}

/// A host's address as D1 returns it (`COALESCE(email_sealed, email)`): sealed, or plaintext
/// for a host not sealed yet. Deliberately without `Display` or accessors: only
/// [`Store::open_host_email`] reads it.
#[derive(Clone, Deserialize)]
#[serde(transparent)]
pub struct StoredHostEmail(String);

impl StoredHostEmail {
    /// The column as a row read from a JSON array holds it (`store/columns.rs`).
    pub(super) fn from_column(stored: String) -> Self {
        Self(stored)
    }
}

impl std::fmt::Debug for StoredHostEmail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StoredHostEmail(…)")
    }
}

/// A host's address as a new row stores it.
pub(super) struct SealedHostEmail {
    /// For `hosts.email_sealed`.
    pub sealed: String,
    /// For `hosts.email` and `host_identities.email`.
    pub stand_in: String,
}

impl Store {
    /// What `hosts.email` holds for a host whose address is `address`: the column lookups by
    /// address compare with.
    pub(super) fn host_email_stand_in(&self, address: &str) -> Result<String, StoreError> {
        Ok(format!("{}@{STAND_IN_DOMAIN}", self.email_index(address)?))
    }

    /// Seals `address` for host `host_id` under the host's current key.
    pub(super) async fn seal_host_email(
        &self,
        host_id: &str,
        address: &str,
    ) -> Result<SealedHostEmail, StoreError> {
        Ok(SealedHostEmail {
            sealed: self
                .seal_field(host_id, host_email_field(host_id), address)
                .await?,
            stand_in: self.host_email_stand_in(address)?,
        })
    }

    /// The address of host `host_id`, opened from what a row read back (one KV read per
    /// request for the host's key, shared with everything else of theirs opened).
    pub async fn open_host_email(
        &self,
        host_id: &str,
        stored: &StoredHostEmail,
    ) -> Result<String, StoreError> {
        self.open_field(host_id, host_email_field(host_id), &stored.0)
            .await
    }

    /// Opens `host_email` in place: for rows the store opens before handing them up.
    pub(super) async fn open_host_email_in(
        &self,
        host_id: &str,
        host_email: &mut String,
    ) -> Result<(), StoreError> {
        *host_email = self
            .open_field(host_id, host_email_field(host_id), host_email)
            .await?;
        Ok(())
    }

    /// Seals the addresses of up to `limit` hosts written before sealing existed, in one D1
    /// batch: per host a conditional UPDATE (a host whose address changed meanwhile is left for
    /// the next run) and the stand-in for their sign-in identities. Returns how many it sealed.
    pub async fn seal_plaintext_host_emails(&self, limit: i64) -> Result<usize, StoreError> {
        struct PlaintextHostRow {
            id: String,
            email: String,
        }
        let rows = self
            .all_columns(
                "plaintext_host_emails",
                "SELECT json_array(id, email) AS value FROM hosts WHERE email_sealed IS NULL \
                 ORDER BY id LIMIT ?1",
                &[Param::Int(limit)],
            )
            .await?
            .into_iter()
            .map(|mut row| {
                Ok(PlaintextHostRow {
                    id: row.text()?,
                    email: row.text()?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let mut sealed = Vec::with_capacity(rows.len());
        for row in &rows {
            sealed.push(self.seal_host_email(&row.id, &row.email).await?);
        }
        let params: Vec<[Param<'_>; 4]> = rows
            .iter()
            .zip(&sealed)
            .map(|(row, sealed)| {
                [
                    Param::Text(&row.id),
                    Param::Text(&sealed.stand_in),
                    Param::Text(&sealed.sealed),
                    Param::Text(&row.email),
                ]
            })
            .collect();
        if params.is_empty() {
            return Ok(0);
        }
        let mut statements: Vec<(&'static str, &[Param<'_>])> = Vec::new();
        for params in &params {
            statements.push((
                "UPDATE hosts SET email = ?2, email_sealed = ?3 \
                 WHERE id = ?1 AND email = ?4 AND email_sealed IS NULL",
                &params[..],
            ));
            // Only where the first statement sealed (the stand-in is then in place).
            statements.push((
                "UPDATE host_identities SET email = ?2 WHERE host_id = ?1 \
                 AND EXISTS (SELECT 1 FROM hosts WHERE id = ?1 AND email = ?2 \
                             AND email_sealed = ?3)",
                &params[..3],
            ));
        }
        let changed = self
            .batch("seal_plaintext_host_emails", &statements)
            .await?;
        Ok(changed.iter().step_by(2).filter(|&&n| n == 1).count())
    }
}
