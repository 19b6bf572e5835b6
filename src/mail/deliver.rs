//! Sends what the outbox holds: after a response (`wait_until`) and from the cron trigger.
//!
//! Each due row is claimed with a lease, sent with its row id as the idempotency key, and then
//! marked sent (payload dropped), scheduled again by [`backoff`](super::backoff), or given up.
//! Logs name rows by id and failures by status only: never an address or a name.

use chrono::{DateTime, Duration, Utc};
use worker::Env;

use super::backoff::{after_failure, AfterFailure};
use super::cloudflare::CloudflareEmail;
use super::links::{self, MANAGE_TOKEN_PLACEHOLDER, PRIVACY_TOKEN_PLACEHOLDER};
use super::mime::Mailbox;
use super::resend::Resend;
use super::{MailError, Mailer, Message};
use crate::config::EmailBackend;
use crate::crypto::link_token::LinkKey;
use crate::store::{DueEmail, DuePrivacyEmail, Store, StoreError};

/// How long a claimed row is left alone by other senders: far beyond one API call.
const LEASE: Duration = Duration::minutes(5);

/// Rows one run sends at most (each is one subrequest plus a few D1 calls).
pub const ROWS_PER_RUN: i64 = 20;

/// What one run did.
#[derive(Debug, Default)]
pub struct Report {
    pub sent: u32,
    pub retrying: u32,
    pub given_up: u32,
}

/// Sends every due row (up to [`ROWS_PER_RUN`]) through `mailer`, its manage link completed
/// with the token `link_key` derives for the row's booking.
pub async fn deliver_due(
    store: &Store,
    mailer: &impl Mailer,
    link_key: &LinkKey,
    now: DateTime<Utc>,
    due: &[DueEmail],
) -> Result<Report, StoreError> {
    let mut report = Report::default();
    let ids: Vec<&str> = due.iter().map(|row| row.id.as_str()).collect();
    let claimed = store
        .claim_emails(&ids, now.timestamp(), (now + LEASE).timestamp())
        .await?;
    for (row, claimed) in due.iter().zip(claimed) {
        if !claimed {
            continue;
        }
        let attempts = row.attempts + 1;
        let message = row
            .payload
            .as_deref()
            .and_then(Message::from_payload);
        let message = message.and_then(|mut message| {
            if !links::has_placeholder(&message, MANAGE_TOKEN_PLACEHOLDER) {
                return Some(message);
            }
            let (host_id, key) = (row.host_id.as_deref()?, row.idempotency_key.as_deref()?);
            let token = link_key.manage_token(host_id, key);
            links::fill(&mut message, MANAGE_TOKEN_PLACEHOLDER, &token);
            Some(message)
        });
        let Some(message) = message else {
            store
                .email_given_up(&row.id, attempts, now.timestamp(), "unreadable payload")
                .await?;
            worker::console_error!("email {}: unreadable payload, given up", row.id);
            report.given_up += 1;
            continue;
        };
        match mailer.send(&message, &row.id).await {
            Ok(()) => {
                store.email_sent(&row.id, attempts, now.timestamp()).await?;
                report.sent += 1;
            }
            Err(MailError::Refused(reason)) => {
                store
                    .email_given_up(&row.id, attempts, now.timestamp(), &reason)
                    .await?;
                worker::console_error!("email {}: refused ({reason}), given up", row.id);
                report.given_up += 1;
            }
            Err(MailError::Temporary(reason)) => {
                match after_failure(u32::try_from(attempts).unwrap_or(u32::MAX), now) {
                    AfterFailure::RetryAt(at) => {
                        store
                            .email_failed(&row.id, attempts, at.timestamp(), &reason)
                            .await?;
                        worker::console_warn!(
                            "email {}: attempt {attempts} failed ({reason}), retrying at {at}",
                            row.id
                        );
                        report.retrying += 1;
                    }
                    AfterFailure::GiveUp => {
                        store
                            .email_given_up(&row.id, attempts, now.timestamp(), &reason)
                            .await?;
                        worker::console_error!(
                            "email {}: attempt {attempts} failed ({reason}), given up",
                            row.id
                        );
                        report.given_up += 1;
                    }
                }
            }
        }
    }
    Ok(report)
}

