//! `use_slots`: a month's free slots for the chosen duration and zone, fetched whenever one
//! of them changes, cached, and grouped by the visitor's day. Only the newest question may
//! answer: an older, slower answer is dropped.

use chrono::{DateTime, NaiveDate, Utc};
use leptos::prelude::*;

use crate::api::{ApiClient, ApiFailure, SlotsOf};
use crate::calendar::{first_of_month, last_of_month};
use crate::events::{Events, WidgetEvent};
use crate::time;
use booking_wire::{Map, Slot};

/// What `use_slots` asks about; each signal it reads is followed.
pub struct UseSlotsOptions {
    pub client: ApiClient,
    /// Whose slots: the profile's, or those a booking may move to.
    pub of: SlotsOf,
    /// The first day of the month to fetch.
    pub month: RwSignal<NaiveDate>,
    /// Minutes.
    pub duration: RwSignal<u32>,
    /// The zone the days are counted in.
    pub zone: RwSignal<String>,
    /// Where `booking:slots-loaded` goes.
    pub events: Events,
}

/// The answer and what is derived from it. Signals and a task rather than a resource: the
/// same behaviour for less wasm (docs/size.md, S3).
#[derive(Clone, Copy)]
pub struct UseSlots {
    /// The newest answer; `None` until the first one.
    pub slots: RwSignal<Option<Result<Vec<Slot>, ApiFailure>>>,
    /// The free slots by day, grouped in the zone they were asked for when they arrive (a
    /// signal set there rather than a memo: S4).
    pub days: RwSignal<Map<NaiveDate, Vec<Slot>>>,
    /// A month's answer is on its way: the grid says so rather than look fully booked.
    pub busy: RwSignal<bool>,
    /// Whether each later part of the booking step is drawn: its settings, month and times
    /// (`Booker`), then the month's days (`MonthState::with_days`). Each is drawn in a task
    /// of its own after the profile's header, before the first answer is read: one task
    /// for all of it is over 50 ms on a slow phone.
    pub parts: [RwSignal<bool>; 2],
    reload: RwSignal<u32>,
    cache: StoredValue<Map<String, Vec<Slot>>>,
}

impl UseSlots {
    /// Asks again (after a failure), from the cache where it has the answer.
    pub fn reload(&self) {
        self.reload.update(|n| *n += 1);
    }

    /// Forgets every answer and asks again: a booking changed what is free.
    pub fn refresh(&self) {
        self.cache.update_value(Map::clear);
        self.reload();
    }

    /// Forgets every answer, to ask again on the next change.
    pub fn forget(&self) {
        self.cache.update_value(Map::clear);
    }

    /// Groups the slots shown by their days in `zone` at once (the zone's own answer follows).
    pub fn regroup(&self, zone: &str) {
        if let Some(Ok(list)) = self.slots.get_untracked() {
            self.days.set(by_day(&list, zone));
        }
    }

    /// Whether the newest answer is an empty list.
    pub fn is_empty(&self) -> bool {
        self.slots
            .with(|s| matches!(s, Some(Ok(list)) if list.is_empty()))
    }
}

pub fn use_slots(options: UseSlotsOptions) -> UseSlots {
    let UseSlotsOptions {
        client,
        of,
        month,
        duration,
        zone,
        events,
    } = options;
    let slots = RwSignal::new(None::<Result<Vec<Slot>, ApiFailure>>);
    let days = RwSignal::new(Map::<NaiveDate, Vec<Slot>>::new());
    let busy = RwSignal::new(false);
    let parts = [RwSignal::new(false), RwSignal::new(false)];
    let reload = RwSignal::new(0u32);
    let cache = StoredValue::new(Map::<String, Vec<Slot>>::new());
    let asked = StoredValue::new(0u32);
    let show = move |result: Result<Vec<Slot>, ApiFailure>, zone: &str| {
        let grouped = match &result {
            Ok(list) => by_day(list, zone),
            Err(_) => Map::new(),
        };
        // The answer before its days: what follows the answer (the flow's search, which
        // picks the first free day) then runs before what follows the days (the grid), so
        // the grid is drawn once, with the day picked, rather than before and after.
        slots.set(Some(result));
        days.set(grouped);
        busy.set(false);
    };
    Effect::new(move |_| {
        let (m, d, z) = (month.get(), duration.get(), zone.get());
        reload.track();
        let ticket = asked.get_value().wrapping_add(1);
        asked.set_value(ticket);
        let key = format!("{m}|{d}|{z}");
        if let Some(hit) = cache.with_value(|c| c.get(&key).cloned()) {
            show(Ok(hit), &z);
            return;
        }
        let (client, of) = (client.clone(), of.clone());
        busy.set(true);
        // A month after the current one comes with the month after it, in one request (at
        // most 62 days, the API's limit): looking ahead for the first free month, or paging
        // forward, asks once per two months.
        let current = first_of_month(super::today(&z));
        let next = if m > current {
            last_of_month(m).succ_opt()
        } else {
            None
        };
        let to = last_of_month(next.unwrap_or(m));
        leptos::task::spawn_local(async move {
            // Reading the month's answer, then grouping and drawing it, are each a task of
            // their own, apart from the step's, even when the answer is already here (the
            // loader's, the page's).
            crate::api::next_task().await;
            // The first time, the booking step's later parts first, each in a task of its
            // own (`UseSlots::parts`); `None` once the widget is gone.
            for part in parts {
                if part.try_get_untracked() == Some(false) {
                    part.set(true);
                    crate::api::next_task().await;
                }
            }
            let result = client.slots(&of, m, to, &z, d).await.map(|r| r.slots);
            crate::api::next_task().await;
            // The widget may have been removed meanwhile, its stored values with it
            // (reading one would trap).
            if asked.is_disposed() {
                return;
            }
            let result = match (result, next) {
                (Ok(both), Some(next)) => {
                    let (later, this): (Vec<Slot>, Vec<Slot>) = both.into_iter().partition(|s| {
                        time::local_date(s.start, &z).is_some_and(|day| day >= next)
                    });
                    cache.update_value(|c| {
                        c.insert(format!("{next}|{d}|{z}"), later);
                    });
                    Ok(this)
                }
                (result, _) => result,
            };
            let loaded = result.as_ref().ok().map(|found| {
                cache.update_value(|c| {
                    c.insert(key, found.clone());
                });
                WidgetEvent::SlotsLoaded {
                    from: m,
                    to: last_of_month(m),
                    time_zone: z.clone(),
                    count: found.len(),
                }
            });
            if asked.get_value() == ticket {
                show(result, &z);
            }
            if let Some(event) = loaded {
                events.send(event);
            }
        });
    });
    UseSlots {
        slots,
        days,
        busy,
        parts,
        reload,
        cache,
    }
}

