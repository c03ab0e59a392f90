//! Three `booking-proxy serve` processes on one PostgreSQL database behind a real nginx
//! (Debian's), configured as docs/deploy.md configures it, with nginx's address in
//! `server.trusted_proxies`: the rate limits and the holds follow the client's address
//! nginx appends to `X-Forwarded-For`, whichever instance a request reaches and whatever a
//! client writes in that header itself. Clients are told apart by the loopback address
//! they connect from (127.0.0.2, 127.0.0.3, …); nginx itself reaches the instances from
//! 127.0.0.1.
//!
//! nginx is `/usr/sbin/nginx` (`make setup` installs it) or `NGINX_BIN`. Without it the
//! tests say so and pass, except under `CI`, where they fail.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::process::Proxy;
use common::{open_config, tomorrow_plus};
use serde_json::{json, Value};

const BOOK: &str = "/api/v1/profiles/open/bookings";
const HOLDS: &str = "/api/v1/profiles/open/holds";
const ADA: &str = "127.0.0.2";
const BOB: &str = "127.0.0.3";
const CHLOE: &str = "127.0.0.4";
const DAN: &str = "127.0.0.5";
/// An address no client connects from, written by clients into their own headers.
const NOBODY: &str = "127.0.0.9";

/// nginx's program, or `None` (with a message) when it is not installed outside CI.
fn nginx_binary() -> Option<PathBuf> {
    let explicit = std::env::var_os("NGINX_BIN").filter(|v| !v.is_empty());
    let path = explicit
        .clone()
        .map_or_else(|| PathBuf::from("/usr/sbin/nginx"), PathBuf::from);
    if path.is_file() {
        return Some(path);
    }
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
    assert!(
        explicit.is_none() && !ci,
        "no nginx at {} (make setup installs Debian's)",
        path.display()
    );
    eprintln!(
        "skipped: no nginx at {} (make setup installs Debian's; NGINX_BIN names another)",
        path.display()
    );
    None
}

fn is_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("its address").port()
}

/// nginx in the foreground from a config in a temporary folder, in front of `upstreams`
/// (`127.0.0.1:PORT` each); stopped when dropped.
struct Nginx {
    child: Child,
    /// `http://127.0.0.1:PORT`
    base: String,
    dir: tempfile::TempDir,
}

impl Nginx {
    async fn start(binary: &Path, upstreams: &[&str]) -> Self {
        let dir = tempfile::Builder::new()
            .prefix("booking-nginx-")
            .tempdir()
            .expect("a temporary folder");
        let port = free_port();
        std::fs::write(
            dir.path().join("nginx.conf"),
            conf(dir.path(), port, upstreams),
        )
        .expect("write nginx.conf");
        let child = Command::new(binary)
            .arg("-p")
            .arg(dir.path())
            .arg("-c")
            .arg(dir.path().join("nginx.conf"))
            .arg("-e")
            .arg(dir.path().join("error.log"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start nginx");
        let mut nginx = Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
            dir,
        };
        nginx.wait_ready().await;
        nginx
    }

    /// Waits (at most 10 s) until nginx passes `/healthz` on to an instance.
    async fn wait_ready(&mut self) {
        let client = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(2))
            .build()
            .expect("a client");
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("nginx ended: {status}\n{}", self.log());
            }
            let answer = client.get(format!("{}/healthz", self.base)).send().await;
            if answer.is_ok_and(|a| a.status() == 200) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("nginx did not answer within 10 s\n{}", self.log());
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("error.log")).unwrap_or_default()
    }
}

