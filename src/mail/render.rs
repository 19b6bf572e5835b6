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
use crate::core::display::span_label;
use crate::core::event_type::LocationKind;
use crate::core::ics;
use crate::core::lifecycle::next_sequence;
use crate::core::location::Location;
use crate::core::questions::Answer;
use crate::i18n::{self, Clock, Lang, MailStrings};

/// The language hosts read their emails in, until a host can choose one: the one place to
/// change when they can (every caller passes it as [`BookingFacts::host_lang`]).
pub const HOST_LANG: Lang = Lang::En;

/// Everything the booking emails say, borrowed from the booking and its host and event type.
#[derive(Debug, Clone, Copy)]
pub struct BookingFacts<'a> {
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
    /// Where the meeting happens (`event_types.location_kind`): each email names it in its
    /// reader's language.
    pub location_kind: LocationKind,
    /// The number, address or link the host named for a phone, in-person or custom-link
    /// meeting (`event_types.location_detail`).
    pub location_detail: &'a str,
    /// The Meet, Teams or Zoom link, once the provider made it.
    pub meeting_url: Option<&'a str>,
    /// `https://…/booking/{token}`: the invitee's page for this booking.
    pub manage_url: &'a str,
    /// The invitee's answers to the host's questions (shown to the host only).
    pub answers: &'a [Answer],
    /// The language the invitee booked in (`bookings.lang`): their emails and invitations.
    pub invitee_lang: Lang,
    /// The language of the host's emails and invitations (for now [`HOST_LANG`]).
    pub host_lang: Lang,
    /// The host's own paragraph for the invitee's confirmation (`core::host_message`), in the
    /// invitee's language, or a reminder's text (`core::reminders`); empty: none. Rendered
    /// escaped, in the confirmation and the reminders only.
    pub host_message: &'a str,
}

impl<'a> BookingFacts<'a> {
    /// Where the meeting is, as the event type names it.
    pub fn location(&self) -> Location {
        Location::from_stored(self.location_kind, self.location_detail)
    }

    /// The link to join: the provider's meeting once made, or the host's own link.
    pub fn join_url(&self) -> Option<String> {
        self.location()
            .join_link(self.meeting_url)
            .map(str::to_owned)
    }
}

/// The calendar UID of a new booking (`bookings.calendar_uid`): stable for its whole life and
/// inherited by every booking it is rescheduled to, so a CANCEL or a moved REQUEST replaces
/// the event the first REQUEST added.
pub fn calendar_uid(booking_id: &str) -> String {
    format!("{booking_id}@openslot")
}

/// A piece of a sentence: literal words, or a filled-in value (emphasised when its
/// placeholder was written `*{name}*`).
struct Part {
    text: String,
    strong: bool,
}

/// Fills a sentence's `{name}` placeholders from `values`, once: a value is never scanned
/// again, so text a user typed cannot smuggle in a placeholder. Unknown placeholders stay.
fn parts(template: &str, values: &[(&str, &str)]) -> Vec<Part> {
    let mut out = Vec::new();
    let mut literal = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|at| open + at) else {
            break;
        };
        let key = &rest[open + 1..close];
        let Some((_, value)) = values.iter().find(|(name, _)| *name == key) else {
            literal.push_str(&rest[..=close]);
            rest = &rest[close + 1..];
            continue;
        };
        let before = &rest[..open];
        let strong = before.ends_with('*') && rest[close + 1..].starts_with('*');
        let (before, after) = if strong {
            (&before[..before.len() - 1], close + 2)
        } else {
            (before, close + 1)
        };
        literal.push_str(before);
        if !literal.is_empty() {
            out.push(Part {
                text: std::mem::take(&mut literal),
                strong: false,
            });
        }
        out.push(Part {
            text: (*value).to_owned(),
            strong,
        });
        rest = &rest[after..];
    }
    literal.push_str(rest);
    if !literal.is_empty() {
        out.push(Part {
            text: literal,
            strong: false,
        });
    }
    out
}

/// A sentence with its placeholders filled, as plain text.
fn plain(template: &str, values: &[(&str, &str)]) -> String {
    parts(template, values)
        .into_iter()
        .map(|part| part.text)
        .collect()
}

