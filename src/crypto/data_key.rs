//! Crypto-shredding: personal fields in D1 are sealed under keys that live only in KV, so
//! deleting a key makes every copy of what it sealed unreadable at once — the live rows, D1's
//! Time Travel history, SQLite's free pages and the WAL alike. None of those copies can be
//! rewritten; a key in KV (which keeps no history) can be deleted.
//!
//! Three things live here, all pure (no KV, no D1) so they are tested natively:
//! - [`DataKey`]: a random 256-bit AES-256-GCM key. A host has one (for their profile and their
//!   invitees' bookings); a booking gets its own only while its host's key is not visible in
//!   the Worker's KV location yet (see `store::keys`). In KV a data key is itself sealed with
//!   the instance key ([`TokenCipher`]), associated data naming the owner and the key id, so a
//!   copy of KV alone opens nothing and a key copied to another owner's name fails to open.
//! - The sealed-field format `s1.{key ref}.{base64url(nonce ‖ ciphertext ‖ tag)}`: the key
//!   reference says which key opens it ([`KeyRef`]), a fresh 96-bit nonce per seal, and the
//!   associated data names table, column and row id ([`Field`]), so a sealed value moved to
//!   another row or column fails to open instead of showing someone else's data there.
//! - [`IndexKey`]: a blind index. An address we must find rows by (erasure by email) is stored
//!   as HMAC-SHA256 under a key derived from the instance secret, never as plaintext. Without
//!   the instance secret the index does not even tell whether two rows share an address; with
//!   it, one can only test a guessed address, never read one.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::token_cipher::{CipherError, TokenCipher};

const FORMAT: &str = "s1";
const NONCE_LEN: usize = 12;

/// Why a sealed field or a sealed key could not be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("the sealed field is not in the s1 format")]
    Malformed,
    #[error("the sealed field failed authentication: altered, moved, or sealed under another key")]
    Forged,
    #[error("the data key could not be opened: {0}")]
    Key(#[from] CipherError),
}

/// Which key a sealed field was sealed under; written into the field so a reader knows which
/// KV entry to fetch.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KeyRef {
    /// The host's data key with this id (`hosts.data_key_id`).
    Host(String),
    /// The booking's own key, used while the host's key is not visible in this location yet
    /// (`store::keys`); it lies under the host's prefix and goes with the host.
    Booking(String),
    /// A connected account's own key (`connections.key_id`): what the connection brings is
    /// sealed under it, and it is deleted with the connection's tokens on disconnect, so a
    /// provider's deletion deadline is met in every copy of the database at once.
    Connection(String),
    /// One waiting email's own key (`store::sealed_notice`): an email that belongs to no
    /// booking (a privacy request's, a notice to a host) is sealed under it, and the key is
    /// deleted once the email left, or expires on its own in KV.
    Notice(String),
}

impl KeyRef {
    fn encode(&self) -> String {
        match self {
            KeyRef::Host(id) => format!("h-{id}"),
            KeyRef::Booking(id) => format!("b-{id}"),
            KeyRef::Connection(id) => format!("c-{id}"),
            KeyRef::Notice(id) => format!("n-{id}"),
        }
    }

    fn decode(text: &str) -> Option<Self> {
        let valid = |id: &str| {
            !id.is_empty()
                && id.len() <= 64
                && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        };
        match text.split_once('-') {
            Some(("h", id)) if valid(id) => Some(KeyRef::Host(id.to_owned())),
            Some(("b", id)) if valid(id) => Some(KeyRef::Booking(id.to_owned())),
            Some(("c", id)) if valid(id) => Some(KeyRef::Connection(id.to_owned())),
            Some(("n", id)) if valid(id) => Some(KeyRef::Notice(id.to_owned())),
            _ => None,
        }
    }

    /// The key a sealed field names, or `None` when the text is not a sealed field (a row
    /// written before sealing, still plaintext until the cron seals it).
    pub fn of_sealed(sealed: &str) -> Option<Self> {
        let mut parts = sealed.splitn(3, '.');
        match (parts.next(), parts.next(), parts.next()) {
            (Some(FORMAT), Some(key), Some(_)) => Self::decode(key),
            _ => None,
        }
    }

    /// Associated data of this key when it is sealed for KV: the host and the key's name.
    fn kv_associated_data(&self, host_id: &str) -> String {
        format!("openslot/data-key/{host_id}/{}", self.encode())
    }
}

/// Whether `text` is a sealed field (as opposed to a plaintext value of a row written before
/// sealing existed).
pub fn is_sealed(text: &str) -> bool {
    KeyRef::of_sealed(text).is_some()
}

/// Where a sealed value belongs: bound into it as associated data.
#[derive(Debug, Clone, Copy)]
pub struct Field<'a> {
    pub table: &'static str,
    pub column: &'static str,
    pub row_id: &'a str,
}

impl Field<'_> {
    fn associated_data(&self) -> Vec<u8> {
        format!("openslot/d1/{}/{}/{}", self.table, self.column, self.row_id).into_bytes()
    }
}