impl Drop for Nginx {
    /// SIGTERM, so the master stops its worker too; SIGKILL if it is not gone in 5 s.
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_some() {
            return;
        }
        let _ = Command::new("kill")
            .args(["-s", "TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if self.child.try_wait().ok().flatten().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// docs/deploy.md's upstream and location, without TLS, on a loopback port; every path in
/// `dir`. One worker, so round-robin takes the instances strictly in turn. `X-Upstream`
/// tells the test which instance answered.
fn conf(dir: &Path, port: u16, upstreams: &[&str]) -> String {
    let dir = dir.display();
    // Run as root, the master starts its workers as `user` (by default `nobody`, who could
    // not enter the temporary folder); otherwise the directive would only be warned about.
    let user = if is_root() { "user root;" } else { "" };
    let servers: String = upstreams
        .iter()
        .map(|addr| format!("        server {addr} max_fails=2 fail_timeout=10s;\n"))
        .collect();
    format!(
        r#"daemon off;
master_process on;
worker_processes 1;
{user}
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;

events {{
    worker_connections 256;
}}

http {{
    access_log {dir}/access.log;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;

    upstream booking_proxy {{
{servers}    }}

    server {{
        listen 127.0.0.1:{port};
        server_name book.test;

        client_max_body_size    1m;
        client_body_buffer_size 64k;

        location / {{
            proxy_pass http://booking_proxy;
            proxy_http_version 1.1;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;

            proxy_next_upstream error timeout;
            proxy_next_upstream_tries 3;
            proxy_connect_timeout 2s;
            proxy_read_timeout 35s;

            proxy_buffering on;
            proxy_buffer_size 16k;
            proxy_buffers 32 16k;

            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
"#
    )
}

/// Three instances on a fresh database, nginx's 127.0.0.1 trusted, behind nginx.
struct Site {
    nginx: Nginx,
    proxies: Vec<Proxy>,
    _dir: tempfile::TempDir,
}

impl Site {
    async fn start(nginx: &Path, limits: &str, extra: &str) -> Self {
        let url = common::postgres::database().await;
        let dir = tempfile::tempdir().expect("a temporary folder");
        let text = open_config(limits, extra)
            .replace("sqlite://bookings.db", &url)
            .replacen(
                "[server]\n",
                "[server]\ntrusted_proxies = [\"127.0.0.1\"]\n",
                1,
            );
        let config = dir.path().join("proxy.toml");
        std::fs::write(&config, text).expect("write proxy.toml");
        let proxies: Vec<Proxy> = (0..3).map(|_| Proxy::start(&config, &[])).collect();
        let upstreams: Vec<&str> = proxies.iter().map(|p| p.addr.as_str()).collect();
        let nginx = Nginx::start(nginx, &upstreams).await;
        Self {
            nginx,
            proxies,
            _dir: dir,
        }
    }

    fn instances(&self) -> BTreeSet<String> {
        self.proxies.iter().map(|p| p.addr.clone()).collect()
    }

    /// The starts each instance offers tomorrow (UTC), asked directly.
    async fn offered_by_each(&self) -> Vec<BTreeSet<String>> {
        let day = &tomorrow_plus(0)[..10];
        let path = format!("/api/v1/profiles/open/slots?from={day}&to={day}&duration=30");
        let client = reqwest::Client::builder().no_proxy().build().unwrap();
        let mut each = Vec::new();
        for proxy in &self.proxies {
            let response = client.get(proxy.url(&path)).send().await.unwrap();
            assert_eq!(response.status(), 200);
            let body: Value = response.json().await.unwrap();
            each.push(
                body["slots"]
                    .as_array()
                    .expect("slots")
                    .iter()
                    .filter_map(|s| s["start"].as_str().map(str::to_owned))
                    .collect(),
            );
        }
        each
    }

    /// Waits (at most 3 s) until every instance offers each of `offered` and none of
    /// `held`: an instance drops its cached slots when told of a change.
    async fn every_instance_shows(&self, offered: &[&str], held: &[&str], why: &str) {
        let deadline = Instant::now() + Duration::from_secs(3);
        loop {
            let each = self.offered_by_each().await;
            let wrong: Vec<String> = each
                .iter()
                .enumerate()
                .flat_map(|(i, starts)| {
                    let missing = offered.iter().filter(|s| !starts.contains(**s));
                    let shown = held.iter().filter(|s| starts.contains(**s));
                    missing
                        .map(move |s| format!("instance {i} does not offer {s}"))
                        .chain(shown.map(move |s| format!("instance {i} offers {s}")))
                })
                .collect();
            if wrong.is_empty() {
                return;
            }
            assert!(Instant::now() < deadline, "{why}: {wrong:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// What nginx answered: the status, the instance behind it and the JSON body.
#[derive(Debug)]
struct Answer {
    status: u16,
    upstream: String,
    body: Value,
}

impl Answer {
    fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }
}

/// A visitor: connects to nginx from `from`, and writes `forged` into its own
/// `X-Forwarded-For` if given.
struct Visitor {
    http: reqwest::Client,
    base: String,
    forged: Option<&'static str>,
}

impl Visitor {
    fn new(site: &Site, from: &str, forged: Option<&'static str>) -> Self {
        let from: IpAddr = from.parse().expect("an address");
        Self {
            http: reqwest::Client::builder()
                .local_address(from)
                .no_proxy()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("a client"),
            base: site.nginx.base.clone(),
            forged,
        }
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Answer {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(forged) = self.forged {
            request = request.header("x-forwarded-for", forged);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("nginx answers");
        let status = response.status().as_u16();
        let upstream = response
            .headers()
            .get("x-upstream")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let text = response.text().await.expect("a body");
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Answer {
            status,
            upstream,
            body,
        }
    }

    async fn book(&self, start: &str, hold: Option<&str>) -> Answer {
        let mut body = common::booking(start, 30);
        if let Some(hold) = hold {
            body["hold"] = json!(hold);
        }
        self.send(reqwest::Method::POST, BOOK, Some(body)).await
    }

    async fn hold(&self, start: &str) -> Answer {
        let body = json!({ "start": start, "duration": 30 });
        self.send(reqwest::Method::POST, HOLDS, Some(body)).await
    }

    /// A hold that must be placed: its id, and the instance that placed it.
    async fn held(&self, start: &str) -> (String, String) {
        let answer = self.hold(start).await;
        assert_eq!(answer.status, 201, "hold of {start}: {answer:?}");
        let id = answer.body["hold"].as_str().expect("a hold id").to_owned();
        (id, answer.upstream)
    }

    async fn release(&self, hold: &str) -> Answer {
        let path = format!("/api/v1/holds/{hold}");
        self.send(reqwest::Method::DELETE, &path, None).await
    }
}

/// Each instance counts a client's bookings on its own, so through round-robin a client
/// gets `bookings_per_minute` from every instance, then 429 from every one, while another
/// address still books; what a client writes in `X-Forwarded-For` changes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rate_limits_follow_the_client_address_nginx_appends() {
    const PER_MINUTE: usize = 3;
    let Some(nginx) = nginx_binary() else { return };
    let site = Site::start(&nginx, &format!("bookings_per_minute = {PER_MINUTE}"), "").await;
    let instances = site.instances();
    // Every booking of the test is of a time of its own, so each one not limited is a 201.
    let mut next = 0;
    let mut time = move || {
        next += 1;
        tomorrow_plus(next * 60)
    };

    // Ada books until every instance has refused her. The budget refills one booking per
    // 20 s, which this takes well under.
    let ada = Visitor::new(&site, ADA, None);
    let started = Instant::now();
    let mut seen: BTreeMap<String, Vec<u16>> = BTreeMap::new();
    for _ in 0..(PER_MINUTE + 2) * 3 {
        let answer = ada.book(&time(), None).await;
        assert!(
            instances.contains(&answer.upstream),
            "answered by an instance: {answer:?}"
        );
        if answer.status == 429 {
            assert_eq!(answer.code(), "rate_limited", "{answer:?}");
        }
        seen.entry(answer.upstream).or_default().push(answer.status);
        if seen.len() == 3 && seen.values().all(|s| s.contains(&429)) {
            break;
        }
    }
    let elapsed = started.elapsed();
    assert_eq!(
        seen.keys().cloned().collect::<BTreeSet<_>>(),
        instances,
        "round-robin reaches every instance: {seen:?}"
    );
    for (instance, statuses) in &seen {
        let allowed = statuses.iter().take_while(|s| **s == 201).count();
        assert_eq!(
            allowed, PER_MINUTE,
            "{instance} takes {PER_MINUTE} of Ada's bookings ({elapsed:?}): {seen:?}"
        );
        assert!(
            statuses[allowed..].iter().all(|s| *s == 429) && statuses.len() > allowed,
            "then refuses her: {seen:?}"
        );
    }

    // Bob, through the same nginx, books on every instance: his address is his own.
    let bob = Visitor::new(&site, BOB, None);
    let mut reached = BTreeSet::new();
    for _ in 0..3 {
        let answer = bob.book(&time(), None).await;
        assert_eq!(answer.status, 201, "Bob is not limited: {answer:?}");
        reached.insert(answer.upstream);
    }
    assert_eq!(reached, instances, "Bob's bookings reach every instance");

    // Ada writing another address first is still Ada (the rightmost untrusted hop) ...
    let forging_ada = Visitor::new(&site, ADA, Some(NOBODY));
    let mut reached = BTreeSet::new();
    for _ in 0..3 {
        let answer = forging_ada.book(&time(), None).await;
        assert_eq!(
            (answer.status, answer.code()),
            (429, "rate_limited"),
            "a forged X-Forwarded-For frees nobody ({:?}): {answer:?}",
            started.elapsed()
        );
        reached.insert(answer.upstream);
    }
    assert_eq!(reached, instances);
    // ... and Chloe writing Ada's address is still Chloe.
    let chloe = Visitor::new(&site, CHLOE, Some(ADA));
    let mut reached = BTreeSet::new();
    for _ in 0..3 {
        let answer = chloe.book(&time(), None).await;
        assert_eq!(
            answer.status, 201,
            "nobody is limited by an address they write: {answer:?}"
        );
        reached.insert(answer.upstream);
    }
    assert_eq!(reached, instances);
}

/// Holds are kept in PostgreSQL by the client's address: a visitor's second hold replaces
/// the first though another instance places it, two addresses keep a hold each, and a
/// forged `X-Forwarded-For` neither takes over nor escapes its sender's hold.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn holds_follow_the_client_address_nginx_appends() {
    let Some(nginx) = nginx_binary() else { return };
    let site = Site::start(&nginx, common::local::LIMITS, "hold_minutes = 10").await;
    let [nine, ten, eleven, twelve] = [540, 600, 660, 720].map(tomorrow_plus);
    let (nine, ten, eleven, twelve) = (&*nine, &*ten, &*eleven, &*twelve);
    site.every_instance_shows(&[nine, ten, eleven, twelve], &[], "all free at first")
        .await;

    // Ada holds ten, then eleven on another instance: the second replaces the first.
    let ada = Visitor::new(&site, ADA, None);
    let (first, on) = ada.held(ten).await;
    let (second, then_on) = ada.held(eleven).await;
    assert_ne!(on, then_on, "round-robin: two instances place Ada's holds");
    site.every_instance_shows(&[ten], &[eleven], "Ada's first hold is given back")
        .await;
    let gone = ada.release(&first).await;
    assert_eq!((gone.status, gone.code()), (404, "not_found"), "{gone:?}");

    // Bob cannot hold Ada's eleven, but holds ten beside her hold.
    let bob = Visitor::new(&site, BOB, None);
    let taken = bob.hold(eleven).await;
    assert_eq!(
        (taken.status, taken.code()),
        (409, "slot_unavailable"),
        "{taken:?}"
    );
    let (bobs, _) = bob.held(ten).await;
    site.every_instance_shows(&[nine, twelve], &[ten, eleven], "two visitors, two holds")
        .await;

    // Chloe writing Ada's address holds as Chloe: Ada's hold stands.
    let chloe = Visitor::new(&site, CHLOE, Some(ADA));
    let (chloes, _) = chloe.held(twelve).await;
    site.every_instance_shows(&[nine], &[ten, eleven, twelve], "Chloe's is her own")
        .await;
    // Ada writing another address holds as Ada: her eleven is given back for nine.
    let forging_ada = Visitor::new(&site, ADA, Some(NOBODY));
    let (adas, _) = forging_ada.held(nine).await;
    site.every_instance_shows(&[eleven], &[nine, ten, twelve], "Ada's replaced again")
        .await;
    assert_eq!(ada.release(&second).await.status, 404);

    // Each books with their own hold, on whichever instance; others are refused.
    let dan = Visitor::new(&site, DAN, None);
    let refused = dan.book(twelve, None).await;
    assert_eq!(
        (refused.status, refused.code()),
        (409, "slot_unavailable"),
        "{refused:?}"
    );
    for (visitor, start, hold) in [
        (&ada, nine, &adas),
        (&bob, ten, &bobs),
        (&chloe, twelve, &chloes),
    ] {
        let answer = visitor.book(start, Some(hold)).await;
        assert_eq!(
            answer.status, 201,
            "booking of {start} with its hold: {answer:?}"
        );
    }
    assert_eq!(dan.book(eleven, None).await.status, 201, "eleven was free");
}
