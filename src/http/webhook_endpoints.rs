//! `/dashboard/webhooks`: the host's webhook endpoints as a page. Adding one shows its secret
//! this once; each endpoint lists its latest deliveries (status and time only) and can have
//! its secret rotated, be turned off or back on, or be removed. Every form is CSRF-checked and
//! goes through `webhooks::manage`, the steps the API takes too.

use askama::Template;
use chrono::DateTime;
use worker::{Request, Response};

use super::dashboard_nav::ConnectionAlert;
use super::request::{field, form};
use super::session::{check_form, redirect, require_host, SignedIn};
use crate::app::AppError;
use crate::app::Ctx;
use crate::core::booking::FieldErrors;
use crate::core::webhooks::{EndpointInput, EventSet, WebhookEvent};
use crate::webhooks::manage;
use crate::webhooks::manage::{delivery_state, input_of, LOG_LENGTH};

struct DeliveryItem {
    id: String,
    event: &'static str,
    when: String,
    state: &'static str,
    status: String,
    attempts: i64,
}

struct EndpointItem {
    id: String,
    url: String,
    events: String,
    scope: String,
    include_personal: bool,
    enabled: bool,
    /// Why it is off, if it is: turned off by the host, or disabled after failures.
    off_note: String,
    previous_until: Option<String>,
    deliveries: Vec<DeliveryItem>,
}

struct EventTypeChoice {
    id: String,
    title: String,
}

#[derive(Template)]
#[template(path = "webhooks.html")]
struct WebhooksPage {
    alerts: Vec<ConnectionAlert>,
    endpoints: Vec<EndpointItem>,
    event_types: Vec<EventTypeChoice>,
    /// The secret just made (a new endpoint or a rotation), shown in this response only.
    new_secret: Option<String>,
    /// What the form held when it was refused.
    url: String,
    csrf: String,
    errors: FieldErrors,
}

impl WebhooksPage {
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }

    fn all_events(&self) -> [WebhookEvent; 3] {
        WebhookEvent::ALL
    }
}

fn when(seconds: i64) -> String {
    DateTime::from_timestamp(seconds, 0)
        .map(|t| {
            t.format_with_items(crate::core::display::layouts::UTC_MINUTE.iter())
                .to_string()
        })
        .unwrap_or_default()
}

async fn page(
    ctx: &Ctx,
    signed_in: &SignedIn,
    new_secret: Option<String>,
    url: String,
    errors: FieldErrors,
) -> Result<WebhooksPage, AppError> {
    let host_id = signed_in.host.id.as_str();
    let event_types: Vec<EventTypeChoice> = ctx
        .store
        .host_event_types_in_full(host_id)
        .await?
        .into_iter()
        .map(|row| EventTypeChoice {
            id: row.id,
            title: row.title,
        })
        .collect();
    let now = ctx.now.timestamp();
    let mut endpoints = Vec::new();
    for row in ctx.store.host_webhook_endpoints(host_id).await? {
        let deliveries = ctx
            .store
            .webhook_delivery_log(&row.id, LOG_LENGTH)
            .await?
            .iter()
            .map(|delivery| DeliveryItem {
                id: delivery.id.clone(),
                event: WebhookEvent::parse(&delivery.event).map_or("", WebhookEvent::label),
                when: when(delivery.last_attempt_at.unwrap_or(delivery.occurred_at)),
                state: delivery_state(delivery),
                status: delivery
                    .last_status
                    .map(|status| {
                        if status == 0 {
                            "no answer".to_owned()
                        } else {
                            status.to_string()
                        }
                    })
                    .unwrap_or_default(),
                attempts: delivery.attempts,
            })
            .collect();
        let scope = match &row.event_type_id {
            None => "all event types".to_owned(),
            Some(id) => event_types
                .iter()
                .find(|choice| &choice.id == id)
                .map_or_else(
                    || "one event type".to_owned(),
                    |choice| choice.title.clone(),
                ),
        };
        let off_note = match (row.disabled_at, row.failing_since) {
            (None, _) => String::new(),
            (Some(at), Some(_)) => {
                format!("Stopped {} after its deliveries kept failing.", when(at))
            }
            (Some(at), None) => format!("Turned off {}.", when(at)),
        };
        endpoints.push(EndpointItem {
            events: EventSet::from_stored(&row.events)
                .names()
                .iter()
                .filter_map(|name| WebhookEvent::parse(name).map(WebhookEvent::label))
                .collect::<Vec<_>>()
                .join(", "),
            scope,
            include_personal: row.include_personal == 1,
            enabled: row.disabled_at.is_none(),
            off_note,
            previous_until: row
                .previous_secret_until
                .filter(|until| *until > now)
                .map(when),
            deliveries,
            id: row.id,
            url: row.url,
        });
    }
    Ok(WebhooksPage {
        alerts: signed_in.connection_alerts(),
        endpoints,
        event_types,
        new_secret,
        url,
        csrf: signed_in.csrf_token().to_owned(),
        errors,
    })
}

