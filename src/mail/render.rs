//! The booking emails, rendered from askama templates (`templates/email/*.txt` and `*.html`):
//! a plain-text and an HTML part, plus the iCalendar invitation (iTIP REQUEST or CANCEL).
//!
//! Pure: everything, including the stamp for DTSTAMP, is passed in. The HTML part escapes
//! every caller string (askama's HTML escaping), holds no remote images, no tracking pixels
//! and no rewritten links. Subjects are one line: names cannot carry control characters
//! (`PersonName` refuses them), and [`one_line`] removes any that arrive anyway, so no text a
//! user typed can start a header of its own.

use askama::Template;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::{Attachment, Message};
use crate::core::display::{day_label, span_label};
use crate::core::ics;
use crate::core::lifecycle::next_sequence;
use crate::core::questions::Answer;

/// Everything the booking emails say, borrowed from the booking and its host and event type.
#[derive(Debug, Clone, Copy)]
pub struct BookingFacts<'a> {
    pub booking_id: &'a str,
    /// The calendar entry's UID: the first booking's, kept through every reschedule.
    pub calendar_uid: &'a str,
    /// The SEQUENCE this booking's own invitation carries: 0 when booked, one more per move.
    pub sequence: u32,
    pub event_title: &'a str,
    pub host_name: &'a str,
    pub host_email: &'a str,
    pub host_zone: Tz,
    pub invitee_name: &'a str,
    pub invitee_email: &'a str,
    pub invitee_zone: Tz,
    pub note: &'a str,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Where the meeting happens: a place, or the kind of online meeting.
    pub location: &'a str,
    /// The Meet, Teams or Zoom link, once the provider made it.
    pub meeting_url: Option<&'a str>,
    /// `https://…/booking/{token}`: the invitee's page for this booking.
    pub manage_url: &'a str,
    /// The invitee's answers to the host's questions (shown to the host only).
    pub answers: &'a [Answer],
}

/// The calendar UID of a new booking (`bookings.calendar_uid`): stable for its whole life and
/// inherited by every booking it is rescheduled to, so a CANCEL or a moved REQUEST replaces
/// the event the first REQUEST added.
pub fn calendar_uid(booking_id: &str) -> String {
    format!("{booking_id}@openslot")
}

/// The iCalendar invitation for `facts`; `sequence` is 0 for the booking, higher for changes.
pub fn invitation(
    facts: &BookingFacts<'_>,
    method: ics::Method,
    sequence: u32,
    stamp: DateTime<Utc>,
) -> String {
    let uid = facts.calendar_uid;
    let summary = format!("{} with {}", facts.event_title, facts.host_name);
    let mut description = format!("Where: {}\n", facts.location);
    if let Some(url) = facts.meeting_url {
        description.push_str(&format!("Join: {url}\n"));
    }
    if !facts.note.is_empty() {
        description.push_str(&format!(
            "Note from {}: {}\n",
            facts.invitee_name, facts.note
        ));
    }
    description.push_str(&format!("Manage this booking: {}", facts.manage_url));
    ics::write(&ics::Invitation {
        uid,
        sequence,
        method,
        stamp,
        start: facts.start,
        end: facts.end,
        summary: &summary,
        description: &description,
        location: Some(facts.meeting_url.unwrap_or(facts.location)),
        url: Some(facts.manage_url),
        organizer: ics::Person {
            name: facts.host_name,
            email: facts.host_email,
        },
        attendee: ics::Person {
            name: facts.invitee_name,
            email: facts.invitee_email,
        },
    })
}

fn calendar_attachment(content: String, method: ics::Method) -> Attachment {
    let (filename, method) = match method {
        ics::Method::Cancel => ("cancel.ics", "CANCEL"),
        ics::Method::Request => ("invite.ics", "REQUEST"),
        ics::Method::Publish => ("booking.ics", "PUBLISH"),
    };
    Attachment {
        filename: filename.into(),
        content_type: format!("text/calendar; method={method}; charset=utf-8"),
        content,
    }
}

