//! Language, zone and clock (and where events go), provided once at the widget's root (as
//! thaw's `ConfigProvider`) and read by every component through `use_config`, instead of
//! props handed through each component.

use leptos::prelude::*;

use crate::events::Events;
use crate::i18n::{self, Strings};
use crate::options::Settings;

/// How the visitor reads the widget. Views read the language when they are drawn: setting
/// it draws the current step again (`Booker`), so no string needs a reactive closure.
#[derive(Clone, Copy)]
pub struct Config {
    /// A BCP 47 tag the browser accepts.
    pub locale: RwSignal<String>,
    /// The visitor's IANA zone.
    pub zone: RwSignal<String>,
    /// A 12-hour clock.
    pub hour12: RwSignal<bool>,
    /// Where the `booking:*` events go (one context for both: S16).
    pub events: Events,
    /// Called once the first step is drawn (its month, or why there is none), and maybe
    /// again later: a widget mounted over the loader's skeleton replaces it then.
    pub drawn: Callback<()>,
}

impl Config {
    pub fn new(settings: Settings, events: Events) -> Self {
        Self {
            locale: RwSignal::new(settings.locale),
            zone: RwSignal::new(settings.zone),
            hour12: RwSignal::new(settings.hour12),
            events,
            drawn: Callback::new(|()| {}),
        }
    }

    /// The language's tag, untracked.
    pub fn tag(&self) -> String {
        self.locale.get_untracked()
    }

    /// The language's strings, untracked.
    pub fn strings(&self) -> &'static Strings {
        self.locale.with_untracked(|l| i18n::strings(l))
    }

    /// The language's manage-mode strings, untracked.
    #[cfg(feature = "manage")]
    pub fn manage_strings(&self) -> &'static i18n::ManageStrings {
        self.locale.with_untracked(|l| i18n::manage_strings(l))
    }
}

/// The widget's `Config`, which the mount provides (as a test drawing a component does).
pub fn use_config() -> Config {
    expect_context::<Config>()
}
