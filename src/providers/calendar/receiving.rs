//! Which calendar receives a booking's event (tracker issue 14), decided purely: an event
//! type may choose one calendar the host can write in, of one of their calendar connections
//! ([`EventCalendar`]), of any of their accounts; without a choice, or while the chosen
//! connection is gone or broken, the connection that receives events takes it in its default
//! calendar, as before event types could choose. A Meet or Teams link is made on the event of
//! an account of its own provider (the chosen or receiving one when it is that provider's),
//! which then receives it.

use super::google::CalendarChoice;
use super::MeetingMaker;
use crate::core::event_type::LocationKind;
use crate::providers::connection_key::ConnectionKey;
use crate::providers::registry::ConnectProvider;

/// One calendar of one of the host's calendar connections (`google-2` for a second Google
/// account), chosen to receive an event type's bookings; `calendar_id` is the provider's id
/// (a CalDAV collection's URL), `primary` for the connection's own default calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventCalendar {
    pub connection: ConnectionKey,
    pub calendar_id: String,
}

/// The longest calendar id kept (the columns' CHECK, migration 0031).
pub const MAX_CALENDAR_ID: usize = 2048;

/// A connection's name and a calendar id as one choice, refused in words for the host when the
/// name is no calendar connection's or the id is empty or too long.
pub fn choice_of(connection: &str, calendar_id: &str) -> Result<EventCalendar, String> {
    let Some(connection) = ConnectionKey::parse(connection).filter(|key| key.provider.is_calendar())
    else {
        return Err(format!("'{connection}' is not a calendar you can connect."));
    };
    if calendar_id.is_empty() || calendar_id.len() > MAX_CALENDAR_ID {
        return Err("Choose one of your calendars.".into());
    }
    Ok(EventCalendar {
        connection,
        calendar_id: calendar_id.to_owned(),
    })
}

/// A choice as the dashboard's select sends it (`connection:calendar id`, empty for the host's
/// default); `Err` with the field's message when it names no calendar.
pub fn parse_form_value(value: &str) -> Result<Option<EventCalendar>, String> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    let (connection, id) = value.split_once(':').unwrap_or((value, ""));
    choice_of(connection, id).map(Some)
}

/// The form value of `calendar` (what [`parse_form_value`] reads back).
pub fn form_value(calendar: &EventCalendar) -> String {
    format!("{}:{}", calendar.connection.name(), calendar.calendar_id)
}

/// The id a listed calendar is stored under: `primary` for the connection's own default
/// calendar (Google's name for it; Graph's create without a calendar goes there too), so no
/// address is kept where Google's primary calendar's id is one.
pub fn stored_id(listed: &CalendarChoice) -> String {
    if listed.primary {
        "primary".to_owned()
    } else {
        listed.id.clone()
    }
}

/// Why a choice is not one of the calendars the provider lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotWritable {
    /// No listed calendar has the id.
    NotListed,
    /// The host may only read it.
    ReadOnly,
}

/// `wanted` as stored, when `listed` (the provider's list, read now) has it as a calendar the
/// host can write in.
pub fn among(
    listed: &[CalendarChoice],
    wanted: &EventCalendar,
) -> Result<EventCalendar, NotWritable> {
    let found = listed.iter().find(|c| {
        c.id == wanted.calendar_id || (c.primary && wanted.calendar_id == "primary")
    });
    match found {
        Some(c) if c.writable => Ok(EventCalendar {
            connection: wanted.connection,
            calendar_id: stored_id(c),
        }),
        Some(_) => Err(NotWritable::ReadOnly),
        None => Err(NotWritable::NotListed),
    }
}

/// One of the host's connections as the choice sees it.
#[derive(Debug, Clone, Copy)]
pub struct Connected {
    pub key: ConnectionKey,
    /// Marked as the connection that receives events.
    pub receives_events: bool,
    /// Connected and not broken (no refused grant, missing permission or silence).
    pub working: bool,
}

/// Where a new booking's event and meeting are made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receiving {
    /// The calendar connection that receives the event, or `None` when none does.
    pub calendar: Option<ConnectionKey>,
    /// Which of its calendars; `None` is its default one.
    pub calendar_id: Option<String>,
    pub conference: MeetingMaker,
}

