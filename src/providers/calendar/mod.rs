//! The wire layer of the calendar and conferencing APIs (Google Calendar v3, Microsoft Graph
//! v1.0, Zoom REST v2): pure functions that build an [`HttpRequest`] for each call and turn the
//! response into a typed result. Nothing here sends anything; the Worker shell sends the
//! requests (with its retries and token refresh), and the tests send them to the local fakes.
//!
//! Invariants:
//! - Every request carries `Authorization: Bearer`, `Accept: application/json`, and a JSON
//!   `Content-Type` when it has a body; path segments are percent-encoded here, never by callers.
//! - Busy-time responses are read by shapes (`shape.rs`) that name start, end and status only:
//!   subjects, locations and attendees are skipped unread, never even held in memory.
//! - An [`ApiError`] carries HTTP statuses and the provider's error codes, never message text
//!   or anything else a person wrote.
//! - A bearer token is only ever put on a request to a configured base URL.

pub mod caldav;
pub mod google;
pub mod microsoft;
pub mod own_meetings;
pub mod receiving;
/// Provider answers read by a described shape; the sign-in and connect answers of
/// `providers` too.
pub(crate) mod shape;
pub mod zoom;

use chrono::{DateTime, Utc};

use crate::core::display::rfc3339;
use oauth2::http::{header, HeaderMap, HeaderName, HeaderValue, Method};
use oauth2::{AccessToken, HttpRequest, HttpResponse};

use crate::core::availability::Interval;
use crate::core::meeting_service::MeetingService;
use crate::core::types::{Email, PersonName, TimeZoneName};
use crate::providers::registry::ConnectProvider;
use own_meetings::OwnMeetings;

/// Why a provider answered something other than what we asked for. The Worker decides from the
/// variant alone whether to refresh, wait, retry later or give up, so every non-success status
/// lands in exactly one variant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// 401: the access token is expired or revoked; refresh it once and retry.
    #[error("the provider refused the access token")]
    Unauthorized,
    /// 429 (or Google's 403 `rateLimitExceeded` / `userRateLimitExceeded`): wait and retry,
    /// after `retry_after` seconds when the provider said so.
    #[error("the provider is rate limiting us")]
    RateLimited {
        /// Seconds to wait, when the provider said (`Retry-After`).
        retry_after: Option<u64>,
    },
    /// 5xx, or a Google free/busy calendar with a backend error: transient, retry with backoff.
    #[error("the provider is unavailable (status {status})")]
    Unavailable {
        /// The HTTP status of the answer.
        status: u16,
        /// Seconds to wait, when the provider said (`Retry-After`).
        retry_after: Option<u64>,
    },
    /// 404 or 410: the thing is not there; after a delete it means it is already gone.
    #[error("the provider has no such item")]
    NotFound,
    /// 409: for Google inserts, an event with our id already exists (read it back).
    #[error("the provider reports a conflict")]
    Conflict,
    /// Any other 4xx (or a Google free/busy calendar error such as `notFound`): permanent, a
    /// retry would be refused the same way. `code` is the provider's error code, if it gave one.
    #[error("the provider rejected the request (status {status}, code {code:?})")]
    Rejected {
        /// The HTTP status of the answer.
        status: u16,
        /// The provider's error code (empty when it gave none we can trust).
        code: String,
    },
    /// A success status with a body we cannot read; the text says where, never what.
    #[error("unreadable answer from the provider: {0}")]
    Malformed(String),
}

/// Why a request could not be built. These are our own mistakes (configuration, stored data),
/// never something a retry fixes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    /// A paging link that does not start with the configured API base URL: following it would
    /// hand our bearer token to another host.
    #[error("the next-page link does not point at the configured API")]
    ForeignLink,
    /// An input that cannot go on the wire (no calendar to check, a malformed booking key, a
    /// base URL or token that is not a valid URI or header value).
    #[error("cannot build the provider request: {0}")]
    Invalid(String),
}

/// Our booking id as the idempotency key of everything created for it: 32 lowercase hex
/// characters. Being lowercase hex it is also a valid Google event id (base32hex), so a retried
/// insert collides with the first one instead of making a second event.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BookingKey(String);

