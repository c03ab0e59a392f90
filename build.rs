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
/// the booking bundle.
const MANAGE_ONLY: [&str; 2] = ["move_form", "manage"];

/// Components drawn with the shared classes only.
const STYLE_LESS: [&str; 0] = [];

/// The loader's launcher (loader/widget.js adopts the same stylesheet), last.
const LOADER: [&str; 1] = ["launcher"];

/// style/ files that are not the widget's: the public page's own (index.html).
const NOT_WIDGET: [&str; 1] = ["page"];

fn main() {
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
