//! PRIVACY.md as a contract: each test below (and in `privacy_rights.rs`: deletion, erasure,
//! export, Zoom deauthorization, purges, logs) checks one claim by behaviour and names it with
//! its id (`/// [Pn]` on the test). `privacy_claims_and_tests_match` fails when a claim has no
//! test or a test names a claim PRIVACY.md lacks.

use std::collections::BTreeSet;

use chrono::{Days, Utc};
use serde_json::{json, Value};

use crate::support::http::{get, post_json, send_from};
use crate::support::mail::wait_for_emails;
use crate::support::sealed::stored_invitee;
use crate::support::seed::{sql, EVERY_DAY};
use crate::support::world::{repo_root, world};
use crate::support::{EventSeed, HostSeed, SeededHost};

pub(crate) fn host(name: &str) -> SeededHost {
    HostSeed::new(name, "Europe/Berlin")
        .hours(EVERY_DAY, 0, 1440)
        .event(EventSeed::new("call", 30))
        .create()
}

pub(crate) fn book(host: &SeededHost, hour: u32, name: &str, email: &str) -> serde_json::Value {
    crate::support::log_scan::remember(name);
    crate::support::log_scan::remember(email);
    let start = format!(
        "{}T{hour:02}:00:00Z",
        Utc::now().date_naive() + Days::new(3)
    );
    let reply = post_json(
        "/api/v1/bookings",
        &json!({ "host": host.slug, "event": "call", "start": start, "name": name, "email": email,
                 "time_zone": "America/Chicago", "note": format!("note of {name}") }),
    );
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.json()["booking"].clone()
}

/// Every row of every D1 table, as (table, row as JSON text).
pub(crate) fn d1_rows() -> Vec<(String, String)> {
    let tables: Vec<String> = sql(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name NOT LIKE '_cf_%' AND name != 'd1_migrations' ORDER BY name",
    )
    .iter()
    .map(|t| t["name"].as_str().unwrap().to_owned())
    .collect();
    tables
        .iter()
        .flat_map(|table| {
            sql(&format!("SELECT * FROM \"{table}\""))
                .into_iter()
                .map(move |row| (table.clone(), row.to_string()))
        })
        .collect()
}

/// The D1 tables any of whose rows contain `needle`.
pub(crate) fn tables_containing(rows: &[(String, String)], needle: &str) -> Vec<String> {
    let mut tables: Vec<String> = rows
        .iter()
        .filter(|(_, row)| row.contains(needle))
        .map(|(table, _)| table.clone())
        .collect();
    tables.dedup();
    tables
}

/// [P1] An invitee's details live only in their booking row and show only on its own page.
#[test]
fn invitee_details_are_stored_only_in_the_booking_and_shown_only_on_its_page() {
    let host = host("Privacy One");
    let (name, email) = ("Priya Invitee", "priya.p1@example.com");
    let booking = book(&host, 9, name, email);
    // Once the booking's emails are out, the outbox keeps no copy of the address.
    wait_for_emails(email, "", 1);
    wait_for_emails(&format!("{}@example.com", host.slug), "", 1);
    let rows = d1_rows();
    // In the booking row only, and there only sealed under the host's data key ([P47]).
    assert_eq!(tables_containing(&rows, email), Vec::<String>::new());
    assert_eq!(tables_containing(&rows, name), Vec::<String>::new());
    let stored = stored_invitee(booking["id"].as_str().unwrap());
    assert_eq!(
        (&stored["name"], &stored["email"]),
        (&json!(name), &json!(email))
    );
    assert!(!crate::support::kv::dump().contains(email));
    for public in [
        format!("/{}", host.slug),
        format!("/{}/call", host.slug),
        format!("/api/v1/slots?host={}&event=call", host.slug),
    ] {
        let page = get(&public);
        assert!(
            !page.body.contains(email) && !page.body.contains(name),
            "{public} shows the invitee"
        );
    }
    let own_page = get(booking["manage_url"].as_str().unwrap());
    assert!(own_page.body.contains(name) && own_page.body.contains(email));
}

