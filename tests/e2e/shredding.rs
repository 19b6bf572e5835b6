//! Crypto-shredding (issue 13): each host's data key lives only in KV, sealed with the instance
//! key, is created with the host's first booking and named in D1 (`hosts.data_key_id`), and
//! is deleted when the host deletes their account. A booking's invitee is kept in D1 only
//! sealed under that key, so deleting it leaves every copy of the database unreadable.

use crate::privacy::{book, host};
use crate::privacy_findings::{ask, book_with};
use crate::privacy_rights::confirm_path;
use crate::support::http::{post_form, post_json};
use crate::support::kv;
use crate::support::mail::{emails_to, fail_emails_sent_to, run_cron, wait_for_emails};
use crate::support::residue::{in_raw_d1_files, marker, scan, Place};
use crate::support::sealed::{
    host_email_stand_in, host_id_by_email, open_field, stored_host_email, stored_invitee,
};
use crate::support::seed::{sql, sql_in};
use crate::support::world::world;
use serde_json::{json, Value};

/// The host's data key id as D1 names it.
fn data_key_id(host_id: &str) -> Option<String> {
    sql(&format!(
        "SELECT data_key_id FROM hosts WHERE id = '{host_id}'"
    ))[0]["data_key_id"]
        .as_str()
        .map(str::to_owned)
}

/// The KV names of the host's data keys.
fn key_names(host_id: &str) -> Vec<String> {
    let prefix = format!("host/{host_id}/keys/");
    kv::keys()
        .into_iter()
        .filter(|name| name.starts_with(&prefix))
        .collect()
}

/// A host has no key until it is needed; the first booking creates one, named in D1 and kept
/// in KV only sealed with the instance key (`v1.{instance key id}.…`, not the key's bytes);
/// the next booking uses the same key instead of making another.
#[test]
fn the_first_booking_creates_the_hosts_data_key_once() {
    let host = host("Key Maker");
    assert_eq!(data_key_id(&host.id), None);
    assert!(key_names(&host.id).is_empty());

    book(&host, 9, "Ada Keyed", "ada.keyed@example.com");
    let id = data_key_id(&host.id).expect("the booking created the host's data key");
    assert_eq!(id.len(), 32, "{id}");
    assert_eq!(
        key_names(&host.id),
        vec![format!("host/{}/keys/host-{id}", host.id)]
    );
    let stored = kv::value(&format!("host/{}/keys/host-{id}", host.id));
    let mut parts = stored.splitn(3, '.');
    let (version, instance_key, body) = (parts.next(), parts.next(), parts.next());
    assert_eq!(
        version,
        Some("v1"),
        "sealed with the instance key: {stored}"
    );
    assert!(instance_key.is_some_and(|k| !k.is_empty()), "{stored}");
    // Nonce, the 32-byte key and the tag: more than the key alone would take in base64url.
    assert!(body.is_some_and(|b| b.len() > 60), "{stored}");

    book(&host, 11, "Bob Keyed", "bob.keyed@example.com");
    assert_eq!(data_key_id(&host.id), Some(id.clone()));
    assert_eq!(key_names(&host.id).len(), 1);
}

/// KV is eventually consistent, so D1 can name a host key that this location's KV does not
/// show yet (created elsewhere less than a minute ago). The booking is not refused: it gets a
/// key of its own under the host's prefix, and D1 keeps naming the host's key.
#[test]
fn a_host_key_not_visible_yet_gives_the_booking_a_key_of_its_own() {
    let host = host("Key Elsewhere");
    let elsewhere = "0123456789abcdef0123456789abcdef";
    sql(&format!(
        "UPDATE hosts SET data_key_id = '{elsewhere}' WHERE id = '{}'",
        host.id
    ));

    let booking = book(&host, 9, "Cy Unkeyed", "cy.unkeyed@example.com");
    assert_eq!(data_key_id(&host.id).as_deref(), Some(elsewhere));
    let names = key_names(&host.id);
    assert_eq!(names.len(), 1, "{names:?}");
    let prefix = format!("host/{}/keys/booking-", host.id);
    assert!(names[0].starts_with(&prefix), "{names:?}");
    // The invitee is sealed under that key, never stored in plaintext, and opens with it.
    let id = booking["id"].as_str().unwrap();
    let sealed = &sql(&format!(
        "SELECT invitee_sealed FROM bookings WHERE id = '{id}'"
    ))[0];
    assert!(
        sealed["invitee_sealed"]
            .as_str()
            .is_some_and(|s| s.starts_with("s1.b-")),
        "{sealed}"
    );
    assert_eq!(stored_invitee(id)["name"], "Cy Unkeyed");
    let page = crate::support::http::get(booking["manage_url"].as_str().unwrap());
    assert!(page.body.contains("Cy Unkeyed"), "{}", page.body);
}

