//! Writes of a host's availability: the weekly hours with the zone they are read in, and
//! date overrides. Each write is one D1 batch (one transaction), so a failure never leaves
//! half a week or an override without its ranges. Every statement is scoped by the host id
//! the caller got from the session.

use super::{Param, Store, StoreError};
use crate::core::host_limits::HostLimits;

/// One range of local minutes on a weekday (0 = Monday) or on an override's date.
#[derive(Debug, Clone, Copy)]
pub struct MinuteRange {
    pub start_minute: i64,
    pub end_minute: i64,
}

impl Store {
    /// Sets the first day of the host's week and their limits across event types.
    pub async fn set_host_limits(
        &self,
        host_id: &str,
        limits: &HostLimits,
    ) -> Result<(), StoreError> {
        let max = |value: Option<u32>| value.map_or(Param::Null, |v| Param::Int(i64::from(v)));
        self.execute(
            "set_host_limits",
            "UPDATE hosts SET week_start = ?2, max_bookings_per_day = ?3, \
             max_bookings_per_week = ?4 WHERE id = ?1",
            &[
                Param::Text(host_id),
                Param::Int(limits.week_start_days()),
                max(limits.max_per_day),
                max(limits.max_per_week),
            ],
        )
        .await?;
        Ok(())
    }

    /// Replaces all of the host's weekly hours and sets the zone they are read in.
    /// `days[0]` is Monday; an empty day is a day off.
    pub async fn replace_weekly_hours(
        &self,
        host_id: &str,
        schedule_time_zone: &str,
        days: &[Vec<MinuteRange>; 7],
    ) -> Result<(), StoreError> {
        let mut statements: Vec<(&'static str, Vec<Param<'_>>)> = vec![
            (
                "UPDATE hosts SET schedule_time_zone = ?2 WHERE id = ?1",
                vec![Param::Text(host_id), Param::Text(schedule_time_zone)],
            ),
            (
                "DELETE FROM weekly_hours WHERE host_id = ?1",
                vec![Param::Text(host_id)],
            ),
        ];
        for (weekday, ranges) in (0_i64..).zip(days.iter()) {
            for range in ranges {
                statements.push((
                    "INSERT INTO weekly_hours (host_id, weekday, start_minute, end_minute) \
                     VALUES (?1, ?2, ?3, ?4)",
                    vec![
                        Param::Text(host_id),
                        Param::Int(weekday),
                        Param::Int(range.start_minute),
                        Param::Int(range.end_minute),
                    ],
                ));
            }
        }
        self.run_batch("replace_weekly_hours", &statements).await
    }

    /// Sets the override of one local date (`YYYY-MM-DD`), replacing any it had; no ranges
    /// make the date a day off.
    pub async fn save_date_override(
        &self,
        host_id: &str,
        local_date: &str,
        ranges: &[MinuteRange],
    ) -> Result<(), StoreError> {
        let mut statements: Vec<(&'static str, Vec<Param<'_>>)> = vec![
            (
                "DELETE FROM date_override_ranges WHERE host_id = ?1 AND local_date = ?2",
                vec![Param::Text(host_id), Param::Text(local_date)],
            ),
            (
                "DELETE FROM date_overrides WHERE host_id = ?1 AND local_date = ?2",
                vec![Param::Text(host_id), Param::Text(local_date)],
            ),
            (
                "INSERT INTO date_overrides (host_id, local_date) VALUES (?1, ?2)",
                vec![Param::Text(host_id), Param::Text(local_date)],
            ),
        ];
        for range in ranges {
            statements.push((
                "INSERT INTO date_override_ranges (host_id, local_date, start_minute, end_minute) \
                 VALUES (?1, ?2, ?3, ?4)",
                vec![
                    Param::Text(host_id),
                    Param::Text(local_date),
                    Param::Int(range.start_minute),
                    Param::Int(range.end_minute),
                ],
            ));
        }
        self.run_batch("save_date_override", &statements).await
    }

    /// Removes the host's override of `local_date`; false when the host had none.
    pub async fn delete_date_override(
        &self,
        host_id: &str,
        local_date: &str,
    ) -> Result<bool, StoreError> {
        let params = [Param::Text(host_id), Param::Text(local_date)];
        let changed = self
            .batch(
                "delete_date_override",
                &[
                    (
                        "DELETE FROM date_override_ranges WHERE host_id = ?1 AND local_date = ?2",
                        &params,
                    ),
                    (
                        "DELETE FROM date_overrides WHERE host_id = ?1 AND local_date = ?2",
                        &params,
                    ),
                ],
            )
            .await?;
        Ok(changed.get(1).is_some_and(|n| *n > 0))
    }
}
