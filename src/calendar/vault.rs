//! The only place OAuth tokens are kept: the `TOKENS` KV namespace, every value sealed with
//! AES-256-GCM (`crypto::token_cipher`) and bound to its host and connection (`providers::connection_key`: the first account's
//! name is the provider's, so its keys are what they were before several accounts).
//!
//! Keys: `host/{host_id}/refresh/{connection}` (the grant; kept until disconnect or deletion)
//! and `host/{host_id}/access/{connection}` (a cached access token; KV expires it before the
//! provider does). Every key of a host starts with `host/{host_id}/`, so deleting a host's
//! data is one prefix listing.

use chrono::{DateTime, Utc};
use worker::kv::KvStore;
use worker::Env;

use crate::crypto::token_cipher::{TokenCipher, TokenOwner};
use crate::providers::connect::AccessToken;
use crate::providers::connection_key::ConnectionKey;

/// KV refuses shorter expirations; an access token with less life left is not cached.
const MIN_KV_TTL_SECONDS: i64 = 60;

/// Why the vault could not answer.
#[derive(Debug, thiserror::Error)]
#[error("token vault: {0}")]
pub struct VaultError(String);

impl From<worker::kv::KvError> for VaultError {
    fn from(error: worker::kv::KvError) -> Self {
        Self(error.to_string())
    }
}

/// Sealed tokens in KV.
pub struct Vault<'a> {
    kv: KvStore,
    cipher: &'a TokenCipher,
}

/// The prefix every KV key of the host `host_id` starts with (account deletion lists by it).
pub fn host_prefix(host_id: &str) -> String {
    format!("host/{host_id}/")
}

fn refresh_key(host_id: &str, connection: ConnectionKey) -> String {
    format!("{}refresh/{connection}", host_prefix(host_id))
}

fn access_key(host_id: &str, connection: ConnectionKey) -> String {
    format!("{}access/{connection}", host_prefix(host_id))
}

/// Access tokens are sealed under a different associated data than refresh tokens, so one
/// can never be read as the other.
fn access_owner<'a>(host_id: &'a str, provider: &'a str) -> TokenOwner<'a> {
    TokenOwner { host_id, provider }
}

impl<'a> Vault<'a> {
    /// Opens the `TOKENS` binding.
    pub fn from_env(env: &Env, cipher: &'a TokenCipher) -> Result<Self, VaultError> {
        let kv = env
            .kv("TOKENS")
            .map_err(|e| VaultError(format!("KV binding TOKENS: {e}")))?;
        Ok(Self { kv, cipher })
    }

    /// The stored refresh token, if the host connected this provider.
    pub async fn refresh_token(
        &self,
        host_id: &str,
        connection: ConnectionKey,
    ) -> Result<Option<String>, VaultError> {
        let Some(sealed) = self.sealed_refresh_token(host_id, connection).await? else {
            return Ok(None);
        };
        self.open_refresh_token(host_id, connection, &sealed)
            .map(Some)
    }

    /// Opens a sealed refresh token of `connection`, bound to its host and connection name.
    fn open_refresh_token(
        &self,
        host_id: &str,
        connection: ConnectionKey,
        sealed: &str,
    ) -> Result<String, VaultError> {
        let name = connection.name();
        let owner = TokenOwner {
            host_id,
            provider: &name,
        };
        self.cipher
            .open(owner, sealed)
            .map_err(|e| VaultError(format!("refresh token of {connection}: {e}")))
    }

    /// Stores (or replaces) the refresh token.
    pub async fn put_refresh_token(
        &self,
        host_id: &str,
        connection: ConnectionKey,
        token: &str,
    ) -> Result<(), VaultError> {
        let name = connection.name();
        let owner = TokenOwner {
            host_id,
            provider: &name,
        };
        let sealed = self.cipher.seal(owner, token);
        self.kv
            .put(&refresh_key(host_id, connection), sealed)?
            .execute()
            .await?;
        Ok(())
    }

