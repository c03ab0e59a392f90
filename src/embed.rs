//! The JavaScript entry point for `/widget.js`: mount a widget into an element's shadow
//! root with options as JSON, dispatch its events on the element, unmount on request.

use leptos::prelude::*;
use serde::Deserialize;
use wasm_bindgen::prelude::*;
use web_sys::{CustomEvent, CustomEventInit, Element};

use crate::app::Display;
use crate::events::{Emit, WidgetEvent};
use crate::mount::{mount_with, Mounted, Options};
use crate::wire::{FieldValue, Map};

/// The options `widget.js` passes, from the element's attributes.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct EmbedOptions {
    profile: String,
    api: String,
    locale: Option<String>,
    time_zone: Option<String>,
    hour_cycle: Option<String>,
    #[serde(default)]
    prefill: Map<String, FieldValue>,
}

/// A mounted widget, as JavaScript holds it.
#[wasm_bindgen]
pub struct Widget {
    mounted: Option<Mounted>,
}

#[wasm_bindgen]
impl Widget {
    /// Removes the widget and everything it listens to.
    pub fn unmount(&mut self) {
        self.mounted.take();
    }
}

/// Mounts a widget into `host`'s open shadow root. `options` is JSON:
/// `{profile, api, locale?, timeZone?, hourCycle?, prefill?}`.
#[wasm_bindgen(js_name = mountWidget)]
pub fn mount_widget(host: Element, options: &str) -> Result<Widget, JsValue> {
    let o: EmbedOptions = crate::api::from_json(options).map_err(|e| JsValue::from_str(&e))?;
    let target = host.clone();
    let emit = Emit(Callback::new(move |event: WidgetEvent| {
        dispatch(&target, &event)
    }));
    let options = Options {
        profile: o.profile,
        api: o.api,
        display: Display {
            locale: o.locale,
            time_zone: o.time_zone,
            hour_cycle: o.hour_cycle,
            prefill: o.prefill,
        },
    };
    Ok(Widget {
        mounted: Some(mount_with(&host, options, Some(emit))?),
    })
}

/// A `CustomEvent` that bubbles out of the shadow root to the host page.
fn dispatch(host: &Element, event: &WidgetEvent) {
    let detail = event.detail();
    let init = CustomEventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    init.set_detail(&detail);
    if let Ok(e) = CustomEvent::new_with_event_init_dict(event.name(), &init) {
        let _ = host.dispatch_event(&e);
    }
}
