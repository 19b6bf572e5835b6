//! Migrations on the real local D1: each one applies to a database that holds rows written
//! under every earlier schema, and keeps all of them. Every migration has a fixture in
//! `fixtures/migrations/` with rows that its schema allows (an empty one is fine).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::support::world::{repo_root, wrangler};

fn migrations() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo_root().join("migrations"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "sql"))
        .collect();
    files.sort();
    files
}

fn d1(config: &Path, state: &Path, args: &[&str]) -> String {
    let output = wrangler()
        .args(["d1"])
        .args(args)
        .args(["DB", "--local", "--persist-to"])
        .arg(state)
        .arg("-c")
        .arg(config)
        .output()
        .expect("wrangler runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "wrangler d1 {args:?} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

fn row_counts(config: &Path, state: &Path) -> BTreeMap<String, i64> {
    let tables =
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
                  AND name NOT LIKE '_cf_%' AND name != 'd1_migrations' ORDER BY name";
    let listed: serde_json::Value = serde_json::from_str(&d1(
        config,
        state,
        &["execute", "--json", &format!("--command={tables}")],
    ))
    .unwrap();
    let names: Vec<String> = listed[0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["name"].as_str().unwrap().to_owned())
        .collect();
    // One row, a column per table (D1 caps the terms of a compound SELECT).
    let columns: Vec<String> = names
        .iter()
        .map(|name| format!("(SELECT COUNT(*) FROM \"{name}\") AS \"{name}\""))
        .collect();
    let counted: serde_json::Value = serde_json::from_str(&d1(
        config,
        state,
        &[
            "execute",
            "--json",
            &format!("--command=SELECT {}", columns.join(", ")),
        ],
    ))
    .unwrap();
    let row = &counted[0]["results"][0];
    names
        .into_iter()
        .map(|name| {
            let count = row[&name].as_i64().unwrap();
            (name, count)
        })
        .collect()
}

/// Tables a migration rebuilt under a new name: (migration, old name, new name). Their rows
/// must all arrive under the new name.
const RENAMED: &[(&str, &str, &str)] = &[(
    "0012_connection_health.sql",
    "privacy_outbox",
    "notice_outbox",
)];

/// The migration that moves each host's one schedule into a named default schedule.
const SCHEDULES: &str = "0030_named_schedules.sql";

/// The migration that names each connection (several accounts per provider): every existing
/// connection and every booking's event keeps its provider's name, so its KV tokens and sealed
/// values are found as before.
const SEVERAL_ACCOUNTS: &str = "0032_several_accounts.sql";

/// (host, provider) of every connection and (booking, provider) of every booking's event,
/// with what 0032 names them (`None` before it).
fn connection_names(config: &Path, state: &Path, after: bool) -> Vec<String> {
    let (connection, calendar) = if after {
        ("connection", "calendar_connection")
    } else {
        ("NULL", "NULL")
    };
    let mut names: Vec<String> = query(
        config,
        state,
        &format!(
            "SELECT host_id || ' ' || provider || ' ' || COALESCE({connection}, '-') AS v \
             FROM connections UNION ALL SELECT booking_id || ' ' || \
             COALESCE(calendar_provider, '-') || ' ' || COALESCE({calendar}, '-') \
             FROM booking_calendar"
        ),
    )
    .iter()
    .map(|row| row["v"].as_str().unwrap().to_owned())
    .collect();
    names.sort();
    names
}

/// The migration that lets an event type choose the calendar receiving its bookings.
const EVENT_CALENDAR: &str = "0031_event_calendar.sql";

/// After 0031 every event type keeps the host's default calendar and every booking's work its
/// connection's default calendar (both NULL), and a half-made choice is refused.
fn check_event_calendar(config: &Path, state: &Path) {
    let chosen = query(
        config,
        state,
        "SELECT (SELECT COUNT(*) FROM event_types WHERE event_calendar_connection IS NOT NULL \
         OR event_calendar_id IS NOT NULL) AS types, \
         (SELECT COUNT(*) FROM booking_calendar WHERE calendar_id IS NOT NULL) AS work, \
         (SELECT COUNT(*) FROM event_types) AS all_types, \
         (SELECT COUNT(*) FROM booking_calendar) AS all_work",
    );
    assert_eq!(
        chosen[0]["types"], 0,
        "{EVENT_CALENDAR} left a choice: {chosen:?}"
    );
    assert_eq!(
        chosen[0]["work"], 0,
        "{EVENT_CALENDAR} named a calendar: {chosen:?}"
    );
    assert!(chosen[0]["all_types"].as_i64() > Some(0) && chosen[0]["all_work"].as_i64() > Some(0));
    for half in [
        "UPDATE event_types SET event_calendar_connection = 'google' WHERE id = 'm-event'",
        "UPDATE event_types SET event_calendar_id = 'x' WHERE id = 'm-event'",
        "UPDATE event_types SET event_calendar_connection = 'Google!', event_calendar_id = 'x' \
         WHERE id = 'm-event'",
    ] {
        let refused = wrangler()
            .args(["d1", "execute", "DB", "--local", "--persist-to"])
            .arg(state)
            .arg("-c")
            .arg(config)
            .arg(format!("--command={half}"))
            .output()
            .expect("wrangler runs");
        assert!(!refused.status.success(), "{half} was accepted");
    }
}

fn query(config: &Path, state: &Path, sql: &str) -> Vec<serde_json::Value> {
    let out: serde_json::Value = serde_json::from_str(&d1(
        config,
        state,
        &["execute", "--json", &format!("--command={sql}")],
    ))
    .unwrap();
    out[0]["results"].as_array().unwrap().clone()
}

/// Every host's schedule zone, weekly hours and override ranges as text lines, read before
/// 0030 (from `hosts` and the host-keyed tables) or after it (from each host's default
/// schedule): the two must match line for line.
fn schedule_rows(config: &Path, state: &Path, after: bool) -> Vec<String> {
    let (zone, join) = if after {
        (
            "SELECT h.id AS host, s.time_zone AS zone, s.name AS name FROM hosts h \
             JOIN schedules s ON s.host_id = h.id AND s.is_default = 1 ORDER BY h.id",
            " JOIN schedules s ON s.id = t.schedule_id AND s.is_default = 1",
        )
    } else {
        (
            "SELECT id AS host, schedule_time_zone AS zone, 'Working hours' AS name FROM hosts \
             ORDER BY id",
            "",
        )
    };
    let mut lines: Vec<String> = query(config, state, zone)
        .iter()
        .map(|r| format!("zone {} {} {}", r["host"], r["zone"], r["name"]))
        .collect();
    let hours = format!(
        "SELECT t.host_id, t.weekday, t.start_minute, t.end_minute FROM weekly_hours t{join} \
         ORDER BY 1, 2, 3"
    );
    lines.extend(
        query(config, state, &hours)
            .iter()
            .map(|r| format!("hours {r}")),
    );
    let days = format!("SELECT t.host_id, t.local_date FROM date_overrides t{join} ORDER BY 1, 2");
    lines.extend(
        query(config, state, &days)
            .iter()
            .map(|r| format!("override {r}")),
    );
    let ranges = format!(
        "SELECT t.host_id, t.local_date, t.start_minute, t.end_minute \
         FROM date_override_ranges t{join} ORDER BY 1, 2, 3"
    );
    lines.extend(
        query(config, state, &ranges)
            .iter()
            .map(|r| format!("range {r}")),
    );
    lines
}

#[test]
fn every_migration_upgrades_a_database_filled_under_the_earlier_ones_without_losing_rows() {
    let all = migrations();
    assert!(!all.is_empty());
    let dir = repo_root().join(format!("target/e2e/migrations-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (config, state, applied) = (
        dir.join("wrangler.toml"),
        dir.join("state"),
        dir.join("migrations"),
    );
    std::fs::create_dir_all(&applied).unwrap();
    std::fs::write(
        &config,
        "name = \"openslot-migrations\"\ncompatibility_date = \"2026-11-01\"\n\n[[d1_databases]]\nbinding = \"DB\"\n\
         database_name = \"openslot\"\ndatabase_id = \"00000000-0000-4000-8000-000000000001\"\nmigrations_dir = \"migrations\"\n",
    )
    .unwrap();

    let mut before: BTreeMap<String, i64> = BTreeMap::new();
    for migration in &all {
        let name = migration.file_name().unwrap().to_str().unwrap();
        std::fs::copy(migration, applied.join(name)).unwrap();
        let hours_before = (name == SCHEDULES).then(|| schedule_rows(&config, &state, false));
        let names_before =
            (name == SEVERAL_ACCOUNTS).then(|| connection_names(&config, &state, false));
        d1(&config, &state, &["migrations", "apply"]);
        if let Some(names_before) = names_before {
            assert!(
                names_before.len() >= 4,
                "the fixtures hold connections and events: {names_before:?}"
            );
            let expected: Vec<String> = names_before
                .iter()
                .map(|row| {
                    let (owner, provider) =
                        row.rsplit_once(' ').unwrap().0.split_once(' ').unwrap();
                    let named = if provider == "-" { "-" } else { provider };
                    format!("{owner} {provider} {named}")
                })
                .collect();
            assert_eq!(
                connection_names(&config, &state, true),
                expected,
                "{name} named every connection and event by its provider (its first account)"
            );
        }
        if let Some(hours_before) = hours_before {
            assert!(
                hours_before.len() >= 8,
                "the fixtures hold hours: {hours_before:?}"
            );
            assert_eq!(
                schedule_rows(&config, &state, true),
                hours_before,
                "{name} moved every host's zone, hours and overrides into one default schedule"
            );
        }
        if name == EVENT_CALENDAR {
            check_event_calendar(&config, &state);
        }
        let after = row_counts(&config, &state);
        for (table, count) in &before {
            let now_named = RENAMED
                .iter()
                .find(|(migration, old, _)| *migration == name && old == table)
                .map_or(table.as_str(), |(_, _, new)| new);
            assert_eq!(
                after.get(now_named),
                Some(count),
                "{name} changed the rows of {table}"
            );
        }
        let fixture = repo_root().join("tests/e2e/fixtures/migrations").join(name);
        assert!(
            fixture.exists(),
            "{name} needs a fixture: tests/e2e/fixtures/migrations/{name}"
        );
        let rows = std::fs::read_to_string(&fixture).unwrap();
        if rows
            .lines()
            .any(|line| !line.trim().is_empty() && !line.trim_start().starts_with("--"))
        {
            d1(
                &config,
                &state,
                &["execute", "--file"]
                    .iter()
                    .copied()
                    .chain([fixture.to_str().unwrap()])
                    .collect::<Vec<_>>(),
            );
        }
        before = row_counts(&config, &state);
    }
    assert!(before.values().sum::<i64>() > 0, "the fixtures wrote rows");
    let _ = std::fs::remove_dir_all(&dir);
}
