use chrono::TimeZone;

use super::*;
use crate::core::meeting_service::MeetingService;

fn facts<'a>(name: &'a str, note: &'a str) -> BookingFacts<'a> {
    BookingFacts {
                calendar_uid: "b0123456789abcdef@openslot",
        sequence: 0,
        event_title: "Intro call",
        host_name: "Ada Host",
        host_email: "ada@example.com",
        host_zone: chrono_tz::Europe::Berlin,
        invitee_name: name,
        invitee_email: "bob@example.org",
        invitee_zone: chrono_tz::America::New_York,
        note,
        start: Utc.with_ymd_and_hms(2026, 11, 25, 14, 0, 0).unwrap(),
        end: Utc.with_ymd_and_hms(2026, 11, 25, 14, 30, 0).unwrap(),
        location_kind: LocationKind::Online(MeetingService::GoogleMeet),
        location_detail: "",
        meeting_url: None,
        manage_url: "https://slots.example.com/booking/tok123",
        answers: &[],
        invitee_lang: Lang::En,
        host_lang: HOST_LANG,
        host_message: "",
    }
}

fn stamp() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).unwrap()
}

/// Unfolds RFC 5545 content lines (CRLF + one space continues the previous line).
fn unfold(ics: &str) -> String {
    ics.replace("\r\n ", "")
}

#[test]
fn the_invitee_confirmation_has_both_parts_the_times_the_link_and_a_request() {
    let message =
        invitee_confirmation(&facts("Bob Invitee", "About the roadmap"), stamp()).unwrap();
    assert_eq!(message.to, "bob@example.org");
    assert_eq!(message.reply_to.as_deref(), Some("ada@example.com"));
    assert_eq!(
        message.subject,
        "Booked: Intro call with Ada Host on Wednesday, 25 November 2026"
    );
    for part in [&message.text, &message.html] {
        // The invitee's zone first, the host's as well.
        assert!(
            part.contains("Wednesday, 25 November 2026, 09:00–09:30 (America/New_York)"),
            "{part}"
        );
        assert!(part.contains("15:00–15:30 (Europe/Berlin)"), "{part}");
        assert!(part.contains("Google Meet"));
        assert!(part.contains("https://slots.example.com/booking/tok123"));
        assert!(part.contains("https://slots.example.com/booking/tok123/cancel"));
        assert!(part.contains("About the roadmap"));
    }
    assert!(!message.text.contains('<'), "plain text has no markup");
    assert!(!message.html.contains("<img"), "no tracking pixels");

    let [attachment] = message.attachments.as_slice() else {
        panic!("one attachment")
    };
    assert_eq!(attachment.filename, "invite.ics");
    assert_eq!(
        attachment.content_type,
        "text/calendar; method=REQUEST; charset=utf-8"
    );
    let ics = unfold(&attachment.content);
    for line in [
        "METHOD:REQUEST",
        "UID:b0123456789abcdef@openslot",
        "SEQUENCE:0",
        "DTSTART:20261125T140000Z",
        "DTEND:20261125T143000Z",
        "LOCATION:Google Meet",
        "STATUS:CONFIRMED",
        "ORGANIZER;CN=Ada Host:mailto:ada@example.com",
    ] {
        assert!(
            ics.contains(&format!("{line}\r\n")),
            "{line} missing in\n{ics}"
        );
    }
    assert!(ics.contains("ATTENDEE;CN=Bob Invitee;"), "{ics}");
    assert!(ics.contains(":mailto:bob@example.org\r\n"), "{ics}");
    assert!(ics.contains("DESCRIPTION:Where: Google Meet\\n"), "{ics}");
}

#[test]
fn the_host_notification_shows_who_and_the_hosts_zone_first() {
    let message = host_notification(&facts("Bob Invitee", "Bring slides"), stamp()).unwrap();
    assert_eq!(message.to, "ada@example.com");
    assert_eq!(message.reply_to.as_deref(), Some("bob@example.org"));
    assert_eq!(
        message.subject,
        "New booking: Intro call with Bob Invitee on Wednesday, 25 November 2026"
    );
    assert!(message
        .text
        .contains("When:  Wednesday, 25 November 2026, 15:00–15:30 (Europe/Berlin)"));
    assert!(message.text.contains("Bob Invitee <bob@example.org>"));
    assert!(message.text.contains("Note:  Bring slides"));
    assert!(message.html.contains("Bob Invitee &lt;bob@example.org&gt;"));
    assert!(
        !message.text.contains("/booking/tok123"),
        "the host does not get the invitee's key"
    );
}

