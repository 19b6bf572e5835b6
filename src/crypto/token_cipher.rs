//! Sealing OAuth refresh tokens for KV with AES-256-GCM.
//!
//! A sealed value reads `v1.{key_id}.{base64url(nonce ‖ ciphertext ‖ tag)}`:
//! - a fresh random 96-bit nonce per seal, so sealing the same token twice never repeats;
//! - associated data `openslot/refresh-token/{host_id}/{provider}`, so a value copied to another
//!   host's or provider's key fails to open instead of granting access;
//! - the key id names which key of the ring sealed it, so keys can be rotated: new seals use the
//!   current key, old values still open with a retired key until they are rewritten.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;

const FORMAT_VERSION: &str = "v1";
const NONCE_LEN: usize = 12;
const KEY_LEN: usize = 32;

/// Why a key ring could not be built or a sealed value could not be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CipherError {
    #[error("the token encryption key must be 32 bytes of standard base64 ({0})")]
    BadKey(String),
    #[error("a token encryption key id must be 1 to 16 letters, digits, '-' or '_'")]
    BadKeyId,
    #[error("the sealed token is not in the v1 format")]
    Malformed,
    #[error("the sealed token names key '{0}', which this instance does not have")]
    UnknownKey(String),
    #[error("the sealed token failed authentication: it was altered or belongs to another host or provider")]
    Forged,
}

/// Who a sealed token belongs to; bound into the ciphertext as associated data.
#[derive(Debug, Clone, Copy)]
pub struct TokenOwner<'a> {
    pub host_id: &'a str,
    pub provider: &'a str,
}

impl TokenOwner<'_> {
    fn associated_data(&self) -> Vec<u8> {
        format!("openslot/refresh-token/{}/{}", self.host_id, self.provider).into_bytes()
    }
}

/// The current sealing key plus retired keys that may still open old values.
///
/// Keys are kept as checked bytes; the AES key schedule is built only when a value is sealed
/// or opened, so the many requests that never touch a token do not pay for it.
#[derive(Clone)]
pub struct TokenCipher {
    current_id: String,
    keys: Vec<(String, [u8; KEY_LEN])>,
}

