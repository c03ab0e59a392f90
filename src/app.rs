//! The widget's root: loads the profile, then runs the booking flow in the visitor's
//! language, zone and clock (the `Config` the mount provides).

use leptos::prelude::*;

use crate::api::{self, ApiClient, ApiFailure};
#[cfg(feature = "manage")]
use crate::components::Manage;
#[cfg(feature = "manage")]
use crate::components::Skeleton;
use crate::components::{Booker, ErrorPanel, ProfileHeader};
use crate::config::use_config;
use crate::events::WidgetEvent;
use crate::flow::blanks;
use crate::i18n;
use booking_wire::{FieldValue, Map};

/// The whole widget for one booking profile.
#[component]
pub fn App(
    /// The booking profile's id, as in `/api/v1/profiles/{profile}`.
    profile: String,
    /// The proxy's origin.
    api: String,
    /// The host page's answers, which may change while the widget shows.
    prefill: RwSignal<Map<String, FieldValue>>,
    /// The element the widget is drawn in; focus moves are looked up inside it.
    root: web_sys::Element,
    /// A booking's manage token: the widget shows that booking instead of booking anew (in
    /// the manage bundle; the booking bundle has no manage mode, so it books).
    manage: Option<String>,
) -> impl IntoView {
    let config = use_config();
    // The visitor's language, unless English, is fetched beside the profile (S19).
    let language = i18n::request(&api, &config.tag());
    let client = ApiClient::new(api);
    // A plain signal and task, not a resource: the same behaviour for less wasm (S3).
    let loaded = RwSignal::new(None::<Result<booking_wire::Profile, ApiFailure>>);
    let drawn = config.drawn;
    let load = {
        let client = client.clone();
        move |language: Option<_>| {
            let (client, profile) = (client.clone(), profile.clone());
            leptos::task::spawn_local(async move {
                let answer = client.profile(&profile).await;
                // Drawing the profile's step is a task of its own, apart from the mount's.
                api::next_task().await;
                if let Some(language) = language {
                    i18n::receive(language).await;
                }
                // A failure is the first step; so is a booking to manage, which draws its own
                // skeleton. A profile's flow says so once its month is drawn.
                let shown = answer.is_err() || cfg!(feature = "manage");
                // The widget may have been removed meanwhile.
                let _ = loaded.try_set(Some(answer));
                if shown {
                    // Gone with the widget, when it was removed meanwhile.
                    let _ = drawn.try_run(());
                }
            });
        }
    };
    load(language);
    let retry = Callback::new(move |()| {
        loaded.set(None);
        load(None);
    });
    let events = config.events;
    // `Option<String>`, the kind the other reactive attributes are (S11).
    let dir = move || {
        let rtl = config.locale.with(|l| i18n::is_rtl(l));
        Some(String::from(if rtl { "rtl" } else { "ltr" }))
    };
    let lang = move || Some(config.locale.get());

    view! {
        <div class="bw-root" part="root" dir=dir lang=lang>
            {move || match loaded.get() {
                // Nothing while the profile loads: an embed's loader draws the skeleton and
                // mounts the widget once the profile is here (so this lasts no frame), and
                // the booking page carries its profile. Manage mode shows a skeleton.
                None => {
                    #[cfg(feature = "manage")]
                    return view! { <Skeleton /> }.into_any();
                    #[cfg(not(feature = "manage"))]
                    ().into_any()
                }
                Some(Ok(profile)) => {
                    events.send(WidgetEvent::Ready(profile.clone()));
                    let (client, root, header) = (client.clone(), root.clone(), profile.clone());
                    // The description as it reads now; the flow fills its blanks as the
                    // visitor answers.
                    let description = RwSignal::new(blanks(&profile.description, &|_| String::new()));
                    #[cfg(feature = "manage")]
                    if let Some(token) = manage.clone() {
                        let body = view! { <Manage profile client root token prefill /> };
                        return view! { <ProfileHeader profile=header description /> {body} }.into_any();
                    }
                    #[cfg(not(feature = "manage"))]
                    let _ = &manage;
                    let body = view! { <Booker profile client root prefill description /> };
                    view! { <ProfileHeader profile=header description /> {body} }.into_any()
                }
                Some(Err(failure)) => {
                    let strings = config.strings();
                    view! {
                        <ErrorPanel message=failure.message(strings.unreachable) on_retry=failure.retryable().then_some(retry) retry_label=strings.retry />
                    }
                    .into_any()
                }
            }}
        </div>
    }
}
