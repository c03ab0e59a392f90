use leptos::prelude::*;

use booking_wire::{template, Profile};

/// The profile's title and description above the booking steps.
#[component]
pub fn ProfileHeader(
    /// The profile as the proxy sent it.
    profile: Profile,
) -> impl IntoView {
    // The profile's own text, in whichever direction it is written.
    view! {
        <div class="bw-header">
            <h2 class="bw-header__title" dir="auto">{blanks(&profile.title)}</h2>
            <p class="bw-header__description" dir="auto">{blanks(&profile.description)}</p>
        </div>
    }
}

/// A `{{topic}}` placeholder is filled from the booking later; the visitor sees what it
/// stands for, "[topic]" (a field's label would cost the payload a look-up per blank).
fn blanks(text: &str) -> String {
    template::replace(text, |name| Some(format!("[{name}]")))
}
