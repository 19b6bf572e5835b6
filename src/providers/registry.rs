//! The provider registry: every service a host can connect, each described once, in its own
//! module, by an [`Entry`] (its names, what it can do, its OAuth endpoints and scopes, where
//! its app registration is configured). The rest of Openslot asks the registry instead of
//! naming vendors: the dashboard and API list [`ConnectProvider::ALL`] and read
//! [`Capabilities`], the store parses names against [`ConnectProvider::parse`], and a meeting
//! service finds the connection that makes it with [`ConnectProvider::providing`].
//!
//! Adding a provider: its module (wire functions and its `ENTRY`), a variant and an arm in
//! [`ConnectProvider::entry`] here, its configuration keys (`config.rs`), its fake and docs.

use oauth2::AuthType;

use super::calendar::own_meetings::OwnMeetings;
use super::calendar::{caldav, google, microsoft, zoom, CalendarProvider};
use super::connect::RevokeBy;
use crate::config::{Config, OAuthClient, ServiceUrls};
use crate::core::meeting_service::MeetingService;

/// What a connection can do ([`ConnectProvider::capabilities`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capabilities {
    /// The calendar it is: busy times are read from it (the host picks which of its
    /// calendars count) and booked events written to it. `None`: it has no calendar.
    pub calendar: Option<CalendarProvider>,
    /// The meeting service it makes links for, if any. With a calendar, the link is made on
    /// that calendar's event; without one, the meeting is made on its own.
    pub meeting: Option<MeetingService>,
    /// Its entries carry a "show as" state, and the host chooses which states block a slot
    /// (Outlook's `showAs`).
    pub show_as_states: bool,
    /// It can email the invitee about the event itself (Google's `sendUpdates`).
    pub emails_invitee: bool,
    /// The host picks which of its checked calendars receives booked events (the first of
    /// the checked list). Google and Outlook put them in the primary calendar.
    pub chooses_event_calendar: bool,
}

/// An endpoint's URL, built from the configured base URLs (every base URL is configuration,
/// so the tests point them at the local fakes).
pub type Endpoint = fn(&ServiceUrls) -> String;

/// How a provider's OAuth 2.0 authorization server is reached and spoken to.
#[derive(Debug)]
pub struct OAuthEntry {
    /// The consent page, from the configured base URLs.
    pub authorize: Endpoint,
    /// The token endpoint.
    pub token: Endpoint,
    /// RFC 7009 revocation, where the provider offers it, and the token it takes to end the
    /// whole grant.
    pub revocation: Option<(Endpoint, RevokeBy)>,
    /// How the client authenticates at the token endpoint.
    pub auth_type: AuthType,
    /// Extra parameters of the consent URL (Google's offline access).
    pub authorize_params: &'static [(&'static str, &'static str)],
    /// Whether the consent URL takes `login_hint` (OpenID Connect providers do).
    pub login_hint: bool,
    /// The `prompt` that makes the consent page ask which account, for a host adding another
    /// one; `None` where the provider has no such prompt.
    pub choose_account_prompt: Option<&'static str>,
    /// Where the connected account's id and address come from.
    pub account: AccountFrom,
}

/// Where a provider tells us which account was connected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountFrom {
    /// The OpenID id token of the token response; `prefer_oid`: Microsoft's `oid` claim names
    /// the account across apps, `sub` does not.
    IdToken {
        /// Read `oid` before `sub`.
        prefer_oid: bool,
    },
    /// Zoom's `GET /v2/users/me` with the new access token.
    ZoomUser,
}

/// One provider, described in its own module.
pub struct Entry {
    /// The stored and routed name (`connections.provider`, `/connect/{name}`).
    pub name: &'static str,
    /// The name people read.
    pub label: &'static str,
    /// The company, as a host's notices name it ("Google did not confirm …").
    pub company: &'static str,
    /// Where a host removes Openslot's access by hand, when revocation is not offered or did
    /// not answer.
    pub remove_access_at: &'static str,
    /// What it can do.
    pub capabilities: Capabilities,
    /// The scopes asked for: the least that works.
    pub scopes: &'static [&'static str],
    /// The scopes a working connection cannot do without, each with the words of the
    /// provider's consent screen, so a host who unticked one is told which box to tick.
    pub required_scopes: &'static [(&'static str, &'static str)],
    /// Its authorization server; `None` for a provider the host connects with a server
    /// address, a user name and an app-specific password (CalDAV), kept sealed in the vault
    /// where a refresh token would be.
    pub oauth: Option<OAuthEntry>,
    /// The operator's app registration for it, if configured.
    pub registration: fn(&Config) -> Option<&OAuthClient>,
    /// How its meetings are made, when it makes them on their own rather than on its
    /// calendar's event (Zoom).
    pub own_meetings: Option<&'static dyn OwnMeetings>,
}

