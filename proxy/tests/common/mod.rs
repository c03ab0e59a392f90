//! Starts `app()` on a loopback port with a config written for the test.
#![allow(dead_code)]

use std::path::Path;

use booking_proxy::{app, config, AppState};

pub mod aurinko;
pub mod calcom;
pub mod faults;
pub mod holds;
pub mod jicoo;
pub mod local;
pub mod logs;
pub mod peers;
pub mod postgres;
pub mod process;
pub mod radicale;
pub mod remote;
pub mod spec;
pub mod vyte;

/// An instant as the API writes it.
pub fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

pub struct TestServer {
    pub base: String,
    pub dir: tempfile::TempDir,
    pub client: reqwest::Client,
}

impl TestServer {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request failed")
    }
}

/// A local profile used by most tests; `{extra}` is appended inside `[profiles.intro]`.
pub fn intro_config(extra: &str) -> String {
    format!(
        r#"
[server]
allowed_origins = ["http://allowed.test"]
database = "sqlite://bookings.db"
assets_dir = "dist"

[profiles.intro]
provider = "local"
title = "Intro call"
description = "A call about {{{{topic}}}}."
time_zone = "America/New_York"
durations = [30, 60]
hours = {{ mon = ["09:00-12:00"], tue = ["09:00-17:00"] }}
{extra}
"#
    )
}

/// Serves `config_text` (paths relative to a fresh temporary folder).
pub async fn spawn(config_text: &str) -> TestServer {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("dist")).expect("dist");
    let config = config::parse(config_text, dir.path(), &|_| None).expect("valid test config");
    spawn_with(config, dir).await
}

pub async fn spawn_with(config: config::Config, dir: tempfile::TempDir) -> TestServer {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let limits = booking_proxy::server::ConnectionLimits {
        header_timeout: config.server.header_timeout,
        max_connections: config.server.max_connections.unwrap_or(1_000),
        shutdown: config.server.shutdown,
    };
    let state = AppState::new(config).await.expect("state");
    tokio::spawn(booking_proxy::server::serve(
        listener,
        app(state),
        limits,
        std::future::pending(),
    ));
    TestServer {
        base: format!("http://{addr}"),
        dir,
        client: reqwest::Client::new(),
    }
}

pub fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("write");
}

/// A UTC profile bookable around the clock every day, 30 or 60 minutes on a 30-minute
/// grid, so tests can pick any :00 or :30 from tomorrow on. `[limits]` and extra profile
/// keys come from the arguments.
pub fn open_config(limits: &str, extra: &str) -> String {
    let every_day = r#"{ mon = ["00:00-24:00"], tue = ["00:00-24:00"], wed = ["00:00-24:00"], thu = ["00:00-24:00"], fri = ["00:00-24:00"], sat = ["00:00-24:00"], sun = ["00:00-24:00"] }"#;
    format!(
        r#"
[server]
database = "sqlite://bookings.db"

[limits]
{limits}

[profiles.open]
provider = "local"
title = "Open call about {{{{topic}}}}"
time_zone = "UTC"
durations = [30, 60]
slot_step = 30
horizon_days = 30
location = "Phone"
hours = {every_day}
{extra}
"#
    )
}

/// Tomorrow at 00:00 UTC plus `minutes`, as RFC 3339.
pub fn tomorrow_plus(minutes: i64) -> String {
    let midnight = (chrono::Utc::now() + chrono::TimeDelta::days(1))
        .date_naive()
        .and_time(chrono::NaiveTime::MIN);
    let at = midnight.and_utc() + chrono::TimeDelta::minutes(minutes);
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A valid booking body for the `open` profile.
pub fn booking(start: &str, duration: u32) -> serde_json::Value {
    serde_json::json!({
        "start": start, "duration": duration, "time_zone": "Europe/Paris",
        "name": "Ada Lovelace", "email": "ada@example.com",
        "fields": { "topic": "Pricing" }, "guests": [], "notes": ""
    })
}

impl TestServer {
    pub async fn post(
        &self,
        path: &str,
        body: &serde_json::Value,
        key: Option<&str>,
    ) -> reqwest::Response {
        let mut request = self.client.post(self.url(path)).json(body);
        if let Some(key) = key {
            request = request.header("idempotency-key", key);
        }
        request.send().await.expect("request failed")
    }

    pub fn database(&self) -> String {
        format!("sqlite://{}", self.dir.path().join("bookings.db").display())
    }
}
