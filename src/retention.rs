//! The hourly retention job: erases the personal data of bookings whose meeting ended more
//! than `RETENTION_DAYS` ago (see `store::retention` for exactly what goes), and purges what
//! is dead: expired or revoked sessions, unfinished sign-ins and calendar connections, and
//! privacy links that expired unused. Then it seals the invitees of bookings, the addresses of
//! hosts (and hashes their sign-in identities' account ids), the connected accounts and
//! bookings' event and meeting data, and hosts' webhook addresses and API token names written
//! before sealing existed (`store::sealed_invitee`, `store::sealed_host_email`,
//! `store::sealed_account`, `store::sealed_meeting`, `store::sealed_host_settings`), a bounded
//! number per run. Logs counts only.

use chrono::Duration;
use worker::Env;

/// How many plaintext bookings (or bookings' meeting data) one run seals at most: one D1 batch
/// for all of them, so the run stays within the free plan's 50 D1 queries per invocation.
const SEALED_PER_RUN: i64 = 200;

/// Of how many hosts one run seals bookings at most: each needs its key read or made (a D1
/// read and a KV read or write).
const HOSTS_PER_RUN: usize = 3;

/// How many hosts' plaintext addresses (and, separately, connected accounts) one run seals at
/// most: each needs its key read or made (a D1 read, a KV read or write).
const HOSTS_SEALED_PER_RUN: i64 = 3;

/// The cron expression (wrangler.toml) that runs this job.
pub const HOURLY_CRON: &str = "17 * * * *";

/// One retention run; failures are logged and the next hour tries again.
pub async fn run(env: &Env) {
    let Some(crate::runtime::Run {
        config, store, now, ..
    }) = crate::runtime::open_run(env, "retention")
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
    log_sealed(
        "bookings' invitee data",
        store
            .seal_plaintext_invitees(SEALED_PER_RUN, HOSTS_PER_RUN)
            .await,
    );
    log_sealed(
        "hosts' addresses",
        store.seal_plaintext_host_emails(HOSTS_SEALED_PER_RUN).await,
    );
    log_sealed(
        "sign-in identities' account ids",
        store.hash_plaintext_identities(SEALED_PER_RUN).await,
    );
    log_sealed(
        "connected accounts",
        store.seal_plaintext_accounts(HOSTS_SEALED_PER_RUN).await,
    );
    log_sealed(
        "webhook addresses and API token names",
        store
            .seal_plaintext_host_settings(SEALED_PER_RUN, HOSTS_PER_RUN)
            .await,
    );
    // After the accounts: a booking's ids and link are sealed under their connection's key.
    log_sealed(
        "bookings' meeting data",
        store.seal_plaintext_meetings(SEALED_PER_RUN).await,
    );
}

/// Logs what one sealing step of the run did (a count, never a value).
fn log_sealed(what: &str, outcome: Result<usize, crate::store::StoreError>) {
    match outcome {
        Ok(0) => {}
        Ok(sealed) => worker::console_log!("retention: sealed {sealed} {what}"),
        Err(error) => worker::console_error!("retention: sealing {what}: {error}"),
    }
}
