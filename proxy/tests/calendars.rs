//! The host's own calendars against real servers on loopback: an iCalendar feed served
//! from a file, and Radicale (CalDAV). Busy times leave the slots exactly (recurrences
//! across a clock change, a moved and a deleted instance, all-day, transparent and
//! Windows-zoned events); a failing source serves its last good copy, then 502; bookings
//! are written to the CalDAV calendar and removed on cancel.

mod common;

use std::collections::BTreeSet;
use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use booking_wire::{ErrorCode, ErrorEnvelope, SlotsResponse};
use chrono::{DateTime, Datelike, Days, NaiveDate, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use common::local::LIMITS;
use common::process::Proxy;
use common::radicale::{self, Radicale};
use common::{open_config, rfc3339};
use serde_json::{json, Value};

const WAIT: Duration = Duration::from_secs(30);
const FAILING: &str = "calendar source failing";

/// Polls `check` until it gives a value, within `within`.
async fn eventually<T, F, Fut>(within: Duration, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + within;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(Instant::now() < deadline, "not within {within:?}: {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The slots' starts of `profile` from `from` to `to` (days in `zone`), or the error.
async fn slots(
    proxy: &Proxy,
    profile: &str,
    (from, to): (NaiveDate, NaiveDate),
    zone: &str,
    duration: u32,
) -> Result<BTreeSet<DateTime<Utc>>, (u16, ErrorCode)> {
    let url = proxy.url(&format!(
        "/api/v1/profiles/{profile}/slots?from={from}&to={to}&time_zone={zone}&duration={duration}"
    ));
    let response = reqwest::get(url).await.expect("the proxy answers");
    let status = response.status().as_u16();
    if status != 200 {
        let envelope: ErrorEnvelope = response.json().await.expect("an error envelope");
        return Err((status, envelope.error.code));
    }
    let body: SlotsResponse = response.json().await.expect("slots");
    Ok(body.slots.iter().map(|s| s.start).collect())
}

async fn book(proxy: &Proxy, profile: &str, start: DateTime<Utc>, duration: u32) -> (u16, Value) {
    let body = json!({
        "start": rfc3339(start), "duration": duration, "time_zone": "Europe/Paris",
        "name": "Ada Lovelace", "email": "ada@example.com",
        "fields": if profile == "open" { json!({ "topic": "Pricing" }) } else { json!({}) },
        "guests": [], "notes": ""
    });
    let response = reqwest::Client::new()
        .post(proxy.url(&format!("/api/v1/profiles/{profile}/bookings")))
        .json(&body)
        .send()
        .await
        .expect("the proxy answers");
    let status = response.status().as_u16();
    (status, response.json().await.expect("JSON"))
}

/// Once the source fails: every answer is the last good copy (`expected`) until one is
/// 502 `upstream_error`; the failure is logged once, by host. Returns whether a copy was
/// served after the failure was logged.
async fn stale_then_502(
    proxy: &Proxy,
    profile: &str,
    days: (NaiveDate, NaiveDate),
    zone: &str,
    duration: u32,
    expected: &BTreeSet<DateTime<Utc>>,
) -> bool {
    let mut stale_served = false;
    let deadline = Instant::now() + WAIT;
    loop {
        let logged = proxy.logs().contains(FAILING);
        match slots(proxy, profile, days, zone, duration).await {
            Ok(got) => {
                assert_eq!(&got, expected, "only the last good copy is served");
                stale_served |= logged;
            }
            Err(error) => {
                assert_eq!(error, (502, ErrorCode::UpstreamError));
                break;
            }
        }
        assert!(Instant::now() < deadline, "no 502 within {WAIT:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let logs = proxy.logs();
    assert_eq!(logs.matches(FAILING).count(), 1, "logged once: {logs}");
    let line = logs
        .lines()
        .find(|l| l.contains(FAILING))
        .unwrap_or_default();
    assert!(line.contains("host=127.0.0.1"), "{line}");
    stale_served
}

/// A feed served from a file on loopback; `up` false makes it answer 503.
async fn feed_server(file: PathBuf, up: Arc<AtomicBool>) -> String {
    let app = axum::Router::new().route(
        "/host.ics",
        axum::routing::get(move || {
            let (file, up) = (file.clone(), up.clone());
            async move {
                if !up.load(Ordering::SeqCst) {
                    return Err(axum::http::StatusCode::SERVICE_UNAVAILABLE);
                }
                std::fs::read_to_string(&file)
                    .map_err(|_| axum::http::StatusCode::INTERNAL_SERVER_ERROR)
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}/host.ics")
}

#[tokio::test]
async fn a_feed_s_busy_time_leaves_the_slots_with_the_buffer_and_a_failing_feed_serves_its_copy_then_502(
) {
    let dir = tempfile::tempdir().unwrap();
    let tomorrow = (Utc::now() + Days::new(1)).date_naive();
    let at = |h: u32, m: u32| tomorrow.and_hms_opt(h, m, 0).unwrap().and_utc();
    let stamp = |t: DateTime<Utc>| t.format("%Y%m%dT%H%M%SZ").to_string();
    let ics = format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:dentist-1\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:{}\r\nDTEND:{}\r\nSUMMARY:Dentist\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        stamp(at(10, 0)),
        stamp(at(11, 0))
    );
    let file = dir.path().join("host.ics");
    std::fs::write(&file, &ics).unwrap();
    let up = Arc::new(AtomicBool::new(true));
    let url = feed_server(file.clone(), up.clone()).await;
    let config = dir.path().join("proxy.toml");
    let calendars = format!(
        "buffer = 30\n[[profiles.open.calendars]]\nics_url = \"{url}\"\ncache_seconds = 1\nstale_seconds = 4\n"
    );
    std::fs::write(
        &config,
        open_config(LIMITS, &calendars).replace(
            "sqlite://bookings.db",
            &format!("sqlite://{}", dir.path().join("b.db").display()),
        ),
    )
    .unwrap();
    let proxy = Proxy::start(&config, &[]);

    // Every half hour of the day but those the 10:00-11:00 event and its 30-minute
    // buffer touch.
    let busy = [at(9, 30), at(10, 0), at(10, 30), at(11, 0)];
    let expected: BTreeSet<_> = (0..48)
        .map(|i| at(i / 2, (i % 2) * 30))
        .filter(|t| !busy.contains(t))
        .collect();
    let day = (tomorrow, tomorrow);
    assert_eq!(
        slots(&proxy, "open", day, "UTC", 30).await,
        Ok(expected.clone())
    );
    let (status, body) = book(&proxy, "open", at(10, 0), 30).await;
    assert_eq!(status, 409, "{body}");

    up.store(false, Ordering::SeqCst);
    assert!(
        stale_then_502(&proxy, "open", day, "UTC", 30, &expected).await,
        "the last good copy was served while the feed failed"
    );

    up.store(true, Ordering::SeqCst);
    eventually(WAIT, "the slots come back", || async {
        slots(&proxy, "open", day, "UTC", 30)
            .await
            .ok()
            .map(|got| assert_eq!(got, expected))
    })
    .await;
    // The log is read from the proxy's stderr as it comes: a moment after the answer.
    eventually(WAIT, "the log says the feed answers again", || async {
        proxy
            .logs()
            .contains("calendar source answers again")
            .then_some(())
    })
    .await;

    // The event moves to 14:00: slots computed before are dropped at the next fetch, well
    // within the minute they could otherwise be kept.
    std::fs::write(
        &file,
        ics.replace("T100000Z", "T140000Z")
            .replace("T110000Z", "T150000Z"),
    )
    .unwrap();
    let moved = [at(13, 30), at(14, 0), at(14, 30), at(15, 0)];
    let expected: BTreeSet<_> = (0..48)
        .map(|i| at(i / 2, (i % 2) * 30))
        .filter(|t| !moved.contains(t))
        .collect();
    eventually(
        Duration::from_secs(15),
        "the moved event's time leaves the slots",
        || async {
            (slots(&proxy, "open", day, "UTC", 30).await == Ok(expected.clone())).then_some(())
        },
    )
    .await;
}

const PARIS_ZONE: &str = include_str!("data/paris-vtimezone.ics");

const WINDOWS_ZONE: &str = include_str!("data/windows-vtimezone.ics");

fn vcalendar(body: &str) -> String {
    format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{body}END:VCALENDAR\r\n")
}

/// The first day at least `after` days from today on which Paris's clocks change.
fn next_clock_change(after: u64) -> NaiveDate {
    let paris = chrono_tz::Europe::Paris;
    let offset = |d: NaiveDate| {
        paris
            .offset_from_utc_datetime(&d.and_hms_opt(12, 0, 0).unwrap())
            .fix()
    };
    let from = Utc::now().date_naive() + Days::new(after);
    (0..400)
        .map(|i| from + Days::new(i))
        .find(|d| offset(*d) != offset(*d - Days::new(1)))
        .expect("a clock change within a year")
}

/// A Paris profile open 08:00-20:00 every day in hours, reading and writing Radicale's
/// `/host/cal/`, fresh for a second and stale for `stale` more.
fn host_config(dir: &std::path::Path, server: &Radicale, horizon: i64, stale: u32) -> PathBuf {
    let every_day = r#"{ mon = ["08:00-20:00"], tue = ["08:00-20:00"], wed = ["08:00-20:00"], thu = ["08:00-20:00"], fri = ["08:00-20:00"], sat = ["08:00-20:00"], sun = ["08:00-20:00"] }"#;
    let config = dir.join("proxy.toml");
    std::fs::write(
        &config,
        format!(
            r#"
[server]
database = "sqlite://{db}"
[limits]
{LIMITS}
[profiles.host]
provider = "local"
title = "Host call"
time_zone = "Europe/Paris"
durations = [60]
horizon_days = {horizon}
hours = {every_day}
[[profiles.host.calendars]]
caldav_url = "{url}"
username = "{user}"
password_env = "CALDAV_PASSWORD"
write = true
cache_seconds = 1
stale_seconds = {stale}
"#,
            db = dir.join("b.db").display(),
            url = server.url("/host/cal/"),
            user = radicale::USER,
        ),
    )
    .unwrap();
    config
}

#[tokio::test]
async fn a_write_that_fails_is_retried_and_never_undoes_the_booking() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Radicale::start(dir.path());
    server.calendar("/host/cal/").await;
    let config = host_config(dir.path(), &server, 30, 600);
    let proxy = Proxy::start(&config, &[("CALDAV_PASSWORD", radicale::PASSWORD)]);
    let day = Utc::now().date_naive() + Days::new(2);
    let days = (day, day);
    let start = chrono_tz::Europe::Paris
        .from_local_datetime(&day.and_hms_opt(9, 0, 0).unwrap())
        .unwrap()
        .with_timezone(&Utc);
    let offered = slots(&proxy, "host", days, "Europe/Paris", 60).await;
    assert!(offered.expect("slots").contains(&start));

    // Radicale down: the booking is made from the last good copy; its write fails.
    server.stop();
    let (status, made) = book(&proxy, "host", start, 60).await;
    assert_eq!(status, 201, "{made}");
    let id = made["id"].as_str().expect("an id").to_owned();
    let token = made["manage_token"].as_str().expect("a token").to_owned();
    let outbox = || {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_booking-proxy"))
            .args(["outbox", "--config"])
            .arg(&config)
            .args(["list", "--json"])
            .output()
            .expect("run booking-proxy");
        assert!(out.status.success(), "{out:?}");
        serde_json::from_slice::<Vec<Value>>(&out.stdout).expect("a JSON list")
    };
    eventually(WAIT, "a failed write waits for its retry", || async {
        let rows = outbox();
        let row = rows.iter().find(|r| r["channel"] == "calendar")?;
        (row["state"] == "pending" && row["attempts"].as_u64() >= Some(1)).then_some(())
    })
    .await;
    let booking: Value = reqwest::get(proxy.url(&format!("/api/v1/bookings/{token}")))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(booking["status"], "confirmed", "{booking}");

    // Back up: the retry writes it.
    let server = Radicale::start_on(dir.path(), server.port);
    let path = format!("/host/cal/{id}.ics");
    let event = eventually(WAIT, "the retried write reaches Radicale", || {
        server.get(&path)
    })
    .await;
    assert!(event.contains(&format!("UID:{id}")), "{event}");
}

#[tokio::test]
async fn radicale_s_busy_times_leave_the_slots_exactly_bookings_are_written_back_and_a_stopped_server_means_502(
) {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Radicale::start(dir.path());
    server.calendar("/host/cal/").await;

    let paris: Tz = chrono_tz::Europe::Paris;
    let local = |d: NaiveDate, h: u32| {
        paris
            .from_local_datetime(&d.and_hms_opt(h, 0, 0).unwrap())
            .unwrap()
            .with_timezone(&Utc)
    };
    let ymd = |d: NaiveDate| d.format("%Y%m%d").to_string();
    // Weekly from two weeks before the clock change: the third instance (after it) moved
    // from 10:00 to 15:00, the fourth deleted.
    let change = next_clock_change(15);
    let first = change - Days::new(12);
    let byday =
        ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][first.weekday().num_days_from_monday() as usize];
    let week = |n: u64| first + Days::new(7 * n);
    let weekly = format!(
        "{PARIS_ZONE}BEGIN:VEVENT\r\nUID:weekly-1\r\nSEQUENCE:0\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;TZID=Europe/Paris:{f}T100000\r\nDTEND;TZID=Europe/Paris:{f}T110000\r\nRRULE:FREQ=WEEKLY;BYDAY={byday};COUNT=4\r\nEXDATE;TZID=Europe/Paris:{d}T100000\r\nSUMMARY:Team meeting\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:weekly-1\r\nSEQUENCE:1\r\nDTSTAMP:20260101T000000Z\r\nRECURRENCE-ID;TZID=Europe/Paris:{m}T100000\r\nDTSTART;TZID=Europe/Paris:{m}T150000\r\nDTEND;TZID=Europe/Paris:{m}T160000\r\nSUMMARY:Team meeting (moved)\r\nEND:VEVENT\r\n",
        f = ymd(first),
        m = ymd(week(2)),
        d = ymd(week(3)),
    );
    server
        .put("/host/cal/weekly.ics", &vcalendar(&weekly))
        .await;
    let all_day = week(2) + Days::new(1);
    server
        .put(
            "/host/cal/allday.ics",
            &vcalendar(&format!(
                "BEGIN:VEVENT\r\nUID:allday-1\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:{}\r\nDTEND;VALUE=DATE:{}\r\nSUMMARY:Holiday\r\nEND:VEVENT\r\n",
                ymd(all_day),
                ymd(all_day + Days::new(1))
            )),
        )
        .await;
    let free_day = week(2) + Days::new(2);
    server
        .put(
            "/host/cal/transparent.ics",
            &vcalendar(&format!(
                "BEGIN:VEVENT\r\nUID:free-1\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;TZID=Europe/Paris:{d}T100000\r\nDTEND;TZID=Europe/Paris:{d}T110000\r\nTRANSP:TRANSPARENT\r\nSUMMARY:Reminder\r\nEND:VEVENT\r\n{PARIS_ZONE}",
                d = ymd(free_day)
            )),
        )
        .await;
    let outlook_day = week(2) + Days::new(3);
    server
        .put(
            "/host/cal/outlook.ics",
            &vcalendar(&format!(
                "{WINDOWS_ZONE}BEGIN:VEVENT\r\nUID:outlook-1\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;TZID=W. Europe Standard Time:{d}T120000\r\nDTEND;TZID=W. Europe Standard Time:{d}T130000\r\nSUMMARY:Lunch\r\nEND:VEVENT\r\n",
                d = ymd(outlook_day)
            )),
        )
        .await;

    let last = week(3);
    let horizon = (last - Utc::now().date_naive()).num_days() + 2;
    let config = host_config(dir.path(), &server, horizon, 3);
    let proxy = Proxy::start(&config, &[("CALDAV_PASSWORD", radicale::PASSWORD)]);

    let busy = [
        local(week(0), 10),
        local(week(1), 10),
        local(week(2), 15),
        local(outlook_day, 12),
    ];
    let expected: BTreeSet<_> = first
        .iter_days()
        .take_while(|d| *d <= last)
        .filter(|d| *d != all_day)
        .flat_map(|d| (8..20).map(move |h| (d, h)))
        .map(|(d, h)| local(d, h))
        .filter(|t| !busy.contains(t))
        .collect();
    let days = (first, last);
    let got = slots(&proxy, "host", days, "Europe/Paris", 60).await;
    assert_eq!(got, Ok(expected.clone()));
    assert!(
        expected.contains(&local(week(2), 10)),
        "the moved instance's old time"
    );
    assert!(
        expected.contains(&local(week(3), 10)),
        "the deleted instance"
    );

    // A busy time cannot be booked; a free one is, and appears in the calendar.
    let (status, body) = book(&proxy, "host", local(week(1), 10), 60).await;
    assert_eq!(status, 409, "{body}");
    let (status, made) = book(&proxy, "host", local(week(2), 10), 60).await;
    assert_eq!(status, 201, "{made}");
    let id = made["id"].as_str().expect("an id").to_owned();
    let token = made["manage_token"].as_str().expect("a token").to_owned();
    let path = format!("/host/cal/{id}.ics");
    let event = eventually(WAIT, "the booking is in Radicale", || server.get(&path)).await;
    assert!(event.contains(&format!("UID:{id}")), "{event}");
    assert!(
        event.contains(&format!(
            "DTSTART:{}",
            local(week(2), 10).format("%Y%m%dT%H%M%SZ")
        )),
        "{event}"
    );
    // Read back from the calendar, the booking counts once (the store's), not twice.
    let mut booked = expected.clone();
    booked.remove(&local(week(2), 10));
    eventually(WAIT, "the slots without the booked hour", || async {
        (slots(&proxy, "host", days, "Europe/Paris", 60).await == Ok(booked.clone())).then_some(())
    })
    .await;

    let cancelled = reqwest::Client::new()
        .post(proxy.url(&format!("/api/v1/bookings/{token}/cancel")))
        .send()
        .await
        .unwrap();
    assert_eq!(cancelled.status(), 200);
    eventually(WAIT, "the booking leaves Radicale", || async {
        server.get(&path).await.is_none().then_some(())
    })
    .await;

    eventually(WAIT, "the hour is offered again", || async {
        (slots(&proxy, "host", days, "Europe/Paris", 60).await == Ok(expected.clone()))
            .then_some(())
    })
    .await;
    server.stop();
    assert!(
        stale_then_502(&proxy, "host", days, "Europe/Paris", 60, &expected).await,
        "the last good copy was served while Radicale was down"
    );
    assert!(
        !proxy.logs().contains(radicale::PASSWORD),
        "no credentials in the log"
    );
}
