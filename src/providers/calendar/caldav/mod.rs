//! CalDAV (RFC 4791) on the wire: finding a host's calendars from a bare domain or URL, and
//! reading their busy times with `free-busy-query`. Pure like the other wire modules: each
//! step builds an [`HttpRequest`] and reads the answer; the Worker shell or a test sends it.
//!
//! Discovery follows RFC 6764 §6 and RFC 4791 §6.2.1: `PROPFIND` of
//! `DAV:current-user-principal` (RFC 5397) on `/.well-known/caldav` (following its redirect,
//! as iCloud and Radicale answer), then of `CALDAV:calendar-home-set` on the principal, then a
//! `Depth: 1` listing of the home with each collection's resource type, name and
//! `supported-calendar-component-set`. Servers redirect between steps (iCloud sends each
//! account to its partition host, `pNN-caldav.icloud.com`); redirects are followed up to
//! [`MAX_REDIRECTS`] times and never from https to http.
//!
//! Busy times are asked for with the `free-busy-query` REPORT (RFC 4791 §7.10), whose answer
//! holds periods only: no titles, places or attendees ever reach us this way.
//!
//! A booking's event is our own `.ics` (`core::ics::write_stored`) at a URL made of the
//! booking key, created with `If-None-Match: *`, moved with `If-Match` and deleted by DELETE,
//! so no retry ever makes a second event.
//!
//! Credentials travel as HTTP Basic (RFC 7617), the one scheme every CalDAV server named in
//! the README takes with an app-specific password, and only to the server the host named (or
//! where it redirected).

pub mod freebusy;
mod lines;
pub mod query;
pub mod multistatus;

use base64::Engine;
use oauth2::http::{header, HeaderName, HeaderValue, Method};
use oauth2::{HttpRequest, HttpResponse};
use url::Url;

use super::{classify, Api, ApiError, BookingKey, BuildError, CalendarProvider, Deleted};
use crate::providers::registry::{Capabilities, Entry};
use crate::core::availability::Interval;
use crate::core::ics::utc_date_time;
use crate::core::webhooks::target::may_call;

/// WebDAV's `Depth` (RFC 4918 §10.2), a constant so no header name is parsed at run time (the
/// parser is a 13 KB table in the Worker).
const DEPTH: HeaderName = HeaderName::from_static("depth");

/// CalDAV in the provider registry: any RFC 4791 server (iCloud, Fastmail, Nextcloud,
/// mailbox.org, Radicale), connected with its address, a user name and an app-specific
/// password, no OAuth; busy times and booked events, no meeting links of its own. There is
/// nothing to revoke: the host deletes the app password at their provider.
pub static ENTRY: Entry = Entry {
    name: "caldav",
    label: "CalDAV calendar",
    company: "Your calendar provider",
    remove_access_at: "your calendar provider's app passwords page",
    capabilities: Capabilities {
        calendar: Some(CalendarProvider::CalDav),
        meeting: None,
        show_as_states: false,
        emails_invitee: false,
        chooses_event_calendar: true,
    },
    scopes: &[],
    required_scopes: &[],
    oauth: None,
    registration: |_| None,
    own_meetings: None,
};

/// Redirects followed in one discovery, across all its steps.
pub const MAX_REDIRECTS: u8 = 5;

/// A CalDAV account: who signs in, with which (app-specific) password. Kept sealed in KV like
/// refresh tokens; never logged (its `Debug` shows the user only).
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

impl Credentials {
    /// Credentials from the vault's secret (a `calendar::caldav::StoredAccount`, whose other
    /// fields are ignored); `None` when it is not one.
    /// Read by a described shape ([`super::shape`]), which accepts and refuses what the derived
    /// `Deserialize` does, instead of compiling that deserializer into the Worker.
    pub fn from_secret(secret: &str) -> Option<Self> {
        use super::shape::{read, Field, Shape};
        static CREDENTIALS: Shape = Shape::Record(&[
            Field::new("username", Shape::Text),
            Field::new("password", Shape::Text),
        ]);
        let mut credentials = read(secret.as_bytes(), &CREDENTIALS).ok()?;
        Some(Self {
            username: credentials.take("username").into_text()?,
            password: credentials.take("password").into_text()?,
        })
    }