/// Text for a single header line: control characters (CR, LF, tab, …) become spaces.
pub fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// What the templates show; strings are already in the reader's words and zone.
struct View<'a> {
    title: &'a str,
    host_name: &'a str,
    invitee_name: &'a str,
    invitee_email: &'a str,
    /// The span in the reader's zone.
    when: String,
    /// The span in the other person's zone, when it differs.
    when_other: Option<String>,
    location: &'a str,
    meeting_url: Option<&'a str>,
    note: &'a str,
    /// The invitee's answers to the host's questions.
    answers: &'a [Answer],
    manage_url: &'a str,
    cancel_url: String,
    reason: &'a str,
    /// Where a moved meeting was, in the reader's zone (reschedule emails only).
    was: String,
    /// A cancellation the host made (the reason is theirs), not the invitee.
    by_host: bool,
}

macro_rules! email_template {
    ($text:ident = $text_path:literal, $html:ident = $html_path:literal) => {
        #[derive(Template)]
        #[template(path = $text_path)]
        struct $text<'a> {
            v: &'a View<'a>,
        }

        #[derive(Template)]
        #[template(path = $html_path)]
        struct $html<'a> {
            v: &'a View<'a>,
        }
    };
}

email_template!(
    InviteeConfirmationText = "email/invitee_confirmation.txt",
    InviteeConfirmationHtml = "email/invitee_confirmation.html"
);
email_template!(
    HostNotificationText = "email/host_notification.txt",
    HostNotificationHtml = "email/host_notification.html"
);
email_template!(
    InviteeCancellationText = "email/invitee_cancellation.txt",
    InviteeCancellationHtml = "email/invitee_cancellation.html"
);
email_template!(
    HostCancellationText = "email/host_cancellation.txt",
    HostCancellationHtml = "email/host_cancellation.html"
);
email_template!(
    InviteeRescheduleText = "email/invitee_reschedule.txt",
    InviteeRescheduleHtml = "email/invitee_reschedule.html"
);
email_template!(
    HostRescheduleText = "email/host_reschedule.txt",
    HostRescheduleHtml = "email/host_reschedule.html"
);
email_template!(
    InviteeReminderText = "email/invitee_reminder.txt",
    InviteeReminderHtml = "email/invitee_reminder.html"
);
email_template!(
    HostReminderText = "email/host_reminder.txt",
    HostReminderHtml = "email/host_reminder.html"
);

/// Which side reads the email: decides the zone the time is shown in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reader {
    Invitee,
    Host,
}

fn view<'a>(facts: &BookingFacts<'a>, reader: Reader, reason: &'a str) -> View<'a> {
    let (mine, theirs) = match reader {
        Reader::Invitee => (facts.invitee_zone, facts.host_zone),
        Reader::Host => (facts.host_zone, facts.invitee_zone),
    };
    View {
        title: facts.event_title,
        host_name: facts.host_name,
        invitee_name: facts.invitee_name,
        invitee_email: facts.invitee_email,
        when: span_label(facts.start, facts.end, mine),
        when_other: (mine != theirs).then(|| span_label(facts.start, facts.end, theirs)),
        location: facts.location,
        meeting_url: facts.meeting_url,
        note: facts.note,
        answers: facts.answers,
        manage_url: facts.manage_url,
        cancel_url: format!("{}/cancel", facts.manage_url),
        reason,
        was: String::new(),
        by_host: false,
    }
}

fn local_day(facts: &BookingFacts<'_>, zone: Tz) -> String {
    day_label(facts.start.with_timezone(&zone).date_naive())
}

/// To the invitee when they book: the details, their manage link and `invite.ics` (REQUEST).
pub fn invitee_confirmation(
    facts: &BookingFacts<'_>,
    stamp: DateTime<Utc>,
) -> Result<Message, askama::Error> {
    let v = view(facts, Reader::Invitee, "");
    Ok(Message {
        to: facts.invitee_email.into(),
        reply_to: Some(facts.host_email.into()),
        subject: one_line(&format!(
            "Booked: {} with {} on {}",
            facts.event_title,
            facts.host_name,
            local_day(facts, facts.invitee_zone)
        )),
        text: InviteeConfirmationText { v: &v }.render()?,
        html: InviteeConfirmationHtml { v: &v }.render()?,
        attachments: vec![calendar_attachment(
            invitation(facts, ics::Method::Request, facts.sequence, stamp),
            ics::Method::Request,
        )],
    })
}

