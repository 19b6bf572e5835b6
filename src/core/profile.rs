//! A host's public profile (name, link, time zone) parsed as one, so the dashboard form,
//! onboarding and the host API refuse exactly the same input with the same messages.

use super::booking::FieldErrors;
use super::types::{PersonName, Slug, TimeZoneName};

/// A profile whose three fields all parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub name: PersonName,
    pub slug: Slug,
    pub zone: TimeZoneName,
}

impl Profile {
    /// Parses the three fields as typed; each refusal goes into `errors` under its field
    /// (`name`, `slug`, `time_zone`), and the profile is returned only if none was refused.
    pub fn parse(name: &str, slug: &str, zone: &str, errors: &mut FieldErrors) -> Option<Self> {
        let name = PersonName::parse(name)
            .map_err(|e| errors.push("name", e.to_string()))
            .ok();
        let slug = Slug::parse_host(slug)
            .map_err(|e| errors.push("slug", e.to_string()))
            .ok();
        let zone = TimeZoneName::parse(zone)
            .map_err(|e| errors.push("time_zone", e.to_string()))
            .ok();
        Some(Self {
            name: name?,
            slug: slug?,
            zone: zone?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refused_field_is_named_at_once() {
        let mut errors = FieldErrors::default();
        assert!(Profile::parse("", "api", "Mars/Olympus", &mut errors).is_none());
        for field in ["name", "slug", "time_zone"] {
            assert!(errors.get(field).is_some(), "{field}: {errors:?}");
        }
    }

    #[test]
    fn a_good_profile_parses_and_leaves_no_error() {
        let mut errors = FieldErrors::default();
        let profile = Profile::parse("Ana Lima", "ana", "Europe/Lisbon", &mut errors).unwrap();
        assert!(errors.is_empty());
        assert_eq!(profile.slug.as_str(), "ana");
        assert_eq!(profile.zone.name(), "Europe/Lisbon");
    }
}
