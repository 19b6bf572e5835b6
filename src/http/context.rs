//! What every handler gets: storage, configuration, the request's origin and the clock,
//! built once per request from the Worker's environment.

use chrono::{DateTime, Utc};
use worker::{Env, Request};

use super::error::AppError;
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
}

impl Ctx {
    /// Builds the context; a configuration mistake is a 500 page naming the variable.
    pub fn from_env(env: &Env, req: &Request) -> Result<Self, AppError> {
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
            None => req
                .url()
                .map(|u| u.origin().ascii_serialization())
                .unwrap_or_default(),
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
        })
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
