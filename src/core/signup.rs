//! Who may become a host on this instance, and the public slug a new host starts with.
//!
//! The sign-up policy only decides whether a *new* host may be created; a host who already
//! exists always signs in. Slugs are derived from the email's local part and made unique
//! against the slugs already taken, without ever landing on a reserved first path segment.

use super::types::{Email, Slug};

/// The instance's `SIGNUP_POLICY`: `open`, `closed` or `allow:ana@example.com,@example.org`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignupPolicy {
    /// Anyone with a Google or Microsoft account may create a host.
    Open,
    /// Nobody new; existing hosts still sign in.
    Closed,
    /// Only the listed addresses and domains.
    Allow(Vec<AllowEntry>),
}

/// One entry of an allow-list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AllowEntry {
    /// One address, compared case-insensitively.
    Email(String),
    /// Every address at exactly this domain (not its subdomains), lower case.
    Domain(String),
}

impl SignupPolicy {
    /// Parses the variable's value; the error says what is wrong, for the configuration message.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let value = raw.trim();
        if value.eq_ignore_ascii_case("open") {
            return Ok(Self::Open);
        }
        if value.eq_ignore_ascii_case("closed") {
            return Ok(Self::Closed);
        }
        let Some(list) = value
            .get(..6)
            .filter(|p| p.eq_ignore_ascii_case("allow:"))
            .map(|_| &value[6..])
        else {
            return Err(format!(
                "'{value}' is not open, closed or allow:ana@example.com,@example.org"
            ));
        };
        let mut entries = Vec::new();
        for item in list.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let entry = match item.strip_prefix('@') {
                Some(domain) => {
                    let domain = domain.to_ascii_lowercase();
                    let well_formed = domain.contains('.')
                        && !domain.starts_with('.')
                        && !domain.ends_with('.')
                        && domain
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
                    if !well_formed {
                        return Err(format!("'{item}' is not a domain like @example.org"));
                    }
                    AllowEntry::Domain(domain)
                }
                None => AllowEntry::Email(
                    Email::parse(item)
                        .map_err(|_| format!("'{item}' is not an email address"))?
                        .normalized(),
                ),
            };
            entries.push(entry);
        }
        if entries.is_empty() {
            return Err("allow: needs at least one address or @domain".into());
        }
        Ok(Self::Allow(entries))
    }

    /// Whether someone with this (verified) address may create a host.
    pub fn admits(&self, email: &Email) -> bool {
        match self {
            Self::Open => true,
            Self::Closed => false,
            Self::Allow(entries) => {
                let address = email.normalized();
                let domain = address.rsplit_once('@').map_or("", |(_, d)| d);
                entries.iter().any(|entry| match entry {
                    AllowEntry::Email(allowed) => *allowed == address,
                    AllowEntry::Domain(allowed) => allowed == domain,
                })
            }
        }
    }
}

/// Longest slug base, leaving room for a `-N` suffix within [`Slug::MAX_CHARS`].
const BASE_MAX_CHARS: usize = 48;

/// The slug a host with this address would like: the local part in lower case, every run
/// of other characters turned into one hyphen (`Ana.Lima+cal` → `ana-lima-cal`); `host` when
/// nothing usable is left.
pub fn slug_base(email: &Email) -> String {
    let local = email.as_str().rsplit_once('@').map_or("", |(l, _)| l);
    let mut base = String::new();
    for c in local.chars().map(|c| c.to_ascii_lowercase()) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            base.push(c);
        } else if !base.is_empty() && !base.ends_with('-') {
            base.push('-');
        }
        if base.len() >= BASE_MAX_CHARS {
            break;
        }
    }
    let base = base.trim_end_matches('-');
    if base.is_empty() {
        "host".to_owned()
    } else {
        base.to_owned()
    }
}

/// The first of `base`, `base-2`, `base-3`, … that is a valid host slug and not in `taken`.
pub fn unique_slug(base: &str, taken: &[String]) -> Slug {
    let free = |candidate: &str| {
        Slug::parse_host(candidate)
            .ok()
            .filter(|slug| !taken.iter().any(|t| t == slug.as_str()))
    };
    if let Some(slug) = free(base) {
        return slug;
    }
    (2..)
        .find_map(|n| free(&format!("{base}-{n}")))
        .expect("some numbered slug is free")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email(raw: &str) -> Email {
        Email::parse(raw).unwrap()
    }

    #[test]
    fn open_and_closed_parse_in_any_case() {
        assert_eq!(SignupPolicy::parse(" open "), Ok(SignupPolicy::Open));
        assert_eq!(SignupPolicy::parse("CLOSED"), Ok(SignupPolicy::Closed));
        assert!(SignupPolicy::Open.admits(&email("x@anywhere.test")));
        assert!(!SignupPolicy::Closed.admits(&email("x@anywhere.test")));
    }

    #[test]
    fn an_allow_list_admits_listed_addresses_and_exact_domains_only() {
        let policy = SignupPolicy::parse("allow: Ana@Example.com, @example.org ,").unwrap();
        assert_eq!(
            policy,
            SignupPolicy::Allow(vec![
                AllowEntry::Email("ana@example.com".into()),
                AllowEntry::Domain("example.org".into()),
            ])
        );
        assert!(policy.admits(&email("ana@example.com")));
        assert!(policy.admits(&email("ANA@EXAMPLE.COM")));
        assert!(policy.admits(&email("bo@example.org")));
        assert!(policy.admits(&email("bo@EXAMPLE.org")));
        assert!(!policy.admits(&email("bo@example.com")));
        assert!(!policy.admits(&email("bo@sub.example.org")));
        assert!(!policy.admits(&email("bo@example.org.evil.test")));
        assert!(!policy.admits(&email("example.org@evil.test")));
    }

    #[test]
    fn malformed_policies_are_refused_with_a_reason() {
        for bad in [
            "",
            "maybe",
            "allow:",
            "allow: , ",
            "allow:not-an-email",
            "allow:@nodot",
            "allow:@bad_domain.org",
        ] {
            let error = SignupPolicy::parse(bad).expect_err(bad);
            assert!(!error.is_empty());
        }
    }

    #[test]
    fn slug_bases_come_from_the_local_part() {
        assert_eq!(
            slug_base(&email("Ana.Lima+cal@example.com")),
            "ana-lima-cal"
        );
        assert_eq!(slug_base(&email("__bo__@example.com")), "bo");
        assert_eq!(slug_base(&email("_@example.com")), "host");
        assert_eq!(
            slug_base(&email(&format!("{}@example.com", "a".repeat(60)))).len(),
            48
        );
    }

    #[test]
    fn unique_slugs_skip_taken_and_reserved_names() {
        let taken = vec!["ana".to_owned(), "ana-2".to_owned()];
        assert_eq!(unique_slug("ana", &taken).as_str(), "ana-3");
        assert_eq!(unique_slug("bo", &taken).as_str(), "bo");
        assert_eq!(unique_slug("admin", &[]).as_str(), "admin-2");
        assert_eq!(unique_slug("dashboard", &[]).as_str(), "dashboard-2");
    }
}
