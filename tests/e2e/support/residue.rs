//! Looking for residue rather than for fields: given marker strings a test planted in personal
//! fields, [`scan`] searches every place the Worker can leave data behind and says where each
//! marker still is. A test then asserts the list is empty after a deleting path.
//!
//! Places searched today: every column of every table of the local D1 database and every live
//! KV entry (key and value), both read straight from the state directory's SQLite files with
//! Python's `sqlite3` (one process for everything, so a scan takes a fraction of a second), and
//! the Worker's log. A new place is one more variant of [`Place`] and one more function in
//! [`scan`]'s list (the raw bytes of the D1 files, say).

use std::fmt;
use std::path::Path;
use std::process::Command;

use super::world::world;

/// Where a marker was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// A column of a D1 table (the row's first column names the row).
    D1 {
        table: String,
        column: String,
        row: String,
    },
    /// A live KV entry of `TOKENS`: its key or its value.
    Kv { key: String, in_key: bool },
    /// A line of the Worker's log (after wrangler's start-up banner).
    WorkerLog { line: usize },
    /// The raw bytes of a local D1 file (database, WAL or shared memory), free pages and
    /// all: what a copy of the database files holds, whatever the tables show.
    RawD1 { file: String, offset: usize },
}

/// One marker in one place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub marker: String,
    pub place: Place,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.place {
            Place::D1 { table, column, row } => {
                write!(f, "{:?} in D1 {table}.{column} (row {row})", self.marker)
            }
            Place::Kv { key, in_key: true } => write!(f, "{:?} in the KV key {key}", self.marker),
            Place::Kv { key, .. } => write!(f, "{:?} in the KV value of {key}", self.marker),
            Place::WorkerLog { line } => {
                write!(f, "{:?} in the Worker's log, line {line}", self.marker)
            }
            Place::RawD1 { file, offset } => {
                write!(f, "{:?} in the bytes of {file} at {offset}", self.marker)
            }
        }
    }
}

/// Dumps every D1 table's rows and every live KV entry of the state directory as JSON:
/// `{"d1": [[table, [columns], [[values]]]], "kv": [[key, value]]}`.
const DUMP: &str = r#"
import glob, json, os, sqlite3, sys
state = sys.argv[1]
def connect(path):
    db = sqlite3.connect(path, timeout=10)
    db.text_factory = lambda b: b.decode("utf-8", "replace")
    return db
out = {"d1": [], "kv": []}
for path in glob.glob(os.path.join(state, "v3/d1/miniflare-D1DatabaseObject/*.sqlite")):
    if os.path.basename(path) == "metadata.sqlite":
        continue
    db = connect(path)
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
              "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' ORDER BY name")]
    for table in tables:
        cursor = db.execute('SELECT * FROM "%s"' % table.replace('"', '""'))
        columns = [d[0] for d in cursor.description]
        rows = [[v.hex() if isinstance(v, bytes) else v for v in row] for row in cursor]
        out["d1"].append([table, columns, rows])
for path in glob.glob(os.path.join(state, "v3/kv/miniflare-KVNamespaceObject/*.sqlite")):
    if os.path.basename(path) == "metadata.sqlite":
        continue
    db = connect(path)
    for key, blob in db.execute("SELECT key, blob_id FROM _mf_entries"):
        value = ""
        for found in glob.glob(os.path.join(state, "v3/kv/*/blobs", blob)):
            with open(found, "rb") as f:
                value = f.read().decode("utf-8", "replace")
        out["kv"].append([key, value])
print(json.dumps(out))
"#;

fn dump(state_dir: &Path) -> serde_json::Value {
    let output = Command::new("python3")
        .arg("-c")
        .arg(DUMP)
        .arg(state_dir)
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "reading the state directory failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the dump is JSON")
}

