//! When a connected account is broken, and when its host is told.
//!
//! A host must hear about a dead grant before an invitee meets a booking page with no times.
//! Three breakages exist: the provider refused the grant, the grant lacks a permission, or the
//! calendar stopped answering. The first two need the host to connect again and are told at
//! once; a calendar that does not answer is told only once it has failed for
//! [`NOT_ANSWERING_GRACE_SECONDS`], so one bad minute at the provider sends nobody an email.
//! Every broken connection is told once (a conditional update in the store decides who sends
//! it), and told again only after it was mended and broke anew.

use serde::Deserialize;

/// Whether a connection's grant holds, as `connections.status` stores it (its CHECK
/// constraint allows exactly these two), so rows read it typed and nobody compares the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionStatus {
    /// The grant holds (a calendar may still not be answering: see [`Breakage`]).
    Working,
    /// The provider refused the grant and the host must connect again.
    NeedsReconnect,
}

impl ConnectionStatus {
    /// The stored value, which the host API also answers as a connection's `state`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Working => "working",
            Self::NeedsReconnect => "needs_reconnect",
        }
    }
}

/// What broke in a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breakage {
    /// The provider refused the refresh token (`invalid_grant`): revoked, expired, or the
    /// account's password changed.
    GrantRefused,
    /// The grant lacks a permission a call needs (Google `insufficientPermissions`).
    PermissionMissing,
    /// The calendar's busy times could not be read (errors, timeouts) although the grant holds.
    NotAnswering,
}

/// How long a calendar may fail to answer before its host is emailed (the hourly health
/// check sees it fail at least twice in that time).
pub const NOT_ANSWERING_GRACE_SECONDS: i64 = 60 * 60;

/// How often each working connection is exercised by the scheduled health check.
pub const CHECK_EVERY_SECONDS: i64 = 24 * 60 * 60;

/// How soon a calendar that did not answer is checked again (just under the hourly cron's
/// period, so each hourly run picks it up).
pub const RECHECK_NOT_ANSWERING_SECONDS: i64 = 50 * 60;

impl Breakage {
    /// The stored value (`connections.broken_reason`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::GrantRefused => "grant_refused",
            Self::PermissionMissing => "permission_missing",
            Self::NotAnswering => "not_answering",
        }
    }

    /// Reads a stored value; `None` for anything else.
    pub fn parse(stored: &str) -> Option<Self> {
        match stored {
            "grant_refused" => Some(Self::GrantRefused),
            "permission_missing" => Some(Self::PermissionMissing),
            "not_answering" => Some(Self::NotAnswering),
            _ => None,
        }
    }

    /// Whether only connecting again mends it (the one click a banner and email offer).
    pub fn needs_reconnect(self) -> bool {
        !matches!(self, Self::NotAnswering)
    }

    /// Whether the host is to be told now about a breakage that started at `broken_since`.
    pub fn tell_host_now(self, broken_since: i64, now: i64) -> bool {
        self.needs_reconnect() || now - broken_since >= NOT_ANSWERING_GRACE_SECONDS
    }

    /// What broke, in one sentence naming the account (`provider` is its label, such as
    /// "Google Calendar").
    pub fn sentence(self, provider: &str) -> String {
        match self {
            Self::GrantRefused => {
                format!("{provider} no longer accepts Openslot's access (the grant was revoked or expired).")
            }
            Self::PermissionMissing => format!(
                "{provider} refuses a permission Openslot needs (it was not ticked when you connected, or was removed since)."
            ),
            Self::NotAnswering => format!("{provider} has not answered Openslot's requests for a while."),
        }
    }

    /// What it means for the host's booking pages, given whether they stop offering times
    /// while this calendar cannot be read (`stop_when_unreadable`; Zoom is never read for
    /// busy times, so `is_calendar` is false for it).
    pub fn consequence(self, is_calendar: bool, stop_when_unreadable: bool) -> &'static str {
        match (is_calendar, stop_when_unreadable) {
            (false, _) => "New bookings get no meeting link until you reconnect.",
            (true, true) => "Your booking pages offer no times until this is mended.",
            (true, false) => {
                "Your booking pages ignore this calendar until this is mended, so a busy time there can be double-booked."
            }
        }
    }
}

