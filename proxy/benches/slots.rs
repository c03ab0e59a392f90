//! The slot engine on a busy calendar: a 62-day window on a 15-minute step with 2,000
//! existing bookings (`make bench`; numbers in BENCHMARKS.md).

use booking_proxy::config::{Interval, WeekHours};
use booking_proxy::slots::{day_window, free_slots, Busy, Rules};
use booking_wire::Slot;
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use criterion::{black_box, criterion_group, criterion_main, Criterion};

fn week() -> WeekHours {
    let day = || {
        vec![
            Interval {
                start: 8 * 60,
                end: 12 * 60,
            },
            Interval {
                start: 13 * 60,
                end: 20 * 60,
            },
        ]
    };
    WeekHours::from_days([day(), day(), day(), day(), day(), day(), day()])
}

fn bench(c: &mut Criterion) {
    let hours = week();
    let rules = Rules {
        zone: chrono_tz::America::New_York,
        hours: &hours,
        duration: TimeDelta::minutes(30),
        step: TimeDelta::minutes(15),
        buffer: TimeDelta::minutes(10),
        min_notice: TimeDelta::zero(),
        horizon: TimeDelta::days(365),
    };
    let now: DateTime<Utc> = "2026-11-01T00:00:00Z".parse().unwrap();
    let from = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    let window = day_window(from, from + chrono::Days::new(61), rules.zone);
    // 2,000 bookings spread over the window, ~32 a day (every 45 minutes).
    let bookings: Vec<Slot> = (0..2000)
        .map(|i| {
            let start = window.0 + TimeDelta::minutes(45 * i);
            Slot {
                start,
                end: start + TimeDelta::minutes(30),
            }
        })
        .collect();
    c.bench_function("slots: 62 days, 15-min step, 2000 bookings", |b| {
        b.iter(|| {
            let busy = Busy::new(bookings.clone());
            black_box(free_slots(&rules, black_box(window), now, &busy))
        })
    });
    c.bench_function("slots: 62 days, 15-min step, no bookings", |b| {
        b.iter(|| black_box(free_slots(&rules, black_box(window), now, &Busy::default())))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
