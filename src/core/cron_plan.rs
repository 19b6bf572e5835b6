//! How the minute's cron run shares out its CPU time. On Cloudflare's free plan an invocation
//! gets 10 ms of CPU, and a cron run that made a booking's calendar event and then sent its
//! emails measured 11.8 ms (BENCHMARKS.md, `make cpu`). So on the free plan a run does one kind
//! of provider work: the calendar's on even minutes and the outbound (reminders, webhooks,
//! emails) on odd ones, each taking the other's turn when it has nothing due, so neither can
//! starve the other. In one run (`cron.rs`) the calendar's turn measures 7.8 ms and the emails'
//! 3.3 ms. A paid plan's run (5 minutes of CPU) does everything that is due.

/// The Workers plan the instance runs on (`WORKERS_PLAN`), which sets the CPU a run may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkersPlan {
    /// 10 ms of CPU per invocation: the default, as a new deployment is on it.
    Free,
    /// Minutes of CPU per invocation.
    Paid,
}

impl WorkersPlan {
    /// Reads `WORKERS_PLAN`: unset or empty is `free`; otherwise `free` or `paid`.
    pub fn parse(value: Option<&str>) -> Result<Self, String> {
        match value.map(str::trim).unwrap_or_default() {
            "" | "free" => Ok(Self::Free),
            "paid" => Ok(Self::Paid),
            other => Err(format!("give free or paid, not '{other}'")),
        }
    }

    /// Calendar rows (an event made, moved or removed) one run works on at most: one fits the
    /// free plan's run; more would be cut off mid-way and retried after their lease.
    pub fn calendar_rows_per_run(self) -> i64 {
        match self {
            Self::Free => 1,
            Self::Paid => 10,
        }
    }

    /// Emails (and privacy notices, each) one run sends at most: a booking's two emails cost
    /// a run 3.6 ms (BENCHMARKS.md), so four fit the free plan's run; the paid plan's run takes
    /// a full batch.
    pub fn emails_per_run(self) -> i64 {
        match self {
            Self::Free => 4,
            Self::Paid => 20,
        }
    }

    /// What the run scheduled at `scheduled_ms` (milliseconds since the epoch) does.
    pub fn run_at(self, scheduled_ms: i64) -> CronRun {
        match self {
            Self::Paid => CronRun::Everything,
            Self::Free if scheduled_ms.div_euclid(60_000) % 2 == 0 => CronRun::CalendarFirst,
            Self::Free => CronRun::EmailsFirst,
        }
    }
}

/// The provider work of one minute's run: the calendar's (events and meetings made, moved or
/// removed) and the outbound (reminders queued, webhooks and emails sent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CronRun {
    /// Calendar work, then the outbound.
    Everything,
    /// Calendar work; the outbound only if there was none.
    CalendarFirst,
    /// The outbound; calendar work only if no email was due.
    EmailsFirst,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_setting_reads_free_by_default_and_refuses_anything_else() {
        assert_eq!(WorkersPlan::parse(None), Ok(WorkersPlan::Free));
        assert_eq!(WorkersPlan::parse(Some(" ")), Ok(WorkersPlan::Free));
        assert_eq!(WorkersPlan::parse(Some("paid")), Ok(WorkersPlan::Paid));
        assert!(WorkersPlan::parse(Some("Pro")).unwrap_err().contains("'Pro'"));
    }

    #[test]
    fn free_runs_take_turns_by_minute_and_paid_runs_do_everything() {
        let minute = 60_000;
        // 2026-12-05 04:00:00 UTC is an even minute since the epoch.
        let even = 1_796_443_200_000;
        assert_eq!(WorkersPlan::Free.run_at(even), CronRun::CalendarFirst);
        assert_eq!(WorkersPlan::Free.run_at(even + 59_999), CronRun::CalendarFirst);
        assert_eq!(WorkersPlan::Free.run_at(even + minute), CronRun::EmailsFirst);
        assert_eq!(WorkersPlan::Free.run_at(even + 2 * minute), CronRun::CalendarFirst);
        assert_eq!(WorkersPlan::Free.run_at(-minute), CronRun::EmailsFirst);
        assert_eq!(WorkersPlan::Paid.run_at(even), CronRun::Everything);
        assert_eq!(WorkersPlan::Free.calendar_rows_per_run(), 1);
        assert_eq!(WorkersPlan::Free.emails_per_run(), 4);
        assert_eq!(WorkersPlan::Paid.emails_per_run(), 20);
    }
}
