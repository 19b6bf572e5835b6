//! A tiny HTTP client for the tests: no redirects followed, every status returned as a value.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use super::world;

/// A response, whatever its status.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    /// A header's value (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a header that may repeat (`Set-Cookie`).
    pub fn header_all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

static NEXT_CLIENT: AtomicU32 = AtomicU32::new(1);

/// A fresh client address per request (sent as `CF-Connecting-IP`, as Cloudflare would), so
/// tests do not share a rate-limit budget unless they ask to.
fn fresh_client_ip() -> String {
    let n = NEXT_CLIENT.fetch_add(1, Ordering::SeqCst);
    format!("10.{}.{}.{}", (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff)
}

fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new()
        .redirects(0)
        .timeout(Duration::from_secs(30))
        .build()
}

fn reply(result: Result<ureq::Response, ureq::Error>) -> Reply {
    let response = match result {
        Ok(response) => response,
        Err(ureq::Error::Status(_, response)) => response,
        Err(other) => panic!("request failed: {other}"),
    };
    let status = response.status();
    let mut names: Vec<String> = Vec::new();
    for name in response.headers_names() {
        if !names.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
            names.push(name);
        }
    }
    let headers = names
        .into_iter()
        .flat_map(|name| {
            response
                .all(&name)
                .into_iter()
                .map(|value| (name.clone(), value.to_owned()))
                .collect::<Vec<_>>()
        })
        .collect();
    let body = response.into_string().unwrap_or_default();
    Reply {
        status,
        headers,
        body,
    }
}

fn url(path: &str) -> String {
    if path.starts_with("http") {
        path.to_owned()
    } else {
        format!("{}{path}", world().base_url)
    }
}

fn prepare(method: &str, path: &str) -> ureq::Request {
    agent()
        .request(method, &url(path))
        .set("CF-Connecting-IP", &fresh_client_ip())
}

/// GET `path` (relative to the Worker, or an absolute URL).
pub fn get(path: &str) -> Reply {
    reply(prepare("GET", path).call())
}

/// GET `path` with extra request headers (e.g. `Accept-Language`).
pub fn get_with(path: &str, headers: &[(&str, &str)]) -> Reply {
    request("GET", path, headers, None)
}

/// Any method with a raw body and content type.
pub fn send(method: &str, path: &str, content_type: &str, body: &str) -> Reply {
    reply(
        prepare(method, path)
            .set("Content-Type", content_type)
            .send_string(body),
    )
}

/// Like [`send`], from one fixed client address.
pub fn send_from(
    client_ip: &str,
    method: &str,
    path: &str,
    content_type: &str,
    body: &str,
) -> Reply {
    let request = prepare(method, path).set("CF-Connecting-IP", client_ip);
    reply(request.set("Content-Type", content_type).send_string(body))
}

/// Any method with extra headers and an optional `(content type, body)`.
pub fn request(
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<(&str, &str)>,
) -> Reply {
    let mut request = prepare(method, path);
    for (name, value) in headers {
        request = request.set(name, value);
    }
    reply(match body {
        Some((content_type, body)) => request.set("Content-Type", content_type).send_string(body),
        None => request.call(),
    })
}

/// POST an HTML form.
pub fn post_form(path: &str, fields: &[(&str, &str)]) -> Reply {
    reply(prepare("POST", path).send_form(fields))
}

/// POST an HTML form with extra request headers (e.g. a browser's `Origin`), from a fresh
/// client address unless `headers` name one.
pub fn post_form_with(path: &str, headers: &[(&str, &str)], fields: &[(&str, &str)]) -> Reply {
    let mut request = agent()
        .post(&url(path))
        .set("CF-Connecting-IP", &fresh_client_ip());
    for (name, value) in headers {
        request = request.set(name, value);
    }
    reply(request.send_form(fields))
}

/// POST a JSON body.
pub fn post_json(path: &str, body: &serde_json::Value) -> Reply {
    reply(prepare("POST", path).send_json(body.clone()))
}

/// Encodes query parameters.
pub fn query(pairs: &[(&str, &str)]) -> String {
    let mut serializer = form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs {
        serializer.append_pair(name, value);
    }
    serializer.finish()
}
