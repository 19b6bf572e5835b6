//! A host's named schedules and their availability: the weekly hours with the zone they are
//! read in, and date overrides. Each write is one D1 batch (one transaction), so a failure
//! never leaves half a week or an override without its ranges. Every statement is scoped by
//! the host id the caller got from the session, and by the schedule's id.

use super::accounts::unique_violation;
use super::{columns, Param, Store, StoreError, TextValue};
use crate::core::host_limits::HostLimits;

/// One of a host's named schedules.
#[derive(Debug, Clone)]
pub struct ScheduleRow {
    pub id: String,
    pub name: String,
    /// The zone its weekly hours and overrides are read in.
    pub time_zone: String,
    /// 1 for the host's default schedule (the one event types without a choice follow).
    pub is_default: i64,
    /// How many event types picked this schedule (those following the default not counted).
    pub in_use: i64,
}

/// What a schedule's name change or creation came to.
#[derive(Debug, PartialEq, Eq)]
pub enum ScheduleWrite {
    Saved,
    /// The host already has a schedule of that name (the UNIQUE constraint said so).
    NameTaken,
    /// The host has no such schedule.
    NotFound,
}

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

    /// The host's schedules, the default first, then by name.
    pub async fn schedules(&self, host_id: &str) -> Result<Vec<ScheduleRow>, StoreError> {
        const SQL: &str = concat!(
            "SELECT json_array(s.id, s.name, s.time_zone, s.is_default, ",
            "(SELECT COUNT(*) FROM event_types e WHERE e.schedule_id = s.id)) AS value ",
            "FROM schedules s WHERE s.host_id = ?1 ORDER BY s.is_default DESC, s.name"
        );
        let rows = self.all("schedules", SQL, &[Param::Text(host_id)]).await?;
        schedules_of("schedules", &rows)
    }

    /// The host's schedule `id`, or their default one when `id` is `None`.
    pub async fn schedule(
        &self,
        host_id: &str,
        id: Option<&str>,
    ) -> Result<Option<ScheduleRow>, StoreError> {
        const SQL: &str = concat!(
            "SELECT json_array(s.id, s.name, s.time_zone, s.is_default, ",
            "(SELECT COUNT(*) FROM event_types e WHERE e.schedule_id = s.id)) AS value ",
            "FROM schedules s WHERE s.host_id = ?1 ",
            "AND (s.id = ?2 OR (?2 IS NULL AND s.is_default = 1))"
        );
        let rows = self
            .all("schedule", SQL, &[Param::Text(host_id), id.into()])
            .await?;
        Ok(schedules_of("schedule", &rows)?.into_iter().next())
    }

    /// Adds a schedule without hours (every day off until the host sets some), not the default.
    pub async fn create_schedule(
        &self,
        host_id: &str,
        id: &str,
        name: &str,
        time_zone: &str,
        now: i64,
    ) -> Result<ScheduleWrite, StoreError> {
        let written = self
            .execute(
                "create_schedule",
                "INSERT INTO schedules (id, host_id, name, time_zone, is_default, created_at) \
                 VALUES (?1, ?2, ?3, ?4, 0, ?5)",
                &[
                    Param::Text(id),
                    Param::Text(host_id),
                    Param::Text(name),
                    Param::Text(time_zone),
                    Param::Int(now),
                ],
            )
            .await;
        schedule_write(written)
    }

    /// Renames the host's schedule `id`.
    pub async fn rename_schedule(
        &self,
        host_id: &str,
        id: &str,
        name: &str,
    ) -> Result<ScheduleWrite, StoreError> {
        let written = self
            .execute(
                "rename_schedule",
                "UPDATE schedules SET name = ?3 WHERE host_id = ?1 AND id = ?2",
                &[Param::Text(host_id), Param::Text(id), Param::Text(name)],
            )
            .await;
        schedule_write(written)
    }

    /// Makes the host's schedule `id` their default in one batch (the partial UNIQUE index
    /// allows one default a host); false when the host has no such schedule.
    pub async fn make_default_schedule(&self, host_id: &str, id: &str) -> Result<bool, StoreError> {
        let params = [Param::Text(host_id), Param::Text(id)];
        let changed = self
            .batch(
                "make_default_schedule",
                &[
                    (
                        "UPDATE schedules SET is_default = 0 WHERE host_id = ?1 AND is_default = 1 \
                         AND id != ?2 AND EXISTS \
                         (SELECT 1 FROM schedules WHERE host_id = ?1 AND id = ?2)",
                        &params,
                    ),
                    (
                        "UPDATE schedules SET is_default = 1 WHERE host_id = ?1 AND id = ?2",
                        &params,
                    ),
                ],
            )
            .await?;
        Ok(changed.get(1).is_some_and(|n| *n > 0))
    }

    /// Deletes the host's schedule `id` (its hours and overrides with it) unless it is the
    /// default or an event type uses it, checked in the statement itself; false when nothing
    /// was deleted.
    pub async fn delete_schedule(&self, host_id: &str, id: &str) -> Result<bool, StoreError> {
        let changed = self
            .execute(
                "delete_schedule",
                "DELETE FROM schedules WHERE host_id = ?1 AND id = ?2 AND is_default = 0 \
                 AND NOT EXISTS (SELECT 1 FROM event_types WHERE schedule_id = ?2)",
                &[Param::Text(host_id), Param::Text(id)],
            )
            .await?;
        Ok(changed > 0)
    }

    /// Has the host's event type `event_type_id` follow the host's schedule `schedule_id`, or
    /// the default one (`None`); false when either is not the host's.
    pub async fn set_event_type_schedule(
        &self,
        host_id: &str,
        event_type_id: &str,
        schedule_id: Option<&str>,
    ) -> Result<bool, StoreError> {
        let changed = self
            .execute(
                "set_event_type_schedule",
                "UPDATE event_types SET schedule_id = ?3 WHERE host_id = ?1 AND id = ?2 \
                 AND (?3 IS NULL OR EXISTS (SELECT 1 FROM schedules WHERE host_id = ?1 AND id = ?3))",
                &[
                    Param::Text(host_id),
                    Param::Text(event_type_id),
                    schedule_id.into(),
                ],
            )
            .await?;
        Ok(changed > 0)
    }

    /// Replaces all of a schedule's weekly hours and sets the zone they are read in.
    /// `days[0]` is Monday; an empty day is a day off.
    pub async fn replace_weekly_hours(
        &self,
        host_id: &str,
        schedule_id: &str,
        schedule_time_zone: &str,
        days: &[Vec<MinuteRange>; 7],
    ) -> Result<(), StoreError> {
        let mut statements: Vec<(&'static str, Vec<Param<'_>>)> = vec![
            (
                "UPDATE schedules SET time_zone = ?3 WHERE host_id = ?1 AND id = ?2",
                vec![
                    Param::Text(host_id),
                    Param::Text(schedule_id),
                    Param::Text(schedule_time_zone),
                ],
            ),
            (
                "DELETE FROM weekly_hours WHERE host_id = ?1 AND schedule_id = ?2",
                vec![Param::Text(host_id), Param::Text(schedule_id)],
            ),
        ];
        for (weekday, ranges) in (0_i64..).zip(days.iter()) {
            for range in ranges {
                statements.push((
                    "INSERT INTO weekly_hours (host_id, schedule_id, weekday, start_minute, \
                     end_minute) VALUES (?1, ?2, ?3, ?4, ?5)",
                    vec![
                        Param::Text(host_id),
                        Param::Text(schedule_id),
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
        schedule_id: &str,
        local_date: &str,
        ranges: &[MinuteRange],
    ) -> Result<(), StoreError> {
        let key = || {
            vec![
                Param::Text(host_id),
                Param::Text(schedule_id),
                Param::Text(local_date),
            ]
        };
        let mut statements: Vec<(&'static str, Vec<Param<'_>>)> = vec![
            (
                "DELETE FROM date_overrides WHERE host_id = ?1 AND schedule_id = ?2 \
                 AND local_date = ?3",
                key(),
            ),
            (
                "INSERT INTO date_overrides (host_id, schedule_id, local_date) VALUES (?1, ?2, ?3)",
                key(),
            ),
        ];
        for range in ranges {
            statements.push((
                "INSERT INTO date_override_ranges (host_id, schedule_id, local_date, \
                 start_minute, end_minute) VALUES (?1, ?2, ?3, ?4, ?5)",
                vec![
                    Param::Text(host_id),
                    Param::Text(schedule_id),
                    Param::Text(local_date),
                    Param::Int(range.start_minute),
                    Param::Int(range.end_minute),
                ],
            ));
        }
        self.run_batch("save_date_override", &statements).await
    }

    /// Removes the schedule's override of `local_date` (its ranges go with it, by the foreign
    /// key's cascade); false when it had none.
    pub async fn delete_date_override(
        &self,
        host_id: &str,
        schedule_id: &str,
        local_date: &str,
    ) -> Result<bool, StoreError> {
        let changed = self
            .execute(
                "delete_date_override",
                "DELETE FROM date_overrides WHERE host_id = ?1 AND schedule_id = ?2 \
                 AND local_date = ?3",
                &[
                    Param::Text(host_id),
                    Param::Text(schedule_id),
                    Param::Text(local_date),
                ],
            )
            .await?;
        Ok(changed > 0)
    }
}

fn schedule_write(written: Result<usize, StoreError>) -> Result<ScheduleWrite, StoreError> {
    match written {
        Ok(0) => Ok(ScheduleWrite::NotFound),
        Ok(_) => Ok(ScheduleWrite::Saved),
        Err(error) if unique_violation(&error, "schedules.name") => Ok(ScheduleWrite::NameTaken),
        Err(error) => Err(error),
    }
}

/// Schedules read as `json_array(id, name, time_zone, is_default, in_use)`.
fn schedules_of(query: &'static str, rows: &[TextValue]) -> Result<Vec<ScheduleRow>, StoreError> {
    columns::rows_of(query, rows)?
        .into_iter()
        .map(|mut row| {
            Ok(ScheduleRow {
                id: row.text()?,
                name: row.text()?,
                time_zone: row.text()?,
                is_default: row.number()?,
                in_use: row.number()?,
            })
        })
        .collect()
}
