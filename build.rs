//! The widget's stylesheet: the shared files first, then each component's file (a
//! component in `src/components/x.rs` has its CSS in `style/x.css`), then the loader's
//! launcher, minified into
//! `$OUT_DIR/widget.css` for `src/mount.rs` to compile in (the comments and indentation
//! are for people, not visitors). A component without a CSS file, or a CSS file without
//! its component, fails the build.

use std::{env, fs, path::Path};

/// Design tokens and what every component shares, in this order, first.
const SHARED: [&str; 2] = ["tokens", "base"];

/// The components' files, in the order they are joined (a later rule wins a tie).
const COMPONENTS: [&str; 12] = [
    "skeleton",
    "error_panel",
    "profile_header",
    "field_input",
    "booking_form",
    "booker",
    "preferences",
    "month_view",
    "time_list",
    "confirmation",
    "move_form",
    "manage",
];

/// Components only the manage bundle has (the `manage` feature): their CSS is left out of
/// the booking bundle. (An embedded booking widget's skeleton is the loader's own.)
const MANAGE_ONLY: [&str; 3] = ["move_form", "manage", "skeleton"];

/// Components drawn with the shared classes only.
const STYLE_LESS: [&str; 0] = [];

/// The loader's launcher (loader/widget.js adopts the same stylesheet), last.
const LOADER: [&str; 1] = ["launcher"];

/// style/ files that are not the widget's: the public page's own (index.html).
const NOT_WIDGET: [&str; 1] = ["page"];

fn main() {
    strings();
    println!("cargo:rerun-if-changed=src/components");
    println!("cargo:rerun-if-changed=style");
    for component in stems("src/components", "rs") {
        if component != "mod"
            && !COMPONENTS.contains(&component.as_str())
            && !STYLE_LESS.contains(&component.as_str())
        {
            panic!(
                "src/components/{component}.rs has no style/{component}.css: add one and list \
                 it in build.rs's COMPONENTS, or list the component in STYLE_LESS"
            );
        }
    }
    for style in stems("style", "css") {
        let known = [&SHARED[..], &COMPONENTS[..], &LOADER[..], &NOT_WIDGET[..]].concat();
        if !known.contains(&style.as_str()) {
            panic!("style/{style}.css belongs to no component: name it after one (build.rs)");
        }
    }
    let manage = env::var_os("CARGO_FEATURE_MANAGE").is_some();
    let mut css = String::new();
    let parts = SHARED.iter().chain(&COMPONENTS).chain(&LOADER);
    for part in parts.filter(|p| manage || !MANAGE_ONLY.contains(p)) {
        let path = format!("style/{part}.css");
        let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        css.push_str(&text);
        css.push('\n');
    }
    let small = minifier::css::minify(&css)
        .unwrap_or_else(|e| panic!("style/*.css: {e}"))
        .to_string();
    let out = env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    fs::write(Path::new(&out).join("widget.css"), small).expect("write widget.css");
}

