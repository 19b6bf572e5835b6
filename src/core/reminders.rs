//! Reminders per event type: an event type either follows the instance's reminder
//! (`REMINDER_MINUTES_BEFORE`, to both sides) or has its own list of up to
//! [`MAX_REMINDERS`], each a time before the meeting, to the invitee, the host or both, with
//! an optional text of the host's. Pure: parsing what a host typed, and the rules a list obeys.
//!
//! A reminder is known by its lead: the cron claims "the reminder `n` minutes before booking
//! `b`" once (`store::reminders`), so a host saving the same list again sends nothing twice.

use super::booking::FieldErrors;
use super::lifecycle::MAX_REMINDER_MINUTES;

/// How many reminders an event type may have (the dashboard form has this many rows).
pub const MAX_REMINDERS: usize = 5;

/// Longest text a host may append to a reminder, in characters.
pub const MAX_NOTE_CHARS: usize = 500;

/// Who gets a reminder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recipients {
    Invitee,
    Host,
    Both,
}

impl Recipients {
    /// Every choice, in the order the dashboard offers them.
    pub const ALL: [Recipients; 3] = [Recipients::Both, Recipients::Invitee, Recipients::Host];

    /// Reads the stored (and API) name: `invitee`, `host` or `both`.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == text)
    }

    /// The name D1 and the host API use.
    pub fn as_str(self) -> &'static str {
        match self {
            Recipients::Invitee => "invitee",
            Recipients::Host => "host",
            Recipients::Both => "both",
        }
    }

    /// How the dashboard names the choice.
    pub fn label(self) -> &'static str {
        match self {
            Recipients::Invitee => "The invitee",
            Recipients::Host => "You",
            Recipients::Both => "The invitee and you",
        }
    }

    /// Whether the invitee gets it.
    pub fn invitee(self) -> bool {
        self != Recipients::Host
    }

    /// Whether the host gets it.
    pub fn host(self) -> bool {
        self != Recipients::Invitee
    }
}

/// One reminder of an event type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder {
    /// How long before the start it goes out, 1 to [`MAX_REMINDER_MINUTES`].
    pub minutes_before: i64,
    pub recipients: Recipients,
    /// The host's text, appended as written (rendered escaped); empty: none.
    pub note: String,
}

/// The reminders an event type sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReminderPlan {
    /// The instance's reminder (`REMINDER_MINUTES_BEFORE`, to both sides).
    Instance,
    /// Its own list, soonest-last; empty: no reminders at all.
    Own(Vec<Reminder>),
}

/// The leads the dashboard offers, in minutes: from five minutes to a week. A lead set
/// through the API that is not among them is offered too, where it is set.
pub const OFFERED_LEADS: [i64; 13] = [5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 4320, 10080];

/// "1 day", "2 hours", "90 minutes": a lead as the dashboard says it, in the largest unit that
/// counts it whole.
pub fn lead_label(minutes: i64) -> String {
    let (size, name) = [(1440, "day"), (60, "hour")]
        .into_iter()
        .find(|(size, _)| minutes % size == 0)
        .unwrap_or((1, "minute"));
    let amount = minutes / size;
    if amount == 1 {
        format!("1 {name}")
    } else {
        format!("{amount} {name}s")
    }
}

