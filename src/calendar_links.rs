//! "Add to calendar" links for a booking, made in the browser: the calendar services' own
//! "add event" pages, filled in. The .ics file comes from the proxy (`ApiClient::calendar_file`).

use chrono::{DateTime, Utc};

use booking_wire::js::time_text;

/// `20260302T090000Z`: the browser's ISO form without its separators (and fractions of a
/// second, which bookings do not have).
fn stamp(t: DateTime<Utc>) -> String {
    let iso = time_text(&t);
    let whole = iso.get(..19).unwrap_or(&iso);
    let mut out: String = whole.chars().filter(|c| !matches!(c, '-' | ':')).collect();
    out.push('Z');
    out
}

/// Links that open the booking as a new event, filled in, in Google Calendar, Outlook.com
/// and Office 365 (the services' documented "add event" URLs), each with its name.
pub fn links(booking: &booking_wire::Booking, manage: Option<&str>) -> [(&'static str, String); 3] {
    let (start, end) = (time_text(&booking.start), time_text(&booking.end));
    let mut details = booking.title.clone();
    if let Some(link) = manage {
        details.push('\n');
        details.push_str(link);
    }
    let location = booking.location.clone().unwrap_or_default();
    let google = query(&[
        ("action", "TEMPLATE"),
        ("text", &booking.title),
        (
            "dates",
            &format!("{}/{}", stamp(booking.start), stamp(booking.end)),
        ),
        ("details", &details),
        ("location", &location),
    ]);
    // Outlook.com and Office 365 take the same form, each on its own host.
    let outlook = query(&[
        ("rru", "addevent"),
        ("subject", &booking.title),
        ("startdt", &start),
        ("enddt", &end),
        ("body", &details),
        ("location", &location),
    ]);
    let compose = "/calendar/0/action/compose?";
    [
        (
            "Google",
            format!("https://calendar.google.com/calendar/render?{google}"),
        ),
        (
            "Outlook.com",
            format!("https://outlook.live.com{compose}{outlook}"),
        ),
        (
            "Office 365",
            format!("https://outlook.office.com{compose}{outlook}"),
        ),
    ]
}

/// `pairs` as a URL's query, encoded by the browser.
fn query(pairs: &[(&str, &str)]) -> String {
    match web_sys::UrlSearchParams::new() {
        Ok(params) => {
            for (name, value) in pairs {
                params.append(name, value);
            }
            params.to_string().into()
        }
        Err(_) => String::new(),
    }
}
