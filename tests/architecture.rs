//! ARCHITECTURE.md's invariants, checked on the source text so a change that breaks one fails
//! `make test` instead of leaving the document wrong: every folder and top-level module under
//! `src/` is in the code map; SQL text appears only in `src/store/`; nothing below `src/http/`
//! imports it; no handler imports another and the application layer knows no HTTP; the pure
//! core never names the Worker runtime; the HTML pages' table
//! (`PAGE_ROUTES`, which decides 405s and framing) lists exactly what the router answers.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file under `dir`, recursively.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

#[test]
fn every_folder_and_top_level_module_of_src_is_in_the_code_map() {
    let map = fs::read_to_string(repo().join("ARCHITECTURE.md")).unwrap();
    let mut missing = Vec::new();
    for entry in fs::read_dir(repo().join("src")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let named = if path.is_dir() {
            format!("`src/{name}/`")
        } else if name == "lib.rs" {
            "`src/lib.rs`".to_owned()
        } else {
            format!("`src/{name}`")
        };
        if !map.contains(&named) {
            missing.push(named);
        }
    }
    assert!(missing.is_empty(), "not in ARCHITECTURE.md: {missing:?}");
}

#[test]
fn sql_text_lives_only_in_the_store() {
    let store = repo().join("src/store");
    let sql = ["SELECT ", "INSERT INTO", "DELETE FROM", "UPDATE "];
    let offenders: Vec<String> = rust_files(&repo().join("src"))
        .into_iter()
        .filter(|file| !file.starts_with(&store))
        .filter_map(|file| {
            let text = fs::read_to_string(&file).unwrap();
            let hit = text
                .lines()
                .filter(|line| !line.trim_start().starts_with("//"))
                .find(|line| {
                    sql.iter()
                        .any(|keyword| line.contains(&format!("\"{keyword}")))
                })?;
            Some(format!("{}: {}", file.display(), hit.trim()))
        })
        .collect();
    assert!(
        offenders.is_empty(),
        "SQL outside src/store: {offenders:#?}"
    );
}

#[test]
fn nothing_below_the_http_shell_imports_it() {
    let http = repo().join("src/http");
    let offenders: Vec<String> = rust_files(&repo().join("src"))
        .into_iter()
        .filter(|file| !file.starts_with(&http))
        .filter(|file| fs::read_to_string(file).unwrap().contains("crate::http"))
        .map(|file| file.display().to_string())
        .collect();
    assert!(
        offenders.is_empty(),
        "modules importing the HTTP shell: {offenders:?}"
    );
}

/// The `src/http/` modules every handler may use: request reading, sessions and API
/// authorization, the error mapping, headers, rate limits, the dashboard's navigation and the
/// two forms two pages share (the weekly hours and the profile fields). Anything else a
/// handler needs from another belongs in `src/app/`.
const SHARED_HTTP_MODULES: [&str; 8] = [
    "request",
    "session",
    "error",
    "headers",
    "rate_limit",
    "dashboard_nav",
    "week_form",
    "profile_form",
];

