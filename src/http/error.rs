//! The one place HTTP statuses are chosen for failures.
//!
//! Handlers return `Result<_, AppError>`; [`AppError::into_response`] turns the error into an
//! HTML page or a JSON body `{ "error": { "code", "message", "fields"? } }` depending on the
//! route. A user sees a plain sentence; a server fault is logged with an id (never with personal
//! data) and the user is shown only that id.

use askama::Template;
use worker::Response;

pub use crate::app::AppError;
use crate::core::single_use_link::LinkState;
use crate::i18n::{Lang, Strings};

/// How the client wants errors: pages for browsers, JSON for the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorFormat {
    Html,
    Json,
}

impl AppError {
    fn status(&self) -> u16 {
        match self {
            AppError::NotFound(_) => 404,
            AppError::BadRequest(_) => 400,
            AppError::InvalidFields(_) => 422,
            AppError::Forbidden(_) => 403,
            AppError::Conflict(_) | AppError::TooLate(_) | AppError::Expired(_) => 409,
            AppError::Unauthorized(_) => 401,
            AppError::Unavailable(_) => 503,
            AppError::TooManyRequests => 429,
            AppError::MethodNotAllowed { .. } => 405,
            AppError::PayloadTooLarge(_) => 413,
            AppError::UnsupportedMediaType(_) => 415,
            AppError::Internal(_) | AppError::Misconfigured(_) => 500,
            AppError::LinkClosed { .. } => 410,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            AppError::NotFound(_) => "not_found",
            AppError::BadRequest(_) => "bad_request",
            AppError::InvalidFields(_) => "invalid_input",
            AppError::Forbidden(_) => "forbidden",
            AppError::Conflict(_) => "conflict",
            AppError::TooLate(_) => "too_late",
            AppError::Unauthorized(_) => "unauthorized",
            AppError::Unavailable(_) => "unavailable",
            AppError::TooManyRequests => "too_many_requests",
            AppError::MethodNotAllowed { .. } => "method_not_allowed",
            AppError::PayloadTooLarge(_) => "payload_too_large",
            AppError::UnsupportedMediaType(_) => "unsupported_media_type",
            AppError::Misconfigured(_) => "misconfigured",
            AppError::Expired(_) => "expired",
            AppError::LinkClosed { state, .. } => match state {
                LinkState::Expired => "link_expired",
                _ => "link_used",
            },
            AppError::Internal(_) => "internal",
        }
    }

    /// The sentence a user reads; for a server fault, only an id to quote.
    fn user_message(&self, incident: &str) -> String {
        match self {
            AppError::Internal(_) => {
                format!("Something went wrong on our side. Please try again; if it keeps happening, quote incident {incident}.")
            }
            // One bad field: its own sentence says more than "some fields".
            AppError::InvalidFields(fields) => {
                let mut messages = fields.iter().map(|(_, message)| message);
                match (messages.next(), messages.next()) {
                    (Some(only), None) => only.to_owned(),
                    _ => self.to_string(),
                }
            }
            other => other.to_string(),
        }
    }

    /// The sentence of this kind of error in a language other than English.
    fn localized_message(&self, t: &'static Strings, incident: &str) -> String {
        match self {
            AppError::TooLate(message) | AppError::Expired(message) => message.clone(),
            AppError::LinkClosed { state, host_name } => t.link_closed(*state, host_name),
            AppError::Misconfigured(_) => self.to_string(),
            AppError::NotFound(_) => t.error_not_found_message.into(),
            AppError::Forbidden(_) => t.error_forbidden_message.into(),
            AppError::Conflict(_) => t.slot_gone.into(),
            AppError::Unavailable(_) => t.error_unavailable_message.into(),
            AppError::TooManyRequests => t.error_slow_down_message.into(),
            AppError::Internal(_) => Strings::fill(t.error_internal_message, "id", incident),
            _ => t.error_bad_request_message.into(),
        }
    }

