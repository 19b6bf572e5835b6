//! Microsoft Graph v1.0: busy times from the calendarView of each calendar the host checks
//! (`/me/calendars` lists them), and the host's event with its Teams meeting (create, read
//! back, move, delete).
//!
//! Shapes from microsoftgraph/microsoft-graph-docs-contrib: `api-reference/v1.0/api/
//! user-list-calendarview.md` (startDateTime/endDateTime, `Prefer: outlook.timezone`, paging by
//! `@odata.nextLink`), `user-post-events.md` and `resources/event.md` (`transactionId`,
//! `isOnlineMeeting`, `onlineMeetingProvider: teamsForBusiness`, `onlineMeeting.joinUrl`,
//! `showAs`, `isCancelled`), and Graph's error body `{"error":{"code","message"}}`.
//!
//! calendarView rather than getSchedule because getSchedule does not work for personal
//! Microsoft accounts; `$select=start,end,showAs,isCancelled` keeps subjects at Microsoft.

use oauth2::AuthType;
use super::CalendarProvider;
use crate::core::meeting_service::MeetingService;
use crate::providers::registry::{AccountFrom, Capabilities, Entry, OAuthEntry};
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use oauth2::http::{HeaderName, Method};
use oauth2::{AccessToken, HttpRequest, HttpResponse};
use serde_json::json;

use super::google::CalendarChoice;
use super::shape::{Field, Node, Shape};
use super::{
    deleted, description_with_link, https_url, location_text, parse_json, request, rfc3339,
    segment, success_body, with_query, Api, ApiError, BuildError, Conference, ConferenceStatus,
    CreatedEvent, Deleted, NewEvent,
};
use crate::config::ServiceUrls;
use crate::core::availability::Interval;

/// Events per calendarView page. Graph's default is 10; with this a month of a busy calendar
/// is one request (the fakes, like Graph, accept `$top` up to 1000).
pub const CALENDAR_VIEW_PAGE_SIZE: u32 = 500;

/// Answers in UTC whatever the mailbox's zone; sent on every Graph call.
const PREFER_UTC: (HeaderName, &str) = (
    HeaderName::from_static("prefer"),
    "outlook.timezone=\"UTC\"",
);

fn graph(urls: &ServiceUrls) -> String {
    format!("{}/v1.0", urls.microsoft_graph)
}

fn event_url(urls: &ServiceUrls, event_id: &str) -> Result<String, BuildError> {
    Ok(format!("{}/me/events/{}", graph(urls), segment(event_id)?))
}

/// Which Graph `showAs` values make time unavailable, as the host configured it.
///
/// Stored as a comma list (`busy,tentative,oof,workingElsewhere`). A value Graph may add later
/// and we do not know always blocks: missing a new kind of "busy" could double-book.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockingShowAs {
    bits: u8,
}

/// The values Graph documents for `showAs`, in stored order.
const SHOW_AS: [&str; 6] = [
    "free",
    "tentative",
    "busy",
    "oof",
    "workingElsewhere",
    "unknown",
];

/// A stored `showAs` list with a value Graph does not document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a Graph showAs value")]
pub struct UnknownShowAs(pub String);

impl BlockingShowAs {
    /// Parses a stored comma list (case-insensitive, spaces allowed); an empty list blocks only
    /// values we do not know.
    pub fn parse(stored: &str) -> Result<Self, UnknownShowAs> {
        let mut bits = 0;
        for name in stored.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let index = SHOW_AS
                .iter()
                .position(|known| known.eq_ignore_ascii_case(name))
                .ok_or_else(|| UnknownShowAs(name.to_owned()))?;
            bits |= 1 << index;
        }
        Ok(Self { bits })
    }

    /// The comma list to store, in Graph's documented order.
    pub fn to_stored(self) -> String {
        SHOW_AS
            .iter()
            .enumerate()
            .filter(|(i, _)| self.bits & (1 << i) != 0)
            .map(|(_, name)| *name)
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Whether time shown as `show_as` is unavailable; an absent or undocumented value blocks,
    /// and so does `unknown` whatever is stored: Outlook could not say whether the time is
    /// taken, no host chose it off (the dashboard never offers it), and a wrong slot is worse
    /// than a missing one.
    pub fn blocks(self, show_as: Option<&str>) -> bool {
        let Some(value) = show_as else {
            return true;
        };
        if value.eq_ignore_ascii_case("unknown") {
            return true;
        }
        match SHOW_AS.iter().position(|k| k.eq_ignore_ascii_case(value)) {
            Some(index) => self.bits & (1 << index) != 0,
            None => true,
        }
    }
}

