//! Microsoft: identity platform v2.0 authorize/token and the Graph v1.0 calls Openslot uses.
//!
//! Shapes follow microsoftgraph/microsoft-graph-docs-contrib:
//! `api-reference/v1.0/api/user-list-calendarview.md` (startDateTime/endDateTime,
//! `Prefer: outlook.timezone`, collection in `value`, OData paging via `@odata.nextLink`),
//! `api-reference/v1.0/api/user-post-events.md` and `api-reference/v1.0/resources/event.md`
//! (`isOnlineMeeting`, `onlineMeetingProvider: teamsForBusiness`, `onlineMeeting.joinUrl`,
//! `transactionId` to avoid duplicate creates on retry, `showAs` values), and Graph's
//! error body `{ "error": { "code", "message", "innerError" } }`.
//!
//! Limits: the fakes have no time-zone database, so every `dateTime` is answered in
//! UTC with `timeZone: "UTC"` (correctly labelled) whatever `Prefer` asks for, and
//! event times sent with another `timeZone` are read as UTC. Created events appear
//! in calendarView like on a real calendar. Least-privilege scopes are enforced
//! (403 `ErrorAccessDenied`): `/me` needs User.Read, reads need Calendars.Read
//! (or ReadBasic/ReadWrite), writes need Calendars.ReadWrite.

use crate::http::{percent_decode, Req, Resp};
use crate::ids;
use crate::oauth;
use crate::state::{Event, Provider, State};
use crate::time;
use serde_json::{json, Map, Value};

const P: Provider = Provider::Microsoft;
const DEFAULT_PAGE: usize = 10;

/// Graph's JSON error body.
pub fn graph_error(status: u16, code: &str, message: &str) -> Resp {
    Resp::json(
        status,
        &json!({ "error": {
            "code": code,
            "message": message,
            "innerError": {
                "date": time::rfc3339(time::now()),
                "request-id": ids::uuid(),
                "client-request-id": ids::uuid(),
            }
        }}),
    )
}

/// Routes a request whose path started with `/microsoft`; `rest` is the real path.
pub fn handle(st: &mut State, req: &Req, rest: &str) -> Resp {
    if let Some(login) = rest.strip_prefix("/login/") {
        let mut parts = login.splitn(2, '/');
        let tenant = parts.next().unwrap_or("");
        let endpoint = parts.next().unwrap_or("");
        if tenant.is_empty() {
            return oauth::identity_error(P, 400, "invalid_tenant", "Tenant not found.", 90_002);
        }
        return match (req.method.as_str(), endpoint) {
            ("GET", "oauth2/v2.0/authorize") => oauth::authorize(st, P, req),
            ("POST", "oauth2/v2.0/token") => oauth::token(st, P, req),
            _ => oauth::identity_error(P, 404, "invalid_request", "Endpoint not found.", 900_561),
        };
    }
    let Some(api) = rest.strip_prefix("/graph/v1.0/") else {
        return graph_error(404, "BadRequest", "Resource not found for the segment.");
    };
    let Some(tok) = req.bearer().and_then(|t| st.live_token(P, t)) else {
        let msg = if req.bearer().is_none() {
            "Access token is empty."
        } else {
            "Access token has expired or is not yet valid."
        };
        return graph_error(401, "InvalidAuthenticationToken", msg).with_header(
            "WWW-Authenticate",
            "Bearer realm=\"\", error=\"invalid_token\"",
        );
    };
    let (email, scope) = (tok.email.clone(), tok.scope.clone());
    let raw: Vec<String> = api.split('/').map(percent_decode).collect();
    let lower: Vec<String> = raw.iter().map(|s| s.to_ascii_lowercase()).collect();
    let lower: Vec<&str> = lower.iter().map(String::as_str).collect();
    let needed: &[&str] = match (req.method.as_str(), lower.first()) {
        ("GET", Some(_)) if lower.len() == 1 => {
            &["user.read", "user.readbasic.all", "user.read.all"]
        }
        ("GET", _) => &[
            "calendars.readbasic",
            "calendars.read",
            "calendars.readwrite",
        ],
        _ => &["calendars.readwrite"],
    };
    if !has_scope(&scope, needed) {
        return graph_error(
            403,
            "ErrorAccessDenied",
            "Access is denied. Check credentials and try again.",
        );
    }
    match (req.method.as_str(), lower.as_slice()) {
        ("GET", ["me"]) => me(st, &email),
        ("GET", ["me", "calendarview"] | ["me", "calendar", "calendarview"]) => {
            calendar_view(st, req, &email, None)
        }
        ("GET", ["me", "calendars"]) => list_calendars(st, req, &email),
        ("GET", ["me", "calendars", _, "calendarview"]) => {
            let id = raw[2].clone();
            calendar_view(st, req, &email, Some(&id))
        }
        ("POST", ["me", "events"] | ["me", "calendar", "events"]) => {
            create_event(st, req, &email, None)
        }
        // Create event in a given calendar (api-reference/v1.0/api/calendar-post-events.md:
        // `POST /me/calendars/{id}/events`).
        ("POST", ["me", "calendars", _, "events"]) => {
            let id = raw[2].clone();
            create_event(st, req, &email, Some(&id))
        }
        (m, ["me", "events", _]) => {
            let id = &raw[2];
            match m {
                "GET" => with_event(st, &email, id, |ev| {
                    fill_online_meeting(ev);
                    Resp::json(200, &ev.body)
                }),
                "PATCH" => patch_event(st, req, &email, id),
                "DELETE" => with_event(st, &email, id, |ev| {
                    ev.deleted = true;
                    Resp::empty(204)
                }),
                _ => graph_error(405, "Request_BadRequest", "Method not allowed."),
            }
        }
        _ => graph_error(400, "BadRequest", "Resource not found for the segment."),
    }
}

