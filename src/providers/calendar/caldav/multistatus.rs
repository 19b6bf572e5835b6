//! WebDAV's `207 Multi-Status` body (RFC 4918 §13, §14.16) read into the few properties
//! discovery needs, by expanded name (namespace and local name, RFC 4918 §8.3): a server may
//! use any prefixes, or none. Only properties inside a `propstat` whose `status` is 2xx count
//! (a 404 `propstat` lists what the resource does not have, RFC 4918 §9.1). Everything else a
//! server sends, other properties included, is skipped unread.

use quick_xml::events::Event;
use quick_xml::name::{Namespace, ResolveResult};
use quick_xml::NsReader;

const DAV: &str = "DAV:";
const CALDAV: &str = "urn:ietf:params:xml:ns:caldav";

/// What one `response` element says about one resource.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DavResource {
    /// The resource's `href`, as the server wrote it (relative or absolute).
    pub href: String,
    /// `DAV:current-user-principal` (RFC 5397): the signed-in user's principal.
    pub principal: Option<String>,
    /// `CALDAV:calendar-home-set` (RFC 4791 §6.2.1): where the user's calendars are.
    pub calendar_home: Option<String>,
    /// `DAV:resourcetype` holds `CALDAV:calendar` (RFC 4791 §4.2).
    pub is_calendar: bool,
    /// `DAV:displayname`, when set.
    pub display_name: Option<String>,
    /// `CALDAV:supported-calendar-component-set` (RFC 4791 §5.2.3): the component names the
    /// calendar takes; `None` when the server did not say, which means it takes all.
    pub components: Option<Vec<String>>,
    /// `CALDAV:calendar-data` (RFC 4791 §9.6): the iCalendar text of a calendar-query's
    /// result, read only for its times by `caldav::query`.
    pub calendar_data: Option<String>,
    /// `DAV:current-user-privilege-set` (RFC 3744 §5.4): the local names of the DAV:
    /// privileges the signed-in user has (`read`, `write-content`, `all` …); `None` when the
    /// server did not say.
    pub privileges: Option<Vec<String>>,
}

/// The element we are inside of, as far as reading needs to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Element {
    Multistatus,
    Response,
    Href,
    Propstat,
    Status,
    Prop,
    Principal,
    PrincipalHref,
    HomeSet,
    HomeSetHref,
    ResourceType,
    DisplayName,
    ComponentSet,
    CalendarData,
    PrivilegeSet,
    Privilege,
    /// Anything else (skipped, but its end must still be matched).
    Other,
}

/// A property value read inside one `propstat`, kept until its `status` is known.
#[derive(Debug, Default)]
struct Pending {
    principal: Option<String>,
    calendar_home: Option<String>,
    is_calendar: bool,
    display_name: Option<String>,
    components: Option<Vec<String>>,
    calendar_data: Option<String>,
    privileges: Option<Vec<String>>,
    ok: bool,
}

impl Pending {
    /// The values with the whitespace around them gone (XML keeps indentation as text).
    fn trimmed(self) -> Self {
        let trim = |value: Option<String>| value.map(|v| v.trim().to_owned());
        Self {
            principal: trim(self.principal),
            calendar_home: trim(self.calendar_home),
            display_name: trim(self.display_name),
            ..self
        }
    }
}

