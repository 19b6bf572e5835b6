//! Where a booking's event and meeting at the providers stand, parsed once where D1's row is
//! read (the store's rows deserialize straight into it), so no page, API or job compares
//! state strings.

use serde::{Deserialize, Serialize};

/// What `booking_calendar.state` holds (its CHECK constraint allows exactly these five).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CalendarWorkState {
    /// The event (and meeting) is still to be made or moved.
    Pending,
    /// The event exists at the provider.
    Created,
    /// Making it failed for good; the host was told to add it by hand.
    Failed,
    /// The booking was cancelled; its event is still to be removed.
    Removing,
    /// Nothing is left at the provider.
    Removed,
}

impl CalendarWorkState {
    /// The word stored in D1 and shown by the API (`openapi.yaml`: `calendar_state`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Created => "created",
            Self::Failed => "failed",
            Self::Removing => "removing",
            Self::Removed => "removed",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_state_reads_back_from_the_word_it_is_stored_as() {
        for state in [
            CalendarWorkState::Pending,
            CalendarWorkState::Created,
            CalendarWorkState::Failed,
            CalendarWorkState::Removing,
            CalendarWorkState::Removed,
        ] {
            let stored = serde_json::to_string(&state).unwrap();
            assert_eq!(stored, format!("\"{}\"", state.as_str()));
            assert_eq!(serde_json::from_str::<CalendarWorkState>(&stored).unwrap(), state);
        }
        assert!(serde_json::from_str::<CalendarWorkState>("\"done\"").is_err());
    }
}
