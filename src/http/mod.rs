//! The Worker's HTTP shell: parse the request into domain types, call the core, render.
//!
//! Routing is a `match` on method and path segments, so every route of the product is
//! readable in one place and unknown paths or methods get our own 404/405, as a page or as
//! JSON under `/api/`.

mod api;
mod api_tokens;
mod auth;
mod availability_api;
mod availability_editor;
mod cancel;
mod connections;
mod connections_api;
mod dashboard;
mod dashboard_nav;
mod error;
mod event_types;
mod headers;
mod host_api;
mod host_bookings;
mod host_bookings_api;
mod onboarding;
mod privacy;
mod profile_form;
mod public_info;
mod public_pages;
mod rate_limit;
mod reminders;
mod reminders_api;
mod request;
mod reschedule;
mod session;
mod setup;
mod single_use_links;
mod single_use_links_api;
mod time_off_api;
mod webhook_endpoints;
mod webhook_endpoints_api;
mod webhooks;
mod week_form;

use worker::{Env, Method, Request, Response};

use crate::app::{AppError, Ctx};
use availability_editor::ScheduleChange;
use error::ErrorFormat;
use rate_limit::Budget;

/// Answers one request; never fails (errors become responses) and always sets our headers.
///
/// After a successful POST (a booking, a cancellation: the writes that queue emails) the
/// outbox's due emails are sent once the response is out, through `wait_until`, unless the
/// handler said they wait ([`Ctx::send_nothing_after_response`]); the cron trigger
/// retries whatever that leaves behind.
pub async fn handle(mut req: Request, env: Env, worker_ctx: worker::Context) -> Response {
    let path = req.path();
    let format = if path.starts_with("/api/") || path.starts_with("/webhooks/") {
        ErrorFormat::Json
    } else {
        ErrorFormat::Html
    };
    let lang = request::page_lang(&req);
    let mut ctx_slot = None;
    let response = match route(&mut req, &env, &path, &mut ctx_slot).await {
        Ok(response) => response,
        Err(error) => error.into_response(format, lang),
    };
    let embed_origins = is_booking_flow(&path, req.method().as_ref()).then(|| {
        let setting = env
            .var("EMBED_ALLOWED_ORIGINS")
            .map(|v| v.to_string())
            .unwrap_or_default();
        headers::parse_embed_origins(&setting)
    });
    let post = req.method() == Method::Post;
    // After a successful change, unless the action said its rows wait.
    let deliver =
        post && response.status_code() < 400 && !ctx_slot.as_ref().is_some_and(Ctx::holds_delivery);
    if deliver {
        // The request's store goes on serving: the data keys it opened are not read again.
        let store = ctx_slot.map(Ctx::into_store);
        worker_ctx.wait_until(async move {
            crate::outbound::deliver_after_change(env, store).await;
        });
    }
    match &embed_origins {
        Some(origins) => headers::secure(response, headers::Framing::Embeddable(origins)),
        None => headers::secure(response, headers::Framing::Deny),
    }
}

/// Whether `method` on `path` is one of the pages an invitee books through, which
/// `EMBED_ALLOWED_ORIGINS` may frame: the routes [`PAGE_ROUTES`] marks
/// [`Framing::Embeddable`] (the booking page `/{host}/{event}` and the confirmation
/// `/booking/{token}` it leads to). Every other route, and any route added later unless it is
/// marked so, refuses framing.
fn is_booking_flow(path: &str, method: &str) -> bool {
    let segments: Vec<&str> = path
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    page_route(&segments).is_some_and(|(_, methods, framing)| {
        *framing == Framing::Embeddable && methods.split(", ").any(|m| m == method)
    })
}

/// The request's context in `slot`, built there on first use. One function rather than code
/// at each of the hundred routes that take it: the router's future inlines every route, and
/// building a context in each cost the Worker kilobytes (BENCHMARKS.md, *Size*).
#[inline(never)]
fn context<'a>(slot: &'a mut Option<Ctx>, env: &Env, req: &Request) -> Result<&'a Ctx, AppError> {
    if slot.is_none() {
        *slot = Some(Ctx::from_env(env, || request_origin(req))?);
    }
    match slot {
        Some(ctx) => Ok(ctx),
        None => Err(AppError::Internal("no request context".into())),
    }
}

