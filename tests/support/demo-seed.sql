-- The demo host `make dev` shows: weekdays 09:00–17:00 in Europe/Berlin, a 30-minute intro call.
INSERT OR IGNORE INTO hosts (id, slug, name, email, time_zone, created_at)
VALUES ('demo-host', 'demo', 'Dana Demo', 'dana@example.com', 'Europe/Berlin', 0);
INSERT OR IGNORE INTO schedules (id, host_id, name, time_zone, is_default, created_at)
VALUES ('demo-host-default', 'demo-host', 'Working hours', 'Europe/Berlin', 1, 0);
INSERT OR IGNORE INTO event_types (id, host_id, slug, title, description, duration_minutes, slot_interval_minutes,
    buffer_before_minutes, buffer_after_minutes, minimum_notice_minutes, booking_window_days, location_kind, created_at)
VALUES ('demo-intro', 'demo-host', 'intro-call', 'Intro call',
    'A first conversation: what you need and whether we are a fit.', 30, 30, 0, 10, 120, 60, 'google_meet', 0);
-- A second event type asking one question of every kind (issue 20), for `make dev` and the
-- browser tests of the booking form.
INSERT OR IGNORE INTO event_types (id, host_id, slug, title, description, duration_minutes, slot_interval_minutes,
    buffer_before_minutes, buffer_after_minutes, minimum_notice_minutes, booking_window_days, location_kind, questions, created_at)
VALUES ('demo-intake', 'demo-host', 'project-intake', 'Project intake',
    'Tell us about your project before we meet.', 45, 30, 0, 0, 120, 60, 'google_meet',
    '[{"label":"Your company","required":true,"kind":"short_text","help":"As on your invoice"},{"label":"What should we cover?","required":false,"kind":"long_text"},{"label":"Plan","required":true,"kind":"radio","options":["Starter","Team","Enterprise"]},{"label":"Country","required":true,"kind":"select","options":["Germany","France","Japan","Other"]},{"label":"Topics","required":false,"kind":"multiple_choice","options":["Pricing","Security","Onboarding"]},{"label":"I agree that the call may be recorded","required":true,"kind":"checkbox"},{"label":"Phone","required":true,"kind":"phone"},{"label":"Team size","required":true,"kind":"number","min":1,"max":500},{"label":"Billing email","required":false,"kind":"email"},{"label":"Website","required":false,"kind":"url"}]', 0);
-- A third that takes requests the host approves within a day (issue 19).
INSERT OR IGNORE INTO event_types (id, host_id, slug, title, description, duration_minutes, slot_interval_minutes,
    buffer_before_minutes, buffer_after_minutes, minimum_notice_minutes, booking_window_days, location_kind,
    approval_hours, created_at)
VALUES ('demo-consult', 'demo-host', 'consultation', 'Consultation',
    'An hour on your case; Dana confirms each request.', 60, 60, 0, 0, 120, 60, 'google_meet', 24, 0);
INSERT OR IGNORE INTO weekly_hours (host_id, schedule_id, weekday, start_minute, end_minute) VALUES
    ('demo-host', 'demo-host-default', 0, 540, 1020), ('demo-host', 'demo-host-default', 1, 540, 1020), ('demo-host', 'demo-host-default', 2, 540, 1020),
    ('demo-host', 'demo-host-default', 3, 540, 1020), ('demo-host', 'demo-host-default', 4, 540, 1020);
