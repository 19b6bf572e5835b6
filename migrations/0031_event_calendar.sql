-- The calendar that receives an event type's bookings (tracker issue 14): an event type may
-- name one calendar of one of the host's connections (`event_calendar_connection`, the
-- connection's name: `google`, or `google-2` for a further account, migration 0032; and
-- `event_calendar_id`); both NULL is the host's default, the
-- connection that receives events and its default calendar, as before. The id is the
-- provider's calendar id (`primary` for a connection's own default calendar), sealed under
-- the key of that connection like the checked calendars' ids (PRIVACY.md [P51]).
-- `booking_calendar.calendar_id` records the calendar a booking's event went to, sealed the
-- same way; NULL is the connection's default calendar, which keeps every existing row
-- meaning what it meant.

ALTER TABLE event_types ADD COLUMN event_calendar_connection TEXT
    CHECK (event_calendar_connection IS NULL OR (length(event_calendar_connection) BETWEEN 1 AND 40
        AND event_calendar_connection NOT GLOB '*[^a-z_0-9-]*'));
-- A column CHECK may name the other column: the two are set together or not at all.
ALTER TABLE event_types ADD COLUMN event_calendar_id TEXT
    CHECK ((event_calendar_id IS NULL) = (event_calendar_connection IS NULL)
        AND (event_calendar_id IS NULL OR length(event_calendar_id) BETWEEN 1 AND 2048));
ALTER TABLE booking_calendar ADD COLUMN calendar_id TEXT
    CHECK (calendar_id IS NULL OR length(calendar_id) BETWEEN 1 AND 2048);
