-- Approval that holds the slot (issue 19). An event type with `approval_hours` set takes
-- requests, not bookings: the host has that many hours to approve or decline each one.
-- NULL (every event type before this migration): bookings are confirmed at once.
ALTER TABLE event_types ADD COLUMN approval_hours INTEGER
    CHECK (approval_hours BETWEEN 1 AND 720);

-- A request is a booking row like any other (`status = 'confirmed'`), so the one booking
-- statement's overlap check and limits count it and nobody else can take its time, with
-- `awaiting_approval_until` set: the instant its hold ends unless the host approves it first
-- (the earlier of the host's deadline and the meeting's start). Approving clears it; declining,
-- or the cron finding it past that instant, cancels the row (`status = 'cancelled'`) and says
-- why in `request_outcome`. The store reads the pair as one status (`core::booking_status`).
ALTER TABLE bookings ADD COLUMN awaiting_approval_until INTEGER;
ALTER TABLE bookings ADD COLUMN request_outcome TEXT
    CHECK (request_outcome IN ('declined', 'expired'));

-- The cron's sweep of requests whose hold ran out.
CREATE INDEX bookings_awaiting_approval ON bookings (awaiting_approval_until)
    WHERE awaiting_approval_until IS NOT NULL AND status = 'confirmed';

-- Three emails are new: the invitee's "request sent", the host's "approve or decline", and
-- the invitee's "declined or expired". The outbox's kinds are a CHECK, so the table is rebuilt
-- as in 0028 (nothing references it).
CREATE TABLE email_outbox_new (
    id                TEXT PRIMARY KEY,
    booking_id        TEXT NOT NULL REFERENCES bookings(id) ON DELETE CASCADE,
    kind              TEXT NOT NULL CHECK (kind IN
        ('invitee_confirmation', 'host_notification', 'invitee_cancellation', 'host_cancellation',
         'invitee_reschedule', 'host_reschedule', 'invitee_reminder', 'host_reminder',
         'host_calendar_failure', 'invitee_meeting_link', 'invitee_request', 'host_request',
         'invitee_request_closed')),
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
SELECT id, booking_id, kind, lead_minutes, recipient_hash, payload, attempts, next_attempt_at,
       sent_at, failed_at, last_error, created_at
FROM email_outbox;

DROP TABLE email_outbox;
ALTER TABLE email_outbox_new RENAME TO email_outbox;

CREATE INDEX email_outbox_due ON email_outbox (next_attempt_at)
    WHERE sent_at IS NULL AND failed_at IS NULL;
