//! Privacy requests confirmed through their emailed link: what a link opens, deleting a host's
//! account for good and erasing an invitee's details. Asking for a link is the privacy desk's
//! (`crate::privacy::Desk`), shared with the inbound email handler.

use super::cancel::{cancellation_messages, Cancellation};
use super::{AppError, Ctx};
use crate::core::types::CancellationReason;
use crate::crypto::digest::sha256_hex;
use crate::mail::privacy as emails;
use crate::mail::render::CancelledBy;
use crate::privacy::{privacy_email, provider_cleanup, Desk};
use crate::store::{HostProfileRow, PrivacyEmail};

/// The privacy desk (`crate::privacy`) on this request's store, clock and keys.
pub fn desk(ctx: &Ctx) -> Desk<'_> {
    Desk::of(ctx, &ctx.origin)
}

/// A link's token: 64 hex digits, or the link cannot be one of ours.
pub fn token_hash(token: &str) -> Result<String, AppError> {
    if token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(sha256_hex(&token.to_ascii_lowercase()))
    } else {
        Err(unknown_link())
    }
}

/// The answer to a link that is not (or no longer) one of ours.
pub fn unknown_link() -> AppError {
    AppError::NotFound(
        "This link is not valid: it was already used, or it never existed. You can ask for a \
         new one at /privacy."
            .into(),
    )
}

/// What an open request will do, read from its link.
pub enum Open {
    /// Delete the account of this host.
    DeleteHost { host_id: String },
    /// Erase the details of the invitee with this address from every booking.
    EraseInvitee { email: String },
}

/// The request behind a link's `hash`, if it is still open and within its 24 hours.
pub async fn open_request(ctx: &Ctx, hash: &str) -> Result<Open, AppError> {
    let request = ctx
        .store
        .privacy_request(hash)
        .await?
        .ok_or_else(unknown_link)?;
    if request.expires_at <= ctx.now.timestamp() {
        return Err(AppError::Expired(
            "This link has expired: links work for 24 hours. Ask for a new one at /privacy.".into(),
        ));
    }
    match (
        request.kind.as_str(),
        request.host_id,
        request.invitee_email,
    ) {
        ("delete_host", Some(host_id), _) => Ok(Open::DeleteHost { host_id }),
        ("erase_invitee", _, Some(email)) => Ok(Open::EraseInvitee { email }),
        // The request's own key is gone (it outlives the link's 24 hours by a day).
        ("erase_invitee", _, None) => Err(unknown_link()),
        (kind, _, _) => Err(AppError::Internal(format!(
            "privacy request of kind {kind} without its subject"
        ))),
    }
}

fn queued(kind: &'static str, message: &crate::mail::Message) -> Result<PrivacyEmail, AppError> {
    privacy_email(kind, message).map_err(AppError::Internal)
}

/// Deletes the host `host_id` for good, as confirmed through the link whose hash is `hash`:
/// first its data at the providers (events of upcoming bookings, meetings, grants), then every
/// KV entry of the host (its data keys among them: crypto-shredding), then its rows in one D1
/// batch that also queues each upcoming invitee's cancellation and the host's final notice.
/// If anything fails before that batch, the link still works and confirming again finishes.
pub async fn delete_host(ctx: &Ctx, host_id: &str, hash: &str) -> Result<HostDeleted, AppError> {
    let Some(host) = ctx.store.host_profile(host_id).await? else {
        return Err(unknown_link());
    };
    let kv = ctx
        .env
        .kv("TOKENS")
        .map_err(|e| AppError::Internal(format!("KV binding TOKENS: {e}")))?;
    // The invitees of upcoming bookings are read (opened with the host's data key) while the
    // key still exists: each is told of the cancellation.
    let upcoming = ctx
        .store
        .host_future_confirmed_bookings(host_id, ctx.now.timestamp())
        .await?;
    // At the providers, while the tokens still exist: events of upcoming bookings and Zoom
    // meetings go, grants are revoked (Google, Zoom). Then every KV entry of the host, its
    // data keys among them (`host/{id}/keys/`): from then on nothing sealed under them opens,
    // in D1's rows, its Time Travel history or any copy of its files (crypto-shredding).
    let cleanup = ctx.calendars()?.remove_host_from_providers(host_id).await?;
    let removed = provider_cleanup::remove_provider_data(&kv, host_id)
        .await
        .map_err(AppError::Internal)?;
    worker::console_log!(
        "privacy: host {host_id}: {} calendar events removed ({} left), {} grants revoked ({} \
         left)",
        cleanup.events_removed,
        cleanup.events_left,
        cleanup.grants_revoked,
        cleanup.grants_left.len()
    );
    let grants_left: Vec<&str> = cleanup.grants_left.iter().map(|p| p.label()).collect();
    let left = emails::deletion_leftovers(cleanup.events_left, &grants_left);
    let reason = CancellationReason::parse("The host has deleted their Openslot account.")
        .map_err(|e| AppError::Internal(format!("cancellation reason: {e}")))?;
    let mut emails = Vec::with_capacity(upcoming.len() + 1);
    for booking in &upcoming {
        let (Some(start), Some(end)) = (
            chrono::DateTime::from_timestamp(booking.start_at, 0),
            chrono::DateTime::from_timestamp(booking.end_at, 0),
        ) else {
            continue;
        };
        // The booking's page is gone with it: the email points at the instance instead.
        let (to_invitee, _) = cancellation_messages(
            ctx,
            &Cancellation {
                booking,
                start,
                end,
                reason: &reason,
                by: CancelledBy::Host,
                manage_url: &ctx.origin,
            },
        )?;
        emails.push(queued("deletion_cancellation", &to_invitee)?);
    }
    emails.push(queued(
        "deletion_notice",
        &emails::deletion_notice(&host.email, &host.name, upcoming.len(), &left),
    )?);
    let deleted = ctx
        .store
        .delete_host_account(host_id, hash, ctx.now.timestamp(), &emails)
        .await?;
    if !deleted {
        // Another click got there first.
        return Err(unknown_link());
    }
    worker::console_log!(
        "privacy: host {host_id} deleted ({} upcoming bookings cancelled, {removed} KV entries \
         with its data keys)",
        upcoming.len()
    );
    Ok(HostDeleted {
        upcoming_cancelled: upcoming.len(),
        left,
    })
}