/// The iCalendar invitation for `facts` in `lang`; `sequence` is 0 for the booking, higher
/// for changes.
pub fn invitation(
    facts: &BookingFacts<'_>,
    lang: Lang,
    method: ics::Method,
    sequence: u32,
    stamp: DateTime<Utc>,
) -> String {
    let strings = lang.strings();
    let t = &strings.mail;
    let uid = facts.calendar_uid;
    let location = strings.place(&facts.location());
    let summary = plain(
        t.ics_summary,
        &[("title", facts.event_title), ("host", facts.host_name)],
    );
    let mut description = format!("{}: {location}\n", t.where_);
    let join_url = facts.join_url();
    if let Some(url) = &join_url {
        description.push_str(&format!("{}: {url}\n", t.join));
    }
    if !facts.note.is_empty() {
        description.push_str(&format!(
            "{}: {}\n",
            plain(t.ics_note_from, &[("invitee", facts.invitee_name)]),
            facts.note
        ));
    }
    description.push_str(&format!("{}: {}", t.ics_manage, facts.manage_url));
    ics::write(&ics::Invitation {
        uid,
        sequence,
        method,
        stamp,
        start: facts.start,
        end: facts.end,
        summary: &summary,
        description: &description,
        location: Some(join_url.as_deref().unwrap_or(&location)),
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
    /// The reader's words.
    t: &'static MailStrings,
    /// `<html lang>`.
    lang: &'static str,
    /// How wide the text part's label column is in this language ("When:  ").
    label_width: usize,
    title: &'a str,
    host_name: &'a str,
    invitee_name: &'a str,
    invitee_email: &'a str,
    hello: String,
    /// The span in the reader's zone.
    when: String,
    /// The span in the other person's zone, when it differs, and its label ("For Ada").
    when_other: Option<String>,
    for_other: String,
    /// The kind of place, with the number or address the host named.
    location: String,
    /// The link to join (the provider's meeting or the host's own link).
    meeting_url: Option<String>,
    note: &'a str,
    /// The host's paragraph (the invitee's confirmation and the reminders show it).
    host_message: &'a str,
    /// The invitee's answers to the host's questions.
    answers: &'a [Answer],
    manage_url: &'a str,
    cancel_url: String,
    reason: &'a str,
    /// Where a moved meeting was, in the reader's zone (reschedule emails only).
    was: String,
    /// When a request's hold ends, in the reader's zone (a new request's emails only).
    until: String,
    /// A cancellation the host made (the reason is theirs), not the invitee.
    by_host: bool,
    /// Which email this is: the templates' closing part branches on it.
    mail: Mail,
    /// The host reads it (no greeting; the invitee's name and address are a row).
    host: bool,
    /// The HTML `<title>`.
    heading: &'a str,
    /// The opening sentence of [`MailStrings`], filled in by [`Self::plain`] or [`Self::rich`].
    intro: &'a str,
    /// The first row's label: when, was (cancelled) or now (moved).
    first_label: &'a str,
    /// Whose reason a cancellation's reason row shows.
    reason_label: &'a str,
    /// Rows shown per kind: see [`Mail`].
    cancelled: bool,
    moved: bool,
    who_before: bool,
    who_after: bool,
    note_row: bool,
}

impl View<'_> {
    fn values(&self) -> [(&'static str, &str); 3] {
        [
            ("title", self.title),
            ("host", self.host_name),
            ("invitee", self.invitee_name),
        ]
    }

    /// A sentence of [`MailStrings`] filled in, for the text part.
    fn plain(&self, template: &str) -> String {
        plain(template, &self.values())
    }

    /// A sentence of [`MailStrings`] filled in, for the HTML part (escaped by askama).
    fn rich(&self, template: &str) -> Vec<Part> {
        parts(template, &self.values())
    }

    /// A row label of the text part with its colon, padded into a column: "When:  ".
    fn label(&self, label: &str) -> String {
        format!("{:<width$}", format!("{label}:"), width = self.label_width)
    }
}

/// Which booking email a [`View`] renders. All eight share one text and one HTML template
/// (`templates/email/booking.*`): their rows are mostly the same, and one template compiles
/// to one copy of them instead of eight (BENCHMARKS.md, *Size*).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mail {
    InviteeConfirmation,
    HostNotification,
    InviteeCancellation,
    HostCancellation,
    InviteeReschedule,
    HostReschedule,
    InviteeReminder,
    HostReminder,
    /// A request waits for the host's approval: to the invitee, and to the host (whose
    /// `manage_url` is then the dashboard's bookings page).
    InviteeRequest,
    HostRequest,
    /// A request ended unconfirmed: declined by the host (`by_host`) or expired.
    InviteeRequestEnded,
}

impl Mail {
    fn reader(self) -> Reader {
        match self {
            Mail::InviteeConfirmation
            | Mail::InviteeCancellation
            | Mail::InviteeReschedule
            | Mail::InviteeReminder
            | Mail::InviteeRequest
            | Mail::InviteeRequestEnded => Reader::Invitee,
            Mail::HostNotification
            | Mail::HostCancellation
            | Mail::HostReschedule
            | Mail::HostReminder
            | Mail::HostRequest => Reader::Host,
        }
    }
}

#[derive(Template)]
#[template(path = "email/booking.txt")]
struct BookingText<'a> {
    v: &'a View<'a>,
}

