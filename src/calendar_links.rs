//! An iCalendar (.ics) event for a booking, made in the browser (RFC 5545).

use chrono::{DateTime, Utc};
use wasm_bindgen::JsValue;

use booking_wire::js::time_text;
use booking_wire::BookingStatus;

/// `20260302T090000Z`: the browser's ISO form without its separators (and fractions of a
/// second, which bookings do not have).
fn stamp(t: DateTime<Utc>) -> String {
    let iso = time_text(&t);
    let whole = iso.get(..19).unwrap_or(&iso);
    let mut out: String = whole.chars().filter(|c| !matches!(c, '-' | ':')).collect();
    out.push('Z');
    out
}

/// Escapes text values: backslash, semicolon, comma and newlines.
fn text(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace('\n', "\\n")
}

/// The calendar file's text, made at `made` (its `DTSTAMP`); a pending booking is
/// `TENTATIVE`. A booking's manage page, when given, is its `URL` and is in its
/// `DESCRIPTION`, where calendar apps show it.
pub fn event(booking: &booking_wire::Booking, manage: Option<&str>, made: DateTime<Utc>) -> String {
    let status = match booking.status {
        BookingStatus::Pending => "TENTATIVE",
        BookingStatus::Cancelled => "CANCELLED",
        _ => "CONFIRMED",
    };
    let mut description = booking.title.clone();
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".into(),
        "PRODID:-//booking-widget//EN".into(),
        "BEGIN:VEVENT".into(),
        format!("UID:{}@booking-widget", booking.id),
        format!("DTSTAMP:{}", stamp(made)),
        format!("DTSTART:{}", stamp(booking.start)),
        format!("DTEND:{}", stamp(booking.end)),
        format!("SUMMARY:{}", text(&booking.title)),
        format!("STATUS:{status}"),
    ];
    if let Some(location) = &booking.location {
        lines.push(format!("LOCATION:{}", text(location)));
    }
    if let Some(link) = manage {
        // A URI value is not escaped as text is (RFC 5545 3.3.13).
        lines.push(format!("URL:{link}"));
        description = format!("{description}\nManage: {link}");
    }
    lines.push(format!("DESCRIPTION:{}", text(&description)));
    lines.extend(["END:VEVENT".into(), "END:VCALENDAR".into(), String::new()]);
    lines
        .iter()
        .map(|l| fold(l))
        .collect::<Vec<_>>()
        .join("\r\n")
}

/// A content line folded after 75 octets, never inside a character (RFC 5545 3.1): the
/// rest goes on lines that start with a space.
fn fold(line: &str) -> String {
    let mut out = String::new();
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        width += c.len_utf8();
        out.push(c);
    }
    out
}

/// A `blob:` URL for the file (allowed by a strict CSP, unlike inline data).
pub fn object_url(booking: &booking_wire::Booking, manage: Option<&str>) -> Option<String> {
    let file = event(booking, manage, crate::time::now());
    let parts = js_sys::Array::of1(&JsValue::from_str(&file));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/calendar");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).ok()?;
    web_sys::Url::create_object_url_with_blob(&blob).ok()
}
