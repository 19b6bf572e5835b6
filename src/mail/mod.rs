//! Email: what a message is, the [`Mailer`] trait every backend implements, the pure rendering
//! of booking emails ([`render`]), their raw MIME form ([`mime`]) and the retry schedule
//! ([`backoff`]). Backends: [`resend`] (HTTP API) and [`cloudflare`] (the `send_email` binding),
//! chosen by `EMAIL_BACKEND`.
//!
//! Emails never go out inline: a booking change writes its messages to the `email_outbox`
//! table in the same D1 batch as the change (see `store::outbox`), and [`deliver`] sends due
//! rows after the response (`wait_until`) and from the cron trigger. Rendering and the
//! schedule are pure and tested natively; the backends and delivery exist only on wasm32.

pub mod backoff;
pub mod connection_notice;
pub mod links;
pub mod mime;
pub mod privacy;
pub mod render;
pub mod webhook_notice;

#[cfg(target_arch = "wasm32")]
pub mod cloudflare;
#[cfg(target_arch = "wasm32")]
pub mod deliver;
#[cfg(target_arch = "wasm32")]
pub mod reminders;
#[cfg(target_arch = "wasm32")]
pub mod resend;
#[cfg(target_arch = "wasm32")]
pub mod stored;

use serde::{Deserialize, Serialize};

/// One email, fully rendered: what the outbox stores as its payload and a backend sends.
/// The sender address is configuration (`EMAIL_FROM`), added by the backend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub to: String,
    pub reply_to: Option<String>,
    /// One line: rendering removes any control character.
    pub subject: String,
    pub text: String,
    pub html: String,
    pub attachments: Vec<Attachment>,
}

impl Message {
    /// The message an outbox payload holds (a serialized [`Message`]), or `None` when it is
    /// not one. Read by a described shape (`providers::calendar::shape`), which accepts and
    /// refuses exactly what the derived `Deserialize` does, instead of compiling that
    /// deserializer and its attachments' into the Worker (BENCHMARKS.md, *Size*).
    pub fn from_payload(json: &str) -> Option<Self> {
        use crate::providers::calendar::shape::{read, Field, Shape};
        static ATTACHMENT: Shape = Shape::Record(&[
            Field::new("filename", Shape::Text),
            Field::new("content_type", Shape::Text),
            Field::new("content", Shape::Text),
        ]);
        static MESSAGE: Shape = Shape::Record(&[
            Field::new("to", Shape::Text),
            Field::new("reply_to", Shape::Maybe(&Shape::Text)),
            Field::new("subject", Shape::Text),
            Field::new("text", Shape::Text),
            Field::new("html", Shape::Text),
            Field::new("attachments", Shape::List(&ATTACHMENT)),
        ]);
        let mut message = read(json.as_bytes(), &MESSAGE).ok()?;
        let attachments = message
            .take("attachments")
            .into_items()
            .into_iter()
            .map(|mut attachment| {
                Some(Attachment {
                    filename: attachment.take("filename").into_text()?,
                    content_type: attachment.take("content_type").into_text()?,
                    content: attachment.take("content").into_text()?,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Self {
            to: message.take("to").into_text()?,
            reply_to: message.take("reply_to").into_text(),
            subject: message.take("subject").into_text()?,
            text: message.take("text").into_text()?,
            html: message.take("html").into_text()?,
            attachments,
        })
    }
}

/// A text attachment (our only kind: the iCalendar invitation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub filename: String,
    /// E.g. `text/calendar; method=REQUEST; charset=utf-8`.
    pub content_type: String,
    pub content: String,
}

/// Why a send failed, split by what the outbox should do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    /// Worth trying again later: network trouble, a bad key, 429, 5xx.
    #[error("temporary failure: {0}")]
    Temporary(String),
    /// The provider refused this message for good (400, 422: e.g. an invalid address); retrying
    /// cannot help.
    #[error("refused: {0}")]
    Refused(String),
}

/// Something that can deliver a [`Message`].
///
/// `idempotency_key` is stable across retries of one message (the outbox row id): a backend
/// that supports it passes it on, so a retry after an ambiguous failure is not sent twice.
/// Futures need not be `Send`: a Worker is single-threaded.
#[allow(async_fn_in_trait)]
pub trait Mailer {
    async fn send(&self, message: &Message, idempotency_key: &str) -> Result<(), MailError>;
}

/// Which email a row of the outbox is; stored as text in `email_outbox.kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    InviteeConfirmation,
    HostNotification,
    InviteeCancellation,
    HostCancellation,
    InviteeReschedule,
    HostReschedule,
    InviteeReminder,
    HostReminder,
    /// The host is told a booking could not be put in their calendar (or get its meeting link).
    HostCalendarFailure,
    /// The invitee gets the Meet or Teams link the provider made after they booked.
    InviteeMeetingLink,
    /// A request waits for the host's approval: the invitee's "request sent" and the host's
    /// "approve or decline".
    InviteeRequest,
    HostRequest,
    /// The invitee's request was declined or expired.
    InviteeRequestEnded,
}

impl Kind {
    /// The value of `email_outbox.kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::InviteeConfirmation => "invitee_confirmation",
            Kind::HostNotification => "host_notification",
            Kind::InviteeCancellation => "invitee_cancellation",
            Kind::HostCancellation => "host_cancellation",
            Kind::InviteeReschedule => "invitee_reschedule",
            Kind::HostReschedule => "host_reschedule",
            Kind::InviteeReminder => "invitee_reminder",
            Kind::HostReminder => "host_reminder",
            Kind::HostCalendarFailure => "host_calendar_failure",
            Kind::InviteeMeetingLink => "invitee_meeting_link",
            Kind::InviteeRequest => "invitee_request",
            Kind::HostRequest => "host_request",
            Kind::InviteeRequestEnded => "invitee_request_closed",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payload_is_read_as_the_derived_deserializer_reads_it() {
        let full = serde_json::to_string(&Message {
            to: "a@example.com".into(),
            reply_to: Some("b@example.com".into()),
            subject: "Subject".into(),
            text: "Text \u{e9}\n".into(),
            html: "<p>Html</p>".into(),
            attachments: vec![Attachment {
                filename: "invite.ics".into(),
                content_type: "text/calendar".into(),
                content: "BEGIN:VCALENDAR".into(),
            }],
        })
        .unwrap();
        let payloads = [
            full.as_str(),
            r#"{"to":"a","reply_to":null,"subject":"s","text":"t","html":"h","attachments":[]}"#,
            r#"{"to":"a","subject":"s","text":"t","html":"h","attachments":[],"extra":[1,{}]}"#,
            r#"{"to":"a","subject":"s","text":"t","html":"h"}"#,
            r#"{"to":"a","reply_to":1,"subject":"s","text":"t","html":"h","attachments":[]}"#,
            r#"{"to":"a","to":"b","subject":"s","text":"t","html":"h","attachments":[]}"#,
            r#"{"to":"a","subject":"s","text":"t","html":"h","attachments":[{"filename":"f"}]}"#,
            r#"["a",null,"s","t","h",[["f","c","x"]]]"#,
            r#"["a",null,"s","t","h"]"#,
            r#"{"to":"a","subject":"s","text":"t","html":"h","attachments":[]} x"#,
            r#"null"#,
            r#""#,
        ];
        for payload in payloads {
            let derived = serde_json::from_slice::<Message>(payload.as_bytes()).ok();
            assert_eq!(Message::from_payload(payload), derived, "{payload}");
        }
    }
}
