//! Bookings through the proxy at Jicoo, against the Jicoo fake (docs/providers.md, Jicoo):
//! answers by question uid, every conflict status Jicoo may use for a taken time as our
//! 409, creates that time out, cancel and reschedule.

mod common;

use std::time::Duration;

use axum::http::Method;
use booking_proxy::error::AppError;
use booking_wire::{Booking, BookingStatus, ErrorCode, ErrorEnvelope, SlotsResponse};
use chrono::{SecondsFormat, TimeDelta};
use common::jicoo::{assert_jicoo_auth, at, case, KEY, SLOTS_PATH};
use common::remote::{start, start_with_fake, Remote};
use provider_fakes::jicoo::{Created, Jicoo, EVENT_TYPE_UID, MEETING_URL};
use provider_fakes::{Fault, FaultKind, Recorded};
use serde_json::{json, Value};

/// As Jicoo writes instants: UTC with milliseconds.
fn millis(text: &str) -> String {
    at(text).to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn only_post(r: &Remote) -> Recorded {
    let posts = r.requests(Method::POST, "/v1/bookings");
    assert_eq!(posts.len(), 1, "one create");
    posts.into_iter().next().unwrap()
}

#[tokio::test]
async fn a_booking_arrives_as_providers_md_requires() {
    let fake = Jicoo::new(KEY);
    let r = start_with_fake(&case(), fake.router(), KEY, "").await;
    let start_at = r.first_slot().await;
    let fields = json!({
        "q_company": "Acme", "q_size": "11-50", "q_consent": true,
        "q_topics": ["Pricing", "Security"], "q_seats": 12, "q_goal": "Pricing for 50 seats",
        "q_phone": "+81 90 1234 5678", "q_site": "https://acme.example", "q_day": ""
    });
    let body = json!({
        "start": start_at, "duration": 30, "time_zone": "Europe/Paris",
        "name": " Ada Lovelace ", "email": "ada@example.com",
        "fields": fields, "guests": ["cfo@example.com"], "notes": "Please call first"
    });
    let response = r.proxy.post(&r.path("/bookings"), &body, Some("k-1")).await;
    assert_eq!(response.status(), 201);
    let booking: Booking = response.json().await.unwrap();

    let post = only_post(&r);
    assert_jicoo_auth(&post);
    assert!(post
        .header("content-type")
        .is_some_and(|c| c.starts_with("application/json")));
    // Answers by question uid, in name order; strings, or strings for several choices;
    // the empty optional answer is left out.
    assert_eq!(
        post.body.unwrap(),
        json!({
            "eventTypeId": EVENT_TYPE_UID,
            "startedAt": millis(&start_at),
            "timeZone": "Europe/Paris",
            "email": "ada@example.com",
            "name": "Ada Lovelace",
            "locationId": null,
            "answers": [
                { "questionUid": "q_company", "content": "Acme" },
                { "questionUid": "q_consent", "content": "yes" },
                { "questionUid": "q_goal", "content": "Pricing for 50 seats" },
                { "questionUid": "q_phone", "content": "+81 90 1234 5678" },
                { "questionUid": "q_seats", "content": "12" },
                { "questionUid": "q_site", "content": "https://acme.example" },
                { "questionUid": "q_size", "content": "11-50" },
                { "questionUid": "q_topics", "content": ["Pricing", "Security"] },
            ],
            "message": "Please call first",
            "ccEmails": ["cfo@example.com"],
        })
    );

    let made = fake.bookings();
    assert_eq!(made.len(), 1);
    assert_eq!(made[0]["uid"], json!(booking.id));
    assert_eq!(booking.status, BookingStatus::Confirmed);
    assert_eq!(common::rfc3339(booking.start), start_at);
    assert_eq!(booking.end - booking.start, TimeDelta::minutes(30));
    assert_eq!(booking.time_zone, "Europe/Paris");
    assert_eq!(booking.title, "Intro call");
    assert_eq!(booking.location.as_deref(), Some(MEETING_URL));
}

#[tokio::test]
async fn config_fields_that_are_not_questions_go_to_company_phone_and_message() {
    let extra = r#"fields = [
  { name = "company", label = "Company", kind = "text", required = false },
  { name = "phone", label = "Phone", kind = "phone", required = false },
  { name = "referral", label = "How did you hear of us?", kind = "text", required = false },
]"#;
    let r = start(&case(), KEY, extra).await;
    let start_at = r.first_slot().await;
    let mut fields = (case().fields)();
    fields["company"] = json!("Acme KK");
    fields["phone"] = json!("+81 3 1234 5678");
    fields["referral"] = json!("A friend");
    let body = json!({
        "start": start_at, "duration": 30, "time_zone": "Asia/Tokyo",
        "name": "Ada Lovelace", "email": "ada@example.com",
        "fields": fields, "guests": [], "notes": "Hello"
    });
    let response = r.proxy.post(&r.path("/bookings"), &body, None).await;
    assert_eq!(response.status(), 201);
    let sent = only_post(&r).body.unwrap();
    assert_eq!(sent["company"], "Acme KK");
    assert_eq!(sent["phoneNumber"], "+81 3 1234 5678");
    assert_eq!(sent["message"], "Hello\nReferral: A friend");
    let uids: Vec<&str> = sent["answers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["questionUid"].as_str().unwrap())
        .collect();
    assert_eq!(uids, vec!["q_company", "q_consent", "q_size"]);
    assert!(sent.get("ccEmails").is_none());
}

#[tokio::test]
async fn a_taken_slot_is_409_whichever_status_jicoo_uses() {
    for status in [409, 422, 402] {
        let fake = Jicoo::new(KEY);
        fake.conflict_status(status);
        fake.list_full_slots();
        let r = start_with_fake(&case(), fake.router(), KEY, "").await;
        let start_at = r.first_slot().await;
        let first = r.book(&start_at, 30, (case().fields)()).await;
        assert_eq!(first.status(), 201);
        let second = r.book(&start_at, 30, (case().fields)()).await;
        assert_eq!(second.status(), 409, "Jicoo answered {status}");
        let body: ErrorEnvelope = second.json().await.unwrap();
        assert_eq!(body.error.code, ErrorCode::SlotUnavailable);

        // What the proxy sent is what Jicoo refused with that status.
        let posts = r.requests(Method::POST, "/v1/bookings");
        assert_eq!(posts.len(), 2);
        let again = reqwest::Client::new()
            .post(format!("{}/v1/bookings", r.fake.base_url))
            .header("x-jicoo-api-key", KEY)
            .json(posts[1].body.as_ref().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(again.status().as_u16(), status);

        // The cache was dropped; the taken time, listed with no capacity left, is gone.
        let calls = r.requests(Method::GET, SLOTS_PATH).len();
        let slots: SlotsResponse = r.slots(None).await.json().await.unwrap();
        assert!(r.requests(Method::GET, SLOTS_PATH).len() > calls);
        assert!(!slots.slots.is_empty());
        assert!(slots
            .slots
            .iter()
            .all(|s| common::rfc3339(s.start) != start_at));
    }
}

#[tokio::test]
async fn other_refusals_of_a_create_stay_upstream_errors() {
    let r = start(&case(), KEY, "").await;
    let start_at = r.first_slot().await;
    r.fake.control.set_fault(Some(Fault {
        kind: FaultKind::Status(400),
        method: Some(Method::POST),
        times: Some(1),
    }));
    let response = r.book(&start_at, 30, (case().fields)()).await;
    assert_eq!(response.status(), 502);
    let body: ErrorEnvelope = response.json().await.unwrap();
    assert_eq!(body.error.code, ErrorCode::UpstreamError);
}

#[tokio::test]
async fn answers_over_jicoos_limits_are_422_and_never_sent() {
    let r = start(&case(), KEY, "").await;
    let start_at = r.first_slot().await;
    let body = json!({
        "start": start_at, "duration": 30, "time_zone": "Europe/Paris",
        "name": "A".repeat(65), "email": "ada@example.com",
        "fields": (case().fields)(), "guests": [], "notes": "n".repeat(2001)
    });
    let response = r.proxy.post(&r.path("/bookings"), &body, None).await;
    assert_eq!(response.status(), 422);
    let body: ErrorEnvelope = response.json().await.unwrap();
    assert_eq!(body.error.code, ErrorCode::InvalidBooking);
    let fields = body.error.fields.unwrap();
    assert_eq!(
        fields.get("name").map(String::as_str),
        Some("Use at most 64 characters.")
    );
    assert_eq!(
        fields.get("notes").map(String::as_str),
        Some("Use at most 2000 characters.")
    );
    assert_eq!(r.fake.count("POST", "/"), 0);
}

#[tokio::test]
async fn a_booking_awaiting_the_hosts_approval_is_pending() {
    let fake = Jicoo::new(KEY);
    fake.require_approval();
    let r = start_with_fake(&case(), fake.router(), KEY, "").await;
    let start_at = r.first_slot().await;
    let response = r.book(&start_at, 30, (case().fields)()).await;
    assert_eq!(response.status(), 201);
    let booking: Booking = response.json().await.unwrap();
    assert_eq!(booking.status, BookingStatus::Pending);
    assert_eq!(fake.bookings()[0]["status"], "request");
}

#[tokio::test]
async fn a_create_is_read_bare_or_wrapped_and_an_unreadable_one_is_looked_up() {
    for shape in [Created::Bare, Created::Wrapped, Created::Unreadable] {
        let fake = Jicoo::new(KEY);
        fake.answer_creates(shape);
        let r = start_with_fake(&case(), fake.router(), KEY, "").await;
        let start_at = r.first_slot().await;
        let response = r.book(&start_at, 30, (case().fields)()).await;
        assert_eq!(response.status(), 201, "{shape:?}");
        let booking: Booking = response.json().await.unwrap();
        let made = fake.bookings();
        assert_eq!(made.len(), 1, "{shape:?}");
        assert_eq!(made[0]["uid"], json!(booking.id), "{shape:?}");
        assert_eq!(booking.start, at(&start_at));
        let lookups = r.requests(Method::GET, "/v1/bookings").len();
        let expected = usize::from(shape == Created::Unreadable);
        assert_eq!(
            lookups, expected,
            "{shape:?}: looked up only when unreadable"
        );
        assert_eq!(r.fake.count("POST", "/v1/bookings"), 1, "never resent");
    }
}

fn slow_create() -> Option<Fault> {
    Some(Fault {
        kind: FaultKind::SlowAnswer(Duration::from_secs(5)),
        method: Some(Method::POST),
        times: Some(1),
    })
}

#[tokio::test]
async fn a_create_that_times_out_is_looked_up_not_resent() {
    let fake = Jicoo::new(KEY);
    let r = start_with_fake(&case(), fake.router(), KEY, "").await;
    let start_at = r.first_slot().await;
    // Jicoo makes the booking but the answer never arrives in time.
    r.fake.control.set_fault(slow_create());
    let response = r.book(&start_at, 30, (case().fields)()).await;
    assert_eq!(response.status(), 201);
    let booking: Booking = response.json().await.unwrap();
    assert_eq!(r.fake.count("POST", "/v1/bookings"), 1);
    let lookups = r.requests(Method::GET, "/v1/bookings");
    assert_eq!(lookups.len(), 1, "the proxy looked the booking up");
    assert_jicoo_auth(&lookups[0]);
    let end = at(&start_at) + TimeDelta::minutes(30);
    assert_eq!(
        lookups[0].param("startedAt"),
        Some(millis(&start_at).as_str())
    );
    let end = end.to_rfc3339_opts(SecondsFormat::Millis, true);
    assert_eq!(lookups[0].param("endedAt"), Some(end.as_str()));
    let made: Vec<Value> = fake.bookings();
    assert_eq!(made.len(), 1);
    assert_eq!(made[0]["uid"], json!(booking.id));
    assert_eq!(booking.location.as_deref(), Some(MEETING_URL));
}

#[tokio::test]
async fn a_timed_out_create_never_claims_an_older_booking() {
    let fake = Jicoo::new(KEY);
    let r = start_with_fake(&case(), fake.router(), KEY, "").await;
    let start_at = r.first_slot().await;
    assert_eq!(r.book(&start_at, 30, (case().fields)()).await.status(), 201);
    // Someone's booking from ten minutes ago holds the time; Jicoo refuses ours, slowly.
    fake.backdate(10);
    r.fake.control.set_fault(slow_create());
    let response = r.book(&start_at, 30, (case().fields)()).await;
    assert_eq!(response.status(), 504);
    let body: ErrorEnvelope = response.json().await.unwrap();
    assert_eq!(body.error.code, ErrorCode::UpstreamTimeout);
    // Looked up three times (the create might still land), never claimed.
    assert_eq!(r.requests(Method::GET, "/v1/bookings").len(), 3);
    assert_eq!(fake.bookings().len(), 1);
}

#[tokio::test]
async fn cancel_posts_a_reason_and_frees_the_time() {
    let fake = Jicoo::new(KEY);
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
    let path = format!("/v1/bookings/{}/cancel", booking.id);
    let posts = r.requests(Method::POST, &path);
    assert_eq!(posts.len(), 1);
    assert_jicoo_auth(&posts[0]);
    assert_eq!(
        posts[0].body,
        Some(json!({ "reason": "Cancelled through booking-proxy" }))
    );
    assert_eq!(fake.bookings()[0]["status"], "cancel");
    let free = provider
        .slots(at(&start_at), at(&start_at) + TimeDelta::hours(1), 30)
        .await
        .unwrap();
    assert_eq!(common::rfc3339(free[0].start), start_at);
    assert!(matches!(
        provider.cancel("bk_unknown", None).await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        provider.cancel("../v1/users/me", None).await,
        Err(AppError::NotFound)
    ));
}

#[tokio::test]
async fn cancel_and_reschedule_faults_are_mapped() {
    common::faults::check_lifecycle_faults(&case()).await;
}

#[tokio::test]
async fn a_booking_is_moved_and_cancelled_at_jicoo_through_its_manage_link() {
    let fake = Jicoo::new(KEY);
    let r = start_with_fake(&case(), fake.router(), KEY, "").await;
    let start_at = r.first_slot().await;
    let made = r.book_managed(&start_at, (case().fields)()).await;
    let uid = made.booking.id.clone();
    assert!(r.manage(&made.token).await.can_reschedule);
    let later = r.move_slots(&made.token).await.last().unwrap().clone();

    let before = r.fake.control.requests().len();
    let response = r.reschedule(&made.token, &later, Some("move-1")).await;
    assert_eq!(response.status(), 200);
    let moved: booking_wire::ManagedBooking = response.json().await.unwrap();
    assert_eq!(moved.booking.id, uid);
    assert_eq!(common::rfc3339(moved.booking.start), later);
    let path = format!("/v1/bookings/{uid}/reschedule");
    assert_eq!(r.calls_since(before), [("POST".into(), path)]);
    let post = &r.fake.control.requests()[before];
    assert_eq!(post.header("x-jicoo-api-key"), Some(KEY));
    let millis = at(&later).to_rfc3339_opts(SecondsFormat::Millis, true);
    assert_eq!(
        post.body,
        Some(json!({ "timeZone": "Europe/Paris", "startedAt": millis }))
    );
    assert_eq!(fake.bookings()[0]["startedAt"], json!(millis));

    let before = r.fake.control.requests().len();
    let response = r.cancel(&made.token, Some("Plans changed")).await;
    assert_eq!(response.status(), 200);
    let path = format!("/v1/bookings/{uid}/cancel");
    assert_eq!(r.calls_since(before), [("POST".into(), path)]);
    let cancel = &r.fake.control.requests()[before];
    assert_eq!(cancel.body, Some(json!({ "reason": "Plans changed" })));
    let at_jicoo = &fake.bookings()[0];
    assert_eq!(
        (&at_jicoo["status"], &at_jicoo["cancelReason"]),
        (&json!("cancel"), &json!("Plans changed"))
    );
}
