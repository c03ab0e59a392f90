//! What crashes, slow or idle clients, a deploy's SIGTERM and a lying Content-Length do to
//! the real binary: real processes, real sockets, every wait bounded.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::process::Proxy;
use common::{booking, open_config, tomorrow_plus};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const BOOK: &str = "/api/v1/profiles/open/bookings";

fn write_config(dir: &Path, server: &str) -> PathBuf {
    let path = dir.join("proxy.toml");
    let text = open_config("bookings_per_minute = 100", "");
    // `open_config` starts with its own [server] table: add the test's keys to it.
    let text = text.replacen("[server]\n", &format!("[server]\n{server}\n"), 1);
    std::fs::write(&path, text).unwrap();
    path
}

fn list_json(config: &Path) -> Vec<Value> {
    let out = Command::new(env!("CARGO_BIN_EXE_booking-proxy"))
        .args(["bookings", "--config"])
        .arg(config)
        .args(["list", "--json"])
        .output()
        .expect("run booking-proxy");
    assert!(out.status.success(), "{out:?}");
    serde_json::from_slice(&out.stdout).expect("a JSON list")
}

async fn post(proxy: &Proxy, body: &Value, key: &str) -> reqwest::Result<reqwest::Response> {
    reqwest::Client::new()
        .post(proxy.url(BOOK))
        .header("idempotency-key", key)
        .json(body)
        .timeout(Duration::from_secs(10))
        .send()
        .await
}

/// Waits until the server closes `stream` (a read gives end of file or an error).
async fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 512];
    let read = async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => continue,
            }
        }
    };
    tokio::time::timeout(within, read).await.is_ok()
}

#[tokio::test]
async fn a_crash_inside_a_booking_loses_all_of_it_or_none_and_the_retry_gets_the_booking() {
    for point in ["local-booking-before-commit", "local-booking-committed"] {
        let dir = tempfile::tempdir().unwrap();
        let config = write_config(dir.path(), "");
        let body = booking(&tomorrow_plus(600), 30);
        let mut crashing = Proxy::start(&config, &[("BOOKING_PROXY_FAULT", point)]);
        assert!(
            post(&crashing, &body, "key-1").await.is_err(),
            "{point}: the process died before it could answer"
        );
        let status = crashing
            .exited_within(Duration::from_secs(10))
            .expect("crashed");
        assert!(!status.success(), "{point}");

        let proxy = Proxy::start(&config, &[]);
        let retry = post(&proxy, &body, "key-1").await.unwrap();
        assert_eq!(retry.status(), 201, "{point}: the retry gets the booking");
        let mut made: Value = retry.json().await.unwrap();
        // A replay has no manage token: the first answer alone carries it.
        made.as_object_mut().unwrap().remove("manage_token");
        let again = post(&proxy, &body, "key-1").await.unwrap();
        assert_eq!(again.status(), 201);
        assert_eq!(
            again.json::<Value>().await.unwrap(),
            made,
            "{point}: a replay"
        );
        let stored = list_json(&config);
        assert_eq!(stored.len(), 1, "{point}: one booking, not two: {stored:?}");
        assert_eq!(stored[0]["id"], made["id"], "{point}");
    }
}

#[tokio::test]
async fn idle_and_half_sent_connections_are_closed_and_cannot_starve_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        "header_timeout_seconds = 1\nmax_connections = 40",
    );
    let proxy = Proxy::start(&config, &[]);
    let mut silent = Vec::new();
    for _ in 0..30 {
        silent.push(TcpStream::connect(&proxy.addr).await.unwrap());
    }
    // Ten clients sending a request head one header every 300 ms, for at most 10 s.
    let mut slow = Vec::new();
    for _ in 0..10 {
        let mut stream = TcpStream::connect(&proxy.addr).await.unwrap();
        slow.push(tokio::spawn(async move {
            let started = Instant::now();
            if stream
                .write_all(b"GET /healthz HTTP/1.1\r\n")
                .await
                .is_err()
            {
                return started.elapsed();
            }
            for _ in 0..33 {
                tokio::time::sleep(Duration::from_millis(300)).await;
                if stream.write_all(b"X-Slow: yes\r\n").await.is_err() {
                    break;
                }
            }
            started.elapsed()
        }));
    }
    // Every place is taken; a new client waits for the timeout to free one, no longer.
    let started = Instant::now();
    let health = reqwest::Client::new()
        .get(proxy.url("/healthz"))
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .expect("answered while the places were taken");
    assert_eq!(health.status(), 200);
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    for stream in &mut silent {
        assert!(
            closed_within(stream, Duration::from_secs(3)).await,
            "an idle connection stays open"
        );
    }
    for task in slow {
        let lasted = task.await.unwrap();
        assert!(
            lasted < Duration::from_secs(5),
            "a half-sent head was held {lasted:?}"
        );
    }
    assert!(
        proxy.logs().contains("connection limit reached"),
        "{}",
        proxy.logs()
    );
}

