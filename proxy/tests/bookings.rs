//! The local provider over HTTP: slots, bookings, validation, conflicts. A real listener
//! and a real SQLite file per test.

mod common;

use std::collections::BTreeSet;

use booking_wire::{Booking, BookingStatus, ErrorCode, SlotsResponse};
use common::local::{error, BOOK, LIMITS};
use common::{booking, open_config, spawn, tomorrow_plus, TestServer};
use serde_json::json;

async fn slot_starts(server: &TestServer, day: &str, duration: u32) -> BTreeSet<String> {
    let path = format!("/api/v1/profiles/open/slots?from={day}&to={day}&duration={duration}");
    let response = server.get(&path).await;
    assert_eq!(response.status(), 200);
    let body: SlotsResponse = response.json().await.unwrap();
    body.slots
        .iter()
        .map(|s| s.start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .collect()
}

#[tokio::test]
async fn a_booking_is_created_and_its_time_leaves_the_slots() {
    let server = spawn(&open_config(LIMITS, "buffer = 30")).await;
    let day = &tomorrow_plus(0)[..10];
    let start = tomorrow_plus(10 * 60);
    assert!(slot_starts(&server, day, 30).await.contains(&start));

    let response = server.post(BOOK, &booking(&start, 30), None).await;
    assert_eq!(response.status(), 201);
    let created: Booking = response.json().await.unwrap();
    assert!(created.id.starts_with("bk_"));
    assert_eq!(created.status, BookingStatus::Confirmed);
    assert_eq!(
        created
            .start
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        start
    );
    assert_eq!(created.end - created.start, chrono::TimeDelta::minutes(30));
    assert_eq!(created.time_zone, "Europe/Paris");
    assert_eq!(created.title, "Open call about Pricing");
    assert_eq!(created.location.as_deref(), Some("Phone"));

    // 10:00-10:30 booked with a 30-minute buffer: 09:30 (its own buffer would touch) to
    // 10:30 (inside the booking's buffer) are gone; 09:00 and 11:00 stay.
    let left = slot_starts(&server, day, 30).await;
    for gone in [570, 600, 630] {
        assert!(
            !left.contains(&tomorrow_plus(gone)),
            "{gone} should be taken"
        );
    }
    for free in [540, 660] {
        assert!(left.contains(&tomorrow_plus(free)), "{free} should be free");
    }
}

#[tokio::test]
async fn requires_confirmation_gives_pending() {
    let server = spawn(&open_config(LIMITS, "requires_confirmation = true")).await;
    let response = server
        .post(BOOK, &booking(&tomorrow_plus(600), 60), None)
        .await;
    assert_eq!(response.status(), 201);
    let created: Booking = response.json().await.unwrap();
    assert_eq!(created.status, BookingStatus::Pending);
}

#[tokio::test]
async fn taken_and_never_offered_times_are_409() {
    let server = spawn(&open_config(LIMITS, "min_notice = 120")).await;
    let start = tomorrow_plus(600);
    assert_eq!(
        server.post(BOOK, &booking(&start, 30), None).await.status(),
        201
    );
    for (what, start) in [
        ("the same time", start.clone()),
        ("an overlapping longer booking", tomorrow_plus(570)),
        (
            "inside the minimum notice",
            (chrono::Utc::now() + chrono::TimeDelta::minutes(60))
                .format("%Y-%m-%dT%H:00:00Z")
                .to_string(),
        ),
        ("beyond the horizon", tomorrow_plus(40 * 24 * 60)),
        ("in the past", tomorrow_plus(-3 * 24 * 60)),
    ] {
        let duration = if what.contains("longer") { 60 } else { 30 };
        let (status, body) = error(server.post(BOOK, &booking(&start, duration), None).await).await;
        assert_eq!(
            (status, body.error.code),
            (409, ErrorCode::SlotUnavailable),
            "{what}"
        );
        assert!(body.error.fields.is_none());
    }
}

#[tokio::test]
async fn every_form_mistake_is_named_in_one_422() {
    let extra = r#"
[[profiles.open.fields]]
name = "size"
kind = "select"
options = ["small", "large"]
required = true

[[profiles.open.fields]]
name = "tags"
kind = "multiselect"
options = ["a", "b"]

[[profiles.open.fields]]
name = "site"
kind = "url"

[[profiles.open.fields]]
name = "phone"
kind = "phone"

[[profiles.open.fields]]
name = "seats"
kind = "number"

[[profiles.open.fields]]
name = "agree"
kind = "checkbox"
required = true

[[profiles.open.fields]]
name = "about"
kind = "textarea"

[[profiles.open.fields]]
name = "contact"
kind = "email"
"#;
    let server = spawn(&open_config(LIMITS, extra)).await;
    let mut body = booking(&tomorrow_plus(605), 45);
    body["name"] = json!("n".repeat(201));
    body["email"] = json!("not-an-email");
    body["time_zone"] = json!("Mars/Olympus");
    body["notes"] = json!("x".repeat(5001));
    body["guests"] = json!((0..11)
        .map(|i| format!("g{i}@example.com"))
        .collect::<Vec<_>>());
    body["fields"] = json!({
        "topic": "t".repeat(501), "tags": ["a", "z"], "site": "ftp://x", "phone": "call me",
        "seats": "many", "agree": false, "about": "y".repeat(5001), "contact": "a@b", "extra": "?"
    });
    let (status, envelope) = error(server.post(BOOK, &body, None).await).await;
    assert_eq!(
        (status, envelope.error.code),
        (422, ErrorCode::InvalidBooking)
    );
    let fields = envelope.error.fields.expect("fields");
    let expect = [
        ("name", "at most 200"),
        ("email", "valid email"),
        ("time_zone", "IANA"),
        ("duration", "[30, 60]"),
        ("notes", "at most 5000"),
        ("guests", "at most 10"),
        ("topic", "at most 500"),
        ("size", "required"),
        ("tags", "listed options"),
        ("site", "http"),
        ("phone", "phone"),
        ("seats", "number"),
        ("agree", "required"),
        ("about", "at most 5000"),
        ("contact", "valid email"),
        ("extra", "no such field"),
    ];
    for (field, words) in expect {
        let message = fields
            .get(field)
            .unwrap_or_else(|| panic!("{field} missing from {fields:?}"));
        assert!(message.contains(words), "{field}: {message}");
    }
    assert_eq!(fields.len(), expect.len(), "{fields:?}");
}

#[tokio::test]
async fn a_start_off_the_grid_is_a_422_on_start() {
    let server = spawn(&open_config(LIMITS, "")).await;
    let (status, envelope) = error(
        server
            .post(BOOK, &booking(&tomorrow_plus(615), 30), None)
            .await,
    )
    .await;
    assert_eq!(
        (status, envelope.error.code),
        (422, ErrorCode::InvalidBooking)
    );
    assert!(envelope
        .error
        .fields
        .unwrap()
        .get("start")
        .unwrap()
        .contains("slot times"));
}

#[tokio::test]
async fn malformed_bodies_are_400_and_big_ones_413() {
    let server = spawn(&open_config(
        "bookings_per_minute = 1000\nbody_bytes = 2048",
        "",
    ))
    .await;
    let raw = |body: &'static str| {
        server
            .client
            .post(server.url(BOOK))
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    for body in [
        "{",
        "[]",
        r#"{"start": 5}"#,
        r#"{"start":"2026-13-01T00:00:00Z","duration":30,"time_zone":"UTC","name":"a","email":"a@b.c"}"#,
    ] {
        let (status, envelope) = error(raw(body).await.unwrap()).await;
        assert_eq!(
            (status, envelope.error.code),
            (400, ErrorCode::BadRequest),
            "{body}"
        );
    }
    let mut big = booking(&tomorrow_plus(600), 30);
    big["notes"] = json!("x".repeat(4000));
    let (status, envelope) = error(server.post(BOOK, &big, None).await).await;
    assert_eq!(
        (status, envelope.error.code),
        (413, ErrorCode::PayloadTooLarge)
    );
}

#[tokio::test]
async fn slots_parameters_are_checked_and_named() {
    let server = spawn(&open_config(LIMITS, "")).await;
    let cases = [
        ("", "`from`"),
        ("from=2026-11-23", "`to`"),
        ("from=23/11/2026&to=2026-11-24", "`from`"),
        ("from=2026-11-24&to=2026-11-23", "`to`"),
        ("from=2026-11-01&to=2027-01-02", "62 days"),
        // chrono's `%Y` also reads signed years of any length; the day after must exist.
        ("from=%2B262142-12-31&to=%2B262142-12-31", "`from`"),
        ("from=2026-11-23&to=99999-01-01", "`to`"),
        (
            "from=2026-11-23&to=2026-11-24&time_zone=Mars/Olympus",
            "`time_zone`",
        ),
        ("from=2026-11-23&to=2026-11-24&duration=45", "`duration`"),
        ("from=2026-11-23&to=2026-11-24&duration=abc", "`duration`"),
    ];
    for (query, named) in cases {
        let response = server
            .get(&format!("/api/v1/profiles/open/slots?{query}"))
            .await;
        let (status, envelope) = error(response).await;
        assert_eq!(
            (status, envelope.error.code),
            (400, ErrorCode::BadRequest),
            "{query}"
        );
        assert!(
            envelope.error.message.contains(named),
            "{query}: {}",
            envelope.error.message
        );
    }
    let ok = server
        .get("/api/v1/profiles/open/slots?from=2026-11-01&to=2027-01-01")
        .await;
    assert_eq!(ok.status(), 200, "62 days is allowed");
    let unknown = server
        .get("/api/v1/profiles/nope/slots?from=2026-11-01&to=2026-11-02")
        .await;
    assert_eq!(
        error(unknown).await.1.error.code,
        ErrorCode::ProfileNotFound
    );
}

#[tokio::test]
async fn slots_are_sorted_future_and_counted_in_the_visitors_zone() {
    let server = spawn(&open_config(LIMITS, "min_notice = 90")).await;
    let today = chrono::Utc::now().date_naive();
    let path = |zone: &str| {
        format!(
            "/api/v1/profiles/open/slots?from={today}&to={}&time_zone={zone}",
            today + chrono::Days::new(1)
        )
    };
    let body: SlotsResponse = server
        .get(&path("Pacific/Kiritimati"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body.time_zone, "Pacific/Kiritimati");
    let now = chrono::Utc::now();
    assert!(!body.slots.is_empty());
    assert!(body.slots.windows(2).all(|w| w[0].start < w[1].start));
    assert!(body
        .slots
        .iter()
        .all(|s| s.start >= now + chrono::TimeDelta::minutes(89)));
    // Kiritimati (UTC+14) days end 14 hours before UTC's: its last slot is earlier.
    let utc: SlotsResponse = server.get(&path("UTC")).await.json().await.unwrap();
    let last = |r: &SlotsResponse| r.slots.last().unwrap().start;
    assert_eq!(last(&utc) - last(&body), chrono::TimeDelta::hours(14));
}

/// JSON does not tell `30` from `30.0`: a whole number of minutes is one either way.
#[tokio::test]
async fn a_whole_duration_written_as_a_decimal_is_accepted() {
    let server = spawn(&open_config(LIMITS, "")).await;
    let mut body = booking(&tomorrow_plus(0), 30);
    body["duration"] = serde_json::json!(30.0);
    let response = server.post(BOOK, &body, None).await;
    assert_eq!(response.status(), 201);
    body["start"] = serde_json::json!(tomorrow_plus(60));
    body["duration"] = serde_json::json!(30.5);
    let response = server.post(BOOK, &body, None).await;
    assert_eq!(response.status(), 400);
}

/// A local profile's slots are written from JSON kept with the computation: the body is
/// the wire type's own JSON, the same when served again from the cache.
#[tokio::test]
async fn kept_slots_are_the_wire_types_own_json() {
    let server = spawn(&open_config(LIMITS, "")).await;
    let day = chrono::Utc::now().date_naive() + chrono::Days::new(1);
    let path = format!("/api/v1/profiles/open/slots?from={day}&to={day}&time_zone=Asia/Tokyo");
    let first = server.get(&path).await.text().await.unwrap();
    let parsed: SlotsResponse = serde_json::from_str(&first).unwrap();
    assert_eq!(parsed.time_zone, "Asia/Tokyo");
    assert!(!parsed.slots.is_empty());
    assert_eq!(first, serde_json::to_string(&parsed).unwrap());
    let again = server.get(&path).await;
    let kind = again.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(kind.starts_with("application/json"), "{kind}");
    assert_eq!(again.text().await.unwrap(), first);
}
