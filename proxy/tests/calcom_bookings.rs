//! Bookings through the proxy at Cal.com, against the Cal.com fake; outgoing requests are
//! validated against Cal.com's OpenAPI file: creates, conflicts, creates that time out,
//! cancel and reschedule.

mod common;

use std::time::Duration;

use axum::http::Method;
use booking_wire::{Booking, BookingStatus, ErrorCode, ErrorEnvelope, Profile, SlotsResponse};
use common::calcom::{case, spec, KEY};
use common::remote::{start, start_with_fake};
use provider_fakes::calcom::Calcom;
use provider_fakes::{Fault, FaultKind};
use serde_json::{json, Value};

#[tokio::test]
async fn a_booking_arrives_as_the_openapi_file_requires() {
    let fake = Calcom::new(KEY);
    let r = start_with_fake(&case(), fake.router(), KEY, "").await;
    let start_at = r.first_slot_of(Some(60)).await;
    let fields = json!({
        "company-size": "11-50", "role": "CTO", "topics": ["Pricing", "Security"],
        "seats": 12, "newsletter": true, "notes": "Bring the numbers",
        "attendeePhoneNumber": "+33601020304"
    });
    let body = json!({
        "start": start_at, "duration": 60, "time_zone": "Europe/Paris",
        "name": "Ada Lovelace", "email": "ada@example.com",
        "fields": fields, "guests": ["cfo@example.com"], "notes": ""
    });
    let response = r.proxy.post(&r.path("/bookings"), &body, Some("k-1")).await;
    assert_eq!(response.status(), 201);
    let booking: Booking = response.json().await.unwrap();
    assert_eq!(booking.status, BookingStatus::Confirmed);
    assert!(booking.id.starts_with("bk_"));
    assert_eq!(common::rfc3339(booking.start), start_at);
    assert_eq!(booking.end - booking.start, chrono::TimeDelta::minutes(60));

    let post = r
        .fake
        .control
        .requests()
        .into_iter()
        .find(|q| q.method == Method::POST)
        .unwrap();
    assert_eq!(post.path, "/v2/bookings");
    assert_eq!(post.header("cal-api-version"), Some("2024-08-13"));
    let problems = spec().check(&post, Some("CreateBookingInput_2024_08_13"));
    assert_eq!(problems, Vec::<String>::new());
    let sent = post.body.unwrap();
    assert_eq!(sent["eventTypeId"], 1234);
    assert_eq!(sent["lengthInMinutes"], 60);
    assert_eq!(sent["start"], start_at);
    assert_eq!(
        sent["attendee"],
        json!({ "name": "Ada Lovelace", "email": "ada@example.com", "timeZone": "Europe/Paris" })
    );
    assert_eq!(sent["guests"], json!(["cfo@example.com"]));
    let responses = &sent["bookingFieldsResponses"];
    assert_eq!(responses["topics"], json!(["Pricing", "Security"]));
    assert_eq!(responses["seats"], json!(12.0));
    assert_eq!(responses["newsletter"], json!(true));
    assert_eq!(responses["notes"], json!("Bring the numbers"));
    assert_eq!(responses["attendeePhoneNumber"], json!("+33601020304"));
    assert!(responses.get("name").is_none() && responses.get("email").is_none());
    assert_eq!(fake.bookings().len(), 1);
    assert_eq!(fake.bookings()[0]["uid"], json!(booking.id));
}

#[tokio::test]
async fn a_taken_slot_is_409_and_the_cached_slots_are_dropped() {
    let r = start(&case(), KEY, "").await;
    let start_at = r.first_slot().await;
    let first = r.book(&start_at, 30, (case().fields)()).await;
    assert_eq!(first.status(), 201);
    // Cal.com answers 400 "already has booking"; the widget needs 409.
    let second = r.book(&start_at, 30, (case().fields)()).await;
    assert_eq!(second.status(), 409);
    let body: ErrorEnvelope = second.json().await.unwrap();
    assert_eq!(body.error.code, ErrorCode::SlotUnavailable);
    // The booking dropped the cache: the slot list is fetched again, without that time.
    let calls = r.fake.count("GET", "/v2/slots");
    let again: SlotsResponse = r.slots(None).await.json().await.unwrap();
    assert_eq!(r.fake.count("GET", "/v2/slots"), calls + 1);
    assert!(again
        .slots
        .iter()
        .all(|s| common::rfc3339(s.start) != start_at));
}