/// Whether any granted scope (bare or as a `https://graph.microsoft.com/` URL) is in `needed`.
fn has_scope(granted: &str, needed: &[&str]) -> bool {
    granted.split_whitespace().any(|s| {
        let bare = s.strip_prefix("https://graph.microsoft.com/").unwrap_or(s);
        needed.iter().any(|n| bare.eq_ignore_ascii_case(n))
    })
}

fn me(st: &State, email: &str) -> Resp {
    let Some(a) = st.account(P, email) else {
        return graph_error(404, "Request_ResourceNotFound", "Resource does not exist.");
    };
    let mut names = a.name.splitn(2, ' ');
    let given = names.next().unwrap_or("");
    let surname = names.next().unwrap_or("");
    Resp::json(
        200,
        &json!({
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users/$entity",
            "businessPhones": [], "displayName": a.name, "givenName": given,
            "jobTitle": null, "mail": a.email, "mobilePhone": null, "officeLocation": null,
            "preferredLanguage": null, "surname": surname,
            "userPrincipalName": a.email, "id": a.sub,
        }),
    )
}

fn dtz(t: i64) -> Value {
    json!({ "dateTime": time::graph_local(t), "timeZone": "UTC" })
}

/// The `outlook.timezone` preference from a `Prefer` header, if any.
fn preferred_zone(req: &Req) -> Option<String> {
    let prefer = req.header("prefer")?;
    prefer.split(',').find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("outlook.timezone")
            .then(|| v.trim().trim_matches('"').to_string())
    })
}

/// `GET /me/calendars` (api-reference/v1.0/api/user-list-calendars.md): every calendar of the
/// user as calendar resources (`id`, `name`, `isDefaultCalendar`, `canEdit`, `owner`, ...),
/// paged like every Graph collection: `$top`, then `@odata.nextLink` (paging.md).
fn list_calendars(st: &State, req: &Req, email: &str) -> Resp {
    let top = match req.q("$top").map(str::parse::<usize>) {
        None => DEFAULT_PAGE,
        Some(Ok(n)) if (1..=1000).contains(&n) => n,
        Some(_) => return graph_error(400, "ErrorInvalidParameter", "Invalid value for $top."),
    };
    let skip = req
        .q("$skip")
        .and_then(|s| s.parse::<usize>().ok())
        .unwrap_or(0);
    let Some(acct) = st.account(P, email) else {
        return graph_error(
            404,
            "ErrorItemNotFound",
            "The specified object was not found in the store.",
        );
    };
    let all: Vec<Value> = acct
        .calendars
        .iter()
        .map(|c| {
            json!({
                "id": c.id, "name": c.summary, "color": "auto", "hexColor": "",
                "isDefaultCalendar": c.primary, "changeKey": ids::stable(&c.id, ids::ALNUM, 24),
                "canShare": c.primary, "canViewPrivateItems": true, "canEdit": !c.read_only,
                "allowedOnlineMeetingProviders": ["teamsForBusiness"],
                "defaultOnlineMeetingProvider": "teamsForBusiness",
                "isTallyingResponses": true, "isRemovable": !c.primary,
                "owner": { "name": acct.name, "address": acct.email },
            })
        })
        .collect();
    let page: Vec<&Value> = all.iter().skip(skip).take(top).collect();
    let mut body = json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#me/calendars",
        "value": page,
    });
    if skip + top < all.len() {
        body["@odata.nextLink"] = json!(format!(
            "{}{}?$top={top}&$skip={}",
            req.base_url(),
            req.path,
            skip + top
        ));
    }
    Resp::json(200, &body)
}

