-- Single-use booking links (issue 20): a host hands one person a link that books one meeting
-- of an event type (hidden ones too), optionally until an expiry. D1 keeps the SHA-256 of the
-- link's token only, like manage tokens; the token is derived from the link's id with the
-- instance's link key (crypto/link_token.rs), so the dashboard can show an open link again.
-- The booking statement books only while the link is open and marks it used in the same
-- batch (store/bookings.rs); deleting the event type or the host deletes its links.
CREATE TABLE single_use_links (
    id             TEXT PRIMARY KEY,
    host_id        TEXT NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
    event_type_id  TEXT NOT NULL REFERENCES event_types(id) ON DELETE CASCADE,
    token_hash     TEXT NOT NULL UNIQUE,
    expires_at     INTEGER,
    used_at        INTEGER,
    created_at     INTEGER NOT NULL
);
CREATE INDEX single_use_links_by_event_type ON single_use_links (event_type_id, created_at);
