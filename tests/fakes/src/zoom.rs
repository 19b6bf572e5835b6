//! Zoom: OAuth (Basic client auth, rotating single-use refresh tokens) and the REST v2
//! meeting calls Openslot uses.
//!
//! Shapes follow APIs-guru/openapi-directory `APIs/zoom.us/2.0.0/swagger.yaml`
//! (`POST /users/{userId}/meetings` body and 201 response: `id`, `join_url`,
//! `start_url`, `password`, `start_time`, `duration`, `timezone`, `topic`, `settings`;
//! `GET/PATCH/DELETE /meetings/{meetingId}` with 204s) and Zoom's documented error
//! body `{ "code", "message" }` (124 invalid access token, 300 invalid request body,
//! 3001 meeting does not exist). `start_time` is answered in UTC; a local
//! `start_time` with another `timezone` is read as UTC (no zone database here).
//!
//! Also as Zoom documents: `GET /users/me/meetings` honours `type` (`scheduled`, `upcoming`:
//! meetings not yet over) and cuts each `agenda` to 250 characters ("The length of agenda
//! gets truncated to 250 characters when you list all meetings for a user", the List
//! meetings response in Zoom's API reference); `POST /oauth/revoke` takes the ACCESS token
//! (`?token={access_token}`) with the app's Basic credentials (Zoom OAuth docs, "Revoke an
//! access token"): a refresh token there is refused as an invalid token and revokes nothing.

use crate::http::{field, Req, Resp};
use crate::ids;
use crate::oauth;
use crate::state::{Meeting, Provider, State};
use crate::time;
use serde_json::{json, Map, Value};

const P: Provider = Provider::Zoom;

/// Zoom's error body.
pub fn zoom_error(status: u16, code: u32, message: &str) -> Resp {
    Resp::json(status, &json!({ "code": code, "message": message }))
}

fn not_found(id: &str) -> Resp {
    zoom_error(404, 3001, &format!("Meeting does not exist: {id}."))
}

/// Routes a request whose path started with `/zoom`; `rest` is the real path.
pub fn handle(st: &mut State, req: &Req, rest: &str) -> Resp {
    match (req.method.as_str(), rest) {
        ("GET", "/oauth/authorize") => return oauth::authorize(st, P, req),
        ("POST", "/oauth/token") => return oauth::token(st, P, req),
        ("POST", "/oauth/revoke") => return revoke(st, req),
        _ => {}
    }
    let Some(api) = rest.strip_prefix("/api/v2/") else {
        return zoom_error(404, 404, "Not Found");
    };
    let Some(email) = req.bearer().and_then(|t| st.token_owner(P, t)) else {
        return zoom_error(401, 124, "Invalid access token.");
    };
    let segs: Vec<&str> = api.split('/').collect();
    match (req.method.as_str(), segs.as_slice()) {
        ("GET", ["users", "me"]) => me(st, &email),
        ("POST", ["users", "me", "meetings"]) => create(st, req, &email),
        ("GET", ["users", "me", "meetings"]) => list(st, req, &email),
        (m, ["meetings", id]) => {
            let Some(i) = id.parse::<u64>().ok().and_then(|n| {
                st.meetings
                    .iter()
                    .position(|x| x.id == n && x.email == email && !x.deleted)
            }) else {
                return not_found(id);
            };
            match m {
                "GET" => Resp::json(200, &st.meetings[i].body),
                "PATCH" => update(&mut st.meetings[i], req),
                "DELETE" => {
                    st.meetings[i].deleted = true;
                    Resp::empty(204)
                }
                _ => zoom_error(405, 405, "Method Not Allowed"),
            }
        }
        _ => zoom_error(404, 404, "Not Found"),
    }
}

