-- The demo host `make dev` shows: weekdays 09:00–17:00 in Europe/Berlin, a 30-minute intro call.
INSERT OR IGNORE INTO hosts (id, slug, name, email, time_zone, schedule_time_zone, created_at)
VALUES ('demo-host', 'demo', 'Dana Demo', 'dana@example.com', 'Europe/Berlin', 'Europe/Berlin', 0);
INSERT OR IGNORE INTO event_types (id, host_id, slug, title, description, duration_minutes, slot_interval_minutes,
    buffer_before_minutes, buffer_after_minutes, minimum_notice_minutes, booking_window_days, location_kind, created_at)
VALUES ('demo-intro', 'demo-host', 'intro-call', 'Intro call',
    'A first conversation: what you need and whether we are a fit.', 30, 30, 0, 10, 120, 60, 'google_meet', 0);
INSERT OR IGNORE INTO weekly_hours (host_id, weekday, start_minute, end_minute) VALUES
    ('demo-host', 0, 540, 1020), ('demo-host', 1, 540, 1020), ('demo-host', 2, 540, 1020),
    ('demo-host', 3, 540, 1020), ('demo-host', 4, 540, 1020);