#[test]
fn user_text_is_escaped_in_html_and_kept_verbatim_in_text() {
    let name = "Eve <script>alert(1)</script>";
    let note = "<img src=x onerror=alert(2)> & \"quotes\"";
    for message in [
        invitee_confirmation(&facts(name, note), stamp()).unwrap(),
        host_notification(&facts(name, note), stamp()).unwrap(),
        host_cancellation(
            &facts(name, note),
            "<b>reason</b>",
            CancelledBy::Invitee,
            stamp(),
        )
        .unwrap(),
    ] {
        assert!(!message.html.contains("<script>"), "{}", message.html);
        assert!(!message.html.contains("<img"), "{}", message.html);
        assert!(!message.html.contains("<b>reason"), "{}", message.html);
        assert!(
            message.html.contains("&lt;script&gt;") || message.html.contains("&#60;script&#62;")
        );
        assert!(message.text.contains(name) || message.text.contains(note));
    }
}

#[test]
fn the_hosts_paragraph_is_in_the_invitees_confirmation_and_the_reminders_only_and_escaped() {
    let mut f = facts("Bob", "");
    f.host_message = "Bring <b>your</b> laptop\n& a charger.";
    let confirmation = invitee_confirmation(&f, stamp()).unwrap();
    assert!(confirmation.text.contains("Bring <b>your</b> laptop\n& a charger."), "{}", confirmation.text);
    assert!(!confirmation.html.contains("<b>your"), "{}", confirmation.html);
    assert!(
        confirmation.html.contains("Bring &lt;b&gt;your&lt;/b&gt; laptop")
            || confirmation.html.contains("Bring &#60;b&#62;your"),
        "{}",
        confirmation.html
    );
    for other in [
        host_notification(&f, stamp()).unwrap(),
        invitee_cancellation(&f, "", CancelledBy::Invitee, stamp()).unwrap(),
    ] {
        assert!(!other.text.contains("laptop"), "{}", other.text);
    }
    // A reminder's own text (`core::reminders`) reaches both sides, escaped the same way.
    for reminder in [invitee_reminder(&f).unwrap(), host_reminder(&f).unwrap()] {
        assert!(reminder.text.contains("Bring <b>your</b> laptop\n& a charger."), "{}", reminder.text);
        assert!(!reminder.html.contains("<b>your"), "{}", reminder.html);
        assert!(reminder.html.contains("laptop"), "{}", reminder.html);
    }
    for reminder in [invitee_reminder(&facts("Bob", "")).unwrap(), host_reminder(&facts("Bob", "")).unwrap()] {
        assert!(!reminder.html.contains("pre-wrap;\"></p>"), "no empty paragraph");
    }
    let plain = invitee_confirmation(&facts("Bob", ""), stamp()).unwrap();
    assert!(!plain.html.contains("pre-wrap;\"></p>"), "no empty paragraph");
}

#[test]
fn subjects_stay_on_one_line_whatever_the_text() {
    let mut f = facts("Bob\r\nBcc: victim@example.com", "");
    f.event_title = "Call\nX-Injected: yes";
    for message in [
        invitee_confirmation(&f, stamp()).unwrap(),
        host_notification(&f, stamp()).unwrap(),
        invitee_cancellation(&f, "", CancelledBy::Invitee, stamp()).unwrap(),
        host_cancellation(&f, "", CancelledBy::Invitee, stamp()).unwrap(),
    ] {
        assert!(
            !message.subject.chars().any(char::is_control),
            "{:?}",
            message.subject
        );
    }
    assert_eq!(one_line("a\r\nb\tc"), "a  b c");
}

#[test]
fn a_withdrawn_request_is_told_to_both_without_a_cancel_for_an_event_never_sent() {
    let f = facts("Bob Invitee", "");
    let (to_invitee, to_host) =
        request_withdrawal(&f, "Plans changed", CancelledBy::Invitee).unwrap();
    assert_eq!(to_invitee.to, "bob@example.org");
    assert_eq!(to_host.to, "ada@example.com");
    assert!(to_host.text.contains("Reason: Plans changed"));
    assert!(to_invitee.subject.starts_with("Cancelled"));
    assert!(to_invitee.attachments.is_empty() && to_host.attachments.is_empty());
}

