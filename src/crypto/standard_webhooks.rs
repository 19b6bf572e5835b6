//! Signing outgoing webhooks as the Standard Webhooks specification says ("Signature scheme"
//! and "Webhook headers"), so receivers can verify them with the published libraries:
//! `webhook-signature` is a space-separated list of `v1,` + base64(HMAC-SHA256(secret,
//! `{webhook-id}.{webhook-timestamp}.{body}`)), one per secret still valid (the current one
//! and, during a rotation's grace period, the previous one). Secrets are shown to hosts as
//! `whsec_` + base64 of the key bytes.
//!
//! A secret is 256 random bits, kept only sealed with the token cipher (AES-256-GCM under the
//! instance key, bound to the host and the endpoint as associated data), so D1 alone cannot
//! sign and a sealed secret copied to another endpoint does not open.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::token_cipher::{CipherError, TokenCipher, TokenOwner};

/// The prefix of a secret as shown to hosts.
pub const SECRET_PREFIX: &str = "whsec_";

/// The key bytes one endpoint signs with (ours are 256 bits; the specification asks for 24
/// to 64).
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(Vec<u8>);

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecret(…)")
    }
}

impl WebhookSecret {
    /// A fresh random secret for a new endpoint or a rotation.
    pub fn generate() -> Self {
        Self(super::random_bytes::<32>().to_vec())
    }

    /// The secret of these key bytes.
    #[cfg(test)]
    pub fn from_bytes(bytes: &[u8]) -> Self {
        Self(bytes.to_vec())
    }

    /// The secret a host was shown (`whsec_` and base64), if it is one.
    pub fn parse(shown: &str) -> Option<Self> {
        let encoded = shown.strip_prefix(SECRET_PREFIX)?;
        STANDARD.decode(encoded).ok().map(Self)
    }

    /// The secret as the host copies it into their receiver: `whsec_…`.
    pub fn reveal(&self) -> String {
        format!("{SECRET_PREFIX}{}", STANDARD.encode(&self.0))
    }

    /// One `v1,` signature of `body` sent as `webhook_id` at `timestamp` (Unix seconds).
    pub fn sign(&self, webhook_id: &str, timestamp: i64, body: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC accepts any key");
        mac.update(format!("{webhook_id}.{timestamp}.").as_bytes());
        mac.update(body.as_bytes());
        format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
    }
}

/// The associated data that binds a sealed secret to its host and endpoint.
fn purpose(endpoint_id: &str) -> String {
    format!("webhook-secret/{endpoint_id}")
}

/// `secret` sealed for endpoint `endpoint_id` of host `host_id`.
pub fn seal(cipher: &TokenCipher, host_id: &str, endpoint_id: &str, secret: &WebhookSecret) -> String {
    let provider = purpose(endpoint_id);
    cipher.seal(TokenOwner { host_id, provider: &provider }, &secret.reveal())
}

/// The secret `sealed` holds for endpoint `endpoint_id` of host `host_id`.
pub fn open(
    cipher: &TokenCipher,
    host_id: &str,
    endpoint_id: &str,
    sealed: &str,
) -> Result<WebhookSecret, CipherError> {
    let provider = purpose(endpoint_id);
    let shown = cipher.open(TokenOwner { host_id, provider: &provider }, sealed)?;
    WebhookSecret::parse(&shown).ok_or(CipherError::Malformed)
}

/// The `webhook-signature` header: a signature by each of `secrets`, space-separated.
pub fn signature_header(
    secrets: &[WebhookSecret],
    webhook_id: &str,
    timestamp: i64,
    body: &str,
) -> String {
    secrets
        .iter()
        .map(|secret| secret.sign(webhook_id, timestamp, body))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The test vector the specification's reference libraries share (for example
    /// `libraries/python/standardwebhooks/tests.py` of standard-webhooks/standard-webhooks).
    #[test]
    fn signs_the_reference_vector_as_the_reference_libraries_do() {
        let secret = WebhookSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        assert_eq!(
            secret.sign("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, "{\"test\": 2432232314}"),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
        assert_eq!(secret.reveal(), "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        assert!(WebhookSecret::parse("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").is_none());
    }

    #[test]
    fn a_rotation_sends_both_signatures() {
        let current = WebhookSecret::from_bytes(&[1; 32]);
        let previous = WebhookSecret::from_bytes(&[2; 32]);
        let header = signature_header(&[current.clone(), previous.clone()], "msg_1", 1, "{}");
        let parts: Vec<String> = header.split(' ').map(str::to_owned).collect();
        assert_eq!(parts, vec![current.sign("msg_1", 1, "{}"), previous.sign("msg_1", 1, "{}")]);
        assert_ne!(parts[0], parts[1]);
        assert_eq!(format!("{current:?}"), "WebhookSecret(…)");
    }

    #[test]
    fn a_sealed_secret_opens_only_for_its_host_and_endpoint() {
        let cipher = TokenCipher::new("k1", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "").unwrap();
        let secret = WebhookSecret::generate();
        assert_ne!(secret, WebhookSecret::generate());
        let sealed = seal(&cipher, "host-1", "hook-1", &secret);
        assert!(!sealed.contains(&secret.reveal()[6..]));
        assert_eq!(open(&cipher, "host-1", "hook-1", &sealed).unwrap(), secret);
        assert_eq!(open(&cipher, "host-1", "hook-2", &sealed), Err(CipherError::Forged));
        assert_eq!(open(&cipher, "host-2", "hook-1", &sealed), Err(CipherError::Forged));
    }
}
