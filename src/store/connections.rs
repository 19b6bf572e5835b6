//! Connected provider accounts (`connections`) and connections under way (`connect_states`).
//! No token is ever read or written here: tokens live encrypted in KV (`calendar::vault`).

use serde::{Deserialize, Deserializer};

use super::columns::{deserialize_row, Columns};
use super::{OptionalTextValue, Param, Store, StoreError};
use crate::core::calendar_settings::WhenUnreadable;
use crate::core::connection_health::{
    Breakage, ConnectionStatus, CHECK_EVERY_SECONDS, RECHECK_NOT_ANSWERING_SECONDS,
};
use crate::providers::calendar::microsoft::BlockingShowAs;
use crate::providers::connection_key::{ConnectionKey, MOST_ACCOUNTS};
use crate::providers::registry::ConnectProvider;

/// One connected account of a host, as the dashboard and the calendar code need it. Its
/// row is one JSON array (`select_connections!`, `store/columns.rs`) read by its
/// `Deserialize`, instead of a derived deserializer of its own.
#[derive(Debug, Clone)]
pub struct ConnectionRow {
    pub host_id: String,
    /// Which connection of the host this is (`connections.connection`).
    pub key: ConnectionKey,
    /// Sealed: opened where a page shows it ([`Store::open_account_email`]).
    pub account_email: super::StoredAccountEmail,
    pub status: ConnectionStatus,
    pub checked_calendars: String,
    /// Microsoft: the showAs values that block a slot; a stored list naming a value Graph does
    /// not document reads as the default.
    pub blocking_show_as: BlockingShowAs,
    pub when_unreadable: WhenUnreadable,
    pub receives_events: i64,
    /// Google: 1 when Google also emails the invitee about the event.
    pub send_updates: i64,
    /// What broke (`core::connection_health::Breakage`), while something is broken.
    pub broken_reason: Option<String>,
    pub broken_since: Option<i64>,
    /// When the host was emailed about the breakage (once per breakage).
    pub host_told_at: Option<i64>,
}

impl ConnectionRow {
    /// The provider connected.
    pub fn provider(&self) -> ConnectProvider {
        self.key.provider
    }

    /// Whether the provider refused the stored grant and the host must connect again.
    pub fn needs_reconnect(&self) -> bool {
        self.status == ConnectionStatus::NeedsReconnect
    }

    /// What is broken, if anything: a connection needing a reconnect from before reasons were
    /// recorded reads as a refused grant.
    pub fn breakage(&self) -> Option<Breakage> {
        self.broken_reason
            .as_deref()
            .and_then(Breakage::parse)
            .or_else(|| self.needs_reconnect().then_some(Breakage::GrantRefused))
    }
}

impl<'de> Deserialize<'de> for ConnectionRow {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserialize_row(deserializer, "connections", |mut row| {
            let connection = Self {
                host_id: row.text()?,
                key: connection_key(&row.text()?)?,
                account_email: row.parsed()?,
                status: row.parsed()?,
                checked_calendars: row.take(Columns::text),
                // `connections.blocking_show_as` (a comma list); a list naming a value Graph
                // does not document reads as the default, as it always has.
                blocking_show_as: BlockingShowAs::parse(&row.take(Columns::text))
                    .unwrap_or_default(),
                when_unreadable: row.take_or(Columns::parsed, WhenUnreadable::Stop),
                receives_events: row.take(Columns::number),
                send_updates: row.take(Columns::number),
                broken_reason: row.take(Columns::optional_text),
                broken_since: row.take(Columns::optional_number),
                host_told_at: row.take(Columns::optional_number),
            };
            row.finish(connection)
        })
    }
}

/// The connection a stored name (`connections.connection`) names; an unknown name is an
/// error, never another connection.
pub(super) fn connection_key(name: &str) -> Result<ConnectionKey, StoreError> {
    ConnectionKey::parse(name)
        .ok_or_else(|| super::failed("connections", format_args!("unknown connection {name}")))
}

