//! The second half of rotating the token encryption key: once an operator makes a new key
//! current and lists the old one under `TOKEN_ENCRYPTION_RETIRED_KEYS`, the hourly cron
//! seals every stored refresh token, and every data key (`store::data_key_rotation`), again
//! under the new key. After one run that re-sealed
//! everything (its log says how many are left), the old key can be removed (README, *Rotating
//! the token encryption key*).

use super::Calendars;

/// How long one re-sealing holds a connection's refresh lease: a KV read and a write.
const RESEAL_LEASE_SECONDS: i64 = 30;

/// What one run did, for the log.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Resealed {
    /// Refresh tokens now sealed under the current key.
    pub resealed: usize,
    /// Connections skipped this time (a refresh held the lease, or KV failed): the next hourly
    /// run tries again.
    pub left: usize,
}

impl Calendars<'_> {
    /// Re-seals the refresh token of every connection that a retired key sealed. A working
    /// connection is re-sealed under its refresh lease, so a Zoom refresh that rotates the
    /// token at the same moment is never overwritten with the older token.
    pub async fn reseal_retired_tokens(&self) -> Result<Resealed, crate::store::StoreError> {
        let mut outcome = Resealed::default();
        if !self.config.token_cipher.has_retired_keys() {
            return Ok(outcome);
        }
        let now = self.now.timestamp();
        for connection in self.store.all_connections().await? {
            let key = connection.key;
            let host_id = connection.host_id.as_str();
            let leased = !connection.needs_reconnect()
                && self
                    .store
                    .take_refresh_lease(host_id, key, now, now + RESEAL_LEASE_SECONDS)
                    .await?;
            if !leased && !connection.needs_reconnect() {
                outcome.left += 1;
                continue;
            }
            match self.vault.reseal_refresh_token(host_id, key).await {
                Ok(true) => outcome.resealed += 1,
                Ok(false) => {}
                Err(error) => {
                    worker::console_error!("key rotation: {key}: {error}");
                    outcome.left += 1;
                }
            }
            if leased {
                self.store
                    .release_refresh_lease(host_id, key, false)
                    .await?;
            }
        }
        Ok(outcome)
    }
}

/// The hourly cron's turn: re-seals what retired keys sealed, if the ring has any.
pub async fn run(env: &worker::Env) {
    let Some(run) = crate::runtime::open_run(env, "key rotation") else {
        return;
    };
    if !run.config.token_cipher.has_retired_keys() {
        return;
    }
    let outcome = match run.calendars() {
        Ok(calendars) => calendars
            .reseal_retired_tokens()
            .await
            .map_err(|e| e.to_string()),
        Err(error) => Err(error.to_string()),
    };
    match outcome {
        Ok(done) => worker::console_log!(
            "key rotation: re-sealed {} refresh tokens under the current key, {} left for the next run",
            done.resealed,
            done.left
        ),
        Err(error) => worker::console_error!("key rotation: {error}"),
    }
    let now = u64::try_from(run.now.timestamp()).unwrap_or_default();
    match run.store.reseal_retired_data_keys(now).await {
        Ok(done) => worker::console_log!(
            "key rotation: re-sealed {} data keys under the current key, {} left for the next run",
            done.resealed,
            done.left
        ),
        Err(error) => worker::console_error!("key rotation: data keys: {error}"),
    }
}
