//! Email: a Resend-compatible `POST /emails` that captures messages, and an outbox page.
//!
//! Shapes follow Resend's API reference (send email: `from`, `to` string or list,
//! `subject`, `html`, `text`, `cc`, `bcc`, `reply_to`, `headers`, `attachments[{filename, content
//! (base64), content_type}]` → `{ "id" }`; errors: `{ statusCode, message, name }` with
//! 401 `missing_api_key`, 422 `missing_required_field` / `invalid_attachment`). Any
//! non-empty bearer key is accepted. A repeated `Idempotency-Key` returns the first id
//! without capturing a second message.

use crate::http::{escape_html, Req, Resp};
use crate::ids;
use crate::state::{Attachment, Email, State};
use crate::time;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Value};

/// Resend's error body.
pub fn resend_error(status: u16, name: &str, message: &str) -> Resp {
    Resp::json(
        status,
        &json!({ "statusCode": status, "message": message, "name": name }),
    )
}

/// Routes a request whose path started with `/email`.
pub fn handle(st: &mut State, req: &Req, rest: &str) -> Resp {
    match (req.method.as_str(), rest) {
        ("POST", "/resend/emails") => send(st, req),
        ("GET", "/outbox") => outbox(st),
        (_, "/resend/emails") => resend_error(
            405,
            "method_not_allowed",
            "Method is not allowed for the requested path.",
        ),
        _ => resend_error(404, "not_found", "The requested endpoint does not exist."),
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) if !s.trim().is_empty() => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .filter(|s| !s.trim().is_empty())
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

fn guess_type(filename: &str) -> &'static str {
    let lower = filename.to_ascii_lowercase();
    if lower.ends_with(".ics") {
        "text/calendar"
    } else if lower.ends_with(".txt") {
        "text/plain"
    } else if lower.ends_with(".html") {
        "text/html"
    } else {
        "application/octet-stream"
    }
}

fn send(st: &mut State, req: &Req) -> Resp {
    if req.bearer().is_none() {
        return resend_error(
            401,
            "missing_api_key",
            "Missing API key in the authorization header.",
        );
    }
    let key = req.header("idempotency-key").map(str::to_string);
    if let Some(k) = &key {
        if let Some(e) = st
            .emails
            .iter()
            .find(|e| e.idempotency_key.as_ref() == Some(k))
        {
            return Resp::json(200, &json!({ "id": e.id }));
        }
    }
    let body = match req.json() {
        Ok(v @ Value::Object(_)) => v,
        _ => return resend_error(422, "validation_error", "Invalid JSON body."),
    };
    let text_field = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_string);
    let Some(from) = text_field("from").filter(|s| !s.trim().is_empty()) else {
        return resend_error(422, "missing_required_field", "Missing `from` field.");
    };
    let to = strings(body.get("to"));
    if to.is_empty() {
        return resend_error(422, "missing_required_field", "Missing `to` field.");
    }
    if let Some(bad) = to.iter().find(|t| !t.contains('@')) {
        return resend_error(
            422,
            "validation_error",
            &format!("Invalid `to` field. The email address needs to follow the `email@example.com` or `Name <email@example.com>` format. Got: {bad}"),
        );
    }
    let Some(subject) = text_field("subject").filter(|s| !s.trim().is_empty()) else {
        return resend_error(422, "missing_required_field", "Missing `subject` field.");
    };
    let (html, text) = (text_field("html"), text_field("text"));
    if html.is_none() && text.is_none() {
        return resend_error(
            422,
            "missing_required_field",
            "Missing `html` or `text` field.",
        );
    }
    let mut attachments = Vec::new();
    for a in body
        .get("attachments")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let filename = a
            .get("filename")
            .and_then(Value::as_str)
            .unwrap_or("attachment")
            .to_string();
        let Some(content) = a.get("content").and_then(Value::as_str) else {
            return resend_error(
                422,
                "invalid_attachment",
                "Attachment must have either a `content` or `path`.",
            );
        };
        let Ok(bytes) = STANDARD.decode(content.trim()) else {
            return resend_error(
                422,
                "invalid_attachment",
                "Attachment `content` must be base64.",
            );
        };
        let content_type = a
            .get("content_type")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| guess_type(&filename).to_string());
        let textual = content_type.starts_with("text/")
            || content_type.starts_with("application/ics")
            || filename.to_ascii_lowercase().ends_with(".ics");
        attachments.push(Attachment {
            size: bytes.len(),
            text: textual.then(|| String::from_utf8_lossy(&bytes).into_owned()),
            filename,
            content_type,
        });
    }
    let id = ids::uuid();
    st.emails.push(Email {
        id: id.clone(),
        received_at: time::now(),
        from,
        to,
        cc: strings(body.get("cc")),
        bcc: strings(body.get("bcc")),
        subject,
        html,
        text,
        reply_to: body.get("reply_to").cloned().unwrap_or(Value::Null),
        headers: body.get("headers").cloned().unwrap_or(Value::Null),
        attachments,
        idempotency_key: key,
    });
    Resp::json(200, &json!({ "id": id }))
}

fn outbox(st: &State) -> Resp {
    let mut page = String::from(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Outbox (fakes)</title>\
         <style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto}article{border:1px solid #ccc;padding:1rem;margin:1rem 0}pre{white-space:pre-wrap}</style>\
         </head><body><h1>Outbox</h1>",
    );
    if st.emails.is_empty() {
        page.push_str("<p>No messages yet.</p>");
    }
    for e in st.emails.iter().rev() {
        let names: Vec<String> = e
            .attachments
            .iter()
            .map(|a| escape_html(&a.filename))
            .collect();
        page.push_str(&format!(
            "<article><h2>{}</h2><p>To: {}<br>From: {}<br>At: {}</p><pre>{}</pre><p>Attachments: {}</p></article>",
            escape_html(&e.subject),
            escape_html(&e.to.join(", ")),
            escape_html(&e.from),
            time::rfc3339(e.received_at),
            escape_html(e.text.as_deref().unwrap_or("(no text body)")),
            if names.is_empty() { "none".to_string() } else { names.join(", ") },
        ));
    }
    page.push_str("</body></html>");
    Resp::html(200, page)
}
