//! Queries about hosts, their event types and their availability.

use super::bookings::{BusyOrTimeOffRow, BusyRow, BUSY_OVERLAPPING, COUNTED_BOOKINGS};
use super::connections::HOST_CONNECTIONS;
use super::time_off::TimeOffRow;
use super::{
    columns, rows, ConnectionRow, EventTypeRow, HostRow, NumberValue, OverrideRangeRow, Param,
    Store, StoreError, TextValue, WeeklyHoursRow,
};

/// One JSON array a row, in [`HostRow::read_all`]'s order.
const HOST_BY_SLUG: &str =
    "SELECT json_array(id, slug, name, COALESCE(email_sealed, email), time_zone, \
     (SELECT s.time_zone FROM schedules s WHERE s.host_id = hosts.id AND s.is_default = 1), \
     week_start, max_bookings_per_day, max_bookings_per_week) AS value FROM hosts WHERE slug = ?1";
const WEEKLY_HOURS: &str =
    "SELECT json_array(weekday, start_minute, end_minute) AS value FROM weekly_hours \
     WHERE host_id = ?1 AND schedule_id = ?2 ORDER BY weekday, start_minute";
const DATE_OVERRIDES: &str =
    "SELECT json_array(o.local_date, r.start_minute, r.end_minute) AS value FROM date_overrides o \
     LEFT JOIN date_override_ranges r ON r.schedule_id = o.schedule_id \
     AND r.local_date = o.local_date \
     WHERE o.host_id = ?1 AND o.schedule_id = ?2 AND o.local_date BETWEEN ?3 AND ?4 \
     ORDER BY o.local_date, r.start_minute";

/// Which confirmed bookings the weekly and monthly limits count: those starting in
/// `[from, until)` (Unix seconds), of every event type when a limit is `host_wide`, else of
/// `event_type_id` only.
pub struct Counted<'a> {
    pub event_type_id: &'a str,
    pub host_wide: bool,
    pub from: i64,
    pub until: i64,
}

/// Everything the slot engine reads from D1 for one host, read in one round trip.
pub struct AvailabilityRows {
    pub weekly_hours: Vec<WeeklyHoursRow>,
    pub overrides: Vec<OverrideRangeRow>,
    pub bookings: Vec<BusyRow>,
    /// The host's connections, for busy times (and for a new booking's calendar work).
    pub connections: Vec<ConnectionRow>,
    /// The host's time off overlapping the busy span.
    pub time_off: Vec<TimeOffRow>,
    /// With `counted`: the confirmed bookings the weekly and monthly limits count, over whole
    /// weeks and months.
    pub counted: Option<Vec<BusyRow>>,
}

impl Store {
    /// Whether any host exists yet (the first-run page asks, and a failure here means the
    /// schema is missing).
    pub async fn any_host(&self) -> Result<bool, StoreError> {
        let row: Option<NumberValue> = self
            .first(
                "any_host",
                "SELECT EXISTS (SELECT 1 FROM hosts) AS value",
                &[],
            )
            .await?;
        Ok(row.is_some_and(|r| r.value == 1))
    }

    /// The host whose public link uses `slug`.
    pub async fn host_by_slug(&self, slug: &str) -> Result<Option<HostRow>, StoreError> {
        let rows = self
            .all("host_by_slug", HOST_BY_SLUG, &[Param::Text(slug)])
            .await?;
        Ok(HostRow::read_all("host_by_slug", &rows)?.into_iter().next())
    }

    /// The host of a public link `/{host}/{event}` and its event type, if both exist, in one
    /// round trip: `None` when there is no such host, `Some((host, None))` when the host has
    /// no such event type (hidden types included: a hidden type is bookable by its link).
    pub async fn public_event(
        &self,
        host_slug: &str,
        event_slug: &str,
    ) -> Result<Option<(HostRow, Option<EventTypeRow>)>, StoreError> {
        const QUERY: &str = "public_event";
        let event_sql = select_event_types!(
            "WHERE host_id = (SELECT id FROM hosts WHERE slug = ?1) AND slug = ?2"
        );
        let results = self
            .read_batch(
                QUERY,
                &[
                    (HOST_BY_SLUG, &[Param::Text(host_slug)]),
                    (
                        event_sql,
                        &[Param::Text(host_slug), Param::Text(event_slug)],
                    ),
                ],
            )
            .await?;
        let Some(host) = HostRow::read_all(QUERY, &rows(QUERY, &results, 0)?)?
            .into_iter()
            .next()
        else {
            return Ok(None);
        };
        let event = EventTypeRow::read_all(QUERY, &rows(QUERY, &results, 1)?)?
            .into_iter()
            .next();
        Ok(Some((host, event)))
    }

