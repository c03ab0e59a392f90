//! The fault checks every provider must pass: a proxy in front of a provider fake that
//! fails, and what the proxy answers and keeps.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use axum::http::Method;
use booking_wire::{ErrorCode, ErrorEnvelope, ManagedBooking, SlotsResponse};
use provider_fakes::{Fault, FaultKind};
use serde_json::json;

use super::logs;
use super::remote::{start, Case, Managed, Remote, BUDGET_MS};

/// Status, `error.code` and headers of a response, after checking the key is not in it.
async fn envelope(
    response: reqwest::Response,
    key: &str,
) -> (u16, ErrorCode, reqwest::header::HeaderMap) {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    for value in headers.values() {
        assert!(!value
            .as_bytes()
            .windows(key.len())
            .any(|w| w == key.as_bytes()));
    }
    let text = response.text().await.expect("body");
    assert!(
        !text.contains(key),
        "the key leaked into a response: {text}"
    );
    let body: ErrorEnvelope =
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not our error envelope: {text}"));
    (status, body.error.code, headers)
}

fn assert_key_not_logged(key: &str) {
    assert!(
        !logs::text().contains(key),
        "the key appeared in a log line"
    );
}

/// Every upstream fault the proxy must survive, each against a fresh proxy and fake.
pub async fn check_faults(case: &Case) {
    too_slow_is_504_within_the_budget(case).await;
    server_errors_are_502_after_two_retries(case).await;
    a_failed_create_is_never_retried(case).await;
    bad_bodies_are_502(case).await;
    huge_body_is_502_without_reading_it_all(case).await;
    rejected_key_is_502_and_logged_for_the_operator(case).await;
    upstream_429_is_passed_on_and_honoured(case).await;
    a_rate_limited_create_is_retried_with_the_same_key(case).await;
    assert_key_not_logged(case.key);
}

async fn too_slow_is_504_within_the_budget(case: &Case) {
    let r = start(case, case.key, "").await;
    r.fake
        .control
        .set_fault(Some(Fault::always(FaultKind::Slow(Duration::from_secs(
            10,
        )))));
    let started = Instant::now();
    let (status, code, _) = envelope(r.proxy.get(&r.path("")).await, case.key).await;
    let took = started.elapsed();
    assert_eq!(
        (status, code),
        (504, ErrorCode::UpstreamTimeout),
        "{}",
        case.provider
    );
    assert!(
        took < Duration::from_millis(BUDGET_MS + 800),
        "{}: 504 took {took:?}, budget {BUDGET_MS} ms",
        case.provider
    );
}

async fn server_errors_are_502_after_two_retries(case: &Case) {
    let r = start(case, case.key, "").await;
    r.fake
        .control
        .set_fault(Some(Fault::always(FaultKind::Status(500))));
    let (status, code, _) = envelope(r.proxy.get(&r.path("")).await, case.key).await;
    assert_eq!(
        (status, code),
        (502, ErrorCode::UpstreamError),
        "{}",
        case.provider
    );
    assert_eq!(
        r.fake.count("GET", "/"),
        3,
        "{}: one GET and two retries",
        case.provider
    );

    // One 503 then success: the retry hides it.
    let r = start(case, case.key, "").await;
    r.fake.control.set_fault(Some(Fault {
        kind: FaultKind::Status(503),
        method: Some(Method::GET),
        times: Some(1),
    }));
    assert_eq!(
        r.proxy.get(&r.path("")).await.status(),
        200,
        "{}",
        case.provider
    );
}

async fn a_failed_create_is_never_retried(case: &Case) {
    let r = start(case, case.key, "").await;
    let start_at = r.first_slot().await;
    r.fake.control.set_fault(Some(Fault {
        kind: FaultKind::Status(500),
        method: Some(Method::POST),
        times: None,
    }));
    let (status, code, _) = envelope(r.book(&start_at, 30, (case.fields)()).await, case.key).await;
    assert_eq!(
        (status, code),
        (502, ErrorCode::UpstreamError),
        "{}",
        case.provider
    );
    assert_eq!(
        r.fake.count("POST", "/"),
        1,
        "{}: a POST is sent once",
        case.provider
    );
}

