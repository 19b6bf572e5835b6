//! Typed questions (issue 20): each kind set in the dashboard editor (no script) and the host
//! API, shown on the booking page as the native control whose constraints say the same as the
//! server, every kind of wrong answer refused under its own field with the other answers kept,
//! and the kept answer in its normal form (a phone number as E.164, chosen options in the
//! host's order).

use serde_json::{json, Value};

use crate::api_tokens::{call, new_token};
use crate::questions_and_durations::{event_form, hidden, open_around_the_clock, slot_hrefs};
use crate::sign_in::{csrf_of, host_row, location, signed_in_host};
use crate::support::browser::Browser;
use crate::support::http::{get, post_form, post_json, query};
use crate::support::sealed::stored_invitee;
use crate::support::seed::sql;

/// The editor's fields for one question of each kind (row N is the Nth kind).
const EVERY_KIND: [(&str, &str); 26] = [
    ("question_1", "Company"),
    ("question_1_kind", "short_text"),
    ("question_1_help", "As on your invoice"),
    ("question_2", "What should we cover?"),
    ("question_2_kind", "long_text"),
    ("question_3", "Plan"),
    ("question_3_kind", "radio"),
    ("question_3_options", "Basic\nPro\n"),
    ("question_4", "Country"),
    ("question_4_kind", "select"),
    ("question_4_options", "Germany\nFrance\nSpain"),
    ("question_5", "Topics"),
    ("question_5_kind", "multiple_choice"),
    ("question_5_options", "Pricing\nSecurity\nOnboarding"),
    ("question_6", "I agree to be recorded"),
    ("question_6_kind", "checkbox"),
    ("question_7", "Phone"),
    ("question_7_kind", "phone"),
    ("question_8", "Seats"),
    ("question_8_kind", "number"),
    ("question_8_min", "1"),
    ("question_8_max", "50"),
    ("question_9", "Billing email"),
    ("question_9_kind", "email"),
    ("question_10", "Website"),
    ("question_10_kind", "url"),
];

/// Every question but the website is required.
const REQUIRED: [&str; 9] = [
    "question_1_required",
    "question_2_required",
    "question_3_required",
    "question_4_required",
    "question_5_required",
    "question_6_required",
    "question_7_required",
    "question_8_required",
    "question_9_required",
];

/// A signed-in host bookable around the clock in UTC, with the event type `typed` asking one
/// question of every kind, all required but the website, made through the editor.
/// Returns (browser, host id, host slug).
fn host_asking_every_kind(tag: &str) -> (Browser, String, String) {
    let (browser, email) = signed_in_host(tag, "Typed Host");
    let host = host_row(&email);
    let host_id = host["id"].as_str().unwrap().to_owned();
    let slug = host["slug"].as_str().unwrap().to_owned();
    let csrf = csrf_of(&browser.get("/dashboard/event-types/new"));
    let mut extra: Vec<(&str, &str)> = EVERY_KIND.to_vec();
    extra.extend(REQUIRED.map(|field| (field, "1")));
    let reply = browser.post_form(
        "/dashboard/event-types",
        &event_form(&csrf, "typed", &extra),
        &[],
    );
    assert_eq!(location(&reply), "/dashboard", "{}", reply.body);
    open_around_the_clock(&host_id);
    (browser, host_id, slug)
}

/// The part of `page` from `<{tag}` with `id` up to the end of the tag.
fn tag_with<'a>(page: &'a str, tag: &str, id: &str) -> &'a str {
    let at = page
        .match_indices(&format!("<{tag} "))
        .map(|(at, _)| at)
        .find(|at| {
            page[*at..]
                .split('>')
                .next()
                .unwrap()
                .contains(&format!("id=\"{id}\""))
        })
        .unwrap_or_else(|| panic!("no <{tag} id={id}> in {page}"));
    let end = at + page[at..].find('>').unwrap();
    &page[at..=end]
}

