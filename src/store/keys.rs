//! Hosts' data keys (`crypto::data_key`): where they are kept and how one comes to exist.
//!
//! A key lives only in the KV namespace `TOKENS`, sealed with the instance key, under the
//! host's prefix: `host/{host_id}/keys/host-{key_id}` for the host's key,
//! `host/{host_id}/keys/booking-{key_id}` for a booking's own key (below), and
//! `host/{host_id}/keys/connection-{key_id}` for a connected account's key, deleted with that
//! connection (`sealed_account.rs`). Deleting the host deletes everything under
//! `host/{host_id}/` (`privacy::provider_cleanup`), these keys with it; KV keeps no history,
//! so whatever was sealed under them is unreadable from then on wherever a copy of it lies.
//! A waiting email that belongs to no host's data has a key of its own at `notice/{id}`
//! (`sealed_notice.rs`), deleted when the email leaves and expiring in any case.
//!
//! `hosts.data_key_id` (D1) says which key is the host's. A key is created lazily, the first
//! time one is needed: it is written to KV first and then claimed with one conditional
//! `UPDATE hosts SET data_key_id = ? WHERE id = ? AND data_key_id IS NULL`. D1 is strongly
//! consistent, so exactly one creator wins; the key id is random and part of the KV name, so a
//! loser never overwrites the winner's key, it deletes its own entry and uses the winner's.
//!
//! KV is eventually consistent: a key written in one location can take up to a minute to be
//! visible in another ("How KV works",
//! <https://developers.cloudflare.com/kv/concepts/how-kv-works/>). So D1 can name a key that
//! KV does not show here yet. Then what needs sealing is sealed under a fresh key of its own
//! (a booking key), written to KV from this location before anything sealed under it is
//! stored, so it is read back from here (the write went to the central store, and a read that
//! misses the local cache goes there). Nothing is refused, nothing is stored in plaintext,
//! and nothing is lost: a booking key lies under the same host prefix, so it is deleted with
//! the host like the host's key. The price is one more KV entry and one more KV read when such
//! a value is opened; it happens only in the first minute after a host's key was created and
//! only in another location, so booking keys are not folded back into the host's key. We
//! chose this over refusing with "try again" because a booking form must not fail for a
//! reason the invitee cannot see, and over a deterministic KV name written by every creator
//! because two locations writing different random keys under one name would silently lose
//! what one of them sealed.

use std::cell::RefCell;

use worker::kv::KvStore;

use super::{OptionalTextValue, Param, Store, StoreError};
use crate::core::small_map::SmallMap;
use crate::crypto::data_key::{DataKey, Field, IndexKey, KeyRef};
use crate::crypto::token_cipher::TokenCipher;

/// The prefix under which every data key of `host_id` is kept (deleting it shreds them all).
fn data_key_prefix(host_id: &str) -> String {
    format!("host/{host_id}/keys/")
}

fn kv_name(host_id: &str, key_ref: &KeyRef) -> String {
    let prefix = data_key_prefix(host_id);
    match key_ref {
        KeyRef::Host(id) => format!("{prefix}host-{id}"),
        KeyRef::Booking(id) => format!("{prefix}booking-{id}"),
        KeyRef::Connection(id) => format!("{prefix}connection-{id}"),
        KeyRef::Notice(id) => notice_kv_name(id),
    }
}

/// Where a waiting email's key is kept: outside every host's prefix, since a host's last
/// notice outlives the host.
fn notice_kv_name(id: &str) -> String {
    format!("notice/{id}")
}

/// The inverse of [`kv_name`]: whose key the KV entry `name` is (the host, or [`NOTICE_SCOPE`])
/// and which, or `None` for an entry that is no data key (a refresh or access token).
pub(super) fn parse_kv_name(name: &str) -> Option<(String, KeyRef)> {
    if let Some(id) = name.strip_prefix("notice/") {
        return Some((NOTICE_SCOPE.to_owned(), KeyRef::Notice(id.to_owned())));
    }
    let (host_id, key) = name.strip_prefix("host/")?.split_once("/keys/")?;
    let key_ref = match key.split_once('-')? {
        ("host", id) => KeyRef::Host(id.to_owned()),
        ("booking", id) => KeyRef::Booking(id.to_owned()),
        ("connection", id) => KeyRef::Connection(id.to_owned()),
        _ => return None,
    };
    Some((host_id.to_owned(), key_ref))
}

