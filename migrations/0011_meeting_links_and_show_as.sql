-- Calendars as the providers behave (issue 14).
--
-- 1. The outbox learns one more kind: the invitee gets the Meet or Teams link the provider
--    made after they booked (Google answers `pending`, Graph `onlineMeeting: null`, and the
--    link comes later). SQLite cannot change a CHECK in place, so the table is rebuilt with
--    the same columns, rows and constraints as in 0006, plus the new kind.
CREATE TABLE email_outbox_new (
    id                TEXT PRIMARY KEY,
    booking_id        TEXT NOT NULL REFERENCES bookings(id) ON DELETE CASCADE,
    kind              TEXT NOT NULL CHECK (kind IN
        ('invitee_confirmation', 'host_notification', 'invitee_cancellation', 'host_cancellation',
         'invitee_reschedule', 'host_reschedule', 'invitee_reminder', 'host_reminder',
         'host_calendar_failure', 'invitee_meeting_link')),
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

-- 2. Outlook's `showAs: unknown` blocks a slot, as the Rust default always said
--    (`BlockingShowAs::default`): the column default of 0006 left it out, so every stored
--    Microsoft connection counted `unknown` as free. New rows now get the list from Rust;
--    existing ones gain `unknown` (a host never chose it off: the dashboard never offered it).
UPDATE connections SET blocking_show_as =
    CASE WHEN blocking_show_as = '' THEN 'unknown' ELSE blocking_show_as || ',unknown' END
WHERE (',' || blocking_show_as || ',') NOT LIKE '%,unknown,%';
