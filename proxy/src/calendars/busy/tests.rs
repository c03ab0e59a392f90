use chrono::TimeZone;

use super::*;

/// Europe/Paris as calendars write it (shared with the CalDAV tests).
const PARIS: &str = include_str!("../../../tests/data/paris-vtimezone.ics");

fn calendar(body: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{PARIS}{body}END:VCALENDAR\r\n"
    )
}

fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

fn span(start: DateTime<Utc>, end: DateTime<Utc>) -> Slot {
    Slot { start, end }
}

/// October and November 2026.
fn autumn() -> (DateTime<Utc>, DateTime<Utc>) {
    (at(2026, 10, 1, 0, 0), at(2026, 12, 1, 0, 0))
}

fn busy_in(zone: chrono_tz::Tz, body: &str) -> Vec<Slot> {
    busy_times(
        &calendar(body),
        zone,
        autumn(),
        &crate::calendars::caldav::is_booking_uid,
    )
    .unwrap()
}

#[test]
fn a_weekly_series_across_the_clock_change_with_one_moved_and_one_deleted_instance() {
    // Mondays 10:00-11:00 in Paris from 19 October (summer time) to 9 November (winter
    // time); the 2 November instance moved to 14:00, the 9 November one deleted.
    let body = "BEGIN:VEVENT\r
UID:weekly-1\r
SEQUENCE:0\r
DTSTAMP:20261001T000000Z\r
DTSTART;TZID=Europe/Paris:20261019T100000\r
DTEND;TZID=Europe/Paris:20261019T110000\r
RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=4\r
EXDATE;TZID=Europe/Paris:20261109T100000\r
SUMMARY:Dentist\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:weekly-1\r
SEQUENCE:2\r
DTSTAMP:20261001T000000Z\r
RECURRENCE-ID;TZID=Europe/Paris:20261102T100000\r
DTSTART;TZID=Europe/Paris:20261102T140000\r
DTEND;TZID=Europe/Paris:20261102T150000\r
END:VEVENT\r
";
    assert_eq!(
        busy_in(chrono_tz::Europe::Paris, body),
        vec![
            span(at(2026, 10, 19, 8, 0), at(2026, 10, 19, 9, 0)),
            span(at(2026, 10, 26, 9, 0), at(2026, 10, 26, 10, 0)),
            span(at(2026, 11, 2, 13, 0), at(2026, 11, 2, 14, 0)),
        ]
    );
}

#[test]
fn a_utc_until_ends_the_series_at_that_instant_and_rdate_adds_one() {
    // Mondays and Wednesdays 10:00 Paris until 28 October 09:00Z, which is 10:00 in
    // winter time: that instance is the last one. RDATE adds Friday 30 October.
    let body = "BEGIN:VEVENT\r
UID:until-1\r
DTSTAMP:20261001T000000Z\r
DTSTART;TZID=Europe/Paris:20261019T100000\r
DURATION:PT30M\r
RRULE:FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20261028T090000Z\r
RDATE;TZID=Europe/Paris:20261030T160000\r
END:VEVENT\r
";
    let half = TimeDelta::minutes(30);
    let expected: Vec<Slot> = [
        at(2026, 10, 19, 8, 0),
        at(2026, 10, 21, 8, 0),
        at(2026, 10, 26, 9, 0),
        at(2026, 10, 28, 9, 0),
        at(2026, 10, 30, 15, 0),
    ]
    .into_iter()
    .map(|s| span(s, s + half))
    .collect();
    assert_eq!(busy_in(chrono_tz::Europe::Paris, body), expected);
}

