//! Busy times for servers without `free-busy-query`: a `calendar-query` REPORT (RFC 4791
//! §7.8) over the window that asks, by partial retrieval (§9.6), for each event's `DTSTART`,
//! `DTEND`, `DURATION`, `TRANSP` and `STATUS` only, with `expand` (§9.6.5) so the server
//! expands recurrences into instances in UTC. A server may send more than was asked for
//! (Radicale 3.9 ignores partial retrieval and sends whole events); the
//! reader keeps times and nothing else, so a title or attendee is never held past parsing.

use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::lines::{date, duration, local_date_time, split_line, unfolded, utc};
use super::multistatus;
use crate::core::availability::Interval;
use crate::core::ics::utc_date_time;

/// The REPORT body: events overlapping `window`, expanded, with their times only.
pub fn body(window: Interval) -> String {
    let (start, end) = (utc_date_time(window.start()), utc_date_time(window.end()));
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><c:calendar-data><c:comp name="VCALENDAR"><c:comp name="VEVENT"><c:prop name="DTSTART"/><c:prop name="DTEND"/><c:prop name="DURATION"/><c:prop name="TRANSP"/><c:prop name="STATUS"/></c:comp></c:comp><c:expand start="{start}" end="{end}"/></c:calendar-data></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:time-range start="{start}" end="{end}"/></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>"#
    )
}

/// The busy intervals of a calendar-query's multistatus answer. Dates (all-day events) and
/// floating times are the host's, in `host_zone` (RFC 5545 §3.3.4, §3.3.5 form #1); a
/// `TZID` the server left in place is read with the time-zone database. Transparent and
/// cancelled events are free (RFC 5545 §3.8.2.7, §3.8.1.11).
pub fn busy_periods(body: &[u8], host_zone: Tz) -> Result<Vec<Interval>, String> {
    let resources = multistatus::parse(body)?;
    let mut busy = Vec::new();
    for data in resources.iter().filter_map(|r| r.calendar_data.as_deref()) {
        busy.extend(events(data, host_zone)?);
    }
    Ok(busy)
}

/// The times of one event being read: only what decides whether and when it is busy.
#[derive(Default)]
struct Times {
    start: Option<When>,
    end: Option<When>,
    duration: Option<Duration>,
    free: bool,
}

/// A DTSTART or DTEND value.
#[derive(Clone, Copy)]
enum When {
    Instant(DateTime<Utc>),
    /// A DATE: the day starts at the host's midnight.
    Day(chrono::NaiveDate),
}

fn events(data: &str, host_zone: Tz) -> Result<Vec<Interval>, String> {
    let mut busy = Vec::new();
    let mut current: Option<Times> = None;
    for line in unfolded(data) {
        let (name, params, value) = split_line(&line)?;
        match (name.as_str(), current.as_mut()) {
            ("BEGIN", None) if value.eq_ignore_ascii_case("VEVENT") => {
                current = Some(Times::default());
            }
            ("END", Some(_)) if value.eq_ignore_ascii_case("VEVENT") => {
                let times = current.take().expect("inside an event");
                if let Some(interval) = interval_of(times, host_zone)? {
                    busy.push(interval);
                }
            }
            ("DTSTART", Some(times)) => times.start = Some(when(&params, value, host_zone)?),
            ("DTEND", Some(times)) => times.end = Some(when(&params, value, host_zone)?),
            ("DURATION", Some(times)) => times.duration = Some(duration(value)?),
            ("TRANSP", Some(times)) if value.eq_ignore_ascii_case("TRANSPARENT") => {
                times.free = true;
            }
            ("STATUS", Some(times)) if value.eq_ignore_ascii_case("CANCELLED") => {
                times.free = true;
            }
            _ => {}
        }
    }
    Ok(busy)
}

fn when(params: &[(String, String)], value: &str, host_zone: Tz) -> Result<When, String> {
    let param = |key: &str| {
        params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    };
    if param("VALUE").is_some_and(|v| v.eq_ignore_ascii_case("DATE")) || value.len() == 8 {
        return date(value).map(When::Day);
    }
    if value.ends_with('Z') {
        return utc(value).map(When::Instant);
    }
    let local = local_date_time(value)?;
    let zone = match param("TZID") {
        Some(tzid) => tzid.parse::<Tz>().unwrap_or(host_zone),
        None => host_zone,
    };
    Ok(When::Instant(at_local(local, zone)))
}

/// A local time in `zone`; in a DST gap the time after it (RFC 5545 §3.3.5: "the
/// DATE-TIME value ... is interpreted using the UTC offset before the gap").
fn at_local(local: NaiveDateTime, zone: Tz) -> DateTime<Utc> {
    match zone.from_local_datetime(&local) {
        chrono::LocalResult::Single(at) => at.with_timezone(&Utc),
        chrono::LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
        chrono::LocalResult::None => {
            let shifted = local + Duration::hours(1);
            zone.from_local_datetime(&shifted)
                .earliest()
                .map_or_else(|| local.and_utc(), |at| at.with_timezone(&Utc))
        }
    }
}

fn day_start(day: chrono::NaiveDate, zone: Tz) -> DateTime<Utc> {
    at_local(day.and_hms_opt(0, 0, 0).expect("midnight exists"), zone)
}