fn text_of(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Markers in D1's tables and KV's live entries.
fn in_storage(state_dir: &Path, markers: &[String]) -> Vec<Finding> {
    let dump = dump(state_dir);
    let mut found = Vec::new();
    for table in dump["d1"].as_array().into_iter().flatten() {
        let name = table[0].as_str().unwrap_or_default();
        let columns: Vec<String> = table[1]
            .as_array()
            .into_iter()
            .flatten()
            .map(text_of)
            .collect();
        for row in table[2].as_array().into_iter().flatten() {
            let values: Vec<String> = row.as_array().into_iter().flatten().map(text_of).collect();
            for (column, value) in columns.iter().zip(&values) {
                for marker in markers.iter().filter(|m| value.contains(m.as_str())) {
                    found.push(Finding {
                        marker: marker.clone(),
                        place: Place::D1 {
                            table: name.to_owned(),
                            column: column.clone(),
                            row: values.first().cloned().unwrap_or_default(),
                        },
                    });
                }
            }
        }
    }
    for entry in dump["kv"].as_array().into_iter().flatten() {
        let (key, value) = (text_of(&entry[0]), text_of(&entry[1]));
        for marker in markers {
            for (text, in_key) in [(&key, true), (&value, false)] {
                if text.contains(marker.as_str()) {
                    found.push(Finding {
                        marker: marker.clone(),
                        place: Place::Kv {
                            key: key.clone(),
                            in_key,
                        },
                    });
                }
            }
        }
    }
    found
}

/// Markers in the Worker's log, after wrangler's start-up banner. wrangler's own access log
/// lines (`[wrangler:info] GET /booking/… 200 OK`) are the local dev server's, not the
/// Worker's: they name every path asked for, links' tokens included, and are left out.
fn in_log(log: &str, markers: &[String]) -> Vec<Finding> {
    let start = log.find("Ready on").unwrap_or(0);
    let skipped = log[..start].lines().count();
    log[start..]
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.contains("[wrangler:"))
        .flat_map(|(n, line)| {
            markers
                .iter()
                .filter(|m| line.contains(m.as_str()))
                .map(move |m| Finding {
                    marker: m.clone(),
                    place: Place::WorkerLog {
                        line: skipped + n + 1,
                    },
                })
        })
        .collect()
}

/// Every place any of `markers` is found in the raw bytes of the suite's local D1 files.
pub fn in_raw_d1_files(markers: &[String]) -> Vec<Finding> {
    let dir = world().state_dir.join("v3/d1/miniflare-D1DatabaseObject");
    let mut found = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("the local D1 directory") {
        let path = entry.expect("a directory entry").path();
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        for marker in markers {
            let needle = marker.as_bytes();
            if let Some(offset) = bytes.windows(needle.len()).position(|w| w == needle) {
                found.push(Finding {
                    marker: marker.clone(),
                    place: Place::RawD1 {
                        file: path
                            .file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default(),
                        offset,
                    },
                });
            }
        }
    }
    found
}

/// Every place any of `markers` is still found in the suite's Worker: D1, KV and its log.
pub fn scan(markers: &[String]) -> Vec<Finding> {
    let world = world();
    let mut found = in_storage(&world.state_dir, markers);
    found.extend(in_log(&world.worker_log(), markers));
    found
}

/// Fails with every place a marker is left in, one per line.
pub fn assert_no_residue(markers: &[String]) {
    assert!(
        markers.iter().all(|m| m.len() >= 8),
        "markers must be distinctive: {markers:?}"
    );
    let found = scan(markers);
    assert!(
        found.is_empty(),
        "residue left behind:\n{}",
        found
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// A marker unique to this run and `field`: easy to find, impossible to meet by chance.
pub fn marker(field: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(1);
    format!(
        "rz{}{}x{field}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    )
}

#[test]
fn a_marker_is_found_in_the_log_with_its_line() {
    let log = "banner mentions zzmarker1\nReady on http://x\nok\nsaw zzmarker1 here\n";
    let found = in_log(log, &["zzmarker1".to_owned()]);
    assert_eq!(
        found,
        vec![Finding {
            marker: "zzmarker1".into(),
            place: Place::WorkerLog { line: 4 }
        }]
    );
}
