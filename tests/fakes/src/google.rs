//! Google: OAuth 2.0 / OpenID Connect endpoints and the Calendar v3 calls Openslot uses.
//!
//! Wire shapes follow the Calendar v3 discovery document
//! (googleapis/google-api-python-client, googleapiclient/discovery_cache/documents/calendar.v3.json):
//! `freebusy.query` (FreeBusyRequest/FreeBusyResponse, FreeBusyCalendar.errors[]),
//! `events.insert` (`conferenceDataVersion`, `sendUpdates`; ConferenceData,
//! CreateConferenceRequest.requestId, ConferenceRequestStatus.statusCode
//! pending/success/failure, EntryPoint.entryPointType `video`), `events.get/patch/update/delete`
//! and `calendarList.list`. Error bodies are Google's JSON error format.
//!
//! Behaviour worth knowing: events created here also count as busy in freeBusy
//! (unless `transparency: "transparent"`), as on a real calendar; a repeated
//! `createRequest.requestId` returns the event already made with it; an explicit
//! duplicate `id` is a 409 `duplicate`; deleting twice is a 410 `deleted`; a token
//! without the scope a call needs gets 403 `insufficientPermissions` (see `Need`: freeBusy,
//! calendarList and event reads and writes each take their own scopes, so a grant missing
//! one unticked scope fails exactly those calls).

use crate::http::{percent_decode, Req, Resp};
use crate::ids;
use crate::oauth;
use crate::state::{Event, Provider, State};
use crate::time;
use serde_json::{json, Map, Value};

const P: Provider = Provider::Google;
/// Calendars one freeBusy answer covers.
const FREE_BUSY_MAX_CALENDARS: usize = 50;

/// Google's JSON error body for an API (not identity) endpoint.
pub fn api_error(status: u16, reason: &str, message: &str) -> Resp {
    let status_name = match status {
        400 => "INVALID_ARGUMENT",
        401 => "UNAUTHENTICATED",
        403 => "PERMISSION_DENIED",
        404 | 410 => "NOT_FOUND",
        409 => "ALREADY_EXISTS",
        429 => "RESOURCE_EXHAUSTED",
        500 => "INTERNAL",
        503 => "UNAVAILABLE",
        _ => "UNKNOWN",
    };
    Resp::json(
        status,
        &json!({ "error": {
            "code": status,
            "message": message,
            "errors": [{ "domain": "global", "reason": reason, "message": message }],
            "status": status_name,
        }}),
    )
}

fn unauthenticated() -> Resp {
    Resp::json(
        401,
        &json!({ "error": {
            "code": 401,
            "message": "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
            "errors": [{
                "message": "Invalid Credentials", "domain": "global", "reason": "authError",
                "location": "Authorization", "locationType": "header"
            }],
            "status": "UNAUTHENTICATED",
        }}),
    )
    .with_header("WWW-Authenticate", "Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\"")
}

/// Routes a request whose path started with `/google`; `rest` is the real path.
pub fn handle(st: &mut State, req: &Req, rest: &str) -> Resp {
    match (req.method.as_str(), rest) {
        ("GET", "/accounts/o/oauth2/v2/auth") => oauth::authorize(st, P, req),
        ("POST", "/oauth2/token") => oauth::token(st, P, req),
        ("POST", "/oauth2/revoke") => revoke(st, req),
        ("GET" | "POST", "/openidconnect/v1/userinfo") => userinfo(st, req),
        _ => match rest.strip_prefix("/api/calendar/v3/") {
            Some(api) => calendar_api(st, req, api),
            None => api_error(404, "notFound", "Not Found"),
        },
    }
}

fn revoke(st: &mut State, req: &Req) -> Resp {
    let form = req.form();
    let token = crate::http::field(&form, "token")
        .or(req.q("token"))
        .unwrap_or("")
        .to_string();
    match oauth::revoke_token(st, P, &token) {
        Some(()) => Resp::empty(200),
        None => oauth::identity_error(P, 400, "invalid_token", "Token expired or revoked", 0),
    }
}

fn userinfo(st: &mut State, req: &Req) -> Resp {
    let Some(email) = req.bearer().and_then(|t| st.token_owner(P, t)) else {
        return Resp::json(
            401,
            &json!({ "error": "invalid_request", "error_description": "Invalid Credentials" }),
        );
    };
    let Some(a) = st.account(P, &email) else {
        return unauthenticated();
    };
    let given = a.name.split_whitespace().next().unwrap_or("").to_string();
    Resp::json(
        200,
        &json!({
            "sub": a.sub, "name": a.name, "given_name": given,
            "email": a.email, "email_verified": true,
        }),
    )
}

