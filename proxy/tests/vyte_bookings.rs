//! Bookings through the proxy at Vyte, against the Vyte fake (docs/providers.md, Vyte;
//! requests checked field by field): creates, conflicts, confirmation, creates that time
//! out, cancel and reschedule.

mod common;

use std::time::Duration;

use axum::http::Method;
use booking_wire::{Booking, BookingStatus, ErrorCode, ErrorEnvelope, Profile, SlotsResponse};
use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use common::remote::{start, start_with_fake};
use common::vyte::{case, the_create, KEY};
use provider_fakes::vyte::{Vyte, USER_ID};
use provider_fakes::{Fault, FaultKind};
use serde_json::{json, Value};

async fn error_code(response: reqwest::Response) -> ErrorCode {
    let body: ErrorEnvelope = response.json().await.expect("error envelope");
    body.error.code
}

#[tokio::test]
async fn a_booking_arrives_as_a_confirmed_vyteme_event() {
    let fake = Vyte::new(KEY);
    let r = start_with_fake(&case(), fake.router(), KEY, "").await;
    let start_at = r.first_slot().await;
    let body = json!({
        "start": start_at, "duration": 30, "time_zone": "Europe/Paris",
        "name": " Ada Lovelace ", "email": "ada@example.com",
        "fields": { "phone": "+33601020304", "company": "Acme" },
        "guests": ["cfo@example.com"], "notes": "Bring the numbers"
    });
    let response = r.proxy.post(&r.path("/bookings"), &body, Some("k-1")).await;
    assert_eq!(response.status(), 201);
    let booking: Booking = response.json().await.unwrap();

    // The slot was asked for again right before the create, for that day only.
    let sent = r.fake.control.requests();
    let post_at = sent
        .iter()
        .position(|q| q.method == Method::POST)
        .expect("a create");
    let check = &sent[post_at - 1];
    assert_eq!(
        (check.method.as_str(), check.path.as_str()),
        ("GET", "/v2/slots")
    );
    let day = &start_at[..10];
    assert_eq!(check.param("from"), Some(day));
    assert_eq!(check.param("to"), Some(day));
    assert_eq!(check.param("duration"), Some("30"));

    let post = the_create(&r);
    assert_eq!(post.header("authorization"), Some(KEY));
    assert_eq!(post.header("content-type"), Some("application/json"));
    let sent = post.body.expect("JSON body");
    let start: DateTime<Utc> = start_at.parse().unwrap();
    let paris = |t: DateTime<Utc>| {
        t.with_timezone(&chrono_tz::Europe::Paris)
            .to_rfc3339_opts(SecondsFormat::Secs, false)
    };
    let group = sent["third_party"]["group_ids"][0]
        .as_str()
        .expect("our request id")
        .to_owned();
    assert!(group.starts_with("req_"));
    let expected = json!({
        "title": "Intro call — Ada Lovelace",
        "created_by": { "user": USER_ID },
        "dates": [ { "all_day": false, "date": paris(start),
                     "end_date": paris(start + TimeDelta::minutes(30)) } ],
        "invitees": [
            { "full_name": "Ada Lovelace", "email": "ada@example.com", "phone": "+33601020304" },
            { "email": "cfo@example.com" },
        ],
        "places": [ { "name": "Google Meet" } ],
        "messages": [ { "body": "Phone: +33601020304\nCompany: Acme\n\nBring the numbers" } ],
        "timezone": "Europe/Paris",
        "vyteme": true,
        "confirmed": { "flag": true },
        "third_party": { "group_ids": [group] },
    });
    assert_eq!(sent, expected);
    // An explicit offset, never naive and never UTC-only.
    let date = sent["dates"][0]["date"].as_str().unwrap();
    assert!(
        date.ends_with("+01:00") || date.ends_with("+02:00"),
        "{date}"
    );

    let made = fake.bookings();
    assert_eq!(made.len(), 1);
    assert_eq!(booking.id, made[0]["_id"].as_str().unwrap());
    assert_eq!(booking.status, BookingStatus::Confirmed);
    assert_eq!(common::rfc3339(booking.start), start_at);
    assert_eq!(booking.end - booking.start, TimeDelta::minutes(30));
    assert_eq!(booking.time_zone, "Europe/Paris");
    assert_eq!(booking.title, "Intro call — Ada Lovelace");
    assert_eq!(booking.location.as_deref(), Some("Google Meet"));
    // Vyte read the offset right: the stored instant is the slot.
    let stored: DateTime<Utc> = made[0]["dates"][0]["date"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(stored, start);
    assert_eq!(made[0]["confirmed"]["flag"], json!(true));
}

#[tokio::test]
async fn a_time_taken_since_the_list_is_409_and_never_created() {
    let fake = Vyte::new(KEY);
    let r = start_with_fake(&case(), fake.router(), KEY, "").await;
    let start_at = r.first_slot().await;
    assert_eq!(r.book(&start_at, 30, (case().fields)()).await.status(), 201);
    // Vyte would book it again; the re-check catches it first.
    let second = r.book(&start_at, 30, (case().fields)()).await;
    assert_eq!(second.status(), 409);
    assert_eq!(error_code(second).await, ErrorCode::SlotUnavailable);
    assert_eq!(r.requests(Method::POST, "/v2/events").len(), 1);
    assert_eq!(fake.bookings().len(), 1);
    // The booking dropped the cached slots: fetched again, without that time.
    let calls = r.fake.count("GET", "/v2/slots");
    let again: SlotsResponse = r.slots(None).await.json().await.unwrap();
    assert_eq!(r.fake.count("GET", "/v2/slots"), calls + 1);
    assert!(!again.slots.is_empty());
    assert!(again
        .slots
        .iter()
        .all(|s| common::rfc3339(s.start) != start_at));
}

#[tokio::test]
async fn a_create_vyte_refuses_as_taken_is_409_other_refusals_502() {
    for status in [409, 400, 422] {
        let fake = Vyte::new(KEY);
        // The slot list lags behind the calendar, and the create checks it.
        fake.configure(|k| {
            k.stale_slots = true;
            k.conflict_status = Some(status);
        });
        let r = start_with_fake(&case(), fake.router(), KEY, "").await;
        let start_at = r.first_slot().await;
        assert_eq!(r.book(&start_at, 30, (case().fields)()).await.status(), 201);
        let second = r.book(&start_at, 30, (case().fields)()).await;
        assert_eq!(second.status(), 409, "Vyte answered {status}");
        assert_eq!(error_code(second).await, ErrorCode::SlotUnavailable);
        assert_eq!(r.requests(Method::POST, "/v2/events").len(), 2);
        assert_eq!(fake.bookings().len(), 1);
    }
    // A 400 that is not about the time is the provider failing.
    let r = start(&case(), KEY, "").await;
    let start_at = r.first_slot().await;
    r.fake.control.set_fault(Some(Fault {
        kind: FaultKind::Status(400),
        method: Some(Method::POST),
        times: None,
    }));
    let refused = r.book(&start_at, 30, (case().fields)()).await;
    assert_eq!(refused.status(), 502);
    assert_eq!(error_code(refused).await, ErrorCode::UpstreamError);
}

#[tokio::test]
async fn profiles_needing_confirmation_book_as_pending() {
    let fake = Vyte::new(KEY);
    let r = start_with_fake(&case(), fake.router(), KEY, "requires_confirmation = true").await;
    let profile: Profile = r.proxy.get(&r.path("")).await.json().await.unwrap();
    assert!(profile.requires_confirmation);
    let start_at = r.first_slot().await;
    let response = r.book(&start_at, 30, (case().fields)()).await;
    assert_eq!(response.status(), 201);
    let booking: Booking = response.json().await.unwrap();
    assert_eq!(booking.status, BookingStatus::Pending);
    let sent = the_create(&r).body.unwrap();
    assert!(sent.get("confirmed").is_none(), "the host confirms: {sent}");
    assert_eq!(sent["messages"], json!([{ "body": "Company: Acme" }]));
    assert_eq!(fake.bookings()[0]["confirmed"]["flag"], json!(false));
    assert_eq!(r.fake.count("POST", "/v2/events/"), 0, "no confirm call");
}

#[tokio::test]
async fn an_event_left_unconfirmed_is_confirmed_on_its_date() {
    let fake = Vyte::new(KEY);
    fake.configure(|k| {
        k.ignore_confirmed_on_create = true;
        k.create_status = 201;
    });
    let r = start_with_fake(&case(), fake.router(), KEY, "").await;
    let start_at = r.first_slot().await;
    let response = r.book(&start_at, 30, (case().fields)()).await;
    assert_eq!(response.status(), 201);
    let booking: Booking = response.json().await.unwrap();
    assert_eq!(booking.status, BookingStatus::Confirmed);
    let made = &fake.bookings()[0];
    let path = format!("/v2/events/{}/confirm", booking.id);
    let confirm = r.requests(Method::POST, &path);
    assert_eq!(confirm.len(), 1);
    assert_eq!(confirm[0].param("d"), made["dates"][0]["_id"].as_str());
    assert_eq!(confirm[0].header("authorization"), Some(KEY));
    assert_eq!(made["confirmed"]["flag"], json!(true));
    assert_eq!(made["confirmed"]["date_id"], made["dates"][0]["_id"]);
}

#[tokio::test]
async fn a_create_that_times_out_is_looked_up_by_group_id() {
    let fake = Vyte::new(KEY);
    let r = start_with_fake(&case(), fake.router(), KEY, "").await;
    let start_at = r.first_slot().await;
    // Vyte makes the event but the answer never arrives in time.
    r.fake.control.set_fault(Some(Fault {
        kind: FaultKind::SlowAnswer(Duration::from_secs(5)),
        method: Some(Method::POST),
        times: Some(1),
    }));
    let response = r.book(&start_at, 30, (case().fields)()).await;
    assert_eq!(response.status(), 201);
    let booking: Booking = response.json().await.unwrap();
    assert_eq!(booking.status, BookingStatus::Confirmed);
    let group = the_create(&r).body.unwrap()["third_party"]["group_ids"][0].clone();
    let lookups = r.requests(Method::GET, "/v2/events");
    assert_eq!(lookups.len(), 1, "the proxy looked the event up");
    assert_eq!(lookups[0].param("group_ids"), group.as_str());
    let made: Vec<Value> = fake.bookings();
    assert_eq!(made.len(), 1);
    assert_eq!(made[0]["_id"], json!(booking.id));
}

#[tokio::test]
async fn a_create_that_timed_out_and_was_not_made_is_504() {
    let r = start(&case(), KEY, "").await;
    let start_at = r.first_slot().await;
    r.fake.control.set_fault(Some(Fault {
        kind: FaultKind::Slow(Duration::from_secs(5)),
        method: Some(Method::POST),
        times: Some(1),
    }));
    let response = r.book(&start_at, 30, (case().fields)()).await;
    assert_eq!(response.status(), 504);
    assert_eq!(error_code(response).await, ErrorCode::UpstreamTimeout);
    // Looked up three times (the create might still land), then 504.
    assert_eq!(r.requests(Method::GET, "/v2/events").len(), 3);
    assert_eq!(
        r.requests(Method::POST, "/v2/events").len(),
        1,
        "never resent"
    );
}

/// The proxy's own view of the profile, for calls no HTTP route makes (cancel).
#[tokio::test]
async fn cancel_posts_to_cancel_and_takes_the_text_ok() {
    let fake = Vyte::new(KEY);
    let r = start_with_fake(&case(), fake.router(), KEY, "").await;
    let start_at = r.first_slot().await;
    let booking: Booking = r
        .book(&start_at, 30, (case().fields)())
        .await
        .json()
        .await
        .unwrap();
    let provider = r.provider().await;
    provider.cancel(&booking.id, None).await.expect("cancelled");
    let path = format!("/v2/events/{}/cancel", booking.id);
    let sent = r.requests(Method::POST, &path);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].header("authorization"), Some(KEY));
    assert_eq!(fake.bookings()[0]["cancelled"]["flag"], json!(true));

    let unknown = provider.cancel("5f0d7eb02003d0971e2a961a", None).await;
    assert!(matches!(
        unknown,
        Err(booking_proxy::error::AppError::NotFound)
    ));
    let before = r.fake.control.requests().len();
    let odd = provider.cancel("../users", None).await;
    assert!(matches!(odd, Err(booking_proxy::error::AppError::NotFound)));
    assert_eq!(r.fake.control.requests().len(), before, "never sent");
    // The freed time is offered again.
    let again: SlotsResponse = r.slots(None).await.json().await.unwrap();
    assert!(again
        .slots
        .iter()
        .any(|s| common::rfc3339(s.start) == start_at));
}

