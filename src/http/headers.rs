//! Security and caching headers, set once here for every response the Worker makes.
//! (Static files get theirs from `static/_headers`.)

use worker::Response;

/// No inline script or style anywhere: everything comes from our own origin.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// Adds the security headers and, unless the handler chose otherwise, forbids caching
/// (pages show live availability and personal data).
pub fn secure(mut response: Response) -> Response {
    let headers = response.headers_mut();
    let set = |name: &str, value: &str| {
        let _ = headers.set(name, value);
    };
    set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
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
    set("X-Frame-Options", "DENY");
    set("Cross-Origin-Opener-Policy", "same-origin");
    if !headers.has("Cache-Control").unwrap_or(false) {
        set("Cache-Control", "no-store");
    }
    response
}
