//! What the navigation of every dashboard page shows besides its links: a banner for each
//! broken connection, saying what broke and offering the one click that mends it. Built from
//! the session read (`SessionHostRow::broken_connections`), so it costs no extra query.

use super::session::SignedIn;
use crate::core::connection_health::Breakage;

/// One broken connection as the banner says it.
pub struct ConnectionAlert {
    /// "Google Calendar needs reconnecting." or "Microsoft Outlook is not answering."
    pub headline: String,
    /// What broke, in a sentence.
    pub detail: String,
    /// The mending link and its words.
    pub href: String,
    pub action: &'static str,
}

impl SignedIn {
    /// The banners of this host's dashboard pages, one per broken connection.
    pub fn connection_alerts(&self) -> Vec<ConnectionAlert> {
        self.host
            .broken_connections
            .iter()
            .map(|broken| {
                let key = broken.provider;
                let label = key.label();
                let label = label.as_str();
                match broken.breakage {
                    Breakage::NotAnswering => ConnectionAlert {
                        headline: format!("{label} is not answering."),
                        detail: broken.breakage.sentence(label),
                        href: "/dashboard/connections".to_owned(),
                        action: "Check connected accounts",
                    },
                    other => ConnectionAlert {
                        headline: format!("{label} needs reconnecting."),
                        detail: other.sentence(label),
                        href: format!("/dashboard/connections/{key}/connect"),
                        action: "Reconnect",
                    },
                }
            })
            .collect()
    }
}

/// Where the sign-in that created a host sends them.
pub const FIRST_STEP: &str = "/dashboard/welcome";
