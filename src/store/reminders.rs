//! Reminders: each event type's plan (`event_types.own_reminders`, `event_type_reminders`,
//! migration 0028), the reminders the cron finds due, and its claim on one, which queues the
//! reminder's emails in the same batch (`booking_reminders`).

use super::columns::Columns;
use super::outbox::{queue_params, QUEUE_FOR_REMINDER};
use super::{NewEmail, Param, Store, StoreError};
use crate::core::reminders::{Recipients, Reminder, ReminderPlan};

/// A reminder as the store reads it: one row of an event type's plan (with the event type's
/// choice; the reminder's columns are empty when it has none), of a host's export, or due for
/// a booking. One row type for the three reads, each row one JSON array of its seven columns
/// ([`ReminderRow::read`]; a read fills those it has no use for with 0 or ''): each type D1
/// rows are read into costs the Worker's size budget a deserializer.
#[derive(Debug)]
pub struct ReminderRow {
    own_reminders: i64,
    pub event_type_id: String,
    pub booking_id: String,
    pub host_id: String,
    minutes_before: Option<i64>,
    recipients: Option<String>,
    note: Option<String>,
}

impl ReminderRow {
    /// The reminder from a row of one of the three reads, its columns in the fields' order.
    fn read(mut row: Columns) -> Result<Self, StoreError> {
        let read = Self {
            own_reminders: row.take(Columns::number),
            event_type_id: row.take(Columns::text),
            booking_id: row.take(Columns::text),
            host_id: row.take(Columns::text),
            minutes_before: row.take(Columns::optional_number),
            recipients: row.take(Columns::optional_text),
            note: row.take(Columns::optional_text),
        };
        row.finish(read)
    }

    /// The rows of `all_columns`, read.
    fn read_all(rows: Vec<Columns>) -> Result<Vec<Self>, StoreError> {
        rows.into_iter().map(Self::read).collect()
    }

    /// How long before the meeting it goes out, in minutes.
    pub fn minutes_before(&self) -> i64 {
        self.minutes_before.unwrap_or_default()
    }

    /// Who gets it (the table's CHECK allows nothing else; the instance's goes to both).
    pub fn recipients(&self) -> Recipients {
        Recipients::parse(self.recipients.as_deref().unwrap_or_default())
            .unwrap_or(Recipients::Both)
    }

    /// The host's text; empty: none.
    pub fn note(&self) -> &str {
        self.note.as_deref().unwrap_or_default()
    }
}

/// A minute's lead bound for the due scan's index: no reminder is more than thirty days ahead.
const MAX_LEAD_SECONDS: i64 = crate::core::lifecycle::MAX_REMINDER_MINUTES * 60;

impl Store {
    /// The reminder plan of the host's event type `event_type_id`; `None` when the host has
    /// no such event type.
    pub async fn reminder_plan(
        &self,
        host_id: &str,
        event_type_id: &str,
    ) -> Result<Option<ReminderPlan>, StoreError> {
        let rows = self
            .all_columns(
                "reminder_plan",
                "SELECT json_array(e.own_reminders, '', '', '', r.minutes_before, r.recipients, \
                 r.note) AS value FROM event_types e \
                 LEFT JOIN event_type_reminders r ON r.event_type_id = e.id \
                 WHERE e.id = ?1 AND e.host_id = ?2 ORDER BY r.minutes_before DESC",
                &[Param::Text(event_type_id), Param::Text(host_id)],
            )
            .await?;
        let rows = ReminderRow::read_all(rows)?;
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        if first.own_reminders == 0 {
            return Ok(Some(ReminderPlan::Instance));
        }
        let reminders = rows
            .iter()
            .filter(|row| row.minutes_before.is_some())
            .map(|row| Reminder {
                minutes_before: row.minutes_before(),
                recipients: row.recipients(),
                note: row.note().to_owned(),
            })
            .collect();
        Ok(Some(ReminderPlan::Own(reminders)))
    }

    /// Every reminder of the host's event types, for their data export.
    pub async fn export_reminders(&self, host_id: &str) -> Result<Vec<ReminderRow>, StoreError> {
        let rows = self
            .all_columns(
            "export_reminders",
            "SELECT json_array(0, r.event_type_id, '', '', r.minutes_before, r.recipients, \
             r.note) AS value FROM event_type_reminders r JOIN event_types e ON e.id = r.event_type_id \
             WHERE e.host_id = ?1 ORDER BY e.created_at, e.id, r.minutes_before DESC",
            &[Param::Text(host_id)],
        )
        .await?;
        ReminderRow::read_all(rows)
    }

