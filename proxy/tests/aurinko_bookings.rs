//! Bookings through the proxy at Aurinko, against the Aurinko fake; outgoing requests are
//! validated against Aurinko's OpenAPI file: creates, conflicts, creates that time out and
//! cancel.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use axum::http::Method;
use booking_proxy::error::AppError;
use booking_wire::{
    Booking, BookingRequest, BookingStatus, ErrorCode, ErrorEnvelope, SlotsResponse,
};
use chrono::{TimeDelta, Utc};
use common::aurinko::{bearer, case, spec, KEY, MEETING};
use common::remote::start_with_fake;
use provider_fakes::aurinko::Aurinko;
use provider_fakes::{Fault, FaultKind, Recorded};
use serde_json::json;

#[tokio::test]
async fn a_booking_arrives_as_the_openapi_file_requires() {
    let fake = Aurinko::new(KEY);
    let r = start_with_fake(&case(), fake.router(), KEY, "").await;
    let start_at = r.first_slot().await;
    let body = json!({
        "start": start_at, "duration": 30, "time_zone": "Europe/Paris",
        "name": " Ada Lovelace ", "email": "ada@example.com",
        "fields": { "topic": "Pricing", "company": "Acme" },
        "guests": ["cfo@example.com"], "notes": "Bring the numbers"
    });
    let response = r.proxy.post(&r.path("/bookings"), &body, Some("k-1")).await;
    assert_eq!(response.status(), 201);
    let booking: Booking = response.json().await.unwrap();
    assert!(booking.id.starts_with("AAMkAGI2"), "{}", booking.id);
    assert_eq!(booking.status, BookingStatus::Confirmed);
    assert_eq!(common::rfc3339(booking.start), start_at);
    assert_eq!(booking.end - booking.start, TimeDelta::minutes(30));
    assert_eq!(booking.time_zone, "Europe/Paris");
    assert_eq!(booking.title, "Intro call with Ada Lovelace");
    assert_eq!(booking.location.as_deref(), Some("Zoom"));

    let posts = r.requests(Method::POST, MEETING);
    assert_eq!(posts.len(), 1);
    let post = &posts[0];
    bearer(post);
    assert!(
        post.query.is_empty(),
        "no reserveForMinutes: a real meeting"
    );
    assert!(post
        .header("content-type")
        .is_some_and(|c| c.starts_with("application/json")));
    assert_eq!(
        spec().check(post, Some("CreateMeetingDto")),
        Vec::<String>::new()
    );
    let end = common::rfc3339(booking.end);
    let sent = post.body.clone().unwrap();
    assert_eq!(sent["time"], json!({ "start": start_at, "end": end }));
    assert_eq!(
        sent["schedulerInfo"],
        json!({ "name": "Ada Lovelace", "email": "ada@example.com" })
    );
    // The answers, plus the booker's own for the variables that name them; no system
    // variables, no notes (the profile has no {{notes}}).
    assert_eq!(
        sent["substitutionData"],
        json!({ "topic": "Pricing", "company": "Acme", "name": "Ada Lovelace", "email": "ada@example.com" })
    );
    assert_eq!(sent["invitees"], json!([{ "email": "cfo@example.com" }]));
    let keys: BTreeSet<&str> = sent
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    let expected = ["invitees", "schedulerInfo", "substitutionData", "time"];
    assert_eq!(keys, BTreeSet::from(expected));

    let made = fake.bookings();
    assert_eq!(made.len(), 1);
    assert_eq!(made[0]["id"], json!(booking.id));
    assert_eq!(made[0]["subject"], "Intro call with Ada Lovelace");
}

async fn taken_slot(status: u16) {
    let fake = Aurinko::new(KEY);
    fake.conflict_status(status);
    let r = start_with_fake(&case(), fake.router(), KEY, "").await;
    let start_at = r.first_slot().await;
    let first = r.book(&start_at, 30, (case().fields)()).await;
    assert_eq!(first.status(), 201);
    let second = r.book(&start_at, 30, (case().fields)()).await;
    assert_eq!(second.status(), 409, "Aurinko answered {status}");
    let body: ErrorEnvelope = second.json().await.unwrap();
    assert_eq!(body.error.code, ErrorCode::SlotUnavailable);
    assert_eq!(r.requests(Method::POST, MEETING).len(), 2);
    assert_eq!(fake.bookings().len(), 1);
    // The cached slots were dropped: fetched again, without that time.
    let calls = r.requests(Method::GET, MEETING).len();
    let again: SlotsResponse = r.slots(None).await.json().await.unwrap();
    assert!(r.requests(Method::GET, MEETING).len() > calls);
    assert!(again
        .slots
        .iter()
        .all(|s| common::rfc3339(s.start) != start_at));
}

#[tokio::test]
async fn a_taken_slot_is_409_whether_aurinko_says_400_or_409() {
    taken_slot(400).await;
    taken_slot(409).await;
}

#[tokio::test]
async fn a_400_that_is_not_about_the_time_is_502() {
    let fake = Aurinko::new(KEY);
    let r = start_with_fake(&case(), fake.router(), KEY, "").await;
    let start_at = r.first_slot().await;
    // The proxy still has company as optional; Aurinko now requires it.
    fake.defaults.lock().unwrap().clear();
    let response = r.book(&start_at, 30, json!({ "topic": "Pricing" })).await;
    assert_eq!(response.status(), 502);
    let body: ErrorEnvelope = response.json().await.unwrap();
    assert_eq!(body.error.code, ErrorCode::UpstreamError);
    assert!(!body.error.message.contains("substitution"));
    assert!(fake.bookings().is_empty());
}

