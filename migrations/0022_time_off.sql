-- Time off (issue 19): spans of time in which a host offers no event type (a holiday, a trip),
-- as UTC instants so they hold across schedules and zones, with an optional note the booking
-- page shows ("Back on 12 January") without saying why. The booking statement refuses a slot
-- that overlaps one (store/bookings.rs, `slot_is_free!`); deleting the host deletes them.
CREATE TABLE time_off (
    id          TEXT PRIMARY KEY,
    host_id     TEXT NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
    start_at    INTEGER NOT NULL,
    end_at      INTEGER NOT NULL CHECK (end_at > start_at),
    note        TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 200),
    created_at  INTEGER NOT NULL
);
CREATE INDEX time_off_by_host_and_end ON time_off (host_id, end_at);
