//! Cal.com API v2 through the proxy, against the Cal.com fake; outgoing requests are
//! validated against Cal.com's OpenAPI file: the form, slots, the config's overrides and
//! faults.

mod common;

use booking_wire::{FieldKind, Profile, SlotsResponse};
use common::calcom::{case, spec, KEY};
use common::faults::check_faults;
use common::remote::start;
use serde_json::json;

#[tokio::test]
async fn faults_are_mapped_and_the_key_never_leaks() {
    check_faults(&case()).await;
}

#[tokio::test]
async fn booking_fields_become_the_profile_form() {
    let r = start(&case(), KEY, "").await;
    let response = r.proxy.get(&r.path("")).await;
    assert_eq!(response.status(), 200);
    let profile: Profile = response.json().await.unwrap();
    assert_eq!(profile.id, r.profile);
    assert_eq!(profile.title, "30 min intro");
    assert_eq!(profile.durations, vec![30, 60]);
    assert_eq!(profile.time_zone, "Europe/Rome");
    assert_eq!(profile.location.as_deref(), Some("Cal video"));
    assert!(!profile.requires_confirmation);
    let form: Vec<(&str, FieldKind, bool)> = profile
        .fields
        .iter()
        .map(|f| (f.name.as_str(), f.kind, f.required))
        .collect();
    // name, email and guests are the widget's own; location choice, hidden and
    // rescheduleReason fields are left out. The required come first, each in Cal.com's
    // order.
    assert_eq!(
        form,
        vec![
            ("company-size", FieldKind::Select, true),
            ("role", FieldKind::Text, true),
            ("notes", FieldKind::Textarea, false),
            ("attendeePhoneNumber", FieldKind::Phone, false),
            ("topics", FieldKind::Multiselect, false),
            ("contact-by", FieldKind::Select, false),
            ("seats", FieldKind::Number, false),
            ("website", FieldKind::Url, false),
            ("newsletter", FieldKind::Boolean, false),
        ]
    );
    let size = &profile.fields[0];
    assert_eq!(size.label, "Company size");
    assert_eq!(size.options, vec!["1-10", "11-50", "51+"]);

    let sent = r.fake.control.requests();
    let get = &sent[0];
    assert_eq!(get.path, "/v2/event-types/1234");
    assert_eq!(get.header("cal-api-version"), Some("2024-06-14"));
    assert_eq!(
        get.header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
    assert_eq!(spec().check(get, None), Vec::<String>::new());
}

#[tokio::test]
async fn slots_come_from_v2_slots_with_its_version_and_are_cached() {
    let r = start(&case(), KEY, "").await;
    let responses = futures::future::join_all((0..20).map(|_| r.slots(Some(60)))).await;
    let mut bodies = Vec::new();
    for response in responses {
        assert_eq!(response.status(), 200);
        bodies.push(response.json::<SlotsResponse>().await.unwrap());
    }
    assert!(bodies.windows(2).all(|w| w[0] == w[1]));
    let slots = &bodies[0].slots;
    assert!(!slots.is_empty());
    assert!(slots
        .iter()
        .all(|s| s.end - s.start == chrono::TimeDelta::minutes(60)));
    assert!(slots.windows(2).all(|w| w[0].start < w[1].start));
    // Twenty identical requests at once: one upstream call.
    assert_eq!(r.fake.count("GET", "/v2/slots"), 1);

    let call = r
        .fake
        .control
        .requests()
        .into_iter()
        .find(|q| q.path == "/v2/slots")
        .unwrap();
    assert_eq!(call.header("cal-api-version"), Some("2024-09-04"));
    assert_eq!(call.param("eventTypeId"), Some("1234"));
    assert_eq!(call.param("duration"), Some("60"));
    assert!(call.param("start").unwrap().ends_with('Z'));
    assert_eq!(spec().check(&call, None), Vec::<String>::new());
}

#[test]
fn the_spec_check_catches_what_cal_com_would_reject() {
    let spec = spec();
    let missing_attendee = json!({ "start": "2050-01-01T09:00:00Z", "eventTypeId": 1234 });
    assert!(!spec
        .validate("CreateBookingInput_2024_08_13", &missing_attendee)
        .is_empty());
    let wrong_type = json!({ "start": "2050-01-01T09:00:00Z", "eventTypeId": "1234",
        "attendee": { "name": "A", "timeZone": "UTC" } });
    assert!(!spec
        .validate("CreateBookingInput_2024_08_13", &wrong_type)
        .is_empty());
    let good = json!({ "start": "2050-01-01T09:00:00Z", "eventTypeId": 1234,
        "attendee": { "name": "A", "timeZone": "UTC" } });
    assert_eq!(
        spec.validate("CreateBookingInput_2024_08_13", &good),
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn the_config_overrides_title_description_and_adds_fields() {
    let extra = r#"title = "Sales call (Cal.com)"
description = "Pick a time."

[[profiles.calcom_override.fields]]
name = "role"
label = "Job title"
kind = "text"

[[profiles.calcom_override.fields]]
name = "budget"
kind = "number"
"#;
    let r = start(&case(), KEY, "").await;
    let profile: Profile = r.proxy.get(&r.path("")).await.json().await.unwrap();
    assert_eq!(profile.title, "30 min intro", "no override without config");
    let r = common::remote::start_named(&case(), "calcom_override", KEY, extra).await;
    let profile: Profile = r.proxy.get(&r.path("")).await.json().await.unwrap();
    assert_eq!(profile.title, "Sales call (Cal.com)");
    assert_eq!(profile.description, "Pick a time.");
    let role = profile.fields.iter().find(|f| f.name == "role").unwrap();
    assert_eq!((role.label.as_str(), role.required), ("Job title", false));
    let budget = profile.fields.last().unwrap();
    assert_eq!(
        (budget.name.as_str(), budget.kind),
        ("budget", FieldKind::Number)
    );
}
