//! What every entry point (fetch, scheduled, email) reads from the Worker's environment in the
//! same way: the instance configuration and the clock. It sits below `http`, so the cron and
//! email handlers never import the HTTP shell.

use chrono::{DateTime, Utc};
use worker::Env;

use crate::config::{Config, ConfigError};

/// The instance configuration from the Worker's secrets and variables (a secret wins),
/// parsed once per isolate. A Worker's variables and secrets cannot change under a running
/// isolate (changing one deploys a new version, which starts new isolates), so a parse is
/// kept for the isolate's life: 30 environment look-ups, base64 and key derivations, about
/// 0.4 ms of every request otherwise (BENCHMARKS.md). A configuration that does not parse is
/// not kept, so every request names what is missing.
pub fn read_config(env: &Env) -> Result<Config, ConfigError> {
    thread_local! {
        static PARSED: std::cell::RefCell<Option<Config>> = const { std::cell::RefCell::new(None) };
    }
    if let Some(config) = PARSED.with(|parsed| parsed.borrow().clone()) {
        return Ok(config);
    }
    let config = Config::parse(setting(env))?;
    PARSED.with(|parsed| *parsed.borrow_mut() = Some(config.clone()));
    Ok(config)
}

/// One setting by name, as [`read_config`] reads it: a secret wins over a variable.
pub fn setting(env: &Env) -> impl Fn(&str) -> Option<String> + '_ {
    |name: &str| {
        env.secret(name)
            .map(|s| s.to_string())
            .or_else(|_| env.var(name).map(|v| v.to_string()))
            .ok()
    }
}

/// The current instant, read once per request or run; the core is handed it, never reads it.
pub fn now() -> DateTime<Utc> {
    DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default()
}

/// What a background run (a cron job, an email delivery) starts from: the configuration, D1
/// and the clock, each read once.
pub struct Run {
    pub config: Config,
    pub store: crate::store::Store,
    pub now: DateTime<Utc>,
}

/// A background run on a store already open (a request's, handed on after its response).
/// `None`, logged, when the configuration is missing.
pub fn run_with(env: &Env, store: crate::store::Store, job: &str) -> Option<Run> {
    match read_config(env) {
        Ok(config) => Some(Run {
            config,
            store,
            now: now(),
        }),
        Err(error) => {
            worker::console_error!("{job}: configuration: {error}");
            None
        }
    }
}

/// Opens the background run `job` (its name in the log). `None`, logged, when the
/// configuration or the D1 binding is missing: a run has no one to answer, so it stops and the
/// next one tries again.
pub fn open_run(env: &Env, job: &str) -> Option<Run> {
    let config = match read_config(env) {
        Ok(config) => config,
        Err(error) => {
            worker::console_error!("{job}: configuration: {error}");
            return None;
        }
    };
    let store = match env.d1("DB") {
        Ok(db) => crate::store::Store::with_keys(
            db,
            crate::store::KeySource::new(env, &config.token_cipher, &config.index_key),
        ),
        Err(error) => {
            worker::console_error!("{job}: D1 binding DB: {error}");
            return None;
        }
    };
    Some(Run {
        config,
        store,
        now: now(),
    })
}