impl BookingKey {
    /// Accepts exactly 32 lowercase hex characters (the form booking ids are generated in).
    pub fn parse(raw: &str) -> Result<Self, BuildError> {
        if raw.len() == 32 && raw.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(BuildError::Invalid(
                "a booking key must be 32 lowercase hex characters".into(),
            ))
        }
    }

    /// The key as sent to providers.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A calendar Openslot writes events to, parsed from the name the store keeps
/// (`booking_calendar.calendar_provider`): a name it does not know is an error, never a call
/// to another provider's API (the store's rows deserialize straight into it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CalendarProvider {
    Google,
    Microsoft,
    #[serde(rename = "caldav")]
    CalDav,
}

impl CalendarProvider {
    /// The name the store keeps (and connections are keyed by).
    pub fn as_str(self) -> &'static str {
        self.connection().as_str()
    }

    /// The connection this calendar is read and written through.
    pub fn connection(self) -> ConnectProvider {
        ConnectProvider::ALL
            .into_iter()
            .find(|provider| provider.calendar() == Some(self))
            .expect("every calendar is some connection's (the registry's test)")
    }
}

/// Who makes a booking's meeting link, as the store keeps it (`booking_calendar.conference`):
/// parsed once (the store's rows deserialize straight into it, an unknown name being an
/// error), so every decision about it is an exhaustive match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(try_from = "String")]
pub enum MeetingMaker {
    /// No online meeting is made (an in-person, phone or own-link meeting, or none).
    None,
    /// The service makes one per booking, through the host's connection that provides it.
    Service(MeetingService),
}

impl MeetingMaker {
    /// The maker named `name` in the store, if any.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "none" => Some(Self::None),
            other => MeetingService::parse(other).map(Self::Service),
        }
    }

    /// The name the store keeps.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Service(service) => service.as_str(),
        }
    }

    /// The connection whose key the meeting's id and link are sealed under.
    pub fn connection(self) -> Option<&'static str> {
        match self {
            Self::None => None,
            Self::Service(service) => ConnectProvider::providing(service).map(ConnectProvider::as_str),
        }
    }

    /// The calendar whose event carries the link itself (Meet, Teams): the service's provider
    /// is a calendar too. `None` for a meeting made on its own (Zoom).
    pub fn on_the_event(self) -> Option<CalendarProvider> {
        match self {
            Self::None => None,
            Self::Service(service) => ConnectProvider::providing(service)?.calendar(),
        }
    }

    /// The connection that makes the meeting and how, when the meeting is made on its own
    /// (Zoom) rather than on a calendar's event.
    pub fn made_on_its_own(self) -> Option<(ConnectProvider, &'static dyn OwnMeetings)> {
        let Self::Service(service) = self else {
            return None;
        };
        let provider = ConnectProvider::providing(service)?;
        Some((provider, provider.entry().own_meetings?))
    }

    /// What the host's email calls it.
    pub fn label(self) -> Option<&'static str> {
        match self {
            Self::None => None,
            Self::Service(service) => Some(service.brand()),
        }
    }
}

impl TryFrom<String> for MeetingMaker {
    type Error = String;

    fn try_from(stored: String) -> Result<Self, Self::Error> {
        Self::parse(&stored).ok_or_else(|| format!("unknown meeting maker {stored:?}"))
    }
}

/// Which meeting link the calendar event gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conference {
    /// No online meeting.
    None,
    /// Ask Google Calendar to create a Meet conference (Google only).
    GoogleMeet,
    /// Ask Graph to create a Teams meeting (Microsoft work or school accounts).
    TeamsMeeting,
    /// A link made elsewhere (Zoom's `join_url` or the host's own room), shown as the location
    /// and in the description.
    JoinUrl(String),
}

/// The invitee as the calendar shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attendee {
    /// Where the provider sends the invitation (when the host lets it send updates).
    pub email: Email,
    /// Shown next to the address in the host's calendar.
    pub name: PersonName,
}

/// Everything needed to put a booking in the host's calendar (or to schedule its Zoom meeting).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    /// Makes creation idempotent: Google event id and `requestId`, Graph `transactionId`, the
    /// marker in a Zoom meeting's agenda.
    pub key: BookingKey,
    /// The event's title (Google `summary`, Graph `subject`, Zoom `topic`).
    pub title: String,
    /// Plain text; providers that take HTML are told it is text.
    pub description: String,
    /// The meeting, in UTC; never empty.
    pub when: Interval,
    /// The host's zone, so the event and the Zoom meeting show in the host's local time.
    pub host_zone: TimeZoneName,
    /// The invitee, added as a required attendee (never sent to Zoom).
    pub attendee: Attendee,
    /// The meeting link to ask for or to show.
    pub conference: Conference,
    /// Free text such as an address or a phone number.
    pub location: Option<String>,
}

