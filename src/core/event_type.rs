//! An event type's settings as a host edits them, parsed field by field.
//!
//! The numbers are checked by the availability engine's own rules (`SlotRules::new`), so a
//! setting the dashboard accepts is one the slot engine can always use.

use super::availability::{PeriodLimits, RulesInput, SlotRules};
use super::booking::FieldErrors;
use super::location::Location;
use super::meeting_service::MeetingService;
use super::questions::{parse_questions, Question, QuestionInput};
use super::types::{FieldError, Slug};
use super::host_message::HostMessage;
use crate::i18n::Lang;

/// Where the meeting happens, as the booking page and emails name it. The store's rows
/// deserialize straight into it (`event_types.location_kind`), an unknown name being an error
/// there, so no page, email or job compares the stored word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum LocationKind {
    /// Nothing said: the host sends details by email.
    None,
    /// A meeting the service makes per booking (Meet, Teams, Zoom).
    Online(MeetingService),
    Phone,
    InPerson,
    CustomLink,
}

impl LocationKind {
    /// Every kind, in the order the form lists them: the meeting services first.
    pub fn all() -> impl Iterator<Item = LocationKind> {
        MeetingService::ALL
            .into_iter()
            .map(LocationKind::Online)
            .chain([
                LocationKind::Phone,
                LocationKind::InPerson,
                LocationKind::CustomLink,
                LocationKind::None,
            ])
    }

    /// The value stored in D1 (`event_types.location_kind`); a service's own name.
    pub fn as_str(self) -> &'static str {
        match self {
            LocationKind::None => "none",
            LocationKind::Online(service) => service.as_str(),
            LocationKind::Phone => "phone",
            LocationKind::InPerson => "in_person",
            LocationKind::CustomLink => "custom_link",
        }
    }

    /// Parses a stored or submitted value.
    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        Self::all().find(|kind| kind.as_str() == raw)
    }

    /// The meeting service that makes this location's link, if it is one.
    pub fn service(self) -> Option<MeetingService> {
        match self {
            LocationKind::Online(service) => Some(service),
            _ => None,
        }
    }
}

impl TryFrom<String> for LocationKind {
    type Error = String;

    fn try_from(stored: String) -> Result<Self, Self::Error> {
        Self::parse(&stored).ok_or_else(|| format!("unknown location kind {stored:?}"))
    }
}

impl From<LocationKind> for String {
    fn from(kind: LocationKind) -> Self {
        kind.as_str().to_owned()
    }
}

/// The longest change cut-off: a week (a longer one would leave most bookings unchangeable).
pub const MAX_CHANGE_CUTOFF_MINUTES: u32 = 7 * 1440;

/// The longest a request may wait for the host's approval: 30 days (the schema's CHECK).
pub const MAX_APPROVAL_HOURS: u32 = 720;

/// Raw form fields of an event type.
#[derive(Debug, Default, Clone)]
pub struct EventTypeInput {
    pub title: String,
    pub slug: String,
    pub description: String,
    pub duration_minutes: String,
    pub interval_minutes: String,
    pub buffer_before_minutes: String,
    pub buffer_after_minutes: String,
    pub minimum_notice_minutes: String,
    pub booking_window_days: String,
    pub max_per_day: String,
    /// At most this many bookings a week (from the host's first weekday); empty: no cap.
    pub max_per_week: String,
    /// At most this many bookings a calendar month; empty: no cap.
    pub max_per_month: String,
    /// At most this many minutes of these meetings a day; empty: no cap.
    pub max_minutes_per_day: String,
    /// The language code of the page and emails (`en`, `de`); empty: the invitee's browser's.
    pub lang: String,
    /// The host's paragraph for the invitee's confirmation email, in English and in German.
    pub message_en: String,
    pub message_de: String,
    /// Minutes before the start after which the invitee can no longer cancel or reschedule
    /// online (the host always can); empty: until the start.
    pub change_cutoff_minutes: String,
    /// Hours the host has to approve or decline each request; empty: bookings are confirmed
    /// at once, without approval.
    pub approval_hours: String,
    pub location_kind: String,
    /// The number, address or link of a phone, in-person or custom-link meeting.
    pub location_detail: String,
    /// Further durations the invitee may pick, besides `duration_minutes` (the default):
    /// minutes separated by commas or spaces, e.g. `15, 60`. Empty: only the default.
    pub other_durations: String,
    /// The editor's question rows, blank ones included.
    pub questions: Vec<QuestionInput>,
}