/// calendarView of the default calendar (`calendar: None`) or of one calendar by id
/// (`/me/calendars/{id}/calendarView`): its busy periods and the events created in it through
/// the API (`/me/events` puts them on the default one).
fn calendar_view(st: &mut State, req: &Req, email: &str, calendar: Option<&str>) -> Resp {
    let (Some(start), Some(end)) = (req.q("startDateTime"), req.q("endDateTime")) else {
        return graph_error(
            400,
            "ErrorInvalidParameter",
            "This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.",
        );
    };
    let (Some(min), Some(max)) = (time::parse(start), time::parse(end)) else {
        return graph_error(
            400,
            "ErrorInvalidParameter",
            "The value of the parameter 'StartDateTime' or 'EndDateTime' is invalid.",
        );
    };
    let top = match req.q("$top").map(str::parse::<usize>) {
        None => DEFAULT_PAGE,
        Some(Ok(n)) if (1..=1000).contains(&n) => n,
        Some(_) => return graph_error(400, "ErrorInvalidParameter", "Invalid value for $top."),
    };
    let skip = req
        .q("$skip")
        .and_then(|s| s.parse::<usize>().ok())
        .unwrap_or(0);
    let select: Option<Vec<String>> = req.q("$select").map(|s| {
        s.split(',')
            .map(|f| f.trim().to_string())
            .filter(|f| !f.is_empty())
            .collect()
    });

    // (start, end, full resource) of everything on the calendar overlapping the window.
    let mut items: Vec<(i64, i64, Map<String, Value>)> = Vec::new();
    let chosen = st.account(P, email).and_then(|a| {
        a.calendars.iter().find(|c| match calendar {
            None => c.primary,
            Some(id) => c.id == id,
        })
    });
    if calendar.is_some() && chosen.is_none() {
        return graph_error(
            404,
            "ErrorItemNotFound",
            "The specified object was not found in the store.",
        );
    }
    let default_calendar = chosen.is_some_and(|c| c.primary);
    if let Some(cal) = chosen {
        for b in &cal.busy {
            let id = format!(
                "AAMkAGI2TG93AAA{}",
                ids::stable(&format!("{email} {} {}", b.start, b.end), ids::ALNUM, 40)
            );
            let v = json!({
                "@odata.etag": format!("W/\"{}\"", ids::stable(&id, ids::ALNUM, 24)),
                "id": id, "subject": "Busy", "isAllDay": false, "isCancelled": false,
                "showAs": b.show_as, "type": "singleInstance", "sensitivity": "normal",
                "start": dtz(b.start), "end": dtz(b.end),
            });
            if let Value::Object(m) = v {
                items.push((b.start, b.end, m));
            }
        }
    }
    for e in st
        .events
        .iter()
        .filter(|e| e.provider == P && e.email == email && !e.deleted)
        .filter(|e| match chosen {
            Some(c) if !default_calendar => e.calendar_id == c.id,
            _ => default_calendar && e.calendar_id == "calendar",
        })
    {
        let at = |k: &str| {
            e.body
                .pointer(&format!("/{k}/dateTime"))
                .and_then(Value::as_str)
                .and_then(time::parse)
        };
        if e.body.get("isCancelled").and_then(Value::as_bool) == Some(true) {
            continue;
        }
        if let (Some(s), Some(en), Value::Object(m)) = (at("start"), at("end"), &e.body) {
            let mut m = m.clone();
            m.remove("@odata.context");
            m.insert("start".into(), dtz(s));
            m.insert("end".into(), dtz(en));
            items.push((s, en, m));
        }
    }
    items.retain(|(s, e, _)| *s < max && *e > min);
    items.sort_by_key(|a| (a.0, a.1));
    let total = items.len();
    let marker = st.knobs.privacy_marker.clone();
    let page: Vec<Value> = items
        .into_iter()
        .skip(skip)
        .take(top)
        .map(|(_, _, full)| {
            let mut out = match &select {
                None => full.clone(),
                Some(fields) => {
                    let mut m = Map::new();
                    for k in ["@odata.etag", "id"] {
                        if let Some(v) = full.get(k) {
                            m.insert(k.into(), v.clone());
                        }
                    }
                    for f in fields {
                        if let Some((k, v)) = full.iter().find(|(k, _)| k.eq_ignore_ascii_case(f)) {
                            m.insert(k.clone(), v.clone());
                        }
                    }
                    m
                }
            };
            if let Some(mk) = &marker {
                // Privacy bait: what a careless $select (or a Graph change) would expose.
                out.insert("subject".into(), json!(format!("{mk} subject")));
                out.insert("bodyPreview".into(), json!(format!("{mk} body preview")));
                out.insert(
                    "location".into(),
                    json!({ "displayName": format!("{mk} location") }),
                );
                out.insert(
                    "attendees".into(),
                    json!([{ "type": "required", "emailAddress": {
                        "name": format!("{mk} attendee"),
                        "address": format!("{}-attendee@example.com", mk.to_ascii_lowercase()),
                    }}]),
                );
            }
            Value::Object(out)
        })
        .collect();
    let sel = select.map(|f| f.join(",")).unwrap_or_default();
    let mut body = json!({
        "@odata.context": format!("https://graph.microsoft.com/v1.0/$metadata#users('{email}')/calendarView({sel})"),
        "value": page,
    });
    if skip + top < total {
        let kept: Vec<&str> = req
            .raw_query
            .split('&')
            .filter(|p| !p.is_empty() && !p.starts_with("$skip=") && !p.starts_with("%24skip="))
            .collect();
        let mut q = kept.join("&");
        if !q.is_empty() {
            q.push('&');
        }
        body["@odata.nextLink"] = json!(format!(
            "{}{}?{q}$skip={}",
            req.base_url(),
            req.path,
            skip + top
        ));
    }
    let mut resp = Resp::json(200, &body);
    if let Some(z) = preferred_zone(req) {
        if z.eq_ignore_ascii_case("utc") {
            resp = resp.with_header("Preference-Applied", "outlook.timezone=\"UTC\"");
        }
    }
    resp
}

