//! iCalendar content lines (RFC 5545 §3.1) as the CalDAV answers carry them, and the few
//! value types read from them: UTC date-times, dates and durations. Only what the busy-time
//! readers need; every property they do not ask for is skipped unread.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};

/// Content lines with folding undone (RFC 5545 §3.1: a line break followed by one space or
/// tab continues the line). Servers send CRLF as the RFC says, or bare LF (Radicale).
pub fn unfolded(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for raw in text.split('\n') {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        match raw.strip_prefix([' ', '\t']) {
            Some(rest) if !lines.is_empty() => lines.last_mut().expect("not empty").push_str(rest),
            _ if raw.is_empty() => {}
            _ => lines.push(raw.to_owned()),
        }
    }
    lines
}

/// A content line's parts: its upper-case name, its parameters and its value.
pub type ContentLine<'a> = (String, Vec<(String, String)>, &'a str);

/// A content line as its parts. Parameter values may be quoted and then hold `:` and `;`
/// (RFC 5545 §3.1, `quoted-string`).
pub fn split_line(line: &str) -> Result<ContentLine<'_>, String> {
    let mut quoted = false;
    let mut value_at = None;
    for (i, c) in line.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ':' if !quoted => {
                value_at = Some(i);
                break;
            }
            _ => {}
        }
    }
    let at = value_at.ok_or_else(|| "calendar: a line without a value".to_owned())?;
    let (head, value) = (&line[..at], &line[at + 1..]);
    let mut parts = head.split(';');
    let name = parts.next().unwrap_or_default().trim().to_ascii_uppercase();
    let params = parts
        .filter_map(|part| {
            let (key, val) = part.split_once('=')?;
            Some((key.trim().to_owned(), val.trim().trim_matches('"').to_owned()))
        })
        .collect();
    Ok((name, params, value))
}

/// A UTC date-time in the basic format `YYYYMMDDTHHMMSSZ` (RFC 5545 §3.3.5, form #2).
pub fn utc(text: &str) -> Result<DateTime<Utc>, String> {
    let local = text
        .strip_suffix('Z')
        .ok_or_else(|| "calendar: a time not in UTC".to_owned())?;
    crate::core::display::parse_layout(local, crate::core::display::layouts::BASIC_DATE_TIME)
        .and_then(|parsed| parsed.to_naive_datetime_with_offset(0))
        .map(|naive| naive.and_utc())
        .map_err(|_| "calendar: an unreadable time".to_owned())
}

/// A positive duration (RFC 5545 §3.3.6): `P[n]W`, or `P[nD][T[nH][nM][nS]]`.
pub fn duration(text: &str) -> Result<Duration, String> {
    let bad = || "calendar: an unreadable duration".to_owned();
    let body = text
        .strip_prefix('+')
        .unwrap_or(text)
        .strip_prefix('P')
        .ok_or_else(bad)?;
    if let Some(weeks) = body.strip_suffix('W') {
        return weeks.parse::<i64>().map(Duration::weeks).map_err(|_| bad());
    }
    let (date, time) = match body.split_once('T') {
        Some((date, time)) => (date, Some(time)),
        None => (body, None),
    };
    let mut total = Duration::zero();
    if !date.is_empty() {
        let days = date.strip_suffix('D').ok_or_else(bad)?;
        total += Duration::days(days.parse().map_err(|_| bad())?);
    }
    if let Some(time) = time {
        if time.is_empty() {
            return Err(bad());
        }
        let mut number = String::new();
        for c in time.chars() {
            if c.is_ascii_digit() {
                number.push(c);
                continue;
            }
            let n: i64 = number.parse().map_err(|_| bad())?;
            number.clear();
            total += match c {
                'H' => Duration::hours(n),
                'M' => Duration::minutes(n),
                'S' => Duration::seconds(n),
                _ => return Err(bad()),
            };
        }
        if !number.is_empty() {
            return Err(bad());
        }
    }
    if date.is_empty() && time.is_none() {
        return Err(bad());
    }
    Ok(total)
}

/// A DATE value (`YYYYMMDD`, RFC 5545 §3.3.4).
pub fn date(text: &str) -> Result<NaiveDate, String> {
    crate::core::display::parse_layout(text, crate::core::display::layouts::BASIC_DATE)
        .and_then(|parsed| parsed.to_naive_date())
        .map_err(|_| "calendar: an unreadable date".to_owned())
}

/// A local DATE-TIME without zone (`YYYYMMDDTHHMMSS`, RFC 5545 §3.3.5 forms #1 and #3).
pub fn local_date_time(text: &str) -> Result<NaiveDateTime, String> {
    crate::core::display::parse_layout(text, crate::core::display::layouts::BASIC_DATE_TIME)
        .and_then(|parsed| parsed.to_naive_datetime_with_offset(0))
        .map_err(|_| "calendar: an unreadable time".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_follow_rfc_5545() {
        assert_eq!(duration("PT1H").unwrap(), Duration::hours(1));
        assert_eq!(duration("P2W").unwrap(), Duration::weeks(2));
        assert_eq!(duration("P1DT2H30M15S").unwrap(), Duration::seconds(95_415));
        assert_eq!(duration("+PT90M").unwrap(), Duration::minutes(90));
        for bad in ["P", "PT", "1H", "PT1", "P1H", "PTxH"] {
            assert!(duration(bad).is_err(), "{bad}");
        }
    }
}
