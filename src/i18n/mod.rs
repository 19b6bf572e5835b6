//! The words of the public pages (booking, confirmation) and of the booking emails in each
//! shipped language, and how dates and times read in them.
//!
//! One file per language holds every user-facing string as a field of [`Strings`], so a new
//! language is one new file and a compile error for every string it forgot. The language comes
//! from `Accept-Language` (q-values honoured, unknown languages fall back to English); the
//! clock (12- or 24-hour) defaults from the same header: `en-US` reads 12-hour, others 24-hour.
//! Pure: no `worker`, tested natively.

mod de;
mod en;
mod mail;

pub use mail::MailStrings;

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc, Weekday};
use chrono_tz::Tz;

use crate::core::event_type::LocationKind;
use crate::core::types::FieldError;

/// A language the public pages are written in. Stored as its code (`event_types.lang`), read
/// back through [`Lang::from_code`], an unknown code being an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(try_from = "String")]
pub enum Lang {
    En,
    De,
}

/// How clock times are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clock {
    H12,
    H24,
}

impl Clock {
    /// `12` or `24`, as in the `clock` query parameter.
    pub fn param(self) -> &'static str {
        match self {
            Clock::H12 => "12",
            Clock::H24 => "24",
        }
    }

    /// Reads the `clock` query parameter; anything else is `None`.
    pub fn from_param(value: &str) -> Option<Clock> {
        match value {
            "12" => Some(Clock::H12),
            "24" => Some(Clock::H24),
            _ => None,
        }
    }
}

/// The language tags of an `Accept-Language` header, best first (q=0 dropped, ties keep order).
fn ranked_tags(header: &str) -> Vec<String> {
    let mut tags: Vec<(u16, usize, String)> = header
        .split(',')
        .enumerate()
        .filter_map(|(index, item)| {
            let mut parts = item.split(';');
            let tag = parts.next()?.trim().to_ascii_lowercase();
            if tag.is_empty() {
                return None;
            }
            let mut q = 1000u16;
            for param in parts {
                let param = param.trim();
                if let Some(value) = param
                    .strip_prefix("q=")
                    .or_else(|| param.strip_prefix("Q="))
                {
                    let value: f32 = value.trim().parse().ok()?;
                    if !(0.0..=1.0).contains(&value) {
                        return None;
                    }
                    q = (value * 1000.0).round() as u16;
                }
            }
            (q > 0).then_some((q, index, tag))
        })
        .collect();
    crate::core::sort::sort_by_key(&mut tags, &|(q, index, _)| (-i64::from(*q), *index as i64));
    tags.into_iter().map(|(_, _, tag)| tag).collect()
}

impl Lang {
    /// The best shipped language for an `Accept-Language` header; English when none fits.
    pub fn from_accept_language(header: &str) -> Lang {
        ranked_tags(header)
            .iter()
            .find_map(|tag| match tag.split('-').next() {
                Some("en") => Some(Lang::En),
                Some("de") => Some(Lang::De),
                _ => None,
            })
            .unwrap_or(Lang::En)
    }

    /// A stored or requested language code (`bookings.lang`, the API's `lang`): `en` or `de`,
    /// case-insensitive, with or without a region (`de-AT`); anything else is `None`.
    pub fn from_code(code: &str) -> Option<Lang> {
        let code = code.trim().to_ascii_lowercase();
        match code.split(['-', '_']).next() {
            Some("en") => Some(Lang::En),
            Some("de") => Some(Lang::De),
            _ => None,
        }
    }

    /// The BCP 47 code for `<html lang>`.
    pub fn code(self) -> &'static str {
        self.strings().code
    }

    /// Every string of the public pages in this language.
    pub fn strings(self) -> &'static Strings {
        match self {
            Lang::En => &en::STRINGS,
            Lang::De => &de::STRINGS,
        }
    }
}

impl TryFrom<String> for Lang {
    type Error = String;

    fn try_from(code: String) -> Result<Self, Self::Error> {
        Lang::from_code(&code).ok_or_else(|| format!("unknown language code '{code}'"))
    }
}

/// The clock a request's locale reads by default: 12-hour for US English, 24-hour otherwise.
pub fn default_clock(accept_language: &str) -> Clock {
    match ranked_tags(accept_language).first().map(String::as_str) {
        Some("en-us") => Clock::H12,
        _ => Clock::H24,
    }
}

