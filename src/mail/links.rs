//! Links whose secret is added only as an email leaves.
//!
//! A queued email waits in D1 (seconds normally, hours while the email API is down, until a
//! key is set without one), and D1 must never hold a token that acts on a booking or a privacy
//! request ([P2], [P17]). So an email is rendered with a placeholder where the token goes and
//! stored that way; the sender derives the token from the instance's link key, which is not in
//! D1 ([`LinkKey`](crate::crypto::link_token::LinkKey)), and fills it in just before sending.
//!
//! A placeholder has exactly its token's length and alphabet (base64url for manage links, hex
//! for privacy links), so HTML and iCalendar escaping leave both alike and the `.ics` is folded
//! at the same octets: filling also works across a fold (`CRLF` + space) inside the
//! placeholder, and the result is what rendering with the token would have given.

use super::Message;

/// Stands for a booking's manage-link token (43 base64url characters) in a queued email.
pub const MANAGE_TOKEN_PLACEHOLDER: &str = "openslot-manage-token-filled-in-when-sent-0";

/// Stands for a privacy link's token (64 hex digits) in a queued email.
pub const PRIVACY_TOKEN_PLACEHOLDER: &str =
    "0000000000000000000000000000000000000000000000000000000000000000";

const _: () = assert!(MANAGE_TOKEN_PLACEHOLDER.len() == 43);
const _: () = assert!(PRIVACY_TOKEN_PLACEHOLDER.len() == 64);

/// A booking's manage link as a queued email carries it: `origin` and the placeholder.
pub fn queued_manage_url(origin: &str) -> String {
    format!("{origin}/booking/{MANAGE_TOKEN_PLACEHOLDER}")
}

/// Whether any part of `message` still waits for `placeholder`.
pub fn has_placeholder(message: &Message, placeholder: &str) -> bool {
    let mut found = false;
    each_part(&mut message.clone(), |text| {
        found |= fill_text(text, placeholder, placeholder);
    });
    found
}

/// Puts `token` where `placeholder` stands in every part of `message`; true when there was
/// one. `token` must be as long as `placeholder` (both ASCII).
pub fn fill(message: &mut Message, placeholder: &str, token: &str) -> bool {
    assert_eq!(
        placeholder.len(),
        token.len(),
        "a token fills its own width"
    );
    let mut filled = false;
    each_part(message, |text| {
        filled |= fill_text(text, placeholder, token)
    });
    filled
}

fn each_part(message: &mut Message, mut act: impl FnMut(&mut String)) {
    act(&mut message.subject);
    act(&mut message.text);
    act(&mut message.html);
    for attachment in &mut message.attachments {
        act(&mut attachment.content);
    }
}

/// The iCalendar fold: a line continues after CRLF and one space (RFC 5545 §3.1).
const FOLD: &[u8] = b"\r\n ";

/// Replaces each occurrence of `placeholder` in `text` (folds allowed between its characters,
/// and kept) with `token`; true when there was one.
fn fill_text(text: &mut String, placeholder: &str, token: &str) -> bool {
    let (bytes, wanted, with) = (text.as_bytes(), placeholder.as_bytes(), token.as_bytes());
    let Some(&first) = wanted.first() else {
        return false;
    };
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    let mut found = false;
    while at < bytes.len() {
        if bytes[at] == first {
            if let Some((end, spots)) = match_at(bytes, at, wanted) {
                let mut spots = spots.into_iter().zip(with).peekable();
                for (i, &byte) in bytes.iter().enumerate().take(end).skip(at) {
                    match spots.peek() {
                        Some(&(spot, &replacement)) if spot == i => {
                            out.push(replacement);
                            spots.next();
                        }
                        _ => out.push(byte),
                    }
                }
                at = end;
                found = true;
                continue;
            }
        }
        out.push(bytes[at]);
        at += 1;
    }
    if found {
        // ASCII replaced ASCII at the same places, so the text is still UTF-8.
        *text = String::from_utf8(out).expect("ASCII for ASCII keeps UTF-8 intact");
    }
    found
}