#[tokio::test]
async fn event_types_needing_confirmation_book_as_pending() {
    let fake = Calcom::new(KEY);
    fake.require_confirmation();
    let r = start_with_fake(&case(), fake.router(), KEY, "").await;
    let profile: Profile = r.proxy.get(&r.path("")).await.json().await.unwrap();
    assert!(profile.requires_confirmation);
    let start_at = r.first_slot().await;
    let response = r.book(&start_at, 30, (case().fields)()).await;
    assert_eq!(response.status(), 201);
    let booking: Booking = response.json().await.unwrap();
    assert_eq!(booking.status, BookingStatus::Pending);
}

#[tokio::test]
async fn a_create_that_times_out_is_looked_up_not_resent() {
    let fake = Calcom::new(KEY);
    let r = start_with_fake(&case(), fake.router(), KEY, "").await;
    let start_at = r.first_slot().await;
    // Cal.com makes the booking but the answer never arrives in time.
    r.fake.control.set_fault(Some(Fault {
        kind: FaultKind::SlowAnswer(Duration::from_secs(5)),
        method: Some(Method::POST),
        times: Some(1),
    }));
    let response = r.book(&start_at, 30, (case().fields)()).await;
    assert_eq!(response.status(), 201);
    let booking: Booking = response.json().await.unwrap();
    assert_eq!(r.fake.count("POST", "/v2/bookings"), 1);
    let lookup = r
        .fake
        .control
        .requests()
        .into_iter()
        .find(|q| q.method == Method::GET && q.path == "/v2/bookings")
        .expect("the proxy looked the booking up");
    assert_eq!(spec().check(&lookup, None), Vec::<String>::new());
    let made: Vec<Value> = fake.bookings();
    assert_eq!(made.len(), 1);
    assert_eq!(made[0]["uid"], json!(booking.id));
}

#[tokio::test]
async fn the_operator_cancels_at_cal_com_and_the_time_is_free_again() {
    let fake = Calcom::new(KEY);
    let r = start_with_fake(&case(), fake.router(), KEY, "cache_seconds = 0").await;
    let start_at = r.first_slot().await;
    let booking: Booking = r
        .book(&start_at, 30, (case().fields)())
        .await
        .json()
        .await
        .unwrap();
    let config = r.proxy.dir.path().join("operator.toml");
    let text = format!(
        "[profiles.sales]\nprovider = \"calcom\"\napi_key_env = \"OPERATOR_CAL_KEY\"\nbase_url = \"{}\"\nevent_type_id = 1234\n",
        r.fake.base_url
    );
    std::fs::write(&config, text).unwrap();
    let id = booking.id.clone();
    let run = move |id: String| {
        std::process::Command::new(env!("CARGO_BIN_EXE_booking-proxy"))
            .args(["bookings", "--config"])
            .arg(&config)
            .args(["cancel", "--profile", "sales", &id])
            .env("OPERATOR_CAL_KEY", KEY)
            .output()
            .expect("run booking-proxy")
    };
    let (out, unknown) = tokio::task::spawn_blocking(move || (run(id), run("bk_nope".into())))
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains(&booking.id), "{stdout}");
    assert_eq!(fake.bookings()[0]["status"], "cancelled");
    let cancel = r
        .fake
        .control
        .requests()
        .into_iter()
        .find(|q| q.path.ends_with("/cancel"))
        .unwrap();
    assert_eq!(cancel.header("cal-api-version"), Some("2024-08-13"));
    assert_eq!(
        spec().check(&cancel, Some("CancelBookingInput_2024_08_13")),
        Vec::<String>::new()
    );
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no booking \"bk_nope\""));
    // The time is offered again.
    let again: SlotsResponse = r.slots(None).await.json().await.unwrap();
    assert!(again
        .slots
        .iter()
        .any(|s| common::rfc3339(s.start) == start_at));
}