/// The event resource's properties (api-reference/v1.0/resources/event.md). Graph refuses a
/// body naming anything else with 400 `RequestBodyRead` ("The property '…' does not exist on
/// type 'microsoft.graph.event'"); `@odata.*` annotations are allowed.
const EVENT_FIELDS: [&str; 50] = [
    "allowNewTimeProposals",
    "attachments",
    "attendees",
    "body",
    "bodyPreview",
    "calendar",
    "cancelledOccurrences",
    "categories",
    "changeKey",
    "createdDateTime",
    "end",
    "exceptionOccurrences",
    "extensions",
    "hasAttachments",
    "hideAttendees",
    "iCalUId",
    "id",
    "importance",
    "instances",
    "isAllDay",
    "isCancelled",
    "isDraft",
    "isOnlineMeeting",
    "isOrganizer",
    "isReminderOn",
    "lastModifiedDateTime",
    "location",
    "locations",
    "multiValueExtendedProperties",
    "onlineMeeting",
    "onlineMeetingProvider",
    "onlineMeetingUrl",
    "organizer",
    "originalEndTimeZone",
    "originalStart",
    "originalStartTimeZone",
    "recurrence",
    "reminderMinutesBeforeStart",
    "responseRequested",
    "responseStatus",
    "sensitivity",
    "seriesMasterId",
    "showAs",
    "singleValueExtendedProperties",
    "start",
    "subject",
    "transactionId",
    "type",
    "webLink",
    "occurrenceId",
];

fn unknown_event_field(body: &Map<String, Value>) -> Option<Resp> {
    let unknown = body
        .keys()
        .find(|k| !k.starts_with('@') && !EVENT_FIELDS.contains(&k.as_str()))?;
    Some(graph_error(
        400,
        "RequestBodyRead",
        &format!(
            "The property '{unknown}' does not exist on type 'microsoft.graph.event'. Make sure \
             to only use property names that are defined by the type or mark the type as open type."
        ),
    ))
}

fn valid_dtz(v: Option<&Value>) -> bool {
    v.and_then(|v| v.get("dateTime"))
        .and_then(Value::as_str)
        .and_then(time::parse)
        .is_some()
}

