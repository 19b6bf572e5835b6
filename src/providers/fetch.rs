//! The one HTTP client of the Worker: `oauth2`'s request and response types carried over
//! `worker::Fetch`. Redirects are never followed (a provider endpoint that redirects is an
//! error, not a hop to somewhere else), and every call is aborted after [`TIMEOUT_MS`]: a
//! provider that hangs must not hang the booking page with it.

use oauth2::http::{header, HeaderName};
use oauth2::{HttpRequest, HttpResponse};
use worker::{Fetch, Headers, Request};

/// The response headers the Worker reads: `oauth2` checks a token answer's Content-Type; the
/// calendar clients read Retry-After and Date (backoff), Location (CalDAV discovery) and ETag
/// (CalDAV writes). Others are left out of the response handed back.
const READ_RESPONSE_HEADERS: [HeaderName; 5] = [
    header::CONTENT_TYPE,
    header::RETRY_AFTER,
    header::DATE,
    header::LOCATION,
    header::ETAG,
];

/// How long one outside call may take, answer included.
pub const TIMEOUT_MS: u32 = 8_000;

/// Why an outgoing request failed before any response arrived.
#[derive(Debug, thiserror::Error)]
#[error("outgoing request failed: {0}")]
pub struct FetchError(String);

impl From<worker::Error> for FetchError {
    fn from(error: worker::Error) -> Self {
        Self(error.to_string())
    }
}

/// Sends `request` and reads the whole response. Usable wherever `oauth2` wants an async client.
pub async fn fetch(request: HttpRequest) -> Result<HttpResponse, FetchError> {
    fetch_within(request, TIMEOUT_MS).await
}

/// [`fetch`], aborted after `timeout_ms` instead (a webhook receiver is given longer than a
/// provider a booking page waits for).
pub async fn fetch_within(request: HttpRequest, timeout_ms: u32) -> Result<HttpResponse, FetchError> {
    let (parts, body) = request.into_parts();
    let headers = Headers::new();
    for (name, value) in &parts.headers {
        let value = value
            .to_str()
            .map_err(|e| FetchError(format!("header {name}: {e}")))?;
        headers.append(name.as_str(), value)?;
    }
    // Built on web-sys, not `worker::RequestInit`: its `Method` knows no WebDAV methods
    // (`PROPFIND` would go out as a GET), which CalDAV needs (RFC 4918, RFC 4791).
    let init = web_sys::RequestInit::new();
    init.set_method(parts.method.as_str());
    init.set_headers(&headers.0);
    init.set_redirect(web_sys::RequestRedirect::Manual);
    if !body.is_empty() {
        init.set_body(&js_sys::Uint8Array::from(body.as_slice()).into());
    }
    let request = web_sys::Request::new_with_str_and_init(&parts.uri.to_string(), &init)
        .map(Request::from)
        .map_err(|e| FetchError(format!("{e:?}")))?;
    let signal = worker::AbortSignal::from(web_sys::AbortSignal::timeout_with_u32(timeout_ms));
    let mut response = Fetch::Request(request).send_with_signal(&signal).await?;
    let mut builder = oauth2::http::Response::builder().status(response.status_code());
    // Only the headers something reads; named by constants, since parsing a header name at
    // run time would bring the `http` crate's 13 KB table of names into the Worker.
    for name in READ_RESPONSE_HEADERS {
        if let Some(value) = response.headers().get(name.as_str())? {
            builder = builder.header(name, value);
        }
    }
    let bytes = response.bytes().await?;
    builder.body(bytes).map_err(|e| FetchError(e.to_string()))
}
