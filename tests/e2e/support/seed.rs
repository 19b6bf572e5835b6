//! Creating hosts for a test and reading D1 back, straight from the SQLite file of the same
//! local database the running Worker uses (workerd keeps it in WAL mode, so the two share it
//! under SQLite's own locking, as `wrangler d1 execute --local` does, in microseconds instead
//! of the seconds a wrangler process costs).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use chrono::{Datelike, Days, NaiveDate, Utc, Weekday};
use rusqlite::types::ValueRef;

use super::world::world;

/// Runs SQL against the suite's local D1 and returns the rows of the last statement.
pub fn sql(statement: &str) -> Vec<serde_json::Value> {
    sql_in(&world().state_dir, statement)
}

/// The local D1 database file of the Worker whose state is in `state_dir`.
fn d1_file(state_dir: &Path) -> PathBuf {
    let dir = state_dir.join("v3/d1/miniflare-D1DatabaseObject");
    std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .find(|path| {
            path.extension().is_some_and(|ext| ext == "sqlite")
                && path
                    .file_name()
                    .is_some_and(|name| name != "metadata.sqlite")
        })
        .unwrap_or_else(|| panic!("no D1 database in {}", dir.display()))
}

/// [`sql`] against the local D1 in `state_dir` (a second Worker's). Each statement of
/// `statements` runs in order, with D1's foreign-key enforcement; a database the Worker is
/// writing at that moment is waited for.
pub fn sql_in(state_dir: &Path, statements: &str) -> Vec<serde_json::Value> {
    let db = rusqlite::Connection::open(d1_file(state_dir)).expect("the local D1 opens");
    db.busy_timeout(Duration::from_secs(10)).unwrap();
    // D1 always enforces foreign keys (https://developers.cloudflare.com/d1/sql-api/foreign-keys/).
    db.execute_batch("PRAGMA foreign_keys = ON").unwrap();
    let mut batch = rusqlite::Batch::new(&db, statements);
    let mut last = Vec::new();
    while let Some(mut statement) = batch
        .next()
        .unwrap_or_else(|e| panic!("SQL failed: {statements}\n{e}"))
    {
        let columns: Vec<String> = statement
            .column_names()
            .into_iter()
            .map(str::to_owned)
            .collect();
        let mut rows = statement
            .query([])
            .unwrap_or_else(|e| panic!("SQL failed: {statements}\n{e}"));
        last.clear();
        while let Some(row) = rows
            .next()
            .unwrap_or_else(|e| panic!("SQL failed: {statements}\n{e}"))
        {
            let object: serde_json::Map<String, serde_json::Value> = columns
                .iter()
                .enumerate()
                .map(|(i, name)| (name.clone(), json_of(row.get_ref(i).unwrap())))
                .collect();
            last.push(serde_json::Value::Object(object));
        }
    }
    last
}

/// A column's value as `wrangler d1 execute --json` shows it.
fn json_of(value: ValueRef<'_>) -> serde_json::Value {
    match value {
        ValueRef::Null => serde_json::Value::Null,
        ValueRef::Integer(n) => n.into(),
        ValueRef::Real(x) => x.into(),
        ValueRef::Text(text) => String::from_utf8_lossy(text).into_owned().into(),
        ValueRef::Blob(bytes) => bytes.iter().map(|&b| serde_json::Value::from(b)).collect(),
    }
}

fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

static NEXT: AtomicU32 = AtomicU32::new(1);

/// An event type to create with a host.
#[derive(Clone)]
pub struct EventSeed {
    pub slug: &'static str,
    pub title: &'static str,
    pub duration: u32,
    pub interval: Option<u32>,
    pub buffer_before: u32,
    pub buffer_after: u32,
    pub notice: u32,
    pub window_days: u32,
    pub max_per_day: Option<u32>,
}

impl EventSeed {
    /// A 30-minute meeting every 30 minutes, no buffers or notice, 60 days ahead.
    pub fn new(slug: &'static str, duration: u32) -> Self {
        Self {
            slug,
            title: "Intro call",
            duration,
            interval: None,
            buffer_before: 0,
            buffer_after: 0,
            notice: 0,
            window_days: 60,
            max_per_day: None,
        }
    }
}

/// A host to create for one test; its slug is made unique per run.
pub struct HostSeed {
    name: String,
    zone: String,
    hours: Vec<(u8, u16, u16)>,
    overrides: Vec<(String, Vec<(u16, u16)>)>,
    events: Vec<EventSeed>,
}