/// An event type's settings, all valid together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventTypeSettings {
    pub title: String,
    pub slug: Slug,
    pub description: String,
    pub duration_minutes: u32,
    pub interval_minutes: Option<u32>,
    pub buffer_before_minutes: u32,
    pub buffer_after_minutes: u32,
    pub minimum_notice_minutes: u32,
    pub booking_window_days: u32,
    pub max_per_day: Option<u32>,
    pub max_per_week: Option<u32>,
    pub max_per_month: Option<u32>,
    /// See [`EventTypeInput::max_minutes_per_day`]; at least the longest duration offered.
    pub max_minutes_per_day: Option<u32>,
    /// The language the page and emails are fixed to; `None` follows the invitee's browser.
    pub lang: Option<Lang>,
    /// The host's paragraph for the invitee's confirmation email.
    pub message: HostMessage,
    /// See [`EventTypeInput::change_cutoff_minutes`]; 0: until the start.
    pub change_cutoff_minutes: u32,
    /// See [`EventTypeInput::approval_hours`]; `None`: no approval.
    pub approval_hours: Option<u32>,
    /// Where the meeting happens, with the place the host named for it.
    pub location: Location,
    /// Durations offered besides the default, in the host's order.
    pub other_durations: Vec<u32>,
    /// The host's questions to invitees, in the order the booking form asks them.
    pub questions: Vec<Question>,
}

/// Longest title; fits a heading and an email subject.
pub const MAX_TITLE_CHARS: usize = 120;
/// Longest description.
pub const MAX_DESCRIPTION_CHARS: usize = 2000;
/// Largest duration, interval or buffer the form accepts (12 hours): the schema's limit.
const MAX_MINUTES: u32 = 720;
/// Most durations one event type offers, the default included: a choice, not a spreadsheet.
pub const MAX_DURATIONS: usize = 6;

/// Parses the further durations (`15, 60`): whole minutes, each offered once, none equal to
/// the default, at most [`MAX_DURATIONS`] in all.
fn parse_other_durations(raw: &str, default: Option<u32>) -> Result<Vec<u32>, String> {
    let mut durations: Vec<u32> = Vec::new();
    for part in raw
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|p| !p.is_empty())
    {
        let minutes = part
            .parse::<u32>()
            .map_err(|_| format!("'{part}' is not a whole number of minutes."))?;
        if minutes == 0 || minutes > MAX_MINUTES {
            return Err(format!("Use durations from 1 to {MAX_MINUTES} minutes."));
        }
        if Some(minutes) == default || durations.contains(&minutes) {
            return Err(format!("{minutes} minutes is listed twice."));
        }
        durations.push(minutes);
    }
    if durations.len() + 1 > MAX_DURATIONS {
        return Err(format!(
            "Offer at most {MAX_DURATIONS} durations, the default included."
        ));
    }
    Ok(durations)
}

