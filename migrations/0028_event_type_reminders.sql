-- Reminders per event type (issue 20). An event type either follows the instance's reminder
-- (`REMINDER_MINUTES_BEFORE`, to the invitee and the host: `own_reminders = 0`, as every event
-- type did before) or has its own list, possibly empty (`own_reminders = 1`): up to five, each
-- a time before the meeting, to the invitee, the host or both, with an optional text of the
-- host's. A lead appears at most once per event type.
ALTER TABLE event_types ADD COLUMN own_reminders INTEGER NOT NULL DEFAULT 0
    CHECK (own_reminders IN (0, 1));

CREATE TABLE event_type_reminders (
    event_type_id   TEXT NOT NULL REFERENCES event_types(id) ON DELETE CASCADE,
    minutes_before  INTEGER NOT NULL CHECK (minutes_before BETWEEN 1 AND 43200),
    recipients      TEXT NOT NULL CHECK (recipients IN ('invitee', 'host', 'both')),
    note            TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 500),
    PRIMARY KEY (event_type_id, minutes_before)
);

-- Which reminders of a booking were claimed, by lead: the cron's claim is one
-- `INSERT … ON CONFLICT DO NOTHING` here, in the batch that queues its emails, so each
-- reminder goes out once however the runs overlap. Keyed by the lead (not a reminder's id), so
-- a host saving the same reminders again does not send them twice. A rescheduled booking is
-- a new row with its own reminders; the old row is no longer `confirmed` and gets none.
CREATE TABLE booking_reminders (
    booking_id      TEXT NOT NULL REFERENCES bookings(id) ON DELETE CASCADE,
    minutes_before  INTEGER NOT NULL,
    claimed_at      INTEGER NOT NULL,
    PRIMARY KEY (booking_id, minutes_before)
);

-- `bookings.reminder_sent_at` now means "no more reminders for this booking": an invitee's
-- erasure sets it, and so did the instance's reminder when it was sent, before this migration.

-- The outbox may now hold several reminders of one kind for a booking, one per lead: the
-- table is rebuilt (SQLite cannot change a UNIQUE in place) with `lead_minutes` (0 for every
-- email that is not a reminder) in its UNIQUE, the second lock after the claim.
CREATE TABLE email_outbox_new (
    id                TEXT PRIMARY KEY,
    booking_id        TEXT NOT NULL REFERENCES bookings(id) ON DELETE CASCADE,
    kind              TEXT NOT NULL CHECK (kind IN
        ('invitee_confirmation', 'host_notification', 'invitee_cancellation', 'host_cancellation',
         'invitee_reschedule', 'host_reschedule', 'invitee_reminder', 'host_reminder',
         'host_calendar_failure', 'invitee_meeting_link')),
    lead_minutes      INTEGER NOT NULL DEFAULT 0,
    recipient_hash    TEXT NOT NULL CHECK (length(recipient_hash) = 64),
    payload           TEXT,
    attempts          INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at   INTEGER NOT NULL,
    sent_at           INTEGER,
    failed_at         INTEGER,
    last_error        TEXT CHECK (length(last_error) <= 200),
    created_at        INTEGER NOT NULL,
    CONSTRAINT email_outbox_booking_kind_unique UNIQUE (booking_id, kind, lead_minutes),
    CHECK (payload IS NOT NULL OR sent_at IS NOT NULL OR failed_at IS NOT NULL)
);

INSERT INTO email_outbox_new (id, booking_id, kind, lead_minutes, recipient_hash, payload,
                              attempts, next_attempt_at, sent_at, failed_at, last_error,
                              created_at)
SELECT id, booking_id, kind, 0, recipient_hash, payload, attempts, next_attempt_at, sent_at, failed_at, last_error,
       created_at
FROM email_outbox;

DROP TABLE email_outbox;
ALTER TABLE email_outbox_new RENAME TO email_outbox;

CREATE INDEX email_outbox_due ON email_outbox (next_attempt_at)
    WHERE sent_at IS NULL AND failed_at IS NULL;
