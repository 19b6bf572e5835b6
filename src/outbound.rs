//! What an invocation sends out: the queued emails and webhooks, from one run (the
//! configuration is parsed and the store opened once per invocation, not once per outbox).

use worker::Env;

/// After a request that changed something: its emails first (an invitee's confirmation must
/// not wait behind a slow webhook receiver), then its webhooks.
pub async fn deliver_after_change(env: Env) {
    if let Some(run) = crate::runtime::open_run(&env, "delivery") {
        crate::mail::deliver::run_in(&run, &env).await;
        crate::webhooks::deliver::run_in(&run).await;
    }
}

/// The minute's cron run: webhooks first, so the notice about an endpoint disabled in this
/// run is among the emails sent right after.
pub async fn deliver_scheduled(env: Env) {
    if let Some(run) = crate::runtime::open_run(&env, "delivery") {
        crate::webhooks::deliver::run_in(&run).await;
        crate::mail::deliver::run_in(&run, &env).await;
    }
}