/// The stored form of the further durations (`15,60`).
pub fn durations_to_stored(durations: &[u32]) -> String {
    durations
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// Every duration an event type offers, the default first, from its stored columns. Parts that
/// do not read as minutes are skipped (the schema's CHECK keeps them from being written).
pub fn offered_durations(default: u32, stored_others: &str) -> Vec<u32> {
    let mut offered = vec![default];
    for minutes in stored_others
        .split(',')
        .filter_map(|p| p.trim().parse::<u32>().ok())
    {
        if minutes > 0 && !offered.contains(&minutes) {
            offered.push(minutes);
        }
    }
    offered
}

/// How a list of durations reads: "30", or "15 / 30 / 60" from short to long.
pub fn durations_label(offered: &[u32]) -> String {
    let mut sorted = offered.to_vec();
    crate::core::sort::sort_numbers(&mut sorted);
    sorted
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(" / ")
}

/// The duration an invitee picked (`?duration=30`, the API's `duration_minutes`): empty means
/// the default (the first offered); anything not offered is refused with the choices named.
pub fn pick_duration(offered: &[u32], raw: &str) -> Result<u32, FieldError> {
    let default = offered.first().copied().unwrap_or(30);
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(default);
    }
    let choices = {
        let mut sorted = offered.to_vec();
        crate::core::sort::sort_numbers(&mut sorted);
        let names: Vec<String> = sorted.iter().map(u32::to_string).collect();
        match names.split_last() {
            Some((last, rest)) if !rest.is_empty() => {
                format!("{} or {last} minutes", rest.join(", "))
            }
            _ => format!("{default} minutes"),
        }
    };
    match raw.parse::<u32>() {
        Ok(minutes) if offered.contains(&minutes) => Ok(minutes),
        Ok(minutes) => Err(FieldError::Other(format!(
            "This event is not offered for {minutes} minutes; choose {choices}."
        ))),
        Err(_) => Err(FieldError::Other(format!(
            "Give the duration in whole minutes: {choices}."
        ))),
    }
}

fn whole_number(raw: &str, field: &'static str, errors: &mut FieldErrors) -> Option<u32> {
    match raw.trim().parse::<u32>() {
        Ok(value) => Some(value),
        Err(_) => {
            errors.push(field, "Enter a whole number.");
            None
        }
    }
}

fn optional_number(
    raw: &str,
    field: &'static str,
    errors: &mut FieldErrors,
) -> Option<Option<u32>> {
    if raw.trim().is_empty() {
        Some(None)
    } else {
        whole_number(raw, field, errors).map(Some)
    }
}

fn at_most(
    value: Option<u32>,
    max: u32,
    field: &'static str,
    errors: &mut FieldErrors,
) -> Option<u32> {
    match value {
        Some(v) if v > max => {
            errors.push(field, format!("Use at most {max}."));
            None
        }
        other => other,
    }
}

