//! A host asks invitees their own questions and offers several durations (issue 5): set in the
//! dashboard's event-type form and the host API, shown on the booking page (links and forms
//! that work without JavaScript), checked by the server field by field, kept with the booking
//! and shown to the host (notification email, bookings page, API) escaped everywhere.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use crate::api_tokens::{call, new_token};
use crate::sign_in::{csrf_of, host_row, location, signed_in_host};
use crate::support::browser::Browser;
use crate::support::http::{get, post_form, post_json, query, Reply};
use crate::support::mail::wait_for_emails;
use crate::support::seed::sql;

const HOSTILE: &str = "<script>alert(1)</script> & \"quotes\"";

/// The dashboard form of an event type `slug`, with `extra` fields (durations, questions).
pub(crate) fn event_form<'a>(
    csrf: &'a str,
    slug: &'a str,
    extra: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("csrf", csrf),
        ("title", "Consultation"),
        ("slug", slug),
        ("description", ""),
        ("duration_minutes", "30"),
        ("interval_minutes", ""),
        ("buffer_before_minutes", "0"),
        ("buffer_after_minutes", "0"),
        ("minimum_notice_minutes", "0"),
        ("booking_window_days", "30"),
        ("max_per_day", ""),
        ("location_kind", "phone"),
        ("location_detail", "+1 555 0100"),
    ];
    fields.extend_from_slice(extra);
    fields
}

/// A signed-in host (every day bookable around the clock, in UTC) with the event type
/// `consult` made through the dashboard form with two questions and 15/60 besides 30 minutes.
/// Returns (browser, host email, host id, host slug, csrf).
fn host_with_questions(tag: &str) -> (Browser, String, String, String, String) {
    let (browser, email) = signed_in_host(tag, "Asking Host");
    let host = host_row(&email);
    let host_id = host["id"].as_str().unwrap().to_owned();
    let slug = host["slug"].as_str().unwrap().to_owned();
    let new = browser.get("/dashboard/event-types/new");
    assert!(
        new.body.contains("name=\"question_1\""),
        "the editor offers question rows"
    );
    assert!(new.body.contains("name=\"other_durations\""));
    let csrf = csrf_of(&new);
    let reply = browser.post_form(
        "/dashboard/event-types",
        &event_form(
            &csrf,
            "consult",
            &[
                ("other_durations", "15, 60"),
                ("question_1", "Company"),
                ("question_1_required", "1"),
                ("question_2", HOSTILE),
                ("question_3", ""),
            ],
        ),
        &[],
    );
    assert_eq!(location(&reply), "/dashboard", "{}", reply.body);
    open_around_the_clock(&host_id);
    (browser, email, host_id, slug, csrf)
}

/// Makes the host's zone UTC and every day bookable around the clock.
pub(crate) fn open_around_the_clock(host_id: &str) {
    let mut week = vec![format!(
        "UPDATE hosts SET time_zone = 'UTC' WHERE id = '{host_id}'; \
         UPDATE schedules SET time_zone = 'UTC' WHERE host_id = '{host_id}' AND is_default = 1"
    )];
    for day in 0..7 {
        week.push(format!(
            "INSERT INTO weekly_hours (host_id, schedule_id, weekday, start_minute, end_minute) \
             VALUES ('{host_id}', (SELECT id FROM schedules WHERE host_id = '{host_id}' \
             AND is_default = 1), {day}, 0, 1440)"
        ));
    }
    sql(&week.join("; "));
}

pub(crate) fn slot_hrefs(page: &str) -> Vec<String> {
    page.match_indices("class=\"slot\" href=\"")
        .map(|(at, marker)| {
            let rest = &page[at + marker.len()..];
            rest[..rest.find('"').unwrap()]
                .replace("&#38;", "&")
                .replace("&amp;", "&")
        })
        .collect()
}

pub(crate) fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let at = page
        .find(&marker)
        .unwrap_or_else(|| panic!("no hidden {name}"))
        + marker.len();
    page[at..at + page[at..].find('"').unwrap()].to_owned()
}

fn query_value(href: &str, name: &str) -> Option<String> {
    let query = href.split_once('?')?.1.split('#').next()?;
    form_urlencoded::parse(query.as_bytes())
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.into_owned())
}

