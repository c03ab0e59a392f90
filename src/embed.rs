//! The JavaScript entry point for `/widget.js`: mount a widget into an element's shadow
//! root with options as JSON, change them in place, dispatch its events on the element,
//! unmount on request.

use wasm_bindgen::prelude::*;
use web_sys::{CssStyleSheet, CustomEvent, CustomEventInit, Element};

use crate::events::WidgetEvent;
use crate::mount::{mount_with, stylesheet, Mounted};
use crate::options::WidgetOptions;

const EXPECTED: &str =
    "widget options: expected JSON {profile, api, locale?, timeZone?, hourCycle?, prefill?}";

/// A mounted widget, as JavaScript holds it.
#[wasm_bindgen]
pub struct Widget {
    mounted: Option<Mounted>,
}

#[wasm_bindgen]
impl Widget {
    /// Applies new options (the same JSON as `mountWidget`'s) in place: language, zone,
    /// clock and prefill; the same options change nothing.
    pub fn update(&mut self, options: &str) -> Result<(), JsValue> {
        let options = WidgetOptions::from_json(options).ok_or(EXPECTED)?;
        if let Some(mounted) = &mut self.mounted {
            mounted.update(options);
        }
        Ok(())
    }

    /// Removes the widget and everything it holds.
    pub fn unmount(&mut self) {
        self.mounted.take();
    }
}

/// Mounts a widget into `host`'s open shadow root. `options` is JSON:
/// `{profile, api, locale?, timeZone?, hourCycle?, prefill?}`.
#[wasm_bindgen(js_name = mountWidget)]
pub fn mount_widget(host: Element, options: &str) -> Result<Widget, JsValue> {
    let options = WidgetOptions::from_json(options).ok_or(EXPECTED)?;
    Ok(Widget {
        mounted: Some(mount_with(&host, options, Some(dispatch))?),
    })
}

/// The widget's stylesheet, tokens and the launcher's rules included: the loader's popup
/// and floating launcher is drawn with it.
#[wasm_bindgen(js_name = styleSheet)]
pub fn style_sheet() -> Result<CssStyleSheet, JsValue> {
    stylesheet()
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
