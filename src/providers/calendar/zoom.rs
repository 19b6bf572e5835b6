//! Zoom REST v2: the scheduled meeting of a booking (create, find again, move, delete).
//!
//! Shapes from APIs-guru/openapi-directory `APIs/zoom.us/2.0.0/swagger.yaml` and Zoom's API
//! reference: `POST /users/me/meetings` (type 2 = scheduled, `start_time` in UTC as
//! `yyyy-MM-ddTHH:mm:ssZ`, `duration` in minutes, `timezone`, `agenda`, `settings`; 201 with
//! `id` and `join_url`), `GET /users/me/meetings` (list items carry `agenda`, cut to 250
//! characters), `PATCH` / `DELETE /meetings/{meetingId}` (204), and the error body
//! `{"code", "message"}`.
//!
//! Zoom has no idempotency key. The booking key goes first in the agenda, as a marker, so that
//! after a create whose answer was lost [`find_meeting`] can tell whether it was made.

use oauth2::AuthType;
use crate::core::meeting_service::MeetingService;
use crate::providers::connect::RevokeBy;
use super::own_meetings::{CreatedMeeting, MeetingSearch, OwnMeetings};
use crate::providers::registry::{AccountFrom, Capabilities, Entry, OAuthEntry};
use oauth2::http::Method;
use oauth2::{AccessToken, HttpRequest, HttpResponse};
use serde_json::json;

use super::shape::{Field, Node, Shape};
use super::{
    deleted, https_url, parse_json, request, rfc3339, segment, success_body, truncate_chars,
    with_query, Api, ApiError, BookingKey, BuildError, Deleted, NewEvent,
};
use crate::config::ServiceUrls;
use crate::core::availability::Interval;
use crate::core::types::TimeZoneName;

/// Zoom's documented limits for a meeting's topic and agenda.
const TOPIC_MAX_CHARS: usize = 200;
const AGENDA_MAX_CHARS: usize = 2000;

fn api(urls: &ServiceUrls) -> String {
    format!("{}/v2", urls.zoom_api)
}

fn meeting_url(urls: &ServiceUrls, meeting_id: &str) -> Result<String, BuildError> {
    Ok(format!("{}/meetings/{}", api(urls), segment(meeting_id)?))
}

/// The marker that identifies a booking's meeting in its agenda.
fn marker(key: &BookingKey) -> String {
    format!("[openslot:{}]", key.as_str())
}

/// Whole minutes covering the interval (Zoom's `duration`), at least one.
fn duration_minutes(when: Interval) -> i64 {
    let seconds = (when.end() - when.start()).num_seconds();
    ((seconds + 59) / 60).max(1)
}

fn schedule(when: Interval, zone: &str) -> serde_json::Value {
    json!({
        "start_time": rfc3339(&when.start()),
        "duration": duration_minutes(when),
        "timezone": zone,
    })
}

/// `POST /users/me/meetings`: a scheduled meeting at the slot, shown in the host's zone, with
/// the waiting room on and no joining before the host. Uses the event's key, title,
/// description, time and zone; the invitee is not sent to Zoom.
pub fn create_meeting(
    urls: &ServiceUrls,
    token: &AccessToken,
    event: &NewEvent,
) -> Result<HttpRequest, BuildError> {
    let mark = marker(&event.key);
    // The marker leads so that the 250-character cut of list answers keeps it.
    let agenda = if event.description.is_empty() {
        mark
    } else {
        let room = AGENDA_MAX_CHARS - mark.chars().count() - 2;
        format!("{mark}\n\n{}", truncate_chars(&event.description, room))
    };
    let mut body = schedule(event.when, event.host_zone.name());
    body["topic"] = json!(truncate_chars(&event.title, TOPIC_MAX_CHARS));
    body["type"] = json!(2);
    body["agenda"] = json!(agenda);
    body["settings"] = json!({ "join_before_host": false, "waiting_room": true });
    request(
        Method::POST,
        &format!("{}/users/me/meetings", api(urls)),
        token,
        Some(&body),
        &[],
    )
}


/// A meeting: its id (Zoom's meeting ids are numbers; older snapshots and some tools send them
/// as strings) and join link.
pub(super) static MEETING: Shape = Shape::Record(&[
    Field::new("id", Shape::Id),
    Field::new("join_url", Shape::Maybe(&Shape::Text)),
]);

/// A meeting read as [`MEETING`], or as a [`MEETING_LIST`] item.
fn created(mut meeting: Node) -> Result<CreatedMeeting, ApiError> {
    let meeting_id = match meeting.take("id") {
        Node::Number(n) => n.to_string(),
        other => other.into_text().unwrap_or_default(),
    };
    if meeting_id.is_empty() {
        return Err(ApiError::Malformed("meeting: empty id".into()));
    }
    let join_url = meeting
        .get("join_url")
        .text()
        .and_then(https_url)
        .ok_or_else(|| ApiError::Malformed("meeting: no https join_url".into()))?;
    Ok(CreatedMeeting {
        meeting_id,
        join_url,
    })
}