/// [P2] The manage-link token is never stored; D1 holds its SHA-256.
#[test]
fn the_manage_token_is_stored_only_as_its_hash() {
    let host = host("Privacy Two");
    let booking = book(&host, 10, "Token Person", "token.p2@example.com");
    let url = booking["manage_url"].as_str().unwrap();
    let token = url.rsplit('/').next().unwrap();
    assert!(
        tables_containing(&d1_rows(), token).is_empty(),
        "the token is stored somewhere"
    );
    let hash = openslot::crypto::digest::sha256_hex(token);
    let rows = sql(&format!(
        "SELECT id FROM bookings WHERE manage_token_hash = '{hash}'"
    ));
    assert_eq!(rows.len(), 1);
}

/// [P3] A sealed refresh token shows no plaintext and opens only for its host and provider.
#[test]
fn sealed_refresh_tokens_hide_the_token_and_open_only_for_their_owner() {
    use openslot::crypto::token_cipher::{TokenCipher, TokenOwner};
    let cipher = TokenCipher::new("k1", crate::support::world::TEST_TOKEN_KEY, "").unwrap();
    let owner = TokenOwner {
        host_id: "host-a",
        provider: "google",
    };
    let sealed = cipher.seal(owner, "1//refresh-plaintext-p3");
    assert!(!sealed.contains("refresh-plaintext-p3"));
    assert_ne!(
        sealed,
        cipher.seal(owner, "1//refresh-plaintext-p3"),
        "a fresh nonce per write"
    );
    assert_eq!(
        cipher.open(owner, &sealed).unwrap(),
        "1//refresh-plaintext-p3"
    );
    assert!(cipher
        .open(
            TokenOwner {
                host_id: "host-b",
                provider: "google"
            },
            &sealed
        )
        .is_err());
    assert!(cipher
        .open(
            TokenOwner {
                host_id: "host-a",
                provider: "zoom"
            },
            &sealed
        )
        .is_err());
    // In the instance's KV namespace, after a real connection: only sealed values, and none
    // holds any refresh or access token the provider issued.
    let (browser, email) = crate::sign_in::signed_in_host("sealed-p3", "Sealed Tokens");
    crate::sign_in::fake_account("zoom", &email, "Sealed Tokens");
    crate::connections::connect(&browser, "zoom", &email);
    let state = get(&format!("{}/_fake/state", world().fakes_url)).json();
    let issued: Vec<String> = state["grants"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["email"] == email.as_str())
        .flat_map(|g| g["refresh_tokens"].as_array().cloned().unwrap_or_default())
        .chain(
            state["tokens"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|t| t["email"] == email.as_str())
                .map(|t| t["access_token"].clone()),
        )
        .filter_map(|t| t.as_str().map(str::to_owned))
        .collect();
    assert!(issued.len() >= 2, "{state}");
    let keys = crate::support::kv::keys();
    assert!(!keys.is_empty());
    for key in keys {
        let value = crate::support::kv::value(&key);
        assert!(value.starts_with("v1.k1."), "{key} is not sealed: {value}");
        for token in &issued {
            assert!(
                !value.contains(token.as_str()),
                "{key} holds a plaintext token"
            );
        }
    }
}

/// [P4] Pages load nothing from other origins, and the CSP allows only our own.
#[test]
fn pages_load_nothing_from_third_parties() {
    let host = host("Privacy Four");
    let booking = book(&host, 11, "Csp Person", "csp.p4@example.com");
    for page in [
        get(&format!("/{}/call", host.slug)),
        get(booking["manage_url"].as_str().unwrap()),
        get(&format!("/{}", host.slug)),
    ] {
        let csp = page.header("content-security-policy").unwrap();
        for directive in csp.split(';') {
            let sources: Vec<&str> = directive.split_whitespace().skip(1).collect();
            assert!(
                sources
                    .iter()
                    .all(|s| ["'self'", "'none'", "data:"].contains(s)
                        || s.starts_with("https://")
                            && directive.trim_start().starts_with("frame-ancestors")),
                "{directive}"
            );
        }
        for attribute in ["src=\"", "<link rel=\"stylesheet\" href=\""] {
            for (at, _) in page.body.match_indices(attribute) {
                let value = &page.body[at + attribute.len()..];
                assert!(
                    value.starts_with('/') && !value.starts_with("//"),
                    "external {attribute}{}",
                    &value[..40.min(value.len())]
                );
            }
        }
    }
}

