//! What each booking has or needs at the providers (`booking_calendar`): written with the
//! booking in its own batch, then advanced by `calendar::jobs` under a lease.

use crate::core::calendar_work::CalendarWorkState;

use super::columns::Columns;
use super::outbox::queue_params;
use super::sealed_meeting::{MeetingColumn, MeetingOwners};
use super::{NewEmail, Param, Store, StoreError, TextValue};
use crate::providers::calendar::{CalendarProvider, MeetingMaker};
use crate::providers::connection_key::ConnectionKey;

/// The calendar work a new booking needs, inserted in the booking's batch.
#[derive(Debug, Clone)]
pub struct NewCalendarWork {
    /// The calendar connection that receives the event, or `None` when none does.
    pub calendar: Option<ConnectionKey>,
    /// Which of that connection's calendars (the event type's choice); `None` is the
    /// connection's default calendar.
    pub calendar_id: Option<String>,
    /// Who makes the meeting link.
    pub conference: MeetingMaker,
    /// The booking's confirmation page makes the event: the work and the booking's emails
    /// wait [`PAGE_HOLD_SECONDS`] for it before the cron takes them.
    pub left_to_page: bool,
}

/// How long a booking made through the form waits for its confirmation page (loaded a moment
/// after the redirect) to make its event and send its emails, before the cron does both.
pub const PAGE_HOLD_SECONDS: i64 = 60;

/// A booking's calendar work with what the provider calls need to know about the booking.
#[derive(Debug, Clone)]
pub struct CalendarWorkRow {
    pub booking_id: String,
    pub host_id: String,
    /// The calendar connection the event goes to (and went to, for a move or a cancel).
    pub calendar: Option<ConnectionKey>,
    /// The calendar of that connection the event goes to; `None` is its default calendar.
    pub calendar_id: Option<String>,
    pub conference: MeetingMaker,
    pub event_id: Option<String>,
    pub meeting_id: Option<String>,
    pub meeting_url: Option<String>,
    pub state: CalendarWorkState,
    pub attempts: i64,
    pub start_at: i64,
    pub end_at: i64,
    pub invitee_name: String,
    pub invitee_email: String,
    pub event_title: String,
    pub event_description: String,
    pub host_email: String,
    pub host_time_zone: String,
    /// The invitee, sealed (`sealed_invitee.rs`); the store opens it into the fields above.
    pub(super) invitee_sealed: Option<String>,
}

/// What one step achieved, saved at once so a retry never repeats it.
pub struct CalendarProgress<'a> {
    pub event_id: Option<&'a str>,
    pub meeting_id: Option<&'a str>,
    pub meeting_url: Option<&'a str>,
}

/// The statement that records a new booking's calendar work; it only inserts when the
/// booking itself went in (`?1` exists) and is not a request still waiting for the host (its
/// approval's batch runs this again), and a replayed request finds it already there.
pub(super) const INSERT_CALENDAR_WORK: &str =
    "INSERT OR IGNORE INTO booking_calendar (booking_id, host_id, calendar_provider, conference, \
     state, attempts, next_attempt_at, updated_at, calendar_connection, calendar_id) \
     SELECT ?1, ?2, ?3, ?4, 'pending', 0, ?6, ?5, ?7, ?8 \
     WHERE EXISTS (SELECT 1 FROM bookings WHERE id = ?1 AND awaiting_approval_until IS NULL)";

/// Holds a new booking's emails (`?1`) until `?2`, in the booking's batch: they wait for the
/// meeting link that the booking request or its confirmation page makes
/// ([`PAGE_HOLD_SECONDS`]), so no run sends them a moment before it exists.
pub(super) const HOLD_NEW_BOOKING_EMAILS: &str =
    "UPDATE email_outbox SET next_attempt_at = ?2 WHERE booking_id = ?1 AND attempts = 0";

/// A cancelled booking's event and meeting are to be removed.
pub(super) const REMOVE_CALENDAR_WORK: &str =
    "UPDATE booking_calendar SET state = 'removing', next_attempt_at = ?2, updated_at = ?2 \
     WHERE booking_id = ?1 AND state IN ('pending', 'created', 'failed') \
     AND EXISTS (SELECT 1 FROM bookings WHERE id = ?1 AND status = 'cancelled')";

