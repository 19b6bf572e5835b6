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

/// Every key name in `TOKENS`.
pub fn keys() -> Vec<String> {
    let keys: serde_json::Value = serde_json::from_slice(&kv(&["list"])).unwrap_or_default();
    keys.as_array()
        .into_iter()
        .flatten()
        .filter_map(|k| k["name"].as_str().map(str::to_owned))
        .collect()
}

/// The raw stored value of `key`.
pub fn value(key: &str) -> String {
    String::from_utf8_lossy(&kv(&["get", key])).into_owned()
}

/// Stores `value` under `key`, as the Worker would.
pub fn put(key: &str, value: &str) {
    kv(&["put", key, value]);
}

/// The raw stored value of `key` in a second Worker's state.
pub fn value_in(state_dir: &Path, key: &str) -> String {
    String::from_utf8_lossy(&kv_in(state_dir, &["get", key])).into_owned()
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
    let keys = keys();
    let mut dump = keys.join("\n");
    for key in &keys {
        dump.push('\n');
        dump.push_str(&value(key));
    }
    dump
}
