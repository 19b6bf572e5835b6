//! End-to-end tests: the real Worker on workerd (via the pinned wrangler) with local D1 and KV
//! in a fresh state directory, the provider fakes on a free port, and HTTP in between.
//! One file per feature; `support` is the harness. Run through `make test`, which builds the
//! Worker first.

mod support;

mod api_schema;
mod api_tokens;
mod approval;
mod availability_api;
mod booking_form;
mod bookings_api;
mod caldav;
mod calendars;
mod cancel;
mod cloudflare_email;
mod connection_health;
mod connections;
mod connections_api;
mod cron_turns;
mod cutoffs;
mod dashboard_availability;
mod dashboard_bookings;
mod dashboard_event_types;
mod emails;
mod event_calendar;
mod event_type_reminders;
mod host_api;
mod host_bookings_api;
mod hostile_input;
mod i18n_emails;
mod i18n_pages;
mod invitee_page;
mod key_rotation;
mod limits;
mod locations;
mod migrations;
mod named_schedules;
mod onboarding;
mod openapi_in_step;
mod pages_and_errors;
mod privacy;
mod privacy_findings;
mod privacy_rights;
mod questions_and_durations;
mod rate_limits;
mod reminders;
mod reschedule;
mod residue;
mod sealed_settings;
mod setup_page;
mod several_accounts;
mod shredding;
mod sign_in;
mod single_use_links;
mod slots_api;
mod time_and_host_limits;
mod time_off;
mod typed_questions;
mod webhooks;
mod zz_log_scan;