    /// Renders the error; logs server faults with a fresh incident id.
    ///
    /// An HTML page is written in `lang`: titles and sentences come from `crate::i18n`. In
    /// English the specific sentence the handler wrote is kept; in another language a
    /// handler's `TooLate` sentence is taken as already translated (cancel and reschedule write
    /// it in the page's language) and other errors read the language's sentence for their kind.
    /// JSON stays English (it is for programs).
    pub fn into_response(self, format: ErrorFormat, lang: Lang) -> Response {
        let incident = crate::crypto::random_hex::<6>();
        match &self {
            AppError::Internal(cause) => worker::console_error!("incident {incident}: {cause}"),
            AppError::Misconfigured(cause) => worker::console_error!("configuration: {cause}"),
            _ => {}
        }
        if let (AppError::Unauthorized(_), ErrorFormat::Html) = (&self, format) {
            // A person without a session is sent to sign in, not shown an error.
            let redirect = Response::empty().map(|r| r.with_status(303));
            if let Ok(mut response) = redirect {
                if response
                    .headers_mut()
                    .set("Location", "/auth/signin")
                    .is_ok()
                {
                    return response;
                }
            }
        }
        let status = self.status();
        let t = lang.strings();
        let message = match (format, lang) {
            (ErrorFormat::Html, Lang::En) | (ErrorFormat::Json, _) => self.user_message(&incident),
            (ErrorFormat::Html, _) => self.localized_message(t, &incident),
        };
        let response = match format {
            ErrorFormat::Json => {
                let mut error = serde_json::json!({ "code": self.code(), "message": message });
                if let AppError::InvalidFields(fields) = &self {
                    let map: serde_json::Map<String, serde_json::Value> = fields
                        .iter()
                        .map(|(name, msg)| (name.to_owned(), msg.into()))
                        .collect();
                    error["fields"] = map.into();
                }
                Response::from_json(&serde_json::json!({ "error": error }))
            }
            ErrorFormat::Html => {
                let page = ErrorPage {
                    t,
                    status,
                    title: match self {
                        AppError::TooLate(_) => t.error_too_late,
                        AppError::Expired(_) => "This link has expired",
                        AppError::LinkClosed { .. } => t.link_closed_title,
                        AppError::Misconfigured(_) => "This Openslot needs configuring",
                        _ => title_for(t, status),
                    },
                    message: &message,
                };
                page.render()
                    .map_err(|e| worker::Error::RustError(e.to_string()))
                    .and_then(Response::from_html)
            }
        };
        match response {
            Ok(mut response) => {
                let retry_after = match status {
                    503 => Some("2"),
                    429 => Some("60"),
                    _ => None,
                };
                if let Some(seconds) = retry_after {
                    let _ = response.headers_mut().set("Retry-After", seconds);
                }
                if let AppError::MethodNotAllowed { allow, .. } = &self {
                    let _ = response.headers_mut().set("Allow", allow);
                }
                response.with_status(status)
            }
            Err(_) => {
                Response::error(message, status).unwrap_or_else(|_| Response::empty().unwrap())
            }
        }
    }
}

/// A page that only tells something (status 200), in the error pages' layout.
pub fn notice_page(lang: Lang, title: &str, message: &str) -> Result<Response, AppError> {
    let page = ErrorPage {
        t: lang.strings(),
        status: 200,
        title,
        message,
    };
    Ok(Response::from_html(page.render()?)?)
}

fn title_for(t: &'static Strings, status: u16) -> &'static str {
    match status {
        404 => t.error_not_found,
        401 => "Please sign in",
        403 => t.error_forbidden,
        409 => t.error_taken,
        405 | 413 | 415 | 400 | 422 => t.error_bad_request,
        503 => t.error_unavailable,
        429 => t.error_slow_down,
        _ => t.error_internal,
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    t: &'static Strings,
    status: u16,
    title: &'a str,
    message: &'a str,
}
