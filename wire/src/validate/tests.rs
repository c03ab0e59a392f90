use super::*;

#[test]
fn numbers_are_finite_decimals() {
    assert_eq!(parse_number(" -2.5e1 "), Some(-25.0));
    assert_eq!(parse_number("+.5"), Some(0.5));
    for bad in ["", "NaN", "inf", "1e999", "0x10", "1,5", "12abc"] {
        assert_eq!(parse_number(bad), None, "{bad:?}");
    }
}

fn field(kind: FieldKind, required: bool, options: &[&str]) -> Field {
    Field {
        name: "f".into(),
        label: "F".into(),
        kind,
        required,
        default: None,
        options: options.iter().map(|o| o.to_string()).collect(),
    }
}

fn text(s: &str) -> FieldValue {
    FieldValue::Text(s.into())
}

#[test]
fn control_characters_are_refused_but_line_breaks_in_multi_line_text() {
    let single = FieldError::ControlCharacters { multiline: false };
    let multi = FieldError::ControlCharacters { multiline: true };
    for bad in [
        "Eve\nMallory",
        "Eve\tX",
        "Eve\u{1b}[31m",
        "a\u{7f}",
        "a\u{85}b",
        "a\rb",
    ] {
        assert_eq!(check_text(bad, true, 100), Err(single.clone()), "{bad:?}");
        let f = field(FieldKind::Text, false, &[]);
        assert_eq!(check_field(&f, Some(&text(bad))), Err(single.clone()));
    }
    let area = field(FieldKind::Textarea, false, &[]);
    for ok in ["line one\nline two", "windows\r\nlines", "Ünïcode — ✓"] {
        assert_eq!(check_field(&area, Some(&text(ok))), Ok(()), "{ok:?}");
    }
    for bad in ["tab\there", "bell\u{7}", "esc\u{1b}[2J"] {
        assert_eq!(
            check_field(&area, Some(&text(bad))),
            Err(multi.clone()),
            "{bad:?}"
        );
    }
    let request = |name: &str, notes: &str| BookingRequest {
        start: chrono::DateTime::UNIX_EPOCH,
        duration: 30,
        time_zone: "UTC".into(),
        name: name.into(),
        email: "ada@example.com".into(),
        fields: Default::default(),
        guests: vec![],
        notes: notes.into(),
        locale: None,
        hold: None,
    };
    let errors = validate_booking(&[], &request("Ada\nforged\trow", "two\nlines"));
    assert_eq!(errors.get("name"), Some(&single));
    assert_eq!(errors.get("notes"), None);
}

#[test]
fn emails_by_shape() {
    for ok in [
        "a@b.co",
        "first.last+tag@sub.example.org",
        " ada@example.com ",
    ] {
        assert_eq!(check_email(ok, true), Ok(()), "{ok}");
    }
    for bad in [
        "a", "a@b", "@b.co", "a@b.", "a@.co", "a b@c.co", "a@b@c.co", "a@b..co",
    ] {
        assert_eq!(
            check_email(bad, true),
            Err(FieldError::InvalidEmail),
            "{bad}"
        );
    }
    assert_eq!(check_email("", true), Err(FieldError::Required));
    assert_eq!(check_email("", false), Ok(()));
    let long = format!("{}@example.com", "a".repeat(250));
    assert_eq!(
        check_email(&long, true),
        Err(FieldError::TooLong { max: MAX_EMAIL })
    );
}

#[test]
fn lengths_count_characters_not_bytes() {
    let f = field(FieldKind::Text, false, &[]);
    assert_eq!(check_field(&f, Some(&text(&"é".repeat(MAX_TEXT)))), Ok(()));
    assert_eq!(
        check_field(&f, Some(&text(&"é".repeat(MAX_TEXT + 1)))),
        Err(FieldError::TooLong { max: MAX_TEXT })
    );
    let area = field(FieldKind::Textarea, false, &[]);
    assert_eq!(
        check_field(&area, Some(&text(&"x".repeat(MAX_TEXTAREA)))),
        Ok(())
    );
}