/// A broken connection as the dashboard banner shows it; `P` is the provider, as the caller
/// parses its stored name (the registry lives outside the core).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenConnection<P> {
    pub provider: P,
    pub breakage: Breakage,
}

/// Reads the store's `provider:reason,provider:reason` list of a host's broken connections
/// (one column of the session read, so the banner costs no extra round trip), each provider
/// name through `provider`. Pieces with an unknown provider or reason are skipped.
pub fn parse_broken_list<P: Ord>(
    list: &str,
    provider: impl Fn(&str) -> Option<P>,
) -> Vec<BrokenConnection<P>> {
    let broken: Vec<BrokenConnection<P>> = list
        .split(',')
        .filter_map(|piece| {
            let (name, reason) = piece.split_once(':')?;
            Some(BrokenConnection {
                provider: provider(name)?,
                breakage: Breakage::parse(reason)?,
            })
        })
        .collect();
    // In provider order, through the Worker's one sort (`core::sort`): each entry's key is
    // how many providers come before its own (a host has a handful of connections).
    let ranks: Vec<i64> = broken
        .iter()
        .map(|a| broken.iter().filter(|b| b.provider < a.provider).count() as i64)
        .collect();
    let mut ranked: Vec<(i64, BrokenConnection<P>)> = ranks.into_iter().zip(broken).collect();
    crate::core::sort::sort_by_key(&mut ranked, &|(rank, _)| (*rank, 0));
    ranked.into_iter().map(|(_, b)| b).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_status_reads_as_its_name_and_nothing_else_does() {
        for status in [ConnectionStatus::Working, ConnectionStatus::NeedsReconnect] {
            let stored = format!("\"{}\"", status.as_str());
            assert_eq!(
                serde_json::from_str::<ConnectionStatus>(&stored).unwrap(),
                status
            );
        }
        assert!(serde_json::from_str::<ConnectionStatus>("\"broken\"").is_err());
    }

    #[test]
    fn stored_names_round_trip_and_nothing_else_parses() {
        for breakage in [
            Breakage::GrantRefused,
            Breakage::PermissionMissing,
            Breakage::NotAnswering,
        ] {
            assert_eq!(Breakage::parse(breakage.as_str()), Some(breakage));
        }
        assert_eq!(Breakage::parse("working"), None);
        assert_eq!(Breakage::parse(""), None);
    }

    #[test]
    fn a_refused_grant_is_told_at_once_a_silent_calendar_after_its_grace() {
        let since = 1_000_000;
        assert!(Breakage::GrantRefused.tell_host_now(since, since));
        assert!(Breakage::PermissionMissing.tell_host_now(since, since));
        assert!(!Breakage::NotAnswering.tell_host_now(since, since));
        assert!(!Breakage::NotAnswering.tell_host_now(since, since + 3599));
        assert!(Breakage::NotAnswering.tell_host_now(since, since + 3600));
    }

    #[test]
    fn only_a_silent_calendar_is_mended_without_reconnecting() {
        assert!(Breakage::GrantRefused.needs_reconnect());
        assert!(Breakage::PermissionMissing.needs_reconnect());
        assert!(!Breakage::NotAnswering.needs_reconnect());
    }

    #[test]
    fn the_consequence_follows_the_hosts_setting() {
        assert!(Breakage::GrantRefused
            .consequence(true, true)
            .contains("offer no times"));
        assert!(Breakage::GrantRefused
            .consequence(true, false)
            .contains("double-booked"));
        assert!(Breakage::GrantRefused
            .consequence(false, true)
            .contains("meeting link"));
    }

    #[test]
    fn the_session_list_parses_sorted_and_skips_junk() {
        let known = |name: &str| ["google", "microsoft", "zoom"].contains(&name).then(|| name.to_owned());
        let parsed = parse_broken_list(
            "zoom:grant_refused,google:not_answering,x,microsoft:odd,webex:grant_refused",
            known,
        );
        assert_eq!(
            parsed,
            vec![
                BrokenConnection {
                    provider: "google".into(),
                    breakage: Breakage::NotAnswering
                },
                BrokenConnection {
                    provider: "zoom".into(),
                    breakage: Breakage::GrantRefused
                },
            ]
        );
        assert!(parse_broken_list("", known).is_empty());
    }
}