    /// Replaces the reminder plan of the host's event type `event_type_id`, in one batch
    /// whose every statement finds the event type among the host's; false when there is none.
    pub async fn save_reminder_plan(
        &self,
        host_id: &str,
        event_type_id: &str,
        plan: &ReminderPlan,
    ) -> Result<bool, StoreError> {
        let (own, reminders) = match plan {
            ReminderPlan::Instance => (0, &[][..]),
            ReminderPlan::Own(list) => (1, list.as_slice()),
        };
        let choice = [
            Param::Text(event_type_id),
            Param::Text(host_id),
            Param::Int(own),
        ];
        let rows: Vec<[Param<'_>; 5]> = reminders
            .iter()
            .map(|reminder| {
                [
                    Param::Text(event_type_id),
                    Param::Text(host_id),
                    Param::Int(reminder.minutes_before),
                    Param::Text(reminder.recipients.as_str()),
                    Param::Text(&reminder.note),
                ]
            })
            .collect();
        let mut statements: Vec<(&'static str, &[Param<'_>])> = vec![
            (
                "UPDATE event_types SET own_reminders = ?3 WHERE id = ?1 AND host_id = ?2",
                &choice,
            ),
            (
                "DELETE FROM event_type_reminders WHERE event_type_id = \
                 (SELECT id FROM event_types WHERE id = ?1 AND host_id = ?2) AND ?3 = ?3",
                &choice,
            ),
        ];
        statements.extend(rows.iter().map(|params| {
            (
                "INSERT INTO event_type_reminders (event_type_id, minutes_before, recipients, note) \
                 SELECT id, ?3, ?4, ?5 FROM event_types WHERE id = ?1 AND host_id = ?2",
                params.as_slice(),
            )
        }));
        let changed = self.batch("save_reminder_plan", &statements).await?;
        Ok(changed.first() == Some(&1))
    }

    /// Reminders due at `now`, at most `limit`, soonest meeting first: of confirmed bookings
    /// whose meeting starts within the reminder's lead and that were booked at least that lead
    /// before their start, not yet claimed. Event types on the instance's plan have one
    /// reminder `default_minutes` before, to both sides (`0`: none).
    pub async fn due_reminders(
        &self,
        now: i64,
        default_minutes: i64,
        limit: i64,
    ) -> Result<Vec<ReminderRow>, StoreError> {
        let rows = self
            .all_columns(
            "due_reminders",
            "SELECT json_array(0, '', b.id, b.host_id, r.minutes_before, r.recipients, r.note) \
             AS value \
             FROM bookings b JOIN \
             (SELECT r.event_type_id, r.minutes_before, r.recipients, r.note \
              FROM event_type_reminders r JOIN event_types e ON e.id = r.event_type_id \
              WHERE e.own_reminders = 1 \
              UNION ALL SELECT id, ?2, 'both', '' FROM event_types WHERE own_reminders = 0 AND ?2 > 0) r \
             ON r.event_type_id = b.event_type_id \
             WHERE b.status = 'confirmed' AND b.awaiting_approval_until IS NULL AND b.reminder_sent_at IS NULL \
             AND b.start_at > ?1 AND b.start_at <= ?1 + ?4 \
             AND b.start_at <= ?1 + r.minutes_before * 60 \
             AND b.created_at <= b.start_at - r.minutes_before * 60 \
             AND NOT EXISTS (SELECT 1 FROM booking_reminders x \
                             WHERE x.booking_id = b.id AND x.minutes_before = r.minutes_before) \
             ORDER BY b.start_at, r.minutes_before DESC LIMIT ?3",
            &[
                Param::Int(now),
                Param::Int(default_minutes),
                Param::Int(limit),
                Param::Int(MAX_LEAD_SECONDS),
            ],
        )
        .await?;
        ReminderRow::read_all(rows)
    }

    /// Claims the reminder `minutes_before` of booking `id` (one INSERT that only a confirmed
    /// booking which has not started and whose reminder is unclaimed lets through) and queues
    /// its `emails`, in one batch. True when this call claimed it. The outbox's UNIQUE
    /// (booking_id, kind, lead_minutes) is the second lock: an overlapping run in the same
    /// second cannot queue a second copy.
    pub async fn claim_reminder(
        &self,
        host_id: &str,
        id: &str,
        minutes_before: i64,
        now: i64,
        emails: &[NewEmail],
    ) -> Result<bool, StoreError> {
        let claim_params = [Param::Text(id), Param::Int(minutes_before), Param::Int(now)];
        let payloads = self.sealed_payloads(host_id, emails).await?;
        let email_params: Vec<_> = emails
            .iter()
            .zip(&payloads)
            .map(|(email, payload)| {
                let [a, b, c, d, e, f] = queue_params(email, payload, id, now);
                [a, b, c, d, e, f, Param::Int(minutes_before)]
            })
            .collect();
        let mut statements: Vec<(&'static str, &[Param<'_>])> = vec![(
            "INSERT INTO booking_reminders (booking_id, minutes_before, claimed_at) \
             SELECT ?1, ?2, ?3 WHERE EXISTS (SELECT 1 FROM bookings WHERE id = ?1 \
             AND status = 'confirmed' AND awaiting_approval_until IS NULL AND reminder_sent_at IS NULL \
             AND start_at > ?3) \
             ON CONFLICT DO NOTHING",
            &claim_params,
        )];
        statements.extend(
            email_params
                .iter()
                .map(|params| (QUEUE_FOR_REMINDER, params.as_slice())),
        );
        let changed = self.batch("claim_reminder", &statements).await?;
        Ok(changed.first() == Some(&1))
    }
}
