//! Cryptography the Worker needs, kept free of `worker` so it is tested natively.
//!
//! Every primitive comes from a RustCrypto crate; this module only decides formats.

pub mod data_key;
pub mod digest;
pub mod link_token;
pub mod standard_webhooks;
pub mod token_cipher;
pub mod zoom_webhook;

/// Fills a buffer from the platform's secure random source (Web Crypto on Workers).
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).expect("the platform has a secure random source");
    bytes
}

/// `N` random bytes as lower-case hex: ids and keys that are safe in URLs and logs.
pub fn random_hex<const N: usize>() -> String {
    random_bytes::<N>()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}
