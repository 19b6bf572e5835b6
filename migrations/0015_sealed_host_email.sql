-- Crypto-shredding (issue 13), step three: a host's own address is kept only in
-- `email_sealed`, sealed under the host's data key and bound to the host's id. `email` keeps its
-- UNIQUE constraint (rebuilding `hosts`, which every other table references, is not worth it)
-- and holds a stand-in instead of the address: the address's blind index at the reserved
-- domain `sealed.invalid` (RFC 2606), which `host_identities.email` holds too. Hosts written
-- before are sealed by the scheduled run (src/store/sealed_host_email.rs). Forward-only.
ALTER TABLE hosts ADD COLUMN email_sealed TEXT
    CHECK (email_sealed IS NULL OR length(email_sealed) BETWEEN 1 AND 2000);
