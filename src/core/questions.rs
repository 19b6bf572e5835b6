//! The host's own questions to invitees, and the invitees' answers.
//!
//! A host asks up to [`MAX_QUESTIONS`] questions per event type. Each has a [`QuestionKind`]
//! (short or long text, a single or multiple choice, a checkbox, a phone number, a whole number,
//! an email address or a web address), a label, an optional help text and whether an answer is
//! required. Questions are kept in D1 as a JSON array on the event type; an answer is kept with
//! its booking together with the question as it read when the invitee answered, so editing the
//! questions later never changes what an invitee was asked. Answers are invitee personal data:
//! the retention job erases them with the name and the note.
//!
//! Every answer is checked here, once, for the booking form and the API alike; the booking form
//! states the same rules as native HTML constraints (so a browser checks them without script),
//! except "at least one" of a multiple choice, which HTML cannot say.
//!
//! Form fields are positional (`question_1` … in the editor, `answer_1` … on the booking page),
//! which keeps error field names fixed strings and the pages working without JavaScript.

use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

use super::booking::FieldErrors;
use super::phone::PhoneNumber;
use super::types::{Email, FieldError};

/// Most questions one event type may ask: enough for an intake form, short enough to finish.
pub const MAX_QUESTIONS: usize = 10;
/// Longest question label; it is a form label, not a paragraph.
pub const MAX_LABEL_CHARS: usize = 200;
/// Longest help text under a question: a hint, not instructions.
pub const MAX_HELP_CHARS: usize = 300;
/// Most options of one choice question; a longer list wants a text answer.
pub const MAX_OPTIONS: usize = 20;
/// Longest option text.
pub const MAX_OPTION_CHARS: usize = 80;
/// Longest answer to a long-text question; room for a few sentences, bounded so a booking
/// row stays small.
pub const MAX_ANSWER_CHARS: usize = 1000;
/// Longest answer to a short-text question: one line.
pub const MAX_SHORT_ANSWER_CHARS: usize = 200;
/// Largest magnitude of a number answer or bound; far beyond any count a form asks for.
pub const MAX_NUMBER: i64 = 1_000_000_000;
/// Longest stored form of an event type's questions (the column's CHECK in migration 0008).
const MAX_STORED_CHARS: usize = 6000;
/// What a ticked checkbox question's answer reads.
pub const TICKED: &str = "Yes";

/// Ten field names `prefix1suffix` … `prefix10suffix`, fixed strings for error reports.
macro_rules! numbered_fields {
    ($prefix:literal, $suffix:literal) => {
        [
            concat!($prefix, "1", $suffix),
            concat!($prefix, "2", $suffix),
            concat!($prefix, "3", $suffix),
            concat!($prefix, "4", $suffix),
            concat!($prefix, "5", $suffix),
            concat!($prefix, "6", $suffix),
            concat!($prefix, "7", $suffix),
            concat!($prefix, "8", $suffix),
            concat!($prefix, "9", $suffix),
            concat!($prefix, "10", $suffix),
        ]
    };
}

/// Editor field names of the labels, one per position (error field names must be fixed strings).
pub const QUESTION_FIELDS: [&str; MAX_QUESTIONS] = numbered_fields!("question_", "");
/// Editor field names of the kinds.
pub const KIND_FIELDS: [&str; MAX_QUESTIONS] = numbered_fields!("question_", "_kind");
/// Editor field names of the help texts.
pub const HELP_FIELDS: [&str; MAX_QUESTIONS] = numbered_fields!("question_", "_help");
/// Editor field names of the options (one per line).
pub const OPTIONS_FIELDS: [&str; MAX_QUESTIONS] = numbered_fields!("question_", "_options");
/// Editor field names of the smallest number allowed.
pub const MIN_FIELDS: [&str; MAX_QUESTIONS] = numbered_fields!("question_", "_min");
/// Editor field names of the largest number allowed.
pub const MAX_FIELDS: [&str; MAX_QUESTIONS] = numbered_fields!("question_", "_max");
/// Booking form field names, one per question position.
pub const ANSWER_FIELDS: [&str; MAX_QUESTIONS] = numbered_fields!("answer_", "");

