//! Queries about signing in: sign-ins under way (`oauth_states`), the provider accounts of
//! hosts (`host_identities`), browser sessions, and the host's own profile.

use serde::Deserialize;

use super::{Param, Store, StoreError, TextValue};
use crate::core::connection_health::{parse_broken_list, BrokenConnection};
use crate::providers::connection_key::ConnectionKey;

/// A sign-in under way, as taken (and thereby deleted) from `oauth_states`.
#[derive(Debug, Clone, Deserialize)]
pub struct OAuthStateRow {
    pub provider: crate::providers::identity::IdentityProvider,
    pub pkce_verifier: String,
    pub browser_hash: String,
    pub time_zone: Option<String>,
    pub expires_at: i64,
}

/// A sign-in to remember until the provider sends the browser back.
pub struct NewOAuthState<'a> {
    pub state_hash: &'a str,
    pub provider: &'a str,
    pub pkce_verifier: &'a str,
    pub browser_hash: &'a str,
    pub time_zone: Option<&'a str>,
    pub created_at: i64,
    pub expires_at: i64,
}

/// The host behind a live session, and the session's CSRF secret.
#[derive(Debug, Clone, Deserialize)]
pub struct SessionHostRow {
    pub id: String,
    pub slug: String,
    pub name: String,
    /// Sealed: opened where a page shows it ([`Store::open_host_email`]).
    pub email: super::StoredHostEmail,
    pub time_zone: String,
    pub csrf_secret: String,
    /// The host's broken connections, read in the same query as `provider:reason,…` (so the
    /// dashboard's banner on every page costs no extra round trip) and parsed here.
    #[serde(default, deserialize_with = "broken_list")]
    pub broken_connections: Vec<BrokenConnection<ConnectionKey>>,
}

/// Reads the session row's `provider:reason,…` list; an unknown provider or reason is skipped.
fn broken_list<'de, D: serde::Deserializer<'de>>(
    stored: D,
) -> Result<Vec<BrokenConnection<ConnectionKey>>, D::Error> {
    let list = Option::<String>::deserialize(stored)?.unwrap_or_default();
    Ok(parse_broken_list(&list, ConnectionKey::parse))
}

/// A new host and the provider account that created them.
pub struct NewHost<'a> {
    pub id: &'a str,
    pub slug: &'a str,
    pub name: &'a str,
    pub email: &'a str,
    pub time_zone: &'a str,
    pub provider: &'a str,
    pub subject: &'a str,
    pub created_at: i64,
}

/// Why a new host was not created.
#[derive(Debug, PartialEq, Eq)]
pub enum HostCreation {
    Created,
    /// Someone took the slug between choosing it and inserting.
    SlugTaken,
    /// A host with this email address exists already.
    EmailTaken,
}

/// What happened to a profile edit.
#[derive(Debug, PartialEq, Eq)]
pub enum ProfileUpdate {
    Saved,
    /// Another host has that slug (the UNIQUE constraint said so).
    SlugTaken,
}

/// An event type as the dashboard lists it.
#[derive(Debug, Clone)]
pub struct DashboardEventRow {
    pub id: String,
    pub slug: String,
    pub title: String,
    pub duration_minutes: i64,
    pub hidden: i64,
    /// Durations offered besides the default (`15,60`).
    pub other_durations: String,
}

pub(super) fn unique_violation(error: &StoreError, column: &str) -> bool {
    matches!(error, StoreError::Query { cause, .. }
        if cause.contains("UNIQUE constraint failed") && cause.contains(column))
}

