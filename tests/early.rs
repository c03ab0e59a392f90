//! Answers the widget has before it asks (`api::early`), in headless Chromium
//! (wasm-bindgen-test): the booking page's slots are the visitor's days exactly, in any
//! zone, and are used once.
#![cfg(target_arch = "wasm32")]

mod common;

use booking_widget::api::{early, ApiClient, ApiFailure, SlotsOf};
use booking_widget::time;
use booking_wire::{PageData, Profile, Slot, SlotSpan};
use chrono::{NaiveDate, TimeDelta};
use common::utc;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A page's data for November 2026 in every zone: a slot every 30 minutes.
fn page() -> PageData {
    let from = utc("2026-11-01T00:00:00Z") - TimeDelta::hours(14);
    let to = utc("2026-12-01T00:00:00Z") + TimeDelta::hours(12);
    let step = TimeDelta::minutes(30);
    let slots = (0..)
        .map(|i| from + step * i)
        .take_while(|start| *start < to)
        .map(|start| Slot {
            start,
            end: start + step,
        })
        .collect();
    PageData {
        profile: Profile {
            id: "open".into(),
            title: "Open".into(),
            description: String::new(),
            time_zone: "UTC".into(),
            durations: vec![30],
            location: None,
            requires_confirmation: false,
            fields: vec![],
            hold_minutes: 0,
        },
        slots: Some(SlotSpan {
            from,
            to,
            duration: 30,
            slots,
        }),
    }
}

/// The page's data as the proxy writes it into the page, parsed as the loader parses it.
fn json(data: &PageData) -> JsValue {
    js_sys::JSON::parse(&serde_json::to_string(data).unwrap()).unwrap()
}

#[wasm_bindgen_test]
async fn the_pages_slots_are_the_visitors_days_in_any_zone_and_used_once() {
    let (from, to) = (
        NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
    );
    // Nothing listens on port 9: an answer can only have come from the page.
    let client = ApiClient::new("http://127.0.0.1:9");
    let open = SlotsOf::Profile("open".into());
    let zones = [
        "Pacific/Kiritimati",
        "Etc/GMT+12",
        "Europe/Paris",
        "America/New_York",
        "Asia/Kolkata",
        "Australia/Lord_Howe",
    ];
    for zone in zones {
        let data = page();
        let all = data.slots.clone().unwrap().slots;
        early::keep_page(&json(&data));
        let answer = client.slots(&open, from, to, zone, 30).await.expect(zone);
        let days = from..=to;
        let expected: Vec<Slot> = all
            .into_iter()
            .filter(|s| time::local_date(s.start, zone).is_some_and(|d| days.contains(&d)))
            .collect();
        assert_eq!(answer.slots.len(), expected.len(), "{zone}");
        assert_eq!(answer.slots, expected, "{zone}");
        // Once: the same question again goes to the proxy.
        let again = client.slots(&open, from, to, zone, 30).await;
        assert_eq!(again, Err(ApiFailure::Network), "{zone}");
    }
    // Another duration, or days the page does not hold, go to the proxy too.
    early::keep_page(&json(&page()));
    let december = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    let other = client.slots(&open, december, december, "UTC", 30).await;
    assert_eq!(other, Err(ApiFailure::Network));
    early::keep_page(&json(&page()));
    assert_eq!(
        client.slots(&open, from, to, "UTC", 60).await,
        Err(ApiFailure::Network)
    );
    // A booking's times to move to are never the page's profile slots.
    early::keep_page(&json(&page()));
    let moving = SlotsOf::Booking("tok".into());
    assert_eq!(
        client.slots(&moving, from, to, "UTC", 30).await,
        Err(ApiFailure::Network)
    );
}

#[wasm_bindgen_test]
fn local_dates_follow_the_zone_across_the_date_line_and_a_clock_change() {
    let t = utc("2026-11-01T10:30:00Z");
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
    assert_eq!(time::local_date(t, "Pacific/Kiritimati"), day(2026, 11, 2));
    assert_eq!(time::local_date(t, "Etc/GMT+12"), day(2026, 10, 31));
    // New York leaves summer time at 06:00 UTC on 1 November 2026.
    assert_eq!(
        time::local_date(utc("2026-11-01T04:30:00Z"), "America/New_York"),
        day(2026, 11, 1)
    );
    assert_eq!(
        time::local_date(utc("2026-11-01T03:59:00Z"), "America/New_York"),
        day(2026, 10, 31)
    );
}
