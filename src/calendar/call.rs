//! Sending one provider API call with the rules every call follows: an expired token (401) is
//! refreshed once and the call repeated; a rate limit or outage (429, 5xx) is retried at most
//! twice, and only when the provider asks for a wait short enough to spend inside a request;
//! a provider that does not answer in time is not retried here. Anything else is the caller's
//! to decide.

use oauth2::{AccessToken, HttpRequest, HttpResponse};

use super::access::AccessError;
use super::Calendars;
use crate::core::connection_health::Breakage;
use crate::providers::calendar::{ApiError, BuildError};
use crate::providers::fetch::fetch;
use crate::store::ConnectionRow;

/// Tries of one call when the provider is rate limiting or down.
const ATTEMPTS: u32 = 3;
/// The longest Retry-After we wait out inside a request; a longer one fails the call now.
const MAX_WAIT_SECONDS: u64 = 2;
/// The pause when the provider gave no Retry-After.
const DEFAULT_WAIT_MS: u64 = 300;

/// Why a call did not succeed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    /// The provider refused the grant: the host must reconnect.
    #[error("the connection needs to be made again")]
    NeedsReconnect,
    /// Down, rate limiting, or unreachable even after the retries: try again later.
    #[error("provider unavailable: {0}")]
    Unavailable(String),
    /// Our own side was not ready (D1 or KV did not answer, another request holds the
    /// connection's refresh): try again later, and do not blame the provider.
    #[error("not sent: {0}")]
    Ours(String),
    /// The provider answered with an error that a retry would not change.
    #[error(transparent)]
    Api(ApiError),
    /// Our own request could not be built (configuration or stored data).
    #[error(transparent)]
    Build(BuildError),
}

impl From<AccessError> for CallError {
    fn from(error: AccessError) -> Self {
        match error {
            AccessError::NeedsReconnect => Self::NeedsReconnect,
            AccessError::Ours(why) => Self::Ours(why),
            other => Self::Unavailable(other.to_string()),
        }
    }
}

impl Calendars<'_> {
    /// Sends the request `build` makes with a live token and reads it with `parse`.
    ///
    /// Not an `async fn` itself (nor [`call_once`](Self::call_once)): it hands back
    /// `call_with`'s future, so each call site compiles one state machine, not two nested ones
    /// (BENCHMARKS.md, *Size*).
    pub fn call<'a, T: 'a>(
        &'a self,
        connection: &'a ConnectionRow,
        build: impl Fn(&AccessToken) -> Result<HttpRequest, BuildError> + 'a,
        parse: impl Fn(&HttpResponse) -> Result<T, ApiError> + 'a,
    ) -> impl std::future::Future<Output = Result<T, CallError>> + 'a {
        self.call_with(connection, build, parse, ATTEMPTS)
    }

    /// Like [`call`](Self::call), but a rate limit or outage is never retried blindly: for a
    /// create without an idempotency key (Zoom), where a 5xx may come after the meeting was
    /// made, the caller must first look for what the lost answer made.
    pub fn call_once<'a, T: 'a>(
        &'a self,
        connection: &'a ConnectionRow,
        build: impl Fn(&AccessToken) -> Result<HttpRequest, BuildError> + 'a,
        parse: impl Fn(&HttpResponse) -> Result<T, ApiError> + 'a,
    ) -> impl std::future::Future<Output = Result<T, CallError>> + 'a {
        self.call_with(connection, build, parse, 1)
    }

    /// The typed front of [`send_with_rules`](Self::send_with_rules): every call site's
    /// closures meet one non-generic loop, so the Worker holds one copy of it instead of one
    /// per call (BENCHMARKS.md, *Size*).
    async fn call_with<T>(
        &self,
        connection: &ConnectionRow,
        build: impl Fn(&AccessToken) -> Result<HttpRequest, BuildError>,
        parse: impl Fn(&HttpResponse) -> Result<T, ApiError>,
        attempts: u32,
    ) -> Result<T, CallError> {
        let mut parsed = None;
        let mut read = |response: &HttpResponse| {
            parsed = Some(parse(response)?);
            Ok(())
        };
        self.send_with_rules(connection, &build, &mut read, attempts)
            .await?;
        parsed.ok_or_else(|| CallError::Ours("an answer was read without a value".into()))
    }

    async fn send_with_rules(
        &self,
        connection: &ConnectionRow,
        build: &dyn Fn(&AccessToken) -> Result<HttpRequest, BuildError>,
        read: &mut dyn FnMut(&HttpResponse) -> Result<(), ApiError>,
        attempts: u32,
    ) -> Result<(), CallError> {
        let mut token = self.access_token(connection, None).await?;
        let mut refreshed = false;
        let mut attempt = 1;
        loop {
            let request = build(&AccessToken::new(token.clone())).map_err(CallError::Build)?;
            // No answer at all (unreachable, or cut off after `fetch::TIMEOUT_MS`): not tried
            // again here, where a person is waiting; background work retries later.
            let response = fetch(request)
                .await
                .map_err(|error| CallError::Unavailable(error.to_string()))?;
            match read(&response) {
                Ok(()) => return Ok(()),
                Err(ApiError::Unauthorized) if !refreshed => {
                    refreshed = true;
                    self.vault
                        .forget_access_token(&connection.host_id, connection.key)
                        .await
                        .map_err(|e| CallError::Ours(e.to_string()))?;
                    token = self.access_token(connection, Some(&token)).await?;
                }
                Err(ApiError::Unauthorized) => {
                    return Err(CallError::Unavailable(
                        "the provider refused a fresh access token".into(),
                    ))
                }
                Err(
                    ApiError::RateLimited { retry_after }
                    | ApiError::Unavailable { retry_after, .. },
                ) if attempt < attempts && retry_after.is_none_or(|s| s <= MAX_WAIT_SECONDS) => {
                    pause(retry_after).await;
                    attempt += 1;
                }
                Err(error @ (ApiError::RateLimited { .. } | ApiError::Unavailable { .. })) => {
                    return Err(CallError::Unavailable(error.to_string()))
                }
                Err(ApiError::Rejected { status: 403, code })
                    if code == "insufficientPermissions" =>
                {
                    // The grant lacks a scope this call needs (made before scopes were
                    // checked at connection, or narrowed by the host since): only connecting
                    // again mends it, so the host is shown that, not left with silent failures.
                    worker::console_warn!(
                        "connection {} of host {}: a permission is missing, needs reconnect",
                        connection.key,
                        connection.host_id
                    );
                    self.report_broken(
                        &connection.host_id,
                        connection.key,
                        Breakage::PermissionMissing,
                    )
                    .await
                    .map_err(|e| CallError::Ours(e.to_string()))?;
                    return Err(CallError::NeedsReconnect);
                }
                Err(error) => return Err(CallError::Api(error)),
            }
        }
    }
}

async fn pause(retry_after: Option<u64>) {
    let ms = retry_after.map_or(DEFAULT_WAIT_MS, |s| s.min(MAX_WAIT_SECONDS) * 1000);
    worker::Delay::from(std::time::Duration::from_millis(ms.max(50))).await;
}
