//! What every fake shares: a log of the requests it received and the fault it plays.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::lock;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use futures_util::stream;

/// One request as the fake received it.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: Method,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    /// The JSON body, when there was one.
    pub body: Option<serde_json::Value>,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// What goes wrong.
#[derive(Clone, Debug)]
pub enum FaultKind {
    /// Waits this long before handling the request.
    Slow(Duration),
    /// Handles the request (a create is made), then waits this long before answering.
    SlowAnswer(Duration),
    /// Handles the request only after this long, even if the caller has given up by
    /// then (a create that lands late).
    Late(Duration),
    /// Answers this status with a small JSON error body.
    Status(u16),
    /// 200 with JSON cut off in the middle.
    Truncated,
    /// 200 with a body that is not JSON at all.
    Malformed,
    /// 200 with a 50 MB body streamed without a length.
    Huge,
    /// 429 with `Retry-After`.
    RateLimited { retry_after: u64 },
}

/// A fault, optionally only for one method and only for the first `times` requests.
#[derive(Clone, Debug)]
pub struct Fault {
    pub kind: FaultKind,
    pub method: Option<Method>,
    pub times: Option<u32>,
}

impl Fault {
    pub fn always(kind: FaultKind) -> Self {
        Self {
            kind,
            method: None,
            times: None,
        }
    }
}

/// Shared between a fake's handlers, its middleware and the test that drives it.
#[derive(Default)]
pub struct Control {
    requests: Mutex<Vec<Recorded>>,
    fault: Mutex<Option<Fault>>,
    /// Bytes of `Huge` bodies actually sent, so a test can see the reader gave up early.
    pub huge_bytes_sent: Arc<AtomicU64>,
}

impl Control {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    pub fn set_fault(&self, fault: Option<Fault>) {
        *lock(&self.fault) = fault;
    }

    pub fn requests(&self) -> Vec<Recorded> {
        lock(&self.requests).clone()
    }

    /// Requests with this method whose path starts with `prefix`.
    pub fn count(&self, method: &str, prefix: &str) -> usize {
        lock(&self.requests)
            .iter()
            .filter(|r| r.method.as_str() == method && r.path.starts_with(prefix))
            .count()
    }

    /// The fault to play for this request, counting it down.
    fn take_fault(&self, method: &Method) -> Option<FaultKind> {
        let mut slot = lock(&self.fault);
        let fault = slot.as_mut()?;
        if fault.method.as_ref().is_some_and(|m| m != method) {
            return None;
        }
        let kind = fault.kind.clone();
        match &mut fault.times {
            Some(0) => return None,
            Some(n) => *n -= 1,
            None => {}
        }
        Some(kind)
    }
}

/// Wraps a fake's routes: record, then play the fault or pass the request on.
pub fn layer(router: Router, control: Arc<Control>) -> Router {
    router.layer(middleware::from_fn_with_state(control, record_and_fault))
}

async fn record_and_fault(
    State(control): State<Arc<Control>>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, 1 << 20)
        .await
        .unwrap_or_default();
    let query = parts.uri.query().map(url_pairs).unwrap_or_default();
    lock(&control.requests).push(Recorded {
        method: parts.method.clone(),
        path: parts.uri.path().to_owned(),
        query,
        headers: parts.headers.clone(),
        body: serde_json::from_slice(&bytes).ok(),
    });
    let fault = control.take_fault(&parts.method);
    let request = Request::from_parts(parts, Body::from(bytes));
    match fault {
        None => next.run(request).await,
        Some(FaultKind::Slow(wait)) => {
            tokio::time::sleep(wait).await;
            next.run(request).await
        }
        Some(FaultKind::Late(wait)) => {
            let late = tokio::spawn(async move {
                tokio::time::sleep(wait).await;
                next.run(request).await
            });
            late.await
                .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
        }
        Some(FaultKind::SlowAnswer(wait)) => {
            let response = next.run(request).await;
            tokio::time::sleep(wait).await;
            response
        }
        Some(FaultKind::Status(code)) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let body = serde_json::json!({ "message": "fake failure" }).to_string();
            (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
        }
        Some(FaultKind::Truncated) => json_200(r#"{"status":"success","data":{"2050-01-0"#),
        Some(FaultKind::Malformed) => json_200("<html>gateway says hello</html>"),
        Some(FaultKind::RateLimited { retry_after }) => {
            let mut response = (
                StatusCode::TOO_MANY_REQUESTS,
                [(header::CONTENT_TYPE, "application/json")],
                r#"{"message":"Too many requests. Please try again later."}"#,
            )
                .into_response();
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
            response
        }
        Some(FaultKind::Huge) => huge(control.huge_bytes_sent.clone()),
    }
}

fn json_200(body: &'static str) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

/// 50 MB of a JSON array, 64 KiB at a time, counting what was actually pulled.
fn huge(sent: Arc<AtomicU64>) -> Response {
    const CHUNK: usize = 64 * 1024;
    const TOTAL: usize = 50 * 1024 * 1024;
    let first = Bytes::from_static(b"[");
    let chunks = (0..TOTAL / CHUNK).map(move |_| {
        sent.fetch_add(CHUNK as u64, Ordering::Relaxed);
        Ok::<_, std::io::Error>(Bytes::from(vec![b'0'; CHUNK]))
    });
    let body = stream::iter(std::iter::once(Ok(first)).chain(chunks));
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        Body::from_stream(body),
    )
        .into_response()
}

/// `a=1&b=x%20y` → pairs, percent- and plus-decoded.
fn url_pairs(query: &str) -> Vec<(String, String)> {
    let uri = format!("/?{query}").parse().unwrap_or_default();
    axum::extract::Query::<Vec<(String, String)>>::try_from_uri(&uri)
        .map(|q| q.0)
        .unwrap_or_default()
}
