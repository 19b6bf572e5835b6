-- Calendars and conferencing (issue 4): which Google, Microsoft and Zoom accounts a host has
-- connected, and what each booking needs done at them.
--
-- Refresh and access tokens are NOT here: they live only in KV, encrypted (src/calendar/tokens.rs),
-- under keys that start with `host/{host_id}/`. D1 holds what the dashboard shows and the
-- bookkeeping that keeps two refreshes of one grant from racing (Zoom rotates refresh tokens).

CREATE TABLE connections (
    host_id            TEXT NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
    provider           TEXT NOT NULL CHECK (provider IN ('google', 'microsoft', 'zoom')),
    -- The provider's stable id of the account (Zoom's webhooks name users by it).
    account_id         TEXT NOT NULL CHECK (length(account_id) BETWEEN 1 AND 255),
    account_email      TEXT NOT NULL CHECK (length(account_email) BETWEEN 3 AND 254),
    -- 'needs_reconnect' once the provider refused the refresh token (invalid_grant).
    status             TEXT NOT NULL DEFAULT 'working' CHECK (status IN ('working', 'needs_reconnect')),
    -- Google: the calendar ids checked for conflicts, as a JSON array. Others: unused.
    checked_calendars  TEXT NOT NULL DEFAULT '["primary"]' CHECK (length(checked_calendars) <= 4000),
    -- Microsoft: the showAs values that block a slot, comma-separated (default: all but free).
    blocking_show_as   TEXT NOT NULL DEFAULT 'busy,tentative,oof,workingElsewhere'
        CHECK (length(blocking_show_as) <= 100),
    -- When busy times cannot be read: 'stop' offering slots (default), or 'ignore' this calendar.
    when_unreadable    TEXT NOT NULL DEFAULT 'stop' CHECK (when_unreadable IN ('stop', 'ignore')),
    -- Google: whether Google also emails the invitee about the event (`sendUpdates=all`);
    -- off by default, since Openslot sends its own invitation.
    send_updates       INTEGER NOT NULL DEFAULT 0 CHECK (send_updates IN (0, 1)),
    -- The one calendar of the host that receives new events (Google or Microsoft only).
    receives_events    INTEGER NOT NULL DEFAULT 0 CHECK (receives_events IN (0, 1)),
    -- Bumped each time a new refresh token is stored; a refresh holds the lease while it runs.
    token_generation   INTEGER NOT NULL DEFAULT 0,
    refresh_lease_until INTEGER,
    connected_at       INTEGER NOT NULL,
    PRIMARY KEY (host_id, provider),
    CHECK (receives_events = 0 OR provider IN ('google', 'microsoft'))
);

CREATE INDEX connections_by_account ON connections (provider, account_id);

-- A connection under way: like oauth_states (single use, minutes, bound to the browser by the
-- hash of a cookie nonce), but for a signed-in host and any of the three providers.
CREATE TABLE connect_states (
    state_hash     TEXT PRIMARY KEY CHECK (length(state_hash) = 64),
    host_id        TEXT NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
    provider       TEXT NOT NULL CHECK (provider IN ('google', 'microsoft', 'zoom')),
    pkce_verifier  TEXT NOT NULL CHECK (length(pkce_verifier) BETWEEN 43 AND 128),
    browser_hash   TEXT NOT NULL CHECK (length(browser_hash) = 64),
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL
);

CREATE INDEX connect_states_by_expiry ON connect_states (expires_at);

-- What a booking has (or needs) at the providers: the calendar event and the Zoom meeting.
-- Written in the booking's own D1 batch with state 'pending', so creation can fail, be retried
-- by the cron trigger with backoff, and never be lost; the ids make retries idempotent.
CREATE TABLE booking_calendar (
    booking_id         TEXT PRIMARY KEY REFERENCES bookings(id) ON DELETE CASCADE,
    host_id            TEXT NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
    -- Where the event goes ('google' / 'microsoft'), NULL when no calendar receives events.
    calendar_provider  TEXT CHECK (calendar_provider IN ('google', 'microsoft')),
    -- The meeting link asked for by the event type.
    conference         TEXT NOT NULL CHECK (conference IN ('none', 'google_meet', 'microsoft_teams', 'zoom')),
    event_id           TEXT CHECK (length(event_id) <= 1024),
    meeting_id         TEXT CHECK (length(meeting_id) <= 64),
    meeting_url        TEXT CHECK (length(meeting_url) <= 2000),
    -- pending: to create · created · failed: given up (host told) · removing: to delete · removed
    state              TEXT NOT NULL CHECK (state IN ('pending', 'created', 'failed', 'removing', 'removed')),
    attempts           INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at    INTEGER NOT NULL,
    -- The last failure as status and error name only: never a provider's message text.
    last_error         TEXT CHECK (length(last_error) <= 200),
    updated_at         INTEGER NOT NULL
);

CREATE INDEX booking_calendar_due ON booking_calendar (next_attempt_at)
    WHERE state IN ('pending', 'removing');
CREATE INDEX booking_calendar_by_host ON booking_calendar (host_id);

-- The outbox learns one more kind: the host is told when a booking's event or meeting could
-- not be created after every retry. SQLite cannot change a CHECK in place, so the table is
-- rebuilt with the same columns, rows and constraints (as in 0004).
CREATE TABLE email_outbox_new (
    id                TEXT PRIMARY KEY,
    booking_id        TEXT NOT NULL REFERENCES bookings(id) ON DELETE CASCADE,
    kind              TEXT NOT NULL CHECK (kind IN
        ('invitee_confirmation', 'host_notification', 'invitee_cancellation', 'host_cancellation',
         'invitee_reschedule', 'host_reschedule', 'invitee_reminder', 'host_reminder',
         'host_calendar_failure')),
    recipient_hash    TEXT NOT NULL CHECK (length(recipient_hash) = 64),
    payload           TEXT,
    attempts          INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at   INTEGER NOT NULL,
    sent_at           INTEGER,
    failed_at         INTEGER,
    last_error        TEXT CHECK (length(last_error) <= 200),
    created_at        INTEGER NOT NULL,
    CONSTRAINT email_outbox_booking_kind_unique UNIQUE (booking_id, kind),
    CHECK (payload IS NOT NULL OR sent_at IS NOT NULL OR failed_at IS NOT NULL)
);

INSERT INTO email_outbox_new (id, booking_id, kind, recipient_hash, payload, attempts,
                              next_attempt_at, sent_at, failed_at, last_error, created_at)
SELECT id, booking_id, kind, recipient_hash, payload, attempts,
       next_attempt_at, sent_at, failed_at, last_error, created_at
FROM email_outbox;

DROP TABLE email_outbox;
ALTER TABLE email_outbox_new RENAME TO email_outbox;

CREATE INDEX email_outbox_due ON email_outbox (next_attempt_at)
    WHERE sent_at IS NULL AND failed_at IS NULL;