/// Reads a multistatus body; an error names where it stopped, never what the body held.
pub fn parse(body: &[u8]) -> Result<Vec<DavResource>, String> {
    let text = std::str::from_utf8(body).map_err(|_| "multistatus: not UTF-8".to_owned())?;
    let mut reader = NsReader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut resources = Vec::new();
    let mut current = DavResource::default();
    let mut pending = Pending::default();
    let mut seen_root = false;
    loop {
        let (namespace, event) = reader
            .read_resolved_event()
            .map_err(|_| "multistatus: unreadable XML".to_owned())?;
        match event {
            Event::Start(start) => {
                let element = element(&namespace, start.local_name().as_ref(), stack.last());
                seen_root |= element == Element::Multistatus;
                on_open(element, stack.last().copied(), &start, &namespace, &mut pending);
                stack.push(element);
            }
            Event::Empty(empty) => {
                let element = element(&namespace, empty.local_name().as_ref(), stack.last());
                on_open(element, stack.last().copied(), &empty, &namespace, &mut pending);
            }
            Event::Text(text) => {
                // Kept as sent: a value split around an entity needs its spaces; values are
                // trimmed when their element is done.
                let value = text.xml10_content().into_owned();
                on_text(stack.last().copied(), stack.len(), value, &mut current, &mut pending);
            }
            Event::CData(data) => {
                // Some servers wrap calendar-data in CDATA instead of escaping it.
                let value = data.xml10_content().into_owned();
                on_text(stack.last().copied(), stack.len(), value, &mut current, &mut pending);
            }
            Event::GeneralRef(reference) => {
                // An entity such as `&amp;` or `&#38;` arrives on its own; the parts of a
                // value are joined as the text they stand for.
                let value = match reference.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => quick_xml::escape::unescape(&format!("&{};", &*reference))
                        .map_err(|_| "multistatus: an unknown entity".to_owned())?
                        .into_owned(),
                };
                on_text(stack.last().copied(), stack.len(), value, &mut current, &mut pending);
            }
            Event::End(_) => match stack.pop() {
                Some(Element::Propstat) => {
                    if pending.ok {
                        let taken = std::mem::take(&mut pending).trimmed();
                        current.principal = current.principal.take().or(taken.principal);
                        current.calendar_home = current.calendar_home.take().or(taken.calendar_home);
                        current.is_calendar |= taken.is_calendar;
                        current.display_name = current.display_name.take().or(taken.display_name);
                        current.components = current.components.take().or(taken.components);
                        current.calendar_data = current.calendar_data.take().or(taken.calendar_data);
                        current.privileges = current.privileges.take().or(taken.privileges);
                    }
                    pending = Pending::default();
                }
                Some(Element::Response) => {
                    let mut done = std::mem::take(&mut current);
                    done.href = done.href.trim().to_owned();
                    resources.push(done);
                }
                Some(_) => {}
                None => return Err("multistatus: unbalanced elements".into()),
            },
            Event::Eof => break,
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err("multistatus: the body ended inside an element".into());
    }
    if !seen_root {
        return Err("multistatus: no DAV:multistatus element".into());
    }
    Ok(resources)
}

/// Which element `local` (in `namespace`) is, given the element it is inside of.
fn element(namespace: &ResolveResult, local: &str, parent: Option<&Element>) -> Element {
    let in_ns = |wanted: &str| matches!(namespace, ResolveResult::Bound(Namespace(ns)) if *ns == wanted);
    let dav = in_ns(DAV);
    let caldav = in_ns(CALDAV);
    match (parent, local) {
        (None, "multistatus") if dav => Element::Multistatus,
        (Some(Element::Multistatus), "response") if dav => Element::Response,
        (Some(Element::Response), "href") if dav => Element::Href,
        (Some(Element::Response), "propstat") if dav => Element::Propstat,
        (Some(Element::Propstat), "status") if dav => Element::Status,
        (Some(Element::Propstat), "prop") if dav => Element::Prop,
        (Some(Element::Prop), "current-user-principal") if dav => Element::Principal,
        (Some(Element::Principal), "href") if dav => Element::PrincipalHref,
        (Some(Element::Prop), "calendar-home-set") if caldav => Element::HomeSet,
        (Some(Element::HomeSet), "href") if dav => Element::HomeSetHref,
        (Some(Element::Prop), "resourcetype") if dav => Element::ResourceType,
        (Some(Element::Prop), "displayname") if dav => Element::DisplayName,
        (Some(Element::Prop), "supported-calendar-component-set") if caldav => {
            Element::ComponentSet
        }
        (Some(Element::Prop), "calendar-data") if caldav => Element::CalendarData,
        (Some(Element::Prop), "current-user-privilege-set") if dav => Element::PrivilegeSet,
        (Some(Element::PrivilegeSet), "privilege") if dav => Element::Privilege,
        (Some(Element::ResourceType), "calendar") if caldav => Element::Other,
        (Some(Element::ComponentSet), "comp") if caldav => Element::Other,
        _ => Element::Other,
    }
}

