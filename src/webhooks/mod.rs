//! Outgoing webhooks as the Worker sends them: the due deliveries, each signed with its
//! endpoint's secret(s) and posted, the outcome recorded, and an endpoint that keeps failing
//! disabled with one email to its host. What is decided purely lives in `core::webhooks`, the
//! signature in `crypto::standard_webhooks`, the SQL in `store/webhooks.rs`.

pub mod deliver;
pub mod manage;
pub mod rotation;
