//! Instance configuration, read once per request from the Worker's variables and secrets.
//!
//! Parsing is separate from `worker::Env` (it takes a lookup function) so it is tested natively,
//! and a missing or malformed setting fails with a message naming the variable.

use crate::core::cron_plan::WorkersPlan;
use crate::core::lifecycle::ReminderLead;
use crate::core::signup::SignupPolicy;
use crate::crypto::data_key::IndexKey;
use crate::crypto::link_token::LinkKey;
use crate::crypto::token_cipher::{CipherError, TokenCipher};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

/// A setting that is missing or unusable; the message names it so an operator can fix it.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("the Worker setting {0} is missing: see the configuration table in README.md")]
    Missing(&'static str),
    #[error("the Worker setting {name} is invalid: {reason}")]
    Invalid { name: &'static str, reason: String },
}

/// Base URLs of every outside service. Production uses the real hosts (wrangler.toml);
/// `make dev` and the tests point them at the local fakes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceUrls {
    pub google_accounts: String,
    pub google_oauth2: String,
    pub google_openid: String,
    pub google_api: String,
    pub microsoft_login: String,
    pub microsoft_graph: String,
    pub zoom_oauth: String,
    pub zoom_api: String,
    pub email_api: String,
}

/// How emails leave the Worker (`EMAIL_BACKEND`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailBackend {
    /// Resend's HTTP API (or a compatible one) at `EMAIL_API_URL` with `EMAIL_API_KEY`.
    Resend,
    /// Cloudflare's `send_email` binding named `EMAIL` (Email Routing / Email Service).
    Cloudflare,
}

impl EmailBackend {
    /// `resend` (also the default when unset) or `cloudflare`.
    pub fn parse(value: Option<String>) -> Result<EmailBackend, ConfigError> {
        let text = value
            .map(|v| v.trim().to_ascii_lowercase())
            .unwrap_or_default();
        match text.as_str() {
            "" | "resend" => Ok(EmailBackend::Resend),
            "cloudflare" => Ok(EmailBackend::Cloudflare),
            _ => Err(ConfigError::Invalid {
                name: "EMAIL_BACKEND",
                reason: format!("'{text}' is neither 'resend' nor 'cloudflare'"),
            }),
        }
    }
}

/// An OAuth client registered with a provider (its id and secret).
#[derive(Clone, PartialEq, Eq)]
pub struct OAuthClient {
    pub id: String,
    pub secret: String,
}

impl std::fmt::Debug for OAuthClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthClient")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// Everything a request handler may need to know about this instance.
#[derive(Clone)]
pub struct Config {
    /// Origin of every link Openslot builds (pages, emails, sign-in redirects). Required, so a
    /// request's `Host` header never decides where a link points; only with
    /// `LOCAL_DEVELOPMENT=true` (a developer's machine, `make dev` sets it; never on
    /// Cloudflare) may it be left empty, and then links take the origin the request came to.
    pub public_base_url: Option<String>,
    pub services: ServiceUrls,
    pub email_from: String,
    /// Which backend sends emails (`EMAIL_BACKEND`, default `resend`).
    pub email_backend: EmailBackend,
    /// The email API's key (secret `EMAIL_API_KEY`); without it emails stay queued in the
    /// outbox, unsent, until it is set.
    pub email_api_key: Option<String>,
    /// Seals refresh tokens before they reach KV.
    pub token_cipher: TokenCipher,
    /// Derives booking manage-link tokens.
    pub link_key: LinkKey,
    /// Key of the blind index over email addresses (`crypto::data_key`), derived like `link_key`.
    pub index_key: IndexKey,
    /// Days after a meeting ends before its invitee's personal data is erased.
    pub retention_days: u32,
    /// Who may create a host by signing in (`SIGNUP_POLICY`, default `closed`).
    pub signup_policy: SignupPolicy,
    /// `GOOGLE_CLIENT_ID` / `GOOGLE_CLIENT_SECRET`; without them there is no Google sign-in.
    pub google_client: Option<OAuthClient>,
    /// `MICROSOFT_CLIENT_ID` / `MICROSOFT_CLIENT_SECRET`; likewise for Microsoft.
    pub microsoft_client: Option<OAuthClient>,
    /// `ZOOM_CLIENT_ID` / `ZOOM_CLIENT_SECRET`; without them hosts cannot connect Zoom.
    pub zoom_client: Option<OAuthClient>,
    /// `PRIVACY_ADDRESS`: the address whose mail asks for deletion or erasure; without it the
    /// Worker refuses inbound email.
    pub privacy_address: Option<String>,
    /// `LOCAL_DEVELOPMENT=true`: a developer's machine, where links may take the request's
    /// origin and webhooks may go to loopback over plain http.
    pub local_development: bool,
    /// `ZOOM_WEBHOOK_SECRET`: the Zoom app's webhook secret token; without it
    /// `/webhooks/zoom` answers 404.
    pub zoom_webhook_secret: Option<String>,
    /// `WORKERS_PLAN` (default `free`): the CPU a cron run may use, so what it takes on.
    pub workers_plan: WorkersPlan,
    /// `REMINDER_MINUTES_BEFORE` (default 1440, `0`: none): the lead of the instance's
    /// reminder, which event types without their own follow (`core::reminders`).
    pub reminder_minutes: i64,
}