/// A wholly right answer to every question, as the form sends it.
fn right_answers<'a>() -> Vec<(&'a str, &'a str)> {
    vec![
        ("answer_1", "Acme GmbH"),
        ("answer_2", "Rollout\nand pricing"),
        ("answer_3", "Pro"),
        ("answer_4", "France"),
        ("answer_5", "Onboarding"),
        ("answer_5", "Pricing"),
        ("answer_6", "yes"),
        ("answer_7", "+44 (20) 7946-0958"),
        ("answer_8", "12"),
        ("answer_9", "Billing@Example.COM"),
        ("answer_10", ""),
    ]
}

#[test]
fn every_kind_of_question_works_on_the_booking_form_without_script() {
    let (_browser, host_id, slug) = host_asking_every_kind("typedform");
    let stored: Value = serde_json::from_str(
        sql(&format!(
            "SELECT questions FROM event_types WHERE host_id = '{host_id}'"
        ))[0]["questions"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        stored[2]["options"],
        json!(["Basic", "Pro"]),
        "blank lines dropped"
    );
    assert_eq!(
        (stored[7]["min"].clone(), stored[7]["max"].clone()),
        (json!(1), json!(50))
    );
    assert_eq!(stored[9]["kind"], "url");
    assert_eq!(stored[9]["required"], false);

    let page = get(&format!("/{slug}/typed?tz=UTC"));
    let slot_href = slot_hrefs(&page.body)
        .into_iter()
        .next()
        .expect("a free slot");
    let form = get(&slot_href);
    assert_eq!(form.status, 200);
    let body = &form.body;
    // Each kind is its native control, with the server's rules as HTML constraints.
    let short = tag_with(body, "input", "answer_1");
    assert!(
        short.contains("maxlength=\"200\"") && short.contains("required"),
        "{short}"
    );
    assert!(
        short.contains("aria-describedby=\"answer_1-help\""),
        "{short}"
    );
    assert!(body.contains("id=\"answer_1-help\">As on your invoice</p>"));
    assert!(tag_with(body, "textarea", "answer_2").contains("maxlength=\"1000\""));
    let radio = tag_with(body, "input", "answer_3-2");
    assert!(
        radio.contains("type=\"radio\"")
            && radio.contains("value=\"Pro\"")
            && radio.contains("required"),
        "{radio}"
    );
    assert!(
        body.contains("<legend>Plan</legend>"),
        "a choice is a group named by its question"
    );
    let list = tag_with(body, "select", "answer_4");
    assert!(list.contains("required"), "{list}");
    assert!(body.contains("<option value=\"\">Choose…</option><option>Germany</option>"));
    let many = tag_with(body, "input", "answer_5-3");
    assert!(
        many.contains("type=\"checkbox\"") && many.contains("value=\"Onboarding\""),
        "{many}"
    );
    assert!(
        !many.contains("required"),
        "HTML cannot say 'at least one of'; the server does"
    );
    let tick = tag_with(body, "input", "answer_6");
    assert!(
        tick.contains("type=\"checkbox\"") && tick.contains("required"),
        "{tick}"
    );
    let phone = tag_with(body, "input", "answer_7");
    assert!(
        phone.contains("type=\"tel\"") && phone.contains("pattern=\""),
        "{phone}"
    );
    assert!(body.contains("id=\"answer_7-help\">With + and the country code"));
    let number = tag_with(body, "input", "answer_8");
    assert!(
        number.contains("type=\"number\"")
            && number.contains("min=\"1\"")
            && number.contains("max=\"50\""),
        "{number}"
    );
    assert!(tag_with(body, "input", "answer_9").contains("type=\"email\""));
    let url = tag_with(body, "input", "answer_10");
    assert!(
        url.contains("type=\"url\"") && !url.contains("required"),
        "{url}"
    );

    let slot = hidden(body, "slot");
    let key = hidden(body, "idempotency_key");
    let base = vec![
        ("slot", slot.as_str()),
        ("tz", "UTC"),
        ("idempotency_key", key.as_str()),
        ("name", "Ana Typed"),
        ("email", "ana.typed@example.com"),
        ("note", ""),
    ];
    // Each kind of wrong answer, one at a time: a 422 naming that field, the rest kept.
    let wrong: [(&str, &str, &str); 12] = [
        (
            "answer_1",
            "two\nlines",
            "Line breaks and control characters are not allowed here.",
        ),
        ("answer_3", "Gold", "Choose one of the options given."),
        ("answer_4", "", "This field is required."),
        ("answer_5", "Lunch", "Choose one of the options given."),
        ("answer_5", "", "This field is required."),
        ("answer_6", "", "Tick this box to go on."),
        (
            "answer_7",
            "020 7946 0958",
            "Enter the number in international form",
        ),
        (
            "answer_7",
            "+999 1234567",
            "Enter the number in international form",
        ),
        ("answer_8", "51", "Enter a whole number from 1 to 50."),
        ("answer_8", "2.5", "Enter a whole number."),
        (
            "answer_9",
            "billing@",
            "Enter an email address like name@example.com.",
        ),
        (
            "answer_10",
            "javascript:alert(1)",
            "Enter a web address starting with https://.",
        ),
    ];
    for (field, bad, message) in wrong {
        let mut fields = base.clone();
        fields.extend(right_answers().into_iter().filter(|(n, _)| *n != field));
        if !bad.is_empty() {
            fields.push((field, bad));
        }
        let refused = post_form(&format!("/{slug}/typed"), &fields);
        assert_eq!(refused.status, 422, "{field}={bad:?}: {}", refused.body);
        assert!(
            refused
                .body
                .contains(&format!("id=\"{field}-error\">{message}")),
            "{field}={bad:?}: {}",
            refused.body
        );
        assert_eq!(
            refused.body.matches("class=\"error\"").count(),
            1,
            "{field}={bad:?}"
        );
        // What was given stays: the other answers, and the choices still chosen.
        if field != "answer_1" {
            assert!(tag_with(&refused.body, "input", "answer_1").contains("value=\"Acme GmbH\""));
        }
        if field != "answer_5" {
            assert!(tag_with(&refused.body, "input", "answer_5-1").contains("checked"));
            assert!(!tag_with(&refused.body, "input", "answer_5-2").contains("checked"));
        }
        if field != "answer_3" {
            assert!(tag_with(&refused.body, "input", "answer_3-2").contains("checked"));
        }
        if field != "answer_4" {
            assert!(refused.body.contains("<option selected>France</option>"));
        }
        if field != "answer_8" {
            assert!(tag_with(&refused.body, "input", "answer_8").contains("value=\"12\""));
        }
    }
    assert!(sql(&format!(
        "SELECT id FROM bookings WHERE host_id = '{host_id}'"
    ))
    .is_empty());

    let mut fields = base.clone();
    fields.extend(right_answers());
    let booked = post_form(&format!("/{slug}/typed"), &fields);
    assert_eq!(booked.status, 303, "{}", booked.body);
    let id = sql(&format!(
        "SELECT id FROM bookings WHERE host_id = '{host_id}'"
    ))[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        stored_invitee(&id)["answers"],
        json!([
            { "question": "Company", "answer": "Acme GmbH" },
            { "question": "What should we cover?", "answer": "Rollout\nand pricing" },
            { "question": "Plan", "answer": "Pro" },
            { "question": "Country", "answer": "France" },
            { "question": "Topics", "answer": "Pricing, Onboarding" },
            { "question": "I agree to be recorded", "answer": "Yes" },
            { "question": "Phone", "answer": "+442079460958" },
            { "question": "Seats", "answer": "12" },
            { "question": "Billing email", "answer": "Billing@example.com" },
        ]),
        "normal forms kept; the unanswered optional website left out"
    );
}

#[test]
fn the_editor_names_each_wrong_part_of_a_question_and_keeps_what_was_typed() {
    let (browser, _email) = signed_in_host("typededit", "Editing Host");
    let csrf = csrf_of(&browser.get("/dashboard/event-types/new"));
    let reply = browser.post_form(
        "/dashboard/event-types",
        &event_form(
            &csrf,
            "wrong",
            &[
                ("question_1", "Plan"),
                ("question_1_kind", "select"),
                ("question_1_options", "Only one"),
                ("question_2", "Size"),
                ("question_2_kind", "short_text"),
                ("question_2_options", "S\nM"),
                ("question_3", "Seats"),
                ("question_3_kind", "number"),
                ("question_3_min", "9"),
                ("question_3_max", "3"),
                ("question_4", "Colour"),
                ("question_4_kind", "paint"),
                ("question_5", "Tags"),
                ("question_5_kind", "multiple_choice"),
                ("question_5_options", "Red\nred"),
                ("question_5_help", "Pick any"),
            ],
        ),
        &[],
    );
    assert_eq!(reply.status, 422, "{}", reply.body);
    for (field, message) in [
        (
            "question_1_options",
            "Give at least two options, one per line.",
        ),
        ("question_2_options", "Only a choice has options"),
        (
            "question_3_max",
            "The largest number must not be below the smallest.",
        ),
        ("question_4_kind", "Choose a kind of answer from the list."),
        ("question_5_options", "&#39;red&#39; is listed twice."),
    ] {
        assert!(
            reply
                .body
                .contains(&format!("id=\"{field}-error\">{message}")),
            "{field}: {}",
            reply.body
        );
        assert!(
            reply
                .body
                .contains(&format!("aria-describedby=\"{field}-error\"")),
            "{field}"
        );
    }
    // What was typed stays, kinds chosen as sent.
    assert!(
        reply.body.contains(">Red\nred</textarea>"),
        "{}",
        reply.body
    );
    assert!(tag_with(&reply.body, "input", "question_5_help").contains("value=\"Pick any\""));
    assert!(reply
        .body
        .contains("<option value=\"number\" selected>Whole number</option>"));
    assert!(tag_with(&reply.body, "input", "question_3_min").contains("value=\"9\""));
    assert!(sql("SELECT id FROM event_types WHERE slug = 'wrong'").is_empty());
}

#[test]
fn the_apis_set_and_answer_each_kind() {
    let (browser, email) = signed_in_host("typedapi", "Api Typed Host");
    let host = host_row(&email);
    let (host_id, slug) = (host["id"].as_str().unwrap(), host["slug"].as_str().unwrap());
    let token = new_token(&browser, "script");
    let questions = json!([
        { "label": "Plan", "kind": "radio", "options": ["Basic", "Pro"], "required": true },
        { "label": "Topics", "kind": "multiple_choice", "options": ["Pricing", "Security"] },
        { "label": "Consent", "kind": "checkbox", "required": true, "help": "We record calls." },
        { "label": "Seats", "kind": "number", "min": 1, "max": 5 },
        { "label": "Phone", "kind": "phone" },
    ]);
    let created = call(
        "POST",
        "/api/v1/event-types",
        &token,
        Some(
            json!({ "title": "Typed", "slug": "typed", "duration_minutes": 30, "questions": questions }),
        ),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    let listed = &created.json()["questions"];
    assert_eq!(listed[0]["options"], json!(["Basic", "Pro"]));
    assert_eq!(listed[2]["help"], "We record calls.");
    assert_eq!(listed[3]["max"], 5);
    assert_eq!(listed[4]["kind"], "phone");
    let id = created.json()["id"].as_str().unwrap().to_owned();
    for (patch, field, message) in [
        (
            json!([{ "label": "Plan", "kind": "radio" }]),
            "question_1_options",
            "at least two",
        ),
        (
            json!([{ "label": "Seats", "kind": "number", "min": 1.5 }]),
            "questions",
            "whole numbers",
        ),
        (
            json!([{ "label": "Seats", "kind": "short_text", "max": 3 }]),
            "question_1_max",
            "whole-number",
        ),
        (
            json!([{ "label": "Plan", "kind": "dropdown" }]),
            "question_1_kind",
            "from the list",
        ),
        (
            json!([{ "label": "Plan", "kind": "radio", "options": ["a", 1] }]),
            "questions",
            "array of strings",
        ),
    ] {
        let reply = call(
            "PATCH",
            &format!("/api/v1/event-types/{id}"),
            &token,
            Some(json!({ "questions": patch })),
        );
        assert_eq!(reply.status, 422, "{patch}: {}", reply.body);
        let got = reply.json()["error"]["fields"][field]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(
            got.contains(message),
            "{patch}: {field} = {got:?} in {}",
            reply.body
        );
    }

    open_around_the_clock(host_id);
    let slots = get(&format!(
        "/api/v1/slots?{}",
        query(&[("host", slug), ("event", "typed"), ("tz", "UTC")])
    ));
    let start = slots.json()["days"][1]["slots"][0]["start"]
        .as_str()
        .unwrap()
        .to_owned();
    let book = |answers: Value| {
        post_json(
            "/api/v1/bookings",
            &json!({ "host": slug, "event": "typed", "start": start, "name": "Bo Typed",
                     "email": "bo.typed@example.com", "time_zone": "UTC", "answers": answers }),
        )
    };
    for (answers, field, message) in [
        (
            json!({ "Plan": "Pro", "Consent": false }),
            "answer_3",
            "Tick this box",
        ),
        (
            json!({ "Plan": "Pro", "Consent": "no" }),
            "answer_3",
            "Choose one of the options",
        ),
        (
            json!({ "Plan": "Gold", "Consent": true }),
            "answer_1",
            "Choose one of the options",
        ),
        (
            json!({ "Plan": "Pro", "Consent": true, "Topics": ["Pricing", "Lunch"] }),
            "answer_2",
            "Choose one",
        ),
        (
            json!({ "Plan": "Pro", "Consent": true, "Seats": 6 }),
            "answer_4",
            "from 1 to 5",
        ),
        (
            json!({ "Plan": "Pro", "Consent": true, "Phone": "12345" }),
            "answer_5",
            "international form",
        ),
        (
            json!({ "Plan": "Pro", "Consent": true, "Seats": 2.5 }),
            "answers",
            "whole number",
        ),
    ] {
        let reply = book(answers.clone());
        assert_eq!(reply.status, 422, "{answers}: {}", reply.body);
        let got = reply.json()["error"]["fields"][field]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(
            got.contains(message),
            "{answers}: {field} = {got:?} in {}",
            reply.body
        );
    }
    assert!(sql(&format!(
        "SELECT id FROM bookings WHERE host_id = '{host_id}'"
    ))
    .is_empty());
    let booked = book(json!({
        "Plan": "Pro", "Consent": true, "Topics": ["Security", "Pricing"], "Seats": 3,
        "Phone": "0049 30 901820",
    }));
    assert_eq!(booked.status, 201, "{}", booked.body);
    assert_eq!(
        booked.json()["booking"]["answers"],
        json!([
            { "question": "Plan", "answer": "Pro" },
            { "question": "Topics", "answer": "Pricing, Security" },
            { "question": "Consent", "answer": "Yes" },
            { "question": "Seats", "answer": "3" },
            { "question": "Phone", "answer": "+4930901820" },
        ])
    );
    // The public event type says what each question takes, for clients that build a form.
    let info = get(&format!("/api/v1/hosts/{slug}/event-types/typed")).json();
    assert_eq!(info["questions"][1]["kind"], "multiple_choice");
    assert_eq!(
        info["questions"][1]["options"],
        json!(["Pricing", "Security"])
    );
}