/// To the host when someone books: who, when in the host's zone, the invitee's note and their
/// answers to the host's questions.
pub fn host_notification(
    facts: &BookingFacts<'_>,
    stamp: DateTime<Utc>,
) -> Result<Message, askama::Error> {
    let v = view(facts, Reader::Host, "");
    Ok(Message {
        to: facts.host_email.into(),
        reply_to: Some(facts.invitee_email.into()),
        subject: one_line(&format!(
            "New booking: {} with {} on {}",
            facts.event_title,
            facts.invitee_name,
            local_day(facts, facts.host_zone)
        )),
        text: HostNotificationText { v: &v }.render()?,
        html: HostNotificationHtml { v: &v }.render()?,
        attachments: vec![calendar_attachment(
            invitation(facts, ics::Method::Request, facts.sequence, stamp),
            ics::Method::Request,
        )],
    })
}

/// Who cancelled a booking: the wording and whose reason it is follow from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelledBy {
    Invitee,
    Host,
}

/// To the invitee when the booking is cancelled, by them or by the host, with the reason:
/// `cancel.ics` (CANCEL, same UID, SEQUENCE one higher) removes the event.
pub fn invitee_cancellation(
    facts: &BookingFacts<'_>,
    reason: &str,
    by: CancelledBy,
    stamp: DateTime<Utc>,
) -> Result<Message, askama::Error> {
    let v = View {
        by_host: by == CancelledBy::Host,
        ..view(facts, Reader::Invitee, reason)
    };
    Ok(Message {
        to: facts.invitee_email.into(),
        reply_to: Some(facts.host_email.into()),
        subject: one_line(&format!(
            "Cancelled: {} with {} on {}",
            facts.event_title,
            facts.host_name,
            local_day(facts, facts.invitee_zone)
        )),
        text: InviteeCancellationText { v: &v }.render()?,
        html: InviteeCancellationHtml { v: &v }.render()?,
        attachments: vec![calendar_attachment(
            invitation(
                facts,
                ics::Method::Cancel,
                next_sequence(facts.sequence),
                stamp,
            ),
            ics::Method::Cancel,
        )],
    })
}

/// To the host when the booking is cancelled: by the invitee (with their reason), or as the
/// record of the host's own cancellation.
pub fn host_cancellation(
    facts: &BookingFacts<'_>,
    reason: &str,
    by: CancelledBy,
    stamp: DateTime<Utc>,
) -> Result<Message, askama::Error> {
    let v = View {
        by_host: by == CancelledBy::Host,
        ..view(facts, Reader::Host, reason)
    };
    let who = match by {
        CancelledBy::Invitee => facts.invitee_name,
        CancelledBy::Host => "you",
    };
    Ok(Message {
        to: facts.host_email.into(),
        reply_to: Some(facts.invitee_email.into()),
        subject: one_line(&format!(
            "Cancelled by {who}: {} on {}",
            facts.event_title,
            local_day(facts, facts.host_zone)
        )),
        text: HostCancellationText { v: &v }.render()?,
        html: HostCancellationHtml { v: &v }.render()?,
        attachments: vec![calendar_attachment(
            invitation(
                facts,
                ics::Method::Cancel,
                next_sequence(facts.sequence),
                stamp,
            ),
            ics::Method::Cancel,
        )],
    })
}

