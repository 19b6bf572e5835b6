-- The language the invitee booked in (issue 6): their confirmation, cancellation, reschedule
-- and reminder emails, and the invitations in them, are written in it. Bookings made before
-- this migration were booked with English emails, so they keep English.
ALTER TABLE bookings ADD COLUMN lang TEXT NOT NULL DEFAULT 'en' CHECK (lang IN ('en', 'de'));
