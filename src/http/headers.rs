//! Security and caching headers, set once here for every response the Worker makes.
//! (Static files get theirs from `static/_headers`.)
//!
//! Framing: every page says `frame-ancestors 'none'` and `X-Frame-Options: DENY`, except the
//! booking flow (the booking page and its confirmation), which the origins listed in the
//! instance setting `EMBED_ALLOWED_ORIGINS` may embed in an `<iframe>`.

use worker::Response;

/// No inline script or style anywhere: everything comes from our own origin.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'";

/// Who may frame a response.
pub enum Framing<'a> {
    /// Nobody (every page but the booking flow).
    Deny,
    /// The origins of `EMBED_ALLOWED_ORIGINS` (the booking flow); empty means nobody.
    Embeddable(&'a [String]),
}

/// Reads `EMBED_ALLOWED_ORIGINS` (space-separated `https://host[:port]` origins). An entry
/// that is not a plain origin is dropped, so the setting can never inject CSP directives.
pub fn parse_embed_origins(setting: &str) -> Vec<String> {
    setting
        .split_ascii_whitespace()
        .filter(|origin| is_plain_origin(origin))
        .map(|origin| origin.trim_end_matches('/').to_owned())
        .collect()
}

fn is_plain_origin(text: &str) -> bool {
    let Some(rest) = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))
    else {
        return false;
    };
    let host = rest.strip_suffix('/').unwrap_or(rest);
    !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
}

/// Adds the security headers and, unless the handler chose otherwise, forbids caching
/// (pages show live availability and personal data).
pub fn secure(mut response: Response, framing: Framing<'_>) -> Response {
    let headers = response.headers_mut();
    let set = |name: &str, value: &str| {
        let _ = headers.set(name, value);
    };
    match framing {
        Framing::Embeddable(origins) if !origins.is_empty() => set(
            "Content-Security-Policy",
            &format!(
                "{CONTENT_SECURITY_POLICY}; frame-ancestors {}",
                origins.join(" ")
            ),
        ),
        _ => {
            set(
                "Content-Security-Policy",
                &format!("{CONTENT_SECURITY_POLICY}; frame-ancestors 'none'"),
            );
            set("X-Frame-Options", "DENY");
        }
    }
    set("X-Content-Type-Options", "nosniff");
    // Manage links carry a token in the path; never leak it to another site.
    set("Referrer-Policy", "no-referrer");
    set(
        "Strict-Transport-Security",
        "max-age=63072000; includeSubDomains",
    );
    set(
        "Permissions-Policy",
        "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
    );
    set("Cross-Origin-Opener-Policy", "same-origin");
    if !headers.has("Cache-Control").unwrap_or(false) {
        set("Cache-Control", "no-store");
    }
    response
}