#[tokio::test]
async fn the_fake_wants_the_raw_key_and_a_host() {
    let fake = provider_fakes::spawn(Vyte::new(KEY).router(), provider_fakes::Control::new()).await;
    let client = reqwest::Client::new();
    let get = |auth: String, path: &str| {
        client
            .get(format!("{}{path}", fake.base_url))
            .header("authorization", auth)
            .send()
    };
    let user = format!("/v2/users/{USER_ID}");
    let bearer = get(format!("Bearer {KEY}"), &user).await.unwrap();
    assert_eq!(bearer.status(), 401);
    let body: Value = bearer.json().await.unwrap();
    assert!(body["message"].is_string());
    assert_eq!(get(KEY.into(), &user).await.unwrap().status(), 200);
    let no_host = get(
        KEY.into(),
        "/v2/slots?duration=30&from=2050-01-03&to=2050-01-03",
    )
    .await
    .unwrap();
    assert_eq!(no_host.status(), 400);
}

#[tokio::test]
async fn cancel_and_reschedule_faults_are_mapped() {
    common::faults::check_lifecycle_faults(&case()).await;
}

#[tokio::test]
async fn a_booking_is_moved_and_cancelled_at_vyte_through_its_manage_link() {
    let fake = Vyte::new(KEY);
    let r = start_with_fake(&case(), fake.router(), KEY, "").await;
    let start_at = r.first_slot().await;
    let made = r.book_managed(&start_at, (case().fields)()).await;
    let id = made.booking.id.clone();
    assert!(r.manage(&made.token).await.can_reschedule);
    let later = r.move_slots(&made.token).await.last().unwrap().clone();

    let before = r.fake.control.requests().len();
    let response = r.reschedule(&made.token, &later, Some("move-1")).await;
    assert_eq!(response.status(), 200);
    let moved: booking_wire::ManagedBooking = response.json().await.unwrap();
    assert_eq!(moved.booking.id, id);
    assert_eq!(common::rfc3339(moved.booking.start), later);
    assert_eq!(moved.booking.status, BookingStatus::Confirmed);
    // The new time asked for once more (Vyte books any time), the dates replaced, then
    // the new date confirmed.
    let event = format!("/v2/events/{id}");
    assert_eq!(
        r.calls_since(before),
        [
            ("GET".into(), "/v2/slots".into()),
            ("PUT".into(), event.clone()),
            ("POST".into(), format!("{event}/confirm")),
        ]
    );
    let sent = r.fake.control.requests();
    let put = &sent[before + 1];
    assert_eq!(put.header("authorization"), Some(KEY));
    let paris = DateTime::parse_from_rfc3339(&later)
        .unwrap()
        .with_timezone(&chrono_tz::Europe::Paris);
    let end = paris + TimeDelta::minutes(30);
    let offset = |t: chrono::DateTime<chrono_tz::Tz>| t.to_rfc3339_opts(SecondsFormat::Secs, false);
    assert_eq!(
        put.body,
        Some(
            json!({ "dates": [ { "all_day": false, "date": offset(paris), "end_date": offset(end) } ] })
        )
    );
    let stored = &fake.bookings()[0];
    let date_id = stored["dates"][0]["_id"].as_str().unwrap().to_owned();
    assert_eq!(sent[before + 2].param("d"), Some(date_id.as_str()));
    assert_eq!(stored["confirmed"]["flag"], true);
    assert_eq!(stored["confirmed"]["date_id"], json!(date_id));

    let before = r.fake.control.requests().len();
    let response = r.cancel(&made.token, Some("Plans changed")).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        r.calls_since(before),
        [("POST".into(), format!("{event}/cancel"))]
    );
    assert_eq!(fake.bookings()[0]["cancelled"]["flag"], true);
}
