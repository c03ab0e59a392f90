use leptos::prelude::*;

use crate::wire::{Field, FieldKind};

/// One labelled form control for a profile field, chosen by its kind.
#[component]
pub fn FieldInput(
    /// The field to ask.
    field: Field,
) -> impl IntoView {
    let id = format!("bw-field-{}", field.name);
    let Field {
        name,
        label,
        kind,
        required,
        options,
        ..
    } = field;
    let control = match kind {
        FieldKind::Textarea => {
            view! { <textarea id=id.clone() name=name class="bw-input" part="input" required=required></textarea> }
                .into_any()
        }
        FieldKind::Select | FieldKind::Multiselect => view! {
            <select id=id.clone() name=name class="bw-input" part="input"
                multiple=kind == FieldKind::Multiselect required=required>
                {options.into_iter().map(|o| view! { <option value=o.clone()>{o.clone()}</option> }).collect_view()}
            </select>
        }
        .into_any(),
        _ => view! {
            <input id=id.clone() name=name class="bw-input" part="input"
                type=input_type(kind) required=required />
        }
        .into_any(),
    };
    view! {
        <div class="bw-field" part="field" data-kind=kind.as_str()>
            <label class="bw-field__label" for=id>
                {label}
                {required.then(|| view! { <span class="bw-field__required" aria-hidden="true">" *"</span> })}
            </label>
            {control}
        </div>
    }
}

/// The HTML input type that gives each kind the right keyboard and checks.
pub fn input_type(kind: FieldKind) -> &'static str {
    match kind {
        FieldKind::Email => "email",
        FieldKind::Phone => "tel",
        FieldKind::Number => "number",
        FieldKind::Url => "url",
        FieldKind::Checkbox | FieldKind::Boolean => "checkbox",
        _ => "text",
    }
}
