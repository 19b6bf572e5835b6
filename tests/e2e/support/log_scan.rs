//! The Worker must never log personal data. Everything `wrangler dev` and the Worker print
//! during the suite goes to one file (`World::log_path`); this module finds any invitee name
//! or email address in it.
//!
//! What counts as personal: every name and address a test registered with [`remember`], every
//! invitee name and address still in D1, every address the Worker emailed (the fakes keep
//! them), and anything in the log shaped like an email address. The scan runs twice: as the
//! last test by name (`zz_log_scan`, over what was captured so far) and at the exit of the
//! test binary, after every test, where a finding fails the run (see `World::start`).

use std::collections::BTreeSet;
use std::sync::Mutex;

use super::world::world;

static REMEMBERED: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());

/// Registers a name or address a test gave to the Worker, so the scan looks for it even after
/// the Worker erased it from D1.
pub fn remember(term: &str) {
    if term.trim().len() >= 4 {
        REMEMBERED.lock().unwrap().insert(term.trim().to_owned());
    }
}

/// Words of the log that look like email addresses.
fn addresses_in(text: &str) -> BTreeSet<String> {
    text.split(|c: char| {
        !(c.is_ascii_alphanumeric() || matches!(c, '@' | '.' | '-' | '_' | '+' | '%'))
    })
    // A sentence's full stop is not part of the address before it.
    .map(|word| word.trim_end_matches('.'))
    .filter(|word| {
        let Some((local, domain)) = word.split_once('@') else {
            return false;
        };
        !local.is_empty() && domain.contains('.') && !domain.starts_with('.')
    })
    .map(str::to_owned)
    .collect()
}

/// Everything the scan looks for right now.
pub fn personal_terms() -> BTreeSet<String> {
    let mut terms = REMEMBERED.lock().unwrap().clone();
    for row in super::seed::sql(
        "SELECT DISTINCT invitee_name, invitee_email FROM bookings WHERE invitee_email != ''",
    ) {
        for column in ["invitee_name", "invitee_email"] {
            if let Some(value) = row[column].as_str().filter(|v| v.trim().len() >= 4) {
                terms.insert(value.trim().to_owned());
            }
        }
    }
    if let Ok(response) = ureq::get(&format!("{}/_fake/emails", world().fakes_url)).call() {
        if let Ok(emails) = response.into_json::<serde_json::Value>() {
            for email in emails.as_array().into_iter().flatten() {
                for to in email["to"].as_array().into_iter().flatten() {
                    if let Some(address) = to.as_str() {
                        terms.insert(address.to_owned());
                    }
                }
            }
        }
    }
    terms
}

/// The personal data found in `log` (after wrangler's start-up banner): known terms, and
/// anything shaped like an address.
pub fn findings(log: &str) -> Vec<String> {
    // wrangler's banner before "Ready on" lists the operator's configuration, not anyone's data.
    let log = log.split_once("Ready on").map_or(log, |(_, rest)| rest);
    let mut found: BTreeSet<String> = personal_terms()
        .into_iter()
        .filter(|term| log.contains(term.as_str()))
        .collect();
    found.extend(addresses_in(log));
    found.into_iter().collect()
}

#[test]
fn address_shaped_words_are_found_and_others_are_not() {
    let found =
        addresses_in("email 3f2a sent to ana.lima+x@example.com. host-1 at 12:00 @home a@b");
    assert_eq!(
        found.into_iter().collect::<Vec<_>>(),
        vec!["ana.lima+x@example.com".to_owned()]
    );
}