/// Deleting the account deletes every data key of the host (its own and any booking keys).
#[test]
fn deleting_the_host_deletes_its_data_keys() {
    let host = host("Key Shredder");
    book(&host, 9, "Di Shredded", "di.shredded@example.com");
    let id = data_key_id(&host.id).expect("a data key");
    let extra = format!("host/{}/keys/booking-fedcba9876543210", host.id);
    kv::put(&extra, "v1.k1.placeholder");
    assert_eq!(key_names(&host.id).len(), 2);
    assert!(!id.is_empty());

    delete_account(&host.id);

    assert!(key_names(&host.id).is_empty(), "{:?}", key_names(&host.id));
    assert!(sql(&format!("SELECT id FROM hosts WHERE id = '{}'", host.id)).is_empty());
}

/// Fails naming every column of every D1 table that holds one of `markers` in plaintext.
pub(crate) fn assert_no_plaintext_in_d1(markers: &[String]) {
    let in_d1: Vec<String> = scan(markers)
        .into_iter()
        .filter(|found| matches!(found.place, Place::D1 { .. }))
        .map(|found| found.to_string())
        .collect();
    assert!(in_d1.is_empty(), "plaintext in D1:\n{}", in_d1.join("\n"));
}

/// Fails naming where in the raw bytes of the D1 database files (main file and WAL) one of
/// `markers` is in plaintext.
pub(crate) fn assert_not_in_database_files(markers: &[String]) {
    let in_files: Vec<String> = in_raw_d1_files(markers)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(in_files.is_empty(), "{}", in_files.join("\n"));
}

/// Deletes `host`'s account through the privacy flow, as the host would.
pub(crate) fn delete_account(host_id: &str) {
    let email = stored_host_email(host_id);
    assert_eq!(
        post_form("/privacy/delete", &[("email", &email)]).status,
        200
    );
    let path = confirm_path(&wait_for_emails(&email, "Confirm the deletion", 1)[0]);
    let done = post_form(&path, &[]);
    assert_eq!(done.status, 200, "{}", done.body);
}

/// A booking whose invitee's every field is a marker: (its id, the markers).
fn booking_with_markers(host: &crate::support::SeededHost, hour: u32) -> (String, Vec<String>) {
    let label = marker("question");
    ask(host, &[&label]);
    let (name, note, answer) = (marker("name"), marker("note"), marker("answer"));
    let email = format!("{}@example.com", marker("email"));
    crate::support::log_scan::remember(&email);
    let booking = book_with(
        host,
        5,
        hour,
        &name,
        &email,
        &note,
        json!({ label.as_str(): answer }),
    );
    // Once the emails went, their queued copies (which hold the invitee too) are gone.
    wait_for_emails(&email, "", 2);
    let id = booking["id"].as_str().unwrap().to_owned();
    (id, vec![name, email, note, answer])
}

