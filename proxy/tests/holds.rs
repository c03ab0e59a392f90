//! Holds: a visitor keeps a slot while filling the form. Two visitors are two client
//! addresses behind the loopback reverse proxy (`X-Forwarded-For`).

mod common;

use chrono::{DateTime, TimeDelta, Utc};
use common::local::{error, BOOK, LIMITS};
use common::process::Proxy;
use common::{booking, open_config, spawn, tomorrow_plus, TestServer};
use serde_json::{json, Value};

const HOLDS: &str = "/api/v1/profiles/open/holds";
const ADA: &str = "198.51.100.1";
const BOB: &str = "198.51.100.2";

/// The `open` profile with holds of `minutes`, behind a trusted loopback proxy.
fn config(limits: &str, minutes: u32) -> String {
    open_config(limits, &format!("hold_minutes = {minutes}")).replacen(
        "[server]\n",
        "[server]\ntrusted_proxies = [\"127.0.0.0/8\"]\n",
        1,
    )
}

/// Either server: the in-process one or the real binary.
struct Api {
    base: String,
    client: reqwest::Client,
}

impl Api {
    fn of(server: &TestServer) -> Self {
        Self {
            base: server.base.clone(),
            client: reqwest::Client::new(),
        }
    }

    fn of_proxy(proxy: &Proxy) -> Self {
        Self {
            base: proxy.base.clone(),
            client: reqwest::Client::new(),
        }
    }

    async fn hold(&self, client: &str, start: &str) -> reqwest::Response {
        self.client
            .post(format!("{}{HOLDS}", self.base))
            .header("x-forwarded-for", client)
            .json(&json!({ "start": start, "duration": 30 }))
            .send()
            .await
            .expect("hold")
    }

    /// A hold that must be placed: its id and expiry.
    async fn held(&self, client: &str, start: &str) -> (String, DateTime<Utc>) {
        let response = self.hold(client, start).await;
        assert_eq!(response.status(), 201, "{:?}", response.text().await);
        let body: Value = response.json().await.unwrap();
        let id = body["hold"].as_str().expect("an id").to_owned();
        let expires = body["expires_at"].as_str().expect("an expiry");
        (id, expires.parse().expect("RFC 3339"))
    }

    async fn release(&self, id: &str) -> u16 {
        self.client
            .delete(format!("{}/api/v1/holds/{id}", self.base))
            .send()
            .await
            .expect("release")
            .status()
            .as_u16()
    }

    async fn book(&self, client: &str, start: &str, hold: Option<&str>) -> reqwest::Response {
        let mut body = booking(start, 30);
        if let Some(hold) = hold {
            body["hold"] = json!(hold);
        }
        self.client
            .post(format!("{}{BOOK}", self.base))
            .header("x-forwarded-for", client)
            .json(&body)
            .send()
            .await
            .expect("book")
    }

