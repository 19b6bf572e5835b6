//! The words of the booking emails and their calendar invitations, as a part of [`Strings`]
//! (`Strings::mail`), so each language file holds its emails next to its pages.
//!
//! Placeholders are `{name}`, `{title}`, `{host}`, `{invitee}` and `{day}`; a placeholder
//! written `*{title}*` is emphasised in the HTML part (plain in the text part and subject).
//!
//! [`Strings`]: super::Strings

/// Every string the booking emails and their `.ics` say, in one language.
pub struct MailStrings {
    /// The greeting line: `{name}` is the invitee's name.
    pub hello: &'static str,
    /// The HTML footer: it promises what the email does not do (no trackers).
    pub footer: &'static str,
    /// Row labels (no colon): the text part pads them into a column.
    pub when: &'static str,
    pub now: &'static str,
    pub was: &'static str,
    pub where_: &'static str,
    pub who: &'static str,
    pub join: &'static str,
    pub note: &'static str,
    pub your_note: &'static str,
    pub reason: &'static str,
    pub your_reason: &'static str,
    pub their_reason: &'static str,
    /// The row with the time in the other person's zone: `{name}`.
    pub for_name: &'static str,
    /// The text of the HTML link to the online meeting.
    pub join_meeting: &'static str,
    /// Subjects: `{title}`, `{host}`, `{invitee}`, `{day}`.
    pub subject_booked: &'static str,
    /// The meeting link that was still being made when the invitee booked.
    pub subject_meeting_link: &'static str,
    pub subject_new_booking: &'static str,
    pub subject_cancelled: &'static str,
    pub subject_cancelled_by_invitee: &'static str,
    pub subject_cancelled_by_you: &'static str,
    pub subject_moved: &'static str,
    pub subject_moved_by: &'static str,
    pub subject_reminder_invitee: &'static str,
    pub subject_reminder_host: &'static str,
    /// HTML `<title>`s.
    pub title_booked: &'static str,
    pub title_new_booking: &'static str,
    pub title_cancelled: &'static str,
    pub title_moved: &'static str,
    pub title_reminder: &'static str,
    /// The invitee's emails.
    pub booked: &'static str,
    pub booked_ics: &'static str,
    pub see_booking: &'static str,
    pub cancel_booking: &'static str,
    pub see_or_cancel: &'static str,
    pub cancel_directly: &'static str,
    pub keep_email: &'static str,
    pub cancelled_by_host: &'static str,
    pub cancelled: &'static str,
    pub cancel_ics: &'static str,
    pub find_another_time: &'static str,
    pub host_told: &'static str,
    pub moved: &'static str,
    pub moved_ics: &'static str,
    pub see_move_or_cancel: &'static str,
    pub new_link: &'static str,
    pub reminder: &'static str,
    pub use_confirmation_link: &'static str,
    /// The host's emails.
    pub host_booked: &'static str,
    pub reply_to_write: &'static str,
    /// Above the invitee's answers to the host's questions.
    pub answers_heading: &'static str,
    pub host_cancelled_by_you: &'static str,
    pub host_cancelled: &'static str,
    pub invitee_told: &'static str,
    pub time_free_again: &'static str,
    pub host_moved: &'static str,
    pub host_moved_ics: &'static str,
    pub host_reminder: &'static str,
    /// The invitation's SUMMARY: `{title}`, `{host}`.
    pub ics_summary: &'static str,
    /// The DESCRIPTION line before the invitee's note: `{invitee}`.
    pub ics_note_from: &'static str,
    /// The DESCRIPTION line before the manage link.
    pub ics_manage: &'static str,
    /// A request that waits for the host's approval (`{title}`, `{host}`, `{invitee}`,
    /// `{day}` in subjects): the row with the end of its hold, the invitee's and the host's
    /// emails when it is made, and the invitee's when it is declined or expires.
    pub held_until: &'static str,
    pub subject_request: &'static str,
    pub subject_host_request: &'static str,
    pub subject_declined: &'static str,
    pub subject_expired: &'static str,
    pub title_request: &'static str,
    pub title_request_ended: &'static str,
    pub request_sent: &'static str,
    pub request_wait: &'static str,
    pub see_or_withdraw: &'static str,
    pub host_request: &'static str,
    pub approve_or_decline: &'static str,
    pub request_declined: &'static str,
    pub request_expired: &'static str,
}