impl EventTypeInput {
    /// Parses every field, reporting each problem next to its field.
    pub fn parse(&self) -> Result<EventTypeSettings, FieldErrors> {
        let mut errors = FieldErrors::default();
        let title = self.title.trim();
        if title.is_empty() {
            errors.push("title", FieldError::Required.to_string());
        } else if title.chars().count() > MAX_TITLE_CHARS {
            errors.push("title", FieldError::TooLong(MAX_TITLE_CHARS).to_string());
        } else if title.chars().any(char::is_control) {
            errors.push("title", FieldError::ControlCharacters.to_string());
        }
        let description = self.description.trim().replace("\r\n", "\n");
        if description.chars().count() > MAX_DESCRIPTION_CHARS {
            errors.push(
                "description",
                FieldError::TooLong(MAX_DESCRIPTION_CHARS).to_string(),
            );
        }
        let slug = Slug::parse(&self.slug)
            .map_err(|e| errors.push("slug", e.to_string()))
            .ok();
        let duration = whole_number(&self.duration_minutes, "duration_minutes", &mut errors);
        let duration = at_most(duration, MAX_MINUTES, "duration_minutes", &mut errors);
        let interval = optional_number(&self.interval_minutes, "interval_minutes", &mut errors);
        let interval = interval.map(|i| at_most(i, MAX_MINUTES, "interval_minutes", &mut errors));
        let before = whole_number(
            &self.buffer_before_minutes,
            "buffer_before_minutes",
            &mut errors,
        );
        let before = at_most(before, MAX_MINUTES, "buffer_before_minutes", &mut errors);
        let after = whole_number(
            &self.buffer_after_minutes,
            "buffer_after_minutes",
            &mut errors,
        );
        let after = at_most(after, MAX_MINUTES, "buffer_after_minutes", &mut errors);
        let notice = whole_number(
            &self.minimum_notice_minutes,
            "minimum_notice_minutes",
            &mut errors,
        );
        let window = whole_number(
            &self.booking_window_days,
            "booking_window_days",
            &mut errors,
        );
        let max_per_day = optional_number(&self.max_per_day, "max_per_day", &mut errors);
        let max_per_week = optional_number(&self.max_per_week, "max_per_week", &mut errors);
        let max_per_month = optional_number(&self.max_per_month, "max_per_month", &mut errors);
        let minutes_field = "max_minutes_per_day";
        let max_minutes_per_day =
            match optional_number(&self.max_minutes_per_day, minutes_field, &mut errors) {
                Some(Some(minutes)) => {
                    at_most(Some(minutes), 24 * 60, minutes_field, &mut errors).map(Some)
                }
                other => other,
            };
        let cutoff_field = "change_cutoff_minutes";
        let change_cutoff = match self.change_cutoff_minutes.trim() {
            "" => Some(0),
            raw => at_most(
                whole_number(raw, cutoff_field, &mut errors),
                MAX_CHANGE_CUTOFF_MINUTES,
                cutoff_field,
                &mut errors,
            ),
        };
        let approval_field = "approval_hours";
        let approval_hours = match optional_number(&self.approval_hours, approval_field, &mut errors)
        {
            Some(Some(0)) => {
                errors.push(approval_field, "Give the host at least 1 hour to answer.");
                None
            }
            Some(Some(hours)) => {
                at_most(Some(hours), MAX_APPROVAL_HOURS, approval_field, &mut errors).map(Some)
            }
            other => other,
        };
        let lang = match self.lang.trim() {
            "" => Some(None),
            code => match Lang::from_code(code) {
                Some(lang) => Some(Some(lang)),
                None => {
                    errors.push("lang", "Choose English, German, or the invitee's browser.");
                    None
                }
            },
        };
        let message = HostMessage::parse(&[(Lang::En, &self.message_en), (Lang::De, &self.message_de)])
            .map_err(|(lang, why)| errors.push(if lang == Lang::De { "message_de" } else { "message_en" }, why))
            .ok();
        let location = match LocationKind::parse(&self.location_kind) {
            Some(kind) => Location::parse(kind, &self.location_detail)
                .map_err(|message| errors.push("location_detail", message))
                .ok(),
            None => {
                errors.push("location_kind", "Choose where the meeting happens.");
                None
            }
        };
        let other_durations = parse_other_durations(&self.other_durations, duration)
            .map_err(|message| errors.push("other_durations", message))
            .ok();
        let questions = match parse_questions(&self.questions) {
            Ok(questions) => Some(questions),
            Err(failed) => {
                for (field, message) in failed.iter() {
                    errors.push(field, message);
                }
                None
            }
        };
        let (
            Some(slug),
            Some(duration),
            Some(interval),
            Some(before),
            Some(after),
            Some(notice),
            Some(window),
            Some(max_per_day),
            Some(max_per_week),
            Some(max_per_month),
            Some(max_minutes_per_day),
            Some(lang),
            Some(message),
            Some(location),
            Some(other_durations),
            Some(questions),
        ) = (
            slug,
            duration,
            interval,
            before,
            after,
            notice,
            window,
            max_per_day,
            max_per_week,
            max_per_month,
            max_minutes_per_day,
            lang,
            message,
            location,
            other_durations,
            questions,
        )
        else {
            return Err(errors);
        };
        let (Some(change_cutoff_minutes), Some(approval_hours), true) =
            (change_cutoff, approval_hours, errors.is_empty())
        else {
            return Err(errors);
        };
        let rules = RulesInput {
            duration_minutes: duration,
            interval_minutes: interval,
            buffer_before_minutes: before,
            buffer_after_minutes: after,
            minimum_notice_minutes: notice,
            booking_window_days: window,
            max_per_day,
        };
        let periods = PeriodLimits {
            max_per_week,
            max_per_month,
            max_minutes_per_day,
            ..PeriodLimits::default()
        };
        let longest = other_durations.iter().copied().fold(duration, u32::max);
        if let Some(minutes) = max_minutes_per_day.filter(|m| *m < longest) {
            errors.push(
                minutes_field,
                format!("{minutes} minutes a day is less than one {longest}-minute meeting; give at least {longest}."),
            );
            return Err(errors);
        }
        if let Err(error) = SlotRules::new(rules).and_then(|r| r.with_period_limits(periods)) {
            errors.push(rules_field(&error), error.to_string());
            return Err(errors);
        }
        // Every further duration must make a schedule the engine can use too.
        for minutes in &other_durations {
            if let Err(error) = SlotRules::new(RulesInput {
                duration_minutes: *minutes,
                ..rules
            }) {
                errors.push("other_durations", format!("{minutes} minutes: {error}"));
                return Err(errors);
            }
        }
        Ok(EventTypeSettings {
            title: title.to_owned(),
            slug,
            description,
            duration_minutes: duration,
            interval_minutes: interval,
            buffer_before_minutes: before,
            buffer_after_minutes: after,
            minimum_notice_minutes: notice,
            booking_window_days: window,
            max_per_day,
            max_per_week,
            max_per_month,
            max_minutes_per_day,
            lang,
            message,
            change_cutoff_minutes,
            approval_hours,
            location,
            other_durations,
            questions,
        })
    }
}

