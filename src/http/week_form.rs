//! The weekly hours editor as a form, shared by the availability page and onboarding
//! (templates/week_editor.html): seven days, each with an on/off switch and one or more ranges
//! of two time fields (`mon_start`, `mon_end`, repeated per range), and the zone they are read
//! in. Without JavaScript, "Add a range" and "Copy to weekdays" are submit buttons that send
//! the form back with the change made and nothing saved; with it, static/assets/hours.js makes
//! the same changes in the page. Every range goes through [`LocalRange::parse`] and
//! [`check_day`], so the form refuses exactly what the engine would.

use chrono_tz::Tz;

use super::request::field;
use crate::app::availability::{check_day, MAX_RANGES_PER_DAY};
use crate::core::availability::LocalRange;
use crate::core::display::capitalised;
use crate::core::types::TimeZoneName;

/// Form field names of the weekdays, Monday first, and how the page labels them.
const WEEKDAYS: [(&str, &str); 7] = [
    ("mon", "Monday"),
    ("tue", "Tuesday"),
    ("wed", "Wednesday"),
    ("thu", "Thursday"),
    ("fri", "Friday"),
    ("sat", "Saturday"),
    ("sun", "Sunday"),
];

/// One weekday of the hours editor as the host sees it.
pub struct DayEditor {
    /// `mon` … `sun`: the prefix of the day's field names and the id of its message.
    pub field: &'static str,
    pub label: &'static str,
    /// The switch: a day switched off has no hours, whatever its ranges say.
    pub on: bool,
    /// Start and end of each range as `HH:MM` (an end of 24:00 shows as 00:00).
    pub ranges: Vec<(String, String)>,
    pub error: String,
}

/// The weekly hours editor as shown: seven days and the zone they are read in. Shared by the
/// availability page and onboarding (templates/week_editor.html).
pub struct WeekEditor {
    pub days: Vec<DayEditor>,
    pub zone: String,
    pub zone_error: String,
    /// After "add a range" or "copy" without JavaScript: the page says nothing is saved yet.
    pub unsaved: bool,
    pub zone_names: &'static [Tz],
}

/// What a posted weekly hours form asks for.
pub enum WeekSubmit {
    /// Every day passed [`check_day`] and the zone is known: save these.
    Save([Vec<LocalRange>; 7], TimeZoneName),
    /// "Add a range" or "Copy to weekdays" without JavaScript: show the form again, unsaved.
    Edited(WeekEditor),
    /// Something is wrong: show the form again with a message at each day or the zone (422).
    Invalid(WeekEditor),
}

/// The range a day switched on starts with.
const DEFAULT_RANGE: (&str, &str) = ("09:00", "17:00");

fn end_text(minute: i64) -> String {
    // A time field cannot hold 24:00; midnight at the end of a range means the day's end.
    if minute >= 1440 {
        "00:00".to_owned()
    } else {
        hhmm(minute)
    }
}

impl WeekEditor {
    /// The editor showing a stored week (minute ranges, Monday first) in `zone`.
    pub fn stored(week: &[Vec<(i64, i64)>; 7], zone: &str) -> Self {
        let days = WEEKDAYS
            .iter()
            .zip(week)
            .map(|((field, label), ranges)| DayEditor {
                field,
                label,
                on: !ranges.is_empty(),
                ranges: if ranges.is_empty() {
                    vec![(DEFAULT_RANGE.0.to_owned(), DEFAULT_RANGE.1.to_owned())]
                } else {
                    ranges
                        .iter()
                        .map(|(start, end)| (hhmm(*start), end_text(*end)))
                        .collect()
                },
                error: String::new(),
            })
            .collect();
        Self {
            days,
            zone: zone.to_owned(),
            zone_error: String::new(),
            unsaved: false,
            zone_names: &chrono_tz::TZ_VARIANTS,
        }
    }
}

/// The ranges of one day as posted: the `{day}_start` and `{day}_end` values in order.
pub fn posted_ranges(pairs: &[(String, String)], day: &str) -> Vec<(String, String)> {
    let values = |name: String| -> Vec<String> {
        pairs
            .iter()
            .filter(|(key, _)| *key == name)
            .map(|(_, value)| value.trim().to_owned())
            .collect()
    };
    let (starts, ends) = (values(format!("{day}_start")), values(format!("{day}_end")));
    (0..starts.len().max(ends.len()))
        .map(|i| {
            (
                starts.get(i).cloned().unwrap_or_default(),
                ends.get(i).cloned().unwrap_or_default(),
            )
        })
        .filter(|(start, end)| !start.is_empty() || !end.is_empty())
        .take(MAX_RANGES_PER_DAY + 1)
        .collect()
}

