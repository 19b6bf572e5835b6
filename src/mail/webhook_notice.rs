//! The host's one email about a webhook endpoint Openslot stopped sending to: which address,
//! why, and where to turn it back on. Pure and tested natively; the store decides that it is
//! sent once per disabling (`Store::disable_failing_webhook_endpoint`).

use super::privacy::message;
use super::Message;

/// Why an endpoint was disabled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DisabledBecause {
    /// Every attempt failed for three days.
    KeptFailing,
    /// The receiver answered 410 Gone: it asked for no more webhooks.
    Gone,
}

/// Renders the notice to `to` about the endpoint at `url`; `dashboard_url` is the webhooks
/// page (absolute when the instance knows its address).
pub fn webhook_disabled(
    to: &str,
    host_name: &str,
    url: &str,
    because: DisabledBecause,
    dashboard_url: &str,
) -> Message {
    let greeting = if host_name.trim().is_empty() {
        "Hello,".to_owned()
    } else {
        format!("Hello {},", host_name.trim())
    };
    let why = match because {
        DisabledBecause::KeptFailing => format!(
            "Openslot could not deliver webhooks to {url} for three days: every attempt failed."
        ),
        DisabledBecause::Gone => {
            format!("The receiver at {url} answered 410 Gone, which asks for no more webhooks.")
        }
    };
    message(
        to,
        "Openslot stopped sending webhooks to one of your endpoints",
        &[
            greeting,
            why,
            "Openslot has stopped sending to it, and the webhooks waiting for it were dropped; \
             your bookings are not affected. Once the receiver works, turn the endpoint back on \
             at the link below; its delivery log shows each attempt's status and time."
                .to_owned(),
        ],
        Some(dashboard_url),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_endpoint_the_reason_and_the_way_back() {
        let message = webhook_disabled(
            "host@example.com",
            "Ada",
            "https://hooks.example.com/in",
            DisabledBecause::KeptFailing,
            "https://book.example/dashboard/webhooks",
        );
        assert_eq!(message.to, "host@example.com");
        assert!(message.text.contains("https://hooks.example.com/in"));
        assert!(message.text.contains("three days"));
        assert!(message.text.contains("https://book.example/dashboard/webhooks"));
        let gone = webhook_disabled("h@example.com", "", "https://x.example/", DisabledBecause::Gone, "/dashboard/webhooks");
        assert!(gone.text.contains("410 Gone"));
        assert!(gone.text.starts_with("Hello,"));
    }
}
