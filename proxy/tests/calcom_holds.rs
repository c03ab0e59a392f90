//! Holds at Cal.com: a hold is a slot reservation (`/v2/slots/reservations`), the booking
//! names it, and a release or a replacement deletes it; outgoing requests are validated
//! against Cal.com's OpenAPI file.

mod common;

use axum::http::Method;
use booking_wire::ErrorCode;
use common::calcom::{case, spec, KEY};
use common::holds::{check_hold_faults, check_taken_meanwhile, code, HOLDING};
use common::remote::start_with_fake;
use provider_fakes::calcom::Calcom;
use serde_json::json;

const RESERVATIONS: &str = "/v2/slots/reservations";

fn post(method: &str, path: &str) -> (String, String) {
    (method.to_owned(), path.to_owned())
}

#[tokio::test]
async fn a_hold_is_a_reservation_at_cal_com_and_the_booking_uses_it_up() {
    let fake = Calcom::new(KEY);
    let r = start_with_fake(&case(), fake.router(), KEY, HOLDING).await;
    let first = r.first_slot().await;
    let before = r.fake.control.requests().len();
    let hold = r.held(&first).await;

    let reserve = r.requests(Method::POST, RESERVATIONS);
    assert_eq!(reserve.len(), 1);
    assert_eq!(reserve[0].header("cal-api-version"), Some("2024-09-04"));
    let problems = spec().check(&reserve[0], Some("ReserveSlotInput_2024_09_04"));
    assert_eq!(problems, Vec::<String>::new());
    let sent = reserve[0].body.clone().unwrap();
    assert_eq!(
        sent,
        json!({ "eventTypeId": 1234, "slotStart": first, "slotDuration": 30, "reservationDuration": 10 })
    );
    let reservations = fake.reservations();
    assert_eq!(reservations.len(), 1);
    let uid = reservations[0].uid.clone();

    // Hidden from everyone else, at Cal.com and in the proxy's answers.
    assert!(!r.offered().await.contains(&first));
    assert!(
        !cal_com_offers(&r, &first).await,
        "Cal.com's own slots hide it"
    );
    let fields = (case().fields)();
    let (status, code) = code(r.book(&first, 30, fields.clone()).await).await;
    assert_eq!((status, code), (409, ErrorCode::SlotUnavailable));
    assert!(
        r.requests(Method::POST, "/v2/bookings").is_empty(),
        "Cal.com not asked"
    );

    let response = r.book_held(&first, fields, &hold).await;
    assert_eq!(response.status(), 201, "{:?}", response.text().await);
    let book = r.requests(Method::POST, "/v2/bookings");
    assert_eq!(book.len(), 1);
    let problems = spec().check(&book[0], Some("CreateBookingInput_2024_08_13"));
    assert_eq!(problems, Vec::<String>::new());
    assert_eq!(
        book[0].body.as_ref().unwrap()["reservedSlotUid"],
        json!(uid)
    );
    assert_eq!(fake.reservations()[0].gone, Some("booked"));
    assert_eq!(
        r.changes_since(before),
        [post("POST", RESERVATIONS), post("POST", "/v2/bookings")],
        "exactly the reservation and the booking"
    );
    assert_eq!(r.release(&hold).await.status(), 404, "used up");
    assert!(!r.offered().await.contains(&first), "booked");
}

/// Whether Cal.com's own `/v2/slots` (what its booking page shows) offers `start`.
async fn cal_com_offers(r: &common::remote::Remote, start: &str) -> bool {
    let at: chrono::DateTime<chrono::Utc> = start.parse().unwrap();
    let url = format!("{}/v2/slots", r.fake.base_url);
    let query = [
        ("eventTypeId", "1234".to_owned()),
        ("start", common::rfc3339(at - chrono::TimeDelta::hours(1))),
        ("end", common::rfc3339(at + chrono::TimeDelta::hours(1))),
        ("duration", "30".to_owned()),
    ];
    let body: serde_json::Value = reqwest::Client::new()
        .get(url)
        .query(&query)
        .header("cal-api-version", "2024-09-04")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let days = body["data"].as_object().expect("slots by day");
    days.values()
        .flat_map(|d| d.as_array().cloned().unwrap_or_default())
        .filter_map(|s| s["start"].as_str().and_then(|t| t.parse().ok()))
        .any(|t: chrono::DateTime<chrono::Utc>| t == at)
}

#[tokio::test]
async fn a_released_hold_deletes_the_reservation_and_the_slot_is_back() {
    let fake = Calcom::new(KEY);
    let r = start_with_fake(&case(), fake.router(), KEY, HOLDING).await;
    let first = r.first_slot().await;
    let before = r.fake.control.requests().len();
    let hold = r.held(&first).await;
    assert!(!r.offered().await.contains(&first));
    let uid = fake.reservations()[0].uid.clone();

    assert_eq!(r.release(&hold).await.status(), 204);
    let path = format!("{RESERVATIONS}/{uid}");
    let delete = r.requests(Method::DELETE, &path);
    assert_eq!(delete.len(), 1);
    assert_eq!(delete[0].header("cal-api-version"), Some("2024-09-04"));
    assert_eq!(spec().check(&delete[0], None), Vec::<String>::new());
    assert_eq!(fake.reservations()[0].gone, Some("deleted"));
    assert!(r.offered().await.contains(&first), "offered again");
    assert!(cal_com_offers(&r, &first).await, "and by Cal.com");
    assert_eq!(
        r.changes_since(before),
        [post("POST", RESERVATIONS), post("DELETE", &path)]
    );
    assert_eq!(r.release(&hold).await.status(), 404, "released once only");
    let response = r.book(&first, 30, (case().fields)()).await;
    assert_eq!(response.status(), 201, "anyone may book it now");
}

