//! What deleting a host's account does outside D1: the host's entries in the KV namespace
//! `TOKENS` (sealed refresh and access tokens of connected calendars and Zoom). Every key of a
//! host starts with `host/{host_id}/`, so listing by that prefix finds them all.
//!
//! Runs before the D1 deletion, while the connection rows still say which provider holds
//! what, and is safe to run again: a second run finds nothing left to delete.

use worker::kv::KvStore;

use crate::store::list_kv;

use crate::calendar::vault::host_prefix;

/// Deletes every KV entry of the host under `host/{host_id}/`, the last step of removing the
/// host's data held for the providers: `Calendars::remove_host_from_providers` has already
/// removed the events and meetings of their upcoming bookings and revoked the grants (Google
/// and Zoom; Microsoft has none, see PRIVACY.md) with these tokens. Returns how many KV
/// entries were deleted.
pub async fn remove_provider_data(kv: &KvStore, host_id: &str) -> Result<usize, String> {
    delete_prefix(kv, &host_prefix(host_id)).await
}

/// Deletes every key under `prefix`.
pub async fn delete_prefix(kv: &KvStore, prefix: &str) -> Result<usize, String> {
    let keys = list_kv(kv, prefix)
        .await
        .map_err(|e| format!("KV list failed: {e}"))?;
    for key in &keys {
        kv.delete(&key.name)
            .await
            .map_err(|e| format!("KV delete failed: {e}"))?;
    }
    Ok(keys.len())
}
