//! `{{name}}` placeholders in a profile's title and description: the proxy turns them
//! into fields and fills them on booking; the widget shows blanks until then.

/// `text` with each `{{…}}` replaced by what `fill` gives for its trimmed name; `None`
/// keeps the placeholder as written. An unclosed `{{` is left alone.
pub fn replace(text: &str, mut fill: impl FnMut(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = find(rest, b"{{") {
        let Some(close) = find(&rest[open + 2..], b"}}") else {
            break;
        };
        let whole = &rest[open..open + 2 + close + 2];
        out.push_str(&rest[..open]);
        match fill(whole[2..whole.len() - 2].trim()) {
            Some(value) => out.push_str(&value),
            None => out.push_str(whole),
        }
        rest = &rest[open + whole.len()..];
    }
    out.push_str(rest);
    out
}

/// Where the two ASCII bytes `pair` first occur (a byte search: `str::find` with a string
/// pattern brings a substring searcher of 1 KB into the widget).
fn find(text: &str, pair: &[u8; 2]) -> Option<usize> {
    text.as_bytes().windows(2).position(|w| w == pair)
}

/// The names of well-formed placeholders (letters, digits, `_`, `-`), in order of first
/// appearance.
pub fn names(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    replace(text, |name| {
        let word = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if word && !out.iter().any(|o| o == name) {
            out.push(name.to_owned());
        }
        None
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_found_and_replaced_once_each() {
        let text = "Call with {{name}} about {{ topic }}, {{topic}}, {{bad name}} and {{open";
        assert_eq!(names(text), vec!["name", "topic"]);
        let filled = replace(text, |n| (n == "topic").then(|| "pricing".to_owned()));
        assert_eq!(
            filled,
            "Call with {{name}} about pricing, pricing, {{bad name}} and {{open"
        );
        assert_eq!(replace("{{a}}{{b}}", |_| Some("…".into())), "……");
    }
}
