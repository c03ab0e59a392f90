//! Hostile input over HTTP: instants and days anywhere in chrono's range, control
//! characters in names and answers, and forwarded-for headers from trusted and untrusted
//! peers.

mod common;

use std::sync::OnceLock;

use booking_wire::{ErrorCode, ErrorEnvelope};
use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use common::{booking, open_config, spawn, tomorrow_plus, TestServer};
use proptest::prelude::*;
use serde_json::json;

const BOOK: &str = "/api/v1/profiles/open/bookings";

/// One server and runtime for every generated case.
fn shared() -> &'static (tokio::runtime::Runtime, TestServer) {
    static SHARED: OnceLock<(tokio::runtime::Runtime, TestServer)> = OnceLock::new();
    SHARED.get_or_init(|| {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let server = runtime.block_on(spawn(&open_config("bookings_per_minute = 100000", "")));
        (runtime, server)
    })
}

fn status_of(request: impl std::future::Future<Output = reqwest::Response>) -> u16 {
    shared().0.block_on(request).status().as_u16()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Any instant chrono can hold, written as chrono writes it (years beyond four digits
    /// signed), is refused or not free; never a panic's 500.
    #[test]
    fn any_booking_start_is_answered_without_a_server_error(
        secs in DateTime::<Utc>::MIN_UTC.timestamp()..=DateTime::<Utc>::MAX_UTC.timestamp()
    ) {
        let start = DateTime::<Utc>::from_timestamp(secs, 0).unwrap();
        let text = start.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let server = &shared().1;
        let status = status_of(server.post(BOOK, &booking(&text, 30), None));
        prop_assert!([400, 409, 422].contains(&status), "{text}: {status}");
    }

    /// Any day chrono can hold as `from`, with `to` up to 70 days later: days outside
    /// 0001–9999 are named 400s, the rest answered.
    #[test]
    fn any_slots_range_is_answered_without_a_server_error(
        day in NaiveDate::MIN.num_days_from_ce()..=NaiveDate::MAX.num_days_from_ce(),
        length in 0u64..70,
    ) {
        let from = NaiveDate::from_num_days_from_ce_opt(day).unwrap();
        let to = from.checked_add_days(Days::new(length)).unwrap_or(from);
        let path = format!(
            "/api/v1/profiles/open/slots?from={}&to={}&time_zone=Pacific/Kiritimati",
            from.format("%Y-%m-%d"),
            to.format("%Y-%m-%d")
        );
        let server = &shared().1;
        let status = status_of(server.get(&path));
        prop_assert!([200, 400].contains(&status), "{path}: {status}");
    }
}

#[test]
fn the_extreme_instants_are_answered_without_a_server_error() {
    let server = &shared().1;
    for text in [
        "+262142-12-31T00:00:00Z",
        "-262143-01-01T00:00:00Z",
        "+262142-12-31T23:59:59Z",
        "9999-12-31T23:30:00Z",
        "0001-01-01T00:00:00Z",
    ] {
        let status = status_of(server.post(BOOK, &booking(text, 30), None));
        assert!([400, 409, 422].contains(&status), "{text}: {status}");
    }
}

async fn invalid_fields(server: &TestServer, body: &serde_json::Value) -> Vec<String> {
    let response = server.post(BOOK, body, None).await;
    assert_eq!(response.status(), 422, "{body}");
    let envelope: ErrorEnvelope = response.json().await.unwrap();
    assert_eq!(envelope.error.code, ErrorCode::InvalidBooking);
    envelope
        .error
        .fields
        .unwrap_or_default()
        .into_iter()
        .map(|(name, _)| name)
        .collect()
}

#[tokio::test]
async fn control_characters_are_refused_except_line_breaks_in_multi_line_text() {
    let extra = r#"
[[profiles.open.fields]]
name = "agenda"
kind = "textarea"
"#;
    let server = spawn(&open_config("bookings_per_minute = 100", extra)).await;
    let base = booking(&tomorrow_plus(600), 30);
    for name in [
        "Eve\nid\topen\tconfirmed",
        "Eve\tMallory",
        "Eve\u{1b}[31mRed",
        "Eve\u{7f}",
    ] {
        let mut body = base.clone();
        body["name"] = json!(name);
        assert_eq!(invalid_fields(&server, &body).await, ["name"], "{name:?}");
    }
    let mut body = base.clone();
    body["fields"]["topic"] = json!("two\nlines");
    body["fields"]["agenda"] = json!("tab\there");
    body["notes"] = json!("bell\u{7}");
    assert_eq!(
        invalid_fields(&server, &body).await,
        ["agenda", "notes", "topic"]
    );
    // Line breaks where text has lines.
    let mut body = base.clone();
    body["fields"]["agenda"] = json!("First point\nSecond point\r\nThird");
    body["notes"] = json!("See you\nthen");
    assert_eq!(server.post(BOOK, &body, None).await.status(), 201);
}

/// A booking from `client` behind the local reverse proxy (the test's own address).
async fn book_as(server: &TestServer, client: &str, minutes: i64) -> u16 {
    server
        .client
        .post(server.url(BOOK))
        .header("x-forwarded-for", client)
        .json(&booking(&tomorrow_plus(minutes), 30))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_visitor_has_a_budget_of_their_own() {
    let config = open_config("bookings_per_minute = 2", "").replacen(
        "[server]\n",
        "[server]\ntrusted_proxies = [\"127.0.0.0/8\"]\n",
        1,
    );
    let server = spawn(&config).await;
    assert_eq!(book_as(&server, "198.51.100.1", 600).await, 201);
    assert_eq!(book_as(&server, "198.51.100.1", 660).await, 201);
    assert_eq!(book_as(&server, "198.51.100.1", 720).await, 429);
    // Another visitor through the same proxy is not held back.
    assert_eq!(book_as(&server, "198.51.100.2", 780).await, 201);
    // A forged first entry does not make a visitor someone else: the proxy's own entry,
    // the rightmost, counts.
    assert_eq!(
        book_as(&server, "198.51.100.9, 198.51.100.1", 840).await,
        429
    );
}

#[tokio::test]
async fn from_an_untrusted_peer_the_forwarded_header_is_ignored() {
    let config = open_config("bookings_per_minute = 2", "").replacen(
        "[server]\n",
        "[server]\ntrusted_proxies = [\"10.0.0.0/8\"]\n",
        1,
    );
    let server = spawn(&config).await;
    assert_eq!(book_as(&server, "198.51.100.1", 600).await, 201);
    assert_eq!(book_as(&server, "198.51.100.2", 660).await, 201);
    assert_eq!(book_as(&server, "198.51.100.3", 720).await, 429);
}
