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

/// What every invocation works with, opened once: the configuration, D1 (with the data keys
/// it opens kept for the invocation) and the clock, and the bindings for what needs more than
/// D1 (the token vault in KV). A request's `app::Ctx` is one of these plus the request's
/// origin; every cron job and email delivery opens one with [`open_run`].
pub struct Run {
    pub config: Config,
    pub store: crate::store::Store,
    /// Read once per invocation; the core never reads the clock itself.
    pub now: DateTime<Utc>,
    /// The Worker's bindings.
    pub env: Env,
}

impl Run {
    /// The hosts' connections as this run reaches them (the token vault in KV, the providers).
    pub fn calendars(
        &self,
    ) -> Result<crate::calendar::Calendars<'_>, crate::calendar::vault::VaultError> {
        crate::calendar::Calendars::new(&self.env, &self.store, &self.config, self.now)
    }
}

/// Why an invocation could not open its [`Run`].
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// A setting is missing or wrong (the message names it, never its value).
    #[error("configuration: {0}")]
    Config(#[from] ConfigError),
    /// The D1 binding `DB` is missing.
    #[error("D1 binding DB: {0}")]
    Database(String),
}

/// Opens the invocation's [`Run`].
pub fn open(env: &Env) -> Result<Run, OpenError> {
    let config = read_config(env)?;
    let db = env
        .d1("DB")
        .map_err(|e| OpenError::Database(e.to_string()))?;
    let store = crate::store::Store::with_keys(
        db,
        crate::store::KeySource::new(env, &config.token_cipher, &config.index_key),
    );
    Ok(Run {
        config,
        store,
        now: now(),
        env: env.clone(),
    })
}

/// A background run on a store already open (a request's, handed on after its response).
/// `None`, logged, when the configuration is missing.
pub fn run_with(env: &Env, store: crate::store::Store, job: &str) -> Option<Run> {
    match read_config(env) {
        Ok(config) => Some(Run {
            config,
            store,
            now: now(),
            env: env.clone(),
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
    match open(env) {
        Ok(run) => Some(run),
        Err(error) => {
            worker::console_error!("{job}: {error}");
            None
        }
    }
}