fn revoke(st: &mut State, req: &Req) -> Resp {
    if req
        .basic()
        .is_none_or(|(id, secret)| id.is_empty() || secret.is_empty())
    {
        return oauth::identity_error(
            P,
            401,
            "invalid_client",
            "Invalid client_id or client_secret",
            0,
        );
    }
    let form = req.form();
    let token = req
        .q("token")
        .or(field(&form, "token"))
        .unwrap_or("")
        .to_string();
    let is_access_token = st
        .tokens
        .iter()
        .any(|t| t.provider == P && t.access_token == token);
    if !is_access_token {
        return oauth::identity_error(P, 400, "invalid_request", "Invalid Token!", 0);
    }
    match oauth::revoke_token(st, P, &token) {
        Some(()) => Resp::json(200, &json!({ "status": "success" })),
        None => oauth::identity_error(P, 400, "invalid_request", "Invalid Token!", 0),
    }
}

fn me(st: &State, email: &str) -> Resp {
    let Some(a) = st.account(P, email) else {
        return zoom_error(404, 1001, "User does not exist.");
    };
    let mut names = a.name.splitn(2, ' ');
    Resp::json(
        200,
        &json!({
            "id": a.sub,
            "first_name": names.next().unwrap_or(""),
            "last_name": names.next().unwrap_or(""),
            "display_name": a.name,
            "email": a.email,
            "type": 2,
            "pmi": ids::stable(&a.email, ids::DIGITS, 10).parse::<u64>().unwrap_or(0) + 1_000_000_000,
            "timezone": "UTC",
            "verified": 1,
            "language": "en-US",
            "status": "active",
            "role_name": "Owner",
            "account_id": ids::stable(&format!("account {}", a.email), ids::ALNUM, 22),
        }),
    )
}

/// Zoom's largest `page_size` for meeting lists.
const MAX_PAGE_SIZE: usize = 300;
/// How much of an agenda a list answer keeps (the full text only by meeting id).
const LISTED_AGENDA_CHARS: usize = 250;

fn list(st: &State, req: &Req, email: &str) -> Resp {
    let kind = req.q("type").unwrap_or("scheduled");
    let now = time::now();
    let ends = |m: &Value| {
        let start = m["start_time"].as_str().and_then(time::parse)?;
        Some(start + m["duration"].as_i64().unwrap_or(0) * 60)
    };
    let wanted = |m: &Value| match kind {
        "upcoming" | "upcoming_meetings" => ends(m).is_some_and(|end| end > now),
        "previous_meetings" => ends(m).is_some_and(|end| end <= now),
        _ => true,
    };
    if !matches!(
        kind,
        "scheduled" | "live" | "upcoming" | "upcoming_meetings" | "previous_meetings"
    ) {
        return zoom_error(400, 300, "Invalid field: type.");
    }
    let page_size = req
        .q("page_size")
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(30)
        .clamp(1, MAX_PAGE_SIZE);
    let start = req
        .q("next_page_token")
        .filter(|t| !t.is_empty())
        .and_then(|t| t.strip_prefix("page-"))
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(0);
    let all: Vec<Value> = st
        .meetings
        .iter()
        .filter(|m| m.email == email && !m.deleted && wanted(&m.body))
        .map(|m| {
            let mut listed = m.body.clone();
            if let Some(agenda) = listed["agenda"].as_str() {
                let cut: String = agenda.chars().take(LISTED_AGENDA_CHARS).collect();
                listed["agenda"] = json!(cut);
            }
            listed
        })
        .collect();
    let page: Vec<&Value> = all.iter().skip(start).take(page_size).collect();
    let next = if start + page_size < all.len() {
        format!("page-{}", start + page_size)
    } else {
        String::new()
    };
    Resp::json(
        200,
        &json!({
            "page_size": page_size, "total_records": all.len(),
            "next_page_token": next, "meetings": page,
        }),
    )
}

