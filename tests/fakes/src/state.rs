//! Everything the fakes remember, in one value behind one mutex.
//!
//! Invariants: accounts are keyed by (provider, lower-cased email); a revoked grant
//! never becomes valid again; tokens are never deleted, only revoked or expired, so
//! tests can inspect what was issued. `GET /_fake/state` serialises this value whole.

use crate::ids;
use crate::time;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// The three outside services that have accounts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// Google OAuth, OpenID Connect and Calendar v3.
    Google,
    /// Microsoft identity platform v2.0 and Graph v1.0.
    Microsoft,
    /// Zoom OAuth and REST API v2.
    Zoom,
}

impl Provider {
    /// Parses the path segment used in control URLs (`google`, `microsoft`, `zoom`).
    pub fn parse(s: &str) -> Option<Provider> {
        match s {
            "google" => Some(Provider::Google),
            "microsoft" => Some(Provider::Microsoft),
            "zoom" => Some(Provider::Zoom),
            _ => None,
        }
    }

    /// The lower-case name used in paths and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Google => "google",
            Provider::Microsoft => "microsoft",
            Provider::Zoom => "zoom",
        }
    }
}

/// The account an authorize signs in as when nothing else was chosen.
pub const DEFAULT_EMAIL: &str = "host@example.com";
/// Display name of the default account.
pub const DEFAULT_NAME: &str = "Demo Host";
/// Access-token lifetime when no knob is set (Google's usual `expires_in`).
pub const DEFAULT_TOKEN_LIFETIME: u64 = 3599;
/// How long an authorization code can be redeemed.
pub const CODE_LIFETIME: i64 = 600;
/// Marker used in privacy-bait fields unless a test picks its own.
pub const DEFAULT_PRIVACY_MARKER: &str = "PRIVATE-DETAIL-DO-NOT-LEAK";

fn ser_time<S: Serializer>(t: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&time::rfc3339(*t))
}

/// A person signed in at a provider.
#[derive(Debug, Clone, Serialize)]
pub struct Account {
    /// Which provider the account lives at.
    pub provider: Provider,
    /// Lower-cased email; the key.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Stable subject / object id.
    pub sub: String,
    /// Google: primary (id = email) plus extras; Microsoft: the default calendar plus extras;
    /// Zoom: none used.
    pub calendars: Vec<Calendar>,
    /// Scopes this person unticks on the consent screen: the grant (and the token answer's
    /// `scope`) holds only the rest. Google's granular consent lets people untick any
    /// non-sign-in scope (developers.google.com/identity/protocols/oauth2/resources/
    /// granular-permissions: "can't assume users grant all requested scopes").
    pub withheld_scopes: Vec<String>,
    /// Google: responses of this account's new conferences that answer `pending` (insert
    /// included) before `success`; `None` follows the global knob.
    pub conference_pending_reads: Option<u32>,
    /// Graph: reads of this account's new Teams events that still answer `onlineMeeting:
    /// null` (the create's answer included) before the `joinUrl` appears.
    pub online_meeting_late_reads: u32,
}

/// One calendar and its busy periods set by the control API.
#[derive(Debug, Clone, Serialize)]
pub struct Calendar {
    /// Calendar id (Google: the email for primary).
    pub id: String,
    /// Title.
    pub summary: String,
    /// Whether this is the account's primary/default calendar.
    pub primary: bool,
    /// Shared with the account to read only: Google lists it with `accessRole: reader`
    /// ("Provides read access to the calendar", calendar.v3.json CalendarListEntry) and
    /// refuses writes with 403; Graph lists it with `canEdit: false` (resources/calendar.md).
    pub read_only: bool,
    /// Busy periods, sorted by start.
    pub busy: Vec<Busy>,
}

/// A busy period as set by a test.
#[derive(Debug, Clone, Serialize)]
pub struct Busy {
    /// Start instant.
    #[serde(serialize_with = "ser_time")]
    pub start: i64,
    /// End instant (exclusive).
    #[serde(serialize_with = "ser_time")]
    pub end: i64,
    /// Graph `showAs` (free, tentative, busy, oof, workingElsewhere, unknown).
    pub show_as: String,
}

