//! Components and browser-side logic in headless Chromium (wasm-bindgen-test).

#![cfg(target_arch = "wasm32")]

mod common;

use booking_widget::components::{ErrorPanel, FieldInput, MonthView, ProfileHeader};
use booking_widget::config::Config;
use booking_widget::events::Events;
use booking_widget::flow::{blanks, Answers, MonthState};
use booking_widget::i18n;
use booking_widget::options::Settings;
use booking_widget::time;
use booking_wire::{Field, FieldKind, FieldValue, Profile, Slot};
use chrono::NaiveDate;
use common::{container, frame, until, utc};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
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

/// English (UK) in UTC on a 24-hour clock, as a mount would provide it.
fn english() -> Config {
    Config::new(
        Settings {
            locale: "en-GB".into(),
            zone: "UTC".into(),
            hour12: false,
        },
        Events::default(),
    )
}

/// A day cell holds the number alone, in the locale's digits: no "日" after it in Japanese
/// (which made the cell wrap), Arabic-Indic digits in Arabic.
#[wasm_bindgen_test]
fn a_day_cell_has_the_number_only_in_the_locales_digits() {
    assert_eq!(time::day_number(date("2026-11-10"), "ja-JP"), "10");
    assert_eq!(time::day_number(date("2026-11-10"), "zh-CN"), "10");
    assert_eq!(time::day_number(date("2026-11-10"), "en-GB"), "10");
    assert_eq!(time::day_number(date("2026-11-10"), "ar-EG"), "١٠");
}

/// The weekday headers fit their columns: Arabic's short names (the whole word) give way to
/// the narrow ones; the long name stays for assistive technology.
#[wasm_bindgen_test]
fn weekday_headers_are_narrow_where_the_short_name_is_a_word() {
    let monday = date("2026-11-23");
    let (short, long) = time::weekday_names(monday, "ar-EG");
    assert!(short.chars().count() <= 2, "{short}");
    assert_eq!(long, "الاثنين");
    assert_eq!(
        time::weekday_names(monday, "en-GB"),
        ("Mon".to_string(), "Monday".to_string())
    );
    assert_eq!(time::weekday_names(monday, "fr-FR").0, "lun.");
}

/// A count is written in its language's plural form (`Intl.PluralRules`), from a language
/// file as the widget fetches it.
#[wasm_bindgen_test]
fn counts_take_their_languages_plural_form() {
    let en = i18n::strings("en");
    assert_eq!(i18n::n_times(en, 1), "1 time available");
    assert_eq!(i18n::n_times(en, 2), "2 times available");
    for (lang, file) in [
        ("fr", include_str!("../i18n/fr.json")),
        ("ar", include_str!("../i18n/ar.json")),
    ] {
        i18n::keep(lang, &js_sys::JSON::parse(file).unwrap());
    }
    let fr = i18n::strings("fr-FR");
    assert_eq!(fr.lang, "fr");
    assert_eq!(i18n::n_times(fr, 1), "1 horaire disponible");
    assert_eq!(i18n::n_times(fr, 4), "4 horaires disponibles");
    let ar = i18n::strings("ar-EG");
    let forms: Vec<String> = [1, 2, 3, 11, 100].map(|n| i18n::n_times(ar, n)).into();
    assert_eq!(
        forms,
        [
            "موعد واحد متاح",
            "موعدان متاحان",
            "3 مواعيد متاحة",
            "11 موعدًا متاحًا",
            "100 موعد متاح"
        ]
    );
}

