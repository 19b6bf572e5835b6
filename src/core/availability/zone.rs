//! Time zones: parsing IANA names and turning local wall-clock times into instants.
//!
//! Rule 1 of the engine lives here. A local time that exists once maps to its instant; an
//! ambiguous one (the repeated hour of a fall-back night) takes its earlier instant; one that
//! does not exist (the skipped hour of a spring-forward night) moves forward by the length of
//! the gap, i.e. it is read with the offset in force just before the gap. So 02:30 on
//! 2026-03-29 in Europe/Berlin is 03:30 CEST (01:30Z). This is the "compatible" choice of
//! RFC 9557 / Temporal and java.time, and it keeps a whole day's hours bookable.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeDelta, TimeZone, Utc};
use chrono_tz::{GapInfo, Tz};

use super::error::AvailabilityError;

/// Parses an IANA zone name ("Europe/Berlin"), so handlers never pass raw strings to the core.
pub fn parse_zone(name: &str) -> Result<Tz, AvailabilityError> {
    name.trim()
        .parse::<Tz>()
        .map_err(|_| AvailabilityError::UnknownZone(name.to_owned()))
}

/// The instant of `minute_of_day` minutes after local midnight of `date` in `zone`, resolved
/// per rule 1 (1440 is 00:00 of the next day). `None` only at the edges of chrono's calendar.
pub(crate) fn local_instant(
    zone: Tz,
    date: NaiveDate,
    minute_of_day: u16,
) -> Option<DateTime<Utc>> {
    let local = date
        .and_time(NaiveTime::MIN)
        .checked_add_signed(TimeDelta::minutes(minute_of_day.into()))?;
    resolve_local(zone, local)
}

/// Resolves a local wall-clock time in `zone` to one instant per rule 1.
pub(crate) fn resolve_local(zone: Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    match zone.from_local_datetime(&local) {
        chrono::LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
        chrono::LocalResult::Ambiguous(a, b) => Some(a.min(b).with_timezone(&Utc)),
        chrono::LocalResult::None => resolve_in_gap(zone, local),
    }
}

/// A skipped local time is read with the offset in force just before the gap, which lands it
/// exactly the gap's length later on the wall clock.
fn resolve_in_gap(zone: Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    let gap = GapInfo::new(&local, &zone)?;
    match gap.begin {
        Some((_, before)) => {
            let offset = TimeDelta::seconds(before.fix().local_minus_utc().into());
            local.checked_sub_signed(offset).map(|t| t.and_utc())
        }
        None => gap.end.map(|t| t.with_timezone(&Utc)),
    }
}

/// The local calendar date of an instant in `zone` (what a person there calls "that day").
/// At the very ends of chrono's range, where the local date cannot be represented, it is the
/// UTC date instead of a panic.
pub(crate) fn local_date(instant: DateTime<Utc>, zone: Tz) -> NaiveDate {
    let offset = zone.offset_from_utc_datetime(&instant.naive_utc()).fix();
    instant
        .naive_utc()
        .checked_add_offset(offset)
        .unwrap_or(instant.naive_utc())
        .date()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(zone: &str, date: &str, minute: u16) -> String {
        let zone = parse_zone(zone).unwrap();
        let date: NaiveDate = date.parse().unwrap();
        crate::core::display::rfc3339(&local_instant(zone, date, minute).unwrap())
    }

    #[test]
    fn a_known_zone_name_parses_and_surrounding_spaces_are_ignored() {
        assert_eq!(parse_zone(" Asia/Kathmandu ").unwrap(), Tz::Asia__Kathmandu);
    }

    #[test]
    fn an_unknown_zone_name_is_rejected_with_the_name_in_the_message() {
        let err = parse_zone("Mars/Olympus_Mons").unwrap_err();
        assert_eq!(
            err,
            AvailabilityError::UnknownZone("Mars/Olympus_Mons".into())
        );
        assert!(err.to_string().contains("Mars/Olympus_Mons"));
    }

    #[test]
    fn a_skipped_time_moves_forward_by_the_gap() {
        // Berlin 2026-03-29: 02:00 CET jumps to 03:00 CEST at 01:00Z.
        assert_eq!(
            at("Europe/Berlin", "2026-03-29", 150),
            "2026-03-29T01:30:00Z"
        );
        assert_eq!(
            at("Europe/Berlin", "2026-03-29", 120),
            "2026-03-29T01:00:00Z"
        );
        assert_eq!(
            at("Europe/Berlin", "2026-03-29", 180),
            "2026-03-29T01:00:00Z"
        );
    }

    #[test]
    fn a_repeated_time_takes_its_earlier_instant() {
        // Berlin 2026-10-25: 03:00 CEST falls back to 02:00 CET at 01:00Z.
        assert_eq!(
            at("Europe/Berlin", "2026-10-25", 150),
            "2026-10-25T00:30:00Z"
        );
    }

    #[test]
    fn minute_1440_is_midnight_of_the_next_day() {
        assert_eq!(
            at("Asia/Kathmandu", "2026-01-05", 1440),
            "2026-01-05T18:15:00Z"
        );
    }
}
