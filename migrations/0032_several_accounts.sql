-- Several accounts per provider (issue 14): a host may connect a work and a personal Google
-- account side by side. A connection is now keyed by its name (`connection`): the provider's
-- own name for the first account (so every existing row, its KV tokens and its sealed values
-- keep their names), then `google-2`, `google-3` … (`providers::connection_key`). The CHECK
-- ties the name to the provider, so a row can never name one provider and be another.
--
-- connections is a leaf (no table references it), so it is rebuilt with the same columns and
-- rows, the new name first in its key.
CREATE TABLE connections_new (
    host_id            TEXT NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
    connection         TEXT NOT NULL,
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
    CHECK (connection = provider OR connection GLOB provider || '-[2-5]'),
    PRIMARY KEY (host_id, connection)
);
INSERT INTO connections_new (host_id, connection, provider, account_id, account_email, status,
                             checked_calendars, blocking_show_as, when_unreadable, send_updates,
                             receives_events, token_generation, refresh_lease_until, connected_at,
                             broken_reason, broken_since, host_told_at, last_checked_at, key_id,
                             account_sealed, calendars_sealed)
SELECT host_id, provider, provider, account_id, account_email, status, checked_calendars,
       blocking_show_as, when_unreadable, send_updates, receives_events, token_generation,
       refresh_lease_until, connected_at, broken_reason, broken_since, host_told_at,
       last_checked_at, key_id, account_sealed, calendars_sealed
FROM connections;
DROP TABLE connections;
ALTER TABLE connections_new RENAME TO connections;
CREATE INDEX connections_by_account ON connections (provider, account_id);

-- Which connection a booking's event went to, so a move or a cancel reaches that account even
-- when the host has several at the provider; every existing event went to the first account.
ALTER TABLE booking_calendar ADD COLUMN calendar_connection TEXT
    CHECK (calendar_connection IS NULL OR (length(calendar_connection) BETWEEN 1 AND 42
        AND calendar_connection NOT GLOB '*[^a-z_0-9-]*'));
UPDATE booking_calendar SET calendar_connection = calendar_provider;
