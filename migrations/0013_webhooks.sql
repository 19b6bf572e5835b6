-- Outgoing webhooks (issue 21).
--
-- 1. The endpoints a host configured: for all their event types or one (`event_type_id`), the
--    events it receives (names separated by commas, checked by `core::webhooks::EventSet`),
--    and whether payloads carry the invitee's personal data. The signing secret is stored only
--    sealed (AES-256-GCM under the instance key, bound to the host and endpoint, as refresh
--    tokens are in KV), so D1 alone cannot sign; a rotation keeps the previous one, which still
--    signs until `previous_secret_until`. The hourly key rotation re-seals both.
--    `failing_since` is the first failed attempt since the last success; `disabled_at` is set,
--    in the batch that queues the host's one email about it, after three days of failures or
--    a 410 Gone.
CREATE TABLE webhook_endpoints (
    id                    TEXT PRIMARY KEY,
    host_id               TEXT NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
    event_type_id         TEXT REFERENCES event_types(id) ON DELETE CASCADE,
    url                   TEXT NOT NULL CHECK (length(url) BETWEEN 8 AND 2000),
    events                TEXT NOT NULL CHECK (length(events) > 0),
    include_personal      INTEGER NOT NULL DEFAULT 0 CHECK (include_personal IN (0, 1)),
    secret_sealed         TEXT NOT NULL CHECK (secret_sealed LIKE 'v1.%'),
    previous_secret_sealed TEXT CHECK (previous_secret_sealed LIKE 'v1.%'),
    previous_secret_until INTEGER,
    failing_since         INTEGER,
    disabled_at           INTEGER,
    created_at            INTEGER NOT NULL
);

CREATE INDEX webhook_endpoints_by_host ON webhook_endpoints (host_id);

-- 2. One row per webhook to send: queued in the batch of the booking change it reports, at
--    most once per endpoint, booking and event. Its id is the `webhook-id` every attempt sends.
--    It holds no personal data: the body is built from the booking when it is sent. What an
--    attempt did is kept as status and time only (`last_status` 0: no answer), the endpoint's
--    delivery log. `next_attempt_at` is NULL once delivered or given up; a sender claims a row
--    by pushing it forward (a lease), as in the email outbox.
CREATE TABLE webhook_deliveries (
    id               TEXT PRIMARY KEY,
    endpoint_id      TEXT NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
    booking_id       TEXT NOT NULL REFERENCES bookings(id) ON DELETE CASCADE,
    event            TEXT NOT NULL
        CHECK (event IN ('booking.created', 'booking.rescheduled', 'booking.cancelled')),
    occurred_at      INTEGER NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at  INTEGER,
    last_attempt_at  INTEGER,
    last_status      INTEGER,
    delivered_at     INTEGER,
    UNIQUE (endpoint_id, booking_id, event)
);

CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
    WHERE next_attempt_at IS NOT NULL;
CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, occurred_at);
CREATE INDEX webhook_deliveries_by_booking ON webhook_deliveries (booking_id);

-- 3. The host's email about a disabled endpoint goes through the notice outbox, whose kinds
--    are a CHECK: SQLite cannot change one in place, so the table is rebuilt with every row.
CREATE TABLE notice_outbox_next (
    id               TEXT PRIMARY KEY,
    host_id          TEXT REFERENCES hosts(id) ON DELETE CASCADE,
    kind             TEXT NOT NULL CHECK (kind IN
        ('deletion_link', 'erasure_link', 'deletion_cancellation', 'deletion_notice', 'erasure_notice',
         'connection_broken', 'webhook_disabled')),
    payload          TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at  INTEGER NOT NULL,
    last_error       TEXT CHECK (length(last_error) <= 200),
    created_at       INTEGER NOT NULL
);

INSERT INTO notice_outbox_next
SELECT id, host_id, kind, payload, attempts, next_attempt_at, last_error, created_at FROM notice_outbox;

DROP TABLE notice_outbox;
ALTER TABLE notice_outbox_next RENAME TO notice_outbox;
CREATE INDEX notice_outbox_due ON notice_outbox (next_attempt_at);
