-- The host's own paragraph in the invitee's confirmation email, per event type (issue 20): a
-- JSON object of language code to text (`core::host_message`), '{}' for none.
ALTER TABLE event_types ADD COLUMN confirmation_message TEXT NOT NULL DEFAULT '{}';
