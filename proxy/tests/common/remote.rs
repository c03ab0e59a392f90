//! A proxy in front of a provider fake, and the calls tests make through it.

use std::sync::atomic::{AtomicUsize, Ordering};

use axum::http::Method;
use axum::Router;
use booking_wire::{Booking, ManagedBooking, SlotsResponse};
use provider_fakes::{Control, Running};
use serde_json::{json, Value};

use super::{logs, spawn_with, TestServer};
use booking_proxy::config;

/// How to run one provider against its fake.
pub struct Case {
    pub provider: &'static str,
    /// The profile's provider keys besides `provider`, `api_key_env` and `base_url`.
    pub keys: &'static str,
    /// The key the fake accepts.
    pub key: &'static str,
    /// A fresh fake's routes accepting `key`.
    pub router: fn(&str) -> Router,
    /// `fields` of a booking this fake accepts.
    pub fields: fn() -> Value,
    /// The method of the provider's cancel call.
    pub cancels: Method,
    /// The method of the provider's call that moves a booking; `None`: it has none.
    pub moves: Option<Method>,
}

/// Per attempt / per call, as the `[upstream]` of every remote test.
pub const TIMEOUT_MS: u64 = 400;
pub const BUDGET_MS: u64 = 1_200;

pub struct Remote {
    pub proxy: TestServer,
    pub fake: Running,
    pub profile: String,
    /// The proxy's configuration, for tests that call the provider directly.
    pub config: config::Config,
}

/// The proxy with one profile `{provider}_{n}` against a fresh fake; the proxy sends
/// `key_sent` (the fake accepts `case.key`). `extra` goes inside the profile table.
pub async fn start(case: &Case, key_sent: &str, extra: &str) -> Remote {
    start_with_fake(case, (case.router)(case.key), key_sent, extra).await
}

/// As `start`, with routes of a fake the test keeps a handle on.
pub async fn start_with_fake(case: &Case, router: Router, key_sent: &str, extra: &str) -> Remote {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let profile = format!("{}_{}", case.provider, NEXT.fetch_add(1, Ordering::Relaxed));
    serve(case, router, &profile, key_sent, extra).await
}

/// As `start`, with a fixed profile id (for `[[profiles.ID.fields]]` in `extra`).
pub async fn start_named(case: &Case, profile: &str, key_sent: &str, extra: &str) -> Remote {
    serve(case, (case.router)(case.key), profile, key_sent, extra).await
}

