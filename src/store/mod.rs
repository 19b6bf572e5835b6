//! D1 storage: every SQL statement of the Worker lives here as a named function with bound
//! parameters. Rows come back as plain structs; turning them into domain types is the
//! caller's job, so a bad row surfaces as a clear error, not a panic.

/// An event type SELECT with the given tail; keeps the column list in one place.
macro_rules! select_event_types {
    ($tail:literal) => {
        concat!(
            // One JSON array a row, in `EventTypeRow::read`'s order (`store/columns.rs`).
            "SELECT json_array(id, slug, title, description, duration_minutes, slot_interval_minutes, ",
            "buffer_before_minutes, buffer_after_minutes, minimum_notice_minutes, booking_window_days, ",
            "max_bookings_per_day, max_bookings_per_week, max_bookings_per_month, location_kind, ",
            "location_detail, hidden, other_durations, questions, change_cutoff_minutes, ",
            "max_booked_minutes_per_day, lang, confirmation_message, approval_hours, ",
            // The schedule the type follows (its own or the default) and that schedule's zone.
            "schedule_id, (SELECT s.id || ' ' || s.time_zone FROM schedules s ",
            "WHERE s.host_id = event_types.host_id AND (s.id = event_types.schedule_id ",
            "OR (event_types.schedule_id IS NULL AND s.is_default = 1)))) AS value ",
            "FROM event_types ",
            $tail
        )
    };
}

mod accounts;
mod api_tokens;
mod availability;
mod booking_calendar;
mod bookings;
mod columns;
mod connections;
mod data_key_rotation;
mod due_outboxes;
mod event_calendar;
mod event_types;
mod hosts;
mod keys;
mod kv_list;
mod outbox;
mod privacy;
mod reminders;
mod requests;
mod retention;
mod rows;
mod sealed_account;
mod sealed_host_email;
mod sealed_host_settings;
mod sealed_invitee;
mod sealed_meeting;
mod sealed_notice;
mod single_use_links;
mod time_off;
mod webhooks;

pub use accounts::{HostCreation, NewHost, NewOAuthState, ProfileUpdate, SessionHostRow};
pub use availability::{MinuteRange, ScheduleRow, ScheduleWrite};
pub use booking_calendar::{CalendarProgress, CalendarWorkRow, MeetingLinkRow, NewCalendarWork};
pub use bookings::{
    BookingDetailsRow, BookingsWhen, InsertOutcome, NewBookingRow, HOST_BOOKINGS_LIMIT,
};
pub use connections::{ConnectionRow, ConnectionSettings, NewConnection};
pub use due_outboxes::{DueLimits, DueOutboxes};
pub use event_types::{EventTypeDelete, EventTypeWrite};
pub use hosts::Counted;
pub use keys::KeySource;
pub use kv_list::list_kv;
pub use outbox::{DueEmail, NewEmail};
pub use privacy::{
    DuePrivacyEmail, HostProfileRow, PrivacyEmail, RequestKind, OPEN_REQUESTS_LIMIT,
};
pub use reminders::ReminderRow;
pub use rows::{
    BookingRow, EventTypeRow, HostRow, NumberValue, OptionalTextValue, OverrideRangeRow, TextValue,
    WeeklyHoursRow,
};
pub use sealed_account::StoredAccountEmail;
pub use sealed_host_email::StoredHostEmail;
pub use single_use_links::{NewSingleUseLink, SingleUseLinkRow};
pub use time_off::TimeOffRow;
pub use webhooks::{
    AttemptOutcome, DeliveryLogRow, DueDelivery, EndpointWrite, WebhookAttempt, WebhookEndpointRow,
    MAX_ENDPOINTS_PER_HOST,
};

use wasm_bindgen::JsValue;
use worker::D1Database;

