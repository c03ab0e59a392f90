//! Components mounted in headless Chromium (wasm-bindgen-test).
#![cfg(target_arch = "wasm32")]

use booking_widget::components::{ErrorPanel, ProfileView};
use booking_widget::mount::{mount, Options, CSS};
use booking_widget::wire::{Field, FieldKind, Profile};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

fn container() -> HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let div = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&div).unwrap();
    div.unchecked_into()
}

fn profile() -> Profile {
    let field = |name: &str, kind, required, options: &[&str]| Field {
        name: name.into(),
        label: format!("Label {name}"),
        kind,
        required,
        default: None,
        options: options.iter().map(|o| o.to_string()).collect(),
    };
    Profile {
        id: "intro".into(),
        title: "Intro call".into(),
        description: "A call about pricing.".into(),
        time_zone: "America/New_York".into(),
        durations: vec![30],
        location: Some("Zoom".into()),
        requires_confirmation: false,
        fields: vec![
            field("company", FieldKind::Text, false, &[]),
            field("size", FieldKind::Select, true, &["1-10", "11+"]),
            field("agenda", FieldKind::Textarea, false, &[]),
            field("phone", FieldKind::Phone, false, &[]),
        ],
    }
}

fn texts(root: &Element, selector: &str) -> Vec<String> {
    let list = root.query_selector_all(selector).unwrap();
    (0..list.length())
        .map(|i| {
            list.item(i)
                .unwrap()
                .text_content()
                .unwrap_or_default()
                .trim()
                .to_owned()
        })
        .collect()
}

#[wasm_bindgen_test]
fn profile_view_shows_title_description_and_every_field() {
    let root = container();
    let _handle =
        leptos::mount::mount_to(root.clone(), || view! { <ProfileView profile=profile() /> });
    assert_eq!(texts(&root, "h2"), vec!["Intro call"]);
    assert_eq!(
        texts(&root, ".bw-header__description"),
        vec!["A call about pricing."]
    );
    let labels = texts(&root, "[part=field] label");
    assert_eq!(
        labels,
        vec![
            "Name *",
            "Email *",
            "Label company",
            "Label size *",
            "Label agenda",
            "Label phone"
        ]
    );
    // Each label points at its control, and each control has the right element and type.
    let control = |name: &str| {
        root.query_selector(&format!("#bw-field-{name}"))
            .unwrap()
            .unwrap()
    };
    assert_eq!(
        control("email").get_attribute("type").as_deref(),
        Some("email")
    );
    assert_eq!(
        control("phone").get_attribute("type").as_deref(),
        Some("tel")
    );
    assert_eq!(control("agenda").tag_name(), "TEXTAREA");
    assert_eq!(control("size").tag_name(), "SELECT");
    assert_eq!(texts(&control("size"), "option"), vec!["1-10", "11+"]);
    assert!(control("size").has_attribute("required"));
    assert!(!control("company").has_attribute("required"));
    assert_eq!(root.query_selector_all("[part=input]").unwrap().length(), 6);
    assert!(root.query_selector("form[part=form]").unwrap().is_some());
}

#[wasm_bindgen_test]
fn error_panel_says_what_happened_and_retries() {
    let root = container();
    let clicks = RwSignal::new(0);
    let on_retry = Callback::new(move |()| clicks.update(|n| *n += 1));
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        view! { <ErrorPanel message="Could not reach the booking service".to_string() on_retry /> }
    });
    let panel = root
        .query_selector("[part=error]")
        .unwrap()
        .expect("error part");
    assert_eq!(panel.get_attribute("role").as_deref(), Some("alert"));
    assert!(panel
        .text_content()
        .unwrap()
        .contains("Could not reach the booking service"));
    let button: HtmlElement = panel
        .query_selector("button")
        .unwrap()
        .unwrap()
        .unchecked_into();
    button.click();
    button.click();
    assert_eq!(clicks.get_untracked(), 2);
}

/// Lets the browser run timers and fetches for `ms` milliseconds.
async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

/// Waits (at most 5 s) until `selector` matches inside `root`.
async fn wait_for(root: &web_sys::ShadowRoot, selector: &str) -> Element {
    for _ in 0..100 {
        if let Some(found) = root.query_selector(selector).unwrap() {
            return found;
        }
        sleep(50).await;
    }
    panic!("{selector} did not appear");
}

#[wasm_bindgen_test]
async fn mount_renders_into_an_open_shadow_root_with_the_stylesheet_adopted() {
    let host = container();
    // Nothing listens on port 9 on loopback: the widget must explain, not stay blank.
    let mounted = mount(
        &host,
        Options {
            profile: "intro".into(),
            api: "http://127.0.0.1:9".into(),
        },
    )
    .expect("mounted");
    let shadow = host.shadow_root().expect("open shadow root");
    assert!(shadow.query_selector(".bw-root").unwrap().is_some());
    let error = wait_for(&shadow, "[part=error]").await;
    assert!(error
        .text_content()
        .unwrap()
        .contains("could not reach the booking service"));
    let sheets = shadow.adopted_style_sheets();
    assert_eq!(sheets.length(), 1);
    assert!(CSS.contains("--bw-accent"));
    // No inline <style>: a strict CSP on the host page must hold.
    assert!(shadow.query_selector("style").unwrap().is_none());
    drop(mounted);
    assert!(
        shadow.query_selector(".bw-root").unwrap().is_none(),
        "dropping unmounts"
    );
}
