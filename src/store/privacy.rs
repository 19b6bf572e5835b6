//! Privacy requests (migration 0007): the single-use links that confirm a host's account
//! deletion or an invitee's erasure, the emails those requests send (`notice_outbox`), the
//! deletion and erasure themselves as one D1 batch each, the Zoom deauthorization, the host's
//! data export and the purges of the hourly retention job.
//!
//! Every write that acts on a request checks, inside its own batch, that the request's token is
//! still there: two clicks on one link cannot both act, and a batch that failed changed
//! nothing, so the link can simply be used again.

use serde::Deserialize;

use super::{NumberValue, Param, Store, StoreError, TextValue};

/// How many open requests one host or address may have at once: enough to ask again after a
/// lost email, too few to flood an inbox through the public form or forged emails.
pub const OPEN_REQUESTS_LIMIT: i64 = 3;

/// What a confirmation link does once confirmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestKind {
    DeleteHost,
    EraseInvitee,
}

impl RequestKind {
    fn as_str(self) -> &'static str {
        match self {
            RequestKind::DeleteHost => "delete_host",
            RequestKind::EraseInvitee => "erase_invitee",
        }
    }
}

/// One email of a privacy request, rendered, to queue in `notice_outbox`.
pub struct PrivacyEmail {
    pub id: String,
    /// `deletion_link`, `erasure_link`, `deletion_cancellation`, `deletion_notice` or
    /// `erasure_notice`.
    pub kind: &'static str,
    /// The rendered `mail::Message` as JSON.
    pub payload: String,
}

/// An open request, as its link finds it.
#[derive(Debug)]
pub struct PrivacyRequestRow {
    pub kind: String,
    pub host_id: Option<String>,
    /// The address to erase, opened by the store (`None` when its key expired).
    pub invitee_email: Option<String>,
    pub expires_at: i64,
    /// The address sealed under the request's own key (`sealed_notice.rs`).
    pub(super) invitee_sealed: Option<String>,
}

/// A host with bookings made with an address being erased, and how many.
#[derive(Debug)]
pub struct AffectedHostRow {
    pub host_id: String,
    pub host_name: String,
    pub host_email: String,
    pub bookings: i64,
}

/// A host's account as the privacy requests and the calendar health notices read it: who
/// they are and where to write (the export reads the whole account: `export_profile`).
#[derive(Debug)]
pub struct HostProfileRow {
    pub id: String,
    pub name: String,
    pub email: String,
}

/// Writes a column that holds JSON, in an export row read as JSON, as that JSON, not as a
/// string of it (text that does not parse, which the writers never store, stays text).
fn stored_json_in(row: &mut serde_json::Value, column: &str) {
    let Some(slot) = row.get_mut(column) else {
        return;
    };
    let parsed = slot
        .as_str()
        .and_then(|text| serde_json::from_slice::<serde_json::Value>(text.as_bytes()).ok());
    if let Some(value) = parsed {
        *slot = value;
    }
}

/// The text in `column` of an export row read as JSON, to open in place (`None`: NULL).
fn text_in<'a>(row: &'a mut serde_json::Value, column: &str) -> Option<&'a mut String> {
    match row.get_mut(column) {
        Some(serde_json::Value::String(text)) => Some(text),
        _ => None,
    }
}

/// The two values of an export row read as a JSON pair (`json_array(a, b)`).
fn pair_of(
    pair: serde_json::Value,
    query: &'static str,
) -> Result<[serde_json::Value; 2], StoreError> {
    match pair {
        serde_json::Value::Array(values) => <[serde_json::Value; 2]>::try_from(values).ok(),
        _ => None,
    }
    .ok_or_else(|| super::failed(query, "a row that is not a pair"))
}

