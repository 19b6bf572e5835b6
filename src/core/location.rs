//! Where a meeting happens: the kind the host picked and, for the kinds whose place only the
//! host knows, that place: the number to call, the address, or the host's own meeting link.
//!
//! Meet, Teams and Zoom links are made per booking by the provider; phone, in-person and
//! custom-link meetings need the host to name the place once, on the event type, or the
//! invitee would be booked into a meeting nobody can find.

use super::event_type::LocationKind;
use super::types::FieldError;

/// Longest detail: an address with directions fits, a pasted document does not.
pub const MAX_DETAIL_CHARS: usize = 300;

/// An event type's location, its detail checked for its kind (parse, don't validate).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    kind: LocationKind,
    /// Empty for the kinds that name no place of their own.
    detail: String,
}

impl Location {
    /// Parses the kind's detail: required for phone (a number), in person (an address) and
    /// custom link (an https URL); the other kinds keep none, whatever a form left in the field.
    pub fn parse(kind: LocationKind, raw_detail: &str) -> Result<Self, String> {
        let detail = raw_detail.trim();
        // Too long is refused for every kind, so what is accepted never depends on the kind.
        if detail.chars().count() > MAX_DETAIL_CHARS {
            return Err(FieldError::TooLong(MAX_DETAIL_CHARS).to_string());
        }
        let needs = match kind {
            LocationKind::Phone => "the phone number invitees call",
            LocationKind::InPerson => "the address where you meet",
            LocationKind::CustomLink => "the link invitees join (https://…)",
            _ => {
                return Ok(Self {
                    kind,
                    detail: String::new(),
                })
            }
        };
        if detail.is_empty() {
            return Err(format!("Enter {needs}."));
        }
        if detail.chars().any(char::is_control) {
            return Err(FieldError::ControlCharacters.to_string());
        }
        match kind {
            LocationKind::Phone => check_phone(detail)?,
            LocationKind::CustomLink => check_link(detail)?,
            _ => {}
        }
        Ok(Self {
            kind,
            detail: detail.to_owned(),
        })
    }

    /// A stored location; a detail the current rules would refuse is dropped rather than shown.
    pub fn from_stored(kind: LocationKind, detail: &str) -> Self {
        Self::parse(kind, detail).unwrap_or(Self {
            kind,
            detail: String::new(),
        })
    }

    /// The kind of place.
    pub fn kind(&self) -> LocationKind {
        self.kind
    }

    /// The number, address or link; empty for the other kinds.
    pub fn detail(&self) -> &str {
        &self.detail
    }

    /// The host's own meeting link (custom link only): what invitees click to join.
    pub fn link(&self) -> Option<&str> {
        (self.kind == LocationKind::CustomLink && !self.detail.is_empty())
            .then_some(self.detail.as_str())
    }

    /// What invitees click to join: the provider's meeting once it exists (https only), else
    /// the host's own link.
    pub fn join_link<'a>(&'a self, meeting_url: Option<&'a str>) -> Option<&'a str> {
        meeting_url
            .filter(|url| url.starts_with("https://"))
            .or_else(|| self.link())
    }

    /// The number or address to show next to the kind's name (phone and in person only).
    pub fn place(&self) -> Option<&str> {
        (matches!(self.kind, LocationKind::Phone | LocationKind::InPerson)
            && !self.detail.is_empty())
        .then_some(self.detail.as_str())
    }
}

/// A number a person can dial: digits with the usual separators, a leading `+` allowed.
fn check_phone(number: &str) -> Result<(), String> {
    let digits = number.chars().filter(char::is_ascii_digit).count();
    let allowed = number
        .chars()
        .all(|c| c.is_ascii_digit() || " +-()./".contains(c));
    if !allowed || !(3..=20).contains(&digits) || number.len() > 40 {
        return Err("Enter a phone number such as +49 30 1234567.".into());
    }
    Ok(())
}