impl Config {
    /// Parses the configuration from `lookup` (variables and secrets by name).
    pub fn parse(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        Self::parse_from(&lookup)
    }

    /// [`Self::parse`] behind a `dyn` look-up: the Worker parses with two (the environment's,
    /// and the setup page's with stand-ins), and this body is compiled once for both
    /// (BENCHMARKS.md, *Size*).
    fn parse_from(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let required = |name: &'static str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
                .ok_or(ConfigError::Missing(name))
        };
        let url = |name: &'static str| -> Result<String, ConfigError> {
            let value = required(name)?;
            if !(value.starts_with("https://") || value.starts_with("http://")) {
                return Err(ConfigError::Invalid {
                    name,
                    reason: "must start with https:// or http://".into(),
                });
            }
            Ok(value.trim_end_matches('/').to_owned())
        };
        let key_b64 = required("TOKEN_ENCRYPTION_KEY")?;
        let key_id = lookup("TOKEN_ENCRYPTION_KEY_ID").unwrap_or_else(|| "k1".into());
        let retired = lookup("TOKEN_ENCRYPTION_RETIRED_KEYS").unwrap_or_default();
        let invalid_key = |e: CipherError| ConfigError::Invalid {
            name: "TOKEN_ENCRYPTION_KEY",
            reason: e.to_string(),
        };
        let token_cipher =
            TokenCipher::new(key_id.trim(), &key_b64, &retired).map_err(invalid_key)?;
        let key_bytes = STANDARD
            .decode(&key_b64)
            .map_err(|e| invalid_key(CipherError::BadKey(e.to_string())))?;
        let index_secret = blind_index_secret(lookup, &retired, &key_bytes)?;
        let local_development = match lookup("LOCAL_DEVELOPMENT")
            .map(|v| v.trim().to_ascii_lowercase())
            .unwrap_or_default()
            .as_str()
        {
            "" | "false" => false,
            "true" => true,
            other => {
                return Err(ConfigError::Invalid {
                    name: "LOCAL_DEVELOPMENT",
                    reason: format!("'{other}' is neither 'true' nor 'false'"),
                })
            }
        };
        let public_base_url = match lookup("PUBLIC_BASE_URL") {
            Some(v) if !v.trim().is_empty() => Some(url("PUBLIC_BASE_URL")?),
            // Links built from a request's Host header could point anywhere the sender likes.
            _ if !local_development => return Err(ConfigError::Missing("PUBLIC_BASE_URL")),
            _ => None,
        };
        let optional = |name: &'static str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let client = |id_name: &'static str, secret_name: &'static str| match (
            optional(id_name),
            optional(secret_name),
        ) {
            (Some(id), Some(secret)) => Ok(Some(OAuthClient { id, secret })),
            (None, None) => Ok(None),
            (Some(_), None) => Err(ConfigError::Missing(secret_name)),
            (None, Some(_)) => Err(ConfigError::Missing(id_name)),
        };
        let signup_policy = match optional("SIGNUP_POLICY") {
            None => SignupPolicy::Closed,
            Some(value) => SignupPolicy::parse(&value).map_err(|reason| ConfigError::Invalid {
                name: "SIGNUP_POLICY",
                reason,
            })?,
        };
        let workers_plan = WorkersPlan::parse(optional("WORKERS_PLAN").as_deref()).map_err(|reason| {
            ConfigError::Invalid {
                name: "WORKERS_PLAN",
                reason,
            }
        })?;
        let reminder_minutes = ReminderLead::parse(lookup("REMINDER_MINUTES_BEFORE").as_deref())
            .map_err(|reason| ConfigError::Invalid {
                name: "REMINDER_MINUTES_BEFORE",
                reason,
            })?
            .lead()
            .map_or(0, |lead| lead.num_minutes());
        Ok(Self {
            signup_policy,
            workers_plan,
            reminder_minutes,
            google_client: client("GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET")?,
            microsoft_client: client("MICROSOFT_CLIENT_ID", "MICROSOFT_CLIENT_SECRET")?,
            zoom_client: client("ZOOM_CLIENT_ID", "ZOOM_CLIENT_SECRET")?,
            public_base_url,
            services: ServiceUrls {
                google_accounts: url("GOOGLE_ACCOUNTS_URL")?,
                google_oauth2: url("GOOGLE_OAUTH2_URL")?,
                google_openid: url("GOOGLE_OPENID_URL")?,
                google_api: url("GOOGLE_API_URL")?,
                microsoft_login: url("MICROSOFT_LOGIN_URL")?,
                microsoft_graph: url("MICROSOFT_GRAPH_URL")?,
                zoom_oauth: url("ZOOM_OAUTH_URL")?,
                zoom_api: url("ZOOM_API_URL")?,
                email_api: url("EMAIL_API_URL")?,
            },
            email_from: required("EMAIL_FROM")?,
            email_backend: EmailBackend::parse(lookup("EMAIL_BACKEND"))?,
            email_api_key: lookup("EMAIL_API_KEY")
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty()),
            token_cipher,
            link_key: LinkKey::derive(&key_bytes),
            index_key: IndexKey::derive(&index_secret),
            retention_days: retention_days(lookup("RETENTION_DAYS"))?,
            privacy_address: optional("PRIVACY_ADDRESS"),
            zoom_webhook_secret: optional("ZOOM_WEBHOOK_SECRET"),
            local_development,
        })
    }
}

