//! Cancelling by the invitee: `GET /booking/{token}/cancel` asks, `POST` cancels.
//!
//! The unguessable token in the URL is the credential, so the form needs no CSRF token; a
//! browser's `Origin` / `Sec-Fetch-Site`, when sent, must still say the post came from this
//! site. The cancellation itself is `app::cancel`.

use askama::Template;
use chrono::{DateTime, Utc};
use worker::{Request, Response};

use super::request::page_lang;
use super::request::same_origin;
use super::request::{field, form};
use crate::app::bookings::booking_by_link;
use crate::app::cancel::{cancel_and_notify, invitee_change_refused, Cancellation};
use crate::app::AppError;
use crate::app::Ctx;
use crate::core::booking_status::BookingStatus;
use crate::core::types::CancellationReason;
use crate::i18n::{span_label, Clock, Lang, Strings};
use crate::mail::render::CancelledBy;
use crate::mail::stored::zone_or_utc;
use crate::store::BookingDetailsRow;

#[derive(Template)]
#[template(path = "cancel.html")]
struct CancelPage {
    t: &'static Strings,
    title: String,
    host_name: String,
    invitee_name: String,
    when: String,
    action: String,
    back_href: String,
    reason: String,
    error: String,
    /// The heading and the button: a request waiting for the host is withdrawn, not cancelled.
    question: &'static str,
    submit: &'static str,
}

fn page(
    lang: Lang,
    booking: &BookingDetailsRow,
    token: &str,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    reason: String,
    error: String,
) -> Result<Response, AppError> {
    let t = lang.strings();
    let page = CancelPage {
        t,
        title: booking.event_title.clone(),
        host_name: booking.host_name.clone(),
        invitee_name: booking.invitee_name.clone(),
        when: span_label(
            t,
            Clock::H24,
            start,
            end,
            zone_or_utc(&booking.invitee_time_zone),
        ),
        action: format!("/booking/{token}/cancel"),
        back_href: format!("/booking/{token}"),
        reason,
        error,
        question: if booking.status == BookingStatus::Pending {
            t.withdraw_request
        } else {
            t.cancel_question
        },
        submit: if booking.status == BookingStatus::Pending {
            t.withdraw_request
        } else {
            t.cancel_submit
        },
    };
    Ok(Response::from_html(page.render()?)?)
}

fn to_booking_page(ctx: &Ctx, token: &str) -> Result<Response, AppError> {
    // Not `Response::redirect_with_status`: its headers are immutable, so the security headers
    // (framing, CSP, no-referrer) could not be added to it.
    let url = worker::Url::parse(&format!("{}/booking/{token}", ctx.origin))
        .map_err(|e| AppError::Internal(format!("booking URL: {e}")))?;
    super::session::redirect(url.as_str(), 303)
}

/// `GET /booking/{token}/cancel`: the question, or why the booking cannot be cancelled.
pub async fn form_page(ctx: &Ctx, token: &str, lang: Lang) -> Result<Response, AppError> {
    let (booking, start, end) = booking_by_link(ctx, token).await?;
    let lang = booking.event_lang.unwrap_or(lang);
    if booking.status.is_cancelled() {
        return to_booking_page(ctx, token);
    }
    if let Some(refused) = invitee_change_refused(&booking, start, ctx.now, lang) {
        return Err(refused);
    }
    page(
        lang,
        &booking,
        token,
        start,
        end,
        String::new(),
        String::new(),
    )
}

/// `POST /booking/{token}/cancel`: cancels and shows the cancelled booking.
pub async fn cancel(ctx: &Ctx, req: &mut Request, token: &str) -> Result<Response, AppError> {
    let lang = page_lang(req);
    if !same_origin(ctx, req)? {
        return Err(AppError::Forbidden(
            "This form can only be sent from this site's own cancel page.".into(),
        ));
    }
    let (booking, start, end) = booking_by_link(ctx, token).await?;
    let lang = booking.event_lang.unwrap_or(lang);
    if booking.status.is_cancelled() {
        return to_booking_page(ctx, token);
    }
    if let Some(refused) = invitee_change_refused(&booking, start, ctx.now, lang) {
        return Err(refused);
    }
    let pairs = form(req).await?;
    let raw_reason = field(&pairs, "reason").unwrap_or_default();
    let reason = match CancellationReason::parse(raw_reason) {
        Ok(reason) => reason,
        Err(error) => {
            let response = page(
                lang,
                &booking,
                token,
                start,
                end,
                raw_reason.to_owned(),
                lang.strings().field_error(&error.to_string()),
            )?;
            return Ok(response.with_status(422));
        }
    };
    // The emails are queued with a placeholder for the token: D1 never holds it.
    let manage_url = crate::mail::links::queued_manage_url(&ctx.origin);
    let cancellation = Cancellation {
        booking: &booking,
        start,
        end,
        reason: &reason,
        by: CancelledBy::Invitee,
        manage_url: &manage_url,
    };
    let cancelled = cancel_and_notify(ctx, &cancellation).await?;
    if !cancelled {
        // Someone else's request got there first, or the meeting started a moment ago.
        let (booking, start, _) = booking_by_link(ctx, token).await?;
        if let Some(refused) = (!booking.status.is_cancelled())
            .then(|| invitee_change_refused(&booking, start, ctx.now, lang))
            .flatten()
        {
            return Err(refused);
        }
    }
    to_booking_page(ctx, token)
}
