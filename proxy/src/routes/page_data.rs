//! What the booking page carries for the widget (`booking_wire::PageData`): the profile and
//! the current month's free slots, so the widget draws the calendar with no round trip.
//! Written into the page as JSON data, which a Content-Security-Policy leaves alone (it is
//! never run), escaped so no text in it can end the element.

use booking_wire::{PageData, SlotSpan};
use chrono::{Datelike, Months, NaiveDate, TimeDelta, Utc};

use crate::state::AppState;

/// The element's id, which the widget looks for.
pub const ELEMENT_ID: &str = "bw-page-data";

/// The data for `profile`'s page; `None` when the profile cannot be read now (the widget
/// then asks itself and shows why not). Slots the provider cannot give now are left out.
pub async fn for_profile(state: &AppState, profile: &str) -> Option<PageData> {
    let provider = state.provider(profile).await.ok()?;
    let mut data = PageData {
        profile: state.profile(profile).await.ok()?,
        slots: None,
    };
    let duration = *data.profile.durations.first()?;
    let (from, to) = month_everywhere(Utc::now().date_naive())?;
    if let Ok(slots) = provider.slots(from, to, duration).await {
        data.slots = Some(SlotSpan {
            from,
            to,
            duration,
            slots,
        });
    }
    Some(data)
}

/// `html` with the data as a JSON element before `</body>`.
pub fn insert(html: &str, data: &PageData) -> String {
    let Ok(json) = serde_json::to_string(data) else {
        return html.to_owned();
    };
    // `<`, `>` and `&` only ever stand inside JSON strings: written as escapes there, no
    // text can close the element or open another.
    let json = json
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026");
    let element = format!(r#"<script type="application/json" id="{ELEMENT_ID}">{json}</script>"#);
    match html.rfind("</body>") {
        Some(at) => format!("{}{element}{}", &html[..at], &html[at..]),
        None => format!("{html}{element}"),
    }
}

/// The instants that hold `today`'s month (UTC's calendar) in every zone: from its first
/// day's start at UTC+14 to its end at UTC−12.
fn month_everywhere(today: NaiveDate) -> Option<(chrono::DateTime<Utc>, chrono::DateTime<Utc>)> {
    let first = today.with_day(1)?;
    let next = first.checked_add_months(Months::new(1))?;
    let start = first.and_hms_opt(0, 0, 0)?.and_utc() - TimeDelta::hours(14);
    let end = next.and_hms_opt(0, 0, 0)?.and_utc() + TimeDelta::hours(12);
    Some((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;
    use booking_wire::Profile;

    fn profile(title: &str) -> Profile {
        Profile {
            id: "p".into(),
            title: title.into(),
            description: String::new(),
            time_zone: "UTC".into(),
            durations: vec![30],
            location: None,
            requires_confirmation: false,
            fields: vec![],
            hold_minutes: 0,
        }
    }

    #[test]
    fn no_text_in_the_data_can_end_its_element() {
        let data = PageData {
            profile: profile("</script><script>alert(1)</script> & <!--"),
            slots: None,
        };
        let page = insert("<html><body><main></main></body></html>", &data);
        assert_eq!(page.matches("</script>").count(), 1, "{page}");
        assert!(!page.contains("<!--"));
        let start = page.find("\">").unwrap() + 2;
        let end = page.rfind("</script>").unwrap();
        let back: PageData = serde_json::from_str(&page[start..end]).unwrap();
        assert_eq!(back, data, "the JSON reads back as written");
        assert!(page.ends_with("</script></body></html>"));
    }

    #[test]
    fn the_span_holds_the_month_in_every_zone() {
        let (from, to) = month_everywhere(NaiveDate::from_ymd_opt(2026, 12, 2).unwrap()).unwrap();
        assert_eq!(from.to_rfc3339(), "2026-11-30T10:00:00+00:00");
        assert_eq!(to.to_rfc3339(), "2027-01-01T12:00:00+00:00");
    }
}