/// What kind of answer a question takes; it decides the form control and the answer's check.
/// Written as [`QuestionKind::as_str`] (by hand rather than derived, which the Worker's size
/// budget preferred).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum QuestionKind {
    /// One line of text.
    ShortText,
    /// A few lines of text; questions stored before kinds existed are these.
    #[default]
    LongText,
    /// One of the options, shown as radio buttons.
    Radio,
    /// One of the options, shown as a drop-down list.
    Select,
    /// Any of the options, shown as checkboxes.
    MultipleChoice,
    /// One box to tick, the label saying what it means (e.g. consent).
    Checkbox,
    /// A phone number in international form, kept as E.164.
    Phone,
    /// A whole number, between the question's bounds.
    Number,
    /// An email address.
    Email,
    /// A web address (http or https).
    Url,
}

impl QuestionKind {
    /// Every kind, in the order the editor lists them.
    pub const ALL: [Self; 10] = [
        Self::ShortText,
        Self::LongText,
        Self::Radio,
        Self::Select,
        Self::MultipleChoice,
        Self::Checkbox,
        Self::Phone,
        Self::Number,
        Self::Email,
        Self::Url,
    ];

    /// The name in forms, the API and storage.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ShortText => "short_text",
            Self::LongText => "long_text",
            Self::Radio => "radio",
            Self::Select => "select",
            Self::MultipleChoice => "multiple_choice",
            Self::Checkbox => "checkbox",
            Self::Phone => "phone",
            Self::Number => "number",
            Self::Email => "email",
            Self::Url => "url",
        }
    }

    /// The kind a form or API value names.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw.trim())
    }

    /// The host's name for it in the editor.
    pub fn label(self) -> &'static str {
        match self {
            Self::ShortText => "Short text",
            Self::LongText => "Long text",
            Self::Radio => "One of several (buttons)",
            Self::Select => "One of several (list)",
            Self::MultipleChoice => "Any of several",
            Self::Checkbox => "A box to tick",
            Self::Phone => "Phone number",
            Self::Number => "Whole number",
            Self::Email => "Email address",
            Self::Url => "Web address",
        }
    }

    /// Whether the question lists options to choose from.
    pub fn has_options(self) -> bool {
        matches!(self, Self::Radio | Self::Select | Self::MultipleChoice)
    }
}

impl Serialize for QuestionKind {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// One question as the host wrote it; only a choice has options and only a number has bounds
/// ([`parse_questions`] makes sure). Stored and answered as JSON with these field names; read
/// back by [`questions_from_json`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Question {
    /// The question as the invitee reads it, one line.
    pub label: String,
    /// Whether a booking needs an answer to it (for a checkbox: that it is ticked).
    pub required: bool,
    /// What kind of answer it takes.
    pub kind: QuestionKind,
    /// A hint shown under the question.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub help: String,
    /// The options of a choice, in the host's order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    /// The smallest number a number question takes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
    /// The largest number a number question takes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
}

impl Question {
    /// One stored question; a missing field takes its default (questions stored before kinds
    /// have only `label` and `required`, and are long text). `None` for any other shape.
    fn from_value(value: &Value) -> Option<Self> {
        let text = |key: &str| match value.get(key) {
            None => Some(String::new()),
            Some(v) => v.as_str().map(str::to_owned),
        };
        let bound = |key: &str| match value.get(key) {
            None => Some(None),
            Some(v) => v.as_i64().map(Some),
        };
        Some(Self {
            label: value.get("label")?.as_str()?.to_owned(),
            required: value.get("required").map_or(Some(false), Value::as_bool)?,
            kind: match value.get("kind") {
                None => QuestionKind::default(),
                Some(kind) => QuestionKind::parse(kind.as_str()?)?,
            },
            help: text("help")?,
            options: match value.get("options") {
                None => Vec::new(),
                Some(options) => options
                    .as_array()?
                    .iter()
                    .map(|o| o.as_str().map(str::to_owned))
                    .collect::<Option<_>>()?,
            },
            min: bound("min")?,
            max: bound("max")?,
        })
    }
}

/// A question as it arrived from the editor or the API, before checking.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuestionInput {
    /// The label as typed; blank means "no question in this row".
    pub label: String,
    /// Whether the "required" box was ticked.
    pub required: bool,
    /// The kind's name; blank means long text (as questions were before kinds).
    pub kind: String,
    /// The help text as typed.
    pub help: String,
    /// The options, one per line.
    pub options: String,
    /// The smallest number, as typed.
    pub min: String,
    /// The largest number, as typed.
    pub max: String,
}

