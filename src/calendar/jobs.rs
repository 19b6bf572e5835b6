//! The events and meetings bookings get at the providers: created after a booking, moved
//! with a reschedule, removed with a cancellation.
//!
//! Each booking's work is a `booking_calendar` row written in the booking's own batch, so it
//! cannot be lost. It runs on the confirmation page the booking form redirects to (so that
//! page usually has the meeting link) or, for a booking made through the API, in the next
//! cron run, and from the cron trigger with backoff until it succeeds or is given up.
//! Whichever run makes the meeting puts its link into the booking's emails still waiting in
//! the outbox, and the first try lets them go. Every step is idempotent: the Google event id and Graph
//! `transactionId` are the booking id, a Zoom meeting is found again by the marker in its
//! agenda, and each id is saved the moment it exists.

use chrono::{DateTime, Utc};

use super::call::CallError;
use super::Calendars;
use crate::core::availability::Interval;
use crate::core::calendar_work::CalendarWorkState;
use crate::core::event_type::LocationKind;
use crate::core::types::{Email, PersonName, TimeZoneName};
use crate::mail::backoff::{after_failure, AfterFailure};
use crate::mail::render::{self, CalendarFailure};
use crate::mail::Kind;
use crate::providers::calendar::google::{self, SendUpdates};
use crate::providers::calendar::own_meetings::{CreatedMeeting, MeetingSearch, OwnMeetings};
use crate::providers::calendar::receiving::{receiving, Connected, EventCalendar};
use crate::providers::calendar::{
    microsoft, ApiError, Attendee, BookingKey, CalendarProvider, Conference, ConferenceStatus,
    CreatedEvent, NewEvent,
};
use crate::providers::connection_key::ConnectionKey;
use crate::store::{
    BookingDetailsRow, CalendarProgress, CalendarWorkRow, ConnectionRow, NewCalendarWork, NewEmail,
    StoreError,
};

/// How long a claimed row is left alone by other runs.
const LEASE_SECONDS: i64 = 120;
/// Reads, inside one run, of an event whose Meet or Teams link is still being made.
const CONFERENCE_POLLS: u32 = 4;
/// Runs (with the usual backoff) that read a link still being made before the event is kept
/// without one: the booking page then names the place instead of a link.
const LINK_RUNS: i64 = 8;
/// Event ids a booking's Google event may take (its own and the alternates used after an
/// event with the earlier one was deleted in the calendar).
const GOOGLE_EVENT_IDS: u32 = 4;
/// Looks for a meeting made on its own (Zoom) by its marker, then creates it, at most this
/// often in one run: every create after the first comes only after a search found nothing.
const MEETING_CREATES: u32 = 3;

/// How one row's work ended this time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// With the meeting link this run made, if it made one.
    Done {
        link: Option<String>,
    },
    Retrying,
    GivenUp,
    /// Not due, already done, or claimed by another run.
    Skipped,
}

/// Why a step failed: worth another try later, or not.
enum StepError {
    Temporary(String),
    Permanent(String),
}

impl From<CallError> for StepError {
    fn from(error: CallError) -> Self {
        match error {
            CallError::NeedsReconnect => Self::Temporary("needs reconnect".into()),
            CallError::Unavailable(why) | CallError::Ours(why) => Self::Temporary(why),
            CallError::Api(ApiError::Rejected { status, code }) => {
                Self::Permanent(format!("rejected {status} {code}"))
            }
            CallError::Api(other) => Self::Temporary(other.to_string()),
            CallError::Build(error) => Self::Permanent(error.to_string()),
        }
    }
}

fn when(row: &CalendarWorkRow) -> Result<Interval, StepError> {
    let at = |s: i64| DateTime::<Utc>::from_timestamp(s, 0);
    match (at(row.start_at), at(row.end_at)) {
        (Some(start), Some(end)) => {
            Interval::new(start, end).map_err(|e| StepError::Permanent(e.to_string()))
        }
        _ => Err(StepError::Permanent("booking times out of range".into())),
    }
}