/// Reads the 201 of a create (or a meeting fetched by id): `id` and `join_url`.
pub fn parse_meeting(response: &HttpResponse) -> Result<CreatedMeeting, ApiError> {
    created(parse_json(Api::Zoom, response, "meeting", &MEETING)?)
}

/// `GET /users/me/meetings?type=upcoming&page_size=300` (Zoom's largest page), from
/// `page_token` when continuing: lists the host's meetings to find one made by a create
/// whose answer was lost.
pub fn list_upcoming(
    urls: &ServiceUrls,
    token: &AccessToken,
    page_token: Option<&str>,
) -> Result<HttpRequest, BuildError> {
    let mut pairs = vec![("type", "upcoming"), ("page_size", "300")];
    if let Some(next) = page_token.filter(|t| !t.is_empty()) {
        pairs.push(("next_page_token", next));
    }
    let url = with_query(&format!("{}/users/me/meetings", api(urls)), &pairs);
    request(Method::GET, &url, token, None, &[])
}

/// Reads a meeting list only as proof that the grant and the API answer (the scheduled
/// health check): nothing of the list is kept.
pub fn parse_reachable(response: &HttpResponse) -> Result<(), ApiError> {
    success_body(Api::Zoom, response).map(|_| ())
}


/// A meeting list page; an item is reduced to what the search needs (no topic, no host or
/// invitee data).
pub(super) static MEETING_LIST: Shape = Shape::Record(&[
    Field::or_empty(
        "meetings",
        Shape::List(&Shape::Record(&[
            Field::new("id", Shape::Id),
            Field::new("join_url", Shape::Maybe(&Shape::Text)),
            Field::new("agenda", Shape::Maybe(&Shape::Text)),
        ])),
    ),
    Field::new("next_page_token", Shape::Maybe(&Shape::Text)),
]);

/// Finds the meeting of `key` in a list page by the marker in its agenda.
pub fn find_meeting(response: &HttpResponse, key: &BookingKey) -> Result<MeetingSearch, ApiError> {
    let mut list = parse_json(Api::Zoom, response, "meeting list", &MEETING_LIST)?;
    let mark = marker(key);
    let found = list
        .take("meetings")
        .into_items()
        .into_iter()
        .find(|m| m.get("agenda").text().is_some_and(|a| a.contains(&mark)));
    match found {
        Some(m) => created(m).map(MeetingSearch::Found),
        None => Ok(match list.take("next_page_token").into_text().filter(|t| !t.is_empty()) {
            Some(next) => MeetingSearch::NextPage(next),
            None => MeetingSearch::Absent,
        }),
    }
}

/// `PATCH /meetings/{meetingId}` with the new `start_time` and `duration` (and the zone again,
/// since Zoom reads `start_time` with it).
pub fn move_meeting(
    urls: &ServiceUrls,
    token: &AccessToken,
    meeting_id: &str,
    when: Interval,
    host_zone: TimeZoneName,
) -> Result<HttpRequest, BuildError> {
    let body = schedule(when, host_zone.name());
    request(
        Method::PATCH,
        &meeting_url(urls, meeting_id)?,
        token,
        Some(&body),
        &[],
    )
}

/// A move's answer (204): success or the classified error.
pub fn parse_moved(response: &HttpResponse) -> Result<(), ApiError> {
    success_body(Api::Zoom, response).map(|_| ())
}

/// `DELETE /meetings/{meetingId}`.
pub fn delete_meeting(
    urls: &ServiceUrls,
    token: &AccessToken,
    meeting_id: &str,
) -> Result<HttpRequest, BuildError> {
    request(
        Method::DELETE,
        &meeting_url(urls, meeting_id)?,
        token,
        None,
        &[],
    )
}

/// A delete's answer: 204 is [`Deleted::Now`], 404 (code 3001) [`Deleted::AlreadyGone`].
pub fn parse_deleted(response: &HttpResponse) -> Result<Deleted, ApiError> {
    deleted(Api::Zoom, response)
}



/// Zoom's meetings through the shell's common steps ([`OwnMeetings`]); the health check reads
/// the first page of the search.
pub struct ZoomMeetings;

impl OwnMeetings for ZoomMeetings {
    fn create(
        &self,
        urls: &ServiceUrls,
        token: &AccessToken,
        event: &NewEvent,
    ) -> Result<HttpRequest, BuildError> {
        create_meeting(urls, token, event)
    }

    fn parse_created(&self, response: &HttpResponse) -> Result<CreatedMeeting, ApiError> {
        parse_meeting(response)
    }

