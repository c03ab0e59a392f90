//! Aurinko's Booking API through the proxy, against the Aurinko fake; outgoing requests are
//! validated against Aurinko's OpenAPI file: the form, slots and faults.

mod common;

use std::collections::BTreeSet;

use axum::http::Method;
use booking_wire::{FieldKind, Profile, SlotsResponse};
use chrono::{DateTime, Days, NaiveTime, TimeDelta, TimeZone, Utc};
use common::aurinko::{bearer, case, spec, KEY, MEETING};
use common::faults::check_faults;
use common::remote::start;
use provider_fakes::aurinko::PROFILE_ID;
use serde_json::json;

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
