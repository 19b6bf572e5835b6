//! Per-client rate limits on the routes worth abusing, through Workers' rate-limiting binding.
//!
//! The key is the client's IP as Cloudflare reports it (`CF-Connecting-IP`, which Cloudflare
//! sets itself), prefixed by the limit's name. A missing or failing binding lets the request
//! through with a warning: a misconfigured limiter must not take bookings down.

use worker::{Env, Request};

use super::error::AppError;

/// Which budget a request spends.
#[derive(Debug, Clone, Copy)]
pub enum Budget {
    /// Creating bookings (form and API): 20 a minute per client.
    Booking,
    /// Reading slots through the API: 300 a minute per client.
    Read,
    /// Starting a sign-in: 20 a minute per client.
    SignIn,
    /// Asking for or confirming a privacy link: 10 a minute per client.
    Privacy,
}

impl Budget {
    fn binding(self) -> &'static str {
        match self {
            Budget::Booking => "BOOKING_LIMITER",
            Budget::Read => "READ_LIMITER",
            Budget::SignIn => "SIGNIN_LIMITER",
            Budget::Privacy => "PRIVACY_LIMITER",
        }
    }
}

/// Spends one unit of `budget` for this client, or answers 429.
pub async fn spend(env: &Env, req: &Request, budget: Budget) -> Result<(), AppError> {
    let client = req
        .headers()
        .get("CF-Connecting-IP")
        .ok()
        .flatten()
        .unwrap_or_else(|| "unknown".to_owned());
    let limiter = match env.rate_limiter(budget.binding()) {
        Ok(limiter) => limiter,
        Err(error) => {
            worker::console_warn!("rate limiter {} unavailable: {error}", budget.binding());
            return Ok(());
        }
    };
    match limiter
        .limit(format!("{}:{client}", budget.binding()))
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