/// Routes the request. The route's [`Ctx`] is built in `ctx_slot` when the route needs one,
/// so what it opened (the store, with the data keys it read) can serve the delivery run after
/// the response.
async fn route(
    req: &mut Request,
    env: &Env,
    path: &str,
    ctx_slot: &mut Option<Ctx>,
) -> Result<Response, AppError> {
    /// The request's context, built on first use.
    macro_rules! ctx {
        () => {
            context(ctx_slot, env, req)?
        };
    }
    let segments: Vec<&str> = path
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let method = req.method();
    // `worker::Method` reads any method it does not know (QUERY, PROPFIND, …) as GET.
    let raw_method = req.inner().method();
    if !raw_method.eq_ignore_ascii_case(method.as_ref()) {
        return match allowed_methods(&segments) {
            Some(allow) => Err(AppError::MethodNotAllowed {
                method: raw_method,
                allow,
            }),
            None => Err(AppError::NotFound(
                "There is nothing at this address.".into(),
            )),
        };
    }
    match (segments.as_slice(), &method) {
        ([], Method::Get | Method::Head) => public_pages::home(),
        (["healthz"], Method::Get | Method::Head) => Ok(Response::ok("ok")?),
        (["setup"], Method::Get | Method::Head) => {
            rate_limit::spend(env, req, Budget::Read).await?;
            setup::page(env, req).await
        }
        (["api", "v1", "slots"], Method::Get) => {
            rate_limit::spend(env, req, Budget::Read).await?;
            api::slots(ctx!(), req).await
        }
        (["api", "v1", "bookings"], Method::Post) => {
            rate_limit::spend(env, req, Budget::Booking).await?;
            api::create(ctx!(), req).await
        }
        (["api", "v1", "hosts", host], Method::Get) => {
            rate_limit::spend(env, req, Budget::Read).await?;
            public_info::host(ctx!(), host).await
        }
        (["api", "v1", "hosts", host, "event-types", event], Method::Get) => {
            rate_limit::spend(env, req, Budget::Read).await?;
            public_info::event_type(ctx!(), host, event).await
        }
        (["api", "v1", "me"], Method::Get) => host_api::me(ctx!(), env, req).await,
        (["api", "v1", "me"], Method::Patch) => host_api::update_me(ctx!(), env, req).await,
        (["api", "v1", "event-types"], Method::Get) => {
            host_api::list_event_types(ctx!(), env, req).await
        }
        (["api", "v1", "event-types"], Method::Post) => {
            host_api::create_event_type(ctx!(), env, req).await
        }
        (["api", "v1", "event-types", id], Method::Get) => {
            host_api::get_event_type(ctx!(), env, req, id).await
        }
        (["api", "v1", "event-types", id], Method::Patch | Method::Put) => {
            let replace = method == Method::Put;
            host_api::save_event_type(ctx!(), env, req, id, replace).await
        }
        (["api", "v1", "event-types", id], Method::Delete) => {
            host_api::delete_event_type(ctx!(), env, req, id).await
        }
        (["api", "v1", "event-types", id, "duplicate"], Method::Post) => {
            host_api::duplicate_event_type(ctx!(), env, req, id).await
        }
        (["api", "v1", "event-types", id, "reminders"], Method::Get) => {
            reminders_api::get(ctx!(), env, req, id).await
        }
        (["api", "v1", "event-types", id, "reminders"], Method::Put) => {
            reminders_api::put(ctx!(), env, req, id).await
        }
        (["api", "v1", "event-types", id, "single-use-links"], Method::Get) => {
            single_use_links_api::list(ctx!(), env, req, id).await
        }
        (["api", "v1", "event-types", id, "single-use-links"], Method::Post) => {
            single_use_links_api::create(ctx!(), env, req, id).await
        }
        (["api", "v1", "event-types", id, "single-use-links", link], Method::Delete) => {
            single_use_links_api::delete(ctx!(), env, req, id, link).await
        }
        (["api", "v1", "availability"], Method::Get) => {
            availability_api::get(ctx!(), env, req).await
        }
        (["api", "v1", "availability"], Method::Put | Method::Patch) => {
            let replace = method == Method::Put;
            availability_api::save(ctx!(), env, req, replace).await
        }
        (["api", "v1", "availability", "overrides", date], Method::Get) => {
            availability_api::get_override(ctx!(), env, req, None, date).await
        }
        (["api", "v1", "availability", "overrides", date], Method::Put) => {
            availability_api::put_override(ctx!(), env, req, None, date).await
        }
        (["api", "v1", "availability", "overrides", date], Method::Delete) => {
            availability_api::delete_override(ctx!(), env, req, None, date).await
        }
        (["api", "v1", "schedules"], Method::Get) => {
            availability_api::list_schedules(ctx!(), env, req).await
        }
        (["api", "v1", "schedules"], Method::Post) => {
            availability_api::create_schedule(ctx!(), env, req).await
        }
        (["api", "v1", "schedules", id], Method::Get) => {
            availability_api::get_schedule(ctx!(), env, req, id).await
        }
        (["api", "v1", "schedules", id], Method::Patch) => {
            availability_api::patch_schedule(ctx!(), env, req, id).await
        }
        (["api", "v1", "schedules", id], Method::Delete) => {
            availability_api::delete_schedule(ctx!(), env, req, id).await
        }
        (["api", "v1", "schedules", id, "overrides", date], Method::Get) => {
            availability_api::get_override(ctx!(), env, req, Some(id), date).await
        }
        (["api", "v1", "schedules", id, "overrides", date], Method::Put) => {
            availability_api::put_override(ctx!(), env, req, Some(id), date).await
        }
        (["api", "v1", "schedules", id, "overrides", date], Method::Delete) => {
            availability_api::delete_override(ctx!(), env, req, Some(id), date).await
        }
        (["api", "v1", "bookings"], Method::Get) => host_bookings_api::list(ctx!(), env, req).await,
        (["api", "v1", "bookings", id], Method::Get) => {
            host_bookings_api::get(ctx!(), env, req, id).await
        }
        (["api", "v1", "bookings", id, "cancel"], Method::Post) => {
            host_bookings_api::cancel(ctx!(), env, req, id, host_bookings_api::Answer::Cancel).await
        }
        (["api", "v1", "bookings", id, "decline"], Method::Post) => {
            host_bookings_api::cancel(ctx!(), env, req, id, host_bookings_api::Answer::Decline)
                .await
        }
        (["api", "v1", "bookings", id, "approve"], Method::Post) => {
            host_bookings_api::approve(ctx!(), env, req, id).await
        }
        (["api", "v1", "time-off"], Method::Get) => time_off_api::list(ctx!(), env, req).await,
        (["api", "v1", "time-off"], Method::Post) => time_off_api::create(ctx!(), env, req).await,
        (["api", "v1", "time-off", id], Method::Delete) => {
            time_off_api::delete(ctx!(), env, req, id).await
        }
        (["api", "v1", "connections"], Method::Get) => {
            connections_api::list(ctx!(), env, req).await
        }
        (["api", "v1", "connections", provider], Method::Post) => {
            connections_api::connect(ctx!(), env, req, provider).await
        }
        (["api", "v1", "connections", provider], Method::Patch) => {
            connections_api::update(ctx!(), env, req, provider).await
        }
        (["api", "v1", "connections", provider], Method::Delete) => {
            connections_api::delete(ctx!(), env, req, provider).await
        }
        (["api", "v1", "connections", provider, "calendars"], Method::Get) => {
            connections_api::calendars(ctx!(), env, req, provider).await
        }
        (["api", "v1", "webhooks"], Method::Get) => {
            webhook_endpoints_api::list(ctx!(), env, req).await
        }
        (["api", "v1", "webhooks"], Method::Post) => {
            webhook_endpoints_api::create(ctx!(), env, req).await
        }
        (["api", "v1", "webhooks", id], Method::Get) => {
            webhook_endpoints_api::get(ctx!(), env, req, id).await
        }
        (["api", "v1", "webhooks", id], Method::Patch) => {
            webhook_endpoints_api::update(ctx!(), env, req, id).await
        }
        (["api", "v1", "webhooks", id], Method::Delete) => {
            webhook_endpoints_api::delete(ctx!(), env, req, id).await
        }
        (["api", "v1", "webhooks", id, "deliveries", delivery, "resend"], Method::Post) => {
            let ctx = ctx!();
            webhook_endpoints_api::resend(ctx, env, req, id, delivery).await
        }
        (["api", "v1", "webhooks", id, "rotate-secret"], Method::Post) => {
            webhook_endpoints_api::rotate_secret(ctx!(), env, req, id).await
        }
        (["auth", "signin"], Method::Get | Method::Head) => auth::sign_in(ctx!(), req).await,
        (["auth", "signout"], Method::Post) => auth::sign_out(ctx!(), req).await,
        // Starting and finishing a sign-in change state: GET only, never HEAD.
        (["auth", provider, "start"], Method::Get) => {
            rate_limit::spend(env, req, Budget::SignIn).await?;
            auth::start(ctx!(), req, provider).await
        }
        (["auth", provider, "callback"], Method::Get) => {
            auth::callback(ctx!(), req, provider).await
        }
        (["dashboard"], Method::Get | Method::Head) => dashboard::overview(ctx!(), req).await,
        (["dashboard", "profile"], Method::Get | Method::Head) => {
            dashboard::profile(ctx!(), req).await
        }
        (["dashboard", "welcome"], Method::Get | Method::Head) => {
            onboarding::profile_step(ctx!(), req).await
        }
        (["dashboard", "welcome"], Method::Post) => {
            onboarding::save_profile_step(ctx!(), req).await
        }
        (["dashboard", "welcome", "hours"], Method::Get | Method::Head) => {
            onboarding::hours_step(ctx!(), req).await
        }
        (["dashboard", "welcome", "hours"], Method::Post) => {
            onboarding::save_hours_step(ctx!(), req).await
        }
        (["dashboard", "welcome", "calendar"], Method::Get | Method::Head) => {
            onboarding::calendar_step(ctx!(), req).await
        }
        (["dashboard", "event-types", "new"], Method::Get | Method::Head) => {
            event_types::new(ctx!(), req).await
        }
        (["dashboard", "event-types"], Method::Post) => event_types::create(ctx!(), req).await,
        (["dashboard", "event-types", id], Method::Get | Method::Head) => {
            event_types::edit(ctx!(), req, id).await
        }
        (["dashboard", "event-types", id], Method::Post) => {
            event_types::save(ctx!(), req, id).await
        }
        (
            ["dashboard", "event-types", id, action @ ("duplicate" | "hide" | "show" | "delete")],
            Method::Post,
        ) => event_types::act(ctx!(), req, id, action).await,
        (["dashboard", "event-types", id, "reminders"], Method::Get | Method::Head) => {
            reminders::show(ctx!(), req, id).await
        }
        (["dashboard", "event-types", id, "reminders"], Method::Post) => {
            reminders::save(ctx!(), req, id).await
        }
        (["dashboard", "event-types", id, "links"], Method::Get | Method::Head) => {
            single_use_links::list(ctx!(), req, id).await
        }
        (["dashboard", "event-types", id, "links"], Method::Post) => {
            single_use_links::create(ctx!(), req, id).await
        }
        (["dashboard", "event-types", id, "links", link, "delete"], Method::Post) => {
            single_use_links::delete(ctx!(), req, id, link).await
        }
        (["dashboard", "availability"], Method::Get | Method::Head) => {
            availability_editor::page(ctx!(), req).await
        }
        (["dashboard", "availability"], Method::Post) => {
            availability_editor::save_weekly(ctx!(), req).await
        }
        (["dashboard", "availability", "time-off"], Method::Post) => {
            availability_editor::add_time_off(ctx!(), req).await
        }
        (["dashboard", "availability", "time-off", id, "delete"], Method::Post) => {
            availability_editor::delete_time_off(ctx!(), req, id).await
        }
        (["dashboard", "availability", "limits"], Method::Post) => {
            availability_editor::save_limits(ctx!(), req).await
        }
        (["dashboard", "availability", "overrides"], Method::Post) => {
            availability_editor::save_override(ctx!(), req).await
        }
        (["dashboard", "availability", "overrides", date, "delete"], Method::Post) => {
            availability_editor::delete_override(ctx!(), req, date).await
        }
        (["dashboard", "schedules"], Method::Post) => {
            availability_editor::add_schedule(ctx!(), req).await
        }
        (["dashboard", "schedules", id], Method::Post) => {
            availability_editor::change_schedule(ctx!(), req, id, ScheduleChange::Rename).await
        }
        (["dashboard", "schedules", id, "default"], Method::Post) => {
            availability_editor::change_schedule(ctx!(), req, id, ScheduleChange::MakeDefault).await
        }
        (["dashboard", "schedules", id, "delete"], Method::Post) => {
            availability_editor::change_schedule(ctx!(), req, id, ScheduleChange::Delete).await
        }
        (["dashboard", "bookings"], Method::Get | Method::Head) => {
            host_bookings::list(ctx!(), req).await
        }
        (["dashboard", "bookings", id, "cancel"], Method::Post) => {
            host_bookings::cancel(ctx!(), req, id).await
        }
        (["dashboard", "bookings", id, "approve"], Method::Post) => {
            host_bookings::approve(ctx!(), req, id).await
        }
        (["dashboard", "connections"], Method::Get | Method::Head) => {
            connections::page(ctx!(), req).await
        }
        (["dashboard", "connections", provider, "connect"], Method::Get) => {
            rate_limit::spend(env, req, Budget::SignIn).await?;
            connections::start(ctx!(), req, provider).await
        }
        (["dashboard", "connections", provider, "connect"], Method::Post) => {
            rate_limit::spend(env, req, Budget::SignIn).await?;
            connections::connect_with_password(ctx!(), req, provider).await
        }
        (["dashboard", "connections", provider, "callback"], Method::Get) => {
            connections::callback(ctx!(), req, provider).await
        }
        (["dashboard", "connections", provider, "disconnect"], Method::Post) => {
            connections::disconnect(ctx!(), req, provider).await
        }
        (["dashboard", "connections", provider, "settings"], Method::Post) => {
            connections::save_settings(ctx!(), req, provider).await
        }
        (["dashboard", "connections", provider, "receive-events"], Method::Post) => {
            connections::receive_events(ctx!(), req, provider).await
        }
        (["dashboard", "api-tokens"], Method::Get | Method::Head) => {
            api_tokens::list(ctx!(), req).await
        }
        (["dashboard", "api-tokens"], Method::Post) => api_tokens::create(ctx!(), req).await,
        (["dashboard", "api-tokens", id, "revoke"], Method::Post) => {
            api_tokens::revoke(ctx!(), req, id).await
        }
        (["dashboard", "webhooks"], Method::Get | Method::Head) => {
            webhook_endpoints::list(ctx!(), req).await
        }
        (["dashboard", "webhooks"], Method::Post) => webhook_endpoints::create(ctx!(), req).await,
        (
            ["dashboard", "webhooks", id, action @ ("rotate" | "enable" | "disable" | "delete")],
            Method::Post,
        ) => webhook_endpoints::act(ctx!(), req, id, action).await,
        (["dashboard", "webhooks", id, "deliveries", delivery, "resend"], Method::Post) => {
            webhook_endpoints::resend(ctx!(), req, id, delivery).await
        }
        (["dashboard", "profile"], Method::Post) => dashboard::save_profile(ctx!(), req).await,
        (["privacy"], Method::Get | Method::Head) => privacy::page(ctx!()),
        (["privacy", which @ ("delete" | "erase")], Method::Post) => {
            rate_limit::spend(env, req, Budget::Privacy).await?;
            let which = if *which == "delete" {
                privacy::Ask::Deletion
            } else {
                privacy::Ask::Erasure
            };
            privacy::ask(ctx!(), req, which).await
        }
        (["privacy", "confirm", token], Method::Get | Method::Head) => {
            privacy::confirm_page(ctx!(), token).await
        }
        (["privacy", "confirm", token], Method::Post) => {
            rate_limit::spend(env, req, Budget::Privacy).await?;
            privacy::confirm(ctx!(), req, token).await
        }
        (["dashboard", "privacy"], Method::Get | Method::Head) => {
            privacy::dashboard_page(ctx!(), req).await
        }
        (["dashboard", "privacy", "delete"], Method::Post) => {
            privacy::dashboard_delete(ctx!(), req).await
        }
        (["dashboard", "export"], Method::Get | Method::Head) => privacy::export(ctx!(), req).await,
        (["webhooks", "zoom"], Method::Post) => webhooks::zoom(ctx!(), req).await,
        (["api", "v1", "bookings", token, "reschedule"], Method::Post) => {
            rate_limit::spend(env, req, Budget::Booking).await?;
            let ctx = ctx!();
            reschedule::api(ctx, req, token).await
        }
        (["booking", token, "reschedule"], Method::Get | Method::Head) => {
            reschedule::page(ctx!(), req, token).await
        }
        (["booking", token, "reschedule"], Method::Post) => {
            rate_limit::spend(env, req, Budget::Booking).await?;
            let ctx = ctx!();
            reschedule::submit(ctx, req, token).await
        }
        (["booking", token, "calendar.ics"], Method::Get | Method::Head) => {
            public_pages::calendar_file(ctx!(), token).await
        }
        (["booking", token, "cancel"], Method::Get | Method::Head) => {
            cancel::form_page(ctx!(), token, request::page_lang(req)).await
        }
        (["booking", token, "cancel"], Method::Post) => {
            let ctx = ctx!();
            cancel::cancel(ctx, req, token).await
        }
        (["booking", token], Method::Get | Method::Head) => {
            public_pages::confirmation(ctx!(), req, token).await
        }
        ([host], Method::Get | Method::Head) => {
            public_pages::host_profile(ctx!(), host, request::page_lang(req)).await
        }
        ([host, event], Method::Get | Method::Head) => {
            // Like the slots API: a page view reads availability (and the host's calendars).
            rate_limit::spend(env, req, Budget::Read).await?;
            public_pages::booking_page(ctx!(), req, host, event).await
        }
        ([host, event], Method::Post) => {
            rate_limit::spend(env, req, Budget::Booking).await?;
            let ctx = ctx!();
            public_pages::submit_booking(ctx, req, host, event).await
        }
        (known, other) => match allowed_methods(known) {
            Some(allow) => Err(AppError::MethodNotAllowed {
                method: other.to_string(),
                allow,
            }),
            None if known.first() == Some(&"api") => {
                Err(AppError::NotFound("There is no such API endpoint.".into()))
            }
            None => Err(AppError::NotFound(
                "There is nothing at this address.".into(),
            )),
        },
    }
}