    /// The weekly hours of the host's schedule `schedule_id`, its date overrides between the
    /// two local `dates` (inclusive, `YYYY-MM-DD`), the confirmed bookings overlapping `[busy_from, busy_until)` (Unix
    /// seconds), the connections, the time off overlapping that span and, with `counted`, the
    /// confirmed bookings that start in its span (the host's, or only its event type's), as
    /// one D1 batch (one round trip instead of six).
    pub async fn availability_rows(
        &self,
        host_id: &str,
        schedule_id: &str,
        dates: [&str; 2],
        busy_from: i64,
        busy_until: i64,
        counted: Option<Counted<'_>>,
    ) -> Result<AvailabilityRows, StoreError> {
        const QUERY: &str = "availability_rows";
        let host = [Param::Text(host_id)];
        let schedule = [Param::Text(host_id), Param::Text(schedule_id)];
        let dates = [
            Param::Text(host_id),
            Param::Text(schedule_id),
            Param::Text(dates[0]),
            Param::Text(dates[1]),
        ];
        let busy = [
            Param::Text(host_id),
            Param::Int(busy_from),
            Param::Int(busy_until),
        ];
        let mut statements: Vec<(&'static str, &[Param<'_>])> = vec![
            (WEEKLY_HOURS, &schedule),
            (DATE_OVERRIDES, &dates),
            (BUSY_OVERLAPPING, &busy),
            (HOST_CONNECTIONS, &host),
        ];
        let counted_params = counted.map(|c| {
            [
                Param::Text(host_id),
                Param::Int(i64::from(c.host_wide)),
                Param::Text(c.event_type_id),
                Param::Int(c.from),
                Param::Int(c.until),
            ]
        });
        if let Some(params) = &counted_params {
            statements.push((COUNTED_BOOKINGS, params));
        }
        let results = self.read_batch(QUERY, &statements).await?;
        let mut connections: Vec<ConnectionRow> = rows(QUERY, &results, 3)?;
        self.open_checked_calendars(&mut connections).await?;
        let counted = match counted_params {
            Some(_) => Some(rows(QUERY, &results, 4)?),
            None => None,
        };
        let (bookings, time_off) = BusyOrTimeOffRow::split(rows(QUERY, &results, 2)?);
        Ok(AvailabilityRows {
            weekly_hours: weekly_hours_of(QUERY, &rows(QUERY, &results, 0)?)?,
            overrides: overrides_of(QUERY, &rows(QUERY, &results, 1)?)?,
            bookings,
            connections,
            time_off,
            counted,
        })
    }

    /// The event types a host lists on their public page, by title.
    pub async fn listed_event_types(&self, host_id: &str) -> Result<Vec<EventTypeRow>, StoreError> {
        let sql = select_event_types!("WHERE host_id = ?1 AND hidden = 0 ORDER BY title, slug");
        let rows = self
            .all("listed_event_types", sql, &[Param::Text(host_id)])
            .await?;
        EventTypeRow::read_all("listed_event_types", &rows)
    }

    /// The weekly hours of the host's schedule `schedule_id`, all weekdays.
    pub async fn weekly_hours(
        &self,
        host_id: &str,
        schedule_id: &str,
    ) -> Result<Vec<WeeklyHoursRow>, StoreError> {
        const QUERY: &str = "weekly_hours";
        let params = [Param::Text(host_id), Param::Text(schedule_id)];
        weekly_hours_of(QUERY, &self.all(QUERY, WEEKLY_HOURS, &params).await?)
    }

    /// The schedule's date overrides between two local dates (inclusive, `YYYY-MM-DD`), one
    /// row per range and one row with NULL minutes for a day off.
    pub async fn date_overrides(
        &self,
        host_id: &str,
        schedule_id: &str,
        from: &str,
        to: &str,
    ) -> Result<Vec<OverrideRangeRow>, StoreError> {
        const QUERY: &str = "date_overrides";
        let params = [
            Param::Text(host_id),
            Param::Text(schedule_id),
            Param::Text(from),
            Param::Text(to),
        ];
        overrides_of(QUERY, &self.all(QUERY, DATE_OVERRIDES, &params).await?)
    }
}

/// Weekly hours read by [`WEEKLY_HOURS`] (`json_array(weekday, start_minute, end_minute)`).
fn weekly_hours_of(
    query: &'static str,
    rows: &[TextValue],
) -> Result<Vec<WeeklyHoursRow>, StoreError> {
    columns::rows_of(query, rows)?
        .into_iter()
        .map(|mut row| {
            Ok(WeeklyHoursRow {
                weekday: row.number()?,
                start_minute: row.number()?,
                end_minute: row.number()?,
            })
        })
        .collect()
}

/// Override ranges read by [`DATE_OVERRIDES`] (`json_array(local_date, start_minute,
/// end_minute)`, the minutes NULL for a day off).
fn overrides_of(
    query: &'static str,
    rows: &[TextValue],
) -> Result<Vec<OverrideRangeRow>, StoreError> {
    columns::rows_of(query, rows)?
        .into_iter()
        .map(|mut row| {
            Ok(OverrideRangeRow {
                local_date: row.text()?,
                start_minute: row.optional_number()?,
                end_minute: row.optional_number()?,
            })
        })
        .collect()
}
