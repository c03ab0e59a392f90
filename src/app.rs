//! The widget's root: loads the profile, then runs the booking flow in the visitor's
//! language, zone and clock.

use leptos::prelude::*;

use crate::api::{ApiClient, ApiFailure};
use crate::components::{Booker, ErrorPanel, ProfileHeader, Settings, Skeleton};
use crate::events::{Emit, WidgetEvent};
use crate::{i18n, time};

/// Display options; `None` means the browser's own.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Display {
    /// BCP 47 language tag.
    pub locale: Option<String>,
    /// IANA zone.
    pub time_zone: Option<String>,
    /// `h12` or `h23`.
    pub hour_cycle: Option<String>,
    /// Answers to fill in: `name`, `email` and field names.
    pub prefill: booking_wire::Map<String, booking_wire::FieldValue>,
}

impl Display {
    /// Fills what is missing from the browser.
    pub fn settings(&self) -> Settings {
        let locale = self
            .locale
            .as_deref()
            .and_then(time::canonical_locale)
            .unwrap_or_else(time::browser_locale);
        let zone = self
            .time_zone
            .clone()
            .filter(|z| time::is_zone(z))
            .unwrap_or_else(time::browser_zone);
        let hour12 = match self.hour_cycle.as_deref() {
            Some("h12") | Some("h11") => true,
            Some("h23") | Some("h24") => false,
            _ => time::locale_uses_12h(&locale),
        };
        Settings {
            locale,
            zone,
            hour12,
            prefill: self.prefill.clone(),
        }
    }
}

/// The whole widget for one booking profile.
#[component]
pub fn App(
    /// The booking profile's id, as in `/api/v1/profiles/{profile}`.
    profile: String,
    /// The proxy's origin.
    api: String,
    /// Language, zone and clock overrides.
    #[prop(optional)]
    display: Display,
    /// The element the widget is drawn in; focus moves are looked up inside it.
    root: web_sys::Element,
) -> impl IntoView {
    let settings = display.settings();
    let strings = i18n::strings(&settings.locale);
    let dir = if i18n::is_rtl(&settings.locale) {
        "rtl"
    } else {
        "ltr"
    };
    let lang = settings.locale.clone();
    let client = ApiClient::new(api);
    // A plain signal and task, not a resource: the same behaviour for much less wasm.
    let loaded = RwSignal::new(None::<Result<booking_wire::Profile, ApiFailure>>);
    let load = {
        let client = client.clone();
        move || {
            let (client, profile) = (client.clone(), profile.clone());
            leptos::task::spawn_local(
                async move { loaded.set(Some(client.profile(&profile).await)) },
            );
        }
    };
    load();
    let retry = Callback::new(move |()| {
        loaded.set(None);
        load();
    });
    let emit = use_context::<Emit>();

    view! {
        <div class="bw-root" part="root" dir=dir lang=lang>
            {move || match loaded.get() {
                None => view! { <Skeleton /> }.into_any(),
                Some(Ok(profile)) => {
                    if let Some(Emit(c)) = emit {
                        c.run(WidgetEvent::Ready(profile.clone()));
                    }
                    let (client, settings) = (client.clone(), settings.clone());
                    view! {
                        <ProfileHeader profile=profile.clone() />
                        <Booker profile client settings root=root.clone() />
                    }
                    .into_any()
                }
                Some(Err(failure)) => view! {
                    <ErrorPanel message=failure.message(strings.unreachable) on_retry=retry retry_label=strings.retry />
                }
                .into_any(),
            }}
        </div>
    }
}