/// Every JSON API address and the methods it answers. openapi.yaml must describe exactly
/// these (tests/e2e/openapi_in_step.rs reads this list): one entry a line, `{…}` a path
/// parameter.
// One entry a line: tests read this table as text (tests/e2e/openapi_in_step.rs,
// tests/e2e/privacy_findings.rs, tests/architecture.rs).
#[rustfmt::skip]
const API_ROUTES: &[(&str, &str)] = &[
    ("/api/v1/slots", "GET"),
    ("/api/v1/hosts/{host}", "GET"),
    ("/api/v1/hosts/{host}/event-types/{event}", "GET"),
    ("/api/v1/bookings", "GET, POST"),
    ("/api/v1/bookings/{id}", "GET"),
    ("/api/v1/bookings/{id}/cancel", "POST"),
    ("/api/v1/bookings/{id}/decline", "POST"),
    ("/api/v1/bookings/{id}/approve", "POST"),
    ("/api/v1/bookings/{token}/reschedule", "POST"),
    ("/api/v1/me", "GET, PATCH"),
    ("/api/v1/event-types", "GET, POST"),
    ("/api/v1/event-types/{id}", "DELETE, GET, PATCH, PUT"),
    ("/api/v1/event-types/{id}/duplicate", "POST"),
    ("/api/v1/event-types/{id}/reminders", "GET, PUT"),
    ("/api/v1/event-types/{id}/single-use-links", "GET, POST"),
    ("/api/v1/event-types/{id}/single-use-links/{link_id}", "DELETE"),
    ("/api/v1/availability", "GET, PATCH, PUT"),
    ("/api/v1/availability/overrides/{date}", "DELETE, GET, PUT"),
    ("/api/v1/schedules", "GET, POST"),
    ("/api/v1/schedules/{id}", "DELETE, GET, PATCH"),
    ("/api/v1/schedules/{id}/overrides/{date}", "DELETE, GET, PUT"),
    ("/api/v1/connections", "GET"),
    ("/api/v1/time-off", "GET, POST"),
    ("/api/v1/time-off/{id}", "DELETE"),
    ("/api/v1/connections/{provider}", "DELETE, PATCH, POST"),
    ("/api/v1/connections/{provider}/calendars", "GET"),
    ("/api/v1/webhooks", "GET, POST"),
    ("/api/v1/webhooks/{id}", "DELETE, GET, PATCH"),
    ("/api/v1/webhooks/{id}/rotate-secret", "POST"),
    ("/api/v1/webhooks/{id}/deliveries/{delivery_id}/resend", "POST"),
];

