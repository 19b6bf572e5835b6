//! Queries about bookings, including the one atomic statement that makes double booking
//! impossible: the conflict check, the daily cap and the insert are a single SQL statement,
//! and D1 runs each statement alone, so two racing requests cannot both pass the check.
//! The booking's emails are queued in the same D1 batch (one transaction), so a booking
//! never exists without its emails, and emails never exist without their booking.

use serde::Deserialize;

use super::columns::{deserialize_row, Columns};
use crate::core::availability::{Measure, Scope};
use crate::core::booking_plan::CapCheck;
use crate::core::booking_status::BookingStatus;
use crate::core::calendar_work::CalendarWorkState;
use crate::core::event_type::LocationKind;

use super::booking_calendar::{
    NewCalendarWork, HOLD_NEW_BOOKING_EMAILS, INSERT_CALENDAR_WORK, MOVE_CALENDAR_WORK,
    PAGE_HOLD_SECONDS, REMOVE_CALENDAR_WORK,
};
use super::outbox::{queue_params, QUEUE_FOR_CANCELLED_BOOKING, QUEUE_FOR_NEW_BOOKING};
use super::sealed_invitee::{
    InviteeToSeal, SealedInvitee, BLANK_ANSWERS, BLANK_EMAIL, BLANK_NAME, BLANK_NOTE,
    BLANK_TIME_ZONE,
};
use super::webhooks::{queue_params as webhook_params, queue_statement as queue_webhooks};
use super::{BookingRow, NewEmail, Param, Store, StoreError};
use crate::core::single_use_link::LinkState;
use crate::core::webhooks::WebhookEvent;
use crate::providers::calendar::MeetingMaker;

/// The one rule every new booking must pass, inside a single INSERT … SELECT … WHERE: nothing
/// confirmed of the host (`?2`; a request waiting for approval is `confirmed` in D1, so it
/// holds its time and counts toward every cap like a booking) and none of the host's time off overlaps the meeting plus its
/// buffers `[?13, ?14)` (the engine counts time off as busy time), and for
/// each cap of `?15` (a JSON array of `[cap, from, until]`, one per local day, week or month
/// the start falls in: [`CapCheck`]), fewer than `cap` confirmed bookings of the event type
/// (`?3`) start in `[from, until)`. `$others` narrows which bookings count (a moved booking
/// not itself).
macro_rules! slot_is_free {
    ($others:literal) => {
        concat!(
            "NOT EXISTS (SELECT 1 FROM bookings WHERE host_id = ?2 AND status = 'confirmed' ",
            $others,
            " AND start_at < ?14 AND end_at > ?13) \
             AND NOT EXISTS (SELECT 1 FROM time_off WHERE host_id = ?2 \
             AND start_at < ?14 AND end_at > ?13) \
             AND NOT EXISTS (SELECT 1 FROM json_each(?15) AS cap \
             WHERE (SELECT COALESCE(SUM(CASE WHEN json_extract(cap.value, '$[4]') = 1 \
             THEN end_at - start_at ELSE 1 END), 0) FROM bookings WHERE host_id = ?2 \
             AND (json_extract(cap.value, '$[3]') = 1 OR event_type_id = ?3) \
             AND status = 'confirmed' ",
            $others,
            " AND start_at >= json_extract(cap.value, '$[1]') \
             AND start_at < json_extract(cap.value, '$[2]')) \
             + (CASE WHEN json_extract(cap.value, '$[4]') = 1 THEN ?5 - ?4 ELSE 1 END) \
             > json_extract(cap.value, '$[0]'))"
        )
    };
}

