//! A real CalDAV server for the host-calendar tests: Radicale (from the project's .venv,
//! `make setup`) on a free loopback port with a throwaway folder and one user, and the
//! few WebDAV requests a test makes to it directly.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::peers::free_port;

pub const USER: &str = "host";
pub const PASSWORD: &str = "radicale-test-secret";

pub struct Radicale {
    child: Child,
    pub base: String,
    pub port: u16,
    client: reqwest::Client,
}

impl Radicale {
    /// Started in `dir`, answering within 20 s.
    pub fn start(dir: &Path) -> Self {
        Self::start_on(dir, free_port())
    }

    /// Started in `dir` on `port` (again, after `stop`: the same calendars).
    pub fn start_on(dir: &Path, port: u16) -> Self {
        let users = dir.join("users");
        std::fs::write(&users, format!("{USER}:{PASSWORD}\n")).expect("users file");
        let child = Command::new(super::peers::python())
            .args(["-m", "radicale", "--config", ""])
            .arg("--storage-filesystem-folder")
            .arg(dir.join("collections"))
            .args(["--server-hosts", &format!("127.0.0.1:{port}")])
            .args([
                "--auth-type",
                "htpasswd",
                "--auth-htpasswd-encryption",
                "plain",
            ])
            .arg("--auth-htpasswd-filename")
            .arg(&users)
            .args(["--logging-level", "warning"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start Radicale");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "Radicale did not listen");
            std::thread::sleep(Duration::from_millis(50));
        }
        Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
            port,
            client: reqwest::Client::new(),
        }
    }

    /// The URL of `path` (from `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn send(&self, method: &str, path: &str, body: Option<String>) -> reqwest::Response {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = self
            .client
            .request(method, self.url(path))
            .basic_auth(USER, Some(PASSWORD));
        if let Some(body) = body {
            request = request
                .header("Content-Type", "text/calendar; charset=utf-8")
                .body(body);
        }
        request.send().await.expect("Radicale answers")
    }

    /// Makes the calendar collection `path` (ending in `/`).
    pub async fn calendar(&self, path: &str) {
        let status = self.send("MKCALENDAR", path, None).await.status();
        assert_eq!(status, 201, "MKCALENDAR {path}");
    }

    /// Writes one calendar object.
    pub async fn put(&self, path: &str, text: &str) {
        let status = self.send("PUT", path, Some(text.to_owned())).await.status();
        assert!(status.is_success(), "PUT {path}: {status}");
    }

    /// The object at `path`, if there is one.
    pub async fn get(&self, path: &str) -> Option<String> {
        let response = self.send("GET", path, None).await;
        match response.status().as_u16() {
            200 => Some(response.text().await.expect("body")),
            404 => None,
            other => panic!("GET {path}: {other}"),
        }
    }

    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Radicale {
    fn drop(&mut self) {
        self.stop();
    }
}