/// The methods of the API address `segments` names, from [`API_ROUTES`].
fn api_methods(segments: &[&str]) -> Option<&'static str> {
    API_ROUTES.iter().find_map(|(template, methods)| {
        let parts: Vec<&str> = template.trim_matches('/').split('/').collect();
        let matches = parts.len() == segments.len()
            && parts
                .iter()
                .zip(segments)
                .all(|(part, segment)| part.starts_with('{') || part == segment);
        matches.then_some(*methods)
    })
}

/// Whether a page may be framed by the origins of `EMBED_ALLOWED_ORIGINS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    /// Never (`frame-ancestors 'none'`, `X-Frame-Options: DENY`).
    Deny,
    /// By the configured origins: the booking flow only.
    Embeddable,
}

/// Every page address (everything but the JSON API) with the methods it answers and whether it
/// may be framed; 405s, `Allow` and framing are read from here, and
/// tests/e2e/privacy_findings.rs walks it (one entry a line, `{…}` a path parameter). The first
/// entry that matches wins, so literal addresses come before `/{host}` and `/{host}/{event}`,
/// and `{host}` never stands for a first segment the Worker itself uses.
// One entry a line: tests read this table as text (tests/e2e/openapi_in_step.rs,
// tests/e2e/privacy_findings.rs, tests/architecture.rs).
#[rustfmt::skip]
const PAGE_ROUTES: &[(&str, &str, Framing)] = &[
    ("/", "GET, HEAD", Framing::Deny),
    ("/healthz", "GET, HEAD", Framing::Deny),
    ("/setup", "GET, HEAD", Framing::Deny),
    ("/auth/signin", "GET, HEAD", Framing::Deny),
    ("/auth/signout", "POST", Framing::Deny),
    ("/auth/{provider}/start", "GET", Framing::Deny),
    ("/auth/{provider}/callback", "GET", Framing::Deny),
    ("/dashboard", "GET, HEAD", Framing::Deny),
    ("/dashboard/profile", "GET, HEAD, POST", Framing::Deny),
    ("/dashboard/welcome", "GET, HEAD, POST", Framing::Deny),
    ("/dashboard/welcome/hours", "GET, HEAD, POST", Framing::Deny),
    ("/dashboard/welcome/calendar", "GET, HEAD", Framing::Deny),
    ("/dashboard/event-types", "POST", Framing::Deny),
    ("/dashboard/event-types/new", "GET, HEAD", Framing::Deny),
    (
        "/dashboard/event-types/{id}",
        "GET, HEAD, POST",
        Framing::Deny,
    ),
    (
        "/dashboard/event-types/{id}/duplicate",
        "POST",
        Framing::Deny,
    ),
    ("/dashboard/event-types/{id}/hide", "POST", Framing::Deny),
    ("/dashboard/event-types/{id}/show", "POST", Framing::Deny),
    ("/dashboard/event-types/{id}/delete", "POST", Framing::Deny),
    (
        "/dashboard/event-types/{id}/links",
        "GET, HEAD, POST",
        Framing::Deny,
    ),
    (
        "/dashboard/event-types/{id}/reminders",
        "GET, HEAD, POST",
        Framing::Deny,
    ),
    (
        "/dashboard/event-types/{id}/links/{link}/delete",
        "POST",
        Framing::Deny,
    ),
    ("/dashboard/availability", "GET, HEAD, POST", Framing::Deny),
    ("/dashboard/availability/overrides", "POST", Framing::Deny),
    ("/dashboard/availability/limits", "POST", Framing::Deny),
    ("/dashboard/availability/time-off", "POST", Framing::Deny),
    (
        "/dashboard/availability/time-off/{id}/delete",
        "POST",
        Framing::Deny,
    ),
    (
        "/dashboard/availability/overrides/{date}/delete",
        "POST",
        Framing::Deny,
    ),
    ("/dashboard/schedules", "POST", Framing::Deny),
    ("/dashboard/schedules/{id}", "POST", Framing::Deny),
    ("/dashboard/schedules/{id}/default", "POST", Framing::Deny),
    ("/dashboard/schedules/{id}/delete", "POST", Framing::Deny),
    ("/dashboard/bookings", "GET, HEAD", Framing::Deny),
    ("/dashboard/bookings/{id}/cancel", "POST", Framing::Deny),
    ("/dashboard/bookings/{id}/approve", "POST", Framing::Deny),
    ("/dashboard/connections", "GET, HEAD", Framing::Deny),
    (
        "/dashboard/connections/{provider}/connect",
        "GET, POST",
        Framing::Deny,
    ),
    (
        "/dashboard/connections/{provider}/callback",
        "GET",
        Framing::Deny,
    ),
    (
        "/dashboard/connections/{provider}/disconnect",
        "POST",
        Framing::Deny,
    ),
    (
        "/dashboard/connections/{provider}/settings",
        "POST",
        Framing::Deny,
    ),
    (
        "/dashboard/connections/{provider}/receive-events",
        "POST",
        Framing::Deny,
    ),
    ("/dashboard/api-tokens", "GET, HEAD, POST", Framing::Deny),
    ("/dashboard/api-tokens/{id}/revoke", "POST", Framing::Deny),
    ("/dashboard/webhooks", "GET, HEAD, POST", Framing::Deny),
    ("/dashboard/webhooks/{id}/rotate", "POST", Framing::Deny),
    ("/dashboard/webhooks/{id}/enable", "POST", Framing::Deny),
    ("/dashboard/webhooks/{id}/disable", "POST", Framing::Deny),
    ("/dashboard/webhooks/{id}/delete", "POST", Framing::Deny),
    ("/dashboard/webhooks/{id}/deliveries/{delivery_id}/resend", "POST", Framing::Deny),
    ("/dashboard/privacy", "GET, HEAD", Framing::Deny),
    ("/dashboard/privacy/delete", "POST", Framing::Deny),
    ("/dashboard/export", "GET, HEAD", Framing::Deny),
    ("/privacy", "GET, HEAD", Framing::Deny),
    ("/privacy/delete", "POST", Framing::Deny),
    ("/privacy/erase", "POST", Framing::Deny),
    ("/privacy/confirm/{token}", "GET, HEAD, POST", Framing::Deny),
    ("/webhooks/zoom", "POST", Framing::Deny),
    ("/booking/{token}", "GET, HEAD", Framing::Embeddable),
    ("/booking/{token}/calendar.ics", "GET, HEAD", Framing::Deny),
    ("/booking/{token}/cancel", "GET, HEAD, POST", Framing::Deny),
    (
        "/booking/{token}/reschedule",
        "GET, HEAD, POST",
        Framing::Deny,
    ),
    ("/{host}", "GET, HEAD", Framing::Deny),
    ("/{host}/{event}", "GET, HEAD, POST", Framing::Embeddable),
];

