//! Reading the Worker's KV namespace `TOKENS` straight from the local state directory, the
//! way an attacker with a copy of the storage would.

use super::world::{world, wrangler};

/// Every key name in `TOKENS`.
pub fn keys() -> Vec<String> {
    let list = wrangler()
        .args([
            "kv",
            "key",
            "list",
            "--binding",
            "TOKENS",
            "--local",
            "--persist-to",
        ])
        .arg(&world().state_dir)
        .output()
        .expect("wrangler runs");
    assert!(
        list.status.success(),
        "{}",
        String::from_utf8_lossy(&list.stderr)
    );
    let keys: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap_or_default();
    keys.as_array()
        .into_iter()
        .flatten()
        .filter_map(|k| k["name"].as_str().map(str::to_owned))
        .collect()
}

/// The raw stored value of `key`.
pub fn value(key: &str) -> String {
    let value = wrangler()
        .args([
            "kv",
            "key",
            "get",
            key,
            "--binding",
            "TOKENS",
            "--local",
            "--persist-to",
        ])
        .arg(&world().state_dir)
        .output()
        .expect("wrangler runs");
    String::from_utf8_lossy(&value.stdout).into_owned()
}

/// Deletes `key`, as KV's own expiry would.
pub fn delete(key: &str) {
    let deleted = wrangler()
        .args([
            "kv",
            "key",
            "delete",
            key,
            "--binding",
            "TOKENS",
            "--local",
            "--persist-to",
        ])
        .arg(&world().state_dir)
        .output()
        .expect("wrangler runs");
    assert!(
        deleted.status.success(),
        "{}",
        String::from_utf8_lossy(&deleted.stderr)
    );
}
