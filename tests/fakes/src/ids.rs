//! Identifiers and tokens that look like the providers' and never repeat within a run.
//!
//! Not cryptographic: SHA-256 over a process-wide counter, the start time and the
//! process id. Unpredictability does not matter for a local fake; uniqueness does.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn fresh(n: usize) -> Vec<u8> {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let mut out = Vec::with_capacity(n + 32);
    while out.len() < n {
        let c = COUNTER.fetch_add(1, Ordering::Relaxed);
        let mut h = Sha256::new();
        h.update(c.to_le_bytes());
        h.update(nanos.to_le_bytes());
        h.update(std::process::id().to_le_bytes());
        out.extend_from_slice(&h.finalize());
    }
    out.truncate(n);
    out
}

/// An opaque token: `prefix` followed by `n` fresh bytes in base64url.
pub fn token(prefix: &str, n: usize) -> String {
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(fresh(n)))
}

/// `n` fresh lowercase hex digits.
pub fn hex(n: usize) -> String {
    fresh(n.div_ceil(2))
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>()[..n]
        .to_string()
}

/// A random-looking UUID (v4 layout), as Resend ids and Microsoft trace ids are.
pub fn uuid() -> String {
    let h = hex(32);
    format!(
        "{}-{}-4{}-a{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

/// `n` fresh characters from `alphabet`.
pub fn from_alphabet(alphabet: &[u8], n: usize) -> String {
    fresh(n)
        .iter()
        .map(|b| alphabet[*b as usize % alphabet.len()] as char)
        .collect()
}

/// A fresh number with exactly `digits` decimal digits (Zoom meeting ids have 10-11).
pub fn number(digits: u32) -> u64 {
    let low = 10u64.pow(digits - 1);
    let bytes = fresh(8);
    let v = u64::from_le_bytes(bytes.try_into().unwrap_or([7; 8]));
    low + v % (low * 9)
}

/// A stable identifier derived from `input`: the same account always gets the same `sub`.
pub fn stable(input: &str, alphabet: &[u8], n: usize) -> String {
    let mut out = String::new();
    let mut round = 0u32;
    while out.len() < n {
        let d = Sha256::new()
            .chain_update(round.to_le_bytes())
            .chain_update(input.as_bytes())
            .finalize();
        out.extend(
            d.iter()
                .map(|b| alphabet[*b as usize % alphabet.len()] as char),
        );
        round += 1;
    }
    out.truncate(n);
    out
}

/// Lowercase hex digits.
pub const HEX: &[u8] = b"0123456789abcdef";
/// Decimal digits.
pub const DIGITS: &[u8] = b"0123456789";
/// Google Calendar event ids use base32hex: lowercase a-v and digits.
pub const BASE32HEX: &[u8] = b"abcdefghijklmnopqrstuv0123456789";
/// Lowercase letters, for Meet codes like `abc-defg-hij`.
pub const LOWER: &[u8] = b"abcdefghijklmnopqrstuvwxyz";
/// Letters and digits.
pub const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// A UUID-shaped stable identifier (Microsoft object ids).
pub fn stable_uuid(input: &str) -> String {
    let h = stable(input, HEX, 32);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}
