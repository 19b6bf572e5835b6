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

/// The KV name of the data key a sealed field names (`h-…` the host's, `b-…` a booking's).
fn kv_name(host_id: &str, key_ref: &str) -> String {
    match key_ref.split_once('-') {
        Some(("h", id)) => format!("host/{host_id}/keys/host-{id}"),
        Some(("b", id)) => format!("host/{host_id}/keys/booking-{id}"),
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