impl TokenCipher {
    /// Builds the ring from the current key and `retired`, a list of `id:base64key` pairs
    /// separated by commas (empty when no key was rotated yet).
    pub fn new(
        current_id: &str,
        current_key_b64: &str,
        retired: &str,
    ) -> Result<Self, CipherError> {
        let mut keys = vec![(valid_key_id(current_id)?, parse_key(current_key_b64)?)];
        for pair in retired.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (id, key) = pair.split_once(':').ok_or(CipherError::BadKeyId)?;
            keys.push((valid_key_id(id)?, parse_key(key)?));
        }
        Ok(Self {
            current_id: current_id.to_owned(),
            keys,
        })
    }

    /// Seals `plaintext` for `owner` with the current key and the given fresh nonce.
    pub fn seal_with_nonce(
        &self,
        owner: TokenOwner<'_>,
        plaintext: &str,
        nonce: [u8; NONCE_LEN],
    ) -> String {
        self.seal_aad_with_nonce(&owner.associated_data(), plaintext, nonce)
    }

    /// Seals `plaintext` under associated data `aad` of the caller's choosing (other secrets
    /// the instance key protects, such as hosts' data keys, name themselves there).
    pub fn seal_bytes(&self, aad: &str, plaintext: &str) -> String {
        self.seal_aad_with_nonce(aad.as_bytes(), plaintext, super::random_bytes())
    }

    /// Opens a value sealed by [`Self::seal_bytes`] with the same `aad`.
    pub fn open_bytes(&self, aad: &str, sealed: &str) -> Result<String, CipherError> {
        self.open_aad(aad.as_bytes(), sealed)
    }

    fn seal_aad_with_nonce(&self, aad: &[u8], plaintext: &str, nonce: [u8; NONCE_LEN]) -> String {
        let cipher = aes(&self.keys[0].1);
        let sealed = cipher
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: plaintext.as_bytes(),
                    aad,
                },
            )
            .expect("AES-GCM encryption of an in-memory buffer cannot fail");
        let mut blob = nonce.to_vec();
        blob.extend_from_slice(&sealed);
        format!(
            "{FORMAT_VERSION}.{}.{}",
            self.current_id,
            URL_SAFE_NO_PAD.encode(blob)
        )
    }

    /// Seals `plaintext` for `owner` under a fresh random nonce.
    pub fn seal(&self, owner: TokenOwner<'_>, plaintext: &str) -> String {
        self.seal_with_nonce(owner, plaintext, super::random_bytes())
    }

    /// Opens a value sealed by this ring for the same `owner`.
    pub fn open(&self, owner: TokenOwner<'_>, sealed: &str) -> Result<String, CipherError> {
        self.open_aad(&owner.associated_data(), sealed)
    }

    fn open_aad(&self, aad: &[u8], sealed: &str) -> Result<String, CipherError> {
        let mut parts = sealed.splitn(3, '.');
        let (Some(FORMAT_VERSION), Some(key_id), Some(body)) =
            (parts.next(), parts.next(), parts.next())
        else {
            return Err(CipherError::Malformed);
        };
        let cipher = self
            .keys
            .iter()
            .find(|(id, _)| id == key_id)
            .map(|(_, key)| aes(key))
            .ok_or_else(|| CipherError::UnknownKey(key_id.to_owned()))?;
        let blob = URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| CipherError::Malformed)?;
        if blob.len() < NONCE_LEN + 16 {
            return Err(CipherError::Malformed);
        }
        let (nonce, ciphertext) = blob.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| CipherError::Malformed)?;
        let plaintext = cipher
            .decrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: ciphertext,
                    aad,
                },
            )
            .map_err(|_| CipherError::Forged)?;
        String::from_utf8(plaintext).map_err(|_| CipherError::Forged)
    }

    /// Whether the ring holds retired keys, i.e. an operator rotated and old values may
    /// still need sealing again (the scheduled re-sealing has nothing to do otherwise).
    pub fn has_retired_keys(&self) -> bool {
        self.keys.len() > 1
    }

    /// The id of the key new values are sealed under (`TOKEN_ENCRYPTION_KEY_ID`).
    pub fn current_key_id(&self) -> &str {
        &self.current_id
    }

    /// Whether `sealed` was made with a retired key and should be sealed again.
    pub fn needs_reseal(&self, sealed: &str) -> bool {
        sealed.split('.').nth(1) != Some(self.current_id.as_str())
    }
}

fn valid_key_id(id: &str) -> Result<String, CipherError> {
    let ok = (1..=16).contains(&id.len())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    ok.then(|| id.to_owned()).ok_or(CipherError::BadKeyId)
}

fn parse_key(b64: &str) -> Result<[u8; KEY_LEN], CipherError> {
    let bytes = STANDARD
        .decode(b64.trim())
        .map_err(|e| CipherError::BadKey(e.to_string()))?;
    <[u8; KEY_LEN]>::try_from(bytes.as_slice())
        .map_err(|_| CipherError::BadKey(format!("got {} bytes", bytes.len())))
}

