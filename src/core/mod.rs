//! The pure domain core: no `worker`, no I/O, `now` and randomness are parameters.

pub mod availability;
pub mod booking;
pub mod booking_plan;
pub mod booking_status;
pub mod busy_cache;
pub mod calendar_settings;
pub mod calendar_work;
pub mod connection_health;
pub mod cron_plan;
pub mod display;
pub mod event_summary;
pub mod event_type;
pub mod host_limits;
pub mod ics;
pub mod lifecycle;
pub mod location;
pub mod meeting_service;
pub mod paging;
pub mod profile;
pub mod questions;
pub mod signup;
pub mod small_map;
pub mod sort;
pub mod time_off;
pub mod types;
pub mod webhooks;