#[test]
fn cancellations_carry_a_cancel_with_the_same_uid_and_a_higher_sequence() {
    let f = facts("Bob Invitee", "");
    let to_invitee =
        invitee_cancellation(&f, "Something came up", CancelledBy::Invitee, stamp()).unwrap();
    let to_host =
        host_cancellation(&f, "Something came up", CancelledBy::Invitee, stamp()).unwrap();
    assert_eq!(to_invitee.to, "bob@example.org");
    assert_eq!(to_host.to, "ada@example.com");
    assert!(to_host.text.contains("Reason: Something came up"));
    assert!(to_invitee.text.contains("Your reason: Something came up"));
    assert!(to_host
        .subject
        .starts_with("Cancelled by Bob Invitee: Intro call"));
    for message in [&to_invitee, &to_host] {
        let attachment = &message.attachments[0];
        assert_eq!(attachment.filename, "cancel.ics");
        assert_eq!(
            attachment.content_type,
            "text/calendar; method=CANCEL; charset=utf-8"
        );
        let ics = unfold(&attachment.content);
        assert!(ics.contains("METHOD:CANCEL\r\n"));
        assert!(ics.contains("UID:b0123456789abcdef@openslot\r\n"));
        assert!(ics.contains("SEQUENCE:1\r\n"));
        assert!(ics.contains("STATUS:CANCELLED\r\n"));
    }
}

#[test]
fn a_message_survives_the_outbox_payload_round_trip() {
    let message = invitee_confirmation(&facts("Bob", ""), stamp()).unwrap();
    let json = serde_json::to_string(&message).unwrap();
    let back: Message = serde_json::from_str(&json).unwrap();
    assert_eq!(back, message);
}

#[test]
fn a_reschedule_updates_the_same_calendar_entry_with_the_bumped_sequence() {
    let mut f = facts("Bob Invitee", "");
    // The second booking of the chain: the first booking's UID, SEQUENCE 1.
    f.sequence = 1;
    let previous = PreviousTime {
        start: Utc.with_ymd_and_hms(2026, 11, 24, 14, 0, 0).unwrap(),
        end: Utc.with_ymd_and_hms(2026, 11, 24, 14, 30, 0).unwrap(),
    };
    let to_invitee = invitee_reschedule(&f, previous, stamp()).unwrap();
    let to_host = host_reschedule(&f, previous, stamp()).unwrap();
    assert_eq!(to_invitee.to, "bob@example.org");
    assert_eq!(to_host.to, "ada@example.com");
    assert_eq!(
        to_invitee.subject,
        "Moved: Intro call with Ada Host to Wednesday, 25 November 2026"
    );
    assert!(to_host
        .subject
        .starts_with("Moved by Bob Invitee: Intro call"));
    // Old and new times, each in the reader's zone.
    assert!(to_invitee
        .text
        .contains("Now:   Wednesday, 25 November 2026, 09:00"));
    assert!(to_invitee
        .text
        .contains("Was:   Tuesday, 24 November 2026, 09:00"));
    assert!(to_host
        .text
        .contains("Was:   Tuesday, 24 November 2026, 15:00"));
    for message in [&to_invitee, &to_host] {
        let attachment = &message.attachments[0];
        assert_eq!(
            attachment.content_type,
            "text/calendar; method=REQUEST; charset=utf-8"
        );
        let ics = unfold(&attachment.content);
        assert!(ics.contains("METHOD:REQUEST\r\n"));
        assert!(ics.contains("UID:b0123456789abcdef@openslot\r\n"), "{ics}");
        assert!(ics.contains("SEQUENCE:1\r\n"));
        assert!(ics.contains("DTSTART:20261125T140000Z\r\n"));
    }
    // Cancelling the moved booking then goes one higher still.
    let cancel = invitee_cancellation(&f, "", CancelledBy::Invitee, stamp()).unwrap();
    let ics = unfold(&cancel.attachments[0].content);
    assert!(ics.contains("UID:b0123456789abcdef@openslot\r\n"));
    assert!(ics.contains("SEQUENCE:2\r\n"));
}

