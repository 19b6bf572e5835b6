//! What every action gets: the invocation's [`Run`] (configuration, storage, clock, bindings,
//! opened the same way as for a cron job or an email) and the request's origin.

use std::cell::Cell;
use std::ops::Deref;

use worker::Env;

use super::AppError;
use crate::runtime::{OpenError, Run};
use crate::store::Store;

/// Per-request application state: the invocation's [`Run`] (reached through `Deref`, so
/// `ctx.store`, `ctx.config` and `ctx.now` read as they do in a cron job) and the origin.
pub struct Ctx {
    run: Run,
    /// `https://host` links in pages and emails point at.
    pub origin: String,
    /// Set by a handler whose queued rows wait for something: a booking form's emails wait
    /// for the meeting link its confirmation page makes. The invocation then sends nothing
    /// after its response, and spends none of its CPU budget on it.
    send_nothing_after: Cell<bool>,
}

impl Deref for Ctx {
    type Target = Run;

    fn deref(&self) -> &Run {
        &self.run
    }
}

impl Ctx {
    /// Builds the context; a configuration mistake is a 500 page naming the variable.
    /// `request_origin` is the origin the request was sent to, used as the public origin
    /// only in local development (without `PUBLIC_BASE_URL`).
    pub fn from_env(env: &Env, request_origin: impl FnOnce() -> String) -> Result<Self, AppError> {
        let run = crate::runtime::open(env).map_err(|error| match error {
            OpenError::Config(e) => AppError::Misconfigured(format!(
                "{e}. The page /setup lists everything this instance still lacks."
            )),
            OpenError::Database(e) => AppError::Internal(format!("D1 binding DB: {e}")),
        })?;
        // Without PUBLIC_BASE_URL the configuration only parses in local development.
        let origin = match &run.config.public_base_url {
            Some(url) => url.clone(),
            None => request_origin(),
        };
        Ok(Self {
            run,
            origin,
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
        self.run.store
    }

    /// The host's connected calendars, for busy times and events.
    pub fn calendars(&self) -> Result<crate::calendar::Calendars<'_>, AppError> {
        let mut calendars = self
            .run
            .calendars()
            .map_err(|e| AppError::Internal(e.to_string()))?;
        calendars.origin = Some(self.origin.clone());
        Ok(calendars)
    }
}
