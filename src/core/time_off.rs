//! Time off: a span in which a host offers no event type (a holiday, a trip), with an optional
//! note the booking page shows ("Back on 12 January") without saying why.
//!
//! Stored as UTC instants, so it holds across schedules and zones: the engine counts it as busy
//! time and the booking statement refuses a slot that overlaps it. The dashboard's form takes
//! local dates and optional times in the host's schedule zone (a date without a time is the
//! whole day: from its start, to the end of the last day); the API takes RFC 3339 instants.

use chrono::{DateTime, Duration, NaiveTime, Utc};
use chrono_tz::Tz;

use super::availability::resolve_local;
use super::booking::FieldErrors;

/// Longest note, in characters.
pub const MAX_NOTE_CHARS: usize = 200;
/// Longest span: a few years is a sabbatical; more is a typo.
const MAX_DAYS: i64 = 3 * 366;

/// A checked span of time off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeOff {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// What invitees read on the booking page; may be empty.
    pub note: String,
}

/// The dashboard form as typed: local dates and optional local times.
#[derive(Debug, Clone, Default)]
pub struct TimeOffForm {
    pub start_date: String,
    pub start_time: String,
    pub end_date: String,
    pub end_time: String,
    pub note: String,
}

impl TimeOff {
    /// Checks a span of instants that must end after `now`, and its note.
    pub fn new(
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        note: &str,
        now: DateTime<Utc>,
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        if end <= start {
            errors.push("end", "The time off must end after it starts.");
        } else if end - start > Duration::days(MAX_DAYS) {
            errors.push("end", "Enter time off of at most three years at a time.");
        } else if end <= now {
            errors.push("end", "This time off is already over.");
        }
        let note = note.trim();
        if note.chars().count() > MAX_NOTE_CHARS {
            errors.push(
                "note",
                format!("Keep the note to {MAX_NOTE_CHARS} characters."),
            );
        } else if note.chars().any(char::is_control) {
            errors.push("note", "Write the note on one line.");
        }
        if errors.is_empty() {
            Ok(Self {
                start,
                end,
                note: note.to_owned(),
            })
        } else {
            Err(errors)
        }
    }
}

impl TimeOffForm {
    /// The span the form names in `zone`: a start date (from its midnight, or the time given)
    /// to an end date (to the end of that day, or the time given); each problem next to its
    /// field.
    pub fn parse(&self, zone: Tz, now: DateTime<Utc>) -> Result<TimeOff, FieldErrors> {
        let mut errors = FieldErrors::default();
        let start = local_point(&self.start_date, &self.start_time, zone, false)
            .map_err(|message| errors.push("start_date", message))
            .ok();
        let end = local_point(&self.end_date, &self.end_time, zone, true)
            .map_err(|message| errors.push("end_date", message))
            .ok();
        let (Some(start), Some(end)) = (start, end) else {
            return Err(errors);
        };
        TimeOff::new(start, end, &self.note, now).map_err(|failed| {
            let mut errors = FieldErrors::default();
            for (field, message) in failed.iter() {
                errors.push(if field == "end" { "end_date" } else { field }, message);
            }
            errors
        })
    }
}

/// One end of the span: `date` at `time`, or with no time its start (`end_of_day`: the next
/// midnight), resolved in `zone` as the engine resolves local times (a time skipped by a DST
/// change moves forward by the gap).
fn local_point(
    date: &str,
    time: &str,
    zone: Tz,
    end_of_day: bool,
) -> Result<DateTime<Utc>, String> {
    let date = crate::core::display::parse_layout(date.trim(), crate::core::display::layouts::DATE)
        .and_then(|parsed| parsed.to_naive_date())
        .map_err(|_| "Enter a date as YYYY-MM-DD.".to_owned())?;
    let local = match time.trim() {
        "" if end_of_day => date
            .succ_opt()
            .ok_or_else(|| "Enter an earlier date.".to_owned())?
            .and_time(NaiveTime::MIN),
        "" => date.and_time(NaiveTime::MIN),
        text => date.and_time(
            crate::core::display::parse_layout(text, crate::core::display::layouts::CLOCK)
                .and_then(|parsed| parsed.to_naive_time())
                .map_err(|_| "Enter a time as HH:MM, or leave it empty for the whole day.".to_owned())?,
        ),
    };
    resolve_local(zone, local).ok_or_else(|| "Enter a nearer date.".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    fn form(start: (&str, &str), end: (&str, &str), note: &str) -> TimeOffForm {
        TimeOffForm {
            start_date: start.0.into(),
            start_time: start.1.into(),
            end_date: end.0.into(),
            end_time: end.1.into(),
            note: note.into(),
        }
    }

    #[test]
    fn whole_days_run_from_the_first_midnight_to_the_end_of_the_last_day_in_the_zone() {
        let zone = chrono_tz::Europe::Berlin;
        let off = form(("2027-03-26", ""), ("2027-03-29", ""), " Back on 30 March ")
            .parse(zone, at("2027-01-01T00:00:00Z"))
            .unwrap();
        assert_eq!(off.start, at("2027-03-25T23:00:00Z"));
        // Berlin springs forward on 28 March 2027: the end is at +02:00.
        assert_eq!(off.end, at("2027-03-29T22:00:00Z"));
        assert_eq!(off.note, "Back on 30 March");
    }

    #[test]
    fn times_narrow_the_span_and_bad_fields_are_named() {
        let zone = chrono_tz::America::New_York;
        let off = form(("2027-07-02", "12:00"), ("2027-07-02", "17:30"), "")
            .parse(zone, at("2027-01-01T00:00:00Z"))
            .unwrap();
        assert_eq!((off.start, off.end), (at("2027-07-02T16:00:00Z"), at("2027-07-02T21:30:00Z")));
        let now = at("2027-01-01T00:00:00Z");
        let errors = form(("2027-13-02", ""), ("2027-07-02", "25:00"), "").parse(zone, now).unwrap_err();
        assert!(errors.get("start_date").is_some() && errors.get("end_date").is_some());
        let errors = form(("2027-07-03", ""), ("2027-07-02", ""), "").parse(zone, now).unwrap_err();
        assert!(errors.get("end_date").is_some());
        let errors = form(("2026-07-03", ""), ("2026-07-04", ""), "").parse(zone, now).unwrap_err();
        assert!(errors.get("end_date").unwrap().contains("already over"));
        let long = "x".repeat(MAX_NOTE_CHARS + 1);
        let errors = form(("2027-07-03", ""), ("2027-07-04", ""), &long).parse(zone, now).unwrap_err();
        assert!(errors.get("note").is_some());
        let errors = form(("2027-07-03", ""), ("2027-07-04", ""), "a\nb").parse(zone, now).unwrap_err();
        assert!(errors.get("note").is_some());
    }
}
