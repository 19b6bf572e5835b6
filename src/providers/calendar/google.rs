//! Google Calendar v3: free/busy for every checked calendar in one request, and the host's
//! event with its Meet conference (insert, read back, move, delete).
//!
//! Shapes from the Calendar v3 discovery document (googleapis/google-api-python-client,
//! `googleapiclient/discovery_cache/documents/calendar.v3.json`): `freebusy.query`
//! (FreeBusyRequest, FreeBusyResponse, FreeBusyCalendar.errors[]), `events.insert`
//! (`conferenceDataVersion`, `sendUpdates`, ConferenceData.createRequest,
//! ConferenceRequestStatus.statusCode, EntryPoint.entryPointType), `events.get`, `events.patch`
//! and `events.delete`. An event `id` must use base32hex characters (a–v, 0–9), 5 to 1024 long;
//! our booking key (lowercase hex) is one, which makes a retried insert a 409 `duplicate`.

use oauth2::AuthType;
use super::CalendarProvider;
use crate::core::meeting_service::MeetingService;
use crate::providers::connect::RevokeBy;
use crate::providers::registry::{AccountFrom, Capabilities, Entry, OAuthEntry};

use chrono::{DateTime, Utc};
use oauth2::http::Method;
use oauth2::{AccessToken, HttpRequest, HttpResponse};
use serde_json::json;

use super::shape::{Field, Shape};
use super::{
    deleted, description_with_link, https_url, location_text, parse_json, request, rfc3339,
    segment, with_query, Api, ApiError, BuildError, Conference, ConferenceStatus, CreatedEvent,
    Deleted, NewEvent,
};
use crate::config::ServiceUrls;
use crate::core::availability::Interval;
use crate::core::types::TimeZoneName;

/// Whether Google emails the attendees about a change (`sendUpdates`), as the host chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendUpdates {
    /// Google sends invitations, updates and cancellations to the attendees.
    All,
    /// Google stays silent (Openslot sends its own emails).
    None,
}

impl SendUpdates {
    fn as_str(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::None => "none",
        }
    }
}

fn calendar_api(urls: &ServiceUrls) -> String {
    format!("{}/calendar/v3", urls.google_api)
}

fn events_url(urls: &ServiceUrls, calendar_id: &str) -> Result<String, BuildError> {
    Ok(format!(
        "{}/calendars/{}/events",
        calendar_api(urls),
        segment(calendar_id)?
    ))
}

fn event_url(urls: &ServiceUrls, calendar_id: &str, event_id: &str) -> Result<String, BuildError> {
    Ok(format!(
        "{}/{}",
        events_url(urls, calendar_id)?,
        segment(event_id)?
    ))
}

/// The Google event id of a booking: the booking key itself, which is valid base32hex.
pub fn event_id(event: &NewEvent) -> &str {
    event.key.as_str()
}

/// The `n`th other id a booking's event may take (`n` ≥ 1) when an event with the earlier
/// one was deleted in the calendar: Google keeps a deleted event readable by id, `cancelled`,
/// and answers a new insert with that id 409. Still base32hex (`v` is in the alphabet), and
/// the same for every retry, so a retried insert still collides instead of duplicating.
pub fn alternate_event_id(event: &NewEvent, n: u32) -> String {
    format!("{}v{n}", event.key.as_str())
}

/// Calendars one `freeBusy` request may name: the FreeBusyRequest's `calendarExpansionMax`
/// ("Maximum value is 50") in the discovery document; beyond it Google answers
/// `tooManyCalendarsRequested` (the Error reasons of FreeBusyCalendar.errors[]).
pub const FREE_BUSY_MAX_CALENDARS: usize = 50;

/// `POST /calendar/v3/freeBusy` for `calendar_ids` over `window`: one request for up to
/// [`FREE_BUSY_MAX_CALENDARS`] calendars (callers split longer lists).
pub fn free_busy(
    urls: &ServiceUrls,
    token: &AccessToken,
    window: Interval,
    calendar_ids: &[&str],
) -> Result<HttpRequest, BuildError> {
    if calendar_ids.is_empty() {
        return Err(BuildError::Invalid("no calendar to check".into()));
    }
    if calendar_ids.len() > FREE_BUSY_MAX_CALENDARS {
        return Err(BuildError::Invalid(format!(
            "freeBusy takes at most {FREE_BUSY_MAX_CALENDARS} calendars per request"
        )));
    }
    let items: Vec<_> = calendar_ids.iter().map(|id| json!({ "id": id })).collect();
    let body = json!({
        "timeMin": rfc3339(&window.start()),
        "timeMax": rfc3339(&window.end()),
        "items": items,
    });
    request(
        Method::POST,
        &format!("{}/freeBusy", calendar_api(urls)),
        token,
        Some(&body),
        &[],
    )
}

