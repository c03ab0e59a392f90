//! The slot engine: work hours, rules and existing bookings in, free slots out.
//! Pure: no I/O and no clock (`now` is an argument), so every case is testable exactly.
//!
//! Work hours are wall-clock times in the profile's zone. Each local day's grid is built
//! in wall-clock minutes and each grid point is turned into real instants with chrono-tz:
//! a local time that does not exist (spring forward) gives no slot, a repeated one (fall
//! back) gives one slot per real instant.

use chrono::{
    DateTime, Days, LocalResult, NaiveDate, NaiveDateTime, Offset, TimeDelta, TimeZone, Utc,
};
use chrono_tz::Tz;

use booking_wire::Slot;

use crate::config::{Interval, WeekHours};

/// Everything that decides which slots a profile offers, for one duration.
#[derive(Debug, Clone)]
pub struct Rules<'a> {
    pub zone: Tz,
    pub hours: &'a WeekHours,
    pub duration: TimeDelta,
    /// Between slot starts, from the start of each work interval.
    pub step: TimeDelta,
    /// Kept free after each booking (and so before each new slot's neighbour).
    pub buffer: TimeDelta,
    pub min_notice: TimeDelta,
    pub horizon: TimeDelta,
}

/// Existing bookings, sorted, with the running maximum of their ends so a conflict
/// check is one binary search.
#[derive(Debug, Default, Clone)]
pub struct Busy {
    by_start: Vec<Slot>,
    max_end: Vec<DateTime<Utc>>,
}

impl Busy {
    pub fn new(mut bookings: Vec<Slot>) -> Self {
        bookings.sort();
        let mut max_end = Vec::with_capacity(bookings.len());
        for b in &bookings {
            let prev = max_end.last().copied().unwrap_or(b.end);
            max_end.push(prev.max(b.end));
        }
        Self {
            by_start: bookings,
            max_end,
        }
    }

    /// Whether `slot` touches a booking or either one's buffer.
    pub fn conflicts(&self, slot: &Slot, buffer: TimeDelta) -> bool {
        // Bookings starting before the slot's buffered end…
        let n = self
            .by_start
            .partition_point(|b| b.start < slot.end + buffer);
        // …of which any ends (plus buffer) after the slot starts.
        n > 0 && self.max_end[n - 1] + buffer > slot.start
    }
}

/// Free slots starting in `window` (half-open), sorted, none before `now + min_notice`
/// or after `now + horizon`, none conflicting with `busy`.
pub fn free_slots(
    rules: &Rules,
    window: (DateTime<Utc>, DateTime<Utc>),
    now: DateTime<Utc>,
    busy: &Busy,
) -> Vec<Slot> {
    let earliest = window.0.max(now + rules.min_notice);
    let latest = window.1.min(now + rules.horizon);
    if earliest >= latest {
        return Vec::new();
    }
    let mut slots = candidates(rules, (earliest, latest));
    slots.retain(|s| !busy.conflicts(s, rules.buffer));
    slots
}

/// Every grid slot inside work hours starting in `window`, ignoring time and bookings.
pub fn candidates(rules: &Rules, window: (DateTime<Utc>, DateTime<Utc>)) -> Vec<Slot> {
    let (from, to) = window;
    let mut out = Vec::new();
    if from >= to || rules.duration <= TimeDelta::zero() || rules.step <= TimeDelta::zero() {
        return out;
    }
    // One local day either side: a zone's day can start up to 14 h from UTC's. At the
    // ends of chrono's range there is no such day, and no slot either.
    let first = from
        .with_timezone(&rules.zone)
        .date_naive()
        .checked_sub_days(Days::new(1));
    let last = to
        .with_timezone(&rules.zone)
        .date_naive()
        .checked_add_days(Days::new(1));
    let (Some(first), Some(last)) = (first, last) else {
        return out;
    };
    let step = rules.step.num_minutes().max(1) as u32;
    for day in first.iter_days().take_while(|d| *d <= last) {
        for interval in rules.hours.on(chrono::Datelike::weekday(&day)) {
            day_slots(rules, day, *interval, step, &mut out);
        }
    }
    out.retain(|s| s.start >= from && s.start < to);
    out.sort();
    out.dedup();
    out
}