#[wasm_bindgen_test]
fn times_are_formatted_in_the_given_zone_and_locale() {
    let t = utc("2026-11-23T14:00:00Z");
    assert_eq!(time::time(t, "en-US", "America/New_York", true), "9:00 AM");
    assert_eq!(time::time(t, "de-DE", "Europe/Berlin", false), "15:00");
    assert_eq!(time::time(t, "en-GB", "Asia/Kolkata", false), "19:30");
    assert_eq!(time::time(t, "en-GB", "Pacific/Chatham", false), "3:45"); // +13:45 in summer
                                                                          // The same instant is on different days for Pago Pago and Kiritimati.
    let early = utc("2026-11-23T05:00:00Z");
    assert_eq!(
        time::local_date(early, "Pacific/Pago_Pago"),
        Some(date("2026-11-22"))
    );
    assert_eq!(
        time::local_date(early, "Pacific/Kiritimati"),
        Some(date("2026-11-23"))
    );
    assert_eq!(
        time::long_date(date("2026-11-23"), "en-GB"),
        "Monday, 23 November 2026"
    );
    assert_eq!(
        time::month_title(date("2026-11-01"), "de-DE"),
        "November 2026"
    );
    assert_eq!(
        time::zone_name("Australia/Lord_Howe").as_deref(),
        Some("Australia/Lord_Howe")
    );
    // A name typed in lower case is the zone's, written as the proxy takes it.
    assert_eq!(
        time::zone_name("europe/paris").as_deref(),
        Some("Europe/Paris")
    );
    assert_eq!(time::zone_name("Mars/Olympus"), None);
    assert!(time::zones().iter().any(|z| z == "Europe/Paris"));
    assert!(time::locale_uses_12h("en-US"));
    assert!(!time::locale_uses_12h("de-DE"));
}

fn slot(s: &str) -> Slot {
    let start = utc(s);
    Slot {
        start,
        end: start + chrono::TimeDelta::minutes(30),
    }
}

