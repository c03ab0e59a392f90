use leptos::prelude::*;

use super::FieldInput;
use crate::wire::{Field, FieldKind, Profile};

/// The profile's title, description and the form fields it asks for.
#[component]
pub fn ProfileView(
    /// The profile as the proxy sent it.
    profile: Profile,
) -> impl IntoView {
    let Profile {
        title,
        description,
        fields,
        ..
    } = profile;
    let asked = booker_fields().into_iter().chain(fields);
    view! {
        <header class="bw-header">
            <h2 class="bw-header__title" tabindex="-1">{title}</h2>
            <p class="bw-header__description">{description}</p>
        </header>
        <form class="bw-form" part="form" novalidate on:submit=|ev| ev.prevent_default()>
            {asked.map(|field| view! { <FieldInput field /> }).collect_view()}
        </form>
    }
}

/// Name and email are always asked and are not among the profile's fields.
fn booker_fields() -> [Field; 2] {
    let field = |name: &str, label: &str, kind| Field {
        name: name.into(),
        label: label.into(),
        kind,
        required: true,
        default: None,
        options: vec![],
    };
    [
        field("name", "Name", FieldKind::Text),
        field("email", "Email", FieldKind::Email),
    ]
}
