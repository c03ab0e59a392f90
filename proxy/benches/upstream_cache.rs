//! The slots cache in front of a remote provider (`make bench`): 1,000 slot requests for
//! one Cal.com profile within a minute, from 20 clients over 45 s, against the Cal.com fake
//! on loopback. Reports the upstream calls the fake counted (goal: at most 2) and the
//! latency the clients saw; exits non-zero past the goal.
//! `UPSTREAM_BENCH_SECONDS` shortens the run (the goal then still holds).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use booking_proxy::{app, config, AppState};
use provider_fakes::calcom::Calcom;
use provider_fakes::Control;

const REQUESTS: usize = 1_000;
const CLIENTS: usize = 20;
const GOAL: usize = 2;

#[tokio::main]
async fn main() {
    let seconds: u64 = std::env::var("UPSTREAM_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(45)
        .clamp(1, 59);
    let fake = provider_fakes::spawn(Calcom::new("cal_bench").router(), Control::new()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let text = format!(
        r#"
[server]
database = "sqlite://bench.db"
[profiles.sales]
provider = "calcom"
api_key_env = "BENCH_KEY"
base_url = "{}"
event_type_id = 1234
cache_seconds = 30
"#,
        fake.base_url
    );
    let env = |name: &str| (name == "BENCH_KEY").then(|| "cal_bench".to_owned());
    let config = config::parse(&text, dir.path(), &env).expect("bench config");
    let state = AppState::new(config).await.expect("state");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let service = app(state).into_make_service_with_connect_info::<SocketAddr>();
        let _ = axum::serve(listener, service).await;
    });

    let today = chrono::Utc::now().date_naive();
    let url = format!(
        "http://{addr}/api/v1/profiles/sales/slots?from={today}&to={}&time_zone=Europe/Paris",
        today + chrono::Days::new(30)
    );
    let client = reqwest::Client::new();
    // Each client sends its share evenly over the run, so the minute's cache expiries
    // are exercised, not just one burst.
    let per_client = REQUESTS / CLIENTS;
    let gap = Duration::from_millis(seconds * 1000 / per_client as u64);
    let started = Instant::now();
    let clients = (0..CLIENTS).map(|c| {
        let (client, url) = (client.clone(), url.clone());
        async move {
            tokio::time::sleep(gap * c as u32 / CLIENTS as u32).await;
            let mut latencies = Vec::with_capacity(per_client);
            for _ in 0..per_client {
                let sent = Instant::now();
                let status = client.get(&url).send().await.map(|r| r.status().as_u16());
                latencies.push((sent.elapsed(), status.unwrap_or(0)));
                tokio::time::sleep(gap.saturating_sub(sent.elapsed())).await;
            }
            latencies
        }
    });
    let mut results: Vec<(Duration, u16)> = futures::future::join_all(clients)
        .await
        .into_iter()
        .flatten()
        .collect();
    let took = started.elapsed();
    let ok = results.iter().filter(|(_, s)| *s == 200).count();
    results.sort();
    let pct = |p: f64| results[((results.len() - 1) as f64 * p) as usize].0;
    let upstream = fake.count("GET", "/v2/slots");
    println!("upstream cache: {} slot requests in {:.1} s ({ok} ok), {CLIENTS} clients, cache_seconds = 30", results.len(), took.as_secs_f64());
    println!("upstream cache: upstream slot calls = {upstream} (goal <= {GOAL})");
    println!(
        "upstream cache: latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        pct(0.50).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
        pct(1.0).as_secs_f64() * 1e3
    );
    if upstream > GOAL || ok != REQUESTS {
        eprintln!("upstream cache: FAILED (calls {upstream}, ok {ok}/{REQUESTS})");
        std::process::exit(1);
    }
}
