-- Crypto-shredding (issue 13): what a host configured that can carry a secret or a name is
-- kept only sealed under the host's data key: a webhook endpoint's address (a receiver's URL
-- often embeds a token or a person's name) in `url_sealed`, an API token's name in
-- `name_sealed`. The old columns keep their NOT NULL and CHECK constraints by holding fixed
-- stand-ins (`https://sealed.invalid/`, RFC 2606 §2, and `sealed`). Rows from before are sealed
-- by the scheduled run (src/store/sealed_host_settings.rs). Forward-only.
ALTER TABLE webhook_endpoints ADD COLUMN url_sealed TEXT
    CHECK (url_sealed IS NULL OR length(url_sealed) BETWEEN 1 AND 4000);
ALTER TABLE api_tokens ADD COLUMN name_sealed TEXT
    CHECK (name_sealed IS NULL OR length(name_sealed) BETWEEN 1 AND 1000);
