//! Reading what the Worker keeps sealed in D1 the way an operator holding the instance key
//! would, from the documented format alone (`src/crypto/data_key.rs`), with the AES-GCM crate
//! directly: the host's data key from KV (sealed with the instance key), then the field.
//! Tests use it to see what a booking holds now that D1's columns hold no plaintext, and to
//! show that without the key nothing opens.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde_json::Value;

use super::kv;
use super::seed::sql;
use super::world::TEST_TOKEN_KEY;

/// `{version}.{key}.{base64url(nonce ‖ ciphertext ‖ tag)}` opened with `key` under `aad`.
fn open(key: &[u8], aad: &str, sealed: &str, version: &str) -> Result<(String, Vec<u8>), String> {
    let mut parts = sealed.splitn(3, '.');
    let (Some(found), Some(key_name), Some(body)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(format!("not a sealed value: {sealed}"));
    };
    if found != version {
        return Err(format!("format {found}, expected {version}"));
    }
    let blob = URL_SAFE_NO_PAD.decode(body).map_err(|e| e.to_string())?;
    let (nonce, ciphertext) = blob.split_at(12);
    let nonce: [u8; 12] = nonce.try_into().map_err(|_| "short nonce".to_owned())?;
    let cipher = Aes256Gcm::new_from_slice(key).map_err(|e| e.to_string())?;
    let plaintext = cipher
        .decrypt(
            &Nonce::from(nonce),
            Payload {
                msg: ciphertext,
                aad: aad.as_bytes(),
            },
        )
        .map_err(|_| format!("{aad}: authentication failed"))?;
    Ok((key_name.to_owned(), plaintext))
}

/// The KV name of the data key a sealed field names (`h-…` the host's, `b-…` a booking's,
/// `c-…` a connection's).
fn kv_name(host_id: &str, key_ref: &str) -> String {
    match key_ref.split_once('-') {
        Some(("h", id)) => format!("host/{host_id}/keys/host-{id}"),
        Some(("b", id)) => format!("host/{host_id}/keys/booking-{id}"),
        Some(("c", id)) => format!("host/{host_id}/keys/connection-{id}"),
        // A waiting email's own key, outside every host (opened with the scope `notices`).
        Some(("n", id)) => format!("notice/{id}"),
        _ => panic!("not a key reference: {key_ref}"),
    }
}

/// Opens `sealed`, a value of `table.column` in row `row_id` of `host_id`'s data, with the
/// data key KV holds now; an error says why it does not open (no such key any more).
pub fn open_field(
    host_id: &str,
    table: &str,
    column: &str,
    row_id: &str,
    sealed: &str,
) -> Result<String, String> {
    let key_ref = sealed
        .split('.')
        .nth(1)
        .ok_or_else(|| format!("not sealed: {sealed}"))?;
    let name = kv_name(host_id, key_ref);
    if !kv::keys().contains(&name) {
        return Err(format!("the data key {name} is not in KV"));
    }
    let instance = STANDARD.decode(TEST_TOKEN_KEY).unwrap();
    let (_, encoded) = open(
        &instance,
        &format!("openslot/data-key/{host_id}/{key_ref}"),
        &kv::value(&name),
        "v1",
    )?;
    let data_key = URL_SAFE_NO_PAD
        .decode(String::from_utf8(encoded).unwrap())
        .map_err(|e| e.to_string())?;
    let (_, plaintext) = open(
        &data_key,
        &format!("openslot/d1/{table}/{column}/{row_id}"),
        sealed,
        "s1",
    )?;
    Ok(String::from_utf8(plaintext).unwrap())
}

/// The invitee of booking `id` as D1 holds it, opened: `name`, `email`, `time_zone`, `note`
/// and `answers` (parsed), or the plaintext columns of a row not sealed (yet, or erased).
pub fn stored_invitee(id: &str) -> Value {
    let rows = sql(&format!(
        "SELECT host_id, invitee_sealed, invitee_name, invitee_email, invitee_time_zone, note, \
         answers FROM bookings WHERE id = '{id}'"
    ));
    let row = rows.first().unwrap_or_else(|| panic!("no booking {id}"));
    let (name, email, zone, note, answers) = match row["invitee_sealed"].as_str() {
        Some(sealed) => {
            let host_id = row["host_id"].as_str().unwrap();
            let json = open_field(host_id, "bookings", "invitee_sealed", id, sealed)
                .unwrap_or_else(|e| panic!("booking {id}: {e}"));
            let v: Value = serde_json::from_str(&json).unwrap();
            (
                v["n"].clone(),
                v["e"].clone(),
                v["z"].clone(),
                v["t"].clone(),
                v["a"].clone(),
            )
        }
        None => (
            row["invitee_name"].clone(),
            row["invitee_email"].clone(),
            row["invitee_time_zone"].clone(),
            row["note"].clone(),
            row["answers"].clone(),
        ),
    };
    let answers: Value = serde_json::from_str(answers.as_str().unwrap_or("[]")).unwrap();
    serde_json::json!({
        "name": name, "email": email, "time_zone": zone, "note": note, "answers": answers,
    })
}