#[tokio::test]
async fn a_single_length_event_type_books_without_length_in_minutes() {
    let fake = Calcom::new(KEY);
    fake.single_length(45);
    let r = start_with_fake(&case(), fake.router(), KEY, "").await;
    let profile: Profile = r.proxy.get(&r.path("")).await.json().await.unwrap();
    assert_eq!(profile.durations, vec![45]);
    let start_at = r.first_slot().await;
    let response = r.book(&start_at, 45, (case().fields)()).await;
    assert_eq!(response.status(), 201);
    let booking: Booking = response.json().await.unwrap();
    assert_eq!(booking.end - booking.start, chrono::TimeDelta::minutes(45));
    let sent = r.fake.control.requests();
    let slots = sent.iter().find(|q| q.path == "/v2/slots").unwrap();
    assert_eq!(
        slots.param("duration"),
        None,
        "Cal.com ignores duration for one length"
    );
    let post = sent.iter().find(|q| q.method == Method::POST).unwrap();
    assert!(post.body.as_ref().unwrap().get("lengthInMinutes").is_none());
}

#[tokio::test]
async fn a_create_that_lands_after_the_timeout_is_found_by_a_later_look_up() {
    let fake = Calcom::new(KEY);
    let r = start_with_fake(&case(), fake.router(), KEY, "").await;
    let start_at = r.first_slot().await;
    // Cal.com is still making the booking when the proxy gives up on the answer.
    r.fake.control.set_fault(Some(Fault {
        kind: FaultKind::Late(Duration::from_millis(700)),
        method: Some(Method::POST),
        times: Some(1),
    }));
    let response = r.book(&start_at, 30, (case().fields)()).await;
    assert_eq!(response.status(), 201);
    let booking: Booking = response.json().await.unwrap();
    assert_eq!(fake.bookings().len(), 1);
    assert_eq!(fake.bookings()[0]["uid"], json!(booking.id));
    assert_eq!(r.fake.count("POST", "/v2/bookings"), 1);
    assert!(r.fake.count("GET", "/v2/bookings") >= 2, "looked up again");
}

#[tokio::test]
async fn cancel_and_reschedule_faults_are_mapped() {
    common::faults::check_lifecycle_faults(&case()).await;
}