/// The names `text` reaches through `super::NAME` (its sibling modules).
fn sibling_modules(text: &str) -> BTreeSet<String> {
    text.match_indices("super::")
        .map(|(at, _)| {
            text[at + "super::".len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect::<String>()
        })
        .filter(|name| !name.is_empty() && name.chars().all(|c| !c.is_ascii_uppercase()))
        .collect()
}

#[test]
fn no_handler_imports_another_handler() {
    let offenders: Vec<String> = rust_files(&repo().join("src/http"))
        .into_iter()
        .filter(|file| !file.ends_with("mod.rs"))
        .flat_map(|file| {
            let text = fs::read_to_string(&file).unwrap();
            sibling_modules(&text)
                .into_iter()
                .filter(|name| !SHARED_HTTP_MODULES.contains(&name.as_str()))
                .map(|name| format!("{} uses super::{name}", file.display()))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(
        offenders.is_empty(),
        "handlers reaching into other handlers (move the step to src/app/): {offenders:#?}"
    );
}

#[test]
fn the_check_for_sibling_imports_sees_every_form() {
    let text =
        "use super::booking::{create, Work};\nlet x = super::slots::find();\nuse super::{A, B};";
    let names: Vec<String> = sibling_modules(text).into_iter().collect();
    assert_eq!(names, ["booking", "slots"]);
}

#[test]
fn the_app_layer_knows_no_request_or_response() {
    let offenders: Vec<String> = rust_files(&repo().join("src/app"))
        .into_iter()
        .filter(|file| {
            let text = fs::read_to_string(file).unwrap();
            [
                "crate::http",
                "worker::Request",
                "worker::Response",
                "Response::",
            ]
            .iter()
            .any(|name| text.contains(name))
        })
        .map(|file| file.display().to_string())
        .collect();
    assert!(
        offenders.is_empty(),
        "app modules handling HTTP themselves: {offenders:?}"
    );
}

#[test]
fn the_core_never_names_the_worker_runtime() {
    let offenders: Vec<String> = rust_files(&repo().join("src/core"))
        .into_iter()
        .filter(|file| {
            let text = fs::read_to_string(file).unwrap();
            [
                "worker::",
                "js_sys",
                "wasm_bindgen",
                "crate::http",
                "crate::store",
            ]
            .iter()
            .any(|name| text.contains(name))
        })
        .map(|file| file.display().to_string())
        .collect();
    assert!(offenders.is_empty(), "core modules with I/O: {offenders:?}");
}

/// A path template with every parameter written `{}`, so `{id}` and `id` compare equal.
fn normalized(template: &str) -> String {
    template
        .split('/')
        .map(|part| if part.starts_with('{') { "{}" } else { part })
        .collect::<Vec<_>>()
        .join("/")
}

/// The page routes the router's `match` answers, as `(template, method)` pairs read from its
/// arms (`(["dashboard", "event-types", id], Method::Get | Method::Head) =>`); the JSON API
/// (`"api"`) is left to tests/e2e/openapi_in_step.rs.
fn router_pages(source: &str) -> BTreeSet<(String, String)> {
    let mut routes = BTreeSet::new();
    // One line for the whole file, so arms rustfmt spread over several lines read alike.
    let collapsed = source
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace("( [", "([")
        .replace(", )", ")");
    for arm in collapsed.split("([").skip(1) {
        let Some((segments, rest)) = arm.split_once("], ") else {
            continue;
        };
        let Some((methods, _)) = rest.split_once(')') else {
            continue;
        };
        if !methods.starts_with("Method::") || segments.starts_with("\"api\"") {
            continue;
        }
        // `which @ ("delete" | "erase")` stands for each of its literals.
        let mut paths = vec![String::new()];
        let mut rest = segments.trim();
        while !rest.is_empty() {
            let (segment, tail) = if let Some(at) = rest.find(" @ (") {
                let close = rest.find(')').unwrap();
                if at < rest.find(',').unwrap_or(usize::MAX) {
                    (
                        &rest[at + 3..=close],
                        rest[close + 1..].trim_start_matches(", "),
                    )
                } else {
                    let comma = rest.find(',').unwrap();
                    (&rest[..comma], rest[comma + 1..].trim_start())
                }
            } else {
                match rest.split_once(", ") {
                    Some((segment, tail)) => (segment, tail),
                    None => (rest, ""),
                }
            };
            let choices: Vec<String> = if segment.starts_with('(') {
                segment
                    .trim_matches(|c| c == '(' || c == ')')
                    .split(" | ")
                    .map(|s| s.trim_matches('"').to_owned())
                    .collect()
            } else if segment.starts_with('"') {
                vec![segment.trim_matches('"').to_owned()]
            } else {
                vec!["{}".to_owned()]
            };
            paths = paths
                .iter()
                .flat_map(|p| choices.iter().map(move |c| format!("{p}/{c}")))
                .collect();
            rest = tail;
        }
        for path in paths {
            let path = if path.is_empty() {
                "/".to_owned()
            } else {
                path
            };
            for method in methods.split(" | ") {
                let method = method.trim().trim_start_matches("Method::").to_uppercase();
                routes.insert((path.clone(), method));
            }
        }
    }
    routes
}

/// `PAGE_ROUTES`' entries as `(template, method)` pairs: each template (a quoted string
/// starting with `/`) is followed by its methods.
fn page_table(source: &str) -> BTreeSet<(String, String)> {
    let start = source.find("const PAGE_ROUTES").expect("the page table");
    let body = &source[start..source[start..].find("];").unwrap() + start];
    let quoted: Vec<&str> = body.split('"').skip(1).step_by(2).collect();
    let mut routes = BTreeSet::new();
    for pair in quoted.windows(2) {
        if pair[0].starts_with('/') {
            for method in pair[1].split(", ") {
                routes.insert((normalized(pair[0]), method.to_owned()));
            }
        }
    }
    routes
}

#[test]
fn the_page_table_lists_exactly_the_pages_the_router_answers() {
    let source = fs::read_to_string(repo().join("src/http/mod.rs")).unwrap();
    let router = router_pages(&source);
    let table = page_table(&source);
    assert!(
        router.len() > 40 && table.len() > 40,
        "{router:?}\n{table:?}"
    );
    let unlisted: Vec<_> = router.difference(&table).collect();
    let unrouted: Vec<_> = table.difference(&router).collect();
    assert!(
        unlisted.is_empty() && unrouted.is_empty(),
        "routed but not in PAGE_ROUTES: {unlisted:?}\nin PAGE_ROUTES but not routed: {unrouted:?}"
    );
}

#[test]
fn no_booking_status_or_calendar_state_is_compared_as_text_outside_the_store() {
    let store = repo().join("src/store");
    let offenders: Vec<String> = rust_files(&repo().join("src"))
        .into_iter()
        .filter(|file| !file.starts_with(&store))
        .flat_map(|file| {
            let text = fs::read_to_string(&file).unwrap();
            text.lines()
                .filter(|line| {
                    [
                        "== \"confirmed\"",
                        "!= \"confirmed\"",
                        "== \"cancelled\"",
                        "!= \"cancelled\"",
                        "state == \"",
                        "state != \"",
                        "== \"working\"",
                        "== \"needs_reconnect\"",
                        "== \"stop\"",
                        "== \"ignore\"",
                    ]
                    .iter()
                    .any(|comparison| line.contains(comparison))
                })
                .map(|line| format!("{}: {}", file.display(), line.trim()))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(
        offenders.is_empty(),
        "status strings compared: {offenders:#?}"
    );
}

/// The code of a file before its unit tests (which may name any provider they test).
fn non_test_code(file: &Path) -> String {
    let text = fs::read_to_string(file).unwrap();
    match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

#[test]
fn vendors_are_named_only_in_the_registry_and_their_own_modules() {
    // A provider is added by its module, one registry line, the meeting service it makes and
    // its configuration keys; every other file reads the registry. The two exceptions are
    // Zoom's own webhook (an endpoint only Zoom calls) and the location a new event type
    // starts with (a product choice).
    let allowed = [
        "src/providers/registry.rs",
        "src/core/meeting_service.rs",
        "src/providers/calendar/google.rs",
        "src/providers/calendar/microsoft.rs",
        "src/providers/calendar/zoom.rs",
        "src/http/webhooks.rs",
        "src/app/event_types.rs",
    ];
    let vendors = [
        "ConnectProvider::Google",
        "ConnectProvider::Microsoft",
        "ConnectProvider::Zoom",
        "MeetingService::GoogleMeet",
        "MeetingService::MicrosoftTeams",
        "MeetingService::Zoom",
    ];
    let offenders: Vec<String> = rust_files(&repo().join("src"))
        .into_iter()
        .filter(|file| {
            let relative = file
                .strip_prefix(repo())
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            !allowed.contains(&relative.as_str()) && !relative.ends_with("tests.rs")
        })
        .flat_map(|file| {
            non_test_code(&file)
                .lines()
                .filter(|line| vendors.iter().any(|vendor| line.contains(vendor)))
                .map(|line| format!("{}: {}", file.display(), line.trim()))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(
        offenders.is_empty(),
        "vendors named outside the registry: {offenders:#?}"
    );
}