/// What a test needs to address its host.
pub struct SeededHost {
    pub id: String,
    pub slug: String,
}

impl HostSeed {
    /// A host called `name` whose hours are written in `zone`.
    pub fn new(name: &str, zone: &str) -> Self {
        Self {
            name: name.to_owned(),
            zone: zone.to_owned(),
            hours: Vec::new(),
            overrides: Vec::new(),
            events: Vec::new(),
        }
    }

    /// Adds `[start, end)` (minutes of the day) on each weekday of `days` (0 = Monday).
    pub fn hours(mut self, days: &[u8], start: u16, end: u16) -> Self {
        self.hours.extend(days.iter().map(|&d| (d, start, end)));
        self
    }

    /// Replaces a local date's hours (an empty list is a day off).
    pub fn date_override(mut self, date: &str, ranges: &[(u16, u16)]) -> Self {
        self.overrides.push((date.to_owned(), ranges.to_vec()));
        self
    }

    /// Adds an event type.
    pub fn event(mut self, event: EventSeed) -> Self {
        self.events.push(event);
        self
    }

    /// Writes the host and everything of theirs to D1 in one call.
    pub fn create(self) -> SeededHost {
        self.create_in(&world().state_dir)
    }

    /// [`Self::create`] in the local D1 in `state_dir` (a second Worker's).
    pub fn create_in(self, state_dir: &Path) -> SeededHost {
        let n = NEXT.fetch_add(1, Ordering::SeqCst);
        let slug = format!(
            "{}-{}-{n}",
            self.name.to_lowercase().replace(' ', "-"),
            std::process::id()
        );
        let id = format!("host-{slug}");
        // The host's default schedule holds the seeded zone, hours and overrides.
        let schedule = format!("{id}-default");
        let mut statements = vec![
            format!(
                "INSERT INTO hosts (id, slug, name, email, time_zone, created_at) \
                 VALUES ({}, {}, {}, {}, {}, 0)",
                quote(&id),
                quote(&slug),
                quote(&self.name),
                quote(&format!("{slug}@example.com")),
                quote(&self.zone),
            ),
            format!(
                "INSERT INTO schedules (id, host_id, name, time_zone, is_default, created_at) \
                 VALUES ({}, {}, 'Working hours', {}, 1, 0)",
                quote(&schedule),
                quote(&id),
                quote(&self.zone),
            ),
        ];
        for (day, start, end) in &self.hours {
            statements.push(format!(
                "INSERT INTO weekly_hours (host_id, schedule_id, weekday, start_minute, end_minute) \
                 VALUES ({}, {}, {day}, {start}, {end})",
                quote(&id),
                quote(&schedule)
            ));
        }
        for (date, ranges) in &self.overrides {
            statements.push(format!(
                "INSERT INTO date_overrides (host_id, schedule_id, local_date) VALUES ({}, {}, {})",
                quote(&id),
                quote(&schedule),
                quote(date)
            ));
            for (start, end) in ranges {
                statements.push(format!(
                    "INSERT INTO date_override_ranges (host_id, schedule_id, local_date, \
                     start_minute, end_minute) VALUES ({}, {}, {}, {start}, {end})",
                    quote(&id),
                    quote(&schedule),
                    quote(date)
                ));
            }
        }
        for event in &self.events {
            let event_id = format!("{id}-{}", event.slug);
            let opt = |v: Option<u32>| v.map_or("NULL".to_owned(), |v| v.to_string());
            statements.push(format!(
                "INSERT INTO event_types (id, host_id, slug, title, duration_minutes, slot_interval_minutes, \
                 buffer_before_minutes, buffer_after_minutes, minimum_notice_minutes, booking_window_days, \
                 max_bookings_per_day, location_kind, created_at) \
                 VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, 'google_meet', 0)",
                quote(&event_id),
                quote(&id),
                quote(event.slug),
                quote(event.title),
                event.duration,
                opt(event.interval),
                event.buffer_before,
                event.buffer_after,
                event.notice,
                event.window_days,
                opt(event.max_per_day)
            ));
        }
        sql_in(state_dir, &statements.join("; "));
        SeededHost { id, slug }
    }
}

/// Every weekday, Monday to Sunday.
pub const EVERY_DAY: &[u8] = &[0, 1, 2, 3, 4, 5, 6];

/// The first Monday after tomorrow: its whole week lies ahead.
pub fn next_monday() -> NaiveDate {
    let mut day = Utc::now().date_naive() + Days::new(2);
    while day.weekday() != Weekday::Mon {
        day = day.succ_opt().unwrap();
    }
    day
}
