-- The provider registry (issue 17): which calendar, meeting and connection providers exist is
-- written down once, in `src/providers/registry.rs`, and every stored name is parsed against it
-- when a row is read (an unknown name is an error there, never a call to another provider).
-- The vendor lists that CHECK constraints kept until now would have needed a table rebuild for
-- every new provider; they are replaced by a shape check (a short lowercase name) that holds
-- for any provider. Statuses and states keep their lists: they are ours, not vendors'.

-- event_types is referenced by bookings and webhook_endpoints with ON DELETE CASCADE, and a
-- DROP TABLE under enforced foreign keys (always on in D1) deletes through those cascades; so
-- this table is not rebuilt. Its column-level CHECK goes with the column instead (SQLite's
-- ALTER TABLE: a column may be dropped together with a CHECK that belongs to it).
ALTER TABLE event_types ADD COLUMN location_kind_open TEXT NOT NULL DEFAULT 'none'
    CHECK (length(location_kind_open) BETWEEN 1 AND 40 AND location_kind_open NOT GLOB '*[^a-z_]*');
UPDATE event_types SET location_kind_open = location_kind;
ALTER TABLE event_types DROP COLUMN location_kind;
ALTER TABLE event_types RENAME COLUMN location_kind_open TO location_kind;

-- connections, connect_states and booking_calendar are leaves (no table references them), so
-- they are rebuilt with the same columns, rows and indexes, their vendor lists replaced. The
-- rule that only a calendar receives events is the registry's (`Capabilities::calendar`).
CREATE TABLE connections_new (
    host_id            TEXT NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
    provider           TEXT NOT NULL
        CHECK (length(provider) BETWEEN 1 AND 40 AND provider NOT GLOB '*[^a-z_]*'),
    account_id         TEXT NOT NULL CHECK (length(account_id) BETWEEN 1 AND 255),
    account_email      TEXT NOT NULL CHECK (length(account_email) BETWEEN 3 AND 254),
    status             TEXT NOT NULL DEFAULT 'working' CHECK (status IN ('working', 'needs_reconnect')),
    checked_calendars  TEXT NOT NULL DEFAULT '["primary"]' CHECK (length(checked_calendars) <= 4000),
    blocking_show_as   TEXT NOT NULL DEFAULT 'busy,tentative,oof,workingElsewhere'
        CHECK (length(blocking_show_as) <= 100),
    when_unreadable    TEXT NOT NULL DEFAULT 'stop' CHECK (when_unreadable IN ('stop', 'ignore')),
    send_updates       INTEGER NOT NULL DEFAULT 0 CHECK (send_updates IN (0, 1)),
    receives_events    INTEGER NOT NULL DEFAULT 0 CHECK (receives_events IN (0, 1)),
    token_generation   INTEGER NOT NULL DEFAULT 0,
    refresh_lease_until INTEGER,
    connected_at       INTEGER NOT NULL,
    broken_reason      TEXT CHECK (broken_reason IN ('grant_refused', 'permission_missing', 'not_answering')),
    broken_since       INTEGER,
    host_told_at       INTEGER,
    last_checked_at    INTEGER,
    key_id             TEXT
        CHECK (key_id IS NULL OR (length(key_id) BETWEEN 1 AND 64 AND key_id NOT GLOB '*[^0-9a-z]*')),
    account_sealed     TEXT CHECK (account_sealed IS NULL OR length(account_sealed) BETWEEN 1 AND 2000),
    calendars_sealed   TEXT CHECK (calendars_sealed IS NULL OR length(calendars_sealed) BETWEEN 1 AND 16000),
    PRIMARY KEY (host_id, provider)
);
INSERT INTO connections_new (host_id, provider, account_id, account_email, status,
                             checked_calendars, blocking_show_as, when_unreadable, send_updates,
                             receives_events, token_generation, refresh_lease_until, connected_at,
                             broken_reason, broken_since, host_told_at, last_checked_at, key_id,
                             account_sealed, calendars_sealed)
SELECT host_id, provider, account_id, account_email, status, checked_calendars, blocking_show_as,
       when_unreadable, send_updates, receives_events, token_generation, refresh_lease_until,
       connected_at, broken_reason, broken_since, host_told_at, last_checked_at, key_id,
       account_sealed, calendars_sealed
FROM connections;
DROP TABLE connections;
ALTER TABLE connections_new RENAME TO connections;
CREATE INDEX connections_by_account ON connections (provider, account_id);

CREATE TABLE connect_states_new (
    state_hash     TEXT PRIMARY KEY CHECK (length(state_hash) = 64),
    host_id        TEXT NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
    provider       TEXT NOT NULL
        CHECK (length(provider) BETWEEN 1 AND 40 AND provider NOT GLOB '*[^a-z_]*'),
    pkce_verifier  TEXT NOT NULL CHECK (length(pkce_verifier) BETWEEN 43 AND 128),
    browser_hash   TEXT NOT NULL CHECK (length(browser_hash) = 64),
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL
);
INSERT INTO connect_states_new (state_hash, host_id, provider, pkce_verifier, browser_hash,
                                created_at, expires_at)
SELECT state_hash, host_id, provider, pkce_verifier, browser_hash, created_at, expires_at
FROM connect_states;
DROP TABLE connect_states;
ALTER TABLE connect_states_new RENAME TO connect_states;
CREATE INDEX connect_states_by_expiry ON connect_states (expires_at);

CREATE TABLE booking_calendar_new (
    booking_id         TEXT PRIMARY KEY REFERENCES bookings(id) ON DELETE CASCADE,
    host_id            TEXT NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
    calendar_provider  TEXT
        CHECK (length(calendar_provider) BETWEEN 1 AND 40 AND calendar_provider NOT GLOB '*[^a-z_]*'),
    conference         TEXT NOT NULL
        CHECK (length(conference) BETWEEN 1 AND 40 AND conference NOT GLOB '*[^a-z_]*'),
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