/// An issued authorization code waiting to be redeemed.
#[derive(Debug, Clone, Serialize)]
pub struct AuthCode {
    /// The code itself.
    pub code: String,
    /// Issuing provider.
    pub provider: Provider,
    /// The client it was issued to.
    pub client_id: String,
    /// The redirect URI it was sent to; the token request must repeat it.
    pub redirect_uri: String,
    /// Granted scope, space separated.
    pub scope: String,
    /// Who signed in.
    pub email: String,
    /// PKCE challenge and method, when one was sent.
    pub code_challenge: Option<String>,
    /// `S256` or `plain`.
    pub code_challenge_method: Option<String>,
    /// OpenID Connect nonce to echo in the id_token.
    pub nonce: Option<String>,
    /// Whether redeeming it yields a refresh token (Google: offline + first consent).
    pub issue_refresh: bool,
    /// Issue time.
    #[serde(serialize_with = "ser_time")]
    pub issued_at: i64,
    /// Codes are single use.
    pub used: bool,
}

/// What a user granted a client: the thing revocation ends.
#[derive(Debug, Clone, Serialize)]
pub struct Grant {
    /// Sequence number.
    pub id: u64,
    /// Provider.
    pub provider: Provider,
    /// Client.
    pub client_id: String,
    /// Account email.
    pub email: String,
    /// Scope, space separated.
    pub scope: String,
    /// Refresh tokens currently valid for this grant (Zoom keeps only the newest).
    pub refresh_tokens: Vec<String>,
    /// Refresh tokens that were rotated away (Zoom) and must now fail.
    pub retired_refresh_tokens: Vec<String>,
    /// Revoked grants never work again.
    pub revoked: bool,
}

/// One access token handed out.
#[derive(Debug, Clone, Serialize)]
pub struct IssuedToken {
    /// The bearer value.
    pub access_token: String,
    /// Provider.
    pub provider: Provider,
    /// Account email.
    pub email: String,
    /// Client.
    pub client_id: String,
    /// Scope.
    pub scope: String,
    /// The grant it belongs to.
    pub grant_id: u64,
    /// Issue time.
    #[serde(serialize_with = "ser_time")]
    pub issued_at: i64,
    /// Expiry; at or after this instant the token is rejected.
    #[serde(serialize_with = "ser_time")]
    pub expires_at: i64,
    /// Revoked tokens are rejected.
    pub revoked: bool,
}

/// A calendar event created through Google Calendar or Graph.
#[derive(Debug, Clone, Serialize)]
pub struct Event {
    /// Google or Microsoft.
    pub provider: Provider,
    /// Owner account.
    pub email: String,
    /// Calendar id (Google), or the Graph calendar's id (`calendar` for the default calendar).
    pub calendar_id: String,
    /// Event id.
    pub id: String,
    /// Google `conferenceData.createRequest.requestId`, used for idempotent inserts.
    pub conference_request_id: Option<String>,
    /// Google: the Meet code once the conference exists.
    pub meet_code: Option<String>,
    /// Google: responses still to answer `pending` before `success`; Graph: reads still to
    /// answer `onlineMeeting: null` before the Teams link appears.
    pub pending_reads_left: u32,
    /// Graph `transactionId`, used for idempotent creates.
    pub transaction_id: Option<String>,
    /// Google `sendUpdates` of each write, oldest first (insert, patch, delete).
    pub send_updates: Vec<Option<String>>,
    /// Deleted events answer 410 (Google) or 404 (Graph).
    pub deleted: bool,
    /// The resource as stored (without computed conference status).
    pub body: Value,
}

/// A Zoom meeting.
#[derive(Debug, Clone, Serialize)]
pub struct Meeting {
    /// Numeric meeting id.
    pub id: u64,
    /// Host account.
    pub email: String,
    /// Deleted meetings answer 404 with code 3001.
    pub deleted: bool,
    /// The meeting resource as Zoom returns it.
    pub body: Value,
}

/// One attachment of a captured email.
#[derive(Debug, Clone, Serialize)]
pub struct Attachment {
    /// File name.
    pub filename: String,
    /// MIME type as sent (or guessed from the extension).
    pub content_type: String,
    /// Decoded size in bytes.
    pub size: usize,
    /// The decoded text for text/* and application/ics attachments.
    pub text: Option<String>,
}