#[wasm_bindgen_test]
async fn the_month_grid_marks_free_days_and_moves_focus_with_the_keyboard() {
    let root = container();
    let month = RwSignal::new(date("2026-11-01"));
    let focus = RwSignal::new(date("2026-11-23"));
    let selected = RwSignal::new(None);
    let picked = RwSignal::new(None);
    let days = RwSignal::new(
        [
            (date("2026-11-23"), vec![slot("2026-11-23T14:00:00Z")]),
            (date("2026-11-24"), vec![]),
        ]
        .into_iter()
        .collect::<booking_wire::Map<_, _>>(),
    );
    // The grid's frame first, its days once they are to be drawn (`UseSlots::parts`).
    let with_days = RwSignal::new(false);
    let state = MonthState {
        month,
        focus,
        selected,
        days,
        with_days,
    };
    let _h = leptos::mount::mount_to(root.clone(), move || {
        provide_context(english());
        view! { <MonthView month=state on_pick=move |d| picked.set(Some(d)) busy=RwSignal::new(false) /> }
    });
    let day = |d: &str| {
        root.query_selector(&format!("[data-date='{d}']"))
            .unwrap()
            .unwrap()
    };
    assert_eq!(texts(&root, "h3"), vec!["November 2026"]);
    // en-GB weeks start on Monday; November 2026 itself starts on a Sunday.
    let week = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    assert_eq!(texts(&root, "th"), week);
    assert_eq!(
        root.query_selector_all("td").unwrap().length(),
        0,
        "no days yet"
    );
    with_days.set(true);
    until("the days drawn", || {
        root.query_selector_all("[part=day]").unwrap().length() == 30
    })
    .await;
    let abbr = root.query_selector("th").unwrap().unwrap();
    assert_eq!(abbr.get_attribute("abbr").as_deref(), Some("Monday"));
    assert_eq!(
        day("2026-11-23").get_attribute("aria-disabled").as_deref(),
        Some("false")
    );
    assert_eq!(
        day("2026-11-22").get_attribute("aria-disabled").as_deref(),
        Some("true")
    );
    assert!(day("2026-11-23")
        .get_attribute("aria-label")
        .unwrap()
        .contains("available"));
    assert_eq!(
        day("2026-11-23").get_attribute("tabindex").as_deref(),
        Some("0")
    );
    assert_eq!(
        root.query_selector_all("[tabindex='0'][part=day]")
            .unwrap()
            .length(),
        1,
        "one tab stop"
    );

    let grid = root.query_selector("[role=grid]").unwrap().unwrap();
    let press = |key: &str| {
        let init = web_sys::KeyboardEventInit::new();
        init.set_key(key);
        init.set_bubbles(true);
        let ev =
            web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
        day(&focus.get_untracked().to_string())
            .dispatch_event(&ev)
            .unwrap();
    };
    press("ArrowRight");
    assert_eq!(focus.get_untracked(), date("2026-11-24"));
    press("ArrowDown");
    assert_eq!(focus.get_untracked(), date("2026-12-01"));
    assert_eq!(
        month.get_untracked(),
        date("2026-12-01"),
        "the grid follows focus into December"
    );
    until("December drawn", || texts(&root, "h3") == ["December 2026"]).await;
    assert_eq!(texts(&grid, "h3").len(), 0);
    assert_eq!(texts(&root, "h3"), vec!["December 2026"]);
    assert_eq!(
        texts(&root, "th"),
        week,
        "the same weekdays in another month"
    );
    assert_eq!(
        day("2026-12-01").get_attribute("tabindex").as_deref(),
        Some("0")
    );
    press("PageUp");
    until("November drawn", || texts(&root, "h3") == ["November 2026"]).await;
    assert_eq!(focus.get_untracked(), date("2026-11-01"));
    let free: HtmlElement = day("2026-11-23").unchecked_into();
    free.click();
    assert_eq!(picked.get_untracked(), Some(date("2026-11-23")));
    selected.set(Some(date("2026-11-23")));
    frame().await;
    let cell = |d: &str| {
        day(d)
            .parent_element()
            .unwrap()
            .get_attribute("aria-selected")
    };
    assert_eq!(cell("2026-11-23").as_deref(), Some("true"));
    assert_eq!(cell("2026-11-22").as_deref(), Some("false"));
    let padding = root
        .query_selector("td:not(:has(button))")
        .unwrap()
        .unwrap();
    assert_eq!(
        padding.get_attribute("aria-selected").as_deref(),
        Some("false")
    );
    let busy: HtmlElement = day("2026-11-22").unchecked_into();
    busy.click();
    assert_eq!(
        picked.get_untracked(),
        Some(date("2026-11-23")),
        "a day without times is not picked"
    );
}

#[wasm_bindgen_test]
async fn a_field_in_error_says_so_to_assistive_technology() {
    let root = container();
    let answers = Answers::new();
    let field = Field {
        name: "size".into(),
        label: "Size".into(),
        kind: FieldKind::Select,
        required: true,
        default: None,
        options: vec!["S".into(), "L".into()],
    };
    // A kept answer (prefill, or back from the times) is where the control starts.
    answers.values.update(|v| {
        v.insert("size".into(), FieldValue::Text("S".into()));
    });
    let _h = leptos::mount::mount_to(root.clone(), move || {
        provide_context(english());
        view! { <FieldInput field answers /> }
    });
    let control = root.query_selector("#bw-field-size").unwrap().unwrap();
    assert_eq!(control.tag_name(), "SELECT");
    assert_eq!(
        control
            .unchecked_ref::<web_sys::HtmlSelectElement>()
            .value(),
        "S"
    );
    assert!(control.get_attribute("aria-invalid").is_none());
    answers.errors.update(|e| {
        e.insert("size".into(), "Choose one of the options.".into());
    });
    until("aria-invalid set", || {
        control.get_attribute("aria-invalid").is_some()
    })
    .await;
    assert_eq!(
        control.get_attribute("aria-invalid").as_deref(),
        Some("true")
    );
    let described = control.get_attribute("aria-describedby").unwrap();
    let message = root
        .query_selector(&format!("#{described}"))
        .unwrap()
        .unwrap();
    assert_eq!(
        message.text_content().unwrap(),
        "Choose one of the options."
    );
    // A required field is not marked; an optional one says "(optional)".
    assert_eq!(texts(&root, "label"), vec!["Size"]);

    // Answering keeps the answer under the field's name and clears its error.
    let select: web_sys::HtmlSelectElement = control.unchecked_into();
    select.set_value("L");
    // As a browser does: an `input` event that bubbles from the control.
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let input = web_sys::Event::new_with_event_init_dict("input", &init).unwrap();
    select.dispatch_event(&input).unwrap();
    until("aria-invalid gone", || {
        select.get_attribute("aria-invalid").is_none()
    })
    .await;
    assert_eq!(
        answers.values.get_untracked().get("size"),
        Some(&FieldValue::Text("L".into()))
    );
    assert!(answers.errors.get_untracked().is_empty());
    assert!(select.get_attribute("aria-invalid").is_none());
}

