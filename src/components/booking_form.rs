use leptos::prelude::*;

use super::FieldInput;
use crate::i18n::Strings;
use booking_wire::{Field, FieldKind, FieldValue, Map};

/// The booker's answers, kept while they go back to choose another time.
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
}

impl Default for Answers {
    fn default() -> Self {
        Self::new()
    }
}

/// Name, email and the profile's fields, with inline messages.
#[component]
pub fn BookingForm(
    /// The profile's fields, after name and email.
    fields: Vec<Field>,
    answers: Answers,
    /// What is being booked, e.g. "Monday 23 November, 14:30".
    summary: String,
    /// True while the booking is being sent.
    busy: RwSignal<bool>,
    /// A message for the whole form (network failure, …).
    notice: RwSignal<Option<String>>,
    on_submit: Callback<()>,
    on_back: Callback<()>,
    strings: &'static Strings,
) -> impl IntoView {
    let booker = [
        ("name", strings.name, FieldKind::Text),
        ("email", strings.email, FieldKind::Email),
    ]
    .map(|(name, label, kind)| Field {
        name: name.into(),
        label: label.into(),
        kind,
        required: true,
        default: None,
        options: vec![],
    });
    let controls = booker
        .into_iter()
        .chain(fields)
        .map(|field| view! { <FieldInput field answers /> })
        .collect_view();
    view! {
        <form class="bw-form" part="form" novalidate on:submit=move |ev| {
            ev.prevent_default();
            on_submit.run(());
        }>
            <h3 class="bw-form__title" id="bw-form-title" tabindex="-1">{strings.your_details}</h3>
            <p class="bw-form__summary">{summary}</p>
            {controls}
            {move || notice.get().map(|n| view! { <p class="bw-notice" part="error" role="alert">{n}</p> }.into_any())}
            <div class="bw-form__actions">
                <button type="button" class="bw-button" part="button" on:click=move |_| on_back.run(())>
                    {strings.back}
                </button>
                <button type="submit" class="bw-button bw-button--primary" part="button primary-button"
                    aria-disabled=move || Some(busy.get().to_string())>
                    // `Option<String>` and `String`, the kinds the other reactive attributes and
                    // texts are: each other kind adds its own drawing code to the wasm.
                    {move || String::from(if busy.get() { strings.booking } else { strings.book })}
                </button>
            </div>
        </form>
    }
}
