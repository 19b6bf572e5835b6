//! Plain request and response values, so handlers are functions of data and never
//! touch sockets; `lib.rs` converts to and from `tiny_http`.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::Value;

/// One HTTP request, fully read.
#[derive(Debug, Clone)]
pub struct Req {
    /// Upper-case method.
    pub method: String,
    /// Path without the query, still percent-encoded.
    pub path: String,
    /// The raw query string (without `?`).
    pub raw_query: String,
    /// Decoded query pairs in order.
    pub query: Vec<(String, String)>,
    /// Header names and values as received.
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    pub body: Vec<u8>,
}

impl Req {
    /// Builds a request from a method, a `path?query` target, headers and a body.
    pub fn new(method: &str, target: &str, headers: Vec<(String, String)>, body: Vec<u8>) -> Req {
        let (path, raw_query) = match target.split_once('?') {
            Some((p, q)) => (p.to_string(), q.to_string()),
            None => (target.to_string(), String::new()),
        };
        let query = form_urlencoded::parse(raw_query.as_bytes())
            .into_owned()
            .collect();
        Req {
            method: method.to_ascii_uppercase(),
            path,
            raw_query,
            query,
            headers,
            body,
        }
    }

    /// The first query parameter called `name`.
    pub fn q(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A header by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The token of an `Authorization: Bearer` header, when there is a non-empty one.
    pub fn bearer(&self) -> Option<&str> {
        let v = self.header("authorization")?.trim();
        let (scheme, rest) = v.split_once(' ')?;
        let t = rest.trim();
        (scheme.eq_ignore_ascii_case("bearer") && !t.is_empty()).then_some(t)
    }

    /// `(user, password)` of an `Authorization: Basic` header (RFC 7617), form-decoded
    /// as RFC 6749 §2.3.1 asks for client credentials.
    pub fn basic(&self) -> Option<(String, String)> {
        let v = self.header("authorization")?.trim();
        let (scheme, rest) = v.split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("basic") {
            return None;
        }
        let raw = STANDARD.decode(rest.trim()).ok()?;
        let s = String::from_utf8(raw).ok()?;
        let (u, p) = s.split_once(':')?;
        let dec = |x: &str| {
            form_urlencoded::parse(format!("x={x}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        Some((dec(u), dec(p)))
    }

    /// The body as `application/x-www-form-urlencoded` pairs.
    pub fn form(&self) -> Vec<(String, String)> {
        form_urlencoded::parse(&self.body).into_owned().collect()
    }

    /// The body as JSON, or a short reason it is not.
    pub fn json(&self) -> Result<Value, String> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Err("empty body".into());
        }
        serde_json::from_slice(&self.body).map_err(|e| e.to_string())
    }

    /// `http://host:port` as the client addressed us, for absolute links such as
    /// Graph's `@odata.nextLink`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.header("host").unwrap_or("127.0.0.1"))
    }
}

/// The first value called `name` in decoded form pairs.
pub fn field<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Decodes `%XX` escapes in one path segment (`+` stays `+`, unlike forms).
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// One HTTP response.
#[derive(Debug, Clone)]
pub struct Resp {
    /// Status code.
    pub status: u16,
    /// Headers to send (Content-Type included).
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
}

impl Resp {
    /// A JSON response.
    pub fn json(status: u16, v: &Value) -> Resp {
        Resp {
            status,
            headers: vec![(
                "Content-Type".into(),
                "application/json; charset=UTF-8".into(),
            )],
            body: serde_json::to_vec_pretty(v).unwrap_or_default(),
        }
    }

    /// A response without a body (204, or a bare 200).
    pub fn empty(status: u16) -> Resp {
        Resp {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// An HTML page.
    pub fn html(status: u16, page: String) -> Resp {
        Resp {
            status,
            headers: vec![("Content-Type".into(), "text/html; charset=utf-8".into())],
            body: page.into_bytes(),
        }
    }

    /// A 302 to `location`.
    pub fn redirect(location: &str) -> Resp {
        Resp {
            status: 302,
            headers: vec![("Location".into(), location.into())],
            body: Vec::new(),
        }
    }

    /// Adds a header.
    pub fn with_header(mut self, name: &str, value: &str) -> Resp {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Appends query parameters to a URL that may already carry some.
pub fn with_query(url: &str, params: &[(&str, &str)]) -> String {
    let mut ser = form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        ser.append_pair(k, v);
    }
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{}", ser.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_paths_and_basic_auth() {
        assert_eq!(percent_decode("host%40example.com"), "host@example.com");
        assert_eq!(percent_decode("a+b%2"), "a+b%2");
        let r = Req::new(
            "post",
            "/x?a=1&b=two%20words",
            vec![("Authorization".into(), "Basic aWQ6c2VjcmV0".into())],
            vec![],
        );
        assert_eq!(r.method, "POST");
        assert_eq!(r.q("b"), Some("two words"));
        assert_eq!(r.basic(), Some(("id".into(), "secret".into())));
        assert_eq!(r.bearer(), None);
    }

    #[test]
    fn appends_query() {
        assert_eq!(
            with_query("http://a/cb", &[("code", "x y")]),
            "http://a/cb?code=x+y"
        );
        assert_eq!(
            with_query("http://a/cb?k=1", &[("s", "&")]),
            "http://a/cb?k=1&s=%26"
        );
    }
}
