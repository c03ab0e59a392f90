//! The booker's answers: kept while they go back to choose another time, typed from the
//! host page's prefill, and turned into the booking request.

use leptos::prelude::*;

use booking_wire::{template, validate, BookingRequest, Field, FieldKind, FieldValue, Map, Slot};

/// Answers and their messages, by field name (`name` and `email` included).
#[derive(Clone, Copy)]
pub struct Answers {
    pub values: RwSignal<Map<String, FieldValue>>,
    pub errors: RwSignal<Map<String, String>>,
}

impl Answers {
    pub fn new() -> Self {
        Self {
            values: RwSignal::new(Map::new()),
            errors: RwSignal::new(Map::new()),
        }
    }

    /// The answer to the field `name`, if any.
    pub fn value(&self, name: &str) -> Option<FieldValue> {
        self.values.with(|v| v.get(name).cloned())
    }

    /// The answer to `name` as text; empty when there is none or it is not text.
    pub fn text(&self, name: &str) -> String {
        match self.value(name) {
            Some(FieldValue::Text(s)) => s,
            _ => String::new(),
        }
    }

    /// The message shown under the field `name`, if it is in error.
    pub fn error(&self, name: &str) -> Option<String> {
        self.errors.with(|e| e.get(name).cloned())
    }

    /// Keeps a new answer; the field's error goes with the old one.
    pub fn answer(&self, name: &str, value: FieldValue) {
        self.values.update(|v| {
            v.insert(name.to_owned(), value);
        });
        self.errors.update(|e| {
            e.remove(name);
        });
    }

    /// The request for `slot` from the answers to `fields`.
    pub fn request(
        &self,
        fields: &[Field],
        slot: &Slot,
        duration: u32,
        zone: &str,
    ) -> BookingRequest {
        self.values
            .with_untracked(|values| build_request(fields, values, slot, duration, zone))
    }
}

impl Default for Answers {
    fn default() -> Self {
        Self::new()
    }
}

/// The request from the answers; number fields are sent as numbers when they parse.
pub fn build_request(
    fields: &[Field],
    values: &Map<String, FieldValue>,
    slot: &Slot,
    duration: u32,
    zone: &str,
) -> BookingRequest {
    let mut sent = Map::new();
    for field in fields {
        let Some(value) = values.get(&field.name) else {
            continue;
        };
        let value = match (field.kind, value) {
            (FieldKind::Number, FieldValue::Text(t)) => validate::parse_number(t)
                .map(FieldValue::Number)
                .unwrap_or_else(|| value.clone()),
            _ => value.clone(),
        };
        sent.insert(field.name.clone(), value);
    }
    let text = |name: &str| match values.get(name) {
        Some(FieldValue::Text(t)) => t.trim().to_owned(),
        _ => String::new(),
    };
    BookingRequest {
        start: slot.start,
        duration,
        time_zone: zone.to_owned(),
        name: text("name"),
        email: text("email"),
        fields: sent,
        guests: vec![],
        notes: String::new(),
        locale: None,
        hold: None,
    }
}

/// The prefill values this profile asks for, typed by kind (a URL query gives text).
pub fn prefill_answers(
    fields: &[Field],
    prefill: &Map<String, FieldValue>,
) -> Map<String, FieldValue> {
    let mut out = Map::new();
    for (name, value) in prefill {
        let kind = match fields.iter().find(|f| &f.name == name) {
            Some(f) if f.kind == FieldKind::Checkbox && !f.options.is_empty() => {
                FieldKind::Multiselect
            }
            Some(f) => f.kind,
            None if name == "name" || name == "email" => FieldKind::Text,
            None => continue,
        };
        let value = match (kind, value) {
            (FieldKind::Boolean | FieldKind::Checkbox, FieldValue::Text(t)) => {
                FieldValue::Bool(t == "true")
            }
            (FieldKind::Multiselect, FieldValue::Text(t)) => FieldValue::List(
                t.split(',')
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect(),
            ),
            _ => value.clone(),
        };
        out.insert(name.clone(), value);
    }
    out
}

