//! What a new instance still lacks, for its operator. The first-run page `/setup` and
//! `make deploy` list every required or recommended setting that is missing or wrong, each
//! with the command that sets it. Only names are shown, never a value: the page is public so
//! an operator can read it before anyone can sign in.
//!
//! The rules are `Config::parse`'s own: parsing is repeated with each setting it refuses
//! replaced by a harmless stand-in, so every refusal is listed at once, not one per deploy.

use crate::config::{Config, ConfigError, EmailBackend};
use crate::core::signup::SignupPolicy;

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Need {
    /// The instance cannot work (every page names the setting, or nobody can sign in).
    Required,
    /// It works, but something people expect does not (emails, privacy requests by email).
    Recommended,
}

/// One thing the operator should set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The setting, binding or step, e.g. `PUBLIC_BASE_URL` or `DB`.
    pub setting: &'static str,
    pub need: Need,
    /// What is wrong, in words that name no value.
    pub problem: String,
    /// The command or edit that fixes it.
    pub fix: String,
}

/// What the Worker could tell about its D1 database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Database {
    /// The schema is there; whether any host exists yet.
    Ready { hosts_exist: bool },
    /// The tables are missing: the migrations were never applied.
    NotMigrated,
}

/// Settings the Worker reads as secrets (`wrangler secret put`), not `[vars]`.
const SECRETS: &[&str] = &[
    "TOKEN_ENCRYPTION_KEY",
    "TOKEN_ENCRYPTION_RETIRED_KEYS",
    "BLIND_INDEX_KEY",
    "EMAIL_API_KEY",
    "GOOGLE_CLIENT_SECRET",
    "MICROSOFT_CLIENT_SECRET",
    "ZOOM_CLIENT_SECRET",
    "ZOOM_WEBHOOK_SECRET",
];

/// Everything the operator should still set, required first.
pub fn check(lookup: impl Fn(&str) -> Option<String>, database: Database) -> Vec<Finding> {
    let mut findings = Vec::new();
    if database == Database::NotMigrated {
        findings.push(Finding {
            setting: "DB",
            need: Need::Required,
            problem: "The D1 database has no tables yet.".into(),
            fix: "npx wrangler d1 migrations apply DB --remote".into(),
        });
    }
    let config = parse_collecting(&lookup, &mut findings);
    if let Some(config) = config {
        recommendations(&config, database, &mut findings);
    }
    crate::core::sort::sort_by_key(&mut findings, &|f| (f.need as i64, 0));
    findings
}

/// Parses the configuration; each setting it refuses becomes a finding and is stood in for,
/// until it parses. The configuration is returned only if nothing had to be stood in for.
fn parse_collecting(
    lookup: &impl Fn(&str) -> Option<String>,
    findings: &mut Vec<Finding>,
) -> Option<Config> {
    let mut stand_ins: Vec<&'static str> = Vec::new();
    loop {
        let patched = |name: &str| {
            if stand_ins.contains(&name) {
                Some(stand_in(name).to_owned())
            } else {
                lookup(name)
            }
        };
        match Config::parse(patched) {
            Ok(config) => return stand_ins.is_empty().then_some(config),
            Err(error) => {
                let (name, problem) = match error {
                    ConfigError::Missing(name) => (name, "is not set.".to_owned()),
                    // The reason may quote the value; the page must not.
                    ConfigError::Invalid { name, .. } => {
                        (name, "is set, but not to a value Openslot accepts.".to_owned())
                    }
                };
                if stand_ins.contains(&name) {
                    // Its stand-in did not help (it depends on another setting): stop here.
                    return None;
                }
                findings.push(Finding {
                    setting: name,
                    need: Need::Required,
                    problem: format!("{name} {problem}"),
                    fix: how_to_set(name),
                });
                stand_ins.push(name);
            }
        }
    }
}

/// A value `Config::parse` accepts for `name`, used only to look past it.
fn stand_in(name: &str) -> &'static str {
    match name {
        // 32 zero bytes, standard base64.
        "TOKEN_ENCRYPTION_KEY" | "BLIND_INDEX_KEY" => "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "TOKEN_ENCRYPTION_KEY_ID" => "k1",
        "TOKEN_ENCRYPTION_RETIRED_KEYS" => "",
        "EMAIL_BACKEND" => "resend",
        "EMAIL_FROM" => "Openslot <setup@placeholder.invalid>",
        "SIGNUP_POLICY" => "closed",
        "LOCAL_DEVELOPMENT" => "false",
        "RETENTION_DAYS" => "90",
        name if name.ends_with("_URL") => "https://placeholder.invalid",
        _ => "placeholder",
    }
}