/// The names of the providers that are calendars, as a JSON array for `json_each`: which
/// providers can receive events is the registry's to say, not a list in SQL.
fn calendar_names() -> String {
    let names: Vec<&str> = crate::providers::registry::ConnectProvider::ALL
        .into_iter()
        .filter(|p| p.is_calendar())
        .map(|p| p.as_str())
        .collect();
    serde_json::to_string(&names).expect("names serialize")
}

/// A connection under way, as taken (and thereby deleted) from `connect_states`.
#[derive(Debug, Clone)]
pub struct ConnectStateRow {
    pub host_id: String,
    pub provider: crate::providers::registry::ConnectProvider,
    pub pkce_verifier: String,
    pub browser_hash: String,
    pub expires_at: i64,
}

/// A finished connection to record.
pub struct NewConnection<'a> {
    pub host_id: &'a str,
    /// Which connection: [`Store::claim_connection`]'s answer.
    pub connection: ConnectionKey,
    pub account_id: &'a str,
    pub account_email: &'a str,
    /// Microsoft: the showAs values that block a slot, from `BlockingShowAs::default` (the
    /// one source of the default; the column's own default is never used). Kept on a
    /// reconnect, like every setting.
    pub blocking_show_as: BlockingShowAs,
    pub connected_at: i64,
}

/// What the host chose for one connection.
pub struct ConnectionSettings<'a> {
    pub checked_calendars: &'a str,
    pub blocking_show_as: BlockingShowAs,
    pub when_unreadable: WhenUnreadable,
    pub send_updates: bool,
}

/// A `connections` SELECT with the given tail, each row one JSON array of
/// [`ConnectionRow`]'s columns in its fields' order; keeps the column list in one place.
macro_rules! select_connections {
    ($tail:literal) => {
        concat!(
            "SELECT json_array(host_id, connection, COALESCE(account_sealed, account_email), ",
            "status, COALESCE(calendars_sealed, checked_calendars), ",
            "blocking_show_as, when_unreadable, receives_events, send_updates, ",
            "broken_reason, broken_since, host_told_at) AS value ",
            "FROM connections ",
            $tail
        )
    };
}

/// Every connection of the host `?1`, calendars first.
pub(super) const HOST_CONNECTIONS: &str =
    select_connections!("WHERE host_id = ?1 ORDER BY connection");