/// Slots by their calendar day in `zone`.
fn by_day(slots: &[Slot], zone: &str) -> Map<NaiveDate, Vec<Slot>> {
    group_by_day(slots, |t| time::local_date(t, zone))
}

/// Slots by the day `day_of` gives their start; one it gives none for is left out. The
/// slots come sorted (the API's contract) and a day's are one run, since a zone's dates
/// only go forward: each run's end is found by halving, log2 of the slots calls of
/// `day_of` a day rather than one a slot (`Intl` is the slow part of grouping a month).
pub fn group_by_day(
    slots: &[Slot],
    day_of: impl Fn(DateTime<Utc>) -> Option<NaiveDate>,
) -> Map<NaiveDate, Vec<Slot>> {
    let mut days: Map<NaiveDate, Vec<Slot>> = Map::new();
    let mut rest = slots;
    while let Some(first) = rest.first() {
        let day = day_of(first.start);
        // At least the first: a day that fails to compare equal still moves on.
        let run = rest[1..].partition_point(|s| day_of(s.start) == day) + 1;
        if let Some(d) = day {
            days.entry(d).or_default().extend_from_slice(&rest[..run]);
        }
        rest = &rest[run..];
    }
    days
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{FixedOffset, TimeDelta};

    fn slot(s: &str) -> Slot {
        let start: DateTime<Utc> = s.parse().unwrap();
        Slot {
            start,
            end: start + TimeDelta::minutes(30),
        }
    }

    #[test]
    fn slots_are_grouped_by_the_day_they_start_on_in_the_zone() {
        let slots = [
            slot("2026-11-23T09:00:00Z"),
            slot("2026-11-23T23:30:00Z"),
            slot("2026-11-24T10:00:00Z"),
        ];
        let at = |hours: i32| {
            let offset = FixedOffset::east_opt(hours * 3600).unwrap();
            move |t: DateTime<Utc>| Some(t.with_timezone(&offset).date_naive())
        };
        let day = |s: &str| s.parse::<NaiveDate>().unwrap();
        let utc = group_by_day(&slots, at(0));
        assert_eq!(
            utc.keys().copied().collect::<Vec<_>>(),
            [day("2026-11-23"), day("2026-11-24")]
        );
        assert_eq!(utc[&day("2026-11-23")].len(), 2);
        // Two hours east the late slot is on the next day, in start order.
        let east = group_by_day(&slots, at(2));
        assert_eq!(east[&day("2026-11-23")], [slots[0].clone()]);
        assert_eq!(
            east[&day("2026-11-24")],
            [slots[1].clone(), slots[2].clone()]
        );
        assert!(group_by_day(&slots, |_| None).is_empty());
    }

    #[test]
    fn a_month_around_the_clock_is_grouped_as_slot_by_slot_with_few_lookups() {
        use std::cell::Cell;
        let start: DateTime<Utc> = "2026-10-01T00:00:00Z".parse().unwrap();
        let slots: Vec<Slot> = (0..31 * 48)
            .map(|i| slot(&(start + TimeDelta::minutes(30 * i)).to_rfc3339()))
            .collect();
        // Summer time (+2) until 25 October 01:00 UTC, then +1: one day is 25 hours long.
        let change: DateTime<Utc> = "2026-10-25T01:00:00Z".parse().unwrap();
        let calls = Cell::new(0);
        let paris = |t: DateTime<Utc>| {
            calls.set(calls.get() + 1);
            let hours = if t < change { 2 } else { 1 };
            Some((t + TimeDelta::hours(hours)).date_naive())
        };
        let mut one_by_one: Map<NaiveDate, Vec<Slot>> = Map::new();
        for s in &slots {
            one_by_one
                .entry(paris(s.start).unwrap())
                .or_default()
                .push(s.clone());
        }
        calls.set(0);
        let grouped = group_by_day(&slots, paris);
        assert_eq!(grouped, one_by_one);
        assert_eq!(
            grouped[&"2026-10-25".parse::<NaiveDate>().unwrap()].len(),
            50
        );
        assert!(
            calls.get() < slots.len() / 3,
            "{} lookups for {} slots",
            calls.get(),
            slots.len()
        );
    }
}
