//! The raw RFC 5322 / MIME form of a [`Message`], for backends that take a whole message
//! (Cloudflare's `send_email` binding). Pure and tested natively.
//!
//! Shape: `multipart/mixed` holding a `multipart/alternative` (text, then HTML) and each
//! attachment (our iCalendar invitation, `text/calendar; method=...`). Every body part is
//! UTF-8 in base64 with 76-character lines, so no body line is too long and no body text can
//! ever look like a boundary or a header. Lines end in CRLF.
//!
//! Header injection is impossible by construction: every header value is checked for CR, LF
//! and other control characters and refused with [`MimeError`] if it has one; a non-ASCII
//! subject or display name is RFC 2047-encoded (base64 encoded-words), and an address is
//! accepted only as a plain `local@domain` without spaces, quotes or angle brackets.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::{DateTime, Utc};

use super::Message;

/// Why a message cannot be written as MIME; the text never quotes the offending value
/// (it may be an address).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MimeError {
    #[error("{0} is not a usable email address")]
    BadAddress(&'static str),
    #[error("{0} contains a control character")]
    ControlCharacter(&'static str),
}

/// A mailbox: an optional display name and a bare address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mailbox {
    pub name: Option<String>,
    pub address: String,
}

impl Mailbox {
    /// Reads `Name <local@domain>` or a bare `local@domain`; `field` names it in errors.
    pub fn parse(value: &str, field: &'static str) -> Result<Mailbox, MimeError> {
        if value.chars().any(char::is_control) {
            return Err(MimeError::ControlCharacter(field));
        }
        let value = value.trim();
        let (name, address) = match (value.rfind('<'), value.ends_with('>')) {
            (Some(open), true) => {
                let name = value[..open].trim().trim_matches('"').trim();
                let name = (!name.is_empty()).then(|| name.to_owned());
                (name, &value[open + 1..value.len() - 1])
            }
            (None, false) => (None, value),
            _ => return Err(MimeError::BadAddress(field)),
        };
        let address = address.trim();
        let plain = address.chars().all(|c| {
            c.is_ascii_graphic() && !matches!(c, '<' | '>' | '"' | '(' | ')' | ',' | ';' | '\\')
        });
        match address.split_once('@') {
            Some((local, domain))
                if plain && !local.is_empty() && !domain.is_empty() && !domain.contains('@') =>
            {
                Ok(Mailbox {
                    name,
                    address: address.to_owned(),
                })
            }
            _ => Err(MimeError::BadAddress(field)),
        }
    }

    /// The domain part of the address.
    pub fn domain(&self) -> &str {
        self.address.rsplit('@').next().unwrap_or_default()
    }

    /// The header form: `"Name" <address>` (RFC 2047 when the name is not ASCII).
    fn header(&self) -> String {
        match &self.name {
            None => self.address.clone(),
            Some(name) if name.is_ascii() => {
                let quoted = name.replace('\\', "\\\\").replace('"', "\\\"");
                format!("\"{quoted}\" <{}>", self.address)
            }
            Some(name) => format!("{} <{}>", encode_words(name), self.address),
        }
    }
}

/// `text` as RFC 2047 `=?utf-8?B?...?=` words (folded with CRLF SP between them), each at most
/// 75 characters and never splitting a character; plain printable ASCII is returned as is.
pub fn encode_header_text(text: &str) -> String {
    if text.chars().all(|c| c == ' ' || c.is_ascii_graphic()) && !text.contains("=?") {
        return text.to_owned();
    }
    encode_words(text)
}

fn encode_words(text: &str) -> String {
    // 36 bytes of UTF-8 become 48 base64 characters: with `=?utf-8?B?` and `?=` a word is 60,
    // so even after "Subject: " a line stays under 78 characters.
    let mut words = Vec::new();
    let mut chunk = String::new();
    for c in text.chars() {
        if chunk.len() + c.len_utf8() > 36 {
            words.push(std::mem::take(&mut chunk));
        }
        chunk.push(c);
    }
    if !chunk.is_empty() {
        words.push(chunk);
    }
    words
        .iter()
        .map(|w| format!("=?utf-8?B?{}?=", STANDARD.encode(w.as_bytes())))
        .collect::<Vec<_>>()
        .join("\r\n ")
}

/// Base64 of `bytes` in lines of 76 characters, each ending in CRLF.
fn base64_lines(bytes: &[u8]) -> String {
    let encoded = STANDARD.encode(bytes);
    let mut out = String::with_capacity(encoded.len() + encoded.len() / 38 + 2);
    for line in encoded.as_bytes().chunks(76) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push_str("\r\n");
    }
    out
}