    /// A cached access token that is still good at `now`.
    pub async fn access_token(
        &self,
        host_id: &str,
        connection: ConnectionKey,
        now: DateTime<Utc>,
    ) -> Result<Option<AccessToken>, VaultError> {
        let Some(sealed) = self.kv.get(&access_key(host_id, connection)).text().await? else {
            return Ok(None);
        };
        let purpose = format!("{connection}/access");
        let Ok(opened) = self.cipher.open(access_owner(host_id, &purpose), &sealed) else {
            // Unreadable (e.g. sealed with a key since removed): refresh instead.
            return Ok(None);
        };
        let Some((expires, secret)) = opened.split_once(' ') else {
            return Ok(None);
        };
        let expires_at = expires
            .parse::<i64>()
            .ok()
            .and_then(|s| DateTime::from_timestamp(s, 0));
        Ok(expires_at
            .filter(|at| *at > now)
            .map(|expires_at| AccessToken {
                secret: secret.to_owned(),
                expires_at,
            }))
    }

    /// Caches an access token until shortly before it expires (not at all if it is nearly
    /// spent).
    pub async fn put_access_token(
        &self,
        host_id: &str,
        connection: ConnectionKey,
        token: &AccessToken,
        now: DateTime<Utc>,
    ) -> Result<(), VaultError> {
        let ttl = (token.expires_at - now).num_seconds();
        if ttl < MIN_KV_TTL_SECONDS {
            return Ok(());
        }
        let purpose = format!("{connection}/access");
        let plain = format!("{} {}", token.expires_at.timestamp(), token.secret);
        let sealed = self.cipher.seal(access_owner(host_id, &purpose), &plain);
        self.kv
            .put(&access_key(host_id, connection), sealed)?
            .expiration_ttl(u64::try_from(ttl).unwrap_or(0))
            .execute()
            .await?;
        Ok(())
    }

    /// Drops a cached access token the provider no longer accepts.
    pub async fn forget_access_token(
        &self,
        host_id: &str,
        connection: ConnectionKey,
    ) -> Result<(), VaultError> {
        self.kv.delete(&access_key(host_id, connection)).await?;
        Ok(())
    }

    /// Seals again under the current key a refresh token that a retired key sealed, so the
    /// operator can remove the old key afterwards; a cached access token under a retired key
    /// is dropped instead (the next use refreshes). Whether the refresh token was rewritten.
    /// The caller holds the connection's refresh lease, so no rotating refresh (Zoom) can
    /// write a newer token in between.
    pub async fn reseal_refresh_token(
        &self,
        host_id: &str,
        connection: ConnectionKey,
    ) -> Result<bool, VaultError> {
        let access = access_key(host_id, connection);
        if let Some(sealed) = self.kv.get(&access).text().await? {
            if self.cipher.needs_reseal(&sealed) {
                self.kv.delete(&access).await?;
            }
        }
        let Some(sealed) = self.sealed_refresh_token(host_id, connection).await? else {
            return Ok(false);
        };
        if !self.cipher.needs_reseal(&sealed) {
            return Ok(false);
        }
        let token = self.open_refresh_token(host_id, connection, &sealed)?;
        self.put_refresh_token(host_id, connection, &token).await?;
        Ok(true)
    }

    /// The refresh token of one connection as KV holds it, still sealed.
    async fn sealed_refresh_token(
        &self,
        host_id: &str,
        connection: ConnectionKey,
    ) -> Result<Option<String>, VaultError> {
        Ok(self
            .kv
            .get(&refresh_key(host_id, connection))
            .text()
            .await?)
    }

    /// Deletes both tokens of one connection.
    pub async fn forget(&self, host_id: &str, connection: ConnectionKey) -> Result<(), VaultError> {
        self.kv.delete(&refresh_key(host_id, connection)).await?;
        self.kv.delete(&access_key(host_id, connection)).await?;
        Ok(())
    }
}