/// Everything needed to insert one booking and check it against the others.
pub struct NewBookingRow<'a> {
    pub id: &'a str,
    pub host_id: &'a str,
    pub event_type_id: &'a str,
    pub start_at: i64,
    pub end_at: i64,
    /// The span no other booking of the host may touch: the meeting plus its buffers.
    pub blocked_from: i64,
    pub blocked_until: i64,
    /// The caps of the slot's local day, week and month in the schedule's zone (those the
    /// event type has).
    pub caps: &'a [CapCheck],
    pub invitee_name: &'a str,
    pub invitee_email: &'a str,
    pub invitee_time_zone: &'a str,
    pub note: &'a str,
    pub manage_token_hash: &'a str,
    pub idempotency_key: &'a str,
    pub created_at: i64,
    /// The calendar entry this booking is: its own for a new booking, the moved one's after
    /// a reschedule.
    pub calendar_uid: &'a str,
    /// SEQUENCE of this booking's invitation: 0 for a new booking, one more per reschedule.
    pub sequence: i64,
    /// The invitee's answers to the host's questions, as stored (`core::questions`).
    pub answers: &'a str,
    /// The language the invitee booked in (`en`, `de`): their emails are written in it.
    pub lang: &'a str,
    /// The SHA-256 of the single-use link the invitee books through, if any: the booking
    /// goes in only while that link is open, and uses it up.
    pub single_use_link_hash: Option<&'a str>,
    /// For an event type that needs the host's approval: when the request's hold ends.
    pub awaiting_approval_until: Option<i64>,
}

impl NewBookingRow<'_> {
    /// The bound parameters ?1 … ?21 of the booking INSERTs below: the caps as one JSON
    /// array in ?15, the invitee's plaintext columns (?6 … ?9, ?18) blank, the invitee sealed
    /// in ?20 and its address's index in ?21.
    fn params<'b>(&'b self, invitee: &'b SealedInvitee, caps: &'b str) -> Vec<Param<'b>> {
        vec![
            Param::Text(self.id),
            Param::Text(self.host_id),
            Param::Text(self.event_type_id),
            Param::Int(self.start_at),
            Param::Int(self.end_at),
            Param::Text(BLANK_NAME),
            Param::Text(BLANK_EMAIL),
            Param::Text(BLANK_TIME_ZONE),
            Param::Text(BLANK_NOTE),
            Param::Text(self.manage_token_hash),
            Param::Text(self.idempotency_key),
            Param::Int(self.created_at),
            Param::Int(self.blocked_from),
            Param::Int(self.blocked_until),
            Param::Text(caps),
            Param::Text(self.calendar_uid),
            Param::Int(self.sequence),
            Param::Text(BLANK_ANSWERS),
            Param::Text(self.lang),
            Param::Text(&invitee.sealed),
            Param::Text(&invitee.email_index),
        ]
    }

    /// The caps as the statement's `json_each` reads them: `[[cap, from, until, host-wide,
    /// in seconds], …]` (the two flags 0 or 1).
    fn caps_json(&self) -> String {
        let caps: Vec<String> = self
            .caps
            .iter()
            .map(|c| {
                let host_wide = u8::from(c.scope == Scope::Host);
                let seconds = u8::from(c.measure == Measure::Minutes);
                format!("[{},{},{},{host_wide},{seconds}]", c.cap, c.from, c.until)
            })
            .collect();
        format!("[{}]", caps.join(","))
    }

    /// This booking's invitee, sealed under its host's data key.
    async fn sealed_invitee(&self, store: &Store) -> Result<SealedInvitee, StoreError> {
        store
            .seal_invitee(
                self.host_id,
                self.id,
                &InviteeToSeal {
                    name: self.invitee_name,
                    email: self.invitee_email,
                    time_zone: self.invitee_time_zone,
                    note: self.note,
                    answers: self.answers,
                },
            )
            .await
    }
}

/// What the atomic insert did.
pub enum InsertOutcome {
    Created,
    /// The same idempotency key already made this booking.
    AlreadyCreated(BookingRow),
    /// The idempotency key was used before for a different booking.
    KeyReused,
    /// Another booking overlaps, or the day is full.
    Conflict,
    /// The single-use link was used or ran out (its state) before this booking could use
    /// it, or was removed (`None`).
    LinkClosed(Option<LinkState>),
}

/// Uses up the single-use link hashing to `?3` at `?2`, if booking `?1` went in (the INSERT
/// before it in the same batch checked that the link was open).
const USE_SINGLE_USE_LINK: &str = "UPDATE single_use_links SET used_at = ?2 \
     WHERE token_hash = ?3 AND used_at IS NULL AND EXISTS (SELECT 1 FROM bookings WHERE id = ?1)";