/// An opening (or empty) element's own meaning: a calendar resource type, a component name,
/// the start of a component set or of a privilege set, or a privilege.
fn on_open(
    element: Element,
    parent: Option<Element>,
    start: &quick_xml::events::BytesStart,
    namespace: &ResolveResult,
    pending: &mut Pending,
) {
    let caldav = matches!(namespace, ResolveResult::Bound(Namespace(ns)) if *ns == CALDAV);
    let dav = matches!(namespace, ResolveResult::Bound(Namespace(ns)) if *ns == DAV);
    match (element, start.local_name().as_ref()) {
        (Element::ComponentSet, _) => {
            pending.components.get_or_insert_with(Vec::new);
        }
        (Element::PrivilegeSet, _) => {
            pending.privileges.get_or_insert_with(Vec::new);
        }
        // A privilege's one child names it (RFC 3744 §5.4); others' privileges are not ours.
        (Element::Other, name) if dav && parent == Some(Element::Privilege) => {
            pending
                .privileges
                .get_or_insert_with(Vec::new)
                .push(name.to_owned());
        }
        (Element::Other, "calendar") if caldav => pending.is_calendar = true,
        (Element::Other, "comp") if caldav => {
            let name = start
                .attributes()
                .flatten()
                .find(|a| a.key.local_name().as_ref() == "name")
                .map(|a| a.value.into_owned());
            if let Some(name) = name {
                pending
                    .components
                    .get_or_insert_with(Vec::new)
                    .push(name.to_ascii_uppercase());
            }
        }
        _ => {}
    }
}

