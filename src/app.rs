//! The widget's root: loads the profile and shows it, its loading state, or what went wrong.

use leptos::prelude::*;

use crate::api::{ApiClient, ApiFailure};
use crate::components::{ErrorPanel, ProfileView, Skeleton};

/// The whole widget for one booking profile.
#[component]
pub fn App(
    /// The booking profile's id, as in `/api/v1/profiles/{profile}`.
    profile: String,
    /// The proxy's origin.
    api: String,
) -> impl IntoView {
    let client = ApiClient::new(api);
    let loaded = LocalResource::new(move || {
        let (client, profile) = (client.clone(), profile.clone());
        async move { client.profile(&profile).await }
    });
    let retry = Callback::new(move |()| loaded.refetch());

    view! {
        <div class="bw-root" part="root">
            <Transition fallback=Skeleton>
                {move || Suspend::new(async move {
                    match loaded.await {
                        Ok(profile) => view! { <ProfileView profile /> }.into_any(),
                        Err(failure) => {
                            view! { <ErrorPanel message=describe(&failure) on_retry=retry /> }
                                .into_any()
                        }
                    }
                })}
            </Transition>
        </div>
    }
}

/// A sentence for the visitor; the proxy's own message where it sent one.
fn describe(failure: &ApiFailure) -> String {
    match failure {
        ApiFailure::Api { error, .. } => error.message.clone(),
        other => other.to_string(),
    }
}
