//! Named to start last: by then the Worker has logged what the rest of the suite made it do.
//! The same scan runs again when the test binary exits, over the complete log (see
//! `support::log_scan`), so a test that finishes after this one is still covered.

use crate::support::log_scan::findings;
use crate::support::world::world;

/// [P24] The Worker's log holds no invitee name or email address, nor any other address: the
/// whole suite's output is scanned for every one it used.
#[test]
fn the_worker_log_holds_no_names_or_addresses() {
    // Make sure the log has something in it even when this test runs alone.
    crate::privacy::book(
        &crate::privacy::host("Log Scan Host"),
        16,
        "Lou Logscan-Ptwentyfour",
        "lou.p24@example.com",
    );
    let log = world().worker_log();
    assert!(!log.is_empty());
    let found = findings(&log);
    assert!(
        found.is_empty(),
        "personal data in the Worker's log ({}): {found:?}",
        world().log_path.display()
    );
}