/// On a reschedule (`?1` old, `?2` new, `?3` now), in this order: an existing event moves with
/// the booking (the new booking takes it over, to be moved); the old row is handed over or, if
/// nothing was created yet, removed; a new booking whose old one had no event gets a fresh one.
/// Both keep the calendar the old one went to, whatever the event type chose since.
pub(super) const MOVE_CALENDAR_WORK: [&str; 3] = [
    "INSERT OR IGNORE INTO booking_calendar (booking_id, host_id, calendar_provider, conference, \
     event_id, meeting_id, meeting_url, state, attempts, next_attempt_at, updated_at, \
     calendar_connection, calendar_id) \
     SELECT ?2, host_id, calendar_provider, conference, event_id, meeting_id, meeting_url, \
        'pending', 0, ?3, ?3, calendar_connection, calendar_id FROM booking_calendar WHERE booking_id = ?1 AND state = 'created' \
     AND EXISTS (SELECT 1 FROM bookings WHERE id = ?2 AND rescheduled_from = ?1)",
    "UPDATE booking_calendar SET state = CASE WHEN state = 'created' THEN 'removed' ELSE 'removing' END, \
        next_attempt_at = ?3, updated_at = ?3 \
     WHERE booking_id = ?1 AND state IN ('pending', 'created', 'failed') \
     AND EXISTS (SELECT 1 FROM bookings WHERE id = ?2 AND rescheduled_from = ?1)",
    "INSERT OR IGNORE INTO booking_calendar (booking_id, host_id, calendar_provider, conference, \
     state, attempts, next_attempt_at, updated_at, calendar_connection, calendar_id) \
     SELECT ?2, host_id, calendar_provider, conference, 'pending', 0, ?3, ?3, calendar_connection, calendar_id \
     FROM booking_calendar WHERE booking_id = ?1 AND state = 'removing' \
     AND EXISTS (SELECT 1 FROM bookings WHERE id = ?2 AND rescheduled_from = ?1)",
];

impl Store {
    /// The calendar id of `work` as the booking's batch writes it (`?8` of
    /// [`INSERT_CALENDAR_WORK`]): sealed under the key of its calendar's connection.
    pub(super) async fn sealed_calendar_id(
        &self,
        host_id: &str,
        work: &NewCalendarWork,
    ) -> Result<Option<String>, StoreError> {
        let owners = MeetingOwners {
            host_id,
            calendar: work.calendar,
            conference: work.conference.as_str(),
        };
        self.seal_meeting_option(
            &owners,
            MeetingColumn::CalendarId,
            work.calendar_id.as_deref(),
        )
        .await
    }

    /// The bookings whose calendar work is due at `now`, oldest first.
    pub async fn due_calendar_work(&self, now: i64, limit: i64) -> Result<Vec<String>, StoreError> {
        let rows: Vec<TextValue> = self
            .all(
                "due_calendar_work",
                "SELECT booking_id AS value FROM booking_calendar WHERE state IN ('pending', 'removing') \
                 AND next_attempt_at <= ?1 ORDER BY next_attempt_at LIMIT ?2",
                &[Param::Int(now), Param::Int(limit)],
            )
            .await?;
        Ok(rows.into_iter().map(|row| row.value).collect())
    }

    /// Claims a due row until `lease_until`: no other run touches it meanwhile.
    pub async fn claim_calendar_work(
        &self,
        booking_id: &str,
        now: i64,
        lease_until: i64,
    ) -> Result<bool, StoreError> {
        let changed = self
            .execute(
                "claim_calendar_work",
                "UPDATE booking_calendar SET next_attempt_at = ?3 WHERE booking_id = ?1 \
                 AND state IN ('pending', 'removing') AND next_attempt_at <= ?2",
                &[
                    Param::Text(booking_id),
                    Param::Int(now),
                    Param::Int(lease_until),
                ],
            )
            .await?;
        Ok(changed == 1)
    }

    /// Claims the first try of `booking_id`'s work for its confirmation page: only while the
    /// row still waits for that page (held, never tried, not yet leased by the cron, whose
    /// lease moves `next_attempt_at` off the hold's mark).
    pub async fn claim_left_calendar_work(
        &self,
        booking_id: &str,
        now: i64,
        lease_until: i64,
    ) -> Result<bool, StoreError> {
        let changed = self
            .execute(
                "claim_left_calendar_work",
                "UPDATE booking_calendar SET next_attempt_at = ?3 WHERE booking_id = ?1 \
                 AND state = 'pending' AND attempts = 0 AND next_attempt_at = updated_at + ?4 \
                 AND next_attempt_at > ?2",
                &[
                    Param::Text(booking_id),
                    Param::Int(now),
                    Param::Int(lease_until),
                    Param::Int(PAGE_HOLD_SECONDS),
                ],
            )
            .await?;
        Ok(changed == 1)
    }