impl From<&Question> for QuestionInput {
    /// A stored question as the editor's row shows it.
    fn from(question: &Question) -> Self {
        let bound = |b: Option<i64>| b.map(|n| n.to_string()).unwrap_or_default();
        Self {
            label: question.label.clone(),
            required: question.required,
            kind: question.kind.as_str().to_owned(),
            help: question.help.clone(),
            options: question.options.join("\n"),
            min: bound(question.min),
            max: bound(question.max),
        }
    }
}

/// An invitee's answer, with the question it answers as the invitee saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    /// The question's label when the invitee answered it.
    pub question: String,
    /// What the invitee gave, in plain text: as written (trimmed, line breaks as `\n`), a phone
    /// number in E.164 form, the options chosen joined by ", ", or [`TICKED`].
    pub answer: String,
}

/// One line of at most `max` characters without control characters.
fn checked_line(text: &str, max: usize) -> Result<(), FieldError> {
    if text.chars().count() > max {
        Err(FieldError::TooLong(max))
    } else if text.chars().any(char::is_control) {
        Err(FieldError::ControlCharacters)
    } else {
        Ok(())
    }
}

/// A number bound as typed: blank is none.
fn bound(raw: &str) -> Result<Option<i64>, FieldError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    match raw.parse::<i64>() {
        Ok(n) if n.abs() <= MAX_NUMBER => Ok(Some(n)),
        _ => Err(FieldError::NotAWholeNumber),
    }
}

/// The options of a choice, one per line: blank lines dropped, each checked, no repeats.
fn parse_options(raw: &str) -> Result<Vec<String>, String> {
    let mut options: Vec<String> = Vec::new();
    for line in raw.lines().map(str::trim).filter(|l| !l.is_empty()) {
        checked_line(line, MAX_OPTION_CHARS).map_err(|e| format!("'{line}': {e}"))?;
        if options.iter().any(|o| o.to_lowercase() == line.to_lowercase()) {
            return Err(format!("'{line}' is listed twice."));
        }
        options.push(line.to_owned());
    }
    if options.len() < 2 {
        return Err("Give at least two options, one per line.".into());
    }
    if options.len() > MAX_OPTIONS {
        return Err(format!("Give at most {MAX_OPTIONS} options."));
    }
    Ok(options)
}

/// Checks one filled editor row; errors go under the row's fields.
fn parse_question(position: usize, row: &QuestionInput, errors: &mut FieldErrors) -> Option<Question> {
    let before = errors.iter().count();
    let label = row.label.trim();
    if let Err(e) = checked_line(label, MAX_LABEL_CHARS) {
        errors.push(QUESTION_FIELDS[position], e.to_string());
    }
    let kind = if row.kind.trim().is_empty() {
        QuestionKind::default()
    } else {
        QuestionKind::parse(&row.kind).unwrap_or_else(|| {
            errors.push(KIND_FIELDS[position], "Choose a kind of answer from the list.");
            QuestionKind::default()
        })
    };
    let help = row.help.trim();
    if let Err(e) = checked_line(help, MAX_HELP_CHARS) {
        errors.push(HELP_FIELDS[position], e.to_string());
    }
    let mut options = Vec::new();
    if kind.has_options() {
        match parse_options(&row.options) {
            Ok(parsed) => options = parsed,
            Err(message) => errors.push(OPTIONS_FIELDS[position], message),
        }
    } else if !row.options.trim().is_empty() {
        errors.push(
            OPTIONS_FIELDS[position],
            "Only a choice has options: choose a kind with options or clear them.",
        );
    }
    let (mut min, mut max) = (None, None);
    if kind == QuestionKind::Number {
        match (bound(&row.min), bound(&row.max)) {
            (Ok(low), Ok(high)) if low.zip(high).is_some_and(|(l, h)| l > h) => errors.push(
                MAX_FIELDS[position],
                "The largest number must not be below the smallest.",
            ),
            (Ok(low), Ok(high)) => (min, max) = (low, high),
            (low, high) => {
                if let Err(e) = low {
                    errors.push(MIN_FIELDS[position], e.to_string());
                }
                if let Err(e) = high {
                    errors.push(MAX_FIELDS[position], e.to_string());
                }
            }
        }
    } else {
        for (raw, fields) in [(&row.min, MIN_FIELDS), (&row.max, MAX_FIELDS)] {
            if !raw.trim().is_empty() {
                errors.push(
                    fields[position],
                    "Only a whole-number question has bounds: clear this.",
                );
            }
        }
    }
    (errors.iter().count() == before).then(|| Question {
        label: label.to_owned(),
        required: row.required,
        kind,
        help: help.to_owned(),
        options,
        min,
        max,
    })
}