#[derive(Template)]
#[template(path = "email/booking.html")]
struct BookingHtml<'a> {
    v: &'a View<'a>,
}

/// Renders a view's text and HTML parts.
fn render_both(v: &View<'_>) -> Result<(String, String), askama::Error> {
    Ok((BookingText { v }.render()?, BookingHtml { v }.render()?))
}

/// Which side reads the email: decides its address, zone and language.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reader {
    Invitee,
    Host,
}

/// The reader's side of an email: address, reply-to, zone, language.
struct Side<'a> {
    to: &'a str,
    reply_to: &'a str,
    zone: Tz,
    other_zone: Tz,
    other_name: &'a str,
    lang: Lang,
}

fn side<'a>(facts: &BookingFacts<'a>, reader: Reader) -> Side<'a> {
    match reader {
        Reader::Invitee => Side {
            to: facts.invitee_email,
            reply_to: facts.host_email,
            zone: facts.invitee_zone,
            other_zone: facts.host_zone,
            other_name: facts.host_name,
            lang: facts.invitee_lang,
        },
        Reader::Host => Side {
            to: facts.host_email,
            reply_to: facts.invitee_email,
            zone: facts.host_zone,
            other_zone: facts.invitee_zone,
            other_name: facts.invitee_name,
            lang: facts.host_lang,
        },
    }
}

/// A span in `lang`, 24-hour: "Mittwoch, 25. November 2026, 15:00–15:30 (Europe/Berlin)".
fn span(lang: Lang, start: DateTime<Utc>, end: DateTime<Utc>, zone: Tz) -> String {
    i18n::span_label(lang.strings(), Clock::H24, start, end, zone)
}