/// An absolute https URL with a host: anything else could not be opened safely from an email.
fn check_link(link: &str) -> Result<(), String> {
    let message = || "Enter the full meeting link, starting with https://.".to_owned();
    let url = url::Url::parse(link).map_err(|e| match e {
        // Openslot carries no Unicode tables for domain names (Cargo.toml, `idna_adapter`).
        url::ParseError::IdnaError => {
            "Write the link's domain in its ASCII form (xn--…), as your browser shows it when \
             copied."
                .to_owned()
        }
        _ => message(),
    })?;
    if url.scheme() != "https" || url.host_str().is_none_or(str::is_empty) || link.contains(' ') {
        return Err(message());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::meeting_service::MeetingService;

    const ZOOM: LocationKind = LocationKind::Online(MeetingService::Zoom);

    #[test]
    fn a_link_with_an_internationalized_domain_is_asked_for_in_its_ascii_form() {
        let error = Location::parse(LocationKind::CustomLink, "https://bücher.example/m").unwrap_err();
        assert!(error.contains("xn--"), "{error}");
        assert!(Location::parse(LocationKind::CustomLink, "https://xn--bcher-kva.example/m").is_ok());
    }

    #[test]
    fn the_kinds_that_name_a_place_need_one() {
        for kind in [
            LocationKind::Phone,
            LocationKind::InPerson,
            LocationKind::CustomLink,
        ] {
            let error = Location::parse(kind, "  ").unwrap_err();
            assert!(error.starts_with("Enter "), "{error}");
        }
        let phone = Location::parse(LocationKind::Phone, " +49 (30) 123-4567 ").unwrap();
        assert_eq!(phone.detail(), "+49 (30) 123-4567");
        assert_eq!(phone.place(), Some("+49 (30) 123-4567"));
        assert_eq!(phone.link(), None);
        let visit = Location::parse(LocationKind::InPerson, "Hauptstraße 5, Berlin").unwrap();
        assert_eq!(visit.place(), Some("Hauptstraße 5, Berlin"));
        let link = Location::parse(LocationKind::CustomLink, "https://meet.jit.si/abc").unwrap();
        assert_eq!(link.link(), Some("https://meet.jit.si/abc"));
        assert_eq!(link.place(), None);
    }

    #[test]
    fn the_providers_meeting_comes_first_and_only_over_https() {
        let own = Location::parse(LocationKind::CustomLink, "https://meet.jit.si/x").unwrap();
        let zoom = Location::parse(ZOOM, "").unwrap();
        assert_eq!(own.join_link(None), Some("https://meet.jit.si/x"));
        assert_eq!(zoom.join_link(None), None);
        assert_eq!(
            zoom.join_link(Some("https://zoom.example/j/1")),
            Some("https://zoom.example/j/1")
        );
        assert_eq!(zoom.join_link(Some("javascript:alert(1)")), None);
        assert_eq!(
            own.join_link(Some("http://plain.example")),
            Some("https://meet.jit.si/x")
        );
    }

    #[test]
    fn provider_kinds_keep_no_detail() {
        let zoom = Location::parse(ZOOM, "left over from the form").unwrap();
        assert_eq!(zoom.detail(), "");
        assert_eq!((zoom.link(), zoom.place()), (None, None));
    }

    #[test]
    fn bad_details_are_refused() {
        for (kind, bad) in [
            (LocationKind::Phone, "call me"),
            (LocationKind::Phone, "12"),
            (LocationKind::Phone, "+1 555 0100; DROP"),
            (LocationKind::CustomLink, "meet.example.com/abc"),
            (LocationKind::CustomLink, "http://meet.example.com/abc"),
            (LocationKind::CustomLink, "javascript:alert(1)"),
            (LocationKind::CustomLink, "https://"),
            (LocationKind::CustomLink, "https://meet.example.com/a b"),
            (LocationKind::InPerson, "line\u{7}bell"),
        ] {
            assert!(Location::parse(kind, bad).is_err(), "{kind:?} {bad:?}");
        }
        let long = "x".repeat(MAX_DETAIL_CHARS + 1);
        assert!(Location::parse(LocationKind::InPerson, &long).is_err());
        assert!(Location::parse(ZOOM, &long).is_err());
    }

    #[test]
    fn a_stored_detail_that_no_longer_passes_is_not_shown() {
        let stored = Location::from_stored(LocationKind::CustomLink, "http://old.example.com");
        assert_eq!(stored.kind(), LocationKind::CustomLink);
        assert_eq!(stored.link(), None);
    }
}
