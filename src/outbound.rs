//! What an invocation sends out: the queued emails and webhooks, from one run (the
//! configuration is parsed and the store opened once per invocation, not once per outbox).

use worker::Env;

/// After a request that changed something: its emails first (an invitee's confirmation must
/// not wait behind a slow webhook receiver), then its webhooks. `store` is the request's own,
/// when it opened one: the data keys it read (a booking's host key) are not read again.
pub async fn deliver_after_change(env: Env, store: Option<crate::store::Store>) {
    let run = match store {
        Some(store) => crate::runtime::run_with(&env, store, "delivery"),
        None => crate::runtime::open_run(&env, "delivery"),
    };
    if let Some(run) = run {
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
