//! The host's time off, for the dashboard and the host API alike: listed from now on, added
//! from the form (local dates in the schedule's zone) or from instants, and removed.

use super::{AppError, Ctx};
use crate::core::time_off::TimeOff;
use crate::crypto::random_hex;
use crate::store::TimeOffRow;

/// The host's time off that has not ended yet, soonest first.
pub async fn ahead(ctx: &Ctx, host_id: &str) -> Result<Vec<TimeOffRow>, AppError> {
    Ok(ctx
        .store
        .time_off_ahead(host_id, ctx.now.timestamp())
        .await?)
}

/// Saves a checked span of time off; the stored row.
pub async fn add(ctx: &Ctx, host_id: &str, off: TimeOff) -> Result<TimeOffRow, AppError> {
    let row = TimeOffRow {
        id: random_hex::<16>(),
        start_at: off.start.timestamp(),
        end_at: off.end.timestamp(),
        note: off.note,
    };
    ctx.store
        .add_time_off(host_id, &row, ctx.now.timestamp())
        .await?;
    Ok(row)
}

/// Removes one of the host's spans (404 for an id the host does not have).
pub async fn remove(ctx: &Ctx, host_id: &str, id: &str) -> Result<(), AppError> {
    if ctx.store.delete_time_off(host_id, id).await? {
        Ok(())
    } else {
        Err(AppError::NotFound(
            "You have no time off with this id.".into(),
        ))
    }
}
