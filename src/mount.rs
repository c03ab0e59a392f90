//! Puts a widget into a host element's open shadow root with the widget's CSS adopted
//! there: host CSS cannot reach in, ours cannot leak out, and no inline `<style>` is
//! needed (so a strict Content-Security-Policy on the host page holds).

use std::cell::OnceCell;

use leptos::mount::{mount_to, UnmountHandle};
use leptos::prelude::*;
use leptos::tachys::view::any_view::AnyViewState;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CssStyleSheet, Element, HtmlElement, ShadowRoot, ShadowRootInit, ShadowRootMode};

use crate::app::App;
use crate::config::Config;
use crate::events::Events;
use crate::i18n;
use crate::options::WidgetOptions;
use booking_wire::{FieldValue, Map};

/// The widget's whole stylesheet: tokens first, then one file per component (`style/`),
/// minified by `build.rs`.
pub const CSS: &str = include_str!(concat!(env!("OUT_DIR"), "/widget.css"));

/// A mounted widget; dropping it unmounts the view and disposes of everything the widget
/// holds (its reactive owner, and with it the signals, effects, listeners and the event
/// target).
pub struct Mounted {
    // Held to be dropped, the view first: it goes before the owner of what it reads.
    _view: UnmountHandle<AnyViewState>,
    _owner: Owner,
    config: Config,
    prefill: RwSignal<Map<String, FieldValue>>,
    /// The language last asked for, which may still be on its way.
    language: RwSignal<String>,
    /// The options applied, but for the prefill (the signal holds it).
    options: WidgetOptions,
}

impl Mounted {
    /// Leaves the widget mounted for the life of the page.
    pub fn forget(self) {
        std::mem::forget(self);
    }

    /// Applies new options in place: the same ones change nothing; a new language, zone or
    /// clock redraws the current step in it; new prefill values update the answers. The
    /// profile and the proxy are the mount's own: another needs another mount.
    pub fn update(&mut self, mut options: WidgetOptions) {
        let prefill = std::mem::take(&mut options.prefill);
        if options.settings_differ(&self.options) {
            // Only what the host changed: a zone or clock the visitor chose stays otherwise.
            let was = &self.options;
            let new = options.settings();
            if options.time_zone != was.time_zone {
                self.config.zone.set(new.zone);
            }
            if (&options.hour_cycle, &options.locale) != (&was.hour_cycle, &was.locale) {
                self.config.hour12.set(new.hour12);
            }
            // Last, and always: the current step is drawn again with the new settings, once
            // the language's strings are here (S19); a later change overtakes this one.
            self.language.set(new.locale.clone());
            let (config, wanted) = (self.config, self.language);
            match i18n::request(&options.api, &new.locale) {
                None => config.locale.set(new.locale),
                Some(request) => leptos::task::spawn_local(async move {
                    i18n::receive(request).await;
                    if wanted.try_with_untracked(|w| *w == new.locale) == Some(true) {
                        config.locale.set(new.locale);
                    }
                }),
            }
        }
        if self.prefill.with_untracked(|p| *p != prefill) {
            self.prefill.set(prefill);
        }
        self.options = options;
    }
}

thread_local! {
    // One parsed stylesheet per page, shared by every widget's shadow root.
    static SHEET: OnceCell<CssStyleSheet> = const { OnceCell::new() };
}

/// The page's one copy of `CSS`, parsed on first use.
pub fn stylesheet() -> Result<CssStyleSheet, JsValue> {
    SHEET.with(|cell| {
        if let Some(sheet) = cell.get() {
            return Ok(sheet.clone());
        }
        let sheet = CssStyleSheet::new()?;
        sheet.replace_sync(CSS)?;
        Ok(cell.get_or_init(|| sheet).clone())
    })
}

/// The host's open shadow root, created on first use.
fn shadow_root(host: &Element) -> Result<ShadowRoot, JsValue> {
    match host.shadow_root() {
        Some(root) => Ok(root),
        None => host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open)),
    }
}

/// Mounts a widget for `options` into `host`'s shadow root, replacing what was there.
pub fn mount(host: &Element, options: WidgetOptions) -> Result<Mounted, JsValue> {
    mount_with(host, options, false)
}

/// As `mount`, with the `booking:*` events dispatched on `host` when `events` is true.
pub fn mount_with(
    host: &Element,
    mut options: WidgetOptions,
    events: bool,
) -> Result<Mounted, JsValue> {
    let root = shadow_root(host)?;
    let sheet: JsValue = stylesheet()?.into();
    let container: HtmlElement = host
        .owner_document()
        .ok_or_else(|| JsValue::from_str("host element has no document"))?
        .create_element("div")?
        .unchecked_into();
    // What the loader drew there (its skeleton, the month's free days) stays until the
    // widget's first step is drawn, which may take a few tasks: the widget is built
    // out of the document meanwhile, and put in place in one go.
    let empty = root.first_child().is_none();
    let attach = {
        let container = container.clone();
        move |()| {
            if container.parent_node().is_none() {
                root.set_adopted_style_sheets(&js_sys::Array::of1(&sheet));
                root.set_inner_html("");
                let _ = root.append_child(&container);
            }
        }
    };
    if empty {
        attach(());
    }
    let owner = Owner::new();
    let (config, prefill, language, view) = owner.with(|| {
        let target = events.then(|| StoredValue::new_local(host.clone()));
        let mut config = Config::new(options.settings(), Events(target));
        config.drawn = Callback::new(attach);
        provide_context(config);
        let prefill = RwSignal::new(std::mem::take(&mut options.prefill));
        let (profile, api) = (options.profile.clone(), options.api.clone());
        let manage = options.manage.clone();
        let root: Element = container.clone().into();
        let view = mount_to(container, move || {
            view! { <App profile api prefill root manage /> }.into_any()
        });
        let language = RwSignal::new(config.tag());
        (config, prefill, language, view)
    });
    Ok(Mounted {
        _view: view,
        _owner: owner,
        config,
        prefill,
        language,
        options,
    })
}
