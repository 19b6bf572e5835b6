//! What a host chooses about a connected calendar that the booking rules depend on. (Which
//! Outlook "show as" states block a slot is `providers::calendar::microsoft::BlockingShowAs`.)

use serde::Deserialize;

/// What the booking page does while a calendar's busy times cannot be read (the provider is
/// down, or the host must reconnect). A stored value deserializes through
/// [`WhenUnreadable::parse`], so a row reads it typed with the one rule for its default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(from = "String")]
pub enum WhenUnreadable {
    /// Offer no times at all: the safe default, since any time could be taken.
    Stop,
    /// Offer times as if that calendar were empty (the host accepts double bookings).
    Ignore,
}

impl WhenUnreadable {
    /// Reads the stored value; anything else means the safe default.
    pub fn parse(stored: &str) -> Self {
        Self::choose(stored).unwrap_or(Self::Stop)
    }

    /// A host's explicit choice (a form field, an API value): only the two names, so a typo
    /// is refused rather than read as the default the way [`WhenUnreadable::parse`] reads a
    /// stored value.
    pub fn choose(choice: &str) -> Option<Self> {
        match choice {
            "stop" => Some(Self::Stop),
            "ignore" => Some(Self::Ignore),
            _ => None,
        }
    }

    /// The stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Stop => "stop",
            Self::Ignore => "ignore",
        }
    }
}

impl From<String> for WhenUnreadable {
    /// A stored value, read as [`WhenUnreadable::parse`] reads it (for serde's `from`).
    fn from(stored: String) -> Self {
        Self::parse(&stored)
    }
}

/// The calendar ids (or CalDAV URLs) a connection checks, from their stored JSON array; `None`
/// when it is not an array of strings. Read through `serde_json::Value`, the reader the rest of
/// the Worker's stored JSON goes through, not a `Vec<String>` reader of its own (BENCHMARKS.md,
/// *Size*).
pub fn stored_ids(json: &str) -> Option<Vec<String>> {
    match serde_json::from_slice::<serde_json::Value>(json.as_bytes()).ok()? {
        serde_json::Value::Array(items) => items
            .into_iter()
            .map(|item| match item {
                serde_json::Value::String(id) => Some(id),
                _ => None,
            })
            .collect(),
        _ => None,
    }
}

/// The calendar ids a Google or Outlook connection checks: [`stored_ids`], or its primary
/// calendar until the host has chosen any.
pub fn checked_or_primary(json: &str) -> Vec<String> {
    stored_ids(json)
        .filter(|ids| !ids.is_empty())
        .unwrap_or_else(|| vec!["primary".to_owned()])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_ignore_turns_off_the_safe_default() {
        assert_eq!(WhenUnreadable::parse("ignore"), WhenUnreadable::Ignore);
        assert_eq!(WhenUnreadable::parse("stop"), WhenUnreadable::Stop);
        assert_eq!(WhenUnreadable::parse(""), WhenUnreadable::Stop);
    }

    #[test]
    fn a_stored_value_deserializes_as_parse_reads_it() {
        for (stored, expected) in [
            ("\"ignore\"", WhenUnreadable::Ignore),
            ("\"stop\"", WhenUnreadable::Stop),
            ("\"\"", WhenUnreadable::Stop),
        ] {
            assert_eq!(
                serde_json::from_str::<WhenUnreadable>(stored).unwrap(),
                expected
            );
        }
    }

    #[test]
    fn a_choice_is_one_of_the_two_names_exactly() {
        assert_eq!(WhenUnreadable::choose("stop"), Some(WhenUnreadable::Stop));
        assert_eq!(
            WhenUnreadable::choose("ignore"),
            Some(WhenUnreadable::Ignore)
        );
        for typo in ["", "Ignore", "skip", " stop"] {
            assert_eq!(WhenUnreadable::choose(typo), None, "{typo:?}");
        }
    }

    #[test]
    fn stored_ids_read_an_array_of_strings_and_nothing_else() {
        assert_eq!(stored_ids(r#"["a@x","b"]"#), Some(vec!["a@x".to_owned(), "b".to_owned()]));
        assert_eq!(stored_ids("[]"), Some(vec![]));
        assert_eq!(stored_ids(r#"["a",1]"#), None);
        assert_eq!(stored_ids("{}"), None);
        assert_eq!(stored_ids("not json"), None);
        assert_eq!(checked_or_primary("[]"), ["primary"]);
        assert_eq!(checked_or_primary(r#"["work"]"#), ["work"]);
    }
}
