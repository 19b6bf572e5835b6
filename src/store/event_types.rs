//! Writing a host's event types. Every statement is scoped by the host's id, so one host can
//! never touch another's event type, whatever id a request names.

use super::{EventTypeRow, NumberValue, Param, Store, StoreError};
use crate::core::event_type::{durations_to_stored, EventTypeSettings};
use crate::core::questions::questions_to_json;

/// What a create or save did.
pub enum EventTypeWrite {
    Saved,
    /// The host already has an event type with this slug.
    SlugTaken,
    /// No event type with this id belongs to the host.
    NotFound,
}

/// What a delete did.
pub enum EventTypeDelete {
    Deleted,
    /// It still has confirmed meetings ahead; the host should hide it or cancel them first.
    HasUpcomingBookings(i64),
    NotFound,
}

fn number(value: u32) -> Param<'static> {
    Param::Int(i64::from(value))
}

fn optional(value: Option<u32>) -> Param<'static> {
    value.map(i64::from).into()
}

/// The settings kept as text in D1: the further durations and the questions.
struct StoredLists {
    other_durations: String,
    questions: String,
    message: String,
}

impl StoredLists {
    fn of(settings: &EventTypeSettings) -> Self {
        Self {
            other_durations: durations_to_stored(&settings.other_durations),
            questions: questions_to_json(&settings.questions),
            message: settings.message.to_json(),
        }
    }
}

/// `?1`–`?23` of both event-type writes: id, host, then every setting in column order, then
/// the further durations, the questions and the location's detail, then the later columns.
fn settings_params<'a>(
    id: &'a str,
    host_id: &'a str,
    settings: &'a EventTypeSettings,
    lists: &'a StoredLists,
) -> [Param<'a>; 23] {
    [
        Param::Text(id),
        Param::Text(host_id),
        Param::Text(settings.slug.as_str()),
        Param::Text(&settings.title),
        Param::Text(&settings.description),
        number(settings.duration_minutes),
        optional(settings.interval_minutes),
        number(settings.buffer_before_minutes),
        number(settings.buffer_after_minutes),
        number(settings.minimum_notice_minutes),
        number(settings.booking_window_days),
        optional(settings.max_per_day),
        Param::Text(settings.location.kind().as_str()),
        Param::Text(&lists.other_durations),
        Param::Text(&lists.questions),
        Param::Text(settings.location.detail()),
        optional(settings.max_per_week),
        optional(settings.max_per_month),
        number(settings.change_cutoff_minutes),
        optional(settings.max_minutes_per_day),
        settings
            .lang
            .map_or(Param::Null, |lang| Param::Text(lang.code())),
        Param::Text(&lists.message),
        optional(settings.approval_hours),
    ]
}

impl Store {
    /// One of the host's event types by id.
    pub async fn host_event_type(
        &self,
        host_id: &str,
        id: &str,
    ) -> Result<Option<EventTypeRow>, StoreError> {
        let sql = select_event_types!("WHERE host_id = ?1 AND id = ?2");
        let rows = self
            .all(
                "host_event_type",
                sql,
                &[Param::Text(host_id), Param::Text(id)],
            )
            .await?;
        Ok(EventTypeRow::read_all("host_event_type", &rows)?
            .into_iter()
            .next())
    }

    /// Creates an event type unless the host already uses its slug.
    pub async fn create_event_type(
        &self,
        host_id: &str,
        id: &str,
        settings: &EventTypeSettings,
        hidden: bool,
        now: i64,
    ) -> Result<EventTypeWrite, StoreError> {
        let lists = StoredLists::of(settings);
        let mut params = Vec::from(settings_params(id, host_id, settings, &lists));
        params.extend([Param::Int(i64::from(hidden)), Param::Int(now)]);
        let changed = self
            .execute(
                "create_event_type",
                "INSERT INTO event_types (id, host_id, slug, title, description, duration_minutes, \
                 slot_interval_minutes, buffer_before_minutes, buffer_after_minutes, minimum_notice_minutes, \
                 booking_window_days, max_bookings_per_day, location_kind, other_durations, questions, \
                 location_detail, max_bookings_per_week, max_bookings_per_month, change_cutoff_minutes, \
                 max_booked_minutes_per_day, lang, confirmation_message, approval_hours, hidden, created_at) \
                 SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, \
                 ?19, ?20, ?21, ?22, ?23, ?24, ?25 \
                 WHERE NOT EXISTS (SELECT 1 FROM event_types WHERE host_id = ?2 AND slug = ?3)",
                &params,
            )
            .await?;
        Ok(if changed == 1 {
            EventTypeWrite::Saved
        } else {
            EventTypeWrite::SlugTaken
        })
    }

