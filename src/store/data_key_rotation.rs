//! Data keys through a rotation of the instance key (README, *Rotating the token encryption
//! key*). Every data key in KV (`keys.rs`) is sealed under the instance key; once an operator
//! makes a new key current and retires the old one, the hourly run seals each data key again
//! under the new key, so removing the old key afterwards leaves every sealed field openable.
//! Without this, step 3 of the rotation would shred every host's data at once.
//!
//! KV can list names but not values, so each re-sealed entry is marked with the metadata
//! `{"sealed_by": "<key id>"}`: a later run skips it from the listing alone, without reading
//! it. An entry without the mark (every entry written before the rotation) is read, sealed
//! again if a retired key sealed it, and written back with the mark. A waiting email's key
//! keeps its expiry. At most [`RESEALED_PER_RUN`] entries are written per run: the free plan
//! allows 1,000 KV writes a day, and this runs hourly.

use serde_json::{json, Value};

use super::keys::{key_failed, parse_kv_name};
use super::kv_list::list_kv;
use super::{Store, StoreError};
use crate::crypto::data_key::DataKey;

/// How many data keys one run writes at most (24 runs a day stay under the free plan's 1,000
/// KV writes a day, with room for the day's bookings).
pub const RESEALED_PER_RUN: usize = 30;

/// KV requires an expiry at least this far (seconds) in the future; a waiting email's key
/// closer to its end than that is left to expire.
const MIN_EXPIRY_SECONDS: u64 = 60;

/// What one run did, for the log.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ResealedKeys {
    /// Data keys now sealed, and marked, under the current instance key.
    pub resealed: usize,
    /// Data keys not marked yet: the next run goes on with them.
    pub left: usize,
}

impl Store {
    /// Seals every data key that a retired instance key sealed again under the current one,
    /// at most [`RESEALED_PER_RUN`] per run (see the module comment). `now` is Unix seconds.
    pub async fn reseal_retired_data_keys(&self, now: u64) -> Result<ResealedKeys, StoreError> {
        let source = self.key_source()?;
        let mut outcome = ResealedKeys::default();
        if !source.instance.has_retired_keys() {
            return Ok(outcome);
        }
        let current = source.instance.current_key_id().to_owned();
        let kv = source.kv()?;
        for prefix in ["host/", "notice/"] {
            let entries = list_kv(&kv, prefix)
                .await
                .map_err(|e| key_failed("list the data keys", e))?;
            for entry in &entries {
                let Some((scope, key_ref)) = parse_kv_name(&entry.name) else {
                    continue;
                };
                let marked = entry
                    .metadata
                    .as_ref()
                    .and_then(|m| m.get("sealed_by"))
                    .and_then(Value::as_str)
                    == Some(current.as_str());
                if marked
                    || entry
                        .expiration
                        .is_some_and(|at| at < now + MIN_EXPIRY_SECONDS)
                {
                    continue;
                }
                if outcome.resealed == RESEALED_PER_RUN {
                    outcome.left += 1;
                    continue;
                }
                let Some(stored) = kv
                    .get(&entry.name)
                    .text()
                    .await
                    .map_err(|e| key_failed("read a data key", e))?
                else {
                    continue;
                };
                let key = DataKey::open_from_kv(&source.instance, &scope, key_ref, &stored)
                    .map_err(|e| key_failed("open a data key", e))?;
                let mut put = kv
                    .put(&entry.name, key.seal_for_kv(&source.instance, &scope))
                    .map_err(|e| key_failed("write a data key", e))?
                    .metadata(json!({ "sealed_by": current }))
                    .map_err(|e| key_failed("write a data key", e))?;
                if let Some(at) = entry.expiration {
                    put = put.expiration(at);
                }
                put.execute()
                    .await
                    .map_err(|e| key_failed("write a data key", e))?;
                outcome.resealed += 1;
            }
        }
        Ok(outcome)
    }
}