/// [P5] Pages with personal data are never cached and never send a Referer.
#[test]
fn pages_send_no_referrer_and_are_not_cached() {
    let host = host("Privacy Five");
    let booking = book(&host, 12, "Cache Person", "cache.p5@example.com");
    for page in [
        get(booking["manage_url"].as_str().unwrap()),
        get(&format!("/{}/call", host.slug)),
    ] {
        assert_eq!(page.header("referrer-policy"), Some("no-referrer"));
        assert_eq!(page.header("cache-control"), Some("no-store"));
    }
}

/// [P7] A client's IP address is written nowhere: not to D1, KV or the Worker's log.
#[test]
fn client_ip_addresses_are_not_stored_or_logged() {
    let host = host("Privacy Seven");
    let ip = "198.51.100.173";
    let start = format!("{}T13:00:00Z", Utc::now().date_naive() + Days::new(3));
    let body = json!({ "host": host.slug, "event": "call", "start": start, "name": "Ip Person",
                       "email": "ip.p7@example.com", "time_zone": "UTC" });
    let reply = send_from(
        ip,
        "POST",
        "/api/v1/bookings",
        "application/json",
        &body.to_string(),
    );
    assert_eq!(reply.status, 201);
    let _ = send_from(ip, "GET", &format!("/{}/call", host.slug), "text/plain", "");
    assert!(tables_containing(&d1_rows(), ip).is_empty());
    assert!(!crate::support::kv::dump().contains(ip));
    assert!(!world().worker_log().contains(ip));
}

/// [P8] Once an email is sent, the outbox keeps only its kind, a keyed hash of the address and
/// times: not a plain SHA-256, which anyone could match against a list of addresses.
#[test]
fn sent_emails_leave_no_content_behind() {
    let host = host("Privacy Eight");
    let email = "outbox.p8@example.com";
    let booking = book(&host, 14, "Outbox Person", email);
    wait_for_emails(email, "", 1);
    wait_for_emails(&format!("{}@example.com", host.slug), "", 1);
    let rows = sql(&format!(
        "SELECT kind, recipient_hash, payload, sent_at, last_error FROM email_outbox WHERE booking_id = '{}'",
        booking["id"].as_str().unwrap()
    ));
    assert_eq!(rows.len(), 2);
    for row in &rows {
        assert!(row["payload"].is_null(), "{row}");
        assert!(row["sent_at"].is_i64());
        assert_eq!(row["recipient_hash"].as_str().unwrap().len(), 64);
        assert!(!row.to_string().contains(email));
        assert_ne!(
            row["recipient_hash"],
            openslot::crypto::digest::sha256_hex(email).as_str()
        );
    }
    assert!(
        rows.iter().any(|row| row["recipient_hash"]
            == crate::support::sealed::email_index(email).as_str()),
        "{rows:?}"
    );
}