/// What a confirmed account deletion did, for the page that says so.
pub struct HostDeleted {
    /// Upcoming bookings cancelled, each invitee told by email.
    pub upcoming_cancelled: usize,
    /// What could not be removed at the providers, in sentences for the host.
    pub left: Vec<String>,
}

/// Erases the details of the invitee `email` from every booking, as confirmed through the link
/// whose hash is `hash`, and queues a notice (without the invitee's details) to each host in
/// the same batch. Answers how many bookings were erased.
pub async fn erase_invitee(ctx: &Ctx, email: &str, hash: &str) -> Result<usize, AppError> {
    let hosts = ctx.store.hosts_of_invitee(email).await?;
    let notices = hosts
        .iter()
        .map(|host| {
            let count = usize::try_from(host.bookings).unwrap_or(0);
            queued(
                "erasure_notice",
                &emails::erasure_notice(&host.host_email, &host.host_name, count),
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    let erased = ctx
        .store
        .erase_invitee(email, hash, ctx.now.timestamp(), &notices)
        .await?;
    worker::console_log!(
        "privacy: an invitee's details erased from {erased} bookings of {} hosts",
        hosts.len()
    );
    Ok(erased)
}

/// The account of `host_id` as the page confirming its deletion describes it: the host's
/// profile and how many upcoming bookings the deletion would cancel.
pub async fn deletion_preview(
    ctx: &Ctx,
    host_id: &str,
) -> Result<(HostProfileRow, usize), AppError> {
    let host = ctx
        .store
        .host_profile(host_id)
        .await?
        .ok_or_else(unknown_link)?;
    let upcoming = ctx
        .store
        .host_future_confirmed_bookings(host_id, ctx.now.timestamp())
        .await?
        .len();
    Ok((host, upcoming))
}

/// How many bookings an erasure for `email` would erase the details of.
pub async fn erasure_preview(ctx: &Ctx, email: &str) -> Result<i64, AppError> {
    let hosts = ctx.store.hosts_of_invitee(email).await?;
    Ok(hosts.iter().map(|h| h.bookings).sum())
}

/// Everything stored about the host `id`, as the one JSON document of its export, with the
/// host's slug for the file's name.
pub async fn export_document(ctx: &Ctx, id: &str) -> Result<(String, serde_json::Value), AppError> {
    let store = &ctx.store;
    let profile = store
        .export_profile(id)
        .await?
        .ok_or_else(|| AppError::NotFound("Your account no longer exists.".into()))?;
    let schedules: Vec<serde_json::Value> = store
        .schedules(id)
        .await?
        .into_iter()
        .map(|s| {
            serde_json::json!({ "id": s.id, "name": s.name, "time_zone": s.time_zone,
                                "is_default": s.is_default == 1 })
        })
        .collect();
    let webhooks: Vec<serde_json::Value> = store
        .host_webhook_endpoints(id)
        .await?
        .into_iter()
        .map(|e| {
            serde_json::json!({ "url": e.url, "events": crate::core::webhooks::EventSet::from_stored(&e.events).names(),
                                "event_type_id": e.event_type_id,
                                "include_personal": e.include_personal == 1,
                                "enabled": e.disabled_at.is_none(), "created_at": e.created_at })
        })
        .collect();
    let reminders: Vec<serde_json::Value> = store
        .export_reminders(id)
        .await?
        .iter()
        .map(|r| {
            serde_json::json!({ "event_type_id": r.event_type_id, "minutes_before": r.minutes_before(),
                                "to": r.recipients().as_str(), "note": r.note() })
        })
        .collect();
    let document = serde_json::json!({
        "format": "openslot-export/1",
        "exported_at": ctx.now.to_rfc3339(),
        "profile": profile,
        "sign_in_identities": store.export_identities(id).await?,
        "event_types": store.export_event_types(id).await?,
        "single_use_links": store.export_single_use_links(id).await?,
        "reminders": reminders,
        "availability": {
            "schedule_time_zone": profile["schedule_time_zone"],
            "schedules": schedules,
            "weekly_hours": store.export_weekly_hours(id).await?,
            "date_overrides": store.export_overrides(id).await?,
            "time_off": store.export_time_off(id).await?,
        },
        "bookings": store.export_bookings(id).await?,
        "connections": store.export_connections(id).await?,
        "api_tokens": store.export_api_tokens(id).await?,
        "webhooks": webhooks,
    });
    let slug = profile["slug"].as_str().unwrap_or_default().to_owned();
    Ok((slug, document))
}
