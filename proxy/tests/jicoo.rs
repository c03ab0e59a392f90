//! Jicoo API v1 through the proxy, against the Jicoo fake (docs/providers.md, Jicoo): the
//! key in `X-Jicoo-Api-Key`, questions as the form, slots in 7-day windows, answers by
//! question uid, and every conflict status Jicoo may use for a taken time as our 409.

mod common;

use std::time::Duration;

use axum::http::Method;
use booking_proxy::error::AppError;
use booking_wire::{
    Booking, BookingStatus, ErrorCode, ErrorEnvelope, FieldKind, Profile, SlotsResponse,
};
use chrono::{DateTime, Days, SecondsFormat, TimeDelta, Utc};
use common::remote::{check_faults, start, start_with_fake, Case, Remote};
use provider_fakes::jicoo::{Created, Jicoo, EVENT_TYPE_UID, MEETING_URL};
use provider_fakes::schedule::Schedule;
use provider_fakes::{Fault, FaultKind, Recorded};
use serde_json::{json, Value};

const KEY: &str = "sk_live_0123456789abcdef0123456789abcdef";
const SLOTS_PATH: &str = "/v1/event_types/mzgdPJVBb7RE/available_schedules";

fn case() -> Case {
    Case {
        provider: "jicoo",
        keys: "event_type_id = \"mzgdPJVBb7RE\"\ntime_zone = \"Asia/Tokyo\"",
        key: KEY,
        router: |key| Jicoo::new(key).router(),
        fields: || json!({ "q_company": "Acme", "q_size": "11-50", "q_consent": true }),
        cancels: Method::POST,
        moves: Some(Method::POST),
    }
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("an RFC 3339 instant")
        .with_timezone(&Utc)
}

/// As Jicoo writes instants: UTC with milliseconds.
fn millis(text: &str) -> String {
    at(text).to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn only_post(r: &Remote) -> Recorded {
    let posts = r.requests(Method::POST, "/v1/bookings");
    assert_eq!(posts.len(), 1, "one create");
    posts.into_iter().next().unwrap()
}

/// The key header and nothing else carrying it.
fn assert_jicoo_auth(q: &Recorded) {
    assert_eq!(q.header("x-jicoo-api-key"), Some(KEY));
    assert_eq!(q.header("authorization"), None);
}

/// The `(periodStart, periodEnd)` windows asked (a few at a time, so sorted here), after
/// checking each is a proper window of at most 7 days and they follow one another without
/// gap or overlap.
fn windows(r: &Remote) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut asked: Vec<(DateTime<Utc>, DateTime<Utc>)> = r
        .requests(Method::GET, SLOTS_PATH)
        .iter()
        .map(|q| {
            assert_jicoo_auth(q);
            assert_eq!(q.param("startedAt"), None, "periodStart/periodEnd only");
            let start = q.param("periodStart").expect("periodStart");
            let end = q.param("periodEnd").expect("periodEnd");
            assert!(start.ends_with(".000Z") && end.ends_with(".000Z"));
            (at(start), at(end))
        })
        .collect();
    asked.sort();
    for (start, end) in &asked {
        assert!(start < end && *end - *start <= TimeDelta::days(7));
    }
    assert!(asked.windows(2).all(|w| w[0].1 == w[1].0), "{asked:?}");
    asked
}

/// The fake's free slots in `[from, to)`, leaving out the next minutes on both sides so
/// the clock moving on during the test changes nothing.
fn expected(from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    let soon = Utc::now() + TimeDelta::minutes(5);
    Schedule::new(chrono_tz::Asia::Tokyo)
        .free(from, to, 30, &[])
        .into_iter()
        .filter(|s| *s > soon)
        .collect()
}

fn starts_after_soon(body: &SlotsResponse) -> Vec<DateTime<Utc>> {
    let soon = Utc::now() + TimeDelta::minutes(5);
    body.slots
        .iter()
        .map(|s| s.start)
        .filter(|s| *s > soon)
        .collect()
}

/// The proxy's provider for a Jicoo profile at `base_url`, for what no route reaches.
#[tokio::test]
async fn faults_are_mapped_and_the_key_never_leaks() {
    check_faults(&case()).await;
}

