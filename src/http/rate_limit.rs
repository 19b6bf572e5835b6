//! Per-client rate limits on the routes worth abusing, through Workers' rate-limiting binding.
//!
//! A client is its IP as Cloudflare reports it (`CF-Connecting-IP`, which Cloudflare sets
//! itself), except on the host API once a personal API token has proven valid: then the client
//! is the token. Integrators behind one NAT (or one office) each get their own budget, and a
//! script cannot be starved by a neighbour; a made-up token proves nothing and spends the IP's
//! budget. Keys are prefixed by the limit's name. A missing or failing binding lets the request
//! through with a warning: a misconfigured limiter must not take bookings down.

use worker::{Env, Request};

use crate::app::AppError;

/// Which budget a request spends.
#[derive(Debug, Clone, Copy)]
pub enum Budget {
    /// Creating bookings (form and API): 20 a minute per client.
    Booking,
    /// Reading slots through the API or viewing a booking page: 300 a minute per client.
    Read,
    /// Starting a sign-in: 20 a minute per client.
    SignIn,
    /// Asking for or confirming a privacy link: 10 a minute per client.
    Privacy,
    /// Host API calls (`/api/v1/me`, `/api/v1/event-types`) made with a valid personal API
    /// token: 1200 a minute per token, room for a bulk sync while a runaway script is stopped.
    HostApiToken,
    /// Host API calls without a valid token (none, a bad one, or a session cookie): 300 a
    /// minute per client IP.
    HostApiIp,
}

impl Budget {
    fn binding(self) -> &'static str {
        match self {
            Budget::Booking => "BOOKING_LIMITER",
            Budget::Read => "READ_LIMITER",
            Budget::SignIn => "SIGNIN_LIMITER",
            Budget::Privacy => "PRIVACY_LIMITER",
            Budget::HostApiToken => "API_TOKEN_LIMITER",
            Budget::HostApiIp => "API_IP_LIMITER",
        }
    }
}

/// Who a request's budget belongs to.
pub enum Client<'a> {
    /// The address the request came from.
    Ip(&'a Request),
    /// A personal API token, by its id (never its secret), once it was found valid.
    ApiToken(&'a str),
}

impl Client<'_> {
    fn key(&self) -> String {
        match self {
            Client::Ip(req) => req
                .headers()
                .get("CF-Connecting-IP")
                .ok()
                .flatten()
                .unwrap_or_else(|| "unknown".to_owned()),
            Client::ApiToken(id) => format!("token:{id}"),
        }
    }
}

/// Spends one unit of `budget` for this request's IP, or answers 429.
pub async fn spend(env: &Env, req: &Request, budget: Budget) -> Result<(), AppError> {
    spend_as(env, Client::Ip(req), budget).await
}

/// Spends one unit of `budget` for `client`, or answers 429.
pub async fn spend_as(env: &Env, client: Client<'_>, budget: Budget) -> Result<(), AppError> {
    let limiter = match env.rate_limiter(budget.binding()) {
        Ok(limiter) => limiter,
        Err(error) => {
            worker::console_warn!("rate limiter {} unavailable: {error}", budget.binding());
            return Ok(());
        }
    };
    match limiter
        .limit(format!("{}:{}", budget.binding(), client.key()))
        .await
    {
        Ok(outcome) if !outcome.success => Err(AppError::TooManyRequests),
        Ok(_) => Ok(()),
        Err(error) => {
            worker::console_warn!("rate limiter {} failed: {error}", budget.binding());
            Ok(())
        }
    }
}