/// Whether a requested conference (Meet, Teams) exists yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConferenceStatus {
    /// The meeting link is in [`CreatedEvent::meeting_url`].
    Ready,
    /// The provider is still creating it: read the event again (Google answers `pending`).
    Pending,
    /// The provider could not create it (or answered success without a link).
    Failed,
    /// No conference was asked for.
    NotRequested,
}

/// A calendar event as the provider holds it after a create, read or move.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedEvent {
    /// The provider's id, needed to move or delete the event.
    pub event_id: String,
    /// The https meeting link (Meet or Teams) once there is one.
    pub meeting_url: Option<String>,
    /// Whether the requested conference exists yet (poll again while pending).
    pub conference: ConferenceStatus,
    /// The event exists but was cancelled (Google keeps deleted events readable by id): a
    /// recovery after a conflict must not treat it as the live booking.
    pub cancelled: bool,
    /// When the event starts, as the provider holds it: whether a reschedule still has to
    /// move it (`None` when the answer did not say).
    pub starts_at: Option<DateTime<Utc>>,
}

/// How a delete ended; both mean the item is gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deleted {
    /// This request deleted it.
    Now,
    /// It was already gone (404/410), e.g. a retried delete or one done by hand.
    AlreadyGone,
}

/// The providers whose error bodies and quirks differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Api {
    Google,
    Graph,
    Zoom,
    /// CalDAV servers: errors are statuses (and XML preconditions we do not read), no codes.
    CalDav,
}

/// Turns a delete's response into [`Deleted`], treating 404/410 as already gone.
fn deleted(api: Api, response: &HttpResponse) -> Result<Deleted, ApiError> {
    match success_body(api, response) {
        Ok(_) => Ok(Deleted::Now),
        Err(ApiError::NotFound) => Ok(Deleted::AlreadyGone),
        Err(other) => Err(other),
    }
}

/// The body of a 2xx response, or the classified error of anything else.
fn success_body(api: Api, response: &HttpResponse) -> Result<&[u8], ApiError> {
    let status = response.status().as_u16();
    if (200..300).contains(&status) {
        return Ok(response.body());
    }
    Err(classify(api, status, response.headers(), response.body()))
}

fn classify(api: Api, status: u16, headers: &HeaderMap, body: &[u8]) -> ApiError {
    let code = error_code(api, body);
    match status {
        401 => ApiError::Unauthorized,
        429 => ApiError::RateLimited {
            retry_after: retry_after(headers),
        },
        403 if api == Api::Google
            && matches!(
                code.as_deref(),
                Some("rateLimitExceeded" | "userRateLimitExceeded")
            ) =>
        {
            ApiError::RateLimited {
                retry_after: retry_after(headers),
            }
        }
        404 | 410 => ApiError::NotFound,
        409 => ApiError::Conflict,
        // 501 Not Implemented: the server does not support the call at all (RFC 9110
        // §15.6.2); a retry gets the same answer.
        501 => ApiError::Rejected {
            status,
            code: code.unwrap_or_default(),
        },
        500..=599 => ApiError::Unavailable {
            status,
            retry_after: retry_after(headers),
        },
        _ => ApiError::Rejected {
            status,
            code: code.unwrap_or_default(),
        },
    }
}

/// The provider's machine-readable error code, from each provider's documented error body:
/// Google `error.errors[0].reason` (else `error.status`), Graph `error.code`, Zoom `code`.
fn error_code(api: Api, body: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let code = match api {
        Api::Google => value
            .pointer("/error/errors/0/reason")
            .and_then(|v| v.as_str())
            .or_else(|| value.pointer("/error/status").and_then(|v| v.as_str()))
            .map(str::to_owned),
        Api::Graph => value
            .pointer("/error/code")
            .and_then(|v| v.as_str())
            .map(str::to_owned),
        Api::Zoom => match value.get("code") {
            Some(serde_json::Value::Number(n)) => Some(n.to_string()),
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            _ => None,
        },
        Api::CalDav => None,
    }?;
    // A code is an identifier; anything else (a sentence, an address) is not kept.
    let looks_like_code = !code.is_empty()
        && code.len() <= 64
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    looks_like_code.then_some(code)
}