/// Every user-facing string of the public pages in one language.
pub struct Strings {
    pub code: &'static str,
    pub weekdays: [&'static str; 7],
    pub weekdays_short: [&'static str; 7],
    pub months: [&'static str; 12],
    /// Does the day number come with a dot ("25. November")?
    pub day_dot: bool,
    pub skip_to_content: &'static str,
    pub footer: &'static str,
    /// The footer link to the privacy page.
    pub privacy: &'static str,
    pub with: &'static str,
    /// The label of the duration picker ("Duration").
    pub duration: &'static str,
    /// "min", after a number of minutes in the duration picker.
    pub minutes_short: &'static str,
    pub minutes: &'static str,
    pub location_phone: &'static str,
    pub location_in_person: &'static str,
    pub location_custom_link: &'static str,
    pub location_none: &'static str,
    pub pick_a_time: &'static str,
    pub time_zone: &'static str,
    pub show_times: &'static str,
    pub clock: &'static str,
    pub clock_12: &'static str,
    pub clock_24: &'static str,
    pub previous_month: &'static str,
    pub next_month: &'static str,
    pub calendar_label: &'static str,
    pub choose_a_day: &'static str,
    pub no_times_this_month: &'static str,
    pub no_times_this_day: &'static str,
    pub times_on: &'static str,
    pub one_time_free: &'static str,
    /// "{n} times free": `{n}` is replaced.
    pub times_free: &'static str,
    /// "Book {when}": `{when}` is replaced.
    pub book_slot: &'static str,
    pub slot_gone: &'static str,
    /// The page a repeated booking form gets: the booking exists, its link went by email.
    pub already_booked_title: &'static str,
    pub already_booked_message: &'static str,
    pub your_details: &'static str,
    pub your_name: &'static str,
    pub email: &'static str,
    pub note_question: &'static str,
    pub optional: &'static str,
    /// A list question's empty first entry.
    pub choose_one: &'static str,
    /// Under a phone question: the form the number must take.
    pub phone_form: &'static str,
    pub confirm_booking: &'static str,
    pub you_are_booked: &'static str,
    pub booking_cancelled: &'static str,
    /// A request waiting for the host's approval: the heading, the sentence under it
    /// (`{host}`, `{until}`), and the headings of a declined and an expired one.
    pub request_sent: &'static str,
    /// Above the booking form's button when the host approves each booking (`{host}`), and
    /// the button then.
    pub approval_note: &'static str,
    pub send_request: &'static str,
    pub withdraw_request: &'static str,
    pub request_held: &'static str,
    pub request_declined: &'static str,
    pub request_expired: &'static str,
    pub booking_moved: &'static str,
    pub see_new_time: &'static str,
    pub reschedule_booking: &'static str,
    pub when: &'static str,
    /// "For {host}": `{host}` is replaced.
    pub for_host: &'static str,
    pub where_: &'static str,
    /// The link to the online meeting, on the confirmation page.
    pub join_meeting: &'static str,
    /// Said while the meeting link is still being created at the provider.
    pub meeting_link_pending: &'static str,
    pub who: &'static str,
    pub and: &'static str,
    pub your_note: &'static str,
    pub add_to_calendar: &'static str,
    pub ics_file: &'static str,
    pub google_calendar: &'static str,
    pub outlook: &'static str,
    pub cancel_booking: &'static str,
    pub keep_this_link: &'static str,
    pub book_another_time: &'static str,
    pub host_pick_a_meeting: &'static str,
    /// `{host}` is replaced.
    pub host_no_meetings: &'static str,
    /// `{title}` is replaced.
    pub cancel_page_title: &'static str,
    pub cancel_question: &'static str,
    /// `{host}` is replaced.
    pub reason_for: &'static str,
    pub cancel_submit: &'static str,
    /// `{host}` is replaced.
    pub cancel_consequence: &'static str,
    pub keep_the_booking: &'static str,
    /// An invitee's change refused within the event type's cut-off; `{host}` is the host.
    pub past_change_cutoff: &'static str,
    /// The manage page's line in place of the change links within the cut-off; the host's
    /// name and address follow it as a link.
    pub changes_closed: &'static str,
    /// `{host}` is replaced.
    pub too_late: &'static str,
    /// `{title}` is replaced.
    pub reschedule_page_title: &'static str,
    pub reschedule_heading: &'static str,
    pub now_booked_for: &'static str,
    pub move_question: &'static str,
    pub move_submit: &'static str,
    /// `{host}` is replaced.
    pub move_consequence: &'static str,
    pub pick_a_new_time: &'static str,
    pub times_shown_in: &'static str,
    pub weeks: &'static str,
    pub earlier: &'static str,
    pub later: &'static str,
    pub no_times_these_days: &'static str,
    pub keep_the_current_time: &'static str,
    pub to_front_page: &'static str,
    pub error_not_found: &'static str,
    pub error_not_found_message: &'static str,
    pub error_forbidden: &'static str,
    pub error_forbidden_message: &'static str,
    pub error_taken: &'static str,
    pub error_too_late: &'static str,
    /// The title of the page of a single-use link that can no longer book.
    pub link_closed_title: &'static str,
    /// A used single-use link, with `{host}`.
    pub link_used: &'static str,
    /// An expired single-use link, with `{host}`.
    pub link_expired: &'static str,
    pub error_bad_request: &'static str,
    pub error_bad_request_message: &'static str,
    pub error_unavailable: &'static str,
    pub error_unavailable_message: &'static str,
    pub error_slow_down: &'static str,
    pub error_slow_down_message: &'static str,
    pub error_internal: &'static str,
    /// `{id}` is replaced.
    pub error_internal_message: &'static str,
    pub slot_taken: &'static str,
    pub field_required: &'static str,
    /// `{n}` is replaced.
    pub field_too_long: &'static str,
    pub field_control_characters: &'static str,
    pub field_bad_email: &'static str,
    pub field_unknown_time_zone: &'static str,
    pub field_bad_phone: &'static str,
    pub field_bad_url: &'static str,
    pub field_not_an_option: &'static str,
    pub field_not_a_whole_number: &'static str,
    /// `{min}` and `{max}` are replaced.
    pub field_number_range: &'static str,
    pub field_must_tick: &'static str,
    /// The booking emails and their invitations.
    pub mail: MailStrings,
}

impl Strings {
    /// A form field's error sentence in this language. The core's parsers write English
    /// ([`FieldError`]'s `Display`); a sentence this table does not know stays as it is.
    pub fn field_error(&self, english: &str) -> String {
        let known = [
            (FieldError::Required, self.field_required),
            (FieldError::ControlCharacters, self.field_control_characters),
            (FieldError::BadEmail, self.field_bad_email),
            (FieldError::UnknownTimeZone, self.field_unknown_time_zone),
            (FieldError::BadPhone, self.field_bad_phone),
            (FieldError::BadUrl, self.field_bad_url),
            (FieldError::NotAnOption, self.field_not_an_option),
            (FieldError::NotAWholeNumber, self.field_not_a_whole_number),
            (FieldError::MustTick, self.field_must_tick),
        ];
        if let Some((_, text)) = known.iter().find(|(e, _)| e.to_string() == english) {
            return (*text).to_owned();
        }
        let too_long = english
            .strip_prefix("Use at most ")
            .and_then(|rest| rest.strip_suffix(" characters."))
            .filter(|n| n.parse::<usize>().is_ok());
        if let Some(n) = too_long {
            return Self::fill(self.field_too_long, "n", n);
        }
        let range = english
            .strip_prefix("Enter a whole number from ")
            .and_then(|rest| rest.strip_suffix('.'))
            .and_then(|rest| rest.split_once(" to "))
            .filter(|(min, max)| min.parse::<i64>().is_ok() && max.parse::<i64>().is_ok());
        match range {
            Some((min, max)) => {
                Self::fill(&Self::fill(self.field_number_range, "min", min), "max", max)
            }
            None => english.to_owned(),
        }
    }

    /// Why a single-use link books nothing more, naming whom to ask for a new one.
    pub fn link_closed(&self, state: crate::core::single_use_link::LinkState, host: &str) -> String {
        let template = match state {
            crate::core::single_use_link::LinkState::Expired => self.link_expired,
            _ => self.link_used,
        };
        Self::fill(template, "host", host)
    }

    /// A string with its `{name}` placeholder filled in, e.g. `fill(t.reason_for, "host", "Dana")`.
    pub fn fill(template: &str, name: &str, value: &str) -> String {
        template.replace(&format!("{{{name}}}"), value)
    }

    /// "6 times free" / "1 time free".
    pub fn times_free(&self, count: usize) -> String {
        if count == 1 {
            self.one_time_free.to_owned()
        } else {
            self.times_free.replace("{n}", &count.to_string())
        }
    }

    /// A slot link's screen-reader name: "Book Wednesday, 25 November 2026, 09:30–10:00 (Asia/Tokyo)".
    pub fn book_slot(&self, when: &str) -> String {
        self.book_slot.replace("{when}", when)
    }

    /// "For Dana".
    pub fn for_host(&self, host: &str) -> String {
        self.for_host.replace("{host}", host)
    }

    /// What an event type's location kind is called.
    pub fn location(&self, kind: LocationKind) -> &'static str {
        match kind {
            // A service's brand is the same in every language.
            LocationKind::Online(service) => service.brand(),
            LocationKind::Phone => self.location_phone,
            LocationKind::InPerson => self.location_in_person,
            LocationKind::CustomLink => self.location_custom_link,
            LocationKind::None => self.location_none,
        }
    }

    /// Where a meeting is, in words: the kind, with the number or address the host named
    /// ("Phone call: +49 30 1234567"); a link is shown as a link, not here.
    pub fn place(&self, location: &crate::core::location::Location) -> String {
        let kind = self.location(location.kind());
        match location.place() {
            Some(place) => format!("{kind}: {place}"),
            None => kind.to_owned(),
        }
    }

    pub fn weekday(&self, day: Weekday) -> &'static str {
        self.weekdays[day.num_days_from_monday() as usize]
    }

    pub fn month(&self, month: u32) -> &'static str {
        self.months[(month.clamp(1, 12) - 1) as usize]
    }