async fn serve(case: &Case, router: Router, profile: &str, key_sent: &str, extra: &str) -> Remote {
    logs::capture();
    let profile = profile.to_owned();
    let fake = provider_fakes::spawn(router, Control::new()).await;
    let text = format!(
        r#"
[server]
database = "sqlite://bookings.db"

[upstream]
timeout_ms = {TIMEOUT_MS}
budget_ms = {BUDGET_MS}

[limits]
bookings_per_minute = 1000

[profiles.{profile}]
provider = "{provider}"
api_key_env = "FAKE_PROVIDER_KEY"
base_url = "{base}"
{keys}
{extra}
"#,
        provider = case.provider,
        base = fake.base_url,
        keys = case.keys,
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let key = key_sent.to_owned();
    let env = move |name: &str| (name == "FAKE_PROVIDER_KEY").then(|| key.clone());
    let config = config::parse(&text, dir.path(), &env).expect("valid remote config");
    let proxy = spawn_with(config.clone(), dir).await;
    Remote {
        proxy,
        fake,
        profile,
        config,
    }
}

impl Remote {
    /// The profile's provider as the server builds it (for what no route does, e.g. cancel).
    pub async fn provider(&self) -> std::sync::Arc<dyn booking_proxy::providers::Provider> {
        let state = booking_proxy::AppState::new(self.config.clone())
            .await
            .expect("state");
        state.provider(&self.profile).await.expect("profile")
    }

    /// Requests the fake received with this method and exact path.
    pub fn requests(&self, method: Method, path: &str) -> Vec<provider_fakes::Recorded> {
        self.fake
            .control
            .requests()
            .into_iter()
            .filter(|q| q.method == method && q.path == path)
            .collect()
    }

    pub fn path(&self, rest: &str) -> String {
        format!("/api/v1/profiles/{}{rest}", self.profile)
    }

    /// Slots for the next two weeks, in UTC.
    pub async fn slots(&self, duration: Option<u32>) -> reqwest::Response {
        let today = chrono::Utc::now().date_naive();
        let last = today + chrono::Days::new(13);
        let mut query = format!("/slots?from={today}&to={last}&time_zone=UTC");
        if let Some(d) = duration {
            query.push_str(&format!("&duration={d}"));
        }
        self.proxy.get(&self.path(&query)).await
    }

    pub async fn first_slot(&self) -> String {
        self.first_slot_of(None).await
    }

    /// The first start offered for `duration` minutes (the profile's first when `None`):
    /// late in a day, a longer meeting may not fit where a shorter one does.
    pub async fn first_slot_of(&self, duration: Option<u32>) -> String {
        let response = self.slots(duration).await;
        assert_eq!(response.status(), 200, "slots should load");
        let body: SlotsResponse = response.json().await.expect("slots JSON");
        let first = body.slots.first().expect("the fake offers slots");
        super::rfc3339(first.start)
    }

    pub async fn book(&self, start: &str, duration: u32, fields: Value) -> reqwest::Response {
        let body = json!({
            "start": start, "duration": duration, "time_zone": "Europe/Paris",
            "name": "Ada Lovelace", "email": "ada@example.com",
            "fields": fields, "guests": [], "notes": ""
        });
        self.proxy.post(&self.path("/bookings"), &body, None).await
    }
}

/// A booking made through the proxy, with its manage token.
pub struct Managed {
    pub booking: Booking,
    pub token: String,
}

impl Remote {
    /// Books `start` (30 minutes) and keeps the manage token from the 201.
    pub async fn book_managed(&self, start: &str, fields: Value) -> Managed {
        let response = self.book(start, 30, fields).await;
        assert_eq!(response.status(), 201, "{start} should book");
        let mut booking: Value = response.json().await.expect("booking JSON");
        let token = booking
            .as_object_mut()
            .and_then(|o| o.remove("manage_token"))
            .and_then(|t| t.as_str().map(str::to_owned))
            .expect("a manage token");
        let booking = serde_json::from_value(booking).expect("a booking");
        Managed { booking, token }
    }

    pub async fn manage(&self, token: &str) -> ManagedBooking {
        let response = self.proxy.get(&format!("/api/v1/bookings/{token}")).await;
        assert_eq!(response.status(), 200);
        response.json().await.expect("managed booking JSON")
    }

    /// The starts offered for moving the booking, for the next two weeks, in UTC.
    pub async fn move_slots(&self, token: &str) -> Vec<String> {
        let today = chrono::Utc::now().date_naive();
        let last = today + chrono::Days::new(13);
        let path = format!("/api/v1/bookings/{token}/slots?from={today}&to={last}&time_zone=UTC");
        let response = self.proxy.get(&path).await;
        assert_eq!(response.status(), 200, "slots for a move should load");
        let body: SlotsResponse = response.json().await.expect("slots JSON");
        body.slots.iter().map(|s| super::rfc3339(s.start)).collect()
    }

    pub async fn reschedule(
        &self,
        token: &str,
        start: &str,
        key: Option<&str>,
    ) -> reqwest::Response {
        let body = json!({ "start": start, "time_zone": "Europe/Paris" });
        let path = format!("/api/v1/bookings/{token}/reschedule");
        self.proxy.post(&path, &body, key).await
    }

    pub async fn cancel(&self, token: &str, reason: Option<&str>) -> reqwest::Response {
        let body = match reason {
            Some(reason) => json!({ "reason": reason }),
            None => json!({}),
        };
        let path = format!("/api/v1/bookings/{token}/cancel");
        self.proxy.post(&path, &body, None).await
    }

    /// Requests the fake received since `before` of them, as (method, path).
    pub fn calls_since(&self, before: usize) -> Vec<(String, String)> {
        self.fake.control.requests()[before..]
            .iter()
            .map(|q| (q.method.to_string(), q.path.clone()))
            .collect()
    }
}
