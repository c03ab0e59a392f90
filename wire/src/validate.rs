//! Booking-form rules, shared by the widget (inline messages) and the proxy (the 422), so the
//! two can never disagree. Slot-grid and availability checks need the schedule and stay in
//! the proxy.

use std::fmt;

use super::{BookingRequest, Field, FieldKind, FieldValue};

pub const MAX_NAME: usize = 200;
pub const MAX_EMAIL: usize = 254;
pub const MAX_TEXT: usize = 500;
pub const MAX_TEXTAREA: usize = 5000;
pub const MAX_GUESTS: usize = 10;

/// What is wrong with one field. `Display` is the proxy's English message; the widget
/// shows its own translation of the variant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldError {
    Required,
    InvalidEmail,
    InvalidPhone,
    InvalidUrl,
    InvalidNumber,
    NotAnOption,
    WrongType,
    TooLong {
        max: usize,
    },
    TooManyGuests {
        max: usize,
    },
    UnknownField,
    /// Tabs, escapes and other control characters; line breaks too, except in multi-line
    /// text. They could forge rows or colours wherever the text is printed.
    ControlCharacters {
        multiline: bool,
    },
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Required => f.write_str("This field is required."),
            Self::InvalidEmail => f.write_str("Enter a valid email address."),
            Self::InvalidPhone => f.write_str("Enter a valid phone number."),
            Self::InvalidUrl => f.write_str("Enter a valid http or https address."),
            Self::InvalidNumber => f.write_str("Enter a number."),
            Self::NotAnOption => f.write_str("Choose one of the listed options."),
            Self::WrongType => f.write_str("This value has the wrong type."),
            Self::TooLong { max } => write!(f, "Use at most {max} characters."),
            Self::TooManyGuests { max } => write!(f, "Add at most {max} guests."),
            Self::UnknownField => f.write_str("This profile has no such field."),
            Self::ControlCharacters { multiline: false } => {
                f.write_str("Remove line breaks, tabs and other control characters.")
            }
            Self::ControlCharacters { multiline: true } => {
                f.write_str("Remove tabs and other control characters.")
            }
        }
    }
}

/// Field name → error. Empty means valid. Keys are `name`, `email`, `notes`, `guests`,
/// or a profile field's name.
pub type Errors = super::Map<String, FieldError>;

/// Checks a booking's form data against the profile's fields.
pub fn validate_booking(fields: &[Field], req: &BookingRequest) -> Errors {
    let mut errors = Errors::new();
    let mut put = |key: &str, res: Result<(), FieldError>| {
        if let Err(e) = res {
            errors.insert(key.to_owned(), e);
        }
    };
    put("name", check_text(&req.name, true, MAX_NAME));
    put("email", check_email(&req.email, true));
    put("notes", check_lines(&req.notes, false, MAX_TEXTAREA));
    put("guests", check_guests(&req.guests));
    for field in fields {
        put(&field.name, check_field(field, req.fields.get(&field.name)));
    }
    for name in req.fields.keys() {
        if !fields.iter().any(|f| &f.name == name) {
            errors.insert(name.clone(), FieldError::UnknownField);
        }
    }
    errors
}

/// Checks one answer (or its absence) against its field's kind, options and length.
pub fn check_field(field: &Field, value: Option<&FieldValue>) -> Result<(), FieldError> {
    let Some(value) = value.filter(|v| !is_empty(v)) else {
        return if field.required {
            Err(FieldError::Required)
        } else {
            Ok(())
        };
    };
    match (field.kind, value) {
        (FieldKind::Text, FieldValue::Text(s)) => check_text(s, false, MAX_TEXT),
        (FieldKind::Textarea, FieldValue::Text(s)) => check_lines(s, false, MAX_TEXTAREA),
        (FieldKind::Email, FieldValue::Text(s)) => check_email(s, false),
        (FieldKind::Phone, FieldValue::Text(s)) => check_phone(s),
        (FieldKind::Url, FieldValue::Text(s)) => check_url(s),
        (FieldKind::Number, FieldValue::Number(n)) if n.is_finite() => Ok(()),
        (FieldKind::Number, FieldValue::Text(s)) => {
            parse_number(s).map(|_| ()).ok_or(FieldError::InvalidNumber)
        }
        (FieldKind::Number, _) => Err(FieldError::InvalidNumber),
        (FieldKind::Select, FieldValue::Text(s)) => check_options(field, std::slice::from_ref(s)),
        (FieldKind::Multiselect, FieldValue::List(l)) => check_options(field, l),
        (FieldKind::Checkbox, FieldValue::List(l)) if !field.options.is_empty() => {
            check_options(field, l)
        }
        (FieldKind::Checkbox, FieldValue::Bool(b)) if field.options.is_empty() => {
            // A required single tick box (consent) must be ticked.
            if field.required && !b {
                Err(FieldError::Required)
            } else {
                Ok(())
            }
        }
        (FieldKind::Boolean, FieldValue::Bool(_)) => Ok(()),
        _ => Err(FieldError::WrongType),
    }
}