/// What a call needs, by the scopes Google documents for it (the `scopes` of each method
/// in the Calendar v3 discovery document, and the consent texts of the granular scopes in
/// googleapis.dev `CalendarScopes`: `calendar.freebusy` for availability only,
/// `calendar.events.freebusy` "See the availability on Google calendars you have access to",
/// `calendar.events.owned` "See, create, change, and delete events on Google calendars you
/// own", `calendar.calendarlist.readonly` "See the list of Google calendars you're
/// subscribed to").
#[derive(Clone, Copy, PartialEq, Eq)]
enum Need {
    FreeBusy,
    CalendarList,
    ReadEvents,
    WriteEvents,
}

/// Whether any granted scope covers `need`.
fn scope_allows(scope: &str, need: Need) -> bool {
    const BASE: &str = "https://www.googleapis.com/auth/calendar";
    scope
        .split_whitespace()
        .filter_map(|s| s.strip_prefix(BASE))
        .any(|rest| match need {
            Need::FreeBusy => matches!(rest, "" | ".readonly" | ".freebusy" | ".events.freebusy"),
            Need::CalendarList => {
                matches!(
                    rest,
                    "" | ".readonly" | ".calendarlist" | ".calendarlist.readonly"
                )
            }
            Need::ReadEvents => matches!(
                rest,
                "" | ".readonly"
                    | ".events"
                    | ".events.readonly"
                    | ".events.owned"
                    | ".events.owned.readonly"
                    | ".app.created"
            ),
            Need::WriteEvents => {
                matches!(rest, "" | ".events" | ".events.owned" | ".app.created")
            }
        })
}

fn insufficient_scopes() -> Resp {
    Resp::json(
        403,
        &json!({ "error": {
            "code": 403,
            "message": "Request had insufficient authentication scopes.",
            "errors": [{ "message": "Insufficient Permission", "domain": "global", "reason": "insufficientPermissions" }],
            "status": "PERMISSION_DENIED",
        }}),
    )
}

fn calendar_api(st: &mut State, req: &Req, api: &str) -> Resp {
    let Some(tok) = req.bearer().and_then(|t| st.live_token(P, t)) else {
        return unauthenticated();
    };
    let (email, scope) = (tok.email.clone(), tok.scope.clone());
    let need = if api == "freeBusy" {
        Need::FreeBusy
    } else if api.starts_with("users/me/calendarList") {
        Need::CalendarList
    } else if req.method == "GET" {
        Need::ReadEvents
    } else {
        Need::WriteEvents
    };
    if !scope_allows(&scope, need) {
        return insufficient_scopes();
    }
    if let Some(v) = req.q("sendUpdates") {
        if !matches!(v, "all" | "externalOnly" | "none") {
            return api_error(400, "invalid", "Invalid value for: sendUpdates");
        }
    }
    let segs: Vec<String> = api.split('/').map(percent_decode).collect();
    let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
    match (req.method.as_str(), segs.as_slice()) {
        ("POST", ["freeBusy"]) => free_busy(st, req, &email),
        ("GET", ["users", "me", "calendarList"]) => calendar_list(st, req, &email),
        ("POST", ["calendars", cal, "events"]) => insert_event(st, req, &email, cal),
        (m, ["calendars", cal, "events", id]) => match m {
            "GET" => get_event(st, &email, cal, id),
            "PATCH" | "PUT" => update_event(st, req, &email, cal, id, m == "PATCH"),
            "DELETE" => delete_event(st, req, &email, cal, id),
            _ => api_error(405, "methodNotAllowed", "Method Not Allowed"),
        },
        _ => api_error(404, "notFound", "Not Found"),
    }
}

/// Resolves `primary` and checks the calendar belongs to the caller.
fn own_calendar(st: &State, email: &str, cal: &str) -> Option<String> {
    let acct = st.account(P, email)?;
    if cal == "primary" {
        return acct
            .calendars
            .iter()
            .find(|c| c.primary)
            .map(|c| c.id.clone());
    }
    acct.calendars
        .iter()
        .find(|c| c.id.eq_ignore_ascii_case(cal))
        .map(|c| c.id.clone())
}

