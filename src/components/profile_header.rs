use leptos::prelude::*;

use crate::wire::Profile;

/// The profile's title and description above the booking steps.
#[component]
pub fn ProfileHeader(
    /// The profile as the proxy sent it.
    profile: Profile,
) -> impl IntoView {
    view! {
        <header class="bw-header">
            <h2 class="bw-header__title">{blanks(&profile.title)}</h2>
            <p class="bw-header__description">{blanks(&profile.description)}</p>
        </header>
    }
}

/// `{{topic}}` placeholders are filled from the booking later; the visitor sees "…".
fn blanks(template: &str) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        let Some(close) = rest[open..].find("}}") else {
            break;
        };
        out.push_str(&rest[..open]);
        out.push('…');
        rest = &rest[open + close + 2..];
    }
    out.push_str(rest);
    out
}
