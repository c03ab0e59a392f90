//! The public booking page (`/book/{profile}`) and the development page: mounts one widget
//! into `#booking-widget`, for the profile in the path (or the element's `data-profile`).
//! On other pages `widget.js` mounts widgets through `mountWidget` (src/embed.rs).

#![no_main]

use booking_widget::api::early;
use booking_widget::mount::mount;
use booking_widget::options::WidgetOptions;
use wasm_bindgen::prelude::*;

/// Mounts the page's widget into `#booking-widget`. Called by the loader (`widget.js`), which
/// the booking page and its manage page load, once the wasm is up, in a task of its own: the
/// wasm's instantiation and the mount are each a long task on a slow phone. `data` is the
/// booking page's data (`#bw-page-data`), which the loader has parsed for its early month:
/// the profile and this month's slots, so no round trip first (`undefined` elsewhere). An
/// error is thrown to the console as it is.
#[wasm_bindgen(js_name = mountPage)]
pub fn mount_page(data: JsValue) -> Result<(), JsValue> {
    // Panic messages in the console are for development; release builds stay small.
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    // The loader calls this only where there is such an element.
    let Some(host) = document.get_element_by_id("booking-widget") else {
        return Ok(());
    };
    early::keep_page(&data);
    mount(&host, WidgetOptions::from_page(&host)?)?.forget();
    Ok(())
}
