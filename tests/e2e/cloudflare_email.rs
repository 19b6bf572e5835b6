//! Emails through Cloudflare's `send_email` binding (`EMAIL_BACKEND=cloudflare`), on a second
//! local Worker with its own D1 state. `wrangler dev` simulates the binding: it checks the raw
//! message (parsable MIME, a `Message-ID`, `From:` matching the envelope sender, no
//! `Received:`), then writes it to an `.eml` file under its temporary directory and logs
//! `send_email binding called with the following message:` followed by `Email: <path>`.
//! The test reads those files and parses them with `mail-parser`, an independent parser.
//!
//! The local binding replaces the `Message-ID` with one of its own (as Cloudflare does), so
//! the outbox row id is not checked here; `src/mail/mime.rs` tests it on the raw message.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{Days, Utc};
use mail_parser::{MessageParser, MimeHeaders};
use serde_json::json;

use crate::support::http::post_json;
use crate::support::other_worker::OtherWorker;
use crate::support::seed::{sql_in, EVERY_DAY};
use crate::support::{EventSeed, HostSeed};

/// A second Worker sending through the binding.
struct CloudflareWorker(OtherWorker);

impl CloudflareWorker {
    fn start() -> CloudflareWorker {
        CloudflareWorker(OtherWorker::start(
            "cloudflare",
            &["EMAIL_BACKEND:cloudflare"],
        ))
    }

    fn log(&self) -> String {
        self.0.log()
    }

    /// The files the local binding wrote, in the order it logged them; waits for `count`.
    fn sent_files(&self, count: usize) -> Vec<PathBuf> {
        let files = || -> Vec<PathBuf> {
            self.log()
                .lines()
                .filter_map(|line| line.trim().strip_prefix("Email: "))
                .map(|path| PathBuf::from(path.trim()))
                .collect()
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while files().len() < count && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(200));
        }
        let found = files();
        assert_eq!(found.len(), count, "the binding's log:\n{}", self.log());
        found
    }
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn a_confirmation_goes_through_the_send_email_binding_as_a_well_formed_mime_message() {
    let worker = CloudflareWorker::start();
    let host = HostSeed::new("Binding Host", "Europe/Berlin")
        .hours(EVERY_DAY, 0, 1440)
        .event(EventSeed::new("call", 30))
        .create_in(&worker.0.state_dir);
    let invitee = format!("binding-{}@example.org", host.slug);
    let start = format!("{}T10:00:00Z", Utc::now().date_naive() + Days::new(3));
    let reply = post_json(
        &format!("{}/api/v1/bookings", worker.0.base_url),
        &json!({ "host": host.slug, "event": "call", "start": start,
                 "name": "Jürgen Groß", "email": invitee, "time_zone": "Europe/Vienna",
                 "note": "Bis dann — grüß dich", "lang": "de" }),
    );
    assert_eq!(reply.status, 201, "{}", reply.body);
    let id = reply.json()["booking"]["id"].as_str().unwrap().to_owned();

    let mut messages: Vec<(String, Vec<u8>)> = worker
        .sent_files(2)
        .iter()
        .map(|path| {
            let raw = read(path);
            let to = MessageParser::default()
                .parse(&raw)
                .and_then(|m| {
                    m.to()
                        .and_then(|to| to.first()?.address().map(str::to_owned))
                })
                .unwrap_or_else(|| panic!("not a message with To: {}", path.display()));
            (to, raw)
        })
        .collect();
    messages.sort();
    let host_email = format!("{}@example.com", host.slug);
    let raw = &messages
        .iter()
        .find(|(to, _)| *to == invitee)
        .expect("one message to the invitee")
        .1;
    assert!(
        messages.iter().any(|(to, _)| *to == host_email),
        "one to the host"
    );
    let text = String::from_utf8_lossy(raw);
    assert!(text.is_ascii(), "7-bit transport encoding throughout");
    assert!(!text.replace("\r\n", "").contains('\n'), "CRLF line ends");

    let message = MessageParser::default().parse(raw).unwrap();
    let from = message.from().unwrap().first().unwrap();
    assert_eq!(from.address(), Some("bookings@example.com"));
    assert_eq!(from.name(), Some("Openslot"));
    assert_eq!(
        message.reply_to().unwrap().first().unwrap().address(),
        Some(host_email.as_str())
    );
    let subject = message.subject().unwrap();
    assert!(
        subject.starts_with("Gebucht: Intro call mit Binding Host am "),
        "{subject}"
    );
    assert!(message.message_id().is_some());

    let body_text = message.body_text(0).unwrap();
    assert!(body_text.starts_with("Hallo Jürgen Groß,"), "{body_text}");
    assert!(
        body_text.contains("Ihre Notiz: Bis dann — grüß dich"),
        "{body_text}"
    );
    let body_html = message.body_html(0).unwrap();
    assert!(body_html.contains("<html lang=\"de\">"), "{body_html}");
    assert!(body_html.contains("Hallo Jürgen Groß,"), "{body_html}");

    assert_eq!(message.attachment_count(), 1);
    let attachment = message.attachment(0).unwrap();
    assert_eq!(attachment.attachment_name(), Some("invite.ics"));
    let content_type = attachment.content_type().unwrap();
    assert_eq!(
        (content_type.ctype(), content_type.subtype()),
        ("text", Some("calendar"))
    );
    assert_eq!(content_type.attribute("method"), Some("REQUEST"));
    let ics = String::from_utf8_lossy(attachment.contents()).replace("\r\n ", "");
    assert!(ics.contains("METHOD:REQUEST\r\n"), "{ics}");
    assert!(ics.contains(&format!("UID:{id}@openslot\r\n")), "{ics}");
    assert!(
        ics.contains("SUMMARY:Intro call mit Binding Host\r\n"),
        "{ics}"
    );

    // The outbox knows both went out, once each, and keeps no copy of them.
    let rows = sql_in(
        &worker.0.state_dir,
        &format!(
            "SELECT kind, sent_at, attempts, payload FROM email_outbox WHERE booking_id = '{id}' ORDER BY kind"
        ),
    );
    assert_eq!(rows.len(), 2, "{rows:?}");
    for row in &rows {
        assert!(row["sent_at"].is_i64(), "{row}");
        assert_eq!(row["attempts"], 1, "{row}");
        assert!(row["payload"].is_null(), "{row}");
    }
}
