-- Signing in: hosts sign in with Google or Microsoft (OpenID Connect). Forward-only.
-- Instants are whole Unix seconds (UTC). Secrets a browser holds (session ids, the sign-in
-- state and its browser nonce) are stored only as SHA-256 hashes.

-- Which provider accounts sign into which host. A provider's `subject` never changes for an
-- account, so (provider, subject) finds the host even after the address changes.
CREATE TABLE host_identities (
    host_id     TEXT NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
    provider    TEXT NOT NULL CHECK (provider IN ('google', 'microsoft')),
    subject     TEXT NOT NULL CHECK (length(subject) BETWEEN 1 AND 255),
    email       TEXT NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    created_at  INTEGER NOT NULL,
    CONSTRAINT host_identities_provider_subject_unique UNIQUE (provider, subject)
);

CREATE INDEX host_identities_by_host ON host_identities (host_id);

-- A signed-in browser. The cookie holds a random 256-bit id; D1 holds its hash and the
-- session's CSRF secret. Expired and revoked rows are purged at the next sign-in.
CREATE TABLE sessions (
    id_hash      TEXT PRIMARY KEY CHECK (length(id_hash) = 64),
    host_id      TEXT NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
    csrf_secret  TEXT NOT NULL CHECK (length(csrf_secret) = 64),
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    revoked_at   INTEGER,
    CHECK (expires_at > created_at)
);

CREATE INDEX sessions_by_host ON sessions (host_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

-- A sign-in under way: single use (taken with DELETE … RETURNING), ten minutes at most, and
-- bound to the browser that started it by the hash of a nonce kept in a short-lived cookie.
CREATE TABLE oauth_states (
    state_hash     TEXT PRIMARY KEY CHECK (length(state_hash) = 64),
    provider       TEXT NOT NULL CHECK (provider IN ('google', 'microsoft')),
    pkce_verifier  TEXT NOT NULL CHECK (length(pkce_verifier) BETWEEN 43 AND 128),
    browser_hash   TEXT NOT NULL CHECK (length(browser_hash) = 64),
    -- The browser's zone from the sign-in page, for a host created by this sign-in.
    time_zone      TEXT,
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL
);

CREATE INDEX oauth_states_by_expiry ON oauth_states (expires_at);
