//! The iCalendar (RFC 5545) invitation a host and invitee receive for a booking, as an iTIP
//! (RFC 5546) REQUEST or CANCEL carrying one VEVENT.
//!
//! Invariants of [`write`]'s output:
//! - it is one VCALENDAR holding exactly one VEVENT, one ORGANIZER and one ATTENDEE, whatever
//!   text the caller passes: every caller string goes through [`escape`], which leaves no line
//!   break or control character in a value and no stray `"` `:` `;` `,` in a parameter, so only
//!   the property names written here can begin a content line;
//! - every content line ends in CRLF and is folded to at most 75 octets per physical line,
//!   never inside a UTF-8 character ([`fold`]);
//! - times are UTC date-times in basic form (`20261125T083000Z`, RFC 5545 §3.3.5 form #2), so
//!   no VTIMEZONE is needed and every client shows the same instant.
//!
//! A calendar client recognises a later message as an update of the same meeting by its UID
//! and treats it as newer only if its SEQUENCE is higher (RFC 5546 §2.1.4), so callers keep
//! the UID stable per booking and bump the SEQUENCE on every reschedule or cancellation.
//!
//! Nothing here can fail: text is made safe rather than refused, because by the time an
//! invitation is written the booking exists and its fields were parsed at the edge.

mod escape;
mod fold;
#[cfg(test)]
mod tests;

use chrono::{DateTime, Utc};

/// Identifies the product that wrote the calendar (RFC 5545 §3.7.3); clients may use it to
/// work around a producer's quirks.
const PRODID: &str = "-//Openslot//Openslot//EN";

/// What the message asks the receiving calendar to do (RFC 5546 §1.4): add or update the
/// meeting, or remove it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// A new or changed booking: the event is added or updated.
    Request,
    /// A cancelled booking: the event with the same UID is removed.
    Cancel,
    /// A copy to add by hand (the "add to calendar" download), not an iTIP request.
    Publish,
}

impl Method {
    fn name(self) -> &'static str {
        match self {
            Method::Request => "REQUEST",
            Method::Cancel => "CANCEL",
            Method::Publish => "PUBLISH",
        }
    }

    /// RFC 5546 §3.2.5: a CANCEL's VEVENT carries STATUS:CANCELLED.
    fn status(self) -> &'static str {
        match self {
            Method::Request | Method::Publish => "CONFIRMED",
            Method::Cancel => "CANCELLED",
        }
    }
}

/// Someone on the invitation: the name calendars show, and the address they match the
/// invitation to a mailbox by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Person<'a> {
    pub name: &'a str,
    /// An email already parsed at the edge; written after `mailto:`.
    pub email: &'a str,
}

/// Everything one invitation message says about one booking, borrowed from the booking so
/// writing it costs no copies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Invitation<'a> {
    /// Stable for the booking's whole life, e.g. `"{booking_id}@openslot"`.
    pub uid: &'a str,
    /// Bumped on every change (reschedule, cancellation) so clients apply it.
    pub sequence: u32,
    pub method: Method,
    /// When this message was made (DTSTAMP); passed in because the core reads no clock.
    pub stamp: DateTime<Utc>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub summary: &'a str,
    /// Free text; newlines, commas, semicolons and backslashes are escaped.
    pub description: &'a str,
    /// A meeting link or a place.
    pub location: Option<&'a str>,
    pub url: Option<&'a str>,
    pub organizer: Person<'a>,
    pub attendee: Person<'a>,
}

/// Writes the whole VCALENDAR for `invitation`, with CRLF line endings, ready to attach as
/// `text/calendar; method=REQUEST` (or `CANCEL`) or to serve as a `.ics` download.
pub fn write(invitation: &Invitation<'_>) -> String {
    write_as(invitation, Form::Message)
}

/// Writes the event of `invitation` as it is stored in the host's own CalDAV calendar: a
/// calendar object resource carries no METHOD (RFC 4791 §4.1), and its attendee is marked
/// `SCHEDULE-AGENT=CLIENT` (RFC 6638 §7.1) so a scheduling server (iCloud, Fastmail) does
/// not invite the invitee itself: Openslot sends the invitation.
pub fn write_stored(invitation: &Invitation<'_>) -> String {
    write_as(invitation, Form::Stored)
}

/// Whether the calendar is an iTIP message or a stored calendar object resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    Message,
    Stored,
}

fn write_as(invitation: &Invitation<'_>, form: Form) -> String {
    let inv = invitation;
    let mut out = String::with_capacity(1024);
    let mut line = |content: &str| fold::push_folded(&mut out, content);

    line("BEGIN:VCALENDAR");
    line("VERSION:2.0");
    line(&format!("PRODID:{PRODID}"));
    line("CALSCALE:GREGORIAN");
    if form == Form::Message {
        line(&format!("METHOD:{}", inv.method.name()));
    }
    line("BEGIN:VEVENT");
    line(&format!("UID:{}", escape::text(inv.uid)));
    line(&format!("SEQUENCE:{}", inv.sequence));
    line(&format!("DTSTAMP:{}", utc_date_time(inv.stamp)));
    line(&format!("DTSTART:{}", utc_date_time(inv.start)));
    line(&format!("DTEND:{}", utc_date_time(inv.end)));
    line(&format!("SUMMARY:{}", escape::text(inv.summary)));
    line(&format!("DESCRIPTION:{}", escape::text(inv.description)));
    if let Some(location) = inv.location {
        line(&format!("LOCATION:{}", escape::text(location)));
    }
    if let Some(url) = inv.url {
        line(&format!("URL:{}", escape::uri(url)));
    }
    line(&format!("STATUS:{}", inv.method.status()));
    line(&format!("ORGANIZER{}", cal_address(&inv.organizer, "")));
    let scheduling = match form {
        Form::Message => "",
        Form::Stored => ";SCHEDULE-AGENT=CLIENT",
    };
    line(&format!(
        "ATTENDEE{}",
        cal_address(
            &inv.attendee,
            &format!(";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE{scheduling}")
        )
    ));
    line("END:VEVENT");
    line("END:VCALENDAR");
    out
}

/// A UTC DATE-TIME in basic form (RFC 5545 §3.3.5, "FORM #2: DATE WITH UTC TIME"); fractions
/// of a second are dropped, since the format has none.
pub fn utc_date_time(at: DateTime<Utc>) -> String {
    at.format_with_items(crate::core::display::layouts::BASIC_UTC_DATE_TIME.iter())
        .to_string()
}

/// `;CN=...{params}:mailto:...` for ORGANIZER or ATTENDEE (RFC 5545 §3.8.4.1, §3.8.4.3).
/// CN is left out when the name has nothing left after cleaning, rather than written empty.
fn cal_address(person: &Person<'_>, params: &str) -> String {
    let name = escape::param(person.name);
    let cn = if name.is_empty() {
        String::new()
    } else {
        format!(";CN={name}")
    };
    format!("{cn}{params}:mailto:{}", escape::email(person.email))
}