fn instant(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

#[test]
fn invitees_answer_the_hosts_questions_and_the_host_sees_the_answers_escaped() {
    let (browser, host_email, host_id, slug, _csrf) = host_with_questions("asks");
    let stored = &sql(&format!(
        "SELECT questions, other_durations FROM event_types WHERE host_id = '{host_id}'"
    ))[0];
    assert_eq!(stored["other_durations"], "15,60");
    let questions: Value = serde_json::from_str(stored["questions"].as_str().unwrap()).unwrap();
    assert_eq!(
        questions,
        json!([
            { "label": "Company", "required": true, "kind": "long_text" },
            { "label": HOSTILE, "required": false, "kind": "long_text" }
        ]),
        "blank rows are dropped; a row sent without a kind is long text, as before kinds"
    );

    let page = get(&format!("/{slug}/consult?tz=UTC"));
    let slot_href = slot_hrefs(&page.body)
        .into_iter()
        .next()
        .expect("a free slot");
    let form = get(&slot_href);
    assert_eq!(form.status, 200);
    assert!(
        form.body
            .contains("<label for=\"answer_1\">Company</label>"),
        "{}",
        form.body
    );
    assert!(form.body.contains("name=\"answer_1\""));
    assert!(form.body.contains("name=\"answer_2\""));
    assert!(
        !form.body.contains("<script>alert(1)"),
        "a label is text, never markup"
    );
    assert!(form
        .body
        .contains("&#60;script&#62;alert(1)&#60;/script&#62;"));

    let slot = hidden(&form.body, "slot");
    let key = hidden(&form.body, "idempotency_key");
    let answer = format!("{HOSTILE}\nsecond line");
    let mut fields = vec![
        ("slot", slot.as_str()),
        ("tz", "UTC"),
        ("idempotency_key", key.as_str()),
        ("name", "Ana Lima"),
        ("email", "ana.asked@example.com"),
        ("note", ""),
        ("answer_1", "   "),
        ("answer_2", answer.as_str()),
    ];
    // A required question left empty: its own message, and what was typed stays.
    let missing = post_form(&format!("/{slug}/consult"), &fields);
    assert_eq!(missing.status, 422, "{}", missing.body);
    assert!(missing
        .body
        .contains("id=\"answer_1-error\">This field is required."));
    assert!(missing.body.contains("aria-describedby=\"answer_1-error\""));
    assert!(!missing.body.contains("id=\"answer_2-error\""));
    assert!(
        missing.body.contains("second line"),
        "the other answer is kept"
    );
    // Too long an answer is refused too.
    let long = "x".repeat(1001);
    fields[6] = ("answer_1", long.as_str());
    let too_long = post_form(&format!("/{slug}/consult"), &fields);
    assert_eq!(too_long.status, 422);
    assert!(too_long.body.contains("Use at most 1000 characters."));
    assert!(sql(&format!(
        "SELECT id FROM bookings WHERE host_id = '{host_id}'"
    ))
    .is_empty());

    fields[6] = ("answer_1", "Acme <GmbH>");
    let booked = post_form(&format!("/{slug}/consult"), &fields);
    assert_eq!(booked.status, 303, "{}", booked.body);
    // The invitee's own page shows what they answered, as text.
    let confirmation = get(&location(&booked));
    assert!(
        confirmation
            .body
            .contains("<dt>Company</dt><dd class=\"note\">Acme &#60;GmbH&#62;</dd>"),
        "{}",
        confirmation.body
    );
    let rows = sql(&format!(
        "SELECT id FROM bookings WHERE host_id = '{host_id}'"
    ));
    let answers =
        crate::support::sealed::stored_invitee(rows[0]["id"].as_str().unwrap())["answers"].clone();
    assert_eq!(
        answers,
        json!([
            { "question": "Company", "answer": "Acme <GmbH>" },
            { "question": HOSTILE, "answer": answer }
        ])
    );

    // The host's notification shows them, escaped in HTML.
    let told = wait_for_emails(&host_email, "New booking", 1);
    assert_eq!(told.len(), 1);
    let text = told[0]["text"].as_str().unwrap();
    assert!(text.contains("Company\nAcme <GmbH>"), "{text}");
    let html = told[0]["html"].as_str().unwrap();
    assert!(
        html.contains("Acme &#60;GmbH&#62;") || html.contains("Acme &lt;GmbH&gt;"),
        "{html}"
    );
    assert!(!html.contains("<script>"), "{html}");
    // The invitee's own confirmation does not carry them into a calendar.
    let confirmation = wait_for_emails("ana.asked@example.com", "Booked", 1);
    assert!(!confirmation[0]["text"].as_str().unwrap().contains("Acme"));

    // The dashboard's bookings page shows them, escaped.
    let list = browser.get("/dashboard/bookings");
    assert!(
        list.body
            .contains("<dt>Company</dt><dd>Acme &#60;GmbH&#62;</dd>"),
        "{}",
        list.body
    );
    assert!(!list.body.contains("<script>alert"));
}

/// A booking through the JSON API, answers by question label.
fn book_by_api(slug: &str, start: &str, email: &str, extra: Value) -> Reply {
    let mut body = json!({
        "host": slug, "event": "consult", "start": start, "name": "Bo Api",
        "email": email, "time_zone": "UTC",
    });
    for (key, value) in extra.as_object().unwrap() {
        body[key] = value.clone();
    }
    post_json("/api/v1/bookings", &body)
}

fn first_free_start(slug: &str, duration: Option<&str>) -> (String, Value) {
    let mut pairs = vec![("host", slug), ("event", "consult"), ("tz", "UTC")];
    if let Some(d) = duration {
        pairs.push(("duration", d));
    }
    let reply = get(&format!("/api/v1/slots?{}", query(&pairs)));
    assert_eq!(reply.status, 200, "{}", reply.body);
    let body = reply.json();
    let start = body["days"][1]["slots"][0]["start"]
        .as_str()
        .unwrap()
        .to_owned();
    (start, body)
}

#[test]
fn the_booking_api_takes_answers_by_label_and_returns_them() {
    let (_browser, _email, host_id, slug, _) = host_with_questions("askapi");
    let (start, _) = first_free_start(&slug, None);

    let missing = book_by_api(&slug, &start, "bo.api@example.com", json!({}));
    assert_eq!(missing.status, 422, "{}", missing.body);
    assert_eq!(
        missing.json()["error"]["fields"]["answer_1"],
        "This field is required."
    );
    let unknown = book_by_api(
        &slug,
        &start,
        "bo.api@example.com",
        json!({ "answers": { "Company": "Acme", "Budget": "lots" } }),
    );
    assert_eq!(unknown.status, 422);
    let message = unknown.json()["error"]["fields"]["answers"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        message.contains("no question 'Budget'") && message.contains("'Company'"),
        "{message}"
    );
    let not_text = book_by_api(
        &slug,
        &start,
        "bo.api@example.com",
        json!({ "answers": ["Acme"] }),
    );
    assert_eq!(not_text.status, 422);
    assert!(sql(&format!(
        "SELECT id FROM bookings WHERE host_id = '{host_id}'"
    ))
    .is_empty());

    let key =
        json!({ "answers": { "company": "Acme" }, "idempotency_key": "answers-retry-0123456789" });
    let booked = book_by_api(&slug, &start, "bo.api@example.com", key.clone());
    assert_eq!(booked.status, 201, "{}", booked.body);
    let booking = &booked.json()["booking"];
    assert_eq!(
        booking["answers"],
        json!([{ "question": "Company", "answer": "Acme" }])
    );
    assert_eq!(booking["duration_minutes"], 30);
    // A retry gets the same booking; the same key for another duration is another booking.
    let retry = book_by_api(&slug, &start, "bo.api@example.com", key.clone());
    assert_eq!(retry.status, 200, "{}", retry.body);
    assert_eq!(retry.json()["booking"]["id"], booking["id"]);
    let mut longer = key;
    longer["duration_minutes"] = json!(60);
    let reused = book_by_api(&slug, &start, "bo.api@example.com", longer);
    assert_eq!(reused.status, 422, "{}", reused.body);
    assert!(reused.json()["error"]["fields"]["idempotency_key"].is_string());
}

#[test]
fn invitees_pick_one_of_the_offered_durations_and_others_are_refused() {
    let (_browser, _email, host_id, slug, _) = host_with_questions("durations");

    // The page offers the three durations, shortest first, the default marked.
    let page = get(&format!("/{slug}/consult?tz=UTC"));
    assert_eq!(page.status, 200);
    for minutes in ["15", "30", "60"] {
        assert!(
            page.body.contains(&format!(">{minutes} min</a>")),
            "{minutes}: {}",
            page.body
        );
    }
    assert!(page.body.contains("aria-current=\"true\">30 min</a>"));
    // Picking a duration is a plain link; every link and form after it keeps the choice.
    let hour = get(&format!("/{slug}/consult?tz=UTC&duration=60"));
    assert_eq!(hour.status, 200);
    assert!(hour.body.contains("aria-current=\"true\">60 min</a>"));
    assert!(hour.body.contains("<span>60 minutes</span>"));
    let hrefs = slot_hrefs(&hour.body);
    assert!(!hrefs.is_empty());
    for href in &hrefs {
        assert_eq!(
            query_value(href, "duration").as_deref(),
            Some("60"),
            "{href}"
        );
    }
    assert!(
        hour.body.contains("name=\"duration\" value=\"60\""),
        "the zone form keeps it"
    );
    // Slots an hour long start on the hour: 24 a day around the clock.
    let starts: Vec<DateTime<Utc>> = hrefs
        .iter()
        .map(|h| instant(&query_value(h, "slot").unwrap()))
        .collect();
    assert!(
        starts
            .windows(2)
            .all(|w| w[1] - w[0] == chrono::Duration::hours(1)),
        "{starts:?}"
    );

    // A duration not offered: 422 naming the ones that are, on the page and in the API.
    let odd = get(&format!("/{slug}/consult?tz=UTC&duration=45"));
    assert_eq!(odd.status, 422);
    assert!(
        odd.body
            .contains("This event is not offered for 45 minutes; choose 15, 30 or 60 minutes."),
        "{}",
        odd.body
    );
    let odd_api = get(&format!(
        "/api/v1/slots?{}",
        query(&[("host", &slug), ("event", "consult"), ("duration", "45")])
    ));
    assert_eq!(odd_api.status, 422);
    assert!(odd_api.json()["error"]["fields"]["duration"]
        .as_str()
        .unwrap()
        .contains("15, 30 or 60"));

    // The slots API gives slots of the picked length and names every duration offered.
    let (start, body) = first_free_start(&slug, Some("15"));
    assert_eq!(body["duration_minutes"], 15);
    assert_eq!(body["durations"], json!([30, 15, 60]));
    let slot = &body["days"][1]["slots"][0];
    assert_eq!(
        instant(slot["end"].as_str().unwrap()) - instant(slot["start"].as_str().unwrap()),
        chrono::Duration::minutes(15)
    );
    let refused = book_by_api(
        &slug,
        &start,
        "cy@example.com",
        json!({ "duration_minutes": 45, "answers": { "Company": "Acme" } }),
    );
    assert_eq!(refused.status, 422);
    assert!(refused.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("not offered for 45 minutes"));
    let short = book_by_api(
        &slug,
        &start,
        "cy@example.com",
        json!({ "duration_minutes": 15, "answers": { "Company": "Acme" } }),
    );
    assert_eq!(short.status, 201, "{}", short.body);
    assert_eq!(short.json()["booking"]["duration_minutes"], 15);

    // The form books the picked duration: an hour.
    let form = get(&hrefs[30.min(hrefs.len() - 1)]);
    assert!(form.body.contains("name=\"duration\" value=\"60\""));
    let slot = hidden(&form.body, "slot");
    let key = hidden(&form.body, "idempotency_key");
    let booked = post_form(
        &format!("/{slug}/consult"),
        &[
            ("slot", slot.as_str()),
            ("tz", "UTC"),
            ("duration", "60"),
            ("idempotency_key", key.as_str()),
            ("name", "Dee Hour"),
            ("email", "dee.hour@example.com"),
            ("answer_1", "Acme"),
        ],
    );
    assert_eq!(booked.status, 303, "{}", booked.body);
    let rows = sql(&format!(
        "SELECT id, start_at, end_at FROM bookings WHERE host_id = '{host_id}'"
    ));
    let row = rows
        .iter()
        .find(|row| {
            crate::support::sealed::stored_invitee(row["id"].as_str().unwrap())["email"]
                == "dee.hour@example.com"
        })
        .expect("Dee's booking");
    assert_eq!(
        row["end_at"].as_i64().unwrap() - row["start_at"].as_i64().unwrap(),
        3600
    );

    // A reschedule keeps the booking's hour, even at a time the default would not fit.
    let token = location(&booked).rsplit('/').next().unwrap().to_owned();
    let later = instant(&slot) + chrono::Duration::days(2);
    let moved = post_json(
        &format!("/api/v1/bookings/{token}/reschedule"),
        &json!({ "start": later.to_rfc3339_opts(chrono::SecondsFormat::Secs, true) }),
    );
    assert_eq!(moved.status, 200, "{}", moved.body);
    let moved = moved.json();
    assert_eq!(moved["booking"]["duration_minutes"], 60);
    assert_eq!(
        instant(moved["booking"]["end"].as_str().unwrap()) - later,
        chrono::Duration::hours(1)
    );
    assert_eq!(
        moved["booking"]["answers"],
        json!([{ "question": "Company", "answer": "Acme" }])
    );
    // The reschedule page offers hour-long times.
    let new_token = moved["booking"]["manage_url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let page = get(&format!("/booking/{new_token}/reschedule?tz=UTC"));
    assert_eq!(page.status, 200);
    let offered: Vec<DateTime<Utc>> = page
        .body
        .match_indices("slot=")
        .filter_map(|(at, _)| {
            let rest = &page.body[at + 5..];
            let end = rest.find(['#', '"', '&']).unwrap_or(rest.len());
            let text = rest[..end].replace("%3A", ":").replace("%2B", "+");
            DateTime::parse_from_rfc3339(&text)
                .ok()
                .map(|t| t.with_timezone(&Utc))
        })
        .collect();
    assert!(offered.len() > 2, "{}", page.body);
    assert!(
        offered.iter().all(|t| t.format("%M").to_string() == "00"),
        "{offered:?}"
    );
}

#[test]
fn the_editor_names_each_bad_question_and_duration_and_keeps_what_was_typed() {
    let (browser, email) = signed_in_host("askbad", "Fussy Asker");
    let host_id = host_row(&email)["id"].as_str().unwrap().to_owned();
    let csrf = csrf_of(&browser.get("/dashboard/event-types/new"));
    let long = "q".repeat(201);
    let reply = browser.post_form(
        "/dashboard/event-types",
        &event_form(
            &csrf,
            "bad",
            &[
                ("other_durations", "15, 15"),
                ("question_1", "Company"),
                ("question_2", "company"),
                ("question_3", long.as_str()),
            ],
        ),
        &[],
    );
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert!(reply
        .body
        .contains("id=\"other_durations-error\">15 minutes is listed twice."));
    assert!(reply
        .body
        .contains("id=\"question_2-error\">You already ask this question."));
    assert!(reply
        .body
        .contains("id=\"question_3-error\">Use at most 200 characters."));
    // The further durations are chips now: what was typed stays ticked.
    assert!(
        reply
            .body
            .contains("name=\"other_durations\" id=\"other_15\" value=\"15\" checked"),
        "what was typed is kept"
    );
    assert!(
        reply.body.contains("name=\"question_6\""),
        "spare rows follow the typed ones"
    );
    assert!(sql(&format!(
        "SELECT id FROM event_types WHERE host_id = '{host_id}'"
    ))
    .is_empty());

    // Editing shows the saved questions and durations, and an empty row removes a question.
    let saved = browser.post_form(
        "/dashboard/event-types",
        &event_form(
            &csrf,
            "good",
            &[
                ("other_durations", "60 15"),
                ("question_1", "Company"),
                ("question_1_required", "1"),
                ("question_2", "Topic"),
            ],
        ),
        &[],
    );
    assert_eq!(location(&saved), "/dashboard", "{}", saved.body);
    let id = sql(&format!(
        "SELECT id FROM event_types WHERE host_id = '{host_id}'"
    ))[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let edit = browser.get(&format!("/dashboard/event-types/{id}"));
    // The durations show as ticked chips.
    for minutes in ["15", "60"] {
        assert!(
            edit.body.contains(&format!(
                "name=\"other_durations\" id=\"other_{minutes}\" value=\"{minutes}\" checked"
            )),
            "{}",
            edit.body
        );
    }
    assert!(!edit
        .body
        .contains("name=\"other_durations\" id=\"other_30\" value=\"30\" checked"));
    assert!(edit
        .body
        .contains("id=\"question_1\" name=\"question_1\" maxlength=\"200\" value=\"Company\""));
    assert!(edit
        .body
        .contains("name=\"question_1_required\" value=\"1\" checked"));
    assert!(edit.body.contains("value=\"Topic\""));
    let resaved = browser.post_form(
        &format!("/dashboard/event-types/{id}"),
        &event_form(
            &csrf,
            "good",
            &[
                ("question_1", ""),
                ("question_2", "Topic"),
                ("question_2_required", "1"),
            ],
        ),
        &[],
    );
    assert_eq!(location(&resaved), "/dashboard", "{}", resaved.body);
    let row = &sql(&format!(
        "SELECT questions, other_durations FROM event_types WHERE id = '{id}'"
    ))[0];
    assert_eq!(
        row["questions"],
        "[{\"label\":\"Topic\",\"required\":true,\"kind\":\"long_text\"}]"
    );
    assert_eq!(
        row["other_durations"], "",
        "an empty field offers only the default"
    );
}

#[test]
fn the_host_api_reads_and_sets_questions_and_durations() {
    let (browser, _email, _host_id, _slug, _) = host_with_questions("askhostapi");
    let token = new_token(&browser, "script");
    let list = call("GET", "/api/v1/event-types", &token, None).json();
    let event = &list["event_types"][0];
    assert_eq!(event["other_durations"], json!([15, 60]));
    assert_eq!(
        event["questions"][0],
        json!({ "label": "Company", "required": true, "kind": "long_text" })
    );
    let id = event["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/event-types/{id}");

    let patched = call(
        "PATCH",
        &path,
        &token,
        Some(json!({
            "other_durations": [45],
            "questions": [{ "label": "Phone number", "required": true }, { "label": "Anything else?" }],
        })),
    );
    assert_eq!(patched.status, 200, "{}", patched.body);
    let body = patched.json();
    assert_eq!(body["other_durations"], json!([45]));
    assert_eq!(
        body["questions"],
        json!([
            { "label": "Phone number", "required": true, "kind": "long_text" },
            { "label": "Anything else?", "required": false, "kind": "long_text" }
        ])
    );
    assert_eq!(body["duration_minutes"], 30, "fields not sent stay");

    let eleven: Vec<Value> = (1..=11)
        .map(|n| json!({ "label": format!("Q{n}") }))
        .collect();
    for (patch, field, message) in [
        (
            json!({ "questions": eleven }),
            "questions",
            "Ask at most 10 questions.",
        ),
        (
            json!({ "questions": [{ "label": "A" }, { "label": "a" }] }),
            "question_2",
            "You already ask this question.",
        ),
        (
            json!({ "questions": [{ "label": "" }] }),
            "questions",
            "Use an array of objects",
        ),
        (
            json!({ "questions": "Company" }),
            "questions",
            "Use an array of objects",
        ),
        (
            json!({ "other_durations": [30] }),
            "other_durations",
            "30 minutes is listed twice.",
        ),
        (
            json!({ "other_durations": [5000] }),
            "other_durations",
            "from 1 to 720",
        ),
        (
            json!({ "other_durations": "15" }),
            "other_durations",
            "Use an array",
        ),
        (
            json!({ "other_durations": [10, 15, 20, 25, 35, 40] }),
            "other_durations",
            "at most 6",
        ),
    ] {
        let reply = call("PATCH", &path, &token, Some(patch.clone()));
        assert_eq!(reply.status, 422, "{patch}: {}", reply.body);
        let got = reply.json()["error"]["fields"][field]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(got.contains(message), "{patch}: {}", reply.body);
    }
    // Nothing of the refused changes was saved; null clears both lists.
    let cleared = call(
        "PATCH",
        &path,
        &token,
        Some(json!({ "other_durations": null, "questions": null })),
    );
    assert_eq!(cleared.status, 200, "{}", cleared.body);
    assert_eq!(cleared.json()["other_durations"], json!([]));
    assert_eq!(cleared.json()["questions"], json!([]));
}