/// `text` with each `{{topic}}` blank as the visitor's answer, or, while there is none, as
/// what it stands for, "[topic]" (a field's label would cost the payload a look-up per
/// blank).
pub fn blanks(text: &str, answer: &dyn Fn(&str) -> String) -> String {
    template::replace(text, |name| {
        let given = answer(name);
        Some(match given.is_empty() {
            true => format!("[{name}]"),
            false => given,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};

    #[test]
    fn a_blank_reads_as_its_answer_once_given_and_as_its_name_until_then() {
        let answer = |name: &str| match name {
            "topic" => "Pricing".to_string(),
            _ => String::new(),
        };
        let text = "A call about {{topic}} for {{ company }}.";
        assert_eq!(blanks(text, &answer), "A call about Pricing for [company].");
        assert_eq!(
            blanks(text, &|_| String::new()),
            "A call about [topic] for [company]."
        );
    }

    fn field(name: &str, kind: FieldKind, options: &[&str]) -> Field {
        Field {
            name: name.into(),
            label: name.into(),
            kind,
            required: false,
            default: None,
            options: options.iter().map(|o| o.to_string()).collect(),
        }
    }

    fn text(t: &str) -> FieldValue {
        FieldValue::Text(t.into())
    }

    fn map(pairs: &[(&str, FieldValue)]) -> Map<String, FieldValue> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn prefill_is_typed_by_the_fields_kind_and_unknown_names_are_left_out() {
        let fields = [
            field("newsletter", FieldKind::Boolean, &[]),
            field("consent", FieldKind::Checkbox, &[]),
            field("channels", FieldKind::Checkbox, &["Email", "Phone"]),
            field("topics", FieldKind::Multiselect, &["A", "B"]),
            field("seats", FieldKind::Number, &[]),
        ];
        let prefill = map(&[
            ("name", text("Ada")),
            ("email", text("ada@example.com")),
            ("newsletter", text("true")),
            ("consent", text("yes")),
            ("channels", text("Email, Phone,")),
            ("topics", FieldValue::List(vec!["B".into()])),
            ("seats", FieldValue::Number(3.0)),
            ("unknown", text("x")),
        ]);
        let typed = prefill_answers(&fields, &prefill);
        assert_eq!(typed.get("name"), Some(&text("Ada")));
        assert_eq!(typed.get("email"), Some(&text("ada@example.com")));
        assert_eq!(typed.get("newsletter"), Some(&FieldValue::Bool(true)));
        assert_eq!(typed.get("consent"), Some(&FieldValue::Bool(false)));
        assert_eq!(
            typed.get("channels"),
            Some(&FieldValue::List(vec!["Email".into(), "Phone".into()]))
        );
        assert_eq!(
            typed.get("topics"),
            Some(&FieldValue::List(vec!["B".into()]))
        );
        assert_eq!(typed.get("seats"), Some(&FieldValue::Number(3.0)));
        assert_eq!(typed.get("unknown"), None);
    }

    #[test]
    fn the_request_sends_numbers_as_numbers_and_trims_the_booker() {
        let fields = [
            field("seats", FieldKind::Number, &[]),
            field("note", FieldKind::Text, &[]),
            field("skipped", FieldKind::Text, &[]),
        ];
        let values = map(&[
            ("name", text(" Ada ")),
            ("email", text("ada@example.com ")),
            ("seats", text(" 12 ")),
            ("note", text("12")),
        ]);
        let start: DateTime<Utc> = "2026-11-23T14:00:00Z".parse().unwrap();
        let slot = Slot {
            start,
            end: start + chrono::TimeDelta::minutes(30),
        };
        let request = build_request(&fields, &values, &slot, 30, "Europe/Paris");
        assert_eq!(
            (request.name.as_str(), request.email.as_str()),
            ("Ada", "ada@example.com")
        );
        assert_eq!(request.fields.get("seats"), Some(&FieldValue::Number(12.0)));
        assert_eq!(request.fields.get("note"), Some(&text("12")));
        assert!(!request.fields.contains_key("skipped"));
        assert_eq!((request.start, request.duration), (start, 30));
        assert_eq!(request.time_zone, "Europe/Paris");
    }
}
