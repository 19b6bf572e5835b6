//! Meeting services whose meetings are made on their own rather than on a calendar's event
//! (Zoom; Meet and Teams links come with the Google or Outlook event instead). Each such
//! service implements [`OwnMeetings`] in its module and names it in its registry entry
//! (`Entry::own_meetings`), so the Worker shell makes, finds, moves and deletes any of them the
//! same way: pure request builders and answer readers here, the sending in `calendar::jobs`.

use oauth2::{AccessToken, HttpRequest, HttpResponse};

use super::{ApiError, BookingKey, BuildError, Deleted, NewEvent};
use crate::config::ServiceUrls;
use crate::core::availability::Interval;
use crate::core::types::TimeZoneName;

/// A meeting as we keep it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedMeeting {
    /// The service's id of the meeting, as text (to move or delete it).
    pub meeting_id: String,
    /// The https link invitees join with; it goes into the calendar event.
    pub join_url: String,
}

/// The result of looking for a booking's meeting in one page of the host's meetings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MeetingSearch {
    /// The meeting that carries the booking's marker.
    Found(CreatedMeeting),
    /// Not on this page; more pages follow from this token.
    NextPage(String),
    /// Not there at all: the create never happened, so creating again is safe.
    Absent,
}

/// The calls of a service that makes meetings on their own. A service without an idempotency
/// key must let [`OwnMeetings::search`] find a meeting by the booking's key (a marker it wrote
/// at creation), because the shell searches before every create but a first one instead of
/// retrying blindly.
pub trait OwnMeetings: Sync {
    /// Schedules the meeting of `event`.
    fn create(
        &self,
        urls: &ServiceUrls,
        token: &AccessToken,
        event: &NewEvent,
    ) -> Result<HttpRequest, BuildError>;

    /// The created meeting, from the create's answer.
    fn parse_created(&self, response: &HttpResponse) -> Result<CreatedMeeting, ApiError>;

    /// One page (`page`: the token of a previous page) of the host's upcoming meetings.
    fn search(
        &self,
        urls: &ServiceUrls,
        token: &AccessToken,
        page: Option<&str>,
    ) -> Result<HttpRequest, BuildError>;

    /// The meeting of `key` in a page of the search, if it is there.
    fn parse_search(
        &self,
        response: &HttpResponse,
        key: &BookingKey,
    ) -> Result<MeetingSearch, ApiError>;

    /// Moves the meeting to `when`, shown in the host's zone.
    fn reschedule(
        &self,
        urls: &ServiceUrls,
        token: &AccessToken,
        meeting_id: &str,
        when: Interval,
        host_zone: TimeZoneName,
    ) -> Result<HttpRequest, BuildError>;

    /// A move's answer.
    fn parse_rescheduled(&self, response: &HttpResponse) -> Result<(), ApiError>;

    /// Deletes the meeting.
    fn delete(
        &self,
        urls: &ServiceUrls,
        token: &AccessToken,
        meeting_id: &str,
    ) -> Result<HttpRequest, BuildError>;

    /// A delete's answer; already gone counts as deleted.
    fn parse_deleted(&self, response: &HttpResponse) -> Result<Deleted, ApiError>;

    /// A cheap read that proves the grant and the API answer (the scheduled health check);
    /// nothing of its answer is kept.
    fn parse_reachable(&self, response: &HttpResponse) -> Result<(), ApiError>;
}