#[test]
fn reminders_go_to_each_side_without_an_attachment_and_with_or_without_a_link() {
    let f = facts("Bob Invitee", "Agenda");
    let to_invitee = invitee_reminder(&f).unwrap();
    let to_host = host_reminder(&f).unwrap();
    assert_eq!(to_invitee.to, "bob@example.org");
    assert_eq!(to_host.to, "ada@example.com");
    assert!(to_invitee
        .subject
        .starts_with("Reminder: Intro call with Ada Host on "));
    assert!(to_host
        .subject
        .starts_with("Reminder: Intro call with Bob Invitee on "));
    assert!(to_invitee.attachments.is_empty() && to_host.attachments.is_empty());
    assert!(to_invitee.text.contains(f.manage_url));
    assert!(to_host.text.contains("Note:  Agenda"));
    let mut no_link = f;
    no_link.manage_url = "";
    let without = invitee_reminder(&no_link).unwrap();
    assert!(without
        .text
        .contains("use the link in your confirmation email"));
    assert!(!without.html.contains("href=\"\""));
}

#[test]
fn a_cancellation_by_the_host_says_so_to_both_and_the_reason_is_the_hosts() {
    let f = facts("Ana Lima", "");
    let to_invitee = invitee_cancellation(&f, "I am ill", CancelledBy::Host, stamp()).unwrap();
    assert!(
        to_invitee.text.contains("cancelled your booking"),
        "{}",
        to_invitee.text
    );
    assert!(to_invitee.text.contains("Their reason: I am ill"));
    assert!(!to_invitee.text.contains("Your reason"));
    let to_host = host_cancellation(&f, "I am ill", CancelledBy::Host, stamp()).unwrap();
    assert!(
        to_host.subject.starts_with("Cancelled by you:"),
        "{}",
        to_host.subject
    );
    assert!(to_host.text.starts_with("You cancelled"));
    assert!(to_host.text.contains("Your reason: I am ill"));
    let by_invitee = host_cancellation(&f, "Busy", CancelledBy::Invitee, stamp()).unwrap();
    assert!(by_invitee.subject.starts_with("Cancelled by Ana Lima:"));
}

#[test]
fn a_meeting_link_goes_into_the_text_the_html_and_the_invitations_location() {
    let url = "https://meet.google.com/abc-defg-hij";
    let with_link = BookingFacts {
        meeting_url: Some(url),
        ..facts("Bob Invitee", "")
    };
    for message in [
        invitee_confirmation(&with_link, stamp()).unwrap(),
        host_notification(&with_link, stamp()).unwrap(),
    ] {
        assert!(
            message.text.contains(&format!("Join:  {url}")),
            "{}",
            message.text
        );
        assert!(
            message.html.contains(&format!("href=\"{url}\"")),
            "{}",
            message.html
        );
        let ics = unfold(&message.attachments[0].content);
        assert!(ics.contains(&format!("LOCATION:{url}")), "{ics}");
        assert!(ics.contains(&format!("Join: {url}")), "{ics}");
    }
    let without = invitee_confirmation(&facts("Bob Invitee", ""), stamp()).unwrap();
    assert!(!without.text.contains("Join:"));
    assert!(unfold(&without.attachments[0].content).contains("LOCATION:Google Meet"));
}

