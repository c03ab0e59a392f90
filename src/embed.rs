//! The JavaScript entry point for `/widget.js`: mount a widget into an element's shadow
//! root with options as JSON (its events dispatched on the element), change them in place,
//! unmount on request.

use js_sys::Map;
use wasm_bindgen::prelude::*;
use web_sys::{CssStyleSheet, Element};

use crate::api;

use crate::mount::{mount_with, stylesheet, Mounted};
use crate::options::WidgetOptions;

const EXPECTED: &str =
    "widget options: expected JSON {profile, api, locale?, timeZone?, hourCycle?, prefill?, manage?}";

/// A mounted widget, as JavaScript holds it.
#[wasm_bindgen]
pub struct Widget {
    mounted: Option<Mounted>,
}

#[wasm_bindgen]
impl Widget {
    /// Applies new options (the same JSON as `mountWidget`'s) in place: language, zone,
    /// clock and prefill; the same options, or JSON that is not options, change nothing.
    pub fn update(&mut self, options: &str) {
        if let (Some(mounted), Some(options)) =
            (&mut self.mounted, WidgetOptions::from_json(options))
        {
            mounted.update(options);
        }
    }

    /// Removes the widget and everything it holds.
    pub fn unmount(&mut self) {
        self.mounted.take();
    }
}

/// Mounts a widget into `host`'s open shadow root. `options` is JSON:
/// `{profile, api, locale?, timeZone?, hourCycle?, prefill?, manage?}`. `early`: the requests the
/// loader started while the wasm loaded, URL → promise of the answer's JSON.
#[wasm_bindgen(js_name = mountWidget)]
pub fn mount_widget(host: Element, options: &str, early: Option<Map>) -> Result<Widget, JsValue> {
    // Panic messages in the console are for development; release builds stay small.
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    let options = WidgetOptions::from_json(options).ok_or(EXPECTED)?;
    if let Some(requests) = early {
        api::early::keep_requests(requests);
    }
    Ok(Widget {
        mounted: Some(mount_with(&host, options, true)?),
    })
}

/// The widget's stylesheet, tokens and the launcher's rules included: the loader's popup
/// and floating launcher is drawn with it.
#[wasm_bindgen(js_name = styleSheet)]
pub fn style_sheet() -> Option<CssStyleSheet> {
    stylesheet().ok()
}