fn teams_join_url() -> String {
    format!(
        "https://teams.microsoft.com/l/meetup-join/19%3ameeting_{}%40thread.v2/0?context=%7b%22Tid%22%3a%22{}%22%7d",
        ids::token("", 36),
        oauth::MICROSOFT_TENANT_ID
    )
}

/// `calendar`: the calendar named in the path (`None`: the default one). A calendar the user
/// does not have is 404 `ErrorItemNotFound`; one they may not edit (`canEdit: false`,
/// resources/calendar.md) is 403 `ErrorAccessDenied`. The event records the calendar's id, or
/// `calendar` for the default one.
fn create_event(st: &mut State, req: &Req, email: &str, calendar: Option<&str>) -> Resp {
    let calendar_id = match calendar {
        None => "calendar".to_string(),
        Some(id) => {
            let found = st
                .account(P, email)
                .and_then(|a| a.calendars.iter().find(|c| c.id == id))
                .map(|c| (c.primary, c.read_only));
            match found {
                None => {
                    return graph_error(
                        404,
                        "ErrorItemNotFound",
                        "The specified object was not found in the store.",
                    )
                }
                Some((_, true)) => {
                    return graph_error(
                        403,
                        "ErrorAccessDenied",
                        "Access is denied. Check credentials and try again.",
                    )
                }
                Some((true, false)) => "calendar".to_string(),
                Some((false, false)) => id.to_string(),
            }
        }
    };
    let body = match req.json() {
        Ok(Value::Object(m)) => m,
        _ => {
            return graph_error(
                400,
                "RequestBodyRead",
                "Cannot read the request body as an event.",
            )
        }
    };
    if let Some(refused) = unknown_event_field(&body) {
        return refused;
    }
    if !valid_dtz(body.get("start")) || !valid_dtz(body.get("end")) {
        return graph_error(
            400,
            "ErrorInvalidRequest",
            "Your request can't be completed. The start and end of an event are required.",
        );
    }
    let transaction_id = body
        .get("transactionId")
        .and_then(Value::as_str)
        .map(str::to_string);
    if let Some(tid) = &transaction_id {
        if let Some(ev) = st.events.iter().find(|e| {
            e.provider == P && e.email == email && e.transaction_id.as_deref() == Some(tid.as_str())
        }) {
            return Resp::json(201, &ev.body);
        }
    }
    let Some(acct) = st.account(P, email).cloned() else {
        return graph_error(
            404,
            "ErrorItemNotFound",
            "The specified object was not found in the store.",
        );
    };
    let id = format!("AAMkAGI2TG93AAA{}=", ids::from_alphabet(ids::ALNUM, 120));
    let now = format!("{}.0000000Z", &time::rfc3339(time::now())[..19]);
    let change_key = ids::token("", 18);
    let mut v = body;
    let online = v
        .get("isOnlineMeeting")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let provider = v
        .get("onlineMeetingProvider")
        .and_then(Value::as_str)
        .unwrap_or(if online {
            "teamsForBusiness"
        } else {
            "unknown"
        })
        .to_string();
    let set = |m: &mut Map<String, Value>, k: &str, x: Value| {
        m.insert(k.into(), x);
    };
    set(
        &mut v,
        "@odata.context",
        json!(format!(
            "https://graph.microsoft.com/v1.0/$metadata#users('{email}')/events/$entity"
        )),
    );
    set(&mut v, "@odata.etag", json!(format!("W/\"{change_key}\"")));
    set(&mut v, "id", json!(id));
    set(&mut v, "createdDateTime", json!(now));
    set(&mut v, "lastModifiedDateTime", json!(now));
    set(&mut v, "changeKey", json!(change_key));
    set(
        &mut v,
        "iCalUId",
        json!(format!(
            "040000008200E00074C5B7101A82E008{}",
            ids::hex(48).to_ascii_uppercase()
        )),
    );
    set(&mut v, "isOrganizer", json!(true));
    set(&mut v, "isCancelled", json!(false));
    set(&mut v, "type", json!("singleInstance"));
    set(
        &mut v,
        "webLink",
        json!(format!(
            "https://outlook.office365.com/owa/?itemid={id}&exvsurl=1&path=/calendar/item"
        )),
    );
    set(
        &mut v,
        "organizer",
        json!({ "emailAddress": { "name": acct.name, "address": acct.email } }),
    );
    set(
        &mut v,
        "responseStatus",
        json!({ "response": "organizer", "time": "0001-01-01T00:00:00Z" }),
    );
    set(&mut v, "isOnlineMeeting", json!(online));
    set(&mut v, "onlineMeetingProvider", json!(provider));
    // Graph may answer a create with `isOnlineMeeting: true` and `onlineMeeting: null` and
    // fill `onlineMeeting.joinUrl` in later (resources/event.md: onlineMeeting "Details for
    // an attendee to join the meeting online. The default is null."; read the event again).
    let late_reads = acct.online_meeting_late_reads;
    let join = (online && provider == "teamsForBusiness" && late_reads == 0).then(teams_join_url);
    set(
        &mut v,
        "onlineMeeting",
        join.map_or(Value::Null, |u| json!({ "joinUrl": u })),
    );
    v.entry("subject").or_insert(json!(""));
    v.entry("showAs").or_insert(json!("busy"));
    v.entry("isAllDay").or_insert(json!(false));
    v.entry("sensitivity").or_insert(json!("normal"));
    v.entry("importance").or_insert(json!("normal"));
    v.entry("isReminderOn").or_insert(json!(true));
    v.entry("reminderMinutesBeforeStart").or_insert(json!(15));
    v.entry("attendees").or_insert(json!([]));
    if let Some(Value::Array(att)) = v.get_mut("attendees") {
        for a in att.iter_mut() {
            if let Value::Object(o) = a {
                o.entry("status")
                    .or_insert(json!({ "response": "none", "time": "0001-01-01T00:00:00Z" }));
            }
        }
    }
    let body = Value::Object(v);
    st.events.push(Event {
        provider: P,
        email: email.to_string(),
        calendar_id,
        id,
        conference_request_id: None,
        meet_code: None,
        pending_reads_left: if online {
            late_reads.saturating_sub(1)
        } else {
            0
        },
        transaction_id,
        send_updates: Vec::new(),
        deleted: false,
        body: body.clone(),
    });
    Resp::json(201, &body)
}

