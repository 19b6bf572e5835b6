//! How dates and times read on pages and in emails, in whatever zone the reader is in.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use super::event_type::LocationKind;

/// The wire form of an instant, in the API, links and provider requests alike:
/// `2026-11-25T09:30:00Z` in UTC, `2026-11-25T10:30:00+01:00` in another zone (whole seconds).
pub fn rfc3339<Z: chrono::TimeZone>(instant: &DateTime<Z>) -> String
where
    Z::Offset: std::fmt::Display,
{
    instant.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A day heading: "Wednesday, 25 November 2026".
pub fn day_label(date: NaiveDate) -> String {
    date.format("%A, %-d %B %Y").to_string()
}

/// A clock time in `zone`, 24-hour: "09:30".
pub fn clock_label(instant: DateTime<Utc>, zone: Tz) -> String {
    instant.with_timezone(&zone).format("%H:%M").to_string()
}

/// A moment for a reader in `zone`, from Unix seconds as D1 keeps them: "25 November 2026,
/// 09:30" (empty for a moment chrono cannot represent).
pub fn moment_label(seconds: i64, zone: Tz) -> String {
    DateTime::from_timestamp(seconds, 0)
        .map(|t| t.with_timezone(&zone).format("%-d %B %Y, %H:%M").to_string())
        .unwrap_or_default()
}

/// A meeting's span for a reader in `zone`: "Wednesday, 25 November 2026, 09:30–10:00 (Europe/Berlin)".
/// A meeting that ends on another local day names both days.
pub fn span_label(start: DateTime<Utc>, end: DateTime<Utc>, zone: Tz) -> String {
    let (local_start, local_end) = (start.with_timezone(&zone), end.with_timezone(&zone));
    if local_start.date_naive() == local_end.date_naive() {
        format!(
            "{}, {}–{} ({})",
            day_label(local_start.date_naive()),
            local_start.format("%H:%M"),
            local_end.format("%H:%M"),
            zone.name()
        )
    } else {
        format!(
            "{}, {} – {}, {} ({})",
            day_label(local_start.date_naive()),
            local_start.format("%H:%M"),
            day_label(local_end.date_naive()),
            local_end.format("%H:%M"),
            zone.name()
        )
    }
}

/// What an event type's location kind is called on pages.
pub fn location_label(kind: LocationKind) -> &'static str {
    match kind {
        LocationKind::Online(service) => service.brand(),
        LocationKind::Phone => "Phone call",
        LocationKind::InPerson => "In person",
        LocationKind::CustomLink => "Online meeting link",
        LocationKind::None => "Details by email",
    }
}

/// The message with its first letter in upper case, to stand alone next to a field.
pub fn capitalised(message: String) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn moments_read_in_the_readers_zone() {
        let instant = Utc.with_ymd_and_hms(2026, 11, 25, 8, 30, 0).unwrap();
        assert_eq!(
            moment_label(instant.timestamp(), chrono_tz::Europe::Berlin),
            "25 November 2026, 09:30"
        );
        assert_eq!(moment_label(i64::MAX, chrono_tz::UTC), "");
    }

    #[test]
    fn spans_read_in_the_readers_zone() {
        let start = Utc.with_ymd_and_hms(2026, 11, 25, 8, 30, 0).unwrap();
        let end = Utc.with_ymd_and_hms(2026, 11, 25, 9, 0, 0).unwrap();
        assert_eq!(
            span_label(start, end, chrono_tz::Europe::Berlin),
            "Wednesday, 25 November 2026, 09:30–10:00 (Europe/Berlin)"
        );
        assert_eq!(
            span_label(start, end, chrono_tz::Pacific::Kiritimati),
            "Wednesday, 25 November 2026, 22:30–23:00 (Pacific/Kiritimati)"
        );
        assert_eq!(clock_label(start, chrono_tz::Asia::Kathmandu), "14:15");
    }

    #[test]
    fn a_span_across_local_midnight_names_both_days() {
        let start = Utc.with_ymd_and_hms(2026, 11, 25, 9, 30, 0).unwrap();
        let end = Utc.with_ymd_and_hms(2026, 11, 25, 10, 30, 0).unwrap();
        assert_eq!(
            span_label(start, end, chrono_tz::Pacific::Kiritimati),
            "Wednesday, 25 November 2026, 23:30 – Thursday, 26 November 2026, 00:30 (Pacific/Kiritimati)"
        );
    }
}
