//! The text and HTML bodies of an email.

use super::*;

/// Label and value lines under the headline.
pub(super) fn details(
    t: &Texts,
    b: &Data,
    fields: &[Field],
    when: &str,
    words: &Words<'_>,
    host_copy: bool,
) -> Vec<(String, String)> {
    let mut out = vec![(t.when.to_owned(), when.to_owned())];
    if let Some(location) = b.location.as_deref().filter(|l| !l.is_empty()) {
        out.push((t.place.to_owned(), location.to_owned()));
    }
    if let Some(reason) = b.reason.as_deref().filter(|_| words.headline != t.reminder) {
        out.push((t.reason.to_owned(), t.reason_text(reason).to_owned()));
    }
    if host_copy {
        out.push((t.booked_by.to_owned(), format!("{} <{}>", b.name, b.email)));
    }
    for (name, value) in &b.fields {
        let label = fields
            .iter()
            .find(|f| &f.name == name)
            .map_or(name.as_str(), |f| f.label.as_str());
        out.push((label.to_owned(), answer(value)));
    }
    if !b.notes.trim().is_empty() {
        out.push((t.notes.to_owned(), b.notes.trim().to_owned()));
    }
    if !b.guests.is_empty() {
        out.push((t.guests.to_owned(), b.guests.join(", ")));
    }
    out
}

pub(super) fn answer(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Bool(true) => "✓".into(),
        serde_json::Value::Bool(false) => "✗".into(),
        serde_json::Value::Array(items) => items.iter().map(answer).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

pub(super) fn text_body(
    t: &Texts,
    b: &Data,
    words: &Words<'_>,
    details: &[(String, String)],
    link: Option<&str>,
    host_copy: bool,
) -> String {
    let mut out = String::new();
    if !host_copy {
        out.push_str(&t.greeting.replace("{name}", &b.name));
        out.push_str("\n\n");
    }
    out.push_str(words.headline);
    out.push_str("\n\n");
    out.push_str(&b.title);
    out.push('\n');
    for (label, value) in details {
        out.push_str(&format!("{label}: {value}\n"));
    }
    if let Some(link) = link {
        out.push_str(&format!("\n{}\n{link}\n", t.manage_hint));
    }
    out
}

/// The same, as HTML: every text from the booking escaped.
pub(super) fn html_body(
    t: &Texts,
    b: &Data,
    words: &Words<'_>,
    details: &[(String, String)],
    link: Option<&str>,
    host_copy: bool,
) -> String {
    let dir = if t.rtl { "rtl" } else { "ltr" };
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\" dir=\"{dir}\">\n<head><meta charset=\"utf-8\"><title>{}</title></head>\n<body>\n",
        t.lang,
        encode_text(&b.title)
    );
    if !host_copy {
        let greeting = t.greeting.replace("{name}", &b.name);
        out.push_str(&format!("<p>{}</p>\n", encode_text(&greeting)));
    }
    out.push_str(&format!(
        "<p>{}</p>\n<h1>{}</h1>\n<table>\n",
        encode_text(words.headline),
        encode_text(&b.title)
    ));
    for (label, value) in details {
        let value = encode_text(value).replace('\n', "<br>");
        out.push_str(&format!(
            "<tr><th>{}</th><td>{value}</td></tr>\n",
            encode_text(label)
        ));
    }
    out.push_str("</table>\n");
    if let Some(link) = link {
        out.push_str(&format!(
            "<p>{}<br><a href=\"{}\">{}</a></p>\n",
            encode_text(t.manage_hint),
            encode_double_quoted_attribute(link),
            encode_text(t.manage)
        ));
    }
    out.push_str("</body>\n</html>\n");
    out
}

/// A header's text: no control characters (no CR/LF to start another header).
pub(super) fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}