#[test]
fn a_phone_or_in_person_place_and_a_hosts_own_link_reach_every_part() {
    let phone = BookingFacts {
        location_kind: LocationKind::Phone,
        location_detail: "+49 30 1234567",
        ..facts("Bob Invitee", "")
    };
    let message = invitee_confirmation(&phone, stamp()).unwrap();
    assert!(
        message.text.contains("Phone call: +49 30 1234567"),
        "{}",
        message.text
    );
    assert!(
        message.html.contains("Phone call: +49 30 1234567"),
        "{}",
        message.html
    );
    let ics = unfold(&message.attachments[0].content);
    assert!(ics.contains("LOCATION:Phone call: +49 30 1234567"), "{ics}");

    let visit = BookingFacts {
        location_kind: LocationKind::InPerson,
        location_detail: "Hauptstraße 5; Berlin",
        invitee_lang: Lang::De,
        ..facts("Bob Invitee", "")
    };
    let message = invitee_confirmation(&visit, stamp()).unwrap();
    assert!(
        message.text.contains("Hauptstraße 5; Berlin"),
        "{}",
        message.text
    );
    let ics = unfold(&message.attachments[0].content);
    // RFC 5545 §3.3.11: a semicolon in TEXT is escaped.
    assert!(ics.contains("Hauptstraße 5\\; Berlin"), "{ics}");

    let own = "https://meet.jit.si/openslot-intro";
    let link = BookingFacts {
        location_kind: LocationKind::CustomLink,
        location_detail: own,
        ..facts("Bob Invitee", "")
    };
    for message in [
        invitee_confirmation(&link, stamp()).unwrap(),
        host_notification(&link, stamp()).unwrap(),
    ] {
        assert!(
            message.text.contains(&format!("Join:  {own}")),
            "{}",
            message.text
        );
        assert!(
            message.html.contains(&format!("href=\"{own}\"")),
            "{}",
            message.html
        );
        let ics = unfold(&message.attachments[0].content);
        assert!(ics.contains(&format!("LOCATION:{own}")), "{ics}");
    }
    // A detail left over on a provider kind is not shown.
    let zoom = BookingFacts {
        location_kind: LocationKind::Online(MeetingService::Zoom),
        location_detail: "https://old.example.com",
        ..facts("Bob Invitee", "")
    };
    let message = invitee_confirmation(&zoom, stamp()).unwrap();
    assert!(
        !message.text.contains("old.example.com"),
        "{}",
        message.text
    );
}

fn german<'a>(name: &'a str, note: &'a str) -> BookingFacts<'a> {
    BookingFacts {
        invitee_lang: Lang::De,
        invitee_zone: chrono_tz::Europe::Vienna,
        ..facts(name, note)
    }
}

#[test]
fn an_invitee_who_booked_in_german_gets_a_german_confirmation_and_invitation() {
    let mut f = german("Jana <b>Gast</b>", "Bis bald");
    f.meeting_url = Some("https://meet.example.com/abc");
    let message = invitee_confirmation(&f, stamp()).unwrap();
    assert_eq!(
        message.subject,
        "Gebucht: Intro call mit Ada Host am Mittwoch, 25. November 2026"
    );
    // Vienna and Berlin share a zone offset but not a name: both spans are shown, 24-hour.
    assert!(
        message.text.starts_with("Hallo Jana <b>Gast</b>,\n"),
        "{}",
        message.text
    );
    for line in [
        "Ihr Termin ist gebucht: Intro call mit Ada Host.",
        "Wann:   Mittwoch, 25. November 2026, 15:00–15:30 (Europe/Vienna)",
        "Für Ada Host: Mittwoch, 25. November 2026, 15:00–15:30 (Europe/Berlin)",
        "Wo:     Google Meet",
        "Link:   https://meet.example.com/abc",
        "Ihre Notiz: Bis bald",
        "Buchung ansehen oder stornieren: https://slots.example.com/booking/tok123",
        "Direkt stornieren: https://slots.example.com/booking/tok123/cancel",
    ] {
        assert!(
            message.text.contains(line),
            "{line} missing in\n{}",
            message.text
        );
    }
    let html = &message.html;
    assert!(html.contains("<html lang=\"de\">"), "{html}");
    assert!(
        html.contains("<title>Ihr Termin ist gebucht</title>"),
        "{html}"
    );
    assert!(
        html.contains("<p>Hallo Jana &#60;b&#62;Gast&#60;/b&#62;,</p>")
            || html.contains("Hallo Jana &lt;b&gt;Gast&lt;/b&gt;,"),
        "{html}"
    );
    assert!(
        html.contains("Ihr Termin ist gebucht: <strong>Intro call</strong> mit Ada Host."),
        "{html}"
    );
    assert!(html.contains(">Am Meeting teilnehmen</a>"), "{html}");
    assert!(html.contains("keine Tracker"), "{html}");
    assert!(!html.contains("Sent by Openslot"), "{html}");
    assert!(!html.contains("<b>"), "{html}");

    let ics = unfold(&message.attachments[0].content);
    assert!(ics.contains("SUMMARY:Intro call mit Ada Host\r\n"), "{ics}");
    assert!(
        ics.contains("DESCRIPTION:Wo: Google Meet\\nLink: https://meet.example.com/abc\\nNotiz von Jana <b>Gast</b>: Bis bald\\nDiese Buchung verwalten: https://slots.example.com/booking/tok123\r\n"),
        "{ics}"
    );
    assert!(
        ics.contains("LOCATION:https://meet.example.com/abc\r\n"),
        "{ics}"
    );
}

