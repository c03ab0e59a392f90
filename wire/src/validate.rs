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
mod tests;
