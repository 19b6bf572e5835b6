//! A stored booking's emails: the one place a [`BookingDetailsRow`] becomes [`BookingFacts`],
//! for the cancellation (by the invitee's link or the host's dashboard) and the reminder run
//! alike, so both read the invitee's language, zones and location the same way.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::render::{BookingFacts, HOST_LANG};
use crate::core::types::TimeZoneName;
use crate::i18n::Lang;
use crate::store::BookingDetailsRow;

/// A zone name from D1, or UTC if a row holds one we no longer know: an email with the time
/// in UTC beats no email.
pub fn zone_or_utc(name: &str) -> Tz {
    TimeZoneName::parse(name)
        .map(TimeZoneName::tz)
        .unwrap_or(chrono_tz::UTC)
}

/// What the emails about `row` say. `start` and `end` are the row's times as the caller
/// already read them; `meeting_url` is the link to show (the caller decides whether one is
/// still worth showing); `manage_url` may be empty when no origin is known (the cron).
/// A language the code no longer ships reads as English.
pub fn facts<'a>(
    row: &'a BookingDetailsRow,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    meeting_url: Option<&'a str>,
    manage_url: &'a str,
) -> BookingFacts<'a> {
    BookingFacts {
        calendar_uid: &row.calendar_uid,
        sequence: u32::try_from(row.sequence).unwrap_or(0),
        event_title: &row.event_title,
        host_name: &row.host_name,
        host_email: &row.host_email,
        host_zone: zone_or_utc(&row.host_time_zone),
        invitee_name: &row.invitee_name,
        invitee_email: &row.invitee_email,
        invitee_zone: zone_or_utc(&row.invitee_time_zone),
        note: &row.note,
        start,
        end,
        location_kind: row.location_kind,
        location_detail: &row.location_detail,
        meeting_url,
        manage_url,
        invitee_lang: Lang::from_code(&row.lang).unwrap_or(Lang::En),
        host_lang: HOST_LANG,
        host_message: row
            .confirmation_message
            .for_reader(Lang::from_code(&row.lang).unwrap_or(Lang::En)),
        answers: &[],
    }
}
