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
/// and Office 365 (the services' documented "add event" URLs), in that order, with the
/// booking's `manage` page in the event's text.
pub fn links(booking: &booking_wire::Booking, manage: &str) -> [String; 3] {
    // The event's text: what it is, and where to manage it.
    let mut details = booking.title.clone();
    details.push('\n');
    details.push_str(manage);
    let location = booking.location.as_deref().unwrap_or_default();
    let mut dates = stamp(booking.start);
    dates.push('/');
    dates.push_str(&stamp(booking.end));
    let google = query(
        "https://calendar.google.com/calendar/render?action=TEMPLATE",
        &[
            ("text", &booking.title),
            ("dates", &dates),
            ("details", &details),
            ("location", location),
        ],
    );
    // Outlook.com and Office 365 take the same query, each on its own host.
    let outlook = query(
        "/calendar/0/action/compose?rru=addevent",
        &[
            ("subject", &booking.title),
            ("startdt", &time_text(&booking.start)),
            ("enddt", &time_text(&booking.end)),
            ("body", &details),
            ("location", location),
        ],
    );
    [
        google,
        format!("https://outlook.live.com{outlook}"),
        format!("https://outlook.office.com{outlook}"),
    ]
}

/// `base` (which has a query already) with `pairs` added, each value encoded by the browser.
fn query(base: &str, pairs: &[(&str, &str)]) -> String {
    let mut url = base.to_owned();
    for (name, value) in pairs {
        url.push('&');
        url.push_str(name);
        url.push('=');
        url.push_str(&String::from(js_sys::encode_uri_component(value)));
    }
    url
}