/// An email accepted by the Resend-compatible endpoint.
#[derive(Debug, Clone, Serialize)]
pub struct Email {
    /// The id returned to the sender.
    pub id: String,
    /// Arrival time.
    #[serde(serialize_with = "ser_time")]
    pub received_at: i64,
    /// `from` as sent.
    pub from: String,
    /// Recipients.
    pub to: Vec<String>,
    /// Carbon-copy recipients.
    pub cc: Vec<String>,
    /// Blind carbon-copy recipients.
    pub bcc: Vec<String>,
    /// Subject.
    pub subject: String,
    /// HTML body.
    pub html: Option<String>,
    /// Plain-text body.
    pub text: Option<String>,
    /// `reply_to` as sent (string or list).
    pub reply_to: Value,
    /// Extra headers as sent.
    pub headers: Value,
    /// Attachments.
    pub attachments: Vec<Attachment>,
    /// `Idempotency-Key` header, when sent.
    pub idempotency_key: Option<String>,
}

/// A recorded revocation.
#[derive(Debug, Clone, Serialize)]
pub struct Revocation {
    /// Provider.
    pub provider: Provider,
    /// Account email.
    pub email: String,
    /// Client (empty for revoke-all).
    pub client_id: String,
    /// `access_token`, `refresh_token` or `all` (control endpoint).
    pub kind: String,
    /// When.
    #[serde(serialize_with = "ser_time")]
    pub at: i64,
}

/// One request to a provider path, for tests that count calls.
#[derive(Debug, Clone, Serialize)]
pub struct LoggedRequest {
    /// Method.
    pub method: String,
    /// Path.
    pub path: String,
    /// Raw query string.
    pub query: String,
    /// Status answered.
    pub status: u16,
    /// Whose live access token it carried, if any (lets parallel tests count their own calls).
    pub account: Option<String>,
}

/// An injected failure: the next `count` matching requests answer it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Failure {
    /// Matches request paths starting with this (e.g. `/google/api/calendar/v3/freeBusy`).
    pub path_prefix: String,
    /// Only this method, when set.
    #[serde(default)]
    pub method: Option<String>,
    /// Only requests whose body contains this text, when set: lets tests that run in
    /// parallel fail only their own calls (e.g. an email to their own address).
    #[serde(default)]
    pub body_contains: Option<String>,
    /// Only requests carrying a live access token of this account (at any provider), when
    /// set: a test fails the calls of its own host's calendar, not another test's.
    #[serde(default)]
    pub account: Option<String>,
    /// Status to answer; absent with `delay_ms` means "just slow".
    #[serde(default)]
    pub status: Option<u16>,
    /// How many requests it applies to.
    #[serde(default = "one")]
    pub count: u32,
    /// `Retry-After` seconds.
    #[serde(default)]
    pub retry_after: Option<u64>,
    /// A body to send instead of the provider's error body.
    #[serde(default)]
    pub body: Option<Value>,
    /// Answer 200 with invalid JSON.
    #[serde(default)]
    pub malformed: bool,
    /// Added latency before answering.
    #[serde(default)]
    pub delay_ms: u64,
    /// Carry the request out first, then answer the failure instead of the result: a 5xx
    /// after the provider committed (a gateway timing out on a create that went through).
    /// None of the three providers promises that a 5xx means nothing happened.
    #[serde(default)]
    pub after_commit: bool,
}

fn one() -> u32 {
    1
}

/// Settings tests flip.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Knobs {
    /// The account the next authorize signs in as, per provider.
    pub login: BTreeMap<Provider, String>,
    /// Access-token lifetime in seconds, per provider.
    pub token_lifetime: BTreeMap<Provider, u64>,
    /// How many coming authorizes answer `access_denied`, per provider.
    pub deny_authorize: BTreeMap<Provider, u32>,
    /// When set, responses carry privacy-bait fields containing this marker.
    pub privacy_marker: Option<String>,
    /// Google: how many responses of a new conference answer `pending` (insert included).
    pub conference_pending_reads: u32,
}