#[test]
fn the_host_of_a_german_booking_still_reads_the_hosts_language() {
    let f = german("Jana Gast", "");
    let message = host_notification(&f, stamp()).unwrap();
    assert_eq!(
        message.subject,
        "New booking: Intro call with Jana Gast on Wednesday, 25 November 2026"
    );
    assert!(message
        .text
        .contains("When:  Wednesday, 25 November 2026, 15:00–15:30 (Europe/Berlin)"));
    assert!(message.html.contains("<html lang=\"en\">"));
    let ics = unfold(&message.attachments[0].content);
    assert!(
        ics.contains("SUMMARY:Intro call with Ada Host\r\n"),
        "{ics}"
    );
    let reminder = host_reminder(&f).unwrap();
    assert!(reminder
        .subject
        .starts_with("Reminder: Intro call with Jana Gast on Wednesday"));
}

#[test]
fn german_cancellations_reschedules_and_reminders_read_in_german() {
    let f = german("Jana Gast", "");
    let by_invitee = invitee_cancellation(&f, "Krank", CancelledBy::Invitee, stamp()).unwrap();
    assert_eq!(
        by_invitee.subject,
        "Storniert: Intro call mit Ada Host am Mittwoch, 25. November 2026"
    );
    assert!(by_invitee
        .text
        .contains("Ihre Buchung ist storniert: Intro call mit Ada Host."));
    assert!(
        by_invitee
            .text
            .contains("Vorher: Mittwoch, 25. November 2026, 15:00–15:30 (Europe/Vienna)"),
        "{}",
        by_invitee.text
    );
    assert!(by_invitee.text.contains("Ihr Grund: Krank"));
    assert!(by_invitee.text.contains("Ada Host wurde benachrichtigt."));
    let ics = unfold(&by_invitee.attachments[0].content);
    assert!(
        ics.contains("METHOD:CANCEL\r\n") && ics.contains("SUMMARY:Intro call mit Ada Host\r\n"),
        "{ics}"
    );

    let by_host = invitee_cancellation(&f, "Krank", CancelledBy::Host, stamp()).unwrap();
    assert!(by_host
        .text
        .contains("Ada Host hat Ihre Buchung storniert: Intro call."));
    assert!(by_host.text.contains("Begründung: Krank"));
    assert!(by_host
        .html
        .contains("Ada Host hat Ihre Buchung storniert: <strong>Intro call</strong>."));

    let previous = PreviousTime {
        start: Utc.with_ymd_and_hms(2026, 11, 24, 8, 0, 0).unwrap(),
        end: Utc.with_ymd_and_hms(2026, 11, 24, 8, 30, 0).unwrap(),
    };
    let moved = invitee_reschedule(&f, previous, stamp()).unwrap();
    assert_eq!(
        moved.subject,
        "Verschoben: Intro call mit Ada Host auf Mittwoch, 25. November 2026"
    );
    assert!(
        moved
            .text
            .contains("Jetzt:  Mittwoch, 25. November 2026, 15:00–15:30 (Europe/Vienna)"),
        "{}",
        moved.text
    );
    assert!(
        moved
            .text
            .contains("Vorher: Dienstag, 24. November 2026, 09:00–09:30 (Europe/Vienna)"),
        "{}",
        moved.text
    );
    assert!(moved
        .html
        .contains("<s>Dienstag, 24. November 2026, 09:00–09:30 (Europe/Vienna)</s>"));
    let host_moved = host_reschedule(&f, previous, stamp()).unwrap();
    assert!(host_moved
        .subject
        .starts_with("Moved by Jana Gast: Intro call to Wednesday"));
    assert!(host_moved
        .text
        .contains("Was:   Tuesday, 24 November 2026, 09:00–09:30 (Europe/Berlin)"));

    let reminder = invitee_reminder(&f).unwrap();
    assert_eq!(
        reminder.subject,
        "Erinnerung: Intro call mit Ada Host am Mittwoch, 25. November 2026"
    );
    assert!(reminder
        .text
        .contains("eine Erinnerung an Ihren Termin: Intro call mit Ada Host."));
    assert!(reminder.text.contains(
        "Buchung ansehen, verschieben oder stornieren: https://slots.example.com/booking/tok123"
    ));
}

