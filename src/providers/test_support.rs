//! Fixtures the provider tests share: the production base URLs, a registration, a canned
//! HTTP client and a tiny executor, so each provider's tests drive its real code natively.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;

use oauth2::{AsyncHttpClient, HttpRequest, HttpResponse};

use crate::config::{OAuthClient, ServiceUrls};

/// The production base URLs.
pub fn urls() -> ServiceUrls {
    ServiceUrls {
        google_accounts: "https://accounts.google.com".into(),
        google_oauth2: "https://oauth2.googleapis.com".into(),
        google_openid: "https://openidconnect.googleapis.com".into(),
        google_api: "https://www.googleapis.com".into(),
        microsoft_login: "https://login.microsoftonline.com".into(),
        microsoft_graph: "https://graph.microsoft.com".into(),
        zoom_oauth: "https://zoom.us".into(),
        zoom_api: "https://api.zoom.us".into(),
        email_api: "https://api.resend.com".into(),
    }
}

/// An app registration whose secret is easy to look for in what was sent.
pub fn registration() -> OAuthClient {
    OAuthClient {
        id: "client-1".into(),
        secret: "s3cret".into(),
    }
}

/// The query pairs of `url`, decoded.
pub fn query(url: &str) -> Vec<(String, String)> {
    oauth2::url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

/// The first value named `name` in `pairs`.
pub fn value<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// Answers each request with the next canned JSON response and remembers what was sent.
pub struct Canned {
    responses: RefCell<Vec<(u16, String)>>,
    /// Every request, in the order it was sent.
    pub sent: RefCell<Vec<HttpRequest>>,
}

impl Canned {
    /// A client that gives `responses` (status, body) in order and panics after the last.
    pub fn new(responses: &[(u16, &str)]) -> Self {
        Self {
            responses: RefCell::new(
                responses
                    .iter()
                    .rev()
                    .map(|(s, b)| (*s, (*b).to_owned()))
                    .collect(),
            ),
            sent: RefCell::new(Vec::new()),
        }
    }
}

impl<'c> AsyncHttpClient<'c> for Canned {
    type Error = std::io::Error;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, Self::Error>> + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        self.sent.borrow_mut().push(request);
        let (status, body) = self.responses.borrow_mut().pop().expect("a response");
        Box::pin(async move {
            Ok(oauth2::http::Response::builder()
                .status(status)
                .header("Content-Type", "application/json")
                .body(body.into_bytes())
                .unwrap())
        })
    }
}

/// Runs a future that never waits on anything but [`Canned`] to completion.
pub fn block_on<F: Future>(future: F) -> F::Output {
    use std::task::{Context, Poll, Waker};
    let mut context = Context::from_waker(Waker::noop());
    let mut future = std::pin::pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
    }
}