/// A header value we wrote ourselves (content types, file names): refused if it could break
/// out of its line.
fn checked<'a>(value: &'a str, field: &'static str) -> Result<&'a str, MimeError> {
    if value.chars().any(char::is_control) {
        Err(MimeError::ControlCharacter(field))
    } else {
        Ok(value)
    }
}

/// The whole message, headers and body, with CRLF line endings.
///
/// `key` is the outbox row id: stable across retries, it makes the `Message-ID`
/// (`<key@sender's domain>`) and the boundaries. `date` is the `Date` header.
pub fn build(
    message: &Message,
    from: &Mailbox,
    key: &str,
    date: DateTime<Utc>,
) -> Result<String, MimeError> {
    let to = Mailbox::parse(&message.to, "the recipient")?;
    let reply_to = message
        .reply_to
        .as_deref()
        .map(|r| Mailbox::parse(r, "the reply-to address"))
        .transpose()?;
    if message.subject.chars().any(char::is_control) {
        return Err(MimeError::ControlCharacter("the subject"));
    }
    // The key goes into headers and boundaries: keep only characters safe in both.
    let token: String = key
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(64)
        .collect();
    let token = if token.is_empty() { "0".into() } else { token };
    // "=_" cannot occur in base64 bodies, so these boundaries never collide with content.
    let mixed = format!("=_openslot_mixed_{token}");
    let alternative = format!("=_openslot_alt_{token}");

    let mut out = String::new();
    let mut header = |name: &str, value: &str| {
        out.push_str(name);
        out.push_str(": ");
        out.push_str(value);
        out.push_str("\r\n");
    };
    header("From", &from.header());
    header("To", &to.header());
    if let Some(reply_to) = &reply_to {
        header("Reply-To", &reply_to.header());
    }
    header("Subject", &encode_header_text(&message.subject));
    header("Date", &date.to_rfc2822());
    header("Message-ID", &format!("<{token}@{}>", from.domain()));
    header("MIME-Version", "1.0");
    header(
        "Content-Type",
        &format!("multipart/mixed; boundary=\"{mixed}\""),
    );
    out.push_str("\r\n");

    out.push_str(&format!("--{mixed}\r\n"));
    out.push_str(&format!(
        "Content-Type: multipart/alternative; boundary=\"{alternative}\"\r\n\r\n"
    ));
    for (content_type, body) in [
        ("text/plain; charset=utf-8", &message.text),
        ("text/html; charset=utf-8", &message.html),
    ] {
        out.push_str(&format!("--{alternative}\r\n"));
        out.push_str(&format!("Content-Type: {content_type}\r\n"));
        out.push_str("Content-Transfer-Encoding: base64\r\n\r\n");
        out.push_str(&base64_lines(body.as_bytes()));
    }
    out.push_str(&format!("--{alternative}--\r\n"));

    for attachment in &message.attachments {
        let content_type = checked(&attachment.content_type, "an attachment's type")?;
        let filename = checked(&attachment.filename, "an attachment's name")?;
        let filename = filename.replace('\\', "\\\\").replace('"', "\\\"");
        out.push_str(&format!("--{mixed}\r\n"));
        out.push_str(&format!("Content-Type: {content_type}\r\n"));
        out.push_str(&format!(
            "Content-Disposition: attachment; filename=\"{filename}\"\r\n"
        ));
        out.push_str("Content-Transfer-Encoding: base64\r\n\r\n");
        out.push_str(&base64_lines(attachment.content.as_bytes()));
    }
    out.push_str(&format!("--{mixed}--\r\n"));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::Attachment;
    use chrono::TimeZone;
    use mail_parser::{MessageParser, MimeHeaders};

    const ICS: &str = "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nPRODID:-//Openslot//EN\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:abc@openslot\r\nSUMMARY:Kennenlernen mit Jörg\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

    fn message() -> Message {
        Message {
            to: "ana@example.org".into(),
            reply_to: Some("Jörg Host <host@example.com>".into()),
            subject: "Bestätigt: Kennenlernen mit Jörg Müller am Dienstag, 25. November 2025 um 10:00 — ein sehr langer Betreff".into(),
            text: "Hallo Ana,\nbis bald.\n--=_openslot_alt_row-1\n".into(),
            html: "<p>Hallo <b>Ana</b> — bis bald.</p>".into(),
            attachments: vec![Attachment {
                filename: "invite.ics".into(),
                content_type: "text/calendar; method=REQUEST; charset=utf-8".into(),
                content: ICS.into(),
            }],
        }
    }

    fn from() -> Mailbox {
        Mailbox::parse("Openslot <bookings@example.com>", "EMAIL_FROM").unwrap()
    }

    fn date() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 11, 20, 9, 30, 0).unwrap()
    }

    #[test]
    fn a_parser_reads_back_headers_both_parts_and_the_invitation() {
        let raw = build(&message(), &from(), "row-1", date()).unwrap();
        let parsed = MessageParser::default().parse(raw.as_bytes()).unwrap();
        assert_eq!(parsed.subject(), Some(message().subject.as_str()));
        let from = parsed.from().unwrap().first().unwrap();
        assert_eq!(from.address(), Some("bookings@example.com"));
        assert_eq!(from.name(), Some("Openslot"));
        let to = parsed.to().unwrap().first().unwrap();
        assert_eq!(to.address(), Some("ana@example.org"));
        let reply_to = parsed.reply_to().unwrap().first().unwrap();
        assert_eq!(reply_to.address(), Some("host@example.com"));
        assert_eq!(reply_to.name(), Some("Jörg Host"));
        assert_eq!(parsed.message_id(), Some("row-1@example.com"));
        assert_eq!(parsed.date().unwrap().to_timestamp(), date().timestamp());
        assert_eq!(parsed.body_text(0).unwrap(), message().text);
        assert_eq!(parsed.body_html(0).unwrap(), message().html);
        assert_eq!(parsed.attachment_count(), 1);
        let attachment = parsed.attachment(0).unwrap();
        assert_eq!(attachment.attachment_name(), Some("invite.ics"));
        let content_type = attachment.content_type().unwrap();
        assert_eq!(
            (content_type.ctype(), content_type.subtype()),
            ("text", Some("calendar"))
        );
        assert_eq!(content_type.attribute("method"), Some("REQUEST"));
        assert_eq!(attachment.contents(), ICS.as_bytes());
    }

    #[test]
    fn lines_end_in_crlf_and_stay_short_and_the_subject_is_encoded() {
        let raw = build(&message(), &from(), "row-1", date()).unwrap();
        assert!(raw.is_ascii());
        assert!(!raw.replace("\r\n", "").contains('\n'));
        assert!(!raw.replace("\r\n", "").contains('\r'));
        for line in raw.split("\r\n") {
            assert!(line.len() <= 78, "{line}");
        }
        assert!(raw.contains("Subject: =?utf-8?B?"));
        assert!(raw.contains("MIME-Version: 1.0\r\n"));
    }

    #[test]
    fn a_cancellation_carries_method_cancel() {
        let mut message = message();
        message.attachments[0].content_type = "text/calendar; method=CANCEL; charset=utf-8".into();
        let raw = build(&message, &from(), "row-2", date()).unwrap();
        let parsed = MessageParser::default().parse(raw.as_bytes()).unwrap();
        let attachment = parsed.attachment(0).unwrap();
        assert_eq!(
            attachment.content_type().unwrap().attribute("method"),
            Some("CANCEL")
        );
    }

    #[test]
    fn no_header_can_be_injected() {
        let mut bad = message();
        bad.subject = "Hi\r\nBcc: victim@example.net".into();
        assert_eq!(
            build(&bad, &from(), "k", date()),
            Err(MimeError::ControlCharacter("the subject"))
        );
        let mut bad = message();
        bad.to = "ana@example.org\r\nBcc: victim@example.net".into();
        assert!(build(&bad, &from(), "k", date()).is_err());
        let mut bad = message();
        bad.reply_to = Some("x <a@b.c>, victim@example.net".into());
        assert!(build(&bad, &from(), "k", date()).is_err());
        let mut bad = message();
        bad.to = "a@b.c> , <victim@example.net".into();
        assert!(build(&bad, &from(), "k", date()).is_err());
        let mut bad = message();
        bad.attachments[0].filename = "a\".ics\r\nX: y".into();
        assert!(build(&bad, &from(), "k", date()).is_err());
        // A key with odd characters cannot reach a header either.
        let raw = build(&message(), &from(), "a>\r\nBcc: x@y.z", date()).unwrap();
        assert!(raw.contains("Message-ID: <aBccxyz@example.com>\r\n"));
    }

    #[test]
    fn mailboxes_parse_with_and_without_names() {
        assert_eq!(
            Mailbox::parse("a@b.c", "f").unwrap(),
            Mailbox {
                name: None,
                address: "a@b.c".into()
            }
        );
        let quoted = Mailbox::parse("\"Open \\\"slot\\\"\" <a@b.c>", "f").unwrap();
        assert_eq!(quoted.address, "a@b.c");
        for bad in ["", "nobody", "a@b@c", "<a@b.c", "a b@c.d", "Name <>"] {
            assert!(Mailbox::parse(bad, "f").is_err(), "{bad}");
        }
        assert_eq!(encode_header_text("Plain subject"), "Plain subject");
        assert!(encode_header_text("=?utf-8?B?x?=").starts_with("=?utf-8?B?"));
    }
}