/// Where a moved meeting was: its old start and end.
#[derive(Debug, Clone, Copy)]
pub struct PreviousTime {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// To the invitee after they moved the booking: the new time, the old one, and `invite.ics`
/// (REQUEST with the chain's UID and this booking's higher SEQUENCE) that moves the entry.
pub fn invitee_reschedule(
    facts: &BookingFacts<'_>,
    previous: PreviousTime,
    stamp: DateTime<Utc>,
) -> Result<Message, askama::Error> {
    let mut v = view(facts, Reader::Invitee, "");
    v.was = span_label(previous.start, previous.end, facts.invitee_zone);
    Ok(Message {
        to: facts.invitee_email.into(),
        reply_to: Some(facts.host_email.into()),
        subject: one_line(&format!(
            "Moved: {} with {} to {}",
            facts.event_title,
            facts.host_name,
            local_day(facts, facts.invitee_zone)
        )),
        text: InviteeRescheduleText { v: &v }.render()?,
        html: InviteeRescheduleHtml { v: &v }.render()?,
        attachments: vec![calendar_attachment(
            invitation(facts, ics::Method::Request, facts.sequence, stamp),
            ics::Method::Request,
        )],
    })
}

/// To the host after the invitee moved the booking, with the same updating invitation.
pub fn host_reschedule(
    facts: &BookingFacts<'_>,
    previous: PreviousTime,
    stamp: DateTime<Utc>,
) -> Result<Message, askama::Error> {
    let mut v = view(facts, Reader::Host, "");
    v.was = span_label(previous.start, previous.end, facts.host_zone);
    Ok(Message {
        to: facts.host_email.into(),
        reply_to: Some(facts.invitee_email.into()),
        subject: one_line(&format!(
            "Moved by {}: {} to {}",
            facts.invitee_name,
            facts.event_title,
            local_day(facts, facts.host_zone)
        )),
        text: HostRescheduleText { v: &v }.render()?,
        html: HostRescheduleHtml { v: &v }.render()?,
        attachments: vec![calendar_attachment(
            invitation(facts, ics::Method::Request, facts.sequence, stamp),
            ics::Method::Request,
        )],
    })
}

/// To the invitee before the meeting. No attachment: the calendar entry already exists.
/// `facts.manage_url` may be empty (the cron has no request origin unless `PUBLIC_BASE_URL`
/// is set); the templates then leave the link out.
pub fn invitee_reminder(facts: &BookingFacts<'_>) -> Result<Message, askama::Error> {
    let v = view(facts, Reader::Invitee, "");
    Ok(Message {
        to: facts.invitee_email.into(),
        reply_to: Some(facts.host_email.into()),
        subject: one_line(&format!(
            "Reminder: {} with {} on {}",
            facts.event_title,
            facts.host_name,
            local_day(facts, facts.invitee_zone)
        )),
        text: InviteeReminderText { v: &v }.render()?,
        html: InviteeReminderHtml { v: &v }.render()?,
        attachments: Vec::new(),
    })
}

/// To the host before the meeting.
pub fn host_reminder(facts: &BookingFacts<'_>) -> Result<Message, askama::Error> {
    let v = view(facts, Reader::Host, "");
    Ok(Message {
        to: facts.host_email.into(),
        reply_to: Some(facts.invitee_email.into()),
        subject: one_line(&format!(
            "Reminder: {} with {} on {}",
            facts.event_title,
            facts.invitee_name,
            local_day(facts, facts.host_zone)
        )),
        text: HostReminderText { v: &v }.render()?,
        html: HostReminderHtml { v: &v }.render()?,
        attachments: Vec::new(),
    })
}

/// What the host is told when a booking's calendar event or meeting could not be made.
pub struct CalendarFailure<'a> {
    pub host_email: &'a str,
    pub host_zone: Tz,
    pub event_title: &'a str,
    pub invitee_name: &'a str,
    pub invitee_email: &'a str,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// "Google Calendar", "Microsoft Outlook" (where the event should have gone), if any.
    pub calendar: Option<&'a str>,
    /// "Google Meet", "Microsoft Teams", "Zoom" (the link that should have been made), if any.
    pub conference: Option<&'a str>,
    /// `https://…/dashboard/connections`, where the host checks the connection.
    pub connections_url: &'a str,
}

#[derive(Template)]
#[template(path = "email/host_calendar_failure.txt")]
struct CalendarFailureText<'a> {
    f: &'a CalendarFailure<'a>,
    when: String,
}

#[derive(Template)]
#[template(path = "email/host_calendar_failure.html")]
struct CalendarFailureHtml<'a> {
    f: &'a CalendarFailure<'a>,
    when: String,
}

/// To the host once Openslot gave up creating a booking's calendar event or meeting link: the
/// booking stands, the host adds the meeting themselves.
pub fn host_calendar_failure(failure: &CalendarFailure<'_>) -> Result<Message, askama::Error> {
    let when = span_label(failure.start, failure.end, failure.host_zone);
    Ok(Message {
        to: failure.host_email.into(),
        reply_to: None,
        subject: one_line(&format!(
            "Action needed: {} with {} is not in your calendar",
            failure.event_title, failure.invitee_name
        )),
        text: CalendarFailureText {
            f: failure,
            when: when.clone(),
        }
        .render()?,
        html: CalendarFailureHtml { f: failure, when }.render()?,
        attachments: Vec::new(),
    })
}

#[cfg(test)]
mod tests;
