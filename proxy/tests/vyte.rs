//! Vyte API v2 through the proxy, against the Vyte fake (docs/providers.md, Vyte; Vyte
//! publishes no OpenAPI file, so requests are checked field by field): the profile, the
//! host and slots, and faults.

mod common;

use axum::http::Method;
use booking_wire::{FieldKind, Profile, SlotsResponse};
use chrono::{DateTime, Days, TimeDelta, Utc};
use common::faults::check_faults;
use common::remote::{start, Case};
use common::vyte::{case, the_create, KEY};
use provider_fakes::schedule::Schedule;
use provider_fakes::vyte::{HOST_EMAIL, HOST_ZONE, USER_ID};
use serde_json::json;

fn by_email(emails: &'static str) -> Case {
    Case {
        keys: emails,
        ..case()
    }
}

#[tokio::test]
async fn faults_are_mapped_and_the_key_never_leaks() {
    check_faults(&case()).await;
}

#[tokio::test]
async fn the_profile_is_phone_and_company_in_the_host_users_zone() {
    let r = start(&case(), KEY, "time_zone = \"America/New_York\"").await;
    let response = r.proxy.get(&r.path("")).await;
    assert_eq!(response.status(), 200);
    let profile: Profile = response.json().await.unwrap();
    assert_eq!(profile.id, r.profile);
    assert_eq!(profile.title, "Intro call");
    assert_eq!(profile.durations, vec![30]);
    // Vyte says where the host is; the configured zone is only the fallback.
    assert_eq!(profile.time_zone, "Europe/Paris");
    assert_eq!(profile.location.as_deref(), Some("Google Meet"));
    assert!(!profile.requires_confirmation);
    let form: Vec<(&str, &str, FieldKind, bool)> = profile
        .fields
        .iter()
        .map(|f| (f.name.as_str(), f.label.as_str(), f.kind, f.required))
        .collect();
    assert_eq!(
        form,
        vec![
            ("phone", "Phone", FieldKind::Phone, false),
            ("company", "Company", FieldKind::Text, false),
        ]
    );
    assert!(profile.fields.iter().all(|f| f.options.is_empty()));

    let sent = r.fake.control.requests();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].method, Method::GET);
    assert_eq!(sent[0].path, format!("/v2/users/{USER_ID}"));
    // The raw key: no `Bearer`.
    assert_eq!(sent[0].header("authorization"), Some(KEY));
}

#[tokio::test]
async fn emails_profiles_find_the_host_in_the_user_list_or_fall_back() {
    let r = start(
        &by_email("emails = [\"HOST@example.com\"]\nduration = 45\ntitle = \"Demo\""),
        KEY,
        "",
    )
    .await;
    let profile: Profile = r.proxy.get(&r.path("")).await.json().await.unwrap();
    assert_eq!(profile.time_zone, "Europe/Paris");
    assert_eq!(profile.durations, vec![45]);
    assert_eq!(profile.location, None);
    assert_eq!(r.requests(Method::GET, "/v2/users").len(), 1);
    // The host's email is the event's creator.
    let start_at = r.first_slot().await;
    assert_eq!(r.book(&start_at, 45, json!({})).await.status(), 201);
    let sent = the_create(&r).body.unwrap();
    assert_eq!(sent["created_by"], json!({ "email": "HOST@example.com" }));
    assert!(sent.get("messages").is_none(), "nothing to say: {sent}");

    // Not a user of the organization: Vyte does not say, the config does.
    let r = start(
        &by_email("emails = [\"guest@elsewhere.test\"]\nduration = 30\ntitle = \"Demo\""),
        KEY,
        "time_zone = \"America/New_York\"",
    )
    .await;
    let profile: Profile = r.proxy.get(&r.path("")).await.json().await.unwrap();
    assert_eq!(profile.time_zone, "America/New_York");
}