/// Checks the editor's rows: blank rows are dropped (the form offers spare ones), every other
/// label must be a single line of at most [`MAX_LABEL_CHARS`] and differ from the others, and
/// each row's kind, help, options and bounds must fit its kind. Errors are reported under the
/// row's fields (`question_N`, `question_N_options` …, N counting all rows as the form shows
/// them) or, for too many questions or too much text together, `questions`.
pub fn parse_questions(rows: &[QuestionInput]) -> Result<Vec<Question>, FieldErrors> {
    let mut errors = FieldErrors::default();
    let filled: Vec<(usize, &QuestionInput)> = rows
        .iter()
        .enumerate()
        .filter(|(_, row)| !row.label.trim().is_empty())
        .collect();
    // A row past the tenth (the API may send blank ones before it) has no field names.
    if filled.len() > MAX_QUESTIONS || filled.last().is_some_and(|(p, _)| *p >= MAX_QUESTIONS) {
        errors.push(
            "questions",
            format!("Ask at most {MAX_QUESTIONS} questions."),
        );
        return Err(errors);
    }
    let mut questions: Vec<Question> = Vec::with_capacity(filled.len());
    for (position, row) in filled {
        let Some(question) = parse_question(position, row, &mut errors) else {
            continue;
        };
        if questions
            .iter()
            .any(|q| q.label.to_lowercase() == question.label.to_lowercase())
        {
            errors.push(QUESTION_FIELDS[position], "You already ask this question.");
        } else {
            questions.push(question);
        }
    }
    if errors.is_empty() && questions_to_json(&questions).chars().count() > MAX_STORED_CHARS {
        errors.push(
            "questions",
            format!("Together these questions are too long to keep (at most {MAX_STORED_CHARS} characters): shorten some options or help texts."),
        );
    }
    if errors.is_empty() {
        Ok(questions)
    } else {
        Err(errors)
    }
}

/// The stored form of an event type's questions (a JSON array).
pub fn questions_to_json(questions: &[Question]) -> String {
    serde_json::to_string(questions).unwrap_or_else(|_| "[]".to_owned())
}

/// Reads stored questions; `Err` names what is wrong with a row that should never be bad.
pub fn questions_from_json(stored: &str) -> Result<Vec<Question>, String> {
    if stored.trim().is_empty() {
        return Ok(Vec::new());
    }
    let value: Value =
        serde_json::from_slice(stored.as_bytes()).map_err(|e| format!("stored questions: {e}"))?;
    value
        .as_array()
        .ok_or("stored questions: not an array")?
        .iter()
        .enumerate()
        .map(|(n, q)| {
            Question::from_value(q).ok_or_else(|| format!("stored questions: question {} unreadable", n + 1))
        })
        .collect()
}

/// The stored form of a booking's answers (a JSON array).
pub fn answers_to_json(answers: &[Answer]) -> String {
    serde_json::to_string(answers).unwrap_or_else(|_| "[]".to_owned())
}

/// Reads stored answers; an erased or unreadable value reads as none (they are shown, never
/// computed with, and a booking page must not fail over them).
///
/// Read by a described shape (`providers::calendar::shape`), which accepts and refuses what
/// the derived `Deserialize` of `Vec<Answer>` does, instead of compiling that deserializer
/// into the Worker (BENCHMARKS.md, *Size*).
pub fn answers_from_json(stored: &str) -> Vec<Answer> {
    use crate::providers::calendar::shape::{read, Field, Shape};
    static ANSWER: Shape = Shape::Record(&[
        Field::new("question", Shape::Text),
        Field::new("answer", Shape::Text),
    ]);
    static ANSWERS: Shape = Shape::List(&ANSWER);
    let Ok(answers) = read(stored.as_bytes(), &ANSWERS) else {
        return Vec::new();
    };
    answers
        .into_items()
        .into_iter()
        .map(|mut answer| {
            Some(Answer {
                question: answer.take("question").into_text()?,
                answer: answer.take("answer").into_text()?,
            })
        })
        .collect::<Option<Vec<_>>>()
        .unwrap_or_default()
}

