//! The real `booking-proxy` binary as a child process: started on a free loopback port,
//! its log collected, signalled and waited for with a bound, killed when dropped.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct Proxy {
    child: Child,
    /// `http://127.0.0.1:PORT`
    pub base: String,
    /// `127.0.0.1:PORT`
    pub addr: String,
    logs: Arc<Mutex<Vec<u8>>>,
}

/// The binary under test; `BOOKING_PROXY_BIN` points the tests at another build (an older
/// one, to see a test fail without the change it covers).
fn binary() -> String {
    std::env::var("BOOKING_PROXY_BIN")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_booking-proxy").to_owned())
}

impl Proxy {
    /// `booking-proxy serve --config CONFIG` with `env` added to the environment.
    pub fn start(config: &Path, env: &[(&str, &str)]) -> Self {
        let mut command = Command::new(binary());
        command
            .args(["serve", "--listen", "127.0.0.1:0", "--config"])
            .arg(config);
        Self::spawn(command, env)
    }

    /// As `start`, with the open-files soft limit first lowered to `soft` (as a shell's
    /// `ulimit -Sn` would leave it).
    pub fn start_with_open_files(config: &Path, soft: u64) -> Self {
        let mut command = Command::new("bash");
        command
            .arg("-c")
            .arg(format!("ulimit -Sn {soft} && exec \"$0\" \"$@\""))
            .arg(binary())
            .args(["serve", "--listen", "127.0.0.1:0", "--config"])
            .arg(config);
        Self::spawn(command, &[])
    }

    fn spawn(mut command: Command, env: &[(&str, &str)]) -> Self {
        let mut child = command
            .envs(env.iter().copied())
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn booking-proxy");
        let logs = Arc::new(Mutex::new(Vec::new()));
        let mut stderr = child.stderr.take().expect("stderr");
        let sink = logs.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stderr.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("read the listening line");
        let base = line.trim().rsplit(' ').next().unwrap_or("").to_owned();
        assert!(
            base.starts_with("http://127.0.0.1:"),
            "no listening line: {line:?}; log: {}",
            String::from_utf8_lossy(&logs.lock().unwrap())
        );
        let addr = base.trim_start_matches("http://").to_owned();
        Self {
            child,
            base,
            addr,
            logs,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Everything written to stderr so far, as bytes (to look for escape codes too).
    pub fn log_bytes(&self) -> Vec<u8> {
        self.logs.lock().unwrap().clone()
    }

    pub fn logs(&self) -> String {
        String::from_utf8_lossy(&self.log_bytes()).into_owned()
    }

    /// Sends a signal by name (`TERM`, `KILL`).
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args(["-s", name, &self.pid().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -s {name}");
    }

    /// The exit status, if the process ends within `within`.
    pub fn exited_within(&mut self, within: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