/// HMAC-SHA256 of `message` under `key`.
fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    use hmac::Mac;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key).expect("any key length");
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

/// The blind index of `address`, computed from the documented derivation
/// (`src/crypto/data_key.rs`, `IndexKey`): an index key derived from the instance secret with
/// its own label, then HMAC-SHA256 of the trimmed, lower-cased address.
pub fn email_index(address: &str) -> String {
    let instance = STANDARD.decode(TEST_TOKEN_KEY).unwrap();
    let index_key = hmac_sha256(&instance, b"openslot/blind-index-key/v1");
    let normalized = address.trim().to_lowercase();
    hmac_sha256(&index_key, format!("email\n{normalized}").as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// What `hosts.email` holds for a host whose address is `address` once it is sealed: the
/// address's blind index at the reserved domain `sealed.invalid`.
pub fn host_email_stand_in(address: &str) -> String {
    format!("{}@sealed.invalid", email_index(address))
}

/// The id of the host whose address is `address`, sealed or not (yet), if there is one.
pub fn host_id_by_email(address: &str) -> Option<String> {
    let rows = sql(&format!(
        "SELECT id FROM hosts WHERE email = '{}' OR lower(email) = lower('{}')",
        host_email_stand_in(address),
        address.replace('\'', "''")
    ));
    rows.first()
        .and_then(|row| row["id"].as_str())
        .map(str::to_owned)
}

/// The host's own address as D1 holds it, opened (or as it is, for a host not sealed yet).
pub fn stored_host_email(host_id: &str) -> String {
    let rows = sql(&format!(
        "SELECT COALESCE(email_sealed, email) AS email FROM hosts WHERE id = '{host_id}'"
    ));
    let stored = rows[0]["email"].as_str().expect("the host exists");
    if stored.starts_with("s1.") {
        open_field(host_id, "hosts", "email_sealed", host_id, stored)
            .unwrap_or_else(|e| panic!("host {host_id}: {e}"))
    } else {
        stored.to_owned()
    }
}

/// A booking's `booking_calendar.{column}` (`event_id`, `meeting_id`, `meeting_url`) as D1 holds
/// it, opened with its connection's key (bound to the host and column), or as it is when it
/// is not sealed; `Err` when its key is gone.
pub fn stored_meeting_value(host_id: &str, column: &str, stored: &str) -> Result<String, String> {
    if stored.starts_with("s1.") {
        open_field(host_id, "booking_calendar", column, host_id, stored)
    } else {
        Ok(stored.to_owned())
    }
}

/// Every email waiting in `notice_outbox`, opened as an operator holding the keys would: a
/// host's notice with the host's key, a privacy email with its own (`notice/{id}`, sealed for
/// the scope `notices`). A payload whose key is gone is left out.
pub fn waiting_notices() -> Vec<String> {
    sql("SELECT id, host_id, payload FROM notice_outbox")
        .iter()
        .filter_map(|row| {
            let id = row["id"].as_str()?;
            let payload = row["payload"].as_str()?;
            if !payload.starts_with("s1.") {
                return Some(payload.to_owned());
            }
            let own_key = payload
                .split('.')
                .nth(1)
                .is_some_and(|k| k.starts_with("n-"));
            let scope = if own_key {
                "notices"
            } else {
                row["host_id"].as_str()?
            };
            open_field(scope, "notice_outbox", "payload", id, payload).ok()
        })
        .collect()
}

/// The keyed hash of a provider's account id (`IndexKey::account` in `src/crypto/data_key.rs`):
/// what `host_identities.subject` and `connections.account_id` hold.
pub fn account_index(provider: &str, account_id: &str) -> String {
    let instance = STANDARD.decode(TEST_TOKEN_KEY).unwrap();
    let index_key = hmac_sha256(&instance, b"openslot/blind-index-key/v1");
    hmac_sha256(
        &index_key,
        format!("account\n{provider}\n{account_id}").as_bytes(),
    )
    .iter()
    .map(|byte| format!("{byte:02x}"))
    .collect()
}
