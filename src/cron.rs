//! The cron triggers' runs (wrangler.toml). The minute's run opens one [`Run`] for the whole
//! invocation (the configuration, D1 and the data keys it reads are opened once) and on the
//! free plan does only its minute's turn (`core::cron_plan`): a calendar turn that made an
//! event reads nothing else, as the event and its Meet link alone are most of the 10 ms; the
//! outbound turn queues the due reminders and sends the due webhooks and emails.

use worker::Env;

use crate::core::cron_plan::{CronRun, WorkersPlan};
use crate::runtime::Run;

/// The minute's run scheduled at `scheduled_ms` (milliseconds since the epoch).
pub async fn minute(env: &Env, scheduled_ms: i64) {
    let Some(mut run) = crate::runtime::open_run(env, "cron") else {
        return;
    };
    // Cloudflare starts a run at or after its scheduled minute, so there the clock decides.
    // A run named for a later minute (Miniflare's `/cdn-cgi/local/scheduled?time=`, as the
    // reminder tests do) works at that minute, as it would when it comes.
    if let Some(scheduled) = chrono::DateTime::from_timestamp_millis(scheduled_ms) {
        run.now = run.now.max(scheduled);
    }
    let plan = run.config.workers_plan;
    let rows = plan.calendar_rows_per_run();
    match plan.run_at(scheduled_ms) {
        CronRun::Everything => {
            crate::calendar::run_due(&run, rows).await;
            outbound_turn(&run, plan).await;
        }
        CronRun::CalendarFirst => {
            if !crate::calendar::run_due(&run, rows).await {
                outbound_turn(&run, plan).await;
            }
        }
        CronRun::EmailsFirst => {
            if !outbound_turn(&run, plan).await {
                crate::calendar::run_due(&run, rows).await;
            }
        }
    }
}

/// The outbound turn: requests past their hold ended and the due reminders queued, then the
/// due webhooks and emails sent (those just queued among them); says whether any email was
/// due.
async fn outbound_turn(run: &Run, plan: WorkersPlan) -> bool {
    if let Err(error) = crate::app::approval::expire_due(run).await {
        worker::console_warn!("expiring requests: {error}");
    }
    crate::mail::reminders::run(run).await;
    crate::outbound::deliver_scheduled(run, plan.emails_per_run()).await
}

/// The hourly run: the retention job erases expired personal data, refresh tokens and webhook
/// secrets sealed under a retired key are sealed again under the current one, and the health
/// check exercises each connection (at least daily) so a broken one reaches its host by email.
pub async fn hourly(env: &Env) {
    crate::retention::run(env).await;
    crate::calendar::rotation::run(env).await;
    crate::webhooks::rotation::run(env).await;
    crate::calendar::health::run(env).await;
}