/// The view of `mail` for its reader; `reason` and `by_host` matter to cancellations only.
fn view<'a>(facts: &BookingFacts<'a>, mail: Mail, reason: &'a str, by_host: bool) -> View<'a> {
    let side = side(facts, mail.reader());
    let strings = side.lang.strings();
    let t = &strings.mail;
    // A request's emails have one row more, so their column may be wider.
    let until_label = match mail {
        Mail::InviteeRequest | Mail::HostRequest => t.held_until,
        _ => "",
    };
    let label_width = [
        t.when,
        t.now,
        t.was,
        t.where_,
        t.who,
        t.join,
        t.note,
        until_label,
    ]
    .iter()
        .map(|label| label.chars().count())
        .max()
        .unwrap_or(0)
        + 2;
    let (heading, intro) = match mail {
        Mail::InviteeConfirmation => (t.title_booked, t.booked),
        Mail::HostNotification => (t.title_new_booking, t.host_booked),
        Mail::InviteeCancellation if by_host => (t.title_cancelled, t.cancelled_by_host),
        Mail::InviteeCancellation => (t.title_cancelled, t.cancelled),
        Mail::HostCancellation if by_host => (t.title_cancelled, t.host_cancelled_by_you),
        Mail::HostCancellation => (t.title_cancelled, t.host_cancelled),
        Mail::InviteeReschedule => (t.title_moved, t.moved),
        Mail::HostReschedule => (t.title_moved, t.host_moved),
        Mail::InviteeReminder => (t.title_reminder, t.reminder),
        Mail::HostReminder => (t.title_reminder, t.host_reminder),
        Mail::InviteeRequest => (t.title_request, t.request_sent),
        Mail::HostRequest => (t.title_request, t.host_request),
        Mail::InviteeRequestEnded if by_host => (t.title_request_ended, t.request_declined),
        Mail::InviteeRequestEnded => (t.title_request_ended, t.request_expired),
    };
    let cancelled = matches!(
        mail,
        Mail::InviteeCancellation | Mail::HostCancellation | Mail::InviteeRequestEnded
    );
    let moved = matches!(mail, Mail::InviteeReschedule | Mail::HostReschedule);
    let reason_label = match (mail, by_host) {
        (Mail::InviteeCancellation | Mail::InviteeRequestEnded, true) => t.their_reason,
        (Mail::InviteeCancellation, false) | (Mail::HostCancellation, true) => t.your_reason,
        _ => t.reason,
    };
    View {
        t,
        lang: side.lang.code(),
        label_width,
        title: facts.event_title,
        host_name: facts.host_name,
        invitee_name: facts.invitee_name,
        invitee_email: facts.invitee_email,
        hello: plain(t.hello, &[("name", facts.invitee_name)]),
        when: span(side.lang, facts.start, facts.end, side.zone),
        when_other: (side.zone != side.other_zone)
            .then(|| span(side.lang, facts.start, facts.end, side.other_zone)),
        for_other: plain(t.for_name, &[("name", side.other_name)]),
        location: strings.place(&facts.location()),
        meeting_url: facts.join_url(),
        note: facts.note,
        host_message: facts.host_message,
        answers: facts.answers,
        manage_url: facts.manage_url,
        cancel_url: format!("{}/cancel", facts.manage_url),
        reason,
        was: String::new(),
        until: String::new(),
        by_host,
        mail,
        host: mail.reader() == Reader::Host,
        heading,
        intro,
        first_label: if cancelled {
            t.was
        } else if moved {
            t.now
        } else {
            t.when
        },
        reason_label,
        cancelled,
        moved,
        who_before: matches!(
            mail,
            Mail::HostCancellation | Mail::HostReschedule | Mail::HostReminder
        ),
        who_after: matches!(mail, Mail::HostNotification | Mail::HostRequest),
        note_row: matches!(
            mail,
            Mail::InviteeConfirmation
                | Mail::HostNotification
                | Mail::HostReminder
                | Mail::InviteeRequest
                | Mail::HostRequest
        ),
    }
}

/// The parts every booking email is made of; [`compose`] turns them into a [`Message`].
struct Draft<'a> {
    /// The subject sentence of [`MailStrings`].
    subject: fn(&MailStrings) -> &'static str,
    view: View<'a>,
    /// The invitation attached, and its SEQUENCE; none for reminders.
    invitation: Option<(ics::Method, u32)>,
}

fn compose(
    facts: &BookingFacts<'_>,
    draft: Draft<'_>,
    stamp: DateTime<Utc>,
) -> Result<Message, askama::Error> {
    let side = side(facts, draft.view.mail.reader());
    let strings = side.lang.strings();
    let day = strings.day_label(facts.start.with_timezone(&side.zone).date_naive());
    let subject = plain(
        (draft.subject)(&strings.mail),
        &[
            ("title", facts.event_title),
            ("host", facts.host_name),
            ("invitee", facts.invitee_name),
            ("day", &day),
        ],
    );
    let (text, html) = render_both(&draft.view)?;
    Ok(Message {
        to: side.to.into(),
        reply_to: Some(side.reply_to.into()),
        subject: one_line(&subject),
        text,
        html,
        attachments: draft
            .invitation
            .map(|(method, sequence)| {
                calendar_attachment(
                    invitation(facts, side.lang, method, sequence, stamp),
                    method,
                )
            })
            .into_iter()
            .collect(),
    })
}

/// To the invitee when they book: the details, their manage link and `invite.ics` (REQUEST).
pub fn invitee_confirmation(
    facts: &BookingFacts<'_>,
    stamp: DateTime<Utc>,
) -> Result<Message, askama::Error> {
    confirmation_under(|t| t.subject_booked, facts, stamp)
}

/// To the invitee when the Meet or Teams link arrives after they booked: the confirmation
/// again, now with the link, and the invitation with the link as its LOCATION (same UID and
/// SEQUENCE, a newer DTSTAMP: calendars update the entry they have).
pub fn invitee_meeting_link(
    facts: &BookingFacts<'_>,
    stamp: DateTime<Utc>,
) -> Result<Message, askama::Error> {
    confirmation_under(|t| t.subject_meeting_link, facts, stamp)
}