/// A 256-bit data key and the reference sealed fields carry to name it.
#[derive(Clone)]
pub struct DataKey {
    key_ref: KeyRef,
    bytes: [u8; 32],
    cipher: Aes256Gcm,
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataKey")
            .field("key_ref", &self.key_ref)
            .finish_non_exhaustive()
    }
}

impl DataKey {
    /// A new random key for `key_ref`.
    pub fn generate(key_ref: KeyRef) -> Self {
        Self::from_bytes(key_ref, super::random_bytes())
    }

    fn from_bytes(key_ref: KeyRef, bytes: [u8; 32]) -> Self {
        let cipher = Aes256Gcm::new(&bytes.into());
        Self {
            key_ref,
            bytes,
            cipher,
        }
    }

    /// Which key this is.
    pub fn key_ref(&self) -> &KeyRef {
        &self.key_ref
    }

    /// The key as KV stores it: sealed with the instance key, bound to `host_id` and its name.
    pub fn seal_for_kv(&self, instance: &TokenCipher, host_id: &str) -> String {
        let aad = self.key_ref.kv_associated_data(host_id);
        instance.seal_bytes(&aad, &URL_SAFE_NO_PAD.encode(self.bytes))
    }

    /// Opens a key read from KV under the name `key_ref` of `host_id`.
    pub fn open_from_kv(
        instance: &TokenCipher,
        host_id: &str,
        key_ref: KeyRef,
        sealed: &str,
    ) -> Result<Self, SealError> {
        let aad = key_ref.kv_associated_data(host_id);
        let encoded = instance.open_bytes(&aad, sealed)?;
        let bytes: [u8; 32] = URL_SAFE_NO_PAD
            .decode(encoded)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or(SealError::Malformed)?;
        Ok(Self::from_bytes(key_ref, bytes))
    }

    /// Seals `plaintext` for `field` under a fresh random nonce.
    pub fn seal(&self, field: Field<'_>, plaintext: &str) -> String {
        self.seal_with_nonce(field, plaintext, super::random_bytes())
    }

    fn seal_with_nonce(&self, field: Field<'_>, plaintext: &str, nonce: [u8; NONCE_LEN]) -> String {
        let aad = field.associated_data();
        let sealed = self
            .cipher
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: &aad,
                },
            )
            .expect("AES-GCM encryption of an in-memory buffer cannot fail");
        let mut blob = nonce.to_vec();
        blob.extend_from_slice(&sealed);
        format!(
            "{FORMAT}.{}.{}",
            self.key_ref.encode(),
            URL_SAFE_NO_PAD.encode(blob)
        )
    }

    /// Opens a value this key sealed for `field`.
    pub fn open(&self, field: Field<'_>, sealed: &str) -> Result<String, SealError> {
        let mut parts = sealed.splitn(3, '.');
        let (Some(FORMAT), Some(key), Some(body)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(SealError::Malformed);
        };
        if KeyRef::decode(key).as_ref() != Some(&self.key_ref) {
            return Err(SealError::Forged);
        }
        let blob = URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| SealError::Malformed)?;
        if blob.len() < NONCE_LEN + 16 {
            return Err(SealError::Malformed);
        }
        let (nonce, ciphertext) = blob.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| SealError::Malformed)?;
        let aad = field.associated_data();
        let plaintext = self
            .cipher
            .decrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: ciphertext,
                    aad: &aad,
                },
            )
            .map_err(|_| SealError::Forged)?;
        String::from_utf8(plaintext).map_err(|_| SealError::Forged)
    }
}

type HmacSha256 = Hmac<Sha256>;

/// The key of the blind index over email addresses.
#[derive(Clone)]
pub struct IndexKey([u8; 32]);

impl IndexKey {
    /// Derives the index key from the instance secret with its own label, so it never doubles
    /// as the AES key or the manage-link key.
    pub fn derive(instance_secret: &[u8]) -> Self {
        Self(hmac(instance_secret, b"openslot/blind-index-key/v1"))
    }

    /// The index of an email address: case and surrounding space do not matter, as they do not
    /// for the lookups it replaces (`lower(email) = lower(?)`).
    pub fn email(&self, address: &str) -> String {
        let normalized = address.trim().to_lowercase();
        hex(&hmac(&self.0, format!("email\n{normalized}").as_bytes()))
    }

