//! Test helpers: start the fakes in-process and talk HTTP to them with ureq,
//! without following redirects and without turning 4xx/5xx into errors.
#![allow(dead_code)]

use openslot_fakes::FakeServer;
use serde_json::Value;
use std::time::Duration;

/// PKCE verifier and its S256 challenge, computed independently of the crate.
pub const VERIFIER: &str = "openslot-test-verifier-0123456789-abcdefghijklmnop";
pub const CHALLENGE: &str = "CHF0uW4FW2JDgxQgeMF7JslHkb0eO1UJYvwCkGnghus";
pub const REDIRECT: &str = "http://127.0.0.1:8787/oauth/callback";

pub struct Reply {
    pub status: u16,
    pub text: String,
    pub headers: Vec<(String, String)>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    /// Query parameters of the `Location` header.
    pub fn location_params(&self) -> Vec<(String, String)> {
        let loc = self.header("location").expect("a Location header");
        let q = loc.split_once('?').map(|(_, q)| q).unwrap_or("");
        form_urlencoded::parse(q.as_bytes()).into_owned().collect()
    }
    pub fn location_param(&self, name: &str) -> Option<String> {
        self.location_params()
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }
}

pub struct Client {
    pub base: String,
    agent: ureq::Agent,
}

fn finish(r: Result<ureq::Response, ureq::Error>) -> Reply {
    let resp = match r {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("transport error: {e}"),
    };
    let headers = resp
        .headers_names()
        .into_iter()
        .map(|n| {
            let v = resp.header(&n).unwrap_or("").to_string();
            (n, v)
        })
        .collect();
    let status = resp.status();
    let text = resp.into_string().unwrap_or_default();
    Reply {
        status,
        text,
        headers,
    }
}

impl Client {
    pub fn new(server: &FakeServer) -> Client {
        Client {
            base: server.url(),
            agent: ureq::AgentBuilder::new()
                .redirects(0)
                .timeout(Duration::from_secs(10))
                .build(),
        }
    }

    fn req(&self, method: &str, path: &str, bearer: Option<&str>) -> ureq::Request {
        let url = if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{path}", self.base)
        };
        let r = self.agent.request(method, &url);
        match bearer {
            Some(t) => r.set("Authorization", &format!("Bearer {t}")),
            None => r,
        }
    }

    pub fn get(&self, path: &str, bearer: Option<&str>) -> Reply {
        finish(self.req("GET", path, bearer).call())
    }

    pub fn get_with(&self, path: &str, bearer: Option<&str>, headers: &[(&str, &str)]) -> Reply {
        let mut r = self.req("GET", path, bearer);
        for (k, v) in headers {
            r = r.set(k, v);
        }
        finish(r.call())
    }

    pub fn send_json(&self, method: &str, path: &str, bearer: Option<&str>, body: &Value) -> Reply {
        finish(self.req(method, path, bearer).send_json(body.clone()))
    }

    pub fn post_json(&self, path: &str, bearer: Option<&str>, body: &Value) -> Reply {
        self.send_json("POST", path, bearer, body)
    }

    pub fn send_json_headers(
        &self,
        path: &str,
        bearer: Option<&str>,
        headers: &[(&str, &str)],
        body: &Value,
    ) -> Reply {
        let mut r = self.req("POST", path, bearer);
        for (k, v) in headers {
            r = r.set(k, v);
        }
        finish(r.send_json(body.clone()))
    }

    pub fn delete(&self, path: &str, bearer: Option<&str>) -> Reply {
        finish(self.req("DELETE", path, bearer).call())
    }

    pub fn post_form(
        &self,
        path: &str,
        basic: Option<(&str, &str)>,
        pairs: &[(&str, &str)],
    ) -> Reply {
        let mut r = self.req("POST", path, None);
        if let Some((id, secret)) = basic {
            use base64::Engine;
            let enc = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
            r = r.set("Authorization", &format!("Basic {enc}"));
        }
        finish(r.send_form(pairs))
    }

    pub fn control(&self, path: &str, body: Value) -> Value {
        let r = self.post_json(&format!("/_fake/{path}"), None, &body);
        assert_eq!(r.status, 200, "control {path}: {}", r.text);
        r.json()
    }

    /// GET with query pairs (values are encoded).
    pub fn get_query(&self, path: &str, pairs: &[(&str, &str)]) -> Reply {
        let mut ser = form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs {
            ser.append_pair(k, v);
        }
        self.get(&format!("{path}?{}", ser.finish()), None)
    }
}

