//! Newtypes that parse untrusted text once, at the edge, so the rest of the code never sees
//! a raw string where an email, a slug or a name is meant.
//!
//! Each `parse` trims surrounding white space, enforces a length limit and rejects control
//! characters (so no value can smuggle a CR/LF into an email header or an iCalendar line).

use std::fmt;
use std::str::FromStr;

use chrono_tz::Tz;
use email_address::EmailAddress;

/// Why a field's text was refused; `Display` is the sentence shown next to the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    #[error("This field is required.")]
    Required,
    #[error("Use at most {0} characters.")]
    TooLong(usize),
    #[error("Line breaks and control characters are not allowed here.")]
    ControlCharacters,
    #[error("Names cannot contain invisible characters or text-direction controls.")]
    InvisibleCharacters,
    #[error("Enter an email address like name@example.com.")]
    BadEmail,
    #[error("Use 1 to 64 lower-case letters, digits or single hyphens.")]
    BadSlug,
    #[error("'{0}' is reserved; choose another.")]
    ReservedSlug(String),
    #[error("Choose a time zone from the list (an IANA name such as Europe/Berlin).")]
    UnknownTimeZone,
    #[error("Enter the number in international form: + and the country code first, e.g. +44 20 7946 0958.")]
    BadPhone,
    #[error("Enter a web address starting with https://.")]
    BadUrl,
    #[error("Choose one of the options given.")]
    NotAnOption,
    #[error("Enter a whole number.")]
    NotAWholeNumber,
    #[error("Enter a whole number from {0} to {1}.")]
    NumberOutOfRange(i64, i64),
    #[error("Tick this box to go on.")]
    MustTick,
    #[error("{0}")]
    Other(String),
}

fn single_line(raw: &str, max_chars: usize) -> Result<String, FieldError> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(FieldError::Required);
    }
    if value.chars().count() > max_chars {
        return Err(FieldError::TooLong(max_chars));
    }
    if value.chars().any(char::is_control) {
        return Err(FieldError::ControlCharacters);
    }
    Ok(value.to_owned())
}