/// Why storage failed: a fault on our side (500 with an id), or a database too busy to
/// answer even after retries (503, try again).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("D1 query {query} failed: {cause}")]
    Query { query: &'static str, cause: String },
    #[error("D1 query {query} stayed busy after {attempts} attempts")]
    Busy { query: &'static str, attempts: u32 },
    /// A data key (`keys.rs`) could not be read, written, opened or deleted in KV.
    #[error("data key: could not {what}: {cause}")]
    Key { what: &'static str, cause: String },
}

/// How often a statement that found the database locked is tried in all.
const BUSY_ATTEMPTS: u32 = 8;

/// Whether D1 refused a statement without running it because the database was locked;
/// such a statement changed nothing and is safe to send again.
fn is_busy(error: &worker::Error) -> bool {
    let text = error.to_string();
    text.contains("SQLITE_BUSY") || text.contains("database is locked")
}

/// The application's D1 database.
pub struct Store {
    db: D1Database,
    /// Hosts' data keys, for the rows that hold personal fields sealed (`keys.rs`); a store
    /// without them can read and write everything else.
    keys: Option<KeySource>,
}

impl Store {
    /// Wraps the `DB` binding.
    pub fn new(db: D1Database) -> Self {
        Self { db, keys: None }
    }

    /// Wraps the `DB` binding, with the data keys that seal and open personal fields.
    pub fn with_keys(db: D1Database, keys: KeySource) -> Self {
        Self {
            db,
            keys: Some(keys),
        }
    }
}

/// Binds a Rust value for D1: text, integers as JS numbers (D1 has no BigInt), or NULL.
pub(crate) enum Param<'a> {
    Text(&'a str),
    Int(i64),
    Null,
}

impl Param<'_> {
    fn to_js(&self) -> JsValue {
        match self {
            Param::Text(text) => JsValue::from_str(text),
            // Unix seconds and minute counts are far inside f64's exact integer range.
            Param::Int(number) => JsValue::from_f64(*number as f64),
            Param::Null => JsValue::NULL,
        }
    }
}

impl<'a> From<Option<&'a str>> for Param<'a> {
    fn from(value: Option<&'a str>) -> Self {
        value.map_or(Param::Null, Param::Text)
    }
}

impl From<Option<i64>> for Param<'_> {
    fn from(value: Option<i64>) -> Self {
        value.map_or(Param::Null, Param::Int)
    }
}

