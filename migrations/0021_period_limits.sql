-- Scheduling limits (issue 19): besides the daily maximum, an event type may cap its bookings
-- per week and per calendar month, and a host chooses the weekday their weeks start on
-- (0 = Monday … 6 = Sunday, chrono's `num_days_from_monday`; Monday, ISO 8601, until chosen).
-- The booking statement enforces every cap atomically (store/bookings.rs, `slot_is_free!`);
-- counting uses the existing index bookings_by_event_type_and_start.
ALTER TABLE event_types ADD COLUMN max_bookings_per_week INTEGER
    CHECK (max_bookings_per_week IS NULL OR max_bookings_per_week >= 1);
ALTER TABLE event_types ADD COLUMN max_bookings_per_month INTEGER
    CHECK (max_bookings_per_month IS NULL OR max_bookings_per_month >= 1);
ALTER TABLE hosts ADD COLUMN week_start INTEGER NOT NULL DEFAULT 0
    CHECK (week_start BETWEEN 0 AND 6);
