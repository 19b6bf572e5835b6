use super::*;

fn row<'a>(amount: &'a str, to: &'a str, note: &'a str) -> TypedRow<'a> {
    TypedRow {
        amount,
        recipients: to,
        note,
    }
}

fn blank() -> TypedRow<'static> {
    row("", "both", "")
}

#[test]
fn a_lead_is_said_in_the_largest_whole_unit() {
    assert_eq!(lead_label(1440), "1 day");
    assert_eq!(lead_label(2880), "2 days");
    assert_eq!(lead_label(60), "1 hour");
    assert_eq!(lead_label(1500), "25 hours");
    assert_eq!(lead_label(1), "1 minute");
    assert_eq!(lead_label(45), "45 minutes");
    assert_eq!(lead_label(10080), "7 days");
    assert!(OFFERED_LEADS.windows(2).all(|w| w[0] < w[1]));
    assert!(OFFERED_LEADS.iter().all(|m| (1..=MAX_REMINDER_MINUTES).contains(m)));
}

#[test]
fn the_rows_become_a_list_latest_first_and_empty_rows_are_none() {
    let list = from_rows(
        &[
            row("60", "host", ""),
            blank(),
            row(" 1440 ", "invitee", "  Bring the contract.  "),
        ],
        &FORM_FIELDS,
    )
    .unwrap();
    assert_eq!(
        list,
        vec![
            Reminder {
                minutes_before: 1440,
                recipients: Recipients::Invitee,
                note: "Bring the contract.".into()
            },
            Reminder {
                minutes_before: 60,
                recipients: Recipients::Host,
                note: String::new()
            },
        ]
    );
    assert_eq!(from_rows(&[blank(), blank()], &FORM_FIELDS).unwrap(), vec![]);
}

#[test]
fn each_error_names_the_row_it_is_in() {
    let errors = from_rows(
        &[
            blank(),
            row("1440", "both", ""),
            row("1440", "both", ""),
            row("x", "both", ""),
            row("43201", "nobody", &"n".repeat(501)),
        ],
        &FORM_FIELDS,
    )
    .unwrap_err();
    assert!(errors
        .get("lead-2")
        .unwrap()
        .contains("already goes 1 day before"));
    assert_eq!(errors.get("lead-3"), Some("Give a whole number."));
    assert_eq!(errors.get("to-4"), Some("Choose who gets the reminder."));
    assert_eq!(errors.get("lead-1"), None);
    assert_eq!(errors.get("lead-0"), None);

    let errors = from_rows(&[row("43201", "both", &"n".repeat(501))], &FORM_FIELDS).unwrap_err();
    assert!(errors.get("lead-0").unwrap().contains("30 days"));
    assert!(errors.get("note-0").unwrap().contains("500"));
    assert!(from_rows(&[row("0", "both", "")], &FORM_FIELDS).is_err());
    let six: Vec<_> = (0..6).map(|_| blank()).collect();
    assert!(from_rows(&six, &FORM_FIELDS)
        .unwrap_err()
        .get("lead-0")
        .unwrap()
        .contains("at most 5"));
}

#[test]
fn a_list_has_at_most_five_and_the_bounds_are_inclusive() {
    let reminder = |minutes_before| Reminder {
        minutes_before,
        recipients: Recipients::Both,
        note: "n".repeat(MAX_NOTE_CHARS),
    };
    let five: Vec<_> = [1, 2, 3, 4, MAX_REMINDER_MINUTES].map(reminder).to_vec();
    assert_eq!(checked(five.clone(), &FORM_FIELDS).unwrap().len(), 5);
    let mut six = five;
    six.push(reminder(6));
    let errors = checked(six, &FORM_FIELDS).unwrap_err();
    assert!(errors.get("lead-0").unwrap().contains("at most 5"));
    assert!(checked(vec![reminder(MAX_REMINDER_MINUTES + 1)], &FORM_FIELDS).is_err());
}

#[test]
fn recipients_read_and_say_who_gets_it() {
    for r in Recipients::ALL {
        assert_eq!(Recipients::parse(r.as_str()), Some(r));
    }
    assert_eq!(Recipients::parse("everyone"), None);
    assert!(Recipients::Both.invitee() && Recipients::Both.host());
    assert!(Recipients::Invitee.invitee() && !Recipients::Invitee.host());
    assert!(!Recipients::Host.invitee() && Recipients::Host.host());
}
