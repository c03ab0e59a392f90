//! Every visible string, in one catalogue: en, de, fr, es, ja, ar (right to left).

use std::cell::RefCell;

use booking_wire::js;
use booking_wire::validate::FieldError;
use js_sys::{Array, Intl, Object, Promise};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::Response;

use crate::api::early;

#[cfg(feature = "manage")]
mod manage;
#[cfg(feature = "manage")]
pub use manage::{manage_strings, ManageStrings};

// `Strings`, `EN`, `LANGUAGES`, `Strings::read` and natively `BUILT_IN`, from i18n/*.json
// (build.rs).
include!(concat!(env!("OUT_DIR"), "/strings.rs"));

thread_local! {
    // The languages fetched so far, kept for the page's life (a few kilobytes each).
    static LOADED: RefCell<Vec<&'static Strings>> = const { RefCell::new(Vec::new()) };
}

/// A tag's language as the catalogue names it (`de-AT` → `de`), when it has it.
fn language(locale: &str) -> Option<&'static str> {
    let lang = locale.split(['-', '_']).next()?.to_ascii_lowercase();
    LANGUAGES.into_iter().find(|l| *l == lang)
}

/// The strings for a BCP 47 tag (`de-AT` → German); English when the language is missing
/// or not fetched yet (`load`).
pub fn strings(locale: &str) -> &'static Strings {
    let Some(lang) = language(locale) else {
        return &EN;
    };
    #[cfg(not(target_arch = "wasm32"))]
    if let Some(built_in) = BUILT_IN.iter().find(|s| s.lang == lang) {
        return built_in;
    }
    LOADED
        .with(|l| l.borrow().iter().copied().find(|s| s.lang == lang))
        .unwrap_or(&EN)
}

pub fn is_rtl(locale: &str) -> bool {
    language(locale) == Some("ar")
}

/// Starts fetching `locale`'s strings from the proxy at `base` (`{base}/i18n/{lang}.json`,
/// or the loader's request for it), unless they are here; `receive` takes them in. Started
/// before the profile is awaited, the two requests run side by side.
pub fn request(base: &str, locale: &str) -> Option<(&'static str, Promise)> {
    let lang = language(locale)?;
    if strings(locale).lang == lang {
        return None;
    }
    let url = format!("{}/i18n/{lang}.json", base.trim_end_matches('/'));
    let promise = early::request(&url).or_else(|| Some(web_sys::window()?.fetch_with_str(&url)))?;
    Some((lang, promise))
}

/// Keeps the language a `request` brings; on a failure the widget stays in English.
pub async fn receive((lang, promise): (&'static str, Promise)) {
    let Ok(mut json) = JsFuture::from(promise).await else {
        return;
    };
    if let Some(response) = json.dyn_ref::<Response>() {
        let Some(body) = response.json().ok().filter(|_| response.ok()) else {
            return;
        };
        json = JsFuture::from(body).await.unwrap_or(JsValue::NULL);
    }
    keep(lang, &json);
}

/// Keeps a language's strings from its file's JSON (an object of texts; nothing else is).
pub fn keep(lang: &str, json: &JsValue) {
    let Some(lang) = language(lang).filter(|_| json.is_object()) else {
        return;
    };
    let text = |key: &str| Some(&*js::get(json, key).as_string()?.leak());
    let strings: &'static Strings = Box::leak(Box::new(Strings::read(lang, &text)));
    LOADED.with(|l| l.borrow_mut().push(strings));
}

/// Fetches `locale`'s strings unless they are here.
pub async fn load(base: &str, locale: &str) {
    if let Some(request) = request(base, locale) {
        receive(request).await;
    }
}

/// Puts `value` where the template has `{}` (the catalogue has no other `{`). Split at a
/// char rather than replacing the string "{}": a string pattern brings a substring
/// searcher into the wasm (docs/size.md, S12).
pub fn fill(template: &str, value: impl std::fmt::Display) -> String {
    match template.split_once('{') {
        Some((before, after)) => {
            let mut out = before.to_owned();
            out.push_str(&value.to_string());
            out.push_str(after.strip_prefix('}').unwrap_or(after));
            out
        }
        None => template.to_owned(),
    }
}

/// "1 time available", "5 times available": the count in its plural category's form
/// (`Intl.PluralRules` for the strings' language; an empty form is the `other` one).
pub fn n_times(s: &Strings, n: usize) -> String {
    let rules = Intl::PluralRules::new(&Array::of1(&s.lang.into()), &Object::new());
    let form = match rules.select(n as f64).as_string().as_deref() {
        Some("zero") => s.n_times_zero,
        Some("one") => s.n_times_one,
        Some("two") => s.n_times_two,
        Some("few") => s.n_times_few,
        Some("many") => s.n_times_many,
        _ => "",
    };
    fill(if form.is_empty() { s.n_times } else { form }, n)
}

/// The visitor's message for a validation error (the proxy's rule, our language).
pub fn field_error(s: &Strings, error: &FieldError) -> String {
    match error {
        FieldError::Required => s.required.into(),
        FieldError::InvalidEmail => s.invalid_email.into(),
        FieldError::InvalidPhone => s.invalid_phone.into(),
        FieldError::InvalidUrl => s.invalid_url.into(),
        FieldError::InvalidNumber => s.invalid_number.into(),
        FieldError::NotAnOption => s.not_an_option.into(),
        FieldError::TooLong { max } => fill(s.too_long, max),
        _ => s.invalid.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use booking_wire::validate::FieldError;

    #[test]
    fn validation_messages_come_from_the_shared_rules_in_the_visitors_language() {
        let de = strings("de-AT");
        assert_eq!(de.lang, "de");
        assert_eq!(
            field_error(de, &FieldError::Required),
            "Dieses Feld ist erforderlich."
        );
        assert_eq!(
            field_error(strings("fr"), &FieldError::TooLong { max: 500 }),
            "500 caractères au maximum."
        );
        assert_eq!(strings("xx").lang, "en");
        assert!(is_rtl("ar-EG") && !is_rtl("en"));
        let email = booking_wire::validate::check_email("a@b", true);
        assert_eq!(email, Err(FieldError::InvalidEmail));
    }

    /// `fill` splits at the first `{`: every template of every language has its one `{}` and
    /// no other brace, and the value lands where the `{}` was.
    #[test]
    fn every_language_fills_its_blanks_in_place() {
        for lang in ["en", "de", "fr", "es", "ja", "ar"] {
            let s = strings(lang);
            assert_eq!(s.lang, lang);
            for template in [s.times_heading, s.n_times, s.minutes, s.too_long] {
                // (`n_times`'s other forms may leave the number out: `n_times` below)
                assert_eq!(template.matches("{}").count(), 1, "{lang}: {template}");
                assert_eq!(
                    template.matches(['{', '}']).count(),
                    2,
                    "{lang}: {template}"
                );
                let (before, after) = template.split_once("{}").unwrap();
                assert_eq!(fill(template, 42), format!("{before}42{after}"));
            }
        }
        assert_eq!(fill("no blank", 1), "no blank");
    }

    /// The loader asks for the visitor's language beside the wasm: it knows every language
    /// the widget fetches, and no other.
    #[test]
    fn the_loader_prefetches_exactly_the_languages_the_widget_fetches() {
        let loader = include_str!("../../loader/widget.js");
        let fetched = format!("/^({})$/", LANGUAGES[1..].join("|"));
        assert!(
            loader.contains(&fetched),
            "loader/widget.js lacks {fetched}"
        );
        assert!(is_rtl("ar") && language("pt-BR").is_none());
    }
}
