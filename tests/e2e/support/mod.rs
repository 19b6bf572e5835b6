//! The harness: starts the fakes and one workerd for the whole suite, seeds hosts, talks HTTP.

pub mod browser;
pub mod http;
pub mod kv;
pub mod log_scan;
pub mod mail;
pub mod other_worker;
pub mod receiver;
pub mod residue;
pub mod sealed;
pub mod seed;
pub mod world;

pub use seed::{EventSeed, HostSeed, SeededHost};
pub use world::world;
