//! Sending a built `oauth2::HttpRequest` as it is (method, URI, headers, body) over real HTTP
//! and reading the whole answer, redirects not followed: the wire tests' one HTTP client.

use std::io::Read;
use std::time::Duration;

use oauth2::{HttpRequest, HttpResponse};

/// The agent every wire test sends with: no redirects followed (the code under test follows
/// them itself), a bound on each call.
pub fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new()
        .redirects(0)
        .timeout(Duration::from_secs(30))
        .build()
}

/// Sends `request` and returns the answer, whatever its status.
pub fn send(request: HttpRequest) -> HttpResponse {
    let (parts, body) = request.into_parts();
    let mut call = agent().request(parts.method.as_str(), &parts.uri.to_string());
    for (name, value) in &parts.headers {
        call = call.set(name.as_str(), value.to_str().expect("ASCII header"));
    }
    let result = if body.is_empty() {
        call.call()
    } else {
        call.send_bytes(&body)
    };
    let response = match result {
        Ok(response) | Err(ureq::Error::Status(_, response)) => response,
        Err(other) => panic!("request failed: {other}"),
    };
    let mut builder = oauth2::http::Response::builder().status(response.status());
    for name in response.headers_names() {
        for value in response.all(&name) {
            builder = builder.header(name.as_str(), value);
        }
    }
    let mut bytes = Vec::new();
    response
        .into_reader()
        .read_to_end(&mut bytes)
        .expect("response body");
    builder.body(bytes).expect("response")
}