/// The host's (`?1`) confirmed bookings and time off overlapping `[?2, ?3)` (Unix seconds), by
/// start, in one statement: each statement of a D1 batch costs workerd's D1 client time of its
/// own (BENCHMARKS.md, *CPU per request*). A time-off row has `time_off_id` and no
/// `event_type_id`; the store splits them ([`BusyOrTimeOffRow`]).
/// Each row is one JSON array (`store/columns.rs`), read by [`BusyOrTimeOffRow`]'s
/// `Deserialize`.
pub(super) const BUSY_OVERLAPPING: &str = "SELECT json_array(event_type_id, start_at, end_at, \
     time_off_id, note) AS value FROM (SELECT event_type_id, start_at, end_at, \
     NULL AS time_off_id, NULL AS note FROM bookings \
     WHERE host_id = ?1 AND status = 'confirmed' AND start_at < ?3 AND end_at > ?2 \
     UNION ALL SELECT NULL, start_at, end_at, id, note FROM time_off \
     WHERE host_id = ?1 AND start_at < ?3 AND end_at > ?2) ORDER BY start_at";

/// A row of [`BUSY_OVERLAPPING`]: a booking's time, or a span of time off.
#[derive(Debug)]
pub(super) struct BusyOrTimeOffRow {
    event_type_id: Option<String>,
    start_at: i64,
    end_at: i64,
    time_off_id: Option<String>,
    note: Option<String>,
}

impl<'de> Deserialize<'de> for BusyOrTimeOffRow {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserialize_row(deserializer, "busy_overlapping", |mut row| {
            Ok(Self {
                event_type_id: row.optional_text()?,
                start_at: row.number()?,
                end_at: row.number()?,
                time_off_id: row.optional_text()?,
                note: row.optional_text()?,
            })
        })
    }
}

impl BusyOrTimeOffRow {
    /// The bookings and the time off among `rows`, each in the rows' order.
    pub(super) fn split(rows: Vec<Self>) -> (Vec<BusyRow>, Vec<super::time_off::TimeOffRow>) {
        let (mut bookings, mut time_off) = (Vec::new(), Vec::new());
        for row in rows {
            match row.time_off_id {
                Some(id) => time_off.push(super::time_off::TimeOffRow {
                    id,
                    start_at: row.start_at,
                    end_at: row.end_at,
                    note: row.note.unwrap_or_default(),
                }),
                None => bookings.push(BusyRow {
                    event_type_id: row.event_type_id.unwrap_or_default(),
                    start_at: row.start_at,
                    end_at: row.end_at,
                }),
            }
        }
        (bookings, time_off)
    }
}

/// The host's (`?1`) confirmed bookings that start in `[?4, ?5)`, of every event type when
/// `?2` is 1 (a host-wide limit), else of event type `?3` only: what the weekly and monthly
/// limits count, over whole weeks and months.
/// Each row is one JSON array (`store/columns.rs`), read by [`BusyRow`]'s `Deserialize`.
pub(super) const COUNTED_BOOKINGS: &str =
    "SELECT json_array(event_type_id, start_at, end_at) AS value \
     FROM bookings WHERE host_id = ?1 AND (?2 = 1 OR event_type_id = ?3) \
     AND status = 'confirmed' AND start_at >= ?4 AND start_at < ?5";

/// A confirmed booking's occupied time, for turning into busy intervals.
#[derive(Debug)]
pub struct BusyRow {
    pub event_type_id: String,
    pub start_at: i64,
    pub end_at: i64,
}

impl<'de> Deserialize<'de> for BusyRow {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserialize_row(deserializer, "counted_bookings", |mut row| {
            Ok(Self {
                event_type_id: row.text()?,
                start_at: row.number()?,
                end_at: row.number()?,
            })
        })
    }
}

