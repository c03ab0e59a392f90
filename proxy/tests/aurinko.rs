//! Aurinko's Booking API through the proxy, against the Aurinko fake; outgoing requests are
//! validated against Aurinko's OpenAPI file.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use axum::http::Method;
use booking_proxy::error::AppError;
use booking_wire::{
    Booking, BookingRequest, BookingStatus, ErrorCode, ErrorEnvelope, FieldKind, Profile,
    SlotsResponse,
};
use chrono::{DateTime, Days, NaiveTime, TimeDelta, TimeZone, Utc};
use common::remote::{check_faults, start, start_with_fake, Case};
use common::spec::Spec;
use provider_fakes::aurinko::{Aurinko, PROFILE_ID};
use provider_fakes::{Fault, FaultKind, Recorded};
use serde_json::json;

const KEY: &str = "aur_acct_tok_9f8e7d6c5b4a39281706f5e4d3c2b1a0";
const MEETING: &str = "/v1/book/account/profiles/1234/meeting";

fn case() -> Case {
    Case {
        provider: "aurinko",
        keys: "profile_id = 1234",
        key: KEY,
        router: |key| Aurinko::new(key).router(),
        fields: || json!({ "topic": "Pricing" }),
        cancels: Method::DELETE,
        moves: None,
    }
}

fn spec() -> Spec {
    Spec::load("aurinko-openapi.yaml")
}

fn bearer(request: &Recorded) {
    let expected = format!("Bearer {KEY}");
    assert_eq!(request.header("authorization"), Some(expected.as_str()));
    // The key travels in that one header only.
    for (name, value) in &request.headers {
        let text = String::from_utf8_lossy(value.as_bytes());
        assert!(name == "authorization" || !text.contains(KEY), "{name}");
    }
}

#[tokio::test]
async fn faults_are_mapped_and_the_key_never_leaks() {
    check_faults(&case()).await;
}

#[tokio::test]
async fn additional_fields_become_the_profile_form() {
    let r = start(&case(), KEY, "").await;
    let response = r.proxy.get(&r.path("")).await;
    assert_eq!(response.status(), 200);
    let profile: Profile = response.json().await.unwrap();
    assert_eq!(profile.id, r.profile);
    assert_eq!(profile.title, "Intro call with {{name}}");
    // The lines only Aurinko can fill (join link, reschedule token) are not shown.
    assert_eq!(
        profile.description,
        "A first call about {{topic}} for {{company}}.\nBooked by {{email}}."
    );
    assert_eq!(profile.time_zone, "America/New_York");
    assert_eq!(profile.durations, vec![30]);
    assert_eq!(profile.location.as_deref(), Some("Zoom"));
    assert!(!profile.requires_confirmation);
    // additionalFields: name, topic, company (default ""), email, openMeetingUrl,
    // rescheduleToken. The booker's name and email and Aurinko's own variables are not asked.
    let form: Vec<(&str, &str, FieldKind, bool)> = profile
        .fields
        .iter()
        .map(|f| (f.name.as_str(), f.label.as_str(), f.kind, f.required))
        .collect();
    assert_eq!(
        form,
        vec![
            ("topic", "Topic", FieldKind::Text, true),
            ("company", "Company", FieldKind::Text, false),
        ]
    );
    assert!(profile.fields.iter().all(|f| f.options.is_empty()));

    let gets = r.fake.control.requests();
    assert_eq!(gets.len(), 2);
    assert_eq!(
        gets[0].path,
        format!("/v1/book/account/profiles/{PROFILE_ID}")
    );
    assert!(gets[0].query.is_empty());
    assert_eq!(gets[1].path, MEETING);
    let today = Utc::now().date_naive().to_string();
    assert_eq!(gets[1].param("fromDate"), Some(today.as_str()));
    assert_eq!(gets[1].param("intervalLength"), Some("P1D"));
    for get in &gets {
        assert_eq!(get.method, Method::GET);
        bearer(get);
        assert_eq!(spec().check(get, None), Vec::<String>::new());
    }
}

