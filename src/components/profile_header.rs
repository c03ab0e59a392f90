use leptos::prelude::*;

use crate::flow::blanks;
use booking_wire::Profile;

/// The profile's title, description and location above the booking steps.
#[component]
pub fn ProfileHeader(
    /// The profile as the proxy sent it.
    profile: Profile,
    /// The description as it reads now: its `{{blanks}}` as the visitor's answers once
    /// typed (`blanks`, kept by the flow as they answer).
    description: RwSignal<String>,
) -> impl IntoView {
    // The profile's own text, in whichever direction it is written.
    view! {
        <div class="bw-header">
            <h2 class="bw-header__title" dir="auto">{blanks(&profile.title, &|_| String::new())}</h2>
            <p class="bw-header__description" dir="auto">{move || description.get()}</p>
            {profile.location.map(|place| view! { <p class="bw-header__location" dir="auto">{place}</p> }.into_any())}
        </div>
    }
}
