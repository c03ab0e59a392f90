use leptos::prelude::*;

use booking_wire::{template, Profile};

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
fn blanks(text: &str) -> String {
    template::replace(text, |_| Some("…".into()))
}