/// Checks one given (non-empty) answer against its question; `Ok` is the text kept.
fn check_answer(question: &Question, text: &str) -> Result<String, FieldError> {
    match question.kind {
        QuestionKind::LongText => {
            if text.chars().count() > MAX_ANSWER_CHARS {
                Err(FieldError::TooLong(MAX_ANSWER_CHARS))
            } else if text
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\t')
            {
                Err(FieldError::ControlCharacters)
            } else {
                Ok(text.to_owned())
            }
        }
        QuestionKind::ShortText => checked_line(text, MAX_SHORT_ANSWER_CHARS).map(|()| text.to_owned()),
        QuestionKind::Radio | QuestionKind::Select => question
            .options
            .iter()
            .find(|o| o.as_str() == text)
            .cloned()
            .ok_or(FieldError::NotAnOption),
        QuestionKind::MultipleChoice => {
            let chosen: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
            if chosen.iter().any(|c| !question.options.iter().any(|o| o == c)) {
                return Err(FieldError::NotAnOption);
            }
            // In the host's order, each once, however the answer listed them.
            let kept: Vec<&str> = question
                .options
                .iter()
                .map(String::as_str)
                .filter(|o| chosen.contains(o))
                .collect();
            Ok(kept.join(", "))
        }
        // The form's box sends "yes"; anything else is not a tick (the API's "no" must not be one).
        QuestionKind::Checkbox if text.eq_ignore_ascii_case("yes") => Ok(TICKED.to_owned()),
        QuestionKind::Checkbox => Err(FieldError::NotAnOption),
        QuestionKind::Phone => PhoneNumber::parse(text)
            .map(|p| p.as_str().to_owned())
            .ok_or(FieldError::BadPhone),
        QuestionKind::Number => {
            let number = text.parse::<i64>().map_err(|_| FieldError::NotAWholeNumber)?;
            let low = question.min.unwrap_or(-MAX_NUMBER);
            let high = question.max.unwrap_or(MAX_NUMBER);
            if (low..=high).contains(&number) {
                Ok(number.to_string())
            } else {
                Err(FieldError::NumberOutOfRange(low, high))
            }
        }
        QuestionKind::Email => Email::parse(text).map(|e| e.as_str().to_owned()),
        QuestionKind::Url => {
            checked_line(text, MAX_ANSWER_CHARS)?;
            match url::Url::parse(text) {
                Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => {
                    Ok(url.to_string())
                }
                _ => Err(FieldError::BadUrl),
            }
        }
    }
}

/// Checks an invitee's answers, `raw[i]` answering `questions[i]` (missing ones are empty; a
/// multiple choice's options one per line; any non-empty text ticks a checkbox): required ones
/// must be given, each must fit its question's kind. Errors go under `answer_N`. Unanswered
/// optional questions (and unticked optional boxes) are left out of the result.
pub fn parse_answers(questions: &[Question], raw: &[String]) -> Result<Vec<Answer>, FieldErrors> {
    let mut errors = FieldErrors::default();
    let mut answers = Vec::new();
    for (position, question) in questions.iter().enumerate().take(MAX_QUESTIONS) {
        let field = ANSWER_FIELDS[position];
        let text = raw
            .get(position)
            .map(|a| a.trim().replace("\r\n", "\n"))
            .unwrap_or_default();
        if text.is_empty() {
            if question.required {
                let error = if question.kind == QuestionKind::Checkbox {
                    FieldError::MustTick
                } else {
                    FieldError::Required
                };
                errors.push(field, error.to_string());
            }
            continue;
        }
        match check_answer(question, &text) {
            Ok(answer) => answers.push(Answer {
                question: question.label.clone(),
                answer,
            }),
            Err(e) => errors.push(field, e.to_string()),
        }
    }
    if errors.is_empty() {
        Ok(answers)
    } else {
        Err(errors)
    }
}