/// The secret the blind indexes are keyed with (`crypto::data_key::IndexKey`): `BLIND_INDEX_KEY`
/// if set, else the current `TOKEN_ENCRYPTION_KEY` (`key_bytes`), as every instance did before
/// the setting existed. The indexes hash identifiers D1 does not keep (a sign-in's account id),
/// so they cannot be computed again under a new key: a rotation of the token key must not move
/// them. So while retired keys are listed, `BLIND_INDEX_KEY` is required, and is the key the
/// indexes were made with (README, *Rotating the token encryption key*).
fn blind_index_secret(
    lookup: &dyn Fn(&str) -> Option<String>,
    retired: &str,
    key_bytes: &[u8],
) -> Result<Vec<u8>, ConfigError> {
    const NAME: &str = "BLIND_INDEX_KEY";
    match lookup(NAME).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()) {
        Some(b64) => STANDARD
            .decode(&b64)
            .ok()
            .filter(|bytes| bytes.len() == 32)
            .ok_or(ConfigError::Invalid {
                name: NAME,
                reason: "must be 32 bytes in standard base64".into(),
            }),
        None if !retired.trim().is_empty() => Err(ConfigError::Invalid {
            name: NAME,
            reason: "must be set while TOKEN_ENCRYPTION_RETIRED_KEYS is: set it to the \
                     TOKEN_ENCRYPTION_KEY the instance used before its first rotation, or every \
                     host and invitee would no longer be found by address"
                .into(),
        }),
        None => Ok(key_bytes.to_vec()),
    }
}

