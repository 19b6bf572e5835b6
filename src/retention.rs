//! The hourly retention job: erases the personal data of bookings whose meeting ended more
//! than `RETENTION_DAYS` ago (see `store::retention` for exactly what goes), and purges what
//! is dead: expired or revoked sessions, unfinished sign-ins and calendar connections, and
//! privacy links that expired unused. Then it seals the invitees of bookings written before
//! sealing existed (`store::sealed_invitee`), a bounded number per run. Logs counts only.

use chrono::Duration;
use worker::Env;

/// How many plaintext bookings one run seals at most (one KV-cached key, one UPDATE each).
const SEALED_PER_RUN: i64 = 500;

/// The cron expression (wrangler.toml) that runs this job.
pub const HOURLY_CRON: &str = "17 * * * *";

/// One retention run; failures are logged and the next hour tries again.
pub async fn run(env: &Env) {
    let Some(crate::runtime::Run { config, store, now }) =
        crate::runtime::open_run(env, "retention")
    else {
        return;
    };
    let cutoff = now - Duration::days(i64::from(config.retention_days));
    match store.erase_ended_bookings(cutoff.timestamp()).await {
        Ok(erased) => worker::console_log!(
            "retention: erased {} bookings' invitee data and {} outbox rows",
            erased.bookings,
            erased.outbox_rows
        ),
        Err(error) => worker::console_error!("retention: {error}"),
    }
    match store.purge_expired(now.timestamp()).await {
        Ok(purged) => worker::console_log!(
            "retention: purged {} sessions, {} sign-ins, {} connections under way, {} privacy links",
            purged.sessions,
            purged.oauth_states,
            purged.connect_states,
            purged.privacy_requests
        ),
        Err(error) => worker::console_error!("retention: {error}"),
    }
    match store.seal_plaintext_invitees(SEALED_PER_RUN).await {
        Ok(0) => {}
        Ok(sealed) => worker::console_log!("retention: sealed {sealed} bookings' invitee data"),
        Err(error) => worker::console_error!("retention: sealing: {error}"),
    }
}
