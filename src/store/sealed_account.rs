//! What a connected account brings, kept in D1 only where its deletion can reach every copy
//! (crypto-shredding, issue 13): the account's address sealed under a key of the connection
//! itself, its id only as a keyed hash.
//!
//! Zoom requires an app to delete a user's data within 10 days of the user removing it
//! ("Data deletion", Zoom Marketplace's app requirements), while D1 keeps 7 or 30 days of
//! history. So a connection gets its own key (`KeyRef::Connection`, in KV beside its tokens,
//! named by `connections.key_id`), the address is sealed under it into
//! `connections.account_sealed`, and disconnecting or deauthorizing deletes the key with the
//! tokens: from then on no copy of the row opens. `account_email` holds a fixed stand-in and
//! `account_id` the account id's blind index, which is what Zoom's webhooks find the
//! connection by. Connections made before sealing are sealed by the hourly run
//! ([`Store::seal_plaintext_accounts`]) and read as they are until then.

use serde::Deserialize;

use super::{Param, Store, StoreError};
use crate::crypto::data_key::{Field, KeyRef};
use crate::providers::connection_key::ConnectionKey;

/// What `connections.account_email` holds once the address is sealed (RFC 2606 §2's reserved
/// `.invalid`: never a real mailbox).
pub(super) const ACCOUNT_EMAIL_STAND_IN: &str = "account@sealed.invalid";

/// Where the sealed address of `host_id`'s connection to `provider` belongs: bound into it.
fn account_field<'a>(row_id: &'a str) -> Field<'a> {
    Field {
        table: "connections",
        column: "account_sealed",
        row_id,
    }
}

/// Where the checked calendars of `host_id`'s connection to `provider` belong.
fn calendars_field<'a>(row_id: &'a str) -> Field<'a> {
    Field {
        table: "connections",
        column: "calendars_sealed",
        row_id,
    }
}

/// What `connections.checked_calendars` holds once the list is sealed (its column is NOT NULL).
pub(super) const CALENDARS_STAND_IN: &str = "[]";

fn row_id(host_id: &str, connection: &str) -> String {
    format!("{host_id}/{connection}")
}

/// A connected account's address as D1 returns it (`COALESCE(account_sealed,
/// account_email)`): sealed, or plaintext for a connection not sealed yet. Only
/// [`Store::open_account_email`] reads it, so the booking page, which reads connections for
/// busy times, never needs the key.
#[derive(Clone, Deserialize)]
#[serde(transparent)]
pub struct StoredAccountEmail(String);

impl std::fmt::Debug for StoredAccountEmail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StoredAccountEmail(…)")
    }
}

/// A connected account as a new row stores it.
pub(super) struct SealedAccount {
    pub key_id: String,
    /// Whether the key was made for this (and so is deleted if the row is not written).
    pub new_key: bool,
    /// For `connections.account_sealed`.
    pub sealed: String,
    /// For `connections.account_id`.
    pub id_index: String,
    /// For `connections.account_email`.
    pub email_stand_in: &'static str,
}

impl Store {
    /// Seals a connected account under the connection's key: the one it has (a reconnect
    /// keeps it, or what its bookings' meetings were sealed under would no longer open), or a
    /// new one written to KV first.
    pub(super) async fn seal_account(
        &self,
        host_id: &str,
        connection: ConnectionKey,
        account_id: &str,
        account_email: &str,
    ) -> Result<SealedAccount, StoreError> {
        let name = connection.name();
        let (key, new_key) = match self.connection_key(host_id, &name).await? {
            Some(key) => (key, false),
            None => (self.new_connection_key(host_id).await?, true),
        };
        let KeyRef::Connection(key_id) = key.key_ref().clone() else {
            unreachable!("a connection's key")
        };
        Ok(SealedAccount {
            key_id,
            new_key,
            sealed: key.seal(account_field(&row_id(host_id, &name)), account_email),
            id_index: self.account_index(connection.provider.as_str(), account_id)?,
            email_stand_in: ACCOUNT_EMAIL_STAND_IN,
        })
    }

    /// The address of `host_id`'s account of `connection`, opened (one KV read for the
    /// connection's key).
    pub async fn open_account_email(
        &self,
        host_id: &str,
        connection: ConnectionKey,
        stored: &StoredAccountEmail,
    ) -> Result<String, StoreError> {
        self.open_field(
            host_id,
            account_field(&row_id(host_id, &connection.name())),
            &stored.0,
        )
        .await
    }

    /// The ids of the calendars a connection checks, as JSON, sealed under the connection's
    /// key (a Google calendar's id can be an address); `None` while the connection has no key
    /// (one from before sealing: the hourly run seals it).
    pub(super) async fn seal_checked_calendars(
        &self,
        host_id: &str,
        connection: &str,
        calendars_json: &str,
    ) -> Result<Option<String>, StoreError> {
        Ok(self.connection_key(host_id, connection).await?.map(|key| {
            key.seal(
                calendars_field(&row_id(host_id, connection)),
                calendars_json,
            )
        }))
    }

