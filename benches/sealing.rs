//! What sealing costs per personal field (issue 13): sealing and opening a booking's invitee
//! details (name, address, zone, note and three answers as one JSON value of about 400 bytes)
//! under a data key, opening a data key read from KV, and one blind index of an address.
//! These run natively; in the Worker the same Rust code runs as wasm.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use openslot::crypto::data_key::{DataKey, Field, IndexKey, KeyRef};
use openslot::crypto::token_cipher::TokenCipher;

const INSTANCE_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

fn invitee_json() -> String {
    serde_json::json!({
        "name": "Ada Lovelace", "email": "ada.lovelace@example.com",
        "time_zone": "Europe/London", "note": "Looking forward to talking about the engine.",
        "answers": "[{\"question\":\"Company\",\"answer\":\"Analytical Engines Ltd\"},\
                    {\"question\":\"Team size\",\"answer\":\"12\"},\
                    {\"question\":\"What should we cover?\",\"answer\":\"Pricing and the roadmap\"}]"
    })
    .to_string()
}

fn sealing(c: &mut Criterion) {
    let key = DataKey::generate(KeyRef::Host("0123456789abcdef".into()));
    let field = Field {
        table: "bookings",
        column: "invitee",
        row_id: "0123456789abcdef0123456789abcdef",
    };
    let plain = invitee_json();
    let sealed = key.seal(field, &plain);
    c.bench_function("seal invitee details", |b| {
        b.iter(|| key.seal(field, black_box(&plain)))
    });
    c.bench_function("open invitee details", |b| {
        b.iter(|| key.open(field, black_box(&sealed)).unwrap())
    });
    let instance = TokenCipher::new("k1", INSTANCE_KEY, "").unwrap();
    let stored = key.seal_for_kv(&instance, "host-1");
    c.bench_function("open a data key read from KV", |b| {
        b.iter(|| {
            DataKey::open_from_kv(
                &instance,
                "host-1",
                KeyRef::Host("0123456789abcdef".into()),
                black_box(&stored),
            )
            .unwrap()
        })
    });
    let index = IndexKey::derive(b"instance secret");
    c.bench_function("blind index of an address", |b| {
        b.iter(|| index.email(black_box("Ada.Lovelace@example.com")))
    });
}

criterion_group!(benches, sealing);
criterion_main!(benches);
