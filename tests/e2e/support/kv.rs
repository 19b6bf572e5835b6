//! Reading the Worker's KV namespace `TOKENS` straight from the local state directory, the
//! way an attacker with a copy of the storage would.

use std::path::Path;

use super::world::{world, wrangler};

/// Runs `wrangler kv key <args> --binding TOKENS --local` on the suite's state; its stdout.
fn kv(args: &[&str]) -> Vec<u8> {
    kv_in(&world().state_dir, args)
}

/// [`kv`] on the state of a second Worker.
fn kv_in(state_dir: &Path, args: &[&str]) -> Vec<u8> {
    let output = wrangler()
        .args(["kv", "key"])
        .args(args)
        .args(["--binding", "TOKENS", "--local", "--persist-to"])
        .arg(state_dir)
        .output()
        .expect("wrangler runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

/// The live entries of `TOKENS` in `state_dir`, `(key, blob id)`, read straight from the
/// local KV's SQLite index (miniflare's `_mf_entries`; values are files named by blob id):
/// one wrangler process per key made a dump of a few hundred keys take minutes.
fn entries_in(state_dir: &Path) -> Vec<(String, String)> {
    let dir = state_dir.join("v3/kv/miniflare-KVNamespaceObject");
    let Ok(listing) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let mut entries = Vec::new();
    for path in listing.map(|entry| entry.expect("a directory entry").path()) {
        if path.extension().is_none_or(|ext| ext != "sqlite")
            || path
                .file_name()
                .is_some_and(|name| name == "metadata.sqlite")
        {
            continue;
        }
        let db = rusqlite::Connection::open(&path).expect("the local KV index opens");
        db.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
        let mut query = db
            .prepare(
                "SELECT key, blob_id FROM _mf_entries \
                 WHERE expiration IS NULL OR expiration > ?1 ORDER BY key",
            )
            .expect("the KV index has _mf_entries");
        let rows = query
            .query_map([now_ms], |row| Ok((row.get(0)?, row.get(1)?)))
            .expect("the KV index reads");
        entries.extend(rows.map(|row| row.expect("a KV entry")));
    }
    entries
}

/// The stored value of blob `blob_id` in `state_dir`'s KV.
fn blob_in(state_dir: &Path, blob_id: &str) -> String {
    let path = state_dir.join("v3/kv/TOKENS/blobs").join(blob_id);
    String::from_utf8_lossy(&std::fs::read(&path).unwrap_or_default()).into_owned()
}

/// Every key name in `TOKENS`.
pub fn keys() -> Vec<String> {
    keys_in(&world().state_dir)
}

/// Every key name in a second Worker's `TOKENS`.
pub fn keys_in(state_dir: &Path) -> Vec<String> {
    entries_in(state_dir)
        .into_iter()
        .map(|(key, _)| key)
        .collect()
}

/// The raw stored value of `key` (empty when there is none).
pub fn value(key: &str) -> String {
    value_in(&world().state_dir, key)
}

/// Stores `value` under `key`, as the Worker would.
pub fn put(key: &str, value: &str) {
    kv(&["put", key, value]);
}

/// The raw stored value of `key` in a second Worker's state (empty when there is none).
pub fn value_in(state_dir: &Path, key: &str) -> String {
    entries_in(state_dir)
        .into_iter()
        .find(|(name, _)| name == key)
        .map(|(_, blob)| blob_in(state_dir, &blob))
        .unwrap_or_default()
}

/// Stores `value` under `key` in a second Worker's state.
pub fn put_in(state_dir: &Path, key: &str, value: &str) {
    kv_in(state_dir, &["put", key, value]);
}

/// Deletes `key`, as KV's own expiry would.
pub fn delete(key: &str) {
    kv(&["delete", key]);
}

/// Every key and value, as one text: what a copy of the namespace would show.
pub fn dump() -> String {
    let state_dir = &world().state_dir;
    let entries = entries_in(state_dir);
    let mut dump: Vec<String> = entries.iter().map(|(key, _)| key.clone()).collect();
    dump.extend(entries.iter().map(|(_, blob)| blob_in(state_dir, blob)));
    dump.join("\n")
}