/// FreeBusyResponse, reduced to what we read: nothing but periods and error reasons
/// (`calendars` keyed by id, each with `busy` periods and `errors[].reason`).
pub(super) static FREE_BUSY: Shape = Shape::Record(&[Field::or_empty(
    "calendars",
    Shape::Keyed(&Shape::Record(&[
        Field::or_empty(
            "busy",
            Shape::List(&Shape::Record(&[
                Field::new("start", Shape::Text),
                Field::new("end", Shape::Text),
            ])),
        ),
        Field::or_empty(
            "errors",
            Shape::List(&Shape::Record(&[Field::new("reason", Shape::Maybe(&Shape::Text))])),
        ),
    ])),
)]);

/// The busy periods of all `calendar_ids` (the ones asked for), sorted.
///
/// A calendar answered with `errors[]`, or missing from the answer, fails the whole read:
/// busy times from only some calendars could offer a slot that is taken. Backend errors are
/// [`ApiError::Unavailable`] (retry), anything else (`notFound`, …) [`ApiError::Rejected`];
/// both carry the answer's status (200) and, for rejections, Google's reason.
pub fn parse_free_busy(
    response: &HttpResponse,
    calendar_ids: &[&str],
) -> Result<Vec<Interval>, ApiError> {
    let status = response.status().as_u16();
    let answer = parse_json(Api::Google, response, "freeBusy", &FREE_BUSY)?;
    let mut busy = Vec::new();
    for id in calendar_ids {
        let calendar = answer.get("calendars").entry(id).ok_or_else(|| {
            ApiError::Malformed("freeBusy: a checked calendar is missing from the answer".into())
        })?;
        if let Some(error) = calendar.get("errors").items().first() {
            let reason = error.get("reason").text().unwrap_or_default().to_owned();
            return Err(match reason.as_str() {
                "internalError" | "backendError" => ApiError::Unavailable {
                    status,
                    retry_after: None,
                },
                "rateLimitExceeded" | "userRateLimitExceeded" => {
                    ApiError::RateLimited { retry_after: None }
                }
                _ => ApiError::Rejected {
                    status,
                    code: if reason.bytes().all(|b| b.is_ascii_alphanumeric()) {
                        reason
                    } else {
                        String::new()
                    },
                },
            });
        }
        for period in calendar.get("busy").items() {
            let start = instant(period.get("start").text().unwrap_or_default())?;
            let end = instant(period.get("end").text().unwrap_or_default())?;
            // A zero-length period blocks nothing.
            if let Ok(interval) = Interval::new(start, end) {
                busy.push(interval);
            }
        }
    }
    Interval::sort(&mut busy);
    Ok(busy)
}

fn instant(text: &str) -> Result<DateTime<Utc>, ApiError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| ApiError::Malformed("freeBusy: a busy period has an unreadable time".into()))
}

fn event_time(t: DateTime<Utc>, zone: TimeZoneName) -> serde_json::Value {
    json!({ "dateTime": rfc3339(&t), "timeZone": zone.name() })
}

/// `POST /calendars/{calendarId}/events?conferenceDataVersion=1&sendUpdates=…` with the event
/// id `id`: [`event_id`] (the booking key), or an [`alternate_event_id`] after a deleted event
/// took it.
///
/// A retried insert with the same id answers 409 (then read it back with [`get_event`])
/// instead of making a second event; the Meet request carries the same id as its `requestId`,
/// so each id gets its own conference. Reminders follow the host's calendar defaults.
pub fn insert_event_as(
    urls: &ServiceUrls,
    token: &AccessToken,
    calendar_id: &str,
    event: &NewEvent,
    id: &str,
    send_updates: SendUpdates,
) -> Result<HttpRequest, BuildError> {
    let mut body = json!({
        "id": id,
        "summary": event.title,
        "description": description_with_link(event),
        "start": event_time(event.when.start(), event.host_zone),
        "end": event_time(event.when.end(), event.host_zone),
        "attendees": [{
            "email": event.attendee.email.as_str(),
            "displayName": event.attendee.name.as_str(),
        }],
        "reminders": { "useDefault": true },
    });
    if let Some(location) = location_text(event) {
        body["location"] = json!(location);
    }
    if event.conference == Conference::GoogleMeet {
        body["conferenceData"] = json!({
            "createRequest": {
                "requestId": id,
                "conferenceSolutionKey": { "type": "hangoutsMeet" },
            }
        });
    }
    let url = with_query(
        &events_url(urls, calendar_id)?,
        &[
            ("conferenceDataVersion", "1"),
            ("sendUpdates", send_updates.as_str()),
        ],
    );
    request(Method::POST, &url, token, Some(&body), &[])
}