    /// Makes the held emails of `booking_id` due at `now` (the booking request or its
    /// confirmation page has made, or tried to make, the meeting link they carry).
    pub async fn release_held_emails(&self, booking_id: &str, now: i64) -> Result<(), StoreError> {
        self.execute(
            "release_held_emails",
            "UPDATE email_outbox SET next_attempt_at = ?2 WHERE booking_id = ?1 AND attempts = 0 \
             AND sent_at IS NULL AND failed_at IS NULL AND next_attempt_at > ?2",
            &[Param::Text(booking_id), Param::Int(now)],
        )
        .await?;
        Ok(())
    }

    /// The row and the booking facts the provider calls need.
    pub async fn calendar_work(
        &self,
        booking_id: &str,
    ) -> Result<Option<CalendarWorkRow>, StoreError> {
        let rows = self
            .all_columns(
                "calendar_work",
                "SELECT json_array(c.booking_id, c.host_id, \
                 COALESCE(c.calendar_connection, c.calendar_provider), c.calendar_id, c.conference, \
                 c.event_id, c.meeting_id, c.meeting_url, c.state, c.attempts, b.start_at, \
                 b.end_at, b.invitee_name, b.invitee_email, e.title, e.description, \
                 COALESCE(h.email_sealed, h.email), h.time_zone, b.invitee_sealed) AS value \
                 FROM booking_calendar c JOIN bookings b ON b.id = c.booking_id \
                 JOIN event_types e ON e.id = b.event_type_id JOIN hosts h ON h.id = c.host_id \
                 WHERE c.booking_id = ?1",
                &[Param::Text(booking_id)],
            )
            .await?;
        let rows = rows
            .into_iter()
            .next()
            .map(CalendarWorkRow::read)
            .transpose()?;
        let Some(mut row) = self.opened(rows).await? else {
            return Ok(None);
        };
        self.open_meeting_value(&row.host_id, MeetingColumn::EventId, &mut row.event_id)
            .await?;
        self.open_meeting_value(
            &row.host_id,
            MeetingColumn::CalendarId,
            &mut row.calendar_id,
        )
        .await?;
        self.open_meeting_value(&row.host_id, MeetingColumn::MeetingId, &mut row.meeting_id)
            .await?;
        self.open_meeting_value(
            &row.host_id,
            MeetingColumn::MeetingUrl,
            &mut row.meeting_url,
        )
        .await?;
        Ok(Some(row))
    }

    /// Saves what a step created (ids, link) before the next step runs, each sealed under the
    /// key of the connection that made it (`sealed_meeting.rs`).
    pub async fn save_calendar_progress(
        &self,
        row: &CalendarWorkRow,
        progress: &CalendarProgress<'_>,
        now: i64,
    ) -> Result<(), StoreError> {
        let owners = row.owners();
        let event_id = self
            .seal_meeting_option(&owners, MeetingColumn::EventId, progress.event_id)
            .await?;
        let meeting_id = self
            .seal_meeting_option(&owners, MeetingColumn::MeetingId, progress.meeting_id)
            .await?;
        let meeting_url = self
            .seal_meeting_option(&owners, MeetingColumn::MeetingUrl, progress.meeting_url)
            .await?;
        self.execute(
            "save_calendar_progress",
            "UPDATE booking_calendar SET event_id = COALESCE(?2, event_id), \
             meeting_id = COALESCE(?3, meeting_id), meeting_url = COALESCE(?4, meeting_url), \
             updated_at = ?5 WHERE booking_id = ?1",
            &[
                Param::Text(&row.booking_id),
                event_id.as_deref().into(),
                meeting_id.as_deref().into(),
                meeting_url.as_deref().into(),
                Param::Int(now),
            ],
        )
        .await
        .map(|_| ())
    }