impl Default for BlockingShowAs {
    /// Everything but `free` blocks.
    fn default() -> Self {
        Self {
            bits: ((1u8 << SHOW_AS.len()) - 1) & !1,
        }
    }
}

/// `GET /me/calendarView` over `window`, selecting only start, end, showAs and isCancelled.
pub fn calendar_view(
    urls: &ServiceUrls,
    token: &AccessToken,
    window: Interval,
) -> Result<HttpRequest, BuildError> {
    let top = CALENDAR_VIEW_PAGE_SIZE.to_string();
    let url = with_query(
        &format!("{}/me/calendarView", graph(urls)),
        &[
            ("startDateTime", &rfc3339(&window.start())),
            ("endDateTime", &rfc3339(&window.end())),
            ("$select", "start,end,showAs,isCancelled"),
            ("$top", &top),
        ],
    );
    request(Method::GET, &url, token, None, &[PREFER_UTC])
}

/// Calendars per page of `/me/calendars` (Graph's paging: `$top`, then `@odata.nextLink`).
const CALENDAR_LIST_PAGE_SIZE: u32 = 100;

/// `GET /me/calendars?$select=id,name,isDefaultCalendar,canEdit`: the calendars the host may pick to
/// be checked for conflicts (api-reference/v1.0/api/user-list-calendars.md). Names are shown
/// on the connections page and never stored; more pages follow with [`calendar_view_next`]
/// (any Graph link under the configured base).
pub fn calendar_list(urls: &ServiceUrls, token: &AccessToken) -> Result<HttpRequest, BuildError> {
    let top = CALENDAR_LIST_PAGE_SIZE.to_string();
    let url = with_query(
        &format!("{}/me/calendars", graph(urls)),
        &[("$select", "id,name,isDefaultCalendar,canEdit"), ("$top", &top)],
    );
    request(Method::GET, &url, token, None, &[])
}

/// A `/me/calendars` page: the calendars' ids, names and which is the default, and the link
/// to the next page.
pub(super) static CALENDAR_LIST: Shape = Shape::Record(&[
    Field::or_empty(
        "value",
        Shape::List(&Shape::Record(&[
            Field::new("id", Shape::Text),
            Field::new("name", Shape::Maybe(&Shape::Text)),
            Field::or_empty("isDefaultCalendar", Shape::Flag),
            Field::or_empty("canEdit", Shape::Flag),
        ])),
    ),
    Field::new("@odata.nextLink", Shape::Maybe(&Shape::Text)),
]);

/// One page of `/me/calendars`: the calendars (the default one first) and the next link.
pub fn parse_calendar_list(
    response: &HttpResponse,
) -> Result<(Vec<CalendarChoice>, Option<NextLink>), ApiError> {
    let mut list = parse_json(Api::Graph, response, "calendars", &CALENDAR_LIST)?;
    let mut calendars: Vec<CalendarChoice> = list
        .take("value")
        .into_items()
        .into_iter()
        .filter_map(|mut c| {
            let id = c.take("id").into_text().filter(|id| !id.is_empty())?;
            Some(CalendarChoice {
                name: c.take("name").into_text().unwrap_or_else(|| id.clone()),
                primary: c.get("isDefaultCalendar").flag() == Some(true),
                writable: c.get("canEdit").flag() == Some(true),
                id,
            })
        })
        .collect();
    CalendarChoice::primary_first(&mut calendars);
    Ok((calendars, next_link(list.take("@odata.nextLink"))))
}

/// The calendarView of one calendar (`/me/calendars/{id}/calendarView`), or of the default
/// calendar (`/me/calendarView`) for `primary`, over `window`, selecting what
/// [`calendar_view`] selects.
pub fn calendar_view_of(
    urls: &ServiceUrls,
    token: &AccessToken,
    calendar_id: &str,
    window: Interval,
) -> Result<HttpRequest, BuildError> {
    if calendar_id == "primary" {
        return calendar_view(urls, token, window);
    }
    let top = CALENDAR_VIEW_PAGE_SIZE.to_string();
    let url = with_query(
        &format!(
            "{}/me/calendars/{}/calendarView",
            graph(urls),
            segment(calendar_id)?
        ),
        &[
            ("startDateTime", &rfc3339(&window.start())),
            ("endDateTime", &rfc3339(&window.end())),
            ("$select", "start,end,showAs,isCancelled"),
            ("$top", &top),
        ],
    );
    request(Method::GET, &url, token, None, &[PREFER_UTC])
}

