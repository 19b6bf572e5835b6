//! Outside services the Worker talks to. Each provider module is the only place that knows
//! that provider's URLs and field names; HTTP goes through one adapter over `worker::Fetch`.

pub mod calendar;
pub mod connect;
pub mod connection_key;
#[cfg(target_arch = "wasm32")]
pub mod fetch;
pub mod identity;
pub mod oauth_client;
pub mod registry;
#[cfg(test)]
pub(crate) mod test_support;