/// The languages' strings (`i18n/{lang}.json`, one object of texts each) as Rust: the
/// `Strings` struct with a field per key of English, English compiled in, and a reader for
/// the other languages, which the widget fetches from the proxy when a visitor reads them
/// (natively, for tests, every language is compiled in). Another language's file must have
/// exactly English's keys, each template with English's `{}` blanks (`plural_form`).
fn strings() {
    println!("cargo:rerun-if-changed=i18n");
    // The loader's strings (loader/widget.js reads them from the file it fetches, with
    // English of its own) are checked here but not compiled into the wasm.
    let read = |lang: &str| -> serde_json::Map<String, serde_json::Value> {
        let path = format!("i18n/{lang}.json");
        let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let mut map: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
        for key in LOADER_KEYS {
            match map.remove(key) {
                Some(serde_json::Value::String(text)) if !text.is_empty() => {}
                _ => panic!("{path}: \"{key}\" (the loader's) is missing or not text"),
            }
        }
        map
    };
    let english = read("en");
    let others: Vec<String> = stems("i18n", "json")
        .into_iter()
        .filter(|l| l != "en")
        .collect();
    let text = |lang: &str, map: &serde_json::Map<String, serde_json::Value>, key: &str| match map
        .get(key)
        .and_then(|v| v.as_str())
    {
        Some(text) => text.to_owned(),
        None => panic!("i18n/{lang}.json: \"{key}\" is missing or not text"),
    };
    let blanks = |s: &str| s.matches("{}").count();
    let mut code = String::from(
        "/// One language's strings. `{}` marks where a value goes.\npub struct Strings {\n    pub lang: &'static str,\n",
    );
    for key in english.keys() {
        code += &format!("    pub {key}: &'static str,\n");
    }
    let n = english.len();
    code += &format!(
        "}}\n\n/// The keys of a language's file, in the fields' order.\nconst KEYS: [&str; {n}] = [{}];\n\n",
        english.keys().map(|k| format!("{k:?}")).collect::<Vec<_>>().join(", ")
    );
    code += &format!("/// English's texts in `KEYS`' order.\nconst ENGLISH: [&str; {n}] = [\n");
    for key in english.keys() {
        code += &format!("    {:?},\n", text("en", &english, key));
    }
    code += "];\n\n/// English, compiled in: the default, and the text of a key another language lacks.\npub static EN: Strings = Strings::of(\"en\", ENGLISH);\n\n";
    code += "/// The languages a visitor may read: English and those fetched on demand.\npub const LANGUAGES: [&str; ";
    code += &format!(
        "{}] = [\"en\", {}];\n\n",
        others.len() + 1,
        others
            .iter()
            .map(|l| format!("{l:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    // One loop over the keys, not a call per field: the wasm reads any number of strings
    // with the same few bytes of code.
    code += "impl Strings {\n    /// A language from its file's texts, read by `text`; English where one is missing.\n    pub fn read(lang: &'static str, text: &dyn Fn(&str) -> Option<&'static str>) -> Self {\n        let mut texts = ENGLISH;\n        for (slot, key) in texts.iter_mut().zip(KEYS) {\n            if let Some(found) = text(key) {\n                *slot = found;\n            }\n        }\n        Self::of(lang, texts)\n    }\n\n";
    code += &format!("    const fn of(lang: &'static str, t: [&'static str; {n}]) -> Self {{\n        Self {{\n            lang,\n");
    for (i, key) in english.keys().enumerate() {
        code += &format!("            {key}: t[{i}],\n");
    }
    code += "        }\n    }\n}\n\n/// Every language compiled in, natively (the widget's tests); the wasm fetches them.\n#[cfg(not(target_arch = \"wasm32\"))]\npub static BUILT_IN: [Strings; ";
    code += &format!("{}] = [\n", others.len());
    for lang in &others {
        let map = read(lang);
        if let Some(extra) = map.keys().find(|k| !english.contains_key(*k)) {
            panic!("i18n/{lang}.json: \"{extra}\" is not a key of i18n/en.json");
        }
        code += &format!("    Strings {{\n        lang: {lang:?},\n");
        for key in english.keys() {
            let value = text(lang, &map, key);
            let fits = match plural_form(key) {
                true => blanks(&value) <= 1,
                false => !value.is_empty() && blanks(&value) == blanks(&text("en", &english, key)),
            };
            if !fits {
                panic!("i18n/{lang}.json: \"{key}\" needs the blanks ({{}}) English has");
            }
            code += &format!("        {key}: {value:?},\n");
        }
        code += "    },\n";
    }
    code += "];\n";
    let out = env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    fs::write(Path::new(&out).join("strings.rs"), code).expect("write strings.rs");
}

/// The keys of `i18n/*.json` that only the loader reads: the popup's button and close
/// button, and the skeleton's hidden "Loading…".
const LOADER_KEYS: [&str; 3] = ["book_time", "close", "loading"];

/// A message's form for one plural category (`n_times_one`), beside its `other` form
/// (`n_times`): empty where the language uses `other`, and it may leave the number out
/// ("موعدان متاحان", two times).
fn plural_form(key: &str) -> bool {
    ["_zero", "_one", "_two", "_few", "_many"]
        .iter()
        .any(|category| key.ends_with(category))
}

/// The names of the files in `dir` ending in `.ext`, without it.
fn stems(dir: &str, ext: &str) -> Vec<String> {
    let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("{dir}: {e}"));
    let mut names: Vec<String> = entries
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            (path.extension()? == ext).then(|| path.file_stem()?.to_str().map(String::from))?
        })
        .collect();
    names.sort();
    names
}
