//! Row shapes as D1 returns them (column names match the schema in migrations/).

use serde::Deserialize;

use super::{columns, StoreError};
use crate::core::event_type::LocationKind;
use crate::core::host_message::HostMessage;
use crate::i18n::Lang;

/// A host: the person whose calendar is booked.
#[derive(Debug, Clone)]
pub struct HostRow {
    pub id: String,
    pub slug: String,
    pub name: String,
    /// Where the host's booking notifications go, sealed ([`Store::open_host_email`]).
    ///
    /// [`Store::open_host_email`]: super::Store::open_host_email
    pub email: super::StoredHostEmail,
    pub time_zone: String,
    /// The zone of the host's default schedule (0030: it was a column of `hosts` before).
    pub schedule_time_zone: String,
    /// The first day of the host's week for weekly caps: 0 = Monday … 6 = Sunday.
    pub week_start: i64,
    /// At most this many bookings of every event type a day, and a week (0024).
    pub max_bookings_per_day: Option<i64>,
    pub max_bookings_per_week: Option<i64>,
}

impl HostRow {
    /// The hosts `rows` hold, each a JSON array in the order of `hosts.rs`'s `HOST_BY_SLUG`.
    pub(super) fn read_all(
        query: &'static str,
        rows: &[TextValue],
    ) -> Result<Vec<Self>, StoreError> {
        columns::rows_of(query, rows)?
            .into_iter()
            .map(|mut c| {
                Ok(Self {
                    id: c.text()?,
                    slug: c.text()?,
                    name: c.text()?,
                    email: super::StoredHostEmail::from_column(c.text()?),
                    time_zone: c.text()?,
                    schedule_time_zone: c.text()?,
                    week_start: c.number()?,
                    max_bookings_per_day: c.optional_number()?,
                    max_bookings_per_week: c.optional_number()?,
                })
            })
            .collect()
    }
}

/// One bookable kind of meeting of a host.
#[derive(Debug, Clone)]
pub struct EventTypeRow {
    pub id: String,
    pub slug: String,
    pub title: String,
    pub description: String,
    pub duration_minutes: i64,
    pub slot_interval_minutes: Option<i64>,
    pub buffer_before_minutes: i64,
    pub buffer_after_minutes: i64,
    pub minimum_notice_minutes: i64,
    pub booking_window_days: i64,
    pub max_bookings_per_day: Option<i64>,
    pub max_bookings_per_week: Option<i64>,
    pub max_bookings_per_month: Option<i64>,
    pub location_kind: LocationKind,
    /// The number, address or link of a phone, in-person or custom-link meeting (0010).
    pub location_detail: String,
    /// 1 when the type is left off the host's public page (its link still works).
    pub hidden: i64,
    /// Durations offered besides `duration_minutes`, e.g. `15,60` (see migration 0008).
    pub other_durations: String,
    /// The host's questions to invitees, a JSON array (`core::questions`).
    pub questions: String,
    /// Minutes before the start after which invitees cannot change a booking (0023).
    pub change_cutoff_minutes: i64,
    /// At most this many minutes of the type's meetings a day (0024).
    pub max_booked_minutes_per_day: Option<i64>,
    /// The language the type's page and emails are fixed to; `None`: the browser's (0025).
    pub lang: Option<Lang>,
    /// The host's paragraph for the invitee's confirmation email (0026).
    pub confirmation_message: HostMessage,
    /// Hours the host has to answer a request; `None`: bookings are confirmed at once (0029).
    pub approval_hours: Option<i64>,
    /// The schedule the host picked for the type; `None`: their default one (0030).
    pub schedule_id: Option<String>,
    /// `"{id} {zone}"` of the schedule the type follows (its own or the default), read with
    /// the type so the slot engine knows the zone before it reads the hours.
    followed_schedule: Option<String>,
}

