//! Month-grid maths for the date picker: which dates a month shows and where the
//! keyboard moves focus (the WAI-ARIA date-grid pattern). Pure; no DOM.

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};

/// The first day of a week for a locale (Sunday in the US and Japan, Saturday in much of
/// the Arab world, Monday elsewhere).
pub fn first_weekday(locale: &str) -> Weekday {
    let lower = locale.to_ascii_lowercase();
    let lang = lower.split(['-', '_']).next().unwrap_or("");
    match lang {
        "ar" => Weekday::Sat,
        "ja" => Weekday::Sun,
        "en" if lower == "en" || lower.starts_with("en-us") || lower.starts_with("en-ca") => {
            Weekday::Sun
        }
        _ => Weekday::Mon,
    }
}

pub fn first_of_month(date: NaiveDate) -> NaiveDate {
    date.with_day(1).unwrap_or(date)
}

pub fn last_of_month(date: NaiveDate) -> NaiveDate {
    first_of_month(date) + Months::new(1) - Days::new(1)
}

/// The month's weeks, each seven cells; `None` pads before the 1st and after the last day.
pub fn month_weeks(month: NaiveDate, first: Weekday) -> Vec<[Option<NaiveDate>; 7]> {
    let start = first_of_month(month);
    let end = last_of_month(month);
    let lead = start.weekday().days_since(first) as u64;
    let mut cursor = start - Days::new(lead);
    let mut weeks = Vec::with_capacity(6);
    while cursor <= end {
        let mut week = [None; 7];
        for cell in &mut week {
            if cursor >= start && cursor <= end {
                *cell = Some(cursor);
            }
            cursor = cursor + Days::new(1);
        }
        weeks.push(week);
    }
    weeks
}

/// A key of the date grid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GridKey {
    Left,
    Right,
    Up,
    Down,
    Home,
    End,
    PageUp,
    PageDown,
}

impl GridKey {
    /// From `KeyboardEvent.key`.
    pub fn from_key(key: &str) -> Option<Self> {
        Some(match key {
            "ArrowLeft" => Self::Left,
            "ArrowRight" => Self::Right,
            "ArrowUp" => Self::Up,
            "ArrowDown" => Self::Down,
            "Home" => Self::Home,
            "End" => Self::End,
            "PageUp" => Self::PageUp,
            "PageDown" => Self::PageDown,
            _ => return None,
        })
    }
}

/// Where focus goes from `date`. Left and right follow reading direction (`rtl` swaps
/// them); Home and End go to the week's first and last day; PageUp and PageDown change
/// the month, keeping the day where the month has it.
pub fn move_focus(date: NaiveDate, key: GridKey, first: Weekday, rtl: bool) -> NaiveDate {
    let back = |n| date - Days::new(n);
    let fwd = |n| date + Days::new(n);
    let offset = date.weekday().days_since(first) as u64;
    match (key, rtl) {
        (GridKey::Left, false) | (GridKey::Right, true) => back(1),
        (GridKey::Right, false) | (GridKey::Left, true) => fwd(1),
        (GridKey::Up, _) => back(7),
        (GridKey::Down, _) => fwd(7),
        (GridKey::Home, _) => back(offset),
        (GridKey::End, _) => fwd(6 - offset),
        (GridKey::PageUp, _) => date - Months::new(1),
        (GridKey::PageDown, _) => date + Months::new(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn month_grid_pads_to_the_locales_first_weekday() {
        // 1 November 2026 is a Sunday.
        let monday = month_weeks(date("2026-11-01"), Weekday::Mon);
        assert_eq!(monday.len(), 6);
        assert_eq!(monday[0][..6], [None; 6]);
        assert_eq!(monday[0][6], Some(date("2026-11-01")));
        assert_eq!(monday[5][0], Some(date("2026-11-30")));
        let sunday = month_weeks(date("2026-11-15"), Weekday::Sun);
        assert_eq!(sunday.len(), 5);
        assert_eq!(sunday[0][0], Some(date("2026-11-01")));
        assert_eq!(sunday[4][1], Some(date("2026-11-30")));
        assert_eq!(
            (
                first_weekday("en-US"),
                first_weekday("de-DE"),
                first_weekday("ar"),
                first_weekday("ja-JP")
            ),
            (Weekday::Sun, Weekday::Mon, Weekday::Sat, Weekday::Sun)
        );
    }

    #[test]
    fn keyboard_moves_follow_the_date_grid_pattern() {
        let d = date("2026-03-31"); // a Tuesday
        let mon = Weekday::Mon;
        assert_eq!(
            move_focus(d, GridKey::Right, mon, false),
            date("2026-04-01")
        );
        assert_eq!(move_focus(d, GridKey::Left, mon, false), date("2026-03-30"));
        assert_eq!(
            move_focus(d, GridKey::Left, mon, true),
            date("2026-04-01"),
            "right to left"
        );
        assert_eq!(move_focus(d, GridKey::Up, mon, false), date("2026-03-24"));
        assert_eq!(move_focus(d, GridKey::Down, mon, false), date("2026-04-07"));
        assert_eq!(move_focus(d, GridKey::Home, mon, false), date("2026-03-30"));
        assert_eq!(move_focus(d, GridKey::End, mon, false), date("2026-04-05"));
        assert_eq!(
            move_focus(d, GridKey::Home, Weekday::Sun, false),
            date("2026-03-29")
        );
        assert_eq!(
            move_focus(d, GridKey::PageUp, mon, false),
            date("2026-02-28"),
            "clamped to February"
        );
        assert_eq!(
            move_focus(d, GridKey::PageDown, mon, false),
            date("2026-04-30")
        );
        assert_eq!(GridKey::from_key("PageDown"), Some(GridKey::PageDown));
        assert_eq!(GridKey::from_key("a"), None);
    }
}