/// The invitee's confirmation with its invitation, under the subject `subject` names.
fn confirmation_under(
    subject: fn(&MailStrings) -> &'static str,
    facts: &BookingFacts<'_>,
    stamp: DateTime<Utc>,
) -> Result<Message, askama::Error> {
    let draft = Draft {
        subject,
        view: view(facts, Mail::InviteeConfirmation, "", false),
        invitation: Some((ics::Method::Request, facts.sequence)),
    };
    compose(facts, draft, stamp)
}

/// To the host when someone books: who, when in the host's zone, the invitee's note and their
/// answers to the host's questions.
pub fn host_notification(
    facts: &BookingFacts<'_>,
    stamp: DateTime<Utc>,
) -> Result<Message, askama::Error> {
    let draft = Draft {
        subject: |t| t.subject_new_booking,
        view: view(facts, Mail::HostNotification, "", false),
        invitation: Some((ics::Method::Request, facts.sequence)),
    };
    compose(facts, draft, stamp)
}

/// Who cancelled a booking: the wording and whose reason it is follow from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelledBy {
    Invitee,
    Host,
}

/// The cancellation of `facts` for `reader`: `cancel.ics` (CANCEL, same UID, SEQUENCE one
/// higher) removes the event, when an invitation was `sent` (a withdrawn request had none).
fn cancellation(
    facts: &BookingFacts<'_>,
    reader: Reader,
    reason: &str,
    by: CancelledBy,
    stamp: DateTime<Utc>,
    sent: bool,
) -> Result<Message, askama::Error> {
    let (mail, subject): (Mail, fn(&MailStrings) -> &'static str) = match (reader, by) {
        (Reader::Invitee, _) => (Mail::InviteeCancellation, |t| t.subject_cancelled),
        (Reader::Host, CancelledBy::Invitee) => {
            (Mail::HostCancellation, |t| t.subject_cancelled_by_invitee)
        }
        (Reader::Host, CancelledBy::Host) => {
            (Mail::HostCancellation, |t| t.subject_cancelled_by_you)
        }
    };
    let draft = Draft {
        subject,
        view: view(facts, mail, reason, by == CancelledBy::Host),
        invitation: sent.then(|| (ics::Method::Cancel, next_sequence(facts.sequence))),
    };
    compose(facts, draft, stamp)
}

/// To the invitee when the booking is cancelled, by them or by the host, with the reason:
/// `cancel.ics` (CANCEL, same UID, SEQUENCE one higher) removes the event.
pub fn invitee_cancellation(
    facts: &BookingFacts<'_>,
    reason: &str,
    by: CancelledBy,
    stamp: DateTime<Utc>,
) -> Result<Message, askama::Error> {
    cancellation(facts, Reader::Invitee, reason, by, stamp, true)
}

/// To the host when the booking is cancelled: by the invitee (with their reason), or as the
/// record of the host's own cancellation.
pub fn host_cancellation(
    facts: &BookingFacts<'_>,
    reason: &str,
    by: CancelledBy,
    stamp: DateTime<Utc>,
) -> Result<Message, askama::Error> {
    cancellation(facts, Reader::Host, reason, by, stamp, true)
}

/// The two cancellation emails (to the invitee, to the host) of a request withdrawn or
/// dropped before the host approved it: no `cancel.ics`, since no invitation was ever sent
/// and a CANCEL would name an event neither calendar has.
pub fn request_withdrawal(
    facts: &BookingFacts<'_>,
    reason: &str,
    by: CancelledBy,
) -> Result<(Message, Message), askama::Error> {
    let stamp = DateTime::UNIX_EPOCH;
    Ok((
        cancellation(facts, Reader::Invitee, reason, by, stamp, false)?,
        cancellation(facts, Reader::Host, reason, by, stamp, false)?,
    ))
}