    /// The index of a provider's account id (exact: ids are opaque), for the provider's
    /// webhooks that name an account.
    pub fn account(&self, provider: &str, account_id: &str) -> String {
        hex(&hmac(
            &self.0,
            format!("account\n{provider}\n{account_id}").as_bytes(),
        ))
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn hmac(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut mac = <HmacSha256 as hmac::Mac>::new_from_slice(key)
        .expect("HMAC accepts keys of any length");
    mac.update(message);
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    const INSTANCE_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    fn booking_name(row: &str) -> Field<'_> {
        Field {
            table: "bookings",
            column: "invitee",
            row_id: row,
        }
    }

    #[test]
    fn a_sealed_field_opens_with_its_key_and_shows_no_plaintext() {
        let key = DataKey::generate(KeyRef::Host("k1".into()));
        let sealed = key.seal(booking_name("b1"), "Ada Lovelace");
        assert!(sealed.starts_with("s1.h-k1."), "{sealed}");
        assert!(!sealed.contains("Ada"));
        assert!(is_sealed(&sealed));
        assert_eq!(KeyRef::of_sealed(&sealed), Some(KeyRef::Host("k1".into())));
        assert_eq!(
            key.open(booking_name("b1"), &sealed).unwrap(),
            "Ada Lovelace"
        );
    }

    #[test]
    fn sealing_twice_differs_and_plaintext_is_not_taken_for_sealed() {
        let key = DataKey::generate(KeyRef::Booking("b1".into()));
        let field = booking_name("b1");
        assert_ne!(key.seal(field, "same"), key.seal(field, "same"));
        assert!(!is_sealed("Ada Lovelace"));
        assert!(!is_sealed("ada@example.com"));
        assert!(!is_sealed("[]"));
        assert!(!is_sealed("s1.x-1.AAAA"));
    }

    #[test]
    fn a_field_moved_to_another_row_or_column_or_key_fails_to_open() {
        let key = DataKey::generate(KeyRef::Host("k1".into()));
        let sealed = key.seal(booking_name("b1"), "Ada");
        assert_eq!(
            key.open(booking_name("b2"), &sealed),
            Err(SealError::Forged)
        );
        let other_column = Field {
            table: "bookings",
            column: "other",
            row_id: "b1",
        };
        assert_eq!(key.open(other_column, &sealed), Err(SealError::Forged));
        let other_key = DataKey::generate(KeyRef::Host("k1".into()));
        assert_eq!(
            other_key.open(booking_name("b1"), &sealed),
            Err(SealError::Forged)
        );
    }

    #[test]
    fn flipping_any_byte_fails_authentication() {
        let key = DataKey::generate(KeyRef::Host("k1".into()));
        let sealed = key.seal_with_nonce(booking_name("b1"), "Ada", [3; 12]);
        let body = sealed.rsplit('.').next().unwrap();
        let blob = URL_SAFE_NO_PAD.decode(body).unwrap();
        for index in 0..blob.len() {
            let mut tampered = blob.clone();
            tampered[index] ^= 0x01;
            let forged = format!("s1.h-k1.{}", URL_SAFE_NO_PAD.encode(tampered));
            assert_eq!(
                key.open(booking_name("b1"), &forged),
                Err(SealError::Forged),
                "byte {index}"
            );
        }
    }

    #[test]
    fn a_data_key_round_trips_through_kv_only_for_its_host_and_name() {
        let instance = TokenCipher::new("k1", INSTANCE_KEY, "").unwrap();
        let key = DataKey::generate(KeyRef::Host("abc".into()));
        let stored = key.seal_for_kv(&instance, "host-1");
        let reopened =
            DataKey::open_from_kv(&instance, "host-1", KeyRef::Host("abc".into()), &stored)
                .unwrap();
        let sealed = key.seal(booking_name("b1"), "Ada");
        assert_eq!(reopened.open(booking_name("b1"), &sealed).unwrap(), "Ada");
        assert!(matches!(
            DataKey::open_from_kv(&instance, "host-2", KeyRef::Host("abc".into()), &stored),
            Err(SealError::Key(CipherError::Forged))
        ));
        assert!(matches!(
            DataKey::open_from_kv(&instance, "host-1", KeyRef::Host("abd".into()), &stored),
            Err(SealError::Key(CipherError::Forged))
        ));
    }

    #[test]
    fn the_blind_index_ignores_case_and_space_and_depends_on_the_instance() {
        let index = IndexKey::derive(b"instance secret");
        let ada = index.email("Ada@Example.com ");
        assert_eq!(ada, index.email("ada@example.com"));
        assert_eq!(ada.len(), 64);
        assert!(!ada.contains("ada"));
        assert_ne!(ada, index.email("bob@example.com"));
        assert_ne!(ada, IndexKey::derive(b"other").email("ada@example.com"));
    }

    #[test]
    fn a_connection_key_is_named_in_what_it_seals() {
        let key = DataKey::generate(KeyRef::Connection("c0ffee".into()));
        let sealed = key.seal(booking_name("host-1/zoom"), "zoe@example.com");
        assert!(sealed.starts_with("s1.c-c0ffee."), "{sealed}");
        assert_eq!(
            KeyRef::of_sealed(&sealed),
            Some(KeyRef::Connection("c0ffee".into()))
        );
    }

    #[test]
    fn the_account_index_is_exact_and_bound_to_its_provider() {
        let index = IndexKey::derive(b"instance secret");
        let zoe = index.account("zoom", "KdYKjnimT4KPd8FFgQt9FQ");
        assert_eq!(zoe.len(), 64);
        assert_ne!(zoe, index.account("zoom", "kdykjnimt4kpd8ffgqt9fq"));
        assert_ne!(zoe, index.account("google", "KdYKjnimT4KPd8FFgQt9FQ"));
        assert_ne!(zoe, index.email("KdYKjnimT4KPd8FFgQt9FQ"));
    }
}