fn default_settings() -> Map<String, Value> {
    let v = json!({
        "host_video": false, "participant_video": false, "join_before_host": false,
        "mute_upon_entry": false, "watermark": false, "use_pmi": false,
        "approval_type": 2, "audio": "voip", "auto_recording": "none",
        "waiting_room": true, "meeting_authentication": false,
    });
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// Applies the writable fields of a create/update body; `Err` is the 300 message.
fn apply(m: &mut Map<String, Value>, body: &Map<String, Value>) -> Result<(), String> {
    for (k, v) in body {
        match k.as_str() {
            "start_time" => {
                let t = v
                    .as_str()
                    .and_then(time::parse)
                    .ok_or("Invalid field: start_time.")?;
                m.insert(k.clone(), json!(time::rfc3339(t)));
            }
            "duration" | "type" => {
                let n = v.as_u64().ok_or_else(|| format!("Invalid field: {k}."))?;
                m.insert(k.clone(), json!(n));
            }
            "topic" | "agenda" | "timezone" | "password" => {
                let s = v.as_str().ok_or_else(|| format!("Invalid field: {k}."))?;
                m.insert(k.clone(), json!(s));
            }
            "settings" => {
                let Value::Object(given) = v else {
                    return Err("Invalid field: settings.".into());
                };
                let mut s = match m.get("settings") {
                    Some(Value::Object(s)) => s.clone(),
                    _ => default_settings(),
                };
                for (sk, sv) in given {
                    s.insert(sk.clone(), sv.clone());
                }
                m.insert("settings".into(), Value::Object(s));
            }
            _ => {}
        }
    }
    Ok(())
}

fn create(st: &mut State, req: &Req, email: &str) -> Resp {
    let Ok(Value::Object(body)) = req.json() else {
        return zoom_error(400, 300, "Request Body should be a valid JSON object.");
    };
    let Some(acct) = st.account(P, email).cloned() else {
        return zoom_error(404, 1001, "User does not exist.");
    };
    let id = ids::number(11);
    let password = ids::from_alphabet(ids::ALNUM, 6);
    let encrypted = ids::token("", 24);
    let mut m = Map::new();
    m.insert(
        "uuid".into(),
        json!(format!("{}==", ids::from_alphabet(ids::ALNUM, 22))),
    );
    m.insert("id".into(), json!(id));
    m.insert("host_id".into(), json!(acct.sub));
    m.insert("host_email".into(), json!(acct.email));
    m.insert("topic".into(), json!("Zoom Meeting"));
    m.insert("type".into(), json!(2));
    m.insert("status".into(), json!("waiting"));
    m.insert("start_time".into(), json!(time::rfc3339(time::now())));
    m.insert("duration".into(), json!(60));
    m.insert("timezone".into(), json!("UTC"));
    m.insert("created_at".into(), json!(time::rfc3339(time::now())));
    m.insert(
        "start_url".into(),
        json!(format!(
            "https://us05web.zoom.us/s/{id}?zak={}",
            ids::token("eyJ6bV9za20iOiJ6bV9vMm0ifQ.", 48)
        )),
    );
    m.insert(
        "join_url".into(),
        json!(format!("https://us05web.zoom.us/j/{id}?pwd={encrypted}")),
    );
    m.insert("password".into(), json!(password));
    m.insert(
        "h323_password".into(),
        json!(ids::from_alphabet(ids::DIGITS, 6)),
    );
    m.insert(
        "pstn_password".into(),
        json!(ids::from_alphabet(ids::DIGITS, 6)),
    );
    m.insert("encrypted_password".into(), json!(encrypted));
    m.insert("settings".into(), Value::Object(default_settings()));
    m.insert("pre_schedule".into(), json!(false));
    if let Err(msg) = apply(&mut m, &body) {
        return zoom_error(400, 300, &msg);
    }
    let body = Value::Object(m);
    st.meetings.push(Meeting {
        id,
        email: email.to_string(),
        deleted: false,
        body: body.clone(),
    });
    Resp::json(201, &body)
}

fn update(meeting: &mut Meeting, req: &Req) -> Resp {
    let Ok(Value::Object(patch)) = req.json() else {
        return zoom_error(400, 300, "Request Body should be a valid JSON object.");
    };
    let Value::Object(m) = &mut meeting.body else {
        return zoom_error(500, 500, "Internal error.");
    };
    let mut next = m.clone();
    if let Err(msg) = apply(&mut next, &patch) {
        return zoom_error(400, 300, &msg);
    }
    *m = next;
    Resp::empty(204)
}