#[tokio::test]
async fn questions_become_the_profile_form() {
    let r = start(&case(), KEY, "").await;
    let response = r.proxy.get(&r.path("")).await;
    assert_eq!(response.status(), 200);
    let profile: Profile = response.json().await.unwrap();
    assert_eq!(profile.id, r.profile);
    assert_eq!(profile.title, "Intro call");
    assert_eq!(profile.description, "A first call with Hanako.");
    assert_eq!(profile.durations, vec![30]);
    assert_eq!(profile.time_zone, "Asia/Tokyo");
    assert_eq!(profile.location.as_deref(), Some("Google Meet"));
    assert!(!profile.requires_confirmation);
    let form: Vec<(&str, &str, FieldKind, bool)> = profile
        .fields
        .iter()
        .map(|f| (f.name.as_str(), f.label.as_str(), f.kind, f.required))
        .collect();
    // The uid is the field name; "q bad" cannot be one and is left out; a `date`
    // question (a type the adapter does not know) is asked as text.
    assert_eq!(
        form,
        vec![
            ("q_company", "Company", FieldKind::Text, true),
            (
                "q_goal",
                "What would you like to discuss?",
                FieldKind::Textarea,
                false
            ),
            ("q_size", "Team size", FieldKind::Select, true),
            ("q_topics", "Topics", FieldKind::Checkbox, false),
            ("q_phone", "Phone", FieldKind::Phone, false),
            ("q_site", "Website", FieldKind::Url, false),
            ("q_seats", "Seats", FieldKind::Number, false),
            (
                "q_consent",
                "I agree to the privacy policy",
                FieldKind::Checkbox,
                true
            ),
            ("q_day", "Preferred follow-up day", FieldKind::Text, false),
        ]
    );
    assert_eq!(profile.fields[2].options, vec!["1-10", "11-50", "51+"]);
    assert_eq!(profile.fields[3].options, vec!["Pricing", "Security"]);
    assert!(profile.fields[7].options.is_empty(), "a single tick box");
    assert!(profile.fields.iter().all(|f| f.default.is_none()));

    let sent = r.fake.control.requests();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].method, Method::GET);
    assert_eq!(sent[0].path, "/v1/event_types/mzgdPJVBb7RE");
    assert_jicoo_auth(&sent[0]);
}

#[tokio::test]
async fn slots_come_in_seven_day_windows_and_are_cached() {
    let r = start(&case(), KEY, "").await;
    let responses = futures::future::join_all((0..20).map(|_| r.slots(None))).await;
    let mut bodies = Vec::new();
    for response in responses {
        assert_eq!(response.status(), 200);
        bodies.push(response.json::<SlotsResponse>().await.unwrap());
    }
    assert!(bodies.windows(2).all(|w| w[0] == w[1]));
    // Fourteen days: two windows, each asked once for all twenty requests.
    let today = Utc::now()
        .date_naive()
        .and_time(chrono::NaiveTime::MIN)
        .and_utc();
    let asked = windows(&r);
    assert_eq!(
        asked,
        vec![
            (today, today + TimeDelta::days(7)),
            (today + TimeDelta::days(7), today + TimeDelta::days(14)),
        ]
    );
    let slots = &bodies[0].slots;
    assert!(slots
        .iter()
        .all(|s| s.end - s.start == TimeDelta::minutes(30)));
    assert!(slots.windows(2).all(|w| w[0].start < w[1].start));
    // Jicoo's UTC instants as they are: 09:00-17:00 in Tokyo is 00:00-08:00 UTC.
    let got = starts_after_soon(&bodies[0]);
    assert_eq!(got, expected(today, today + TimeDelta::days(14)));
    assert!(!got.is_empty());
}

#[tokio::test]
async fn a_long_range_is_stitched_from_consecutive_windows() {
    let r = start(&case(), KEY, "").await;
    let first = Utc::now().date_naive();
    let last = first + Days::new(29);
    let query = format!("/slots?from={first}&to={last}&time_zone=Asia/Tokyo");
    let response = r.proxy.get(&r.path(&query)).await;
    assert_eq!(response.status(), 200);
    let body: SlotsResponse = response.json().await.unwrap();
    // Thirty Tokyo days: from the day before at 15:00 UTC, in windows of 7+7+7+7+2 days.
    let from = first.and_time(chrono::NaiveTime::MIN).and_utc() - TimeDelta::hours(9);
    let to = from + TimeDelta::days(30);
    let asked = windows(&r);
    assert_eq!(asked.len(), 5);
    assert_eq!((asked[0].0, asked[4].1), (from, to));
    assert_eq!(asked[4].1 - asked[4].0, TimeDelta::days(2));
    assert_eq!(starts_after_soon(&body), expected(from, to));
}

#[tokio::test]
async fn the_fake_holds_the_proxy_to_jicoos_window() {
    let r = start(&case(), KEY, "").await;
    let client = reqwest::Client::new();
    let get = |query: String| {
        client
            .get(format!("{}{SLOTS_PATH}?{query}", r.fake.base_url))
            .header("x-jicoo-api-key", KEY)
            .send()
    };
    let day = "2099-01-05T00:00:00.000Z";
    let week = "2099-01-12T00:00:00.000Z";
    let longer = "2099-01-12T00:30:00.000Z";
    let ok = get(format!("periodStart={day}&periodEnd={week}"))
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    let also = get(format!(
        "startedAt={day}&endedAt={week}&timeZone=Asia/Tokyo"
    ));
    assert_eq!(also.await.unwrap().status(), 200);
    let too_long = get(format!("periodStart={day}&periodEnd={longer}")).await;
    assert_eq!(too_long.unwrap().status(), 422);
    let no_key = client
        .get(format!(
            "{}{SLOTS_PATH}?periodStart={day}&periodEnd={week}",
            r.fake.base_url
        ))
        .header("authorization", format!("Bearer {KEY}"))
        .send()
        .await
        .unwrap();
    assert_eq!(no_key.status(), 401);
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
    common::remote::check_lifecycle_faults(&case()).await;
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
