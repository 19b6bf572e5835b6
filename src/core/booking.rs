//! What an invitee asks for when booking, parsed and checked field by field.
//!
//! The shell hands over raw text from a form or JSON body; this module returns either a
//! [`BookingRequest`] whose every field is a parsed type, or [`FieldErrors`] naming each bad
//! field with a sentence the invitee understands. Whether the slot is free is decided later,
//! against the schedule and the database, by the availability engine and one atomic insert.

use chrono::{DateTime, Timelike, Utc};

use super::types::{Email, FieldError, Note, PersonName, TimeZoneName};

/// Raw booking fields as they arrived.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub struct BookingInput {
    pub start: String,
    pub name: String,
    pub email: String,
    pub time_zone: String,
    pub note: String,
    pub idempotency_key: String,
}

/// The person booking, as they described themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitee {
    pub name: PersonName,
    pub email: Email,
    pub time_zone: TimeZoneName,
}

/// A booking request whose fields all parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingRequest {
    pub start: DateTime<Utc>,
    pub invitee: Invitee,
    pub note: Note,
    /// Present when the client wants a retry to return the same booking instead of a conflict.
    pub idempotency_key: Option<IdempotencyKey>,
}

/// A client-chosen key that makes a booking request safe to send twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// 16 to 128 characters of `A-Z a-z 0-9 - _`: long enough to be unguessable when random.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let value = raw.trim();
        let ok = (16..=128).contains(&value.len())
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(Self(value.to_owned()))
        } else {
            Err(FieldError::Other(
                "Use 16 to 128 letters, digits, '-' or '_' for the idempotency key.".into(),
            ))
        }
    }

    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Every field that failed, in form order, with the message to show next to it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(Vec<(&'static str, String)>);

impl FieldErrors {
    /// A single failed field.
    pub fn one(field: &'static str, message: impl Into<String>) -> Self {
        Self(vec![(field, message.into())])
    }

    /// Records a failed field.
    pub fn push(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.push((field, message.into()));
    }

    /// Whether no field failed.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The message for `field`, if it failed.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(name, _)| *name == field)
            .map(|(_, msg)| msg.as_str())
    }

    /// All failures in order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.0.iter().map(|(name, msg)| (*name, msg.as_str()))
    }
}

/// Parses an RFC 3339 instant that falls on a whole minute, as slots always do.
pub fn parse_slot_start(raw: &str) -> Result<DateTime<Utc>, FieldError> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(FieldError::Required);
    }
    let start = DateTime::parse_from_rfc3339(value)
        .map_err(|_| {
            FieldError::Other(
                "Give the start as an RFC 3339 time, e.g. 2026-05-04T09:30:00Z.".into(),
            )
        })?
        .with_timezone(&Utc);
    if start.second() != 0 || start.nanosecond() != 0 {
        return Err(FieldError::Other("Slots start on a whole minute.".into()));
    }
    Ok(start)
}

impl BookingInput {
    /// Parses every field, collecting all failures rather than stopping at the first.
    pub fn parse(&self) -> Result<BookingRequest, FieldErrors> {
        let mut errors = FieldErrors::default();
        let start = parse_slot_start(&self.start)
            .map_err(|e| errors.push("start", e.to_string()))
            .ok();
        let name = PersonName::parse(&self.name)
            .map_err(|e| errors.push("name", e.to_string()))
            .ok();
        let email = Email::parse(&self.email)
            .map_err(|e| errors.push("email", e.to_string()))
            .ok();
        let time_zone = TimeZoneName::parse(&self.time_zone)
            .map_err(|e| errors.push("time_zone", e.to_string()))
            .ok();
        let note = Note::parse(&self.note)
            .map_err(|e| errors.push("note", e.to_string()))
            .ok();
        let idempotency_key = if self.idempotency_key.trim().is_empty() {
            Some(None)
        } else {
            IdempotencyKey::parse(&self.idempotency_key)
                .map(Some)
                .map_err(|e| errors.push("idempotency_key", e.to_string()))
                .ok()
        };
        match (start, name, email, time_zone, note, idempotency_key) {
            (
                Some(start),
                Some(name),
                Some(email),
                Some(time_zone),
                Some(note),
                Some(idempotency_key),
            ) if errors.is_empty() => Ok(BookingRequest {
                start,
                invitee: Invitee {
                    name,
                    email,
                    time_zone,
                },
                note,
                idempotency_key,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> BookingInput {
        BookingInput {
            start: "2026-12-01T09:30:00+01:00".into(),
            name: "Ana Lima".into(),
            email: "ana@example.com".into(),
            time_zone: "America/Sao_Paulo".into(),
            note: "".into(),
            idempotency_key: "".into(),
        }
    }

    #[test]
    fn a_complete_request_parses_with_the_start_in_utc() {
        let request = good().parse().unwrap();
        assert_eq!(request.start.to_rfc3339(), "2026-12-01T08:30:00+00:00");
        assert_eq!(request.invitee.time_zone.name(), "America/Sao_Paulo");
        assert_eq!(request.idempotency_key, None);
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let input = BookingInput {
            name: " ".into(),
            email: "nope".into(),
            time_zone: "Nowhere/City".into(),
            ..good()
        };
        let errors = input.parse().unwrap_err();
        assert_eq!(errors.get("name"), Some("This field is required."));
        assert_eq!(
            errors.get("email"),
            Some("Enter an email address like name@example.com.")
        );
        assert!(errors.get("time_zone").unwrap().contains("IANA"));
        assert_eq!(errors.get("start"), None);
    }

    #[test]
    fn starts_must_be_rfc3339_on_a_whole_minute() {
        assert!(parse_slot_start("2026-12-01 09:30").is_err());
        assert!(parse_slot_start("2026-12-01T09:30:15Z").is_err());
        assert_eq!(parse_slot_start(""), Err(FieldError::Required));
        assert!(parse_slot_start("2026-12-01T09:30:00Z").is_ok());
    }

    #[test]
    fn idempotency_keys_are_long_and_plain() {
        assert!(IdempotencyKey::parse("short").is_err());
        assert!(IdempotencyKey::parse("0123456789abcdef-_XY").is_ok());
        assert!(IdempotencyKey::parse("0123456789abcdef 0123").is_err());
        let input = BookingInput {
            idempotency_key: "with spaces but long enough".into(),
            ..good()
        };
        assert!(input.parse().unwrap_err().get("idempotency_key").is_some());
    }
}