/// [P47] D1 holds a booking's invitee only sealed: no column of any table holds the name, the
/// address, the note or an answer in plaintext, while the host's key opens the sealed value
/// to exactly what the invitee typed, and the address is found by its blind index only.
#[test]
fn d1_holds_the_invitee_only_sealed() {
    let host = host("Sealed Invitee");
    let (id, markers) = booking_with_markers(&host, 9);

    assert_no_plaintext_in_d1(&markers);

    let row = &sql(&format!(
        "SELECT invitee_sealed, invitee_email_index, invitee_name, invitee_email, note, answers \
         FROM bookings WHERE id = '{id}'"
    ))[0];
    let key = data_key_id(&host.id).expect("a data key");
    let sealed = row["invitee_sealed"].as_str().unwrap();
    assert!(sealed.starts_with(&format!("s1.h-{key}.")), "{sealed}");
    let index = row["invitee_email_index"].as_str().unwrap();
    assert_eq!(index.len(), 64, "{index}");
    assert!(!index.contains(&markers[1]));
    assert_eq!(
        (
            &row["invitee_name"],
            &row["invitee_email"],
            &row["note"],
            &row["answers"]
        ),
        (&json!(""), &json!(""), &json!(""), &json!("[]"))
    );

    let invitee = stored_invitee(&id);
    assert_eq!(invitee["name"], markers[0].as_str());
    assert_eq!(invitee["email"], markers[1].as_str());
    assert_eq!(invitee["note"], markers[2].as_str());
    assert_eq!(invitee["answers"][0]["answer"], markers[3].as_str());

    // The sealed value names its row: copied onto another booking, it does not open there.
    assert!(open_field(
        &host.id,
        "bookings",
        "invitee_sealed",
        "another-booking",
        sealed
    )
    .is_err());
}

