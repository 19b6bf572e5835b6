//! The Worker's HTTP shell: parse the request into domain types, call the core, render.
//!
//! Routing is a `match` on method and path segments, so every route of the product is
//! readable in one place and unknown paths or methods get our own 404/405, as a page or as
//! JSON under `/api/`.

mod api;
mod auth;
mod booking;
mod context;
mod dashboard;
mod error;
mod headers;
mod public_pages;
mod request;
mod session;
mod slots;

use worker::{Env, Method, Request, Response};

use context::Ctx;
use error::{AppError, ErrorFormat};

/// Answers one request; never fails (errors become responses) and always sets our headers.
pub async fn handle(mut req: Request, env: Env) -> Response {
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
        (["api", "v1", "me"], Method::Get) => dashboard::me(&Ctx::from_env(env, req)?, req).await,
        (["api", "v1", "slots"] | ["api", "v1", "bookings"] | ["api", "v1", "me"], other) => {
            not_allowed(other)
        }
        (["api", ..], _) => Err(AppError::NotFound("There is no such API endpoint.".into())),
        (["auth", "signin"], Method::Get | Method::Head) => {
            auth::sign_in(&Ctx::from_env(env, req)?, req).await
        }
        (["auth", "signout"], Method::Post) => auth::sign_out(&Ctx::from_env(env, req)?, req).await,
        // Starting and finishing a sign-in change state: GET only, never HEAD.
        (["auth", provider, "start"], Method::Get) => {
            auth::start(&Ctx::from_env(env, req)?, req, provider).await
        }
        (["auth", provider, "callback"], Method::Get) => {
            auth::callback(&Ctx::from_env(env, req)?, req, provider).await
        }
        (["dashboard"], Method::Get | Method::Head) => {
            dashboard::overview(&Ctx::from_env(env, req)?, req).await
        }
        (["dashboard", "profile"], Method::Get | Method::Head) => {
            dashboard::profile(&Ctx::from_env(env, req)?, req).await
        }
        (["dashboard", "profile"], Method::Post) => {
            dashboard::save_profile(&Ctx::from_env(env, req)?, req).await
        }
        (
            ["auth", "signin"]
            | ["auth", "signout"]
            | ["auth", _, "start" | "callback"]
            | ["dashboard"]
            | ["dashboard", "profile"],
            other,
        ) => not_allowed(other),
        (["booking", token, "calendar.ics"], Method::Get | Method::Head) => {
            public_pages::calendar_file(&Ctx::from_env(env, req)?, token).await
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
            [] | ["healthz"] | ["booking", _] | ["booking", _, "calendar.ics"] | [_] | [_, _],
            other,
        ) => not_allowed(other),
        _ => Err(AppError::NotFound(
            "There is nothing at this address.".into(),
        )),
    }
}
