//! Exact vectors for zones with unusual offsets and both daylight-saving changes, and
//! properties over random rules and bookings.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc, Weekday};
use chrono_tz::Tz;
use proptest::prelude::*;

use super::*;
use crate::config::{Interval, WeekHours};

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn hm(s: &str) -> u32 {
    let (h, m) = s.split_once(':').unwrap();
    h.parse::<u32>().unwrap() * 60 + m.parse::<u32>().unwrap()
}

/// Work hours on one weekday only.
fn hours_on(day: Weekday, ranges: &[(&str, &str)]) -> WeekHours {
    let mut days: [Vec<Interval>; 7] = Default::default();
    days[day.num_days_from_monday() as usize] = ranges
        .iter()
        .map(|(a, b)| Interval {
            start: hm(a),
            end: hm(b),
        })
        .collect();
    WeekHours::from_days(days)
}

fn rules(zone: Tz, hours: &WeekHours, duration: i64, step: i64) -> Rules<'_> {
    Rules {
        zone,
        hours,
        duration: TimeDelta::minutes(duration),
        step: TimeDelta::minutes(step),
        buffer: TimeDelta::zero(),
        min_notice: TimeDelta::zero(),
        horizon: TimeDelta::days(365 * 100),
    }
}

/// Slot starts for local day `date` in the profile's zone, as RFC 3339 UTC strings.
fn starts_on(r: &Rules, date: &str) -> Vec<String> {
    let d: NaiveDate = date.parse().unwrap();
    let window = day_window(d, d, r.zone);
    free_slots(r, window, utc("2000-01-01T00:00:00Z"), &Busy::default())
        .iter()
        .map(|s| s.start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .collect()
}

#[test]
fn new_york_spring_forward_skips_the_missing_hour() {
    // 2026-03-08 02:00 EST jumps to 03:00 EDT.
    let hours = hours_on(Weekday::Sun, &[("00:00", "04:00")]);
    let r = rules(chrono_tz::America::New_York, &hours, 60, 30);
    assert_eq!(
        starts_on(&r, "2026-03-08"),
        [
            "2026-03-08T05:00:00Z", // 00:00 EST
            "2026-03-08T05:30:00Z", // 00:30 EST
            "2026-03-08T06:00:00Z", // 01:00 EST
            "2026-03-08T06:30:00Z", // 01:30 EST, ends 03:30 EDT
            "2026-03-08T07:00:00Z", // 03:00 EDT, ends 04:00 EDT (02:00 and 02:30 do not exist)
        ]
    );
}

#[test]
fn new_york_fall_back_gives_the_repeated_hour_once_per_instant() {
    // 2026-11-01 02:00 EDT falls back to 01:00 EST: 01:00-02:00 happens twice.
    let hours = hours_on(Weekday::Sun, &[("00:00", "03:00")]);
    let r = rules(chrono_tz::America::New_York, &hours, 60, 60);
    assert_eq!(
        starts_on(&r, "2026-11-01"),
        [
            "2026-11-01T04:00:00Z", // 00:00 EDT
            "2026-11-01T05:00:00Z", // 01:00 EDT
            "2026-11-01T06:00:00Z", // 01:00 EST
            "2026-11-01T07:00:00Z", // 02:00 EST, ends 03:00 EST
        ]
    );
}

#[test]
fn lord_howe_half_hour_shift_both_ways() {
    // 2026-10-04 02:00 (+10:30) jumps to 02:30 (+11).
    let hours = hours_on(Weekday::Sun, &[("01:00", "04:00")]);
    let r = rules(chrono_tz::Australia::Lord_Howe, &hours, 30, 30);
    assert_eq!(
        starts_on(&r, "2026-10-04"),
        [
            "2026-10-03T14:30:00Z", // 01:00 +10:30
            "2026-10-03T15:00:00Z", // 01:30 +10:30
            "2026-10-03T15:30:00Z", // 02:30 +11 (02:00 does not exist)
            "2026-10-03T16:00:00Z", // 03:00 +11
            "2026-10-03T16:30:00Z", // 03:30 +11
        ]
    );
    // 2026-04-05 02:00 (+11) falls back to 01:30 (+10:30): 01:30-02:00 happens twice.
    let hours = hours_on(Weekday::Sun, &[("01:00", "03:00")]);
    let r = rules(chrono_tz::Australia::Lord_Howe, &hours, 30, 30);
    assert_eq!(
        starts_on(&r, "2026-04-05"),
        [
            "2026-04-04T14:00:00Z", // 01:00 +11
            "2026-04-04T14:30:00Z", // 01:30 +11
            "2026-04-04T15:00:00Z", // 01:30 +10:30
            "2026-04-04T15:30:00Z", // 02:00 +10:30
            "2026-04-04T16:00:00Z", // 02:30 +10:30, ends 03:00
        ]
    );
}

#[test]
fn santiago_falls_back_at_midnight_so_the_last_hour_repeats() {
    // 2026-04-05 00:00 (-03) falls back to 2026-04-04 23:00 (-04): Saturday's 23:00-24:00
    // happens twice. Found by the property test below.
    let hours = hours_on(Weekday::Sat, &[("22:00", "24:00")]);
    let r = rules(chrono_tz::America::Santiago, &hours, 30, 30);
    assert_eq!(
        starts_on(&r, "2026-04-04"),
        [
            "2026-04-05T01:00:00Z", // 22:00 -03
            "2026-04-05T01:30:00Z", // 22:30 -03
            "2026-04-05T02:00:00Z", // 23:00 -03
            "2026-04-05T02:30:00Z", // 23:30 -03, ends as the clock goes back
            "2026-04-05T03:00:00Z", // 23:00 -04
            "2026-04-05T03:30:00Z", // 23:30 -04, ends at midnight
        ]
    );
    // Work ending at 23:00 ends the first time the clock reads 23:00.
    let hours = hours_on(Weekday::Sat, &[("22:00", "23:00")]);
    let r = rules(chrono_tz::America::Santiago, &hours, 30, 30);
    assert_eq!(
        starts_on(&r, "2026-04-04"),
        ["2026-04-05T01:00:00Z", "2026-04-05T01:30:00Z"]
    );
}

#[test]
fn kolkata_hourly_slots_fall_on_the_local_hour() {
    let hours = hours_on(Weekday::Mon, &[("09:00", "12:00")]);
    let r = rules(chrono_tz::Asia::Kolkata, &hours, 60, 60);
    assert_eq!(
        starts_on(&r, "2026-11-23"),
        [
            "2026-11-23T03:30:00Z",
            "2026-11-23T04:30:00Z",
            "2026-11-23T05:30:00Z"
        ]
    );
}

#[test]
fn chatham_quarter_hour_offset() {
    // 2026-06-01 is a Monday in Chatham's standard time, +12:45.
    let hours = hours_on(Weekday::Mon, &[("09:00", "11:00")]);
    let r = rules(chrono_tz::Pacific::Chatham, &hours, 30, 30);
    assert_eq!(
        starts_on(&r, "2026-06-01"),
        [
            "2026-05-31T20:15:00Z",
            "2026-05-31T20:45:00Z",
            "2026-05-31T21:15:00Z",
            "2026-05-31T21:45:00Z",
        ]
    );
}

#[test]
fn the_same_instants_fall_on_different_days_for_pago_pago_and_kiritimati() {
    // A UTC host working 03:00-07:00 every Monday; visitors 25 hours apart.
    let hours = hours_on(Weekday::Mon, &[("03:00", "07:00")]);
    let r = rules(chrono_tz::UTC, &hours, 60, 60);
    let now = utc("2026-11-01T00:00:00Z");
    let day = |date: &str, zone: Tz| {
        let d: NaiveDate = date.parse().unwrap();
        free_slots(&r, day_window(d, d, zone), now, &Busy::default())
            .iter()
            .map(|s| s.start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .collect::<Vec<_>>()
    };
    let all = [
        "2026-11-23T03:00:00Z",
        "2026-11-23T04:00:00Z",
        "2026-11-23T05:00:00Z",
        "2026-11-23T06:00:00Z",
    ];
    // Pago Pago is UTC-11: Monday 03:00Z-07:00Z is Sunday 16:00-20:00 there.
    assert_eq!(day("2026-11-22", chrono_tz::Pacific::Pago_Pago), all);
    assert!(day("2026-11-23", chrono_tz::Pacific::Pago_Pago).is_empty());
    // Kiritimati is UTC+14: the same instants are Monday 17:00-21:00 there.
    assert_eq!(day("2026-11-23", chrono_tz::Pacific::Kiritimati), all);
    assert!(day("2026-11-22", chrono_tz::Pacific::Kiritimati).is_empty());
}

#[test]
fn step_defaults_and_grid_are_anchored_on_each_interval() {
    let hours = hours_on(Weekday::Mon, &[("09:00", "10:00"), ("10:10", "11:10")]);
    let r = rules(chrono_tz::UTC, &hours, 30, 20);
    assert_eq!(
        starts_on(&r, "2026-11-23"),
        [
            "2026-11-23T09:00:00Z",
            "2026-11-23T09:20:00Z",
            "2026-11-23T10:10:00Z",
            "2026-11-23T10:30:00Z",
        ]
    );
    assert!(on_grid(&r, utc("2026-11-23T10:30:00Z")));
    assert!(
        !on_grid(&r, utc("2026-11-23T10:00:00Z")),
        "not on the grid of either interval"
    );
    assert!(
        !on_grid(&r, utc("2026-11-23T09:40:00Z")),
        "would end after 10:00"
    );
}

#[test]
fn notice_horizon_and_bookings_with_buffer_are_applied() {
    let hours = hours_on(Weekday::Mon, &[("09:00", "13:00")]);
    let mut r = rules(chrono_tz::UTC, &hours, 60, 30);
    r.buffer = TimeDelta::minutes(15);
    r.min_notice = TimeDelta::minutes(60);
    r.horizon = TimeDelta::hours(4);
    let now = utc("2026-11-23T08:30:00Z"); // earliest 09:30, latest 12:30
    let busy = Busy::new(vec![Slot {
        start: utc("2026-11-23T11:00:00Z"),
        end: utc("2026-11-23T11:30:00Z"),
    }]);
    let d: NaiveDate = "2026-11-23".parse().unwrap();
    let starts: Vec<_> = free_slots(&r, day_window(d, d, chrono_tz::UTC), now, &busy)
        .iter()
        .map(|s| s.start.format("%H:%M").to_string())
        .collect();
    // 09:30 ends 10:30 (clear of 10:45, the booking's buffered start); 10:00 ends 11:00,
    // whose buffer reaches into the booking; 11:30 starts inside the booking's buffer;
    // 12:00 starts at the booking's buffered end (11:45) + 15; 12:30 is past the horizon.
    assert_eq!(starts, ["09:30", "12:00"]);
}

#[test]
fn busy_conflicts_is_the_brute_force_answer() {
    let b = |s: &str, e: &str| Slot {
        start: utc(s),
        end: utc(e),
    };
    let busy = Busy::new(vec![
        b("2026-11-23T12:00:00Z", "2026-11-23T16:00:00Z"), // long booking first
        b("2026-11-23T13:00:00Z", "2026-11-23T13:30:00Z"),
    ]);
    let buffer = TimeDelta::minutes(10);
    assert!(busy.conflicts(&b("2026-11-23T15:00:00Z", "2026-11-23T15:30:00Z"), buffer));
    assert!(busy.conflicts(&b("2026-11-23T16:05:00Z", "2026-11-23T16:35:00Z"), buffer));
    assert!(!busy.conflicts(&b("2026-11-23T16:10:00Z", "2026-11-23T16:40:00Z"), buffer));
    assert!(busy.conflicts(&b("2026-11-23T11:30:00Z", "2026-11-23T11:55:00Z"), buffer));
    assert!(!busy.conflicts(&b("2026-11-23T11:20:00Z", "2026-11-23T11:50:00Z"), buffer));
}

const ZONES: &[Tz] = &[
    chrono_tz::UTC,
    chrono_tz::America::New_York,
    chrono_tz::Europe::London,
    chrono_tz::Australia::Lord_Howe,
    chrono_tz::Asia::Kolkata,
    chrono_tz::Pacific::Chatham,
    chrono_tz::America::Santiago,
];

fn interval_strategy() -> impl Strategy<Value = Vec<Interval>> {
    prop::collection::vec((0u32..48, 1u32..16), 0..3).prop_map(|parts| {
        // Non-overlapping, sorted intervals in half-hours.
        let mut out = Vec::new();
        let mut cursor = 0;
        for (gap, len) in parts {
            let start = cursor + gap * 30;
            let end = (start + len * 30).min(1440);
            if start >= 1440 || start >= end {
                break;
            }
            out.push(Interval { start, end });
            cursor = end;
        }
        out
    })
}

/// Whether the local wall-clock time at `t` is inside that local day's work hours.
fn in_work_hours(zone: Tz, hours: &WeekHours, t: DateTime<Utc>) -> bool {
    let local = t.with_timezone(&zone);
    let minute = chrono::Timelike::hour(&local) * 60 + chrono::Timelike::minute(&local);
    let weekday = chrono::Datelike::weekday(&local);
    hours
        .on(weekday)
        .iter()
        .any(|i| i.start <= minute && minute < i.end)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn slots_are_sorted_future_inside_hours_and_clear_of_bookings(
        zone_ix in 0..ZONES.len(),
        week in prop::array::uniform7(interval_strategy()),
        duration in prop::sample::select(vec![15i64, 30, 45, 60, 90]),
        step in prop::sample::select(vec![5i64, 15, 30, 60]),
        buffer in 0i64..30,
        notice in 0i64..600,
        now_offset in 0i64..(400 * 24 * 60),
        bookings in prop::collection::vec((0i64..(20 * 24 * 60), 5i64..180), 0..40),
        window_days in 1u64..20,
    ) {
        let zone = ZONES[zone_ix];
        let hours = WeekHours::from_days(week);
        let mut r = rules(zone, &hours, duration, step);
        r.buffer = TimeDelta::minutes(buffer);
        r.min_notice = TimeDelta::minutes(notice);
        r.horizon = TimeDelta::days(14);
        let now = utc("2026-01-01T00:00:00Z") + TimeDelta::minutes(now_offset);
        let booked: Vec<Slot> = bookings
            .iter()
            .map(|(at, len)| {
                let start = now + TimeDelta::minutes(*at);
                Slot { start, end: start + TimeDelta::minutes(*len) }
            })
            .collect();
        let first = now.with_timezone(&zone).date_naive();
        let window = day_window(first, first + chrono::Days::new(window_days), zone);
        let slots = free_slots(&r, window, now, &Busy::new(booked.clone()));

        prop_assert!(slots.windows(2).all(|w| w[0].start < w[1].start), "sorted, no duplicates");
        for s in &slots {
            prop_assert_eq!(s.end - s.start, r.duration);
            prop_assert!(s.start >= now + r.min_notice, "in the future, after the notice");
            prop_assert!(s.start < now + r.horizon, "inside the horizon");
            prop_assert!(s.start >= window.0 && s.start < window.1, "inside the window");
            // Inside work hours at every minute it covers.
            let mut t = s.start;
            while t < s.end {
                prop_assert!(in_work_hours(zone, &hours, t), "{} outside hours in {}", t, zone);
                t += TimeDelta::minutes(1);
            }
            for b in &booked {
                let clear = s.end + r.buffer <= b.start || b.end + r.buffer <= s.start;
                prop_assert!(clear, "slot {:?} overlaps booking {:?} (+buffer)", s, b);
            }
        }
    }
}
