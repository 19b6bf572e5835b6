-- Openslot's first schema: hosts, their event types, weekly hours and date overrides, and bookings.
-- Instants are whole Unix seconds (UTC); local wall-clock times are minutes of the day (0..1440).
-- D1 enforces foreign keys; deleting a host cascades to everything of theirs.

CREATE TABLE hosts (
    id                  TEXT PRIMARY KEY,
    slug                TEXT NOT NULL UNIQUE CHECK (length(slug) BETWEEN 1 AND 64),
    name                TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    email               TEXT NOT NULL UNIQUE CHECK (length(email) BETWEEN 3 AND 254),
    time_zone           TEXT NOT NULL,
    schedule_time_zone  TEXT NOT NULL,
    created_at          INTEGER NOT NULL
);

CREATE TABLE event_types (
    id                      TEXT PRIMARY KEY,
    host_id                 TEXT NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
    slug                    TEXT NOT NULL CHECK (length(slug) BETWEEN 1 AND 64),
    title                   TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 120),
    description             TEXT NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
    duration_minutes        INTEGER NOT NULL CHECK (duration_minutes BETWEEN 1 AND 720),
    slot_interval_minutes   INTEGER CHECK (slot_interval_minutes BETWEEN 1 AND 720),
    buffer_before_minutes   INTEGER NOT NULL DEFAULT 0 CHECK (buffer_before_minutes BETWEEN 0 AND 720),
    buffer_after_minutes    INTEGER NOT NULL DEFAULT 0 CHECK (buffer_after_minutes BETWEEN 0 AND 720),
    minimum_notice_minutes  INTEGER NOT NULL DEFAULT 0 CHECK (minimum_notice_minutes BETWEEN 0 AND 525600),
    booking_window_days     INTEGER NOT NULL DEFAULT 60 CHECK (booking_window_days BETWEEN 1 AND 365),
    max_bookings_per_day    INTEGER CHECK (max_bookings_per_day >= 1),
    location_kind           TEXT NOT NULL DEFAULT 'none'
        CHECK (location_kind IN ('none', 'google_meet', 'microsoft_teams', 'zoom', 'phone', 'in_person', 'custom_link')),
    hidden                  INTEGER NOT NULL DEFAULT 0 CHECK (hidden IN (0, 1)),
    created_at              INTEGER NOT NULL,
    CONSTRAINT event_types_host_slug_unique UNIQUE (host_id, slug)
);

-- Weekly working hours in the host's schedule zone; weekday 0 = Monday.
CREATE TABLE weekly_hours (
    host_id       TEXT NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
    weekday       INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    start_minute  INTEGER NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
    end_minute    INTEGER NOT NULL CHECK (end_minute BETWEEN 1 AND 1440),
    CHECK (end_minute > start_minute),
    PRIMARY KEY (host_id, weekday, start_minute)
);

-- A date override replaces that local date's weekly hours; an override with no ranges is a day off.
CREATE TABLE date_overrides (
    host_id     TEXT NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
    local_date  TEXT NOT NULL CHECK (length(local_date) = 10),
    PRIMARY KEY (host_id, local_date)
);

CREATE TABLE date_override_ranges (
    host_id       TEXT NOT NULL,
    local_date    TEXT NOT NULL,
    start_minute  INTEGER NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
    end_minute    INTEGER NOT NULL CHECK (end_minute BETWEEN 1 AND 1440),
    CHECK (end_minute > start_minute),
    PRIMARY KEY (host_id, local_date, start_minute),
    FOREIGN KEY (host_id, local_date) REFERENCES date_overrides(host_id, local_date) ON DELETE CASCADE
);

CREATE TABLE bookings (
    id                  TEXT PRIMARY KEY,
    host_id             TEXT NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
    event_type_id       TEXT NOT NULL REFERENCES event_types(id) ON DELETE CASCADE,
    start_at            INTEGER NOT NULL,
    end_at              INTEGER NOT NULL,
    status              TEXT NOT NULL DEFAULT 'confirmed' CHECK (status IN ('confirmed', 'cancelled')),
    invitee_name        TEXT NOT NULL CHECK (length(invitee_name) <= 100),
    invitee_email       TEXT NOT NULL CHECK (length(invitee_email) <= 254),
    invitee_time_zone   TEXT NOT NULL,
    note                TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    -- SHA-256 of the invitee's manage link token; the token itself is never stored.
    manage_token_hash   TEXT NOT NULL UNIQUE,
    -- A resubmitted form or retried API call carries the same key and gets the same booking back.
    idempotency_key     TEXT NOT NULL,
    created_at          INTEGER NOT NULL,
    CHECK (end_at > start_at),
    CONSTRAINT bookings_idempotency_unique UNIQUE (host_id, idempotency_key)
);

CREATE INDEX bookings_by_host_and_start ON bookings (host_id, start_at);
CREATE INDEX bookings_by_event_type_and_start ON bookings (event_type_id, start_at);
