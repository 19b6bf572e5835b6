//! Manage-link tokens for bookings: derived, not stored.
//!
//! A token is `base64url(HMAC-SHA256(link key, host id ‖ idempotency key))`, 256 bits. The same
//! request (same idempotency key) therefore gets the same link back on a retry, while D1 only
//! keeps the token's SHA-256, so a database reader cannot act on a booking. The link key is
//! derived from the instance secret with a fixed label, so it never doubles as the AES key.

use std::cell::OnceCell;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Key for deriving manage-link tokens.
///
/// Derived from the instance secret on first use, so a request that makes no manage link
/// (most of them) does not pay for the HMAC.
#[derive(Clone)]
pub struct LinkKey {
    instance_secret: Vec<u8>,
    key: OnceCell<[u8; 32]>,
}

impl LinkKey {
    /// The link key of the instance's secret key material.
    pub fn derive(instance_secret: &[u8]) -> Self {
        Self {
            instance_secret: instance_secret.to_vec(),
            key: OnceCell::new(),
        }
    }

    /// The token for the booking a host's request with `idempotency_key` created.
    pub fn manage_token(&self, host_id: &str, idempotency_key: &str) -> String {
        let message = format!("manage\n{host_id}\n{idempotency_key}");
        URL_SAFE_NO_PAD.encode(hmac_sha256(self.key(), message.as_bytes()))
    }

    /// The token of the single-use booking link `link_id`: derived, so D1 keeps only its
    /// hash while the host's dashboard can still show a link nobody has used.
    pub fn single_use_token(&self, link_id: &str) -> String {
        let message = format!("single-use\n{link_id}");
        URL_SAFE_NO_PAD.encode(hmac_sha256(self.key(), message.as_bytes()))
    }

    /// The token of the privacy link sent by the queued email `email_id`, 64 hex digits.
    /// Derived, not stored, so the waiting email in D1 need not hold it (D1 keeps its hash).
    pub fn privacy_token(&self, email_id: &str) -> String {
        let message = format!("privacy\n{email_id}");
        hmac_sha256(self.key(), message.as_bytes())
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect()
    }

    fn key(&self) -> &[u8; 32] {
        self.key
            .get_or_init(|| hmac_sha256(&self.instance_secret, b"openslot/link-token-key/v1"))
    }
}

fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// Whether `text` looks like a manage token (43 base64url characters) before we hash it.
pub fn is_well_formed(text: &str) -> bool {
    text.len() == 43
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_request_gets_the_same_token_and_others_differ() {
        let key = LinkKey::derive(b"instance secret");
        let token = key.manage_token("host-1", "key-aaaaaaaaaaaaaaaa");
        assert!(is_well_formed(&token));
        assert_eq!(token, key.manage_token("host-1", "key-aaaaaaaaaaaaaaaa"));
        assert_ne!(token, key.manage_token("host-2", "key-aaaaaaaaaaaaaaaa"));
        assert_ne!(token, key.manage_token("host-1", "key-aaaaaaaaaaaaaaab"));
        assert_ne!(
            token,
            LinkKey::derive(b"other secret").manage_token("host-1", "key-aaaaaaaaaaaaaaaa")
        );
    }

    #[test]
    fn privacy_tokens_are_hex_per_email_and_per_key() {
        let key = LinkKey::derive(b"instance secret");
        let token = key.privacy_token("e1");
        assert_eq!(token.len(), 64);
        assert!(token.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(token, key.privacy_token("e1"));
        assert_ne!(token, key.privacy_token("e2"));
        assert_ne!(token, LinkKey::derive(b"other").privacy_token("e1"));
        assert_ne!(token, key.manage_token("e1", ""));
    }

    #[test]
    fn single_use_tokens_are_per_link_and_per_key_and_never_a_manage_token() {
        let key = LinkKey::derive(b"instance secret");
        let token = key.single_use_token("l1");
        assert!(is_well_formed(&token));
        assert_eq!(token, key.single_use_token("l1"));
        assert_ne!(token, key.single_use_token("l2"));
        assert_ne!(token, LinkKey::derive(b"other").single_use_token("l1"));
        assert_ne!(token, key.manage_token("single-use", "l1"));
    }

    #[test]
    fn hmac_matches_rfc_4231_test_case_2() {
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn malformed_tokens_are_recognised_before_any_lookup() {
        assert!(!is_well_formed("short"));
        assert!(!is_well_formed(&"a".repeat(42)));
        assert!(!is_well_formed(&format!("{}=", "a".repeat(42))));
    }
}
