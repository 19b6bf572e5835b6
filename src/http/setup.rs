//! `GET /setup`: the operator's first-run page, listing what the instance still lacks
//! (`crate::setup`): HTML for a browser, plain text for `make deploy` (`Accept: text/plain`).
//! It never builds a `Ctx`, so it answers while the configuration does not parse, which is
//! when it is needed most; it names settings and commands, never a value.

use askama::Template;
use worker::{Env, Request, Response};

use crate::app::AppError;
use crate::setup::{check, Database, Finding, Need};
use crate::store::Store;

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    required: Vec<Finding>,
    recommended: Vec<Finding>,
}

/// The first-run page.
pub async fn page(env: &Env, req: &Request) -> Result<Response, AppError> {
    let database = match env.d1("DB") {
        Ok(db) => match Store::new(db).any_host().await {
            Ok(hosts_exist) => Database::Ready { hosts_exist },
            Err(_) => Database::NotMigrated,
        },
        Err(_) => Database::NotMigrated,
    };
    let findings = check(crate::runtime::setting(env), database);
    let wants_text = req
        .headers()
        .get("Accept")
        .ok()
        .flatten()
        .is_some_and(|accept| accept.starts_with("text/plain"));
    if wants_text {
        return Ok(Response::ok(as_text(&findings))?);
    }
    let (required, recommended) = findings.into_iter().partition(|f| f.need == Need::Required);
    Ok(Response::from_html(
        SetupPage {
            required,
            recommended,
        }
        .render()?,
    )?)
}

/// One line a finding, `required` or `recommended` first; `ready` alone when nothing is left.
fn as_text(findings: &[Finding]) -> String {
    if findings.is_empty() {
        return "ready: nothing required or recommended is missing\n".into();
    }
    findings
        .iter()
        .map(|f| {
            let need = match f.need {
                Need::Required => "required",
                Need::Recommended => "recommended",
            };
            format!("{need}\t{}\t{}\t{}\n", f.setting, f.problem, f.fix)
        })
        .collect()
}
