//! The JavaScript entry point for `/widget.js`: mount a widget into an element's shadow
//! root with options as JSON, dispatch its events on the element, unmount on request.

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use web_sys::{CustomEvent, CustomEventInit, Element};

use crate::app::Display;
use crate::events::{Emit, WidgetEvent};
use crate::mount::{mount_with, Mounted, Options};
use booking_wire::js::{answers, optional_text, text};

/// The options `widget.js` passes (from the element's attributes) as one object:
/// `{profile, api, locale?, timeZone?, hourCycle?, prefill?}`; `None` when it is not.
fn read_options(json: &str) -> Option<Options> {
    let o = js_sys::JSON::parse(json).ok()?;
    Some(Options {
        profile: text(&o, "profile")?,
        api: text(&o, "api")?,
        display: Display {
            locale: optional_text(&o, "locale")?,
            time_zone: optional_text(&o, "timeZone")?,
            hour_cycle: optional_text(&o, "hourCycle")?,
            prefill: answers(&o, "prefill")?,
        },
    })
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
    let options = read_options(options).ok_or_else(|| {
        JsValue::from_str("widget options: expected JSON {profile, api, locale?, timeZone?, hourCycle?, prefill?}")
    })?;
    let target = host.clone();
    let emit = Emit(Callback::new(move |event: WidgetEvent| {
        dispatch(&target, &event)
    }));
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