    fn header(&self) -> Result<HeaderValue, BuildError> {
        let pair = format!("{}:{}", self.username, self.password);
        let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
        HeaderValue::try_from(format!("Basic {encoded}"))
            .map_err(|_| BuildError::Invalid("credentials that cannot go in a header".into()))
    }
}

/// A calendar found on the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DavCalendar {
    /// Its absolute URL: where busy times are asked and events written.
    pub url: String,
    /// Its display name, or the last segment of its path when it has none.
    pub name: String,
    /// Whether it takes events (`VEVENT` in its component set, or no set given): only such a
    /// calendar is listed at all.
    pub takes_events: bool,
    /// Whether the user may add events to it ([`may_add_events`]): only such a calendar can
    /// receive bookings; a calendar shared read-only still counts for busy times.
    pub writable: bool,
}

/// Whether `privileges` (`DAV:current-user-privilege-set`) let the user add an event to a
/// collection: RFC 3744 §3.9 asks for `DAV:bind` there, which `DAV:write` (§3.2) and `DAV:all`
/// (§3.12) contain; Radicale says `DAV:write-content` for a collection it lets the user write
/// (radicale/app/propfind.py). A server that does not say is taken at its word of old: the
/// owner writes.
pub fn may_add_events(privileges: Option<&[String]>) -> bool {
    privileges.is_none_or(|set| {
        set.iter()
            .any(|p| matches!(p.as_str(), "all" | "write" | "bind" | "write-content"))
    })
}

/// The calendars a connect checks, first the one that receives booked events: those checked
/// before that are still there (a reconnect keeps the host's choice), else every calendar
/// that takes events; a calendar the user may only read never comes first while there is one
/// they may write in.
pub fn checked_on_connect(found: &[DavCalendar], before: &[String]) -> Vec<String> {
    let listed: Vec<&DavCalendar> = found.iter().filter(|c| c.takes_events).collect();
    let kept: Vec<&DavCalendar> = before
        .iter()
        .filter_map(|url| listed.iter().find(|c| c.url == *url).copied())
        .collect();
    let mut checked = if kept.is_empty() { listed } else { kept };
    if let Some(at) = checked.iter().position(|c| c.writable) {
        let receiving = checked.remove(at);
        checked.insert(0, receiving);
    }
    checked.into_iter().map(|c| c.url.clone()).collect()
}

/// Why discovery stopped without calendars.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DiscoveryError {
    /// The address is not a usable URL (or not http(s)).
    #[error("that is not a web address Openslot can use")]
    BadAddress,
    /// The server refused the user name and password.
    #[error("the server refused the user name or password")]
    Unauthorized,
    /// The server answered, but not as a CalDAV server does.
    #[error("no CalDAV calendars were found at that address")]
    NotCalDav,
    /// Redirected too often, or from https to http.
    #[error("the server redirected too often or to an unsafe address")]
    BadRedirect,
    /// The server failed; trying later may work.
    #[error("the server did not answer usefully (status {0})")]
    Server(u16),
    /// A request could not be built.
    #[error(transparent)]
    Build(#[from] BuildError),
}

/// Which question discovery is asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// `current-user-principal` at the well-known URI or the address given.
    Principal,
    /// `calendar-home-set` at the principal.
    HomeSet,
    /// The home's collections.
    Calendars,
}

/// What to do next in a discovery.
#[derive(Debug)]
pub enum Next {
    /// Send this and pass the answer to [`Discovery::read`].
    Send(Box<HttpRequest>),
    /// Discovery is done.
    Found(Vec<DavCalendar>),
}

/// A discovery under way: a small state machine, so the shell only sends what it is given.
#[derive(Debug, Clone)]
pub struct Discovery {
    credentials: Credentials,
    stage: Stage,
    url: Url,
    redirects: u8,
    /// The address as given, tried for the principal when the well-known URI has nothing.
    given: Option<Url>,
    /// A developer's machine: loopback over http is allowed (`LOCAL_DEVELOPMENT`).
    local_development: bool,
}

