//! What a host chooses about a connected calendar: which Outlook "show as" states block a
//! slot, and what to do when busy times cannot be read.

/// The Microsoft `showAs` values that make a calendar entry block a slot.
///
/// Outlook marks every entry `free`, `tentative`, `busy`, `oof` (out of office),
/// `workingElsewhere` or `unknown`. By default everything but `free` blocks; a value Openslot
/// does not know blocks too, because a missed conflict is a double booking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockingShowAs {
    blocking: Vec<&'static str>,
}

impl BlockingShowAs {
    /// The values a host can choose from, with what Outlook calls them.
    pub const CHOICES: [(&'static str, &'static str); 4] = [
        ("busy", "Busy"),
        ("tentative", "Tentative"),
        ("oof", "Away (out of office)"),
        ("workingElsewhere", "Working elsewhere"),
    ];

    /// Reads the stored comma list; anything unreadable falls back to the safe default.
    pub fn parse(stored: &str) -> Self {
        let blocking: Vec<&'static str> = Self::CHOICES
            .iter()
            .map(|(value, _)| *value)
            .filter(|value| stored.split(',').any(|s| s.trim() == *value))
            .collect();
        if blocking.is_empty() && !stored.trim().is_empty() {
            return Self::default();
        }
        Self { blocking }
    }

    /// The host's ticked boxes; an unknown value is an error to show, not to ignore.
    pub fn from_choices(chosen: &[&str]) -> Result<Self, String> {
        let mut blocking = Vec::new();
        for value in chosen {
            let known = Self::CHOICES
                .iter()
                .find(|(v, _)| v == value)
                .ok_or_else(|| format!("'{value}' is not an Outlook availability state."))?;
            if !blocking.contains(&known.0) {
                blocking.push(known.0);
            }
        }
        Ok(Self { blocking })
    }

    /// Whether an entry shown as `show_as` blocks a slot.
    pub fn blocks(&self, show_as: &str) -> bool {
        match show_as {
            "free" => false,
            known
                if Self::CHOICES
                    .iter()
                    .any(|(v, _)| v.eq_ignore_ascii_case(known)) =>
            {
                self.blocking.iter().any(|v| v.eq_ignore_ascii_case(known))
            }
            _ => true,
        }
    }

    /// The comma list stored in D1 (`connections.blocking_show_as`).
    pub fn to_stored(&self) -> String {
        self.blocking.join(",")
    }
}

impl Default for BlockingShowAs {
    fn default() -> Self {
        Self {
            blocking: Self::CHOICES.iter().map(|(value, _)| *value).collect(),
        }
    }
}

/// What the booking page does while a calendar's busy times cannot be read (the provider is
/// down, or the host must reconnect).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhenUnreadable {
    /// Offer no times at all: the safe default, since any time could be taken.
    Stop,
    /// Offer times as if that calendar were empty (the host accepts double bookings).
    Ignore,
}

impl WhenUnreadable {
    /// Reads the stored value; anything else means the safe default.
    pub fn parse(stored: &str) -> Self {
        if stored == "ignore" {
            Self::Ignore
        } else {
            Self::Stop
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everything_but_free_blocks_by_default_and_unknown_states_block_always() {
        let default = BlockingShowAs::parse("busy,tentative,oof,workingElsewhere");
        assert_eq!(default, BlockingShowAs::default());
        for state in [
            "busy",
            "tentative",
            "oof",
            "workingElsewhere",
            "unknown",
            "newState",
        ] {
            assert!(default.blocks(state), "{state}");
        }
        assert!(!default.blocks("free"));
    }

    #[test]
    fn a_host_may_let_tentative_entries_through() {
        let chosen = BlockingShowAs::from_choices(&["busy", "oof", "busy"]).unwrap();
        assert_eq!(chosen.to_stored(), "busy,oof");
        assert!(!chosen.blocks("tentative"));
        assert!(!chosen.blocks("workingElsewhere"));
        assert!(chosen.blocks("oof"));
        assert_eq!(BlockingShowAs::parse(&chosen.to_stored()), chosen);
        assert!(BlockingShowAs::from_choices(&["free"]).is_err());
    }

    #[test]
    fn nothing_ticked_is_kept_and_garbage_falls_back_to_the_default() {
        assert!(!BlockingShowAs::parse("").blocks("busy"));
        assert_eq!(BlockingShowAs::parse("zzz"), BlockingShowAs::default());
    }

    #[test]
    fn only_ignore_turns_off_the_safe_default() {
        assert_eq!(WhenUnreadable::parse("ignore"), WhenUnreadable::Ignore);
        assert_eq!(WhenUnreadable::parse("stop"), WhenUnreadable::Stop);
        assert_eq!(WhenUnreadable::parse(""), WhenUnreadable::Stop);
    }
}