/// A booking with its host and event type: what the invitee's pages show and what its
/// emails say (cancellation, reminder; see `mail::stored`).
#[derive(Debug)]
pub struct BookingDetailsRow {
    pub id: String,
    pub event_type_id: String,
    pub start_at: i64,
    pub end_at: i64,
    pub status: BookingStatus,
    /// While a request waits for the host: when its hold ends ([`BookingStatus::Pending`]).
    pub awaiting_approval_until: Option<i64>,
    pub invitee_name: String,
    pub invitee_email: String,
    pub invitee_time_zone: String,
    pub note: String,
    pub host_slug: String,
    pub host_name: String,
    pub host_email: String,
    pub host_time_zone: String,
    pub event_slug: String,
    pub event_title: String,
    pub location_kind: crate::core::event_type::LocationKind,
    /// The number, address or link the event type names for its place.
    pub location_detail: String,
    pub host_id: String,
    pub calendar_uid: String,
    pub sequence: i64,
    /// Set once the booking was moved: the id of the booking it became.
    pub rescheduled_to: Option<String>,
    /// The invitee's answers to the host's questions (JSON, `core::questions`).
    pub answers: String,
    /// The language the invitee booked in (`en`, `de`).
    pub lang: String,
    /// With the host, what the manage link is derived from.
    pub idempotency_key: String,
    pub created_at: i64,
    /// The meeting link, once the provider made it.
    pub meeting_url: Option<String>,
    /// Where its calendar event stands (`booking_calendar.state`), if it gets one.
    pub calendar_state: Option<CalendarWorkState>,
    /// After a reschedule, the booking this one replaced.
    pub rescheduled_from: Option<String>,
    /// The invitee, sealed (`sealed_invitee.rs`); the store opens it into the fields above.
    pub(super) invitee_sealed: Option<String>,
    /// Its event type's cut-off for the invitee's changes (`core::lifecycle::ChangeWindow`).
    pub change_cutoff_minutes: i64,
    /// The language its event type fixes its pages to, if any.
    pub event_lang: Option<crate::i18n::Lang>,
    /// Its event type's paragraph for the invitee's confirmation email.
    pub confirmation_message: crate::core::host_message::HostMessage,
}

impl BookingDetailsRow {
    /// The booking from a row of `booking_details_select!`, its columns in the fields'
    /// order; a column of another type fails the row.
    fn read(mut row: Columns) -> Result<Self, StoreError> {
        let booking = Self {
            id: row.take(Columns::text),
            event_type_id: row.take(Columns::text),
            start_at: row.take(Columns::number),
            end_at: row.take(Columns::number),
            status: row.take_or(Columns::parsed, BookingStatus::Cancelled),
            awaiting_approval_until: row.take(Columns::optional_number),
            invitee_name: row.take(Columns::text),
            invitee_email: row.take(Columns::text),
            invitee_time_zone: row.take(Columns::text),
            note: row.take(Columns::text),
            host_slug: row.take(Columns::text),
            host_name: row.take(Columns::text),
            host_email: row.take(Columns::text),
            host_time_zone: row.take(Columns::text),
            event_slug: row.take(Columns::text),
            event_title: row.take(Columns::text),
            location_kind: row.take_or(Columns::parsed, LocationKind::None),
            location_detail: row.take(Columns::text),
            host_id: row.take(Columns::text),
            calendar_uid: row.take(Columns::text),
            sequence: row.take(Columns::number),
            rescheduled_to: row.take(Columns::optional_text),
            answers: row.take(Columns::text),
            lang: row.take(Columns::text),
            idempotency_key: row.take(Columns::text),
            created_at: row.take(Columns::number),
            meeting_url: row.take(Columns::optional_text),
            calendar_state: row.take(Columns::parsed),
            rescheduled_from: row.take(Columns::optional_text),
            invitee_sealed: row.take(Columns::optional_text),
            change_cutoff_minutes: row.take(Columns::number),
            event_lang: row.take(Columns::parsed),
            confirmation_message: row.take(Columns::parsed),
        };
        row.finish(booking)
    }
}

/// The key a booking's manage link is derived from, with its host.
#[derive(Debug)]
pub struct LinkKeyRow {
    pub host_id: String,
    pub idempotency_key: String,
}

/// Which of the host's bookings a page lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookingsWhen {
    /// Not ended yet, soonest first.
    Upcoming,
    /// Ended, most recent first.
    Past,
}

/// How many bookings each list of the host's bookings page shows at a time.
pub const HOST_BOOKINGS_LIMIT: i64 = 25;

/// A booking row's (alias `b`) status columns read as one [`BookingStatus`] word: a request
/// still waiting is `confirmed` in D1, so every check that a time is taken counts it, and
/// reads as `pending` here; an ended request reads as its outcome (migration 0029).
macro_rules! status_of_b {
    () => {
        "CASE WHEN b.request_outcome IS NOT NULL THEN b.request_outcome \
         WHEN b.status = 'confirmed' AND b.awaiting_approval_until IS NOT NULL THEN 'pending' \
         ELSE b.status END"
    };
}

