//! The host's profile fields (name, link, zone) as a form, shared by the profile page and
//! onboarding's first step.

use super::request::field;
use crate::app::profile::{save, ProfileSaved};
use crate::app::{AppError, Ctx};
use crate::core::booking::FieldErrors;
use crate::core::profile::Profile;

/// The profile form as typed, with a message per field (profile page and onboarding).
pub struct ProfileForm {
    pub name: String,
    pub slug: String,
    pub time_zone: String,
    pub errors: FieldErrors,
}

/// Reads `name`, `slug` and `time_zone` from a posted form: as typed, and parsed or refused.
pub fn read_profile(pairs: &[(String, String)]) -> (ProfileForm, Result<Profile, FieldErrors>) {
    let value = |name: &str| field(pairs, name).unwrap_or_default().trim().to_owned();
    let (name, slug, time_zone) = (value("name"), value("slug"), value("time_zone"));
    let mut errors = FieldErrors::default();
    let parsed = Profile::parse(&name, &slug, &time_zone, &mut errors).ok_or(errors);
    let typed = ProfileForm {
        name,
        slug,
        time_zone,
        errors: FieldErrors::default(),
    };
    (typed, parsed)
}

/// Saves a checked profile from a form; `Some` with the slug's message when another host has
/// that link.
pub async fn save_profile_fields(
    ctx: &Ctx,
    host_id: &str,
    valid: &Profile,
) -> Result<Option<FieldErrors>, AppError> {
    Ok(match save(ctx, host_id, valid).await? {
        ProfileSaved::Saved => None,
        ProfileSaved::SlugTaken(message) => Some(FieldErrors::one("slug", message)),
    })
}