    /// Ends the row's work: `state` is `created`, `removed` or `failed`. A row that was
    /// cancelled meanwhile (now `removing`) is left for its removal.
    pub async fn finish_calendar_work(
        &self,
        booking_id: &str,
        from_state: CalendarWorkState,
        state: CalendarWorkState,
        attempts: i64,
        last_error: Option<&str>,
        now: i64,
    ) -> Result<bool, StoreError> {
        let changed = self
            .execute(
                "finish_calendar_work",
                "UPDATE booking_calendar SET state = ?3, attempts = ?4, last_error = ?5, \
                 updated_at = ?6 WHERE booking_id = ?1 AND state = ?2",
                &[
                    Param::Text(booking_id),
                    Param::Text(from_state.as_str()),
                    Param::Text(state.as_str()),
                    Param::Int(attempts),
                    last_error.map_or(Param::Null, Param::Text),
                    Param::Int(now),
                ],
            )
            .await?;
        Ok(changed == 1)
    }

    /// Gives up creating a booking's event or meeting and queues the host's email about it,
    /// in one batch: the email goes only if this call moved the row to `failed`.
    pub async fn give_up_calendar_work(
        &self,
        host_id: &str,
        booking_id: &str,
        attempts: i64,
        last_error: &str,
        now: i64,
        email: &NewEmail,
    ) -> Result<(), StoreError> {
        let finish = [
            Param::Text(booking_id),
            Param::Int(attempts),
            Param::Text(last_error),
            Param::Int(now),
        ];
        let payload = self
            .sealed_payloads(host_id, std::slice::from_ref(email))
            .await?
            .remove(0);
        let queue = queue_params(email, &payload, booking_id, now);
        self.batch(
            "give_up_calendar_work",
            &[
                (
                    "UPDATE booking_calendar SET state = 'failed', attempts = ?2, last_error = ?3, \
                     updated_at = ?4 WHERE booking_id = ?1 AND state = 'pending'",
                    &finish,
                ),
                (
                    "INSERT INTO email_outbox (id, booking_id, kind, recipient_hash, payload, \
                     attempts, next_attempt_at, created_at) \
                     SELECT ?1, ?2, ?3, ?4, ?5, 0, ?6, ?6 WHERE EXISTS (SELECT 1 FROM \
                     booking_calendar WHERE booking_id = ?2 AND state = 'failed' AND updated_at = ?6) \
                     ON CONFLICT (booking_id, kind, lead_minutes) DO NOTHING",
                    &queue,
                ),
            ],
        )
        .await
        .map(|_| ())
    }

    /// Records a meeting link that arrived after the booking and queues the invitee's email
    /// with it, in one batch: the email goes at most once per booking (the outbox's unique
    /// kind) and only while the booking is confirmed.
    pub async fn record_late_meeting_link(
        &self,
        row: &CalendarWorkRow,
        meeting_url: &str,
        email: Option<&NewEmail>,
        now: i64,
    ) -> Result<(), StoreError> {
        let (host_id, booking_id) = (row.host_id.as_str(), row.booking_id.as_str());
        let meeting_url = self
            .seal_meeting_value(&row.owners(), MeetingColumn::MeetingUrl, meeting_url)
            .await?;
        let save = [
            Param::Text(booking_id),
            Param::Text(&meeting_url),
            Param::Int(now),
        ];
        let save_statement = (
            "UPDATE booking_calendar SET meeting_url = ?2, updated_at = ?3 WHERE booking_id = ?1",
            &save[..],
        );
        match email {
            None => {
                self.batch("record_late_meeting_link", &[save_statement])
                    .await
            }
            Some(email) => {
                let payload = self
                    .sealed_payloads(host_id, std::slice::from_ref(email))
                    .await?
                    .remove(0);
                let queue = queue_params(email, &payload, booking_id, now);
                self.batch(
                    "record_late_meeting_link",
                    &[
                        save_statement,
                        (
                            "INSERT INTO email_outbox (id, booking_id, kind, recipient_hash, \
                             payload, attempts, next_attempt_at, created_at) \
                             SELECT ?1, ?2, ?3, ?4, ?5, 0, ?6, ?6 WHERE EXISTS (SELECT 1 FROM \
                             bookings WHERE id = ?2 AND status = 'confirmed') \
                             ON CONFLICT (booking_id, kind, lead_minutes) DO NOTHING",
                            &queue,
                        ),
                    ],
                )
                .await
            }
        }
        .map(|_| ())
    }