/// Places answers given by question label (the JSON API's `answers` object) in question order
/// for [`parse_answers`]. A label the event type does not ask is an error under `answers`.
pub fn answers_by_label<'a>(
    questions: &[Question],
    given: impl IntoIterator<Item = (&'a str, String)>,
) -> Result<Vec<String>, FieldErrors> {
    let mut raw = vec![String::new(); questions.len()];
    let mut unknown = Vec::new();
    for (label, answer) in given {
        match questions
            .iter()
            .position(|q| q.label.to_lowercase() == label.trim().to_lowercase())
        {
            Some(position) => raw[position] = answer,
            None => unknown.push(label),
        }
    }
    if unknown.is_empty() {
        return Ok(raw);
    }
    let asked = if questions.is_empty() {
        "This event type asks no questions.".to_owned()
    } else {
        let labels: Vec<String> = questions.iter().map(|q| format!("'{}'", q.label)).collect();
        format!("It asks: {}.", labels.join(", "))
    };
    Err(FieldErrors::one(
        "answers",
        format!(
            "This event type has no question '{}'. {asked}",
            unknown.join("', '")
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_answers_are_read_as_the_derived_deserializer_reads_them() {
        for stored in [
            r#"[{"question":"Q","answer":"A"},{"question":"R","answer":""}]"#,
            "[]",
            r#"[{"question":"Q"}]"#,
            r#"[{"question":"Q","answer":null}]"#,
            r#"[{"question":"Q","answer":"A","extra":1}]"#,
            r#"[["Q","A"]]"#,
            r#"{"question":"Q","answer":"A"}"#,
            r#"[{"question":"Q","answer":"A"}] x"#,
            "",
        ] {
            let derived: Vec<Answer> = serde_json::from_slice(stored.as_bytes()).unwrap_or_default();
            assert_eq!(answers_from_json(stored), derived, "{stored}");
        }
    }

    fn row(label: &str, required: bool) -> QuestionInput {
        QuestionInput {
            label: label.into(),
            required,
            ..QuestionInput::default()
        }
    }

    fn typed(label: &str, kind: &str, options: &str, min: &str, max: &str) -> QuestionInput {
        QuestionInput {
            label: label.into(),
            required: true,
            kind: kind.into(),
            options: options.into(),
            min: min.into(),
            max: max.into(),
            ..QuestionInput::default()
        }
    }

    fn asked() -> Vec<Question> {
        parse_questions(&[row("Company", true), row("What should we cover?", false)]).unwrap()
    }

    #[test]
    fn blank_rows_are_dropped_and_labels_trimmed() {
        let questions =
            parse_questions(&[row("", true), row("  Company ", true), row(" ", false)]).unwrap();
        assert_eq!(
            questions,
            vec![Question {
                label: "Company".into(),
                required: true,
                kind: QuestionKind::LongText,
                help: String::new(),
                options: vec![],
                min: None,
                max: None,
            }]
        );
    }

    #[test]
    fn bad_labels_are_named_by_their_row() {
        let long = "x".repeat(MAX_LABEL_CHARS + 1);
        let errors = parse_questions(&[
            row("Company", false),
            row(&long, false),
            row("company", true),
            row("Line\nbreak", false),
        ])
        .unwrap_err();
        assert_eq!(
            errors.get("question_2"),
            Some("Use at most 200 characters.")
        );
        assert_eq!(
            errors.get("question_3"),
            Some("You already ask this question.")
        );
        assert!(errors.get("question_4").unwrap().contains("control"));
        assert_eq!(errors.get("question_1"), None);
    }

    #[test]
    fn at_most_ten_questions() {
        let rows: Vec<QuestionInput> = (1..=11).map(|n| row(&format!("Q{n}"), false)).collect();
        let errors = parse_questions(&rows).unwrap_err();
        assert_eq!(errors.get("questions"), Some("Ask at most 10 questions."));
        assert_eq!(parse_questions(&rows[..10]).unwrap().len(), 10);
        // One question behind ten blank rows is past the tenth row too, not a panic.
        let mut late = vec![row("", false); 10];
        late.push(row("Q11", false));
        let errors = parse_questions(&late).unwrap_err();
        assert_eq!(errors.get("questions"), Some("Ask at most 10 questions."));
    }

    #[test]
    fn questions_round_trip_through_json() {
        let questions = asked();
        assert_eq!(
            questions_from_json(&questions_to_json(&questions)).unwrap(),
            questions
        );
        assert_eq!(questions_from_json("").unwrap(), vec![]);
        assert!(questions_from_json("{nope").is_err());
        for bad in [
            r#"{"label":"x"}"#,
            r#"[{"label":3}]"#,
            r#"[{"label":"x","kind":"paint"}]"#,
            r#"[{"label":"x","options":["a",2]}]"#,
            r#"[{"label":"x","min":1.5}]"#,
        ] {
            assert!(questions_from_json(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn required_answers_must_be_given_and_optional_ones_may_be_left_out() {
        let errors = parse_answers(&asked(), &["  ".into(), "Pricing".into()]).unwrap_err();
        assert_eq!(errors.get("answer_1"), Some("This field is required."));
        assert_eq!(errors.get("answer_2"), None);
        let answers = parse_answers(&asked(), &["Acme\r\nGmbH".into()]).unwrap();
        assert_eq!(
            answers,
            vec![Answer {
                question: "Company".into(),
                answer: "Acme\nGmbH".into()
            }]
        );
    }

    #[test]
    fn answers_are_bounded_and_plain() {
        let long = "a".repeat(MAX_ANSWER_CHARS + 1);
        let errors = parse_answers(&asked(), &["Acme".into(), long]).unwrap_err();
        assert_eq!(errors.get("answer_2"), Some("Use at most 1000 characters."));
        let errors = parse_answers(&asked(), &["Ac\u{7}me".into()]).unwrap_err();
        assert!(errors.get("answer_1").is_some());
        assert!(parse_answers(&[], &["ignored".into()]).unwrap().is_empty());
    }

    #[test]
    fn answers_by_label_follow_the_question_order_and_unknown_labels_are_refused() {
        let raw = answers_by_label(
            &asked(),
            [
                ("what should we cover?", "Pricing".to_owned()),
                ("Company", "Acme".to_owned()),
            ],
        )
        .unwrap();
        assert_eq!(raw, vec!["Acme".to_owned(), "Pricing".to_owned()]);
        let errors = answers_by_label(&asked(), [("Budget", "lots".to_owned())]).unwrap_err();
        let message = errors.get("answers").unwrap();
        assert!(message.contains("no question 'Budget'"), "{message}");
        assert!(message.contains("'Company'"), "{message}");
    }

    #[test]
    fn erased_or_broken_answers_read_as_none() {
        assert!(answers_from_json("").is_empty());
        assert!(answers_from_json("[]").is_empty());
        let stored = answers_to_json(&[Answer {
            question: "Q".into(),
            answer: "<b>A</b>".into(),
        }]);
        assert_eq!(answers_from_json(&stored)[0].answer, "<b>A</b>");
    }

    #[test]
    fn questions_stored_before_kinds_read_as_long_text() {
        let stored = r#"[{"label":"Company","required":true}]"#;
        let questions = questions_from_json(stored).unwrap();
        assert_eq!(questions[0].kind, QuestionKind::LongText);
        assert!(questions[0].options.is_empty());
    }

    #[test]
    fn each_kind_keeps_only_what_fits_it() {
        let questions = parse_questions(&[
            typed("Plan", "radio", "Basic\n\n Pro \n", "", ""),
            typed("Seats", "number", "", "1", "50"),
            typed("Phone", "phone", "", "", ""),
        ])
        .unwrap();
        assert_eq!(questions[0].options, ["Basic", "Pro"]);
        assert_eq!((questions[1].min, questions[1].max), (Some(1), Some(50)));
        let json = questions_to_json(&questions);
        assert_eq!(questions_from_json(&json).unwrap(), questions);
        assert!(json.contains(r#""kind":"phone""#), "{json}");
    }

    #[test]
    fn wrong_rows_are_named_by_their_field() {
        let errors = parse_questions(&[
            typed("Plan", "select", "Only one", "", ""),
            typed("Size", "short_text", "A\nB", "1", ""),
            typed("Seats", "number", "", "ten", "5"),
            typed("Age", "number", "", "9", "3"),
            typed("Colour", "paint", "", "", ""),
            typed("Tags", "multiple_choice", "a\nA", "", ""),
        ])
        .unwrap_err();
        assert_eq!(
            errors.get("question_1_options"),
            Some("Give at least two options, one per line.")
        );
        assert!(errors.get("question_2_options").unwrap().contains("Only a choice"));
        assert!(errors.get("question_2_min").unwrap().contains("whole-number"));
        assert_eq!(errors.get("question_3_min"), Some("Enter a whole number."));
        assert_eq!(errors.get("question_3_max"), None);
        assert!(errors.get("question_4_max").unwrap().contains("below"));
        assert!(errors.get("question_5_kind").is_some());
        assert!(errors.get("question_6_options").unwrap().contains("twice"));
    }

    #[test]
    fn too_many_options_or_too_much_text_together_is_refused() {
        let many: Vec<String> = (1..=21).map(|n| format!("Option {n}")).collect();
        let errors =
            parse_questions(&[typed("Pick", "select", &many.join("\n"), "", "")]).unwrap_err();
        assert_eq!(errors.get("question_1_options"), Some("Give at most 20 options."));
        let long: Vec<String> = (1..=20).map(|n| format!("{n:0>78}")).collect();
        let rows: Vec<QuestionInput> = (1..=10)
            .map(|n| typed(&format!("Q{n}"), "select", &long.join("\n"), "", ""))
            .collect();
        let errors = parse_questions(&rows).unwrap_err();
        assert!(errors.get("questions").unwrap().contains("too long to keep"));
    }

    fn one(kind: &str, options: &str, min: &str, max: &str) -> Vec<Question> {
        parse_questions(&[typed("Q", kind, options, min, max)]).unwrap()
    }

    fn answer(questions: &[Question], raw: &str) -> Result<String, String> {
        parse_answers(questions, &[raw.to_owned()])
            .map(|answers| answers.into_iter().map(|a| a.answer).collect())
            .map_err(|e| e.get("answer_1").unwrap().to_owned())
    }

    #[test]
    fn answers_are_checked_by_kind() {
        let choice = one("radio", "Basic\nPro", "", "");
        assert_eq!(answer(&choice, "Pro"), Ok("Pro".into()));
        assert_eq!(answer(&choice, "Gold"), Err(FieldError::NotAnOption.to_string()));
        let many = one("multiple_choice", "Red\nGreen\nBlue", "", "");
        assert_eq!(answer(&many, "Blue\nRed\nRed"), Ok("Red, Blue".into()));
        assert_eq!(answer(&many, "Red\nPink"), Err(FieldError::NotAnOption.to_string()));
        let number = one("number", "", "1", "50");
        assert_eq!(answer(&number, " 12 "), Ok("12".into()));
        assert_eq!(answer(&number, "51"), Err("Enter a whole number from 1 to 50.".into()));
        assert_eq!(answer(&number, "1.5"), Err("Enter a whole number.".into()));
        let phone = one("phone", "", "", "");
        assert_eq!(answer(&phone, "+44 20 7946 0958"), Ok("+442079460958".into()));
        assert_eq!(answer(&phone, "020 7946 0958"), Err(FieldError::BadPhone.to_string()));
        let email = one("email", "", "", "");
        assert_eq!(answer(&email, "Ana@Example.COM"), Ok("Ana@example.com".into()));
        assert_eq!(answer(&email, "ana@"), Err(FieldError::BadEmail.to_string()));
        let url = one("url", "", "", "");
        assert_eq!(answer(&url, "https://example.com/x"), Ok("https://example.com/x".into()));
        for bad in ["javascript:alert(1)", "example.com", "ftp://example.com"] {
            assert_eq!(answer(&url, bad), Err(FieldError::BadUrl.to_string()), "{bad}");
        }
        let short = one("short_text", "", "", "");
        assert_eq!(answer(&short, "two\nlines"), Err(FieldError::ControlCharacters.to_string()));
        let tick = one("checkbox", "", "", "");
        assert_eq!(answer(&tick, "yes"), Ok(TICKED.into()));
        assert_eq!(answer(&tick, ""), Err(FieldError::MustTick.to_string()));
        assert_eq!(answer(&tick, "no"), Err(FieldError::NotAnOption.to_string()));
    }
}