/// Every 30-minute slot of 09:00–17:00 New York whose start is in `[from, to)`.
fn every_slot(from: DateTime<Utc>, to: DateTime<Utc>) -> BTreeSet<DateTime<Utc>> {
    let zone = chrono_tz::America::New_York;
    let mut out = BTreeSet::new();
    let mut day = from.date_naive() - Days::new(1);
    while day <= to.date_naive() {
        for half_hour in 18..34 {
            let time = NaiveTime::MIN + TimeDelta::minutes(30 * half_hour);
            if let Some(start) = zone.from_local_datetime(&day.and_time(time)).earliest() {
                let start = start.with_timezone(&Utc);
                if start >= from && start < to {
                    out.insert(start);
                }
            }
        }
        day = day + Days::new(1);
    }
    out
}

#[tokio::test]
async fn slots_follow_next_from_date_are_exact_and_cached() {
    let r = start(&case(), KEY, "").await;
    let responses = futures::future::join_all((0..20).map(|_| r.slots(None))).await;
    let mut bodies = Vec::new();
    for response in responses {
        assert_eq!(response.status(), 200);
        bodies.push(response.json::<SlotsResponse>().await.unwrap());
    }
    assert!(bodies.windows(2).all(|w| w[0] == w[1]));
    let slots = &bodies[0].slots;
    assert!(slots.windows(2).all(|w| w[0].start < w[1].start));
    assert!(slots
        .iter()
        .all(|s| s.end - s.start == TimeDelta::minutes(30)));

    // The range the helper asked for: 14 UTC days from today. Every free slot of the
    // fake in it comes back, and nothing else (the fake keeps a 60-minute notice).
    let now = Utc::now();
    let from = now.date_naive().and_time(NaiveTime::MIN).and_utc();
    let to = from + TimeDelta::days(14);
    let got: BTreeSet<_> = slots.iter().map(|s| s.start).collect();
    let all = every_slot(from, to);
    assert!(got.is_subset(&all), "only work-hour slots in range");
    assert!(got.iter().all(|s| *s > now + TimeDelta::minutes(55)));
    let surely = now + TimeDelta::minutes(65);
    let expected: BTreeSet<_> = all.into_iter().filter(|s| *s >= surely).collect();
    assert!(expected.is_subset(&got), "every slot of the 14 days");

    // Twenty identical requests: one profile read, its one-day fields call, then one
    // paging run. Days are asked from a day before to a day after the range (any zone);
    // the fake gives at most 7 days a call and says where to go on.
    let calls = r.requests(Method::GET, MEETING);
    assert_eq!(r.fake.count("GET", "/"), 1 + calls.len());
    let pages: Vec<(String, String)> = calls[1..]
        .iter()
        .map(|q| {
            let p = |n| q.param(n).unwrap_or_default().to_owned();
            (p("fromDate"), p("intervalLength"))
        })
        .collect();
    let day = |n: i64| (now.date_naive() + TimeDelta::days(n)).to_string();
    assert_eq!(
        pages,
        vec![
            (day(-1), "P16D".to_owned()),
            (day(6), "P9D".to_owned()),
            (day(13), "P2D".to_owned()),
        ]
    );
    for call in &calls {
        bearer(call);
        assert_eq!(spec().check(call, None), Vec::<String>::new());
    }
}

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

#[test]
fn the_spec_check_catches_what_aurinko_would_reject() {
    let spec = spec();
    let not_a_time = json!({ "time": { "start": 5 } });
    assert!(!spec.validate("CreateMeetingDto", &not_a_time).is_empty());
    let not_text = json!({ "substitutionData": { "seats": 2 } });
    assert!(!spec.validate("CreateMeetingDto", &not_text).is_empty());
    let good = json!({ "time": { "start": "2050-01-01T09:00:00Z", "end": "2050-01-01T09:30:00Z" },
        "schedulerInfo": { "name": "A", "email": "a@example.com" }, "substitutionData": { "topic": "x" } });
    assert_eq!(
        spec.validate("CreateMeetingDto", &good),
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn cancel_faults_are_mapped() {
    common::remote::check_lifecycle_faults(&case()).await;
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