/// The busy interval of an event's times, if it takes any time.
fn interval_of(times: Times, host_zone: Tz) -> Result<Option<Interval>, String> {
    if times.free {
        return Ok(None);
    }
    let Some(start) = times.start else {
        return Err("calendar: an event without DTSTART".into());
    };
    let (start, end) = match (start, times.end, times.duration) {
        (When::Instant(s), Some(When::Instant(e)), _) => (s, e),
        (When::Day(s), Some(When::Day(e)), _) => (day_start(s, host_zone), day_start(e, host_zone)),
        (When::Instant(s), None, Some(d)) => (s, s + d),
        (When::Day(s), None, Some(d)) => {
            let start = day_start(s, host_zone);
            (start, start + d)
        }
        // RFC 5545 §3.6.1: a DATE start alone lasts one day; a DATE-TIME start alone takes
        // no time.
        (When::Day(s), None, None) => (
            day_start(s, host_zone),
            day_start(s + chrono::Days::new(1), host_zone),
        ),
        (When::Instant(_), None, None) => return Ok(None),
        (When::Instant(s), Some(When::Day(e)), _) => (s, day_start(e, host_zone)),
        (When::Day(s), Some(When::Instant(e)), _) => (day_start(s, host_zone), e),
    };
    if end <= start {
        return Ok(None);
    }
    Interval::new(start, end)
        .map(Some)
        .map_err(|_| "calendar: an unusable event time".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    fn answer(events: &[&str]) -> String {
        let responses: String = events
            .iter()
            .enumerate()
            .map(|(i, event)| {
                let data = format!("BEGIN:VCALENDAR\nVERSION:2.0\n{event}END:VCALENDAR\n")
                    .replace('&', "&amp;")
                    .replace('<', "&lt;");
                format!(
                    r#"<D:response><D:href>/ana/work/{i}.ics</D:href><D:propstat><D:prop><C:calendar-data>{data}</C:calendar-data></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>"#
                )
            })
            .collect();
        format!(
            r#"<?xml version="1.0"?><D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">{responses}</D:multistatus>"#
        )
    }

    #[test]
    fn expanded_instances_all_day_events_and_free_ones_read_as_the_rfc_says() {
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        let body = answer(&[
            // Two expanded instances of one recurring event, in UTC, with a title the server
            // sent although it was not asked for.
            "BEGIN:VEVENT\nDTSTART:20270315T090000Z\nDTEND:20270315T100000Z\nSUMMARY:Board\nEND:VEVENT\nBEGIN:VEVENT\nDTSTART:20270329T080000Z\nDURATION:PT1H\nEND:VEVENT\n",
            // All day on 10 March: the host's whole day in Berlin.
            "BEGIN:VEVENT\nDTSTART;VALUE=DATE:20270310\nDTEND;VALUE=DATE:20270311\nEND:VEVENT\n",
            // A TZID the server kept, and a floating time (the host's).
            "BEGIN:VEVENT\nDTSTART;TZID=America/New_York:20270312T090000\nDTEND;TZID=America/New_York:20270312T093000\nEND:VEVENT\n",
            "BEGIN:VEVENT\nDTSTART:20270313T120000\nDTEND:20270313T123000\nEND:VEVENT\n",
            // Free: transparent, cancelled, and a start without end or duration.
            "BEGIN:VEVENT\nDTSTART:20270314T120000Z\nDTEND:20270314T130000Z\nTRANSP:TRANSPARENT\nEND:VEVENT\n",
            "BEGIN:VEVENT\nDTSTART:20270314T140000Z\nDTEND:20270314T150000Z\nSTATUS:CANCELLED\nEND:VEVENT\n",
            "BEGIN:VEVENT\nDTSTART:20270314T160000Z\nEND:VEVENT\n",
        ]);
        let mut busy: Vec<_> = busy_periods(body.as_bytes(), berlin)
            .unwrap()
            .into_iter()
            .map(|i| (i.start(), i.end()))
            .collect();
        busy.sort();
        assert_eq!(
            busy,
            vec![
                (at(2027, 3, 9, 23, 0), at(2027, 3, 10, 23, 0)),
                // 09:00 in New York is 14:00 UTC until US DST starts on 14 March 2027.
                (at(2027, 3, 12, 14, 0), at(2027, 3, 12, 14, 30)),
                (at(2027, 3, 13, 11, 0), at(2027, 3, 13, 11, 30)),
                (at(2027, 3, 15, 9, 0), at(2027, 3, 15, 10, 0)),
                (at(2027, 3, 29, 8, 0), at(2027, 3, 29, 9, 0)),
            ]
        );
    }

    #[test]
    fn the_request_asks_for_times_only_and_expands_within_the_window() {
        let window = Interval::new(at(2027, 3, 1, 0, 0), at(2027, 4, 1, 0, 0)).unwrap();
        let body = body(window);
        for wanted in ["DTSTART", "DTEND", "DURATION", "TRANSP", "STATUS"] {
            assert!(body.contains(&format!(r#"<c:prop name="{wanted}"/>"#)), "{wanted}");
        }
        for never in ["SUMMARY", "LOCATION", "ATTENDEE", "DESCRIPTION", "allprop"] {
            assert!(!body.contains(never), "{never}");
        }
        assert!(body.contains(r#"<c:expand start="20270301T000000Z" end="20270401T000000Z"/>"#));
    }

    #[test]
    fn a_time_in_the_dst_gap_uses_the_offset_before_it() {
        // 02:30 on 28 March 2027 does not exist in Berlin; RFC 5545 §3.3.5 reads it with the
        // offset before the gap (+01:00): 01:30 UTC.
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        let local = local_date_time("20270328T023000").unwrap();
        assert_eq!(at_local(local, berlin), at(2027, 3, 28, 1, 30));
    }

    #[test]
    fn an_event_without_a_start_is_an_error() {
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        let body = answer(&["BEGIN:VEVENT\nDTEND:20270315T100000Z\nEND:VEVENT\n"]);
        assert!(busy_periods(body.as_bytes(), berlin).is_err());
    }
}