/// `GET /users/me/calendarList`: the calendars the host may pick to be checked for conflicts
/// (names only, shown to the host on the connections page and never stored). 250 is the
/// largest page (`maxResults`: "The page size can never be larger than 250 entries"); more
/// follow: `page_token` is the `nextPageToken` of the previous answer.
pub fn calendar_list_page(
    urls: &ServiceUrls,
    token: &AccessToken,
    page_token: Option<&str>,
) -> Result<HttpRequest, BuildError> {
    let mut pairs = vec![("minAccessRole", "freeBusyReader"), ("maxResults", "250")];
    if let Some(next) = page_token.filter(|t| !t.is_empty()) {
        pairs.push(("pageToken", next));
    }
    let url = with_query(
        &format!("{}/users/me/calendarList", calendar_api(urls)),
        &pairs,
    );
    request(Method::GET, &url, token, None, &[])
}

/// One calendar the host can choose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarChoice {
    pub id: String,
    /// The host's own name for it.
    pub name: String,
    pub primary: bool,
    /// Whether the host may add events to it, so it can receive bookings: Google's
    /// `accessRole` `owner` or `writer` ("Provides read and write access to the calendar",
    /// calendar.v3.json, CalendarListEntry), Graph's `canEdit` ("true if the user can write to
    /// the calendar", resources/calendar.md), a CalDAV collection that takes events.
    pub writable: bool,
}

impl CalendarChoice {
    /// Puts the primary calendar first, the others in the provider's order.
    pub fn primary_first(list: &mut Vec<CalendarChoice>) {
        crate::core::sort::sort_by_key(list, &|c| (i64::from(!c.primary), 0));
    }
}

/// CalendarList, reduced to the calendars' ids, names, which is primary and the host's role.
pub(super) static CALENDAR_LIST: Shape = Shape::Record(&[
    Field::or_empty(
        "items",
        Shape::List(&Shape::Record(&[
            Field::new("id", Shape::Text),
            Field::new("summary", Shape::Maybe(&Shape::Text)),
            Field::or_empty("primary", Shape::Flag),
            Field::new("accessRole", Shape::Maybe(&Shape::Text)),
        ])),
    ),
    Field::new("nextPageToken", Shape::Maybe(&Shape::Text)),
]);

/// One `calendarList` page: its calendars (the primary one first) and the token of the next
/// page, if Google has more.
pub fn parse_calendar_list_page(
    response: &HttpResponse,
) -> Result<(Vec<CalendarChoice>, Option<String>), ApiError> {
    let mut answer = parse_json(Api::Google, response, "calendarList", &CALENDAR_LIST)?;
    let next = answer
        .take("nextPageToken")
        .into_text()
        .filter(|t| !t.is_empty());
    let mut calendars: Vec<CalendarChoice> = answer
        .take("items")
        .into_items()
        .into_iter()
        .filter_map(|mut c| {
            let id = c.take("id").into_text().filter(|id| !id.is_empty())?;
            Some(CalendarChoice {
                name: c.take("summary").into_text().unwrap_or_else(|| id.clone()),
                primary: c.get("primary").flag() == Some(true),
                writable: matches!(
                    c.take("accessRole").into_text().as_deref(),
                    Some("owner" | "writer")
                ),
                id,
            })
        })
        .collect();
    CalendarChoice::primary_first(&mut calendars);
    Ok((calendars, next))
}

