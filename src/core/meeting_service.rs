//! The online-meeting services that make a link per booking (Meet, Teams, Zoom): the one list
//! of them. An event type's location names one (`LocationKind::Online`), a booking's calendar
//! work records which one makes its link, and the provider registry
//! (`providers::registry`) says which connection provides each. A new conferencing service is
//! one variant here (its stored name and brand) plus its provider module.

/// An online-meeting service. Its stored name is the same everywhere it is kept
/// (`event_types.location_kind`, `booking_calendar.conference`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MeetingService {
    GoogleMeet,
    MicrosoftTeams,
    Zoom,
}

impl MeetingService {
    /// Every service, in the order the event type form lists them.
    pub const ALL: [MeetingService; 3] = [Self::GoogleMeet, Self::MicrosoftTeams, Self::Zoom];

    /// The name the store keeps.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::GoogleMeet => "google_meet",
            Self::MicrosoftTeams => "microsoft_teams",
            Self::Zoom => "zoom",
        }
    }

    /// The service's own name, the same in every language (pages, emails, the host's
    /// failure notices).
    pub fn brand(self) -> &'static str {
        match self {
            Self::GoogleMeet => "Google Meet",
            Self::MicrosoftTeams => "Microsoft Teams",
            Self::Zoom => "Zoom",
        }
    }

    /// The service stored as `name`, if any.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|service| service.as_str() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_service_reads_back_from_its_stored_name_and_others_are_refused() {
        for service in MeetingService::ALL {
            assert_eq!(MeetingService::parse(service.as_str()), Some(service));
        }
        assert_eq!(MeetingService::parse("webex"), None);
        assert_eq!(MeetingService::parse("none"), None);
        assert_eq!(MeetingService::parse("Zoom"), None);
    }
}
