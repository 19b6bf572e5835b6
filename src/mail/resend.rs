//! The HTTP email backend: Resend's `POST {EMAIL_API_URL}/emails` over `worker::Fetch`, with
//! the API key as a bearer token and the outbox row id as `Idempotency-Key` (Resend keeps a
//! key for 24 hours and answers a repeat with the first result instead of sending again).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::json;
use worker::{Fetch, Headers, Method, Request, RequestInit};

use super::{MailError, Mailer, Message};

/// Resend, or anything speaking its wire format (the local fakes).
pub struct Resend {
    /// Without `/emails`, e.g. `https://api.resend.com`.
    pub api_url: String,
    pub api_key: String,
    /// `EMAIL_FROM`, e.g. `Openslot <bookings@example.com>`.
    pub from: String,
}

impl Mailer for Resend {
    async fn send(&self, message: &Message, idempotency_key: &str) -> Result<(), MailError> {
        let attachments: Vec<_> = message
            .attachments
            .iter()
            .map(|a| {
                json!({
                    "filename": a.filename,
                    "content": STANDARD.encode(a.content.as_bytes()),
                    "content_type": a.content_type,
                })
            })
            .collect();
        let body = json!({
            "from": self.from,
            "to": [message.to],
            "reply_to": message.reply_to,
            "subject": message.subject,
            "text": message.text,
            "html": message.html,
            "attachments": attachments,
        });
        let headers = Headers::new();
        let set = |name: &str, value: &str| {
            headers
                .set(name, value)
                .map_err(|e| MailError::Refused(format!("header {name}: {e}")))
        };
        set("Content-Type", "application/json")?;
        set("Authorization", &format!("Bearer {}", self.api_key))?;
        set("Idempotency-Key", idempotency_key)?;
        let mut init = RequestInit::new();
        init.with_method(Method::Post)
            .with_headers(headers)
            .with_body(Some(body.to_string().into()));
        let request = Request::new_with_init(&format!("{}/emails", self.api_url), &init)
            .map_err(|e| MailError::Refused(format!("request: {e}")))?;
        let mut response = Fetch::Request(request)
            .send()
            .await
            .map_err(|e| MailError::Temporary(format!("network: {e}")))?;
        let status = response.status_code();
        if (200..300).contains(&status) {
            return Ok(());
        }
        // Only the status and Resend's error *name* are kept: its message may quote the address.
        // Only a refusal of this message itself is final; a bad key (401/403) or an outage is
        // a fault of the moment that a retry after the operator's fix will get through.
        let name = response
            .text()
            .await
            .ok()
            .and_then(|text| serde_json::from_slice::<serde_json::Value>(text.as_bytes()).ok())
            .and_then(|v| v.get("name").and_then(|n| n.as_str()).map(str::to_owned))
            .unwrap_or_default();
        let reason = format!("HTTP {status} {name}").trim_end().to_owned();
        if status == 400 || status == 422 {
            Err(MailError::Refused(reason))
        } else {
            Err(MailError::Temporary(reason))
        }
    }
}