    /// The starts offered tomorrow (UTC).
    async fn offered(&self) -> Vec<String> {
        let day = tomorrow_plus(0)[..10].to_owned();
        let url = format!(
            "{}/api/v1/profiles/open/slots?from={day}&to={day}",
            self.base
        );
        let body: Value = self
            .client
            .get(url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        body["slots"]
            .as_array()
            .expect("slots")
            .iter()
            .map(|s| s["start"].as_str().unwrap().to_owned())
            .collect()
    }
}

#[tokio::test]
async fn the_profile_tells_the_widget_how_long_a_time_is_held() {
    for minutes in [0, 15] {
        let server = spawn(&config(LIMITS, minutes)).await;
        let url = server.url("/api/v1/profiles/open");
        let body: Value = reqwest::get(url).await.unwrap().json().await.unwrap();
        assert_eq!(body["hold_minutes"], json!(minutes));
    }
}

#[tokio::test]
async fn a_held_slot_is_hidden_from_others_and_only_its_holder_books_it() {
    let server = spawn(&config(LIMITS, 10)).await;
    let api = Api::of(&server);
    let ten = tomorrow_plus(600);
    assert!(api.offered().await.contains(&ten), "free before");

    let before = Utc::now();
    let (hold, expires) = api.held(ADA, &ten).await;
    assert!(hold.len() >= 20, "{hold}");
    let minutes = (expires - before).num_seconds();
    assert!((595..=605).contains(&minutes), "ten minutes: {minutes} s");
    // Hidden at once (a cached computation is not served), the neighbours still offered.
    let offered = api.offered().await;
    assert!(!offered.contains(&ten), "{offered:?}");
    assert!(offered.contains(&tomorrow_plus(630)), "{offered:?}");

    // The other visitor can neither hold nor book it.
    let (status, envelope) = error(api.hold(BOB, &ten).await).await;
    assert_eq!(
        (status, envelope.error.code.as_str()),
        (409, "slot_unavailable")
    );
    let (status, envelope) = error(api.book(BOB, &ten, None).await).await;
    assert_eq!(
        (status, envelope.error.code.as_str()),
        (409, "slot_unavailable")
    );
    // Nor with a hold of nothing.
    let (status, _) = error(api.book(BOB, &ten, Some("hd_unknown")).await).await;
    assert_eq!(status, 409);

    // The holder books it with the hold; the hold is used up.
    let response = api.book(ADA, &ten, Some(&hold)).await;
    assert_eq!(response.status(), 201, "{:?}", response.text().await);
    assert_eq!(api.release(&hold).await, 404);
    assert!(!api.offered().await.contains(&ten), "booked");
}

#[tokio::test]
async fn a_released_hold_gives_the_slot_back_at_once() {
    let server = spawn(&config(LIMITS, 10)).await;
    let api = Api::of(&server);
    let ten = tomorrow_plus(600);
    let (hold, _) = api.held(ADA, &ten).await;
    assert!(!api.offered().await.contains(&ten));

    assert_eq!(api.release(&hold).await, 204);
    assert!(api.offered().await.contains(&ten), "offered again");
    assert_eq!(api.release(&hold).await, 404, "released once only");
    let (status, envelope) = error(
        server
            .client
            .delete(server.url("/api/v1/holds/nothing"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, envelope.error.code.as_str()), (404, "not_found"));
    // Anyone may book it now.
    assert_eq!(api.book(BOB, &ten, None).await.status(), 201);
}

#[tokio::test]
async fn a_second_hold_of_the_same_visitor_replaces_the_first() {
    let server = spawn(&config(LIMITS, 10)).await;
    let api = Api::of(&server);
    let (ten, eleven) = (tomorrow_plus(600), tomorrow_plus(660));
    let (first, _) = api.held(ADA, &ten).await;
    let (second, _) = api.held(ADA, &eleven).await;
    assert_ne!(first, second);
    let offered = api.offered().await;
    assert!(
        offered.contains(&ten),
        "the first is given back: {offered:?}"
    );
    assert!(!offered.contains(&eleven), "{offered:?}");
    assert_eq!(api.release(&first).await, 404, "the first is gone");

    // Another visitor's hold stands beside it: one hold per visitor, not per profile.
    let (bobs, _) = api.held(BOB, &ten).await;
    let offered = api.offered().await;
    assert!(!offered.contains(&ten) && !offered.contains(&eleven));
    // Ada's replaced hold no longer lets her book its old time.
    let (status, _) = error(api.book(ADA, &ten, Some(&first)).await).await;
    assert_eq!(status, 409);
    assert_eq!(api.book(BOB, &ten, Some(&bobs)).await.status(), 201);
    assert_eq!(api.book(ADA, &eleven, Some(&second)).await.status(), 201);
}

#[tokio::test]
async fn holds_are_refused_where_off_and_checked_like_bookings() {
    let server = spawn(&config(LIMITS, 0)).await;
    let api = Api::of(&server);
    let (status, envelope) = error(api.hold(ADA, &tomorrow_plus(600)).await).await;
    assert_eq!((status, envelope.error.code.as_str()), (409, "not_allowed"));
    assert!(api.offered().await.contains(&tomorrow_plus(600)));

    let server = spawn(&config(LIMITS, 10)).await;
    let api = Api::of(&server);
    // Off the grid, a duration not offered, a booked time, an unknown profile, a bad body.
    let (status, envelope) = error(api.hold(ADA, &tomorrow_plus(610)).await).await;
    assert_eq!(
        (status, envelope.error.code.as_str()),
        (422, "invalid_booking")
    );
    let odd = server
        .client
        .post(server.url(HOLDS))
        .json(&json!({ "start": tomorrow_plus(600), "duration": 45 }))
        .send()
        .await
        .unwrap();
    let (status, envelope) = error(odd).await;
    assert_eq!(status, 422);
    assert!(envelope.error.fields.unwrap().contains_key("duration"));
    assert_eq!(api.book(BOB, &tomorrow_plus(720), None).await.status(), 201);
    let (status, envelope) = error(api.hold(ADA, &tomorrow_plus(720)).await).await;
    assert_eq!(
        (status, envelope.error.code.as_str()),
        (409, "slot_unavailable")
    );
    let unknown = server
        .client
        .post(server.url("/api/v1/profiles/nope/holds"))
        .json(&json!({ "start": tomorrow_plus(600), "duration": 30 }))
        .send()
        .await
        .unwrap();
    assert_eq!(error(unknown).await.0, 404);
    let bad = server
        .client
        .post(server.url(HOLDS))
        .header("content-type", "application/json")
        .body("{\"start\": 5}")
        .send()
        .await
        .unwrap();
    assert_eq!(error(bad).await.0, 400);
}

#[tokio::test]
async fn holds_are_rate_limited_with_bookings() {
    let server = spawn(&config("bookings_per_minute = 2", 10)).await;
    let api = Api::of(&server);
    api.held(ADA, &tomorrow_plus(600)).await;
    api.held(ADA, &tomorrow_plus(660)).await;
    let response = api.hold(ADA, &tomorrow_plus(720)).await;
    assert!(response.headers().contains_key("retry-after"));
    let (status, envelope) = error(response).await;
    assert_eq!(
        (status, envelope.error.code.as_str()),
        (429, "rate_limited")
    );
    // Another visitor has a budget of their own.
    api.held(BOB, &tomorrow_plus(720)).await;
}

#[test]
fn hold_minutes_is_checked_at_start_up() {
    let dir = tempfile::tempdir().unwrap();
    for (value, expected) in [
        (
            "61",
            "profiles.open.hold_minutes: must be at most 60 minutes",
        ),
        ("-1", "profiles.open.hold_minutes"),
        ("\"ten\"", "profiles.open.hold_minutes"),
    ] {
        let path = dir.path().join("proxy.toml");
        std::fs::write(
            &path,
            open_config(LIMITS, &format!("hold_minutes = {value}")),
        )
        .unwrap();
        let error = booking_proxy::config::load(&path, &|_| None).unwrap_err();
        let message = error.to_string();
        assert!(message.contains(expected), "{value}: {message}");
        assert!(!message.contains('\n'), "{message}");
    }
}

/// Moves the real proxy's clock (a debug build reads `BOOKING_PROXY_CLOCK_FILE`).
fn move_clock(file: &std::path::Path, by: TimeDelta) {
    std::fs::write(file, by.num_seconds().to_string()).unwrap();
}

#[tokio::test]
async fn an_expired_hold_gives_the_slot_back_and_books_as_no_hold() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("proxy.toml");
    std::fs::write(&path, config(LIMITS, 5)).unwrap();
    let clock = dir.path().join("clock");
    move_clock(&clock, TimeDelta::zero());
    let proxy = Proxy::start(
        &path,
        &[("BOOKING_PROXY_CLOCK_FILE", clock.to_str().unwrap())],
    );
    let api = Api::of_proxy(&proxy);
    let ten = tomorrow_plus(600);

    let (hold, _) = api.held(ADA, &ten).await;
    assert!(!api.offered().await.contains(&ten), "held");
    move_clock(&clock, TimeDelta::minutes(4));
    assert!(
        !api.offered().await.contains(&ten),
        "still held after four minutes"
    );

    move_clock(&clock, TimeDelta::minutes(6));
    assert!(
        api.offered().await.contains(&ten),
        "offered again once expired"
    );
    assert_eq!(
        api.release(&hold).await,
        404,
        "an expired hold is not found"
    );

    // Another visitor holds it now; the expired hold does not let its visitor book it.
    let (bobs, _) = api.held(BOB, &ten).await;
    let (status, envelope) = error(api.book(ADA, &ten, Some(&hold)).await).await;
    assert_eq!(
        (status, envelope.error.code.as_str()),
        (409, "slot_unavailable")
    );
    // Once that hold is given up, the expired one books as a booking without a hold.
    assert_eq!(api.release(&bobs).await, 204);
    let response = api.book(ADA, &ten, Some(&hold)).await;
    assert_eq!(response.status(), 201, "{:?}", response.text().await);
}

/// Jicoo has no holds of its own: the proxy keeps them, hides held slots from its answers
/// and refuses a booking of one without its hold before Jicoo is called.
#[tokio::test]
async fn a_remote_profile_without_provider_holds_is_held_by_the_proxy() {
    use axum::http::Method;
    use common::remote::start;

    let r = start(
        &common::jicoo::case(),
        common::jicoo::KEY,
        "hold_minutes = 10",
    )
    .await;
    let first = r.first_slot().await;
    let response = r
        .proxy
        .post(
            &r.path("/holds"),
            &json!({ "start": first, "duration": 30 }),
            None,
        )
        .await;
    assert_eq!(response.status(), 201, "{:?}", response.text().await);
    let hold: Value = response.json().await.unwrap();
    let hold = hold["hold"].as_str().unwrap().to_owned();
    assert_ne!(
        r.first_slot().await,
        first,
        "hidden from the slots answered"
    );

    let fields = (common::jicoo::case().fields)();
    let (status, envelope) = error(r.book(&first, 30, fields.clone()).await).await;
    assert_eq!(
        (status, envelope.error.code.as_str()),
        (409, "slot_unavailable")
    );
    assert!(
        r.requests(Method::POST, "/v1/bookings").is_empty(),
        "Jicoo not asked"
    );

    let body = json!({
        "start": first, "duration": 30, "time_zone": "Europe/Paris",
        "name": "Ada Lovelace", "email": "ada@example.com",
        "fields": fields, "hold": hold,
    });
    let response = r.proxy.post(&r.path("/bookings"), &body, None).await;
    assert_eq!(response.status(), 201, "{:?}", response.text().await);
    assert_eq!(r.requests(Method::POST, "/v1/bookings").len(), 1);
    let gone = r
        .proxy
        .client
        .delete(r.proxy.url(&format!("/api/v1/holds/{hold}")))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 404, "used up");
}