impl Store {
    /// Remembers a sign-in under way.
    pub async fn save_oauth_state(&self, state: &NewOAuthState<'_>) -> Result<(), StoreError> {
        self.execute(
            "save_oauth_state",
            "INSERT INTO oauth_states (state_hash, provider, pkce_verifier, browser_hash, time_zone, \
             created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            &[
                Param::Text(state.state_hash),
                Param::Text(state.provider),
                Param::Text(state.pkce_verifier),
                Param::Text(state.browser_hash),
                state.time_zone.map_or(Param::Null, Param::Text),
                Param::Int(state.created_at),
                Param::Int(state.expires_at),
            ],
        )
        .await
        .map(|_| ())
    }

    /// Takes a sign-in under way: deleting it in the same statement makes every state single
    /// use, even when two callbacks race.
    pub async fn take_oauth_state(
        &self,
        state_hash: &str,
    ) -> Result<Option<OAuthStateRow>, StoreError> {
        self.first(
            "take_oauth_state",
            "DELETE FROM oauth_states WHERE state_hash = ?1 \
             RETURNING provider, pkce_verifier, browser_hash, time_zone, expires_at",
            &[Param::Text(state_hash)],
        )
        .await
    }

    /// Forgets sign-ins that were never finished and expired at or before `cutoff`.
    pub async fn purge_expired_oauth_states(&self, cutoff: i64) -> Result<usize, StoreError> {
        self.execute(
            "purge_expired_oauth_states",
            "DELETE FROM oauth_states WHERE expires_at <= ?1",
            &[Param::Int(cutoff)],
        )
        .await
    }

    /// The host a provider account signs into: found by the keyed hash of the provider's
    /// account id, which is all `host_identities.subject` keeps (or, for an identity from
    /// before, by the id itself until the hourly run hashes it).
    pub async fn host_by_identity(
        &self,
        provider: &str,
        subject: &str,
    ) -> Result<Option<String>, StoreError> {
        let index = self.account_index(provider, subject)?;
        let row: Option<TextValue> = self
            .first(
                "host_by_identity",
                "SELECT h.id AS value FROM host_identities i JOIN hosts h ON h.id = i.host_id \
                 WHERE i.provider = ?1 AND (i.subject = ?2 OR i.subject = ?3)",
                &[
                    Param::Text(provider),
                    Param::Text(&index),
                    Param::Text(subject),
                ],
            )
            .await?;
        Ok(row.map(|row| row.value))
    }

    /// Replaces the plaintext account ids of up to `limit` sign-in identities from before
    /// with their keyed hashes, in one D1 batch. Returns how many it replaced.
    pub async fn hash_plaintext_identities(&self, limit: i64) -> Result<usize, StoreError> {
        #[derive(Deserialize)]
        struct IdentityRow {
            provider: String,
            subject: String,
        }
        // A hashed subject is 64 lower-case hex digits; Google's ids are decimal digits and
        // Microsoft's GUIDs have dashes, so neither is ever taken for one.
        let rows: Vec<IdentityRow> = self
            .all(
                "plaintext_identities",
                "SELECT provider, subject FROM host_identities \
                 WHERE NOT (length(subject) = 64 AND subject NOT GLOB '*[^0-9a-f]*') \
                 ORDER BY provider, subject LIMIT ?1",
                &[Param::Int(limit)],
            )
            .await?;
        let hashes = rows
            .iter()
            .map(|row| self.account_index(&row.provider, &row.subject))
            .collect::<Result<Vec<_>, _>>()?;
        let params: Vec<[Param<'_>; 3]> = rows
            .iter()
            .zip(&hashes)
            .map(|(row, hash)| {
                [
                    Param::Text(&row.provider),
                    Param::Text(&row.subject),
                    Param::Text(hash),
                ]
            })
            .collect();
        let changed = self
            .batch_each(
                "hash_plaintext_identities",
                "UPDATE host_identities SET subject = ?3 WHERE provider = ?1 AND subject = ?2",
                &params,
            )
            .await?;
        Ok(changed.iter().filter(|&&n| n == 1).count())
    }

    /// The host with this address (compared case-insensitively): by the stand-in a sealed
    /// host's row holds, or by the address of a host not sealed yet.
    pub async fn host_by_email(&self, email: &str) -> Result<Option<String>, StoreError> {
        let stand_in = self.host_email_stand_in(email)?;
        let row: Option<TextValue> = self
            .first(
                "host_by_email",
                "SELECT id AS value FROM hosts WHERE email = ?1 OR lower(email) = lower(?2)",
                &[Param::Text(&stand_in), Param::Text(email)],
            )
            .await?;
        Ok(row.map(|row| row.value))
    }

    /// Host slugs equal to `base` or starting with `base-`: what a new host's slug must avoid.
    pub async fn host_slugs_like(&self, base: &str) -> Result<Vec<String>, StoreError> {
        // `base` is lower-case letters, digits and hyphens: no LIKE wildcards to escape.
        let pattern = format!("{base}-%");
        let rows: Vec<TextValue> = self
            .all(
                "host_slugs_like",
                "SELECT slug AS value FROM hosts WHERE slug = ?1 OR slug LIKE ?2",
                &[Param::Text(base), Param::Text(&pattern)],
            )
            .await?;
        Ok(rows.into_iter().map(|r| r.value).collect())
    }

    /// Lets another provider account sign into an existing host (a no-op if already linked).
    /// The identity keeps the stand-in of its address, never the address.
    pub async fn add_host_identity(
        &self,
        host_id: &str,
        provider: &str,
        subject: &str,
        email: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        let stand_in = self.host_email_stand_in(email)?;
        let subject = self.account_index(provider, subject)?;
        self.execute(
            "add_host_identity",
            "INSERT INTO host_identities (host_id, provider, subject, email, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (provider, subject) DO NOTHING",
            &[
                Param::Text(host_id),
                Param::Text(provider),
                Param::Text(&subject),
                Param::Text(&stand_in),
                Param::Int(now),
            ],
        )
        .await
        .map(|_| ())
    }

    /// Creates a host and the identity they signed in with, atomically (one D1 batch). The
    /// host's data key is made first (KV), so their address is stored only sealed from the
    /// start; a key whose host was not created is deleted again.
    pub async fn create_host(&self, host: &NewHost<'_>) -> Result<HostCreation, StoreError> {
        let key_id = self.new_host_data_key(host.id).await?;
        let email = self.seal_host_email(host.id, host.email).await?;
        let subject = self.account_index(host.provider, host.subject)?;
        let outcome = self
            .run_batch(
                "create_host",
                &[
                    (
                        "INSERT INTO hosts (id, slug, name, email, email_sealed, time_zone, \
                         created_at, data_key_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                        vec![
                            Param::Text(host.id),
                            Param::Text(host.slug),
                            Param::Text(host.name),
                            Param::Text(&email.stand_in),
                            Param::Text(&email.sealed),
                            Param::Text(host.time_zone),
                            Param::Int(host.created_at),
                            Param::Text(&key_id),
                        ],
                    ),
                    (
                        // Every host has a default schedule, read in their own zone at first.
                        "INSERT INTO schedules (id, host_id, name, time_zone, is_default, \
                         created_at) VALUES (lower(hex(randomblob(16))), ?1, 'Working hours', ?2, \
                         1, ?3)",
                        vec![
                            Param::Text(host.id),
                            Param::Text(host.time_zone),
                            Param::Int(host.created_at),
                        ],
                    ),
                    (
                        "INSERT INTO host_identities (host_id, provider, subject, email, created_at) \
                         VALUES (?1, ?2, ?3, ?4, ?5)",
                        vec![
                            Param::Text(host.id),
                            Param::Text(host.provider),
                            Param::Text(&subject),
                            Param::Text(&email.stand_in),
                            Param::Int(host.created_at),
                        ],
                    ),
                ],
            )
            .await;
        let creation = match outcome {
            Ok(()) => return Ok(HostCreation::Created),
            Err(error) if unique_violation(&error, "hosts.slug") => Ok(HostCreation::SlugTaken),
            Err(error) if unique_violation(&error, "hosts.email") => Ok(HostCreation::EmailTaken),
            Err(error) => Err(error),
        };
        self.forget_host_data_key(host.id, &key_id).await?;
        creation
    }

    /// Starts a session for a host.
    pub async fn create_session(
        &self,
        id_hash: &str,
        host_id: &str,
        csrf_secret: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        self.execute(
            "create_session",
            "INSERT INTO sessions (id_hash, host_id, csrf_secret, created_at, expires_at) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
            &[
                Param::Text(id_hash),
                Param::Text(host_id),
                Param::Text(csrf_secret),
                Param::Int(now),
                Param::Int(expires_at),
            ],
        )
        .await
        .map(|_| ())
    }

    /// The host of a session that is neither expired nor revoked.
    pub async fn session_host(
        &self,
        id_hash: &str,
        now: i64,
    ) -> Result<Option<SessionHostRow>, StoreError> {
        self.first(
            "session_host",
            "SELECT h.id, h.slug, h.name, COALESCE(h.email_sealed, h.email) AS email, h.time_zone, \
             s.csrf_secret, \
             (SELECT group_concat(c.connection || ':' || c.broken_reason) FROM connections c \
              WHERE c.host_id = h.id AND c.broken_reason IS NOT NULL) AS broken_connections \
             FROM sessions s JOIN hosts h ON h.id = s.host_id \
             WHERE s.id_hash = ?1 AND s.revoked_at IS NULL AND s.expires_at > ?2",
            &[Param::Text(id_hash), Param::Int(now)],
        )
        .await
    }

    /// Ends a session (sign-out).
    pub async fn revoke_session(&self, id_hash: &str, now: i64) -> Result<usize, StoreError> {
        self.execute(
            "revoke_session",
            "UPDATE sessions SET revoked_at = ?2 WHERE id_hash = ?1 AND revoked_at IS NULL",
            &[Param::Text(id_hash), Param::Int(now)],
        )
        .await
    }

    /// Deletes sessions that can no longer be used.
    pub async fn purge_dead_sessions(&self, now: i64) -> Result<usize, StoreError> {
        self.execute(
            "purge_dead_sessions",
            "DELETE FROM sessions WHERE expires_at <= ?1 OR revoked_at IS NOT NULL",
            &[Param::Int(now)],
        )
        .await
    }

    /// Saves the host's name, public slug and time zone (which their weekly hours are read in).
    pub async fn update_host_profile(
        &self,
        host_id: &str,
        name: &str,
        slug: &str,
        time_zone: &str,
    ) -> Result<ProfileUpdate, StoreError> {
        let outcome = self
            .execute(
                "update_host_profile",
                "UPDATE hosts SET name = ?2, slug = ?3, time_zone = ?4 WHERE id = ?1",
                &[
                    Param::Text(host_id),
                    Param::Text(name),
                    Param::Text(slug),
                    Param::Text(time_zone),
                ],
            )
            .await;
        match outcome {
            Ok(_) => Ok(ProfileUpdate::Saved),
            Err(error) if unique_violation(&error, "hosts.slug") => Ok(ProfileUpdate::SlugTaken),
            Err(error) => Err(error),
        }
    }

    /// Every event type of a host, hidden ones too, by title.
    pub async fn host_event_types(
        &self,
        host_id: &str,
    ) -> Result<Vec<DashboardEventRow>, StoreError> {
        const QUERY: &str = "host_event_types";
        let rows = self
            .all_columns(
                QUERY,
                "SELECT json_array(id, slug, title, duration_minutes, hidden, other_durations) \
                 AS value FROM event_types WHERE host_id = ?1 ORDER BY title, slug",
                &[Param::Text(host_id)],
            )
            .await?;
        rows.into_iter()
            .map(|mut row| {
                Ok(DashboardEventRow {
                    id: row.text()?,
                    slug: row.text()?,
                    title: row.text()?,
                    duration_minutes: row.number()?,
                    hidden: row.number()?,
                    other_durations: row.text()?,
                })
            })
            .collect()
    }
}
