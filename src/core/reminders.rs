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

/// The unit a host counts a lead in on the dashboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeadUnit {
    Minutes,
    Hours,
    Days,
}

impl LeadUnit {
    /// Every unit, in the order the dashboard offers them.
    pub const ALL: [LeadUnit; 3] = [LeadUnit::Minutes, LeadUnit::Hours, LeadUnit::Days];

    /// Reads the form's value (`minutes`, `hours`, `days`).
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|u| u.as_str() == text)
    }

    /// The form's value, which is also its plural name.
    pub fn as_str(self) -> &'static str {
        match self {
            LeadUnit::Minutes => "minutes",
            LeadUnit::Hours => "hours",
            LeadUnit::Days => "days",
        }
    }

    /// Minutes in one of this unit.
    pub fn minutes(self) -> i64 {
        match self {
            LeadUnit::Minutes => 1,
            LeadUnit::Hours => 60,
            LeadUnit::Days => 1440,
        }
    }

    /// A lead in the largest unit that counts it whole: 1440 → (1, Days), 90 → (90, Minutes).
    pub fn split(minutes: i64) -> (i64, LeadUnit) {
        let unit = [LeadUnit::Days, LeadUnit::Hours]
            .into_iter()
            .find(|unit| minutes % unit.minutes() == 0)
            .unwrap_or(LeadUnit::Minutes);
        (minutes / unit.minutes(), unit)
    }
}

/// "1 day", "2 hours", "90 minutes": a lead as the dashboard says it.
pub fn lead_label(minutes: i64) -> String {
    let (amount, unit) = LeadUnit::split(minutes);
    let name = unit.as_str();
    if amount == 1 {
        format!("1 {}", &name[..name.len() - 1])
    } else {
        format!("{amount} {name}")
    }
}

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
pub fn checked(mut list: Vec<Reminder>, fields: &RowFields) -> Result<Vec<Reminder>, FieldErrors> {
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
    for reminder in &mut list {
        reminder.note = reminder.note.trim().to_owned();
    }
    list.sort_by_key(|r| std::cmp::Reverse(r.minutes_before));
    Ok(list)
}

/// One row of the dashboard's form as typed: an empty amount means "no reminder here".
pub struct TypedRow<'a> {
    pub amount: &'a str,
    pub unit: &'a str,
    pub recipients: &'a str,
    pub note: &'a str,
}

/// The dashboard form's fields, row by row.
pub const FORM_FIELDS: RowFields = RowFields {
    lead: [
        "amount-0", "amount-1", "amount-2", "amount-3", "amount-4",
    ],
    recipients: ["to-0", "to-1", "to-2", "to-3", "to-4"],
    note: ["note-0", "note-1", "note-2", "note-3", "note-4"],
    list: "amount-0",
};

/// The list the dashboard's rows describe (rows with an empty amount left out), checked.
pub fn from_form(rows: &[TypedRow<'_>]) -> Result<Vec<Reminder>, FieldErrors> {
    let mut errors = FieldErrors::default();
    let mut list = Vec::new();
    let mut row_fields = RowFields { ..FORM_FIELDS };
    for (index, row) in rows.iter().take(MAX_REMINDERS).enumerate() {
        let amount = row.amount.trim();
        if amount.is_empty() {
            continue;
        }
        let unit = LeadUnit::parse(row.unit).unwrap_or(LeadUnit::Minutes);
        let Some(recipients) = Recipients::parse(row.recipients) else {
            errors.push(FORM_FIELDS.recipients[index], "Choose who gets the reminder.");
            continue;
        };
        let Ok(amount) = amount.parse::<i64>() else {
            errors.push(FORM_FIELDS.lead[index], "Give a whole number.");
            continue;
        };
        // The checked list's rows are numbered by position: map them to the form's rows.
        let position = list.len();
        row_fields.lead[position] = FORM_FIELDS.lead[index];
        row_fields.recipients[position] = FORM_FIELDS.recipients[index];
        row_fields.note[position] = FORM_FIELDS.note[index];
        list.push(Reminder {
            minutes_before: amount.saturating_mul(unit.minutes()),
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
