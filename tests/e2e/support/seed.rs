//! Creating hosts for a test and reading D1 back, through `wrangler d1 execute` on the same
//! local database the running Worker uses.

use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};

use super::world::{world, wrangler};

/// Runs SQL against the suite's local D1 and returns the rows of the last statement.
/// A locked database (the Worker writing at the same moment) is retried a few times.
pub fn sql(statement: &str) -> Vec<serde_json::Value> {
    sql_in(&world().state_dir, statement)
}

/// [`sql`] against the local D1 in `state_dir` (a second Worker's).
pub fn sql_in(state_dir: &Path, statement: &str) -> Vec<serde_json::Value> {
    let run = || {
        wrangler()
            .args(["d1", "execute", "DB", "--local", "--json", "--persist-to"])
            .arg(state_dir)
            .arg(format!("--command={statement}"))
            .output()
            .expect("wrangler runs")
    };
    let mut output = run();
    for _ in 0..5 {
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        if output.status.success() || !text.contains("SQLITE_BUSY") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
        output = run();
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "SQL failed: {statement}\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let results: serde_json::Value = serde_json::from_str(&stdout).expect("wrangler prints JSON");
    results
        .as_array()
        .and_then(|all| all.last())
        .and_then(|last| last["results"].as_array())
        .cloned()
        .unwrap_or_default()
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
        let mut statements = vec![format!(
            "INSERT INTO hosts (id, slug, name, email, time_zone, schedule_time_zone, created_at) \
             VALUES ({}, {}, {}, {}, {}, {}, 0)",
            quote(&id),
            quote(&slug),
            quote(&self.name),
            quote(&format!("{slug}@example.com")),
            quote(&self.zone),
            quote(&self.zone)
        )];
        for (day, start, end) in &self.hours {
            statements.push(format!(
                "INSERT INTO weekly_hours (host_id, weekday, start_minute, end_minute) VALUES ({}, {day}, {start}, {end})",
                quote(&id)
            ));
        }
        for (date, ranges) in &self.overrides {
            statements.push(format!(
                "INSERT INTO date_overrides (host_id, local_date) VALUES ({}, {})",
                quote(&id),
                quote(date)
            ));
            for (start, end) in ranges {
                statements.push(format!(
                    "INSERT INTO date_override_ranges (host_id, local_date, start_minute, end_minute) \
                     VALUES ({}, {}, {start}, {end})",
                    quote(&id),
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