/// `GET /calendars/{calendarId}/events/{eventId}`: polls a pending Meet conference, and
/// recovers the event after an insert answered 409.
pub fn get_event(
    urls: &ServiceUrls,
    token: &AccessToken,
    calendar_id: &str,
    event_id: &str,
) -> Result<HttpRequest, BuildError> {
    request(
        Method::GET,
        &event_url(urls, calendar_id, event_id)?,
        token,
        None,
        &[],
    )
}

/// The Event resource, reduced to id, status, the conference (`conferenceData`:
/// `createRequest.status.statusCode` and the `entryPoints`) and the start: EventDateTime's
/// `dateTime`, which carries its offset (all-day `date` events are never ours).
pub(super) static EVENT: Shape = Shape::Record(&[
    Field::new("id", Shape::Text),
    Field::new("status", Shape::Maybe(&Shape::Text)),
    Field::new("hangoutLink", Shape::Maybe(&Shape::Text)),
    Field::new(
        "conferenceData",
        Shape::Maybe(&Shape::Record(&[
            Field::new(
                "createRequest",
                Shape::Maybe(&Shape::Record(&[Field::new(
                    "status",
                    Shape::Maybe(&Shape::Record(&[Field::new(
                        "statusCode",
                        Shape::Maybe(&Shape::Text),
                    )])),
                )])),
            ),
            Field::or_empty(
                "entryPoints",
                Shape::List(&Shape::Record(&[
                    Field::new("entryPointType", Shape::Maybe(&Shape::Text)),
                    Field::new("uri", Shape::Maybe(&Shape::Text)),
                ])),
            ),
        ])),
    ),
    Field::new(
        "start",
        Shape::Maybe(&Shape::Record(&[Field::new(
            "dateTime",
            Shape::Maybe(&Shape::Text),
        )])),
    ),
]);

/// Reads an event answered by insert, get or patch: its id, the Meet link (`hangoutLink`, else
/// the `video` entry point) and the conference state (`createRequest.status.statusCode`).
pub fn parse_event(response: &HttpResponse) -> Result<CreatedEvent, ApiError> {
    let mut event = parse_json(Api::Google, response, "event", &EVENT)?;
    let event_id = event.take("id").into_text().unwrap_or_default();
    if event_id.is_empty() {
        return Err(ApiError::Malformed("event: empty id".into()));
    }
    let data = event.get("conferenceData");
    let video = data
        .get("entryPoints")
        .items()
        .iter()
        .find(|p| p.get("entryPointType").text() == Some("video"))
        .and_then(|p| p.get("uri").text());
    let meeting_url = event
        .get("hangoutLink")
        .text()
        .and_then(https_url)
        .or_else(|| video.and_then(https_url));
    let create_request = data.get("createRequest");
    let status_code = create_request
        .is_present()
        .then(|| create_request.get("status").get("statusCode").text());
    let conference = match (status_code, &meeting_url) {
        (Some(Some("pending")), _) => ConferenceStatus::Pending,
        (Some(Some("failure")), _) => ConferenceStatus::Failed,
        (_, Some(_)) => ConferenceStatus::Ready,
        // Asked for, but answered success (or nothing) without a usable link.
        (Some(_), None) => ConferenceStatus::Failed,
        (None, None) => ConferenceStatus::NotRequested,
    };
    Ok(CreatedEvent {
        event_id,
        meeting_url,
        conference,
        cancelled: event.get("status").text() == Some("cancelled"),
        starts_at: event
            .get("start")
            .get("dateTime")
            .text()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc)),
    })
}

/// `PATCH /calendars/{calendarId}/events/{eventId}?sendUpdates=…` with the new start and end;
/// the answer is the event, read with [`parse_event`].
pub fn move_event(
    urls: &ServiceUrls,
    token: &AccessToken,
    calendar_id: &str,
    event_id: &str,
    when: Interval,
    host_zone: TimeZoneName,
    send_updates: SendUpdates,
) -> Result<HttpRequest, BuildError> {
    let body = json!({
        "start": event_time(when.start(), host_zone),
        "end": event_time(when.end(), host_zone),
    });
    let url = with_query(
        &event_url(urls, calendar_id, event_id)?,
        &[("sendUpdates", send_updates.as_str())],
    );
    request(Method::PATCH, &url, token, Some(&body), &[])
}

