//! Listing KV by prefix: the host's entries to delete with the host, the data keys to re-seal
//! after a key rotation.

use worker::kv::{Key, KvError, KvStore};

/// Every key under `prefix` with its expiry and metadata, read page by page (KV lists at most
/// 1,000 names per call).
pub async fn list_kv(kv: &KvStore, prefix: &str) -> Result<Vec<Key>, KvError> {
    let mut keys = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut list = kv.list().prefix(prefix.to_owned()).limit(1000);
        if let Some(cursor) = cursor.take() {
            list = list.cursor(cursor);
        }
        let page = list.execute().await?;
        keys.extend(page.keys);
        match page.cursor.filter(|c| !page.list_complete && !c.is_empty()) {
            Some(next) => cursor = Some(next),
            None => return Ok(keys),
        }
    }
}
