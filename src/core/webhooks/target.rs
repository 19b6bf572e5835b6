//! Where a webhook may be sent: the guard against server-side request forgery. A host types a
//! URL and Openslot's Worker then calls it with signed booking data, so the URL must not point
//! at the instance's own network or at addresses a cloud reserves for itself (169.254.169.254
//! and friends). Rules: `https` only, no user name or password in the URL, and no host that
//! names a loopback, private, link-local, shared, multicast or otherwise reserved address, or a
//! name that only resolves inside a network (`localhost`, `.local`, `.internal`, single labels).
//!
//! A Worker cannot resolve names itself, so a public name that resolves to a private address
//! is stopped by the platform instead: Cloudflare's `fetch` does not reach private networks.
//! Only on a developer's machine (`LOCAL_DEVELOPMENT=true`) may a webhook go to loopback over
//! plain `http`, which is how `make dev` and the tests receive them.

use std::net::{Ipv4Addr, Ipv6Addr};

use url::{Host, Url};

/// Longest URL accepted.
const MAX_CHARS: usize = 2000;

/// A URL a webhook may be delivered to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl(String);

/// Why a URL is refused, in words for the host.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error("Enter the full address, starting with https://.")]
    NotAUrl,
    /// Openslot carries no Unicode tables for domain names (Cargo.toml, `idna_adapter`).
    #[error("Write the domain in its ASCII form (xn--…), as your browser shows it when copied.")]
    NonAsciiDomain,
    #[error("Use an address of at most {MAX_CHARS} characters.")]
    TooLong,
    #[error("Use an https:// address: webhooks carry booking data and are sent encrypted only.")]
    NotHttps,
    #[error("Leave the user name and password out of the address.")]
    HasCredentials,
    #[error("This address is inside a private network; use one that is reachable on the internet.")]
    Private,
}

impl WebhookUrl {
    /// Parses `text` as a delivery address; `local_development` also allows loopback over
    /// `http` (a developer's machine only).
    pub fn parse(text: &str, local_development: bool) -> Result<Self, TargetError> {
        let text = text.trim();
        if text.chars().count() > MAX_CHARS {
            return Err(TargetError::TooLong);
        }
        let url = Url::parse(text).map_err(|e| match e {
            url::ParseError::IdnaError => TargetError::NonAsciiDomain,
            _ => TargetError::NotAUrl,
        })?;
        let host = url.host().ok_or(TargetError::NotAUrl)?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(TargetError::HasCredentials);
        }
        let loopback_allowed = local_development && is_loopback(&host);
        match url.scheme() {
            "https" => {}
            "http" if loopback_allowed => {}
            "http" => return Err(TargetError::NotHttps),
            _ => return Err(TargetError::NotAUrl),
        }
        if !loopback_allowed && is_internal(&host) {
            return Err(TargetError::Private);
        }
        Ok(Self(url.to_string()))
    }

    /// The address as normalised by the URL parser (what is stored and called).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether the Worker may call `url` on a host's say (a webhook, a CalDAV server, where its
/// discovery redirects): https to a public host, or, on a developer's machine only, loopback
/// over http or https. No user name or password in the URL.
pub fn may_call(url: &Url, local_development: bool) -> bool {
    let Some(host) = url.host() else {
        return false;
    };
    if !url.username().is_empty() || url.password().is_some() {
        return false;
    }
    let loopback_allowed = local_development && is_loopback(&host);
    let scheme_ok = match url.scheme() {
        "https" => true,
        "http" => loopback_allowed,
        _ => false,
    };
    scheme_ok && (loopback_allowed || !is_internal(&host))
}

fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(name) => {
            let name = name.trim_end_matches('.');
            name == "localhost" || name.ends_with(".localhost")
        }
        Host::Ipv4(ip) => ip.is_loopback(),
        Host::Ipv6(ip) => ip.is_loopback(),
    }
}

/// Whether `host` can only be reached inside a network (or is no real destination at all).
fn is_internal(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(name) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            // Single labels resolve through search domains, inside a network.
            !name.contains('.')
                || ["localhost", "local", "internal", "intranet", "lan", "home.arpa", "corp"]
                    .iter()
                    .any(|suffix| name == *suffix || name.ends_with(&format!(".{suffix}")))
        }
        Host::Ipv4(ip) => is_internal_v4(*ip),
        Host::Ipv6(ip) => is_internal_v6(*ip),
    }
}

fn is_internal_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0
        // 100.64.0.0/10, shared address space (RFC 6598).
        || (a == 100 && (64..128).contains(&b))
        // 192.0.0.0/24, IETF protocol assignments (RFC 6890).
        || (a == 192 && b == 0 && ip.octets()[2] == 0)
        // 198.18.0.0/15, benchmarking (RFC 2544).
        || (a == 198 && (b == 18 || b == 19))
        // 240.0.0.0/4, reserved.
        || a >= 240
}

