//! Weekly work hours: `mon = ["09:00-12:00", "13:00-17:00"]`, wall-clock times in the
//! profile's zone. `24:00` may end a day.

use chrono::Weekday;

use super::raw::RawHours;

/// Minutes after local midnight, `start < end <= 1440`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Interval {
    pub start: u32,
    pub end: u32,
}

/// Sorted, non-overlapping intervals for each weekday (Monday first).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WeekHours {
    days: [Vec<Interval>; 7],
}

impl WeekHours {
    pub fn on(&self, day: Weekday) -> &[Interval] {
        &self.days[day.num_days_from_monday() as usize]
    }

    /// No working time on any day.
    pub fn is_empty(&self) -> bool {
        self.days.iter().all(|d| d.is_empty())
    }

    /// Builds from intervals per weekday (for tests and benchmarks); checks like `parse`.
    pub fn from_days(days: [Vec<Interval>; 7]) -> Self {
        Self { days }
    }

    /// On error: the day key and what is wrong.
    pub(super) fn parse(raw: &RawHours) -> Result<Self, (&'static str, String)> {
        let days = [
            ("mon", &raw.mon),
            ("tue", &raw.tue),
            ("wed", &raw.wed),
            ("thu", &raw.thu),
            ("fri", &raw.fri),
            ("sat", &raw.sat),
            ("sun", &raw.sun),
        ];
        let mut out = Self::default();
        for (i, (key, ranges)) in days.into_iter().enumerate() {
            let mut intervals = ranges
                .iter()
                .flatten()
                .map(|r| interval(r).map_err(|m| (key, m)))
                .collect::<Result<Vec<_>, _>>()?;
            intervals.sort();
            if let Some(w) = intervals.windows(2).find(|w| w[1].start < w[0].end) {
                return Err((key, format!("{} overlaps {}", show(w[0]), show(w[1]))));
            }
            out.days[i] = intervals;
        }
        Ok(out)
    }
}

fn interval(range: &str) -> Result<Interval, String> {
    let bad = || format!("{range:?} is not a range like \"09:00-17:00\"");
    let (a, b) = range.split_once('-').ok_or_else(bad)?;
    let start = minutes(a.trim())
        .ok_or_else(|| format!("{range:?}: {a:?} is not a time (00:00 to 24:00)"))?;
    let end = minutes(b.trim())
        .ok_or_else(|| format!("{range:?}: {b:?} is not a time (00:00 to 24:00)"))?;
    if start >= end {
        return Err(format!("{range:?} ends before it starts"));
    }
    Ok(Interval { start, end })
}

/// `HH:MM` → minutes after midnight; `24:00` is the end of the day.
fn minutes(t: &str) -> Option<u32> {
    let (h, m) = t.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    match (h, m) {
        (24, 0) => Some(1440),
        (0..=23, 0..=59) => Some(h * 60 + m),
        _ => None,
    }
}

fn show(i: Interval) -> String {
    format!(
        "{:02}:{:02}-{:02}:{:02}",
        i.start / 60,
        i.start % 60,
        i.end / 60,
        i.end % 60
    )
}
