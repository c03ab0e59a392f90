//! Holds at Aurinko: a hold is a reservation (`reserveForMinutes`), given up with
//! `DELETE …/reservations/{id}`; outgoing requests are validated against Aurinko's OpenAPI
//! file.

mod common;

use axum::http::Method;
use booking_wire::ErrorCode;
use common::aurinko::{bearer, case, spec, KEY, MEETING};
use common::holds::{check_hold_faults, check_taken_meanwhile, code, HOLDING};
use common::remote::start_with_fake;
use provider_fakes::aurinko::Aurinko;
use serde_json::{json, Value};

const RESERVATIONS: &str = "/v1/book/account/reservations";

fn call(method: &str, path: &str) -> (String, String) {
    (method.to_owned(), path.to_owned())
}

/// Reservations the fake keeps, live or not.
fn reservations(fake: &Aurinko) -> Vec<Value> {
    fake.bookings()
        .into_iter()
        .filter(|m| !m["reservationId"].is_null())
        .collect()
}

/// Whether Aurinko's own availability (what its booking page shows) offers `start`.
async fn aurinko_offers(r: &common::remote::Remote, start: &str) -> bool {
    let at: chrono::DateTime<chrono::Utc> = start.parse().unwrap();
    let day = (at - chrono::TimeDelta::days(1)).date_naive();
    let body: Value = reqwest::Client::new()
        .get(format!("{}{MEETING}", r.fake.base_url))
        .query(&[
            ("fromDate", day.to_string()),
            ("intervalLength", "P3D".into()),
        ])
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["start"].as_str().and_then(|t| t.parse().ok()))
        .any(|t: chrono::DateTime<chrono::Utc>| t == at)
}

#[tokio::test]
async fn a_hold_is_a_reservation_and_the_booking_replaces_it_with_the_full_meeting() {
    let fake = Aurinko::new(KEY);
    let r = start_with_fake(&case(), fake.router(), KEY, HOLDING).await;
    let first = r.first_slot().await;
    let before = r.fake.control.requests().len();
    let hold = r.held(&first).await;

    let reserve: Vec<_> = r
        .requests(Method::POST, MEETING)
        .into_iter()
        .filter(|q| q.param("reserveForMinutes").is_some())
        .collect();
    assert_eq!(reserve.len(), 1);
    assert_eq!(reserve[0].param("reserveForMinutes"), Some("10"));
    bearer(&reserve[0]);
    assert_eq!(
        spec().check(&reserve[0], Some("CreateMeetingDto")),
        Vec::<String>::new()
    );
    let sent = reserve[0].body.clone().unwrap();
    assert_eq!(sent["time"]["start"], json!(first));
    assert!(
        sent.get("schedulerInfo").is_none(),
        "nothing of the visitor yet"
    );
    let held = reservations(&fake);
    assert_eq!(held.len(), 1);
    let id = held[0]["reservationId"].as_i64().unwrap();

    assert!(!r.offered().await.contains(&first), "hidden");
    assert!(
        !aurinko_offers(&r, &first).await,
        "Aurinko's own items hide it"
    );
    let fields = (case().fields)();
    let (status, code) = code(r.book(&first, 30, fields.clone()).await).await;
    assert_eq!((status, code), (409, ErrorCode::SlotUnavailable));

    let response = r.book_held(&first, fields, &hold).await;
    assert_eq!(response.status(), 201, "{:?}", response.text().await);
    let release = format!("{RESERVATIONS}/{id}");
    assert_eq!(
        r.changes_since(before),
        [
            call("POST", MEETING),
            call("DELETE", &release),
            call("POST", MEETING)
        ],
        "the reservation, given up, then the meeting with the visitor's answers"
    );
    let made = r.requests(Method::POST, MEETING).pop().unwrap();
    assert_eq!(made.param("reserveForMinutes"), None);
    let body = made.body.unwrap();
    assert_eq!(body["schedulerInfo"]["email"], "ada@example.com");
    assert_eq!(body["substitutionData"]["topic"], "Pricing");
    let meetings = fake.bookings();
    assert_eq!(meetings.len(), 2);
    assert_eq!(meetings[0]["released"], true);
    assert!(meetings[1]["id"].is_string(), "the meeting was made");
    assert_eq!(r.release(&hold).await.status(), 404, "used up");
    assert!(!r.offered().await.contains(&first), "booked");
}

#[tokio::test]
async fn a_released_hold_deletes_the_reservation_and_the_slot_is_back() {
    let fake = Aurinko::new(KEY);
    // The vendor's spec spells the id `ReservationId`: read as well.
    fake.spec_casing();
    let r = start_with_fake(&case(), fake.router(), KEY, HOLDING).await;
    let first = r.first_slot().await;
    let hold = r.held(&first).await;
    assert!(!r.offered().await.contains(&first));
    let id = reservations(&fake)[0]["reservationId"].as_i64().unwrap();

    assert_eq!(r.release(&hold).await.status(), 204);
    let path = format!("{RESERVATIONS}/{id}");
    let delete = r.requests(Method::DELETE, &path);
    assert_eq!(delete.len(), 1);
    bearer(&delete[0]);
    assert_eq!(spec().check(&delete[0], None), Vec::<String>::new());
    assert_eq!(reservations(&fake)[0]["released"], true);
    assert!(r.offered().await.contains(&first), "offered again");
    assert!(aurinko_offers(&r, &first).await, "and by Aurinko");
    let response = r.book(&first, 30, (case().fields)()).await;
    assert_eq!(response.status(), 201, "anyone may book it now");
}

#[tokio::test]
async fn a_new_hold_of_the_same_visitor_releases_the_old_reservation() {
    let fake = Aurinko::new(KEY);
    let r = start_with_fake(&case(), fake.router(), KEY, HOLDING).await;
    let offered = r.offered().await;
    let (first, second) = (offered[0].clone(), offered[1].clone());
    r.held(&first).await;
    let new = r.held(&second).await;
    let held = reservations(&fake);
    assert_eq!(held.len(), 2);
    assert_eq!(held[0]["released"], true, "the old one given up");
    assert_ne!(held[1]["released"], true);
    let path = format!("{RESERVATIONS}/{}", held[0]["reservationId"]);
    assert_eq!(r.requests(Method::DELETE, &path).len(), 1);
    let offered = r.offered().await;
    assert!(offered.contains(&first) && !offered.contains(&second));
    let response = r.book_held(&second, (case().fields)(), &new).await;
    assert_eq!(response.status(), 201, "{:?}", response.text().await);
}

#[tokio::test]
async fn a_time_aurinko_will_not_reserve_is_409() {
    check_taken_meanwhile(&case(), MEETING, |base, start| async move {
        let at: chrono::DateTime<chrono::Utc> = start.parse().unwrap();
        let end = common::rfc3339(at + chrono::TimeDelta::minutes(30));
        let other = reqwest::Client::new()
            .post(format!("{base}{MEETING}?reserveForMinutes=5"))
            .bearer_auth(KEY)
            .json(&json!({ "time": { "start": start, "end": end } }))
            .send()
            .await
            .unwrap();
        assert_eq!(other.status(), 200);
    })
    .await;
}

#[tokio::test]
async fn hold_faults_are_mapped_like_booking_faults() {
    check_hold_faults(&case(), Method::DELETE).await;
}
