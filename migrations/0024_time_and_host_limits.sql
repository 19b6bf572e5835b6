-- More scheduling limits (issue 19): an event type may cap the minutes of its meetings per
-- local day, and a host may cap their bookings of every event type per day and per week (the
-- week from `hosts.week_start`). NULL: no limit. The booking statement enforces each limit
-- atomically with the others (store/bookings.rs, `slot_is_free!`); counting the host's
-- bookings uses the existing index bookings_by_host_and_start.
ALTER TABLE event_types ADD COLUMN max_booked_minutes_per_day INTEGER
    CHECK (max_booked_minutes_per_day IS NULL OR max_booked_minutes_per_day >= 1);
ALTER TABLE hosts ADD COLUMN max_bookings_per_day INTEGER
    CHECK (max_bookings_per_day IS NULL OR max_bookings_per_day >= 1);
ALTER TABLE hosts ADD COLUMN max_bookings_per_week INTEGER
    CHECK (max_bookings_per_week IS NULL OR max_bookings_per_week >= 1);
