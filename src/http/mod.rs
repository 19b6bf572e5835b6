//! The Worker's HTTP shell: parse the request into domain types, call the core, render.
//!
//! Routing is a `match` on method and path segments, so every route of the product is
//! readable in one place and unknown paths or methods get our own 404/405, as a page or as
//! JSON under `/api/`.

mod api;
mod booking;
mod cancel;
mod context;
mod error;
mod headers;
mod public_pages;
mod request;
mod slots;

use worker::{Env, Method, Request, Response};

pub use context::read_config;
use context::Ctx;
use error::{AppError, ErrorFormat};

/// Answers one request; never fails (errors become responses) and always sets our headers.
///
/// After a successful POST (a booking, a cancellation: the writes that queue emails) the
/// outbox's due emails are sent once the response is out, through `wait_until`; the cron
/// trigger retries whatever that leaves behind.
pub async fn handle(mut req: Request, env: Env, worker_ctx: worker::Context) -> Response {
    let path = req.path();
    let format = if path.starts_with("/api/") {
        ErrorFormat::Json
    } else {
        ErrorFormat::Html
    };
    let response = match route(&mut req, &env, &path).await {
        Ok(response) => response,
        Err(error) => error.into_response(format),
    };
    if req.method() == Method::Post && response.status_code() < 400 {
        worker_ctx.wait_until(crate::mail::deliver::run(env));
    }
    headers::secure(response)
}

async fn route(req: &mut Request, env: &Env, path: &str) -> Result<Response, AppError> {
    let segments: Vec<&str> = path
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let method = req.method();
    let not_allowed = |method: &Method| Err(AppError::MethodNotAllowed(method.to_string()));
    match (segments.as_slice(), &method) {
        ([], Method::Get | Method::Head) => public_pages::home(),
        (["healthz"], Method::Get | Method::Head) => Ok(Response::ok("ok")?),
        (["api", "v1", "slots"], Method::Get) => api::slots(&Ctx::from_env(env, req)?, req).await,
        (["api", "v1", "bookings"], Method::Post) => {
            api::create(&Ctx::from_env(env, req)?, req).await
        }
        (["api", "v1", "slots"] | ["api", "v1", "bookings"], other) => not_allowed(other),
        (["api", ..], _) => Err(AppError::NotFound("There is no such API endpoint.".into())),
        (["booking", token, "calendar.ics"], Method::Get | Method::Head) => {
            public_pages::calendar_file(&Ctx::from_env(env, req)?, token).await
        }
        (["booking", token, "cancel"], Method::Get | Method::Head) => {
            cancel::form_page(&Ctx::from_env(env, req)?, token).await
        }
        (["booking", token, "cancel"], Method::Post) => {
            let ctx = Ctx::from_env(env, req)?;
            cancel::cancel(&ctx, req, token).await
        }
        (["booking", token], Method::Get | Method::Head) => {
            public_pages::confirmation(&Ctx::from_env(env, req)?, token).await
        }
        ([host], Method::Get | Method::Head) => {
            public_pages::host_profile(&Ctx::from_env(env, req)?, host).await
        }
        ([host, event], Method::Get | Method::Head) => {
            public_pages::booking_page(&Ctx::from_env(env, req)?, req, host, event).await
        }
        ([host, event], Method::Post) => {
            let ctx = Ctx::from_env(env, req)?;
            public_pages::submit_booking(&ctx, req, host, event).await
        }
        (
            []
            | ["healthz"]
            | ["booking", _]
            | ["booking", _, "calendar.ics" | "cancel"]
            | [_]
            | [_, _],
            other,
        ) => not_allowed(other),
        _ => Err(AppError::NotFound(
            "There is nothing at this address.".into(),
        )),
    }
}
