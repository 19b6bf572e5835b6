//! The host's profile as it is saved: one statement that refuses a link another host has.
//! The profile page, onboarding and `PATCH /api/v1/me` all save through here.

use super::{AppError, Ctx};
use crate::core::profile::Profile;
use crate::store::ProfileUpdate;

/// What saving a profile came to.
pub enum ProfileSaved {
    /// The name, link and zone are stored.
    Saved,
    /// Another host has the link; the sentence says so, for the field or the 409.
    SlugTaken(String),
}

/// Saves a checked profile, or says that another host has its link.
pub async fn save(ctx: &Ctx, host_id: &str, valid: &Profile) -> Result<ProfileSaved, AppError> {
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
        ProfileUpdate::Saved => ProfileSaved::Saved,
        ProfileUpdate::SlugTaken => ProfileSaved::SlugTaken(format!(
            "'{}' is already someone's link; choose another.",
            valid.slug.as_str()
        )),
    })
}
