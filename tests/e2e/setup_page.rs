//! The operator's first-run page `/setup` (src/setup.rs): on an instance missing required
//! settings it lists each one with the command that sets it and repeats no value; with the
//! migrations never applied it says so; a complete instance has nothing required left.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::support::http::{get, get_with};
use crate::support::other_worker::OtherWorker;
use crate::support::world::repo_root;

/// A value planted in a setting: it must never appear on the page.
const MARKER: &str = "SETUPMARKER-51c9";

#[test]
fn a_half_configured_instance_lists_every_missing_setting_without_its_value() {
    let key = format!("TOKEN_ENCRYPTION_KEY:{MARKER}");
    let worker = OtherWorker::start(
        "setup",
        &[
            "PUBLIC_BASE_URL:",
            "EMAIL_API_KEY:",
            &key,
            "SIGNUP_POLICY:closed",
        ],
    );
    let page = get(&format!("{}/setup", worker.base_url));
    assert_eq!(page.status, 200, "{}", page.body);
    for expected in [
        "<h2>Required</h2>",
        "TOKEN_ENCRYPTION_KEY",
        "head -c 32 /dev/urandom | base64 | npx wrangler secret put TOKEN_ENCRYPTION_KEY",
        "PUBLIC_BASE_URL",
        "wrangler.toml",
    ] {
        assert!(page.body.contains(expected), "{expected}: {}", page.body);
    }
    assert!(!page.body.contains(MARKER), "{}", page.body);

    let text = get_with(
        &format!("{}/setup", worker.base_url),
        &[("Accept", "text/plain")],
    );
    assert_eq!(text.status, 200);
    let lines: Vec<&str> = text.body.lines().collect();
    assert!(
        lines[0].starts_with("required\tTOKEN_ENCRYPTION_KEY\t"),
        "{}",
        text.body
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("required\tPUBLIC_BASE_URL\t")),
        "{}",
        text.body
    );
    assert!(!text.body.contains(MARKER));

    // Every other page names the first missing setting and points here.
    let signin = get(&format!("{}/auth/signin", worker.base_url));
    assert_eq!(signin.status, 500, "{}", signin.body);
    assert!(signin.body.contains("/setup"), "{}", signin.body);
    assert!(!signin.body.contains(MARKER), "{}", signin.body);
}

#[test]
fn a_database_without_its_tables_is_named_with_the_migration_command() {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let state_dir = repo_root().join(format!(
        "target/e2e/setup-unmigrated-{}-{nanos}",
        std::process::id()
    ));
    std::fs::create_dir_all(&state_dir).unwrap();
    let worker = OtherWorker::start_in(state_dir, &[]);
    let text = get_with(
        &format!("{}/setup", worker.base_url),
        &[("Accept", "text/plain")],
    );
    assert_eq!(text.status, 200, "{}", text.body);
    assert!(
        text.body
            .lines()
            .any(|l| l.starts_with("required\tDB\t")
                && l.contains("d1 migrations apply DB --remote")),
        "{}",
        text.body
    );
}

#[test]
fn the_suites_complete_instance_has_nothing_required_left() {
    let page = get("/setup");
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(!page.body.contains("<h2>Required</h2>"), "{}", page.body);
}
