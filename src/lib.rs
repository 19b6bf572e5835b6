//! Openslot: a self-hosted meeting booking service that runs as one Cloudflare Worker.
//!
//! `core` is the pure domain (no I/O, no clock, no `worker`) and builds natively; the
//! Worker shell (`http`, `store`, ...) only exists on wasm32.

/// The modules that build natively: public there, so the benches, the wire tests and the
/// fuzz targets reach them; private in the Worker, so the compiler reports any item nothing
/// in the Worker uses (`cargo clippy --target wasm32-unknown-unknown`).
macro_rules! native_and_worker_modules {
    ($($name:ident),*) => {$(
        #[cfg(not(target_arch = "wasm32"))]
        pub mod $name;
        #[cfg(target_arch = "wasm32")]
        mod $name;
    )*};
}

native_and_worker_modules!(config, core, crypto, i18n, mail, providers, setup);

#[cfg(target_arch = "wasm32")]
mod app;
#[cfg(target_arch = "wasm32")]
mod calendar;
#[cfg(target_arch = "wasm32")]
mod http;
#[cfg(target_arch = "wasm32")]
mod outbound;
#[cfg(target_arch = "wasm32")]
mod privacy;
#[cfg(target_arch = "wasm32")]
mod retention;
#[cfg(target_arch = "wasm32")]
mod runtime;
#[cfg(target_arch = "wasm32")]
mod store;
#[cfg(target_arch = "wasm32")]
mod webhooks;

/// The Worker's fetch entry point: hands the request to the HTTP shell.
#[cfg(target_arch = "wasm32")]
#[worker::event(fetch)]
async fn fetch(
    req: worker::Request,
    env: worker::Env,
    ctx: worker::Context,
) -> worker::Result<worker::Response> {
    Ok(http::handle(req, env, ctx).await)
}

/// The cron triggers (wrangler.toml): every minute the reminders that are due are queued, the
/// due calendar work is done and the outbox's due emails are sent (which is also how a failed
/// email is retried), on the free plan in turns (`core::cron_plan`); every hour
/// the retention job erases expired personal data, refresh tokens and webhook secrets sealed
/// under a retired key are sealed again under the current one, and the health check exercises each connection
/// (at least daily) so a broken one reaches its host by email.
#[cfg(target_arch = "wasm32")]
#[worker::event(scheduled)]
async fn scheduled(event: worker::ScheduledEvent, env: worker::Env, _ctx: worker::ScheduleContext) {
    if event.cron() == retention::HOURLY_CRON {
        retention::run(&env).await;
        calendar::rotation::run(&env).await;
        webhooks::rotation::run(&env).await;
        calendar::health::run(&env).await;
    } else {
        mail::reminders::run(&env).await;
        let plan = match core::cron_plan::WorkersPlan::parse(
            env.var("WORKERS_PLAN")
                .ok()
                .map(|v| v.to_string())
                .as_deref(),
        ) {
            Ok(plan) => plan,
            Err(why) => {
                worker::console_error!("the Worker setting WORKERS_PLAN is invalid: {why}");
                core::cron_plan::WorkersPlan::Free
            }
        };
        let (rows, emails) = (plan.calendar_rows_per_run(), plan.emails_per_run());
        match plan.run_at(event.schedule() as i64) {
            core::cron_plan::CronRun::Everything => {
                calendar::run_due(&env, rows).await;
                outbound::deliver_scheduled(env, emails).await;
            }
            core::cron_plan::CronRun::CalendarFirst => {
                let worked = calendar::run_due(&env, rows).await;
                outbound::deliver_scheduled(env, if worked { 0 } else { emails }).await;
            }
            core::cron_plan::CronRun::EmailsFirst => {
                if !outbound::deliver_scheduled(env.clone(), emails).await {
                    calendar::run_due(&env, rows).await;
                }
            }
        }
    }
}

/// Email Routing hands mail for the instance's privacy address (`PRIVACY_ADDRESS`) here: a
/// deletion or erasure request, answered only with a confirmation link to the address on record.
#[cfg(target_arch = "wasm32")]
#[worker::event(email)]
async fn email(
    message: worker::ForwardableEmailMessage,
    env: worker::Env,
    _ctx: worker::Context,
) -> worker::Result<()> {
    privacy::inbound::receive(message, env).await;
    Ok(())
}