/// Graph's link to the next page of a calendarView; only [`calendar_view_next`] follows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextLink(String);

impl NextLink {
    /// The link as Graph sent it.
    #[cfg(test)]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The request for the next page, with the same headers. Refused unless the link lies under
/// the configured Graph base URL: a link elsewhere would receive our bearer token.
pub fn calendar_view_next(
    urls: &ServiceUrls,
    token: &AccessToken,
    link: &NextLink,
) -> Result<HttpRequest, BuildError> {
    let base = format!("{}/", urls.microsoft_graph);
    if !link.0.starts_with(&base) || link.0.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(BuildError::ForeignLink);
    }
    request(Method::GET, &link.0, token, None, &[PREFER_UTC])
}

/// One page of busy periods.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarViewPage {
    /// Periods that block, sorted; cancelled and non-blocking events are left out.
    pub busy: Vec<Interval>,
    /// More events follow: request them with [`calendar_view_next`].
    pub next_link: Option<NextLink>,
}

/// Graph's dateTimeTimeZone: a local date-time (7 fractional digits, no offset) and its zone.
const DATE_TIME_TIME_ZONE: Shape = Shape::Record(&[
    Field::new("dateTime", Shape::Text),
    Field::new("timeZone", Shape::Maybe(&Shape::Text)),
]);

/// A calendarView answer reduced to what we read: no subject, location or attendee fields.
pub(super) static CALENDAR_VIEW: Shape = Shape::Record(&[
    Field::or_empty(
        "value",
        Shape::List(&Shape::Record(&[
            Field::new("start", DATE_TIME_TIME_ZONE),
            Field::new("end", DATE_TIME_TIME_ZONE),
            Field::new("showAs", Shape::Maybe(&Shape::Text)),
            Field::new("isCancelled", Shape::Maybe(&Shape::Flag)),
        ])),
    ),
    Field::new("@odata.nextLink", Shape::Maybe(&Shape::Text)),
]);

/// A non-empty next link.
fn next_link(link: Node) -> Option<NextLink> {
    link.into_text().filter(|l| !l.is_empty()).map(NextLink)
}

/// The instant of a [`DATE_TIME_TIME_ZONE`], reading `dateTime` in `timeZone`: UTC (as asked
/// for) or an IANA zone. A Windows zone name cannot be read without a mapping table and fails
/// the read rather than guessing.
fn instant(time: &Node) -> Result<DateTime<Utc>, ApiError> {
    let bad = || ApiError::Malformed("calendarView: an event has an unreadable time".into());
    let text = time.get("dateTime").text().unwrap_or_default().trim();
    if let Ok(with_offset) = DateTime::parse_from_rfc3339(text) {
        return Ok(with_offset.with_timezone(&Utc));
    }
    let local = text.parse::<NaiveDateTime>().map_err(|_| bad())?;
    let zone = time.get("timeZone").text().unwrap_or("UTC").trim();
    if ["UTC", "Etc/UTC", "tzone://Microsoft/Utc"]
        .iter()
        .any(|utc| utc.eq_ignore_ascii_case(zone))
    {
        return Ok(local.and_utc());
    }
    let tz: chrono_tz::Tz = zone.parse().map_err(|_| {
        ApiError::Malformed("calendarView: an event is in a zone we cannot read".into())
    })?;
    tz.from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(bad)
}

/// The busy periods of one calendarView page, and the link to the next.
pub fn parse_calendar_view(
    response: &HttpResponse,
    blocking: BlockingShowAs,
) -> Result<CalendarViewPage, ApiError> {
    let mut view = parse_json(Api::Graph, response, "calendarView", &CALENDAR_VIEW)?;
    let mut busy = Vec::new();
    for item in view.get("value").items() {
        if item.get("isCancelled").flag() == Some(true)
            || !blocking.blocks(item.get("showAs").text())
        {
            continue;
        }
        // A zero-length event blocks nothing.
        if let Ok(interval) = Interval::new(instant(item.get("start"))?, instant(item.get("end"))?) {
            busy.push(interval);
        }
    }
    Interval::sort(&mut busy);
    Ok(CalendarViewPage {
        busy,
        next_link: next_link(view.take("@odata.nextLink")),
    })
}

