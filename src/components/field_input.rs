use leptos::prelude::*;

use crate::flow::Answers;
use booking_wire::js::number_text;
use booking_wire::{Field, FieldKind, FieldValue};

/// One labelled control for a field, chosen by its kind, holding its answer.
#[component]
pub fn FieldInput(
    /// The field to ask.
    field: Field,
    /// Where its answer and its error message are kept (by the field's name).
    answers: Answers,
) -> impl IntoView {
    let optional = crate::config::use_config().strings().optional;
    let id = format!("bw-field-{}", field.name);
    let error_id = format!("{id}-error");
    let Field {
        name,
        label,
        kind,
        required,
        options,
        ..
    } = field;
    let is_group = matches!(kind, FieldKind::Multiselect)
        || (kind == FieldKind::Checkbox && !options.is_empty());
    let is_tick = !is_group && matches!(kind, FieldKind::Checkbox | FieldKind::Boolean);
    // The controls start from the kept answer and are never redrawn while the form shows,
    // so they keep their own state: no reactive value per control.
    let kept = answers.values.with_untracked(|v| v.get(&name).cloned());
    let text = match &kept {
        Some(FieldValue::Text(t)) => t.clone(),
        // A number from the page's prefill JSON is shown as typed text would be.
        Some(FieldValue::Number(n)) => number_text(*n),
        _ => String::new(),
    };
    let ticked = move |option: &str| match &kept {
        Some(FieldValue::List(l)) => l.iter().any(|x| x == option),
        Some(FieldValue::Bool(b)) => *b,
        _ => false,
    };
    // The name is stored so that the closures stay `Copy`.
    let name = StoredValue::new(name);
    let error = move || name.with_value(|n| answers.error(n));
    // `Option<String>` as `described` is: one kind of reactive attribute less (S11).
    let invalid = move || error().is_some().then(|| String::from("true"));
    let described = {
        let error_id = error_id.clone();
        move || error().is_some().then(|| error_id.clone())
    };
    // One listener per field for every kind: `input` bubbles from whichever control changed.
    let on_input = move |ev: web_sys::Event| {
        let value = if is_group {
            let option = event_target_value(&ev);
            let mut list = match name.with_value(|n| answers.value(n)) {
                Some(FieldValue::List(l)) => l,
                _ => vec![],
            };
            list.retain(|x| x != &option);
            if event_target_checked(&ev) {
                list.push(option);
            }
            FieldValue::List(list)
        } else if is_tick {
            FieldValue::Bool(event_target_checked(&ev))
        } else {
            FieldValue::Text(event_target_value(&ev))
        };
        name.with_value(|n| answers.answer(n, value));
    };
    let control = if is_group {
        let boxes = options
            .into_iter()
            .map(|o| {
                view! {
                    <label class="bw-choice">
                        <input type="checkbox" part="input" value=o.clone() checked=ticked(&o) />
                        <span>{o}</span>
                    </label>
                }
                .into_any()
            })
            .collect_view();
        return view! {
            <fieldset class="bw-field" part="field" data-kind=kind.as_str() id=id
                aria-invalid=invalid aria-describedby=described on:input=on_input>
                <legend class="bw-field__label" dir="auto">{label}{if required { "" } else { optional }}</legend>
                {boxes}
                <p class="bw-field__error" id=error_id>{move || error().unwrap_or_default()}</p>
            </fieldset>
        }
        .into_any();
    } else {
        match kind {
            FieldKind::Textarea => view! {
                <textarea id=id.clone() class="bw-input" part="input" aria-required=required.to_string()
                    aria-invalid=invalid aria-describedby=described>{text}</textarea>
            }
            .into_any(),
            FieldKind::Select => view! {
                <select id=id.clone() class="bw-input" part="input" aria-required=required.to_string()
                    aria-invalid=invalid aria-describedby=described>
                    <option value="">"—"</option>
                    {options.into_iter().map(|o| {
                        let (chosen, shown) = (o == text, o.clone());
                        view! { <option value=o selected=chosen>{shown}</option> }.into_any()
                    }).collect_view()}
                </select>
            }
            .into_any(),
            _ if is_tick => view! {
                <input id=id.clone() type="checkbox" class="bw-check" part="input" aria-required=required.to_string()
                    aria-invalid=invalid aria-describedby=described checked=ticked("") />
            }
            .into_any(),
            _ => view! {
                <input id=id.clone() class="bw-input" part="input" type=input_type(kind)
                    inputmode=input_mode(kind) dir=direction(kind)
                    autocomplete=autocomplete(&id) aria-required=required.to_string()
                    aria-invalid=invalid aria-describedby=described value=text />
            }
            .into_any(),
        }
    };
    view! {
        <div class="bw-field" part="field" data-kind=kind.as_str() on:input=on_input>
            <label class="bw-field__label" for=id dir="auto">
                {label}
                {(!required).then(|| view! { <span class="bw-field__optional">{optional}</span> }.into_any())}
            </label>
            {control}
            <p class="bw-field__error" id=error_id>{move || error().unwrap_or_default()}</p>
        </div>
    }
    .into_any()
}

/// The HTML input type that gives each kind the right keyboard.
pub fn input_type(kind: FieldKind) -> &'static str {
    match kind {
        FieldKind::Email => "email",
        FieldKind::Phone => "tel",
        FieldKind::Number => "text",
        FieldKind::Url => "url",
        _ => "text",
    }
}

/// The on-screen keyboard for each kind (a number is typed as text, with a decimal pad).
fn input_mode(kind: FieldKind) -> &'static str {
    match kind {
        FieldKind::Number => "decimal",
        other => input_type(other),
    }
}

/// Addresses and numbers read left to right in a right-to-left page too; text follows
/// what is typed.
fn direction(kind: FieldKind) -> &'static str {
    match kind {
        FieldKind::Text => "auto",
        _ => "ltr",
    }
}

fn autocomplete(id: &str) -> &'static str {
    match id {
        "bw-field-name" => "name",
        "bw-field-email" => "email",
        _ => "off",
    }
}
