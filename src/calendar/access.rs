//! Getting a working access token for a connection: the cached one while it lives, else one
//! refresh, coordinated so two requests never spend the same refresh token.
//!
//! Zoom rotates refresh tokens on every refresh and refuses the old one afterwards. So a
//! refresh runs under a short lease in D1 (`connections.refresh_lease_until`); the new refresh
//! token is written to KV before the lease is released; a request that finds the lease taken
//! waits for the access token the holder caches. A refusal (`invalid_grant`) right after
//! another refresh rotated the token is retried once with the token now in KV before the
//! connection is marked as needing a reconnect.

use super::Calendars;
use crate::core::connection_health::Breakage;
use crate::providers::connect::{self, AccessToken, ConnectError};
use crate::providers::connection_key::ConnectionKey;
use crate::providers::fetch::fetch;
use crate::store::ConnectionRow;

/// How long one refresh may hold the lease: far beyond one token call.
const REFRESH_LEASE_SECONDS: i64 = 30;
/// How often, and how long apart, a request waits for another one's refresh.
const LEASE_WAITS: u32 = 12;
const LEASE_WAIT_MS: u64 = 250;

/// Why no access token could be had.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    /// The provider refused the grant: the host must connect again.
    #[error("the connection needs to be made again")]
    NeedsReconnect,
    /// The provider's token endpoint did not answer: try again later.
    #[error("tokens unavailable: {0}")]
    Unavailable(String),
    /// Our own side: D1 or KV did not answer, or another request holds the connection's
    /// refresh. Not the provider's failure, so it never marks the calendar as not answering.
    #[error("tokens not at hand: {0}")]
    Ours(String),
    /// This instance has no OAuth client for the provider any more.
    #[error("no OAuth client configured for {0}")]
    NotConfigured(&'static str),
}

impl Calendars<'_> {
    /// A live access token for `connection`. `rejected` is a token the provider just answered
    /// 401 to: it is not handed out again.
    pub async fn access_token(
        &self,
        connection: &ConnectionRow,
        rejected: Option<&str>,
    ) -> Result<String, AccessError> {
        let key = connection.key;
        let provider = key.provider;
        if connection.needs_reconnect() {
            return Err(AccessError::NeedsReconnect);
        }
        let host_id = connection.host_id.as_str();
        if provider.connects_with_password() {
            return self.password(host_id, key, rejected).await;
        }
        if let Some(token) = self.cached(host_id, key, rejected).await? {
            return Ok(token.secret);
        }
        let now = self.now.timestamp();
        for _ in 0..LEASE_WAITS {
            let leased = self
                .store
                .take_refresh_lease(host_id, key, now, now + REFRESH_LEASE_SECONDS)
                .await
                .map_err(|e| AccessError::Ours(e.to_string()))?;
            if leased {
                let outcome = self.refresh_holding_lease(host_id, key).await;
                let rotated = matches!(outcome, Ok((_, true)));
                if !matches!(outcome, Err(AccessError::NeedsReconnect)) {
                    self.store
                        .release_refresh_lease(host_id, key, rotated)
                        .await
                        .map_err(|e| AccessError::Ours(e.to_string()))?;
                }
                return outcome.map(|(token, _)| token.secret);
            }
            // Another request is refreshing: its token lands in the cache.
            worker::Delay::from(std::time::Duration::from_millis(LEASE_WAIT_MS)).await;
            if let Some(token) = self.cached(host_id, key, rejected).await? {
                return Ok(token.secret);
            }
        }
        Err(AccessError::Ours(
            "another refresh of this connection is still running".into(),
        ))
    }

    /// A password connection's credentials (CalDAV), which stand in for an access token.
    /// Refused (`rejected`) they cannot be refreshed: the app password was revoked or
    /// changed, so the connection is marked broken, its credentials forgotten, and the host
    /// told to connect again, as for a refused refresh token.
    async fn password(
        &self,
        host_id: &str,
        key: ConnectionKey,
        rejected: Option<&str>,
    ) -> Result<String, AccessError> {
        let ours = |e: &dyn std::fmt::Display| AccessError::Ours(e.to_string());
        let stored = self
            .vault
            .refresh_token(host_id, key)
            .await
            .map_err(|e| ours(&e))?;
        match stored {
            Some(secret) if Some(secret.as_str()) != rejected => Ok(secret),
            _ => Err(self.grant_refused(host_id, key, "credentials").await),
        }
    }

    /// The provider refused what keeps the connection alive (`what`: the grant or the
    /// credentials): marks it broken so the host is told, forgets it, and returns the error
    /// to answer with ([`AccessError::Ours`] when storage failed on the way).
    async fn grant_refused(&self, host_id: &str, key: ConnectionKey, what: &str) -> AccessError {
        worker::console_warn!(
            "connection {key} of host {host_id}: {what} refused, needs reconnect"
        );
        if let Err(e) = self
            .report_broken(host_id, key, Breakage::GrantRefused)
            .await
        {
            return AccessError::Ours(e.to_string());
        }
        if let Err(e) = self.vault.forget(host_id, key).await {
            return AccessError::Ours(e.to_string());
        }
        AccessError::NeedsReconnect
    }

    async fn cached(
        &self,
        host_id: &str,
        key: ConnectionKey,
        rejected: Option<&str>,
    ) -> Result<Option<AccessToken>, AccessError> {
        let cached = self
            .vault
            .access_token(host_id, key, self.now)
            .await
            .map_err(|e| AccessError::Ours(e.to_string()))?;
        Ok(cached.filter(|t| Some(t.secret.as_str()) != rejected))
    }

    /// Refreshes while this request holds the lease. Returns the token and whether the
    /// refresh token rotated.
    async fn refresh_holding_lease(
        &self,
        host_id: &str,
        key: ConnectionKey,
    ) -> Result<(AccessToken, bool), AccessError> {
        let registration = self
            .registration(key.provider)
            .ok_or(AccessError::NotConfigured(key.provider.as_str()))?;
        let unavailable = |e: &dyn std::fmt::Display| AccessError::Unavailable(e.to_string());
        let ours = |e: &dyn std::fmt::Display| AccessError::Ours(e.to_string());
        let mut used = None;
        for _ in 0..2 {
            let Some(refresh_token) = self
                .vault
                .refresh_token(host_id, key)
                .await
                .map_err(|e| ours(&e))?
            else {
                break;
            };
            if used.as_ref() == Some(&refresh_token) {
                // Refused, and nobody rotated it since: the grant is gone.
                break;
            }
            match connect::refresh(
                key.provider,
                &self.config.services,
                registration,
                &refresh_token,
                self.now,
                &fetch,
            )
            .await
            {
                Ok(refreshed) => {
                    let rotated = refreshed.rotated_refresh_token.is_some();
                    if let Some(new_token) = &refreshed.rotated_refresh_token {
                        // The old token is already dead at the provider: keep the new one
                        // before anything else can fail.
                        self.vault
                            .put_refresh_token(host_id, key, new_token)
                            .await
                            .map_err(|e| ours(&e))?;
                    }
                    self.vault
                        .put_access_token(host_id, key, &refreshed.access, self.now)
                        .await
                        .map_err(|e| ours(&e))?;
                    return Ok((refreshed.access, rotated));
                }
                Err(ConnectError::Revoked) => used = Some(refresh_token),
                Err(other) => return Err(unavailable(&other)),
            }
        }
        Err(self.grant_refused(host_id, key, "grant").await)
    }
}