/// calendarList.list pages as the discovery document says: `maxResults` "By default the value
/// is 100 entries. The page size can never be larger than 250 entries", and `nextPageToken`
/// ("Token used to access the next page of this result") leads on, via `pageToken`.
fn calendar_list(st: &State, req: &Req, email: &str) -> Resp {
    let page_size = match req.q("maxResults").map(str::parse::<usize>) {
        None => 100,
        Some(Ok(n)) if n >= 1 => n.min(250),
        Some(_) => return api_error(400, "invalid", "Invalid value for: maxResults"),
    };
    let start = match req.q("pageToken") {
        None => 0,
        Some(t) => match t.strip_prefix("cl-").and_then(|n| n.parse::<usize>().ok()) {
            Some(n) => n,
            None => return api_error(400, "invalid", "Invalid page token value."),
        },
    };
    let all: Vec<Value> = st
        .account(P, email)
        .map(|a| {
            a.calendars
                .iter()
                .map(|c| {
                    let mut v = json!({
                        "kind": "calendar#calendarListEntry",
                        "etag": format!("\"{}\"", ids::stable(&c.id, ids::DIGITS, 16)),
                        "id": c.id, "summary": c.summary, "timeZone": "UTC",
                        "accessRole": if c.read_only { "reader" } else { "owner" },
                        "selected": true,
                        "conferenceProperties": { "allowedConferenceSolutionTypes": ["hangoutsMeet"] },
                    });
                    if c.primary {
                        v["primary"] = json!(true);
                    }
                    v
                })
                .collect()
        })
        .unwrap_or_default();
    let items: Vec<&Value> = all.iter().skip(start).take(page_size).collect();
    let mut body =
        json!({ "kind": "calendar#calendarList", "etag": "\"p33k9lrlpgnbde0o\"", "items": items });
    if start + page_size < all.len() {
        body["nextPageToken"] = json!(format!("cl-{}", start + page_size));
    } else {
        body["nextSyncToken"] = json!("CPDAlvWDx70CEPDAlvWDx70CGAU=");
    }
    Resp::json(200, &body)
}

