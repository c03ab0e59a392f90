//! The public booking page (`/book/{profile}`) and the development page: mounts one widget
//! into `#booking-widget`, for the profile in the path (or the element's `data-profile`).
//! On other pages `widget.js` mounts widgets through `mountWidget` (src/embed.rs).

#![no_main]

use booking_widget::app::Display;
use booking_widget::mount::{mount, Options};
use wasm_bindgen::prelude::*;

// A wasm start function rather than `fn main`: std's runtime around `main` (stdout
// flushing, error printing) would add its io code to the wasm.
// An error is thrown to the console as it is.
#[wasm_bindgen(start)]
fn start() -> Result<(), JsValue> {
    // Panic messages in the console are for development; release builds stay small.
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    let window = web_sys::window().ok_or("no window")?;
    let document = window.document().ok_or("no document")?;
    // Loaded by widget.js on a host page there is no such element: nothing to do here.
    let Some(host) = document.get_element_by_id("booking-widget") else {
        return Ok(());
    };
    let path = window.location().pathname()?;
    let profile = match path.strip_prefix("/book/").map(|p| p.trim_end_matches('/')) {
        Some(id) if !id.is_empty() => decode(id),
        _ => host
            .get_attribute("data-profile")
            .unwrap_or_else(|| "demo".into()),
    };
    let api = match host.get_attribute("data-api") {
        Some(api) if !api.is_empty() => api,
        _ => window.location().origin()?,
    };
    // The element's data-* attributes, or the page's query (a shared booking link).
    let query = web_sys::UrlSearchParams::new_with_str(&window.location().search()?)?;
    let option = |name: &str, param: &str| {
        host.get_attribute(name)
            .or_else(|| query.get(param))
            .filter(|v| !v.is_empty())
    };
    let display = Display {
        locale: option("data-locale", "locale"),
        time_zone: option("data-time-zone", "time_zone"),
        hour_cycle: option("data-hour-cycle", "hour_cycle"),
        prefill: Default::default(),
    };
    mount(
        &host,
        Options {
            profile,
            api,
            display,
        },
    )?
    .forget();
    Ok(())
}

fn decode(segment: &str) -> String {
    js_sys::decode_uri_component(segment)
        .map(String::from)
        .unwrap_or_else(|_| segment.to_owned())
}