async fn bad_bodies_are_502(case: &Case) {
    for kind in [FaultKind::Truncated, FaultKind::Malformed] {
        let r = start(case, case.key, "").await;
        r.fake.control.set_fault(Some(Fault::always(kind.clone())));
        let (status, code, _) = envelope(r.proxy.get(&r.path("")).await, case.key).await;
        assert_eq!(
            (status, code),
            (502, ErrorCode::UpstreamError),
            "{}: {kind:?}",
            case.provider
        );
    }
}

async fn huge_body_is_502_without_reading_it_all(case: &Case) {
    let r = start(case, case.key, "").await;
    r.fake
        .control
        .set_fault(Some(Fault::always(FaultKind::Huge)));
    let (status, code, _) = envelope(r.proxy.get(&r.path("")).await, case.key).await;
    assert_eq!(
        (status, code),
        (502, ErrorCode::UpstreamError),
        "{}",
        case.provider
    );
    let sent = r.fake.control.huge_bytes_sent.load(Ordering::Relaxed);
    assert!(
        sent < 10 * 1024 * 1024,
        "{}: {sent} bytes of 50 MB were pulled",
        case.provider
    );
}

async fn rejected_key_is_502_and_logged_for_the_operator(case: &Case) {
    let wrong = format!("{}-revoked", case.key);
    let r = start(case, &wrong, "").await;
    let (status, code, _) = envelope(r.proxy.get(&r.path("")).await, &wrong).await;
    assert_eq!(
        (status, code),
        (502, ErrorCode::UpstreamError),
        "{}",
        case.provider
    );
    let logs = logs::text();
    let line = logs
        .lines()
        .find(|l| l.contains(&r.profile) && l.contains("rejected the API key"))
        .unwrap_or_else(|| panic!("{}: no operator log line for {}", case.provider, r.profile));
    assert!(
        line.contains("FAKE_PROVIDER_KEY"),
        "the line names the variable: {line}"
    );
    assert_key_not_logged(&wrong);
}

async fn upstream_429_is_passed_on_and_honoured(case: &Case) {
    let r = start(case, case.key, "").await;
    r.fake
        .control
        .set_fault(Some(Fault::always(FaultKind::RateLimited {
            retry_after: 7,
        })));
    let (status, code, headers) = envelope(r.proxy.get(&r.path("")).await, case.key).await;
    assert_eq!(
        (status, code),
        (429, ErrorCode::RateLimited),
        "{}",
        case.provider
    );
    assert_eq!(headers["retry-after"], "7", "{}", case.provider);
    let calls = r.fake.count("GET", "/");
    assert_eq!(calls, 1, "{}: a 429 is not retried", case.provider);
    // While the provider asked us to wait, nothing is sent to it.
    r.fake.control.set_fault(None);
    let (status, _, headers) = envelope(r.proxy.get(&r.path("")).await, case.key).await;
    assert_eq!(status, 429, "{}", case.provider);
    let left: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(
        (1..=7).contains(&left),
        "{}: Retry-After {left}",
        case.provider
    );
    assert_eq!(
        r.fake.count("GET", "/"),
        calls,
        "{}: backed off",
        case.provider
    );
}

/// A 429 on a create is not stored under the Idempotency-Key: once the wait is over, the
/// widget's retry with the same key books.
async fn a_rate_limited_create_is_retried_with_the_same_key(case: &Case) {
    let r = start(case, case.key, "").await;
    let start_at = r.first_slot().await;
    r.fake.control.set_fault(Some(Fault {
        kind: FaultKind::RateLimited { retry_after: 1 },
        method: Some(Method::POST),
        times: Some(1),
    }));
    let body = json!({
        "start": start_at, "duration": 30, "time_zone": "Europe/Paris",
        "name": "Ada Lovelace", "email": "ada@example.com",
        "fields": (case.fields)(), "guests": [], "notes": ""
    });
    let path = r.path("/bookings");
    let first = r.proxy.post(&path, &body, Some("retry-key")).await;
    let (status, code, headers) = envelope(first, case.key).await;
    assert_eq!(
        (status, code),
        (429, ErrorCode::RateLimited),
        "{}",
        case.provider
    );
    assert_eq!(headers["retry-after"], "1", "{}", case.provider);
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let again = r.proxy.post(&path, &body, Some("retry-key")).await;
    assert_eq!(again.status(), 201, "{}: the retry books", case.provider);
}

