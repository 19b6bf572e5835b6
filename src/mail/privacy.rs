//! The emails of privacy requests: the confirmation links (deleting a host's account, erasing
//! an invitee's data), the host's final notice after deletion, and the note a host gets when
//! an invitee's data was erased from their bookings.
//!
//! Pure and tested natively. A confirmation link goes only to the address on record, never to
//! whoever asked, so a forged request reaches nobody but the person it names. The note to a
//! host after an erasure carries no detail of the invitee: only how many bookings lost theirs.

use chrono::{DateTime, Utc};

use super::render::one_line;
use super::Message;

/// The HTML part: the paragraphs and the link, escaped by askama like every other email.
#[derive(askama::Template)]
#[template(path = "email/privacy_notice.html")]
struct PrivacyNoticeHtml<'a> {
    subject: &'a str,
    paragraphs: &'a [String],
    link: Option<&'a str>,
}

/// A plain notice: paragraphs and an optional link, in the shared email layout. Also the
/// shape of the host's notice about a broken connection (`connection_notice`).
pub(super) fn message(
    to: &str,
    subject: &str,
    paragraphs: &[String],
    link: Option<&str>,
) -> Message {
    let mut text = paragraphs.join("\n\n");
    if let Some(link) = link {
        text.push_str(&format!("\n\n{link}\n"));
    }
    let subject = one_line(subject);
    let html = askama::Template::render(&PrivacyNoticeHtml {
        subject: &subject,
        paragraphs,
        link,
    })
    .expect("the privacy notice template renders plain strings only");
    Message {
        to: to.to_owned(),
        reply_to: None,
        subject,
        text,
        html,
        attachments: Vec::new(),
    }
}

fn expiry(expires: DateTime<Utc>) -> String {
    expires
        .format_with_items(crate::core::display::layouts::UTC_MINUTE.iter())
        .to_string()
}

/// The link that deletes a host's account, sent to the host's registered address.
pub fn deletion_link(to: &str, link: &str, expires: DateTime<Utc>) -> Message {
    message(
        to,
        "Confirm the deletion of your Openslot account",
        &[
            "Someone asked to delete the Openslot account registered to this address, with all \
             its event types, availability, bookings and connected calendars."
                .to_owned(),
            format!(
                "If it was you, open the link below and confirm. It works once and expires at {}. \
                 Upcoming bookings will be cancelled and each invitee told.",
                expiry(expires)
            ),
            "If it was not you, ignore this email: nothing is deleted without this link."
                .to_owned(),
        ],
        Some(link),
    )
}

/// The link that erases an invitee's details from every booking made with their address.
pub fn erasure_link(to: &str, link: &str, expires: DateTime<Utc>) -> Message {
    message(
        to,
        "Confirm the erasure of your booking details",
        &[
            "Someone asked to erase the name, address and notes of every booking made with this \
             address through this Openslot instance."
                .to_owned(),
            format!(
                "If it was you, open the link below and confirm. It works once and expires at {}. \
                 The hosts keep only that a time was booked, and are told that details were erased.",
                expiry(expires)
            ),
            "If it was not you, ignore this email: nothing is erased without this link.".to_owned(),
        ],
        Some(link),
    )
}

/// The host's last email: the account is gone, and what that meant for their bookings.
pub fn deletion_notice(to: &str, host_name: &str, cancelled: usize, left: &[String]) -> Message {
    let mut paragraphs = vec![
        format!("Hello {host_name},"),
        format!(
            "Your Openslot account and everything stored with it were deleted: profile, event \
             types, availability, bookings, sign-in sessions, API tokens and calendar \
             connections. {cancelled} upcoming booking(s) were cancelled and each invitee was told."
        ),
    ];
    paragraphs.extend_from_slice(left);
    paragraphs.push(
        "This is the last email you get from this instance. Emails already delivered and \
         invitations already in calendars are not affected."
            .to_owned(),
    );
    message(to, "Your Openslot account was deleted", &paragraphs, None)
}

/// What a deleted host must still remove themselves because a provider refused just then:
/// events or meetings of the cancelled bookings, and grants that could not be revoked (named
/// by the provider's label). Empty when the providers did everything.
pub fn deletion_leftovers(events_left: usize, grants_left: &[&str]) -> Vec<String> {
    let mut lines = Vec::new();
    if events_left > 0 {
        lines.push(format!(
            "{events_left} calendar event(s) or meeting(s) of the cancelled bookings could not be \
             removed at your calendar or Zoom just now; please delete them there yourself."
        ));
    }
    if !grants_left.is_empty() {
        lines.push(format!(
            "Openslot could not revoke its access at {}; remove it yourself in that account's \
             security settings (Google: myaccount.google.com/permissions; Zoom: App Marketplace, \
             Manage, Added Apps). Openslot has already deleted its own copy of the tokens.",
            grants_left.join(" and ")
        ));
    }
    lines
}

/// A host is told that an invitee's details were erased from `count` of their bookings;
/// nothing about the invitee is in it.
pub fn erasure_notice(to: &str, host_name: &str, count: usize) -> Message {
    message(
        to,
        "An invitee's details were erased from your bookings",
        &[
            format!("Hello {host_name},"),
            format!(
                "At an invitee's request, their name, email address and notes were erased from \
                 {count} of your bookings. The times stay booked in your schedule, without any \
                 details."
            ),
        ],
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap()
    }

    #[test]
    fn a_deletion_link_goes_to_the_given_address_with_the_link_and_its_expiry() {
        let email = deletion_link(
            "dana@example.com",
            "https://x.example/privacy/confirm/abc",
            at(),
        );
        assert_eq!(email.to, "dana@example.com");
        assert!(email.text.contains("https://x.example/privacy/confirm/abc"));
        assert!(email
            .html
            .contains("href=\"https://x.example/privacy/confirm/abc\""));
        assert!(
            email.text.contains("2027-01-15 08:00 UTC"),
            "{}",
            email.text
        );
        assert!(email.attachments.is_empty());
    }

    #[test]
    fn the_erasure_notice_names_the_host_and_a_count_only() {
        let email = erasure_notice("host@example.com", "Dana <b>", 3);
        assert!(email.text.contains("3 of your bookings"));
        assert!(email.html.contains("Dana &#60;b&#62;"), "{}", email.html);
        assert!(!email.html.contains("<b>"));
    }

    #[test]
    fn subjects_are_one_line() {
        for email in [
            deletion_notice("h@example.com", "Dana", 0, &[]),
            erasure_link("i@example.com", "https://x.example/l", at()),
        ] {
            assert!(!email.subject.contains('\n'));
        }
    }

    #[test]
    fn a_deletion_notice_names_what_the_providers_left_behind() {
        assert!(deletion_leftovers(0, &[]).is_empty());
        let left = deletion_leftovers(2, &["Google Calendar", "Zoom"]);
        assert_eq!(left.len(), 2);
        assert!(left[0].starts_with("2 calendar event(s)"), "{}", left[0]);
        assert!(
            left[1].contains("at Google Calendar and Zoom"),
            "{}",
            left[1]
        );
        let notice = deletion_notice("ada@example.com", "Ada", 1, &left);
        assert!(notice.text.contains("please delete them there yourself"));
        assert!(notice
            .text
            .contains("could not revoke its access at Google Calendar and Zoom"));
        let clean = deletion_notice("ada@example.com", "Ada", 1, &[]);
        assert!(!clean.text.contains("could not"));
    }
}