/// Which form field an engine rule error belongs next to.
fn rules_field(error: &super::availability::AvailabilityError) -> &'static str {
    use super::availability::AvailabilityError as E;
    match error {
        E::ZeroDuration | E::DurationTooLong(_) => "duration_minutes",
        E::ZeroInterval | E::IntervalTooLong(_) => "interval_minutes",
        E::BufferTooLong { side, .. } if *side == "after" => "buffer_after_minutes",
        E::BufferTooLong { .. } => "buffer_before_minutes",
        E::NoticeTooLong(_) => "minimum_notice_minutes",
        E::BookingWindowOutOfRange(_) => "booking_window_days",
        E::ZeroDailyMaximum => "max_per_day",
        E::ZeroPeriodMaximum("weekly") => "max_per_week",
        E::ZeroPeriodMaximum(_) => "max_per_month",
        _ => "duration_minutes",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_location_kind_reads_back_and_an_unknown_one_is_refused() {
        for kind in LocationKind::all() {
            let stored = serde_json::to_string(&kind).unwrap();
            assert_eq!(stored, format!("\"{}\"", kind.as_str()));
            assert_eq!(serde_json::from_str::<LocationKind>(&stored).unwrap(), kind);
        }
        assert!(serde_json::from_str::<LocationKind>("\"carrier_pigeon\"").is_err());
    }

    fn good() -> EventTypeInput {
        EventTypeInput {
            title: " Intro call ".into(),
            slug: "intro".into(),
            description: "First chat\r\nabout your needs".into(),
            duration_minutes: "30".into(),
            interval_minutes: "".into(),
            buffer_before_minutes: "0".into(),
            buffer_after_minutes: "10".into(),
            minimum_notice_minutes: "120".into(),
            booking_window_days: "60".into(),
            max_per_day: "".into(),
            max_per_week: "".into(),
            max_per_month: "".into(),
            max_minutes_per_day: "".into(),
            lang: "".into(),
            message_en: "".into(),
            message_de: "".into(),
            change_cutoff_minutes: "".into(),
            approval_hours: "".into(),
            location_kind: "zoom".into(),
            location_detail: "".into(),
            other_durations: "".into(),
            questions: vec![],
        }
    }

    #[test]
    fn a_fixed_language_is_a_shipped_one_or_none() {
        let parse = |lang: &str| {
            EventTypeInput {
                lang: lang.into(),
                ..good()
            }
            .parse()
        };
        assert_eq!(parse("").unwrap().lang, None);
        assert_eq!(parse("de").unwrap().lang, Some(Lang::De));
        assert_eq!(parse(" en ").unwrap().lang, Some(Lang::En));
        let errors = parse("fr").unwrap_err();
        assert!(errors.get("lang").is_some_and(|m| m.contains("German")), "{errors:?}");
    }

    #[test]
    fn a_days_booked_time_holds_the_longest_meeting_offered() {
        let settings = EventTypeInput {
            max_minutes_per_day: " 120 ".into(),
            ..good()
        }
        .parse()
        .unwrap();
        assert_eq!(settings.max_minutes_per_day, Some(120));
        for (minutes, others, says) in [
            ("45", "15, 60", "one 60-minute meeting"),
            ("0", "", "less than one"),
            ("x", "", ""),
            ("1441", "", "at most 1440"),
        ] {
            let errors = EventTypeInput {
                max_minutes_per_day: minutes.into(),
                other_durations: others.into(),
                ..good()
            }
            .parse()
            .unwrap_err();
            let message = errors.get("max_minutes_per_day").unwrap_or_default();
            assert!(message.contains(says) && !message.is_empty(), "{minutes}: {errors:?}");
        }
    }

    #[test]
    fn weekly_and_monthly_maxima_are_kept_and_zero_is_refused_under_its_field() {
        let settings = EventTypeInput {
            max_per_week: "3".into(),
            max_per_month: " 10 ".into(),
            ..good()
        }
        .parse()
        .unwrap();
        assert_eq!((settings.max_per_week, settings.max_per_month), (Some(3), Some(10)));
        for (week, month, field) in [("0", "", "max_per_week"), ("", "0", "max_per_month"), ("x", "", "max_per_week")] {
            let errors = EventTypeInput {
                max_per_week: week.into(),
                max_per_month: month.into(),
                ..good()
            }
            .parse()
            .unwrap_err();
            assert!(errors.get(field).is_some(), "{week}/{month}: {errors:?}");
        }
    }

    #[test]
    fn complete_settings_parse() {
        let settings = good().parse().unwrap();
        assert_eq!(settings.title, "Intro call");
        assert_eq!(settings.description, "First chat\nabout your needs");
        assert_eq!(settings.interval_minutes, None);
        assert_eq!(settings.location.kind(), LocationKind::Online(MeetingService::Zoom));
    }

    #[test]
    fn each_bad_field_is_named() {
        let input = EventTypeInput {
            title: "".into(),
            slug: "Not A Slug".into(),
            duration_minutes: "thirty".into(),
            buffer_after_minutes: "9999".into(),
            location_kind: "carrier-pigeon".into(),
            ..good()
        };
        let errors = input.parse().unwrap_err();
        for field in [
            "title",
            "slug",
            "duration_minutes",
            "buffer_after_minutes",
            "location_kind",
        ] {
            assert!(errors.get(field).is_some(), "{field}: {errors:?}");
        }
    }

    #[test]
    fn the_engines_rules_are_enforced_by_the_form() {
        let zero = EventTypeInput {
            duration_minutes: "0".into(),
            ..good()
        }
        .parse()
        .unwrap_err();
        assert!(zero.get("duration_minutes").is_some());
        let window = EventTypeInput {
            booking_window_days: "400".into(),
            ..good()
        }
        .parse()
        .unwrap_err();
        assert!(window.get("booking_window_days").is_some());
        let cap = EventTypeInput {
            max_per_day: "0".into(),
            ..good()
        }
        .parse()
        .unwrap_err();
        assert!(cap.get("max_per_day").is_some());
    }

    #[test]
    fn location_kinds_round_trip_through_their_stored_names() {
        for kind in LocationKind::all() {
            assert_eq!(LocationKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(LocationKind::parse("fax"), None);
    }

    #[test]
    fn further_durations_parse_and_are_checked() {
        let settings = EventTypeInput {
            other_durations: "15, 60 90".into(),
            ..good()
        }
        .parse()
        .unwrap();
        assert_eq!(settings.other_durations, vec![15, 60, 90]);
        for (raw, message) in [
            ("15, 30", "30 minutes is listed twice."),
            ("15 15", "15 minutes is listed twice."),
            ("fifteen", "'fifteen' is not a whole number of minutes."),
            ("0", "Use durations from 1 to 720 minutes."),
            (
                "10 15 20 25 35 40",
                "Offer at most 6 durations, the default included.",
            ),
        ] {
            let errors = EventTypeInput {
                other_durations: raw.into(),
                ..good()
            }
            .parse()
            .unwrap_err();
            assert_eq!(errors.get("other_durations"), Some(message), "{raw}");
        }
    }

    #[test]
    fn question_errors_come_back_with_the_other_fields() {
        let errors = EventTypeInput {
            title: "".into(),
            questions: vec![
                QuestionInput {
                    label: "Company".into(),
                    required: true,
                    ..QuestionInput::default()
                },
                QuestionInput {
                    label: "company".into(),
                    required: false,
                    ..QuestionInput::default()
                },
            ],
            ..good()
        }
        .parse()
        .unwrap_err();
        assert!(errors.get("title").is_some());
        assert!(errors.get("question_2").is_some());
    }

    #[test]
    fn offered_durations_put_the_default_first() {
        assert_eq!(offered_durations(30, "15,60"), vec![30, 15, 60]);
        assert_eq!(offered_durations(30, ""), vec![30]);
        assert_eq!(offered_durations(30, "x,30,45"), vec![30, 45]);
    }

    #[test]
    fn a_picked_duration_must_be_offered() {
        let offered = [30, 15, 60];
        assert_eq!(pick_duration(&offered, ""), Ok(30));
        assert_eq!(pick_duration(&offered, " 60 "), Ok(60));
        assert_eq!(
            pick_duration(&offered, "45").unwrap_err().to_string(),
            "This event is not offered for 45 minutes; choose 15, 30 or 60 minutes."
        );
        assert_eq!(
            pick_duration(&offered, "an hour").unwrap_err().to_string(),
            "Give the duration in whole minutes: 15, 30 or 60 minutes."
        );
        assert_eq!(
            pick_duration(&[30], "45").unwrap_err().to_string(),
            "This event is not offered for 45 minutes; choose 30 minutes."
        );
        assert_eq!(durations_to_stored(&[15, 60]), "15,60");
        assert_eq!(durations_label(&[30, 15, 60]), "15 / 30 / 60");
        assert_eq!(durations_label(&[45]), "45");
    }

    #[test]
    fn the_change_cut_off_is_whole_minutes_up_to_a_week_and_empty_means_until_the_start() {
        assert_eq!(good().parse().unwrap().change_cutoff_minutes, 0);
        for (raw, minutes) in [("1440", 1440), (" 0 ", 0), ("10080", 10080)] {
            let input = EventTypeInput {
                change_cutoff_minutes: raw.into(),
                ..good()
            };
            assert_eq!(input.parse().unwrap().change_cutoff_minutes, minutes);
        }
        for raw in ["10081", "-5", "a day"] {
            let input = EventTypeInput {
                change_cutoff_minutes: raw.into(),
                ..good()
            };
            let errors = input.parse().unwrap_err();
            assert!(errors.get("change_cutoff_minutes").is_some(), "{raw}");
        }
    }


    #[test]
    fn approval_is_whole_hours_from_one_to_thirty_days_and_empty_means_none() {
        assert_eq!(good().parse().unwrap().approval_hours, None);
        for (raw, hours) in [("24", 24), (" 1 ", 1), ("720", 720)] {
            let input = EventTypeInput {
                approval_hours: raw.into(),
                ..good()
            };
            assert_eq!(input.parse().unwrap().approval_hours, Some(hours));
        }
        for raw in ["0", "721", "-1", "a day"] {
            let input = EventTypeInput {
                approval_hours: raw.into(),
                ..good()
            };
            let errors = input.parse().unwrap_err();
            assert!(errors.get("approval_hours").is_some(), "{raw}");
        }
    }
}
