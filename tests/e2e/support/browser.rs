//! A browser for the sign-in tests: keeps the Worker's cookies between requests (by name,
//! ignoring paths, honouring `Max-Age=0` removals) and follows nothing on its own, so a test
//! walks every redirect by hand.

use std::cell::RefCell;

use super::http::{self, Reply};
use super::world;

/// One browser's cookie jar for the Worker's origin; a clone is another browser holding the
/// same cookies (the same session signed in elsewhere).
#[derive(Default, Clone)]
pub struct Browser {
    cookies: RefCell<Vec<(String, String)>>,
}

impl Browser {
    /// A browser with no cookies.
    pub fn new() -> Self {
        Self::default()
    }

    /// The cookie's current value.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies
            .borrow()
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    }

    /// Sets (or with `None` removes) a cookie by hand, as an attacker or a stale tab would.
    pub fn set_cookie(&self, name: &str, value: Option<&str>) {
        let mut cookies = self.cookies.borrow_mut();
        cookies.retain(|(n, _)| n != name);
        if let Some(value) = value {
            cookies.push((name.to_owned(), value.to_owned()));
        }
    }

    fn cookie_header(&self, url: &str) -> Option<String> {
        let ours = !url.starts_with("http") || url.starts_with(&world().base_url);
        let cookies = self.cookies.borrow();
        (ours && !cookies.is_empty()).then(|| {
            cookies
                .iter()
                .map(|(n, v)| format!("{n}={v}"))
                .collect::<Vec<_>>()
                .join("; ")
        })
    }

    fn absorb(&self, url: &str, reply: &Reply) {
        if url.starts_with("http") && !url.starts_with(&world().base_url) {
            return;
        }
        for value in reply.header_all("set-cookie") {
            let Some((name, rest)) = value.split_once('=') else {
                continue;
            };
            let cookie_value = rest.split(';').next().unwrap_or_default();
            let removed = value.contains("Max-Age=0") || cookie_value.is_empty();
            self.set_cookie(name.trim(), (!removed).then_some(cookie_value));
        }
    }

    /// GET with this browser's cookies, extra headers optional.
    pub fn get(&self, url: &str) -> Reply {
        let mut headers = Vec::new();
        let cookie = self.cookie_header(url);
        if let Some(cookie) = &cookie {
            headers.push(("Cookie", cookie.as_str()));
        }
        let reply = http::request("GET", url, &headers, None);
        self.absorb(url, &reply);
        reply
    }

    /// POST a form with this browser's cookies and any extra headers (`Origin`, …).
    pub fn post_form(&self, url: &str, fields: &[(&str, &str)], extra: &[(&str, &str)]) -> Reply {
        let cookie = self.cookie_header(url);
        let mut headers: Vec<(&str, &str)> = extra.to_vec();
        if let Some(cookie) = &cookie {
            headers.push(("Cookie", cookie.as_str()));
        }
        let body = http::query(fields);
        let reply = http::request(
            "POST",
            url,
            &headers,
            Some(("application/x-www-form-urlencoded", &body)),
        );
        self.absorb(url, &reply);
        reply
    }
}
