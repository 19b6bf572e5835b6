//! Privacy requests: a host deleting their account, an invitee erasing their details. Both are
//! asked for (web form, dashboard button, or an email to `PRIVACY_ADDRESS`) and then confirmed
//! by a single-use link that is only ever sent to the address on record, so neither a forged
//! email nor a stranger's form post can delete anything: they can at most make us email the
//! real owner a link, and only a few times a day.
//!
//! This module opens requests; `http::privacy` shows and confirms them, and `inbound` reads the
//! emails. The link's token is 256 bits derived from the instance's link key and the id of the
//! email that carries it; D1 keeps only its SHA-256, and the waiting email holds a placeholder
//! that the sender fills in (`mail::links`), so D1 never holds a usable link.

pub mod inbound;
pub mod provider_cleanup;

use chrono::{DateTime, Duration, Utc};

use crate::core::types::Email;
use crate::crypto::digest::sha256_hex;
use crate::crypto::link_token::LinkKey;
use crate::crypto::random_hex;
use crate::mail::links::PRIVACY_TOKEN_PLACEHOLDER;
use crate::mail::{privacy as emails, Message};
use crate::store::{PrivacyEmail, RequestKind, Store, StoreError};

/// How long a confirmation link works.
pub const LINK_LIFETIME: Duration = Duration::hours(24);

/// The path a confirmation link points at, before its token.
pub const CONFIRM_PATH: &str = "/privacy/confirm/";

/// What a request for an address led to. Callers that answer the public must not show it:
/// the same neutral sentence is given whatever happened, so nobody learns who is a host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A link was queued for the address on record.
    LinkQueued,
    /// The address is not known for this kind of request: nothing was sent.
    Unknown,
    /// The address already has as many open links as allowed: nothing more was sent.
    TooManyOpen,
}

/// Everything opening a request needs: storage, where links point, and the time.
pub struct Desk<'a> {
    pub store: &'a Store,
    /// `https://host` the link starts with.
    pub origin: &'a str,
    /// Derives the link's token from its email's id.
    pub link_key: &'a LinkKey,
    pub now: DateTime<Utc>,
}

impl<'a> Desk<'a> {
    /// The desk of an invocation's run, whose links start with `origin`.
    pub fn of(run: &'a crate::runtime::Run, origin: &'a str) -> Self {
        Self {
            store: &run.store,
            origin,
            link_key: &run.config.link_key,
            now: run.now,
        }
    }
}

/// A queued email for `message` of `kind`.
pub fn privacy_email(kind: &'static str, message: &Message) -> Result<PrivacyEmail, String> {
    Ok(PrivacyEmail {
        id: random_hex::<16>(),
        kind,
        payload: serde_json::to_string(message).map_err(|e| format!("email payload: {e}"))?,
    })
}

impl Desk<'_> {
    async fn open(
        &self,
        kind: RequestKind,
        subject: &str,
        to: &str,
    ) -> Result<Outcome, StoreError> {
        let email_id = random_hex::<16>();
        let token = self.link_key.privacy_token(&email_id);
        let link = format!("{}{CONFIRM_PATH}{PRIVACY_TOKEN_PLACEHOLDER}", self.origin);
        let expires = self.now + LINK_LIFETIME;
        let (email_kind, message) = match kind {
            RequestKind::DeleteHost => ("deletion_link", emails::deletion_link(to, &link, expires)),
            RequestKind::EraseInvitee => ("erasure_link", emails::erasure_link(to, &link, expires)),
        };
        let mut email = privacy_email(email_kind, &message).map_err(|cause| StoreError::Query {
            query: "open_privacy_request",
            cause,
        })?;
        email.id = email_id;
        let opened = self
            .store
            .open_privacy_request(
                &sha256_hex(&token),
                kind,
                subject,
                self.now.timestamp(),
                expires.timestamp(),
                &email,
            )
            .await?;
        Ok(if opened {
            Outcome::LinkQueued
        } else {
            Outcome::TooManyOpen
        })
    }

    /// Sends the host registered under `address` (if any) a link that deletes their account.
    pub async fn ask_host_deletion(&self, address: &Email) -> Result<Outcome, StoreError> {
        match self.store.host_profile_by_email(address.as_str()).await? {
            Some(host) => {
                self.open(RequestKind::DeleteHost, &host.id, &host.email)
                    .await
            }
            None => Ok(Outcome::Unknown),
        }
    }

    /// Sends the signed-in host `host_id` at `host_email` a link that deletes their account.
    pub async fn ask_own_deletion(
        &self,
        host_id: &str,
        host_email: &str,
    ) -> Result<Outcome, StoreError> {
        self.open(RequestKind::DeleteHost, host_id, host_email)
            .await
    }

    /// Sends `address` a link that erases it from every booking made with it, if there is one.
    pub async fn ask_invitee_erasure(&self, address: &Email) -> Result<Outcome, StoreError> {
        let normalized = address.normalized();
        if !self.store.invitee_has_bookings(&normalized).await? {
            return Ok(Outcome::Unknown);
        }
        self.open(RequestKind::EraseInvitee, &normalized, address.as_str())
            .await
    }
}
