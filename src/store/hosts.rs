//! Queries about hosts, their event types and their availability.

use super::{EventTypeRow, HostRow, OverrideRangeRow, Param, Store, StoreError, WeeklyHoursRow};

impl Store {
    /// The host whose public link uses `slug`.
    pub async fn host_by_slug(&self, slug: &str) -> Result<Option<HostRow>, StoreError> {
        self.first(
            "host_by_slug",
            "SELECT id, slug, name, email, time_zone, schedule_time_zone FROM hosts WHERE slug = ?1",
            &[Param::Text(slug)],
        )
        .await
    }

    /// The host's event type with `slug`, hidden or not (a hidden type is bookable by its link).
    pub async fn event_type_by_slug(
        &self,
        host_id: &str,
        slug: &str,
    ) -> Result<Option<EventTypeRow>, StoreError> {
        let sql = select_event_types!("WHERE host_id = ?1 AND slug = ?2");
        self.first(
            "event_type_by_slug",
            sql,
            &[Param::Text(host_id), Param::Text(slug)],
        )
        .await
    }

    /// The event types a host lists on their public page, by title.
    pub async fn listed_event_types(&self, host_id: &str) -> Result<Vec<EventTypeRow>, StoreError> {
        let sql = select_event_types!("WHERE host_id = ?1 AND hidden = 0 ORDER BY title, slug");
        self.all("listed_event_types", sql, &[Param::Text(host_id)])
            .await
    }

    /// The host's weekly hours, all weekdays.
    pub async fn weekly_hours(&self, host_id: &str) -> Result<Vec<WeeklyHoursRow>, StoreError> {
        self.all(
            "weekly_hours",
            "SELECT weekday, start_minute, end_minute FROM weekly_hours WHERE host_id = ?1 \
             ORDER BY weekday, start_minute",
            &[Param::Text(host_id)],
        )
        .await
    }

    /// Date overrides between two local dates (inclusive, `YYYY-MM-DD`), one row per range and
    /// one row with NULL minutes for a day off.
    pub async fn date_overrides(
        &self,
        host_id: &str,
        from: &str,
        to: &str,
    ) -> Result<Vec<OverrideRangeRow>, StoreError> {
        self.all(
            "date_overrides",
            "SELECT o.local_date, r.start_minute, r.end_minute FROM date_overrides o \
             LEFT JOIN date_override_ranges r ON r.host_id = o.host_id AND r.local_date = o.local_date \
             WHERE o.host_id = ?1 AND o.local_date BETWEEN ?2 AND ?3 ORDER BY o.local_date, r.start_minute",
            &[Param::Text(host_id), Param::Text(from), Param::Text(to)],
        )
        .await
    }
}
