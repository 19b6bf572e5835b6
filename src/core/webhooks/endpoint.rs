//! What a host asks for when adding or changing a webhook endpoint, parsed field by field
//! into errors the dashboard and the API report under the same names (`url`, `events`,
//! `event_type_id`).

use super::{EventSet, WebhookUrl};
use crate::core::booking::FieldErrors;

/// The endpoint as typed into the form or sent to the API.
#[derive(Debug, Clone, Default)]
pub struct EndpointInput {
    pub url: String,
    /// Event names; empty means every event.
    pub events: Vec<String>,
    /// Only this event type's bookings; `None` for all of the host's.
    pub event_type_id: Option<String>,
    pub include_personal: bool,
}

/// An endpoint that may be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointSettings {
    pub url: WebhookUrl,
    pub events: EventSet,
    pub event_type_id: Option<String>,
    pub include_personal: bool,
}

impl EndpointInput {
    /// Parses every field, reporting each problem; `local_development` also lets the URL
    /// be loopback over http (see `WebhookUrl`).
    pub fn parse(&self, local_development: bool) -> Result<EndpointSettings, FieldErrors> {
        let mut errors = FieldErrors::default();
        let url = WebhookUrl::parse(&self.url, local_development)
            .map_err(|error| errors.push("url", error.to_string()))
            .ok();
        let events = if self.events.is_empty() {
            Some(EventSet::all())
        } else {
            EventSet::parse(self.events.iter().map(String::as_str))
                .map_err(|error| errors.push("events", error))
                .ok()
        };
        let event_type_id = self
            .event_type_id
            .as_deref()
            .map(str::trim)
            .filter(|id| !id.is_empty())
            .map(str::to_owned);
        if event_type_id.as_deref().is_some_and(|id| {
            id.len() > 64 || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        }) {
            errors.push("event_type_id", "You have no event type with this id.");
        }
        match (url, events) {
            (Some(url), Some(events)) if errors.is_empty() => Ok(EndpointSettings {
                url,
                events,
                event_type_id,
                include_personal: self.include_personal,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_alone_subscribes_to_every_event_of_every_event_type() {
        let settings = EndpointInput {
            url: "https://hooks.example.com/in".into(),
            ..EndpointInput::default()
        }
        .parse(false)
        .unwrap();
        assert_eq!(settings.events, EventSet::all());
        assert_eq!(settings.event_type_id, None);
        assert!(!settings.include_personal);
    }

    #[test]
    fn every_bad_field_is_reported_under_its_name() {
        let errors = EndpointInput {
            url: "http://10.0.0.1/".into(),
            events: vec!["booking.exploded".into()],
            event_type_id: Some("../x".into()),
            include_personal: true,
        }
        .parse(false)
        .unwrap_err();
        assert!(errors.get("url").unwrap().contains("https://"));
        assert!(errors.get("events").unwrap().contains("booking.exploded"));
        assert!(errors.get("event_type_id").is_some());
    }
}