impl Store {
    /// Remembers a connection under way until the provider sends the browser back.
    #[allow(clippy::too_many_arguments)]
    pub async fn save_connect_state(
        &self,
        state_hash: &str,
        host_id: &str,
        provider: &str,
        pkce_verifier: &str,
        browser_hash: &str,
        created_at: i64,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        self.execute(
            "save_connect_state",
            "INSERT INTO connect_states (state_hash, host_id, provider, pkce_verifier, browser_hash, \
             created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            &[
                Param::Text(state_hash),
                Param::Text(host_id),
                Param::Text(provider),
                Param::Text(pkce_verifier),
                Param::Text(browser_hash),
                Param::Int(created_at),
                Param::Int(expires_at),
            ],
        )
        .await
        .map(|_| ())
    }

    /// Takes a connection under way; deleting it in the same statement makes it single use.
    pub async fn take_connect_state(
        &self,
        state_hash: &str,
    ) -> Result<Option<ConnectStateRow>, StoreError> {
        const QUERY: &str = "take_connect_state";
        let Some(mut row) = self
            .all_columns(
                QUERY,
                "DELETE FROM connect_states WHERE state_hash = ?1 RETURNING \
                 json_array(host_id, provider, pkce_verifier, browser_hash, expires_at) AS value",
                &[Param::Text(state_hash)],
            )
            .await?
            .into_iter()
            .next()
        else {
            return Ok(None);
        };
        let host_id = row.text()?;
        let provider = row.text()?;
        Ok(Some(ConnectStateRow {
            host_id,
            provider: crate::providers::registry::ConnectProvider::parse(&provider)
                .ok_or_else(|| super::failed(QUERY, format_args!("unknown provider {provider}")))?,
            pkce_verifier: row.text()?,
            browser_hash: row.text()?,
            expires_at: row.number()?,
        }))
    }

    /// Forgets connections never finished that expired at or before `cutoff`.
    pub async fn purge_expired_connect_states(&self, cutoff: i64) -> Result<usize, StoreError> {
        self.execute(
            "purge_expired_connect_states",
            "DELETE FROM connect_states WHERE expires_at <= ?1",
            &[Param::Int(cutoff)],
        )
        .await
    }

    /// Connections as `sql` (a `select_connections!`) reads them, their checked calendars
    /// opened (`sealed_account.rs`).
    async fn connections_opened(
        &self,
        query: &'static str,
        sql: &'static str,
        params: &[Param<'_>],
    ) -> Result<Vec<ConnectionRow>, StoreError> {
        let mut rows: Vec<ConnectionRow> = self.all(query, sql, params).await?;
        self.open_checked_calendars(&mut rows).await?;
        Ok(rows)
    }

    /// Every connection of a host, calendars first.
    pub async fn host_connections(&self, host_id: &str) -> Result<Vec<ConnectionRow>, StoreError> {
        self.connections_opened(
            "host_connections",
            HOST_CONNECTIONS,
            &[Param::Text(host_id)],
        )
        .await
    }

    /// Every connection of every host, for the scheduled runs that visit each one (re-sealing
    /// tokens after a key rotation).
    pub async fn all_connections(&self) -> Result<Vec<ConnectionRow>, StoreError> {
        const SQL: &str = select_connections!("ORDER BY host_id, connection");
        self.connections_opened("all_connections", SQL, &[]).await
    }

    /// One connection of a host.
    pub async fn connection(
        &self,
        host_id: &str,
        connection: ConnectionKey,
    ) -> Result<Option<ConnectionRow>, StoreError> {
        let name = connection.name();
        const SQL: &str = select_connections!("WHERE host_id = ?1 AND connection = ?2");
        Ok(self
            .connections_opened(
                "connection",
                SQL,
                &[Param::Text(host_id), Param::Text(&name)],
            )
            .await?
            .pop())
    }

    /// Which of the host's connections to `provider` the account `account_id` is: the one it
    /// already is (a reconnect), else a new one claimed under the first free number, in one
    /// statement so two accounts connected at once never get the same number and one account
    /// connected twice at once gets one. A claimed connection waits as needing a reconnect
    /// (its host already told, so no email) until [`Store::save_connection`] records its
    /// grant. `None`: the host has [`MOST_ACCOUNTS`] accounts there already. A provider that
    /// is no calendar (Zoom makes the meetings of one account) has only its first connection,
    /// which a new account replaces.
    pub async fn claim_connection(
        &self,
        host_id: &str,
        provider: ConnectProvider,
        account_id: &str,
        now: i64,
    ) -> Result<Option<ConnectionKey>, StoreError> {
        if !provider.is_calendar() {
            return Ok(Some(ConnectionKey::first(provider)));
        }
        let index = self.account_index(provider.as_str(), account_id)?;
        let numbers: Vec<u8> = (1..=MOST_ACCOUNTS).collect();
        let numbers = serde_json::to_string(&numbers).expect("numbers serialize");
        let params = [
            Param::Text(host_id),
            Param::Text(provider.as_str()),
            Param::Text(&index),
            Param::Text(account_id),
            Param::Int(now),
            Param::Text(&numbers),
            Param::Text(super::sealed_account::ACCOUNT_EMAIL_STAND_IN),
        ];
        // Numbered by the first free of 1..=MOST_ACCOUNTS; the account found by the id's blind
        // index, or by the id of a connection not sealed yet.
        self.execute(
            "claim_connection",
            "INSERT INTO connections (host_id, connection, provider, account_id, account_email, \
             status, host_told_at, connected_at) \
             SELECT ?1, CASE n.value WHEN 1 THEN ?2 ELSE ?2 || '-' || n.value END, ?2, ?3, ?7, \
                'needs_reconnect', ?5, ?5 \
             FROM json_each(?6) AS n \
             WHERE NOT EXISTS (SELECT 1 FROM connections WHERE host_id = ?1 AND provider = ?2 \
                AND account_id IN (?3, ?4)) \
             AND NOT EXISTS (SELECT 1 FROM connections WHERE host_id = ?1 AND connection = \
                CASE n.value WHEN 1 THEN ?2 ELSE ?2 || '-' || n.value END) \
             ORDER BY n.value LIMIT 1",
            &params,
        )
        .await?;
        let name: Option<super::TextValue> = self
            .first(
                "claim_connection",
                "SELECT connection AS value FROM connections WHERE host_id = ?1 \
                 AND provider = ?2 AND account_id IN (?3, ?4)",
                &params[..4],
            )
            .await?;
        name.map(|row| connection_key(&row.value)).transpose()
    }

    /// Records a finished connection's grant. A reconnect keeps the host's settings and
    /// becomes `working` again; the first calendar connected receives new events. The account
    /// is sealed under the connection's key (`sealed_account.rs`), which a reconnect keeps.
    pub async fn save_connection(&self, new: &NewConnection<'_>) -> Result<(), StoreError> {
        let name = new.connection.name();
        let provider = new.connection.provider;
        let account = self
            .seal_account(
                new.host_id,
                new.connection,
                new.account_id,
                new.account_email,
            )
            .await?;
        self.remember_connection_key_id(new.host_id, &name, None);
        let blocking_show_as = new.blocking_show_as.to_stored();
        self.execute(
            "save_connection",
            "INSERT INTO connections (host_id, connection, provider, account_id, account_email, \
             status, receives_events, token_generation, connected_at, blocking_show_as, key_id, \
             account_sealed) \
             VALUES (?1, ?10, ?2, ?3, ?4, 'working', \
                CASE WHEN ?9 = 1 AND NOT EXISTS (SELECT 1 FROM connections \
                    WHERE host_id = ?1 AND receives_events = 1) THEN 1 ELSE 0 END, 1, ?5, ?6, ?7, ?8) \
             ON CONFLICT (host_id, connection) DO UPDATE SET account_id = excluded.account_id, \
                account_email = excluded.account_email, key_id = excluded.key_id, \
                account_sealed = excluded.account_sealed, status = 'working', \
                receives_events = CASE WHEN ?9 = 1 AND NOT EXISTS (SELECT 1 FROM connections \
                    WHERE host_id = ?1 AND receives_events = 1) THEN 1 ELSE receives_events END, \
                token_generation = connections.token_generation + 1, \
                refresh_lease_until = NULL, connected_at = excluded.connected_at, \
                broken_reason = NULL, broken_since = NULL, host_told_at = NULL, \
                last_checked_at = excluded.connected_at",
            &[
                Param::Text(new.host_id),
                Param::Text(provider.as_str()),
                Param::Text(&account.id_index),
                Param::Text(account.email_stand_in),
                Param::Int(new.connected_at),
                Param::Text(&blocking_show_as),
                Param::Text(&account.key_id),
                Param::Text(&account.sealed),
                // Only a calendar can receive events (the registry's capabilities).
                Param::Int(i64::from(provider.is_calendar())),
                Param::Text(&name),
            ],
        )
        .await?;
        Ok(())
    }

    /// The key the connection's account is sealed under, if it has one (`sealed_account.rs`);
    /// read from D1 once per request.
    pub(super) async fn connection_key_id(
        &self,
        host_id: &str,
        connection: &str,
    ) -> Result<Option<String>, StoreError> {
        if let Some(key_id) = self.remembered_connection_key_id(host_id, connection) {
            return Ok(key_id);
        }
        let row: Option<OptionalTextValue> = self
            .first(
                "connection_key_id",
                "SELECT key_id AS value FROM connections WHERE host_id = ?1 AND connection = ?2",
                &[Param::Text(host_id), Param::Text(connection)],
            )
            .await?;
        let key_id = row.and_then(|row| row.value);
        self.remember_connection_key_id(host_id, connection, Some(key_id.clone()));
        Ok(key_id)
    }

    /// Forgets a connection; if it received events, another calendar of the host takes over.
    /// The connection's key goes with it, so no copy of the row opens any more.
    pub async fn delete_connection(
        &self,
        host_id: &str,
        connection: ConnectionKey,
    ) -> Result<(), StoreError> {
        let name = connection.name();
        let key = self.connection_key_id(host_id, &name).await?;
        self.remember_connection_key_id(host_id, &name, None);
        let calendar_names = calendar_names();
        self.run_batch(
            "delete_connection",
            &[
                (
                    "DELETE FROM connections WHERE host_id = ?1 AND connection = ?2",
                    vec![Param::Text(host_id), Param::Text(&name)],
                ),
                (
                    // One calendar takes over (the longest connected), never all of them.
                    "UPDATE connections SET receives_events = 1 WHERE host_id = ?1 \
                     AND connection = (SELECT connection FROM connections WHERE host_id = ?1 \
                        AND provider IN (SELECT value FROM json_each(?2)) \
                        ORDER BY connected_at, connection LIMIT 1) \
                     AND NOT EXISTS \
                        (SELECT 1 FROM connections WHERE host_id = ?1 AND receives_events = 1)",
                    vec![Param::Text(host_id), Param::Text(&calendar_names)],
                ),
            ],
        )
        .await?;
        if let Some(key) = key {
            self.delete_connection_key(host_id, &key).await?;
        }
        Ok(())
    }

    /// Records what broke in a connection at `now`. A refused grant or a missing permission
    /// makes it need a reconnect (and ends any refresh under way); a calendar that does not
    /// answer is recorded only on a connection with nothing else broken. A new kind of
    /// breakage starts its own clock and its own email; the same one again changes nothing.
    pub async fn mark_broken(
        &self,
        host_id: &str,
        connection: ConnectionKey,
        breakage: Breakage,
        now: i64,
    ) -> Result<(), StoreError> {
        let name = connection.name();
        self.execute(
            "mark_broken",
            "UPDATE connections SET \
                status = CASE WHEN ?5 = 1 THEN 'needs_reconnect' ELSE status END, \
                refresh_lease_until = CASE WHEN ?5 = 1 THEN NULL ELSE refresh_lease_until END, \
                host_told_at = CASE WHEN broken_reason IS ?3 THEN host_told_at ELSE NULL END, \
                broken_since = CASE WHEN broken_reason IS ?3 THEN broken_since ELSE ?4 END, \
                broken_reason = ?3 \
             WHERE host_id = ?1 AND connection = ?2 \
                AND (?5 = 1 OR (broken_reason IS NULL AND status = 'working'))",
            &[
                Param::Text(host_id),
                Param::Text(&name),
                Param::Text(breakage.as_str()),
                Param::Int(now),
                Param::Int(i64::from(breakage.needs_reconnect())),
            ],
        )
        .await
        .map(|_| ())
    }

    /// A health check or a busy-time read got an answer: a calendar recorded as not answering
    /// is mended (its host may be told again if it breaks anew). A refused grant stays until
    /// the host reconnects.
    pub async fn mark_answering(
        &self,
        host_id: &str,
        connection: ConnectionKey,
        now: i64,
    ) -> Result<(), StoreError> {
        let name = connection.name();
        self.execute(
            "mark_answering",
            "UPDATE connections SET last_checked_at = ?3, \
                host_told_at = CASE WHEN broken_reason = 'not_answering' THEN NULL ELSE host_told_at END, \
                broken_since = CASE WHEN broken_reason = 'not_answering' THEN NULL ELSE broken_since END, \
                broken_reason = CASE WHEN broken_reason = 'not_answering' THEN NULL ELSE broken_reason END \
             WHERE host_id = ?1 AND connection = ?2",
            &[Param::Text(host_id), Param::Text(&name), Param::Int(now)],
        )
        .await
        .map(|_| ())
    }

    /// Records that the health check ran on a connection at `now`, whatever it found.
    pub async fn mark_checked(
        &self,
        host_id: &str,
        connection: ConnectionKey,
        now: i64,
    ) -> Result<(), StoreError> {
        let name = connection.name();
        self.execute(
            "mark_checked",
            "UPDATE connections SET last_checked_at = ?3 WHERE host_id = ?1 AND connection = ?2",
            &[Param::Text(host_id), Param::Text(&name), Param::Int(now)],
        )
        .await
        .map(|_| ())
    }

    /// Queues the host's one email about a broken connection, unless they were told already:
    /// the INSERT and the UPDATE that records the telling run in one batch, each conditional on
    /// `host_told_at` being empty, so of any number of concurrent callers exactly one queues
    /// it. Returns whether this call did.
    pub async fn tell_host_once(
        &self,
        host_id: &str,
        connection: ConnectionKey,
        notice_id: &str,
        payload: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let name = connection.name();
        let payload = self.seal_host_notice(host_id, notice_id, payload).await?;
        let params = [
            Param::Text(notice_id),
            Param::Text(host_id),
            Param::Text(&name),
            Param::Text(&payload),
            Param::Int(now),
        ];
        let changed = self
            .batch(
                "tell_host_once",
                &[
                    (
                        "INSERT INTO notice_outbox (id, host_id, kind, payload, attempts, \
                         next_attempt_at, created_at) \
                         SELECT ?1, ?2, 'connection_broken', ?4, 0, ?5, ?5 WHERE EXISTS \
                            (SELECT 1 FROM connections WHERE host_id = ?2 AND connection = ?3 \
                             AND broken_reason IS NOT NULL AND host_told_at IS NULL)",
                        &params,
                    ),
                    (
                        "UPDATE connections SET host_told_at = ?5 WHERE host_id = ?2 \
                         AND connection = ?3 AND broken_reason IS NOT NULL AND host_told_at IS NULL \
                         AND ?1 IS NOT NULL AND ?4 IS NOT NULL",
                        &params,
                    ),
                ],
            )
            .await?;
        Ok(changed.first().copied().unwrap_or(0) > 0)
    }

    /// Connections the scheduled health check visits at `now`, at most `limit`, longest
    /// unchecked first: working ones not checked for a day, calendars that did not answer
    /// (each hourly run), and ones needing a reconnect whose host was never told.
    pub async fn connections_due_for_check(
        &self,
        now: i64,
        limit: i64,
    ) -> Result<Vec<ConnectionRow>, StoreError> {
        const SQL: &str = select_connections!(
            "WHERE (broken_reason IS NULL AND status = 'working' \
                    AND COALESCE(last_checked_at, connected_at) <= ?1 - ?2) \
                OR (broken_reason = 'not_answering' \
                    AND COALESCE(last_checked_at, broken_since) <= ?1 - ?3) \
                OR (status = 'needs_reconnect' AND host_told_at IS NULL) \
             ORDER BY COALESCE(last_checked_at, 0), host_id, connection LIMIT ?4"
        );
        self.connections_opened(
            "connections_due_for_check",
            SQL,
            &[
                Param::Int(now),
                Param::Int(CHECK_EVERY_SECONDS),
                Param::Int(RECHECK_NOT_ANSWERING_SECONDS),
                Param::Int(limit),
            ],
        )
        .await
    }

    /// Saves what the host chose for one connection.
    pub async fn save_connection_settings(
        &self,
        host_id: &str,
        connection: ConnectionKey,
        settings: &ConnectionSettings<'_>,
    ) -> Result<bool, StoreError> {
        let name = connection.name();
        // The chosen calendars' ids, sealed under the connection's key where it has one.
        let sealed = self
            .seal_checked_calendars(host_id, &name, settings.checked_calendars)
            .await?;
        let plain = match sealed {
            Some(_) => super::sealed_account::CALENDARS_STAND_IN,
            None => settings.checked_calendars,
        };
        let blocking_show_as = settings.blocking_show_as.to_stored();
        let changed = self
            .execute(
                "save_connection_settings",
                "UPDATE connections SET checked_calendars = ?3, blocking_show_as = ?4, \
                 when_unreadable = ?5, send_updates = ?6, calendars_sealed = ?7 \
                 WHERE host_id = ?1 AND connection = ?2",
                &[
                    Param::Text(host_id),
                    Param::Text(&name),
                    Param::Text(plain),
                    Param::Text(&blocking_show_as),
                    Param::Text(settings.when_unreadable.as_str()),
                    Param::Int(i64::from(settings.send_updates)),
                    sealed.as_deref().into(),
                ],
            )
            .await?;
        Ok(changed == 1)
    }

    /// Makes `provider` the one calendar of the host that receives new events.
    pub async fn choose_event_calendar(
        &self,
        host_id: &str,
        connection: ConnectionKey,
    ) -> Result<bool, StoreError> {
        let name = connection.name();
        let changed = self
            .batch(
                "choose_event_calendar",
                &[(
                    "UPDATE connections SET receives_events = CASE WHEN connection = ?2 THEN 1 ELSE 0 END \
                     WHERE host_id = ?1 AND EXISTS (SELECT 1 FROM connections WHERE host_id = ?1 \
                        AND connection = ?2 AND provider IN (SELECT value FROM json_each(?3)))",
                    &[
                        Param::Text(host_id),
                        Param::Text(&name),
                        Param::Text(&calendar_names()),
                    ],
                )],
            )
            .await?;
        Ok(changed.first().copied().unwrap_or(0) > 0)
    }

    /// Claims the right to refresh this connection's grant until `until`: one refresh at a
    /// time, so a rotating refresh token (Zoom) is never spent twice.
    pub async fn take_refresh_lease(
        &self,
        host_id: &str,
        connection: ConnectionKey,
        now: i64,
        until: i64,
    ) -> Result<bool, StoreError> {
        let name = connection.name();
        let changed = self
            .execute(
                "take_refresh_lease",
                "UPDATE connections SET refresh_lease_until = ?4 WHERE host_id = ?1 \
                 AND connection = ?2 AND status = 'working' \
                 AND (refresh_lease_until IS NULL OR refresh_lease_until <= ?3)",
                &[
                    Param::Text(host_id),
                    Param::Text(&name),
                    Param::Int(now),
                    Param::Int(until),
                ],
            )
            .await?;
        Ok(changed == 1)
    }

    /// Ends a refresh; `rotated` bumps the generation so waiting readers know a new refresh
    /// token is in KV.
    pub async fn release_refresh_lease(
        &self,
        host_id: &str,
        connection: ConnectionKey,
        rotated: bool,
    ) -> Result<(), StoreError> {
        let name = connection.name();
        self.execute(
            "release_refresh_lease",
            "UPDATE connections SET refresh_lease_until = NULL, \
             token_generation = token_generation + ?3 WHERE host_id = ?1 AND connection = ?2",
            &[
                Param::Text(host_id),
                Param::Text(&name),
                Param::Int(i64::from(rotated)),
            ],
        )
        .await
        .map(|_| ())
    }

    /// The Zoom user a webhook names, wherever it is connected.
    pub async fn connections_of_account(
        &self,
        provider: &str,
        account_id: &str,
    ) -> Result<Vec<ConnectionRow>, StoreError> {
        // By the id's blind index, or by the id of a connection not sealed yet.
        const SQL: &str =
            select_connections!("WHERE provider = ?1 AND (account_id = ?2 OR account_id = ?3)");
        let index = self.account_index(provider, account_id)?;
        self.connections_opened(
            "connections_of_account",
            SQL,
            &[
                Param::Text(provider),
                Param::Text(&index),
                Param::Text(account_id),
            ],
        )
        .await
    }
}
