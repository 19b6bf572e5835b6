-- Named schedules (issue 19): a host has several schedules ("Working hours", "Evenings"),
-- each with its own zone, weekly hours and date overrides; exactly one is the default, and
-- each event type either picks one (`event_types.schedule_id`) or follows the default (NULL).
-- Every existing host gets one default schedule, "Working hours", holding the zone, weekly
-- hours and overrides they had; `hosts.schedule_time_zone` moves into it.

CREATE TABLE schedules (
    id          TEXT PRIMARY KEY,
    host_id     TEXT NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    time_zone   TEXT NOT NULL CHECK (length(time_zone) BETWEEN 1 AND 64),
    is_default  INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
    created_at  INTEGER NOT NULL,
    CONSTRAINT schedules_host_name_unique UNIQUE (host_id, name),
    -- The target of the (schedule, host) foreign keys below: hours never hang under another
    -- host's schedule.
    UNIQUE (id, host_id)
);
-- At most one default per host (the app never leaves a host without one: the default cannot
-- be deleted, and making another the default is one batch).
CREATE UNIQUE INDEX schedules_one_default ON schedules (host_id) WHERE is_default = 1;

INSERT INTO schedules (id, host_id, name, time_zone, is_default, created_at)
SELECT lower(hex(randomblob(16))), id, 'Working hours', schedule_time_zone, 1, created_at
FROM hosts;

-- Weekly hours and date overrides are rebuilt with their schedule. Nothing references
-- weekly_hours; date_override_ranges references date_overrides, so the ranges are dropped
-- before the overrides (a DROP TABLE under enforced foreign keys deletes through cascades).
CREATE TABLE weekly_hours_new (
    host_id       TEXT NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
    schedule_id   TEXT NOT NULL,
    weekday       INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    start_minute  INTEGER NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
    end_minute    INTEGER NOT NULL CHECK (end_minute BETWEEN 1 AND 1440),
    CHECK (end_minute > start_minute),
    PRIMARY KEY (schedule_id, weekday, start_minute),
    FOREIGN KEY (schedule_id, host_id) REFERENCES schedules(id, host_id) ON DELETE CASCADE
);
INSERT INTO weekly_hours_new (host_id, schedule_id, weekday, start_minute, end_minute)
SELECT w.host_id, s.id, w.weekday, w.start_minute, w.end_minute
FROM weekly_hours w JOIN schedules s ON s.host_id = w.host_id AND s.is_default = 1;

CREATE TABLE date_overrides_new (
    host_id      TEXT NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
    schedule_id  TEXT NOT NULL,
    local_date   TEXT NOT NULL CHECK (length(local_date) = 10),
    PRIMARY KEY (schedule_id, local_date),
    FOREIGN KEY (schedule_id, host_id) REFERENCES schedules(id, host_id) ON DELETE CASCADE
);
INSERT INTO date_overrides_new (host_id, schedule_id, local_date)
SELECT o.host_id, s.id, o.local_date
FROM date_overrides o JOIN schedules s ON s.host_id = o.host_id AND s.is_default = 1;

CREATE TABLE date_override_ranges_new (
    host_id       TEXT NOT NULL,
    schedule_id   TEXT NOT NULL,
    local_date    TEXT NOT NULL,
    start_minute  INTEGER NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
    end_minute    INTEGER NOT NULL CHECK (end_minute BETWEEN 1 AND 1440),
    CHECK (end_minute > start_minute),
    PRIMARY KEY (schedule_id, local_date, start_minute),
    FOREIGN KEY (schedule_id, local_date) REFERENCES date_overrides_new(schedule_id, local_date)
        ON DELETE CASCADE
);
INSERT INTO date_override_ranges_new (host_id, schedule_id, local_date, start_minute, end_minute)
SELECT r.host_id, s.id, r.local_date, r.start_minute, r.end_minute
FROM date_override_ranges r JOIN schedules s ON s.host_id = r.host_id AND s.is_default = 1;

DROP TABLE date_override_ranges;
DROP TABLE date_overrides;
DROP TABLE weekly_hours;
-- Renaming a table rewrites the foreign keys that name it (date_override_ranges_new's).
ALTER TABLE weekly_hours_new RENAME TO weekly_hours;
ALTER TABLE date_overrides_new RENAME TO date_overrides;
ALTER TABLE date_override_ranges_new RENAME TO date_override_ranges;

-- NULL: the event type follows the host's default schedule (as every event type did before).
-- A schedule in use cannot be deleted (the app refuses, and this key would too).
ALTER TABLE event_types ADD COLUMN schedule_id TEXT REFERENCES schedules(id);

ALTER TABLE hosts DROP COLUMN schedule_time_zone;
