//! The answer of a CalDAV `free-busy-query` (RFC 4791 §7.10): one `VFREEBUSY` component whose
//! `FREEBUSY` properties (RFC 5545 §3.8.2.6) list busy periods, in UTC as §7.10 requires.
//! Only those periods are read; every other line is skipped unread (a server may add
//! `ORGANIZER`, `COMMENT` and the like, and nothing else is needed).

use super::lines::{duration, split_line, unfolded, utc};

use crate::core::availability::Interval;

/// The busy periods of a `text/calendar` free/busy answer, merged by the caller as it likes.
/// `FBTYPE=FREE` periods are left out; every other type, including ones this code does not
/// know, counts as busy (RFC 5545 §3.2.9: unknown values "the same way as BUSY").
pub fn busy_periods(body: &[u8]) -> Result<Vec<Interval>, String> {
    let text = std::str::from_utf8(body).map_err(|_| "free/busy: not UTF-8".to_owned())?;
    let mut inside = false;
    let mut seen_component = false;
    let mut busy = Vec::new();
    for line in unfolded(text) {
        let (name, params, value) = split_line(&line)?;
        match (name.as_str(), value) {
            ("BEGIN", v) if v.eq_ignore_ascii_case("VFREEBUSY") => {
                inside = true;
                seen_component = true;
            }
            ("END", v) if v.eq_ignore_ascii_case("VFREEBUSY") => inside = false,
            ("FREEBUSY", value) if inside => {
                let free = params.iter().any(|(key, val)| {
                    key.eq_ignore_ascii_case("FBTYPE") && val.eq_ignore_ascii_case("FREE")
                });
                if free {
                    continue;
                }
                for period in value.split(',').filter(|p| !p.trim().is_empty()) {
                    busy.push(period_of(period.trim())?);
                }
            }
            _ => {}
        }
    }
    if !seen_component {
        return Err("free/busy: no VFREEBUSY component".into());
    }
    Ok(busy)
}

/// `start/end` or `start/duration` (RFC 5545 §3.3.9), both in UTC.
fn period_of(period: &str) -> Result<Interval, String> {
    let (start, rest) = period
        .split_once('/')
        .ok_or_else(|| "free/busy: a period without '/'".to_owned())?;
    let start = utc(start)?;
    let end = if rest.starts_with(['P', '+']) {
        start + duration(rest)?
    } else {
        utc(rest)?
    };
    Interval::new(start, end).map_err(|_| "free/busy: a period that ends before it starts".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, TimeZone, Utc};

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    #[test]
    fn the_rfc_4791_example_reads_as_its_busy_periods() {
        // RFC 4791 §7.10.1's answer (folded as servers send it), with a FREE period added.
        let body = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Example Corp.//CalDAV Server//EN\r\n\
BEGIN:VFREEBUSY\r\nDTSTAMP:20050125T090000Z\r\nDTSTART:20060104T140000Z\r\nDTEND:20060105T220000Z\r\n\
FREEBUSY;FBTYPE=BUSY-TENTATIVE:20060104T150000Z/PT1H\r\n\
FREEBUSY:20060104T190000Z/PT1H\r\nFREEBUSY;FBTYPE=BUSY-UNAVAILABLE:20060105T17000\r\n 0Z/20060105T180000Z\r\n\
FREEBUSY;FBTYPE=FREE:20060105T090000Z/PT8H\r\nEND:VFREEBUSY\r\nEND:VCALENDAR\r\n";
        let busy = busy_periods(body.as_bytes()).unwrap();
        let spans: Vec<_> = busy.iter().map(|i| (i.start(), i.end())).collect();
        assert_eq!(
            spans,
            vec![
                (at(2006, 1, 4, 15, 0), at(2006, 1, 4, 16, 0)),
                (at(2006, 1, 4, 19, 0), at(2006, 1, 4, 20, 0)),
                (at(2006, 1, 5, 17, 0), at(2006, 1, 5, 18, 0)),
            ]
        );
    }

    #[test]
    fn several_periods_on_one_line_unknown_types_and_bare_line_feeds() {
        let body = "BEGIN:VCALENDAR\nBEGIN:VFREEBUSY\n\
FREEBUSY;FBTYPE=X-OUT-OF-OFFICE:20261207T090000Z/20261207T100000Z,20261208T090000Z/P1DT2H\n\
COMMENT;ALTREP=\"cid:x:y\":not read\nEND:VFREEBUSY\nEND:VCALENDAR\n";
        let busy = busy_periods(body.as_bytes()).unwrap();
        assert_eq!(busy.len(), 2);
        assert_eq!(busy[1].end(), at(2026, 12, 9, 11, 0));
    }

    #[test]
    fn an_empty_answer_is_no_busy_time_and_a_non_answer_is_an_error() {
        let empty = "BEGIN:VCALENDAR\r\nBEGIN:VFREEBUSY\r\nEND:VFREEBUSY\r\nEND:VCALENDAR\r\n";
        assert!(busy_periods(empty.as_bytes()).unwrap().is_empty());
        for bad in [
            "<html>login</html>",
            "BEGIN:VFREEBUSY\nFREEBUSY:20261207T090000/20261207T100000Z\nEND:VFREEBUSY",
            "BEGIN:VFREEBUSY\nFREEBUSY:20261207T100000Z/20261207T090000Z\nEND:VFREEBUSY",
            "BEGIN:VFREEBUSY\nFREEBUSY:20261207T100000Z/PT\nEND:VFREEBUSY",
            "BEGIN:VFREEBUSY\nFREEBUSY:20261207T100000Z/-PT1H\nEND:VFREEBUSY",
        ] {
            let error = busy_periods(bad.as_bytes()).unwrap_err();
            assert!(error.starts_with("free/busy:") || error.starts_with("calendar:"), "{error}");
        }
    }

}