impl Calendars<'_> {
    /// Works through up to `rows` due rows (cron); says whether it tried any provider call.
    pub async fn run_due(&self, rows: i64) -> Result<bool, StoreError> {
        let mut worked = false;
        for booking_id in self
            .store
            .due_calendar_work(self.now.timestamp(), rows)
            .await?
        {
            worked |= self.process(&booking_id).await? != Outcome::Skipped;
        }
        Ok(worked)
    }

    /// Claims the row of `booking_id` if it is due and does its work.
    pub async fn process(&self, booking_id: &str) -> Result<Outcome, StoreError> {
        let now = self.now.timestamp();
        if !self
            .store
            .claim_calendar_work(booking_id, now, now + LEASE_SECONDS)
            .await?
        {
            return Ok(Outcome::Skipped);
        }
        self.work_claimed(booking_id, None).await
    }

    /// Claims the first try of `booking_id`'s work, which its booking form left to the
    /// confirmation page (held, see `store::PAGE_HOLD_SECONDS`), and does it. `booking` is
    /// the booking as the page read it (its emails are rendered from it).
    pub async fn process_left(&self, booking: &BookingDetailsRow) -> Result<Outcome, StoreError> {
        let booking_id = booking.id.as_str();
        let now = self.now.timestamp();
        if !self
            .store
            .claim_left_calendar_work(booking_id, now, now + LEASE_SECONDS)
            .await?
        {
            return Ok(Outcome::Skipped);
        }
        self.work_claimed(booking_id, Some(booking)).await
    }

    async fn work_claimed(
        &self,
        booking_id: &str,
        booking: Option<&BookingDetailsRow>,
    ) -> Result<Outcome, StoreError> {
        let now = self.now.timestamp();
        let Some(row) = self.store.calendar_work(booking_id).await? else {
            return Ok(Outcome::Skipped);
        };
        let result = match row.state {
            CalendarWorkState::Pending => self.create_or_move(&row).await,
            CalendarWorkState::Removing => self.remove(&row).await.map(|()| None),
            CalendarWorkState::Created | CalendarWorkState::Failed | CalendarWorkState::Removed => {
                return Ok(Outcome::Skipped)
            }
        };
        let attempts = row.attempts + 1;
        let outcome = self.record(&row, booking, attempts, result).await;
        if row.state == CalendarWorkState::Pending && row.attempts == 0 {
            // The booking's emails waited for this first try (`store::PAGE_HOLD_SECONDS`):
            // with the link it made, or without it, they may leave with the next delivery.
            if let Err(why) = self.store.release_held_emails(booking_id, now).await {
                worker::console_warn!(
                    "emails of booking {booking_id} stay held until their hold ends: {why}"
                );
            }
        }
        outcome
    }

    /// Saves what one try of `row`'s work achieved: done (with the link it made put into the
    /// waiting emails), retried later with backoff, or given up.
    async fn record(
        &self,
        row: &CalendarWorkRow,
        booking: Option<&BookingDetailsRow>,
        attempts: i64,
        result: Result<Option<String>, StepError>,
    ) -> Result<Outcome, StoreError> {
        let now = self.now.timestamp();
        let booking_id = row.booking_id.as_str();
        match result {
            Ok(made_link) => {
                let done = if row.state == CalendarWorkState::Pending {
                    CalendarWorkState::Created
                } else {
                    CalendarWorkState::Removed
                };
                self.store
                    .finish_calendar_work(booking_id, row.state, done, attempts, None, now)
                    .await?;
                if let Some(url) = made_link
                    .as_deref()
                    .filter(|url| url.starts_with("https://"))
                {
                    if let Err(why) = self.link_into_queued_emails(booking_id, url, booking).await {
                        worker::console_warn!(
                            "meeting link in the emails of booking {booking_id}: {why}"
                        );
                    }
                }
                Ok(Outcome::Done { link: made_link })
            }
            Err(StepError::Temporary(why)) => {
                let tries = u32::try_from(attempts).unwrap_or(u32::MAX);
                match after_failure(tries, self.now) {
                    AfterFailure::RetryAt(at) => {
                        worker::console_warn!(
                            "calendar work of booking {booking_id}: attempt {attempts} failed ({why}), retrying at {at}"
                        );
                        self.store
                            .retry_calendar_work(
                                booking_id,
                                attempts,
                                at.timestamp(),
                                &short(&why),
                                now,
                            )
                            .await?;
                        Ok(Outcome::Retrying)
                    }
                    AfterFailure::GiveUp => self.give_up(row, attempts, &why).await,
                }
            }
            Err(StepError::Permanent(why)) => self.give_up(row, attempts, &why).await,
        }
    }

    async fn give_up(
        &self,
        row: &CalendarWorkRow,
        attempts: i64,
        why: &str,
    ) -> Result<Outcome, StoreError> {
        worker::console_error!(
            "calendar work of booking {}: given up after {attempts} attempts ({why})",
            row.booking_id
        );
        let now = self.now.timestamp();
        if row.state != CalendarWorkState::Pending {
            // A removal that keeps failing: the booking is cancelled either way.
            self.store
                .finish_calendar_work(
                    &row.booking_id,
                    row.state,
                    CalendarWorkState::Removed,
                    attempts,
                    Some(&short(why)),
                    now,
                )
                .await?;
            return Ok(Outcome::GivenUp);
        }
        match self.failure_email(row) {
            Ok(email) => {
                self.store
                    .give_up_calendar_work(
                        &row.host_id,
                        &row.booking_id,
                        attempts,
                        &short(why),
                        now,
                        &email,
                    )
                    .await?;
            }
            Err(error) => {
                worker::console_error!(
                    "calendar failure email of booking {}: {error}",
                    row.booking_id
                );
                self.store
                    .finish_calendar_work(
                        &row.booking_id,
                        CalendarWorkState::Pending,
                        CalendarWorkState::Failed,
                        attempts,
                        Some(&short(why)),
                        now,
                    )
                    .await?;
            }
        }
        Ok(Outcome::GivenUp)
    }

    /// The host's email saying the booking is not in their calendar.
    fn failure_email(&self, row: &CalendarWorkRow) -> Result<NewEmail, String> {
        let conference = row.conference.label();
        let at = |s: i64| DateTime::<Utc>::from_timestamp(s, 0).unwrap_or_default();
        let connections_url = self.origin.as_deref().map_or_else(
            || "Connected accounts in your Openslot dashboard".to_owned(),
            |origin| format!("{origin}/dashboard/connections"),
        );
        let message = render::host_calendar_failure(&CalendarFailure {
            host_email: &row.host_email,
            host_zone: TimeZoneName::parse(&row.host_time_zone)
                .map(TimeZoneName::tz)
                .unwrap_or(chrono_tz::UTC),
            event_title: &row.event_title,
            invitee_name: &row.invitee_name,
            invitee_email: &row.invitee_email,
            start: at(row.start_at),
            end: at(row.end_at),
            calendar: row.calendar.map(ConnectionKey::label).as_deref(),
            conference,
            connections_url: &connections_url,
        })
        .map_err(|e| e.to_string())?;
        self.store
            .new_email(Kind::HostCalendarFailure.as_str(), &message.to, &message)
            .map_err(|e| e.to_string())
    }

    async fn connection(
        &self,
        row: &CalendarWorkRow,
        key: ConnectionKey,
    ) -> Result<Option<ConnectionRow>, StepError> {
        self.store
            .connection(&row.host_id, key)
            .await
            .map_err(|e| StepError::Temporary(e.to_string()))
    }

    /// Creates what is missing (a meeting made on its own, then the calendar event), or moves what
    /// exists to the booking's time (after a reschedule).
    /// Makes or moves the event (and meeting) of `row`; the meeting link when this step made
    /// a new one.
    async fn create_or_move(&self, row: &CalendarWorkRow) -> Result<Option<String>, StepError> {
        let when = when(row)?;
        let zone = TimeZoneName::parse(&row.host_time_zone)
            .or_else(|_| TimeZoneName::parse("UTC"))
            .map_err(|e| StepError::Permanent(e.to_string()))?;
        let urls = &self.config.services;
        let mut join_url = row.meeting_url.clone();
        let mut made_link = None;
        let maker = row.conference;
        if let Some((meeting_provider, meetings)) = maker.made_on_its_own() {
            if let Some(meeting_connection) = self
                .connection(row, ConnectionKey::first(meeting_provider))
                .await?
            {
                match &row.meeting_id {
                    Some(id) => {
                        self.call(
                            &meeting_connection,
                            |token| meetings.reschedule(urls, token, id, when, zone),
                            |response| meetings.parse_rescheduled(response),
                        )
                        .await?;
                    }
                    None => {
                        let event = self.new_event(row, when, zone, Conference::None)?;
                        let meeting = self
                            .own_meeting(meetings, &meeting_connection, row, &event)
                            .await?;
                        self.progress(
                            row,
                            None,
                            Some(&meeting.meeting_id),
                            Some(&meeting.join_url),
                        )
                        .await?;
                        join_url = Some(meeting.join_url.clone());
                        made_link = Some(meeting.join_url);
                    }
                }
            }
        }
        let Some((key, provider)) = row.calendar_connection() else {
            return Ok(made_link);
        };
        let Some(connection) = self.connection(row, key).await? else {
            // The calendar was disconnected since: there is nowhere to put the event.
            return Ok(made_link);
        };
        if let Some(event_id) = &row.event_id {
            if maker.on_the_event() == Some(provider) && row.meeting_url.is_none() {
                // The event exists and its Meet or Teams link was still being made: read it
                // (a PATCH would send the attendees an update for nothing).
                return self
                    .await_link(row, &connection, provider, event_id, when, zone)
                    .await
                    .map(|()| None);
            }
            return match provider {
                CalendarProvider::Google => self
                    .call(
                        &connection,
                        |token| {
                            google::move_event(
                                urls,
                                token,
                                google_calendar(row),
                                event_id,
                                when,
                                zone,
                                send_updates(&connection),
                            )
                        },
                        google::parse_event,
                    )
                    .await
                    .map(|_| None)
                    .map_err(StepError::from),
                CalendarProvider::Microsoft => self
                    .call(
                        &connection,
                        |token| microsoft::move_event(urls, token, event_id, when),
                        microsoft::parse_moved,
                    )
                    .await
                    .map(|()| None)
                    .map_err(StepError::from),
                CalendarProvider::CalDav => {
                    let conference = join_url
                        .clone()
                        .map_or(Conference::None, Conference::JoinUrl);
                    let event = self.new_event(row, when, zone, conference)?;
                    self.caldav_move(&connection, row, &event, event_id)
                        .await
                        .map(|()| None)
                        .map_err(StepError::from)
                }
            };
        }
        let conference = match (maker.on_the_event(), provider) {
            (Some(CalendarProvider::Google), CalendarProvider::Google) => Conference::GoogleMeet,
            (Some(CalendarProvider::Microsoft), CalendarProvider::Microsoft) => {
                Conference::TeamsMeeting
            }
            _ => join_url
                .clone()
                .map_or(Conference::None, Conference::JoinUrl),
        };
        let event = self.new_event(row, when, zone, conference)?;
        let created = match provider {
            CalendarProvider::Google => {
                self.google_event(&connection, google_calendar(row), &event)
                    .await?
            }
            CalendarProvider::Microsoft => {
                let teams = event.conference == Conference::TeamsMeeting;
                self.call(
                    &connection,
                    |token| {
                        microsoft::create_event(urls, token, &event, row.calendar_id.as_deref())
                    },
                    |response| microsoft::parse_event(response, teams),
                )
                .await?
            }
            CalendarProvider::CalDav => CreatedEvent {
                event_id: self.caldav_create(&connection, row, &event).await?,
                meeting_url: None,
                conference: ConferenceStatus::NotRequested,
                cancelled: false,
                starts_at: Some(when.start()),
            },
        };
        if created.conference != ConferenceStatus::Pending {
            // The event with its link, saved at once: a later run reads this event, it never
            // makes another.
            let link = created.meeting_url.or(join_url);
            self.progress(row, Some(&created.event_id), None, link.as_deref())
                .await?;
            return Ok(link);
        }
        // Saved at once, before waiting for the link.
        self.progress(row, Some(&created.event_id), None, None)
            .await?;
        let created = self
            .poll_conference(&connection, provider, google_calendar(row), created)
            .await?;
        let link = created.meeting_url.or(join_url);
        self.progress(row, None, None, link.as_deref()).await?;
        if created.conference == ConferenceStatus::Pending {
            return Err(StepError::Temporary("conference still pending".into()));
        }
        Ok(link)
    }

    /// Reads the event of `row` again while its Meet or Teams link is being made. Once the
    /// link is there it is saved and emailed to the invitee (who booked before it existed);
    /// after [`LINK_RUNS`] runs, or when the provider says it failed, the event is kept
    /// without one. An event that a reschedule has to move is moved afterwards.
    async fn await_link(
        &self,
        row: &CalendarWorkRow,
        connection: &ConnectionRow,
        provider: CalendarProvider,
        event_id: &str,
        when: Interval,
        zone: TimeZoneName,
    ) -> Result<(), StepError> {
        let calendar = google_calendar(row);
        let event = self
            .read_event(connection, provider, calendar, event_id)
            .await?;
        let event = self
            .poll_conference(connection, provider, calendar, event)
            .await?;
        match (&event.meeting_url, event.conference) {
            (Some(url), _) => {
                let email = match self.link_email(row, url).await {
                    Ok(email) => email,
                    Err(why) => {
                        worker::console_warn!(
                            "meeting link email of booking {}: {why}",
                            row.booking_id
                        );
                        None
                    }
                };
                self.store
                    .record_late_meeting_link(row, url, email.as_ref(), self.now.timestamp())
                    .await
                    .map_err(|e| StepError::Temporary(e.to_string()))?;
            }
            (None, ConferenceStatus::Pending) if row.attempts < LINK_RUNS => {
                return Err(StepError::Temporary("conference still pending".into()));
            }
            (None, _) => worker::console_warn!(
                "booking {}: the provider made no meeting link; the event stays without one",
                row.booking_id
            ),
        }
        if event.starts_at.is_some_and(|start| start != when.start()) {
            let urls = &self.config.services;
            match provider {
                CalendarProvider::Google => {
                    self.call(
                        connection,
                        |token| {
                            google::move_event(
                                urls,
                                token,
                                calendar,
                                event_id,
                                when,
                                zone,
                                send_updates(connection),
                            )
                        },
                        google::parse_event,
                    )
                    .await?;
                }
                CalendarProvider::Microsoft => {
                    self.call(
                        connection,
                        |token| microsoft::move_event(urls, token, event_id, when),
                        microsoft::parse_moved,
                    )
                    .await?;
                }
                // Only a link made on the event itself is awaited, and CalDAV makes none.
                CalendarProvider::CalDav => return Err(no_link_on(provider)),
            }
        }
        Ok(())
    }

    /// `GET` of a booking's event at its calendar (`calendar`: Google's calendar id; Graph
    /// reads the event by its id alone).
    async fn read_event(
        &self,
        connection: &ConnectionRow,
        provider: CalendarProvider,
        calendar: &str,
        event_id: &str,
    ) -> Result<CreatedEvent, StepError> {
        let urls = &self.config.services;
        let read = match provider {
            CalendarProvider::Google => {
                self.call(
                    connection,
                    |token| google::get_event(urls, token, calendar, event_id),
                    google::parse_event,
                )
                .await
            }
            CalendarProvider::Microsoft => {
                self.call(
                    connection,
                    |token| microsoft::get_event(urls, token, event_id),
                    |response| microsoft::parse_event(response, true),
                )
                .await
            }
            CalendarProvider::CalDav => return Err(no_link_on(provider)),
        };
        Ok(read?)
    }

    /// Reads `event` again, a few times half a second apart, while its link is pending
    /// (Google `createRequest.status.statusCode: pending`, Graph `onlineMeeting: null`).
    async fn poll_conference(
        &self,
        connection: &ConnectionRow,
        provider: CalendarProvider,
        calendar: &str,
        mut event: CreatedEvent,
    ) -> Result<CreatedEvent, StepError> {
        for _ in 0..CONFERENCE_POLLS {
            if event.conference != ConferenceStatus::Pending {
                break;
            }
            worker::Delay::from(std::time::Duration::from_millis(500)).await;
            event = self
                .read_event(connection, provider, calendar, &event.event_id.clone())
                .await?;
        }
        Ok(event)
    }

    /// Puts the meeting link just made into the booking's confirmation to the invitee and
    /// notification to the host while both still wait in the outbox (the usual case: they
    /// leave after the run that made the meeting). Already sent, they stay as they were: the
    /// link is on the booking's page and in the provider's invitation. A reschedule's emails
    /// are of other kinds and are left alone.
    async fn link_into_queued_emails(
        &self,
        booking_id: &str,
        url: &str,
        known: Option<&BookingDetailsRow>,
    ) -> Result<(), String> {
        let Some(origin) = &self.origin else {
            return Ok(());
        };
        let read;
        let booking = match known {
            Some(booking) => booking,
            None => {
                read = self
                    .store
                    .booking_by_id(booking_id)
                    .await
                    .map_err(|e| e.to_string())?;
                let Some(booking) = &read else {
                    return Ok(());
                };
                booking
            }
        };
        if !booking.status.is_confirmed() {
            return Ok(());
        }
        let (Some(start), Some(end)) = (
            DateTime::from_timestamp(booking.start_at, 0),
            DateTime::from_timestamp(booking.end_at, 0),
        ) else {
            return Err("booking times out of range".into());
        };
        let answers = crate::core::questions::answers_from_json(&booking.answers);
        let manage_url = crate::mail::links::queued_manage_url(origin);
        let facts = render::BookingFacts {
            answers: &answers,
            ..crate::mail::stored::facts(booking, start, end, Some(url), &manage_url)
        };
        let mut replacements = Vec::new();
        for (kind, message) in [
            (
                Kind::InviteeConfirmation,
                render::invitee_confirmation(&facts, self.now),
            ),
            (
                Kind::HostNotification,
                render::host_notification(&facts, self.now),
            ),
        ] {
            let message = message.map_err(|e| e.to_string())?;
            let payload = serde_json::to_string(&message).map_err(|e| e.to_string())?;
            replacements.push((kind.as_str(), payload));
        }
        self.store
            .replace_unsent_payloads(&booking.host_id, booking_id, &replacements)
            .await
            .map_err(|e| e.to_string())?;
        Ok(())
    }

    /// The invitee's email with a meeting link that arrived after they booked; `None` when
    /// the booking is no longer confirmed.
    async fn link_email(
        &self,
        row: &CalendarWorkRow,
        url: &str,
    ) -> Result<Option<NewEmail>, String> {
        let Some(booking) = self
            .store
            .booking_by_id(&row.booking_id)
            .await
            .map_err(|e| e.to_string())?
        else {
            return Ok(None);
        };
        if !booking.status.is_confirmed() {
            return Ok(None);
        }
        let (Some(start), Some(end)) = (
            DateTime::from_timestamp(booking.start_at, 0),
            DateTime::from_timestamp(booking.end_at, 0),
        ) else {
            return Err("booking times out of range".into());
        };
        let manage_url = match &self.origin {
            Some(origin) => {
                let token = self
                    .config
                    .link_key
                    .manage_token(&booking.host_id, &booking.idempotency_key);
                format!("{origin}/booking/{token}")
            }
            None => String::new(),
        };
        let facts = crate::mail::stored::facts(&booking, start, end, Some(url), &manage_url);
        let message = render::invitee_meeting_link(&facts, self.now).map_err(|e| e.to_string())?;
        self.store
            .new_email(Kind::InviteeMeetingLink.as_str(), &message.to, &message)
            .map(Some)
            .map_err(|e| e.to_string())
    }

    fn new_event(
        &self,
        row: &CalendarWorkRow,
        when: Interval,
        host_zone: TimeZoneName,
        conference: Conference,
    ) -> Result<NewEvent, StepError> {
        let key =
            BookingKey::parse(&row.booking_id).map_err(|e| StepError::Permanent(e.to_string()))?;
        let email = Email::parse(&row.invitee_email)
            .map_err(|_| StepError::Permanent("invitee address unusable".into()))?;
        let name = PersonName::parse(&row.invitee_name)
            .or_else(|_| PersonName::parse("Invitee"))
            .map_err(|_| StepError::Permanent("invitee name unusable".into()))?;
        let title = format!("{} with {}", row.event_title, name.as_str());
        Ok(NewEvent {
            key,
            title,
            description: format!("{}\n\nBooked with Openslot.", row.event_description.trim())
                .trim_start()
                .to_owned(),
            when,
            host_zone,
            attendee: Attendee { email, name },
            conference,
            location: None,
        })
    }

    /// Google: insert with our id; a 409 means an earlier try made it, so read it back. An
    /// event with our id that was deleted in the calendar reads back `cancelled` (Google keeps
    /// it, and keeps its id taken): it is not the booking's event, so the insert is made again
    /// under the next [`google::alternate_event_id`].
    async fn google_event(
        &self,
        connection: &ConnectionRow,
        calendar: &str,
        event: &NewEvent,
    ) -> Result<CreatedEvent, StepError> {
        let urls = &self.config.services;
        for n in 0..GOOGLE_EVENT_IDS {
            let id = match n {
                0 => google::event_id(event).to_owned(),
                n => google::alternate_event_id(event, n),
            };
            let inserted = self
                .call(
                    connection,
                    |token| {
                        google::insert_event_as(
                            urls,
                            token,
                            calendar,
                            event,
                            &id,
                            send_updates(connection),
                        )
                    },
                    google::parse_event,
                )
                .await;
            match inserted {
                Ok(created) if !created.cancelled => return Ok(created),
                // The insert was answered with the deleted event (a repeated conference
                // `requestId`): the same as a 409 on it.
                Ok(_) => {}
                Err(CallError::Api(ApiError::Conflict)) => {
                    let existing = self
                        .call(
                            connection,
                            |token| google::get_event(urls, token, calendar, &id),
                            google::parse_event,
                        )
                        .await?;
                    if !existing.cancelled {
                        return Ok(existing);
                    }
                }
                Err(other) => return Err(other.into()),
            }
        }
        Err(StepError::Permanent(
            "every event id of this booking was deleted in the calendar".into(),
        ))
    }

    /// A meeting made on its own (Zoom): find the one an earlier try may have made (by the
    /// booking's marker), else schedule one. Zoom has no idempotency key and may answer 5xx
    /// after making the meeting, so a create is never retried blindly: before every create but
    /// a first one, the host's upcoming meetings are searched for the marker.
    async fn own_meeting(
        &self,
        meetings: &dyn OwnMeetings,
        connection: &ConnectionRow,
        row: &CalendarWorkRow,
        event: &NewEvent,
    ) -> Result<CreatedMeeting, StepError> {
        let urls = &self.config.services;
        let mut last_error = None;
        for create in 0..MEETING_CREATES {
            if create > 0 || row.attempts > 0 {
                if let Some(found) = self.find_own_meeting(meetings, connection, event).await? {
                    return Ok(found);
                }
            }
            match self
                .call_once(
                    connection,
                    |token| meetings.create(urls, token, event),
                    |response| meetings.parse_created(response),
                )
                .await
            {
                Ok(meeting) => return Ok(meeting),
                // Maybe made, maybe not: look before trying again.
                Err(error @ CallError::Unavailable(_)) => last_error = Some(error),
                Err(other) => return Err(other.into()),
            }
        }
        Err(last_error
            .map(StepError::from)
            .unwrap_or_else(|| StepError::Temporary("meeting create".into())))
    }

    /// The meeting of `event` among the host's upcoming meetings, by its marker.
    async fn find_own_meeting(
        &self,
        meetings: &dyn OwnMeetings,
        connection: &ConnectionRow,
        event: &NewEvent,
    ) -> Result<Option<CreatedMeeting>, StepError> {
        let urls = &self.config.services;
        let mut page: Option<String> = None;
        for _ in 0..5 {
            let found = self
                .call(
                    connection,
                    |token| meetings.search(urls, token, page.as_deref()),
                    |response| meetings.parse_search(response, &event.key),
                )
                .await?;
            match found {
                MeetingSearch::Found(meeting) => return Ok(Some(meeting)),
                MeetingSearch::NextPage(next) => page = Some(next),
                MeetingSearch::Absent => return Ok(None),
            }
        }
        // More pages than we read: creating again could duplicate; try again later.
        Err(StepError::Temporary("too many meetings to search".into()))
    }

    async fn progress(
        &self,
        row: &CalendarWorkRow,
        event_id: Option<&str>,
        meeting_id: Option<&str>,
        meeting_url: Option<&str>,
    ) -> Result<(), StepError> {
        self.store
            .save_calendar_progress(
                row,
                &CalendarProgress {
                    event_id,
                    meeting_id,
                    meeting_url,
                },
                self.now.timestamp(),
            )
            .await
            .map_err(|e| StepError::Temporary(e.to_string()))
    }

    /// Deletes the event and meeting of `row` at once (account deletion), outside the retry
    /// bookkeeping; the reason when it did not work.
    pub async fn remove_now(&self, row: &CalendarWorkRow) -> Result<(), String> {
        self.remove(row).await.map_err(|error| match error {
            StepError::Temporary(why) | StepError::Permanent(why) => why,
        })
    }

    /// Deletes the event and the meeting of a cancelled booking; gone already is fine.
    async fn remove(&self, row: &CalendarWorkRow) -> Result<(), StepError> {
        let urls = &self.config.services;
        if let (Some(meeting_id), Some((meeting_provider, meetings))) =
            (&row.meeting_id, row.conference.made_on_its_own())
        {
            if let Some(connection) = self
                .connection(row, ConnectionKey::first(meeting_provider))
                .await?
            {
                self.call(
                    &connection,
                    |token| meetings.delete(urls, token, meeting_id),
                    |response| meetings.parse_deleted(response),
                )
                .await?;
            }
        }
        let Some((key, provider)) = row.calendar_connection() else {
            return Ok(());
        };
        let Some(connection) = self.connection(row, key).await? else {
            return Ok(());
        };
        // Without the create's answer: a Google event's id is the booking id, a CalDAV
        // event's URL is made of the booking key; an Outlook event was never made.
        let event_id = match (provider, &row.event_id) {
            (_, Some(id)) => id.clone(),
            (CalendarProvider::Google, None) => row.booking_id.clone(),
            (CalendarProvider::Microsoft, None) => return Ok(()),
            (CalendarProvider::CalDav, None) => {
                let key = BookingKey::parse(&row.booking_id)
                    .map_err(|e| StepError::Permanent(e.to_string()))?;
                self.caldav_event_url(&connection, &key, row.calendar_id.as_deref())?
            }
        };
        let deleted = match provider {
            CalendarProvider::Google => {
                self.call(
                    &connection,
                    |token| {
                        google::delete_event(
                            urls,
                            token,
                            google_calendar(row),
                            &event_id,
                            send_updates(&connection),
                        )
                    },
                    google::parse_deleted,
                )
                .await
            }
            CalendarProvider::Microsoft => {
                self.call(
                    &connection,
                    |token| microsoft::delete_event(urls, token, &event_id),
                    microsoft::parse_deleted,
                )
                .await
            }
            CalendarProvider::CalDav => self.caldav_delete(&connection, &event_id).await,
        };
        deleted.map(|_| ()).map_err(StepError::from)
    }
}