/// A held time is not free for moving another booking either: not offered for the move,
/// and the move refused before the provider is asked.
#[tokio::test]
async fn a_remote_booking_cannot_be_moved_onto_a_held_time() {
    use axum::http::Method;
    use common::remote::start;

    let r = start(
        &common::jicoo::case(),
        common::jicoo::KEY,
        "hold_minutes = 10",
    )
    .await;
    let offered = r.first_slot().await;
    let made = r
        .book_managed(&offered, (common::jicoo::case().fields)())
        .await;
    let target = r.move_slots(&made.token).await.last().unwrap().clone();
    let response = r
        .proxy
        .post(
            &r.path("/holds"),
            &json!({ "start": target, "duration": 30 }),
            None,
        )
        .await;
    assert_eq!(response.status(), 201, "{:?}", response.text().await);

    assert!(!r.move_slots(&made.token).await.contains(&target));
    let moves = r.requests(
        Method::POST,
        &format!("/v1/bookings/{}/reschedule", made.booking.id),
    );
    let (status, envelope) = error(r.reschedule(&made.token, &target, None).await).await;
    assert_eq!(
        (status, envelope.error.code.as_str()),
        (409, "slot_unavailable")
    );
    let after = r.requests(
        Method::POST,
        &format!("/v1/bookings/{}/reschedule", made.booking.id),
    );
    assert_eq!(after.len(), moves.len(), "Jicoo not asked");
    assert_eq!(
        r.manage(&made.token).await.booking.start,
        made.booking.start
    );
}

/// A hold's id is a credential like a manage token: no log line carries it, debug lines
/// of the requests that name it in their path included.
#[tokio::test]
async fn hold_ids_never_reach_a_log_line() {
    common::logs::capture();
    let server = spawn(&config(LIMITS, 10)).await;
    let api = Api::of(&server);
    let (ten, eleven) = (tomorrow_plus(600), tomorrow_plus(660));
    let (released, _) = api.held(ADA, &ten).await;
    assert_eq!(api.release(&released).await, 204);
    assert_eq!(api.release(&released).await, 404);
    let (used, _) = api.held(ADA, &eleven).await;
    let response = api.book(ADA, &eleven, Some(&used)).await;
    assert_eq!(response.status(), 201);

    let logs = common::logs::text();
    assert!(logs.contains("/api/v1/holds/"), "the release was logged");
    for id in [&released, &used] {
        assert!(!logs.contains(id.as_str()), "a hold id reached a log line");
    }
}