/// A finite decimal number as typed: optional sign, digits, one point, an optional
/// exponent; surrounding spaces are ignored.
pub fn parse_number(text: &str) -> Option<f64> {
    let text = text.trim();
    // In the browser JavaScript's parser does the work: Rust's brings a 10 KB table of
    // powers of ten (about 14 KB of gzip) into the widget. Letting through only the
    // characters of a decimal number gives both parsers the same grammar.
    #[cfg(all(target_arch = "wasm32", feature = "js"))]
    let number = (!text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b)))
    .then(|| js_sys::Number::from(wasm_bindgen::JsValue::from_str(text)).value_of());
    #[cfg(not(all(target_arch = "wasm32", feature = "js")))]
    let number = text.parse::<f64>().ok();
    number.filter(|n| n.is_finite())
}

fn is_empty(v: &FieldValue) -> bool {
    match v {
        FieldValue::Text(s) => s.trim().is_empty(),
        FieldValue::List(l) => l.is_empty(),
        FieldValue::Bool(_) | FieldValue::Number(_) => false,
    }
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// One line of text: no control characters at all.
pub fn check_text(s: &str, required: bool, max: usize) -> Result<(), FieldError> {
    check_length(s, required, max)?;
    match s.chars().any(char::is_control) {
        true => Err(FieldError::ControlCharacters { multiline: false }),
        false => Ok(()),
    }
}

/// Text of several lines: line breaks, but no other control characters.
pub fn check_lines(s: &str, required: bool, max: usize) -> Result<(), FieldError> {
    check_length(s, required, max)?;
    let stray = |c: char| c.is_control() && c != '\n' && c != '\r';
    match s.chars().any(stray) {
        true => Err(FieldError::ControlCharacters { multiline: true }),
        false => Ok(()),
    }
}

fn check_length(s: &str, required: bool, max: usize) -> Result<(), FieldError> {
    if required && s.trim().is_empty() {
        Err(FieldError::Required)
    } else if chars(s) > max {
        Err(FieldError::TooLong { max })
    } else {
        Ok(())
    }
}

/// The shape of an address, not its existence: `local@domain.tld`, no spaces.
pub fn check_email(s: &str, required: bool) -> Result<(), FieldError> {
    let s = s.trim();
    if s.is_empty() {
        return if required {
            Err(FieldError::Required)
        } else {
            Ok(())
        };
    }
    if chars(s) > MAX_EMAIL {
        return Err(FieldError::TooLong { max: MAX_EMAIL });
    }
    let ok = match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && !s.chars().any(|c| c.is_whitespace() || c.is_control())
                && domain.contains('.')
                && domain.split('.').all(|part| !part.is_empty())
        }
        None => false,
    };
    ok.then_some(()).ok_or(FieldError::InvalidEmail)
}

/// Digits with the usual separators and an optional leading `+`; 5 to 20 digits.
fn check_phone(s: &str) -> Result<(), FieldError> {
    let s = s.trim();
    let digits = s.chars().filter(char::is_ascii_digit).count();
    let body = s.strip_prefix('+').unwrap_or(s);
    let allowed = body
        .chars()
        .all(|c| c.is_ascii_digit() || " -.()".contains(c));
    (allowed && (5..=20).contains(&digits))
        .then_some(())
        .ok_or(FieldError::InvalidPhone)
}

fn check_url(s: &str) -> Result<(), FieldError> {
    let s = s.trim();
    check_text(s, false, MAX_TEXT)?;
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    match rest {
        Some(r) if !r.is_empty() && !r.starts_with('/') && !s.contains(char::is_whitespace) => {
            Ok(())
        }
        _ => Err(FieldError::InvalidUrl),
    }
}

fn check_options(field: &Field, chosen: &[String]) -> Result<(), FieldError> {
    if chosen.iter().all(|c| field.options.contains(c)) {
        Ok(())
    } else {
        Err(FieldError::NotAnOption)
    }
}

fn check_guests(guests: &[String]) -> Result<(), FieldError> {
    if guests.len() > MAX_GUESTS {
        return Err(FieldError::TooManyGuests { max: MAX_GUESTS });
    }
    guests.iter().try_for_each(|g| check_email(g, true))
}

#[cfg(test)]
mod tests {
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
}