fn day_slots(rules: &Rules, day: NaiveDate, work: Interval, step: u32, out: &mut Vec<Slot>) {
    let midnight = day.and_time(chrono::NaiveTime::MIN);
    let at = |minute: u32| midnight + TimeDelta::minutes(i64::from(minute));
    let mut minute = work.start;
    while minute < work.end {
        let starts = match rules.zone.from_local_datetime(&at(minute)) {
            LocalResult::None => [None, None],
            LocalResult::Single(t) => [Some(t), None],
            LocalResult::Ambiguous(a, b) => [Some(a), Some(b)],
        };
        for start in starts.into_iter().flatten() {
            if let Some(slot) = inside(rules.zone, midnight, work, start, rules.duration) {
                out.push(slot);
            }
        }
        minute += step;
    }
}

/// The slot starting at `at`, if the wall clock reads a time inside `work` at every
/// instant of it (minutes counted from the local day's midnight). With one offset the clock
/// runs straight; across a change (at most one: changes are months apart) each side is
/// checked.
fn inside(
    zone: Tz,
    midnight: NaiveDateTime,
    work: Interval,
    at: DateTime<Tz>,
    duration: TimeDelta,
) -> Option<Slot> {
    let slot = Slot {
        start: at.with_timezone(&Utc),
        end: at.with_timezone(&Utc) + duration,
    };
    let offset = |t: DateTime<Utc>| zone.offset_from_utc_datetime(&t.naive_utc()).fix();
    let wall_at =
        |t: DateTime<Utc>, o: chrono::FixedOffset| (t.naive_utc() + o - midnight).num_minutes();
    let (start, end) = (i64::from(work.start), i64::from(work.end));
    let first = at.offset().fix();
    let last = offset(slot.end);
    let (a, b) = (wall_at(slot.start, first), wall_at(slot.end, last));
    if first == last {
        return (a >= start && b <= end).then_some(slot);
    }
    // The change: the first minute on the new offset, found by halving.
    let (mut lo, mut hi) = (slot.start, slot.end);
    while hi - lo > TimeDelta::minutes(1) {
        let mid = lo + (hi - lo) / 2;
        if offset(mid) == first {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let before = a + (hi - slot.start).num_minutes();
    let after = wall_at(hi, last);
    (a >= start && before <= end && after >= start && b <= end).then_some(slot)
}

/// The first real instant at or after a local time, which may fall in a gap. Gaps are
/// whole minutes and never longer than a day, so a bounded minute walk finds the end.
fn first_instant_after(zone: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    (1..=24 * 60)
        .find_map(|m| {
            zone.from_local_datetime(&(local + TimeDelta::minutes(m)))
                .earliest()
        })
        .map(|t| t.with_timezone(&Utc))
        // Unreachable for real zones; fall back to reading the local time as UTC.
        .unwrap_or_else(|| Utc.from_utc_datetime(&local))
}

/// The real instants from `from` 00:00 to the end of `to` (inclusive) in `zone`.
pub fn day_window(from: NaiveDate, to: NaiveDate, zone: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
    let start = |d: NaiveDate| {
        let midnight = d.and_time(chrono::NaiveTime::MIN);
        match zone.from_local_datetime(&midnight) {
            LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
            LocalResult::None => first_instant_after(zone, midnight),
        }
    };
    (start(from), start(to + Days::new(1)))
}

/// Whether `start` is one of the grid slots of the profile for this duration (ignoring
/// bookings, notice and horizon). `start` comes from a request: any instant chrono holds.
pub fn on_grid(rules: &Rules, start: DateTime<Utc>) -> bool {
    let day = TimeDelta::days(1);
    let around = start
        .checked_sub_signed(day)
        .zip(start.checked_add_signed(day));
    around.is_some_and(|around| candidates(rules, around).iter().any(|s| s.start == start))
}

/// Whether `slot` is inside the notice and the horizon as of `now`.
pub fn bookable(rules: &Rules, now: DateTime<Utc>, slot: &Slot) -> bool {
    let earliest = now.checked_add_signed(rules.min_notice);
    let latest = now.checked_add_signed(rules.horizon);
    earliest.is_some_and(|e| slot.start >= e) && latest.is_some_and(|l| slot.start < l)
}

#[cfg(test)]
mod tests;