impl Discovery {
    /// Starts from what a host typed: a bare domain (`fastmail.com`), or a URL with or
    /// without a path. A bare domain or a URL without a path starts at `/.well-known/caldav`;
    /// a URL with a path is asked directly (and is the fallback of the well-known URI).
    /// Every address asked, the first and those the server redirects to or names, must be one
    /// the Worker may call (`core::webhooks::target::may_call`: https to a public host).
    pub fn start(
        address: &str,
        credentials: Credentials,
        local_development: bool,
    ) -> Result<(Self, HttpRequest), DiscoveryError> {
        let address = address.trim();
        let with_scheme = if address.contains("://") {
            address.to_owned()
        } else {
            format!("https://{address}")
        };
        let given = Url::parse(&with_scheme).map_err(|_| DiscoveryError::BadAddress)?;
        if !may_call(&given, local_development) {
            return Err(DiscoveryError::BadAddress);
        }
        let (url, given) = if given.path() == "/" || given.path().is_empty() {
            (given.join("/.well-known/caldav").map_err(|_| DiscoveryError::BadAddress)?, None)
        } else {
            (given.join("/.well-known/caldav").map_err(|_| DiscoveryError::BadAddress)?, Some(given))
        };
        let discovery = Self {
            credentials,
            stage: Stage::Principal,
            url,
            redirects: 0,
            given,
            local_development,
        };
        let request = discovery.request()?;
        Ok((discovery, request))
    }

    /// Reads the answer to the last request and says what comes next.
    pub fn read(&mut self, response: &HttpResponse) -> Result<Next, DiscoveryError> {
        let status = response.status().as_u16();
        if matches!(status, 301 | 302 | 303 | 307 | 308) {
            return self.follow(response);
        }
        if status == 401 || status == 403 {
            return Err(DiscoveryError::Unauthorized);
        }
        if status >= 500 {
            return Err(DiscoveryError::Server(status));
        }
        if status != 207 {
            // The well-known URI is optional (RFC 6764 §5): try the address as given.
            if self.stage == Stage::Principal {
                if let Some(given) = self.given.take() {
                    self.url = given;
                    return Ok(Next::Send(Box::new(self.request()?)));
                }
            }
            return Err(DiscoveryError::NotCalDav);
        }
        let resources =
            multistatus::parse(response.body()).map_err(|_| DiscoveryError::NotCalDav)?;
        match self.stage {
            Stage::Principal => {
                let principal = resources
                    .iter()
                    .find_map(|r| r.principal.clone())
                    .ok_or(DiscoveryError::NotCalDav)?;
                self.url = self.resolve(&principal)?;
                self.stage = Stage::HomeSet;
            }
            Stage::HomeSet => {
                let home = resources
                    .iter()
                    .find_map(|r| r.calendar_home.clone())
                    .ok_or(DiscoveryError::NotCalDav)?;
                self.url = self.resolve(&home)?;
                self.stage = Stage::Calendars;
            }
            Stage::Calendars => {
                let mut calendars = Vec::new();
                for resource in resources.into_iter().filter(|r| r.is_calendar) {
                    let url = self.resolve(&resource.href)?;
                    let name = resource
                        .display_name
                        .filter(|n| !n.is_empty())
                        .unwrap_or_else(|| last_segment(&url));
                    let takes_events = resource
                        .components
                        .is_none_or(|set| set.iter().any(|c| c == "VEVENT"));
                    calendars.push(DavCalendar {
                        url: url.to_string(),
                        name,
                        takes_events,
                        writable: may_add_events(resource.privileges.as_deref()),
                    });
                }
                return Ok(Next::Found(calendars));
            }
        }
        Ok(Next::Send(Box::new(self.request()?)))
    }

    fn follow(&mut self, response: &HttpResponse) -> Result<Next, DiscoveryError> {
        self.redirects += 1;
        let location = response
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .ok_or(DiscoveryError::BadRedirect)?;
        let target = self.url.join(location).map_err(|_| DiscoveryError::BadRedirect)?;
        let downgrade = self.url.scheme() == "https" && target.scheme() != "https";
        if self.redirects > MAX_REDIRECTS || downgrade || !may_call(&target, self.local_development)
        {
            return Err(DiscoveryError::BadRedirect);
        }
        self.url = target;
        Ok(Next::Send(Box::new(self.request()?)))
    }