/// A calendar whose events carry no meeting of their own was asked for one: our mistake, so
/// retrying would not help.
fn no_link_on(provider: CalendarProvider) -> StepError {
    StepError::Permanent(format!(
        "{} events carry no meeting link",
        provider.as_str()
    ))
}

/// A failure as stored: short, and never a provider's message text (only ours).
fn short(why: &str) -> String {
    why.chars().take(200).collect()
}

/// The Google calendar id of `row`'s event: the one it went to, else the primary calendar.
fn google_calendar(row: &CalendarWorkRow) -> &str {
    row.calendar_id.as_deref().unwrap_or("primary")
}

/// What a new booking needs done at the providers, from the event type's location, the
/// calendar it chose (`chosen`) and the host's connections; `None` when nothing (no calendar,
/// no meeting). The chosen calendar receives the event while its connection is connected and
/// working, else the connection that receives events does, in its default calendar
/// ([`receiving`]).
pub fn work_for(
    location_kind: LocationKind,
    connections: &[ConnectionRow],
    chosen: Option<&EventCalendar>,
) -> Option<NewCalendarWork> {
    let connected: Vec<Connected> = connections
        .iter()
        .map(|c| Connected {
            key: c.key,
            receives_events: c.receives_events == 1,
            working: c.breakage().is_none(),
        })
        .collect();
    receiving(location_kind, &connected, chosen).map(|work| NewCalendarWork {
        calendar: work.calendar,
        calendar_id: work.calendar_id,
        conference: work.conference,
        left_to_page: false,
    })
}

/// Whether Google emails the invitee too, as the host chose for this connection.
fn send_updates(connection: &ConnectionRow) -> SendUpdates {
    if connection.send_updates == 1 {
        SendUpdates::All
    } else {
        SendUpdates::None
    }
}
