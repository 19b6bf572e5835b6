//! What every action gets: storage, configuration, the request's origin and the clock,
//! built once per request from the Worker's environment.

use std::cell::Cell;

use chrono::{DateTime, Utc};
use worker::Env;

use super::AppError;
use crate::config::Config;
use crate::runtime::read_config;
use crate::store::{KeySource, Store};

/// Per-request application state.
pub struct Ctx {
    pub store: Store,
    pub config: Config,
    /// Read once per request; the core never reads the clock itself.
    pub now: DateTime<Utc>,
    /// `https://host` links in pages and emails point at.
    pub origin: String,
    /// The Worker's bindings, for what needs more than D1 (the token vault in KV).
    pub env: Env,
    /// Set by a handler whose queued rows wait for something: a booking form's emails wait
    /// for the meeting link its confirmation page makes. The invocation then sends nothing
    /// after its response, and spends none of its CPU budget on it.
    send_nothing_after: Cell<bool>,
}

impl Ctx {
    /// Builds the context; a configuration mistake is a 500 page naming the variable.
    /// `request_origin` is the origin the request was sent to, used as the public origin
    /// only in local development (without `PUBLIC_BASE_URL`).
    pub fn from_env(env: &Env, request_origin: impl FnOnce() -> String) -> Result<Self, AppError> {
        let config = read_config(env).map_err(|e| {
            AppError::Misconfigured(format!(
                "{e}. The page /setup lists everything this instance still lacks."
            ))
        })?;
        let db = env
            .d1("DB")
            .map_err(|e| AppError::Internal(format!("D1 binding DB: {e}")))?;
        // Without PUBLIC_BASE_URL the configuration only parses in local development.
        let origin = match &config.public_base_url {
            Some(url) => url.clone(),
            None => request_origin(),
        };
        let now = crate::runtime::now();
        Ok(Self {
            store: Store::with_keys(
                db,
                KeySource::new(env, &config.token_cipher, &config.index_key),
            ),
            config,
            now,
            origin,
            env: env.clone(),
            send_nothing_after: Cell::new(false),
        })
    }

    /// Keeps this invocation from sending the outbox after its response (see the field).
    pub fn send_nothing_after_response(&self) {
        self.send_nothing_after.set(true);
    }

    /// Whether an action asked that nothing be sent after this response
    /// ([`Self::send_nothing_after_response`]).
    pub fn holds_delivery(&self) -> bool {
        self.send_nothing_after.get()
    }

    /// The request's store, handed on to the delivery run after the response (with the data
    /// keys it already opened).
    pub fn into_store(self) -> Store {
        self.store
    }

    /// The host's connected calendars, for busy times and events.
    pub fn calendars(&self) -> Result<crate::calendar::Calendars<'_>, AppError> {
        let mut calendars =
            crate::calendar::Calendars::new(&self.env, &self.store, &self.config, self.now)
                .map_err(|e| AppError::Internal(e.to_string()))?;
        calendars.origin = Some(self.origin.clone());
        Ok(calendars)
    }
}