/// Where `wanted` matches `bytes` from `at`, folds allowed between its bytes: the end of the
/// match and the index of each matched byte.
fn match_at(bytes: &[u8], at: usize, wanted: &[u8]) -> Option<(usize, Vec<usize>)> {
    let mut spots = Vec::with_capacity(wanted.len());
    let mut i = at;
    for (k, &byte) in wanted.iter().enumerate() {
        if k > 0 && bytes.get(i) != Some(&byte) && bytes[i..].starts_with(FOLD) {
            i += FOLD.len();
        }
        if bytes.get(i) != Some(&byte) {
            return None;
        }
        spots.push(i);
        i += 1;
    }
    Some((i, spots))
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use proptest::prelude::*;

    use super::*;
    use crate::i18n::Lang;
    use crate::mail::render::{self, BookingFacts, HOST_LANG};

    fn facts<'a>(manage_url: &'a str, title: &'a str) -> BookingFacts<'a> {
        BookingFacts {
                        calendar_uid: "b0123456789abcdef@openslot",
            sequence: 0,
            event_title: title,
            host_name: "Ada Host",
            host_email: "ada@example.com",
            host_zone: chrono_tz::Europe::Berlin,
            invitee_name: "Bob Invitee",
            invitee_email: "bob@example.org",
            invitee_zone: chrono_tz::America::New_York,
            note: "About the roadmap",
            start: Utc.with_ymd_and_hms(2026, 11, 25, 14, 0, 0).unwrap(),
            end: Utc.with_ymd_and_hms(2026, 11, 25, 14, 30, 0).unwrap(),
            location_kind: crate::core::event_type::LocationKind::Online(
                crate::core::meeting_service::MeetingService::GoogleMeet,
            ),
            location_detail: "",
            meeting_url: None,
            manage_url,
            answers: &[],
            invitee_lang: Lang::En,
            host_lang: HOST_LANG,
            host_message: "",
        }
    }

    fn confirmation(manage_url: &str, title: &str) -> Message {
        let stamp = Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).unwrap();
        render::invitee_confirmation(&facts(manage_url, title), stamp).unwrap()
    }

    proptest! {
        /// Rendering with the placeholder and filling in the token gives exactly what
        /// rendering with the token gives, wherever the folds of the `.ics` fall.
        #[test]
        fn filling_equals_rendering_with_the_token(
            token in "[A-Za-z0-9_-]{43}",
            origin_pad in 0usize..80,
            title_pad in 0usize..80,
        ) {
            let origin = format!("https://{}.example.com", "a".repeat(origin_pad + 1));
            let title = format!("Intro {}", "x".repeat(title_pad));
            let expected = confirmation(&format!("{origin}/booking/{token}"), &title);
            let mut queued =
                confirmation(&format!("{origin}/booking/{MANAGE_TOKEN_PLACEHOLDER}"), &title);
            let shown = format!("{:?}", queued);
            prop_assert!(!shown.contains(&token));
            prop_assert!(fill(&mut queued, MANAGE_TOKEN_PLACEHOLDER, &token));
            prop_assert_eq!(queued, expected);
        }
    }

    #[test]
    fn a_fold_inside_the_placeholder_is_kept() {
        let mut text =
            "URL:https://x/booking/openslot-manage-tok\r\n en-filled-in-when-sent-0\r\n".to_owned();
        let token = "A".repeat(43);
        assert!(fill_text(&mut text, MANAGE_TOKEN_PLACEHOLDER, &token));
        assert_eq!(
            text,
            format!(
                "URL:https://x/booking/{}\r\n {}\r\n",
                &token[..19],
                &token[19..]
            )
        );
    }

    #[test]
    fn a_message_without_the_placeholder_is_left_alone() {
        let mut message = confirmation("https://x/booking/realtoken", "Intro");
        let before = message.clone();
        assert!(!has_placeholder(&message, MANAGE_TOKEN_PLACEHOLDER));
        assert!(!fill(
            &mut message,
            MANAGE_TOKEN_PLACEHOLDER,
            &"B".repeat(43)
        ));
        assert_eq!(message, before);
    }
}
