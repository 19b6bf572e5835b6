//! A booking form body, as the Worker receives it, must parse or fail cleanly; whatever parses
//! holds no control characters where they could reach an email header or an .ics line.
#![no_main]

use libfuzzer_sys::fuzz_target;
use openslot::core::booking::BookingInput;

fuzz_target!(|body: &[u8]| {
    let mut input = BookingInput::default();
    for (name, value) in form_urlencoded::parse(body) {
        let value = value.into_owned();
        match name.as_ref() {
            "slot" => input.start = value,
            "name" => input.name = value,
            "email" => input.email = value,
            "tz" => input.time_zone = value,
            "note" => input.note = value,
            "idempotency_key" => input.idempotency_key = value,
            _ => {}
        }
    }
    if let Ok(request) = input.parse() {
        assert!(!request.invitee.name.as_str().chars().any(char::is_control));
        assert!(!request.invitee.email.as_str().chars().any(|c| c.is_control() || c.is_whitespace()));
        assert!(request.invitee.name.as_str().chars().count() <= 100);
        assert!(!request.note.as_str().contains('\r'));
    }
});