#[test]
fn a_name_that_looks_like_a_placeholder_is_kept_as_typed() {
    let f = german("{title} *{host}*", "");
    let message = invitee_confirmation(&f, stamp()).unwrap();
    assert!(
        message.text.starts_with("Hallo {title} *{host}*,"),
        "{}",
        message.text
    );
    let host = host_notification(&f, stamp()).unwrap();
    assert!(
        host.text
            .starts_with("{title} *{host}* booked Intro call with you."),
        "{}",
        host.text
    );
    assert!(
        host.html.contains(
            "<strong>{title} *{host}*</strong> booked <strong>Intro call</strong> with you."
        ),
        "{}",
        host.html
    );
}

#[test]
fn a_request_tells_each_side_until_when_the_time_is_held_and_attaches_no_invitation() {
    let answers = [Answer {
        question: "Company".into(),
        answer: "Acme".into(),
    }];
    let facts = BookingFacts {
        answers: &answers,
        ..facts("Bob Invitee", "About the roadmap")
    };
    let until = Utc.with_ymd_and_hms(2026, 11, 21, 9, 0, 0).unwrap();
    let dashboard = "https://slots.example.com/dashboard/bookings";
    let (to_invitee, to_host) = request_made(&facts, until, dashboard).unwrap();
    assert_eq!(to_invitee.to, "bob@example.org");
    assert_eq!(
        to_invitee.subject,
        "Request sent: Intro call with Ada Host on Wednesday, 25 November 2026"
    );
    assert_eq!(to_host.to, "ada@example.com");
    assert_eq!(
        to_host.subject,
        "Approve or decline: Intro call with Bob Invitee on Wednesday, 25 November 2026"
    );
    for part in [&to_invitee.text, &to_invitee.html] {
        // The hold's end in the invitee's zone; their link to see or withdraw the request.
        assert!(
            part.contains("Saturday, 21 November 2026, 04:00 (America/New_York)"),
            "{part}"
        );
        assert!(part.contains("https://slots.example.com/booking/tok123"));
        assert!(part.contains("Nobody else can book this time"));
        assert!(!part.contains(dashboard), "the invitee never sees the dashboard");
    }
    assert!(to_invitee.text.contains("Held until: Saturday"), "{}", to_invitee.text);
    for part in [&to_host.text, &to_host.html] {
        assert!(part.contains("10:00 (Europe/Berlin)"), "{part}");
        assert!(part.contains(dashboard), "{part}");
        assert!(part.contains("Acme") && part.contains("About the roadmap"));
        assert!(
            !part.contains("/booking/tok123"),
            "the invitee's link stays theirs"
        );
    }
    assert!(to_invitee.attachments.is_empty() && to_host.attachments.is_empty());
}

#[test]
fn an_ended_request_says_declined_with_the_hosts_reason_or_expired() {
    let facts = facts("Bob Invitee", "");
    let declined = request_ended(&facts, true, "Fully booked that week").unwrap();
    assert_eq!(
        declined.subject,
        "Declined: Intro call with Ada Host on Wednesday, 25 November 2026"
    );
    for part in [&declined.text, &declined.html] {
        assert!(part.contains("Ada Host declined your request"), "{part}");
        assert!(part.contains("Their reason") && part.contains("Fully booked that week"));
    }
    let expired = request_ended(&facts, false, "").unwrap();
    assert_eq!(
        expired.subject,
        "Not confirmed: Intro call with Ada Host on Wednesday, 25 November 2026"
    );
    assert!(expired.text.contains("did not answer your request in time"));
    assert!(!expired.text.contains("reason"), "{}", expired.text);
    assert!(declined.attachments.is_empty() && expired.attachments.is_empty());
    let german = request_ended(&german("Jana", ""), true, "").unwrap();
    assert!(german.subject.starts_with("Abgelehnt:"), "{}", german.subject);
}
