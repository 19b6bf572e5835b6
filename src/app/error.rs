//! What an action can answer instead of its outcome: one enum for every refusal and fault of
//! the application layer, mapped to an HTTP status and a page or JSON body in one place
//! (`http::error`). Lower layers' errors (the store's, the webhook steps') convert into it here.

use crate::core::booking::FieldErrors;
use crate::store::StoreError;

/// Everything that can go wrong while answering a request.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("Some fields need attention.")]
    InvalidFields(FieldErrors),
    /// The request came from another site (a cross-site form post).
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Conflict(String),
    #[error("Too many requests from your network. Please wait a minute and try again.")]
    TooManyRequests,
    /// The booking can no longer be changed this way (e.g. its meeting has started).
    #[error("{0}")]
    TooLate(String),
    /// Not signed in: pages redirect to the sign-in page, the API answers 401.
    #[error("{0}")]
    Unauthorized(String),
    /// Busy for a moment; the client should retry (sent with Retry-After).
    #[error("{0}")]
    Unavailable(String),
    #[error("This address does not accept {method} requests.")]
    MethodNotAllowed { method: String, allow: &'static str },
    #[error("The request body is larger than {0} bytes.")]
    PayloadTooLarge(usize),
    #[error("Send this request as {0}.")]
    UnsupportedMediaType(&'static str),
    /// The instance's configuration is incomplete or wrong: the message names the setting,
    /// for the operator (it holds no secret, only the setting's name and what is wrong).
    #[error("This Openslot is not configured correctly: {0}.")]
    Misconfigured(String),
    /// A privacy link whose time ran out.
    #[error("{0}")]
    Expired(String),
    /// A single-use booking link that booked its meeting or ran out (410).
    #[error("{}", crate::i18n::Lang::En.strings().link_closed(*state, host_name))]
    LinkClosed {
        state: crate::core::single_use_link::LinkState,
        /// Whom the invitee asks for a new link.
        host_name: String,
    },
    /// A fault on our side; the string is for the log only.
    #[error("internal error")]
    Internal(String),
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Busy { .. } => {
                worker::console_warn!("{error}");
                AppError::Unavailable(
                    "We are busy for a moment. Please try again in a few seconds.".into(),
                )
            }
            StoreError::Query { .. } | StoreError::Key { .. } => {
                AppError::Internal(error.to_string())
            }
        }
    }
}

impl From<crate::webhooks::manage::ManageError> for AppError {
    fn from(error: crate::webhooks::manage::ManageError) -> Self {
        use crate::webhooks::manage::ManageError;
        match error {
            ManageError::NotFound | ManageError::NoSuchDelivery => {
                AppError::NotFound(error.to_string())
            }
            ManageError::UnknownEventType => {
                AppError::InvalidFields(FieldErrors::one("event_type_id", error.to_string()))
            }
            ManageError::TooMany => AppError::Conflict(error.to_string()),
            ManageError::Store(error) => error.into(),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(error: askama::Error) -> Self {
        AppError::Internal(format!("template rendering failed: {error}"))
    }
}

impl From<worker::Error> for AppError {
    fn from(error: worker::Error) -> Self {
        AppError::Internal(format!("runtime error: {error}"))
    }
}
