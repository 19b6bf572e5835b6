//! Emails that belong to no booking while they wait in `notice_outbox` (a privacy request's
//! link, an erasure's or deletion's notices, a host's notice that a connection broke or a
//! webhook was turned off), kept in D1 only sealed under a key of their own (crypto-shredding,
//! issue 13).
//!
//! A notice to a host (`host_id` set) is sealed under the host's data key, and goes with the
//! host. A privacy request's emails cannot be: a deleted host's last notice is sent after the
//! key is gone, and an erasure's emails belong to an invitee of many hosts. So each of those
//! gets a key of its own in KV (`notice/{id}`, `store::keys`), with an expiry longer than any
//! email's retries; the key is deleted when the email was sent or given up. From then on the
//! row's copies (D1's history, free pages) open for no one, like a deleted host's rows.
//! A payload written before sealing existed is read as it is.
//!
//! An invitee's erasure request keeps its address the same way (`privacy_requests`: the
//! address's blind index in `invitee_email`, the address sealed in `invitee_sealed` under a
//! key of the request's own), since the erasure needs the address itself to find bookings
//! written before sealing and to tell their hosts.

use super::{Store, StoreError};
use crate::crypto::data_key::{Field, KeyRef};

/// How long a waiting email's key lives in KV at most: far longer than an email's retries
/// (about two hours, `mail::backoff`), so only an email that could not leave for two weeks (no
/// email API key set, say) meets an expired key, and is given up.
const NOTICE_KEY_TTL_SECONDS: u64 = 14 * 24 * 3600;

/// How long a privacy request's key lives in KV at most: the request's link works 24 hours.
const REQUEST_KEY_TTL_SECONDS: u64 = 2 * 24 * 3600;

fn request_field(token_hash: &str) -> Field<'_> {
    Field {
        table: "privacy_requests",
        column: "invitee_sealed",
        row_id: token_hash,
    }
}

fn notice_field(id: &str) -> Field<'_> {
    Field {
        table: "notice_outbox",
        column: "payload",
        row_id: id,
    }
}

impl Store {
    /// `payload` of the waiting privacy email `id`, sealed under a new key of its own.
    pub(super) async fn seal_notice(&self, id: &str, payload: &str) -> Result<String, StoreError> {
        let key = self.new_notice_key(id, NOTICE_KEY_TTL_SECONDS).await?;
        Ok(key.seal(notice_field(id), payload))
    }

    /// The address of an erasure request `token_hash`, sealed under a new key of the request's
    /// own (deleted when the erasure is done, expiring in two days in any case).
    pub(super) async fn seal_request_address(
        &self,
        token_hash: &str,
        address: &str,
    ) -> Result<String, StoreError> {
        let key = self
            .new_notice_key(token_hash, REQUEST_KEY_TTL_SECONDS)
            .await?;
        Ok(key.seal(request_field(token_hash), address))
    }

    /// The address of the erasure request `token_hash`, opened; `None` once its key is gone.
    pub(super) async fn open_request_address(
        &self,
        token_hash: &str,
        sealed: &str,
    ) -> Result<Option<String>, StoreError> {
        let Some(key) = self.notice_key(token_hash).await? else {
            return Ok(None);
        };
        key.open(request_field(token_hash), sealed)
            .map(Some)
            .map_err(|e| super::failed("open_request_address", e))
    }

    /// `payload` of the waiting notice `id` to host `host_id`, sealed under the host's key.
    pub(super) async fn seal_host_notice(
        &self,
        host_id: &str,
        id: &str,
        payload: &str,
    ) -> Result<String, StoreError> {
        self.seal_field(host_id, notice_field(id), payload).await
    }

    /// The payload of the waiting email `id` (to `host_id`, if it is a host's notice) as
    /// stored, opened; `None` when its key is gone (a privacy email's after two weeks of
    /// waiting): the email can no longer be sent.
    pub(super) async fn open_notice(
        &self,
        id: &str,
        host_id: Option<&str>,
        stored: &str,
    ) -> Result<Option<String>, StoreError> {
        match (KeyRef::of_sealed(stored), host_id) {
            (None, _) => Ok(Some(stored.to_owned())),
            (Some(KeyRef::Notice(_)), _) => {
                let Some(key) = self.notice_key(id).await? else {
                    return Ok(None);
                };
                key.open(notice_field(id), stored)
                    .map(Some)
                    .map_err(|e| super::failed("open_notice", e))
            }
            (Some(_), Some(host_id)) => self
                .open_field(host_id, notice_field(id), stored)
                .await
                .map(Some),
            (Some(_), None) => Err(super::failed(
                "open_notice",
                "a host's key names a notice without a host",
            )),
        }
    }
}