/// One day's typed ranges checked as the engine reads them (`index`: 0 is Monday).
fn check_typed_day(
    index: usize,
    label: &str,
    on: bool,
    rows: &[(String, String)],
) -> Result<Vec<LocalRange>, String> {
    if !on {
        return Ok(Vec::new());
    }
    let mut ranges = Vec::with_capacity(rows.len());
    for (start, end) in rows {
        if start.is_empty() || end.is_empty() {
            return Err(format!(
                "{label}: give each range a start and an end time, or clear both to remove it."
            ));
        }
        let end = if end == "00:00" {
            "24:00"
        } else {
            end.as_str()
        };
        ranges.push(
            LocalRange::parse(start, end)
                .map_err(|e| format!("{label}: {}.", capitalised(e.to_string())))?,
        );
    }
    check_day(index, ranges)
}

/// Reads a posted weekly hours form (the editor's fields, or one text field per day).
pub fn read_week_form(pairs: &[(String, String)]) -> WeekSubmit {
    let structured = field(pairs, "week") == Some("ranges");
    let mut days: Vec<DayEditor> = WEEKDAYS
        .iter()
        .map(|(name, label)| {
            let (on, ranges) = if structured {
                let on = field(pairs, &format!("{name}_on")).is_some_and(|v| !v.is_empty());
                (on, posted_ranges(pairs, name))
            } else {
                let text = field(pairs, name).unwrap_or_default().trim().to_owned();
                let ranges: Vec<(String, String)> = text
                    .split([',', ';'])
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(|piece| match piece.split_once(['-', '–']) {
                        Some((start, end)) => (start.trim().to_owned(), end.trim().to_owned()),
                        None => (piece.to_owned(), String::new()),
                    })
                    .collect();
                (!text.is_empty(), ranges)
            };
            DayEditor {
                field: name,
                label,
                on,
                ranges,
                error: String::new(),
            }
        })
        .collect();
    let zone_text = field(pairs, "schedule_time_zone")
        .unwrap_or_default()
        .trim()
        .to_owned();
    let edit = field(pairs, "edit").and_then(|e| e.split_once(':'));
    let position = |day: &str| WEEKDAYS.iter().position(|(name, _)| *name == day);
    let edited = match edit {
        Some(("add", day)) => position(day).map(|i| {
            if let Some(d) = days.get_mut(i) {
                d.on = true;
                if d.ranges.len() < MAX_RANGES_PER_DAY {
                    d.ranges.push((String::new(), String::new()));
                }
            }
        }),
        Some(("copy", day)) => position(day).map(|from| {
            let (on, ranges) = (days[from].on, days[from].ranges.clone());
            // Monday to Friday: the weekend keeps its own hours.
            for d in days.iter_mut().take(5) {
                d.on = on;
                d.ranges = ranges.clone();
            }
        }),
        _ => None,
    };
    let mut valid: [Vec<LocalRange>; 7] = Default::default();
    let mut wrong = false;
    for (index, day) in days.iter_mut().enumerate() {
        if day.ranges.is_empty() {
            // Nothing typed: the day is off, and offers the usual range should it be switched on.
            day.ranges
                .push((DEFAULT_RANGE.0.to_owned(), DEFAULT_RANGE.1.to_owned()));
            day.on = false;
            continue;
        }
        if edited.is_some() {
            continue;
        }
        match check_typed_day(index, day.label, day.on, &day.ranges) {
            Ok(ranges) => valid[index] = ranges,
            Err(message) => {
                day.error = message;
                wrong = true;
            }
        }
    }
    let mut editor = WeekEditor {
        days,
        zone: zone_text.clone(),
        zone_error: String::new(),
        unsaved: false,
        zone_names: &chrono_tz::TZ_VARIANTS,
    };
    if edited.is_some() {
        editor.unsaved = true;
        return WeekSubmit::Edited(editor);
    }
    match TimeZoneName::parse(&zone_text) {
        Ok(zone) if !wrong => WeekSubmit::Save(valid, zone),
        Ok(_) => WeekSubmit::Invalid(editor),
        Err(e) => {
            editor.zone_error = e.to_string();
            WeekSubmit::Invalid(editor)
        }
    }
}

/// A minute of the day as `HH:MM`.
pub fn hhmm(minute: i64) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}
