-- Privacy requests (issue 7): deletion of a host's account and erasure of an invitee's data,
-- each confirmed by a single-use link sent to the address on record. Forward-only.
--
-- The link's token is never stored: D1 holds its SHA-256 hash. A request is usable for 24
-- hours; it is deleted when used (a used link is simply unknown), with its host when the host
-- is deleted, and by the hourly retention job once it has expired.
CREATE TABLE privacy_requests (
    token_hash     TEXT PRIMARY KEY CHECK (length(token_hash) = 64),
    kind           TEXT NOT NULL CHECK (kind IN ('delete_host', 'erase_invitee')),
    -- delete_host: whose account goes.
    host_id        TEXT REFERENCES hosts(id) ON DELETE CASCADE,
    -- erase_invitee: the address whose bookings are erased, lower-cased. Held only while the
    -- request is open (at most 24 hours), since it is what the erasure needs to find.
    invitee_email  TEXT CHECK (length(invitee_email) BETWEEN 3 AND 254),
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    CHECK (expires_at > created_at),
    CHECK ((kind = 'delete_host' AND host_id IS NOT NULL AND invitee_email IS NULL)
        OR (kind = 'erase_invitee' AND invitee_email IS NOT NULL AND host_id IS NULL))
);

CREATE INDEX privacy_requests_by_host ON privacy_requests (host_id) WHERE host_id IS NOT NULL;
CREATE INDEX privacy_requests_by_invitee ON privacy_requests (invitee_email)
    WHERE invitee_email IS NOT NULL;
CREATE INDEX privacy_requests_by_expiry ON privacy_requests (expires_at);

-- The emails of privacy requests: confirmation links, the cancellations sent to invitees when
-- a host's account is deleted, the host's final notice, and the note a host gets when an
-- invitee's data was erased. Unlike `email_outbox`, rows belong to no booking or host (the
-- booking and host may be gone by the time the email leaves), and a row is deleted outright
-- once sent or given up: nothing of these emails stays behind.
CREATE TABLE privacy_outbox (
    id               TEXT PRIMARY KEY,
    kind             TEXT NOT NULL CHECK (kind IN
        ('deletion_link', 'erasure_link', 'deletion_cancellation', 'deletion_notice', 'erasure_notice')),
    -- JSON of the rendered message.
    payload          TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    -- Unix seconds; a sender claims a row by pushing this forward (a lease), as in email_outbox.
    next_attempt_at  INTEGER NOT NULL,
    -- The last failure as status and error name only: never an address or message text.
    last_error       TEXT CHECK (length(last_error) <= 200),
    created_at       INTEGER NOT NULL
);

CREATE INDEX privacy_outbox_due ON privacy_outbox (next_attempt_at);
