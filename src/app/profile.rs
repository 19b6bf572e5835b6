//! The host's profile as it is saved: one statement that refuses a link another host has.

use super::{AppError, Ctx};
use crate::core::booking::FieldErrors;
use crate::core::profile::Profile;
use crate::store::ProfileUpdate;

/// Saves a checked profile; `Some` with the slug's message when another host has that link.
pub async fn save_profile_fields(
    ctx: &Ctx,
    host_id: &str,
    valid: &Profile,
) -> Result<Option<FieldErrors>, AppError> {
    let outcome = ctx
        .store
        .update_host_profile(
            host_id,
            valid.name.as_str(),
            valid.slug.as_str(),
            valid.zone.name(),
        )
        .await?;
    Ok(match outcome {
        ProfileUpdate::Saved => None,
        ProfileUpdate::SlugTaken => Some(FieldErrors::one(
            "slug",
            format!(
                "'{}' is already someone's link; choose another.",
                valid.slug.as_str()
            ),
        )),
    })
}
