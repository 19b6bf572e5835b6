//! The application layer: the steps of each action, in one place, for every way in.
//!
//! A booking page and the JSON API, a dashboard form and its API twin, call the same functions
//! here: each takes typed input and answers a typed outcome or an [`AppError`]. Below it are the
//! pure core, the store and the provider clients; above it only `http`, which parses requests
//! and renders answers. Nothing here imports `http`.

mod context;
mod error;

pub use context::Ctx;
pub use error::AppError;

pub mod approval;
pub mod availability;
pub mod booking;
pub mod bookings;
pub mod caldav_connection;
pub mod cancel;
pub mod connections;
pub mod event_calendar;
pub mod event_types;
pub mod onboarding;
pub mod privacy;
pub mod profile;
pub mod public_event;
pub mod reminders;
pub mod reschedule;
pub mod single_use_links;
pub mod time_off;
