//! Dispatch by path prefix (one prefix per real host), failure injection, and the
//! request log. The state lock is held for the handling of one request and never
//! across an injected delay.

use crate::http::{Req, Resp};
use crate::state::{Failure, LoggedRequest, Provider, State};
use crate::{control, email, google, microsoft, oauth, zoom};
use serde_json::json;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// Locks the state, recovering from a handler that panicked while holding it.
pub fn lock(m: &Mutex<State>) -> MutexGuard<'_, State> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn is_control(path: &str) -> bool {
    path == "/_fake" || path.starts_with("/_fake/")
}

fn under<'a>(path: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = path.strip_prefix(prefix)?;
    (rest.is_empty() || rest.starts_with('/')).then_some(rest)
}

/// Handles one request against the shared state.
pub fn handle(shared: &Mutex<State>, req: &Req) -> Resp {
    let control = is_control(&req.path);
    if !control {
        // Whose call it is: the bearer token, or the token a revocation names.
        let form = req.form();
        let token = req
            .bearer()
            .or_else(|| req.q("token"))
            .or_else(|| crate::http::field(&form, "token"));
        let failure = lock(shared).take_failure(&req.method, &req.path, &req.body, token);
        if let Some(f) = failure {
            if f.delay_ms > 0 {
                std::thread::sleep(Duration::from_millis(f.delay_ms));
            }
            if f.after_commit {
                // The provider does the work, then the answer is lost on the way back.
                let _ = route(&mut lock(shared), req);
            }
            if let Some(resp) = failure_response(&f, &req.path) {
                record(&mut lock(shared), req, resp.status);
                return resp;
            }
        }
    }
    let mut st = lock(shared);
    let resp = route(&mut st, req);
    if !control {
        record(&mut st, req, resp.status);
    }
    resp
}

fn record(st: &mut State, req: &Req, status: u16) {
    let account = req.bearer().and_then(|token| st.bearer_owner(token));
    st.requests.push(LoggedRequest {
        method: req.method.clone(),
        path: req.path.clone(),
        query: req.raw_query.clone(),
        status,
        account,
    });
}

fn route(st: &mut State, req: &Req) -> Resp {
    let path = req.path.as_str();
    if let Some(rest) = under(path, "/_fake") {
        return control::handle(st, req, rest);
    }
    if let Some(rest) = under(path, "/google") {
        return google::handle(st, req, rest);
    }
    if let Some(rest) = under(path, "/microsoft") {
        return microsoft::handle(st, req, rest);
    }
    if let Some(rest) = under(path, "/zoom") {
        return zoom::handle(st, req, rest);
    }
    if let Some(rest) = under(path, "/email") {
        return email::handle(st, req, rest);
    }
    if path == "/" {
        return Resp::html(
            200,
            "<!doctype html><title>openslot fakes</title><h1>openslot fakes</h1>\
             <p><a href=\"/email/outbox\">Outbox</a> · <a href=\"/_fake/\">control API</a> · \
             <a href=\"/_fake/state\">state</a></p>"
                .into(),
        );
    }
    Resp::json(404, &json!({ "error": "no fake serves this path" }))
}

fn failure_response(f: &Failure, path: &str) -> Option<Resp> {
    if f.malformed {
        return Some(Resp {
            status: 200,
            headers: vec![(
                "Content-Type".into(),
                "application/json; charset=UTF-8".into(),
            )],
            body: b"{\"kind\": \"calendar#freeBusy\", \"value\": [{\"id\": \"trunc".to_vec(),
        });
    }
    let status = f.status?;
    let mut resp = match &f.body {
        Some(b) => Resp::json(status, b),
        None => provider_error(path, status),
    };
    if let Some(secs) = f.retry_after {
        resp = resp.with_header("Retry-After", &secs.to_string());
    }
    Some(resp)
}

/// The error body the real service would send for `status` on this path.
fn provider_error(path: &str, status: u16) -> Resp {
    let message = match status {
        429 => "Rate limit exceeded. Try again later.",
        500 => "Internal error encountered.",
        502 => "Bad gateway.",
        503 => "The service is currently unavailable.",
        504 => "Deadline exceeded.",
        401 => "Unauthorized.",
        403 => "Forbidden.",
        404 => "Not Found",
        _ => "Error.",
    };
    let oauth_error = match status {
        503 | 429 => "temporarily_unavailable",
        400 => "invalid_request",
        401 => "invalid_client",
        _ => "server_error",
    };
    let identity = |p: Provider| oauth::identity_error(p, status, oauth_error, message, 50_001);
    if let Some(rest) = under(path, "/google") {
        if rest.starts_with("/oauth2/") || rest.starts_with("/accounts/") {
            return identity(Provider::Google);
        }
        let reason = match status {
            429 | 403 => "rateLimitExceeded",
            500 | 503 => "backendError",
            _ => "error",
        };
        return google::api_error(status, reason, message);
    }
    if let Some(rest) = under(path, "/microsoft") {
        if rest.starts_with("/login/") {
            return identity(Provider::Microsoft);
        }
        let code = match status {
            429 => "TooManyRequests",
            503 => "ServiceNotAvailable",
            504 => "UnknownError",
            401 => "InvalidAuthenticationToken",
            _ => "generalException",
        };
        return microsoft::graph_error(status, code, message);
    }
    if let Some(rest) = under(path, "/zoom") {
        if rest.starts_with("/oauth/") {
            return identity(Provider::Zoom);
        }
        return zoom::zoom_error(status, u32::from(status), message);
    }
    if under(path, "/email").is_some() {
        let name = match status {
            429 => "rate_limit_exceeded",
            401 => "missing_api_key",
            403 => "invalid_api_key",
            _ => "application_error",
        };
        return email::resend_error(status, name, message);
    }
    Resp::json(status, &json!({ "error": message }))
}
