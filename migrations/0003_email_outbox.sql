-- The email outbox: every email Openslot sends is first a row here, written in the same D1
-- batch (one transaction) as the booking change it reports, then delivered after the response
-- and retried by the cron trigger. So a booking is never lost to a failing email API and an
-- email is never lost to a crash between "booked" and "sent".
--
-- The row id doubles as the email API's Idempotency-Key: a retry after an ambiguous failure
-- (timeout, 5xx after acceptance) is not delivered twice.
--
-- Privacy: `payload` (the rendered message: address, names, note, times) exists only while the
-- email is waiting. It is set to NULL the moment the email is sent or given up on; what stays is
-- the kind, a SHA-256 of the recipient address, the attempt count and the timestamps.
CREATE TABLE email_outbox (
    id                TEXT PRIMARY KEY,
    booking_id        TEXT NOT NULL REFERENCES bookings(id) ON DELETE CASCADE,
    kind              TEXT NOT NULL CHECK (kind IN
        ('invitee_confirmation', 'host_notification', 'invitee_cancellation', 'host_cancellation')),
    -- SHA-256 (hex) of the lower-cased recipient address: enough to answer "did we email X?".
    recipient_hash    TEXT NOT NULL CHECK (length(recipient_hash) = 64),
    -- JSON of the rendered message; NULL once sent or given up.
    payload           TEXT,
    attempts          INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    -- Unix seconds; a sender claims a row by pushing this forward (a lease), see store/outbox.rs.
    next_attempt_at   INTEGER NOT NULL,
    sent_at           INTEGER,
    -- Set when delivery was given up (a permanent refusal, or too many attempts).
    failed_at         INTEGER,
    -- The last failure as status and error name only: never an address or message text.
    last_error        TEXT CHECK (length(last_error) <= 200),
    created_at        INTEGER NOT NULL,
    -- One email of each kind per booking: a second cancellation cannot queue a second email.
    CONSTRAINT email_outbox_booking_kind_unique UNIQUE (booking_id, kind),
    CHECK (payload IS NOT NULL OR sent_at IS NOT NULL OR failed_at IS NOT NULL)
);

-- What the sender scans: rows still waiting, by when they are due.
CREATE INDEX email_outbox_due ON email_outbox (next_attempt_at)
    WHERE sent_at IS NULL AND failed_at IS NULL;