#[test]
fn all_day_and_floating_events_are_read_in_the_profile_zone() {
    // New York's clocks go back on 1 November 2026: that day lasts 25 hours.
    let body = "BEGIN:VEVENT\r
UID:allday-1\r
DTSTAMP:20261001T000000Z\r
DTSTART;VALUE=DATE:20261101\r
DTEND;VALUE=DATE:20261102\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:floating-1\r
DTSTAMP:20261001T000000Z\r
DTSTART:20261105T090000\r
DTEND:20261105T100000\r
END:VEVENT\r
";
    assert_eq!(
        busy_in(chrono_tz::America::New_York, body),
        vec![
            span(at(2026, 11, 1, 4, 0), at(2026, 11, 2, 5, 0)),
            span(at(2026, 11, 5, 14, 0), at(2026, 11, 5, 15, 0)),
        ]
    );
}

#[test]
fn transparent_cancelled_and_own_events_take_no_time() {
    let body = "BEGIN:VEVENT\r
UID:free-1\r
DTSTAMP:20261001T000000Z\r
DTSTART:20261105T090000Z\r
DTEND:20261105T100000Z\r
TRANSP:TRANSPARENT\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:cancelled-1\r
DTSTAMP:20261001T000000Z\r
DTSTART:20261105T110000Z\r
DTEND:20261105T120000Z\r
STATUS:CANCELLED\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:bk_abcdefghij0123456789\r
DTSTAMP:20261001T000000Z\r
DTSTART:20261105T130000Z\r
DTEND:20261105T140000Z\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:opaque-1\r
DTSTAMP:20261001T000000Z\r
DTSTART:20261105T150000Z\r
DTEND:20261105T160000Z\r
TRANSP:OPAQUE\r
END:VEVENT\r
";
    assert_eq!(
        busy_in(chrono_tz::Europe::Paris, body),
        vec![span(at(2026, 11, 5, 15, 0), at(2026, 11, 5, 16, 0))]
    );
}

#[test]
fn a_windows_zone_name_is_its_iana_zone() {
    // As Outlook writes it: the zone by its Windows name, with its own VTIMEZONE.
    let zone = include_str!("../../../tests/data/windows-vtimezone.ics");
    let body = format!(
        "{zone}BEGIN:VEVENT\r
UID:outlook-1\r
DTSTAMP:20261001T000000Z\r
DTSTART;TZID=W. Europe Standard Time:20261020T150000\r
DTEND;TZID=W. Europe Standard Time:20261020T160000\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:outlook-2\r
DTSTAMP:20261001T000000Z\r
DTSTART;TZID=\"Pacific Standard Time\":20261106T090000\r
DTEND;TZID=\"Pacific Standard Time\":20261106T093000\r
END:VEVENT\r
"
    );
    assert_eq!(
        busy_in(chrono_tz::Asia::Tokyo, &body),
        vec![
            // Berlin in summer time (UTC+2), Los Angeles in winter time (UTC-8).
            span(at(2026, 10, 20, 13, 0), at(2026, 10, 20, 14, 0)),
            span(at(2026, 11, 6, 17, 0), at(2026, 11, 6, 17, 30)),
        ]
    );
}

#[test]
fn an_endless_series_from_years_ago_gives_its_instances_in_the_window_only() {
    let body = "BEGIN:VEVENT\r
UID:daily-1\r
DTSTAMP:20200101T000000Z\r
DTSTART;TZID=Europe/Paris:20200101T120000\r
DTEND;TZID=Europe/Paris:20200101T130000\r
RRULE:FREQ=DAILY\r
END:VEVENT\r
";
    let busy = busy_in(chrono_tz::Europe::Paris, body);
    assert_eq!(busy.len(), 61, "every day of October and November");
    assert_eq!(
        busy[0],
        span(at(2026, 10, 1, 10, 0), at(2026, 10, 1, 11, 0))
    );
    assert_eq!(
        busy[60],
        span(at(2026, 11, 30, 11, 0), at(2026, 11, 30, 12, 0))
    );
}

#[test]
fn text_that_is_not_icalendar_is_an_error() {
    let result = busy_times("<html>login</html>", chrono_tz::UTC, autumn(), &|_| false);
    assert!(result.is_err());
}
