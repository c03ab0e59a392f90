//! Fakes of the four scheduling providers, each an axum `Router` that follows
//! `docs/providers.md`: auth and version headers, status codes, error shapes. They record
//! every request and can play a fault, so booking-proxy's tests can check both what it sends
//! and how it copes. They listen on loopback only.

pub mod aurinko;
pub mod calcom;
mod control;
pub mod jicoo;
pub mod schedule;
pub mod vyte;

pub use control::{Control, Fault, FaultKind, Recorded};

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;

/// A fake listening on a loopback port.
pub struct Running {
    pub base_url: String,
    pub control: Arc<Control>,
}

impl Running {
    /// Requests seen so far with this method whose path starts with `prefix`.
    pub fn count(&self, method: &str, prefix: &str) -> usize {
        self.control.count(method, prefix)
    }
}

/// Serves `router` (a fake's routes) behind the recording and fault layer on `addr`
/// (port 0 picks a free one).
pub async fn serve(
    router: Router,
    control: Arc<Control>,
    addr: SocketAddr,
) -> std::io::Result<Running> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let app = control::layer(router, control.clone());
    tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, app).await {
            eprintln!("fake provider stopped: {error}");
        }
    });
    Ok(Running {
        base_url: format!("http://{addr}"),
        control,
    })
}

/// Serves `router` on a free loopback port.
pub async fn spawn(router: Router, control: Arc<Control>) -> Running {
    let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
    serve(router, control, loopback)
        .await
        .expect("bind a loopback port")
}

/// A lock that survives a test thread that panicked while holding it.
pub(crate) fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// An RFC 3339 string in a JSON value, as a UTC instant.
pub(crate) fn instant(v: &serde_json::Value) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(v.as_str()?)
        .ok()
        .map(|t| t.with_timezone(&chrono::Utc))
}

/// `n` random letters and digits, for ids.
pub fn random_id(n: usize) -> String {
    use rand::distributions::{Alphanumeric, DistString};
    Alphanumeric.sample_string(&mut rand::thread_rng(), n)
}