    fn day_month(&self, date: NaiveDate) -> String {
        let dot = if self.day_dot { "." } else { "" };
        format!("{}{dot} {}", date.day(), self.month(date.month()))
    }

    /// "Wednesday, 25 November 2026" / "Mittwoch, 25. November 2026".
    pub fn day_label(&self, date: NaiveDate) -> String {
        format!(
            "{}, {} {}",
            self.weekday(date.weekday()),
            self.day_month(date),
            date.year()
        )
    }

    /// "Wednesday 25 November" / "Mittwoch, 25. November": a calendar day without its year.
    pub fn short_day_label(&self, date: NaiveDate) -> String {
        let comma = if self.day_dot { "," } else { "" };
        format!(
            "{}{comma} {}",
            self.weekday(date.weekday()),
            self.day_month(date)
        )
    }

    /// "November 2026".
    pub fn month_label(&self, year: i32, month: u32) -> String {
        format!("{} {year}", self.month(month))
    }
}

/// A clock time: "09:30" (24-hour) or "9:30 AM" (12-hour).
pub fn time_label<T: Timelike>(time: &T, clock: Clock) -> String {
    match clock {
        Clock::H24 => format!("{:02}:{:02}", time.hour(), time.minute()),
        Clock::H12 => {
            let (pm, hour) = time.hour12();
            let suffix = if pm { "PM" } else { "AM" };
            format!("{hour}:{:02} {suffix}", time.minute())
        }
    }
}