/// The command that sets `name`: a secret through wrangler, a variable in wrangler.toml.
fn how_to_set(name: &str) -> String {
    match name {
        "TOKEN_ENCRYPTION_KEY" => {
            "head -c 32 /dev/urandom | base64 | npx wrangler secret put TOKEN_ENCRYPTION_KEY".into()
        }
        "BLIND_INDEX_KEY" => "npx wrangler secret put BLIND_INDEX_KEY, with the \
                              TOKEN_ENCRYPTION_KEY from before the first rotation (README, \
                              Rotating the token encryption key)"
            .into(),
        name if SECRETS.contains(&name) => format!("npx wrangler secret put {name}"),
        name => format!("set {name} under [vars] in wrangler.toml, then make deploy"),
    }
}

/// What a configuration that parses may still lack.
fn recommendations(config: &Config, database: Database, findings: &mut Vec<Finding>) {
    if config.google_client.is_none() && config.microsoft_client.is_none() {
        findings.push(Finding {
            setting: "GOOGLE_CLIENT_ID",
            need: Need::Required,
            problem: "No sign-in is configured (neither Google nor Microsoft): nobody can sign in."
                .into(),
            fix: "register an OAuth app (README, Registering the OAuth apps), set \
                  GOOGLE_CLIENT_ID under [vars] in wrangler.toml and run npx wrangler secret put \
                  GOOGLE_CLIENT_SECRET (or the MICROSOFT_ pair)"
                .into(),
        });
    }
    if config.signup_policy == SignupPolicy::Closed
        && database == (Database::Ready { hosts_exist: false })
    {
        findings.push(Finding {
            setting: "SIGNUP_POLICY",
            need: Need::Required,
            problem: "Sign-up is closed and no host exists yet: nobody can create the first host."
                .into(),
            fix: "set SIGNUP_POLICY = \"allow:you@example.org\" under [vars] in wrangler.toml, \
                  then make deploy"
                .into(),
        });
    }
    if config.email_backend == EmailBackend::Resend && config.email_api_key.is_none() {
        findings.push(Finding {
            setting: "EMAIL_API_KEY",
            need: Need::Recommended,
            problem: "No email API key: confirmations and reminders wait in the outbox, unsent."
                .into(),
            fix: how_to_set("EMAIL_API_KEY"),
        });
    }
    if config.email_from.contains("@example.com") {
        findings.push(Finding {
            setting: "EMAIL_FROM",
            need: Need::Recommended,
            problem: "Emails are sent from the example address of the default settings.".into(),
            fix: how_to_set("EMAIL_FROM"),
        });
    }
    if config.privacy_address.is_none() {
        findings.push(Finding {
            setting: "PRIVACY_ADDRESS",
            need: Need::Recommended,
            problem: "No privacy address: deletion requests by email are refused (the /privacy \
                      page still works)."
                .into(),
            fix: how_to_set("PRIVACY_ADDRESS"),
        });
    }
    if config.zoom_client.is_some() && config.zoom_webhook_secret.is_none() {
        findings.push(Finding {
            setting: "ZOOM_WEBHOOK_SECRET",
            need: Need::Recommended,
            problem: "Zoom is configured without its webhook secret: Zoom's deauthorization \
                      notices cannot be verified."
                .into(),
            fix: how_to_set("ZOOM_WEBHOOK_SECRET"),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    const READY: Database = Database::Ready { hosts_exist: true };

    /// A complete production configuration.
    fn complete() -> HashMap<&'static str, String> {
        let mut map: HashMap<&'static str, String> = [
            ("TOKEN_ENCRYPTION_KEY", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="),
            ("PUBLIC_BASE_URL", "https://meet.example.org"),
            ("EMAIL_FROM", "Openslot <meet@example.org>"),
            ("EMAIL_API_KEY", "re_secret_value_123"),
            ("GOOGLE_CLIENT_ID", "id.apps.googleusercontent.com"),
            ("GOOGLE_CLIENT_SECRET", "google-secret-value"),
            ("PRIVACY_ADDRESS", "privacy@example.org"),
            ("SIGNUP_POLICY", "allow:ana@example.org"),
        ]
        .into_iter()
        .map(|(k, v)| (k, v.to_owned()))
        .collect();
        for name in [
            "GOOGLE_ACCOUNTS_URL",
            "GOOGLE_OAUTH2_URL",
            "GOOGLE_OPENID_URL",
            "GOOGLE_API_URL",
            "MICROSOFT_LOGIN_URL",
            "MICROSOFT_GRAPH_URL",
            "ZOOM_OAUTH_URL",
            "ZOOM_API_URL",
            "EMAIL_API_URL",
        ] {
            map.insert(name, "https://service.example".into());
        }
        map
    }

    fn findings(map: &HashMap<&'static str, String>, database: Database) -> Vec<Finding> {
        check(|name| map.get(name).cloned(), database)
    }

    fn names(findings: &[Finding]) -> Vec<&'static str> {
        findings.iter().map(|f| f.setting).collect()
    }

    #[test]
    fn a_complete_configuration_has_nothing_left() {
        assert_eq!(findings(&complete(), READY), vec![]);
    }

    #[test]
    fn every_refused_setting_is_listed_at_once_with_its_command() {
        let mut map = complete();
        map.remove("TOKEN_ENCRYPTION_KEY");
        map.insert("PUBLIC_BASE_URL", "meet.example.org".into());
        map.insert("RETENTION_DAYS", "forever".into());
        map.remove("GOOGLE_CLIENT_SECRET");
        let found = findings(&map, READY);
        assert_eq!(
            names(&found),
            vec![
                "TOKEN_ENCRYPTION_KEY",
                "PUBLIC_BASE_URL",
                "GOOGLE_CLIENT_SECRET",
                "RETENTION_DAYS"
            ]
        );
        assert!(found.iter().all(|f| f.need == Need::Required));
        assert!(found[0].fix.contains("wrangler secret put TOKEN_ENCRYPTION_KEY"));
        assert!(found[1].fix.contains("wrangler.toml"));
        assert_eq!(found[2].fix, "npx wrangler secret put GOOGLE_CLIENT_SECRET");
    }

    #[test]
    fn no_finding_repeats_a_value() {
        let mut map = complete();
        map.insert("RETENTION_DAYS", "MARKER-7f3a".into());
        map.insert("LOCAL_DEVELOPMENT", "MARKER-7f3a".into());
        map.insert("TOKEN_ENCRYPTION_KEY", "MARKER-7f3a".into());
        let found = findings(&map, READY);
        assert_eq!(found.len(), 3, "{found:?}");
        for finding in &found {
            assert!(!format!("{finding:?}").contains("MARKER"), "{finding:?}");
        }
    }

    #[test]
    fn an_unmigrated_database_and_a_closed_door_are_required_fixes() {
        let found = findings(&complete(), Database::NotMigrated);
        assert_eq!(names(&found), vec!["DB"]);
        assert!(found[0].fix.contains("d1 migrations apply DB --remote"));

        let mut map = complete();
        map.insert("SIGNUP_POLICY", "closed".into());
        let first_run = findings(&map, Database::Ready { hosts_exist: false });
        assert_eq!(names(&first_run), vec!["SIGNUP_POLICY"]);
        assert!(findings(&map, READY).is_empty(), "closed is fine once hosts exist");
    }

    #[test]
    fn what_works_but_falls_short_is_recommended() {
        let mut map = complete();
        map.remove("EMAIL_API_KEY");
        map.remove("PRIVACY_ADDRESS");
        map.insert("EMAIL_FROM", "Openslot <bookings@example.com>".into());
        map.insert("ZOOM_CLIENT_ID", "zoom-id".into());
        map.insert("ZOOM_CLIENT_SECRET", "zoom-secret".into());
        let found = findings(&map, READY);
        assert_eq!(
            names(&found),
            vec![
                "EMAIL_API_KEY",
                "EMAIL_FROM",
                "PRIVACY_ADDRESS",
                "ZOOM_WEBHOOK_SECRET"
            ]
        );
        assert!(found.iter().all(|f| f.need == Need::Recommended));
    }

    #[test]
    fn an_instance_without_any_sign_in_is_told_so() {
        let mut map = complete();
        map.remove("GOOGLE_CLIENT_ID");
        map.remove("GOOGLE_CLIENT_SECRET");
        let found = findings(&map, READY);
        assert_eq!(names(&found), vec!["GOOGLE_CLIENT_ID"]);
        assert_eq!(found[0].need, Need::Required);
    }
}