/// The whole memory of the fakes.
#[derive(Debug, Default, Serialize)]
pub struct State {
    /// Accounts at all providers.
    pub accounts: Vec<Account>,
    /// Authorization codes issued.
    pub codes: Vec<AuthCode>,
    /// Grants (consents) made.
    pub grants: Vec<Grant>,
    /// Access tokens issued.
    pub tokens: Vec<IssuedToken>,
    /// `provider client_id email` triples that have consented (Google refresh-token rule).
    pub consents: BTreeSet<String>,
    /// Calendar events created.
    pub events: Vec<Event>,
    /// Zoom meetings created.
    pub meetings: Vec<Meeting>,
    /// Emails captured, oldest first.
    pub emails: Vec<Email>,
    /// Revocations, oldest first.
    pub revocations: Vec<Revocation>,
    /// Requests to provider paths, oldest first.
    pub requests: Vec<LoggedRequest>,
    /// Pending injected failures.
    pub failures: Vec<Failure>,
    /// Settings.
    pub knobs: Knobs,
}

impl State {
    /// Finds an account.
    pub fn account(&self, p: Provider, email: &str) -> Option<&Account> {
        let email = email.to_ascii_lowercase();
        self.accounts
            .iter()
            .find(|a| a.provider == p && a.email == email)
    }

    /// Finds or creates an account; an existing account keeps its data but takes a
    /// new name (and `sub`) when given.
    pub fn ensure_account(
        &mut self,
        p: Provider,
        email: &str,
        name: Option<&str>,
        sub: Option<&str>,
    ) -> &mut Account {
        let email = email.trim().to_ascii_lowercase();
        let idx = match self
            .accounts
            .iter()
            .position(|a| a.provider == p && a.email == email)
        {
            Some(i) => i,
            None => {
                let default_name = email.split('@').next().unwrap_or("user").to_string();
                let sub = match p {
                    Provider::Google => format!("1{}", ids::stable(&email, ids::DIGITS, 20)),
                    Provider::Microsoft => ids::stable_uuid(&email),
                    Provider::Zoom => ids::stable(&email, ids::ALNUM, 22),
                };
                let primary_id = match p {
                    Provider::Google => email.clone(),
                    _ => "calendar".to_string(),
                };
                self.accounts.push(Account {
                    provider: p,
                    email: email.clone(),
                    name: default_name,
                    sub,
                    calendars: vec![Calendar {
                        id: primary_id,
                        summary: email.clone(),
                        primary: true,
                        read_only: false,
                        busy: Vec::new(),
                    }],
                    withheld_scopes: Vec::new(),
                    conference_pending_reads: None,
                    online_meeting_late_reads: 0,
                });
                self.accounts.len() - 1
            }
        };
        let acct = &mut self.accounts[idx];
        if let Some(n) = name.filter(|n| !n.trim().is_empty()) {
            acct.name = n.to_string();
        }
        if let Some(s) = sub.filter(|s| !s.trim().is_empty()) {
            acct.sub = s.to_string();
        }
        acct
    }

    /// Chooses who signs in next at `p` (creating the account).
    pub fn set_login(&mut self, p: Provider, email: &str, name: Option<&str>, sub: Option<&str>) {
        let email = self.ensure_account(p, email, name, sub).email.clone();
        self.knobs.login.insert(p, email);
    }

    /// The email an authorize signs in as, when no `login_hint` was given.
    pub fn current_login(&mut self, p: Provider) -> String {
        match self.knobs.login.get(&p) {
            Some(e) => e.clone(),
            None => self
                .ensure_account(p, DEFAULT_EMAIL, Some(DEFAULT_NAME), None)
                .email
                .clone(),
        }
    }

    /// Replaces the busy periods of one calendar (the primary one by default),
    /// creating the account and calendar if needed.
    pub fn set_busy(
        &mut self,
        p: Provider,
        email: &str,
        calendar_id: Option<&str>,
        mut busy: Vec<Busy>,
    ) {
        busy.sort_by_key(|b| (b.start, b.end));
        let acct = self.ensure_account(p, email, None, None);
        let cal = match calendar_id.filter(|c| !c.is_empty() && *c != "primary") {
            None => acct.calendars.iter_mut().find(|c| c.primary),
            Some(id) => {
                if !acct.calendars.iter().any(|c| c.id == id) {
                    acct.calendars.push(Calendar {
                        id: id.to_string(),
                        summary: id.to_string(),
                        primary: false,
                        read_only: false,
                        busy: Vec::new(),
                    });
                }
                acct.calendars.iter_mut().find(|c| c.id == id)
            }
        };
        if let Some(c) = cal {
            c.busy = busy;
        }
    }

