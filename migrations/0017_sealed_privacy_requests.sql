-- Crypto-shredding (issue 13), step five: an invitee's erasure request keeps the address only
-- sealed, in `invitee_sealed`, under a key of the request's own in KV (deleted when the
-- erasure is done, expiring in two days in any case); `invitee_email` holds the address's
-- blind index, which open requests are counted and closed by (src/store/sealed_notice.rs).
-- Requests from before hold the address until they are used or expire (24 hours).
ALTER TABLE privacy_requests ADD COLUMN invitee_sealed TEXT
    CHECK (invitee_sealed IS NULL OR length(invitee_sealed) BETWEEN 1 AND 1000);