/// What a notice key's KV seal is bound to in place of a host (host ids are hex or slugs, never
/// this word).
pub(super) const NOTICE_SCOPE: &str = "notices";

pub(super) fn key_failed(what: &'static str, cause: impl std::fmt::Display) -> StoreError {
    StoreError::Key {
        what,
        cause: cause.to_string(),
    }
}

impl Store {
    /// Which data key is the host's (`None`: none yet, or no such host).
    pub async fn host_data_key_id(&self, host_id: &str) -> Result<Option<String>, StoreError> {
        let row: Option<OptionalTextValue> = self
            .first(
                "host_data_key_id",
                "SELECT data_key_id AS value FROM hosts WHERE id = ?1",
                &[Param::Text(host_id)],
            )
            .await?;
        Ok(row.and_then(|row| row.value))
    }

    /// Makes `key_id` the host's data key unless the host has one already. True when it did.
    async fn claim_host_data_key(&self, host_id: &str, key_id: &str) -> Result<bool, StoreError> {
        let changed = self
            .execute(
                "claim_host_data_key",
                "UPDATE hosts SET data_key_id = ?2 WHERE id = ?1 AND data_key_id IS NULL",
                &[Param::Text(host_id), Param::Text(key_id)],
            )
            .await?;
        Ok(changed == 1)
    }
}

/// Where hosts' data keys come from: the `TOKENS` KV binding, opened on first use, the
/// instance key that seals them there, and the blind-index key. Keys opened during a request
/// or run are kept in memory (a page of 25 bookings reads the host's key once).
pub struct KeySource {
    env: worker::Env,
    pub(super) instance: TokenCipher,
    index: IndexKey,
    kv: RefCell<Option<KvStore>>,
    opened: RefCell<SmallMap<(String, KeyRef), DataKey>>,
    /// The key each host's new values were sealed under in this request or run: a booking
    /// seals its invitee and two emails, and asks D1 which key is the host's once.
    sealing: RefCell<SmallMap<String, DataKey>>,
    /// Which key each (host, provider) connection has, as read in this request or run: a
    /// booking's calendar work seals its event id, meeting id and link under the connections'
    /// keys and asks D1 once per connection. Forgotten wherever the store changes it.
    connection_key_ids: RefCell<SmallMap<(String, String), Option<String>>>,
}

impl KeySource {
    /// Keys of this instance: `instance` seals them for KV, `index` makes the blind index.
    pub fn new(env: &worker::Env, instance: &TokenCipher, index: &IndexKey) -> Self {
        Self {
            env: env.clone(),
            instance: instance.clone(),
            index: index.clone(),
            kv: RefCell::new(None),
            opened: RefCell::default(),
            sealing: RefCell::default(),
            connection_key_ids: RefCell::default(),
        }
    }

    pub(super) fn kv(&self) -> Result<KvStore, StoreError> {
        if let Some(kv) = self.kv.borrow().as_ref() {
            return Ok(kv.clone());
        }
        let kv = self
            .env
            .kv("TOKENS")
            .map_err(|e| key_failed("open the KV binding TOKENS", e))?;
        *self.kv.borrow_mut() = Some(kv.clone());
        Ok(kv)
    }
}

impl Store {
    /// The connection key id remembered for (`host_id`, `provider`) in this request, if read.
    pub(super) fn remembered_connection_key_id(
        &self,
        host_id: &str,
        provider: &str,
    ) -> Option<Option<String>> {
        let source = self.keys.as_ref()?;
        let ids = source.connection_key_ids.borrow();
        ids.get(&(host_id.to_owned(), provider.to_owned())).cloned()
    }

    /// Remembers (or, with `None`, forgets) which key the connection has, for this request.
    pub(super) fn remember_connection_key_id(
        &self,
        host_id: &str,
        provider: &str,
        key_id: Option<Option<String>>,
    ) {
        if let Some(source) = self.keys.as_ref() {
            let slot = (host_id.to_owned(), provider.to_owned());
            let mut ids = source.connection_key_ids.borrow_mut();
            match key_id {
                Some(key_id) => ids.insert(slot, key_id),
                None => drop(ids.remove(&slot)),
            };
        }
    }

    pub(super) fn key_source(&self) -> Result<&KeySource, StoreError> {
        self.keys
            .as_ref()
            .ok_or_else(|| key_failed("reach the data keys", "this store was opened without them"))
    }