/// A service a host can connect. A connection's row deserializes straight into it
/// (`connections.provider`), an unknown name being an error there, so nothing past the store
/// compares the stored name and nothing falls back to another provider.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum ConnectProvider {
    Google,
    Microsoft,
    Zoom,
    CalDav,
}

impl ConnectProvider {
    /// Every provider, in the order the dashboard shows them.
    pub const ALL: [ConnectProvider; 4] = [Self::Google, Self::Microsoft, Self::CalDav, Self::Zoom];

    /// The provider's description, from its own module: the one place a provider is named.
    pub fn entry(self) -> &'static Entry {
        match self {
            Self::Google => &google::ENTRY,
            Self::Microsoft => &microsoft::ENTRY,
            Self::Zoom => &zoom::ENTRY,
            Self::CalDav => &caldav::ENTRY,
        }
    }

    /// The provider named by a path segment or a stored value.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.entry().name == name)
    }

    /// The stored and routed name.
    pub fn as_str(self) -> &'static str {
        self.entry().name
    }

    /// The name people read.
    pub fn label(self) -> &'static str {
        self.entry().label
    }

    /// What this connection can do and which settings it has: the one table the settings'
    /// rules (`app::connections`), the dashboard and the API read.
    pub fn capabilities(self) -> Capabilities {
        self.entry().capabilities
    }

    /// Whether this provider holds a calendar (busy times, events), not only meetings.
    pub fn is_calendar(self) -> bool {
        self.calendar().is_some()
    }

    /// The calendar Openslot writes events to through this connection, if it is one.
    pub fn calendar(self) -> Option<CalendarProvider> {
        self.capabilities().calendar
    }

    /// The connection that makes `service`'s meetings.
    pub fn providing(service: MeetingService) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|p| p.capabilities().meeting == Some(service))
    }

    /// The scopes asked for ([`Entry::scopes`]).
    pub fn scopes(self) -> &'static [&'static str] {
        self.entry().scopes
    }

    /// The scopes that must be granted ([`Entry::required_scopes`]).
    pub fn required_scopes(self) -> &'static [(&'static str, &'static str)] {
        self.entry().required_scopes
    }

    /// The token to revoke with, where the provider offers revocation at all.
    pub fn revoke_by(self) -> Option<RevokeBy> {
        self.entry().oauth.as_ref()?.revocation.map(|(_, by)| by)
    }

    /// Whether the host connects it with a password (a form) rather than through OAuth.
    pub fn connects_with_password(self) -> bool {
        self.entry().oauth.is_none()
    }

    /// Whether hosts of this instance can connect it: an OAuth provider needs the operator's
    /// app registration; a password provider needs nothing.
    pub fn available(self, config: &Config) -> bool {
        self.connects_with_password() || self.registration(config).is_some()
    }

    /// The operator's app registration for this provider, if configured.
    pub fn registration(self, config: &Config) -> Option<&OAuthClient> {
        (self.entry().registration)(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_provider_has_its_own_name_and_reads_back_from_it() {
        for provider in ConnectProvider::ALL {
            assert_eq!(ConnectProvider::parse(provider.as_str()), Some(provider));
            let stored = serde_json::Value::from(provider.as_str());
            assert_eq!(
                serde_json::from_value::<ConnectProvider>(stored).ok(),
                Some(provider)
            );
        }
        for name in ["ics", "", "Google", "CalDAV", "webex"] {
            assert_eq!(ConnectProvider::parse(name), None, "{name}");
        }
    }

    #[test]
    fn every_calendar_belongs_to_exactly_one_provider() {
        for calendar in [
            CalendarProvider::Google,
            CalendarProvider::Microsoft,
            CalendarProvider::CalDav,
        ] {
            let owners: Vec<_> = ConnectProvider::ALL
                .into_iter()
                .filter(|p| p.calendar() == Some(calendar))
                .collect();
            assert_eq!(owners, [calendar.connection()], "{calendar:?}");
        }
    }

    #[test]
    fn every_meeting_service_is_made_by_exactly_one_provider() {
        for service in MeetingService::ALL {
            let makers: Vec<_> = ConnectProvider::ALL
                .into_iter()
                .filter(|p| p.capabilities().meeting == Some(service))
                .collect();
            assert_eq!(makers.len(), 1, "{service:?}");
            assert_eq!(ConnectProvider::providing(service), Some(makers[0]));
        }
    }
}
