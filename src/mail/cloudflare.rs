//! The Cloudflare email backend: the Worker's `send_email` binding (`[[send_email]]` named
//! `EMAIL` in wrangler.toml), fed a whole MIME message built by [`super::mime`].
//!
//! Cloudflare only delivers from a sender on a domain with Email Routing (or Email Service)
//! enabled, and, for Email Routing, only to verified destination addresses; a refused send
//! throws, which we treat as temporary (the operator's fix lets the next retry through).
//! The binding has no idempotency key: the outbox row id becomes the `Message-ID`, so a
//! duplicate after an ambiguous failure is at least recognisable as one message.

use chrono::{DateTime, Utc};
use worker::{EmailMessage, SendEmail};

use super::mime::{self, Mailbox};
use super::{MailError, Mailer, Message};

/// The binding and the sender it sends as.
pub struct CloudflareEmail {
    pub binding: SendEmail,
    /// `EMAIL_FROM`, parsed.
    pub from: Mailbox,
    /// The `Date` header of what this run sends.
    pub now: DateTime<Utc>,
}

impl Mailer for CloudflareEmail {
    async fn send(&self, message: &Message, idempotency_key: &str) -> Result<(), MailError> {
        let raw = mime::build(message, &self.from, idempotency_key, self.now)
            .map_err(|e| MailError::Refused(e.to_string()))?;
        let to = Mailbox::parse(&message.to, "the recipient")
            .map_err(|e| MailError::Refused(e.to_string()))?;
        let email = EmailMessage::new(&self.from.address, &to.address, &raw)
            .map_err(|_| MailError::Refused("send_email: the message was not accepted".into()))?;
        self.binding
            .send(&email)
            .await
            .map(|_| ())
            .map_err(|error| {
                // Cloudflare's error text may quote the destination: keep it only without one.
                let text = format!("{error:?}");
                let reason = if text.contains('@') {
                    "send_email refused the message".to_owned()
                } else {
                    format!("send_email: {}", text.chars().take(200).collect::<String>())
                };
                MailError::Temporary(reason)
            })
    }
}