/// A Teams event whose link was still being made: after its late reads, the link appears.
fn fill_online_meeting(ev: &mut Event) {
    if ev.pending_reads_left > 0 {
        ev.pending_reads_left -= 1;
        return;
    }
    let Value::Object(v) = &mut ev.body else {
        return;
    };
    let online = v.get("isOnlineMeeting").and_then(Value::as_bool) == Some(true);
    if online && v.get("onlineMeeting").is_none_or(Value::is_null) {
        v.insert(
            "onlineMeeting".into(),
            json!({ "joinUrl": teams_join_url() }),
        );
    }
}

fn with_event(st: &mut State, email: &str, id: &str, f: impl FnOnce(&mut Event) -> Resp) -> Resp {
    match st
        .events
        .iter_mut()
        .find(|e| e.provider == P && e.email == email && e.id == id && !e.deleted)
    {
        Some(ev) => f(ev),
        None => graph_error(
            404,
            "ErrorItemNotFound",
            "The specified object was not found in the store.",
        ),
    }
}

fn patch_event(st: &mut State, req: &Req, email: &str, id: &str) -> Resp {
    let patch = match req.json() {
        Ok(Value::Object(m)) => m,
        _ => {
            return graph_error(
                400,
                "RequestBodyRead",
                "Cannot read the request body as an event.",
            )
        }
    };
    if let Some(refused) = unknown_event_field(&patch) {
        return refused;
    }
    with_event(st, email, id, |ev| {
        let Value::Object(v) = &mut ev.body else {
            return graph_error(
                500,
                "generalException",
                "General exception while processing.",
            );
        };
        const READ_ONLY: [&str; 6] = [
            "id",
            "@odata.context",
            "createdDateTime",
            "iCalUId",
            "organizer",
            "changeKey",
        ];
        for (k, x) in patch {
            if !READ_ONLY.contains(&k.as_str()) {
                v.insert(k, x);
            }
        }
        let online = v
            .get("isOnlineMeeting")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        if online && v.get("onlineMeeting").is_none_or(Value::is_null) {
            v.insert("onlineMeetingProvider".into(), json!("teamsForBusiness"));
            v.insert(
                "onlineMeeting".into(),
                json!({ "joinUrl": teams_join_url() }),
            );
        }
        let ck = ids::token("", 18);
        v.insert("changeKey".into(), json!(ck));
        v.insert("@odata.etag".into(), json!(format!("W/\"{ck}\"")));
        v.insert(
            "lastModifiedDateTime".into(),
            json!(format!("{}.0000000Z", &time::rfc3339(time::now())[..19])),
        );
        Resp::json(200, &ev.body)
    })
}
