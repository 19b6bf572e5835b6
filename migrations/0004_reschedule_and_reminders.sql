-- Rescheduling and reminders (issue 6).
--
-- A reschedule cancels the old booking and confirms a new one in one D1 batch; the two rows
-- point at each other (`rescheduled_to` on the old, `rescheduled_from` on the new), and the new
-- one keeps the old one's `calendar_uid` with `sequence` one higher, so a chain of reschedules
-- stays one entry in the invitee's and host's calendars (iTIP REQUEST, same UID, higher SEQUENCE).
--
-- `reminder_sent_at` is set by the one conditional UPDATE that claims a booking's reminder
-- (`... WHERE reminder_sent_at IS NULL`), in the same batch that queues the reminder emails;
-- together with the outbox's UNIQUE (booking_id, kind) a reminder goes out at most once, even
-- when cron runs overlap.

ALTER TABLE bookings ADD COLUMN calendar_uid TEXT;
ALTER TABLE bookings ADD COLUMN sequence INTEGER NOT NULL DEFAULT 0 CHECK (sequence >= 0);
ALTER TABLE bookings ADD COLUMN rescheduled_from TEXT REFERENCES bookings(id) ON DELETE SET NULL;
ALTER TABLE bookings ADD COLUMN rescheduled_to TEXT REFERENCES bookings(id) ON DELETE SET NULL;
ALTER TABLE bookings ADD COLUMN reminder_sent_at INTEGER;

-- Bookings made before this migration keep the UID their invitations already carry.
UPDATE bookings SET calendar_uid = id || '@openslot' WHERE calendar_uid IS NULL;

-- What the reminder scan reads: confirmed bookings still waiting for their reminder, by start.
CREATE INDEX bookings_awaiting_reminder ON bookings (start_at)
    WHERE status = 'confirmed' AND reminder_sent_at IS NULL;

-- The outbox learns four new kinds of email. SQLite cannot change a CHECK in place, so the
-- table is rebuilt with the same columns, rows and constraints (nothing references it).
CREATE TABLE email_outbox_new (
    id                TEXT PRIMARY KEY,
    booking_id        TEXT NOT NULL REFERENCES bookings(id) ON DELETE CASCADE,
    kind              TEXT NOT NULL CHECK (kind IN
        ('invitee_confirmation', 'host_notification', 'invitee_cancellation', 'host_cancellation',
         'invitee_reschedule', 'host_reschedule', 'invitee_reminder', 'host_reminder')),
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