    /// Opens the checked calendars of each row in place (rows read with
    /// `COALESCE(calendars_sealed, checked_calendars)`), so every reader sees the ids.
    pub(super) async fn open_checked_calendars(
        &self,
        rows: &mut [super::ConnectionRow],
    ) -> Result<(), StoreError> {
        for row in rows {
            let field_row = row_id(&row.host_id, &row.key.name());
            row.checked_calendars = self
                .open_field(
                    &row.host_id,
                    calendars_field(&field_row),
                    &row.checked_calendars,
                )
                .await?;
        }
        Ok(())
    }

    /// The opened address of each of `rows` (connections of one host), in their order: for
    /// pages that show which account is connected.
    pub async fn open_account_emails(
        &self,
        rows: &[super::ConnectionRow],
    ) -> Result<Vec<String>, StoreError> {
        let mut opened = Vec::with_capacity(rows.len());
        for row in rows {
            opened.push(
                self.open_account_email(&row.host_id, row.key, &row.account_email)
                    .await?,
            );
        }
        Ok(opened)
    }

    /// Opens `account_email` in place: for rows the store opens before handing them up.
    pub(super) async fn open_account_email_in(
        &self,
        host_id: &str,
        connection: &str,
        account_email: &mut String,
    ) -> Result<(), StoreError> {
        *account_email = self
            .open_field(
                host_id,
                account_field(&row_id(host_id, connection)),
                account_email,
            )
            .await?;
        Ok(())
    }

    /// Seals up to `limit` connections made before sealing existed, in one D1 batch of
    /// conditional UPDATEs (a connection replaced meanwhile keeps its new values; the key made
    /// for it is deleted again). Returns how many it sealed.
    pub async fn seal_plaintext_accounts(&self, limit: i64) -> Result<usize, StoreError> {
        struct PlaintextAccountRow {
            host_id: String,
            connection: ConnectionKey,
            account_id: String,
            account_email: String,
            checked_calendars: String,
        }
        let rows = self
            .all_columns(
                "plaintext_accounts",
                "SELECT json_array(host_id, connection, account_id, account_email, \
                 checked_calendars) AS value \
                 FROM connections WHERE account_sealed IS NULL AND account_email != ?2 \
                 ORDER BY host_id, connection LIMIT ?1",
                // Not a connection claimed for an account whose grant is being saved (it has
                // no address yet, only the stand-in).
                &[Param::Int(limit), Param::Text(ACCOUNT_EMAIL_STAND_IN)],
            )
            .await?
            .into_iter()
            .map(|mut row| {
                Ok(PlaintextAccountRow {
                    host_id: row.text()?,
                    connection: super::connections::connection_key(&row.text()?)?,
                    account_id: row.text()?,
                    account_email: row.text()?,
                    checked_calendars: row.text()?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let mut sealed = Vec::with_capacity(rows.len());
        for row in &rows {
            sealed.push(
                self.seal_account(
                    &row.host_id,
                    row.connection,
                    &row.account_id,
                    &row.account_email,
                )
                .await?,
            );
        }
        let mut calendars = Vec::with_capacity(rows.len());
        for (row, sealed) in rows.iter().zip(&sealed) {
            let key = self
                .data_key(&row.host_id, &KeyRef::Connection(sealed.key_id.clone()))
                .await?;
            let field_row = row_id(&row.host_id, &row.connection.name());
            calendars
                .push(key.map(|key| key.seal(calendars_field(&field_row), &row.checked_calendars)));
        }
        let names: Vec<String> = rows.iter().map(|row| row.connection.name()).collect();
        let params: Vec<[Param<'_>; 10]> = rows
            .iter()
            .zip(&names)
            .zip(&sealed)
            .zip(&calendars)
            .map(|(((row, name), sealed), calendars)| {
                [
                    Param::Text(&row.host_id),
                    Param::Text(name),
                    Param::Text(&sealed.key_id),
                    Param::Text(&sealed.sealed),
                    Param::Text(&sealed.id_index),
                    Param::Text(sealed.email_stand_in),
                    Param::Text(&row.account_id),
                    Param::Text(&row.account_email),
                    calendars.as_deref().into(),
                    Param::Text(&row.checked_calendars),
                ]
            })
            .collect();
        let changed = self
            .batch_each(
                "seal_plaintext_accounts",
                "UPDATE connections SET key_id = ?3, account_sealed = ?4, account_id = ?5, \
                 account_email = ?6, calendars_sealed = ?9, \
                 checked_calendars = CASE WHEN ?9 IS NULL THEN checked_calendars ELSE '[]' END \
                 WHERE host_id = ?1 AND connection = ?2 AND account_sealed IS NULL \
                 AND account_id = ?7 AND account_email = ?8 AND checked_calendars = ?10",
                &params,
            )
            .await?;
        for ((row, sealed), changed) in rows.iter().zip(&sealed).zip(&changed) {
            self.remember_connection_key_id(&row.host_id, &row.connection.name(), None);
            if *changed != 1 && sealed.new_key {
                self.delete_connection_key(&row.host_id, &sealed.key_id)
                    .await?;
            }
        }
        Ok(changed.iter().filter(|&&n| n == 1).count())
    }
}
