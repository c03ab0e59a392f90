//! The local provider over HTTP under concurrent requests: one booking per time,
//! idempotency keys, the rate limit. A real listener and a real SQLite file per test.

mod common;

use booking_proxy::store::Store;
use booking_wire::{BookingRequest, ErrorCode};
use common::local::{error, BOOK, LIMITS};
use common::{booking, open_config, spawn, tomorrow_plus};

/// 20 concurrent requests for one slot: exactly one 201, nineteen 409. 50 rounds.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_concurrent_requests_for_one_slot_book_it_once() {
    let server = spawn(&open_config(LIMITS, "")).await;
    for round in 0..50 {
        let start = tomorrow_plus(round * 60);
        let body = booking(&start, 30);
        let requests = (0..20).map(|_| server.post(BOOK, &body, None));
        let statuses: Vec<u16> = futures_statuses(requests).await;
        let created = statuses.iter().filter(|s| **s == 201).count();
        let conflicts = statuses.iter().filter(|s| **s == 409).count();
        assert_eq!((created, conflicts), (1, 19), "round {round}: {statuses:?}");
    }
    let store = Store::open(&server.database()).await.unwrap();
    assert_eq!(store.list(Some("open")).await.unwrap().len(), 50);
}

/// A 30-minute and a 60-minute request that overlap, sent together: one wins.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn overlapping_concurrent_requests_of_different_lengths_book_once() {
    let server = spawn(&open_config(LIMITS, "")).await;
    for round in 0..20 {
        let base = round * 120;
        let long = booking(&tomorrow_plus(base), 60);
        let short = booking(&tomorrow_plus(base + 30), 30);
        let requests =
            (0..10).map(|i| server.post(BOOK, if i % 2 == 0 { &long } else { &short }, None));
        let statuses = futures_statuses(requests).await;
        assert_eq!(
            statuses.iter().filter(|s| **s == 201).count(),
            1,
            "round {round}: {statuses:?}"
        );
        assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 9);
    }
}

/// Sends all requests at once and returns their statuses.
async fn futures_statuses<F>(requests: impl Iterator<Item = F>) -> Vec<u16>
where
    F: std::future::Future<Output = reqwest::Response>,
{
    futures::future::join_all(requests)
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect()
}

#[tokio::test]
async fn idempotency_key_replays_refuses_other_bodies_and_in_flight() {
    let server = spawn(&open_config(LIMITS, "")).await;
    let body = booking(&tomorrow_plus(600), 30);
    let first = server.post(BOOK, &body, Some("key-1")).await;
    assert_eq!(first.status(), 201);
    let mut first: serde_json::Value = first.json().await.unwrap();
    // The manage token is in the first answer only; the proxy keeps just its hash.
    let token = first.as_object_mut().unwrap().remove("manage_token");
    assert_eq!(token.and_then(|t| t.as_str().map(str::len)), Some(43));
    let again = server.post(BOOK, &body, Some("key-1")).await;
    assert_eq!(again.status(), 201);
    assert_eq!(
        again.json::<serde_json::Value>().await.unwrap(),
        first,
        "the first answer again, without the token"
    );

    let store = Store::open(&server.database()).await.unwrap();
    assert_eq!(
        store.list(Some("open")).await.unwrap().len(),
        1,
        "no second booking"
    );

    let other = booking(&tomorrow_plus(660), 30);
    let (status, envelope) = error(server.post(BOOK, &other, Some("key-1")).await).await;
    assert_eq!(
        (status, envelope.error.code),
        (422, ErrorCode::IdempotencyKeyReused)
    );

    // A first request still running: claim the key as it would, then send the same body.
    let pending = booking(&tomorrow_plus(720), 30);
    let request: BookingRequest = serde_json::from_value(pending.clone()).unwrap();
    let fingerprint = booking_proxy::idempotency::fingerprint(&request);
    store
        .claim("open", "key-2", &fingerprint, chrono::Utc::now())
        .await
        .unwrap();
    let (status, envelope) = error(server.post(BOOK, &pending, Some("key-2")).await).await;
    assert_eq!(
        (status, envelope.error.code),
        (409, ErrorCode::RequestInProgress)
    );

    // A 409 answer is kept too: the same key and body get the same 409, not a booking.
    let taken = booking(&tomorrow_plus(600), 30);
    assert_eq!(server.post(BOOK, &taken, Some("key-3")).await.status(), 409);
    store
        .cancel(
            "open",
            first["id"].as_str().unwrap(),
            None,
            chrono::Utc::now(),
            &[],
        )
        .await
        .unwrap();
    assert_eq!(server.post(BOOK, &taken, Some("key-3")).await.status(), 409);

    for bad in ["", &"k".repeat(256), "caf\u{e9}"] {
        let response = server
            .client
            .post(server.url(BOOK))
            .json(&body)
            .header("idempotency-key", bad.as_bytes())
            .send()
            .await
            .unwrap();
        let (status, envelope) = error(response).await;
        assert_eq!(
            (status, envelope.error.code),
            (400, ErrorCode::BadRequest),
            "{bad:?}"
        );
    }
}

#[tokio::test]
async fn keys_are_forgotten_after_24_hours_and_stale_in_flight_ones_taken_over() {
    let server = spawn(&open_config(LIMITS, "")).await;
    let store = Store::open(&server.database()).await.unwrap();
    let day_ago = chrono::Utc::now() - chrono::TimeDelta::hours(25);
    store.claim("open", "old", "fp-1", day_ago).await.unwrap();
    store.complete("open", "old", 201, "{}").await.unwrap();
    use booking_proxy::store::Claim;
    assert_eq!(
        store
            .claim("open", "old", "fp-2", chrono::Utc::now())
            .await
            .unwrap(),
        Claim::New
    );
    store.claim("open", "gone", "fp", day_ago).await.unwrap();
    assert_eq!(
        store.purge_idempotency(chrono::Utc::now()).await.unwrap(),
        1
    );
    let minutes_ago = chrono::Utc::now() - chrono::TimeDelta::minutes(5);
    store
        .claim("open", "stuck", "fp", minutes_ago)
        .await
        .unwrap();
    assert_eq!(
        store
            .claim("open", "stuck", "fp", chrono::Utc::now())
            .await
            .unwrap(),
        Claim::New
    );
}

#[tokio::test]
async fn booking_posts_are_rate_limited_per_socket_address() {
    let server = spawn(&open_config("bookings_per_minute = 3", "")).await;
    for i in 0..3 {
        let response = server
            .post(BOOK, &booking(&tomorrow_plus(600 + i * 60), 30), None)
            .await;
        assert_eq!(response.status(), 201);
    }
    // A client-supplied forwarding header must not buy more requests.
    let response = server
        .client
        .post(server.url(BOOK))
        .header("x-forwarded-for", "203.0.113.7")
        .header("x-real-ip", "203.0.113.8")
        .json(&booking(&tomorrow_plus(900), 30))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    let retry: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    let (_, envelope) = error(response).await;
    assert_eq!(envelope.error.code, ErrorCode::RateLimited);
    // Reads are not limited.
    assert_eq!(server.get("/api/v1/profiles/open").await.status(), 200);
}
