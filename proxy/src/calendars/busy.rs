//! Busy times from iCalendar text. calcard parses, resolves zones (IANA names, `VTIMEZONE`
//! by its TZID or `X-LIC-LOCATION`, Windows names) and expands recurrences (`RRULE`,
//! `RDATE`, `EXDATE`, `RECURRENCE-ID`); here each series is bounded to the window first and
//! only opaque, not cancelled events count.

use std::collections::BTreeMap;

use booking_wire::Slot;
use calcard::common::timezone::Tz as CalTz;
use calcard::common::PartialDateTime;
use calcard::icalendar::{
    ICalendar, ICalendarComponent, ICalendarComponentType, ICalendarProperty, ICalendarStatus,
    ICalendarTransparency, ICalendarValue,
};
use chrono::{DateTime, NaiveDateTime, TimeDelta, TimeZone, Utc};

/// Instances expanded per series at most; a series is first cut at the window's end, so
/// only a rule repeating more often than hourly for years could reach it.
const MAX_INSTANCES: usize = 50_000;

/// The busy intervals of `text` that overlap `window`, sorted. Floating and all-day times
/// are read in `zone`. Events whose UID `own` claims (bookings written back) are left out:
/// the store has them already.
pub fn busy_times(
    text: &str,
    zone: chrono_tz::Tz,
    window: (DateTime<Utc>, DateTime<Utc>),
    own: &dyn Fn(&str) -> bool,
) -> Result<Vec<Slot>, String> {
    let calendar =
        ICalendar::parse(text).map_err(|_| "the text is not an iCalendar object".to_owned())?;
    let zone = CalTz::Tz(zone);
    let resolver = calendar.build_owned_tz_resolver().with_default(zone);
    let timezones: Vec<ICalendarComponent> = calendar.timezones().cloned().collect();
    // One series (a UID: its master and its overridden instances) expanded at a time, so
    // overrides match their own series only and each series has its own bound.
    let mut series: BTreeMap<String, Vec<ICalendarComponent>> = BTreeMap::new();
    for (i, c) in calendar.components.iter().enumerate() {
        if c.component_type != ICalendarComponentType::VEvent {
            continue;
        }
        let uid = c.uid().map_or_else(|| format!("\u{0}{i}"), str::to_owned);
        if own(&uid) {
            continue;
        }
        let mut c = c.clone();
        // calcard pairs an override with its master only at equal SEQUENCE; any override
        // of the same UID replaces its instance, whatever its sequence.
        c.entries.retain(|e| e.name != ICalendarProperty::Sequence);
        bound_rule(&mut c, &resolver, window.1 + TimeDelta::days(1));
        series.entry(uid).or_default().push(c);
    }
    let mut out = Vec::new();
    for events in series.into_values() {
        let first = timezones.len();
        let mut one = ICalendar {
            components: timezones.clone(),
        };
        one.components.extend(events);
        let expanded = one.expand_dates(zone, MAX_INSTANCES);
        for event in expanded.events {
            let Some(component) = one.components.get(event.comp_id as usize) else {
                continue;
            };
            if (event.comp_id as usize) < first || !blocks(component) {
                continue;
            }
            // Wall-clock end: an all-day event ends at the next local midnight.
            let Some(event) = event.try_into_date_time() else {
                continue;
            };
            let (start, end) = (
                event.start.with_timezone(&Utc),
                event.end.with_timezone(&Utc),
            );
            if start < window.1 && end > window.0 && end >= start {
                out.push(Slot { start, end });
            }
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// Whether an event takes the time: not `TRANSP:TRANSPARENT`, not `STATUS:CANCELLED`.
fn blocks(c: &ICalendarComponent) -> bool {
    c.transparency() != Some(&ICalendarTransparency::Transparent)
        && c.status() != Some(&ICalendarStatus::Cancelled)
}

/// Rewrites a rule's `UNTIL` as the wall-clock time of its series and cuts it at `end`.
/// calcard walks a rule in wall-clock time and compares a UTC `UNTIL` as if it were wall
/// clock (hours off in zones east or west of UTC), and walks an endless rule to its bound.
fn bound_rule(
    c: &mut ICalendarComponent,
    resolver: &calcard::icalendar::timezone::TzResolver<String>,
    end: DateTime<Utc>,
) {
    let start = c.property(&ICalendarProperty::Dtstart).and_then(|e| {
        let value = match e.values.first() {
            Some(ICalendarValue::PartialDateTime(dt)) => dt,
            _ => return None,
        };
        let zone = if value.tz_hour.is_some() {
            CalTz::UTC
        } else {
            resolver.resolve_or_default(e.tz_id())
        };
        Some(zone)
    });
    let Some(zone) = start else { return };
    let local = |t: DateTime<Utc>| zone.from_utc_datetime(&t.naive_utc()).naive_local();
    let cap = local(end);
    for entry in c.entries.iter_mut() {
        if entry.name != ICalendarProperty::Rrule {
            continue;
        }
        let Some(ICalendarValue::RecurrenceRule(rule)) = entry.values.first_mut() else {
            continue;
        };
        let until = rule.until.as_ref().and_then(|u| {
            let dt = u.to_date_time()?;
            Some(match dt.offset {
                Some(offset) => local(Utc.from_utc_datetime(&(dt.date_time - offset))),
                None => dt.date_time,
            })
        });
        rule.until = match (until, rule.count) {
            (Some(u), _) => Some(floating(u.min(cap))),
            (None, None) => Some(floating(cap)),
            (None, Some(_)) => None,
        };
    }
}

fn floating(t: NaiveDateTime) -> PartialDateTime {
    use chrono::{Datelike, Timelike};
    PartialDateTime {
        year: u16::try_from(t.year()).ok(),
        month: u8::try_from(t.month()).ok(),
        day: u8::try_from(t.day()).ok(),
        hour: u8::try_from(t.hour()).ok(),
        minute: u8::try_from(t.minute()).ok(),
        second: u8::try_from(t.second()).ok(),
        ..PartialDateTime::default()
    }
}

#[cfg(test)]
mod tests;