impl EventTypeRow {
    /// The event types `rows` of `select_event_types!` hold, each a JSON array in its order.
    pub(super) fn read_all(
        query: &'static str,
        rows: &[TextValue],
    ) -> Result<Vec<Self>, StoreError> {
        let fail = |e: String| super::failed(query, e);
        columns::rows_of(query, rows)?
            .into_iter()
            .map(|mut c| {
                Ok(Self {
                    id: c.text()?,
                    slug: c.text()?,
                    title: c.text()?,
                    description: c.text()?,
                    duration_minutes: c.number()?,
                    slot_interval_minutes: c.optional_number()?,
                    buffer_before_minutes: c.number()?,
                    buffer_after_minutes: c.number()?,
                    minimum_notice_minutes: c.number()?,
                    booking_window_days: c.number()?,
                    max_bookings_per_day: c.optional_number()?,
                    max_bookings_per_week: c.optional_number()?,
                    max_bookings_per_month: c.optional_number()?,
                    location_kind: LocationKind::try_from(c.text()?).map_err(fail)?,
                    location_detail: c.text()?,
                    hidden: c.number()?,
                    other_durations: c.text()?,
                    questions: c.text()?,
                    change_cutoff_minutes: c.number()?,
                    max_booked_minutes_per_day: c.optional_number()?,
                    lang: match c.optional_text()? {
                        Some(code) => Some(Lang::try_from(code).map_err(fail)?),
                        None => None,
                    },
                    confirmation_message: HostMessage::try_from(c.text()?).map_err(fail)?,
                    approval_hours: c.optional_number()?,
                    schedule_id: c.optional_text()?,
                    followed_schedule: c.optional_text()?,
                })
            })
            .collect()
    }

    /// The id and zone of the schedule the type follows (its own or the host's default);
    /// `None` only for a host without schedules, which sign-up and migration 0030 never leave.
    pub fn followed_schedule(&self) -> Option<(&str, &str)> {
        self.followed_schedule.as_deref()?.split_once(' ')
    }
}

/// One range of a host's weekly hours.
#[derive(Debug, Clone)]
pub struct WeeklyHoursRow {
    pub weekday: i64,
    pub start_minute: i64,
    pub end_minute: i64,
}

/// One date override, with its range if it has any (a day off has none).
#[derive(Debug, Clone)]
pub struct OverrideRangeRow {
    pub local_date: String,
    pub start_minute: Option<i64>,
    pub end_minute: Option<i64>,
}

/// The identity of a stored booking: enough to recognise a retried request.
#[derive(Debug, Clone, Deserialize)]
pub struct BookingRow {
    pub id: String,
    pub event_type_id: String,
    pub start_at: i64,
    /// With the start, the duration the invitee picked: a retry must ask for the same one.
    pub end_at: i64,
    /// Plaintext only in a row written before sealing (`sealed_invitee.rs`); blank since.
    invitee_email: String,
    /// The blind index of the invitee's address (`None` before sealing).
    invitee_email_index: Option<String>,
    /// While it is a request waiting for the host: when its hold ends (migration 0029).
    pub awaiting_approval_until: Option<i64>,
}

impl BookingRow {
    /// Whether the invitee of this booking has the address whose blind index is `index`
    /// (`address` itself: a row written before sealing).
    pub(super) fn same_invitee(&self, index: &str, address: &str) -> bool {
        match &self.invitee_email_index {
            Some(stored) => stored == index,
            None => !self.invitee_email.is_empty() && self.invitee_email == address,
        }
    }
}

/// A read of one text column, named `value` in the SQL (`SELECT slug AS value …`). The store's
/// one-column reads share these three types: each type D1 rows are read into is compiled into
/// its own copy of the row reader (`D1Result::results`) and of its deserializer.
#[derive(Debug, Clone, Deserialize)]
pub struct TextValue {
    pub value: String,
}

/// A read of one text column that may be NULL, named `value` in the SQL (see [`TextValue`]).
#[derive(Debug, Clone, Deserialize)]
pub struct OptionalTextValue {
    pub value: Option<String>,
}

/// A read of one integer column, named `value` in the SQL (see [`TextValue`]).
#[derive(Debug, Clone, Deserialize)]
pub struct NumberValue {
    pub value: i64,
}