    /// An href from the server, against the URL it answered for.
    fn resolve(&self, href: &str) -> Result<Url, DiscoveryError> {
        let url = self.url.join(href.trim()).map_err(|_| DiscoveryError::NotCalDav)?;
        let downgrade = self.url.scheme() == "https" && url.scheme() != "https";
        if downgrade || !may_call(&url, self.local_development) {
            return Err(DiscoveryError::BadRedirect);
        }
        Ok(url)
    }

    fn request(&self) -> Result<HttpRequest, BuildError> {
        let (depth, body) = match self.stage {
            Stage::Principal => ("0", PRINCIPAL_BODY),
            Stage::HomeSet => ("0", HOME_SET_BODY),
            Stage::Calendars => ("1", CALENDARS_BODY),
        };
        dav_request("PROPFIND", self.url.as_str(), &self.credentials, depth, body)
    }
}

const PRINCIPAL_BODY: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="DAV:"><d:prop><d:current-user-principal/></d:prop></d:propfind>"#;

const HOME_SET_BODY: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><c:calendar-home-set/></d:prop></d:propfind>"#;

const CALENDARS_BODY: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:resourcetype/><d:displayname/><c:supported-calendar-component-set/><d:current-user-privilege-set/></d:prop></d:propfind>"#;

/// The busy times of the calendar at `calendar_url` within `window`: a `free-busy-query`
/// REPORT (RFC 4791 §7.10), whose answer names periods only.
pub fn free_busy_query(
    calendar_url: &str,
    credentials: &Credentials,
    window: Interval,
) -> Result<HttpRequest, BuildError> {
    let body = format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<c:free-busy-query xmlns:c="urn:ietf:params:xml:ns:caldav"><c:time-range start="{}" end="{}"/></c:free-busy-query>"#,
        utc_date_time(window.start()),
        utc_date_time(window.end())
    );
    dav_request("REPORT", calendar_url, credentials, "1", &body)
}

/// The busy periods of a free-busy answer (200 with `text/calendar`); any other status is
/// classified like the other providers' errors, so the shell's retry rules apply as they are.
pub fn parse_free_busy(response: &HttpResponse) -> Result<Vec<Interval>, ApiError> {
    let status = response.status().as_u16();
    if status != 200 {
        return Err(classify(Api::CalDav, status, response.headers(), response.body()));
    }
    freebusy::busy_periods(response.body()).map_err(ApiError::Malformed)
}

/// Where the event of booking `key` lives in the calendar at `calendar_url`. The key is
/// lowercase hex, so it is one path segment as it is, and the same on every retry.
pub fn event_url(calendar_url: &str, key: &BookingKey) -> String {
    let base = calendar_url.trim_end_matches('/');
    format!("{base}/{}.ics", key.as_str())
}

/// The UID of the event of booking `key`, as it is written at [`event_url`].
pub fn event_uid(key: &BookingKey) -> String {
    format!("{}@openslot", key.as_str())
}

/// The UID of the event Openslot wrote at `event_url` ([`event_url`] read backwards). A moved
/// event keeps it: a rescheduled booking has a key of its own, but the resource's UID may not
/// change (RFC 4791 §5.3.2.1, precondition `CALDAV:no-uid-conflict`; Radicale 3.9 answers such
/// a PUT with 409 Conflict).
pub fn uid_at(event_url: &str) -> String {
    let name = event_url.rsplit('/').next().unwrap_or_default();
    format!("{}@openslot", name.trim_end_matches(".ics"))
}

/// PUT of a booking's new event (RFC 4791 §5.3.2) with `If-None-Match: *` (RFC 9110
/// §13.1.2): it only creates, so a create retried after a lost answer can neither make a
/// second event nor overwrite one.
pub fn create_event(
    event_url: &str,
    credentials: &Credentials,
    ics: &str,
) -> Result<HttpRequest, BuildError> {
    put(event_url, credentials, (header::IF_NONE_MATCH, "*"), ics)
}

/// How a create ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Created {
    /// Made now; the server's entity tag, when it gave one (for a later move or delete).
    Now { etag: Option<String> },
    /// 412: an event is already at that URL, which for our key means an earlier try made it.
    AlreadyThere,
}

