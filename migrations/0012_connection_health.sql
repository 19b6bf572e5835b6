-- Connections that never fail silently (issue 14).
--
-- 1. What broke in a connection, since when, and whether its host was told. `broken_reason`
--    is 'grant_refused' or 'permission_missing' (status is then 'needs_reconnect') or
--    'not_answering' (status stays 'working': the grant holds, the calendar did not answer).
--    `host_told_at` is set by the same batch that queues the host's one email about it, and
--    cleared when the connection is mended. `last_checked_at` is the scheduled health check's.
ALTER TABLE connections ADD COLUMN broken_reason TEXT
    CHECK (broken_reason IN ('grant_refused', 'permission_missing', 'not_answering'));
ALTER TABLE connections ADD COLUMN broken_since INTEGER;
ALTER TABLE connections ADD COLUMN host_told_at INTEGER;
ALTER TABLE connections ADD COLUMN last_checked_at INTEGER;

-- Connections already waiting for a reconnect were refused their grant; their hosts were
-- never emailed, so `host_told_at` stays empty and the next health check tells them.
UPDATE connections
SET broken_reason = 'grant_refused', broken_since = CAST(strftime('%s', 'now') AS INTEGER)
WHERE status = 'needs_reconnect';

-- 2. The outbox of emails that belong to no booking: the privacy emails of 0007 and now the
--    host's notice that a connection broke. A notice about an account belongs to its host
--    (`host_id`, deleted with them); privacy emails have none, since they must outlive the
--    host they tell about. Rows are deleted once sent or given up, as before. SQLite cannot
--    change a CHECK in place, so the table is rebuilt under its new name with every row.
CREATE TABLE notice_outbox (
    id               TEXT PRIMARY KEY,
    host_id          TEXT REFERENCES hosts(id) ON DELETE CASCADE,
    kind             TEXT NOT NULL CHECK (kind IN
        ('deletion_link', 'erasure_link', 'deletion_cancellation', 'deletion_notice', 'erasure_notice',
         'connection_broken')),
    -- JSON of the rendered message.
    payload          TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    -- Unix seconds; a sender claims a row by pushing this forward (a lease), as in email_outbox.
    next_attempt_at  INTEGER NOT NULL,
    -- The last failure as status and error name only: never an address or message text.
    last_error       TEXT CHECK (length(last_error) <= 200),
    created_at       INTEGER NOT NULL
);

INSERT INTO notice_outbox (id, kind, payload, attempts, next_attempt_at, last_error, created_at)
SELECT id, kind, payload, attempts, next_attempt_at, last_error, created_at FROM privacy_outbox;

DROP TABLE privacy_outbox;

CREATE INDEX notice_outbox_due ON notice_outbox (next_attempt_at);