#[tokio::test]
async fn slots_come_from_v2_slots_in_utc_and_are_cached() {
    let r = start(&case(), KEY, "").await;
    let responses = futures::future::join_all((0..20).map(|_| r.slots(None))).await;
    let mut bodies = Vec::new();
    for response in responses {
        assert_eq!(response.status(), 200);
        bodies.push(response.json::<SlotsResponse>().await.unwrap());
    }
    assert!(bodies.windows(2).all(|w| w[0] == w[1]));
    // Twenty identical requests at once: one upstream call (and one profile lookup).
    assert_eq!(r.fake.count("GET", "/v2/slots"), 1);
    assert_eq!(r.fake.count("GET", "/v2/users"), 1);

    let today = Utc::now().date_naive();
    let call = &r.requests(Method::GET, "/v2/slots")[0];
    assert_eq!(call.param("duration"), Some("30"));
    assert_eq!(call.param("users"), Some(USER_ID));
    assert_eq!(call.param("emails"), None);
    assert_eq!(call.param("from"), Some(today.to_string().as_str()));
    let last = today + Days::new(13);
    assert_eq!(call.param("to"), Some(last.to_string().as_str()));
    assert_eq!(call.param("timezone"), Some("UTC"));
    assert_eq!(call.header("authorization"), Some(KEY));

    // The same instants the host's calendar has free (09:00–17:00 Paris), in UTC.
    let from = today.and_time(chrono::NaiveTime::MIN).and_utc();
    let to = from + TimeDelta::days(14);
    let soon = Utc::now() + TimeDelta::minutes(2);
    let expected: Vec<DateTime<Utc>> = Schedule::new(HOST_ZONE)
        .free(from, to, 30, &[])
        .into_iter()
        .filter(|s| *s > soon)
        .collect();
    let got: Vec<DateTime<Utc>> = bodies[0]
        .slots
        .iter()
        .map(|s| s.start)
        .filter(|s| *s > soon)
        .collect();
    assert!(!got.is_empty());
    assert_eq!(got, expected);
    assert!(bodies[0]
        .slots
        .iter()
        .all(|s| s.end - s.start == TimeDelta::minutes(30)));
}

#[tokio::test]
async fn slots_of_a_day_elsewhere_are_cut_to_that_day() {
    let r = start(
        &by_email("emails = [\"host@example.com\"]\nduration = 30\ntitle = \"Demo\""),
        KEY,
        "",
    )
    .await;
    let day = Utc::now().date_naive() + Days::new(3);
    let query = format!("/slots?from={day}&to={day}&time_zone=America/New_York");
    let response = r.proxy.get(&r.path(&query)).await;
    assert_eq!(response.status(), 200);
    let body: SlotsResponse = response.json().await.unwrap();

    // The New York day spans two UTC days: both are asked, the second is cut off.
    let call = &r.requests(Method::GET, "/v2/slots")[0];
    assert_eq!(call.param("emails"), Some(HOST_EMAIL));
    assert_eq!(call.param("users"), None);
    assert_eq!(call.param("from"), Some(day.to_string().as_str()));
    let next = day + Days::new(1);
    assert_eq!(call.param("to"), Some(next.to_string().as_str()));
    let ny: chrono_tz::Tz = "America/New_York".parse().unwrap();
    let start = common_midnight(ny, day);
    let end = common_midnight(ny, next);
    let expected = Schedule::new(HOST_ZONE).free(start, end, 30, &[]);
    let got: Vec<DateTime<Utc>> = body.slots.iter().map(|s| s.start).collect();
    assert_eq!(got, expected);
    assert_eq!(got.len(), 16, "09:00–17:00 Paris every 30 minutes");
}

fn common_midnight(zone: chrono_tz::Tz, day: chrono::NaiveDate) -> DateTime<Utc> {
    use chrono::TimeZone;
    zone.from_local_datetime(&day.and_time(chrono::NaiveTime::MIN))
        .earliest()
        .unwrap()
        .with_timezone(&Utc)
}