/// Sends every due privacy email (`notice_outbox`: confirmation links, deletion and erasure
/// notices) through `mailer`, like [`deliver_due`] but keeping nothing: a row is deleted once
/// its email was sent or given up. A link's token is derived from the row's id with
/// `link_key` and filled in here.
pub async fn deliver_privacy_due(
    store: &Store,
    mailer: &impl Mailer,
    link_key: &LinkKey,
    now: DateTime<Utc>,
    due: &[DuePrivacyEmail],
) -> Result<Report, StoreError> {
    let mut report = Report::default();
    let ids: Vec<&str> = due.iter().map(|row| row.id.as_str()).collect();
    let claimed = store
        .claim_privacy_emails(&ids, now.timestamp(), (now + LEASE).timestamp())
        .await?;
    for (row, claimed) in due.iter().zip(claimed) {
        if !claimed {
            continue;
        }
        let attempts = row.attempts + 1;
        let Some(mut message) = Message::from_payload(&row.payload) else {
            store.forget_privacy_email(&row.id).await?;
            worker::console_error!("privacy email {}: unreadable payload, given up", row.id);
            report.given_up += 1;
            continue;
        };
        links::fill(
            &mut message,
            PRIVACY_TOKEN_PLACEHOLDER,
            &link_key.privacy_token(&row.id),
        );
        let retry_at = match mailer.send(&message, &row.id).await {
            Ok(()) => {
                store.forget_privacy_email(&row.id).await?;
                report.sent += 1;
                continue;
            }
            Err(MailError::Refused(reason)) => {
                worker::console_error!("privacy email {}: refused ({reason}), given up", row.id);
                Err(reason)
            }
            Err(MailError::Temporary(reason)) => {
                match after_failure(u32::try_from(attempts).unwrap_or(u32::MAX), now) {
                    AfterFailure::RetryAt(at) => Ok((at, reason)),
                    AfterFailure::GiveUp => {
                        worker::console_error!(
                            "privacy email {}: attempt {attempts} failed ({reason}), given up",
                            row.id
                        );
                        Err(reason)
                    }
                }
            }
        };
        match retry_at {
            Ok((at, reason)) => {
                store
                    .privacy_email_failed(&row.id, attempts, at.timestamp(), &reason)
                    .await?;
                worker::console_warn!(
                    "privacy email {}: attempt {attempts} failed ({reason}), retrying at {at}",
                    row.id
                );
                report.retrying += 1;
            }
            Err(_) => {
                store.forget_privacy_email(&row.id).await?;
                report.given_up += 1;
            }
        }
    }
    Ok(report)
}

/// Both outboxes, one after the other; the reports add up.
async fn deliver_all(
    store: &Store,
    mailer: &impl Mailer,
    link_key: &LinkKey,
    now: DateTime<Utc>,
    due: &DueMail,
) -> Result<Report, StoreError> {
    let bookings = deliver_due(store, mailer, link_key, now, &due.emails).await?;
    let privacy = deliver_privacy_due(store, mailer, link_key, now, &due.notices).await?;
    Ok(Report {
        sent: bookings.sent + privacy.sent,
        retrying: bookings.retrying + privacy.retrying,
        given_up: bookings.given_up + privacy.given_up,
    })
}

/// The due rows of the two email outboxes (booking emails and privacy emails), as
/// [`crate::store::Store::due_outboxes`] read them.
#[derive(Debug, Default)]
pub struct DueMail {
    pub emails: Vec<DueEmail>,
    pub notices: Vec<DuePrivacyEmail>,
}

/// The configured backend as one [`Mailer`], so the delivery loops above are compiled once for
/// the Worker rather than once per backend (BENCHMARKS.md, *Size*).
enum Backend {
    Resend(Resend),
    Cloudflare(CloudflareEmail),
}

impl Mailer for Backend {
    async fn send(&self, message: &Message, idempotency_key: &str) -> Result<(), MailError> {
        match self {
            Backend::Resend(mailer) => mailer.send(message, idempotency_key).await,
            Backend::Cloudflare(mailer) => mailer.send(message, idempotency_key).await,
        }
    }
}

/// [`run`] in a run already open (its configuration, store and clock), so an invocation that
/// also delivers webhooks reads them once.
pub async fn run_in(run: &crate::runtime::Run, env: &Env, due: &DueMail) {
    if due.emails.is_empty() && due.notices.is_empty() {
        return;
    }
    let crate::runtime::Run {
        config, store, now, ..
    } = run;
    let (store, now) = (store, *now);
    let mailer = match config.email_backend {
        EmailBackend::Resend => {
            let Some(api_key) = config.email_api_key.clone() else {
                worker::console_warn!("email delivery paused: the secret EMAIL_API_KEY is not set");
                return;
            };
            Backend::Resend(Resend {
                api_url: config.services.email_api.clone(),
                api_key,
                from: config.email_from.clone(),
            })
        }
        EmailBackend::Cloudflare => {
            let binding = match env.send_email("EMAIL") {
                Ok(binding) => binding,
                Err(error) => {
                    worker::console_error!(
                        "email delivery paused: send_email binding EMAIL: {error}"
                    );
                    return;
                }
            };
            let from = match Mailbox::parse(&config.email_from, "EMAIL_FROM") {
                Ok(from) => from,
                Err(error) => {
                    worker::console_error!("email delivery paused: {error}");
                    return;
                }
            };
            Backend::Cloudflare(CloudflareEmail { binding, from, now })
        }
    };
    let result = deliver_all(store, &mailer, &config.link_key, now, due).await;
    match result {
        Ok(report) if report.sent + report.retrying + report.given_up > 0 => {
            worker::console_log!(
                "email delivery: {} sent, {} to retry, {} given up",
                report.sent,
                report.retrying,
                report.given_up
            );
        }
        Ok(_) => {}
        Err(error) => worker::console_error!("email delivery: {error}"),
    }
}
