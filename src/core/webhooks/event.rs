//! The booking events a webhook reports, named as receivers see them in the payload's `type`
//! (Standard Webhooks recommends `type`, `timestamp` and `data` at the top level).

/// One kind of booking change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WebhookEvent {
    /// An invitee booked a meeting.
    Created,
    /// An invitee moved a meeting: the payload is the new booking, naming the old one.
    Rescheduled,
    /// The invitee or the host cancelled a meeting (a move is not a cancellation).
    Cancelled,
}

impl WebhookEvent {
    /// Every event, in the order pages and the API list them.
    pub const ALL: [WebhookEvent; 3] = [
        WebhookEvent::Created,
        WebhookEvent::Rescheduled,
        WebhookEvent::Cancelled,
    ];

    /// The name in payloads, the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookEvent::Created => "booking.created",
            WebhookEvent::Rescheduled => "booking.rescheduled",
            WebhookEvent::Cancelled => "booking.cancelled",
        }
    }

    /// The event named `name`, if there is one.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|event| event.as_str() == name)
    }

    /// What the dashboard calls it.
    pub fn label(self) -> &'static str {
        match self {
            WebhookEvent::Created => "Booked",
            WebhookEvent::Rescheduled => "Rescheduled",
            WebhookEvent::Cancelled => "Cancelled",
        }
    }
}

/// The events one endpoint receives: never empty, each at most once, in [`WebhookEvent::ALL`]
/// order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventSet(Vec<WebhookEvent>);

impl EventSet {
    /// Every event: what a new endpoint receives unless it names some.
    pub fn all() -> Self {
        Self(WebhookEvent::ALL.to_vec())
    }

    /// The set of the names given; an unknown name, or none at all, is an error that says so.
    pub fn parse<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Self, String> {
        let mut chosen = Vec::new();
        for name in names {
            let event = WebhookEvent::parse(name.trim()).ok_or_else(|| {
                format!(
                    "'{}' is not an event. Use {}.",
                    name.trim(),
                    WebhookEvent::ALL.map(WebhookEvent::as_str).join(", ")
                )
            })?;
            chosen.push(event);
        }
        let set: Vec<_> = WebhookEvent::ALL
            .into_iter()
            .filter(|event| chosen.contains(event))
            .collect();
        if set.is_empty() {
            return Err("Choose at least one event.".into());
        }
        Ok(Self(set))
    }

    /// The set as stored: names separated by commas.
    pub fn to_stored(&self) -> String {
        self.names().join(",")
    }

    /// The set a stored value names; names this version does not know are left out.
    pub fn from_stored(stored: &str) -> Self {
        Self(
            WebhookEvent::ALL
                .into_iter()
                .filter(|event| stored.split(',').any(|name| name == event.as_str()))
                .collect(),
        )
    }

    /// The names, in order.
    pub fn names(&self) -> Vec<&'static str> {
        self.0.iter().map(|event| event.as_str()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_sets_keep_one_order() {
        for event in WebhookEvent::ALL {
            assert_eq!(WebhookEvent::parse(event.as_str()), Some(event));
        }
        let set = EventSet::parse(["booking.cancelled", "booking.created", "booking.cancelled"]).unwrap();
        assert_eq!(set.to_stored(), "booking.created,booking.cancelled");
        assert_eq!(EventSet::from_stored(&set.to_stored()), set);
        assert_eq!(set.names(), vec!["booking.created", "booking.cancelled"]);
    }

    #[test]
    fn an_unknown_or_empty_choice_is_refused_with_the_names_to_use() {
        let error = EventSet::parse(["booking.deleted"]).unwrap_err();
        assert!(error.contains("'booking.deleted' is not an event"), "{error}");
        assert!(error.contains("booking.rescheduled"), "{error}");
        assert_eq!(
            EventSet::parse(std::iter::empty()).unwrap_err(),
            "Choose at least one event."
        );
    }
}
