//! A host's event types as they are created, saved, shown or hidden, copied and deleted: the
//! settings a new one starts with, a stored one's settings as the form and the API edit them,
//! and duplicating one under a free slug. The dashboard, onboarding and the JSON API share
//! these.

use super::{AppError, Ctx};
use crate::core::event_type::EventTypeSettings;
use crate::core::event_type::{EventTypeInput, LocationKind};
use crate::core::meeting_service::MeetingService;
use crate::core::questions::{questions_from_json, QuestionInput};
use crate::crypto::random_hex;
use crate::i18n::Lang;
use crate::store::{EventTypeDelete, EventTypeRow, EventTypeWrite};

/// The settings of a stored event type as the form and the API's overlay edit them.
pub fn input_of(row: &EventTypeRow) -> EventTypeInput {
    let text = |value: Option<i64>| value.map(|v| v.to_string()).unwrap_or_default();
    EventTypeInput {
        title: row.title.clone(),
        slug: row.slug.clone(),
        description: row.description.clone(),
        duration_minutes: row.duration_minutes.to_string(),
        interval_minutes: text(row.slot_interval_minutes),
        buffer_before_minutes: row.buffer_before_minutes.to_string(),
        buffer_after_minutes: row.buffer_after_minutes.to_string(),
        minimum_notice_minutes: row.minimum_notice_minutes.to_string(),
        booking_window_days: row.booking_window_days.to_string(),
        max_per_day: text(row.max_bookings_per_day),
        max_per_week: text(row.max_bookings_per_week),
        max_per_month: text(row.max_bookings_per_month),
        max_minutes_per_day: text(row.max_booked_minutes_per_day),
        lang: row.lang.map(|l| l.code().to_owned()).unwrap_or_default(),
        message_en: row.confirmation_message.written_in(Lang::En).to_owned(),
        message_de: row.confirmation_message.written_in(Lang::De).to_owned(),
        change_cutoff_minutes: row.change_cutoff_minutes.to_string(),
        approval_hours: text(row.approval_hours),
        location_kind: row.location_kind.as_str().to_owned(),
        location_detail: row.location_detail.clone(),
        other_durations: row.other_durations.replace(',', ", "),
        // A stored value is written only after parsing, so it always reads back.
        questions: questions_from_json(&row.questions)
            .unwrap_or_default()
            .iter()
            .map(QuestionInput::from)
            .collect(),
    }
}

/// A new event type's settings before the host changes any (the form's and the API's).
pub fn defaults() -> EventTypeInput {
    EventTypeInput {
        duration_minutes: "30".into(),
        buffer_before_minutes: "0".into(),
        buffer_after_minutes: "0".into(),
        minimum_notice_minutes: "60".into(),
        booking_window_days: "60".into(),
        location_kind: LocationKind::Online(MeetingService::GoogleMeet)
            .as_str()
            .into(),
        ..EventTypeInput::default()
    }
}

/// Copies the host's event type `id` as "… (copy)" with a free `-copy[-N]` slug and returns
/// the copy's id. A copy starts hidden, so it is not offered before the host has looked at it.
pub async fn duplicate(ctx: &Ctx, host_id: &str, id: &str) -> Result<String, AppError> {
    let original = ctx
        .store
        .host_event_type(host_id, id)
        .await?
        .ok_or_else(|| AppError::NotFound("You have no event type at this address.".into()))?;
    let mut input = input_of(&original);
    input.title = format!("{} (copy)", original.title)
        .chars()
        .take(120)
        .collect();
    for n in 1..=20 {
        let suffix = if n == 1 {
            "-copy".to_owned()
        } else {
            format!("-copy-{n}")
        };
        let base: String = original.slug.chars().take(64 - suffix.len()).collect();
        input.slug = format!("{}{suffix}", base.trim_end_matches('-'));
        let settings = input
            .parse()
            .map_err(|_| AppError::Internal(format!("event type {id} has invalid settings")))?;
        if let Created::Saved(copy_id) = create(ctx, host_id, &settings, true).await? {
            // The copy follows the same schedule as the original.
            if original.schedule_id.is_some() {
                let schedule = original.schedule_id.as_deref();
                super::availability::choose_schedule(ctx, host_id, &copy_id, schedule).await?;
            }
            // And adds its bookings to the same calendar.
            if let Some(calendar) = ctx.store.event_calendar(host_id, id).await? {
                super::event_calendar::save(ctx, host_id, &copy_id, Some(&calendar)).await?;
            }
            return Ok(copy_id);
        }
    }
    Err(AppError::Conflict(
        "There are already too many copies of this event type.".into(),
    ))
}

/// What creating an event type came to.
pub enum Created {
    /// Saved under this new id.
    Saved(String),
    /// The host already uses the slug for another event type.
    SlugTaken,
    /// The host is gone (deleted while the request was under way).
    HostGone,
}

/// Creates an event type with checked `settings` under a new random id.
pub async fn create(
    ctx: &Ctx,
    host_id: &str,
    settings: &EventTypeSettings,
    hidden: bool,
) -> Result<Created, AppError> {
    let id = random_hex::<16>();
    Ok(
        match ctx
            .store
            .create_event_type(host_id, &id, settings, hidden, ctx.now.timestamp())
            .await?
        {
            EventTypeWrite::Saved => Created::Saved(id),
            EventTypeWrite::SlugTaken => Created::SlugTaken,
            EventTypeWrite::NotFound => Created::HostGone,
        },
    )
}

/// What saving an event type came to.
pub enum Saved {
    /// The settings (and the visibility, when given) are stored.
    Done,
    /// The host already uses the slug for another event type; nothing changed.
    SlugTaken,
    /// The host has no event type `id` (or it was deleted while the request was under way).
    NotFound,
}

/// Saves checked `settings` over the host's event type `id`, and then shows or hides it when
/// `hidden` is given (`None` leaves it as it is), so the form and the API save alike.
pub async fn save(
    ctx: &Ctx,
    host_id: &str,
    id: &str,
    settings: &EventTypeSettings,
    hidden: Option<bool>,
) -> Result<Saved, AppError> {
    match ctx.store.update_event_type(host_id, id, settings).await? {
        EventTypeWrite::Saved => {}
        EventTypeWrite::SlugTaken => return Ok(Saved::SlugTaken),
        EventTypeWrite::NotFound => return Ok(Saved::NotFound),
    }
    if let Some(hidden) = hidden {
        if !set_hidden(ctx, host_id, id, hidden).await? {
            return Ok(Saved::NotFound);
        }
    }
    Ok(Saved::Done)
}

/// Hides the host's event type `id` from their public page, or shows it again; `false` when
/// the host has no such event type (each caller words its own 404).
pub async fn set_hidden(
    ctx: &Ctx,
    host_id: &str,
    id: &str,
    hidden: bool,
) -> Result<bool, AppError> {
    Ok(ctx.store.set_event_type_hidden(host_id, id, hidden).await?)
}

/// Deletes the host's event type `id`, refused (409) while meetings of it are still ahead;
/// `false` when the host has no such event type (each caller words its own 404).
pub async fn delete(ctx: &Ctx, host_id: &str, id: &str) -> Result<bool, AppError> {
    match ctx
        .store
        .delete_event_type(host_id, id, ctx.now.timestamp())
        .await?
    {
        EventTypeDelete::Deleted => Ok(true),
        EventTypeDelete::HasUpcomingBookings(count) => Err(AppError::Conflict(format!(
            "This event type still has {count} upcoming meeting(s). Hide it instead, or cancel \
             those meetings first."
        ))),
        EventTypeDelete::NotFound => Ok(false),
    }
}
