//! Webhook secrets through a rotation of the token encryption key: like refresh tokens
//! (`calendar::rotation`), every secret a retired key sealed is sealed again under the current
//! key by the hourly cron, so removing the old key afterwards changes no secret a receiver
//! holds. Each rewrite is conditional on the sealed values read, so a rotation of the
//! webhook's own secret at the same moment is never overwritten.

use crate::crypto::standard_webhooks::{open, seal};
use crate::crypto::token_cipher::TokenCipher;
use crate::store::{Store, StoreError};

/// Re-seals every webhook secret a retired key sealed; returns how many endpoints were
/// re-sealed and how many are left for the next run.
pub async fn reseal_retired_secrets(
    store: &Store,
    cipher: &TokenCipher,
) -> Result<(usize, usize), StoreError> {
    let (mut resealed, mut left) = (0, 0);
    if !cipher.has_retired_keys() {
        return Ok((resealed, left));
    }
    for endpoint in store.all_webhook_secrets().await? {
        let previous = endpoint.previous_secret_sealed.as_deref();
        if !cipher.needs_reseal(&endpoint.secret_sealed)
            && !previous.is_some_and(|sealed| cipher.needs_reseal(sealed))
        {
            continue;
        }
        let again = |sealed: &str| {
            open(cipher, &endpoint.host_id, &endpoint.id, sealed)
                .map(|secret| seal(cipher, &endpoint.host_id, &endpoint.id, &secret))
        };
        let (Ok(current), Ok(earlier)) = (
            again(&endpoint.secret_sealed),
            previous.map(again).transpose(),
        ) else {
            worker::console_error!(
                "key rotation: webhook {}: a secret does not open",
                endpoint.id
            );
            left += 1;
            continue;
        };
        if store
            .reseal_webhook_secrets(
                &endpoint.id,
                &endpoint.secret_sealed,
                previous,
                &current,
                earlier.as_deref(),
            )
            .await?
        {
            resealed += 1;
        } else {
            left += 1;
        }
    }
    Ok((resealed, left))
}

/// The hourly cron's turn: re-seals what retired keys sealed, if the ring has any.
pub async fn run(env: &worker::Env) {
    let Some(run) = crate::runtime::open_run(env, "key rotation") else {
        return;
    };
    if !run.config.token_cipher.has_retired_keys() {
        return;
    }
    match reseal_retired_secrets(&run.store, &run.config.token_cipher).await {
        Ok((resealed, left)) => worker::console_log!(
            "key rotation: re-sealed {resealed} webhook secrets under the current key, {left} left for the next run"
        ),
        Err(error) => worker::console_error!("key rotation: webhook secrets: {error}"),
    }
}