/// `DELETE /calendars/{calendarId}/events/{eventId}?sendUpdates=…`.
pub fn delete_event(
    urls: &ServiceUrls,
    token: &AccessToken,
    calendar_id: &str,
    event_id: &str,
    send_updates: SendUpdates,
) -> Result<HttpRequest, BuildError> {
    let url = with_query(
        &event_url(urls, calendar_id, event_id)?,
        &[("sendUpdates", send_updates.as_str())],
    );
    request(Method::DELETE, &url, token, None, &[])
}

/// A delete's answer: 204 is [`Deleted::Now`], 404/410 (Google answers 410 `deleted` for a
/// second delete) [`Deleted::AlreadyGone`].
pub fn parse_deleted(response: &HttpResponse) -> Result<Deleted, ApiError> {
    deleted(Api::Google, response)
}


/// Google Calendar in the provider registry. Scopes: the least that works, and nothing that
/// reads what the host's events are about: `calendar.freebusy` answers busy periods only,
/// `calendar.events.owned` writes events on calendars the host owns,
/// `calendar.calendarlist.readonly` lists calendar names so the host can pick which are
/// checked. The consent texts of the required scopes are those of googleapis.dev
/// `CalendarScopes`; a Google answer lists only what was granted
/// (developers.google.com/identity/protocols/oauth2/resources/granular-permissions: the app
/// "can't assume users grant all requested scopes"). A refresh token is only issued with
/// offline access, and again on a reconnect only when consent is asked for again; revoking the
/// refresh token ends the grant (Google identity docs, "Revoking a token").
pub static ENTRY: Entry = Entry {
    name: "google",
    label: "Google Calendar",
    company: "Google",
    remove_access_at: "myaccount.google.com/permissions",
    capabilities: Capabilities {
        calendar: Some(CalendarProvider::Google),
        meeting: Some(MeetingService::GoogleMeet),
        show_as_states: false,
        emails_invitee: true,
        chooses_event_calendar: false,
    },
    scopes: &[
        "openid",
        "email",
        "https://www.googleapis.com/auth/calendar.freebusy",
        "https://www.googleapis.com/auth/calendar.events.owned",
        "https://www.googleapis.com/auth/calendar.calendarlist.readonly",
    ],
    required_scopes: &[
        (
            "https://www.googleapis.com/auth/calendar.freebusy",
            "See your availability (free and busy times) in your Google calendars",
        ),
        (
            "https://www.googleapis.com/auth/calendar.events.owned",
            "See, create, change, and delete events on Google calendars you own",
        ),
        (
            "https://www.googleapis.com/auth/calendar.calendarlist.readonly",
            "See the list of Google calendars you're subscribed to",
        ),
    ],
    oauth: Some(OAuthEntry {
        authorize: |urls| format!("{}/o/oauth2/v2/auth", urls.google_accounts),
        token: |urls| format!("{}/token", urls.google_oauth2),
        revocation: Some((
            |urls| format!("{}/revoke", urls.google_oauth2),
            RevokeBy::RefreshToken,
        )),
        auth_type: AuthType::RequestBody,
        authorize_params: &[("access_type", "offline"), ("prompt", "consent")],
        login_hint: true,
        // "prompt: A space-delimited, case-sensitive list of prompts": `select_account` asks
        // which account, `consent` keeps the refresh token coming (Google's "Using OAuth 2.0
        // for Web Server Applications", authorization parameters).
        choose_account_prompt: Some("select_account consent"),
        account: AccountFrom::IdToken { prefer_oid: false },
    }),
    own_meetings: None,
    registration: |config| config.google_client.as_ref(),
};

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn free_busy_asks_for_every_calendar_in_one_request() {
        let window = interval("2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z");
        let request = free_busy(
            &urls(),
            &token(),
            window,
            &[
                "ana@example.com",
                "en.usa#holiday@group.v.calendar.google.com",
            ],
        )
        .unwrap();
        assert_eq!(request.method(), Method::POST);
        assert_eq!(
            request.uri().to_string(),
            "https://www.googleapis.com/calendar/v3/freeBusy"
        );
        assert_common_headers(&request);
        assert_eq!(
            json_body(&request),
            json!({
                "timeMin": "2026-03-01T00:00:00Z",
                "timeMax": "2026-04-01T00:00:00Z",
                "items": [
                    { "id": "ana@example.com" },
                    { "id": "en.usa#holiday@group.v.calendar.google.com" },
                ],
            })
        );
        assert!(free_busy(&urls(), &token(), window, &[]).is_err());
    }

    #[test]
    fn free_busy_reads_only_periods_of_all_calendars() {
        // Privacy bait: fields a response might carry that we must not even hold.
        let body = r#"{"kind":"calendar#freeBusy","timeMin":"2026-03-01T00:00:00.000Z",
            "timeMax":"2026-04-01T00:00:00.000Z","calendars":{
            "a@example.com":{"busy":[{"start":"2026-03-02T10:00:00Z","end":"2026-03-02T11:00:00Z"},
                {"start":"2026-03-02T08:00:00+01:00","end":"2026-03-02T08:30:00+01:00"}],
                "busyDetails":[{"summary":"Secret","location":"Room","attendees":["x@example.com"]}]},
            "b@example.com":{"busy":[{"start":"2026-03-03T09:00:00Z","end":"2026-03-03T09:00:00Z"}]}}}"#;
        let busy =
            parse_free_busy(&response(200, body), &["a@example.com", "b@example.com"]).unwrap();
        assert_eq!(
            busy,
            vec![
                interval("2026-03-02T07:00:00Z", "2026-03-02T07:30:00Z"),
                interval("2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z"),
            ]
        );
    }

    #[test]
    fn a_calendar_error_fails_the_whole_read() {
        let with = |reason: &str| {
            format!(
                r#"{{"calendars":{{"a@example.com":{{"busy":[]}},
                "b@example.com":{{"errors":[{{"domain":"global","reason":"{reason}"}}],"busy":[]}}}}}}"#
            )
        };
        let ids = ["a@example.com", "b@example.com"];
        assert_eq!(
            parse_free_busy(&response(200, &with("notFound")), &ids),
            Err(ApiError::Rejected {
                status: 200,
                code: "notFound".into()
            })
        );
        for reason in ["internalError", "backendError"] {
            assert_eq!(
                parse_free_busy(&response(200, &with(reason)), &ids),
                Err(ApiError::Unavailable {
                    status: 200,
                    retry_after: None
                })
            );
        }
        let missing = r#"{"calendars":{"a@example.com":{"busy":[]}}}"#;
        assert!(matches!(
            parse_free_busy(&response(200, missing), &ids),
            Err(ApiError::Malformed(_))
        ));
        let bad_time = r#"{"calendars":{"a@example.com":{"busy":[{"start":"x","end":"y"}]}}}"#;
        assert!(matches!(
            parse_free_busy(&response(200, bad_time), &["a@example.com"]),
            Err(ApiError::Malformed(_))
        ));
        assert!(matches!(
            parse_free_busy(&response(200, r#"{"calendars":"#), &["a@example.com"]),
            Err(ApiError::Malformed(_))
        ));
    }

    #[test]
    fn free_busy_errors_use_googles_error_body() {
        let body = r#"{"error":{"code":403,"message":"Rate Limit Exceeded","errors":[
            {"domain":"usageLimits","reason":"userRateLimitExceeded","message":"Rate Limit Exceeded"}],
            "status":"PERMISSION_DENIED"}}"#;
        assert_eq!(
            parse_free_busy(&response_with(403, &[("Retry-After", "30")], body), &["a"]),
            Err(ApiError::RateLimited {
                retry_after: Some(30)
            })
        );
        let unauthenticated = r#"{"error":{"code":401,"message":"Request had invalid authentication credentials.",
            "errors":[{"message":"Invalid Credentials","domain":"global","reason":"authError",
            "location":"Authorization","locationType":"header"}],"status":"UNAUTHENTICATED"}}"#;
        assert_eq!(
            parse_free_busy(&response(401, unauthenticated), &["a"]),
            Err(ApiError::Unauthorized)
        );
    }

    #[test]
    fn insert_asks_for_meet_with_our_id_and_the_invitee() {
        let event = new_event(Conference::GoogleMeet);
        let request = insert_event_as(
            &urls(),
            &token(),
            "ana@example.com",
            &event,
            event_id(&event),
            SendUpdates::All,
        )
        .unwrap();
        assert_eq!(request.method(), Method::POST);
        assert_eq!(
            request.uri().path(),
            "/calendar/v3/calendars/ana%40example.com/events"
        );
        assert_eq!(
            query(&request),
            vec![
                ("conferenceDataVersion".to_owned(), "1".to_owned()),
                ("sendUpdates".to_owned(), "all".to_owned()),
            ]
        );
        assert_common_headers(&request);
        assert_eq!(
            json_body(&request),
            json!({
                "id": "0123456789abcdef0123456789abcdef",
                "summary": "Intro call with Ana",
                "description": "Booked via Openslot.",
                "start": { "dateTime": "2026-03-02T09:00:00Z", "timeZone": "Europe/Berlin" },
                "end": { "dateTime": "2026-03-02T09:30:00Z", "timeZone": "Europe/Berlin" },
                "attendees": [{ "email": "ana@example.com", "displayName": "Ana Lima" }],
                "reminders": { "useDefault": true },
                "conferenceData": { "createRequest": {
                    "requestId": "0123456789abcdef0123456789abcdef",
                    "conferenceSolutionKey": { "type": "hangoutsMeet" },
                }},
            })
        );
        assert!(event_id(&event)
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'v')));
    }

    #[test]
    fn insert_with_a_foreign_link_puts_it_in_location_and_description() {
        let mut event = new_event(Conference::JoinUrl("https://zoom.example/j/9".into()));
        event.location = None;
        let request =
            insert_event_as(
            &urls(),
            &token(),
            "primary",
            &event,
            event_id(&event),
            SendUpdates::None,
        )
        .unwrap();
        let body = json_body(&request);
        assert_eq!(body["location"], "https://zoom.example/j/9");
        assert_eq!(
            body["description"],
            "Booked via Openslot.\n\nJoin: https://zoom.example/j/9"
        );
        assert!(body.get("conferenceData").is_none());
        assert!(request.uri().query().unwrap().contains("sendUpdates=none"));
    }

    #[test]
    fn events_read_back_with_their_conference_state() {
        let ready = r#"{"kind":"calendar#event","id":"abc123","status":"confirmed",
            "summary":"Secret","attendees":[{"email":"x@example.com"}],
            "hangoutLink":"https://meet.google.com/abc-defg-hij",
            "conferenceData":{"createRequest":{"requestId":"r","conferenceSolutionKey":{"type":"hangoutsMeet"},
            "status":{"statusCode":"success"}},"entryPoints":[{"entryPointType":"video",
            "uri":"https://meet.google.com/abc-defg-hij"}]}}"#;
        assert_eq!(
            parse_event(&response(200, ready)).unwrap(),
            CreatedEvent {
                event_id: "abc123".into(),
                meeting_url: Some("https://meet.google.com/abc-defg-hij".into()),
                conference: ConferenceStatus::Ready,
                cancelled: false,
                starts_at: None,
            }
        );
        let entry_point_only = r#"{"id":"abc123","conferenceData":{"entryPoints":[
            {"entryPointType":"phone","uri":"tel:+1-555"},
            {"entryPointType":"video","uri":"https://meet.google.com/xyz"}]}}"#;
        let event = parse_event(&response(200, entry_point_only)).unwrap();
        assert_eq!(
            event.meeting_url.as_deref(),
            Some("https://meet.google.com/xyz")
        );
        assert_eq!(event.conference, ConferenceStatus::Ready);
        let pending = r#"{"id":"abc123","conferenceData":{"createRequest":{"requestId":"r",
            "status":{"statusCode":"pending"}}}}"#;
        let event = parse_event(&response(200, pending)).unwrap();
        assert_eq!(
            (event.conference, event.meeting_url),
            (ConferenceStatus::Pending, None)
        );
        let failed = r#"{"id":"abc123","conferenceData":{"createRequest":{"status":{"statusCode":"failure"}}}}"#;
        assert_eq!(
            parse_event(&response(200, failed)).unwrap().conference,
            ConferenceStatus::Failed
        );
        let plain = r#"{"id":"abc123","status":"cancelled"}"#;
        let event = parse_event(&response(200, plain)).unwrap();
        assert_eq!(event.conference, ConferenceStatus::NotRequested);
        assert!(event.cancelled);
        assert!(matches!(
            parse_event(&response(200, r#"{"status":"confirmed"}"#)),
            Err(ApiError::Malformed(_))
        ));
        let duplicate = r#"{"error":{"code":409,"message":"The requested identifier already exists.",
            "errors":[{"domain":"global","reason":"duplicate","message":"m"}],"status":"ALREADY_EXISTS"}}"#;
        assert_eq!(
            parse_event(&response(409, duplicate)),
            Err(ApiError::Conflict)
        );
    }

    #[test]
    fn get_move_and_delete_address_the_event() {
        let get = get_event(
            &urls(),
            &token(),
            "team#1@group.calendar.google.com",
            "abc123",
        )
        .unwrap();
        assert_eq!(get.method(), Method::GET);
        assert_eq!(
            get.uri().to_string(),
            "https://www.googleapis.com/calendar/v3/calendars/team%231%40group.calendar.google.com/events/abc123"
        );
        assert_common_headers(&get);
        assert!(get.body().is_empty());
        // An empty id would turn a read of one event into events.list.
        assert!(get_event(&urls(), &token(), "primary", "").is_err());
        assert!(delete_event(&urls(), &token(), "", "abc123", SendUpdates::None).is_err());

        let zone = TimeZoneName::parse("America/New_York").unwrap();
        let when = interval("2026-03-03T15:00:00Z", "2026-03-03T15:45:00Z");
        let patch = move_event(
            &urls(),
            &token(),
            "primary",
            "abc123",
            when,
            zone,
            SendUpdates::All,
        )
        .unwrap();
        assert_eq!(patch.method(), Method::PATCH);
        assert_eq!(
            patch.uri().to_string(),
            "https://www.googleapis.com/calendar/v3/calendars/primary/events/abc123?sendUpdates=all"
        );
        assert_common_headers(&patch);
        assert_eq!(
            json_body(&patch),
            json!({
                "start": { "dateTime": "2026-03-03T15:00:00Z", "timeZone": "America/New_York" },
                "end": { "dateTime": "2026-03-03T15:45:00Z", "timeZone": "America/New_York" },
            })
        );

        let delete =
            delete_event(&urls(), &token(), "primary", "abc123", SendUpdates::None).unwrap();
        assert_eq!(delete.method(), Method::DELETE);
        assert_eq!(
            delete.uri().to_string(),
            "https://www.googleapis.com/calendar/v3/calendars/primary/events/abc123?sendUpdates=none"
        );
        assert_common_headers(&delete);
    }

    #[test]
    fn deletes_treat_gone_as_done() {
        assert_eq!(parse_deleted(&response(204, "")), Ok(Deleted::Now));
        let gone = r#"{"error":{"code":410,"message":"Resource has been deleted",
            "errors":[{"domain":"global","reason":"deleted","message":"m"}],"status":"NOT_FOUND"}}"#;
        assert_eq!(
            parse_deleted(&response(410, gone)),
            Ok(Deleted::AlreadyGone)
        );
        assert_eq!(
            parse_deleted(&response(404, "{}")),
            Ok(Deleted::AlreadyGone)
        );
        assert_eq!(
            parse_deleted(&response(500, "{}")),
            Err(ApiError::Unavailable {
                status: 500,
                retry_after: None
            })
        );
    }

    #[test]
    fn the_calendar_list_names_the_primary_calendar_first() {
        let request = calendar_list_page(&urls(), &token(), None).unwrap();
        assert_eq!(request.method(), Method::GET);
        assert!(request
            .uri()
            .to_string()
            .starts_with("https://www.googleapis.com/calendar/v3/users/me/calendarList?"));
        let answer = response(
            200,
            r#"{"items":[{"id":"team@group.calendar.google.com","summary":"Team"},
                {"id":"ana@example.com","summary":"Ana","primary":true},{"id":""}]}"#,
        );
        let (calendars, _) = parse_calendar_list_page(&answer).unwrap();
        assert_eq!(calendars.len(), 2);
        assert!(calendars[0].primary);
        assert_eq!(calendars[1].name, "Team");
    }

    #[test]
    fn only_owners_and_writers_may_add_events_to_a_listed_calendar() {
        let answer = response(
            200,
            r#"{"items":[{"id":"a","accessRole":"owner"},{"id":"b","accessRole":"writer"},
                {"id":"c","accessRole":"reader"},{"id":"d","accessRole":"freeBusyReader"},
                {"id":"e"}]}"#,
        );
        let (calendars, _) = parse_calendar_list_page(&answer).unwrap();
        let writable: Vec<bool> = calendars.iter().map(|c| c.writable).collect();
        assert_eq!(writable, [true, true, false, false, false]);
    }
}
