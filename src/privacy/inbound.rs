//! Email to the instance's privacy address (`PRIVACY_ADDRESS`, delivered by Cloudflare Email
//! Routing to the Worker's `email` handler): a request to delete the sender's host account, or
//! to erase the sender's details from bookings when the sender is not a host.
//!
//! The envelope sender can be forged, so the email itself never deletes anything: it only
//! makes us email a confirmation link to the address on record (the host's registered address,
//! or the invitee's own address when bookings hold it). A forged request therefore reaches the
//! real owner and nobody else; nothing is ever sent back to the sender as such. Logs say what
//! happened, never who asked.

use worker::{Env, ForwardableEmailMessage};

use super::{Desk, Outcome};
use crate::core::types::Email;

/// Handles one inbound email; problems are logged and the message is accepted or refused, never
/// retried (a request can simply be sent again).
pub async fn receive(message: ForwardableEmailMessage, env: Env) {
    let config = match crate::runtime::read_config(&env) {
        Ok(config) => config,
        Err(error) => return worker::console_error!("privacy email: {error}"),
    };
    let Some(privacy_address) = config.privacy_address.as_deref() else {
        message.set_reject("This address does not accept email.");
        return worker::console_warn!("privacy email refused: PRIVACY_ADDRESS is not set");
    };
    if !message.to().trim().eq_ignore_ascii_case(privacy_address) {
        message.set_reject("Unknown recipient.");
        return worker::console_warn!("privacy email refused: not addressed to PRIVACY_ADDRESS");
    }
    // Out-of-office replies and bounces are not requests, and answering them could loop.
    let automatic = message
        .headers()
        .get("Auto-Submitted")
        .ok()
        .flatten()
        .is_some_and(|value| !value.trim().eq_ignore_ascii_case("no"));
    if automatic {
        return worker::console_log!("privacy email ignored: automatic message");
    }
    let Some(origin) = config.public_base_url.as_deref() else {
        return worker::console_error!(
            "privacy email not answered: PUBLIC_BASE_URL must be set for links sent by email"
        );
    };
    let Ok(sender) = Email::parse(&message.from()) else {
        return worker::console_warn!("privacy email ignored: the sender address is unreadable");
    };
    let Some(run) = crate::runtime::open_run(&env, "privacy email") else {
        return;
    };
    let desk = Desk::of(&run, origin);
    // A host asks to delete their account; anyone else to be erased from bookings.
    let asked = match desk.ask_host_deletion(&sender).await {
        Ok(Outcome::Unknown) => desk
            .ask_invitee_erasure(&sender)
            .await
            .map(|outcome| ("erasure", outcome)),
        other => other.map(|outcome| ("deletion", outcome)),
    };
    match asked {
        Ok((kind, Outcome::LinkQueued)) => {
            worker::console_log!("privacy email: {kind} link queued for the address on record")
        }
        Ok((kind, Outcome::TooManyOpen)) => {
            worker::console_log!("privacy email: {kind} link not sent, enough links are open")
        }
        Ok((_, Outcome::Unknown)) => {
            worker::console_log!("privacy email: no host or booking for the sender, nothing sent")
        }
        Err(error) => return worker::console_error!("privacy email: {error}"),
    }
    crate::outbound::deliver_after_change(env, Some(run.store)).await;
}