/// `Retry-After` in seconds: delta-seconds as given, or an HTTP-date measured against the
/// response's own `Date` header (both stamped by the provider's clock, so our clock's skew does
/// not matter; without a `Date` the wait is unknown and the caller's own backoff applies).
fn retry_after(headers: &HeaderMap) -> Option<u64> {
    let value = headers.get(header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(seconds);
    }
    let at = DateTime::parse_from_rfc2822(value).ok()?;
    let date = headers.get(header::DATE)?.to_str().ok()?.trim();
    let now = DateTime::parse_from_rfc2822(date).ok()?;
    Some(u64::try_from((at - now).num_seconds()).unwrap_or(0))
}

/// A description of a body that failed to parse, without quoting any of its content (serde's
/// own messages can quote values).
fn malformed(what: &str, error: &serde_json::Error) -> ApiError {
    let kind = match error.classify() {
        serde_json::error::Category::Io => "read error",
        serde_json::error::Category::Syntax => "invalid JSON",
        serde_json::error::Category::Data => "unexpected shape",
        serde_json::error::Category::Eof => "truncated JSON",
    };
    ApiError::Malformed(format!(
        "{what}: {kind} at line {} column {}",
        error.line(),
        error.column()
    ))
}

/// Reads a 2xx body as `shape`, naming `what` in the error.
fn parse_json(
    api: Api,
    response: &HttpResponse,
    what: &str,
    shape: &'static shape::Shape,
) -> Result<shape::Node, ApiError> {
    let body = success_body(api, response)?;
    shape::read(body, shape).map_err(|e| malformed(what, &e))
}