    /// Access-token lifetime for `p`.
    pub fn token_lifetime(&self, p: Provider) -> u64 {
        self.knobs
            .token_lifetime
            .get(&p)
            .copied()
            .unwrap_or(DEFAULT_TOKEN_LIFETIME)
    }

    /// Revokes every grant and token of an account, as a user removing the app from
    /// their account settings would; the next refresh gets `invalid_grant`.
    pub fn revoke_all(&mut self, p: Provider, email: &str) -> usize {
        let email = email.to_ascii_lowercase();
        let mut n = 0;
        for g in self
            .grants
            .iter_mut()
            .filter(|g| g.provider == p && g.email == email && !g.revoked)
        {
            g.revoked = true;
            n += 1;
        }
        for t in self
            .tokens
            .iter_mut()
            .filter(|t| t.provider == p && t.email == email)
        {
            t.revoked = true;
        }
        let prefix = format!("{} ", p.as_str());
        let suffix = format!(" {email}");
        self.consents
            .retain(|c| !(c.starts_with(&prefix) && c.ends_with(&suffix)));
        self.revocations.push(Revocation {
            provider: p,
            email,
            client_id: String::new(),
            kind: "all".into(),
            at: time::now(),
        });
        n
    }

    /// Revokes one grant and its access tokens, recording what was presented.
    pub fn revoke_grant(&mut self, grant_id: u64, kind: &str) {
        let Some(g) = self.grants.iter_mut().find(|g| g.id == grant_id) else {
            return;
        };
        g.revoked = true;
        let (p, email, client) = (g.provider, g.email.clone(), g.client_id.clone());
        for t in self.tokens.iter_mut().filter(|t| t.grant_id == grant_id) {
            t.revoked = true;
        }
        self.consents
            .remove(&format!("{} {client} {email}", p.as_str()));
        self.revocations.push(Revocation {
            provider: p,
            email,
            client_id: client,
            kind: kind.into(),
            at: time::now(),
        });
    }

    /// Takes one use of the first injected failure matching this request, if any.
    pub fn take_failure(
        &mut self,
        method: &str,
        path: &str,
        body: &[u8],
        bearer: Option<&str>,
    ) -> Option<Failure> {
        let caller = bearer.and_then(|token| self.bearer_owner(token));
        let i = self.failures.iter().position(|f| {
            f.count > 0
                && path.starts_with(&f.path_prefix)
                && f.body_contains
                    .as_deref()
                    .is_none_or(|needle| String::from_utf8_lossy(body).contains(needle))
                && f.method
                    .as_deref()
                    .is_none_or(|m| m.eq_ignore_ascii_case(method))
                && f.account
                    .as_deref()
                    .is_none_or(|a| caller.as_deref().is_some_and(|c| c.eq_ignore_ascii_case(a)))
        })?;
        let f = self.failures[i].clone();
        self.failures[i].count -= 1;
        if self.failures[i].count == 0 {
            self.failures.remove(i);
        }
        Some(f)
    }

    /// Takes one pending "user clicks Cancel" for `p`.
    pub fn take_deny(&mut self, p: Provider) -> bool {
        match self.knobs.deny_authorize.get_mut(&p) {
            Some(n) if *n > 0 => {
                *n -= 1;
                true
            }
            _ => false,
        }
    }

    /// A bearer token of `p` that is known, unrevoked and unexpired.
    pub fn live_token(&self, p: Provider, token: &str) -> Option<&IssuedToken> {
        let now = time::now();
        self.tokens
            .iter()
            .find(|t| t.provider == p && t.access_token == token)
            .filter(|t| !t.revoked && now < t.expires_at)
    }

    /// The account a live bearer token belongs to.
    pub fn token_owner(&self, p: Provider, token: &str) -> Option<String> {
        self.live_token(p, token).map(|t| t.email.clone())
    }

    /// The account of a live access token of any provider.
    pub fn bearer_owner(&self, token: &str) -> Option<String> {
        [Provider::Google, Provider::Microsoft, Provider::Zoom]
            .into_iter()
            .find_map(|p| self.token_owner(p, token))
    }
}
