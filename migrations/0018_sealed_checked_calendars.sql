-- Crypto-shredding (issue 13): the ids of the calendars a connection checks (a Google
-- calendar's id can be an address) are kept in `calendars_sealed`, sealed under the
-- connection's key (src/store/sealed_account.rs); `checked_calendars` then holds '[]'.
-- Connections from before are sealed by the scheduled run with their account.
ALTER TABLE connections ADD COLUMN calendars_sealed TEXT
    CHECK (calendars_sealed IS NULL OR length(calendars_sealed) BETWEEN 1 AND 16000);
