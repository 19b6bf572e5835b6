//! Openslot: a self-hosted meeting booking service that runs as one Cloudflare Worker.
//!
//! `core` is the pure domain (no I/O, no clock, no `worker`) and builds natively; the
//! Worker shell (`http`, `store`, ...) only exists on wasm32.

pub mod core;
