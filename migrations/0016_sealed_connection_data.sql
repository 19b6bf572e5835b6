-- Crypto-shredding (issue 13), step four: what a connected account brings is kept where its
-- deletion reaches every copy. Each connection gets a key of its own in KV beside its tokens
-- (`key_id` names it) and deleted with them on disconnect or deauthorization; the account's
-- address is kept only in `account_sealed`, sealed under that key. `account_email` holds a
-- fixed stand-in and `account_id` the id's blind index (HMAC-SHA256), which is what Zoom's
-- webhooks find the connection by (the index `connections_by_account` serves both).
-- Connections made before are sealed by the scheduled run (src/store/sealed_account.rs).
ALTER TABLE connections ADD COLUMN key_id TEXT
    CHECK (key_id IS NULL OR (length(key_id) BETWEEN 1 AND 64 AND key_id NOT GLOB '*[^0-9a-z]*'));
ALTER TABLE connections ADD COLUMN account_sealed TEXT
    CHECK (account_sealed IS NULL OR length(account_sealed) BETWEEN 1 AND 2000);

-- A booking's event id, meeting id and join link are kept sealed under the key of the
-- connection that made them (src/store/sealed_meeting.rs). A sealed value is longer than the
-- value (`s1.c-{key}.` and base64 of nonce, value and tag: 4/3 of the value plus 77
-- characters), so the length CHECKs grow to fit the longest value each provider sends (Google's
-- event ids up to 1024, Zoom's meeting ids up to 64, join links up to 2000). SQLite cannot
-- change a CHECK in place, so the table is rebuilt with the same columns, rows and indexes.
CREATE TABLE booking_calendar_new (
    booking_id         TEXT PRIMARY KEY REFERENCES bookings(id) ON DELETE CASCADE,
    host_id            TEXT NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
    calendar_provider  TEXT CHECK (calendar_provider IN ('google', 'microsoft')),
    conference         TEXT NOT NULL CHECK (conference IN ('none', 'google_meet', 'microsoft_teams', 'zoom')),
    event_id           TEXT CHECK (length(event_id) <= 1500),
    meeting_id         TEXT CHECK (length(meeting_id) <= 200),
    meeting_url        TEXT CHECK (length(meeting_url) <= 2800),
    state              TEXT NOT NULL CHECK (state IN ('pending', 'created', 'failed', 'removing', 'removed')),
    attempts           INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at    INTEGER NOT NULL,
    last_error         TEXT CHECK (length(last_error) <= 200),
    updated_at         INTEGER NOT NULL
);

INSERT INTO booking_calendar_new (booking_id, host_id, calendar_provider, conference, event_id,
                                  meeting_id, meeting_url, state, attempts, next_attempt_at,
                                  last_error, updated_at)
SELECT booking_id, host_id, calendar_provider, conference, event_id, meeting_id, meeting_url,
       state, attempts, next_attempt_at, last_error, updated_at
FROM booking_calendar;

DROP TABLE booking_calendar;
ALTER TABLE booking_calendar_new RENAME TO booking_calendar;

CREATE INDEX booking_calendar_due ON booking_calendar (next_attempt_at)
    WHERE state IN ('pending', 'removing');
CREATE INDEX booking_calendar_by_host ON booking_calendar (host_id);