impl Store {
    fn statement(
        &self,
        query: &'static str,
        sql: &'static str,
        params: &[Param<'_>],
    ) -> Result<worker::D1PreparedStatement, StoreError> {
        let values: Vec<JsValue> = params.iter().map(Param::to_js).collect();
        self.db
            .prepare(sql)
            .bind(&values)
            .map_err(|e| failed(query, e))
    }

    /// Runs `sql` as `all()`, retrying while the database is locked.
    async fn run_all(
        &self,
        query: &'static str,
        sql: &'static str,
        params: &[Param<'_>],
    ) -> Result<worker::D1Result, StoreError> {
        retrying_while_busy(query, || {
            let statement = self.statement(query, sql, params)?;
            Ok(async move { statement.all().await })
        })
        .await
    }

    /// Runs `statements` as one D1 batch, which D1 runs as a single transaction: all of them
    /// or none. Returns how many rows each changed.
    async fn batch(
        &self,
        query: &'static str,
        statements: &[(&'static str, &[Param<'_>])],
    ) -> Result<Vec<usize>, StoreError> {
        let results = retrying_while_busy(query, || {
            let prepared = statements
                .iter()
                .map(|(sql, params)| self.statement(query, sql, params))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(self.db.batch(prepared))
        })
        .await?;
        results
            .iter()
            .map(|result| {
                let meta = result.meta().map_err(|e| failed(query, e))?;
                Ok(meta.and_then(|m| m.changes).unwrap_or(0))
            })
            .collect()
    }

    /// Runs `sql` once for each parameter set in `each`, as one D1 batch (one round trip, and
    /// one of the free plan's 50 queries per invocation). Returns how many rows each changed.
    async fn batch_each<'a, P: AsRef<[Param<'a>]>>(
        &self,
        query: &'static str,
        sql: &'static str,
        each: &'a [P],
    ) -> Result<Vec<usize>, StoreError> {
        if each.is_empty() {
            return Ok(Vec::new());
        }
        let statements: Vec<(&'static str, &[Param<'a>])> =
            each.iter().map(|params| (sql, params.as_ref())).collect();
        self.batch(query, &statements).await
    }

    /// [`Self::batch`] for statements that own their parameters, when the counts do not matter.
    async fn run_batch(
        &self,
        query: &'static str,
        statements: &[(&'static str, Vec<Param<'_>>)],
    ) -> Result<(), StoreError> {
        let borrowed: Vec<(&'static str, &[Param<'_>])> = statements
            .iter()
            .map(|(sql, params)| (*sql, params.as_slice()))
            .collect();
        self.batch(query, &borrowed).await.map(drop)
    }

    /// Runs read-only statements as one D1 batch: one round trip to D1 instead of one each.
    /// Each result's rows are read with [`rows`].
    async fn read_batch(
        &self,
        query: &'static str,
        statements: &[(&'static str, &[Param<'_>])],
    ) -> Result<Vec<worker::D1Result>, StoreError> {
        retrying_while_busy(query, || {
            let prepared = statements
                .iter()
                .map(|(sql, params)| self.statement(query, sql, params))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(self.db.batch(prepared))
        })
        .await
    }

    async fn all<T: serde::de::DeserializeOwned>(
        &self,
        query: &'static str,
        sql: &'static str,
        params: &[Param<'_>],
    ) -> Result<Vec<T>, StoreError> {
        self.run_all(query, sql, params)
            .await?
            .results::<T>()
            .map_err(|e| failed(query, e))
    }

    async fn first<T: serde::de::DeserializeOwned>(
        &self,
        query: &'static str,
        sql: &'static str,
        params: &[Param<'_>],
    ) -> Result<Option<T>, StoreError> {
        Ok(self.all(query, sql, params).await?.into_iter().next())
    }

    /// Runs a write and returns how many rows it changed.
    async fn execute(
        &self,
        query: &'static str,
        sql: &'static str,
        params: &[Param<'_>],
    ) -> Result<usize, StoreError> {
        let result = self.run_all(query, sql, params).await?;
        let meta = result.meta().map_err(|e| failed(query, e))?;
        Ok(meta.and_then(|m| m.changes).unwrap_or(0))
    }
}

/// Sends what `attempt` prepares until D1 stops answering "locked", with a short growing pause
/// between tries. A statement or batch refused as locked changed nothing, so resending is safe.
async fn retrying_while_busy<T, Fut>(
    query: &'static str,
    mut attempt: impl FnMut() -> Result<Fut, StoreError>,
) -> Result<T, StoreError>
where
    Fut: std::future::Future<Output = worker::Result<T>>,
{
    let mut tries = 1;
    loop {
        match attempt()?.await {
            Ok(value) => return Ok(value),
            Err(error) if is_busy(&error) && tries < BUSY_ATTEMPTS => {
                worker::Delay::from(std::time::Duration::from_millis(25 * u64::from(tries))).await;
                tries += 1;
            }
            Err(error) if is_busy(&error) => {
                return Err(StoreError::Busy {
                    query,
                    attempts: tries,
                })
            }
            Err(error) => return Err(failed(query, error)),
        }
    }
}

/// The rows of the `index`-th statement of a [`Store::read_batch`].
fn rows<T: serde::de::DeserializeOwned>(
    query: &'static str,
    results: &[worker::D1Result],
    index: usize,
) -> Result<Vec<T>, StoreError> {
    results
        .get(index)
        .ok_or_else(|| failed(query, format!("the batch returned no result {index}")))?
        .results::<T>()
        .map_err(|e| failed(query, e))
}

fn failed(query: &'static str, cause: impl std::fmt::Display) -> StoreError {
    StoreError::Query {
        query,
        cause: cause.to_string(),
    }
}
