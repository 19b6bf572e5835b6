//! What an invocation sends out: the queued emails and webhooks, from one run (the
//! configuration is parsed and the store opened once per invocation, not once per outbox),
//! with what is due read in as few D1 round trips as the order of sending allows.

use worker::Env;

use crate::mail::deliver::DueMail;
use crate::store::{DueDelivery, DueLimits, DueOutboxes};

/// The due rows as their two senders take them: the emails, and the webhooks.
fn by_sender(due: DueOutboxes) -> (DueMail, Vec<DueDelivery>) {
    let mail = DueMail {
        emails: due.emails,
        notices: due.notices,
    };
    (mail, due.webhooks)
}

/// After a request that changed something (or a privacy email received): its emails first (an invitee's confirmation must
/// not wait behind a slow webhook receiver), then its webhooks. `store` is the request's own,
/// when it opened one: the data keys it read (a booking's host key) are not read again. What
/// is due in all three outboxes is read in one batch.
pub async fn deliver_after_change(env: Env, store: Option<crate::store::Store>) {
    let run = match store {
        Some(store) => crate::runtime::run_with(&env, store, "delivery"),
        None => crate::runtime::open_run(&env, "delivery"),
    };
    let Some(run) = run else {
        return;
    };
    let limits = DueLimits {
        emails: crate::mail::deliver::ROWS_PER_RUN,
        notices: crate::mail::deliver::ROWS_PER_RUN,
        webhooks: crate::webhooks::deliver::ROWS_PER_RUN,
    };
    match run.store.due_outboxes(run.now.timestamp(), limits).await {
        Ok(due) => {
            let (mail, webhooks) = by_sender(due);
            crate::mail::deliver::run_in(&run, &env, &mail).await;
            crate::webhooks::deliver::run_in(&run, &webhooks).await;
        }
        Err(error) => worker::console_error!("delivery: {error}"),
    }
}

/// The minute's cron run: webhooks first, so the notice about an endpoint disabled in this
/// run is among the emails sent right after (which is why the emails are read after them).
/// Up to `emails` emails (fewer on the free plan, `core::cron_plan`); says whether any email
/// was due.
pub async fn deliver_scheduled(run: &crate::runtime::Run, emails: i64) -> bool {
    let webhooks_only = DueLimits {
        emails: 0,
        notices: 0,
        webhooks: crate::webhooks::deliver::ROWS_PER_RUN,
    };
    match run
        .store
        .due_outboxes(run.now.timestamp(), webhooks_only)
        .await
    {
        Ok(due) => crate::webhooks::deliver::run_in(run, &due.webhooks).await,
        Err(error) => worker::console_error!("webhook delivery: {error}"),
    }
    let mail_only = DueLimits {
        emails,
        notices: emails,
        webhooks: 0,
    };
    match run.store.due_outboxes(run.now.timestamp(), mail_only).await {
        Ok(due) => {
            let mail = by_sender(due).0;
            crate::mail::deliver::run_in(run, &run.env, &mail).await;
            !(mail.emails.is_empty() && mail.notices.is_empty())
        }
        Err(error) => {
            worker::console_error!("email delivery: {error}");
            false
        }
    }
}
