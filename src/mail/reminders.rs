//! Reminders, from the cron trigger: each confirmed booking gets one email to the invitee and
//! one to the host `REMINDER_MINUTES_BEFORE` minutes (default 1440; `0` turns them off) before
//! it starts, queued in the outbox and sent by [`deliver`](super::deliver) like every email.
//!
//! At most once, even when cron runs overlap: a booking's reminder is claimed by one
//! conditional UPDATE (`reminder_sent_at IS NULL`) in the same batch that queues its emails,
//! and the outbox holds at most one email of each kind per booking. A cancelled or moved-away
//! booking is no longer `confirmed`, so it gets none; a booking made inside the window gets
//! none either (see `core::lifecycle::reminder_due_at`).
//!
//! The cron has no request to take an origin from, so the invitee's link in a reminder needs
//! `PUBLIC_BASE_URL`; without it the reminder points at the confirmation email instead.

use chrono::DateTime;

use super::render;
use super::stored;
use super::Kind;
use crate::core::lifecycle::{reminder_is_due, ReminderLead};
use crate::runtime::Run;
use crate::store::{BookingDetailsRow, NewEmail, Store};

/// Bookings one run reminds at most; the next minute's run takes the rest.
const BOOKINGS_PER_RUN: i64 = 25;

fn queue(store: &Store, kind: Kind, message: &super::Message) -> Result<NewEmail, String> {
    store
        .new_email(kind.as_str(), &message.to, message)
        .map_err(|e| format!("email payload: {e}"))
}

fn emails(
    store: &Store,
    row: &BookingDetailsRow,
    manage_url: &str,
) -> Result<[NewEmail; 2], String> {
    let (Some(start), Some(end)) = (
        DateTime::from_timestamp(row.start_at, 0),
        DateTime::from_timestamp(row.end_at, 0),
    ) else {
        return Err(format!("booking {} has an impossible time", row.id));
    };
    let meeting_url = row
        .meeting_url
        .as_deref()
        .filter(|url| url.starts_with("https://"));
    let facts = stored::facts(row, start, end, meeting_url, manage_url);
    let render_error = |e: askama::Error| format!("rendering a reminder: {e}");
    Ok([
        queue(
            store,
            Kind::InviteeReminder,
            &render::invitee_reminder(&facts).map_err(render_error)?,
        )?,
        queue(
            store,
            Kind::HostReminder,
            &render::host_reminder(&facts).map_err(render_error)?,
        )?,
    ])
}

/// Queues the reminders due in `run` (at its `now`); returns how many bookings it claimed.
async fn queue_due(run: &Run) -> Result<u32, String> {
    let lead = ReminderLead::parse(
        run.env
            .var("REMINDER_MINUTES_BEFORE")
            .ok()
            .map(|v| v.to_string())
            .as_deref(),
    )
    .map_err(|e| format!("the Worker setting REMINDER_MINUTES_BEFORE is invalid: {e}"))?;
    let Some(lead) = lead.lead() else {
        return Ok(0);
    };
    let Run {
        config, store, now, ..
    } = run;
    let rows = store
        .bookings_due_for_reminder(now.timestamp(), lead.num_seconds(), BOOKINGS_PER_RUN)
        .await
        .map_err(|e| e.to_string())?;
    let mut claimed = 0;
    for row in rows {
        let (Some(start), Some(booked_at)) = (
            DateTime::from_timestamp(row.start_at, 0),
            DateTime::from_timestamp(row.created_at, 0),
        ) else {
            continue;
        };
        if !reminder_is_due(start, booked_at, lead, *now) {
            continue;
        }
        // Queued with a placeholder for the token, filled in as the email leaves.
        let manage_url = match &config.public_base_url {
            Some(origin) => super::links::queued_manage_url(origin),
            None => String::new(),
        };
        let emails = emails(store, &row, &manage_url)?;
        if store
            .claim_reminder(&row.host_id, &row.id, now.timestamp(), &emails)
            .await
            .map_err(|e| e.to_string())?
        {
            claimed += 1;
        }
    }
    Ok(claimed)
}

/// The reminders of the cron's run; failures are logged by booking id only.
pub async fn run(run: &Run) {
    match queue_due(run).await {
        Ok(0) => {}
        Ok(n) => worker::console_log!("reminders: {n} bookings reminded"),
        Err(error) => worker::console_error!("reminders: {error}"),
    }
}
