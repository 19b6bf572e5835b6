-- Crypto-shredding (issue 13), step one: each host gets a data key, created where it is first
-- needed and kept only in the KV namespace `TOKENS` (sealed with the instance key) under
-- `host/{host_id}/keys/`. D1 records which key is the host's, so every Worker location agrees
-- on it even while KV (eventually consistent) has not shown the key there yet
-- (src/store/keys.rs). Forward-only.
ALTER TABLE hosts ADD COLUMN data_key_id TEXT
    CHECK (data_key_id IS NULL OR (length(data_key_id) BETWEEN 1 AND 64 AND data_key_id NOT GLOB '*[^0-9a-z]*'));

-- Step two: a booking's invitee (name, address, time zone, note, answers) is kept only in
-- `invitee_sealed`, one JSON value sealed under the host's data key (`s1.{key}.{…}`, bound to
-- the booking's id); the plaintext columns stay blank ('', 'UTC', '[]') for rows written from
-- now on, and rows written before are sealed by the scheduled run (src/store/sealing.rs).
-- `invitee_email_index` is the blind index (HMAC-SHA256 under a key derived from the instance
-- secret) that erasure and access requests find an invitee's bookings by.
ALTER TABLE bookings ADD COLUMN invitee_sealed TEXT CHECK (invitee_sealed IS NULL OR length(invitee_sealed) <= 20000);
ALTER TABLE bookings ADD COLUMN invitee_email_index TEXT CHECK (invitee_email_index IS NULL OR length(invitee_email_index) = 64);
CREATE INDEX bookings_by_invitee_email_index ON bookings (invitee_email_index) WHERE invitee_email_index IS NOT NULL;
