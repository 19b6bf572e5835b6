//! The JSON API against its own description: schemathesis (from PyPI, pinned in
//! tests/support/install.sh) generates requests from `openapi.yaml`, valid and invalid, and
//! checks that no answer is a 5xx, breaks the documented schema, status codes, content types
//! or headers, or accepts data the schema forbids. The run is deterministic and bounded.

use std::process::Command;

use crate::api_tokens::host_with_token;
use crate::support::seed::sql;
use crate::support::world;
use crate::support::world::repo_root;

#[test]
fn the_api_keeps_to_openapi_yaml_under_generated_requests() {
    // The schema's examples name the demo host, so generated requests reach real slots.
    sql(include_str!("../support/demo-seed.sql"));
    let st = repo_root().join("target/tools/venv/bin/st");
    assert!(
        st.exists(),
        "schemathesis is missing: tests/support/install.sh installs it"
    );
    // A host of its own with a token: the host API is exercised signed in, and its rate limit
    // counts this token, not the address every test of the suite shares.
    let (_browser, _email, token) = host_with_token("schema");
    let output = Command::new(st)
        .current_dir(repo_root())
        .args(["run", "openapi.yaml", "--url", &world().base_url])
        .args(["--header", &format!("Authorization: Bearer {token}")])
        .args(["--max-examples", "40", "--generation-deterministic"])
        // Below the token's own budget (API_TOKEN_LIMITER, 1200 a minute), so the host API's
        // logic is reached rather than its rate limit.
        .args(["--rate-limit", "1000/m"])
        // `ensure_resource_availability` assumes a created resource lives until its own
        // DELETE; a webhook endpoint limited to an event type is deleted with that event type
        // (openapi.yaml, deleteEventType), which a stateful scenario may do in between.
        .args([
            "--checks",
            "all",
            "--exclude-checks",
            "positive_data_acceptance,ensure_resource_availability",
        ])
        .output()
        .expect("schemathesis runs");
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "schemathesis found problems:\n{report}"
    );
    assert!(
        report.contains("generated"),
        "schemathesis ran test cases:\n{report}"
    );
    // The host API is not throttled: its calls spend the token's own budget. (Booking creation
    // is, by design: 20 a minute per address.)
    if let Some(section) = report.split("Rate limited").nth(1) {
        let listed = section.split("\n\n").nth(1).unwrap_or_default();
        assert!(
            !listed.contains("/api/v1/me")
                && !listed.contains("/api/v1/event-types")
                && !listed.contains("/api/v1/availability")
                && !listed.contains("/api/v1/connections")
                && !listed.contains("GET /api/v1/bookings"),
            "the host API was throttled under schemathesis:\n{report}"
        );
    }
}
