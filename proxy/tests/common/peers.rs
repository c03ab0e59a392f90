//! The notification tests' independent peers (proxy/tests/support/notify_peer.py, in the
//! project's .venv from `make setup`): a webhook receiver verifying signatures with the
//! Standard Webhooks reference library, and an SMTP server (aiosmtpd) whose messages are
//! parsed with Python's email and icalendar packages. Each appends one JSON line per
//! request or message to its log; tests wait on that log with a bound.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

pub struct Peer {
    child: Child,
    pub port: u16,
    pub log: PathBuf,
}

/// Each message file parsed as the SMTP peer parses what it receives.
pub fn parse_messages(files: &[PathBuf]) -> Vec<Value> {
    let out = Command::new(python())
        .arg(script())
        .arg("parse")
        .args(files)
        .output()
        .expect("run the parser");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect()
}

/// The project's Python (its .venv, from `make setup`), which runs the test peers.
pub fn python() -> PathBuf {
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/python");
    assert!(
        venv.exists(),
        "{} is missing: run `make setup` (scripts/setup.sh creates it)",
        venv.display()
    );
    venv
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/notify_peer.py")
}

impl Peer {
    /// A webhook receiver on `port` (0: any) that answers what `control` holds.
    pub fn webhooks(dir: &Path, port: u16, secret: &str, control: &Path) -> Self {
        let log = dir.join(format!("webhooks-{port}.jsonl"));
        let mut command = Command::new(python());
        command
            .arg(script())
            .arg("webhooks")
            .arg(port.to_string())
            .arg(&log)
            .arg(control)
            .env("WEBHOOK_SECRET", secret);
        Self::spawn(command, log)
    }

    pub fn smtp(dir: &Path) -> Self {
        let log = dir.join("smtp.jsonl");
        let mut command = Command::new(python());
        command.arg(script()).arg("smtp").arg(&log);
        Self::spawn(command, log)
    }

    fn spawn(mut command: Command, log: PathBuf) -> Self {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the Python peer");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("read the listening line");
        let port = line
            .trim()
            .strip_prefix("listening ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no listening line: {line:?}"));
        Self { child, port, log }
    }

    /// Every record so far.
    pub fn records(&self) -> Vec<Value> {
        records(&self.log)
    }

    /// The records once `done` holds for them, within `within`.
    pub fn wait(&self, within: Duration, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let deadline = Instant::now() + within;
        loop {
            let got = self.records();
            if done(&got) {
                return got;
            }
            assert!(
                Instant::now() < deadline,
                "not within {within:?}; got {}",
                serde_json::to_string_pretty(&got).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

pub fn records(log: &Path) -> Vec<Value> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A loopback port nothing listens on (yet).
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

/// Waits until `done` holds, within `within`.
pub fn until(within: Duration, what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + within;
    while !done() {
        assert!(Instant::now() < deadline, "not within {within:?}: {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}