    fn search(
        &self,
        urls: &ServiceUrls,
        token: &AccessToken,
        page: Option<&str>,
    ) -> Result<HttpRequest, BuildError> {
        list_upcoming(urls, token, page)
    }

    fn parse_search(
        &self,
        response: &HttpResponse,
        key: &BookingKey,
    ) -> Result<MeetingSearch, ApiError> {
        find_meeting(response, key)
    }

    fn reschedule(
        &self,
        urls: &ServiceUrls,
        token: &AccessToken,
        meeting_id: &str,
        when: Interval,
        host_zone: TimeZoneName,
    ) -> Result<HttpRequest, BuildError> {
        move_meeting(urls, token, meeting_id, when, host_zone)
    }

    fn parse_rescheduled(&self, response: &HttpResponse) -> Result<(), ApiError> {
        parse_moved(response)
    }

    fn delete(
        &self,
        urls: &ServiceUrls,
        token: &AccessToken,
        meeting_id: &str,
    ) -> Result<HttpRequest, BuildError> {
        delete_meeting(urls, token, meeting_id)
    }

    fn parse_deleted(&self, response: &HttpResponse) -> Result<Deleted, ApiError> {
        parse_deleted(response)
    }

    fn parse_reachable(&self, response: &HttpResponse) -> Result<(), ApiError> {
        parse_reachable(response)
    }
}

