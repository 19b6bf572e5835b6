//! The free plan's cron runs take turns (`core::cron_plan`, README: `WORKERS_PLAN`): a run
//! that made a booking's calendar event leaves its emails to the next run, so no run does
//! both (together they measured over the plan's 10 ms of CPU, BENCHMARKS.md).
//!
//! The suite's own Worker runs as on a paid plan (every run does all that is due), so a host
//! connected there is copied, rows and sealed keys as stored, into a second Worker that runs
//! with `wrangler.toml`'s default, the free plan. Each run names its minute: Miniflare's
//! `/cdn-cgi/local/scheduled` takes a `time` (wrangler's `/__scheduled` ignores one). A free
//! plan's run also sends at most four emails.

use serde_json::json;

use crate::calendars::{at, calendar_host, live_events, the_email_with, the_meet_code};
use crate::key_rotation::{copy_data_keys, copy_rows};
use crate::support::http::{get, post_json};
use crate::support::kv;
use crate::support::mail::emails_to;
use crate::support::other_worker::{fresh_state_dir, OtherWorker};

/// 2026-12-05 04:00 UTC: an even minute since the epoch, the calendar's turn.
const EVEN_MINUTE_MS: i64 = 1_796_443_200_000;
const ODD_MINUTE_MS: i64 = EVEN_MINUTE_MS + 60_000;

/// Runs `worker`'s minute cron as scheduled at `scheduled_ms` (Unix milliseconds).
pub(crate) fn run_cron_at(worker: &OtherWorker, scheduled_ms: i64) {
    let reply = get(&format!(
        "{}/cdn-cgi/local/scheduled?cron=*+*+*+*+*&time={scheduled_ms}",
        worker.base_url
    ));
    assert_eq!(reply.status, 200, "{}\n{}", reply.body, worker.log());
}

pub(crate) fn settle() {
    std::thread::sleep(std::time::Duration::from_millis(500));
}

#[test]
fn on_the_free_plan_a_run_makes_a_bookings_event_or_sends_its_emails_never_both() {
    let connected = calendar_host("Turns Host", "google_meet", &["google"]);
    let host_id = connected.host.id.clone();
    let state_dir = fresh_state_dir("cron-turns");
    for table in [
        "hosts",
        "schedules",
        "event_types",
        "weekly_hours",
        "connections",
    ] {
        let column = if table == "hosts" { "id" } else { "host_id" };
        copy_rows(table, column, &host_id, &state_dir);
    }
    let refresh_key = format!("host/{host_id}/refresh/google");
    kv::put_in(&state_dir, &refresh_key, &kv::value(&refresh_key));
    copy_data_keys(&host_id, &state_dir);
    let free = OtherWorker::start_in(state_dir, &[]);
    let book = |time: &str, invitee: &str| {
        let booked = post_json(
            &format!("{}/api/v1/bookings", free.base_url),
            &json!({ "host": connected.host.slug, "event": "call", "start": at(time),
                     "name": "Turn Taker", "email": invitee, "time_zone": "UTC" }),
        );
        assert_eq!(booked.status, 201, "{}\n{}", booked.body, free.log());
    };

    // The emails' minute with none due: the run takes the calendar's turn and makes the
    // event, and the emails it released wait for the next run.
    let first = "first.turn@example.com";
    book("10:00", first);
    run_cron_at(&free, ODD_MINUTE_MS);
    settle();
    let meet = the_meet_code(&connected);
    assert!(
        emails_to(first).is_empty(),
        "one run made the event and sent its emails"
    );
    // The calendar's minute with nothing to make: the run sends them, link included.
    run_cron_at(&free, EVEN_MINUTE_MS);
    the_email_with(first, "Booked:", &meet);
    the_email_with(&connected.email, "New booking", &meet);

    // The calendar's minute with an event to make: the emails it released leave in the next
    // run, the emails' turn.
    let second = "second.turn@example.com";
    book("11:00", second);
    run_cron_at(&free, EVEN_MINUTE_MS);
    settle();
    assert_eq!(live_events("google", &connected.email).len(), 2);
    assert!(
        emails_to(second).is_empty(),
        "one run made the event and sent its emails"
    );
    run_cron_at(&free, ODD_MINUTE_MS);
    let emails = crate::support::mail::wait_for_emails(second, "Booked:", 1);
    assert_eq!(emails.len(), 1, "{emails:?}");
    // Nothing is made or sent twice.
    run_cron_at(&free, EVEN_MINUTE_MS);
    run_cron_at(&free, ODD_MINUTE_MS);
    settle();
    assert_eq!(live_events("google", &connected.email).len(), 2);
    assert_eq!(emails_to(first).len(), 1);
    assert_eq!(emails_to(second).len(), 1);

    // A backlog: three bookings' events take three calendar minutes (one booking a run), then
    // their six emails leave four in one run (the free plan's batch) and two in the next.
    let host_had = emails_to(&connected.email).len();
    let backlog = [
        "one.backlog@example.com",
        "two.backlog@example.com",
        "three.backlog@example.com",
    ];
    for (invitee, time) in backlog.iter().zip(["13:00", "14:00", "15:00"]) {
        book(time, invitee);
    }
    for expected_events in 3..=5 {
        run_cron_at(&free, EVEN_MINUTE_MS);
        settle();
        assert_eq!(
            live_events("google", &connected.email).len(),
            expected_events,
            "{}",
            free.log()
        );
    }
    let sent = || {
        backlog.iter().map(|a| emails_to(a).len()).sum::<usize>()
            + emails_to(&connected.email).len()
            - host_had
    };
    assert_eq!(sent(), 0);
    run_cron_at(&free, ODD_MINUTE_MS);
    settle();
    assert_eq!(sent(), 4, "{}", free.log());
    run_cron_at(&free, ODD_MINUTE_MS);
    settle();
    assert_eq!(sent(), 6, "{}", free.log());
}