/// Busy intervals of one calendar inside [min, max): set periods plus opaque events, merged.
fn busy_intervals(st: &State, email: &str, cal_id: &str, min: i64, max: i64) -> Vec<(i64, i64)> {
    let mut v: Vec<(i64, i64)> = Vec::new();
    if let Some(c) = st
        .account(P, email)
        .and_then(|a| a.calendars.iter().find(|c| c.id == cal_id))
    {
        v.extend(
            c.busy
                .iter()
                .filter(|b| b.show_as != "free")
                .map(|b| (b.start, b.end)),
        );
    }
    for e in st
        .events
        .iter()
        .filter(|e| e.provider == P && e.email == email && e.calendar_id == cal_id && !e.deleted)
    {
        if e.body.get("transparency").and_then(Value::as_str) == Some("transparent")
            || e.body.get("status").and_then(Value::as_str) == Some("cancelled")
        {
            continue;
        }
        if let (Some(s), Some(en)) = (
            event_instant(&e.body["start"]),
            event_instant(&e.body["end"]),
        ) {
            v.push((s, en));
        }
    }
    let mut v: Vec<(i64, i64)> = v
        .into_iter()
        .map(|(s, e)| (s.max(min), e.min(max)))
        .filter(|(s, e)| s < e)
        .collect();
    v.sort();
    let mut merged: Vec<(i64, i64)> = Vec::new();
    for (s, e) in v {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    merged
}

fn event_instant(v: &Value) -> Option<i64> {
    v.get("dateTime")
        .or_else(|| v.get("date"))
        .and_then(Value::as_str)
        .and_then(time::parse)
}

fn free_busy(st: &mut State, req: &Req, email: &str) -> Resp {
    let body = match req.json() {
        Ok(v) => v,
        Err(e) => return api_error(400, "parseError", &format!("Parse Error: {e}")),
    };
    if let Some(refused) = body
        .as_object()
        .and_then(|m| unknown_fields(m, &FREE_BUSY_FIELDS))
    {
        return refused;
    }
    let parse = |k: &str| {
        body.get(k)
            .and_then(Value::as_str)
            .map(|s| (s, time::parse(s)))
    };
    let (min, max) = match (parse("timeMin"), parse("timeMax")) {
        (None, _) => return api_error(400, "required", "Missing timeMin parameter."),
        (_, None) => return api_error(400, "required", "Missing timeMax parameter."),
        (Some((_, Some(a))), Some((_, Some(b)))) => (a, b),
        _ => return api_error(400, "invalid", "Bad Request"),
    };
    if max <= min {
        return api_error(400, "timeRangeEmpty", "The specified time range is empty.");
    }
    let marker = st.knobs.privacy_marker.clone();
    let mut calendars = Map::new();
    let items = body
        .get("items")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for (n, item) in items.into_iter().enumerate() {
        let Some(id) = item.get("id").and_then(Value::as_str) else {
            continue;
        };
        if n >= FREE_BUSY_MAX_CALENDARS {
            // FreeBusyRequest.calendarExpansionMax: "Maximum value is 50"; the Error reasons
            // of the answer name "tooManyCalendarsRequested".
            calendars.insert(
                id.to_string(),
                json!({ "errors": [{ "domain": "global", "reason": "tooManyCalendarsRequested" }], "busy": [] }),
            );
            continue;
        }
        let entry = match own_calendar(st, email, id) {
            Some(cal_id) => {
                let busy: Vec<Value> = busy_intervals(st, email, &cal_id, min, max)
                    .into_iter()
                    .map(|(s, e)| json!({ "start": time::rfc3339(s), "end": time::rfc3339(e) }))
                    .collect();
                let mut entry = json!({ "busy": busy });
                if let Some(m) = &marker {
                    // Privacy bait: a field the real API might add, with details that must not leak.
                    entry["busyDetails"] = json!([{
                        "summary": format!("{m} summary"),
                        "location": format!("{m} location"),
                        "attendees": [format!("{}-attendee@example.com", m.to_ascii_lowercase())],
                    }]);
                }
                entry
            }
            None => json!({ "errors": [{ "domain": "global", "reason": "notFound" }], "busy": [] }),
        };
        calendars.insert(id.to_string(), entry);
    }
    Resp::json(
        200,
        &json!({
            "kind": "calendar#freeBusy",
            "timeMin": time::rfc3339_millis(min),
            "timeMax": time::rfc3339_millis(max),
            "calendars": calendars,
        }),
    )
}

/// The Event schema's properties in the Calendar v3 discovery document. Google's JSON mapping
/// refuses any other name with 400 `INVALID_ARGUMENT` ("Invalid JSON payload received.
/// Unknown name ...: Cannot find field."), so a misspelt field fails here as it would there.
const EVENT_FIELDS: [&str; 43] = [
    "anyoneCanAddSelf",
    "attachments",
    "attendees",
    "attendeesOmitted",
    "birthdayProperties",
    "colorId",
    "conferenceData",
    "created",
    "creator",
    "description",
    "end",
    "endTimeUnspecified",
    "etag",
    "eventType",
    "extendedProperties",
    "focusTimeProperties",
    "gadget",
    "guestsCanInviteOthers",
    "guestsCanModify",
    "guestsCanSeeOtherGuests",
    "hangoutLink",
    "htmlLink",
    "iCalUID",
    "id",
    "kind",
    "location",
    "locked",
    "organizer",
    "originalStartTime",
    "outOfOfficeProperties",
    "privateCopy",
    "recurrence",
    "recurringEventId",
    "reminders",
    "sequence",
    "source",
    "start",
    "status",
    "summary",
    "transparency",
    "updated",
    "visibility",
    "workingLocationProperties",
];

/// The FreeBusyRequest schema's properties.
const FREE_BUSY_FIELDS: [&str; 6] = [
    "timeMin",
    "timeMax",
    "timeZone",
    "groupExpansionMax",
    "calendarExpansionMax",
    "items",
];

/// Google's answer to a body naming a field its schema does not have.
fn unknown_fields(body: &Map<String, Value>, known: &[&str]) -> Option<Resp> {
    let unknown = body.keys().find(|k| !known.contains(&k.as_str()))?;
    let message =
        format!("Invalid JSON payload received. Unknown name \"{unknown}\": Cannot find field.");
    Some(api_error(400, "invalid", &message))
}

fn valid_event_id(id: &str) -> bool {
    (5..=1024).contains(&id.len()) && id.bytes().all(|b| ids::BASE32HEX.contains(&b))
}

fn meet_code() -> String {
    let l = |n| ids::from_alphabet(ids::LOWER, n);
    format!("{}-{}-{}", l(3), l(4), l(3))
}

/// The event as the API shows it now; advances the pending→success conference state.
fn render(ev: &mut Event) -> Value {
    let mut v = ev.body.clone();
    if let (Some(request_id), Some(code)) = (&ev.conference_request_id, &ev.meet_code) {
        let key = v
            .pointer("/conferenceData/createRequest/conferenceSolutionKey/type")
            .and_then(Value::as_str)
            .unwrap_or("hangoutsMeet")
            .to_string();
        let create = |status: &str| {
            json!({
                "requestId": request_id,
                "conferenceSolutionKey": { "type": key },
                "status": { "statusCode": status },
            })
        };
        if ev.pending_reads_left > 0 {
            ev.pending_reads_left -= 1;
            v["conferenceData"] = json!({ "createRequest": create("pending") });
        } else {
            let uri = format!("https://meet.google.com/{code}");
            v["hangoutLink"] = json!(uri);
            v["conferenceData"] = json!({
                "createRequest": create("success"),
                "entryPoints": [{ "entryPointType": "video", "uri": uri, "label": format!("meet.google.com/{code}") }],
                "conferenceSolution": {
                    "key": { "type": key },
                    "name": "Google Meet",
                    "iconUri": "https://fonts.gstatic.com/s/i/productlogos/meet_2020q4/v6/web-512dp/logo_meet_2020q4_color_2x_web_512dp.png",
                },
                "conferenceId": code,
            });
        }
    }
    if ev.deleted {
        v["status"] = json!("cancelled");
    }
    v
}

fn etag() -> String {
    format!("\"{}\"", ids::number(16))
}

fn insert_event(st: &mut State, req: &Req, email: &str, cal: &str) -> Resp {
    let Some(cal_id) = own_calendar(st, email, cal) else {
        return api_error(404, "notFound", "Not Found");
    };
    // A calendar shared to read only ("reader": "Provides read access to the calendar",
    // calendar.v3.json) takes no events: Google answers 403 `requiredAccessLevel`.
    if st
        .account(P, email)
        .is_some_and(|a| a.calendars.iter().any(|c| c.id == cal_id && c.read_only))
    {
        return api_error(
            403,
            "requiredAccessLevel",
            "You need to have writer access to this calendar.",
        );
    }
    let body = match req.json() {
        Ok(Value::Object(m)) => m,
        Ok(_) => return api_error(400, "badRequest", "Bad Request"),
        Err(e) => return api_error(400, "parseError", &format!("Parse Error: {e}")),
    };
    if let Some(refused) = unknown_fields(&body, &EVENT_FIELDS) {
        return refused;
    }
    if event_instant(body.get("start").unwrap_or(&Value::Null)).is_none() {
        return api_error(400, "required", "Missing start time.");
    }
    if event_instant(body.get("end").unwrap_or(&Value::Null)).is_none() {
        return api_error(400, "required", "Missing end time.");
    }
    let conf_version: u32 = req
        .q("conferenceDataVersion")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    if conf_version > 1 {
        return api_error(400, "invalid", "Invalid conference data version value.");
    }
    let request_id = body
        .get("conferenceData")
        .filter(|_| conf_version >= 1)
        .and_then(|c| c.pointer("/createRequest/requestId"))
        .and_then(Value::as_str)
        .map(str::to_string);
    if let Some(rid) = &request_id {
        if let Some(ev) = st.events.iter_mut().find(|e| {
            e.provider == P
                && e.email == email
                && e.calendar_id == cal_id
                && e.conference_request_id.as_deref() == Some(rid.as_str())
        }) {
            return Resp::json(200, &render(ev));
        }
    }
    let id = match body.get("id").and_then(Value::as_str) {
        Some(id) if !valid_event_id(id) => {
            return api_error(400, "invalid", "Invalid resource id value.")
        }
        Some(id) => {
            if st.events.iter().any(|e| e.provider == P && e.id == id) {
                return api_error(409, "duplicate", "The requested identifier already exists.");
            }
            id.to_string()
        }
        None => ids::from_alphabet(ids::BASE32HEX, 26),
    };
    let now = time::rfc3339_millis(time::now());
    let mut v = body;
    if conf_version == 0 {
        // Without conferenceDataVersion=1 Google ignores conferenceData entirely.
        v.remove("conferenceData");
    }
    v.remove("hangoutLink");
    v.insert("kind".into(), json!("calendar#event"));
    v.insert("etag".into(), json!(etag()));
    v.insert("id".into(), json!(id));
    v.entry("status").or_insert(json!("confirmed"));
    v.insert(
        "htmlLink".into(),
        json!(format!("https://www.google.com/calendar/event?eid={id}")),
    );
    v.insert("created".into(), json!(now));
    v.insert("updated".into(), json!(now));
    v.insert("creator".into(), json!({ "email": email, "self": true }));
    v.insert("organizer".into(), json!({ "email": cal_id, "self": true }));
    v.entry("iCalUID")
        .or_insert(json!(format!("{id}@google.com")));
    v.insert("sequence".into(), json!(0));
    v.entry("reminders")
        .or_insert(json!({ "useDefault": true }));
    v.entry("eventType").or_insert(json!("default"));
    if let Some(Value::Array(att)) = v.get_mut("attendees") {
        for a in att.iter_mut() {
            if let Value::Object(o) = a {
                o.entry("responseStatus").or_insert(json!("needsAction"));
            }
        }
    }
    let mut ev = Event {
        provider: P,
        email: email.to_string(),
        calendar_id: cal_id,
        id,
        meet_code: request_id.as_ref().map(|_| meet_code()),
        conference_request_id: request_id,
        pending_reads_left: st
            .account(P, email)
            .and_then(|a| a.conference_pending_reads)
            .unwrap_or(st.knobs.conference_pending_reads),
        transaction_id: None,
        send_updates: vec![req.q("sendUpdates").map(str::to_string)],
        deleted: false,
        body: Value::Object(v),
    };
    let out = render(&mut ev);
    st.events.push(ev);
    Resp::json(200, &out)
}

fn find_event<'a>(
    st: &'a mut State,
    email: &str,
    cal: &str,
    id: &str,
) -> Result<&'a mut Event, Resp> {
    let Some(cal_id) = own_calendar(st, email, cal) else {
        return Err(api_error(404, "notFound", "Not Found"));
    };
    st.events
        .iter_mut()
        .find(|e| e.provider == P && e.email == email && e.calendar_id == cal_id && e.id == id)
        .ok_or_else(|| api_error(404, "notFound", "Not Found"))
}

