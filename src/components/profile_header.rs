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
            <h2 class="bw-header__title">{profile.title}</h2>
            <p class="bw-header__description">{profile.description}</p>
        </header>
    }
}