    /// Schedules another attempt at `next_at`.
    pub async fn retry_calendar_work(
        &self,
        booking_id: &str,
        attempts: i64,
        next_at: i64,
        last_error: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        self.execute(
            "retry_calendar_work",
            "UPDATE booking_calendar SET attempts = ?2, next_attempt_at = ?3, last_error = ?4, \
             updated_at = ?5 WHERE booking_id = ?1",
            &[
                Param::Text(booking_id),
                Param::Int(attempts),
                Param::Int(next_at),
                Param::Text(last_error),
                Param::Int(now),
            ],
        )
        .await
        .map(|_| ())
    }

    /// Bookings of a host starting after `now` that have (or may have) an event or meeting
    /// at a provider.
    pub async fn upcoming_calendar_work(
        &self,
        host_id: &str,
        now: i64,
    ) -> Result<Vec<String>, StoreError> {
        let rows: Vec<TextValue> = self
            .all(
                "upcoming_calendar_work",
                "SELECT c.booking_id AS value FROM booking_calendar c JOIN bookings b ON b.id = c.booking_id \
                 WHERE c.host_id = ?1 AND b.start_at > ?2 AND c.state IN ('pending', 'created', 'failed', 'removing')",
                &[Param::Text(host_id), Param::Int(now)],
            )
            .await?;
        Ok(rows.into_iter().map(|row| row.value).collect())
    }

    /// The meeting link of a booking, once its meeting exists.
    pub async fn meeting_url(
        &self,
        booking_id: &str,
    ) -> Result<Option<MeetingLinkRow>, StoreError> {
        let row = self
            .all_columns(
                "meeting_url",
                "SELECT json_array(host_id, state, conference, meeting_url, attempts) AS value \
                 FROM booking_calendar WHERE booking_id = ?1",
                &[Param::Text(booking_id)],
            )
            .await?
            .into_iter()
            .next()
            .map(|mut row| {
                Ok::<_, StoreError>(MeetingLinkRow {
                    host_id: row.text()?,
                    state: row.parsed()?,
                    conference: row.parsed()?,
                    meeting_url: row.optional_text()?,
                    attempts: row.number()?,
                })
            })
            .transpose()?;
        let Some(mut row) = row else {
            return Ok(None);
        };
        self.open_meeting_value(
            &row.host_id,
            MeetingColumn::MeetingUrl,
            &mut row.meeting_url,
        )
        .await?;
        Ok(Some(row))
    }
}

impl CalendarWorkRow {
    /// The row from `calendar_work`'s `json_array(...)`, its columns in the fields' order.
    fn read(mut row: Columns) -> Result<Self, StoreError> {
        let work = Self {
            booking_id: row.take(Columns::text),
            host_id: row.take(Columns::text),
            calendar: row
                .take(Columns::optional_text)
                .map(|name| super::connections::connection_key(&name))
                .transpose()?,
            calendar_id: row.take(Columns::optional_text),
            conference: row.take_or(Columns::parsed, MeetingMaker::None),
            event_id: row.take(Columns::optional_text),
            meeting_id: row.take(Columns::optional_text),
            meeting_url: row.take(Columns::optional_text),
            state: row.take_or(Columns::parsed, CalendarWorkState::Pending),
            attempts: row.take(Columns::number),
            start_at: row.take(Columns::number),
            end_at: row.take(Columns::number),
            invitee_name: row.take(Columns::text),
            invitee_email: row.take(Columns::text),
            event_title: row.take(Columns::text),
            event_description: row.take(Columns::text),
            host_email: row.take(Columns::text),
            host_time_zone: row.take(Columns::text),
            invitee_sealed: row.take(Columns::optional_text),
        };
        row.finish(work)
    }

    /// The calendar connection the event goes to, with its calendar; `None` when no calendar
    /// receives it.
    pub fn calendar_connection(&self) -> Option<(ConnectionKey, CalendarProvider)> {
        let key = self.calendar?;
        Some((key, key.provider.calendar()?))
    }

    /// Whose connections the row's event and meeting belong to.
    fn owners(&self) -> MeetingOwners<'_> {
        MeetingOwners {
            host_id: &self.host_id,
            calendar: self.calendar,
            conference: self.conference.as_str(),
        }
    }
}

/// What the booking's pages say about its meeting link.
#[derive(Debug, Clone)]
pub struct MeetingLinkRow {
    pub host_id: String,
    pub state: CalendarWorkState,
    pub conference: MeetingMaker,
    pub meeting_url: Option<String>,
    /// How many times the work was tried: 0 while a booking made through the form waits for
    /// its confirmation page to make the event and meeting.
    pub attempts: i64,
}
