//! Public facts about a host and their event types for integrators building their own booking
//! flow: `GET /api/v1/hosts/{host}` (who, and the event types their page lists) and
//! `GET /api/v1/hosts/{host}/event-types/{event}` (everything a booking form needs: durations,
//! questions, where it happens). Only what the public pages show: never the host's email, and
//! a phone number or meeting link only after booking.

use serde_json::{json, Value};
use worker::Response;

use crate::app::public_event::PublicEvent;
use crate::app::AppError;
use crate::app::Ctx;
use crate::core::event_type::{offered_durations, LocationKind};
use crate::core::location::Location;
use crate::store::{EventTypeRow, HostRow};

fn event_summary(ctx: &Ctx, host: &HostRow, event: &EventTypeRow) -> Value {
    let place = Location::from_stored(event.location_kind, &event.location_detail);
    json!({
        "slug": event.slug,
        "title": event.title,
        "description": event.description,
        "durations": offered_durations(
            u32::try_from(event.duration_minutes).unwrap_or(0),
            &event.other_durations,
        ),
        "location_kind": event.location_kind,
        // As on the booking page: an address, so invitees know where they would go.
        "address": (place.kind() == LocationKind::InPerson).then(|| place.detail()),
        "booking_url": format!("{}/{}/{}", ctx.origin, host.slug, event.slug),
    })
}

fn host_summary(ctx: &Ctx, host: &HostRow) -> Value {
    json!({
        "slug": host.slug,
        "name": host.name,
        "time_zone": host.time_zone,
        "public_url": format!("{}/{}", ctx.origin, host.slug),
    })
}

/// `GET /api/v1/hosts/{host}`: the host and the event types their public page lists.
pub async fn host(ctx: &Ctx, host_slug: &str) -> Result<Response, AppError> {
    let host = ctx.store.host_by_slug(host_slug).await?.ok_or_else(|| {
        AppError::NotFound(format!("There is no host called '{host_slug}' here."))
    })?;
    let events: Vec<Value> = ctx
        .store
        .listed_event_types(&host.id)
        .await?
        .iter()
        .map(|event| event_summary(ctx, &host, event))
        .collect();
    let mut body = host_summary(ctx, &host);
    body["event_types"] = Value::Array(events);
    Ok(Response::from_json(&body)?)
}

/// `GET /api/v1/hosts/{host}/event-types/{event}`: one event type, hidden ones too (their
/// link works), with the questions its booking asks.
pub async fn event_type(
    ctx: &Ctx,
    host_slug: &str,
    event_slug: &str,
) -> Result<Response, AppError> {
    let target = PublicEvent::find(&ctx.store, host_slug, event_slug).await?;
    let mut body = event_summary(ctx, &target.host, &target.event);
    body["duration_minutes"] = json!(target.duration_minutes);
    body["questions"] = json!(target.questions()?);
    body["host"] = host_summary(ctx, &target.host);
    Ok(Response::from_json(&body)?)
}
