//! What the browser tests share: a container to render into, waiting on frames, and the
//! values they build.

// Each test file compiles this module on its own and uses only some of it.
#![allow(dead_code)]

use chrono::{DateTime, Utc};
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

pub fn container() -> HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let div = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&div).unwrap();
    div.unchecked_into()
}

pub fn utc(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// The next animation frame: effects have run and the view is drawn.
pub async fn frame() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .request_animation_frame(&resolve)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

/// Waits (at most 200 frames) until `done` holds.
pub async fn until(what: &str, done: impl Fn() -> bool) {
    for _ in 0..200 {
        if done() {
            return;
        }
        frame().await;
    }
    panic!("{what} did not happen");
}
