//! The widget's stylesheet: tokens first, then one file per component, minified into
//! `$OUT_DIR/widget.css` for `src/mount.rs` to compile in (the comments and indentation
//! are for people, not visitors).

use std::{env, fs, path::Path};

const PARTS: [&str; 10] = [
    "tokens",
    "base",
    "skeleton",
    "error_panel",
    "profile_header",
    "field_input",
    "booker",
    "month_view",
    "time_list",
    "confirmation",
];

fn main() {
    let mut css = String::new();
    for part in PARTS {
        let path = format!("style/{part}.css");
        println!("cargo:rerun-if-changed={path}");
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