/// Reads a create's answer: 201 or 204 made it, 412 says it was there already.
pub fn parse_created(response: &HttpResponse) -> Result<Created, ApiError> {
    match response.status().as_u16() {
        200..=299 => Ok(Created::Now {
            etag: etag(response),
        }),
        412 => Ok(Created::AlreadyThere),
        status => Err(classify(Api::CalDav, status, response.headers(), response.body())),
    }
}

/// PUT of the moved event, only over the version we wrote (`If-Match` with its entity tag,
/// RFC 9110 §13.1.1) or, without one, only over an existing event (`If-Match: *`): a move
/// never creates an event the host deleted, nor overwrites one the host changed.
pub fn move_event(
    event_url: &str,
    credentials: &Credentials,
    known_etag: Option<&str>,
    ics: &str,
) -> Result<HttpRequest, BuildError> {
    put(
        event_url,
        credentials,
        (header::IF_MATCH, known_etag.unwrap_or("*")),
        ics,
    )
}

/// Reads a move's answer: the new entity tag on success; 412 (changed or gone meanwhile) is a
/// [`ApiError::Conflict`], 404 [`ApiError::NotFound`].
pub fn parse_moved(response: &HttpResponse) -> Result<Option<String>, ApiError> {
    match response.status().as_u16() {
        200..=299 => Ok(etag(response)),
        412 => Err(ApiError::Conflict),
        status => Err(classify(Api::CalDav, status, response.headers(), response.body())),
    }
}

/// DELETE of a booking's event.
pub fn delete_event(event_url: &str, credentials: &Credentials) -> Result<HttpRequest, BuildError> {
    oauth2::http::Request::builder()
        .method(Method::DELETE)
        .uri(event_url)
        .header(header::AUTHORIZATION, credentials.header()?)
        .body(Vec::new())
        .map_err(|e| BuildError::Invalid(e.to_string()))
}

/// Reads a delete's answer: gone now, or gone already (404, 410).
pub fn parse_deleted(response: &HttpResponse) -> Result<Deleted, ApiError> {
    match response.status().as_u16() {
        200..=299 => Ok(Deleted::Now),
        404 | 410 => Ok(Deleted::AlreadyGone),
        status => Err(classify(Api::CalDav, status, response.headers(), response.body())),
    }
}

fn put(
    url: &str,
    credentials: &Credentials,
    condition: (HeaderName, &str),
    ics: &str,
) -> Result<HttpRequest, BuildError> {
    oauth2::http::Request::builder()
        .method(Method::PUT)
        .uri(url)
        .header(header::AUTHORIZATION, credentials.header()?)
        .header(header::CONTENT_TYPE, "text/calendar; charset=utf-8")
        .header(condition.0, condition.1)
        .body(ics.as_bytes().to_vec())
        .map_err(|e| BuildError::Invalid(e.to_string()))
}

