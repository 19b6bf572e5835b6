//! What a receiver gets: `{"type", "timestamp", "data"}` as the Standard Webhooks
//! specification recommends ("Payload structure"), built when the webhook is sent from the
//! booking as it then is, so a queued webhook holds no personal data and an invitee erased in
//! the meantime is not sent. Without the host's consent to personal data (`include_personal`),
//! `data` is thin: ids, event type and times only.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::WebhookEvent;
use crate::core::display::rfc3339;

/// The invitee, sent only to endpoints whose host chose to include personal data.
#[derive(Debug, Clone, Serialize)]
pub struct Invitee {
    pub name: String,
    pub email: String,
    pub time_zone: String,
    pub note: String,
    /// The answers as the questions were asked (`core::questions`).
    pub answers: serde_json::Value,
}

/// The booking a webhook is about, as the store reads it at send time.
#[derive(Debug, Clone)]
pub struct BookingFacts {
    pub id: String,
    /// `confirmed`, `cancelled` or `rescheduled` (as the host API says it).
    pub status: &'static str,
    pub event_type_id: String,
    pub event_slug: String,
    pub event_title: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub rescheduled_from: Option<String>,
    pub rescheduled_to: Option<String>,
    pub invitee: Invitee,
}

#[derive(Serialize)]
struct Payload<'a> {
    r#type: &'static str,
    timestamp: String,
    data: Data<'a>,
}

#[derive(Serialize)]
struct Data<'a> {
    booking_id: &'a str,
    status: &'static str,
    event_type: EventType<'a>,
    start: String,
    end: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    rescheduled_from: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rescheduled_to: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    invitee: Option<&'a Invitee>,
}

#[derive(Serialize)]
struct EventType<'a> {
    id: &'a str,
    slug: &'a str,
    title: &'a str,
}

/// The body of a webhook about `booking`, for `event` that happened at `occurred_at`, minified
/// (it is signed exactly as sent).
pub fn body(
    event: WebhookEvent,
    occurred_at: DateTime<Utc>,
    booking: &BookingFacts,
    include_personal: bool,
) -> String {
    let payload = Payload {
        r#type: event.as_str(),
        timestamp: rfc3339(&occurred_at),
        data: Data {
            booking_id: &booking.id,
            status: booking.status,
            event_type: EventType {
                id: &booking.event_type_id,
                slug: &booking.event_slug,
                title: &booking.event_title,
            },
            start: rfc3339(&booking.start),
            end: rfc3339(&booking.end),
            rescheduled_from: booking.rescheduled_from.as_deref(),
            rescheduled_to: booking.rescheduled_to.as_deref(),
            invitee: include_personal.then_some(&booking.invitee),
        },
    };
    serde_json::to_string(&payload).expect("the payload serialises")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::{json, Value};

    fn booking() -> BookingFacts {
        BookingFacts {
            id: "b1".into(),
            status: "confirmed",
            event_type_id: "et1".into(),
            event_slug: "intro".into(),
            event_title: "Intro call".into(),
            start: Utc.with_ymd_and_hms(2026, 12, 10, 9, 0, 0).unwrap(),
            end: Utc.with_ymd_and_hms(2026, 12, 10, 9, 30, 0).unwrap(),
            rescheduled_from: Some("b0".into()),
            rescheduled_to: None,
            invitee: Invitee {
                name: "Ada Lovelace".into(),
                email: "ada@example.com".into(),
                time_zone: "Europe/London".into(),
                note: "About the engine".into(),
                answers: json!([{"question": "Company?", "answer": "Analytical"}]),
            },
        }
    }

    #[test]
    fn a_thin_payload_carries_ids_and_times_only() {
        let at = Utc.with_ymd_and_hms(2026, 12, 4, 8, 0, 0).unwrap();
        let body = body(WebhookEvent::Rescheduled, at, &booking(), false);
        let value: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            value,
            json!({
                "type": "booking.rescheduled",
                "timestamp": "2026-12-04T08:00:00Z",
                "data": {
                    "booking_id": "b1",
                    "status": "confirmed",
                    "event_type": {"id": "et1", "slug": "intro", "title": "Intro call"},
                    "start": "2026-12-10T09:00:00Z",
                    "end": "2026-12-10T09:30:00Z",
                    "rescheduled_from": "b0"
                }
            })
        );
        for personal in ["Ada", "ada@", "London", "engine", "Analytical"] {
            assert!(!body.contains(personal), "{personal} leaked: {body}");
        }
    }

    #[test]
    fn with_consent_the_invitee_and_answers_are_included() {
        let at = Utc.with_ymd_and_hms(2026, 12, 4, 8, 0, 0).unwrap();
        let body = body(WebhookEvent::Created, at, &booking(), true);
        let value: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(value["data"]["invitee"]["email"], "ada@example.com");
        assert_eq!(value["data"]["invitee"]["answers"][0]["answer"], "Analytical");
        assert!(!body.contains('\n'), "minified");
    }
}