/// The columns of [`BookingDetailsRow`] as one JSON array, in its fields' order
/// ([`BookingDetailsRow::read`]), and their joins, before a `WHERE`.
macro_rules! booking_details_select {
    () => {
        concat!("SELECT json_array(b.id, b.event_type_id, b.start_at, b.end_at, ", status_of_b!(),
        ", b.awaiting_approval_until, b.invitee_name, b.invitee_email, \
         b.invitee_time_zone, b.note, h.slug, h.name, COALESCE(h.email_sealed, h.email), \
         h.time_zone, e.slug, e.title, e.location_kind, \
         e.location_detail, b.host_id, COALESCE(b.calendar_uid, b.id || '@openslot'), b.sequence, \
         b.rescheduled_to, b.answers, b.lang, b.idempotency_key, b.created_at, c.meeting_url, \
         c.state, b.rescheduled_from, b.invitee_sealed, e.change_cutoff_minutes, \
         e.lang, e.confirmation_message) AS value \
         FROM bookings b JOIN hosts h ON h.id = b.host_id JOIN event_types e ON e.id = b.event_type_id \
         LEFT JOIN booking_calendar c ON c.booking_id = b.id ")
    };
}

impl Store {
    /// The bookings `sql` (`booking_details_select!` and a tail) selects, their invitees opened.
    async fn booking_details(
        &self,
        query: &'static str,
        sql: &'static str,
        params: &[Param<'_>],
    ) -> Result<Vec<BookingDetailsRow>, StoreError> {
        let rows = self
            .all_columns(query, sql, params)
            .await?
            .into_iter()
            .map(BookingDetailsRow::read)
            .collect::<Result<Vec<_>, _>>()?;
        self.all_opened(rows).await
    }

    /// Inserts the booking only if nothing of the host's overlaps it and the day is not full,
    /// in one statement, together with its `emails` (queued only if the booking went in), in
    /// one batch; then tells which of the outcomes happened.
    pub async fn insert_booking_if_free(
        &self,
        row: &NewBookingRow<'_>,
        emails: &[NewEmail],
        calendar: Option<&NewCalendarWork>,
    ) -> Result<InsertOutcome, StoreError> {
        let invitee = row.sealed_invitee(self).await?;
        let caps = row.caps_json();
        let mut booking_params = row.params(&invitee, &caps);
        booking_params.push(row.single_use_link_hash.into());
        booking_params.push(row.awaiting_approval_until.into());
        let link_params = row.single_use_link_hash.map(|hash| {
            [
                Param::Text(row.id),
                Param::Int(row.created_at),
                Param::Text(hash),
            ]
        });
        let calendar_name = calendar
            .and_then(|work| work.calendar)
            .map(|key| key.name());
        let calendar_id = match calendar {
            Some(work) => self.sealed_calendar_id(row.host_id, work).await?,
            None => None,
        };
        let calendar_params = calendar.map(|work| {
            [
                Param::Text(row.id),
                Param::Text(row.host_id),
                work.calendar.map_or(Param::Null, |calendar| {
                    Param::Text(calendar.provider.as_str())
                }),
                Param::Text(work.conference.as_str()),
                Param::Int(row.created_at),
                Param::Int(if work.left_to_page {
                    row.created_at + PAGE_HOLD_SECONDS
                } else {
                    row.created_at
                }),
                calendar_name.as_deref().into(),
                calendar_id.as_deref().into(),
            ]
        });
        let hold = [
            Param::Text(row.id),
            Param::Int(row.created_at + PAGE_HOLD_SECONDS),
        ];
        let payloads = self.sealed_payloads(row.host_id, emails).await?;
        let email_params: Vec<_> = emails
            .iter()
            .zip(&payloads)
            .map(|(email, payload)| queue_params(email, payload, row.id, row.created_at))
            .collect();
        let mut statements: Vec<(&'static str, &[Param<'_>])> = vec![(
            concat!(
                "INSERT INTO bookings (id, host_id, event_type_id, start_at, end_at, status, invitee_name, \
                 invitee_email, invitee_time_zone, note, manage_token_hash, idempotency_key, created_at, \
                 calendar_uid, sequence, answers, lang, invitee_sealed, invitee_email_index, \
                 awaiting_approval_until) \
                 SELECT ?1, ?2, ?3, ?4, ?5, 'confirmed', ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?16, ?17, ?18, ?19, \
                 ?20, ?21, ?23 WHERE ",
                slot_is_free!(""),
                // A single-use link (?22) must still be open: unused and not expired.
                " AND (?22 IS NULL OR EXISTS (SELECT 1 FROM single_use_links \
                 WHERE token_hash = ?22 AND event_type_id = ?3 AND used_at IS NULL \
                 AND (expires_at IS NULL OR expires_at > ?12))) \
                 ON CONFLICT (host_id, idempotency_key) DO NOTHING"
            ),
            &booking_params,
        )];
        // The same transaction uses the link up, only if this booking went in.
        if let Some(params) = &link_params {
            statements.push((USE_SINGLE_USE_LINK, params.as_slice()));
        }
        statements.extend(
            email_params
                .iter()
                .map(|params| (QUEUE_FOR_NEW_BOOKING, params.as_slice())),
        );
        if let Some(params) = &calendar_params {
            statements.push((INSERT_CALENDAR_WORK, params.as_slice()));
        }
        // Emails that will carry a meeting link wait for it: whoever makes the link releases
        // them ([`Store::release_held_emails`]), or the cron sends them as they are.
        if calendar.is_some_and(|work| work.left_to_page || work.conference != MeetingMaker::None) {
            statements.push((HOLD_NEW_BOOKING_EMAILS, &hold));
        }
        let webhooks = webhook_params(row.id, WebhookEvent::Created, row.created_at);
        statements.push((queue_webhooks(WebhookEvent::Created), &webhooks));
        let changed = self
            .batch("insert_booking_if_free", &statements)
            .await?
            .first()
            .copied()
            .unwrap_or(0);
        if changed == 1 {
            return Ok(InsertOutcome::Created);
        }
        let earlier = self
            .booking_by_idempotency_key(row.host_id, row.idempotency_key)
            .await?;
        Ok(match earlier {
            Some(booking)
                if booking.start_at == row.start_at
                    && booking.end_at == row.end_at
                    && booking.event_type_id == row.event_type_id
                    && booking.same_invitee(&invitee.email_index, row.invitee_email) =>
            {
                InsertOutcome::AlreadyCreated(booking)
            }
            Some(_) => InsertOutcome::KeyReused,
            None => match row.single_use_link_hash {
                Some(hash) => {
                    let link = self
                        .single_use_link_by_token_hash(row.event_type_id, hash)
                        .await?;
                    match link.map(|link| link.state(row.created_at)) {
                        Some(LinkState::Open) => InsertOutcome::Conflict,
                        state => InsertOutcome::LinkClosed(state),
                    }
                }
                None => InsertOutcome::Conflict,
            },
        })
    }

