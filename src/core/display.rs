//! How dates and times read on pages and in emails, in whatever zone the reader is in.

use chrono::format::{Fixed, Item, Numeric, Pad, ParseResult, Parsed};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use super::event_type::LocationKind;

/// The layouts the Worker formats and parses dates and times with, as chrono's items instead
/// of strftime strings (`"%Y-%m-%d"`): a strftime string is taken apart by chrono's
/// `StrftimeItems` at run time, whose parser and a second copy of chrono's date parser cost
/// the Worker's size budget several KB (BENCHMARKS.md, *Size*). Each list is the items its
/// strftime string (named in its doc) yields, which a test checks, so output and parsing are
/// unchanged.
pub mod layouts {
    use super::{Fixed, Item, Numeric, Pad};

    const fn zero(numeric: Numeric) -> Item<'static> {
        Item::Numeric(numeric, Pad::Zero)
    }

    const YEAR: Item<'static> = zero(Numeric::Year);
    const MONTH: Item<'static> = zero(Numeric::Month);
    const DAY: Item<'static> = zero(Numeric::Day);
    const HOUR: Item<'static> = zero(Numeric::Hour);
    const MINUTE: Item<'static> = zero(Numeric::Minute);
    const SECOND: Item<'static> = zero(Numeric::Second);
    const DASH: Item<'static> = Item::Literal("-");
    const COLON: Item<'static> = Item::Literal(":");
    const T: Item<'static> = Item::Literal("T");
    const SPACE: Item<'static> = Item::Space(" ");

    /// `%Y-%m-%d`
    pub const DATE: &[Item<'static>] = &[YEAR, DASH, MONTH, DASH, DAY];
    /// `%Y-%m`
    pub const MONTH_OF_YEAR: &[Item<'static>] = &[YEAR, DASH, MONTH];
    /// `%H:%M`
    pub const CLOCK: &[Item<'static>] = &[HOUR, COLON, MINUTE];
    /// `%Y-%m-%dT%H:%M:%S`
    pub const LOCAL_DATE_TIME: &[Item<'static>] =
        &[YEAR, DASH, MONTH, DASH, DAY, T, HOUR, COLON, MINUTE, COLON, SECOND];
    /// `%Y-%m-%dT%H:%M:%SZ`
    pub const UTC_DATE_TIME: &[Item<'static>] = &[
        YEAR,
        DASH,
        MONTH,
        DASH,
        DAY,
        T,
        HOUR,
        COLON,
        MINUTE,
        COLON,
        SECOND,
        Item::Literal("Z"),
    ];
    /// `%Y-%m-%d %H:%M UTC`
    pub const UTC_MINUTE: &[Item<'static>] = &[
        YEAR,
        DASH,
        MONTH,
        DASH,
        DAY,
        SPACE,
        HOUR,
        COLON,
        MINUTE,
        SPACE,
        Item::Literal("UTC"),
    ];
    /// `%A, %-d %B %Y`
    pub const DAY_LABEL: &[Item<'static>] = &[
        Item::Fixed(Fixed::LongWeekdayName),
        Item::Literal(","),
        SPACE,
        Item::Numeric(Numeric::Day, Pad::None),
        SPACE,
        Item::Fixed(Fixed::LongMonthName),
        SPACE,
        YEAR,
    ];
    /// `%-d %B %Y, %H:%M`
    pub const MOMENT_LABEL: &[Item<'static>] = &[
        Item::Numeric(Numeric::Day, Pad::None),
        SPACE,
        Item::Fixed(Fixed::LongMonthName),
        SPACE,
        YEAR,
        Item::Literal(","),
        SPACE,
        HOUR,
        COLON,
        MINUTE,
    ];
    /// `%Y%m%d` (iCalendar's DATE)
    pub const BASIC_DATE: &[Item<'static>] = &[YEAR, MONTH, DAY];
    /// `%Y%m%dT%H%M%S` (iCalendar's local DATE-TIME)
    pub const BASIC_DATE_TIME: &[Item<'static>] = &[YEAR, MONTH, DAY, T, HOUR, MINUTE, SECOND];
    /// `%Y%m%dT%H%M%SZ` (iCalendar's UTC DATE-TIME)
    pub const BASIC_UTC_DATE_TIME: &[Item<'static>] =
        &[YEAR, MONTH, DAY, T, HOUR, MINUTE, SECOND, Item::Literal("Z")];
}

/// `text` read with `layout`, as chrono's `parse_from_str` reads it with the layout's strftime
/// string; the caller takes the date, time or both from the result.
pub fn parse_layout(text: &str, layout: &'static [Item<'static>]) -> ParseResult<Parsed> {
    let mut parsed = Parsed::new();
    chrono::format::parse(&mut parsed, text, layout.iter())?;
    Ok(parsed)
}

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
    date.format_with_items(layouts::DAY_LABEL.iter()).to_string()
}

/// A clock time in `zone`, 24-hour: "09:30".
pub fn clock_label(instant: DateTime<Utc>, zone: Tz) -> String {
    instant
        .with_timezone(&zone)
        .format_with_items(layouts::CLOCK.iter())
        .to_string()
}

/// A moment for a reader in `zone`, from Unix seconds as D1 keeps them: "25 November 2026,
/// 09:30" (empty for a moment chrono cannot represent).
pub fn moment_label(seconds: i64, zone: Tz) -> String {
    DateTime::from_timestamp(seconds, 0)
        .map(|t| t.with_timezone(&zone).format_with_items(layouts::MOMENT_LABEL.iter()).to_string())
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
            local_start.format_with_items(layouts::CLOCK.iter()),
            local_end.format_with_items(layouts::CLOCK.iter()),
            zone.name()
        )
    } else {
        format!(
            "{}, {} – {}, {} ({})",
            day_label(local_start.date_naive()),
            local_start.format_with_items(layouts::CLOCK.iter()),
            day_label(local_end.date_naive()),
            local_end.format_with_items(layouts::CLOCK.iter()),
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
    use chrono::format::StrftimeItems;
    use chrono::TimeZone;

    #[test]
    fn each_layout_is_the_items_of_its_strftime_string() {
        let layouts: [(&str, &[Item<'static>]); 12] = [
            ("%Y-%m-%d", layouts::DATE),
            ("%Y-%m", layouts::MONTH_OF_YEAR),
            ("%H:%M", layouts::CLOCK),
            ("%Y-%m-%dT%H:%M:%S", layouts::LOCAL_DATE_TIME),
            ("%Y-%m-%dT%H:%M:%SZ", layouts::UTC_DATE_TIME),
            ("%Y-%m-%d %H:%M UTC", layouts::UTC_MINUTE),
            ("%A, %-d %B %Y", layouts::DAY_LABEL),
            ("%-d %B %Y, %H:%M", layouts::MOMENT_LABEL),
            ("%Y%m%d", layouts::BASIC_DATE),
            ("%Y%m%dT%H%M%S", layouts::BASIC_DATE_TIME),
            ("%Y%m%dT%H%M%SZ", layouts::BASIC_UTC_DATE_TIME),
            ("%Y-%m-%d", layouts::DATE),
        ];
        for (strftime, items) in layouts {
            let expected: Vec<Item<'_>> = StrftimeItems::new(strftime).collect();
            assert_eq!(items, expected.as_slice(), "{strftime}");
        }
    }

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
