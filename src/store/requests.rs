//! Requests waiting for the host's approval (migration 0029): approving one, and ending one
//! as declined or expired. A request is a booking row that holds its time, so the booking
//! statement needs nothing of its own for it; what is here are the three ways out, each one
//! conditional UPDATE with its emails (and, on approval, its calendar work and webhooks) in
//! the same batch, so a request is approved or ended exactly once however the host's clicks,
//! the API and the cron race.

use super::booking_calendar::{
    NewCalendarWork, HOLD_NEW_BOOKING_EMAILS, INSERT_CALENDAR_WORK, PAGE_HOLD_SECONDS,
};
use super::outbox::queue_params;
use super::webhooks::{queue_params as webhook_params, queue_statement as queue_webhooks};
use super::{NewEmail, Param, Store, StoreError, TextValue};
use crate::core::booking_status::RequestOutcome;
use crate::core::webhooks::WebhookEvent;
use crate::providers::calendar::MeetingMaker;

/// Queues an email of an approval's batch only if booking `?2` is now approved (confirmed and
/// no longer waiting), at most one of each kind per booking: approving twice queues nothing
/// the second time.
const QUEUE_FOR_APPROVED: &str =
    "INSERT INTO email_outbox (id, booking_id, kind, recipient_hash, payload, attempts, next_attempt_at, created_at) \
     SELECT ?1, ?2, ?3, ?4, ?5, 0, ?6, ?6 WHERE EXISTS (SELECT 1 FROM bookings WHERE id = ?2 \
     AND status = 'confirmed' AND awaiting_approval_until IS NULL) \
     ON CONFLICT (booking_id, kind, lead_minutes) DO NOTHING";

/// Queues the email that tells the invitee how their request ended, only if booking `?2`
/// ended as a request (declined or expired), once.
const QUEUE_FOR_ENDED_REQUEST: &str =
    "INSERT INTO email_outbox (id, booking_id, kind, recipient_hash, payload, attempts, next_attempt_at, created_at) \
     SELECT ?1, ?2, ?3, ?4, ?5, 0, ?6, ?6 WHERE EXISTS (SELECT 1 FROM bookings WHERE id = ?2 \
     AND request_outcome IS NOT NULL) \
     ON CONFLICT (booking_id, kind, lead_minutes) DO NOTHING";

/// How many ended requests one cron run handles; the rest wait for the next minute.
pub const EXPIRED_REQUESTS_PER_RUN: i64 = 20;

impl Store {
    /// Approves the host's (`host_id`) request `id` if it is still waiting at `now`, and in
    /// the same batch queues the booking's `emails` (the confirmation and the host's
    /// notification), its `calendar` work (held emails wait for the meeting link, as a new
    /// booking's do) and its `booking.created` webhooks. True when this call approved it.
    pub async fn approve_request(
        &self,
        host_id: &str,
        id: &str,
        now: i64,
        emails: &[NewEmail],
        calendar: Option<&NewCalendarWork>,
    ) -> Result<bool, StoreError> {
        let approve = [Param::Text(id), Param::Text(host_id), Param::Int(now)];
        let payloads = self.sealed_payloads(host_id, emails).await?;
        let email_params: Vec<_> = emails
            .iter()
            .zip(&payloads)
            .map(|(email, payload)| queue_params(email, payload, id, now))
            .collect();
        let calendar_name = calendar
            .and_then(|work| work.calendar)
            .map(|key| key.name());
        let calendar_id = match calendar {
            Some(work) => self.sealed_calendar_id(host_id, work).await?,
            None => None,
        };
        let calendar_params = calendar.map(|work| {
            [
                Param::Text(id),
                Param::Text(host_id),
                work.calendar.map_or(Param::Null, |calendar| {
                    Param::Text(calendar.provider.as_str())
                }),
                Param::Text(work.conference.as_str()),
                Param::Int(now),
                Param::Int(now),
                calendar_name.as_deref().into(),
                calendar_id.as_deref().into(),
            ]
        });
        let hold = [Param::Text(id), Param::Int(now + PAGE_HOLD_SECONDS)];
        let webhooks = webhook_params(id, WebhookEvent::Created, now);
        let mut statements: Vec<(&'static str, &[Param<'_>])> = vec![(
            "UPDATE bookings SET awaiting_approval_until = NULL \
             WHERE id = ?1 AND host_id = ?2 AND status = 'confirmed' \
             AND awaiting_approval_until > ?3",
            &approve,
        )];
        statements.extend(
            email_params
                .iter()
                .map(|params| (QUEUE_FOR_APPROVED, params.as_slice())),
        );
        if let Some(params) = &calendar_params {
            statements.push((INSERT_CALENDAR_WORK, params.as_slice()));
        }
        if calendar.is_some_and(|work| work.conference != MeetingMaker::None) {
            statements.push((HOLD_NEW_BOOKING_EMAILS, &hold));
        }
        statements.push((queue_webhooks(WebhookEvent::Created), &webhooks));
        let changed = self.batch("approve_request", &statements).await?;
        Ok(changed.first() == Some(&1))
    }

    /// Ends request `id` as `outcome` and queues the invitee's `email` saying so, in one
    /// batch: declined only while it is still waiting at `now`, expired only once its hold
    /// has run out. The row becomes `cancelled`, so its time is free again and its data is
    /// erased on the schedule of cancelled bookings. True when this call ended it.
    pub async fn end_request(
        &self,
        id: &str,
        outcome: RequestOutcome,
        now: i64,
        host_id: &str,
        email: &NewEmail,
    ) -> Result<bool, StoreError> {
        let end = [
            Param::Text(id),
            Param::Int(now),
            Param::Text(outcome.as_str()),
        ];
        let payload = self
            .sealed_payloads(host_id, std::slice::from_ref(email))
            .await?
            .remove(0);
        let queue = queue_params(email, &payload, id, now);
        let changed = self
            .batch(
                "end_request",
                &[
                    (
                        "UPDATE bookings SET status = 'cancelled', request_outcome = ?3 \
                         WHERE id = ?1 AND status = 'confirmed' \
                         AND awaiting_approval_until IS NOT NULL \
                         AND CASE ?3 WHEN 'expired' THEN awaiting_approval_until <= ?2 \
                         ELSE awaiting_approval_until > ?2 END",
                        &end,
                    ),
                    (QUEUE_FOR_ENDED_REQUEST, &queue),
                ],
            )
            .await?;
        Ok(changed.first() == Some(&1))
    }

    /// Requests whose hold ran out by `now` without an answer, oldest first: the cron ends
    /// each as expired ([`Self::end_request`]).
    pub async fn expired_request_ids(&self, now: i64) -> Result<Vec<String>, StoreError> {
        let rows: Vec<TextValue> = self
            .all(
                "expired_request_ids",
                "SELECT id AS value FROM bookings WHERE status = 'confirmed' \
                 AND awaiting_approval_until IS NOT NULL AND awaiting_approval_until <= ?1 \
                 ORDER BY awaiting_approval_until LIMIT ?2",
                &[Param::Int(now), Param::Int(EXPIRED_REQUESTS_PER_RUN)],
            )
            .await?;
        Ok(rows.into_iter().map(|row| row.value).collect())
    }
}