/// [P9] Invitee data of meetings that ended more than 90 days ago is erased by the hourly job.
#[test]
fn the_retention_job_erases_invitee_data_of_long_past_meetings_only() {
    let host = host("Privacy Nine");
    let event_id = format!("host-{}-call", host.slug);
    let day = 86_400;
    let now = Utc::now().timestamp();
    let insert = |id: &str, ended_days_ago: i64| {
        let end = now - ended_days_ago * day;
        format!(
            "INSERT INTO bookings (id, host_id, event_type_id, start_at, end_at, invitee_name, invitee_email, \
             invitee_time_zone, note, manage_token_hash, idempotency_key, created_at, answers) VALUES ('{id}', '{}', \
             '{event_id}', {}, {end}, 'Old Invitee', '{id}@example.com', 'Asia/Tokyo', 'old note', 'hash-{id}', \
             'key-{id}', {}, '[{{\"question\":\"Company\",\"answer\":\"Acme {id}\"}}]')",
            host.id,
            end - 1800,
            end - 30 * day
        )
    };
    let old = format!("p9-old-{}", std::process::id());
    let recent = format!("p9-recent-{}", std::process::id());
    sql(&format!(
        "{}; {}; INSERT INTO email_outbox (id, booking_id, kind, recipient_hash, attempts, next_attempt_at, \
         sent_at, created_at) VALUES ('{old}-mail', '{old}', 'invitee_confirmation', printf('%064d', 9), 1, 0, 1, 0)",
        insert(&old, 91),
        insert(&recent, 89)
    ));
    let reply = get("/__scheduled?cron=17+*+*+*+*");
    assert_eq!(reply.status, 200, "{}", reply.body);
    let rows = sql(&format!(
        "SELECT * FROM bookings WHERE id IN ('{old}', '{recent}') ORDER BY end_at"
    ));
    assert_eq!(rows[0]["id"], old.as_str());
    let (erased, kept) = (stored_invitee(&old), stored_invitee(&recent));
    assert_eq!(
        (&erased["name"], &erased["email"], &erased["note"]),
        (&json!(""), &json!(""), &json!(""))
    );
    assert_eq!(erased["time_zone"], "UTC");
    assert_eq!(
        erased["answers"],
        json!([]),
        "answers to the host's questions go too"
    );
    assert!(!rows[0].to_string().contains("Acme"));
    assert_eq!(
        rows[0]["invitee_sealed"],
        Value::Null,
        "nothing sealed is left either"
    );
    assert!(rows[0]["start_at"].is_i64(), "the busy time stays");
    assert_eq!(
        kept["email"],
        format!("{recent}@example.com"),
        "recent bookings are kept"
    );
    assert!(
        kept["answers"]
            .to_string()
            .contains(&format!("Acme {recent}")),
        "recent answers are kept"
    );
    assert!(sql(&format!(
        "SELECT id FROM email_outbox WHERE booking_id = '{old}'"
    ))
    .is_empty());
}