    /// Saves an event type's settings unless another of the host's types has the slug.
    pub async fn update_event_type(
        &self,
        host_id: &str,
        id: &str,
        settings: &EventTypeSettings,
    ) -> Result<EventTypeWrite, StoreError> {
        let changed = self
            .execute(
                "update_event_type",
                "UPDATE event_types SET slug = ?3, title = ?4, description = ?5, duration_minutes = ?6, \
                 slot_interval_minutes = ?7, buffer_before_minutes = ?8, buffer_after_minutes = ?9, \
                 minimum_notice_minutes = ?10, booking_window_days = ?11, max_bookings_per_day = ?12, \
                 location_kind = ?13, other_durations = ?14, questions = ?15, location_detail = ?16, \
                 max_bookings_per_week = ?17, max_bookings_per_month = ?18, change_cutoff_minutes = ?19, \
                 max_booked_minutes_per_day = ?20, lang = ?21, confirmation_message = ?22, approval_hours = ?23 WHERE id = ?1 AND host_id = ?2 \
                 AND NOT EXISTS (SELECT 1 FROM event_types WHERE host_id = ?2 AND slug = ?3 AND id != ?1)",
                &settings_params(id, host_id, settings, &StoredLists::of(settings)),
            )
            .await?;
        if changed == 1 {
            return Ok(EventTypeWrite::Saved);
        }
        Ok(match self.host_event_type(host_id, id).await? {
            Some(_) => EventTypeWrite::SlugTaken,
            None => EventTypeWrite::NotFound,
        })
    }

    /// Shows or hides an event type on the host's public page; false when it is not theirs.
    pub async fn set_event_type_hidden(
        &self,
        host_id: &str,
        id: &str,
        hidden: bool,
    ) -> Result<bool, StoreError> {
        let changed = self
            .execute(
                "set_event_type_hidden",
                "UPDATE event_types SET hidden = ?3 WHERE id = ?1 AND host_id = ?2",
                &[
                    Param::Text(id),
                    Param::Text(host_id),
                    Param::Int(i64::from(hidden)),
                ],
            )
            .await?;
        Ok(changed == 1)
    }

    /// Deletes an event type (and its past bookings) unless meetings of it are still ahead.
    pub async fn delete_event_type(
        &self,
        host_id: &str,
        id: &str,
        now: i64,
    ) -> Result<EventTypeDelete, StoreError> {
        let upcoming = self
            .first::<NumberValue>(
                "upcoming_bookings_of_event_type",
                "SELECT COUNT(*) AS value FROM bookings WHERE event_type_id = ?1 AND host_id = ?2 \
                 AND status = 'confirmed' AND end_at > ?3",
                &[Param::Text(id), Param::Text(host_id), Param::Int(now)],
            )
            .await?
            .map_or(0, |row| row.value);
        if upcoming > 0 {
            return Ok(EventTypeDelete::HasUpcomingBookings(upcoming));
        }
        let changed = self
            .execute(
                "delete_event_type",
                "DELETE FROM event_types WHERE id = ?1 AND host_id = ?2 AND NOT EXISTS \
                 (SELECT 1 FROM bookings WHERE event_type_id = ?1 AND status = 'confirmed' AND end_at > ?3)",
                &[Param::Text(id), Param::Text(host_id), Param::Int(now)],
            )
            .await?;
        // D1 counts the rows the cascade removed too (the event type's past bookings, its
        // webhook endpoints), so "deleted" is "more than none".
        Ok(if changed > 0 {
            EventTypeDelete::Deleted
        } else {
            EventTypeDelete::NotFound
        })
    }
}

impl Store {
    /// Every event type of a host with all its settings, by title (the JSON API's list).
    pub async fn host_event_types_in_full(
        &self,
        host_id: &str,
    ) -> Result<Vec<EventTypeRow>, StoreError> {
        let sql = select_event_types!("WHERE host_id = ?1 ORDER BY title, slug");
        let rows = self
            .all("host_event_types_in_full", sql, &[Param::Text(host_id)])
            .await?;
        EventTypeRow::read_all("host_event_types_in_full", &rows)
    }
}
