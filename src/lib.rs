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
mod cron;
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

/// The cron triggers (wrangler.toml): every minute the due reminders, calendar work, webhooks
/// and emails (on the free plan in turns, `core::cron_plan`); every hour retention, key
/// rotation and the connections' health check (`cron`).
#[cfg(target_arch = "wasm32")]
#[worker::event(scheduled)]
async fn scheduled(event: worker::ScheduledEvent, env: worker::Env, _ctx: worker::ScheduleContext) {
    if event.cron() == retention::HOURLY_CRON {
        cron::hourly(&env).await;
    } else {
        cron::minute(&env, event.schedule() as i64).await;
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