    /// The blind index of an email address (`crypto::data_key::IndexKey`): what rows are
    /// found by instead of the address itself.
    pub fn email_index(&self, address: &str) -> Result<String, StoreError> {
        Ok(self.key_source()?.index.email(address))
    }

    /// The blind index of a provider's account id: what `connections.account_id` holds.
    pub(super) fn account_index(
        &self,
        provider: &str,
        account_id: &str,
    ) -> Result<String, StoreError> {
        Ok(self.key_source()?.index.account(provider, account_id))
    }

    /// The key new values of `host_id` are sealed under: the host's key, created now if the
    /// host has none, or a booking key of its own while the host's key is not visible in this
    /// location yet (see the module comment).
    pub async fn sealing_key(&self, host_id: &str) -> Result<DataKey, StoreError> {
        if let Some(key) = self.key_source()?.sealing.borrow().get(host_id) {
            return Ok(key.clone());
        }
        let key = self.find_or_make_sealing_key(host_id).await?;
        self.key_source()?
            .sealing
            .borrow_mut()
            .insert(host_id.to_owned(), key.clone());
        Ok(key)
    }

    async fn find_or_make_sealing_key(&self, host_id: &str) -> Result<DataKey, StoreError> {
        let named = match self.host_data_key_id(host_id).await? {
            Some(id) => id,
            None => {
                let key = DataKey::generate(KeyRef::Host(crate::crypto::random_hex::<16>()));
                self.put_data_key(host_id, &key).await?;
                let KeyRef::Host(id) = key.key_ref() else {
                    unreachable!("generated as a host key")
                };
                if self.claim_host_data_key(host_id, id).await? {
                    return Ok(key);
                }
                // Another request created the host's key first: ours goes, theirs counts.
                self.delete_data_key(host_id, key.key_ref()).await?;
                self.host_data_key_id(host_id)
                    .await?
                    .ok_or_else(|| key_failed("claim a data key", "the host is gone"))?
            }
        };
        if let Some(key) = self.data_key(host_id, &KeyRef::Host(named)).await? {
            return Ok(key);
        }
        let key = DataKey::generate(KeyRef::Booking(crate::crypto::random_hex::<16>()));
        self.put_data_key(host_id, &key).await?;
        Ok(key)
    }

    /// A data key for a host about to be created (so even their first row is sealed): written
    /// to KV and used for whatever this request seals for them. Returns its id, for the new
    /// row's `data_key_id`.
    pub(super) async fn new_host_data_key(&self, host_id: &str) -> Result<String, StoreError> {
        let key_id = crate::crypto::random_hex::<16>();
        let key = DataKey::generate(KeyRef::Host(key_id.clone()));
        self.put_data_key(host_id, &key).await?;
        self.key_source()?
            .sealing
            .borrow_mut()
            .insert(host_id.to_owned(), key);
        Ok(key_id)
    }

    /// A new key for a connection of `host_id` (`KeyRef::Connection`), written to KV.
    pub(super) async fn new_connection_key(&self, host_id: &str) -> Result<DataKey, StoreError> {
        let key = DataKey::generate(KeyRef::Connection(crate::crypto::random_hex::<16>()));
        self.put_data_key(host_id, &key).await?;
        Ok(key)
    }

    /// Deletes the connection key `key_id` of `host_id`: what was sealed under it opens no more.
    pub(super) async fn delete_connection_key(
        &self,
        host_id: &str,
        key_id: &str,
    ) -> Result<(), StoreError> {
        self.delete_data_key(host_id, &KeyRef::Connection(key_id.to_owned()))
            .await
    }

    /// A new key for the waiting value `id` (an email, a privacy request's address), written
    /// to KV to expire after `ttl_seconds`.
    pub(super) async fn new_notice_key(
        &self,
        id: &str,
        ttl_seconds: u64,
    ) -> Result<DataKey, StoreError> {
        let source = self.key_source()?;
        let key = DataKey::generate(KeyRef::Notice(id.to_owned()));
        source
            .kv()?
            .put(
                &notice_kv_name(id),
                key.seal_for_kv(&source.instance, NOTICE_SCOPE),
            )
            .map_err(|e| key_failed("write a notice key", e))?
            .expiration_ttl(ttl_seconds)
            .execute()
            .await
            .map_err(|e| key_failed("write a notice key", e))?;
        Ok(key)
    }

