//! Connections that never fail silently: a broken connection is recorded where it is noticed
//! (a refused refresh, a missing permission, a calendar that does not answer), its host gets
//! one email about it (`core::connection_health` says when), every dashboard page shows it,
//! and the hourly cron exercises each connection at least daily, so a host hears about a dead
//! grant before an invitee meets a booking page without times.

use chrono::Duration;

use super::call::CallError;
use super::Calendars;
use crate::core::availability::Interval;
use crate::core::calendar_settings::WhenUnreadable;
use crate::core::connection_health::Breakage;
use crate::crypto::random_hex;
use crate::mail::connection_notice::{connection_broken, ConnectionNotice};
use crate::providers::connection_key::ConnectionKey;
use crate::providers::registry::ConnectProvider;
use crate::store::{ConnectionRow, StoreError};

/// Connections one hourly run exercises at most: each is one or two provider calls, and the
/// run shares the free plan's 50 subrequests with the rest of the hourly work.
const CHECKS_PER_RUN: i64 = 15;

/// What one health check run found, for the log.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct HealthReport {
    pub answering: usize,
    pub broken: usize,
    /// Hosts emailed by this run.
    pub told: usize,
}

impl Calendars<'_> {
    /// Records that `breakage` happened to a connection now, and queues its host's email when
    /// the breakage calls for one (at once for a reconnect, after a grace for a silent
    /// calendar; once either way).
    pub async fn report_broken(
        &self,
        host_id: &str,
        key: ConnectionKey,
        breakage: Breakage,
    ) -> Result<bool, StoreError> {
        self.store
            .mark_broken(host_id, key, breakage, self.now.timestamp())
            .await?;
        self.tell_host(host_id, key).await
    }

    /// Queues the host's one email about what is broken in a connection, if it is time and
    /// nobody queued it yet. Returns whether this call queued it.
    async fn tell_host(&self, host_id: &str, key: ConnectionKey) -> Result<bool, StoreError> {
        let provider = key.provider;
        let now = self.now.timestamp();
        let Some(connection) = self.store.connection(host_id, key).await? else {
            return Ok(false);
        };
        let Some(breakage) = connection.breakage() else {
            return Ok(false);
        };
        if connection.host_told_at.is_some()
            || !breakage.tell_host_now(connection.broken_since.unwrap_or(now), now)
        {
            return Ok(false);
        }
        let Some(host) = self.store.host_profile(host_id).await? else {
            return Ok(false);
        };
        let path = if breakage.needs_reconnect() {
            format!("/dashboard/connections/{key}/connect")
        } else {
            "/dashboard/connections".to_owned()
        };
        let mend_url = match &self.origin {
            Some(origin) => format!("{origin}{path}"),
            None => path,
        };
        let label = self.label_for(host_id, &connection).await?;
        let stop = connection.when_unreadable == WhenUnreadable::Stop;
        let message = connection_broken(&ConnectionNotice {
            to: &host.email,
            host_name: &host.name,
            provider_label: &label,
            breakage,
            consequence: breakage.consequence(provider.is_calendar(), stop),
            mend_url: &mend_url,
        });
        let payload = serde_json::to_string(&message).map_err(|e| StoreError::Query {
            query: "tell_host_once",
            cause: e.to_string(),
        })?;
        let told = self
            .store
            .tell_host_once(host_id, key, &random_hex::<16>(), &payload, now)
            .await?;
        if told {
            worker::console_log!(
                "connection {key} of host {host_id}: {}, host told",
                breakage.as_str()
            );
        }
        Ok(told)
    }

    /// How the notice names `connection`: with the account's address when the host has
    /// several of its provider ([`ConnectionKey::label_among`]).
    async fn label_for(
        &self,
        host_id: &str,
        connection: &ConnectionRow,
    ) -> Result<String, StoreError> {
        let connected: Vec<ConnectionKey> = self
            .store
            .host_connections(host_id)
            .await?
            .iter()
            .map(|c| c.key)
            .collect();
        let address = self
            .store
            .open_account_email(host_id, connection.key, &connection.account_email)
            .await?;
        Ok(connection.key.label_among(&connected, &address))
    }

    /// A busy-time read of `connection` for a booking page failed (`answered` false) or
    /// worked: records a calendar that stops answering, or that answers again, only when that
    /// changes what is stored (a page view writes nothing while all is well).
    pub async fn note_busy_read(&self, connection: &ConnectionRow, answered: bool) {
        let key = connection.key;
        let recorded = connection.breakage();
        let outcome = match (answered, recorded) {
            (false, None) => self
                .store
                .mark_broken(
                    &connection.host_id,
                    key,
                    Breakage::NotAnswering,
                    self.now.timestamp(),
                )
                .await
                .map(|_| ()),
            (true, Some(Breakage::NotAnswering)) => {
                self.store
                    .mark_answering(&connection.host_id, key, self.now.timestamp())
                    .await
            }
            _ => Ok(()),
        };
        if let Err(error) = outcome {
            worker::console_warn!("connection health of host {}: {error}", connection.host_id);
        }
    }

    /// The scheduled health check: exercises each due connection with the read a booking page
    /// makes (Zoom: its meeting list), records what it finds, and tells hosts.
    pub async fn check_connections(&self) -> Result<HealthReport, StoreError> {
        let now = self.now.timestamp();
        let mut report = HealthReport::default();
        for connection in self
            .store
            .connections_due_for_check(now, CHECKS_PER_RUN)
            .await?
        {
            let key = connection.key;
            let provider = key.provider;
            let host_id = connection.host_id.as_str();
            if connection.breakage().is_some_and(Breakage::needs_reconnect) {
                // Nothing to exercise: only the host can mend it. Make sure they know.
                report.broken += 1;
                report.told += usize::from(self.tell_host(host_id, key).await?);
                continue;
            }
            // Claimed before the probe: a concurrent run (another cron invocation) no longer
            // finds it due, so one connection is probed once per check.
            self.store.mark_checked(host_id, key, now).await?;
            match self.probe(&connection, provider).await {
                Ok(()) => {
                    if connection.breakage() == Some(Breakage::NotAnswering) {
                        self.store.mark_answering(host_id, key, now).await?;
                    }
                    report.answering += 1;
                }
                Err(error @ (CallError::Ours(_) | CallError::Build(_))) => {
                    // Our side was not ready: nothing is known of the provider, so nothing is
                    // recorded against it; the next check tries again.
                    worker::console_warn!(
                        "health check of {} for host {host_id} not made: {error}",
                        provider.as_str()
                    );
                }
                Err(CallError::NeedsReconnect) => {
                    // Recorded, and the host told, where the refusal was seen (`access`, `call`).
                    report.broken += 1;
                }
                Err(error) => {
                    worker::console_warn!(
                        "health check of {} for host {host_id}: {error}",
                        provider.as_str()
                    );
                    report.broken += 1;
                    let told = self
                        .report_broken(host_id, key, Breakage::NotAnswering)
                        .await?;
                    report.told += usize::from(told);
                }
            }
        }
        Ok(report)
    }

    /// One read through the connection: the busy times of the next hour for a calendar, the
    /// first page of upcoming meetings for a meeting service (Zoom).
    async fn probe(
        &self,
        connection: &ConnectionRow,
        provider: ConnectProvider,
    ) -> Result<(), CallError> {
        if provider.is_calendar() {
            let window = Interval::new(self.now, self.now + Duration::hours(1))
                .map_err(|e| CallError::Unavailable(e.to_string()))?;
            return self
                // Only whether it answers counts here, so any zone will do.
                .read_busy(connection, provider, window, chrono_tz::UTC)
                .await
                .map(|_| ());
        }
        let Some(meetings) = provider.entry().own_meetings else {
            return Ok(());
        };
        let urls = &self.config.services;
        self.call(
            connection,
            |token| meetings.search(urls, token, None),
            |response| meetings.parse_reachable(response),
        )
        .await
    }
}

/// The hourly cron's turn: the health check of every due connection.
pub async fn run(env: &worker::Env) {
    let Some(run) = crate::runtime::open_run(env, "health check") else {
        return;
    };
    let outcome = match run.calendars() {
        Ok(calendars) => calendars
            .check_connections()
            .await
            .map_err(|e| e.to_string()),
        Err(error) => Err(error.to_string()),
    };
    match outcome {
        Ok(report) if report != HealthReport::default() => worker::console_log!(
            "health check: {} answering, {} broken, {} hosts told",
            report.answering,
            report.broken,
            report.told
        ),
        Ok(_) => {}
        Err(error) => worker::console_error!("health check: {error}"),
    }
}
