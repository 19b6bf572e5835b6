//! End-to-end tests: the real Worker on workerd (via the pinned wrangler) with local D1 and KV
//! in a fresh state directory, the provider fakes on a free port, and HTTP in between.
//! One file per feature; `support` is the harness. Run through `make test`, which builds the
//! Worker first.

mod support;

mod api_schema;
mod booking_form;
mod bookings_api;
mod cancel;
mod emails;
mod hostile_input;
mod pages_and_errors;
mod rate_limits;
mod reminders;
mod reschedule;
mod slots_api;