/// [P10] Signing in asks only for identity scopes and keeps none of the provider's tokens.
#[test]
fn sign_in_asks_only_for_identity_and_keeps_no_provider_token() {
    use crate::sign_in::{query_value, signed_in_host, start};
    let scopes = |provider: &str| -> BTreeSet<String> {
        let url = start(&crate::support::browser::Browser::new(), provider);
        let scope = query_value(&url, "scope").expect("a scope parameter");
        scope.split(' ').map(str::to_owned).collect()
    };
    let set = |words: &[&str]| {
        words
            .iter()
            .map(|w| (*w).to_owned())
            .collect::<BTreeSet<_>>()
    };
    assert_eq!(scopes("google"), set(&["openid", "email", "profile"]));
    assert_eq!(
        scopes("microsoft"),
        set(&["openid", "email", "profile", "User.Read"])
    );

    let (_browser, email) = signed_in_host("p10", "Privacy Ten");
    let state = get(&format!("{}/_fake/state", world().fakes_url)).json();
    let mut issued: Vec<String> = Vec::new();
    for token in state["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["email"] == email.as_str())
    {
        issued.push(token["access_token"].as_str().unwrap().to_owned());
    }
    for grant in state["grants"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["email"] == email.as_str())
    {
        for refresh in grant["refresh_tokens"].as_array().unwrap() {
            issued.push(refresh.as_str().unwrap().to_owned());
        }
    }
    assert!(!issued.is_empty(), "the fake issued tokens for the sign-in");
    let rows = d1_rows();
    let kv = crate::support::kv::dump();
    for token in issued {
        assert!(
            tables_containing(&rows, &token).is_empty(),
            "a provider token is stored in D1"
        );
        assert!(!kv.contains(&token), "a provider token is stored in KV");
    }
}

/// [P11] The only cookies are the session, the sign-in nonce and the connection nonce:
/// `__Host-` prefixed (so `Path=/`, no `Domain`), HttpOnly, Secure, SameSite=Lax, stored only
/// as hashes.
#[test]
fn cookies_are_few_http_only_and_stored_hashed() {
    use crate::sign_in::{authorize, start};
    let browser = crate::support::browser::Browser::new();
    let email = crate::sign_in::address("p11");
    crate::sign_in::fake_account("google", &email, "Privacy Eleven");
    let authorize_url = start(&browser, "google");
    let mut pages = vec![browser.get("/auth/signin")];
    pages.push(browser.get(&authorize(&authorize_url, &email)));
    pages.push(browser.get("/dashboard"));
    // Connecting a calendar sets the connection's nonce.
    crate::sign_in::fake_account("zoom", &email, "Privacy Eleven");
    let connect_url = crate::connections::start_connect(&browser, "zoom");
    let callback = crate::connections::consent(&connect_url, &email);
    pages.push(browser.get(&callback));
    let mut names = BTreeSet::new();
    let started = crate::support::http::request("GET", "/auth/google/start?tz=UTC", &[], None);
    pages.push(started);
    for page in &pages {
        for cookie in page.header_all("set-cookie") {
            let name = cookie.split('=').next().unwrap().to_owned();
            let attributes: Vec<String> = cookie
                .split(';')
                .skip(1)
                .map(|a| a.trim().to_ascii_lowercase())
                .collect();
            for wanted in ["httponly", "secure", "samesite=lax", "path=/"] {
                assert!(attributes.iter().any(|a| a == wanted), "{cookie}");
            }
            assert!(
                !attributes.iter().any(|a| a.starts_with("domain")),
                "{cookie}"
            );
            names.insert(name);
        }
    }
    let allowed = [
        "__Host-openslot_session",
        "__Host-openslot_signin",
        "__Host-openslot_connect",
    ]
    .map(str::to_owned);
    assert!(names.iter().all(|n| allowed.contains(n)), "{names:?}");
    assert_eq!(names.len(), 3, "{names:?}");
    let session = browser
        .cookie("__Host-openslot_session")
        .expect("signed in");
    let rows = d1_rows();
    assert!(
        tables_containing(&rows, &session).is_empty(),
        "the session id is stored"
    );
    let hash = openslot::crypto::digest::sha256_hex(&session);
    assert_eq!(tables_containing(&rows, &hash), vec!["sessions".to_owned()]);
}

/// [P12] A reschedule copies only the invitee's own details, and the old link changes nothing.
#[test]
fn a_reschedule_copies_only_the_invitees_details_and_retires_the_old_link() {
    use crate::reschedule::{at, book, host};
    let host = host("Privacy Twelve");
    let (old_id, old_url) = book(&host, at(6, 9), "moved.p12@example.com");
    let token = old_url.rsplit('/').next().unwrap();
    let moved = post_json(
        &format!("/api/v1/bookings/{token}/reschedule"),
        &json!({ "start": at(6, 11).to_rfc3339() }),
    );
    assert_eq!(moved.status, 200, "{}", moved.body);
    let new_id = moved.json()["booking"]["id"].as_str().unwrap().to_owned();
    let old = sql(&format!(
        "SELECT status, rescheduled_to FROM bookings WHERE id = '{old_id}'"
    ));
    let (old_invitee, new_invitee) = (stored_invitee(&old_id), stored_invitee(&new_id));
    assert_eq!(old_invitee["email"], "moved.p12@example.com");
    for field in ["name", "email", "time_zone", "note", "answers"] {
        assert_eq!(old_invitee[field], new_invitee[field], "{field}");
    }
    assert_eq!(old[0]["status"], "cancelled");
    assert_eq!(old[0]["rescheduled_to"], new_id.as_str());
    let again = post_json(
        &format!("/api/v1/bookings/{token}/reschedule"),
        &json!({ "start": at(6, 13).to_rfc3339() }),
    );
    assert_eq!(
        again.status, 409,
        "the old link can no longer move anything"
    );
    let confirmed = sql(&format!(
        "SELECT id FROM bookings WHERE host_id = '{}' AND status = 'confirmed'",
        host.id
    ));
    let moved_ones = confirmed
        .iter()
        .filter(|row| {
            stored_invitee(row["id"].as_str().unwrap())["email"] == "moved.p12@example.com"
        })
        .count();
    assert_eq!(moved_ones, 1);
}

/// [P13] A reminder is one email each to invitee and host, queued once, its content deleted
/// once sent; D1 keeps only when it was queued.
#[test]
fn reminders_are_sent_once_and_leave_only_their_time_behind() {
    use crate::reschedule::{at, book, host};
    use crate::support::mail::run_cron;
    let host = host("Privacy Thirteen");
    let invitee = "reminded.p13@example.com";
    let (id, _) = book(&host, at(9, 9), invitee);
    let now = Utc::now().timestamp();
    sql(&format!(
        "UPDATE bookings SET start_at = {}, end_at = {}, created_at = {} WHERE id = '{id}'",
        now + 7200,
        now + 9000,
        now - 3 * 86_400
    ));
    run_cron();
    run_cron();
    let host_email = format!("{}@example.com", host.slug);
    assert_eq!(wait_for_emails(invitee, "Reminder:", 1).len(), 1);
    assert_eq!(wait_for_emails(&host_email, "Reminder:", 1).len(), 1);
    let rows = sql(&format!(
        "SELECT kind, payload, sent_at FROM email_outbox WHERE booking_id = '{id}' AND kind LIKE '%_reminder'"
    ));
    assert_eq!(rows.len(), 2);
    assert!(
        rows.iter()
            .all(|r| r["payload"].is_null() && r["sent_at"].is_i64()),
        "{rows:?}"
    );
    let claimed = sql(&format!(
        "SELECT claimed_at FROM booking_reminders WHERE booking_id = '{id}'"
    ));
    assert!(claimed[0]["claimed_at"].is_i64(), "{claimed:?}");
}

fn claim_ids(text: &str) -> BTreeSet<String> {
    text.match_indices("[P")
        .filter_map(|(at, _)| {
            let rest = &text[at + 2..];
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            (!digits.is_empty() && rest[digits.len()..].starts_with(']'))
                .then(|| format!("P{digits}"))
        })
        .collect()
}

#[test]
fn privacy_claims_and_tests_match() {
    let policy = std::fs::read_to_string(repo_root().join("PRIVACY.md")).unwrap();
    let tests: String = [
        include_str!("privacy.rs"),
        include_str!("privacy_rights.rs"),
        include_str!("zz_log_scan.rs"),
        include_str!("calendars.rs"),
        include_str!("caldav.rs"),
        include_str!("privacy_findings.rs"),
        include_str!("residue.rs"),
        include_str!("webhooks.rs"),
        include_str!("shredding.rs"),
        include_str!("sealed_settings.rs"),
        include_str!("single_use_links.rs"),
        include_str!("approval.rs"),
    ]
    .concat()
    .lines()
    .filter(|line| line.trim_start().starts_with("/// [P"))
    .collect::<Vec<_>>()
    .join("\n");
    let (claimed, tested) = (claim_ids(&policy), claim_ids(&tests));
    let untested: Vec<_> = claimed.difference(&tested).collect();
    let unknown: Vec<_> = tested.difference(&claimed).collect();
    assert!(
        untested.is_empty(),
        "claims in PRIVACY.md without a test: {untested:?}"
    );
    assert!(
        unknown.is_empty(),
        "tests naming claims PRIVACY.md lacks: {unknown:?}"
    );
}

/// [P14] An API token is shown once and D1 keeps only its hash.
#[test]
fn api_tokens_are_shown_once_and_stored_only_as_hashes() {
    use crate::api_tokens::new_token;
    let (browser, _email) = crate::sign_in::signed_in_host("p14", "Privacy Fourteen");
    let token = new_token(&browser, "p14 script");
    assert!(!browser.get("/dashboard/api-tokens").body.contains(&token));
    let rows = d1_rows();
    assert!(
        tables_containing(&rows, &token[3..]).is_empty(),
        "the API token is stored"
    );
    let hash = openslot::crypto::digest::sha256_hex(&token);
    assert_eq!(
        tables_containing(&rows, &hash),
        vec!["api_tokens".to_owned()]
    );
    assert!(
        !crate::support::kv::dump().contains(&token[3..]),
        "the API token is in KV"
    );
}

/// [P6] Titles, locations and attendees a provider sends with busy times (or with the events
/// Openslot creates) end up nowhere: not in D1, KV, the Worker's log or any page.
#[test]
fn what_calendars_say_beyond_busy_times_is_never_stored_logged_or_shown() {
    use crate::calendars::calendar_host;
    let marker = "SECRET-BOARD-MEETING-P6";
    let fakes = &world().fakes_url;
    let knob = |enabled: bool| {
        let reply = post_json(
            &format!("{fakes}/_fake/privacy"),
            &json!({ "enabled": enabled, "marker": marker }),
        );
        assert_eq!(reply.status, 200, "{}", reply.body);
    };
    let google = calendar_host("Bait Google", "google_meet", &["google"]);
    let outlook = calendar_host("Bait Outlook", "microsoft_teams", &["microsoft"]);
    let day = Utc::now().date_naive() + Days::new(5);
    for (host, provider) in [(&google, "google"), (&outlook, "microsoft")] {
        let reply = post_json(
            &format!("{fakes}/_fake/{provider}/busy"),
            &json!({ "email": host.email,
                     "busy": [{ "start": format!("{day}T09:00:00Z"), "end": format!("{day}T10:00:00Z") }] }),
        );
        assert_eq!(reply.status, 200);
    }
    knob(true);
    let mut pages = Vec::new();
    for (host, hour) in [(&google, 11), (&outlook, 12)] {
        let slug = &host.host.slug;
        pages.push(get(&format!("/{slug}/call?from={day}")));
        pages.push(get(&format!(
            "/api/v1/slots?host={slug}&event=call&from={day}&to={day}"
        )));
        let reply = post_json(
            "/api/v1/bookings",
            &json!({ "host": slug, "event": "call", "start": format!("{day}T{hour}:00:00Z"),
                     "name": "Bait Invitee", "email": "bait.p6@example.com", "time_zone": "UTC" }),
        );
        assert_eq!(reply.status, 201, "{}", reply.body);
        pages.push(get(reply.json()["booking"]["manage_url"].as_str().unwrap()));
        pages.push(host.browser.get("/dashboard/bookings"));
        pages.push(host.browser.get("/dashboard/connections"));
    }
    knob(false);
    for page in &pages {
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(!page.body.contains(marker), "a page shows the bait");
    }
    assert!(
        tables_containing(&d1_rows(), marker).is_empty(),
        "D1 holds the bait"
    );
    assert!(
        !crate::support::kv::dump().contains(marker),
        "KV holds the bait"
    );
    assert!(
        !world().worker_log().contains(marker),
        "the log holds the bait"
    );
    // And the slot the calendar blocked stayed blocked.
    let slots = get(&format!(
        "/api/v1/slots?host={}&event=call&from={day}&to={day}",
        google.host.slug
    ));
    assert!(
        !slots.body.contains(&format!("\"start\":\"{day}T09:00:00Z")),
        "{}",
        slots.body
    );
}

/// [P40] Connecting asks each provider for exactly the least scopes (revocation on disconnect
/// is checked in `connections::disconnecting_revokes_the_grant_and_deletes_the_tokens`).
#[test]
fn connecting_asks_for_the_least_scopes() {
    use crate::connections::start_connect;
    use crate::sign_in::{query_value, signed_in_host};
    let (browser, _) = signed_in_host("scopes-p40", "Scope Checker");
    let scopes = |provider: &str| {
        let url = start_connect(&browser, provider);
        let mut scopes: Vec<String> = query_value(&url, "scope")
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        scopes.sort();
        scopes
    };
    assert_eq!(
        scopes("google"),
        [
            "email",
            "https://www.googleapis.com/auth/calendar.calendarlist.readonly",
            "https://www.googleapis.com/auth/calendar.events.owned",
            "https://www.googleapis.com/auth/calendar.freebusy",
            "openid",
        ]
    );
    assert_eq!(
        scopes("microsoft"),
        ["Calendars.ReadWrite", "email", "offline_access", "openid"]
    );
    // Zoom takes its scopes from the app's registration, not the URL.
    assert!(scopes("zoom").is_empty());
}