macro_rules! string_newtype {
    ($name:ident) => {
        impl $name {
            /// The parsed value as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

/// A person's name as they typed it: one line, 1 to 100 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);
string_newtype!(PersonName);

impl PersonName {
    /// Longest name we accept; long enough for real names, short enough for email subjects.
    pub const MAX_CHARS: usize = 100;

    /// Parses a name typed into a form or sent to the API. A name reaches email subjects, the
    /// host's calendar and their dashboard, so characters that are invisible or reorder the
    /// text around them (`Bob \u{202e}gnp.exe` shows as `Bob exe.png`) are refused.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let value = single_line(raw, Self::MAX_CHARS)?;
        if value.chars().any(is_invisible_or_direction_control) {
            return Err(FieldError::InvisibleCharacters);
        }
        Ok(Self(value))
    }
}

/// Characters that change how the text around them reads without showing themselves: the
/// bidirectional embeddings, overrides, isolates and marks (Unicode's `Bidi_Control`, UAX #9),
/// zero-width space, word joiner and invisible operators, and the byte-order mark.
/// Zero-width (non-)joiners (U+200C, U+200D) stay allowed: Persian and Indic names and emoji
/// need them, and they reorder nothing.
fn is_invisible_or_direction_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'
            | '\u{200E}'
            | '\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

/// A deliverable email address (RFC 5322 addr-spec with a dotted domain), domain lower-cased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);
string_newtype!(Email);

impl Email {
    /// The SMTP limit for a whole address.
    pub const MAX_CHARS: usize = 254;

    /// Parses an address; display names (`Ana <ana@example.com>`) and addresses without a
    /// dotted domain are refused because we only ever send to a bare mailbox.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let value = single_line(raw, Self::MAX_CHARS)?;
        if value.contains(char::is_whitespace) || value.contains(['<', '>', '"', ',', ';']) {
            return Err(FieldError::BadEmail);
        }
        let parsed = EmailAddress::from_str(&value).map_err(|_| FieldError::BadEmail)?;
        let (local, domain) = (parsed.local_part(), parsed.domain());
        let dotted = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.starts_with('[');
        if !dotted {
            return Err(FieldError::BadEmail);
        }
        Ok(Self(format!("{local}@{}", domain.to_ascii_lowercase())))
    }

    /// The address compared case-insensitively, for matching a sender to a stored address.
    pub fn normalized(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

/// A URL path segment naming a host or an event type: `[a-z0-9]+(-[a-z0-9]+)*`, 1 to 64 long.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Slug(String);
string_newtype!(Slug);

/// First path segments the Worker itself answers; no host may take them.
const RESERVED_HOST_SLUGS: &[&str] = &[
    "api",
    "assets",
    "auth",
    "booking",
    "bookings",
    "dashboard",
    "healthz",
    "login",
    "logout",
    "oauth",
    "privacy",
    "settings",
    "setup",
    "signin",
    "signout",
    "static",
    "webhooks",
    "admin",
    "new",
];

impl Slug {
    /// Longest slug; keeps links short enough to read aloud.
    pub const MAX_CHARS: usize = 64;

    /// Parses an event type slug.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let value = raw.trim();
        if value.is_empty() {
            return Err(FieldError::Required);
        }
        let well_formed = value.len() <= Self::MAX_CHARS
            && value.split('-').all(|part| {
                !part.is_empty()
                    && part
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            });
        if well_formed {
            Ok(Self(value.to_owned()))
        } else {
            Err(FieldError::BadSlug)
        }
    }

    /// Parses a host slug, which must also avoid the Worker's own first path segments.
    pub fn parse_host(raw: &str) -> Result<Self, FieldError> {
        let slug = Self::parse(raw)?;
        if RESERVED_HOST_SLUGS.contains(&slug.as_str()) {
            return Err(FieldError::ReservedSlug(slug.0));
        }
        Ok(slug)
    }
}

/// An IANA time zone known to the bundled tz database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeZoneName(Tz);

impl TimeZoneName {
    /// Parses an IANA name such as `America/New_York` (exact spelling, as browsers report it).
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let value = raw.trim();
        if value.is_empty() {
            return Err(FieldError::Required);
        }
        Tz::from_str(value)
            .map(Self)
            .map_err(|_| FieldError::UnknownTimeZone)
    }

    /// The chrono-tz zone, for converting instants.
    pub fn tz(self) -> Tz {
        self.0
    }

    /// The canonical IANA name.
    pub fn name(self) -> &'static str {
        self.0.name()
    }
}

impl From<Tz> for TimeZoneName {
    fn from(tz: Tz) -> Self {
        Self(tz)
    }
}

/// Free text an invitee adds to a booking: up to 2000 characters, line breaks allowed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Note(String);
string_newtype!(Note);

impl Note {
    /// Longest note; a paragraph or two.
    pub const MAX_CHARS: usize = 2000;

    /// Parses an optional note; empty input is an empty note.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let value = raw.trim();
        if value.chars().count() > Self::MAX_CHARS {
            return Err(FieldError::TooLong(Self::MAX_CHARS));
        }
        if value
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
        {
            return Err(FieldError::ControlCharacters);
        }
        Ok(Self(value.replace("\r\n", "\n").replace('\r', "\n")))
    }
}

/// Why an invitee cancels, told to the host: optional, up to 500 characters, line breaks allowed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CancellationReason(String);
string_newtype!(CancellationReason);

impl CancellationReason {
    /// Longest reason; a few sentences.
    pub const MAX_CHARS: usize = 500;