/// An instant for a reader in `zone` on `clock`: "Wednesday, 25 November 2026, 09:30
/// (Europe/Berlin)" (when a request's hold ends).
pub fn instant_label(t: &Strings, clock: Clock, at: DateTime<Utc>, zone: Tz) -> String {
    let local = at.with_timezone(&zone);
    format!(
        "{}, {} ({})",
        t.day_label(local.date_naive()),
        time_label(&local, clock),
        zone.name()
    )
}

/// A meeting's span for a reader in `zone`:
/// "Wednesday, 25 November 2026, 09:30–10:00 (Europe/Berlin)"; across midnight both days.
pub fn span_label(
    t: &Strings,
    clock: Clock,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    zone: Tz,
) -> String {
    let (local_start, local_end) = (start.with_timezone(&zone), end.with_timezone(&zone));
    if local_start.date_naive() == local_end.date_naive() {
        format!(
            "{}, {}–{} ({})",
            t.day_label(local_start.date_naive()),
            time_label(&local_start, clock),
            time_label(&local_end, clock),
            zone.name()
        )
    } else {
        format!(
            "{}, {} – {}, {} ({})",
            t.day_label(local_start.date_naive()),
            time_label(&local_start, clock),
            t.day_label(local_end.date_naive()),
            time_label(&local_end, clock),
            zone.name()
        )
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn field_errors_read_in_german_and_unknown_ones_stay() {
        let de = Lang::De.strings();
        assert_eq!(
            de.field_error(&FieldError::Required.to_string()),
            "Dieses Feld ist erforderlich."
        );
        assert_eq!(
            de.field_error(&FieldError::TooLong(100).to_string()),
            "Bitte höchstens 100 Zeichen."
        );
        assert_eq!(
            Lang::En
                .strings()
                .field_error(&FieldError::BadEmail.to_string()),
            FieldError::BadEmail.to_string()
        );
        assert_eq!(de.field_error("Something new."), "Something new.");
    }

    #[test]
    fn every_answer_error_reads_in_german_and_english_matches_the_core() {
        let (en, de) = (Lang::En.strings(), Lang::De.strings());
        for error in [
            FieldError::BadPhone,
            FieldError::BadUrl,
            FieldError::NotAnOption,
            FieldError::NotAWholeNumber,
            FieldError::MustTick,
            FieldError::NumberOutOfRange(-5, 12),
        ] {
            let english = error.to_string();
            assert_eq!(en.field_error(&english), english);
            assert_ne!(de.field_error(&english), english, "{english}");
        }
        assert_eq!(
            de.field_error(&FieldError::NumberOutOfRange(-5, 12).to_string()),
            "Geben Sie eine ganze Zahl von -5 bis 12 ein."
        );
    }

    #[test]
    fn the_slot_taken_sentence_matches_the_english_conflict() {
        assert_eq!(
            Lang::En.strings().slot_taken,
            "Someone booked this time a moment ago. Please pick another time."
        );
        assert_eq!(
            Strings::fill("Grund für {host}", "host", "Dana"),
            "Grund für Dana"
        );
    }

    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_best_shipped_language_wins_by_q_value() {
        let pick = Lang::from_accept_language;
        assert_eq!(pick("de-DE,de;q=0.9,en;q=0.5"), Lang::De);
        assert_eq!(pick("fr-FR,fr;q=0.9,de;q=0.8,en;q=0.5"), Lang::De);
        assert_eq!(pick("en;q=0.4, de;q=0.6"), Lang::De);
        assert_eq!(pick("de;q=0, en"), Lang::En);
        assert_eq!(pick("fr, ja"), Lang::En, "unknown falls back to English");
        assert_eq!(pick(""), Lang::En);
        assert_eq!(
            pick("de;q=banana, en"),
            Lang::En,
            "a broken q drops the tag"
        );
        assert_eq!(pick("DE-at"), Lang::De);
    }

    #[test]
    fn stored_codes_read_back_and_unknown_ones_are_refused() {
        assert_eq!(Lang::from_code("de"), Some(Lang::De));
        assert_eq!(Lang::from_code("DE-at"), Some(Lang::De));
        assert_eq!(Lang::from_code("en"), Some(Lang::En));
        assert_eq!(Lang::from_code("fr"), None);
        assert_eq!(Lang::from_code(""), None);
        for lang in [Lang::En, Lang::De] {
            assert_eq!(Lang::from_code(lang.code()), Some(lang));
        }
    }

    #[test]
    fn us_english_reads_a_12_hour_clock_others_24() {
        assert_eq!(default_clock("en-US,en;q=0.9"), Clock::H12);
        assert_eq!(default_clock("en-GB,en;q=0.9"), Clock::H24);
        assert_eq!(default_clock("de-DE"), Clock::H24);
        assert_eq!(default_clock(""), Clock::H24);
        assert_eq!(default_clock("de;q=0.5, en-US"), Clock::H12);
    }

    #[test]
    fn days_and_times_read_in_each_language() {
        let start = Utc.with_ymd_and_hms(2026, 11, 25, 8, 30, 0).unwrap();
        let end = Utc.with_ymd_and_hms(2026, 11, 25, 13, 0, 0).unwrap();
        let berlin = chrono_tz::Europe::Berlin;
        assert_eq!(
            span_label(Lang::En.strings(), Clock::H24, start, end, berlin),
            "Wednesday, 25 November 2026, 09:30–14:00 (Europe/Berlin)"
        );
        assert_eq!(
            span_label(Lang::En.strings(), Clock::H12, start, end, berlin),
            "Wednesday, 25 November 2026, 9:30 AM–2:00 PM (Europe/Berlin)"
        );
        assert_eq!(
            span_label(Lang::De.strings(), Clock::H24, start, end, berlin),
            "Mittwoch, 25. November 2026, 09:30–14:00 (Europe/Berlin)"
        );
        let date = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        assert_eq!(Lang::De.strings().short_day_label(date), "Montag, 2. März");
        assert_eq!(Lang::En.strings().short_day_label(date), "Monday 2 March");
        let midnight = Utc.with_ymd_and_hms(2026, 1, 1, 0, 5, 0).unwrap();
        assert_eq!(time_label(&midnight, Clock::H12), "12:05 AM");
    }

    #[test]
    fn counts_read_naturally() {
        assert_eq!(Lang::En.strings().times_free(1), "1 time free");
        assert_eq!(Lang::En.strings().times_free(6), "6 times free");
        assert_eq!(Lang::De.strings().times_free(1), "1 Termin frei");
        assert_eq!(Lang::De.strings().times_free(6), "6 Termine frei");
    }
}