#[tokio::test]
async fn a_new_hold_of_the_same_visitor_deletes_the_old_reservation() {
    let fake = Calcom::new(KEY);
    let r = start_with_fake(&case(), fake.router(), KEY, HOLDING).await;
    let offered = r.offered().await;
    let (first, second) = (offered[0].clone(), offered[1].clone());
    let old = r.held(&first).await;
    let new = r.held(&second).await;
    let reservations = fake.reservations();
    assert_eq!(reservations.len(), 2);
    assert_eq!(
        reservations[0].gone,
        Some("deleted"),
        "the old one given up"
    );
    assert_eq!(reservations[1].gone, None);
    let path = format!("{RESERVATIONS}/{}", reservations[0].uid);
    assert_eq!(r.requests(Method::DELETE, &path).len(), 1);
    let offered = r.offered().await;
    assert!(offered.contains(&first) && !offered.contains(&second));
    assert_eq!(r.release(&old).await.status(), 404);
    let fields = (case().fields)();
    let response = r.book_held(&second, fields, &new).await;
    assert_eq!(response.status(), 201, "{:?}", response.text().await);
}

#[tokio::test]
async fn a_time_cal_com_will_not_reserve_is_409() {
    check_taken_meanwhile(&case(), RESERVATIONS, |base, start| async move {
        let other = reqwest::Client::new()
            .post(format!("{base}{RESERVATIONS}"))
            .header("cal-api-version", "2024-09-04")
            .json(&json!({ "eventTypeId": 1234, "slotStart": start }))
            .send()
            .await
            .unwrap();
        assert_eq!(other.status(), 201);
    })
    .await;
}

#[tokio::test]
async fn hold_faults_are_mapped_like_booking_faults() {
    check_hold_faults(&case(), Method::DELETE).await;
}

/// The real binary, its clock moved past the hold while Cal.com's is not: the proxy
/// forgets the hold, Cal.com still hides the time, and the next hold of the profile
/// deletes the lapsed reservation there, which gives the time back.
#[tokio::test]
async fn an_expired_hold_is_deleted_at_cal_com_when_the_next_is_placed() {
    use common::process::Proxy;

    let fake = Calcom::new(KEY);
    let running = provider_fakes::spawn(fake.router(), provider_fakes::Control::new()).await;
    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        r#"
[server]
database = "sqlite://bookings.db"

[profiles.cal]
provider = "calcom"
api_key_env = "FAKE_PROVIDER_KEY"
base_url = "{}"
event_type_id = 1234
time_zone = "Europe/Rome"
hold_minutes = 5
cache_seconds = 0
"#,
        running.base_url
    );
    let path = dir.path().join("proxy.toml");
    std::fs::write(&path, config).unwrap();
    let clock = dir.path().join("clock");
    std::fs::write(&clock, "0").unwrap();
    let proxy = Proxy::start(
        &path,
        &[
            ("BOOKING_PROXY_CLOCK_FILE", clock.to_str().unwrap()),
            ("FAKE_PROVIDER_KEY", KEY),
        ],
    );
    let client = reqwest::Client::new();
    let offered = || async {
        let today = chrono::Utc::now().date_naive();
        let last = today + chrono::Days::new(13);
        let url = format!(
            "{}/api/v1/profiles/cal/slots?from={today}&to={last}&time_zone=UTC",
            proxy.base
        );
        let body: booking_wire::SlotsResponse =
            client.get(url).send().await.unwrap().json().await.unwrap();
        body.slots
            .iter()
            .map(|s| common::rfc3339(s.start))
            .collect::<Vec<_>>()
    };
    let hold = |start: String| {
        let url = format!("{}/api/v1/profiles/cal/holds", proxy.base);
        let request = client
            .post(url)
            .json(&json!({ "start": start, "duration": 30 }));
        async move { request.send().await.unwrap() }
    };
    let slots = offered().await;
    let (first, second) = (slots[0].clone(), slots[1].clone());
    assert_eq!(hold(first.clone()).await.status(), 201);
    assert!(!offered().await.contains(&first));
    let uid = fake.reservations()[0].uid.clone();

    std::fs::write(&clock, "360").unwrap();
    assert!(
        !offered().await.contains(&first),
        "still reserved at Cal.com"
    );
    assert_eq!(hold(second.clone()).await.status(), 201);
    let deleted = || {
        running
            .control
            .requests()
            .into_iter()
            .filter(|q| q.method == Method::DELETE && q.path == format!("{RESERVATIONS}/{uid}"))
            .count()
    };
    // Given up off the request's path: within two seconds.
    for _ in 0..200 {
        if deleted() > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(deleted(), 1, "the lapsed reservation deleted at Cal.com");
    assert_eq!(fake.reservations()[0].gone, Some("deleted"));
    let slots = offered().await;
    assert!(
        slots.contains(&first) && !slots.contains(&second),
        "{slots:?}"
    );

    // Both clocks past the second hold: the time is back without a call.
    std::fs::write(&clock, "720").unwrap();
    fake.expire_reservations();
    let before = running.control.requests().len();
    assert!(offered().await.contains(&second), "expiry returns it");
    let calls = running.control.requests()[before..].to_vec();
    assert!(calls.iter().all(|q| q.method == Method::GET), "{calls:?}");
}