    async fn booking_by_idempotency_key(
        &self,
        host_id: &str,
        key: &str,
    ) -> Result<Option<BookingRow>, StoreError> {
        self.first(
            "booking_by_idempotency_key",
            "SELECT id, event_type_id, start_at, end_at, invitee_email, invitee_email_index, \
             CASE WHEN status = 'confirmed' THEN awaiting_approval_until END AS awaiting_approval_until \
             FROM bookings \
             WHERE host_id = ?1 AND idempotency_key = ?2",
            &[Param::Text(host_id), Param::Text(key)],
        )
        .await
    }

    /// The booking whose manage link hashes to `token_hash`, with what its page shows.
    pub async fn booking_by_manage_token_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<BookingDetailsRow>, StoreError> {
        let found = self
            .booking_details(
                "booking_by_manage_token_hash",
                concat!(booking_details_select!(), "WHERE b.manage_token_hash = ?1"),
                &[Param::Text(token_hash)],
            )
            .await?;
        Ok(found.into_iter().next())
    }

    /// The booking `id`, with what its page shows.
    pub async fn booking_by_id(&self, id: &str) -> Result<Option<BookingDetailsRow>, StoreError> {
        let found = self
            .booking_details(
                "booking_by_id",
                concat!(booking_details_select!(), "WHERE b.id = ?1"),
                &[Param::Text(id)],
            )
            .await?;
        Ok(found.into_iter().next())
    }

