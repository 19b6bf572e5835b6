//! The host's one email about a broken connection: what broke, what it means for their
//! booking pages, and the one link that mends it. Pure and tested natively; the store decides
//! that it is sent once per breakage (`Store::tell_host_once`).

use super::privacy::message;
use super::Message;
use crate::core::connection_health::Breakage;

/// What the notice says, all known before it is queued.
pub struct ConnectionNotice<'a> {
    pub to: &'a str,
    pub host_name: &'a str,
    /// The account's label, such as "Google Calendar".
    pub provider_label: &'a str,
    pub breakage: Breakage,
    /// `Breakage::consequence` for this connection and the host's setting.
    pub consequence: &'a str,
    /// Reconnecting for a refused grant or a missing permission, otherwise the page of
    /// connected accounts; absolute when the instance knows its address.
    pub mend_url: &'a str,
}

/// Renders the notice.
pub fn connection_broken(notice: &ConnectionNotice<'_>) -> Message {
    let label = notice.provider_label;
    let (subject, action) = if notice.breakage.needs_reconnect() {
        (
            format!("Reconnect {label} to Openslot"),
            format!("Open the link below and connect {label} again (one click, then your provider's consent page)."),
        )
    } else {
        (
            format!("{label} is not answering Openslot"),
            "Openslot keeps trying every hour and tells you again only if it breaks anew once mended. You can check the connection, or reconnect it, at the link below.".to_owned(),
        )
    };
    let greeting = if notice.host_name.trim().is_empty() {
        "Hello,".to_owned()
    } else {
        format!("Hello {},", notice.host_name.trim())
    };
    message(
        notice.to,
        &subject,
        &[
            greeting,
            notice.breakage.sentence(label),
            notice.consequence.to_owned(),
            action,
        ],
        Some(notice.mend_url),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice(breakage: Breakage) -> Message {
        connection_broken(&ConnectionNotice {
            to: "host@example.com",
            host_name: "Ada <b>",
            provider_label: "Google Calendar",
            breakage,
            consequence: breakage.consequence(true, true),
            mend_url: "https://book.example/dashboard/connections/google/connect",
        })
    }

    #[test]
    fn a_refused_grant_asks_for_a_reconnect_with_its_link() {
        let message = notice(Breakage::GrantRefused);
        assert_eq!(message.to, "host@example.com");
        assert_eq!(message.subject, "Reconnect Google Calendar to Openslot");
        assert!(message.text.contains("no longer accepts"));
        assert!(message.text.contains("offer no times"));
        assert!(message
            .text
            .contains("https://book.example/dashboard/connections/google/connect"));
        assert!(message.html.contains("Hello Ada"));
        assert!(!message.html.contains("Ada <b>"), "the name is escaped in HTML");
    }

    #[test]
    fn a_silent_calendar_says_so_without_asking_for_a_reconnect() {
        let message = notice(Breakage::NotAnswering);
        assert_eq!(message.subject, "Google Calendar is not answering Openslot");
        assert!(message.text.contains("has not answered"));
        assert!(!message.text.contains("connect Google Calendar again"));
    }
}