fn etag(response: &HttpResponse) -> Option<String> {
    response
        .headers()
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The busy times of the calendar at `calendar_url` within `window` from a server without
/// `free-busy-query`: a `calendar-query` REPORT asking for times only ([`query`]).
pub fn calendar_query(
    calendar_url: &str,
    credentials: &Credentials,
    window: Interval,
) -> Result<HttpRequest, BuildError> {
    dav_request("REPORT", calendar_url, credentials, "1", &query::body(window))
}

/// The busy periods of a calendar-query answer (207), dates and floating times in the host's
/// zone.
pub fn parse_calendar_query(
    response: &HttpResponse,
    host_zone: chrono_tz::Tz,
) -> Result<Vec<Interval>, ApiError> {
    let status = response.status().as_u16();
    if status != 207 {
        return Err(classify(Api::CalDav, status, response.headers(), response.body()));
    }
    query::busy_periods(response.body(), host_zone).map_err(ApiError::Malformed)
}

/// Whether a free-busy-query refusal means the server does not offer it, so the
/// calendar-query fallback should be used: 403, 405, 415 or 501 (RFC 4791 §7.10 lets servers
/// refuse it with `CALDAV:supported-report`, sent as 403).
pub fn lacks_free_busy(error: &ApiError) -> bool {
    matches!(error, ApiError::Rejected { status: 403 | 405 | 415 | 501, .. })
}

fn dav_request(
    method: &str,
    url: &str,
    credentials: &Credentials,
    depth: &'static str,
    body: &str,
) -> Result<HttpRequest, BuildError> {
    let method = Method::from_bytes(method.as_bytes())
        .map_err(|_| BuildError::Invalid("a WebDAV method".into()))?;
    oauth2::http::Request::builder()
        .method(method)
        .uri(url)
        .header(header::AUTHORIZATION, credentials.header()?)
        .header(DEPTH, depth)
        .header(header::CONTENT_TYPE, "application/xml; charset=utf-8")
        .body(body.as_bytes().to_vec())
        .map_err(|e| BuildError::Invalid(e.to_string()))
}

/// A calendar's name when it has none: the last segment of its path, decoded.
fn last_segment(url: &Url) -> String {
    let segment = url
        .path_segments()
        .and_then(|mut segments| segments.rfind(|s| !s.is_empty()))
        .unwrap_or("calendar");
    percent_decoded(segment)
}

fn percent_decoded(text: &str) -> String {
    form_urlencoded::parse(format!("x={}", text.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, value)| value.into_owned())
        .unwrap_or_else(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use oauth2::http::{Response, StatusCode};

    #[test]
    fn a_secret_is_read_as_the_derived_deserializer_reads_it() {
        for secret in [
            r#"{"address":"https://dav.example","username":"u","password":"p"}"#,
            r#"{"username":"u","password":"p"}"#,
            r#"{"username":"u"}"#,
            r#"{"username":"u","password":null}"#,
            r#"{"username":"u","username":"v","password":"p"}"#,
            r#"["u","p"]"#,
            r#"{"username":"u","password":"p"} x"#,
            "",
        ] {
            let derived = serde_json::from_slice::<Credentials>(secret.as_bytes()).ok();
            assert_eq!(Credentials::from_secret(secret), derived, "{secret}");
        }
    }

    fn credentials() -> Credentials {
        Credentials {
            username: "ana".into(),
            password: "app-specific password".into(),
        }
    }

    fn answer(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse {
        let mut builder = Response::builder().status(StatusCode::from_u16(status).unwrap());
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(body.as_bytes().to_vec()).unwrap()
    }

    fn principal(href: &str) -> String {
        format!(r#"<multistatus xmlns="DAV:"><response><href>/</href><propstat><prop><current-user-principal><href>{href}</href></current-user-principal></prop><status>HTTP/1.1 200 OK</status></propstat></response></multistatus>"#)
    }

    #[test]
    fn the_uid_at_an_event_url_is_the_one_its_booking_wrote_there() {
        let key = BookingKey::parse("0123456789abcdef0123456789abcdef").expect("key");
        for calendar in ["https://dav.example.com/ana/work/", "https://dav.example.com/ana/work"] {
            let url = event_url(calendar, &key);
            assert_eq!(
                url,
                "https://dav.example.com/ana/work/0123456789abcdef0123456789abcdef.ics"
            );
            assert_eq!(uid_at(&url), event_uid(&key));
        }
    }

    #[test]
    fn a_bare_domain_starts_at_the_well_known_uri_with_basic_credentials() {
        let (_, request) = Discovery::start("fastmail.example", credentials(), false).unwrap();
        assert_eq!(request.method().as_str(), "PROPFIND");
        assert_eq!(request.uri().to_string(), "https://fastmail.example/.well-known/caldav");
        assert_eq!(request.headers()["Depth"], "0");
        let basic = base64::engine::general_purpose::STANDARD.encode("ana:app-specific password");
        assert_eq!(request.headers()[header::AUTHORIZATION], format!("Basic {basic}"));
        assert!(String::from_utf8_lossy(request.body()).contains("current-user-principal"));
        assert!(!format!("{:?}", credentials()).contains("password\""));
        assert!(!format!("{:?}", credentials()).contains("app-specific"));
    }

    #[test]
    fn redirects_are_followed_across_hosts_but_never_down_to_http_or_forever() {
        let (mut discovery, _) = Discovery::start("icloud.example", credentials(), false).unwrap();
        let moved = answer(301, &[("Location", "https://p07-caldav.icloud.example/")], "");
        let Next::Send(request) = discovery.read(&moved).unwrap() else { panic!("send") };
        assert_eq!(request.uri().to_string(), "https://p07-caldav.icloud.example/");

        let (mut discovery, _) = Discovery::start("icloud.example", credentials(), false).unwrap();
        let down = answer(302, &[("Location", "http://icloud.example/")], "");
        assert_eq!(discovery.read(&down).unwrap_err(), DiscoveryError::BadRedirect);

        let (mut discovery, _) = Discovery::start("icloud.example", credentials(), false).unwrap();
        let inside = answer(301, &[("Location", "https://192.168.1.10/")], "");
        assert_eq!(discovery.read(&inside).unwrap_err(), DiscoveryError::BadRedirect);
        assert!(Discovery::start("http://127.0.0.1:5232/", credentials(), true).is_ok());

        let (mut discovery, _) = Discovery::start("loop.example", credentials(), false).unwrap();
        let again = answer(307, &[("Location", "/.well-known/caldav")], "");
        for _ in 0..MAX_REDIRECTS {
            assert!(matches!(discovery.read(&again), Ok(Next::Send(_))));
        }
        assert_eq!(discovery.read(&again).unwrap_err(), DiscoveryError::BadRedirect);
    }

    #[test]
    fn without_a_well_known_uri_the_address_given_is_asked() {
        let (mut discovery, _) =
            Discovery::start("https://dav.example/remote.php/dav/", credentials(), false).unwrap();
        let Next::Send(request) = discovery.read(&answer(404, &[], "")).unwrap() else {
            panic!("send")
        };
        assert_eq!(request.uri().to_string(), "https://dav.example/remote.php/dav/");
        assert_eq!(discovery.read(&answer(404, &[], "")).unwrap_err(), DiscoveryError::NotCalDav);
    }

    fn calendar(url: &str, takes_events: bool, writable: bool) -> DavCalendar {
        DavCalendar {
            url: url.into(),
            name: url.into(),
            takes_events,
            writable,
        }
    }

    #[test]
    fn a_calendar_takes_new_events_with_bind_write_all_or_write_content_or_when_unsaid() {
        let set = |names: &[&str]| names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>();
        assert!(may_add_events(None));
        for writes in [&["read", "all"][..], &["write"], &["bind"], &["read", "write-content"]] {
            assert!(may_add_events(Some(&set(writes))), "{writes:?}");
        }
        for reads in [&["read"][..], &[], &["read", "write-properties", "unbind"]] {
            assert!(!may_add_events(Some(&set(reads))), "{reads:?}");
        }
    }

    #[test]
    fn a_connect_checks_what_takes_events_and_puts_a_writable_calendar_first() {
        let found = [
            calendar("shared", true, false),
            calendar("tasks", false, true),
            calendar("office", true, true),
            calendar("home", true, true),
        ];
        assert_eq!(checked_on_connect(&found, &[]), ["office", "shared", "home"]);
        // A reconnect keeps the host's choice and its order, a vanished calendar dropped.
        let before = ["home".to_owned(), "gone".to_owned(), "shared".to_owned()];
        assert_eq!(checked_on_connect(&found, &before), ["home", "shared"]);
        let read_first = ["shared".to_owned(), "home".to_owned()];
        assert_eq!(checked_on_connect(&found, &read_first), ["home", "shared"]);
        // Only calendars to read: they are still checked for busy times.
        let read_only = [calendar("shared", true, false)];
        assert_eq!(checked_on_connect(&read_only, &[]), ["shared"]);
    }

    #[test]
    fn principal_home_and_listing_lead_to_the_calendars_that_take_events() {
        let (mut discovery, _) = Discovery::start("dav.example", credentials(), false).unwrap();
        let Next::Send(home) = discovery.read(&answer(207, &[], &principal("/ana/"))).unwrap() else {
            panic!("send")
        };
        assert_eq!(home.uri().to_string(), "https://dav.example/ana/");
        assert!(String::from_utf8_lossy(home.body()).contains("calendar-home-set"));
        let home_set = r#"<d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:response><d:href>/ana/</d:href><d:propstat><d:prop><c:calendar-home-set><d:href>/ana/</d:href></c:calendar-home-set></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>"#;
        let Next::Send(listing) = discovery.read(&answer(207, &[], home_set)).unwrap() else {
            panic!("send")
        };
        assert_eq!(listing.headers()["Depth"], "1");
        let collections = r#"<d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">
<d:response><d:href>/ana/</d:href><d:propstat><d:prop><d:resourcetype><d:collection/></d:resourcetype></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
<d:response><d:href>/ana/work%20cal/</d:href><d:propstat><d:prop><d:resourcetype><d:collection/><c:calendar/></d:resourcetype></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
<d:response><d:href>/ana/todo/</d:href><d:propstat><d:prop><d:resourcetype><d:collection/><c:calendar/></d:resourcetype><d:displayname>Tasks</d:displayname><c:supported-calendar-component-set><c:comp name="VTODO"/></c:supported-calendar-component-set></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
<d:response><d:href>/ana/team/</d:href><d:propstat><d:prop><d:resourcetype><d:collection/><c:calendar/></d:resourcetype><d:current-user-privilege-set><d:privilege><d:read/></d:privilege></d:current-user-privilege-set></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
</d:multistatus>"#;
        let Next::Found(calendars) = discovery.read(&answer(207, &[], collections)).unwrap() else {
            panic!("found")
        };
        assert_eq!(
            calendars,
            vec![
                DavCalendar {
                    url: "https://dav.example/ana/work%20cal/".into(),
                    name: "work cal".into(),
                    takes_events: true,
                    writable: true,
                },
                DavCalendar {
                    url: "https://dav.example/ana/todo/".into(),
                    name: "Tasks".into(),
                    takes_events: false,
                    writable: true,
                },
                DavCalendar {
                    url: "https://dav.example/ana/team/".into(),
                    name: "team".into(),
                    takes_events: true,
                    writable: false,
                },
            ]
        );
    }

    #[test]
    fn refusals_and_failures_are_told_apart() {
        let (mut discovery, _) = Discovery::start("dav.example", credentials(), false).unwrap();
        assert_eq!(discovery.read(&answer(401, &[], "")).unwrap_err(), DiscoveryError::Unauthorized);
        let (mut discovery, _) = Discovery::start("dav.example", credentials(), false).unwrap();
        assert_eq!(discovery.read(&answer(503, &[], "")).unwrap_err(), DiscoveryError::Server(503));
        let (mut discovery, _) = Discovery::start("dav.example", credentials(), false).unwrap();
        assert_eq!(
            discovery.read(&answer(207, &[], "<html/>")).unwrap_err(),
            DiscoveryError::NotCalDav
        );
        for bad in [
            "",
            "ftp://dav.example",
            "https://",
            "not a url at all",
            "https://10.0.0.7/dav/",
            "http://dav.example/",
            "http://127.0.0.1:5232/",
        ] {
            assert!(Discovery::start(bad, credentials(), false).is_err(), "{bad}");
        }
    }

    #[test]
    fn only_a_refusal_of_the_report_itself_sends_busy_reads_to_the_fallback() {
        for status in [403, 405, 415, 501] {
            let error = parse_free_busy(&answer(status, &[], "")).unwrap_err();
            assert!(lacks_free_busy(&error), "{status}");
        }
        for status in [401, 404, 429, 500, 503] {
            let error = parse_free_busy(&answer(status, &[], "")).unwrap_err();
            assert!(!lacks_free_busy(&error), "{status}");
        }
    }

    #[test]
    fn the_free_busy_query_asks_for_the_window_in_utc() {
        use chrono::TimeZone;
        let window = Interval::new(
            chrono::Utc.with_ymd_and_hms(2026, 12, 7, 0, 0, 0).unwrap(),
            chrono::Utc.with_ymd_and_hms(2026, 12, 14, 0, 0, 0).unwrap(),
        )
        .unwrap();
        let request = free_busy_query("https://dav.example/ana/work/", &credentials(), window).unwrap();
        assert_eq!(request.method().as_str(), "REPORT");
        let body = String::from_utf8_lossy(request.body()).into_owned();
        assert!(body.contains(r#"start="20261207T000000Z" end="20261214T000000Z""#), "{body}");
        assert!(body.contains("free-busy-query"));
        assert_eq!(parse_free_busy(&answer(401, &[], "")).unwrap_err(), ApiError::Unauthorized);
        assert!(matches!(
            parse_free_busy(&answer(501, &[], "")).unwrap_err(),
            ApiError::Rejected { status: 501, .. }
        ));
    }
}