/// The AES-256-GCM cipher of a checked key (its key schedule), built where it is used.
fn aes(key: &[u8; KEY_LEN]) -> Aes256Gcm {
    Aes256Gcm::new(key.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY_A: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="; // bytes 0..32
    const KEY_B: &str = "Hx4dHBsaGRgXFhUUExIREA8ODQwLCgkIBwYFBAMCAQA="; // bytes 31..=0
    const ANA_GOOGLE: TokenOwner<'static> = TokenOwner {
        host_id: "host-ana",
        provider: "google",
    };

    #[test]
    fn a_sealed_token_opens_for_its_owner_and_shows_no_plaintext() {
        let ring = TokenCipher::new("k1", KEY_A, "").unwrap();
        let sealed = ring.seal(ANA_GOOGLE, "1//refresh-secret-value");
        assert!(sealed.starts_with("v1.k1."));
        assert!(!sealed.contains("refresh-secret-value"));
        assert_eq!(
            ring.open(ANA_GOOGLE, &sealed).unwrap(),
            "1//refresh-secret-value"
        );
    }

    #[test]
    fn sealing_twice_uses_fresh_nonces() {
        let ring = TokenCipher::new("k1", KEY_A, "").unwrap();
        assert_ne!(ring.seal(ANA_GOOGLE, "same"), ring.seal(ANA_GOOGLE, "same"));
    }

    #[test]
    fn flipping_any_byte_fails_authentication() {
        let ring = TokenCipher::new("k1", KEY_A, "").unwrap();
        let sealed = ring.seal_with_nonce(ANA_GOOGLE, "refresh", [7; 12]);
        let body = sealed.rsplit('.').next().unwrap();
        let blob = URL_SAFE_NO_PAD.decode(body).unwrap();
        for index in 0..blob.len() {
            let mut tampered = blob.clone();
            tampered[index] ^= 0x01;
            let forged = format!("v1.k1.{}", URL_SAFE_NO_PAD.encode(tampered));
            assert_eq!(
                ring.open(ANA_GOOGLE, &forged),
                Err(CipherError::Forged),
                "byte {index}"
            );
        }
    }

    #[test]
    fn a_token_read_as_another_host_or_provider_fails() {
        let ring = TokenCipher::new("k1", KEY_A, "").unwrap();
        let sealed = ring.seal(ANA_GOOGLE, "refresh");
        let other_host = TokenOwner {
            host_id: "host-bob",
            provider: "google",
        };
        let other_provider = TokenOwner {
            host_id: "host-ana",
            provider: "zoom",
        };
        assert_eq!(ring.open(other_host, &sealed), Err(CipherError::Forged));
        assert_eq!(ring.open(other_provider, &sealed), Err(CipherError::Forged));
    }

    #[test]
    fn a_rotated_ring_opens_old_values_and_seals_with_the_new_key() {
        let old_ring = TokenCipher::new("k1", KEY_A, "").unwrap();
        let old_value = old_ring.seal(ANA_GOOGLE, "refresh");
        let new_ring = TokenCipher::new("k2", KEY_B, &format!("k1:{KEY_A}")).unwrap();
        assert_eq!(new_ring.open(ANA_GOOGLE, &old_value).unwrap(), "refresh");
        assert!(new_ring.needs_reseal(&old_value));
        let new_value = new_ring.seal(ANA_GOOGLE, "refresh");
        assert!(new_value.starts_with("v1.k2."));
        assert!(!new_ring.needs_reseal(&new_value));
        assert_eq!(
            old_ring.open(ANA_GOOGLE, &new_value),
            Err(CipherError::UnknownKey("k2".into()))
        );
    }

    #[test]
    fn malformed_values_and_keys_are_rejected_with_clear_errors() {
        let ring = TokenCipher::new("k1", KEY_A, "").unwrap();
        assert_eq!(
            ring.open(ANA_GOOGLE, "plaintext-token"),
            Err(CipherError::Malformed)
        );
        assert_eq!(
            ring.open(ANA_GOOGLE, "v1.k1.%%%"),
            Err(CipherError::Malformed)
        );
        assert_eq!(
            ring.open(ANA_GOOGLE, "v1.k1.AAAA"),
            Err(CipherError::Malformed)
        );
        assert!(matches!(
            TokenCipher::new("k1", "c2hvcnQ=", ""),
            Err(CipherError::BadKey(_))
        ));
        assert_eq!(
            TokenCipher::new("bad id!", KEY_A, "").err(),
            Some(CipherError::BadKeyId)
        );
    }
}
