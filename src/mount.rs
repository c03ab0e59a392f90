//! Puts a widget into a host element's open shadow root with the widget's CSS adopted
//! there: host CSS cannot reach in, ours cannot leak out, and no inline `<style>` is
//! needed (so a strict Content-Security-Policy on the host page holds).

use std::cell::OnceCell;

use leptos::mount::{mount_to, UnmountHandle};
use leptos::prelude::*;
use leptos::tachys::view::any_view::AnyViewState;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CssStyleSheet, Element, HtmlElement, ShadowRoot, ShadowRootInit, ShadowRootMode};

use crate::app::{App, Display};
use crate::events::Emit;

/// The widget's whole stylesheet: tokens first, then one file per component (`style/`),
/// minified by `build.rs`.
pub const CSS: &str = include_str!(concat!(env!("OUT_DIR"), "/widget.css"));

/// What one widget instance shows and where it gets it from.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Options {
    pub profile: String,
    pub api: String,
    pub display: Display,
}

/// A mounted widget; dropping it unmounts the view.
pub struct Mounted {
    view: UnmountHandle<AnyViewState>,
}

impl Mounted {
    /// Leaves the widget mounted for the life of the page.
    pub fn forget(self) {
        self.view.forget();
    }
}

thread_local! {
    // One parsed stylesheet per page, shared by every widget's shadow root.
    static SHEET: OnceCell<CssStyleSheet> = const { OnceCell::new() };
}

fn stylesheet() -> Result<CssStyleSheet, JsValue> {
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
pub fn mount(host: &Element, options: Options) -> Result<Mounted, JsValue> {
    mount_with(host, options, None)
}

/// As `mount`, with events going to `emit`.
pub fn mount_with(
    host: &Element,
    options: Options,
    emit: Option<Emit>,
) -> Result<Mounted, JsValue> {
    let root = shadow_root(host)?;
    let sheet: JsValue = stylesheet()?.into();
    root.set_adopted_style_sheets(&js_sys::Array::of1(&sheet));
    root.set_inner_html("");
    let container: HtmlElement = host
        .owner_document()
        .ok_or_else(|| JsValue::from_str("host element has no document"))?
        .create_element("div")?
        .unchecked_into();
    root.append_child(&container)?;
    let Options {
        profile,
        api,
        display,
    } = options;
    let root: Element = container.clone().into();
    let view = mount_to(container, move || {
        if let Some(emit) = emit {
            provide_context(emit);
        }
        view! { <App profile api display root /> }.into_any()
    });
    Ok(Mounted { view })
}
