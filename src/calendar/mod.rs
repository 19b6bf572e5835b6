//! The host's connected calendars and Zoom, as the Worker uses them: tokens (`vault`,
//! `access`), busy times for the slot engine (`busy`), and the events and meetings a booking
//! gets (`jobs`). Wire formats live in `providers`; this module adds storage, retries and
//! the rules of when to give up.

pub mod access;
pub mod busy;
pub mod caldav;
pub mod call;
pub mod health;
pub mod jobs;
pub mod rotation;
pub mod vault;

use chrono::{DateTime, Utc};

use crate::config::{Config, OAuthClient};
use crate::providers::connection_key::ConnectionKey;
use crate::providers::registry::ConnectProvider;
use crate::store::{Store, StoreError};
use vault::Vault;

/// Everything calendar work needs, for one request or one cron run.
pub struct Calendars<'a> {
    pub store: &'a Store,
    pub config: &'a Config,
    pub vault: Vault<'a>,
    pub now: DateTime<Utc>,
    /// `https://host` for links in emails; the request's origin, or `PUBLIC_BASE_URL` in cron.
    pub origin: Option<String>,
}

impl<'a> Calendars<'a> {
    /// Opens the KV vault next to the request's storage and configuration.
    pub fn new(
        env: &worker::Env,
        store: &'a Store,
        config: &'a Config,
        now: DateTime<Utc>,
    ) -> Result<Self, vault::VaultError> {
        Ok(Self {
            store,
            config,
            vault: Vault::from_env(env, &config.token_cipher)?,
            now,
            origin: config.public_base_url.clone(),
        })
    }

    /// This instance's OAuth client for `provider`, if it has one.
    pub fn registration(&self, provider: ConnectProvider) -> Option<&'a OAuthClient> {
        registration(self.config, provider)
    }
}

/// The OAuth client configured for `provider`: calendars share the sign-in clients.
pub fn registration(config: &Config, provider: ConnectProvider) -> Option<&OAuthClient> {
    provider.registration(config)
}

/// The cron trigger's turn: up to `rows` bookings' due calendar work; says whether any
/// provider call was tried (`core::cron_plan` then leaves the emails to the next run).
pub async fn run_due(run: &crate::runtime::Run, rows: i64) -> bool {
    let outcome = match run.calendars() {
        Ok(calendars) => calendars.run_due(rows).await.map_err(|e| e.to_string()),
        Err(error) => Err(error.to_string()),
    };
    outcome.unwrap_or_else(|error| {
        worker::console_error!("calendar work: {error}");
        false
    })
}

/// Why disconnecting could not finish.
#[derive(Debug, thiserror::Error)]
pub enum DisconnectError {
    #[error(transparent)]
    Vault(#[from] vault::VaultError),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// What removing a leaving host from the providers achieved, so the host is told plainly
/// what is left for them to remove themselves.
#[derive(Debug, Default)]
pub struct ProviderCleanup {
    /// Events and meetings of upcoming bookings removed at the providers.
    pub events_removed: usize,
    /// Those the providers would not remove (after the usual retries).
    pub events_left: usize,
    /// Grants the providers revoked.
    pub grants_revoked: usize,
    /// Providers whose grant could not be revoked.
    pub grants_left: Vec<ConnectProvider>,
}

/// How asking a provider to revoke a grant went, so the host is told the truth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revocation {
    Revoked,
    /// Nothing to revoke, or the provider offers no revocation (Microsoft): the host removes
    /// the app's access in their account.
    NotOffered,
    /// The provider did not confirm: the grant may live on until the host removes it.
    Failed,
}

impl Calendars<'_> {
    /// Before a host's account is deleted: removes the events and Zoom meetings of their
    /// upcoming bookings from the providers and revokes every grant (Google, Zoom), while the
    /// tokens still exist. Best effort, never stopping the deletion: what fails is logged by
    /// booking or provider, and the invitees are told by email either way. Returns how many
    /// bookings' events were removed and how many grants revoked.
    pub async fn remove_host_from_providers(
        &self,
        host_id: &str,
    ) -> Result<ProviderCleanup, StoreError> {
        let mut cleanup = ProviderCleanup::default();
        for booking_id in self
            .store
            .upcoming_calendar_work(host_id, self.now.timestamp())
            .await?
        {
            if let Some(row) = self.store.calendar_work(&booking_id).await? {
                match self.remove_now(&row).await {
                    Ok(()) => cleanup.events_removed += 1,
                    Err(why) => {
                        cleanup.events_left += 1;
                        worker::console_warn!(
                            "deleting host {host_id}: event of booking {} not removed ({why})",
                            row.booking_id
                        )
                    }
                }
            }
        }
        for connection in self.store.host_connections(host_id).await? {
            let key = connection.key;
            match self.revoke(host_id, key).await {
                Revocation::Revoked => cleanup.grants_revoked += 1,
                Revocation::NotOffered => {}
                Revocation::Failed => cleanup.grants_left.push(key.provider),
            }
        }
        Ok(cleanup)
    }

    /// Asks the provider to revoke the stored grant with the token it wants (Google: the
    /// refresh token; Zoom: a live access token). Failures are logged.
    async fn revoke(&self, host_id: &str, key: ConnectionKey) -> Revocation {
        use crate::providers::connect::RevokeBy;
        let provider = key.provider;
        let (Some(client), Some(by)) = (self.registration(provider), provider.revoke_by()) else {
            return Revocation::NotOffered;
        };
        let failed = |error: &dyn std::fmt::Display| {
            worker::console_warn!("revoking {key} of host {host_id}: {error}");
            Revocation::Failed
        };
        let token = match by {
            RevokeBy::RefreshToken => match self.vault.refresh_token(host_id, key).await {
                Ok(Some(token)) => token,
                Ok(None) => return Revocation::NotOffered,
                Err(error) => return failed(&error),
            },
            RevokeBy::AccessToken => {
                let connection = match self.store.connection(host_id, key).await {
                    Ok(Some(connection)) => connection,
                    Ok(None) => return Revocation::NotOffered,
                    Err(error) => return failed(&error),
                };
                match self.access_token(&connection, None).await {
                    Ok(token) => token,
                    // The provider already refused the grant: nothing is left to revoke.
                    Err(access::AccessError::NeedsReconnect) => return Revocation::NotOffered,
                    Err(error) => return failed(&error),
                }
            }
        };
        match crate::providers::connect::revoke(
            provider,
            &self.config.services,
            client,
            &token,
            &crate::providers::fetch::fetch,
        )
        .await
        {
            Ok(true) => Revocation::Revoked,
            Ok(false) => Revocation::NotOffered,
            Err(error) => {
                worker::console_warn!("revoking {key} of host {host_id}: {error}");
                Revocation::Failed
            }
        }
    }

    /// Ends a connection: asks the provider to revoke the grant (Google, Zoom; the tokens go
    /// either way), deletes both tokens from KV, then the D1 row. Says how the revocation
    /// went, for the host to hear.
    pub async fn disconnect(
        &self,
        host_id: &str,
        key: ConnectionKey,
    ) -> Result<Revocation, DisconnectError> {
        let revocation = self.revoke(host_id, key).await;
        self.vault.forget(host_id, key).await?;
        self.store.delete_connection(host_id, key).await?;
        Ok(revocation)
    }
}