/// Graph's `dateTime` for UTC: no offset, the zone named beside it.
fn graph_time(t: DateTime<Utc>) -> serde_json::Value {
    json!({ "dateTime": t.format_with_items(crate::core::display::layouts::LOCAL_DATE_TIME.iter()).to_string(), "timeZone": "UTC" })
}

/// `POST /me/events` (the default calendar) or, for `calendar` (an id other than `primary`),
/// `POST /me/calendars/{id}/events` (api-reference/v1.0/api/calendar-post-events.md, "Create
/// event": "Use this API to create a new event in a calendar"), with `transactionId` = the
/// booking key (Graph answers a retried create with the event it already made) and, for
/// [`Conference::TeamsMeeting`], a Teams meeting. The event is then read, moved and deleted
/// by its id alone (`/me/events/{id}`), wherever it lives.
pub fn create_event(
    urls: &ServiceUrls,
    token: &AccessToken,
    event: &NewEvent,
    calendar: Option<&str>,
) -> Result<HttpRequest, BuildError> {
    let mut body = json!({
        "transactionId": event.key.as_str(),
        "subject": event.title,
        "body": { "contentType": "text", "content": description_with_link(event) },
        "start": graph_time(event.when.start()),
        "end": graph_time(event.when.end()),
        "attendees": [{
            "emailAddress": {
                "address": event.attendee.email.as_str(),
                "name": event.attendee.name.as_str(),
            },
            "type": "required",
        }],
    });
    if let Some(location) = location_text(event) {
        body["location"] = json!({ "displayName": location });
    }
    if event.conference == Conference::TeamsMeeting {
        body["isOnlineMeeting"] = json!(true);
        body["onlineMeetingProvider"] = json!("teamsForBusiness");
    }
    let url = match calendar.filter(|id| *id != "primary") {
        Some(id) => format!("{}/me/calendars/{}/events", graph(urls), segment(id)?),
        None => format!("{}/me/events", graph(urls)),
    };
    request(Method::POST, &url, token, Some(&body), &[PREFER_UTC])
}

/// `GET /me/events/{id}` selecting only what [`parse_event`] reads: reads a Teams link that
/// was not in the create answer yet.
pub fn get_event(
    urls: &ServiceUrls,
    token: &AccessToken,
    event_id: &str,
) -> Result<HttpRequest, BuildError> {
    let url = with_query(
        &event_url(urls, event_id)?,
        &[(
            "$select",
            "id,start,isCancelled,isOnlineMeeting,onlineMeetingProvider,onlineMeeting",
        )],
    );
    request(Method::GET, &url, token, None, &[PREFER_UTC])
}

/// The event resource, reduced to id, state and the meeting link (`onlineMeeting.joinUrl`).
pub(super) static EVENT: Shape = Shape::Record(&[
    Field::new("id", Shape::Text),
    Field::new("start", Shape::Maybe(&DATE_TIME_TIME_ZONE)),
    Field::new("isCancelled", Shape::Maybe(&Shape::Flag)),
    Field::new("isOnlineMeeting", Shape::Maybe(&Shape::Flag)),
    Field::new(
        "onlineMeeting",
        Shape::Maybe(&Shape::Record(&[Field::new(
            "joinUrl",
            Shape::Maybe(&Shape::Text),
        )])),
    ),
]);

