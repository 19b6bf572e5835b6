//! The host's own questions to invitees, and the invitees' answers.
//!
//! A host asks up to [`MAX_QUESTIONS`] questions per event type, each a label and whether an
//! answer is required. Questions are kept in D1 as a JSON array on the event type; an answer is
//! kept with its booking together with the question as it read when the invitee answered, so
//! editing the questions later never changes what an invitee was asked. Answers are invitee
//! personal data: the retention job erases them with the name and the note.
//!
//! Form fields are positional (`question_1` … in the editor, `answer_1` … on the booking page),
//! which keeps error field names fixed strings and the pages working without JavaScript.

use serde::{Deserialize, Serialize};

use super::booking::FieldErrors;
use super::types::FieldError;

/// Most questions one event type may ask: enough for an intake form, short enough to finish.
pub const MAX_QUESTIONS: usize = 10;
/// Longest question label; it is a form label, not a paragraph.
pub const MAX_LABEL_CHARS: usize = 200;
/// Longest answer; room for a few sentences, bounded so a booking row stays small.
pub const MAX_ANSWER_CHARS: usize = 1000;

/// Editor field names, one per position (error field names must be fixed strings).
pub const QUESTION_FIELDS: [&str; MAX_QUESTIONS] = [
    "question_1",
    "question_2",
    "question_3",
    "question_4",
    "question_5",
    "question_6",
    "question_7",
    "question_8",
    "question_9",
    "question_10",
];

/// Booking form field names, one per question position.
pub const ANSWER_FIELDS: [&str; MAX_QUESTIONS] = [
    "answer_1",
    "answer_2",
    "answer_3",
    "answer_4",
    "answer_5",
    "answer_6",
    "answer_7",
    "answer_8",
    "answer_9",
    "answer_10",
];

/// One question as the host wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    /// The question as the invitee reads it, one line.
    pub label: String,
    /// Whether a booking needs an answer to it.
    pub required: bool,
}

/// A question as it arrived from the editor or the API, before checking.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuestionInput {
    /// The label as typed; blank means "no question in this row".
    pub label: String,
    /// Whether the "required" box was ticked.
    pub required: bool,
}

/// An invitee's answer, with the question it answers as the invitee saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    /// The question's label when the invitee answered it.
    pub question: String,
    /// What the invitee wrote (trimmed, line breaks as `\n`).
    pub answer: String,
}

/// Checks the editor's rows: blank rows are dropped (the form offers spare ones), every other
/// label must be a single line of at most [`MAX_LABEL_CHARS`] and differ from the others.
/// Errors are reported under `question_N` (N counting all rows, as the form shows them) or,
/// for too many questions, `questions`.
pub fn parse_questions(rows: &[QuestionInput]) -> Result<Vec<Question>, FieldErrors> {
    let mut errors = FieldErrors::default();
    let filled: Vec<(usize, &QuestionInput)> = rows
        .iter()
        .enumerate()
        .filter(|(_, row)| !row.label.trim().is_empty())
        .collect();
    if filled.len() > MAX_QUESTIONS {
        errors.push(
            "questions",
            format!("Ask at most {MAX_QUESTIONS} questions."),
        );
        return Err(errors);
    }
    let mut questions: Vec<Question> = Vec::with_capacity(filled.len());
    for (position, row) in filled {
        let field = QUESTION_FIELDS
            .get(position)
            .copied()
            .unwrap_or("questions");
        let label = row.label.trim();
        if label.chars().count() > MAX_LABEL_CHARS {
            errors.push(field, FieldError::TooLong(MAX_LABEL_CHARS).to_string());
        } else if label.chars().any(char::is_control) {
            errors.push(field, FieldError::ControlCharacters.to_string());
        } else if questions
            .iter()
            .any(|q| q.label.to_lowercase() == label.to_lowercase())
        {
            errors.push(field, "You already ask this question.");
        } else {
            questions.push(Question {
                label: label.to_owned(),
                required: row.required,
            });
        }
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
    serde_json::from_str(stored).map_err(|e| format!("stored questions: {e}"))
}

/// The stored form of a booking's answers (a JSON array).
pub fn answers_to_json(answers: &[Answer]) -> String {
    serde_json::to_string(answers).unwrap_or_else(|_| "[]".to_owned())
}

/// Reads stored answers; an erased or unreadable value reads as none (they are shown, never
/// computed with, and a booking page must not fail over them).
pub fn answers_from_json(stored: &str) -> Vec<Answer> {
    serde_json::from_str(stored).unwrap_or_default()
}

/// Checks an invitee's answers, `raw[i]` answering `questions[i]` (missing ones are empty):
/// required ones must be given, none may be longer than [`MAX_ANSWER_CHARS`], line breaks are
/// fine but other control characters are not. Errors go under `answer_N`. Unanswered optional
/// questions are left out of the result.
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
                errors.push(field, FieldError::Required.to_string());
            }
            continue;
        }
        if text.chars().count() > MAX_ANSWER_CHARS {
            errors.push(field, FieldError::TooLong(MAX_ANSWER_CHARS).to_string());
        } else if text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
        {
            errors.push(field, "Control characters are not allowed here.");
        } else {
            answers.push(Answer {
                question: question.label.clone(),
                answer: text,
            });
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
    given: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<Vec<String>, FieldErrors> {
    let mut raw = vec![String::new(); questions.len()];
    let mut unknown = Vec::new();
    for (label, answer) in given {
        match questions
            .iter()
            .position(|q| q.label.to_lowercase() == label.trim().to_lowercase())
        {
            Some(position) => raw[position] = answer.to_owned(),
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

    fn row(label: &str, required: bool) -> QuestionInput {
        QuestionInput {
            label: label.into(),
            required,
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
                required: true
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
            [("what should we cover?", "Pricing"), ("Company", "Acme")],
        )
        .unwrap();
        assert_eq!(raw, vec!["Acme".to_owned(), "Pricing".to_owned()]);
        let errors = answers_by_label(&asked(), [("Budget", "lots")]).unwrap_err();
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
}