pub fn start() -> (FakeServer, Client) {
    let server = FakeServer::start("127.0.0.1:0").expect("fakes start");
    let client = Client::new(&server);
    (server, client)
}

/// Google authorize with PKCE; returns the redirect reply.
pub fn google_authorize(c: &Client, extra: &[(&str, &str)]) -> Reply {
    let mut q = vec![
        ("client_id", "google-client"),
        ("redirect_uri", REDIRECT),
        ("response_type", "code"),
        (
            "scope",
            "openid email profile https://www.googleapis.com/auth/calendar.events https://www.googleapis.com/auth/calendar.freebusy https://www.googleapis.com/auth/calendar.calendarlist.readonly",
        ),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
        ("state", "st-123"),
        ("access_type", "offline"),
    ];
    q.extend_from_slice(extra);
    c.get_query("/google/accounts/o/oauth2/v2/auth", &q)
}

/// Redeems a Google code with form credentials.
pub fn google_token(c: &Client, code: &str) -> Reply {
    c.post_form(
        "/google/oauth2/token",
        None,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("client_id", "google-client"),
            ("client_secret", "google-secret"),
            ("code_verifier", VERIFIER),
        ],
    )
}

/// A Google access token for `email` through the whole code flow.
pub fn google_login(c: &Client, email: &str) -> Value {
    let r = google_authorize(c, &[("login_hint", email)]);
    assert_eq!(r.status, 302, "{}", r.text);
    let code = r.location_param("code").expect("code");
    let t = google_token(c, &code);
    assert_eq!(t.status, 200, "{}", t.text);
    t.json()
}

/// A Microsoft access token for `email` through the whole code flow.
pub fn microsoft_login(c: &Client, email: &str) -> Value {
    let r = c.get_query(
        "/microsoft/login/common/oauth2/v2.0/authorize",
        &[
            ("client_id", "ms-client"),
            ("redirect_uri", REDIRECT),
            ("response_type", "code"),
            (
                "scope",
                "openid offline_access User.Read Calendars.ReadWrite",
            ),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
            ("state", "ms-state"),
            ("login_hint", email),
        ],
    );
    assert_eq!(r.status, 302, "{}", r.text);
    let code = r.location_param("code").expect("code");
    let t = c.post_form(
        "/microsoft/login/common/oauth2/v2.0/token",
        None,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("client_id", "ms-client"),
            ("client_secret", "ms-secret"),
            ("code_verifier", VERIFIER),
        ],
    );
    assert_eq!(t.status, 200, "{}", t.text);
    t.json()
}

/// A Zoom token pair for `email` through the whole code flow (no PKCE, Basic auth).
pub fn zoom_login(c: &Client, email: &str) -> Value {
    let r = c.get_query(
        "/zoom/oauth/authorize",
        &[
            ("client_id", "zoom-client"),
            ("redirect_uri", REDIRECT),
            ("response_type", "code"),
            ("state", "z"),
            ("login_hint", email),
        ],
    );
    assert_eq!(r.status, 302, "{}", r.text);
    let code = r.location_param("code").expect("code");
    let t = c.post_form(
        "/zoom/oauth/token",
        Some(("zoom-client", "zoom-secret")),
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
        ],
    );
    assert_eq!(t.status, 200, "{}", t.text);
    t.json()
}

pub fn s<'a>(v: &'a Value, ptr: &str) -> &'a str {
    v.pointer(ptr)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no string at {ptr} in {v}"))
}

/// Decodes the payload of a JWT without checking the (dummy) signature.
pub fn jwt_payload(token: &str) -> Value {
    use base64::Engine;
    let part = token.split('.').nth(1).expect("three JWT parts");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .expect("base64url payload");
    serde_json::from_slice(&bytes).expect("JSON payload")
}