/// Reads a created or fetched event: its `id` and the Teams link (`onlineMeeting.joinUrl`).
///
/// `teams_requested` says whether the create asked for Teams: with it, an online meeting
/// without a link yet is [`ConferenceStatus::Pending`] (read it again with [`get_event`]) and
/// an event Graph made without one (e.g. a personal account) [`ConferenceStatus::Failed`].
pub fn parse_event(
    response: &HttpResponse,
    teams_requested: bool,
) -> Result<CreatedEvent, ApiError> {
    let mut event = parse_json(Api::Graph, response, "event", &EVENT)?;
    let event_id = event.take("id").into_text().unwrap_or_default();
    if event_id.is_empty() {
        return Err(ApiError::Malformed("event: empty id".into()));
    }
    let meeting_url = event
        .get("onlineMeeting")
        .get("joinUrl")
        .text()
        .and_then(https_url);
    let online = event.get("isOnlineMeeting").flag();
    let conference = match (&meeting_url, teams_requested, online) {
        (Some(_), _, _) => ConferenceStatus::Ready,
        (None, false, _) => ConferenceStatus::NotRequested,
        (None, true, Some(true)) => ConferenceStatus::Pending,
        (None, true, _) => ConferenceStatus::Failed,
    };
    Ok(CreatedEvent {
        event_id,
        meeting_url,
        conference,
        cancelled: event.get("isCancelled").flag() == Some(true),
        // A missing start reads as no time, like an unreadable one.
        starts_at: instant(event.get("start")).ok(),
    })
}

/// `PATCH /me/events/{id}` with the new start and end (in UTC).
pub fn move_event(
    urls: &ServiceUrls,
    token: &AccessToken,
    event_id: &str,
    when: Interval,
) -> Result<HttpRequest, BuildError> {
    let body = json!({ "start": graph_time(when.start()), "end": graph_time(when.end()) });
    request(
        Method::PATCH,
        &event_url(urls, event_id)?,
        token,
        Some(&body),
        &[PREFER_UTC],
    )
}

/// A move's answer (200 with the event): success or the classified error.
pub fn parse_moved(response: &HttpResponse) -> Result<(), ApiError> {
    success_body(Api::Graph, response).map(|_| ())
}

/// `DELETE /me/events/{id}`; Graph sends the attendees a cancellation.
pub fn delete_event(
    urls: &ServiceUrls,
    token: &AccessToken,
    event_id: &str,
) -> Result<HttpRequest, BuildError> {
    request(
        Method::DELETE,
        &event_url(urls, event_id)?,
        token,
        None,
        &[],
    )
}

/// A delete's answer: 204 is [`Deleted::Now`], 404 [`Deleted::AlreadyGone`].
pub fn parse_deleted(response: &HttpResponse) -> Result<Deleted, ApiError> {
    deleted(Api::Graph, response)
}


