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
            let b = body();
            let reads = b.get("reads").and_then(Value::as_u64).unwrap_or(1) as u32;
            match b.get("email").and_then(Value::as_str) {
                // One account's conferences only: tests running at the same time keep theirs.
                Some(email) => {
                    st.ensure_account(Provider::Google, email, None, None)
                        .conference_pending_reads = Some(reads);
                }
                None => st.knobs.conference_pending_reads = reads,
            }
            ok(json!({ "reads": reads }))
        }
        ("POST", ["microsoft", "online-meeting-late"]) => {
            let b = body();
            let Some(email) = b.get("email").and_then(Value::as_str) else {
                return bad("email is required");
            };
            let reads = b.get("reads").and_then(Value::as_u64).unwrap_or(1) as u32;
            st.ensure_account(Provider::Microsoft, email, None, None)
                .online_meeting_late_reads = reads;
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
        "withhold-scopes" => {
            let Some(email) = s("email").filter(|e| e.contains('@')) else {
                return bad("email is required");
            };
            let scopes: Vec<String> = b
                .get("scopes")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect();
            st.ensure_account(p, email, None, None).withheld_scopes = scopes.clone();
            ok(json!({ "withheld": scopes }))
        }
        "calendars" => {
            let Some(email) = s("email").filter(|e| e.contains('@')) else {
                return bad("email is required");
            };
            let count = b.get("count").and_then(Value::as_u64).unwrap_or(0);
            if count > 2000 {
                return bad("count must be at most 2000");
            }
            let prefix = s("prefix").unwrap_or("extra").to_string();
            // `read_only: true` adds calendars shared with the account to read only.
            let read_only = b.get("read_only").and_then(Value::as_bool).unwrap_or(false);
            let acct = st.ensure_account(p, email, None, None);
            for i in 0..count {
                let id = match p {
                    Provider::Google => format!("{prefix}.{i:04}@group.calendar.google.com"),
                    _ => format!("AAMkAD{prefix}{i:04}AAA="),
                };
                if !acct.calendars.iter().any(|c| c.id == id) {
                    acct.calendars.push(crate::state::Calendar {
                        summary: format!("{prefix} {i:04}"),
                        id,
                        primary: false,
                        read_only,
                        busy: Vec::new(),
                    });
                }
            }
            to_json(&st.account(p, email))
        }
        "delete-event" => {
            // The host deleting the event in their own calendar app.
            let (Some(email), Some(id)) = (s("email"), s("id")) else {
                return bad("email and id are required");
            };
            let email = email.to_ascii_lowercase();
            match st
                .events
                .iter_mut()
                .find(|e| e.provider == p && e.email == email && e.id == id)
            {
                Some(e) => {
                    e.deleted = true;
                    ok(json!({}))
                }
                None => Resp::json(404, &json!({ "error": "no such event" })),
            }
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
            "POST /_fake/fail": "{path_prefix, method?, body_contains?, account?, status?, count?, retry_after?, body?, malformed?, delay_ms?, after_commit?}",
            "POST /_fake/privacy": "{enabled, marker?}: add privacy-bait fields",
            "POST /_fake/google/conference-pending": "{reads, email?}: responses answering pending before success (of one account when email is given)",
            "POST /_fake/microsoft/online-meeting-late": "{email, reads}: Teams events answer onlineMeeting null for this many reads",
            "POST /_fake/{provider}/withhold-scopes": "{email, scopes}: scopes this person unticks at consent",
            "POST /_fake/{provider}/calendars": "{email, count, prefix?, read_only?}: adds this many calendars",
            "POST /_fake/{provider}/delete-event": "{email, id}: the host deletes an event in their calendar app",
            "GET /_fake/emails": "captured emails, oldest first",
            "GET /_fake/events": "calendar events",
            "GET /_fake/meetings": "Zoom meetings",
            "GET /_fake/revocations": "revocations",
            "GET /_fake/requests": "provider requests: method, path, query, status",
            "GET /email/outbox": "captured emails as a page",
        }),
    )
}