fn get_event(st: &mut State, email: &str, cal: &str, id: &str) -> Resp {
    match find_event(st, email, cal, id) {
        Ok(ev) => Resp::json(200, &render(ev)),
        Err(r) => r,
    }
}

fn update_event(st: &mut State, req: &Req, email: &str, cal: &str, id: &str, patch: bool) -> Resp {
    let body = match req.json() {
        Ok(Value::Object(m)) => m,
        Ok(_) => return api_error(400, "badRequest", "Bad Request"),
        Err(e) => return api_error(400, "parseError", &format!("Parse Error: {e}")),
    };
    if let Some(refused) = unknown_fields(&body, &EVENT_FIELDS) {
        return refused;
    }
    let send_updates = req.q("sendUpdates").map(str::to_string);
    let ev = match find_event(st, email, cal, id) {
        Ok(ev) => ev,
        Err(r) => return r,
    };
    if ev.deleted {
        return api_error(410, "deleted", "Resource has been deleted");
    }
    let Value::Object(old) = ev.body.clone() else {
        return api_error(500, "backendError", "Backend Error");
    };
    const KEEP: [&str; 7] = [
        "kind",
        "id",
        "created",
        "creator",
        "organizer",
        "iCalUID",
        "htmlLink",
    ];
    let mut v = if patch { old.clone() } else { Map::new() };
    for k in KEEP {
        if let Some(x) = old.get(k) {
            v.insert(k.into(), x.clone());
        }
    }
    for (k, x) in body {
        if !KEEP.contains(&k.as_str()) && k != "conferenceData" && k != "hangoutLink" {
            v.insert(k, x);
        }
    }
    if !patch {
        v.entry("status").or_insert(json!("confirmed"));
    }
    let seq = old.get("sequence").and_then(Value::as_u64).unwrap_or(0) + 1;
    v.insert("sequence".into(), json!(seq));
    v.insert("etag".into(), json!(etag()));
    v.insert("updated".into(), json!(time::rfc3339_millis(time::now())));
    if let Some(c) = old.get("conferenceData") {
        v.insert("conferenceData".into(), c.clone());
    }
    ev.body = Value::Object(v);
    ev.send_updates.push(send_updates);
    let out = render(ev);
    Resp::json(200, &out)
}

fn delete_event(st: &mut State, req: &Req, email: &str, cal: &str, id: &str) -> Resp {
    let send_updates = req.q("sendUpdates").map(str::to_string);
    let ev = match find_event(st, email, cal, id) {
        Ok(ev) => ev,
        Err(r) => return r,
    };
    if ev.deleted {
        return api_error(410, "deleted", "Resource has been deleted");
    }
    ev.deleted = true;
    ev.send_updates.push(send_updates);
    Resp::empty(204)
}