/// "Max open files" soft and hard limits of a process.
fn open_files(pid: u32) -> (String, String) {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .expect("Max open files");
    let mut parts = line["Max open files".len()..].split_whitespace();
    (parts.next().unwrap().into(), parts.next().unwrap().into())
}

#[tokio::test]
async fn the_open_files_limit_is_raised_to_the_hard_limit() {
    let (_, hard) = open_files(std::process::id());
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "");
    let proxy = Proxy::start_with_open_files(&config, 256);
    let (soft, proxy_hard) = open_files(proxy.pid());
    assert_eq!(proxy_hard, hard);
    assert_eq!(soft, hard, "the soft limit is raised to the hard one");
}

#[tokio::test]
async fn sigterm_finishes_answers_under_way_drops_half_sent_requests_and_exits_in_time() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        "header_timeout_seconds = 60\nshutdown_seconds = 5",
    );
    let mut proxy = Proxy::start(&config, &[]);
    // A: a request head that never ends.
    let mut half_sent = TcpStream::connect(&proxy.addr).await.unwrap();
    half_sent
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        .await
        .unwrap();
    // B: a booking whose body is still arriving when the signal comes.
    let body = serde_json::to_vec(&booking(&tomorrow_plus(600), 30)).unwrap();
    let (first, rest) = body.split_at(body.len() / 2);
    let mut booking_under_way = TcpStream::connect(&proxy.addr).await.unwrap();
    let head = format!(
        "POST {BOOK} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    booking_under_way.write_all(head.as_bytes()).await.unwrap();
    booking_under_way.write_all(first).await.unwrap();
    // Nothing outside the process shows when it has read B's head: give it a moment.
    tokio::time::sleep(Duration::from_millis(500)).await;

    let signalled = Instant::now();
    proxy.signal("TERM");
    assert!(
        closed_within(&mut half_sent, Duration::from_secs(2)).await,
        "the half-sent request is dropped at once"
    );
    booking_under_way.write_all(rest).await.unwrap();
    let mut answer = Vec::new();
    let read = booking_under_way.read_to_end(&mut answer);
    tokio::time::timeout(Duration::from_secs(5), read)
        .await
        .expect("answered")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    let status = proxy
        .exited_within(Duration::from_secs(6))
        .unwrap_or_else(|| panic!("still running after SIGTERM: {}", proxy.logs()));
    assert!(status.success(), "{status:?}");
    assert!(signalled.elapsed() < Duration::from_secs(6));
}

#[tokio::test]
async fn an_announced_body_over_the_limit_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "");
    let proxy = Proxy::start(&config, &[]);
    let mut stream = TcpStream::connect(&proxy.addr).await.unwrap();
    let head = format!(
        "POST {BOOK} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000000000000\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut buf = vec![0u8; 4096];
    let read = tokio::time::timeout(Duration::from_secs(2), stream.read(&mut buf))
        .await
        .expect("answered without waiting for the body")
        .unwrap();
    let answer = String::from_utf8_lossy(&buf[..read]);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("\"payload_too_large\""), "{answer}");
}

#[tokio::test]
async fn the_log_has_no_colour_codes_when_it_is_not_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "");
    let proxy = Proxy::start(&config, &[]);
    let made = post(&proxy, &booking(&tomorrow_plus(600), 30), "k")
        .await
        .unwrap();
    assert_eq!(made.status(), 201);
    let deadline = Instant::now() + Duration::from_secs(5);
    while !proxy.logs().contains("booking created") && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let log = proxy.log_bytes();
    assert!(proxy.logs().contains("booking created"), "{}", proxy.logs());
    assert!(!log.contains(&0x1b), "{}", proxy.logs());
}