/// Builds a request with the headers every call carries; `body` (JSON) adds the content type.
fn request(
    method: Method,
    url: &str,
    token: &AccessToken,
    body: Option<&serde_json::Value>,
    extra_headers: &[(HeaderName, &'static str)],
) -> Result<HttpRequest, BuildError> {
    let bad = |e: oauth2::http::Error| BuildError::Invalid(e.to_string());
    let authorization =
        HeaderValue::try_from(format!("Bearer {}", token.secret())).map_err(|e| bad(e.into()))?;
    let mut builder = oauth2::http::Request::builder()
        .method(method)
        .uri(url)
        .header(header::AUTHORIZATION, authorization)
        .header(header::ACCEPT, "application/json");
    for (name, value) in extra_headers {
        builder = builder.header(name.clone(), *value);
    }
    let bytes = match body {
        Some(json) => {
            builder = builder.header(header::CONTENT_TYPE, "application/json");
            serde_json::to_vec(json).map_err(|e| BuildError::Invalid(e.to_string()))?
        }
        None => Vec::new(),
    };
    builder.body(bytes).map_err(bad)
}

/// Percent-encodes one path segment: everything but RFC 3986 unreserved characters, so ids
/// with `@`, `#`, `/` or `?` stay one segment. An empty id is refused: `…/events/` would be a
/// different call (Google's events.list reads every event's details).
fn segment(raw: &str) -> Result<String, BuildError> {
    if raw.is_empty() {
        return Err(BuildError::Invalid("an empty id in a request path".into()));
    }
    let mut out = String::with_capacity(raw.len());
    for b in raw.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    Ok(out)
}

/// `url?k=v&…` with form-urlencoded pairs.
fn with_query(url: &str, pairs: &[(&str, &str)]) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs {
        query.append_pair(name, value);
    }
    format!("{url}?{}", query.finish())
}

/// The link if it is an https URL without spaces or control characters; meeting links end up
/// in emails and pages, so nothing else is passed on.
fn https_url(raw: &str) -> Option<String> {
    let ok = raw.starts_with("https://")
        && raw.len() > "https://".len()
        && !raw.chars().any(|c| c.is_whitespace() || c.is_control());
    ok.then(|| raw.to_owned())
}

/// The description with the meeting link appended when the link comes from elsewhere, so
/// calendar clients that ignore the location still show it.
fn description_with_link(event: &NewEvent) -> String {
    match &event.conference {
        Conference::JoinUrl(url) if event.description.is_empty() => format!("Join: {url}"),
        Conference::JoinUrl(url) => format!("{}\n\nJoin: {url}", event.description),
        _ => event.description.clone(),
    }
}

/// The location shown: the host's text, else a foreign meeting link.
fn location_text(event: &NewEvent) -> Option<String> {
    match (&event.location, &event.conference) {
        (Some(text), _) if !text.trim().is_empty() => Some(text.clone()),
        (_, Conference::JoinUrl(url)) => Some(url.clone()),
        _ => None,
    }
}

/// At most `max` characters of `text`, cut on a character boundary.
fn truncate_chars(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Shared fixtures for the provider tests.
    use super::*;
    use oauth2::http::StatusCode;

    pub use crate::providers::test_support::urls;

    pub fn token() -> AccessToken {
        AccessToken::new("tok-123".into())
    }

    pub fn at(text: &str) -> DateTime<Utc> {
        text.parse().expect("test instant")
    }

    pub fn interval(start: &str, end: &str) -> Interval {
        Interval::new(at(start), at(end)).expect("test interval")
    }

    pub fn response(status: u16, body: &str) -> HttpResponse {
        response_with(status, &[], body)
    }

    pub fn response_with(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse {
        let mut builder = oauth2::http::Response::builder()
            .status(StatusCode::from_u16(status).expect("test status"));
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder
            .body(body.as_bytes().to_vec())
            .expect("test response")
    }

    pub fn json_body(request: &HttpRequest) -> serde_json::Value {
        serde_json::from_slice(request.body()).expect("JSON body")
    }

    pub fn header<'a>(request: &'a HttpRequest, name: &str) -> Option<&'a str> {
        request.headers().get(name).and_then(|v| v.to_str().ok())
    }

    pub fn query(request: &HttpRequest) -> Vec<(String, String)> {
        form_urlencoded::parse(request.uri().query().unwrap_or("").as_bytes())
            .into_owned()
            .collect()
    }

    /// The common headers: bearer token, JSON accept, and a JSON content type iff a body.
    pub fn assert_common_headers(request: &HttpRequest) {
        assert_eq!(header(request, "authorization"), Some("Bearer tok-123"));
        assert_eq!(header(request, "accept"), Some("application/json"));
        let content_type = header(request, "content-type");
        if request.body().is_empty() {
            assert_eq!(content_type, None);
        } else {
            assert_eq!(content_type, Some("application/json"));
        }
    }

    pub fn new_event(conference: Conference) -> NewEvent {
        NewEvent {
            key: BookingKey::parse("0123456789abcdef0123456789abcdef").expect("key"),
            title: "Intro call with Ana".into(),
            description: "Booked via Openslot.".into(),
            when: interval("2026-03-02T09:00:00Z", "2026-03-02T09:30:00Z"),
            host_zone: TimeZoneName::parse("Europe/Berlin").expect("zone"),
            attendee: Attendee {
                email: Email::parse("ana@example.com").expect("email"),
                name: PersonName::parse("Ana Lima").expect("name"),
            },
            conference,
            location: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::*;
    use super::*;

    #[test]
    fn meeting_makers_round_trip_and_own_the_right_connection() {
        let makers = std::iter::once(MeetingMaker::None)
            .chain(MeetingService::ALL.into_iter().map(MeetingMaker::Service));
        for maker in makers {
            assert_eq!(MeetingMaker::parse(maker.as_str()), Some(maker));
            let stored = serde_json::Value::from(maker.as_str());
            assert_eq!(serde_json::from_value::<MeetingMaker>(stored).ok(), Some(maker));
        }
        assert_eq!(MeetingMaker::parse("webex"), None);
        assert!(serde_json::from_value::<MeetingMaker>("webex".into()).is_err());
        let zoom = MeetingMaker::Service(MeetingService::Zoom);
        let teams = MeetingMaker::Service(MeetingService::MicrosoftTeams);
        let meet = MeetingMaker::Service(MeetingService::GoogleMeet);
        assert_eq!(zoom.connection(), Some("zoom"));
        assert_eq!(teams.connection(), Some("microsoft"));
        assert_eq!(MeetingMaker::None.connection(), None);
        assert_eq!(meet.on_the_event(), Some(CalendarProvider::Google));
        assert_eq!(teams.on_the_event(), Some(CalendarProvider::Microsoft));
        assert_eq!(zoom.on_the_event(), None);
    }

    #[test]
    fn only_the_calendars_openslot_writes_to_parse_and_nothing_falls_back_to_another() {
        let parse = |name: &str| serde_json::from_value::<CalendarProvider>(name.into()).ok();
        for provider in [
            CalendarProvider::Google,
            CalendarProvider::Microsoft,
            CalendarProvider::CalDav,
        ] {
            assert_eq!(parse(provider.as_str()), Some(provider));
            assert_eq!(provider.connection().calendar(), Some(provider));
        }
        for name in ["zoom", "ics", "", "Google", "CalDAV", "outlook"] {
            assert_eq!(parse(name), None, "{name}");
        }
    }

    #[test]
    fn booking_keys_are_32_lowercase_hex_characters() {
        assert!(BookingKey::parse("0123456789abcdef0123456789abcdef").is_ok());
        assert!(BookingKey::parse("0123456789ABCDEF0123456789ABCDEF").is_err());
        assert!(BookingKey::parse("0123456789abcdef").is_err());
        assert!(BookingKey::parse("0123456789abcdef0123456789abcdeg").is_err());
    }

    #[test]
    fn statuses_map_to_one_error_each() {
        let classify = |api, status, body: &str| {
            success_body(api, &response(status, body))
                .map(|_| ())
                .unwrap_err()
        };
        assert_eq!(classify(Api::Graph, 401, "{}"), ApiError::Unauthorized);
        assert_eq!(
            classify(Api::Zoom, 429, "{}"),
            ApiError::RateLimited { retry_after: None }
        );
        assert_eq!(classify(Api::Google, 404, "{}"), ApiError::NotFound);
        assert_eq!(classify(Api::Google, 410, "{}"), ApiError::NotFound);
        assert_eq!(classify(Api::Google, 409, "{}"), ApiError::Conflict);
        assert_eq!(
            classify(Api::Graph, 503, "not json"),
            ApiError::Unavailable {
                status: 503,
                retry_after: None
            }
        );
        assert_eq!(
            classify(Api::Graph, 400, "<html>"),
            ApiError::Rejected {
                status: 400,
                code: String::new()
            }
        );
        assert!(success_body(Api::Zoom, &response(204, "")).is_ok());
    }

    #[test]
    fn a_501_is_permanent_and_other_5xx_are_transient() {
        let google = r#"{"error":{"code":501,"message":"Operation is not implemented.",
            "status":"UNIMPLEMENTED"}}"#;
        assert_eq!(
            success_body(Api::Google, &response(501, google)).unwrap_err(),
            ApiError::Rejected {
                status: 501,
                code: "UNIMPLEMENTED".into()
            }
        );
        for status in [500, 502, 503, 504] {
            assert!(matches!(
                success_body(Api::Google, &response(status, "{}")).unwrap_err(),
                ApiError::Unavailable { .. }
            ));
        }
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let seconds = response_with(429, &[("Retry-After", "120")], "{}");
        assert_eq!(
            success_body(Api::Graph, &seconds).unwrap_err(),
            ApiError::RateLimited {
                retry_after: Some(120)
            }
        );
        let date = response_with(
            503,
            &[
                ("Retry-After", "Tue, 24 Nov 2026 07:01:30 GMT"),
                ("Date", "Tue, 24 Nov 2026 07:00:00 GMT"),
            ],
            "{}",
        );
        assert_eq!(
            success_body(Api::Google, &date).unwrap_err(),
            ApiError::Unavailable {
                status: 503,
                retry_after: Some(90)
            }
        );
        let past = response_with(
            429,
            &[
                ("Retry-After", "Tue, 24 Nov 2026 06:59:00 GMT"),
                ("Date", "Tue, 24 Nov 2026 07:00:00 GMT"),
            ],
            "{}",
        );
        assert_eq!(
            success_body(Api::Zoom, &past).unwrap_err(),
            ApiError::RateLimited {
                retry_after: Some(0)
            }
        );
        let no_date = response_with(429, &[("Retry-After", "Tue, 24 Nov 2026 07:01:30 GMT")], "");
        let garbage = response_with(429, &[("Retry-After", "soon")], "");
        for r in [no_date, garbage] {
            assert_eq!(
                success_body(Api::Zoom, &r).unwrap_err(),
                ApiError::RateLimited { retry_after: None }
            );
        }
    }

    #[test]
    fn error_codes_come_from_each_documented_body_and_never_carry_text() {
        let google = r#"{"error":{"code":403,"message":"Insufficient Permission for ana@example.com",
            "errors":[{"domain":"global","reason":"insufficientPermissions","message":"x"}],
            "status":"PERMISSION_DENIED"}}"#;
        let err = success_body(Api::Google, &response(403, google)).unwrap_err();
        assert_eq!(
            err,
            ApiError::Rejected {
                status: 403,
                code: "insufficientPermissions".into()
            }
        );
        assert!(!err.to_string().contains("ana@example.com"));
        let google_status_only =
            r#"{"error":{"code":400,"message":"m","status":"INVALID_ARGUMENT"}}"#;
        assert_eq!(
            error_code(Api::Google, google_status_only.as_bytes()).as_deref(),
            Some("INVALID_ARGUMENT")
        );
        let graph = r#"{"error":{"code":"ErrorAccessDenied","message":"Access is denied.",
            "innerError":{"date":"2026-03-02T09:00:00","request-id":"r"}}}"#;
        assert_eq!(
            error_code(Api::Graph, graph.as_bytes()).as_deref(),
            Some("ErrorAccessDenied")
        );
        let zoom = r#"{"code":300,"message":"Invalid field: start_time."}"#;
        assert_eq!(
            error_code(Api::Zoom, zoom.as_bytes()).as_deref(),
            Some("300")
        );
        let sentence = r#"{"error":{"code":"Secret meeting with ana@example.com"}}"#;
        assert_eq!(error_code(Api::Graph, sentence.as_bytes()), None);
    }

    #[test]
    fn google_rate_limit_403s_are_rate_limits() {
        for reason in ["rateLimitExceeded", "userRateLimitExceeded"] {
            let body = format!(
                r#"{{"error":{{"code":403,"errors":[{{"reason":"{reason}"}}],"status":"PERMISSION_DENIED"}}}}"#
            );
            let r = response_with(403, &[("Retry-After", "7")], &body);
            assert_eq!(
                success_body(Api::Google, &r).unwrap_err(),
                ApiError::RateLimited {
                    retry_after: Some(7)
                }
            );
        }
        let graph = r#"{"error":{"code":"rateLimitExceeded"}}"#;
        assert!(matches!(
            success_body(Api::Graph, &response(403, graph)).unwrap_err(),
            ApiError::Rejected { status: 403, .. }
        ));
    }

    #[test]
    fn malformed_bodies_are_described_without_their_content() {
        let error = serde_json::from_str::<u32>(r#""ana@example.com""#).unwrap_err();
        let text = malformed("event", &error).to_string();
        assert!(text.contains("event: unexpected shape"));
        assert!(!text.contains("ana@"));
    }

    #[test]
    fn path_segments_are_fully_percent_encoded() {
        assert_eq!(
            segment("en.usa#holiday@group.v.calendar.google.com").unwrap(),
            "en.usa%23holiday%40group.v.calendar.google.com"
        );
        assert_eq!(segment("a/b?c d%").unwrap(), "a%2Fb%3Fc%20d%25");
        assert_eq!(segment("AAMk-_~.").unwrap(), "AAMk-_~.");
        assert!(segment("").is_err());
    }

    #[test]
    fn only_https_links_are_passed_on() {
        assert_eq!(
            https_url("https://meet.google.com/abc-defg-hij").as_deref(),
            Some("https://meet.google.com/abc-defg-hij")
        );
        assert_eq!(https_url("http://meet.example/x"), None);
        assert_eq!(https_url("javascript:alert(1)"), None);
        assert_eq!(https_url("https://a.example/x y"), None);
        assert_eq!(https_url("https://"), None);
    }

    #[test]
    fn foreign_links_go_in_location_and_description() {
        let mut event = new_event(Conference::JoinUrl("https://zoom.example/j/1".into()));
        assert_eq!(
            description_with_link(&event),
            "Booked via Openslot.\n\nJoin: https://zoom.example/j/1"
        );
        assert_eq!(
            location_text(&event).as_deref(),
            Some("https://zoom.example/j/1")
        );
        event.location = Some("Room 4".into());
        assert_eq!(location_text(&event).as_deref(), Some("Room 4"));
        let plain = new_event(Conference::GoogleMeet);
        assert_eq!(description_with_link(&plain), "Booked via Openslot.");
        assert_eq!(location_text(&plain), None);
    }
}