/// What a new booking needs done at the providers, from the event type's location, its
/// chosen calendar and the host's connections; `None` when nothing (no calendar, no meeting).
pub fn receiving(
    location_kind: LocationKind,
    connections: &[Connected],
    chosen: Option<&EventCalendar>,
) -> Option<Receiving> {
    let chosen = chosen.filter(|choice| {
        connections
            .iter()
            .any(|c| c.key == choice.connection && c.working)
    });
    let receiving = chosen.map(|choice| choice.connection).or_else(|| {
        connections
            .iter()
            .find(|c| c.receives_events && c.key.provider.is_calendar())
            .map(|c| c.key)
    });
    // The connection that makes the location's link, when the host has it. A meeting made on
    // a calendar's own event (Meet, Teams) puts the event in that calendar: the receiving
    // account when it is the provider's, else the provider's first account. One made on its
    // own (Zoom) goes with the event into the receiving calendar. Without the connection a
    // meeting gets the event alone.
    let maker = location_kind.service().and_then(|service| {
        let provider = ConnectProvider::providing(service)?;
        let account = connections
            .iter()
            .filter(|c| c.key.provider == provider)
            .min_by_key(|c| (Some(c.key) != receiving, c.key))?;
        Some((account.key, service))
    });
    let (calendar, conference) = match maker {
        Some((key, service)) => (
            if key.provider.is_calendar() {
                Some(key)
            } else {
                receiving
            },
            MeetingMaker::Service(service),
        ),
        None => (receiving, MeetingMaker::None),
    };
    if calendar.is_none() && conference == MeetingMaker::None {
        return None;
    }
    // The chosen calendar when the event goes to its connection; `primary` is the
    // connection's default, which the booking's row keeps as none.
    let calendar_id = chosen
        .filter(|choice| Some(choice.connection) == calendar && choice.calendar_id != "primary")
        .map(|choice| choice.calendar_id.clone());
    Some(Receiving {
        calendar,
        calendar_id,
        conference,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::meeting_service::MeetingService;

    fn connected(key: ConnectionKey, receives_events: bool, working: bool) -> Connected {
        Connected {
            key,
            receives_events,
            working,
        }
    }

    fn key(name: &str) -> ConnectionKey {
        ConnectionKey::parse(name).unwrap()
    }

    fn google() -> ConnectionKey {
        key("google")
    }

    fn microsoft() -> ConnectionKey {
        key("microsoft")
    }

    fn team(connection: ConnectionKey) -> EventCalendar {
        EventCalendar {
            connection,
            calendar_id: "team@group.calendar.google.com".into(),
        }
    }

    #[test]
    fn without_a_choice_the_receiving_connection_takes_the_event_in_its_default_calendar() {
        let hosts = [connected(google(), false, true), connected(microsoft(), true, true)];
        let work = receiving(LocationKind::Phone, &hosts, None).unwrap();
        assert_eq!(work.calendar, Some(microsoft()));
        assert_eq!(work.calendar_id, None);
        assert_eq!(work.conference, MeetingMaker::None);
    }

    #[test]
    fn a_chosen_calendar_of_a_working_connection_takes_the_event() {
        let hosts = [connected(google(), false, true), connected(microsoft(), true, true)];
        let chosen = team(google());
        let work = receiving(LocationKind::Phone, &hosts, Some(&chosen)).unwrap();
        assert_eq!(work.calendar, Some(google()));
        assert_eq!(work.calendar_id.as_deref(), Some("team@group.calendar.google.com"));
    }

    #[test]
    fn a_choice_of_a_broken_or_missing_connection_falls_back_to_the_default() {
        let chosen = team(google());
        for hosts in [
            vec![connected(google(), false, false), connected(microsoft(), true, true)],
            vec![connected(microsoft(), true, true)],
        ] {
            let work = receiving(LocationKind::Phone, &hosts, Some(&chosen)).unwrap();
            assert_eq!(work.calendar, Some(microsoft()));
            assert_eq!(work.calendar_id, None);
        }
        // With no default either, nothing is made.
        let alone = [connected(google(), false, false)];
        assert_eq!(receiving(LocationKind::Phone, &alone, Some(&chosen)), None);
    }

    #[test]
    fn a_meet_link_keeps_the_event_in_google_and_a_primary_choice_is_the_default() {
        let hosts = [connected(google(), true, true), connected(microsoft(), false, true)];
        let meet = LocationKind::Online(MeetingService::GoogleMeet);
        // An Outlook calendar was chosen, but Meet makes its link on a Google event.
        let outlook = team(microsoft());
        let work = receiving(meet, &hosts, Some(&outlook)).unwrap();
        assert_eq!(work.calendar, Some(google()));
        assert_eq!(work.calendar_id, None);
        assert_eq!(work.conference, MeetingMaker::Service(MeetingService::GoogleMeet));
        // A Google calendar chosen with Meet takes the event with its link.
        let work = receiving(meet, &hosts, Some(&team(google()))).unwrap();
        assert_eq!(work.calendar_id.as_deref(), Some("team@group.calendar.google.com"));
        let primary = EventCalendar {
            connection: microsoft(),
            calendar_id: "primary".into(),
        };
        let work = receiving(LocationKind::Phone, &hosts, Some(&primary)).unwrap();
        assert_eq!(work.calendar, Some(microsoft()));
        assert_eq!(work.calendar_id, None);
    }

    #[test]
    fn a_form_value_names_a_provider_and_a_calendar() {
        assert_eq!(parse_form_value(""), Ok(None));
        assert_eq!(parse_form_value("  "), Ok(None));
        let chosen = parse_form_value("google:team@group.calendar.google.com")
            .unwrap()
            .unwrap();
        assert_eq!(chosen, team(google()));
        assert_eq!(parse_form_value(&form_value(&chosen)), Ok(Some(chosen)));
        // Only the first colon separates: CalDAV ids are URLs.
        let dav = parse_form_value("caldav:https://dav.example/cal/work/")
            .unwrap()
            .unwrap();
        assert_eq!(dav.connection, key("caldav"));
        assert_eq!(dav.calendar_id, "https://dav.example/cal/work/");
    }

    #[test]
    fn a_form_value_without_a_calendar_provider_or_id_is_refused() {
        assert!(parse_form_value("zoom:abc").is_err());
        assert!(parse_form_value("nothing:abc").is_err());
        assert!(parse_form_value("google").is_err());
        assert!(parse_form_value("google:").is_err());
        assert!(parse_form_value(&format!("google:{}", "x".repeat(2049))).is_err());
    }

    #[test]
    fn only_a_listed_writable_calendar_is_taken_and_the_default_is_kept_as_primary() {
        let listed = vec![
            CalendarChoice {
                id: "ana@example.com".into(),
                name: "Ana".into(),
                primary: true,
                writable: true,
            },
            CalendarChoice {
                id: "team@group.calendar.google.com".into(),
                name: "Team".into(),
                primary: false,
                writable: true,
            },
            CalendarChoice {
                id: "holidays@group.v.calendar.google.com".into(),
                name: "Holidays".into(),
                primary: false,
                writable: false,
            },
        ];
        let google = |id: &str| EventCalendar {
            connection: google(),
            calendar_id: id.into(),
        };
        assert_eq!(
            among(&listed, &google("team@group.calendar.google.com")),
            Ok(google("team@group.calendar.google.com"))
        );
        assert_eq!(among(&listed, &google("ana@example.com")), Ok(google("primary")));
        assert_eq!(among(&listed, &google("primary")), Ok(google("primary")));
        assert_eq!(
            among(&listed, &google("holidays@group.v.calendar.google.com")),
            Err(NotWritable::ReadOnly)
        );
        assert_eq!(among(&listed, &google("bob@example.com")), Err(NotWritable::NotListed));
    }

    #[test]
    fn a_second_accounts_calendar_receives_and_makes_the_meet_link() {
        let hosts = [
            connected(google(), true, true),
            connected(key("google-2"), false, true),
        ];
        let chosen = team(key("google-2"));
        let meet = LocationKind::Online(MeetingService::GoogleMeet);
        let work = receiving(meet, &hosts, Some(&chosen)).unwrap();
        assert_eq!(work.calendar, Some(key("google-2")));
        assert_eq!(work.calendar_id.as_deref(), Some("team@group.calendar.google.com"));
        // Without the choice the receiving first account makes the link in its own calendar.
        let work = receiving(meet, &hosts, None).unwrap();
        assert_eq!(work.calendar, Some(google()));
        assert_eq!(work.calendar_id, None);
        // A broken second account falls back to the default account.
        let broken = [
            connected(google(), true, true),
            connected(key("google-2"), false, false),
        ];
        let work = receiving(LocationKind::Phone, &broken, Some(&chosen)).unwrap();
        assert_eq!(work.calendar, Some(google()));
        assert_eq!(work.calendar_id, None);
    }

    #[test]
    fn a_form_value_names_the_account_and_zoom_is_no_calendar() {
        let chosen = parse_form_value("google-3:team@group.calendar.google.com")
            .unwrap()
            .unwrap();
        assert_eq!(chosen.connection, key("google-3"));
        assert!(parse_form_value("google-6:team").is_err());
        assert!(parse_form_value("zoom:x").is_err());
    }
}