/// Text inside an element we read.
fn on_text(
    element: Option<Element>,
    depth: usize,
    value: String,
    current: &mut DavResource,
    pending: &mut Pending,
) {
    let append = |slot: &mut Option<String>, value: String| match slot {
        Some(text) => text.push_str(&value),
        None => *slot = Some(value),
    };
    match element {
        // The response's own href is a direct child (depth 3: multistatus, response, href).
        Some(Element::Href) if depth == 3 => current.href.push_str(&value),
        Some(Element::Status) => {
            // "HTTP/1.1 200 OK": the second word is the status code (RFC 4918 §14.28).
            pending.ok = value
                .split_whitespace()
                .nth(1)
                .and_then(|code| code.parse::<u16>().ok())
                .is_some_and(|code| (200..300).contains(&code));
        }
        Some(Element::PrincipalHref) => append(&mut pending.principal, value),
        Some(Element::HomeSetHref) => append(&mut pending.calendar_home, value),
        Some(Element::DisplayName) => append(&mut pending.display_name, value),
        Some(Element::CalendarData) => append(&mut pending.calendar_data, value),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4791 §5.2.3-style answer with another prefix for each namespace and a 404
    /// `propstat` for what the collection lacks.
    const LISTING: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<D:multistatus xmlns:D="DAV:" xmlns:cal="urn:ietf:params:xml:ns:caldav">
  <D:response>
    <D:href>/ana/</D:href>
    <D:propstat><D:prop><D:resourcetype><D:collection/></D:resourcetype></D:prop>
      <D:status>HTTP/1.1 200 OK</D:status></D:propstat>
    <D:propstat><D:prop><D:displayname/></D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat>
  </D:response>
  <D:response>
    <D:href>/ana/work%20calendar/</D:href>
    <D:propstat><D:prop>
      <D:resourcetype><D:collection/><cal:calendar/></D:resourcetype>
      <D:displayname>Work &amp; travel</D:displayname>
      <cal:supported-calendar-component-set><cal:comp name="VEVENT"/><cal:comp name="VTODO"/></cal:supported-calendar-component-set>
    </D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>
  </D:response>
  <D:response>
    <D:href>/ana/tasks/</D:href>
    <D:propstat><D:prop>
      <D:resourcetype><D:collection/><cal:calendar/></D:resourcetype>
      <cal:supported-calendar-component-set><cal:comp name="VTODO"/></cal:supported-calendar-component-set>
    </D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>
  </D:response>
</D:multistatus>"#;

    #[test]
    fn calendars_their_names_and_components_are_read_whatever_the_prefixes() {
        let read = parse(LISTING.as_bytes()).unwrap();
        assert_eq!(read.len(), 3);
        assert_eq!(read[0].href, "/ana/");
        assert!(!read[0].is_calendar);
        assert_eq!(read[0].display_name, None, "a 404 propstat is not a value");
        assert_eq!(read[1].href, "/ana/work%20calendar/");
        assert!(read[1].is_calendar);
        assert_eq!(read[1].display_name.as_deref(), Some("Work & travel"));
        assert_eq!(
            read[1].components.as_deref(),
            Some(&["VEVENT".to_owned(), "VTODO".to_owned()][..])
        );
        assert_eq!(read[2].components.as_deref(), Some(&["VTODO".to_owned()][..]));
    }

    #[test]
    fn a_principal_and_a_home_set_are_read_with_a_default_namespace() {
        let body = r#"<multistatus xmlns="DAV:"><response><href>/</href><propstat><prop>
            <current-user-principal><href>/ana/</href></current-user-principal>
            <C:calendar-home-set xmlns:C="urn:ietf:params:xml:ns:caldav"><href>https://p07-caldav.example/1234/calendars/</href></C:calendar-home-set>
            </prop><status>HTTP/1.1 200 OK</status></propstat></response></multistatus>"#;
        let read = parse(body.as_bytes()).unwrap();
        assert_eq!(read[0].principal.as_deref(), Some("/ana/"));
        assert_eq!(
            read[0].calendar_home.as_deref(),
            Some("https://p07-caldav.example/1234/calendars/")
        );
    }

    #[test]
    fn elements_of_another_namespace_with_the_same_names_are_not_taken() {
        let body = r#"<D:multistatus xmlns:D="DAV:" xmlns:X="urn:example"><D:response><D:href>/x/</D:href>
            <D:propstat><D:prop><D:resourcetype><X:calendar/></D:resourcetype><X:displayname>no</X:displayname></D:prop>
            <D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response></D:multistatus>"#;
        let read = parse(body.as_bytes()).unwrap();
        assert!(!read[0].is_calendar);
        assert_eq!(read[0].display_name, None);
    }

    #[test]
    fn the_users_privileges_are_read_and_an_unsaid_set_is_none() {
        // Radicale's answers: an owner's calendar, and one shared read-only
        // (radicale/app/propfind.py, `current-user-privilege-set`).
        let body = r#"<multistatus xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
            <response><href>/ana/office/</href><propstat><prop><current-user-privilege-set>
              <privilege><read/></privilege><privilege><C:read-free-busy/></privilege>
              <privilege><all/></privilege><privilege><write-content/></privilege>
            </current-user-privilege-set></prop><status>HTTP/1.1 200 OK</status></propstat></response>
            <response><href>/ana/shared/</href><propstat><prop><current-user-privilege-set>
              <privilege><read/></privilege><privilege><C:read-free-busy/></privilege>
            </current-user-privilege-set></prop><status>HTTP/1.1 200 OK</status></propstat></response>
            <response><href>/ana/old/</href><propstat><prop><current-user-privilege-set/></prop>
              <status>HTTP/1.1 404 Not Found</status></propstat></response>
            </multistatus>"#;
        let read = parse(body.as_bytes()).unwrap();
        assert_eq!(
            read[0].privileges.as_deref(),
            Some(&["read".to_owned(), "all".to_owned(), "write-content".to_owned()][..])
        );
        assert_eq!(read[1].privileges.as_deref(), Some(&["read".to_owned()][..]));
        assert_eq!(read[2].privileges, None, "a 404 propstat is not a value");
    }

    #[test]
    fn broken_bodies_are_errors_that_quote_nothing() {
        for body in ["<D:multistatus xmlns:D=\"DAV:\"><D:response>", "<a></b>", "\u{0}\u{1}"] {
            let error = parse(body.as_bytes()).unwrap_err();
            assert!(error.starts_with("multistatus:"), "{error}");
            assert!(!error.contains("response"), "{error}");
        }
        assert!(parse(&[0xff, 0xfe]).is_err());
    }
}