/// Whether `segments` fit `template` (`{…}` matches any one segment, but `{host}` none that
/// starts another route of the Worker).
fn fits(template: &str, segments: &[&str]) -> bool {
    let parts: Vec<&str> = template
        .trim_matches('/')
        .split('/')
        .filter(|p| !p.is_empty())
        .collect();
    parts.len() == segments.len()
        && parts
            .iter()
            .zip(segments)
            .all(|(part, segment)| match *part {
                "{host}" => !is_reserved_first_segment(segment),
                p if p.starts_with('{') => true,
                p => p == *segment,
            })
}

/// First segments the Worker's own routes begin with (and `assets`, which Workers assets
/// serves): never a host's slug.
fn is_reserved_first_segment(segment: &str) -> bool {
    segment == "api"
        || segment == "assets"
        || PAGE_ROUTES.iter().any(|(template, _, _)| {
            let first = template.trim_matches('/').split('/').next().unwrap_or("");
            !first.is_empty() && !first.starts_with('{') && first == segment
        })
}

/// The page route `segments` names, from [`PAGE_ROUTES`].
fn page_route(segments: &[&str]) -> Option<&'static (&'static str, &'static str, Framing)> {
    PAGE_ROUTES
        .iter()
        .find(|(template, _, _)| fits(template, segments))
}

/// The methods a known address answers, for a 405's `Allow` header (RFC 9110 §15.5.6).
fn allowed_methods(segments: &[&str]) -> Option<&'static str> {
    match segments {
        ["api", ..] => api_methods(segments),
        _ => page_route(segments).map(|(_, methods, _)| *methods),
    }
}

/// The origin `req` was sent to (`http://127.0.0.1:8787` in local development).
fn request_origin(req: &Request) -> String {
    req.url()
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default()
}