    /// Parses an optional reason with the same rules as a [`Note`], but shorter.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        if raw.trim().chars().count() > Self::MAX_CHARS {
            return Err(FieldError::TooLong(Self::MAX_CHARS));
        }
        Note::parse(raw).map(|note| Self(note.as_str().to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cancellation_reason_is_optional_short_and_free_of_control_characters() {
        assert_eq!(CancellationReason::parse("  ").unwrap().as_str(), "");
        assert_eq!(
            CancellationReason::parse("Ill\r\nsorry").unwrap().as_str(),
            "Ill\nsorry"
        );
        assert!(CancellationReason::parse(&"x".repeat(500)).is_ok());
        assert_eq!(
            CancellationReason::parse(&"x".repeat(501)),
            Err(FieldError::TooLong(500))
        );
        assert_eq!(
            CancellationReason::parse("esc\u{1b}"),
            Err(FieldError::ControlCharacters)
        );
    }

    #[test]
    fn names_are_trimmed_and_refuse_line_breaks() {
        assert_eq!(
            PersonName::parse("  Ana Lima ").unwrap().as_str(),
            "Ana Lima"
        );
        assert_eq!(PersonName::parse("   "), Err(FieldError::Required));
        assert_eq!(
            PersonName::parse("Ana\r\nBcc: x@evil.test"),
            Err(FieldError::ControlCharacters)
        );
        assert_eq!(
            PersonName::parse(&"a".repeat(101)),
            Err(FieldError::TooLong(100))
        );
        assert!(PersonName::parse("José Ñúñez 李").is_ok());
        for spoof in [
            "Bob \u{202e}gnp.exe\u{202c}",
            "Eve\u{200b}lyn",
            "Ma\u{2067}x\u{2069}",
            "\u{feff}Zoe",
            "Al\u{200f}i",
            "Nu\u{2060}r",
        ] {
            assert_eq!(
                PersonName::parse(spoof),
                Err(FieldError::InvisibleCharacters),
                "{spoof:?}"
            );
        }
        // Joiners are part of real names (Persian) and emoji, and reorder nothing.
        assert!(PersonName::parse("Mahdi Zade\u{200c}ha").is_ok());
        assert!(PersonName::parse("Sam \u{1F469}\u{200D}\u{1F4BB}").is_ok());
    }

    #[test]
    fn emails_must_be_bare_mailboxes_with_a_dotted_domain() {
        assert_eq!(
            Email::parse(" ana@Example.COM ").unwrap().as_str(),
            "ana@example.com"
        );
        for bad in [
            "ana",
            "ana@",
            "@example.com",
            "ana@localhost",
            "Ana <ana@example.com>",
            "a b@example.com",
            "ana@example.com\nBcc: x@y.z",
            "ana@example.com,bob@example.com",
            "ana@@example.com",
            "ana@.example.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad} should be refused");
        }
        assert_eq!(Email::parse(""), Err(FieldError::Required));
    }

    #[test]
    fn slugs_are_lower_case_words_joined_by_single_hyphens() {
        assert!(Slug::parse("intro-call-30").is_ok());
        for bad in [
            "Intro",
            "intro--call",
            "-intro",
            "intro-",
            "intro call",
            "intro/x",
            "ïntro",
            &"a".repeat(65),
        ] {
            assert_eq!(Slug::parse(bad), Err(FieldError::BadSlug), "{bad}");
        }
        assert_eq!(
            Slug::parse_host("api"),
            Err(FieldError::ReservedSlug("api".into()))
        );
        assert!(Slug::parse_host("ana").is_ok());
    }

    #[test]
    fn time_zones_must_be_iana_names() {
        assert_eq!(
            TimeZoneName::parse("Asia/Kathmandu").unwrap().name(),
            "Asia/Kathmandu"
        );
        assert_eq!(
            TimeZoneName::parse("Mars/Olympus"),
            Err(FieldError::UnknownTimeZone)
        );
        assert_eq!(TimeZoneName::parse(""), Err(FieldError::Required));
    }

    #[test]
    fn notes_keep_line_breaks_but_not_other_control_characters() {
        assert_eq!(
            Note::parse("line one\r\nline two").unwrap().as_str(),
            "line one\nline two"
        );
        assert_eq!(Note::parse("").unwrap().as_str(), "");
        assert_eq!(Note::parse("bell\u{7}"), Err(FieldError::ControlCharacters));
        assert_eq!(
            Note::parse(&"x".repeat(2001)),
            Err(FieldError::TooLong(2000))
        );
    }
}
