//! The rules of a booking's later life: when its reminder is due, and how a reschedule or a
//! cancellation numbers its calendar update.
//!
//! A booking keeps one calendar UID for its whole chain of reschedules; every change is sent
//! with a higher SEQUENCE (RFC 5545 §3.8.7.4), so calendars replace the entry instead of
//! adding a second one. Pure: `now` is always a parameter.

use chrono::{DateTime, Duration, Utc};

/// The default of `REMINDER_MINUTES_BEFORE`: a day ahead.
pub const DEFAULT_REMINDER_MINUTES: i64 = 1440;

/// The longest lead a reminder may have: thirty days (a booking window is at most a year, but
/// a reminder weeks ahead reminds nobody).
pub const MAX_REMINDER_MINUTES: i64 = 30 * 1440;

/// How long before a meeting its reminder goes out; `None` when reminders are off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReminderLead(Option<Duration>);

impl ReminderLead {
    /// Reads `REMINDER_MINUTES_BEFORE`: unset or empty means the default (1440), `0` turns
    /// reminders off, anything else must be whole minutes up to [`MAX_REMINDER_MINUTES`].
    pub fn parse(value: Option<&str>) -> Result<Self, String> {
        let text = value.map(str::trim).unwrap_or_default();
        if text.is_empty() {
            return Ok(Self(Some(Duration::minutes(DEFAULT_REMINDER_MINUTES))));
        }
        let minutes: i64 = text.parse().map_err(|_| {
            format!("give whole minutes (0 to {MAX_REMINDER_MINUTES}), not '{text}'")
        })?;
        match minutes {
            0 => Ok(Self(None)),
            1..=MAX_REMINDER_MINUTES => Ok(Self(Some(Duration::minutes(minutes)))),
            _ => Err(format!(
                "give whole minutes (0 to {MAX_REMINDER_MINUTES}), not {minutes}"
            )),
        }
    }

    /// The lead, or `None` when reminders are off.
    pub fn lead(self) -> Option<Duration> {
        self.0
    }
}

/// When the reminder of a meeting starting at `start`, booked at `booked_at`, is due; `None`
/// when it gets none. A booking made inside the reminder window (less than `lead` before its
/// start) gets no reminder: its confirmation went out moments ago and says the same.
pub fn reminder_due_at(
    start: DateTime<Utc>,
    booked_at: DateTime<Utc>,
    lead: Duration,
) -> Option<DateTime<Utc>> {
    let due = start - lead;
    (booked_at <= due).then_some(due)
}

/// Whether the reminder should be sent at `now`: it is due, and the meeting has not started.
/// A cron run that was missed for a while still sends it late, up to the start.
pub fn reminder_is_due(
    start: DateTime<Utc>,
    booked_at: DateTime<Utc>,
    lead: Duration,
    now: DateTime<Utc>,
) -> bool {
    reminder_due_at(start, booked_at, lead).is_some_and(|due| due <= now) && now < start
}

/// The SEQUENCE of the next calendar update of a booking whose last one carried `current`.
pub fn next_sequence(current: u32) -> u32 {
    current.saturating_add(1)
}

/// Whether an invitee may still cancel or move a booking from its manage link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeWindow {
    Open,
    /// Within the event type's cut-off before the start: only the host can change it now.
    CutOff,
    /// The meeting has started (or ended).
    Started,
}

impl ChangeWindow {
    /// The window at `now` for a booking starting at `start` whose event type closes changes
    /// `cutoff_minutes` before the start. The booking statements apply the same rule in SQL
    /// (`store::bookings`), so a request that passed this check can still be refused there.
    pub fn at(start: DateTime<Utc>, now: DateTime<Utc>, cutoff_minutes: i64) -> Self {
        if start <= now {
            Self::Started
        } else if start - Duration::minutes(cutoff_minutes.max(0)) <= now {
            Self::CutOff
        } else {
            Self::Open
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(hour: u32, minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 25, hour, minute, 0).unwrap()
    }

    #[test]
    fn the_variable_defaults_to_a_day_and_zero_turns_reminders_off() {
        let day = Some(Duration::minutes(1440));
        assert_eq!(ReminderLead::parse(None).unwrap().lead(), day);
        assert_eq!(ReminderLead::parse(Some(" ")).unwrap().lead(), day);
        assert_eq!(ReminderLead::parse(Some("0")).unwrap().lead(), None);
        assert_eq!(
            ReminderLead::parse(Some(" 90 ")).unwrap().lead(),
            Some(Duration::minutes(90))
        );
        for bad in ["-5", "1.5", "soon", "43201"] {
            let error = ReminderLead::parse(Some(bad)).unwrap_err();
            assert!(error.contains("whole minutes"), "{bad}: {error}");
        }
    }

    #[test]
    fn a_reminder_is_due_lead_minutes_before_the_start_until_the_start() {
        let start = at(15, 0);
        let lead = Duration::minutes(60);
        let booked = at(8, 0);
        assert_eq!(reminder_due_at(start, booked, lead), Some(at(14, 0)));
        assert!(!reminder_is_due(start, booked, lead, at(13, 59)));
        assert!(reminder_is_due(start, booked, lead, at(14, 0)));
        assert!(reminder_is_due(start, booked, lead, at(14, 59)));
        assert!(!reminder_is_due(start, booked, lead, at(15, 0)));
        assert!(!reminder_is_due(start, booked, lead, at(16, 0)));
    }

    #[test]
    fn a_booking_made_inside_the_window_gets_no_reminder() {
        let start = at(15, 0);
        let lead = Duration::minutes(60);
        assert_eq!(reminder_due_at(start, at(14, 30), lead), None);
        assert!(!reminder_is_due(start, at(14, 30), lead, at(14, 45)));
        // Booked exactly at the due time: still reminded.
        assert!(reminder_is_due(start, at(14, 0), lead, at(14, 0)));
    }

    #[test]
    fn each_change_bumps_the_sequence_and_never_wraps() {
        assert_eq!(next_sequence(0), 1);
        assert_eq!(next_sequence(1), 2);
        assert_eq!(next_sequence(u32::MAX), u32::MAX);
    }

    #[test]
    fn changes_close_at_the_cut_off_and_at_the_start() {
        let start = Utc.with_ymd_and_hms(2027, 3, 10, 9, 0, 0).unwrap();
        let day = 1440;
        let at = |now: DateTime<Utc>, cutoff| ChangeWindow::at(start, now, cutoff);
        assert_eq!(at(start - Duration::minutes(day + 1), day), ChangeWindow::Open);
        assert_eq!(at(start - Duration::minutes(day), day), ChangeWindow::CutOff);
        assert_eq!(at(start - Duration::seconds(1), day), ChangeWindow::CutOff);
        assert_eq!(at(start, day), ChangeWindow::Started);
        assert_eq!(at(start - Duration::seconds(1), 0), ChangeWindow::Open);
        assert_eq!(at(start + Duration::hours(1), 0), ChangeWindow::Started);
    }
}
