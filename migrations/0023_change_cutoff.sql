-- Cut-offs (issue 19): an event type may close invitees' own changes (cancel, reschedule from
-- the manage link) this many minutes before the start; 0 keeps them open until the start. The
-- host can always cancel. The cancel and reschedule statements read it themselves, so the
-- rule holds atomically (store/bookings.rs).
ALTER TABLE event_types ADD COLUMN change_cutoff_minutes INTEGER NOT NULL DEFAULT 0
    CHECK (change_cutoff_minutes BETWEEN 0 AND 10080);