/// Where a moved meeting was: its old start and end.
#[derive(Debug, Clone, Copy)]
pub struct PreviousTime {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// The reschedule notice of `facts` for `reader`: the new time, the old one, and
/// `invite.ics` (REQUEST with the chain's UID and this booking's higher SEQUENCE).
fn reschedule(
    facts: &BookingFacts<'_>,
    reader: Reader,
    previous: PreviousTime,
    stamp: DateTime<Utc>,
) -> Result<Message, askama::Error> {
    let side = side(facts, reader);
    let (mail, subject): (Mail, fn(&MailStrings) -> &'static str) = match reader {
        Reader::Invitee => (Mail::InviteeReschedule, |t| t.subject_moved),
        Reader::Host => (Mail::HostReschedule, |t| t.subject_moved_by),
    };
    let draft = Draft {
        subject,
        view: View {
            was: span(side.lang, previous.start, previous.end, side.zone),
            ..view(facts, mail, "", false)
        },
        invitation: Some((ics::Method::Request, facts.sequence)),
    };
    compose(facts, draft, stamp)
}

/// To the invitee after they moved the booking: the new time, the old one, and `invite.ics`
/// (REQUEST with the chain's UID and this booking's higher SEQUENCE) that moves the entry.
pub fn invitee_reschedule(
    facts: &BookingFacts<'_>,
    previous: PreviousTime,
    stamp: DateTime<Utc>,
) -> Result<Message, askama::Error> {
    reschedule(facts, Reader::Invitee, previous, stamp)
}

/// To the host after the invitee moved the booking, with the same updating invitation.
pub fn host_reschedule(
    facts: &BookingFacts<'_>,
    previous: PreviousTime,
    stamp: DateTime<Utc>,
) -> Result<Message, askama::Error> {
    reschedule(facts, Reader::Host, previous, stamp)
}

/// To the invitee before the meeting. No attachment: the calendar entry already exists.
/// `facts.manage_url` may be empty (the cron has no request origin unless `PUBLIC_BASE_URL`
/// is set); the templates then leave the link out.
pub fn invitee_reminder(facts: &BookingFacts<'_>) -> Result<Message, askama::Error> {
    let draft = Draft {
        subject: |t| t.subject_reminder_invitee,
        view: view(facts, Mail::InviteeReminder, "", false),
        invitation: None,
    };
    compose(facts, draft, DateTime::UNIX_EPOCH)
}

/// To the host before the meeting.
pub fn host_reminder(facts: &BookingFacts<'_>) -> Result<Message, askama::Error> {
    let draft = Draft {
        subject: |t| t.subject_reminder_host,
        view: view(facts, Mail::HostReminder, "", false),
        invitation: None,
    };
    compose(facts, draft, DateTime::UNIX_EPOCH)
}

/// The two emails of a new request that waits for the host's approval until `until`: to
/// the invitee (their manage link, to see or withdraw it) and to the host (`facts.manage_url`
/// is then the dashboard's bookings page, where it is approved or declined). No invitation
/// is attached: the meeting is not on until the host approves it.
pub fn request_made(
    facts: &BookingFacts<'_>,
    until: DateTime<Utc>,
    dashboard_url: &str,
) -> Result<(Message, Message), askama::Error> {
    let mail = |reader: Reader, mail: Mail, subject: fn(&MailStrings) -> &'static str| {
        let side = side(facts, reader);
        let facts = BookingFacts {
            manage_url: if reader == Reader::Host {
                dashboard_url
            } else {
                facts.manage_url
            },
            ..*facts
        };
        let draft = Draft {
            subject,
            view: View {
                until: i18n::instant_label(side.lang.strings(), Clock::H24, until, side.zone),
                ..view(&facts, mail, "", false)
            },
            invitation: None,
        };
        compose(&facts, draft, DateTime::UNIX_EPOCH)
    };
    Ok((
        mail(Reader::Invitee, Mail::InviteeRequest, |t| t.subject_request)?,
        mail(Reader::Host, Mail::HostRequest, |t| {
            t.subject_host_request
        })?,
    ))
}

/// To the invitee when their request ended unconfirmed: the host declined it (with the
/// host's `reason`, maybe empty) or it expired. No attachment: no invitation was ever sent.
pub fn request_ended(
    facts: &BookingFacts<'_>,
    declined: bool,
    reason: &str,
) -> Result<Message, askama::Error> {
    let draft = Draft {
        subject: if declined {
            |t| t.subject_declined
        } else {
            |t| t.subject_expired
        },
        view: view(facts, Mail::InviteeRequestEnded, reason, declined),
        invitation: None,
    };
    compose(facts, draft, DateTime::UNIX_EPOCH)
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