/// `GET /dashboard/webhooks`.
pub async fn list(ctx: &Ctx, req: &Request) -> Result<Response, AppError> {
    let signed_in = require_host(ctx, req).await?;
    let page = page(ctx, &signed_in, None, String::new(), FieldErrors::default()).await?;
    Ok(Response::from_html(page.render()?)?)
}

/// `POST /dashboard/webhooks`: adds an endpoint and shows its secret this once.
pub async fn create(ctx: &Ctx, req: &mut Request) -> Result<Response, AppError> {
    let signed_in = require_host(ctx, req).await?;
    let pairs = form(req).await?;
    check_form(ctx, req, &signed_in, &pairs)?;
    let input = EndpointInput {
        url: field(&pairs, "url").unwrap_or_default().to_owned(),
        events: pairs
            .iter()
            .filter(|(name, _)| name == "events")
            .map(|(_, value)| value.clone())
            .collect(),
        event_type_id: field(&pairs, "event_type_id").map(str::to_owned),
        include_personal: field(&pairs, "include_personal") == Some("on"),
    };
    if input.events.is_empty() {
        let errors = FieldErrors::one("events", "Choose at least one event.");
        let page = page(ctx, &signed_in, None, input.url, errors).await?;
        return Ok(Response::from_html(page.render()?)?.with_status(422));
    }
    let refused = |errors: FieldErrors| async {
        let page = page(ctx, &signed_in, None, input.url.clone(), errors).await?;
        Ok::<_, AppError>(Response::from_html(page.render()?)?.with_status(422))
    };
    let settings = match input.parse(ctx.config.local_development) {
        Ok(settings) => settings,
        Err(errors) => return refused(errors).await,
    };
    match manage::add(
        &ctx.store,
        &ctx.config,
        &signed_in.host.id,
        &settings,
        ctx.now,
    )
    .await
    {
        Ok(added) => {
            let page = page(
                ctx,
                &signed_in,
                Some(added.secret),
                String::new(),
                FieldErrors::default(),
            )
            .await?;
            Ok(Response::from_html(page.render()?)?.with_status(201))
        }
        Err(error @ (manage::ManageError::TooMany | manage::ManageError::UnknownEventType)) => {
            refused(FieldErrors::one("url", error.to_string())).await
        }
        Err(error) => Err(error.into()),
    }
}

/// `POST /dashboard/webhooks/{id}/deliveries/{delivery_id}/resend`: sends one delivery again.
pub async fn resend(
    ctx: &Ctx,
    req: &mut Request,
    id: &str,
    delivery_id: &str,
) -> Result<Response, AppError> {
    let signed_in = require_host(ctx, req).await?;
    let pairs = form(req).await?;
    check_form(ctx, req, &signed_in, &pairs)?;
    manage::resend(&ctx.store, &signed_in.host.id, id, delivery_id, ctx.now).await?;
    redirect("/dashboard/webhooks", 303)
}

/// `POST /dashboard/webhooks/{id}/{rotate|enable|disable|delete}`.
pub async fn act(
    ctx: &Ctx,
    req: &mut Request,
    id: &str,
    action: &str,
) -> Result<Response, AppError> {
    let signed_in = require_host(ctx, req).await?;
    let pairs = form(req).await?;
    check_form(ctx, req, &signed_in, &pairs)?;
    let host_id = signed_in.host.id.as_str();
    match action {
        "rotate" => {
            let (secret, _) = manage::rotate(&ctx.store, &ctx.config, host_id, id, ctx.now).await?;
            let page = page(
                ctx,
                &signed_in,
                Some(secret),
                String::new(),
                FieldErrors::default(),
            )
            .await?;
            return Ok(Response::from_html(page.render()?)?);
        }
        "delete" => manage::remove(&ctx.store, host_id, id).await?,
        _ => {
            let current = ctx
                .store
                .host_webhook_endpoint(host_id, id)
                .await?
                .ok_or(manage::ManageError::NotFound)?;
            let settings = input_of(&current)
                .parse(ctx.config.local_development)
                .map_err(AppError::InvalidFields)?;
            manage::change(
                &ctx.store,
                host_id,
                id,
                &settings,
                Some(action == "enable"),
                ctx.now,
            )
            .await?;
        }
    }
    redirect("/dashboard/webhooks", 303)
}