#[test]
fn each_kind_takes_its_own_value() {
    let cases: Vec<(Field, FieldValue, Result<(), FieldError>)> = vec![
        (
            field(FieldKind::Phone, false, &[]),
            text("+1 (555) 010-2030"),
            Ok(()),
        ),
        (
            field(FieldKind::Phone, false, &[]),
            text("call me"),
            Err(FieldError::InvalidPhone),
        ),
        (
            field(FieldKind::Url, false, &[]),
            text("https://example.com/x"),
            Ok(()),
        ),
        (
            field(FieldKind::Url, false, &[]),
            text("javascript:alert(1)"),
            Err(FieldError::InvalidUrl),
        ),
        (
            field(FieldKind::Number, false, &[]),
            FieldValue::Number(3.5),
            Ok(()),
        ),
        (field(FieldKind::Number, false, &[]), text("12"), Ok(())),
        (
            field(FieldKind::Number, false, &[]),
            text("twelve"),
            Err(FieldError::InvalidNumber),
        ),
        (
            field(FieldKind::Number, false, &[]),
            text("NaN"),
            Err(FieldError::InvalidNumber),
        ),
        (
            field(FieldKind::Number, false, &[]),
            text("1e999"),
            Err(FieldError::InvalidNumber),
        ),
        (
            field(FieldKind::Select, true, &["a", "b"]),
            text("b"),
            Ok(()),
        ),
        (
            field(FieldKind::Select, true, &["a", "b"]),
            text("c"),
            Err(FieldError::NotAnOption),
        ),
        (
            field(FieldKind::Multiselect, false, &["a", "b"]),
            FieldValue::List(vec!["a".into(), "b".into()]),
            Ok(()),
        ),
        (
            field(FieldKind::Multiselect, false, &["a"]),
            FieldValue::List(vec!["z".into()]),
            Err(FieldError::NotAnOption),
        ),
        (
            field(FieldKind::Checkbox, true, &[]),
            FieldValue::Bool(true),
            Ok(()),
        ),
        (
            field(FieldKind::Checkbox, true, &[]),
            FieldValue::Bool(false),
            Err(FieldError::Required),
        ),
        (
            field(FieldKind::Checkbox, false, &["x", "y"]),
            FieldValue::List(vec!["y".into()]),
            Ok(()),
        ),
        (
            field(FieldKind::Boolean, true, &[]),
            FieldValue::Bool(false),
            Ok(()),
        ),
        (
            field(FieldKind::Boolean, false, &[]),
            text("yes"),
            Err(FieldError::WrongType),
        ),
        (
            field(FieldKind::Text, false, &[]),
            FieldValue::Number(1.0),
            Err(FieldError::WrongType),
        ),
    ];
    for (f, value, expected) in cases {
        assert_eq!(
            check_field(&f, Some(&value)),
            expected,
            "{:?} {value:?}",
            f.kind
        );
    }
}

#[test]
fn required_means_present_and_not_blank() {
    let f = field(FieldKind::Text, true, &[]);
    assert_eq!(check_field(&f, None), Err(FieldError::Required));
    assert_eq!(
        check_field(&f, Some(&text("   "))),
        Err(FieldError::Required)
    );
    let list = field(FieldKind::Multiselect, true, &["a"]);
    assert_eq!(
        check_field(&list, Some(&FieldValue::List(vec![]))),
        Err(FieldError::Required)
    );
    assert_eq!(
        check_field(&field(FieldKind::Text, false, &[]), None),
        Ok(())
    );
}

#[test]
fn a_booking_is_checked_whole() {
    let fields = vec![Field {
        name: "topic".into(),
        ..field(FieldKind::Text, true, &[])
    }];
    let request = BookingRequest {
        start: chrono::DateTime::UNIX_EPOCH,
        duration: 30,
        time_zone: "UTC".into(),
        name: "Ada".into(),
        email: "ada@example.com".into(),
        fields: [("topic".to_owned(), text("Pricing"))]
            .into_iter()
            .collect(),
        guests: vec!["bob@example.com".into()],
        notes: String::new(),
        locale: None,
        hold: None,
    };
    assert!(validate_booking(&fields, &request).is_empty());
    let bad = BookingRequest {
        name: " ".into(),
        guests: vec!["not-an-email".into()],
        fields: [("other".to_owned(), text("x"))].into_iter().collect(),
        ..request.clone()
    };
    let errors = validate_booking(&fields, &bad);
    assert_eq!(errors.get("name"), Some(&FieldError::Required));
    assert_eq!(errors.get("guests"), Some(&FieldError::InvalidEmail));
    assert_eq!(errors.get("topic"), Some(&FieldError::Required));
    assert_eq!(errors.get("other"), Some(&FieldError::UnknownField));
    let crowd = BookingRequest {
        guests: vec!["g@example.com".into(); 11],
        ..request
    };
    assert_eq!(
        validate_booking(&fields, &crowd).get("guests"),
        Some(&FieldError::TooManyGuests { max: 10 })
    );
}