    /// Cancels the confirmed booking `booking_id` if it has not started by `now` (nor, when
    /// `by_invitee`, reached its event type's change cut-off), and queues its cancellation
    /// `emails`, in one batch. True when this call cancelled it; false when it was already
    /// cancelled or it is too late (then nothing is queued).
    pub async fn cancel_booking(
        &self,
        host_id: &str,
        booking_id: &str,
        now: i64,
        by_invitee: bool,
        emails: &[NewEmail],
    ) -> Result<bool, StoreError> {
        let update_params = [Param::Text(booking_id), Param::Int(now)];
        let cancel_params = [
            Param::Text(booking_id),
            Param::Int(now),
            Param::Int(i64::from(by_invitee)),
        ];
        let payloads = self.sealed_payloads(host_id, emails).await?;
        let email_params: Vec<_> = emails
            .iter()
            .zip(&payloads)
            .map(|(email, payload)| queue_params(email, payload, booking_id, now))
            .collect();
        let mut statements: Vec<(&'static str, &[Param<'_>])> = vec![(
            "UPDATE bookings SET status = 'cancelled' \
             WHERE id = ?1 AND status = 'confirmed' AND start_at > ?2 + ?3 * 60 * \
             (SELECT change_cutoff_minutes FROM event_types WHERE id = bookings.event_type_id)",
            &cancel_params,
        )];
        statements.extend(
            email_params
                .iter()
                .map(|params| (QUEUE_FOR_CANCELLED_BOOKING, params.as_slice())),
        );
        statements.push((REMOVE_CALENDAR_WORK, &update_params));
        let webhooks = webhook_params(booking_id, WebhookEvent::Cancelled, now);
        statements.push((queue_webhooks(WebhookEvent::Cancelled), &webhooks));
        let changed = self.batch("cancel_booking", &statements).await?;
        Ok(changed.first() == Some(&1))
    }

    /// Moves the confirmed booking `old_id` to the new booking `new`, and queues the new
    /// booking's `emails`, in one batch (one transaction): the new booking goes in only if
    /// the old one is still confirmed, not moved and not started at `now`, and if nothing of
    /// the host's but the old booking overlaps it and the day (without the old booking) is
    /// not full; the old one is cancelled and linked only if the new one went in. True when
    /// this call moved it; false when nothing changed.
    pub async fn reschedule_booking(
        &self,
        old_id: &str,
        now: i64,
        new: &NewBookingRow<'_>,
        emails: &[NewEmail],
    ) -> Result<bool, StoreError> {
        let invitee = new.sealed_invitee(self).await?;
        let caps = new.caps_json();
        let mut insert_params = new.params(&invitee, &caps);
        insert_params.push(Param::Text(old_id));
        insert_params.push(Param::Int(now));
        let update_params = [Param::Text(old_id), Param::Text(new.id)];
        let calendar_params = [Param::Text(old_id), Param::Text(new.id), Param::Int(now)];
        let payloads = self.sealed_payloads(new.host_id, emails).await?;
        let email_params: Vec<_> = emails
            .iter()
            .zip(&payloads)
            .map(|(email, payload)| queue_params(email, payload, new.id, now))
            .collect();
        let mut statements: Vec<(&'static str, &[Param<'_>])> = vec![
            (
                concat!(
                    "INSERT INTO bookings (id, host_id, event_type_id, start_at, end_at, status, invitee_name, \
                     invitee_email, invitee_time_zone, note, manage_token_hash, idempotency_key, created_at, \
                     calendar_uid, sequence, answers, lang, invitee_sealed, invitee_email_index, rescheduled_from) \
                     SELECT ?1, ?2, ?3, ?4, ?5, 'confirmed', ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?16, ?17, ?18, ?19, \
                     ?20, ?21, ?22 \
                     WHERE EXISTS (SELECT 1 FROM bookings o JOIN event_types t ON t.id = o.event_type_id \
                                   WHERE o.id = ?22 AND o.status = 'confirmed' AND o.rescheduled_to IS NULL \
                                   AND o.start_at > ?23 + 60 * t.change_cutoff_minutes) AND ",
                    slot_is_free!("AND id <> ?22")
                ),
                &insert_params,
            ),
            (
                "UPDATE bookings SET status = 'cancelled', rescheduled_to = ?2 \
                 WHERE id = ?1 AND status = 'confirmed' \
                 AND EXISTS (SELECT 1 FROM bookings WHERE id = ?2 AND rescheduled_from = ?1)",
                &update_params,
            ),
        ];
        statements.extend(
            email_params
                .iter()
                .map(|params| (QUEUE_FOR_NEW_BOOKING, params.as_slice())),
        );
        statements.extend(
            MOVE_CALENDAR_WORK
                .iter()
                .map(|sql| (*sql, calendar_params.as_slice())),
        );
        let webhooks = webhook_params(new.id, WebhookEvent::Rescheduled, now);
        statements.push((queue_webhooks(WebhookEvent::Rescheduled), &webhooks));
        let changed = self.batch("reschedule_booking", &statements).await?;
        Ok(changed.first() == Some(&1) && changed.get(1) == Some(&1))
    }

    /// The host and idempotency key of booking `id`: what its manage link is derived from.
    pub async fn link_key_of(&self, id: &str) -> Result<Option<LinkKeyRow>, StoreError> {
        self.all_columns(
            "link_key_of",
            "SELECT json_array(host_id, idempotency_key) AS value FROM bookings WHERE id = ?1",
            &[Param::Text(id)],
        )
        .await?
        .into_iter()
        .next()
        .map(|mut row| {
            Ok(LinkKeyRow {
                host_id: row.text()?,
                idempotency_key: row.text()?,
            })
        })
        .transpose()
    }

    /// The host's booking `id`, with what its emails say; `None` for another host's booking.
    pub async fn host_booking(
        &self,
        host_id: &str,
        id: &str,
    ) -> Result<Option<BookingDetailsRow>, StoreError> {
        let found = self
            .booking_details(
                "host_booking",
                concat!(
                    booking_details_select!(),
                    "WHERE b.id = ?1 AND b.host_id = ?2"
                ),
                &[Param::Text(id), Param::Text(host_id)],
            )
            .await?;
        Ok(found.into_iter().next())
    }

    /// The host's confirmed bookings that start after `now`, all of them: what deleting the
    /// host's account cancels, each with what its cancellation email says.
    pub async fn host_future_confirmed_bookings(
        &self,
        host_id: &str,
        now: i64,
    ) -> Result<Vec<BookingDetailsRow>, StoreError> {
        self.booking_details(
            "host_future_confirmed_bookings",
            concat!(
                booking_details_select!(),
                "WHERE b.host_id = ?1 AND b.status = 'confirmed' AND b.start_at > ?2 ORDER BY b.start_at"
            ),
            &[Param::Text(host_id), Param::Int(now)],
        )
        .await
    }

    /// One page of the host's bookings (dashboard and API): `limit` of them in `when`'s order, after
    /// the booking `after` (its start and id: a keyset cursor, so pages neither skip nor repeat
    /// a booking when others are added meanwhile).
    pub async fn host_bookings_page(
        &self,
        host_id: &str,
        when: BookingsWhen,
        now: i64,
        after: Option<(i64, &str)>,
        limit: i64,
    ) -> Result<Vec<BookingDetailsRow>, StoreError> {
        let (start, id) = match after {
            Some((start, id)) => (Param::Int(start), Param::Text(id)),
            None => (Param::Null, Param::Null),
        };
        let params = [
            Param::Text(host_id),
            Param::Int(now),
            start,
            id,
            Param::Int(limit),
        ];
        match when {
            BookingsWhen::Upcoming => {
                self.booking_details(
                    "host_bookings_upcoming_page",
                    concat!(
                        booking_details_select!(),
                        "WHERE b.host_id = ?1 AND b.end_at > ?2 AND (?3 IS NULL OR b.start_at > ?3 \
                         OR (b.start_at = ?3 AND b.id > ?4)) ORDER BY b.start_at ASC, b.id ASC LIMIT ?5"
                    ),
                    &params,
                )
                .await
            }
            BookingsWhen::Past => {
                self.booking_details(
                    "host_bookings_past_page",
                    concat!(
                        booking_details_select!(),
                        "WHERE b.host_id = ?1 AND b.end_at <= ?2 AND (?3 IS NULL OR b.start_at < ?3 \
                         OR (b.start_at = ?3 AND b.id < ?4)) ORDER BY b.start_at DESC, b.id DESC LIMIT ?5"
                    ),
                    &params,
                )
                .await
            }
        }
    }
}
