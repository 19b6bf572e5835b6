//! Reminders, from the cron trigger: each confirmed booking gets the reminders of its event
//! type (`core::reminders`): its own list (each a time before the meeting, to the invitee, the
//! host or both, with the host's text appended), or the instance's one to both sides
//! `REMINDER_MINUTES_BEFORE` minutes (default 1440; `0` turns it off) before it starts. They
//! are queued in the outbox and sent by [`deliver`](super::deliver) like every email.
//!
//! Each at most once, even when cron runs overlap: a booking's reminder is claimed by its lead
//! in one `INSERT … ON CONFLICT DO NOTHING` in the same batch that queues its emails, and the
//! outbox holds at most one email of each kind per booking and lead. A cancelled or moved-away
//! booking is no longer `confirmed`, so it gets none (its new booking gets its own); a booking
//! made inside a reminder's window gets none either (see `core::lifecycle::reminder_due_at`).
//!
//! The cron has no request to take an origin from, so the invitee's link in a reminder needs
//! `PUBLIC_BASE_URL`; without it the reminder points at the confirmation email instead.

use chrono::{DateTime, Duration};

use super::render;
use super::stored;
use super::Kind;
use crate::core::lifecycle::reminder_is_due;
use crate::runtime::Run;
use crate::store::{BookingDetailsRow, ReminderRow, NewEmail, Store};

/// Reminders one run queues at most; the next minute's run takes the rest.
const REMINDERS_PER_RUN: i64 = 25;

fn queue(store: &Store, kind: Kind, message: &super::Message) -> Result<NewEmail, String> {
    store
        .new_email(kind.as_str(), &message.to, message)
        .map_err(|e| format!("email payload: {e}"))
}

fn emails(
    store: &Store,
    row: &BookingDetailsRow,
    due: &ReminderRow,
    manage_url: &str,
) -> Result<Vec<NewEmail>, String> {
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
    let mut facts = stored::facts(row, start, end, meeting_url, manage_url);
    facts.host_message = due.note();
    let render_error = |e: askama::Error| format!("rendering a reminder: {e}");
    let recipients = due.recipients();
    let mut emails = Vec::with_capacity(2);
    if recipients.invitee() {
        let message = render::invitee_reminder(&facts).map_err(render_error)?;
        emails.push(queue(store, Kind::InviteeReminder, &message)?);
    }
    if recipients.host() {
        let message = render::host_reminder(&facts).map_err(render_error)?;
        emails.push(queue(store, Kind::HostReminder, &message)?);
    }
    Ok(emails)
}

/// Queues the reminders due in `run` (at its `now`); returns how many it claimed.
async fn queue_due(run: &Run) -> Result<u32, String> {
    let Run {
        config, store, now, ..
    } = run;
    let due = store
        .due_reminders(now.timestamp(), config.reminder_minutes, REMINDERS_PER_RUN)
        .await
        .map_err(|e| e.to_string())?;
    let mut claimed = 0;
    // A booking with two reminders due in one run (a late run) is read once.
    let mut loaded: Vec<BookingDetailsRow> = Vec::new();
    for reminder in due {
        let index = match loaded.iter().position(|row| row.id == reminder.booking_id) {
            Some(index) => index,
            None => {
                let Some(row) = store
                    .host_booking(&reminder.host_id, &reminder.booking_id)
                    .await
                    .map_err(|e| e.to_string())?
                else {
                    continue;
                };
                loaded.push(row);
                loaded.len() - 1
            }
        };
        let row = &loaded[index];
        let (Some(start), Some(booked_at)) = (
            DateTime::from_timestamp(row.start_at, 0),
            DateTime::from_timestamp(row.created_at, 0),
        ) else {
            continue;
        };
        if !reminder_is_due(start, booked_at, Duration::minutes(reminder.minutes_before()), *now) {
            continue;
        }
        // Queued with a placeholder for the token, filled in as the email leaves.
        let manage_url = match &config.public_base_url {
            Some(origin) => super::links::queued_manage_url(origin),
            None => String::new(),
        };
        let emails = emails(store, row, &reminder, &manage_url)?;
        if store
            .claim_reminder(
                &row.host_id,
                &row.id,
                reminder.minutes_before(),
                now.timestamp(),
                &emails,
            )
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
        Ok(n) => worker::console_log!("reminders: {n} queued"),
        Err(error) => worker::console_error!("reminders: {error}"),
    }
}