/// Microsoft Outlook in the provider registry. Microsoft has no free/busy-only scope that
/// works for personal accounts, and writing events needs `Calendars.ReadWrite`, which also
/// covers reading `calendarView` (we `$select` only start, end and showAs). Graph answers the
/// scope with or without its `https://graph.microsoft.com/` prefix. There is no revocation
/// endpoint: the host removes the app's consent in their account (PRIVACY.md).
pub static ENTRY: Entry = Entry {
    name: "microsoft",
    label: "Microsoft Outlook",
    company: "Microsoft",
    remove_access_at: "myaccount.microsoft.com (personal account) or myapps.microsoft.com (work or school account)",
    capabilities: Capabilities {
        calendar: Some(CalendarProvider::Microsoft),
        meeting: Some(MeetingService::MicrosoftTeams),
        show_as_states: true,
        emails_invitee: false,
        chooses_event_calendar: false,
    },
    scopes: &["openid", "email", "offline_access", "Calendars.ReadWrite"],
    required_scopes: &[(
        "Calendars.ReadWrite",
        "Have full access to your calendars (Calendars.ReadWrite)",
    )],
    oauth: Some(OAuthEntry {
        authorize: |urls| format!("{}/common/oauth2/v2.0/authorize", urls.microsoft_login),
        token: |urls| format!("{}/common/oauth2/v2.0/token", urls.microsoft_login),
        revocation: None,
        auth_type: AuthType::RequestBody,
        authorize_params: &[],
        login_hint: true,
        // "prompt=select_account interrupts single sign-on providing account selection"
        // (Microsoft identity platform, OAuth 2.0 authorization code flow, request parameters).
        choose_account_prompt: Some("select_account"),
        account: AccountFrom::IdToken { prefer_oid: true },
    }),
    own_meetings: None,
    registration: |config| config.microsoft_client.as_ref(),
};

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn show_as_lists_parse_store_and_default_to_all_but_free() {
        let default = BlockingShowAs::default();
        assert_eq!(
            default.to_stored(),
            "tentative,busy,oof,workingElsewhere,unknown"
        );
        assert!(!default.blocks(Some("free")));
        assert!(default.blocks(Some("busy")) && default.blocks(Some("workingElsewhere")));
        let stored = BlockingShowAs::parse(" busy, OOF ,").unwrap();
        assert_eq!(stored.to_stored(), "busy,oof");
        assert!(!stored.blocks(Some("tentative")));
        assert!(stored.blocks(Some("oof")));
        // Values we do not know, or none at all, always block.
        assert!(stored.blocks(Some("someNewValue")));
        assert!(stored.blocks(None));
        assert_eq!(
            BlockingShowAs::parse("busy,maybe"),
            Err(UnknownShowAs("maybe".into()))
        );
        assert_eq!(BlockingShowAs::parse("").unwrap().to_stored(), "");
    }

    #[test]
    fn calendar_view_selects_only_times_and_asks_for_utc() {
        let window = interval("2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z");
        let request = calendar_view(&urls(), &token(), window).unwrap();
        assert_eq!(request.method(), Method::GET);
        assert_eq!(request.uri().path(), "/v1.0/me/calendarView");
        assert_eq!(request.uri().host(), Some("graph.microsoft.com"));
        assert_eq!(
            query(&request),
            vec![
                (
                    "startDateTime".to_owned(),
                    "2026-03-01T00:00:00Z".to_owned()
                ),
                ("endDateTime".to_owned(), "2026-04-01T00:00:00Z".to_owned()),
                (
                    "$select".to_owned(),
                    "start,end,showAs,isCancelled".to_owned()
                ),
                ("$top".to_owned(), "500".to_owned()),
            ]
        );
        assert_common_headers(&request);
        assert_eq!(header(&request, "prefer"), Some("outlook.timezone=\"UTC\""));
        assert!(request.body().is_empty());
    }

    #[test]
    fn calendar_view_reads_blocking_periods_and_nothing_else() {
        // Privacy bait: subject, location, attendees and body preview are ignored.
        let body = r#"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#users('a')/calendarView(start,end,showAs)",
            "value":[
            {"@odata.etag":"W/\"x\"","id":"AAMk1","subject":"Secret","bodyPreview":"Secret",
             "location":{"displayName":"Secret room"},
             "attendees":[{"type":"required","emailAddress":{"name":"X","address":"x@example.com"}}],
             "showAs":"busy","isCancelled":false,
             "start":{"dateTime":"2026-03-02T09:00:00.0000000","timeZone":"UTC"},
             "end":{"dateTime":"2026-03-02T10:00:00.0000000","timeZone":"UTC"}},
            {"id":"AAMk2","showAs":"free",
             "start":{"dateTime":"2026-03-02T11:00:00.0000000","timeZone":"UTC"},
             "end":{"dateTime":"2026-03-02T12:00:00.0000000","timeZone":"UTC"}},
            {"id":"AAMk3","showAs":"busy","isCancelled":true,
             "start":{"dateTime":"2026-03-02T13:00:00.0000000","timeZone":"UTC"},
             "end":{"dateTime":"2026-03-02T14:00:00.0000000","timeZone":"UTC"}},
            {"id":"AAMk4","showAs":"tentative",
             "start":{"dateTime":"2026-03-02T08:00:00.0000000","timeZone":"Europe/Berlin"},
             "end":{"dateTime":"2026-03-02T08:30:00","timeZone":"Europe/Berlin"}},
            {"id":"AAMk5","showAs":"brandNew",
             "start":{"dateTime":"2026-03-03T08:00:00.0000000","timeZone":"UTC"},
             "end":{"dateTime":"2026-03-03T08:30:00.0000000","timeZone":"UTC"}}
            ],
            "@odata.nextLink":"https://graph.microsoft.com/v1.0/me/calendarView?startDateTime=x&$skip=500"}"#;
        let page = parse_calendar_view(&response(200, body), BlockingShowAs::default()).unwrap();
        assert_eq!(
            page.busy,
            vec![
                interval("2026-03-02T07:00:00Z", "2026-03-02T07:30:00Z"),
                interval("2026-03-02T09:00:00Z", "2026-03-02T10:00:00Z"),
                interval("2026-03-03T08:00:00Z", "2026-03-03T08:30:00Z"),
            ]
        );
        let link = page.next_link.unwrap();
        let next = calendar_view_next(&urls(), &token(), &link).unwrap();
        assert_eq!(next.uri().to_string(), link.as_str());
        assert_common_headers(&next);
        assert_eq!(header(&next, "prefer"), Some("outlook.timezone=\"UTC\""));

        let only_busy = BlockingShowAs::parse("busy").unwrap();
        let page = parse_calendar_view(&response(200, body), only_busy).unwrap();
        assert_eq!(page.busy.len(), 2);
    }

    #[test]
    fn next_links_elsewhere_are_refused() {
        for foreign in [
            "https://graph.microsoft.com.evil.example/v1.0/me/calendarView",
            "https://evil.example/https://graph.microsoft.com/v1.0",
            "http://graph.microsoft.com/v1.0/me/calendarView",
            "https://graph.microsoft.com",
        ] {
            assert_eq!(
                calendar_view_next(&urls(), &token(), &NextLink(foreign.into())).err(),
                Some(BuildError::ForeignLink),
                "{foreign}"
            );
        }
    }

    #[test]
    fn unreadable_times_and_windows_zones_fail_the_read() {
        let item = |date_time: &str, zone: &str| {
            format!(
                r#"{{"value":[{{"showAs":"busy","start":{{"dateTime":"{date_time}","timeZone":"{zone}"}},
                "end":{{"dateTime":"2026-03-02T10:00:00.0000000","timeZone":"UTC"}}}}]}}"#
            )
        };
        for body in [
            item("2026-03-02T09:00:00.0000000", "Pacific Standard Time"),
            item("tomorrow", "UTC"),
        ] {
            assert!(matches!(
                parse_calendar_view(&response(200, &body), BlockingShowAs::default()),
                Err(ApiError::Malformed(_))
            ));
        }
        let throttled = r#"{"error":{"code":"TooManyRequests","message":"Please retry.",
            "innerError":{"date":"2026-03-02T09:00:00","request-id":"r"}}}"#;
        assert_eq!(
            parse_calendar_view(
                &response_with(429, &[("Retry-After", "10")], throttled),
                BlockingShowAs::default()
            ),
            Err(ApiError::RateLimited {
                retry_after: Some(10)
            })
        );
        let denied = r#"{"error":{"code":"ErrorAccessDenied","message":"Access is denied."}}"#;
        assert_eq!(
            parse_calendar_view(&response(403, denied), BlockingShowAs::default()),
            Err(ApiError::Rejected {
                status: 403,
                code: "ErrorAccessDenied".into()
            })
        );
    }

    #[test]
    fn create_asks_for_teams_with_our_transaction_id() {
        let event = new_event(Conference::TeamsMeeting);
        let request = create_event(&urls(), &token(), &event, None).unwrap();
        assert_eq!(request.method(), Method::POST);
        assert_eq!(
            request.uri().to_string(),
            "https://graph.microsoft.com/v1.0/me/events"
        );
        assert_common_headers(&request);
        assert_eq!(
            json_body(&request),
            json!({
                "transactionId": "0123456789abcdef0123456789abcdef",
                "subject": "Intro call with Ana",
                "body": { "contentType": "text", "content": "Booked via Openslot." },
                "start": { "dateTime": "2026-03-02T09:00:00", "timeZone": "UTC" },
                "end": { "dateTime": "2026-03-02T09:30:00", "timeZone": "UTC" },
                "attendees": [{
                    "emailAddress": { "address": "ana@example.com", "name": "Ana Lima" },
                    "type": "required",
                }],
                "isOnlineMeeting": true,
                "onlineMeetingProvider": "teamsForBusiness",
            })
        );
        let mut plain = new_event(Conference::None);
        plain.location = Some("Office, 2nd floor".into());
        let body = json_body(&create_event(&urls(), &token(), &plain, None).unwrap());
        assert_eq!(
            body["location"],
            json!({ "displayName": "Office, 2nd floor" })
        );
        assert!(body.get("isOnlineMeeting").is_none());
    }

    #[test]
    fn created_events_yield_id_and_teams_link() {
        let created = r#"{"id":"AAMkAGI=","subject":"Intro","isOnlineMeeting":true,
            "onlineMeetingProvider":"teamsForBusiness",
            "onlineMeeting":{"joinUrl":"https://teams.microsoft.com/l/meetup-join/19%3ameeting_x%40thread.v2/0"}}"#;
        assert_eq!(
            parse_event(&response(201, created), true).unwrap(),
            CreatedEvent {
                event_id: "AAMkAGI=".into(),
                meeting_url: Some(
                    "https://teams.microsoft.com/l/meetup-join/19%3ameeting_x%40thread.v2/0".into()
                ),
                conference: ConferenceStatus::Ready,
                cancelled: false,
                starts_at: None,
            }
        );
        let waiting = r#"{"id":"A","isOnlineMeeting":true,"onlineMeeting":null}"#;
        assert_eq!(
            parse_event(&response(201, waiting), true)
                .unwrap()
                .conference,
            ConferenceStatus::Pending
        );
        let refused = r#"{"id":"A","isOnlineMeeting":false,"onlineMeetingProvider":"unknown"}"#;
        assert_eq!(
            parse_event(&response(201, refused), true)
                .unwrap()
                .conference,
            ConferenceStatus::Failed
        );
        assert_eq!(
            parse_event(&response(201, refused), false)
                .unwrap()
                .conference,
            ConferenceStatus::NotRequested
        );
        assert!(matches!(
            parse_event(&response(201, "{}"), false),
            Err(ApiError::Malformed(_))
        ));
    }

    #[test]
    fn get_move_and_delete_address_the_event() {
        let id = "AAMkAGI2/TG93AAA=";
        let get = get_event(&urls(), &token(), id).unwrap();
        assert_eq!(get.method(), Method::GET);
        assert_eq!(get.uri().path(), "/v1.0/me/events/AAMkAGI2%2FTG93AAA%3D");
        assert!(get_event(&urls(), &token(), "").is_err());
        assert_common_headers(&get);

        let when = interval("2026-03-03T15:00:00Z", "2026-03-03T15:45:00Z");
        let patch = move_event(&urls(), &token(), id, when).unwrap();
        assert_eq!(patch.method(), Method::PATCH);
        assert_eq!(
            patch.uri().to_string(),
            "https://graph.microsoft.com/v1.0/me/events/AAMkAGI2%2FTG93AAA%3D"
        );
        assert_common_headers(&patch);
        assert_eq!(
            json_body(&patch),
            json!({
                "start": { "dateTime": "2026-03-03T15:00:00", "timeZone": "UTC" },
                "end": { "dateTime": "2026-03-03T15:45:00", "timeZone": "UTC" },
            })
        );
        assert_eq!(parse_moved(&response(200, r#"{"id":"x"}"#)), Ok(()));

        let delete = delete_event(&urls(), &token(), id).unwrap();
        assert_eq!(delete.method(), Method::DELETE);
        assert_common_headers(&delete);
        assert_eq!(parse_deleted(&response(204, "")), Ok(Deleted::Now));
        let missing = r#"{"error":{"code":"ErrorItemNotFound","message":"The specified object was not found in the store."}}"#;
        assert_eq!(
            parse_deleted(&response(404, missing)),
            Ok(Deleted::AlreadyGone)
        );
        let expired = r#"{"error":{"code":"InvalidAuthenticationToken","message":"Access token has expired."}}"#;
        assert_eq!(
            parse_deleted(&response(401, expired)),
            Err(ApiError::Unauthorized)
        );
    }

    #[test]
    fn a_create_in_a_chosen_calendar_names_it_in_the_path() {
        let event = new_event(Conference::None);
        let request = create_event(&urls(), &token(), &event, Some("AAMk/x+y=")).unwrap();
        assert_eq!(
            request.uri().to_string(),
            "https://graph.microsoft.com/v1.0/me/calendars/AAMk%2Fx%2By%3D/events"
        );
        for default in [None, Some("primary")] {
            let request = create_event(&urls(), &token(), &event, default).unwrap();
            assert_eq!(
                request.uri().to_string(),
                "https://graph.microsoft.com/v1.0/me/events"
            );
        }
    }

    #[test]
    fn the_calendar_list_says_which_calendars_take_events() {
        let answer = response(
            200,
            r#"{"value":[{"id":"m1","name":"Calendar","isDefaultCalendar":true,"canEdit":true},
                {"id":"m2","name":"Shared","canEdit":false},{"id":"m3","name":"Old"}]}"#,
        );
        let (calendars, _) = parse_calendar_list(&answer).unwrap();
        let writable: Vec<bool> = calendars.iter().map(|c| c.writable).collect();
        assert_eq!(writable, [true, false, false]);
    }
}
