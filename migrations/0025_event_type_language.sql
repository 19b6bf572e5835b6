-- An event type may fix the language of its booking page and its invitees' emails (issue 20):
-- 'en' or 'de'; NULL follows the invitee's browser, as every type did before.
ALTER TABLE event_types ADD COLUMN lang TEXT CHECK (lang IS NULL OR lang IN ('en', 'de'));
