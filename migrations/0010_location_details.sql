-- Where exactly a meeting is, for the location kinds whose place the host names (issue 5):
-- the number to call (phone), the address (in person) or the https link (custom link). Event
-- types made before this migration name none, and their pages say only the kind, as before.
ALTER TABLE event_types ADD COLUMN location_detail TEXT NOT NULL DEFAULT ''
    CHECK (length(location_detail) <= 500);