/// `RETENTION_DAYS`: 1 to 3650, default 90.
fn retention_days(value: Option<String>) -> Result<u32, ConfigError> {
    let Some(text) = value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()) else {
        return Ok(90);
    };
    text.parse::<u32>()
        .ok()
        .filter(|days| (1..=3650).contains(days))
        .ok_or(ConfigError::Invalid {
            name: "RETENTION_DAYS",
            reason: format!("'{text}' is not a number of days from 1 to 3650"),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings() -> HashMap<&'static str, String> {
        let mut map = HashMap::new();
        for (name, value) in [
            ("GOOGLE_ACCOUNTS_URL", "https://accounts.google.com"),
            ("GOOGLE_OAUTH2_URL", "https://oauth2.googleapis.com"),
            ("GOOGLE_OPENID_URL", "https://openidconnect.googleapis.com"),
            ("GOOGLE_API_URL", "https://www.googleapis.com/"),
            ("MICROSOFT_LOGIN_URL", "https://login.microsoftonline.com"),
            ("MICROSOFT_GRAPH_URL", "https://graph.microsoft.com"),
            ("ZOOM_OAUTH_URL", "https://zoom.us"),
            ("ZOOM_API_URL", "https://api.zoom.us"),
            ("EMAIL_API_URL", "http://127.0.0.1:8788/email/resend"),
            ("EMAIL_FROM", "Openslot <bookings@example.com>"),
            (
                "TOKEN_ENCRYPTION_KEY",
                "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
            ),
            ("PUBLIC_BASE_URL", "https://slots.example.com/"),
        ] {
            map.insert(name, value.to_owned());
        }
        map
    }

    #[test]
    fn a_complete_configuration_parses_and_trims_trailing_slashes() {
        let map = settings();
        let config = Config::parse(|name| map.get(name).cloned()).unwrap();
        assert_eq!(config.services.google_api, "https://www.googleapis.com");
        assert_eq!(
            config.services.email_api,
            "http://127.0.0.1:8788/email/resend"
        );
        assert_eq!(
            config.public_base_url.as_deref(),
            Some("https://slots.example.com")
        );
        assert_eq!(config.workers_plan, WorkersPlan::Free);
    }

    #[test]
    fn the_instance_reminder_defaults_to_a_day_and_a_typo_names_the_setting() {
        let mut map = settings();
        assert_eq!(Config::parse(|name| map.get(name).cloned()).unwrap().reminder_minutes, 1440);
        map.insert("REMINDER_MINUTES_BEFORE", "0".into());
        assert_eq!(Config::parse(|name| map.get(name).cloned()).unwrap().reminder_minutes, 0);
        map.insert("REMINDER_MINUTES_BEFORE", "a day".into());
        let error = Config::parse(|name| map.get(name).cloned()).err().unwrap();
        assert!(error.to_string().contains("REMINDER_MINUTES_BEFORE"), "{error}");
    }

    #[test]
    fn the_workers_plan_is_free_or_paid_and_a_typo_names_the_setting() {
        let mut map = settings();
        map.insert("WORKERS_PLAN", "paid".into());
        let config = Config::parse(|name| map.get(name).cloned()).unwrap();
        assert_eq!(config.workers_plan, WorkersPlan::Paid);
        map.insert("WORKERS_PLAN", "Pro".into());
        let error = Config::parse(|name| map.get(name).cloned()).err().unwrap();
        assert!(error.to_string().contains("WORKERS_PLAN"), "{error}");
    }

    #[test]
    fn the_public_base_url_is_required_outside_local_development() {
        let mut map = settings();
        map.insert("PUBLIC_BASE_URL", " ".into());
        let error = Config::parse(|name| map.get(name).cloned()).err().unwrap();
        assert!(
            error.to_string().contains("PUBLIC_BASE_URL is missing"),
            "{error}"
        );
        map.remove("PUBLIC_BASE_URL");
        assert!(Config::parse(|name| map.get(name).cloned()).is_err());
        map.insert("LOCAL_DEVELOPMENT", "true".into());
        let config = Config::parse(|name| map.get(name).cloned()).unwrap();
        assert_eq!(config.public_base_url, None);
        map.insert("LOCAL_DEVELOPMENT", "yes".into());
        let error = Config::parse(|name| map.get(name).cloned()).err().unwrap();
        assert!(error.to_string().contains("LOCAL_DEVELOPMENT"), "{error}");
    }

    #[test]
    fn the_blind_index_stays_with_its_key_through_a_rotation() {
        let old = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
        let mut map = settings();
        map.insert("TOKEN_ENCRYPTION_KEY", old.into());
        let before = Config::parse(|name| map.get(name).cloned()).unwrap();
        let index = before.index_key.email("ada@example.com");

        // Rotated without BLIND_INDEX_KEY: refused, naming the setting.
        map.insert(
            "TOKEN_ENCRYPTION_KEY",
            "HxwdHhsaGRgXFhUUExIREA8ODQwLCgkIBwYFBAMCAQA=".into(),
        );
        map.insert("TOKEN_ENCRYPTION_KEY_ID", "k2".into());
        map.insert("TOKEN_ENCRYPTION_RETIRED_KEYS", format!("k1:{old}"));
        let error = Config::parse(|name| map.get(name).cloned()).err().unwrap();
        assert!(error.to_string().contains("BLIND_INDEX_KEY"), "{error}");

        // With it, the index is the one made before, during the rotation and after it.
        map.insert("BLIND_INDEX_KEY", old.into());
        let during = Config::parse(|name| map.get(name).cloned()).unwrap();
        assert_eq!(during.index_key.email("ada@example.com"), index);
        map.remove("TOKEN_ENCRYPTION_RETIRED_KEYS");
        let after = Config::parse(|name| map.get(name).cloned()).unwrap();
        assert_eq!(after.index_key.email("ada@example.com"), index);

        map.insert("BLIND_INDEX_KEY", "c2hvcnQ=".into());
        let error = Config::parse(|name| map.get(name).cloned()).err().unwrap();
        assert!(error.to_string().contains("32 bytes"), "{error}");
    }

    #[test]
    fn a_missing_secret_is_named_in_the_error() {
        let mut map = settings();
        map.remove("TOKEN_ENCRYPTION_KEY");
        let error = Config::parse(|name| map.get(name).cloned()).err().unwrap();
        assert!(
            error
                .to_string()
                .contains("TOKEN_ENCRYPTION_KEY is missing"),
            "{error}"
        );
    }

    #[test]
    fn a_short_key_and_a_non_url_are_refused() {
        let mut map = settings();
        map.insert("TOKEN_ENCRYPTION_KEY", "c2hvcnQ=".into());
        assert!(Config::parse(|name| map.get(name).cloned()).is_err());
        let mut map = settings();
        map.insert("ZOOM_API_URL", "api.zoom.us".into());
        let error = Config::parse(|name| map.get(name).cloned()).err().unwrap();
        assert!(error.to_string().contains("ZOOM_API_URL"), "{error}");
    }

    #[test]
    fn the_email_backend_defaults_to_resend_and_refuses_anything_else() {
        assert_eq!(EmailBackend::parse(None).unwrap(), EmailBackend::Resend);
        assert_eq!(
            EmailBackend::parse(Some(" ".into())).unwrap(),
            EmailBackend::Resend
        );
        assert_eq!(
            EmailBackend::parse(Some("Cloudflare".into())).unwrap(),
            EmailBackend::Cloudflare
        );
        let mut map = settings();
        map.insert("EMAIL_BACKEND", "smtp".into());
        let error = Config::parse(|name| map.get(name).cloned()).err().unwrap();
        assert!(
            error.to_string().contains("EMAIL_BACKEND") && error.to_string().contains("smtp"),
            "{error}"
        );
    }

    #[test]
    fn retention_defaults_to_ninety_days_and_refuses_nonsense() {
        assert_eq!(retention_days(None).unwrap(), 90);
        assert_eq!(retention_days(Some(" 30 ".into())).unwrap(), 30);
        for bad in ["0", "-1", "ninety", "3651"] {
            let error = retention_days(Some(bad.into())).unwrap_err().to_string();
            assert!(error.contains("RETENTION_DAYS"), "{error}");
        }
    }

    #[test]
    fn sign_up_is_closed_and_sign_in_off_unless_configured() {
        let map = settings();
        let config = Config::parse(|name| map.get(name).cloned()).unwrap();
        assert_eq!(config.signup_policy, SignupPolicy::Closed);
        assert_eq!(config.google_client, None);
        assert_eq!(config.microsoft_client, None);
        assert_eq!(config.zoom_client, None);
    }

    #[test]
    fn oauth_clients_and_the_sign_up_policy_are_read() {
        let mut map = settings();
        map.insert("GOOGLE_CLIENT_ID", "gid.apps.example".into());
        map.insert("GOOGLE_CLIENT_SECRET", " gsecret ".into());
        map.insert("SIGNUP_POLICY", "allow:@example.org".into());
        let config = Config::parse(|name| map.get(name).cloned()).unwrap();
        let google = config.google_client.unwrap();
        assert_eq!(
            (google.id.as_str(), google.secret.as_str()),
            ("gid.apps.example", "gsecret")
        );
        assert!(!format!("{google:?}").contains("gsecret"));
        assert!(matches!(config.signup_policy, SignupPolicy::Allow(_)));
    }

    #[test]
    fn a_half_configured_client_or_a_bad_policy_is_named() {
        let mut map = settings();
        map.insert("MICROSOFT_CLIENT_ID", "mid".into());
        let error = Config::parse(|name| map.get(name).cloned()).err().unwrap();
        assert!(
            error.to_string().contains("MICROSOFT_CLIENT_SECRET"),
            "{error}"
        );
        let mut map = settings();
        map.insert("SIGNUP_POLICY", "everyone".into());
        let error = Config::parse(|name| map.get(name).cloned()).err().unwrap();
        assert!(error.to_string().contains("SIGNUP_POLICY"), "{error}");
    }
}