fn is_internal_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_internal_v4(v4);
    }
    let first = ip.segments()[0];
    ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        // fc00::/7, unique local (RFC 4193).
        || (first & 0xfe00) == 0xfc00
        // fe80::/10, link-local.
        || (first & 0xffc0) == 0xfe80
        // 2001:db8::/32, documentation.
        || (first == 0x2001 && ip.segments()[1] == 0x0db8)
        // 64:ff9b::/96 NAT64 and ::/96 IPv4-compatible carry a v4 address inside.
        || (first == 0x0064 && ip.segments()[1] == 0xff9b)
        || ip.segments()[..6].iter().all(|s| *s == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn may_call_takes_public_https_and_loopback_only_on_a_developers_machine() {
        let url = |text: &str| Url::parse(text).unwrap();
        assert!(may_call(&url("https://caldav.fastmail.example/dav/"), false));
        assert!(!may_call(&url("http://caldav.fastmail.example/dav/"), false));
        assert!(!may_call(&url("https://10.0.0.7/dav/"), false));
        assert!(!may_call(&url("https://169.254.169.254/"), false));
        assert!(!may_call(&url("https://nas.local/dav/"), false));
        assert!(!may_call(&url("https://user:pw@dav.example/"), false));
        assert!(!may_call(&url("http://127.0.0.1:5232/"), false));
        assert!(may_call(&url("http://127.0.0.1:5232/"), true));
        assert!(!may_call(&url("http://10.0.0.7/"), true));
    }

    #[test]
    fn an_internationalized_domain_is_asked_for_in_its_ascii_form() {
        assert_eq!(
            WebhookUrl::parse("https://bücher.example/hook", false),
            Err(TargetError::NonAsciiDomain)
        );
        let ascii = WebhookUrl::parse("https://xn--bcher-kva.example/hook", false).unwrap();
        assert_eq!(ascii.as_str(), "https://xn--bcher-kva.example/hook");
    }

    #[test]
    fn public_https_addresses_are_accepted_and_normalised() {
        let url = WebhookUrl::parse(" https://Hooks.Example.com/openslot?x=1 ", false).unwrap();
        assert_eq!(url.as_str(), "https://hooks.example.com/openslot?x=1");
        assert!(WebhookUrl::parse("https://203.0.114.9/in", false).is_ok());
        assert!(WebhookUrl::parse("https://[2606:4700::1111]/in", false).is_ok());
    }

    #[test]
    fn plain_http_and_other_schemes_are_refused() {
        assert_eq!(WebhookUrl::parse("http://hooks.example.com/", false), Err(TargetError::NotHttps));
        assert_eq!(WebhookUrl::parse("ftp://hooks.example.com/", false), Err(TargetError::NotAUrl));
        assert_eq!(WebhookUrl::parse("hooks.example.com/in", false), Err(TargetError::NotAUrl));
        assert_eq!(
            WebhookUrl::parse("https://user:pw@hooks.example.com/", false),
            Err(TargetError::HasCredentials)
        );
    }

    #[test]
    fn internal_and_reserved_destinations_are_refused() {
        for url in [
            "https://127.0.0.1/",
            "https://127.1/",
            "https://2130706433/",
            "https://0x7f000001/",
            "https://0.0.0.0/",
            "https://10.1.2.3/",
            "https://172.16.0.1/",
            "https://192.168.1.1/",
            "https://169.254.169.254/latest/meta-data",
            "https://100.64.0.1/",
            "https://224.0.0.1/",
            "https://255.255.255.255/",
            "https://[::1]/",
            "https://[::]/",
            "https://[fd00::1]/",
            "https://[fe80::1]/",
            "https://[::ffff:10.0.0.1]/",
            "https://[::ffff:127.0.0.1]/",
            "https://[64:ff9b::a00:1]/",
            "https://localhost/",
            "https://api.localhost/",
            "https://printer.local/",
            "https://metadata.google.internal/",
            "https://intranet/",
            "https://router.home.arpa/",
        ] {
            assert_eq!(WebhookUrl::parse(url, false), Err(TargetError::Private), "{url}");
        }
    }

    #[test]
    fn only_local_development_may_use_loopback_and_only_loopback() {
        assert!(WebhookUrl::parse("http://127.0.0.1:8788/hook", true).is_ok());
        assert!(WebhookUrl::parse("http://localhost:8788/hook", true).is_ok());
        assert_eq!(WebhookUrl::parse("http://127.0.0.1:8788/hook", false), Err(TargetError::NotHttps));
        assert_eq!(WebhookUrl::parse("https://10.0.0.1/", true), Err(TargetError::Private));
        assert_eq!(WebhookUrl::parse("http://10.0.0.1/", true), Err(TargetError::NotHttps));
        assert_eq!(WebhookUrl::parse("http://hooks.example.com/", true), Err(TargetError::NotHttps));
    }

    #[test]
    fn overlong_addresses_are_refused() {
        let long = format!("https://hooks.example.com/{}", "a".repeat(MAX_CHARS));
        assert_eq!(WebhookUrl::parse(&long, false), Err(TargetError::TooLong));
    }
}
