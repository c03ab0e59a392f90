use leptos::prelude::*;

use super::Answers;
use crate::wire::{Field, FieldKind, FieldValue};

/// One labelled control for a field, chosen by its kind, holding its answer.
#[component]
pub fn FieldInput(
    /// The field to ask.
    field: Field,
    /// Where its answer and its error message are kept (by the field's name).
    answers: Answers,
) -> impl IntoView {
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
    // Plain closures over the shared answers rather than a derived signal per field: less
    // wasm. The name is stored so that the closures stay `Copy`.
    let name = StoredValue::new(name);
    let value = move || name.with_value(|n| answers.value(n));
    let error = move || name.with_value(|n| answers.error(n));
    let on_change = move |value: FieldValue| name.with_value(|n| answers.answer(n, value));
    // Numbers are kept as typed text until they are sent.
    let text = move || name.with_value(|n| answers.text(n));
    let invalid = move || error().is_some().then_some("true");
    let described = {
        let error_id = error_id.clone();
        move || error().is_some().then(|| error_id.clone())
    };
    let set_text = move |ev| on_change(FieldValue::Text(event_target_value(&ev)));
    let list = move || match value() {
        Some(FieldValue::List(l)) => l,
        _ => vec![],
    };
    let is_group = matches!(kind, FieldKind::Multiselect)
        || (kind == FieldKind::Checkbox && !options.is_empty());
    let control = if is_group {
        let boxes = options
            .into_iter()
            .map(|o| {
                let toggled = o.clone();
                let checked = o.clone();
                let on = move |ev| {
                    let mut l = list();
                    l.retain(|x| x != &toggled);
                    if event_target_checked(&ev) {
                        l.push(toggled.clone());
                    }
                    on_change(FieldValue::List(l));
                };
                view! {
                    <label class="bw-choice">
                        <input type="checkbox" part="input" prop:checked=move || list().contains(&checked) on:change=on />
                        <span>{o}</span>
                    </label>
                }
            })
            .collect_view();
        return view! {
            <fieldset class="bw-field" part="field" data-kind=kind.as_str() id=id
                aria-invalid=invalid aria-describedby=described>
                <legend class="bw-field__label">{label}{required.then_some(" *")}</legend>
                {boxes}
                <p class="bw-field__error" id=error_id>{error}</p>
            </fieldset>
        }
        .into_any();
    } else {
        match kind {
            FieldKind::Textarea => view! {
                <textarea id=id.clone() class="bw-input" part="input" aria-required=required.to_string()
                    aria-invalid=invalid aria-describedby=described prop:value=text on:input=set_text></textarea>
            }
            .into_any(),
            FieldKind::Select => view! {
                <select id=id.clone() class="bw-input" part="input" aria-required=required.to_string()
                    aria-invalid=invalid aria-describedby=described on:change=set_text>
                    <option value="" selected=move || text().is_empty()>"—"</option>
                    {options.into_iter().map(|o| {
                        let current = o.clone();
                        view! { <option value=o.clone() selected=move || text() == current>{o.clone()}</option> }
                    }).collect_view()}
                </select>
            }
            .into_any(),
            FieldKind::Checkbox | FieldKind::Boolean => view! {
                <input id=id.clone() type="checkbox" class="bw-check" part="input" aria-required=required.to_string()
                    aria-invalid=invalid aria-describedby=described
                    prop:checked=move || matches!(value(), Some(FieldValue::Bool(true)))
                    on:change=move |ev| on_change(FieldValue::Bool(event_target_checked(&ev))) />
            }
            .into_any(),
            _ => view! {
                <input id=id.clone() class="bw-input" part="input" type=input_type(kind)
                    autocomplete=autocomplete(&id) aria-required=required.to_string()
                    aria-invalid=invalid aria-describedby=described prop:value=text on:input=set_text />
            }
            .into_any(),
        }
    };
    view! {
        <div class="bw-field" part="field" data-kind=kind.as_str()>
            <label class="bw-field__label" for=id>
                {label}
                {required.then(|| view! { <span class="bw-field__required" aria-hidden="true">" *"</span> })}
            </label>
            {control}
            <p class="bw-field__error" id=error_id>{error}</p>
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

fn autocomplete(id: &str) -> &'static str {
    match id {
        "bw-field-name" => "name",
        "bw-field-email" => "email",
        _ => "off",
    }
}
