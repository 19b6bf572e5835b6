//! ARCHITECTURE.md's invariants, checked on the source text so a change that breaks one fails
//! `make test` instead of leaving the document wrong: every folder and top-level module under
//! `src/` is in the code map; SQL text appears only in `src/store/`; nothing below `src/http/`
//! imports it; the pure core never names the Worker runtime.

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