    /// The key of the waiting email `id`, or `None` once it was deleted or expired.
    pub(super) async fn notice_key(&self, id: &str) -> Result<Option<DataKey>, StoreError> {
        let source = self.key_source()?;
        let stored = source
            .kv()?
            .get(&notice_kv_name(id))
            .text()
            .await
            .map_err(|e| key_failed("read a notice key", e))?;
        stored
            .map(|stored| {
                DataKey::open_from_kv(
                    &source.instance,
                    NOTICE_SCOPE,
                    KeyRef::Notice(id.to_owned()),
                    &stored,
                )
                .map_err(|e| key_failed("open a notice key", e))
            })
            .transpose()
    }

    /// Deletes the key of the waiting email `id`: its sealed payload opens no more anywhere.
    pub(super) async fn delete_notice_key(&self, id: &str) -> Result<(), StoreError> {
        self.key_source()?
            .kv()?
            .delete(&notice_kv_name(id))
            .await
            .map_err(|e| key_failed("delete a notice key", e))
    }

    /// Deletes the key [`Self::new_host_data_key`] made for a host that was not created.
    pub(super) async fn forget_host_data_key(
        &self,
        host_id: &str,
        key_id: &str,
    ) -> Result<(), StoreError> {
        self.key_source()?.sealing.borrow_mut().remove(host_id);
        self.delete_data_key(host_id, &KeyRef::Host(key_id.to_owned()))
            .await
    }

    /// The key `key_ref` of `host_id`, or `None` when KV has no such key: deleted with its
    /// host, or (for a key created in the last minute elsewhere) not visible here yet.
    pub async fn data_key(
        &self,
        host_id: &str,
        key_ref: &KeyRef,
    ) -> Result<Option<DataKey>, StoreError> {
        let source = self.key_source()?;
        let slot = (host_id.to_owned(), key_ref.clone());
        if let Some(key) = source.opened.borrow().get(&slot) {
            return Ok(Some(key.clone()));
        }
        let stored = source
            .kv()?
            .get(&kv_name(host_id, key_ref))
            .text()
            .await
            .map_err(|e| key_failed("read a data key", e))?;
        let Some(stored) = stored else {
            return Ok(None);
        };
        let key = DataKey::open_from_kv(&source.instance, host_id, key_ref.clone(), &stored)
            .map_err(|e| key_failed("open a data key", e))?;
        source.opened.borrow_mut().insert(slot, key.clone());
        Ok(Some(key))
    }

    /// `plaintext` sealed for `field` under the host's current key.
    pub(super) async fn seal_field(
        &self,
        host_id: &str,
        field: Field<'_>,
        plaintext: &str,
    ) -> Result<String, StoreError> {
        Ok(self.sealing_key(host_id).await?.seal(field, plaintext))
    }

    /// The plaintext of `stored`, a value of `field` of one of `host_id`'s rows: opened with the
    /// key it names, or returned as it is when it was written before sealing existed.
    pub(super) async fn open_field(
        &self,
        host_id: &str,
        field: Field<'_>,
        stored: &str,
    ) -> Result<String, StoreError> {
        let Some(key_ref) = KeyRef::of_sealed(stored) else {
            return Ok(stored.to_owned());
        };
        let key = self
            .data_key(host_id, &key_ref)
            .await?
            .ok_or_else(|| key_failed("open a sealed field", "its data key is not in KV"))?;
        key.open(field, stored)
            .map_err(|e| key_failed("open a sealed field", e))
    }

    async fn put_data_key(&self, host_id: &str, key: &DataKey) -> Result<(), StoreError> {
        let source = self.key_source()?;
        let sealed = key.seal_for_kv(&source.instance, host_id);
        source
            .kv()?
            .put(&kv_name(host_id, key.key_ref()), sealed)
            .map_err(|e| key_failed("write a data key", e))?
            .execute()
            .await
            .map_err(|e| key_failed("write a data key", e))?;
        source
            .opened
            .borrow_mut()
            .insert((host_id.to_owned(), key.key_ref().clone()), key.clone());
        Ok(())
    }

    async fn delete_data_key(&self, host_id: &str, key_ref: &KeyRef) -> Result<(), StoreError> {
        let source = self.key_source()?;
        source
            .opened
            .borrow_mut()
            .remove(&(host_id.to_owned(), key_ref.clone()));
        source
            .kv()?
            .delete(&kv_name(host_id, key_ref))
            .await
            .map_err(|e| key_failed("delete a data key", e))
    }
}
