//! Three `booking-proxy serve` processes on one PostgreSQL database, as behind a load
//! balancer: one booking per time across them, Idempotency-Keys and cached slots shared,
//! each webhook delivered once.

mod common;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use booking_wire::SlotsResponse;
use common::local::{BOOK, LIMITS};
use common::process::Proxy;
use common::{booking, open_config, tomorrow_plus};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const ADMIN_TOKEN: &str = "adm_0c1d2e3f405162738495a6b7c8d9eaf1";

/// The webhook-ids a receiver got, in order, repeats included.
type Received = Arc<Mutex<Vec<String>>>;

async fn receiver() -> (u16, Received) {
    let received: Received = Arc::default();
    let sink = received.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: axum::http::HeaderMap| {
            let sink = sink.clone();
            async move {
                let id = headers
                    .get("webhook-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_owned();
                sink.lock().unwrap().push(id);
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (port, received)
}

struct Instances {
    proxies: Vec<Proxy>,
    client: reqwest::Client,
    _dir: tempfile::TempDir,
}

impl Instances {
    /// Three processes on a fresh database, their webhooks sent to `hook_port`.
    async fn start(hook_port: u16) -> Self {
        let url = common::postgres::database().await;
        let dir = tempfile::tempdir().unwrap();
        let text = open_config(LIMITS, "").replace("sqlite://bookings.db", &url);
        let text = format!(
            "{text}\n[[webhooks]]\nurl = \"http://127.0.0.1:{hook_port}/hook\"\nsecret_env = \"TEST_WEBHOOK_SECRET\"\n[admin]\ntoken_env = \"TEST_ADMIN_TOKEN\"\n"
        );
        let config = dir.path().join("proxy.toml");
        std::fs::write(&config, text).unwrap();
        let proxies = (0..3)
            .map(|_| {
                let env = [
                    ("TEST_WEBHOOK_SECRET", SECRET),
                    ("TEST_ADMIN_TOKEN", ADMIN_TOKEN),
                ];
                Proxy::start(&config, &env)
            })
            .collect();
        Self {
            proxies,
            client: reqwest::Client::new(),
            _dir: dir,
        }
    }

    async fn post(
        &self,
        i: usize,
        body: &serde_json::Value,
        key: Option<&str>,
    ) -> reqwest::Response {
        let mut request = self.client.post(self.proxies[i % 3].url(BOOK)).json(body);
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        request.send().await.unwrap()
    }

    /// An admin API request to instance `i`.
    fn admin(&self, i: usize, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let url = self.proxies[i].url(&format!("/api/v1/admin{path}"));
        self.client.request(method, url).bearer_auth(ADMIN_TOKEN)
    }

    /// Instance `i`'s title for `profile`, or its status when it has none.
    async fn title(&self, i: usize, profile: &str) -> Result<String, u16> {
        let url = self.proxies[i].url(&format!("/api/v1/profiles/{profile}"));
        let response = self.client.get(url).send().await.unwrap();
        match response.status().as_u16() {
            200 => Ok(response
                .json::<booking_wire::Profile>()
                .await
                .unwrap()
                .title),
            status => Err(status),
        }
    }

    /// Waits (up to 2 s) until instance `i` answers `want` for `profile`.
    async fn serves(&self, i: usize, profile: &str, want: Result<&str, u16>) -> Duration {
        let began = Instant::now();
        loop {
            let got = self.title(i, profile).await;
            if got.as_deref().map_err(|s| *s) == want {
                return began.elapsed();
            }
            assert!(
                began.elapsed() < Duration::from_secs(2),
                "instance {i}: {got:?}"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    async fn slot_starts(&self, i: usize, day: &str) -> BTreeSet<String> {
        let path = format!("/api/v1/profiles/open/slots?from={day}&to={day}&duration=30");
        let response = self
            .client
            .get(self.proxies[i].url(&path))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let body: SlotsResponse = response.json().await.unwrap();
        body.slots
            .iter()
            .map(|s| s.start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .collect()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_instances_book_each_time_once_replay_keys_and_deliver_each_webhook_once() {
    let (port, received) = receiver().await;
    let instances = Instances::start(port).await;

    // 20 concurrent requests for one slot, spread over the three: one 201 each round.
    for round in 0..50 {
        let body = booking(&tomorrow_plus(round * 60), 30);
        let requests = (0..20).map(|i| instances.post(i, &body, None));
        let statuses: Vec<u16> = futures::future::join_all(requests)
            .await
            .iter()
            .map(|r| r.status().as_u16())
            .collect();
        let created = statuses.iter().filter(|s| **s == 201).count();
        let conflicts = statuses.iter().filter(|s| **s == 409).count();
        assert_eq!((created, conflicts), (1, 19), "round {round}: {statuses:?}");
    }

    // A key used on one instance is replayed by another, and refused for another body.
    let body = booking(&tomorrow_plus(51 * 60), 30);
    let first = instances.post(0, &body, Some("key-1")).await;
    assert_eq!(first.status(), 201);
    let mut first: serde_json::Value = first.json().await.unwrap();
    first.as_object_mut().unwrap().remove("manage_token");
    let again = instances.post(1, &body, Some("key-1")).await;
    assert_eq!(again.status(), 201);
    assert_eq!(again.json::<serde_json::Value>().await.unwrap(), first);
    let other = booking(&tomorrow_plus(52 * 60), 30);
    assert_eq!(instances.post(2, &other, Some("key-1")).await.status(), 422);

    // 51 bookings made: 51 webhooks, each delivered once though three workers poll.
    let deadline = Instant::now() + Duration::from_secs(60);
    while received.lock().unwrap().len() < 51 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let ids = received.lock().unwrap().clone();
    let distinct: BTreeSet<&String> = ids.iter().collect();
    assert_eq!((ids.len(), distinct.len()), (51, 51), "{ids:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_booking_on_one_instance_leaves_the_slots_another_keeps_at_once() {
    let (port, _) = receiver().await;
    let instances = Instances::start(port).await;
    let day = &tomorrow_plus(0)[..10];
    let start = tomorrow_plus(10 * 60);
    // Instance 1 computes the day's slots and keeps them.
    assert!(instances.slot_starts(1, day).await.contains(&start));
    assert!(instances.slot_starts(1, day).await.contains(&start));

    assert_eq!(
        instances.post(0, &booking(&start, 30), None).await.status(),
        201
    );
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        if !instances.slot_starts(1, day).await.contains(&start) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "instance 1 still offers the booked slot"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(!instances.slot_starts(2, day).await.contains(&start));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_remote_booking_on_one_instance_leaves_the_slots_another_caches_at_once() {
    let case = common::calcom::case();
    let remote = common::remote::start(&case, common::calcom::KEY, "").await;
    let mut config = remote.config.clone();
    config.server.database = common::postgres::database().await;
    let a = common::spawn_with(config.clone(), tempfile::tempdir().unwrap()).await;
    let b = common::spawn_with(config, tempfile::tempdir().unwrap()).await;
    let today = chrono::Utc::now().date_naive();
    let last = today + chrono::Days::new(13);
    let slots = remote.path(&format!("/slots?from={today}&to={last}&time_zone=UTC"));
    // Instance b asks Cal.com once and keeps the answer.
    let start = starts(&b, &slots)
        .await
        .into_iter()
        .next()
        .expect("the fake offers slots");
    assert!(starts(&b, &slots).await.contains(&start));

    let body = serde_json::json!({
        "start": start, "duration": 30, "time_zone": "Europe/Paris",
        "name": "Ada Lovelace", "email": "ada@example.com",
        "fields": (case.fields)(), "guests": [], "notes": ""
    });
    let made = a.post(&remote.path("/bookings"), &body, None).await;
    assert_eq!(made.status(), 201);
    let deadline = Instant::now() + Duration::from_secs(2);
    while starts(&b, &slots).await.contains(&start) {
        assert!(
            Instant::now() < deadline,
            "instance b still offers the booked slot"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn starts(server: &common::TestServer, path: &str) -> BTreeSet<String> {
    let body: SlotsResponse = server.get(path).await.json().await.unwrap();
    body.slots
        .iter()
        .map(|s| common::rfc3339(s.start))
        .collect()
}

/// A profile made through one instance's admin API is served and bookable on the others at
/// once; replaced or removed on one, the others follow as the change commits.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_profile_made_on_one_instance_is_served_by_the_others_at_once() {
    let (port, _) = receiver().await;
    let instances = Instances::start(port).await;
    let every_day: serde_json::Map<String, serde_json::Value> =
        ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
            .map(|d| (d.to_owned(), serde_json::json!(["00:00-24:00"])))
            .into_iter()
            .collect();
    let keys = |title: &str| {
        serde_json::json!({ "provider": "local", "title": title, "time_zone": "UTC",
                            "durations": [30], "hours": every_day })
    };
    let put = |i: usize, title: &str| {
        instances
            .admin(i, reqwest::Method::PUT, "/profiles/tutor")
            .json(&keys(title))
            .send()
    };
    assert_eq!(instances.title(1, "tutor").await, Err(404));
    assert_eq!(put(0, "First").await.unwrap().status(), 201);
    // No wait at all: the first request to another instance finds it.
    assert_eq!(instances.title(1, "tutor").await.as_deref(), Ok("First"));
    assert_eq!(instances.title(2, "tutor").await.as_deref(), Ok("First"));

    // Replaced on instance 1: instances 0 and 2, which keep the first version, follow.
    assert_eq!(put(1, "Second").await.unwrap().status(), 200);
    let waits = [
        instances.serves(0, "tutor", Ok("Second")).await,
        instances.serves(2, "tutor", Ok("Second")).await,
    ];
    println!("replaced profile served elsewhere after {waits:?}");

    let url = instances.proxies[2].url("/api/v1/profiles/tutor/bookings");
    let mut body = booking(&tomorrow_plus(90), 30);
    body["fields"] = serde_json::json!({});
    let made = instances.client.post(url).json(&body).send().await.unwrap();
    assert_eq!(made.status(), 201);
    let id = made.json::<serde_json::Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let cancel = instances.admin(0, reqwest::Method::POST, &format!("/bookings/{id}/cancel"));
    assert_eq!(cancel.send().await.unwrap().status(), 200);
    let delete = instances.admin(1, reqwest::Method::DELETE, "/profiles/tutor");
    assert_eq!(delete.send().await.unwrap().status(), 204);
    for i in 0..3 {
        instances.serves(i, "tutor", Err(404)).await;
    }
}
