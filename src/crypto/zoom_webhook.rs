//! Zoom's webhook signatures: the only thing that lets `POST /webhooks/zoom` trust a
//! deauthorization enough to delete data on it.
//!
//! Zoom signs `v0:{x-zm-request-timestamp}:{raw body}` with HMAC-SHA256 under the app's
//! webhook secret token and sends `v0=` + the hex MAC in `x-zm-signature`; the URL validation
//! challenge answers `plainToken` with its hex HMAC under the same secret. Pure: the clock is a
//! parameter, so replay windows are tested natively.

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// How far a signed timestamp may be from our clock, either way: Zoom's own advice is five
/// minutes, and anything older is treated as a replay.
pub const MAX_SKEW_SECONDS: i64 = 5 * 60;

/// Why a webhook was refused. Each is a 401 with nothing changed; the variants exist so the
/// log (and the tests) can say which check failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the x-zm-request-timestamp header is missing or not a number")]
    BadTimestamp,
    #[error("the timestamp is more than five minutes away from now (a replay or a stale copy)")]
    Stale,
    #[error("the x-zm-signature header is missing or not `v0=` and 64 hex digits")]
    Malformed,
    #[error("the signature does not match the body")]
    Mismatch,
}

fn mac(secret: &str) -> HmacSha256 {
    HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC accepts keys of any length")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(text.get(at..at + 2)?, 16).ok())
        .collect()
}

/// The `encryptedToken` answering Zoom's `endpoint.url_validation` challenge: hex
/// HMAC-SHA256 of `plain_token` under the webhook secret.
pub fn url_validation_answer(secret: &str, plain_token: &str) -> String {
    let mut mac = mac(secret);
    mac.update(plain_token.as_bytes());
    hex(&mac.finalize().into_bytes())
}

/// The `x-zm-signature` Zoom would send for `body` at `timestamp` (for tests and tooling).
#[cfg(not(target_arch = "wasm32"))]
pub fn sign(secret: &str, timestamp: &str, body: &[u8]) -> String {
    let mut mac = mac(secret);
    mac.update(format!("v0:{timestamp}:").as_bytes());
    mac.update(body);
    format!("v0={}", hex(&mac.finalize().into_bytes()))
}

/// Checks a webhook's headers against its raw body at `now` (Unix seconds): the timestamp must
/// be within [`MAX_SKEW_SECONDS`] and the signature must match, compared in constant time.
pub fn verify(
    secret: &str,
    timestamp: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
    now: i64,
) -> Result<(), SignatureError> {
    let timestamp = timestamp.map(str::trim).unwrap_or_default();
    let seconds: i64 = timestamp
        .parse()
        .ok()
        .filter(|_| !timestamp.is_empty() && timestamp.bytes().all(|b| b.is_ascii_digit()))
        .ok_or(SignatureError::BadTimestamp)?;
    // Zoom documents seconds; accept milliseconds too rather than refuse a correct sender.
    let seconds = if seconds > 100_000_000_000 {
        seconds / 1000
    } else {
        seconds
    };
    if (now - seconds).abs() > MAX_SKEW_SECONDS {
        return Err(SignatureError::Stale);
    }
    let sent = signature
        .map(str::trim)
        .and_then(|s| s.strip_prefix("v0="))
        .filter(|hex| hex.len() == 64)
        .and_then(unhex)
        .ok_or(SignatureError::Malformed)?;
    let mut mac = mac(secret);
    mac.update(format!("v0:{timestamp}:").as_bytes());
    mac.update(body);
    // `verify_slice` compares in constant time.
    mac.verify_slice(&sent)
        .map_err(|_| SignatureError::Mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "zoom-webhook-secret";
    const BODY: &[u8] = br#"{"event":"app_deauthorized","payload":{"user_id":"u1"}}"#;

    #[test]
    fn a_signature_made_with_the_secret_verifies() {
        let signature = sign(SECRET, "1700000000", BODY);
        assert!(signature.starts_with("v0=") && signature.len() == 67);
        assert_eq!(
            verify(
                SECRET,
                Some("1700000000"),
                Some(&signature),
                BODY,
                1_700_000_100
            ),
            Ok(())
        );
    }

    #[test]
    fn the_mac_is_hmac_sha256_of_the_documented_message() {
        // RFC 4231 test case 2, through the same code path as the challenge answer.
        assert_eq!(
            url_validation_answer("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let mut mac = mac(SECRET);
        mac.update(b"v0:1700000000:");
        mac.update(BODY);
        assert_eq!(
            sign(SECRET, "1700000000", BODY),
            format!("v0={}", hex(&mac.finalize().into_bytes()))
        );
    }

    #[test]
    fn another_secret_body_or_timestamp_does_not_verify() {
        let signature = sign(SECRET, "1700000000", BODY);
        let now = 1_700_000_000;
        assert_eq!(
            verify("other", Some("1700000000"), Some(&signature), BODY, now),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(SECRET, Some("1700000000"), Some(&signature), b"{}", now),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(SECRET, Some("1700000001"), Some(&signature), BODY, now),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn old_or_future_timestamps_are_refused_as_replays() {
        let signature = sign(SECRET, "1700000000", BODY);
        let at = |now| verify(SECRET, Some("1700000000"), Some(&signature), BODY, now);
        assert_eq!(at(1_700_000_000 + 300), Ok(()));
        assert_eq!(at(1_700_000_000 + 301), Err(SignatureError::Stale));
        assert_eq!(at(1_700_000_000 - 301), Err(SignatureError::Stale));
    }

    #[test]
    fn missing_or_malformed_headers_are_refused() {
        let good = sign(SECRET, "1700000000", BODY);
        let now = 1_700_000_000;
        assert_eq!(
            verify(SECRET, None, Some(&good), BODY, now),
            Err(SignatureError::BadTimestamp)
        );
        assert_eq!(
            verify(SECRET, Some("-5"), Some(&good), BODY, now),
            Err(SignatureError::BadTimestamp)
        );
        assert_eq!(
            verify(SECRET, Some("1700000000"), None, BODY, now),
            Err(SignatureError::Malformed)
        );
        for bad in [&good[3..], "v1=00", "v0=zz", "v0=", "v0=ä"] {
            assert_eq!(
                verify(SECRET, Some("1700000000"), Some(bad), BODY, now),
                Err(SignatureError::Malformed),
                "{bad}"
            );
        }
        let mut flipped = good.clone();
        flipped.replace_range(10..11, if &good[10..11] == "0" { "1" } else { "0" });
        assert_eq!(
            verify(SECRET, Some("1700000000"), Some(&flipped), BODY, now),
            Err(SignatureError::Mismatch)
        );
    }
}
