//! The `/_fake/` control API: tests and `make dev` set accounts, busy periods,
//! failures and knobs, and read back what the Worker did. JSON in, JSON out.
//! Control requests are neither failure-injected nor written to the request log.

use crate::http::{Req, Resp};
use crate::state::{Busy, Failure, Provider, State, DEFAULT_PRIVACY_MARKER};
use crate::time;
use serde_json::{json, Value};

const SHOW_AS: [&str; 6] = [
    "free",
    "tentative",
    "busy",
    "oof",
    "workingElsewhere",
    "unknown",
];

fn bad(msg: &str) -> Resp {
    Resp::json(400, &json!({ "error": msg }))
}

fn ok(extra: Value) -> Resp {
    let mut v = json!({ "ok": true });
    if let (Value::Object(m), Value::Object(e)) = (&mut v, extra) {
        m.extend(e);
    }
    Resp::json(200, &v)
}

fn to_json<T: serde::Serialize>(v: &T) -> Resp {
    Resp::json(200, &serde_json::to_value(v).unwrap_or(Value::Null))
}

/// Routes `/_fake/...`; `rest` is the path after `/_fake`.
pub fn handle(st: &mut State, req: &Req, rest: &str) -> Resp {
    let segs: Vec<&str> = rest.trim_matches('/').split('/').collect();
    let body = || req.json().unwrap_or(Value::Null);
    match (req.method.as_str(), segs.as_slice()) {
        ("GET", [""]) => index(),
        ("POST", ["reset"]) => {
            *st = State::default();
            ok(json!({}))
        }
        ("GET", ["state"]) => to_json(&*st),
        ("GET", ["emails"]) => to_json(&st.emails),
        ("GET", ["events"]) => to_json(&st.events),
        ("GET", ["meetings"]) => to_json(&st.meetings),
        ("GET", ["revocations"]) => to_json(&st.revocations),
        ("GET", ["requests"]) => to_json(&st.requests),
        ("POST", ["fail"]) => match serde_json::from_value::<Failure>(body()) {
            Ok(f) if f.path_prefix.starts_with('/') && f.count > 0 => {
                st.failures.push(f);
                ok(json!({ "pending": st.failures.len() }))
            }
            Ok(_) => bad("path_prefix must start with / and count must be positive"),
            Err(e) => bad(&format!("invalid failure: {e}")),
        },
        ("POST", ["privacy"]) => {
            let b = body();
            let enabled = b.get("enabled").and_then(Value::as_bool).unwrap_or(true);
            let marker = b
                .get("marker")
                .and_then(Value::as_str)
                .filter(|m| !m.is_empty())
                .unwrap_or(DEFAULT_PRIVACY_MARKER);
            st.knobs.privacy_marker = enabled.then(|| marker.to_string());
            ok(json!({ "marker": st.knobs.privacy_marker }))
        }
        ("POST", ["google", "conference-pending"]) => {
            let reads = body().get("reads").and_then(Value::as_u64).unwrap_or(1);
            st.knobs.conference_pending_reads = reads as u32;
            ok(json!({ "reads": reads }))
        }
        ("POST", [p, action]) => match Provider::parse(p) {
            Some(p) => provider_action(st, p, action, &body()),
            None => Resp::json(404, &json!({ "error": format!("unknown provider {p}") })),
        },
        _ => Resp::json(
            404,
            &json!({ "error": "unknown control endpoint; GET /_fake/ lists them" }),
        ),
    }
}

fn provider_action(st: &mut State, p: Provider, action: &str, b: &Value) -> Resp {
    let s = |k: &str| {
        b.get(k)
            .and_then(Value::as_str)
            .filter(|v| !v.trim().is_empty())
    };
    match action {
        "login" => {
            let Some(email) = s("email").filter(|e| e.contains('@')) else {
                return bad("email is required");
            };
            st.set_login(p, email, s("name"), s("sub"));
            to_json(&st.account(p, email))
        }
        "busy" => {
            let Some(email) = s("email").filter(|e| e.contains('@')) else {
                return bad("email is required");
            };
            let mut busy = Vec::new();
            for item in b
                .get("busy")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let t = |k: &str| item.get(k).and_then(Value::as_str).and_then(time::parse);
                let (Some(start), Some(end)) = (t("start"), t("end")) else {
                    return bad("each busy period needs RFC 3339 start and end");
                };
                if end <= start {
                    return bad("busy period ends before it starts");
                }
                let show_as = item
                    .get("show_as")
                    .and_then(Value::as_str)
                    .unwrap_or("busy");
                if !SHOW_AS.contains(&show_as) {
                    return bad(
                        "show_as must be free, tentative, busy, oof, workingElsewhere or unknown",
                    );
                }
                busy.push(Busy {
                    start,
                    end,
                    show_as: show_as.into(),
                });
            }
            st.set_busy(p, email, s("calendar_id"), busy);
            to_json(&st.account(p, email))
        }
        "revoke-all" => {
            let Some(email) = s("email") else {
                return bad("email is required");
            };
            let n = st.revoke_all(p, email);
            ok(json!({ "grants_revoked": n }))
        }
        "token-lifetime" => {
            let Some(secs) = b.get("seconds").and_then(Value::as_u64) else {
                return bad("seconds is required");
            };
            st.knobs.token_lifetime.insert(p, secs);
            ok(json!({ "seconds": secs }))
        }
        "deny" => {
            let n = b.get("count").and_then(Value::as_u64).unwrap_or(1) as u32;
            st.knobs.deny_authorize.insert(p, n);
            ok(json!({ "count": n }))
        }
        _ => Resp::json(404, &json!({ "error": format!("unknown action {action}") })),
    }
}

fn index() -> Resp {
    Resp::json(
        200,
        &json!({
            "POST /_fake/reset": "forget everything",
            "GET /_fake/state": "everything as JSON",
            "POST /_fake/{provider}/login": "{email, name, sub?}: who the next authorize signs in as",
            "POST /_fake/{provider}/busy": "{email, calendar_id?, busy:[{start,end,show_as?}]}",
            "POST /_fake/{provider}/revoke-all": "{email}",
            "POST /_fake/{provider}/token-lifetime": "{seconds}",
            "POST /_fake/{provider}/deny": "{count?}: next authorizes answer access_denied",
            "POST /_fake/fail": "{path_prefix, method?, body_contains?, status?, count?, retry_after?, body?, malformed?, delay_ms?}",
            "POST /_fake/privacy": "{enabled, marker?}: add privacy-bait fields",
            "POST /_fake/google/conference-pending": "{reads}: responses answering pending before success",
            "GET /_fake/emails": "captured emails, oldest first",
            "GET /_fake/events": "calendar events",
            "GET /_fake/meetings": "Zoom meetings",
            "GET /_fake/revocations": "revocations",
            "GET /_fake/requests": "provider requests: method, path, query, status",
            "GET /email/outbox": "captured emails as a page",
        }),
    )
}
