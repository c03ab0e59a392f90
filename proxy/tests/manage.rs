//! A local booking's life after the 201, through its manage token: seen, moved (atomically,
//! under the profile's policy), cancelled; the token as the only credential, never logged.

mod common;

use std::collections::BTreeSet;

use booking_wire::{ErrorCode, ErrorEnvelope, ManagedBooking};
use common::{booking, logs, open_config, spawn, tomorrow_plus, TestServer};
use serde_json::{json, Value};

const BOOK: &str = "/api/v1/profiles/open/bookings";
const LIMITS: &str = "bookings_per_minute = 100000";

async fn book(server: &TestServer, minutes: i64, duration: u32) -> (Value, String) {
    let response = server
        .post(BOOK, &booking(&tomorrow_plus(minutes), duration), None)
        .await;
    assert_eq!(response.status(), 201);
    let mut made: Value = response.json().await.unwrap();
    let token = made
        .as_object_mut()
        .unwrap()
        .remove("manage_token")
        .and_then(|t| t.as_str().map(str::to_owned))
        .expect("a manage token");
    (made, token)
}

async fn managed(server: &TestServer, token: &str) -> ManagedBooking {
    let response = server.get(&format!("/api/v1/bookings/{token}")).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn reschedule(
    server: &TestServer,
    token: &str,
    start: &str,
    key: Option<&str>,
) -> reqwest::Response {
    let body = json!({ "start": start, "time_zone": "Europe/Paris" });
    server
        .post(&format!("/api/v1/bookings/{token}/reschedule"), &body, key)
        .await
}

async fn cancel(server: &TestServer, token: &str, body: Value) -> reqwest::Response {
    server
        .post(&format!("/api/v1/bookings/{token}/cancel"), &body, None)
        .await
}

async fn error(response: reqwest::Response) -> (u16, ErrorEnvelope) {
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

async fn free_starts(server: &TestServer) -> BTreeSet<String> {
    let day = &tomorrow_plus(0)[..10];
    let path = format!("/api/v1/profiles/open/slots?from={day}&to={day}&duration=30");
    let body: Value = server.get(&path).await.json().await.unwrap();
    body["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["start"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_token_shows_moves_and_cancels_the_booking() {
    logs::capture();
    let server = spawn(&open_config(LIMITS, "")).await;
    let (made, token) = book(&server, 600, 30).await;
    let shown = managed(&server, &token).await;
    assert_eq!(shown.booking.id, made["id"]);
    assert_eq!(shown.profile, "open");
    assert!(shown.can_cancel && shown.can_reschedule);
    assert_eq!(shown.policy, None);

    // Moved: the old time is free again and the new one taken.
    let (old, new) = (tomorrow_plus(600), tomorrow_plus(720));
    let moved = reschedule(&server, &token, &new, Some("move-1")).await;
    assert_eq!(moved.status(), 200);
    let moved: ManagedBooking = moved.json().await.unwrap();
    assert_eq!(moved.booking.id, shown.booking.id, "the same booking");
    assert_eq!(
        moved.booking.start.to_rfc3339(),
        chrono::DateTime::parse_from_rfc3339(&new)
            .unwrap()
            .to_rfc3339()
    );
    let free = free_starts(&server).await;
    assert!(free.contains(&old) && !free.contains(&new), "{free:?}");
    // The same key and body: the same answer, not a second move.
    let again = reschedule(&server, &token, &new, Some("move-1")).await;
    assert_eq!(again.status(), 200);
    assert_eq!(again.json::<ManagedBooking>().await.unwrap(), moved);
    let (status, envelope) = error(reschedule(&server, &token, &old, Some("move-1")).await).await;
    assert_eq!(
        (status, envelope.error.code),
        (422, ErrorCode::IdempotencyKeyReused)
    );

    // Cancelled, twice with the same answer; its time is free; nothing more is allowed.
    let first = cancel(&server, &token, json!({ "reason": "Something came up" })).await;
    assert_eq!(first.status(), 200);
    let first: ManagedBooking = first.json().await.unwrap();
    assert_eq!(first.booking.status.as_str(), "cancelled");
    assert!(!first.can_cancel && !first.can_reschedule);
    assert_eq!(
        first.policy.as_deref(),
        Some("This booking has been cancelled.")
    );
    let second = cancel(&server, &token, json!({})).await;
    assert_eq!(second.status(), 200);
    assert_eq!(second.json::<ManagedBooking>().await.unwrap(), first);
    assert!(free_starts(&server).await.contains(&new));
    let (status, envelope) = error(reschedule(&server, &token, &old, None).await).await;
    assert_eq!((status, envelope.error.code), (409, ErrorCode::NotAllowed));

    assert!(
        !logs::text().contains(&token),
        "the token reached a log line"
    );
}

/// The calendar file behind the token is the booking as it stands: UTC times, text escaped,
/// lines folded at 75 octets, the manage page as its URL; moved, the new time under a higher
/// `SEQUENCE` and the same `UID`; cancelled, `CANCELLED`. Never cached.
#[tokio::test]
async fn the_calendar_file_is_the_booking_as_it_stands() {
    let config = open_config(LIMITS, "").replacen(
        "[server]\n",
        "[server]\npublic_url = \"https://book.example.com\"\n",
        1,
    );
    let server = spawn(&config).await;
    let mut request = booking(&tomorrow_plus(600), 30);
    request["fields"]["topic"] = json!("Pricing; terms, and a long question about our plans");
    let response = server.post(BOOK, &request, None).await;
    assert_eq!(response.status(), 201);
    let made: Value = response.json().await.unwrap();
    let token = made["manage_token"].as_str().unwrap().to_owned();
    let id = made["id"].as_str().unwrap();
    let file = |token: String| {
        let server = &server;
        async move {
            let response = server
                .get(&format!("/api/v1/bookings/{token}/calendar"))
                .await;
            assert_eq!(response.status(), 200);
            let header = |name: &str| response.headers()[name].to_str().unwrap().to_owned();
            assert_eq!(header("content-type"), "text/calendar; charset=utf-8");
            assert_eq!(
                header("content-disposition"),
                "attachment; filename=\"booking.ics\""
            );
            assert_eq!(header("cache-control"), "no-store");
            let text = response.text().await.unwrap();
            for line in text.split("\r\n") {
                assert!(line.len() <= 75, "{} octets: {line}", line.len());
            }
            text.replace("\r\n ", "")
        }
    };
    let stamp = |minutes| {
        chrono::DateTime::parse_from_rfc3339(&tomorrow_plus(minutes))
            .unwrap()
            .format("%Y%m%dT%H%M%SZ")
            .to_string()
    };
    let field = |text: &str, name: &str| -> String {
        let prefix = format!("{name}:");
        let line = text.split("\r\n").find(|l| l.starts_with(&prefix));
        line.map(|l| l[prefix.len()..].to_owned())
            .unwrap_or_default()
    };
    let page = format!("https://book.example.com/book/open/manage/{token}");
    let first = file(token.clone()).await;
    let title = r"Open call about Pricing\; terms\, and a long question about our plans";
    for (name, value) in [
        ("METHOD", "PUBLISH".to_owned()),
        ("UID", format!("{id}.open@book.example.com")),
        ("DTSTART", stamp(600)),
        ("DTEND", stamp(630)),
        ("SUMMARY", title.to_owned()),
        ("STATUS", "CONFIRMED".to_owned()),
        ("LOCATION", "Phone".to_owned()),
        ("URL", page.clone()),
        ("DESCRIPTION", format!(r"{title}\n{page}")),
    ] {
        assert_eq!(field(&first, name), value, "{name} in {first}");
    }
    assert!(
        !first.contains("ORGANIZER") && !first.contains("ATTENDEE"),
        "{first}"
    );

    assert_eq!(
        reschedule(&server, &token, &tomorrow_plus(720), None)
            .await
            .status(),
        200
    );
    let moved = file(token.clone()).await;
    assert_eq!(field(&moved, "DTSTART"), stamp(720));
    assert_eq!(field(&moved, "UID"), field(&first, "UID"));
    let sequence = |text: &str| field(text, "SEQUENCE").parse::<u32>().unwrap_or(0);
    assert!(sequence(&moved) > sequence(&first), "{first}\n{moved}");

    assert_eq!(cancel(&server, &token, json!({})).await.status(), 200);
    assert_eq!(field(&file(token.clone()).await, "STATUS"), "CANCELLED");
    let (status, envelope) = error(server.get("/api/v1/bookings/nope/calendar").await).await;
    assert_eq!(
        (status, envelope.error.code),
        (404, ErrorCode::BookingNotFound)
    );
}

#[tokio::test]
async fn unknown_and_malformed_tokens_get_the_same_404() {
    let server = spawn(&open_config(LIMITS, "")).await;
    let (_, token) = book(&server, 600, 30).await;
    let mut other = token.clone().into_bytes();
    other[0] = if other[0] == b'A' { b'B' } else { b'A' };
    let other = String::from_utf8(other).unwrap();
    let mut answers = Vec::new();
    for bad in [other.as_str(), "short", "not%20a%20token", &"x".repeat(300)] {
        for path in [
            format!("/api/v1/bookings/{bad}"),
            format!("/api/v1/bookings/{bad}/slots?from=2026-01-01&to=2026-01-01"),
            format!("/api/v1/bookings/{bad}/calendar"),
        ] {
            let (status, envelope) = error(server.get(&path).await).await;
            answers.push((status, envelope));
        }
        let (status, envelope) = error(cancel(&server, bad, json!({})).await).await;
        answers.push((status, envelope));
    }
    for (status, envelope) in &answers {
        assert_eq!(*status, 404);
        assert_eq!(envelope, &answers[0].1, "one answer for every bad token");
    }
    assert_eq!(answers[0].1.error.code, ErrorCode::BookingNotFound);
}

#[tokio::test]
async fn a_move_never_conflicts_with_itself_and_a_taken_time_leaves_it_as_it_was() {
    let server = spawn(&open_config(LIMITS, "")).await;
    let (_, token) = book(&server, 600, 60).await;
    // Half an hour later overlaps its own time: allowed.
    let shifted = reschedule(&server, &token, &tomorrow_plus(630), None).await;
    assert_eq!(shifted.status(), 200);
    // Someone else's time: 409, and the booking stays where it was.
    let _ = book(&server, 900, 30).await;
    let (status, envelope) =
        error(reschedule(&server, &token, &tomorrow_plus(900), None).await).await;
    assert_eq!(
        (status, envelope.error.code),
        (409, ErrorCode::SlotUnavailable)
    );
    let shown = managed(&server, &token).await;
    assert_eq!(
        common::rfc3339(shown.booking.start),
        tomorrow_plus(630),
        "still at its time"
    );
    // The times it may move to count its own as free.
    let day = &tomorrow_plus(0)[..10];
    let path = format!("/api/v1/bookings/{token}/slots?from={day}&to={day}&duration=60");
    let body: Value = server.get(&path).await.json().await.unwrap();
    let starts: Vec<&str> = body["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["start"].as_str().unwrap())
        .collect();
    assert!(starts.contains(&tomorrow_plus(630).as_str()), "{starts:?}");
    assert!(!free_starts(&server).await.contains(&tomorrow_plus(630)));
}

#[tokio::test]
async fn the_cut_offs_and_the_limit_refuse_with_not_allowed() {
    let extra = "cancel_notice = 2880\nreschedule_notice = 60\nmax_reschedules = 1";
    let server = spawn(&open_config(LIMITS, extra)).await;
    // Tomorrow, so within two days: no cancelling, but moving once is fine.
    let (_, token) = book(&server, 600, 30).await;
    let shown = managed(&server, &token).await;
    assert!(!shown.can_cancel && shown.can_reschedule);
    assert_eq!(
        shown.policy.as_deref(),
        Some("Cancelling is possible until 2 days before the start.")
    );
    let (status, envelope) = error(cancel(&server, &token, json!({})).await).await;
    assert_eq!((status, envelope.error.code), (409, ErrorCode::NotAllowed));
    assert_eq!(envelope.error.message, shown.policy.clone().unwrap());
    assert_eq!(
        reschedule(&server, &token, &tomorrow_plus(660), None)
            .await
            .status(),
        200
    );
    let (status, envelope) =
        error(reschedule(&server, &token, &tomorrow_plus(720), None).await).await;
    assert_eq!((status, envelope.error.code), (409, ErrorCode::NotAllowed));
    assert!(
        envelope.error.message.contains("moved once already"),
        "{}",
        envelope.error.message
    );
}

#[tokio::test]
async fn policy_keys_are_checked_at_start_up() {
    let text = open_config(LIMITS, "cancel_notice = 600000");
    let dir = tempfile::tempdir().unwrap();
    let error = booking_proxy::config::parse(&text, dir.path(), &|_| None).unwrap_err();
    let message = format!("{error:?}");
    assert!(message.contains("profiles.open.cancel_notice"), "{message}");
}

/// Twenty bookings race to move to one free time, fifty rounds: exactly one wins each
/// round and every other keeps its own time.
#[tokio::test]
async fn twenty_moves_racing_for_one_time_give_it_to_exactly_one() {
    let server = spawn(&open_config(LIMITS, "")).await;
    for round in 0..50i64 {
        let base = round * 30 * 22;
        let target = tomorrow_plus(base + 21 * 30);
        let mut tokens = Vec::new();
        for i in 0..20 {
            let (made, token) = book(&server, base + i * 30, 30).await;
            tokens.push((made["start"].as_str().unwrap().to_owned(), token));
        }
        let moves = tokens.iter().map(|(_, token)| {
            let body = json!({ "start": target, "time_zone": "UTC" });
            let url = server.url(&format!("/api/v1/bookings/{token}/reschedule"));
            server.client.post(url).json(&body).send()
        });
        let statuses: Vec<u16> = futures::future::join_all(moves)
            .await
            .into_iter()
            .map(|r| r.unwrap().status().as_u16())
            .collect();
        assert_eq!(
            statuses.iter().filter(|s| **s == 200).count(),
            1,
            "round {round}: {statuses:?}"
        );
        assert!(
            statuses.iter().all(|s| [200, 409].contains(s)),
            "{statuses:?}"
        );
        for ((start, token), status) in tokens.iter().zip(&statuses) {
            let shown = managed(&server, token).await;
            let at = common::rfc3339(shown.booking.start);
            match status {
                200 => assert_eq!(at, target),
                _ => assert_eq!(&at, start, "round {round}: the loser keeps its time"),
            }
        }
    }
}

#[tokio::test]
async fn the_manage_page_keeps_the_token_out_of_referrers_and_caches() {
    let server = spawn(&open_config(LIMITS, "")).await;
    let html = "<!doctype html><html><head><title>x</title></head><body></body></html>";
    common::write(&server.dir.path().join("dist"), "index.html", html);
    let (_, token) = book(&server, 600, 30).await;
    let page = server.get(&format!("/book/open/manage/{token}")).await;
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["referrer-policy"], "no-referrer");
    assert_eq!(page.headers()["cache-control"], "no-store");
    assert!(page.headers().contains_key("content-security-policy"));
    let plain = server.get("/book/open").await;
    assert_eq!(
        plain.headers()["referrer-policy"],
        "strict-origin-when-cross-origin"
    );
}

/// A token is the only credential: every manage route counts against one budget per
/// client, reads and unknown tokens too, so tokens cannot be guessed at speed.
#[tokio::test]
async fn manage_routes_are_rate_limited_reads_and_unknown_tokens_too() {
    let server = spawn(&open_config("bookings_per_minute = 4", "")).await;
    let (_, token) = book(&server, 600, 30).await;
    let read = format!("/api/v1/bookings/{token}");
    assert_eq!(server.get(&read).await.status(), 200);
    let unknown = format!("/api/v1/bookings/{}", "A".repeat(43));
    assert_eq!(server.get(&unknown).await.status(), 404);
    let move_to = tomorrow_plus(720);
    assert_eq!(
        reschedule(&server, &token, &move_to, None).await.status(),
        200
    );
    assert_eq!(cancel(&server, &token, json!({})).await.status(), 200);
    for response in [
        server.get(&read).await,
        server.get(&unknown).await,
        cancel(&server, &token, json!({})).await,
    ] {
        assert!(response.headers().contains_key("retry-after"));
        let (status, envelope) = error(response).await;
        assert_eq!((status, envelope.error.code), (429, ErrorCode::RateLimited));
    }
    // Booking POSTs have their own budget.
    let response = server
        .post(BOOK, &booking(&tomorrow_plus(780), 30), None)
        .await;
    assert_eq!(response.status(), 201);
}