/// A copy of the text in `column` of an export row read as JSON (empty for NULL).
fn text_of(row: &serde_json::Value, column: &str) -> String {
    row.get(column)
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// A privacy email whose time has come.
#[derive(Debug, Deserialize)]
pub struct DuePrivacyEmail {
    pub id: String,
    /// Set for a notice to a host (sealed under the host's key).
    #[serde(default)]
    pub host_id: Option<String>,
    pub payload: String,
    pub attempts: i64,
}

/// Privacy emails whose next attempt is due at `?1`, oldest first, at most `?2`.
pub(super) const DUE_NOTICES: &str = "SELECT id, host_id, payload, attempts FROM notice_outbox \
     WHERE next_attempt_at <= ?1 ORDER BY next_attempt_at LIMIT ?2";

/// What one purge run of the retention job removed.
#[derive(Debug, Default)]
pub struct Purged {
    pub sessions: usize,
    pub oauth_states: usize,
    pub connect_states: usize,
    pub privacy_requests: usize,
}

const QUEUE_IF_REQUEST_OPEN: &str =
    "INSERT INTO notice_outbox (id, kind, payload, attempts, next_attempt_at, created_at) \
     SELECT ?1, ?2, ?3, 0, ?4, ?4 WHERE EXISTS (SELECT 1 FROM privacy_requests WHERE token_hash = ?5)";

impl Store {
    /// Opens a request and queues its link email, in one batch; nothing happens when the
    /// subject already has [`OPEN_REQUESTS_LIMIT`] open requests. True when it was opened.
    pub async fn open_privacy_request(
        &self,
        token_hash: &str,
        kind: RequestKind,
        subject: &str,
        now: i64,
        expires_at: i64,
        email: &PrivacyEmail,
    ) -> Result<bool, StoreError> {
        // An erasure keeps the address's blind index (what open requests are counted and
        // closed by) and the address sealed under the request's own key.
        let (index, sealed) = match kind {
            RequestKind::DeleteHost => (None, None),
            RequestKind::EraseInvitee => (
                Some(self.email_index(subject)?),
                Some(self.seal_request_address(token_hash, subject).await?),
            ),
        };
        let host_id = match kind {
            RequestKind::DeleteHost => Param::Text(subject),
            RequestKind::EraseInvitee => Param::Null,
        };
        let insert = [
            Param::Text(token_hash),
            Param::Text(kind.as_str()),
            host_id,
            index.as_deref().into(),
            Param::Int(now),
            Param::Int(expires_at),
            Param::Int(OPEN_REQUESTS_LIMIT),
            sealed.as_deref().into(),
        ];
        let payload = self.seal_notice(&email.id, &email.payload).await?;
        let queue = [
            Param::Text(&email.id),
            Param::Text(email.kind),
            Param::Text(&payload),
            Param::Int(now),
            Param::Text(token_hash),
        ];
        let changed = self
            .batch(
                "open_privacy_request",
                &[
                    (
                        "INSERT INTO privacy_requests (token_hash, kind, host_id, invitee_email, created_at, \
                         expires_at, invitee_sealed) \
                         SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?8 WHERE (SELECT COUNT(*) FROM privacy_requests \
                         WHERE (host_id = ?3 OR invitee_email = ?4) AND expires_at > ?5) < ?7",
                        &insert,
                    ),
                    (QUEUE_IF_REQUEST_OPEN, &queue),
                ],
            )
            .await?;
        Ok(changed.first() == Some(&1))
    }

    /// The request whose link hashes to `token_hash`, expired or not; `None` once used.
    pub async fn privacy_request(
        &self,
        token_hash: &str,
    ) -> Result<Option<PrivacyRequestRow>, StoreError> {
        let rows = self
            .all_columns(
                "privacy_request",
                "SELECT json_array(kind, host_id, invitee_email, expires_at, invitee_sealed) \
                 AS value FROM privacy_requests WHERE token_hash = ?1",
                &[Param::Text(token_hash)],
            )
            .await?;
        let Some(mut columns) = rows.into_iter().next() else {
            return Ok(None);
        };
        let mut row = PrivacyRequestRow {
            kind: columns.text()?,
            host_id: columns.optional_text()?,
            invitee_email: columns.optional_text()?,
            expires_at: columns.number()?,
            invitee_sealed: columns.optional_text()?,
        };
        // A request from before sealing holds the address itself.
        if let Some(sealed) = row.invitee_sealed.take() {
            row.invitee_email = self.open_request_address(token_hash, &sealed).await?;
        }
        Ok(Some(row))
    }

    /// The host whose registered address is `email` (compared case-insensitively).
    pub async fn host_profile_by_email(
        &self,
        email: &str,
    ) -> Result<Option<HostProfileRow>, StoreError> {
        let stand_in = self.host_email_stand_in(email)?;
        let row = self
            .all_columns(
                "host_profile_by_email",
                "SELECT json_array(id, name, COALESCE(email_sealed, email)) AS value FROM hosts \
                 WHERE email = ?1 OR lower(email) = lower(?2)",
                &[Param::Text(&stand_in), Param::Text(email)],
            )
            .await?;
        self.opened_profile(row).await
    }

    /// The profile read as `json_array(id, name, email)`, its address opened.
    async fn opened_profile(
        &self,
        rows: Vec<super::columns::Columns>,
    ) -> Result<Option<HostProfileRow>, StoreError> {
        let Some(mut columns) = rows.into_iter().next() else {
            return Ok(None);
        };
        let mut row = HostProfileRow {
            id: columns.text()?,
            name: columns.text()?,
            email: columns.text()?,
        };
        self.open_host_email_in(&row.id, &mut row.email).await?;
        Ok(Some(row))
    }

    /// The host `id`'s profile.
    pub async fn host_profile(&self, id: &str) -> Result<Option<HostProfileRow>, StoreError> {
        let row = self
            .all_columns(
                "host_profile",
                "SELECT json_array(id, name, COALESCE(email_sealed, email)) AS value FROM hosts \
                 WHERE id = ?1",
                &[Param::Text(id)],
            )
            .await?;
        self.opened_profile(row).await
    }

    /// Whether any booking still holds `email` as its invitee's address.
    pub async fn invitee_has_bookings(&self, email: &str) -> Result<bool, StoreError> {
        let index = self.email_index(email)?;
        let row: Option<NumberValue> = self
            .first(
                "invitee_has_bookings",
                "SELECT EXISTS (SELECT 1 FROM bookings WHERE (invitee_email_index = ?2 OR (invitee_email != '' AND lower(invitee_email) = lower(?1)))) AS value",
                &[Param::Text(email), Param::Text(&index)],
            )
            .await?;
        Ok(row.is_some_and(|r| r.value == 1))
    }

    /// The hosts with bookings made with `email`, and how many each has.
    pub async fn hosts_of_invitee(&self, email: &str) -> Result<Vec<AffectedHostRow>, StoreError> {
        let index = self.email_index(email)?;
        const QUERY: &str = "hosts_of_invitee";
        let mut rows = self
            .all_columns(
                QUERY,
                "SELECT json_array(h.id, h.name, \
             COALESCE(h.email_sealed, h.email), COUNT(*)) AS value \
             FROM bookings b JOIN hosts h ON h.id = b.host_id \
             WHERE (b.invitee_email_index = ?2 \
                    OR (b.invitee_email != '' AND lower(b.invitee_email) = lower(?1))) \
             GROUP BY h.id ORDER BY h.id",
                &[Param::Text(email), Param::Text(&index)],
            )
            .await?
            .into_iter()
            .map(|mut row| {
                Ok(AffectedHostRow {
                    host_id: row.text()?,
                    host_name: row.text()?,
                    host_email: row.text()?,
                    bookings: row.number()?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        for row in &mut rows {
            self.open_host_email_in(&row.host_id, &mut row.host_email)
                .await?;
        }
        Ok(rows)
    }

    /// Deletes the host `host_id` and, through the schema's cascades, everything of theirs in
    /// D1, and queues `emails` (the invitees' cancellations and the host's final notice), in
    /// one batch that acts only while the request `token_hash` is open. True when this call
    /// deleted the host.
    pub async fn delete_host_account(
        &self,
        host_id: &str,
        token_hash: &str,
        now: i64,
        emails: &[PrivacyEmail],
    ) -> Result<bool, StoreError> {
        let payloads = self.sealed_notices(emails).await?;
        let queue: Vec<[Param<'_>; 5]> = emails
            .iter()
            .zip(&payloads)
            .map(|(email, payload)| {
                [
                    Param::Text(&email.id),
                    Param::Text(email.kind),
                    Param::Text(payload),
                    Param::Int(now),
                    Param::Text(token_hash),
                ]
            })
            .collect();
        let delete = [Param::Text(host_id), Param::Text(token_hash)];
        let mut statements: Vec<(&'static str, &[Param<'_>])> = queue
            .iter()
            .map(|params| (QUEUE_IF_REQUEST_OPEN, params.as_slice()))
            .collect();
        // The host row goes last: its cascade takes the request (and so the link) with it.
        statements.push((
            "DELETE FROM hosts WHERE id = ?1 AND EXISTS \
             (SELECT 1 FROM privacy_requests WHERE token_hash = ?2 AND host_id = ?1)",
            &delete,
        ));
        let changed = self.batch("delete_host_account", &statements).await?;
        // D1 counts the rows the cascade removed too, so "changed" is "more than none".
        Ok(changed.last().is_some_and(|&n| n > 0))
    }

    /// Erases the invitee `email` from every booking made with it (name, address, zone, note
    /// and answers, with the questions they answered; the time stays as an anonymous busy slot, with no reminder left to send), drops
    /// those bookings' email records, queues the hosts' `notices` and closes every open
    /// request for the address, in one batch that acts only while `token_hash` is open.
    /// Returns how many bookings were erased.
    pub async fn erase_invitee(
        &self,
        email: &str,
        token_hash: &str,
        now: i64,
        notices: &[PrivacyEmail],
    ) -> Result<usize, StoreError> {
        let payloads = self.sealed_notices(notices).await?;
        let queue: Vec<[Param<'_>; 5]> = notices
            .iter()
            .zip(&payloads)
            .map(|(notice, payload)| {
                [
                    Param::Text(&notice.id),
                    Param::Text(notice.kind),
                    Param::Text(payload),
                    Param::Int(now),
                    Param::Text(token_hash),
                ]
            })
            .collect();
        let index = self.email_index(email)?;
        let erase = [
            Param::Text(email),
            Param::Text(token_hash),
            Param::Int(now),
            Param::Text(&index),
        ];
        let mut statements: Vec<(&'static str, &[Param<'_>])> = queue
            .iter()
            .map(|params| (QUEUE_IF_REQUEST_OPEN, params.as_slice()))
            .collect();
        statements.push((
            "DELETE FROM email_outbox WHERE booking_id IN \
             (SELECT id FROM bookings WHERE (invitee_email_index = ?4 OR (invitee_email != '' AND lower(invitee_email) = lower(?1)))) \
             AND EXISTS (SELECT 1 FROM privacy_requests WHERE token_hash = ?2) AND ?3 = ?3",
            &erase,
        ));
        statements.push((
            "UPDATE bookings SET invitee_name = '', invitee_email = '', invitee_time_zone = 'UTC', \
             note = '', answers = '[]', invitee_sealed = NULL, invitee_email_index = NULL, \
             reminder_sent_at = COALESCE(reminder_sent_at, ?3) \
             WHERE (invitee_email_index = ?4 OR (invitee_email != '' AND lower(invitee_email) = lower(?1))) \
             AND EXISTS (SELECT 1 FROM privacy_requests WHERE token_hash = ?2)",
            &erase,
        ));
        statements.push((
            "DELETE FROM privacy_requests WHERE (invitee_email = ?4 OR invitee_email = lower(?1)) \
             AND EXISTS (SELECT 1 FROM privacy_requests WHERE token_hash = ?2) AND ?3 = ?3",
            &erase,
        ));
        let open_requests = self.erasure_requests_of(&index, email).await?;
        let changed = self.batch("erase_invitee", &statements).await?;
        let erased = changed
            .get(changed.len().saturating_sub(2))
            .copied()
            .unwrap_or(0);
        if changed.last().is_some_and(|&closed| closed > 0) {
            // The closed requests' keys go too: their sealed addresses open no more.
            for token_hash in open_requests {
                self.delete_notice_key(&token_hash).await?;
            }
        }
        Ok(erased)
    }

    /// The open erasure requests of an address (by its blind index, or itself for a request
    /// from before sealing).
    async fn erasure_requests_of(
        &self,
        index: &str,
        email: &str,
    ) -> Result<Vec<String>, StoreError> {
        let rows: Vec<TextValue> = self
            .all(
                "erasure_requests_of",
                "SELECT token_hash AS value FROM privacy_requests \
                 WHERE invitee_email = ?1 OR invitee_email = lower(?2)",
                &[Param::Text(index), Param::Text(email)],
            )
            .await?;
        Ok(rows.into_iter().map(|row| row.value).collect())
    }
    /// The host `id`'s account, for their data export (`None`: no such host).
    pub async fn export_profile(&self, id: &str) -> Result<Option<serde_json::Value>, StoreError> {
        let mut rows = self
            .export_objects(
                "export_profile",
                "SELECT json_object('id', id, 'slug', slug, 'name', name, \
                 'email', COALESCE(email_sealed, email), 'time_zone', time_zone, \
                 'schedule_time_zone', (SELECT s.time_zone FROM schedules s \
                 WHERE s.host_id = hosts.id AND s.is_default = 1), 'week_start', week_start, \
                 'max_bookings_per_day', max_bookings_per_day, \
                 'max_bookings_per_week', max_bookings_per_week, 'created_at', created_at) AS value \
                 FROM hosts WHERE id = ?1",
                id,
            )
            .await?;
        let Some(mut row) = rows.pop() else {
            return Ok(None);
        };
        if let Some(email) = text_in(&mut row, "email") {
            self.open_host_email_in(id, email).await?;
        }
        Ok(Some(row))
    }

    /// Every booking of the host, with its invitee's details, oldest first.
    pub async fn export_bookings(
        &self,
        host_id: &str,
    ) -> Result<Vec<serde_json::Value>, StoreError> {
        // Each row comes as `[sealed invitee, booking]`: the invitee's details are opened from
        // the sealed value (a booking from before sealing holds them in its columns).
        let pairs = self
            .export_objects(
                "export_bookings",
                "SELECT json_array(invitee_sealed, json_object('id', id, \
                 'event_type_id', event_type_id, 'start_at', start_at, 'end_at', end_at, \
                 'status', status, 'invitee_name', invitee_name, 'invitee_email', invitee_email, \
                 'invitee_time_zone', invitee_time_zone, 'note', note, 'created_at', created_at, \
                 'rescheduled_from', rescheduled_from, 'rescheduled_to', rescheduled_to, \
                 'answers', answers, 'lang', lang, \
                 'awaiting_approval_until', awaiting_approval_until, \
                 'request_outcome', request_outcome)) AS value \
                 FROM bookings WHERE host_id = ?1 ORDER BY start_at, id",
                host_id,
            )
            .await?;
        let mut rows = Vec::with_capacity(pairs.len());
        for pair in pairs {
            let [sealed, mut row] = pair_of(pair, "export_bookings")?;
            if let Some(sealed) = sealed.as_str() {
                let booking_id = text_of(&row, "id");
                let invitee = self
                    .open_sealed_invitee(host_id, &booking_id, sealed)
                    .await?;
                if let Some(columns) = row.as_object_mut() {
                    columns.insert("invitee_name".into(), invitee.name.into());
                    columns.insert("invitee_email".into(), invitee.email.into());
                    columns.insert("invitee_time_zone".into(), invitee.time_zone.into());
                    columns.insert("note".into(), invitee.note.into());
                    columns.insert("answers".into(), invitee.answers.into());
                }
            }
            // The invitee's answers are stored as JSON, exported as JSON.
            stored_json_in(&mut row, "answers");
            rows.push(row);
        }
        Ok(rows)
    }

    /// Every event type of the host, hidden or not. `own_reminders` is 1 when the event type
    /// has its own reminders (`export_reminders`), 0 when it follows the instance's.
    pub async fn export_event_types(
        &self,
        host_id: &str,
    ) -> Result<Vec<serde_json::Value>, StoreError> {
        let mut rows = self
            .export_objects(
                "export_event_types",
                "SELECT json_object('id', id, 'slug', slug, 'title', title, \
                 'description', description, 'duration_minutes', duration_minutes, \
                 'slot_interval_minutes', slot_interval_minutes, \
                 'buffer_before_minutes', buffer_before_minutes, \
                 'buffer_after_minutes', buffer_after_minutes, \
                 'minimum_notice_minutes', minimum_notice_minutes, \
                 'booking_window_days', booking_window_days, \
                 'max_bookings_per_day', max_bookings_per_day, \
                 'max_bookings_per_week', max_bookings_per_week, \
                 'max_bookings_per_month', max_bookings_per_month, \
                 'change_cutoff_minutes', change_cutoff_minutes, \
                 'max_booked_minutes_per_day', max_booked_minutes_per_day, 'lang', lang, \
                 'confirmation_message', confirmation_message, 'location_kind', location_kind, \
                 'location_detail', location_detail, 'other_durations', other_durations, \
                 'questions', questions, 'hidden', hidden, 'own_reminders', own_reminders, \
                 'approval_hours', approval_hours, 'created_at', created_at) AS value \
                 FROM event_types WHERE host_id = ?1 ORDER BY created_at, id",
                host_id,
            )
            .await?;
        // The calendar each chose for its bookings, opened (`event_calendar.rs`).
        let calendars = self.event_calendars(host_id, None).await?;
        for row in &mut rows {
            // The host's paragraph and the questions are stored as JSON, exported as JSON.
            for column in ["confirmation_message", "questions"] {
                stored_json_in(row, column);
            }
            let chosen = calendars
                .iter()
                .find(|(id, _)| row.get("id").and_then(serde_json::Value::as_str) == Some(id));
            if let (Some((_, calendar)), Some(object)) = (chosen, row.as_object_mut()) {
                object.insert(
                    "event_calendar".into(),
                    serde_json::json!({
                        "connection": calendar.connection.name(),
                        "calendar_id": calendar.calendar_id,
                    }),
                );
            }
        }
        Ok(rows)
    }

    /// Every date override of the host's schedules, past and future (NULL minutes: a day off).
    pub async fn export_overrides(
        &self,
        host_id: &str,
    ) -> Result<Vec<serde_json::Value>, StoreError> {
        self.export_objects(
            "export_overrides",
            "SELECT json_object('schedule_id', o.schedule_id, 'local_date', o.local_date, \
             'start_minute', r.start_minute, 'end_minute', r.end_minute) AS value \
             FROM date_overrides o LEFT JOIN date_override_ranges r \
             ON r.schedule_id = o.schedule_id AND r.local_date = o.local_date \
             WHERE o.host_id = ?1 ORDER BY o.schedule_id, o.local_date, r.start_minute",
            host_id,
        )
        .await
    }

    /// The weekly hours of every schedule of the host.
    pub async fn export_weekly_hours(
        &self,
        host_id: &str,
    ) -> Result<Vec<serde_json::Value>, StoreError> {
        self.export_objects(
            "export_weekly_hours",
            "SELECT json_object('schedule_id', schedule_id, 'weekday', weekday, \
             'start_minute', start_minute, 'end_minute', end_minute) AS value FROM weekly_hours \
             WHERE host_id = ?1 ORDER BY schedule_id, weekday, start_minute",
            host_id,
        )
        .await
    }

    /// The host's connected accounts (which account, never its tokens).
    pub async fn export_connections(
        &self,
        host_id: &str,
    ) -> Result<Vec<serde_json::Value>, StoreError> {
        let mut rows = self
            .export_objects(
                "export_connections",
                "SELECT json_object('connection', connection, 'provider', provider, \
                 'account_email', COALESCE(account_sealed, account_email), 'status', status, \
                 'connected_at', connected_at) AS value \
                 FROM connections WHERE host_id = ?1 ORDER BY connection",
                host_id,
            )
            .await?;
        for row in &mut rows {
            let connection = text_of(row, "connection");
            if let Some(account_email) = text_in(row, "account_email") {
                self.open_account_email_in(host_id, &connection, account_email)
                    .await?;
            }
        }
        Ok(rows)
    }

    /// The host's API tokens by name and dates, never the token or its hash.
    pub async fn export_api_tokens(
        &self,
        host_id: &str,
    ) -> Result<Vec<serde_json::Value>, StoreError> {
        // Each row comes as `[id, token]`: the id only opens the sealed name with and is not
        // exported.
        let pairs = self
            .export_objects(
                "export_api_tokens",
                "SELECT json_array(id, json_object('name', COALESCE(name_sealed, name), \
                 'created_at', created_at, 'last_used_at', last_used_at, \
                 'revoked_at', revoked_at)) AS value \
                 FROM api_tokens WHERE host_id = ?1 ORDER BY created_at, id",
                host_id,
            )
            .await?;
        let mut rows = Vec::with_capacity(pairs.len());
        for pair in pairs {
            let [id, mut row] = pair_of(pair, "export_api_tokens")?;
            let field =
                super::sealed_host_settings::token_name_field(id.as_str().unwrap_or_default());
            if let Some(name) = text_in(&mut row, "name") {
                self.open_host_setting(host_id, field, name).await?;
            }
            rows.push(row);
        }
        Ok(rows)
    }

    /// The sign-in identities linked to the host, each with its address (an identity holds
    /// the stand-in of the host's address, which is opened here).
    pub async fn export_identities(
        &self,
        host_id: &str,
    ) -> Result<Vec<serde_json::Value>, StoreError> {
        let mut rows = self
            .export_objects(
                "export_identities",
                "SELECT json_object('provider', i.provider, 'email', \
                 CASE WHEN i.email = h.email THEN COALESCE(h.email_sealed, h.email) ELSE i.email END, \
                 'created_at', i.created_at) AS value \
                 FROM host_identities i JOIN hosts h ON h.id = i.host_id \
                 WHERE i.host_id = ?1 ORDER BY i.created_at",
                host_id,
            )
            .await?;
        for row in &mut rows {
            if let Some(email) = text_in(row, "email") {
                self.open_host_email_in(host_id, email).await?;
            }
        }
        Ok(rows)
    }

    /// The export rows `sql` selects for the host `host_id`, each written by SQLite as one JSON
    /// value (`json_object(...) AS value`). The export writes them as they are, so a table
    /// needs no row type of its own: each was a deserializer and a serializer in the Worker
    /// (BENCHMARKS.md, *Size*).
    pub(super) async fn export_objects(
        &self,
        query: &'static str,
        sql: &'static str,
        host_id: &str,
    ) -> Result<Vec<serde_json::Value>, StoreError> {
        let rows: Vec<TextValue> = self.all(query, sql, &[Param::Text(host_id)]).await?;
        rows.iter()
            .map(|row| {
                serde_json::from_slice::<serde_json::Value>(row.value.as_bytes())
                    .map_err(|e| super::failed(query, e))
            })
            .collect()
    }

    /// Opens the payloads of due privacy emails read with [`DUE_NOTICES`] (a payload whose
    /// key expired reads as empty, which the sender gives up as unreadable).
    pub(super) async fn open_due_notices(
        &self,
        mut rows: Vec<DuePrivacyEmail>,
    ) -> Result<Vec<DuePrivacyEmail>, StoreError> {
        for row in &mut rows {
            row.payload = self
                .open_notice(&row.id, row.host_id.as_deref(), &row.payload)
                .await?
                .unwrap_or_default();
        }
        Ok(rows)
    }

    /// `emails`' payloads, each sealed under a key of its own.
    async fn sealed_notices(&self, emails: &[PrivacyEmail]) -> Result<Vec<String>, StoreError> {
        let mut sealed = Vec::with_capacity(emails.len());
        for email in emails {
            sealed.push(self.seal_notice(&email.id, &email.payload).await?);
        }
        Ok(sealed)
    }

    /// Claims the due privacy emails `ids` until `lease_until`, in one D1 batch: for each,
    /// whether this call claimed it.
    pub async fn claim_privacy_emails(
        &self,
        ids: &[&str],
        now: i64,
        lease_until: i64,
    ) -> Result<Vec<bool>, StoreError> {
        let params: Vec<[Param<'_>; 3]> = ids
            .iter()
            .map(|id| [Param::Text(id), Param::Int(now), Param::Int(lease_until)])
            .collect();
        let changed = self
            .batch_each(
                "claim_privacy_emails",
                "UPDATE notice_outbox SET next_attempt_at = ?3 WHERE id = ?1 AND next_attempt_at <= ?2",
                &params,
            )
            .await?;
        Ok(changed.into_iter().map(|n| n == 1).collect())
    }

    /// Deletes a privacy email that was sent or given up, and its own key (if it has one):
    /// nothing of it is kept, and no copy of the row opens any more.
    pub async fn forget_privacy_email(&self, id: &str) -> Result<(), StoreError> {
        self.execute(
            "forget_privacy_email",
            "DELETE FROM notice_outbox WHERE id = ?1",
            &[Param::Text(id)],
        )
        .await?;
        self.delete_notice_key(id).await
    }

    /// Records a failed attempt at a privacy email and when to try again.
    pub async fn privacy_email_failed(
        &self,
        id: &str,
        attempts: i64,
        retry_at: i64,
        error: &str,
    ) -> Result<(), StoreError> {
        self.execute(
            "privacy_email_failed",
            "UPDATE notice_outbox SET attempts = ?2, next_attempt_at = ?3, last_error = substr(?4, 1, 200) \
             WHERE id = ?1",
            &[
                Param::Text(id),
                Param::Int(attempts),
                Param::Int(retry_at),
                Param::Text(error),
            ],
        )
        .await
        .map(drop)
    }

    /// Deletes what is dead at `now`: expired or revoked sessions, sign-ins and connections
    /// that were never finished (an hour after they expired, as sign-in already does), and
    /// privacy requests whose link has expired.
    pub async fn purge_expired(&self, now: i64) -> Result<Purged, StoreError> {
        let changed = self
            .batch(
                "purge_expired",
                &[
                    (
                        "DELETE FROM sessions WHERE expires_at <= ?1 OR revoked_at IS NOT NULL",
                        &[Param::Int(now)],
                    ),
                    (
                        "DELETE FROM oauth_states WHERE expires_at <= ?1 - 3600",
                        &[Param::Int(now)],
                    ),
                    (
                        "DELETE FROM connect_states WHERE expires_at <= ?1 - 3600",
                        &[Param::Int(now)],
                    ),
                    (
                        "DELETE FROM privacy_requests WHERE expires_at <= ?1",
                        &[Param::Int(now)],
                    ),
                ],
            )
            .await?;
        let at = |i: usize| changed.get(i).copied().unwrap_or(0);
        Ok(Purged {
            sessions: at(0),
            oauth_states: at(1),
            connect_states: at(2),
            privacy_requests: at(3),
        })
    }
}
