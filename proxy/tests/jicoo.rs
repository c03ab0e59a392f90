//! Jicoo API v1 through the proxy, against the Jicoo fake (docs/providers.md, Jicoo): the
//! key in `X-Jicoo-Api-Key`, questions as the form, slots in 7-day windows, and faults.

mod common;

use axum::http::Method;
use booking_wire::{FieldKind, Profile, SlotsResponse};
use chrono::{DateTime, Days, TimeDelta, Utc};
use common::faults::check_faults;
use common::jicoo::{assert_jicoo_auth, at, case, expected, KEY, SLOTS_PATH};
use common::remote::{start, Remote};

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
    // question (a type the adapter does not know) is asked as text. The required come
    // first, each in Jicoo's order.
    assert_eq!(
        form,
        vec![
            ("q_company", "Company", FieldKind::Text, true),
            ("q_size", "Team size", FieldKind::Select, true),
            (
                "q_consent",
                "I agree to the privacy policy",
                FieldKind::Checkbox,
                true
            ),
            (
                "q_goal",
                "What would you like to discuss?",
                FieldKind::Textarea,
                false
            ),
            ("q_topics", "Topics", FieldKind::Checkbox, false),
            ("q_phone", "Phone", FieldKind::Phone, false),
            ("q_site", "Website", FieldKind::Url, false),
            ("q_seats", "Seats", FieldKind::Number, false),
            ("q_day", "Preferred follow-up day", FieldKind::Text, false),
        ]
    );
    assert_eq!(profile.fields[1].options, vec!["1-10", "11-50", "51+"]);
    assert_eq!(profile.fields[4].options, vec!["Pricing", "Security"]);
    assert!(profile.fields[2].options.is_empty(), "a single tick box");
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
