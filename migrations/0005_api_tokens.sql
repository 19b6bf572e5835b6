-- Personal API tokens (issue 5). A host creates a token in the dashboard and sees it once;
-- D1 keeps only its SHA-256 hash (like session ids), so a copy of the database authenticates
-- nobody. A revoked token keeps its row (name, dates) so the host can see what was revoked;
-- rows go with their host.
CREATE TABLE api_tokens (
    id            TEXT PRIMARY KEY CHECK (length(id) = 32),
    host_id       TEXT NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
    name          TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    token_hash    TEXT NOT NULL CHECK (length(token_hash) = 64),
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER,
    revoked_at    INTEGER,
    CONSTRAINT api_tokens_token_hash_unique UNIQUE (token_hash)
);

CREATE INDEX api_tokens_by_host ON api_tokens (host_id, created_at);
