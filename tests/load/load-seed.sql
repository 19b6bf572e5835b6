-- The load host: every day, all day, 5-minute meetings a year ahead: room for many bookings.
INSERT OR IGNORE INTO hosts (id, slug, name, email, time_zone, created_at)
VALUES ('load-host', 'load', 'Load Host', 'load@example.com', 'UTC', 0);
INSERT OR IGNORE INTO schedules (id, host_id, name, time_zone, is_default, created_at)
VALUES ('load-host-default', 'load-host', 'Working hours', 'UTC', 1, 0);
INSERT OR IGNORE INTO event_types (id, host_id, slug, title, duration_minutes, slot_interval_minutes,
    booking_window_days, location_kind, created_at)
VALUES ('load-five', 'load-host', 'five', 'Five minutes', 5, 5, 365, 'none', 0);
INSERT OR IGNORE INTO weekly_hours (host_id, schedule_id, weekday, start_minute, end_minute) VALUES
    ('load-host', 'load-host-default', 0, 0, 1440), ('load-host', 'load-host-default', 1, 0, 1440), ('load-host', 'load-host-default', 2, 0, 1440), ('load-host', 'load-host-default', 3, 0, 1440),
    ('load-host', 'load-host-default', 4, 0, 1440), ('load-host', 'load-host-default', 5, 0, 1440), ('load-host', 'load-host-default', 6, 0, 1440);