#[tokio::test]
async fn a_booking_is_moved_and_cancelled_at_cal_com_through_its_manage_link() {
    let fake = Calcom::new(KEY);
    let r = start_with_fake(&case(), fake.router(), KEY, "").await;
    let start_at = r.first_slot().await;
    let made = r.book_managed(&start_at, (case().fields)()).await;
    let uid = made.booking.id.clone();
    let shown = r.manage(&made.token).await;
    assert!(
        shown.can_cancel && shown.can_reschedule,
        "{:?}",
        shown.policy
    );

    // Slots for the move are Cal.com's for moving this booking: its own time is offered.
    let before = r.fake.control.requests().len();
    let offered = r.move_slots(&made.token).await;
    assert!(
        offered.contains(&start_at),
        "the booking's own time is free for it"
    );
    let ordinary: SlotsResponse = r.slots(None).await.json().await.unwrap();
    assert!(ordinary
        .slots
        .iter()
        .all(|s| common::rfc3339(s.start) != start_at));
    let asked = &r.fake.control.requests()[before];
    assert_eq!(asked.path, "/v2/slots");
    assert_eq!(asked.param("bookingUidToReschedule"), Some(uid.as_str()));
    // The vendored OpenAPI file predates this parameter (docs/providers.md, Cal.com:
    // Reschedule); everything else is checked against it.
    let newer = "query parameter bookingUidToReschedule is not in the spec";
    let problems: Vec<String> = spec()
        .check(asked, None)
        .into_iter()
        .filter(|p| p != newer)
        .collect();
    assert_eq!(problems, Vec::<String>::new());

    let later = offered.last().unwrap().clone();
    // Cal.com moves a booking at its own length: another one is refused here.
    let longer = json!({ "start": later, "duration": 60, "time_zone": "Europe/Paris" });
    let path = format!("/api/v1/bookings/{}/reschedule", made.token);
    let response = r.proxy.post(&path, &longer, None).await;
    assert_eq!(response.status(), 422);
    let body: ErrorEnvelope = response.json().await.unwrap();
    assert!(body.error.fields.unwrap().contains_key("duration"));
    let before = r.fake.control.requests().len();
    let response = r.reschedule(&made.token, &later, Some("move-1")).await;
    assert_eq!(response.status(), 200);
    let moved: booking_wire::ManagedBooking = response.json().await.unwrap();
    // Cal.com made a new booking; the proxy's id and the token stay.
    assert_eq!(moved.booking.id, uid);
    assert_eq!(common::rfc3339(moved.booking.start), later);
    assert_eq!(
        r.calls_since(before),
        [("POST".into(), format!("/v2/bookings/{uid}/reschedule"))]
    );
    let post = &r.fake.control.requests()[before];
    assert_eq!(post.header("cal-api-version"), Some("2024-08-13"));
    assert_eq!(
        spec().check(post, Some("RescheduleBookingInput_2024_08_13")),
        Vec::<String>::new()
    );
    assert_eq!(post.body, Some(json!({ "start": later })));
    let made_at_cal = fake.bookings();
    let new_uid = made_at_cal[1]["uid"].as_str().unwrap().to_owned();
    assert_ne!(new_uid, uid);
    assert_eq!(made_at_cal[0]["status"], "cancelled");
    assert_eq!(made_at_cal[0]["rescheduledToUid"], json!(new_uid));
    assert_eq!(made_at_cal[1]["rescheduledFromUid"], json!(uid));

    // A replay answers as the first time did, without a second move.
    let replay = r.reschedule(&made.token, &later, Some("move-1")).await;
    assert_eq!(replay.status(), 200);
    let again: booking_wire::ManagedBooking = replay.json().await.unwrap();
    assert_eq!(again, moved);
    assert_eq!(
        r.requests(Method::POST, &format!("/v2/bookings/{uid}/reschedule"))
            .len(),
        1
    );

    // The cancel goes to the booking Cal.com has now, with the visitor's reason.
    let before = r.fake.control.requests().len();
    let response = r.cancel(&made.token, Some("Plans changed")).await;
    assert_eq!(response.status(), 200);
    let cancelled: booking_wire::ManagedBooking = response.json().await.unwrap();
    assert_eq!(cancelled.booking.status, BookingStatus::Cancelled);
    assert_eq!(cancelled.booking.id, uid);
    let path = format!("/v2/bookings/{new_uid}/cancel");
    assert_eq!(r.calls_since(before), [("POST".into(), path)]);
    let cancel = &r.fake.control.requests()[before];
    assert_eq!(cancel.header("cal-api-version"), Some("2024-08-13"));
    assert_eq!(
        spec().check(cancel, Some("CancelBookingInput_2024_08_13")),
        Vec::<String>::new()
    );
    assert_eq!(
        cancel.body,
        Some(json!({ "cancellationReason": "Plans changed" }))
    );
    assert_eq!(fake.bookings()[1]["status"], "cancelled");
}

/// The manage token never leaves the proxy: not in a log line (debug included) across
/// book, manage, move and cancel, and not in anything sent to Cal.com.
#[tokio::test]
async fn the_manage_token_reaches_neither_the_logs_nor_cal_com() {
    common::logs::capture();
    let r = start(&case(), KEY, "").await;
    let start_at = r.first_slot().await;
    let made = r.book_managed(&start_at, (case().fields)()).await;
    r.manage(&made.token).await;
    let later = r.move_slots(&made.token).await.last().unwrap().clone();
    let moved = r.reschedule(&made.token, &later, Some("move-1")).await;
    assert_eq!(moved.status(), 200);
    let cancelled = r.cancel(&made.token, Some("Travel")).await;
    assert_eq!(cancelled.status(), 200);
    // And a wrong token next to it, which a log line might echo.
    let wrong = format!("{}x", &made.token[1..]);
    let response = r.proxy.get(&format!("/api/v1/bookings/{wrong}")).await;
    assert_eq!(response.status(), 404);

    let logs = common::logs::text();
    assert!(logs.contains(&r.profile), "the flow was logged");
    for secret in [&made.token, &wrong] {
        assert!(
            !logs.contains(secret.as_str()),
            "a token reached a log line"
        );
    }
    for sent in r.fake.control.requests() {
        let text = format!(
            "{} {:?} {:?} {}",
            sent.path,
            sent.query,
            sent.headers,
            sent.body.map(|b| b.to_string()).unwrap_or_default()
        );
        assert!(!text.contains(&made.token), "the token was sent to Cal.com");
    }
}