#[wasm_bindgen_test]
async fn profile_header_shows_the_details_each_blank_as_its_answer_or_what_it_stands_for() {
    let root = container();
    let profile = Profile {
        id: "intro".into(),
        title: "Intro call with {{name}}".into(),
        description: "A call about {{topic}} for {{company}}. {{unclosed".into(),
        time_zone: "America/New_York".into(),
        durations: vec![30],
        location: Some("Google Meet".into()),
        requires_confirmation: false,
        fields: vec![Field {
            name: "topic".into(),
            label: "Topic".into(),
            kind: FieldKind::Text,
            required: true,
            default: None,
            options: vec![],
        }],
        hold_minutes: 0,
    };
    let text = profile.description.clone();
    let description = RwSignal::new(blanks(&text, &|_| String::new()));
    let _h = leptos::mount::mount_to(root.clone(), move || {
        view! { <ProfileHeader profile description /> }
    });
    // What a blank stands for, by its name; never "….".
    assert_eq!(texts(&root, "h2"), vec!["Intro call with [name]"]);
    assert_eq!(
        texts(&root, "p"),
        vec![
            "A call about [topic] for [company]. {{unclosed",
            "Google Meet"
        ]
    );
    // Once answered, a blank reads as the answer (the flow sets it as the visitor types).
    let answer = |name: &str| match name {
        "topic" => "Pricing".to_string(),
        _ => String::new(),
    };
    description.set(blanks(&text, &answer));
    frame().await;
    assert_eq!(
        texts(&root, "p")[0],
        "A call about Pricing for [company]. {{unclosed"
    );
}

#[wasm_bindgen_test]
fn error_panel_says_what_happened_and_retries() {
    let root = container();
    let clicks = RwSignal::new(0);
    let on_retry = Some(Callback::new(move |()| clicks.update(|n| *n += 1)));
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        view! { <ErrorPanel message="Could not reach the booking service".to_string() on_retry retry_label="Try again" /> }
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

/// An error that asking again cannot mend (an unknown profile) offers no "Try again".
#[wasm_bindgen_test]
fn an_error_without_a_retry_offers_no_button() {
    let root = container();
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        view! { <ErrorPanel message="No booking profile \"nope\".".to_string() on_retry=None retry_label="Try again" /> }
    });
    let panel = root
        .query_selector("[part=error]")
        .unwrap()
        .expect("error part");
    assert!(panel.text_content().unwrap().contains("nope"));
    assert!(panel.query_selector("button").unwrap().is_none());
    let refused = |status| booking_widget::api::ApiFailure::Api {
        status,
        error: booking_wire::ApiError {
            code: booking_wire::ErrorCode::NotFound,
            message: String::new(),
            fields: None,
        },
    };
    assert!(!refused(404).retryable() && !refused(400).retryable());
    assert!(refused(503).retryable() && refused(429).retryable());
    assert!(booking_widget::api::ApiFailure::Network.retryable());
}
