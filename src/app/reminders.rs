//! Reminders per event type, for the dashboard and the host API alike: read an event type's
//! plan (the instance's reminder, or its own list) and replace it. The cron that sends them
//! is `mail::reminders`.

use super::{AppError, Ctx};
use crate::core::reminders::ReminderPlan;
use crate::store::EventTypeRow;

fn no_event_type() -> AppError {
    AppError::NotFound("You have no event type at this address.".into())
}

/// The instance's reminder lead in minutes (`REMINDER_MINUTES_BEFORE`; `None`: off), which
/// event types on [`ReminderPlan::Instance`] follow.
pub fn instance_minutes(ctx: &Ctx) -> Option<i64> {
    Some(ctx.config.reminder_minutes).filter(|minutes| *minutes > 0)
}

/// The host's event type `event_type_id` and its reminder plan.
pub async fn plan(
    ctx: &Ctx,
    host_id: &str,
    event_type_id: &str,
) -> Result<(EventTypeRow, ReminderPlan), AppError> {
    let event = ctx
        .store
        .host_event_type(host_id, event_type_id)
        .await?
        .ok_or_else(no_event_type)?;
    let plan = ctx
        .store
        .reminder_plan(host_id, &event.id)
        .await?
        .ok_or_else(no_event_type)?;
    Ok((event, plan))
}

/// The reminder plan of the host's event type `event_type_id` alone.
pub async fn plan_only(
    ctx: &Ctx,
    host_id: &str,
    event_type_id: &str,
) -> Result<ReminderPlan, AppError> {
    ctx.store
        .reminder_plan(host_id, event_type_id)
        .await?
        .ok_or_else(no_event_type)
}

/// Replaces the event type's plan with `plan` (checked by `core::reminders`). Reminders
/// already sent stay sent: a lead kept in the new list is not sent again for a booking.
pub async fn save(
    ctx: &Ctx,
    host_id: &str,
    event_type_id: &str,
    plan: &ReminderPlan,
) -> Result<(), AppError> {
    if ctx
        .store
        .save_reminder_plan(host_id, event_type_id, plan)
        .await?
    {
        Ok(())
    } else {
        Err(no_event_type())
    }
}
