//! What the outboxes hold that is due, read in one D1 round trip. Every invocation that
//! sends (after a change, the minute's cron) starts here, and on the free plan each D1 call
//! costs CPU of the request's 10 ms (BENCHMARKS.md, "CPU per request").

use super::outbox::{DueEmail, DUE_EMAILS};
use super::privacy::{DuePrivacyEmail, DUE_NOTICES};
use super::webhooks::{DueDelivery, DUE_WEBHOOKS};
use super::{columns, failed, Param, Store, StoreError, TextValue};

/// How many due rows of each outbox one run takes; 0 leaves that outbox unread.
#[derive(Debug, Clone, Copy)]
pub struct DueLimits {
    pub emails: i64,
    pub notices: i64,
    pub webhooks: i64,
}

/// The due rows of the three outboxes, opened as their senders need them.
#[derive(Debug, Default)]
pub struct DueOutboxes {
    pub emails: Vec<DueEmail>,
    pub notices: Vec<DuePrivacyEmail>,
    pub webhooks: Vec<DueDelivery>,
}

impl Store {
    /// The rows due at `now` in each outbox `limits` asks for, in one batch of reads.
    pub async fn due_outboxes(
        &self,
        now: i64,
        limits: DueLimits,
    ) -> Result<DueOutboxes, StoreError> {
        let params = [
            [Param::Int(now), Param::Int(limits.emails)],
            [Param::Int(now), Param::Int(limits.notices)],
            [Param::Int(now), Param::Int(limits.webhooks)],
        ];
        let wanted = [
            (limits.emails, DUE_EMAILS),
            (limits.notices, DUE_NOTICES),
            (limits.webhooks, DUE_WEBHOOKS),
        ];
        let statements: Vec<(&'static str, &[Param<'_>])> = wanted
            .iter()
            .zip(&params)
            .filter(|((limit, _), _)| *limit > 0)
            .map(|((_, sql), params)| (*sql, params.as_slice()))
            .collect();
        if statements.is_empty() {
            return Ok(DueOutboxes::default());
        }
        let mut results = self
            .read_batch("due_outboxes", &statements)
            .await?
            .into_iter();
        let mut next = |limit: i64| if limit > 0 { results.next() } else { None };
        let emails = match next(limits.emails) {
            Some(result) => {
                let rows: Vec<TextValue> = result.results().map_err(|e| failed("due_emails", e))?;
                columns::rows_of("due_emails", &rows)?
                    .into_iter()
                    .map(DueEmail::read)
                    .collect::<Result<_, _>>()?
            }
            None => Vec::new(),
        };
        let notices = match next(limits.notices) {
            Some(result) => result.results().map_err(|e| failed("due_notices", e))?,
            None => Vec::new(),
        };
        let webhooks = match next(limits.webhooks) {
            Some(result) => {
                let rows: Vec<TextValue> =
                    result.results().map_err(|e| failed("due_webhooks", e))?;
                columns::rows_of("due_webhooks", &rows)?
                    .into_iter()
                    .map(DueDelivery::read)
                    .collect::<Result<_, _>>()?
            }
            None => Vec::new(),
        };
        Ok(DueOutboxes {
            emails: self.open_due_emails(emails).await?,
            notices: self.open_due_notices(notices).await?,
            webhooks: self.open_due_webhooks(webhooks).await?,
        })
    }
}