/// [P47] An email waiting in the outbox (here: the email API is failing) holds the invitee only
/// sealed too, and leaves with the right text once the API answers again.
#[test]
fn a_waiting_email_holds_the_invitee_only_sealed() {
    let host = host("Sealed Mail");
    let label = marker("question");
    ask(&host, &[&label]);
    let (name, note, answer) = (marker("name"), marker("note"), marker("answer"));
    let email = format!("{}@example.com", marker("email"));
    crate::support::log_scan::remember(&email);
    fail_emails_sent_to(&email, 503, 2);
    let booking = book_with(
        &host,
        5,
        13,
        &name,
        &email,
        &note,
        json!({ label.as_str(): answer }),
    );
    let id = booking["id"].as_str().unwrap();
    // Let the first send attempt fail, so the row waits with its payload.
    std::thread::sleep(std::time::Duration::from_secs(2));

    let waiting = sql(&format!(
        "SELECT payload FROM email_outbox WHERE booking_id = '{id}' AND sent_at IS NULL"
    ));
    assert!(!waiting.is_empty(), "the invitee's email waits");
    let payload = waiting[0]["payload"].as_str().unwrap();
    assert!(payload.starts_with("s1.h-"), "{payload}");
    assert_no_plaintext_in_d1(&[name.clone(), email.clone(), note.clone(), answer.clone()]);

    // Its retry is due (moved forward rather than waited for): the email leaves opened.
    while sql(&format!(
        "SELECT id FROM email_outbox WHERE booking_id = '{id}' AND sent_at IS NULL AND kind = 'invitee_confirmation'"
    ))
    .len()
        == 1
        && emails_to(&email).is_empty()
    {
        sql(&format!(
            "UPDATE email_outbox SET next_attempt_at = 0 WHERE booking_id = '{id}' AND sent_at IS NULL"
        ));
        run_cron();
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
    let sent = wait_for_emails(&email, "", 1);
    assert_eq!(sent.len(), 1);
    assert!(sent[0].to_string().contains(&name), "{}", sent[0]);
}

/// [P47] Not even the raw bytes of the database files (free pages and WAL included) hold an
/// invitee's details in plaintext: they were sealed before they first reached D1.
#[test]
fn the_database_files_hold_no_invitee_detail_in_plaintext() {
    let host = host("Raw Bytes");
    let (_, markers) = booking_with_markers(&host, 15);
    let found: Vec<String> = in_raw_d1_files(&markers)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(
        found.is_empty(),
        "plaintext in the files:\n{}",
        found.join("\n")
    );
    // The scan can fail: the host's display name, which is stored plaintext, is found.
    let name = sql(&format!("SELECT name FROM hosts WHERE id = '{}'", host.id))[0]["name"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(!in_raw_d1_files(&[name]).is_empty());
}

/// [P48] A copy of the database taken while the host's bookings were live (a backup, D1's Time
/// Travel history) holds their invitees only sealed, and after the host deleted their account
/// nothing in it opens any more: the key is gone from KV, which keeps no history.
#[test]
fn a_copy_of_the_database_from_before_a_deletion_opens_nothing_after_it() {
    let host = host("Restored Later");
    let (id, markers) = booking_with_markers(&host, 11);

    let backup = std::env::temp_dir().join(format!("openslot-backup-{}-{id}", std::process::id()));
    let live = world().state_dir.join("v3/d1");
    copy_dir(&live, &backup.join("v3/d1"));
    let rows = sql_in(
        &backup,
        &format!("SELECT * FROM bookings WHERE id = '{id}'"),
    );
    assert_eq!(rows.len(), 1, "the copy holds the booking");
    let copy = rows[0].to_string();
    for found in &markers {
        assert!(
            !copy.contains(found.as_str()),
            "{found} in the copy's row: {copy}"
        );
    }
    let sealed = rows[0]["invitee_sealed"].as_str().unwrap().to_owned();
    assert!(open_field(&host.id, "bookings", "invitee_sealed", &id, &sealed).is_ok());

    delete_account(&host.id);

    let opened = open_field(&host.id, "bookings", "invitee_sealed", &id, &sealed);
    assert_key_is_gone(&opened);
    assert!(key_names(&host.id).is_empty());
    let _ = std::fs::remove_dir_all(&backup);
}

/// [P49] Bookings written before sealing existed are sealed by the hourly run: the plaintext
/// columns are blanked, the host's key opens the same values, and the address's blind index
/// is set for erasure and access requests to find it by.
#[test]
fn the_hourly_run_seals_bookings_written_before_sealing() {
    // Named to sort first: each hourly run seals the bookings of a few hosts, by id.
    let host = host("0 Sealed Later");
    let id = format!("legacy-{}", std::process::id());
    let (name, email) = (
        marker("legacyname"),
        format!("{}@example.com", marker("legacyemail")),
    );
    let start = chrono::Utc::now().timestamp() + 6 * 86_400;
    sql(&format!(
        "INSERT INTO bookings (id, host_id, event_type_id, start_at, end_at, invitee_name, invitee_email, \
         invitee_time_zone, note, manage_token_hash, idempotency_key, created_at, answers) VALUES ('{id}', \
         '{host_id}', 'host-{slug}-call', {start}, {end}, '{name}', '{email}', 'Asia/Tokyo', 'legacy note', \
         'hash-{id}', 'key-{id}', {start}, '[{{\"question\":\"Company\",\"answer\":\"Acme\"}}]')",
        host_id = host.id,
        slug = host.slug,
        end = start + 1800,
    ));

    run_hourly_until("the booking is not sealed", || {
        sql(&format!(
            "SELECT invitee_sealed FROM bookings WHERE id = '{id}'"
        ))[0]["invitee_sealed"]
            .is_string()
    });

    let row = &sql(&format!(
        "SELECT invitee_sealed, invitee_email_index, invitee_name, invitee_email, invitee_time_zone, \
         note, answers FROM bookings WHERE id = '{id}'"
    ))[0];
    assert!(row["invitee_sealed"].is_string(), "{row}");
    assert!(
        !row.to_string().contains(&name) && !row.to_string().contains(&email),
        "{row}"
    );
    assert_eq!(row["invitee_time_zone"], "UTC");
    let invitee = stored_invitee(&id);
    assert_eq!(
        invitee,
        json!({ "name": name, "email": email, "time_zone": "Asia/Tokyo", "note": "legacy note",
                "answers": [{ "question": "Company", "answer": "Acme" }] })
    );
    assert_ne!(row["invitee_email_index"], Value::Null);
}

/// [P50] A host's own address reaches D1 only sealed, from their first sign-in on: `hosts.email`
/// and the sign-in identity hold a stand-in (the address's blind index at `sealed.invalid`),
/// `hosts.email_sealed` the address under the host's data key, made with the host. Neither the
/// tables nor the bytes of the database files hold it, and every page that shows it opens it.
#[test]
fn a_hosts_address_is_stored_only_sealed_from_the_first_sign_in() {
    let (browser, email) = crate::sign_in::signed_in_host("sealedaddr", "Sealed Address");
    let host_id = host_id_by_email(&email).expect("the sign-in created the host");
    let stand_in = host_email_stand_in(&email);
    let row = &sql(&format!(
        "SELECT email, email_sealed, data_key_id FROM hosts WHERE id = '{host_id}'"
    ))[0];
    assert_eq!(row["email"], stand_in.as_str(), "{row}");
    assert!(row["data_key_id"].is_string(), "{row}");
    let identities = sql(&format!(
        "SELECT email FROM host_identities WHERE host_id = '{host_id}'"
    ));
    assert_eq!(identities, vec![json!({ "email": stand_in })]);
    assert_eq!(stored_host_email(&host_id), email);

    let markers = vec![email.clone(), email.to_lowercase()];
    assert_no_plaintext_in_d1(&markers);
    assert_not_in_database_files(&markers);

    // Where the address is needed, it is opened.
    assert!(browser.get("/dashboard").body.contains(&email));
    assert!(browser.get("/dashboard/privacy").body.contains(&email));
    let export = browser.get("/dashboard/export");
    assert_eq!(export.status, 200, "{}", export.body);
    assert_eq!(
        export.json()["sign_in_identities"][0]["email"],
        email.as_str()
    );
    // The Worker finds the host by the address in another case, as before sealing: a deletion
    // request for the upper-cased address emails the link to the host's own address.
    assert_eq!(
        post_form("/privacy/delete", &[("email", &email.to_uppercase())]).status,
        200
    );
    assert_eq!(wait_for_emails(&email, "Confirm the deletion", 1).len(), 1);
    assert_eq!(host_id_by_email(&email), Some(host_id));
}

/// [P49] [P50] Hosts written before sealing existed are sealed by the hourly run (their
/// address and their sign-in identities); the address still receives their notifications and
/// still finds them for a deletion request.
#[test]
fn the_hourly_run_seals_host_addresses_written_before_sealing() {
    // Named to sort first: each hourly run seals a few hosts, by id.
    let host = host("0 Address Later");
    let email = stored_host_email(&host.id);
    assert!(
        email.ends_with("@example.com"),
        "seeded in plaintext: {email}"
    );
    sql(&format!(
        "INSERT INTO host_identities (host_id, provider, subject, email, created_at) \
         VALUES ('{}', 'microsoft', 'legacy-{}', '{email}', 0)",
        host.id, host.id
    ));
    run_hourly_until("the host's address is not sealed", || {
        sql(&format!(
            "SELECT email_sealed FROM hosts WHERE id = '{}'",
            host.id
        ))[0]["email_sealed"]
            .is_string()
    });
    let stand_in = host_email_stand_in(&email);
    let row = &sql(&format!("SELECT email FROM hosts WHERE id = '{}'", host.id))[0];
    assert_eq!(row["email"], stand_in.as_str());
    let identities = sql(&format!(
        "SELECT email FROM host_identities WHERE host_id = '{}'",
        host.id
    ));
    assert_eq!(identities, vec![json!({ "email": stand_in })]);
    assert_eq!(stored_host_email(&host.id), email);
    assert_no_plaintext_in_d1(std::slice::from_ref(&email));

    book(&host, 10, "Ada Notifies", "ada.notifies@example.com");
    assert_eq!(wait_for_emails(&email, "New booking", 1).len(), 1);
    delete_account(&host.id);
    assert_eq!(host_id_by_email(&email), None);
}

/// [P51] A connected account's address reaches D1 only sealed under a key of that connection
/// (kept in KV beside its tokens), and its id only as a keyed hash; disconnecting deletes the
/// key, so what a copy of the database from before holds of the account opens no more.
#[test]
fn a_connected_account_is_sealed_under_a_key_the_disconnect_deletes() {
    use crate::sign_in::{csrf_of, fake_account, location, signed_in_host};
    let (browser, email) = signed_in_host("sealedconn", "Sealed Conn");
    let host_id = host_id_by_email(&email).unwrap();
    // The fake connects the account the authorize URL hints at: the host's own address.
    let account = email.clone();
    fake_account("google", &account, "Sealed Conn");
    crate::connections::connect(&browser, "google", &account);

    let row = &sql(&format!(
        "SELECT account_id, account_email, account_sealed, key_id FROM connections \
         WHERE host_id = '{host_id}' AND provider = 'google'"
    ))[0];
    assert_eq!(row["account_email"], "account@sealed.invalid", "{row}");
    let id_index = row["account_id"].as_str().unwrap();
    assert!(
        id_index.len() == 64 && id_index.bytes().all(|b| b.is_ascii_hexdigit()),
        "{row}"
    );
    let key_name = format!(
        "host/{host_id}/keys/connection-{}",
        row["key_id"].as_str().unwrap()
    );
    assert!(kv::keys().contains(&key_name), "{key_name}");
    let sealed = row["account_sealed"].as_str().unwrap().to_owned();
    let row_id = format!("{host_id}/google");
    assert_eq!(
        open_field(&host_id, "connections", "account_sealed", &row_id, &sealed),
        Ok(account.clone())
    );
    let markers = vec![account.clone(), account.to_lowercase()];
    assert_no_plaintext_in_d1(&markers);
    assert!(in_raw_d1_files(&markers).is_empty());
    // Shown where the host looks for it.
    let page = browser.get("/dashboard/connections");
    assert!(
        page.body
            .contains(&format!("connected as <strong>{account}</strong>")),
        "{}",
        page.body
    );

    let page = browser.get("/dashboard/connections");
    let reply = browser.post_form(
        "/dashboard/connections/google/disconnect",
        &[("csrf", &csrf_of(&page))],
        &[],
    );
    assert_eq!(location(&reply), "/dashboard/connections?done=disconnected");
    assert!(!kv::keys().contains(&key_name));
    let opened = open_field(&host_id, "connections", "account_sealed", &row_id, &sealed);
    assert_key_is_gone(&opened);
}

/// [P49] [P51] Connections made before sealing existed are sealed by the hourly run, and Zoom's
/// webhooks still find them by the account id.
#[test]
fn the_hourly_run_seals_connected_accounts_made_before_sealing() {
    // Named to sort first: each hourly run seals a few hosts' connections, by host.
    let host = host("0 Account Later");
    let account = format!("{}@example.com", marker("legacyaccount"));
    sql(&format!(
        "INSERT INTO connections (host_id, connection, provider, account_id, account_email, connected_at) \
         VALUES ('{}', 'zoom', 'zoom', 'zoom-legacy-{}', '{account}', 0)",
        host.id, host.id
    ));
    run_hourly_until("the account is not sealed", || {
        sql(&format!(
            "SELECT account_sealed FROM connections WHERE host_id = '{}'",
            host.id
        ))[0]["account_sealed"]
            .is_string()
    });
    assert_eq!(
        crate::connections::connection(&host.id, "zoom").unwrap()["account_email"],
        account.as_str()
    );
    assert_no_plaintext_in_d1(std::slice::from_ref(&account));
    let id = sql(&format!(
        "SELECT account_id FROM connections WHERE host_id = '{}'",
        host.id
    ))[0]["account_id"]
        .clone();
    assert_ne!(id, Value::String(format!("zoom-legacy-{}", host.id)));

    // Zoom's deauthorization names the user by id: found by the id's keyed hash.
    let now = chrono::Utc::now().timestamp();
    let body = json!({ "event": "app_deauthorized", "event_ts": now * 1000,
        "payload": { "account_id": "acc-1", "user_id": format!("zoom-legacy-{}", host.id),
                     "signature": "x", "deauthorization_time": "2026-11-24T08:00:00Z",
                     "client_id": "client" } })
    .to_string();
    let accepted = crate::privacy_rights::signed(&body, now);
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    assert_eq!(crate::connections::connection(&host.id, "zoom"), None);
}

/// [P51] A booking's calendar event id, meeting id and join link are kept only sealed under the
/// key of the connection that made them (the event: Google's; the Zoom meeting: Zoom's). When
/// the host disconnects Zoom, the meeting's id and link open no more, in any copy, and the
/// booking's page stops showing the link; the calendar event's id still opens.
#[test]
fn a_bookings_meeting_is_sealed_under_the_key_of_the_connection_that_made_it() {
    use crate::sign_in::{csrf_of, location};
    let zoom = crate::calendars::calendar_host("Sealed Meeting", "zoom", &["google", "zoom"]);
    let host_id = zoom.host.id.clone();
    let booking = book(&zoom.host, 13, "Mia Meeting", "mia.meeting@example.com");
    // The request only books; the cron run, within the minute, makes the event and meeting.
    crate::support::mail::run_cron();
    let id = booking["id"].as_str().unwrap().to_owned();
    let manage_url = booking["manage_url"].as_str().unwrap().to_owned();
    let row = || {
        sql(&format!(
            "SELECT state, event_id, meeting_id, meeting_url FROM booking_calendar \
             WHERE booking_id = '{id}'"
        ))[0]
            .clone()
    };
    for _ in 0..50 {
        if row()["state"] == "created" {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let stored = row();
    assert_eq!(stored["state"], "created", "{stored}");
    for column in ["event_id", "meeting_id", "meeting_url"] {
        let value = stored[column].as_str().unwrap_or_default();
        assert!(value.starts_with("s1.c-"), "{column}: {stored}");
    }
    let value = |column: &str| {
        crate::support::sealed::stored_meeting_value(
            &host_id,
            column,
            row()[column].as_str().unwrap(),
        )
    };
    let join = value("meeting_url").expect("the link opens with Zoom's key");
    assert!(join.starts_with("https://"), "{join}");
    assert!(crate::support::http::get(&manage_url).body.contains(&join));
    assert_no_plaintext_in_d1(std::slice::from_ref(&join));
    assert!(in_raw_d1_files(std::slice::from_ref(&join)).is_empty());

    // Connecting Zoom again (as after a refused grant) keeps the connection's key: the
    // booking's link still opens and shows.
    crate::connections::connect(&zoom.browser, "zoom", &zoom.email);
    assert_eq!(value("meeting_url"), Ok(join.clone()));
    assert!(crate::support::http::get(&manage_url).body.contains(&join));

    let page = zoom.browser.get("/dashboard/connections");
    let reply = zoom.browser.post_form(
        "/dashboard/connections/zoom/disconnect",
        &[("csrf", &csrf_of(&page))],
        &[],
    );
    assert_eq!(location(&reply), "/dashboard/connections?done=disconnected");
    let gone = value("meeting_url");
    assert_key_is_gone(&gone);
    assert!(value("meeting_id").is_err());
    assert!(
        value("event_id").is_ok(),
        "Google's event is still Google's"
    );
    let page = crate::support::http::get(&manage_url);
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(!page.body.contains(&join), "{}", page.body);
}

/// [P50] A sign-in identity keeps the provider's account id only as a keyed hash: a second
/// sign-in still finds the host by it, and an identity from before is hashed by the hourly run.
#[test]
fn sign_in_identities_keep_the_account_id_only_as_a_keyed_hash() {
    use crate::sign_in::{address, location, sign_in};
    use crate::support::browser::Browser;
    let email = address("hashedsub");
    let subject = marker("googlesub");
    let login = post_json(
        &format!("{}/_fake/google/login", world().fakes_url),
        &json!({ "email": email, "name": "Hashed Sub", "sub": subject }),
    );
    assert_eq!(login.status, 200, "{}", login.body);
    let first = sign_in(&Browser::new(), "google", &email);
    assert_eq!(location(&first), "/dashboard/welcome", "{}", first.body);
    let host_id = host_id_by_email(&email).unwrap();
    let stored = sql(&format!(
        "SELECT subject FROM host_identities WHERE host_id = '{host_id}'"
    ));
    assert_eq!(
        stored,
        vec![json!({ "subject": crate::support::sealed::account_index("google", &subject) })]
    );
    assert_no_plaintext_in_d1(std::slice::from_ref(&subject));
    let again = sign_in(&Browser::new(), "google", &email);
    assert_eq!(
        location(&again),
        "/dashboard",
        "the same host: {}",
        again.body
    );

    // An identity from before, with its plaintext id: hashed by the hourly run.
    let legacy = marker("legacysub");
    sql(&format!(
        "INSERT INTO host_identities (host_id, provider, subject, email, created_at) \
         VALUES ('{host_id}', 'microsoft', '{legacy}', 'x@sealed.invalid', 0)"
    ));
    run_hourly_until("the identity is not hashed", || {
        sql(&format!(
            "SELECT subject FROM host_identities WHERE host_id = '{host_id}' \
             AND provider = 'microsoft'"
        ))[0]["subject"]
            == crate::support::sealed::account_index("microsoft", &legacy).as_str()
    });
}

/// [P52] An email that belongs to no booking (here a host's deletion link) waits in D1 only
/// sealed under a key of its own, kept in KV; once it has left, its row and its key are gone,
/// so a copy of the row taken while it waited opens no more.
#[test]
fn a_waiting_privacy_email_is_sealed_under_a_key_that_goes_when_it_leaves() {
    let (_browser, email) = crate::sign_in::signed_in_host("noticekey", "Notice Key");
    fail_emails_sent_to(&email, 503, 1);
    assert_eq!(
        post_form("/privacy/delete", &[("email", &email)]).status,
        200
    );
    let ours: Vec<(String, String)> = sql("SELECT id, payload FROM notice_outbox")
        .iter()
        .map(|row| {
            (
                row["id"].as_str().unwrap().to_owned(),
                row["payload"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .filter(|(id, payload)| {
            open_field("notices", "notice_outbox", "payload", id, payload)
                .is_ok_and(|opened| opened.contains(&email))
        })
        .collect();
    assert_eq!(ours.len(), 1, "one deletion link waits for {email}");
    let (id, payload) = ours[0].clone();
    assert!(payload.starts_with(&format!("s1.n-{id}.")), "{payload}");
    let key_name = format!("notice/{id}");
    assert!(kv::keys().contains(&key_name));
    assert_no_plaintext_in_d1(std::slice::from_ref(&email));

    // It leaves (after its first attempt failed): row and key go.
    for _ in 0..20 {
        if !emails_to(&email).is_empty() {
            break;
        }
        sql(&format!(
            "UPDATE notice_outbox SET next_attempt_at = 0 WHERE id = '{id}'"
        ));
        run_cron();
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
    assert_eq!(wait_for_emails(&email, "Confirm the deletion", 1).len(), 1);
    assert!(sql(&format!("SELECT id FROM notice_outbox WHERE id = '{id}'")).is_empty());
    assert!(!kv::keys().contains(&key_name));
    let opened = open_field("notices", "notice_outbox", "payload", &id, &payload);
    assert_key_is_gone(&opened);
}

/// [P52] An invitee's erasure request keeps the address only sealed under a key of the
/// request's own, next to its blind index; confirming the erasure deletes the request and its
/// key, so a copy of the request taken before opens no more.
#[test]
fn an_erasure_request_keeps_the_address_only_sealed_until_it_is_done() {
    let host = host("Erasure Sealed");
    let address = format!("{}@example.com", marker("erasureaddr"));
    book(&host, 14, "Ezra Erased", &address);
    assert_eq!(
        post_form("/privacy/erase", &[("email", &address)]).status,
        200
    );
    let link = wait_for_emails(&address, "Confirm the erasure", 1);
    let path = confirm_path(&link[0]);
    let token = path.rsplit('/').next().unwrap();
    let token_hash = openslot::crypto::digest::sha256_hex(token);
    let row = &sql(&format!(
        "SELECT invitee_email, invitee_sealed FROM privacy_requests WHERE token_hash = '{token_hash}'"
    ))[0];
    assert_eq!(
        row["invitee_email"],
        crate::support::sealed::email_index(&address).as_str()
    );
    let sealed = row["invitee_sealed"].as_str().unwrap().to_owned();
    let open = || {
        open_field(
            "notices",
            "privacy_requests",
            "invitee_sealed",
            &token_hash,
            &sealed,
        )
    };
    assert_eq!(open(), Ok(address.clone()));
    assert_no_plaintext_in_d1(std::slice::from_ref(&address));

    let done = post_form(&path, &[]);
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(sql(&format!(
        "SELECT 1 FROM privacy_requests WHERE token_hash = '{token_hash}'"
    ))
    .is_empty());
    let opened = open();
    assert_key_is_gone(&opened);
}

/// Asserts that opening a sealed value failed because its key is no longer in KV.
pub(crate) fn assert_key_is_gone(opened: &Result<String, String>) {
    assert!(
        opened.as_ref().is_err_and(|why| why.contains("not in KV")),
        "{opened:?}"
    );
}

/// Runs the hourly job until `done` holds (each run seals a bounded number of hosts' rows, and
/// the suite seeds many hosts written "before sealing"); fails after 60 runs.
pub(crate) fn run_hourly_until(what: &str, done: impl Fn() -> bool) {
    for _ in 0..60 {
        if done() {
            return;
        }
        let reply = crate::support::http::get("/__scheduled?cron=17+*+*+*+*");
        assert_eq!(reply.status, 200, "{}", reply.body);
    }
    assert!(done(), "{what} after 60 hourly runs");
}

/// Copies the directory `from` to `to`, files and all.
fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
