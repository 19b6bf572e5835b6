//! Which of a host's connections is meant: a provider and the account's number with it, so a
//! host can connect a work and a personal Google account side by side.
//!
//! Its name (`google`, `google-2`, …) is what D1 keys a connection by (`connections.connection`),
//! what the routes and the API name it by, and what its tokens in KV and its sealed values are
//! bound to. The first account's name is the provider's own, so every connection made before
//! several accounts existed keeps its name, its KV keys and its sealed values unchanged.

use std::fmt;

use super::registry::ConnectProvider;

/// The most accounts of one provider a host may connect (numbers 1 to this).
pub const MOST_ACCOUNTS: u8 = 5;

/// One connection of a host: the provider and which of its accounts (1 for the first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ConnectionKey {
    /// The provider connected.
    pub provider: ConnectProvider,
    /// Which of the host's accounts at the provider, from 1 to [`MOST_ACCOUNTS`].
    account: u8,
}

impl ConnectionKey {
    /// The host's first (or only) account at `provider`.
    pub fn first(provider: ConnectProvider) -> Self {
        Self {
            provider,
            account: 1,
        }
    }

    /// The account numbered `account`, if the number is one a host may have.
    pub fn numbered(provider: ConnectProvider, account: u8) -> Option<Self> {
        (1..=MOST_ACCOUNTS)
            .contains(&account)
            .then_some(Self { provider, account })
    }

    /// The connection named `name` (`google`, `google-2`), as a path segment or a stored
    /// value gives it; `None` for any other text (`google-1`, `google-02`, `google-9`).
    pub fn parse(name: &str) -> Option<Self> {
        let (provider, account) = match name.split_once('-') {
            None => (name, 1),
            Some((provider, number)) => {
                let digit = match number.as_bytes() {
                    [d @ b'2'..=b'9'] => d - b'0',
                    _ => return None,
                };
                (provider, digit)
            }
        };
        Self::numbered(ConnectProvider::parse(provider)?, account)
    }

    /// The stored and routed name: the provider's for the first account, then `-2`, `-3`, ….
    pub fn name(self) -> String {
        self.to_string()
    }

    /// What people read: "Google Calendar", then "Google Calendar (2nd account)" …; the account's address,
    /// where a page has it, says which is which.
    pub fn label(self) -> String {
        match self.account {
            1 => self.provider.label().to_owned(),
            2 => format!("{} (2nd account)", self.provider.label()),
            3 => format!("{} (3rd account)", self.provider.label()),
            n => format!("{} ({n}th account)", self.provider.label()),
        }
    }

    /// How a page or an email names this connection among the host's `connected` ones: by
    /// its provider alone while it is the host's only account there, else with the account's
    /// address ("Google Calendar (ana@work.example)"), so the host knows which one is meant.
    pub fn label_among(self, connected: &[ConnectionKey], address: &str) -> String {
        let accounts = connected
            .iter()
            .filter(|key| key.provider == self.provider)
            .count();
        if accounts < 2 || address.is_empty() {
            self.label()
        } else {
            format!("{} ({address})", self.provider.label())
        }
    }
}

impl fmt::Display for ConnectionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.provider.as_str())?;
        if self.account > 1 {
            write!(f, "-{}", self.account)?;
        }
        Ok(())
    }
}

impl std::str::FromStr for ConnectionKey {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Self::parse(name).ok_or_else(|| format!("'{name}' names no connection"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_account_keeps_the_providers_name() {
        for provider in ConnectProvider::ALL {
            let key = ConnectionKey::first(provider);
            assert_eq!(key.name(), provider.as_str());
            assert_eq!(ConnectionKey::parse(provider.as_str()), Some(key));
        }
    }

    #[test]
    fn further_accounts_are_numbered_and_read_back() {
        let second = ConnectionKey::numbered(ConnectProvider::Google, 2).unwrap();
        assert_eq!(second.name(), "google-2");
        assert_eq!(ConnectionKey::parse("google-2"), Some(second));
        assert_eq!(
            ConnectionKey::parse("caldav-5"),
            ConnectionKey::numbered(ConnectProvider::CalDav, 5)
        );
        assert_eq!(second.label(), "Google Calendar (2nd account)");
        let first = ConnectionKey::first(ConnectProvider::Google);
        let zoom = ConnectionKey::first(ConnectProvider::Zoom);
        assert_eq!(
            first.label_among(&[first, zoom], "ana@work.example"),
            "Google Calendar"
        );
        assert_eq!(
            second.label_among(&[first, second, zoom], "ana@home.example"),
            "Google Calendar (ana@home.example)"
        );
        assert_eq!(
            second.label_among(&[first, second], ""),
            "Google Calendar (2nd account)"
        );
    }

    #[test]
    fn other_names_are_no_connection() {
        for name in [
            "", "google-", "google-1", "google-02", "google-6", "google-9", "google-10",
            "gmail", "google-x", "-2", "google-2-2", "Google",
        ] {
            assert_eq!(ConnectionKey::parse(name), None, "{name}");
        }
        assert_eq!(ConnectionKey::numbered(ConnectProvider::Zoom, 0), None);
        assert_eq!(ConnectionKey::numbered(ConnectProvider::Zoom, 6), None);
    }
}
