//! What a new host starts with, so their link works at once: Monday to Friday 09:00–17:00 in
//! their zone when they have no hours, and a "30 minute meeting" when they have no event types.
//! Onboarding's first step gives both, by the availability and event type actions' own rules.

use super::availability::{default_schedule_id, store_week, stored_week};
use super::event_types::{create, defaults, Created};
use super::{AppError, Ctx};
use crate::core::availability::LocalRange;
use crate::core::event_type::LocationKind;
use crate::core::types::TimeZoneName;

/// The first event type's title and link, so a new host has a page to share at once.
const FIRST_EVENT_TITLE: &str = "30 minute meeting";
const FIRST_EVENT_SLUG: &str = "30min";

/// Working hours a new host starts with: 09:00–17:00 (minutes), Monday to Friday.
const DEFAULT_DAY: (u16, u16) = (9 * 60, 17 * 60);

/// Gives a host without weekly hours Monday to Friday 09:00–17:00 in `zone`, and a host
/// without event types a "30 minute meeting". Safe to repeat: what exists is kept.
pub async fn start_with_defaults(
    ctx: &Ctx,
    host_id: &str,
    zone: &TimeZoneName,
) -> Result<(), AppError> {
    let schedule_id = default_schedule_id(ctx, host_id).await?;
    if stored_week(ctx, host_id, &schedule_id)
        .await?
        .iter()
        .all(Vec::is_empty)
    {
        let day = LocalRange::new(DEFAULT_DAY.0, DEFAULT_DAY.1)
            .map_err(|e| AppError::Internal(format!("default hours: {e}")))?;
        let mut days: [Vec<LocalRange>; 7] = Default::default();
        for weekday in days.iter_mut().take(5) {
            weekday.push(day);
        }
        store_week(ctx, host_id, &schedule_id, zone, days).await?;
    }
    if ctx.store.host_event_types(host_id).await?.is_empty() {
        let mut input = defaults();
        input.title = FIRST_EVENT_TITLE.to_owned();
        input.slug = FIRST_EVENT_SLUG.to_owned();
        // No calendar is connected yet, so no Meet or Teams link could be made: details by email.
        input.location_kind = LocationKind::None.as_str().to_owned();
        let settings = input
            .parse()
            .map_err(|_| AppError::Internal("the first event type's settings".into()))?;
        match create(ctx, host_id, &settings, false).await? {
            // A second click made it a moment ago: one is enough.
            Created::Saved(_) | Created::SlugTaken => {}
            Created::HostGone => {
                return Err(AppError::Internal("host vanished during onboarding".into()))
            }
        }
    }
    Ok(())
}
