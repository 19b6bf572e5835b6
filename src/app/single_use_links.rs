//! Single-use links, for the dashboard, the host API and the booking flow alike: a host
//! creates links for one of their event types (optionally expiring), lists and removes them;
//! an invitee's booking through a link is checked here and uses it up in the booking's own
//! statement (`app::booking`, `store::bookings`).

use chrono::{DateTime, Utc};

use super::public_event::PublicEvent;
use super::{AppError, Ctx};
use crate::core::single_use_link::LinkState;
use crate::crypto::digest::sha256_hex;
use crate::crypto::link_token::is_well_formed;
use crate::crypto::random_hex;
use crate::store::{EventTypeRow, NewSingleUseLink, SingleUseLinkRow};

/// A link as a host sees it: where it stands, and its address while it is open (derived
/// again from its id: D1 keeps no token).
pub struct ShownLink {
    pub row: SingleUseLinkRow,
    pub state: LinkState,
    pub url: Option<String>,
}

/// The address of a booking page with the single-use link's `token`.
fn url_of(ctx: &Ctx, host_slug: &str, event_slug: &str, token: &str) -> String {
    format!("{}/{host_slug}/{event_slug}?link={token}", ctx.origin)
}

fn shown(ctx: &Ctx, host_slug: &str, event: &EventTypeRow, row: SingleUseLinkRow) -> ShownLink {
    let state = row.state(ctx.now.timestamp());
    let url = (state == LinkState::Open).then(|| {
        let token = ctx.config.link_key.single_use_token(&row.id);
        url_of(ctx, host_slug, &event.slug, &token)
    });
    ShownLink { row, state, url }
}

/// The host's event type `event_type_id`, or the 404 every link action answers for one the
/// host does not have.
async fn event_type(
    ctx: &Ctx,
    host_id: &str,
    event_type_id: &str,
) -> Result<EventTypeRow, AppError> {
    ctx.store
        .host_event_type(host_id, event_type_id)
        .await?
        .ok_or_else(|| AppError::NotFound("You have no event type at this address.".into()))
}

/// The event type and its links, newest first.
pub async fn list(
    ctx: &Ctx,
    host_id: &str,
    host_slug: &str,
    event_type_id: &str,
) -> Result<(EventTypeRow, Vec<ShownLink>), AppError> {
    let event = event_type(ctx, host_id, event_type_id).await?;
    let rows = ctx.store.single_use_links(host_id, &event.id).await?;
    let links = rows
        .into_iter()
        .map(|row| shown(ctx, host_slug, &event, row))
        .collect();
    Ok((event, links))
}

/// Creates a link to the event type, open until `expires_at` if given.
pub async fn create(
    ctx: &Ctx,
    host_id: &str,
    host_slug: &str,
    event_type_id: &str,
    expires_at: Option<DateTime<Utc>>,
) -> Result<ShownLink, AppError> {
    let event = event_type(ctx, host_id, event_type_id).await?;
    let id = random_hex::<16>();
    let token_hash = sha256_hex(&ctx.config.link_key.single_use_token(&id));
    let row = SingleUseLinkRow {
        id,
        event_type_id: event.id.clone(),
        created_at: ctx.now.timestamp(),
        expires_at: expires_at.map(|at| at.timestamp()),
        used_at: None,
    };
    let new = NewSingleUseLink {
        id: &row.id,
        token_hash: &token_hash,
        expires_at: row.expires_at,
        created_at: row.created_at,
    };
    if !ctx
        .store
        .add_single_use_link(host_id, &event.id, &new)
        .await?
    {
        // The event type was deleted a moment ago.
        return Err(AppError::NotFound(
            "You have no event type at this address.".into(),
        ));
    }
    Ok(shown(ctx, host_slug, &event, row))
}

/// Removes one of the event type's links, open or not: an open one stops working at once.
pub async fn remove(
    ctx: &Ctx,
    host_id: &str,
    event_type_id: &str,
    id: &str,
) -> Result<(), AppError> {
    if ctx
        .store
        .delete_single_use_link(host_id, event_type_id, id)
        .await?
    {
        Ok(())
    } else {
        Err(AppError::NotFound(
            "This event type has no single-use link with this id.".into(),
        ))
    }
}

/// The refusal of a link that is not one of this event type's.
pub fn unknown_link() -> AppError {
    AppError::NotFound(
        "This booking link is not valid. Check that you copied all of it, or ask for a new one."
            .into(),
    )
}

/// The hash D1 keeps of `token`, once `token` has the shape of one (43 base64url characters;
/// anything else is refused as unknown without a query).
pub fn token_hash(token: &str) -> Result<String, AppError> {
    if is_well_formed(token) {
        Ok(sha256_hex(token))
    } else {
        Err(unknown_link())
    }
}

/// The hash of `token` and where its link stands, if it is one of `target`'s links: a 404
/// for a link this event type never had (or that its host removed).
pub async fn link_state(
    ctx: &Ctx,
    target: &PublicEvent,
    token: &str,
) -> Result<(String, LinkState), AppError> {
    let hash = token_hash(token)?;
    let link = ctx
        .store
        .single_use_link_by_token_hash(&target.event.id, &hash)
        .await?
        .ok_or_else(unknown_link)?;
    let state = link.state(ctx.now.timestamp());
    Ok((hash, state))
}

/// Checks that `token` opens `target` now: a 404 for a link this event type never had, a
/// clear refusal (410) for one used or expired; the token's hash when it is open.
pub async fn check_open(ctx: &Ctx, target: &PublicEvent, token: &str) -> Result<String, AppError> {
    match link_state(ctx, target, token).await? {
        (hash, LinkState::Open) => Ok(hash),
        (_, closed) => Err(closed_link(target, closed)),
    }
}

/// The refusal of a link that booked its meeting or ran out.
pub fn closed_link(target: &PublicEvent, state: LinkState) -> AppError {
    AppError::LinkClosed {
        state,
        host_name: target.host.name.clone(),
    }
}