/// Cancel and reschedule through the manage API when the provider fails: each fault
/// against a fresh proxy and fake, the proxy's row left as it was.
pub async fn check_lifecycle_faults(case: &Case) {
    for (fault, expected) in [
        (
            FaultKind::Slow(Duration::from_secs(10)),
            (504, ErrorCode::UpstreamTimeout),
        ),
        (FaultKind::Status(500), (502, ErrorCode::UpstreamError)),
        (FaultKind::Status(400), (502, ErrorCode::UpstreamError)),
    ] {
        a_failed_cancel_keeps_the_booking(case, fault.clone(), expected).await;
        if let Some(method) = &case.moves {
            a_failed_move_keeps_the_booking(case, method, fault, expected).await;
        }
    }
    if case.moves.is_some() {
        a_move_to_a_taken_time_is_409(case).await;
    }
    assert_key_not_logged(case.key);
}

/// A booking made at the first slot, and a later free start to move it to.
async fn booked(case: &Case) -> (Remote, Managed, String) {
    let r = start(case, case.key, "cache_seconds = 0").await;
    let start_at = r.first_slot().await;
    let made = r.book_managed(&start_at, (case.fields)()).await;
    let slots: SlotsResponse = r.slots(None).await.json().await.expect("slots JSON");
    let later = slots
        .slots
        .last()
        .map(|s| super::rfc3339(s.start))
        .expect("another free slot");
    (r, made, later)
}

async fn a_failed_cancel_keeps_the_booking(
    case: &Case,
    fault: FaultKind,
    expected: (u16, ErrorCode),
) {
    let (r, made, _) = booked(case).await;
    r.fake.control.set_fault(Some(Fault {
        kind: fault.clone(),
        method: Some(case.cancels.clone()),
        times: None,
    }));
    let (status, code, _) = envelope(r.cancel(&made.token, None).await, case.key).await;
    assert_eq!(
        (status, code),
        expected,
        "{}: cancel, {fault:?}",
        case.provider
    );
    let shown = r.manage(&made.token).await;
    assert!(
        shown.can_cancel && shown.booking.status != booking_wire::BookingStatus::Cancelled,
        "{}: still booked after {fault:?}",
        case.provider
    );
    // Once the provider answers again, the same cancel goes through.
    r.fake.control.set_fault(None);
    assert_eq!(
        r.cancel(&made.token, None).await.status(),
        200,
        "{}",
        case.provider
    );
}

async fn a_failed_move_keeps_the_booking(
    case: &Case,
    method: &Method,
    fault: FaultKind,
    expected: (u16, ErrorCode),
) {
    let (r, made, later) = booked(case).await;
    r.fake.control.set_fault(Some(Fault {
        kind: fault.clone(),
        method: Some(method.clone()),
        times: None,
    }));
    let first = r.reschedule(&made.token, &later, Some("move-1")).await;
    let (status, code, _) = envelope(first, case.key).await;
    assert_eq!(
        (status, code),
        expected,
        "{}: reschedule, {fault:?}",
        case.provider
    );
    let shown = r.manage(&made.token).await;
    assert_eq!(
        shown.booking.start, made.booking.start,
        "{}: the row keeps its time after {fault:?}",
        case.provider
    );
    assert!(shown.can_reschedule, "{}", case.provider);
    r.fake.control.set_fault(None);
    // Each of these may be cured by a retry (504, 502): the key was released, and the
    // same request now moves the booking.
    let again = r.reschedule(&made.token, &later, Some("move-1")).await;
    assert_eq!(
        again.status(),
        200,
        "{}: retry after {fault:?}",
        case.provider
    );
    let moved: ManagedBooking = again.json().await.expect("managed JSON");
    assert_eq!(
        super::rfc3339(moved.booking.start),
        later,
        "{}",
        case.provider
    );
}

async fn a_move_to_a_taken_time_is_409(case: &Case) {
    let (r, made, later) = booked(case).await;
    let other = r.book_managed(&later, (case.fields)()).await;
    let response = r.reschedule(&made.token, &later, Some("onto-other")).await;
    let (status, code, _) = envelope(response, case.key).await;
    assert_eq!(
        (status, code),
        (409, ErrorCode::SlotUnavailable),
        "{}",
        case.provider
    );
    let shown = r.manage(&made.token).await;
    assert_eq!(shown.booking.start, made.booking.start, "{}", case.provider);
    let theirs = r.manage(&other.token).await;
    assert_eq!(
        super::rfc3339(theirs.booking.start),
        later,
        "{}",
        case.provider
    );
}
