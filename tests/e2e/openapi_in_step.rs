//! openapi.yaml and the Worker's JSON API stay in step: the routes and methods in
//! `API_ROUTES` (src/http/mod.rs, which also answers 405s with them) must be exactly the paths
//! and operations openapi.yaml describes, and every operation that needs a token documents
//! its 401. Reads both files as text; no YAML library needed for this fixed layout.

use std::collections::BTreeSet;

use crate::support::world::repo_root;

/// `(path, METHOD)` pairs from the `API_ROUTES` list, path parameters written `{}`.
fn code_routes() -> BTreeSet<(String, String)> {
    let source = std::fs::read_to_string(repo_root().join("src/http/mod.rs")).unwrap();
    let start = source
        .find("const API_ROUTES")
        .expect("src/http/mod.rs declares API_ROUTES");
    let block = &source[start..];
    let block = &block[..block.find("];").expect("the list ends")];
    let mut routes = BTreeSet::new();
    for line in block
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("(\"/"))
    {
        let mut quoted = line.split('"').skip(1).step_by(2);
        let (path, methods) = (quoted.next().unwrap(), quoted.next().unwrap());
        for method in methods.split(',') {
            routes.insert((normalise(path), method.trim().to_owned()));
        }
    }
    routes
}

/// `{name}` path parameters as `{}`, so names need not agree.
fn normalise(path: &str) -> String {
    path.split('/')
        .map(|part| if part.starts_with('{') { "{}" } else { part })
        .collect::<Vec<_>>()
        .join("/")
}

const METHODS: [&str; 7] = ["get", "put", "post", "delete", "patch", "head", "options"];

/// `(path, METHOD)` pairs under `paths:` in openapi.yaml, and those whose operation declares
/// `security` without a documented 401.
fn spec_routes() -> (BTreeSet<(String, String)>, Vec<String>) {
    let spec = std::fs::read_to_string(repo_root().join("openapi.yaml")).unwrap();
    let mut routes = BTreeSet::new();
    let mut missing_401 = Vec::new();
    let mut in_paths = false;
    let mut path = String::new();
    // (operation, saw security, saw 401)
    let mut operation: Option<(String, bool, bool)> = None;
    let mut finish = |operation: &mut Option<(String, bool, bool)>| {
        if let Some((name, security, has_401)) = operation.take() {
            if security && !has_401 {
                missing_401.push(name);
            }
        }
    };
    for line in spec.lines() {
        if !line.starts_with(' ') && !line.trim().is_empty() {
            finish(&mut operation);
            in_paths = line.trim_end() == "paths:";
            continue;
        }
        if !in_paths {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let key = line.trim().trim_end_matches(':');
        if indent == 2 && line.trim_end().ends_with(':') {
            finish(&mut operation);
            path = normalise(key);
        } else if indent == 4 && METHODS.contains(&key) && line.trim_end().ends_with(':') {
            finish(&mut operation);
            routes.insert((path.clone(), key.to_ascii_uppercase()));
            operation = Some((format!("{} {path}", key.to_ascii_uppercase()), false, false));
        } else if let Some((_, security, has_401)) = operation.as_mut() {
            if indent == 6 && line.trim_start().starts_with("security:") {
                *security = true;
            }
            if indent == 8 && line.trim_start().starts_with("\"401\":") {
                *has_401 = true;
            }
        }
    }
    finish(&mut operation);
    (routes, missing_401)
}

#[test]
fn openapi_yaml_describes_exactly_the_api_routes_of_the_code() {
    let code = code_routes();
    let (spec, missing_401) = spec_routes();
    assert!(code.len() >= 10, "API_ROUTES was read: {code:?}");
    let undocumented: Vec<_> = code.difference(&spec).collect();
    let unserved: Vec<_> = spec.difference(&code).collect();
    assert!(
        undocumented.is_empty(),
        "routes missing from openapi.yaml: {undocumented:?}"
    );
    assert!(
        unserved.is_empty(),
        "openapi.yaml describes routes the Worker does not serve: {unserved:?}"
    );
    assert!(
        missing_401.is_empty(),
        "operations with `security` but no 401 response: {missing_401:?}"
    );
}

#[test]
fn openapi_yaml_declares_the_bearer_scheme() {
    let spec = std::fs::read_to_string(repo_root().join("openapi.yaml")).unwrap();
    assert!(
        spec.contains("  securitySchemes:\n    bearer:\n      type: http\n      scheme: bearer\n")
    );
}
