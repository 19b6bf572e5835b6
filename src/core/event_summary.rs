//! One line that says what an event type offers, in plain words: "30 min, every 30 min, at
//! least 1 hour's notice, up to 60 days ahead". The dashboard's event type form shows it as
//! rendered (so it is there without JavaScript); static/assets/event_type.js words it the same
//! way while the host types. Parts that do not read as numbers are left out, not guessed.

use crate::core::event_type::EventTypeInput;

fn number(text: &str) -> Option<u32> {
    text.trim().parse().ok()
}

/// "15 min", "1 hour", "90 min", "2 hours", "1 day".
fn span(minutes: u32) -> String {
    match minutes {
        m if m >= 1440 && m % 1440 == 0 => plural(m / 1440, "day", "days"),
        m if m >= 60 && m % 60 == 0 => plural(m / 60, "hour", "hours"),
        m => format!("{m} min"),
    }
}

fn plural(n: u32, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// "1 hour's notice", "2 hours' notice", "30 min notice".
fn notice(minutes: u32) -> String {
    if minutes == 0 {
        return "no notice needed".to_owned();
    }
    let text = span(minutes);
    let suffix = if text.ends_with(" min") {
        " notice"
    } else if text.ends_with('s') {
        "' notice"
    } else {
        "'s notice"
    };
    format!("at least {text}{suffix}")
}

/// The line for the form as typed.
pub fn summary(input: &EventTypeInput) -> String {
    let mut parts = Vec::new();
    let duration = number(&input.duration_minutes);
    let mut durations: Vec<u32> = duration.into_iter().collect();
    for other in input.other_durations.split([',', ' ']).filter_map(number) {
        if other > 0 && !durations.contains(&other) {
            durations.push(other);
        }
    }
    crate::core::sort::sort_numbers(&mut durations);
    if let Some((last, first)) = durations.split_last() {
        let list = first
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        parts.push(if list.is_empty() {
            format!("{last} min")
        } else {
            format!("{list} or {last} min")
        });
    }
    match (number(&input.interval_minutes), duration) {
        (Some(every), _) if every > 0 => parts.push(format!("every {every} min")),
        (_, Some(d)) if input.interval_minutes.trim().is_empty() && d > 0 => {
            parts.push(format!("every {d} min"))
        }
        _ => {}
    }
    if let Some(minutes) = number(&input.minimum_notice_minutes) {
        parts.push(notice(minutes));
    }
    if let Some(days) = number(&input.booking_window_days) {
        parts.push(format!("up to {} ahead", plural(days, "day", "days")));
    }
    match (
        number(&input.buffer_before_minutes).unwrap_or(0),
        number(&input.buffer_after_minutes).unwrap_or(0),
    ) {
        (0, 0) => {}
        (0, after) => parts.push(format!("{} free after", span(after))),
        (before, 0) => parts.push(format!("{} free before", span(before))),
        (before, after) => parts.push(format!(
            "{} free before and {} after",
            span(before),
            span(after)
        )),
    }
    if let Some(max) = number(&input.max_per_day) {
        parts.push(format!(
            "at most {} a day",
            plural(max, "meeting", "meetings")
        ));
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(duration: &str, interval: &str, notice: &str, window: &str) -> EventTypeInput {
        EventTypeInput {
            duration_minutes: duration.into(),
            interval_minutes: interval.into(),
            minimum_notice_minutes: notice.into(),
            booking_window_days: window.into(),
            buffer_before_minutes: "0".into(),
            buffer_after_minutes: "0".into(),
            ..EventTypeInput::default()
        }
    }

    #[test]
    fn a_new_event_types_defaults_read_as_the_issue_says() {
        assert_eq!(
            summary(&input("30", "", "60", "60")),
            "30 min, every 30 min, at least 1 hour's notice, up to 60 days ahead"
        );
    }

    #[test]
    fn notice_is_worded_in_the_largest_whole_unit() {
        assert_eq!(notice(0), "no notice needed");
        assert_eq!(notice(45), "at least 45 min notice");
        assert_eq!(notice(120), "at least 2 hours' notice");
        assert_eq!(notice(1440), "at least 1 day's notice");
        assert_eq!(notice(90), "at least 90 min notice");
    }

    #[test]
    fn several_durations_buffers_and_a_cap_are_all_said() {
        let mut typed = input("30", "15", "1440", "1");
        typed.other_durations = "60, 15".into();
        typed.buffer_after_minutes = "10".into();
        typed.max_per_day = "1".into();
        assert_eq!(
            summary(&typed),
            "15, 30 or 60 min, every 15 min, at least 1 day's notice, up to 1 day ahead, \
             10 min free after, at most 1 meeting a day"
        );
    }

    #[test]
    fn what_is_not_a_number_is_left_out() {
        assert_eq!(
            summary(&input("half an hour", "", "soon", "60")),
            "up to 60 days ahead"
        );
    }
}
