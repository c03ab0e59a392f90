//! The mounted widget and the answers it keeps, in headless Chromium (wasm-bindgen-test):
//! the shadow root and stylesheet, number fields, locales and kept answers.
#![cfg(target_arch = "wasm32")]

mod common;

use booking_widget::components::FieldInput;
use booking_widget::config::Config;
use booking_widget::events::Events;
use booking_widget::flow::Answers;
use booking_widget::mount::{mount, CSS};
use booking_widget::options::WidgetOptions;
use booking_widget::time;
use booking_wire::{Field, FieldKind, FieldValue};
use common::{container, until, utc};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

async fn wait_for(root: &web_sys::ShadowRoot, selector: &str) -> Element {
    until(selector, || {
        root.query_selector(selector).unwrap().is_some()
    })
    .await;
    root.query_selector(selector).unwrap().unwrap()
}

#[wasm_bindgen_test]
async fn mount_renders_into_an_open_shadow_root_with_the_stylesheet_adopted() {
    let host = container();
    // Nothing listens on port 9 on loopback: the widget must explain, not stay blank.
    let options = WidgetOptions {
        profile: "intro".into(),
        api: "http://127.0.0.1:9".into(),
        ..WidgetOptions::default()
    };
    let mounted = mount(&host, options).expect("mounted");
    let shadow = host.shadow_root().expect("open shadow root");
    assert!(shadow.query_selector(".bw-root").unwrap().is_some());
    let error = wait_for(&shadow, "[part=error]").await;
    assert!(error
        .text_content()
        .unwrap()
        .contains("Could not reach the booking service"));
    assert_eq!(shadow.adopted_style_sheets().length(), 1);
    assert!(CSS.contains("--bw-accent"));
    // No inline <style> or style attribute: a strict CSP on the host page must hold.
    assert!(shadow.query_selector("style, [style]").unwrap().is_none());
    drop(mounted);
    assert!(
        shadow.query_selector(".bw-root").unwrap().is_none(),
        "dropping unmounts"
    );
}

#[wasm_bindgen_test]
async fn over_what_the_loader_drew_the_widget_shows_once_its_first_step_is_drawn() {
    let host = container();
    let shadow = host
        .attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open))
        .unwrap();
    shadow.set_inner_html("<p class=stand-in>Loading…</p>");
    let options = WidgetOptions {
        profile: "intro".into(),
        api: "http://127.0.0.1:9".into(),
        ..WidgetOptions::default()
    };
    let mounted = mount(&host, options).expect("mounted");
    // Built out of the document until its first step (here, why the proxy cannot be
    // reached) is drawn: what was there stays meanwhile.
    assert!(shadow.query_selector(".stand-in").unwrap().is_some());
    assert!(shadow.query_selector(".bw-root").unwrap().is_none());
    assert_eq!(shadow.adopted_style_sheets().length(), 0);
    wait_for(&shadow, "[part=error]").await;
    assert!(shadow.query_selector(".stand-in").unwrap().is_none());
    assert_eq!(shadow.child_element_count(), 1, "the widget alone");
    assert_eq!(shadow.adopted_style_sheets().length(), 1);
    drop(mounted);
}

#[wasm_bindgen_test]
async fn a_widget_removed_while_its_profile_is_on_its_way_leaves_the_page_working() {
    let options = || WidgetOptions {
        profile: "intro".into(),
        api: "http://127.0.0.1:9".into(),
        ..WidgetOptions::default()
    };
    // Its profile's failure arrives after it is gone (an attribute change, a route change).
    drop(mount(&container(), options()).expect("mounted"));
    let host = container();
    let _kept = mount(&host, options()).expect("mounted");
    let shadow = host.shadow_root().expect("open shadow root");
    wait_for(&shadow, "[part=error]").await;
}

/// The widget parses numbers with JavaScript's parser (wire/src/validate.rs); it must agree
/// with Rust's, which the proxy uses, on what is a finite number and on its value.
#[wasm_bindgen_test]
fn number_fields_parse_as_the_proxy_does() {
    let inputs = [
        "12", " 12 ", "-3.5", "+.5", "1.", "1e5", "1E-3", "1e+2", "007", "0", "-0", "", " ", ".",
        "-", "+", "e5", "1e", "1e+", "--1", "1-1", "1.2.3", "0x1F", "1_000", "1,5", "½", "NaN",
        "inf", "Infinity", "1e999", "-1e999", "12abc", "١٢",
    ];
    for input in inputs {
        let rust = input.trim().parse::<f64>().ok().filter(|n| n.is_finite());
        assert_eq!(
            booking_wire::validate::parse_number(input),
            rust,
            "{input:?}"
        );
    }
}

#[wasm_bindgen_test]
fn a_locale_is_written_as_the_browser_writes_it_or_left_for_the_browsers_own() {
    let with = |locale: &str| {
        WidgetOptions {
            locale: Some(locale.into()),
            time_zone: Some("Europe/Berlin".into()),
            ..WidgetOptions::default()
        }
        .settings()
    };
    // WordPress and others write `de_DE`; Intl would throw on it.
    let german = with("de_DE");
    assert_eq!(german.locale, "de-DE");
    assert!(!german.hour12);
    assert_eq!(with("en-us").locale, "en-US");
    let own = time::browser_locale();
    for bad in ["", "not a locale!", "en_"] {
        assert_eq!(with(bad).locale, own, "{bad:?}");
    }
    // And the widget still formats with what it settled on.
    let t = utc("2026-03-02T13:30:00Z");
    assert_eq!(time::time(t, &german.locale, &german.zone, false), "14:30");
}

#[wasm_bindgen_test]
fn controls_start_from_the_kept_answers_of_every_kind() {
    let root = container();
    let answers = Answers::new();
    let field = |name: &str, kind, options: &[&str]| Field {
        name: name.into(),
        label: name.into(),
        kind,
        required: false,
        default: None,
        options: options.iter().map(|o| o.to_string()).collect(),
    };
    answers.values.update(|v| {
        v.insert("seats".into(), FieldValue::Number(2.5));
        v.insert("notes".into(), FieldValue::Text("Hello".into()));
        v.insert("ok".into(), FieldValue::Bool(true));
        v.insert("langs".into(), FieldValue::List(vec!["Rust".into()]));
    });
    let fields = vec![
        field("seats", FieldKind::Number, &[]),
        field("notes", FieldKind::Textarea, &[]),
        field("ok", FieldKind::Boolean, &[]),
        field("langs", FieldKind::Multiselect, &["Go", "Rust"]),
    ];
    let _h = leptos::mount::mount_to(root.clone(), move || {
        // The language a mount provides (a field marks itself optional in it).
        let settings = WidgetOptions::default().settings();
        provide_context(Config::new(settings, Events::default()));
        fields
            .into_iter()
            .map(|field| view! { <FieldInput field answers /> })
            .collect_view()
    });
    let input = |sel: &str| -> web_sys::HtmlInputElement {
        root.query_selector(sel).unwrap().unwrap().unchecked_into()
    };
    assert_eq!(input("#bw-field-seats").value(), "2.5");
    let notes: web_sys::HtmlTextAreaElement = root
        .query_selector("#bw-field-notes")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert_eq!(notes.value(), "Hello");
    assert!(input("#bw-field-ok").checked());
    let boxes = root.query_selector_all("#bw-field-langs input").unwrap();
    let ticked: Vec<bool> = (0..boxes.length())
        .map(|i| {
            boxes
                .item(i)
                .unwrap()
                .unchecked_into::<web_sys::HtmlInputElement>()
                .checked()
        })
        .collect();
    assert_eq!(ticked, vec![false, true]);
}