#[tokio::test]
async fn a_create_that_times_out_is_504_and_never_resent() {
    let fake = Aurinko::new(KEY);
    let r = start_with_fake(&case(), fake.router(), KEY, "").await;
    let start_at = r.first_slot().await;
    let before = r.fake.control.requests().len();
    r.fake.control.set_fault(Some(Fault {
        kind: FaultKind::SlowAnswer(Duration::from_secs(5)),
        method: Some(Method::POST),
        times: Some(1),
    }));
    let response = r.book(&start_at, 30, (case().fields)()).await;
    assert_eq!(response.status(), 504);
    let body: ErrorEnvelope = response.json().await.unwrap();
    assert_eq!(body.error.code, ErrorCode::UpstreamTimeout);
    // One POST and nothing else: Aurinko has no lookup, and a create is never repeated.
    let after: Vec<Recorded> = r.fake.control.requests()[before..].to_vec();
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].method, Method::POST);
    assert_eq!(fake.bookings().len(), 1, "Aurinko did make it");
}

/// The adapter itself (cancel has no HTTP route), built from a config as the server does.
#[tokio::test]
async fn cancel_deletes_the_calendar_event() {
    let fake = Aurinko::new(KEY);
    let r = start_with_fake(&case(), fake.router(), KEY, "").await;
    let provider = r.provider().await;
    provider.profile().await.unwrap();
    let from = Utc::now() + TimeDelta::days(1);
    let slot = provider
        .slots(from, from + TimeDelta::days(2), 30)
        .await
        .unwrap()[0]
        .clone();
    let request = BookingRequest {
        start: slot.start,
        duration: 30,
        time_zone: "UTC".into(),
        name: "Ada Lovelace".into(),
        email: "ada@example.com".into(),
        fields: [(
            "topic".to_owned(),
            booking_wire::FieldValue::Text("Pricing".into()),
        )]
        .into_iter()
        .collect(),
        guests: vec![],
        notes: String::new(),
        locale: None,
        hold: None,
    };
    let booking = provider.book(&request).await.unwrap();
    assert!(booking.id.ends_with('='), "an id that needs encoding");

    provider.cancel(&booking.id, None).await.unwrap();
    let deletes: Vec<Recorded> = r
        .fake
        .control
        .requests()
        .into_iter()
        .filter(|q| q.method == Method::DELETE)
        .collect();
    assert_eq!(deletes.len(), 1);
    let delete = &deletes[0];
    let encoded = booking.id.replace('=', "%3D");
    assert_eq!(
        delete.path,
        format!("/v1/calendars/primary/events/{encoded}")
    );
    assert_eq!(delete.param("notifyAttendees"), Some("true"));
    bearer(delete);
    assert_eq!(spec().check(delete, None), Vec::<String>::new());
    assert_eq!(fake.bookings()[0]["deleted"], json!(true));

    // The time is free again; a second cancel, or an unknown id, is not found.
    let slots = provider
        .slots(from, from + TimeDelta::days(2), 30)
        .await
        .unwrap();
    assert!(slots.contains(&slot));
    assert!(matches!(
        provider.cancel(&booking.id, None).await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        provider.cancel("nope", None).await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        provider.cancel("", None).await,
        Err(AppError::NotFound)
    ));
}

#[tokio::test]
async fn cancel_faults_are_mapped() {
    common::faults::check_lifecycle_faults(&case()).await;
}

#[tokio::test]
async fn a_booking_cannot_be_moved_at_aurinko_and_is_cancelled_by_deleting_its_event() {
    let fake = Aurinko::new(KEY);
    let r = start_with_fake(&case(), fake.router(), KEY, "cache_seconds = 0").await;
    let start_at = r.first_slot().await;
    let made = r.book_managed(&start_at, (case().fields)()).await;
    let shown = r.manage(&made.token).await;
    assert!(shown.can_cancel && !shown.can_reschedule);
    assert_eq!(
        shown.policy.as_deref(),
        Some("Bookings of this kind cannot be moved here.")
    );
    let later = r.first_slot().await;
    let before = r.fake.control.requests().len();
    let response = r.reschedule(&made.token, &later, Some("move-1")).await;
    assert_eq!(response.status(), 409);
    let body: ErrorEnvelope = response.json().await.unwrap();
    assert_eq!(body.error.code, ErrorCode::NotAllowed);
    let writes: Vec<_> = r
        .calls_since(before)
        .into_iter()
        .filter(|(method, _)| method != "GET")
        .collect();
    assert!(writes.is_empty(), "nothing sent to move it: {writes:?}");

    let before = r.fake.control.requests().len();
    let response = r.cancel(&made.token, Some("Plans changed")).await;
    assert_eq!(response.status(), 200);
    // The event id as one path segment (Outlook ids end in `=`).
    let segment = made.booking.id.replace('=', "%3D");
    let path = format!("/v1/calendars/primary/events/{segment}");
    assert_eq!(r.calls_since(before), [("DELETE".into(), path)]);
    let delete = &r.fake.control.requests()[before];
    assert_eq!(delete.param("notifyAttendees"), Some("true"));
    bearer(delete);
}