#[derive(Clone, Copy)]
/// Where the errors of a list's row `index` are reported (the dashboard's fields, the API's
/// paths), by what was wrong.
pub struct RowFields {
    pub lead: [&'static str; MAX_REMINDERS],
    pub recipients: [&'static str; MAX_REMINDERS],
    pub note: [&'static str; MAX_REMINDERS],
    /// Where "too many reminders" goes.
    pub list: &'static str,
}

/// Refuses a list longer than [`MAX_REMINDERS`], under `fields.list`.
pub fn check_count(len: usize, fields: &RowFields) -> Result<(), FieldErrors> {
    if len > MAX_REMINDERS {
        return Err(FieldErrors::one(
            fields.list,
            format!("An event type has at most {MAX_REMINDERS} reminders."),
        ));
    }
    Ok(())
}

/// Checks a host's list (in any order) and returns it latest-first: at most
/// [`MAX_REMINDERS`], each lead 1 minute to 30 days and used once, each note at most
/// [`MAX_NOTE_CHARS`]. Each row's error names its field in `fields`.
fn checked(list: Vec<Reminder>, fields: &RowFields) -> Result<Vec<Reminder>, FieldErrors> {
    check_count(list.len(), fields)?;
    let mut errors = FieldErrors::default();
    for (index, reminder) in list.iter().enumerate() {
        let minutes = reminder.minutes_before;
        if !(1..=MAX_REMINDER_MINUTES).contains(&minutes) {
            errors.push(
                fields.lead[index],
                "Give a time from 1 minute to 30 days before the meeting.",
            );
        } else if list[..index].iter().any(|r| r.minutes_before == minutes) {
            errors.push(
                fields.lead[index],
                format!(
                    "Another reminder already goes {} before; choose \"The invitee and you\" there to reach both.",
                    lead_label(minutes)
                ),
            );
        }
        if reminder.note.chars().count() > MAX_NOTE_CHARS {
            errors.push(
                fields.note[index],
                format!("Keep the text to {MAX_NOTE_CHARS} characters."),
            );
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // Latest first, by insertion: a list has at most five, and a sort's code costs the
    // Worker's size budget more than this loop.
    let mut ordered: Vec<Reminder> = Vec::with_capacity(list.len());
    for mut reminder in list {
        reminder.note = reminder.note.trim().to_owned();
        let at = ordered
            .iter()
            .position(|r| r.minutes_before < reminder.minutes_before)
            .unwrap_or(ordered.len());
        ordered.insert(at, reminder);
    }
    Ok(ordered)
}

/// One row as typed (the dashboard's form, or the API's reminder as text): an empty amount
/// means "no reminder here".
pub struct TypedRow<'a> {
    /// Minutes before the meeting, as text.
    pub amount: &'a str,
    pub recipients: &'a str,
    pub note: &'a str,
}

/// The dashboard form's fields, row by row.
pub const FORM_FIELDS: RowFields = RowFields {
    lead: ["lead-0", "lead-1", "lead-2", "lead-3", "lead-4"],
    recipients: ["to-0", "to-1", "to-2", "to-3", "to-4"],
    note: ["note-0", "note-1", "note-2", "note-3", "note-4"],
    list: "lead-0",
};

/// The list the rows describe (rows with an empty amount left out: the dashboard offers five),
/// checked; each error names its row's field in `fields` (the dashboard's, or the API's paths).
pub fn from_rows(rows: &[TypedRow<'_>], fields: &RowFields) -> Result<Vec<Reminder>, FieldErrors> {
    check_count(rows.len(), fields)?;
    let mut errors = FieldErrors::default();
    let mut list = Vec::new();
    let mut row_fields = *fields;
    for (index, row) in rows.iter().enumerate() {
        let amount = row.amount.trim();
        if amount.is_empty() {
            continue;
        }
        let Some(recipients) = Recipients::parse(row.recipients) else {
            errors.push(fields.recipients[index], "Choose who gets the reminder.");
            continue;
        };
        let Ok(amount) = amount.parse::<i64>() else {
            errors.push(fields.lead[index], "Give a whole number.");
            continue;
        };
        // The checked list's rows are numbered by position: map them to the rows given.
        let position = list.len();
        row_fields.lead[position] = fields.lead[index];
        row_fields.recipients[position] = fields.recipients[index];
        row_fields.note[position] = fields.note[index];
        list.push(Reminder {
            minutes_before: amount,
            recipients,
            note: row.note.to_owned(),
        });
    }
    let checked = checked(list, &row_fields);
    match (errors.is_empty(), checked) {
        (true, result) => result,
        (false, Ok(_)) => Err(errors),
        (false, Err(more)) => {
            for (field, message) in more.iter() {
                errors.push(field, message.to_owned());
            }
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests;