/// Zoom in the provider registry: meetings only, no calendar. Zoom takes scopes from the
/// app's registration (README: Zoom), not from the URL, so none are asked or checked here; it
/// documents Basic auth at the token endpoint, no `login_hint`, and revocation with the access
/// token (`POST /oauth/revoke?token=`, Zoom OAuth docs, "Revoke an access token"). The account
/// comes from `GET /v2/users/me`.
pub static ENTRY: Entry = Entry {
    name: "zoom",
    label: "Zoom",
    company: "Zoom",
    remove_access_at: "the Zoom App Marketplace under Manage, Added Apps",
    capabilities: Capabilities {
        calendar: None,
        meeting: Some(MeetingService::Zoom),
        show_as_states: false,
        emails_invitee: false,
        chooses_event_calendar: false,
    },
    scopes: &[],
    required_scopes: &[],
    oauth: Some(OAuthEntry {
        authorize: |urls| format!("{}/oauth/authorize", urls.zoom_oauth),
        token: |urls| format!("{}/oauth/token", urls.zoom_oauth),
        revocation: Some((
            |urls| format!("{}/oauth/revoke", urls.zoom_oauth),
            RevokeBy::AccessToken,
        )),
        auth_type: AuthType::BasicAuth,
        authorize_params: &[],
        login_hint: false,
        // Zoom makes the meetings of one account; its consent page has no account prompt.
        choose_account_prompt: None,
        account: AccountFrom::ZoomUser,
    }),
    own_meetings: Some(&ZoomMeetings),
    registration: |config| config.zoom_client.as_ref(),
};

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::super::Conference;
    use super::*;

    #[test]
    fn create_schedules_a_waiting_room_meeting_marked_with_our_key() {
        let request = create_meeting(&urls(), &token(), &new_event(Conference::None)).unwrap();
        assert_eq!(request.method(), Method::POST);
        assert_eq!(
            request.uri().to_string(),
            "https://api.zoom.us/v2/users/me/meetings"
        );
        assert_common_headers(&request);
        assert_eq!(
            json_body(&request),
            json!({
                "topic": "Intro call with Ana",
                "type": 2,
                "start_time": "2026-03-02T09:00:00Z",
                "duration": 30,
                "timezone": "Europe/Berlin",
                "agenda": "[openslot:0123456789abcdef0123456789abcdef]\n\nBooked via Openslot.",
                "settings": { "join_before_host": false, "waiting_room": true },
            })
        );
        assert!(!String::from_utf8_lossy(request.body()).contains("ana@example.com"));
    }

    #[test]
    fn long_texts_are_cut_to_zoom_limits_and_durations_round_up() {
        let mut event = new_event(Conference::None);
        event.title = "t".repeat(300);
        event.description = "é".repeat(3000);
        event.when = interval("2026-03-02T09:00:00Z", "2026-03-02T09:20:30Z");
        let body = json_body(&create_meeting(&urls(), &token(), &event).unwrap());
        assert_eq!(body["topic"].as_str().unwrap().chars().count(), 200);
        let agenda = body["agenda"].as_str().unwrap();
        assert_eq!(agenda.chars().count(), 2000);
        assert!(agenda.starts_with("[openslot:0123456789abcdef0123456789abcdef]"));
        assert_eq!(body["duration"], 21);
    }

    #[test]
    fn created_meetings_yield_id_and_join_url() {
        let body = r#"{"uuid":"abc==","id":85746065432,"host_id":"h","topic":"Intro","type":2,
            "start_time":"2026-03-02T09:00:00Z","duration":30,"timezone":"Europe/Berlin",
            "start_url":"https://us05web.zoom.us/s/85746065432?zak=secret",
            "join_url":"https://us05web.zoom.us/j/85746065432?pwd=abc","password":"123456"}"#;
        assert_eq!(
            parse_meeting(&response(201, body)).unwrap(),
            CreatedMeeting {
                meeting_id: "85746065432".into(),
                join_url: "https://us05web.zoom.us/j/85746065432?pwd=abc".into(),
            }
        );
        assert!(matches!(
            parse_meeting(&response(201, r#"{"id":1}"#)),
            Err(ApiError::Malformed(_))
        ));
        let invalid = r#"{"code":300,"message":"Invalid field: start_time."}"#;
        assert_eq!(
            parse_meeting(&response(400, invalid)),
            Err(ApiError::Rejected {
                status: 400,
                code: "300".into()
            })
        );
        let token_error = r#"{"code":124,"message":"Invalid access token."}"#;
        assert_eq!(
            parse_meeting(&response(401, token_error)),
            Err(ApiError::Unauthorized)
        );
    }

    #[test]
    fn lost_creates_are_found_by_their_marker() {
        let list = upcoming_list();
        assert_eq!(list.method(), Method::GET);
        assert_eq!(list.uri().path(), "/v2/users/me/meetings");
        assert_eq!(
            query(&list),
            vec![
                ("type".to_owned(), "upcoming".to_owned()),
                ("page_size".to_owned(), "300".to_owned()),
            ]
        );
        assert_common_headers(&list);
        let next = list_upcoming(&urls(), &token(), Some("tok2")).unwrap();
        assert!(next
            .uri()
            .query()
            .unwrap()
            .ends_with("next_page_token=tok2"));

        let key = BookingKey::parse("0123456789abcdef0123456789abcdef").unwrap();
        let page = r#"{"page_size":300,"total_records":2,"next_page_token":"","meetings":[
            {"id":1,"topic":"Other","agenda":"Private notes","join_url":"https://zoom.us/j/1"},
            {"id":2,"topic":"Intro","agenda":"[openslot:0123456789abcdef0123456789abcdef]\n\nBooked",
             "join_url":"https://zoom.us/j/2"}]}"#;
        assert_eq!(
            find_meeting(&response(200, page), &key).unwrap(),
            MeetingSearch::Found(CreatedMeeting {
                meeting_id: "2".into(),
                join_url: "https://zoom.us/j/2".into()
            })
        );
        let more =
            r#"{"next_page_token":"tok2","meetings":[{"id":1,"join_url":"https://zoom.us/j/1"}]}"#;
        assert_eq!(
            find_meeting(&response(200, more), &key).unwrap(),
            MeetingSearch::NextPage("tok2".into())
        );
        let none = r#"{"next_page_token":"","meetings":[]}"#;
        assert_eq!(
            find_meeting(&response(200, none), &key).unwrap(),
            MeetingSearch::Absent
        );
    }

    fn upcoming_list() -> HttpRequest {
        list_upcoming(&urls(), &token(), None).unwrap()
    }

    #[test]
    fn move_and_delete_address_the_meeting() {
        let when = interval("2026-03-03T15:00:00Z", "2026-03-03T16:00:00Z");
        let zone = TimeZoneName::parse("Asia/Tokyo").unwrap();
        let patch = move_meeting(&urls(), &token(), "85746065432", when, zone).unwrap();
        assert_eq!(patch.method(), Method::PATCH);
        assert_eq!(
            patch.uri().to_string(),
            "https://api.zoom.us/v2/meetings/85746065432"
        );
        assert_common_headers(&patch);
        assert_eq!(
            json_body(&patch),
            json!({ "start_time": "2026-03-03T15:00:00Z", "duration": 60, "timezone": "Asia/Tokyo" })
        );
        assert_eq!(parse_moved(&response(204, "")), Ok(()));

        let delete = delete_meeting(&urls(), &token(), "85746065432").unwrap();
        assert_eq!(delete.method(), Method::DELETE);
        assert_eq!(
            delete.uri().to_string(),
            "https://api.zoom.us/v2/meetings/85746065432"
        );
        assert_common_headers(&delete);
        assert!(delete_meeting(&urls(), &token(), "").is_err());
        assert_eq!(parse_deleted(&response(204, "")), Ok(Deleted::Now));
        let missing = r#"{"code":3001,"message":"Meeting does not exist: 85746065432."}"#;
        assert_eq!(
            parse_deleted(&response(404, missing)),
            Ok(Deleted::AlreadyGone)
        );
        assert_eq!(
            parse_deleted(&response_with(
                429,
                &[("Retry-After", "60")],
                r#"{"code":429}"#
            )),
            Err(ApiError::RateLimited {
                retry_after: Some(60)
            })
        );
    }
}
