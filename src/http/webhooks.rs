//! `POST /webhooks/zoom`: Zoom's event notifications, of which Openslot uses two: the
//! `endpoint.url_validation` challenge (Zoom checks the endpoint is ours) and
//! `app_deauthorized` (a Zoom user removed the app: their tokens and connection go at once,
//! where Zoom's rules allow ten days).
//!
//! Every request must carry a valid `x-zm-signature` over its raw body with an
//! `x-zm-request-timestamp` within five minutes (`crypto::zoom_webhook`); anything else is a
//! 401 and changes nothing. Bookings keep their rows: only the Zoom connection is dropped.

use serde::Deserialize;
use worker::{Request, Response};

use crate::app::connections::forget_account;
use crate::app::AppError;
use crate::app::Ctx;
use crate::crypto::zoom_webhook::{url_validation_answer, verify};
use crate::providers::registry::ConnectProvider;

/// Largest webhook body we read: Zoom's notifications are a few hundred bytes.
const MAX_BODY_BYTES: usize = 64 * 1024;

#[derive(Deserialize)]
struct Notification {
    event: String,
    #[serde(default)]
    payload: serde_json::Value,
}

/// `POST /webhooks/zoom`.
pub async fn zoom(ctx: &Ctx, req: &mut Request) -> Result<Response, AppError> {
    let Some(secret) = ctx.config.zoom_webhook_secret.as_deref() else {
        return Err(AppError::NotFound(
            "Zoom webhooks are not set up on this instance.".into(),
        ));
    };
    let header = |name: &str| req.headers().get(name).ok().flatten();
    let (timestamp, signature) = (header("x-zm-request-timestamp"), header("x-zm-signature"));
    let body = req
        .bytes()
        .await
        .map_err(|_| AppError::BadRequest("The request body could not be read.".into()))?;
    if body.len() > MAX_BODY_BYTES {
        return Err(AppError::PayloadTooLarge(MAX_BODY_BYTES));
    }
    if let Err(reason) = verify(
        secret,
        timestamp.as_deref(),
        signature.as_deref(),
        &body,
        ctx.now.timestamp(),
    ) {
        worker::console_warn!("zoom webhook refused: {reason}");
        return Err(AppError::Unauthorized(
            "The webhook signature is missing, wrong or too old.".into(),
        ));
    }
    let notification: Notification = serde_json::from_slice(&body)
        .map_err(|e| AppError::BadRequest(format!("The JSON body is not valid: {e}.")))?;
    match notification.event.as_str() {
        "endpoint.url_validation" => {
            let plain = notification.payload["plainToken"]
                .as_str()
                .filter(|t| !t.is_empty())
                .ok_or_else(|| AppError::BadRequest("payload.plainToken is missing.".into()))?;
            Ok(Response::from_json(&serde_json::json!({
                "plainToken": plain,
                "encryptedToken": url_validation_answer(secret, plain),
            }))?)
        }
        "app_deauthorized" => {
            let user_id = notification.payload["user_id"]
                .as_str()
                .filter(|t| !t.is_empty() && t.len() <= 255)
                .ok_or_else(|| AppError::BadRequest("payload.user_id is missing.".into()))?;
            let dropped = forget_account(ctx, ConnectProvider::Zoom, user_id).await?;
            worker::console_log!("zoom webhook: deauthorization dropped {dropped} connection(s)");
            Ok(Response::from_json(&serde_json::json!({ "ok": true }))?)
        }
        _ => Ok(Response::from_json(
            &serde_json::json!({ "ok": true, "ignored": true }),
        )?),
    }
}
