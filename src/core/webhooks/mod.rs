//! Outgoing webhooks, decided purely: which events a host may subscribe to, which addresses a
//! webhook may be sent to (the SSRF guard), what a receiver gets (payload minimisation), and
//! when a failed delivery is tried again. Signing is `crypto::standard_webhooks`; queueing,
//! sending and recording live in the store and `webhooks/`.

pub mod endpoint;
pub mod event;
pub mod payload;
pub mod retry;
pub mod target;

pub use endpoint::{EndpointInput, EndpointSettings};
pub use event::{EventSet, WebhookEvent};
pub use payload::{BookingFacts, Invitee};
pub use retry::{after_failure, AfterFailure, DISABLE_AFTER_FAILING_FOR};
pub use target::WebhookUrl;
