//! How every remote provider is called: one shared reqwest client, the key only in a
//! sensitive header, GETs retried (at most twice, with jitter) on 5xx and timeouts, POSTs
//! sent once, bodies read with a cap, an upstream 429 honoured for everyone, and nothing
//! of the upstream's URL, body or key in a log line or a response.

use std::sync::Mutex;
use std::time::Duration;

use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use rand::Rng;
use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio::time::Instant;

use super::common::lock;
use crate::config::UpstreamSettings;
use crate::error::AppError;

/// Largest upstream body read; anything longer is a failure, not a memory spike.
pub const MAX_BODY: usize = 2 * 1024 * 1024;
const RETRIES: u32 = 2;
/// Bounds on how long an upstream 429 pauses calls to that provider.
const MIN_BACKOFF: u64 = 1;
const MAX_BACKOFF: u64 = 300;

#[derive(Debug, thiserror::Error)]
pub enum UpstreamError {
    #[error("timed out")]
    Timeout,
    #[error("unreachable")]
    Unreachable,
    #[error("rejected the API key")]
    Unauthorized,
    #[error("rate limited for {0} s")]
    RateLimited(u64),
    /// A status the adapter may interpret (e.g. Cal.com's 400 for a taken slot), with the
    /// body if it was JSON. Never forwarded.
    #[error("answered {0}")]
    Status(StatusCode, Value),
    #[error("body over {MAX_BODY} bytes")]
    TooLarge,
    #[error("body is not the expected JSON")]
    BadBody,
}

impl From<UpstreamError> for AppError {
    fn from(error: UpstreamError) -> Self {
        match error {
            UpstreamError::Timeout => AppError::UpstreamTimeout,
            UpstreamError::RateLimited(secs) => AppError::RateLimited {
                retry_after_secs: secs,
            },
            _ => AppError::Upstream,
        }
    }
}

impl UpstreamError {
    fn retriable(&self) -> bool {
        match self {
            Self::Timeout | Self::Unreachable => true,
            Self::Status(status, _) => {
                status.is_server_error() || *status == StatusCode::REQUEST_TIMEOUT
            }
            _ => false,
        }
    }
}

/// The one HTTP client all providers share (connection pool, rustls). Never a default
/// client in its place: that one would follow redirects with no time limits.
pub fn client(settings: &UpstreamSettings) -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .connect_timeout(settings.timeout.min(Duration::from_secs(3)))
        .timeout(settings.timeout)
        // A redirect could carry a custom key header to another host.
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("booking-proxy/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))
}

/// One provider account as seen from one profile.
pub struct Upstream {
    client: reqwest::Client,
    base_url: String,
    auth: Vec<(HeaderName, HeaderValue)>,
    profile: String,
    provider: &'static str,
    key_env: String,
    budget: Duration,
    paused_until: Mutex<Option<Instant>>,
}

/// The key, as the header value(s) a provider wants; marked sensitive so it is never
/// printed by `Debug`.
pub fn secret(value: &str) -> Result<HeaderValue, String> {
    let mut value =
        HeaderValue::from_str(value).map_err(|_| "contains characters a header cannot hold")?;
    value.set_sensitive(true);
    Ok(value)
}

pub struct Account<'a> {
    pub client: reqwest::Client,
    pub settings: &'a UpstreamSettings,
    pub base_url: &'a str,
    pub auth: Vec<(HeaderName, HeaderValue)>,
    pub profile: &'a str,
    pub provider: &'static str,
    pub key_env: &'a str,
}

impl Upstream {
    pub fn new(account: Account<'_>) -> Self {
        Self {
            client: account.client,
            base_url: account.base_url.to_owned(),
            auth: account.auth,
            profile: account.profile.to_owned(),
            provider: account.provider,
            key_env: account.key_env.to_owned(),
            budget: account.settings.budget,
            paused_until: Mutex::new(None),
        }
    }

    /// GET, retried on 5xx and timeouts. `op` names the operation in logs.
    pub async fn get<T: DeserializeOwned>(
        &self,
        op: &'static str,
        path: &str,
        query: &[(&str, String)],
        headers: &[(&'static str, &'static str)],
    ) -> Result<T, UpstreamError> {
        let calls = async {
            let mut attempt = 0;
            loop {
                let result = self.once(Method::GET, path, query, headers, None).await;
                match result {
                    Err(error) if error.retriable() && attempt < RETRIES => {
                        attempt += 1;
                        self.log_failure(op, &error);
                        let jitter = rand::thread_rng().gen_range(100..=300);
                        tokio::time::sleep(Duration::from_millis(jitter * u64::from(attempt)))
                            .await;
                    }
                    other => return other,
                }
            }
        };
        let result = tokio::time::timeout(self.budget, calls)
            .await
            .unwrap_or(Err(UpstreamError::Timeout));
        self.finish(op, result)
    }

    /// A request that changes something: sent once, never retried blindly.
    pub async fn send<T: DeserializeOwned>(
        &self,
        op: &'static str,
        method: Method,
        path: &str,
        headers: &[(&'static str, &'static str)],
        body: &Value,
    ) -> Result<T, UpstreamError> {
        let call = self.once(method, path, &[], headers, Some(body));
        let result = tokio::time::timeout(self.budget, call)
            .await
            .unwrap_or(Err(UpstreamError::Timeout));
        self.finish(op, result)
    }

    /// A DELETE without a body, sent once; any 2xx (empty or not) is success.
    pub async fn delete(
        &self,
        op: &'static str,
        path: &str,
        query: &[(&str, String)],
        headers: &[(&'static str, &'static str)],
    ) -> Result<(), UpstreamError> {
        let call = self.once::<Value>(Method::DELETE, path, query, headers, None);
        let result = tokio::time::timeout(self.budget, call)
            .await
            .unwrap_or(Err(UpstreamError::Timeout));
        self.finish(op, result).map(|_| ())
    }

    fn finish<T>(
        &self,
        op: &'static str,
        result: Result<T, UpstreamError>,
    ) -> Result<T, UpstreamError> {
        if let Err(error) = &result {
            self.log_failure(op, error);
        }
        result
    }

    fn log_failure(&self, op: &'static str, error: &UpstreamError) {
        let (profile, provider) = (self.profile.as_str(), self.provider);
        match error {
            UpstreamError::Unauthorized => tracing::error!(
                profile, provider, key_env = %self.key_env,
                "the provider rejected the API key: check the key in {}", self.key_env
            ),
            _ => tracing::warn!(profile, provider, op, %error, "upstream call failed"),
        }
    }

    async fn once<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        headers: &[(&'static str, &'static str)],
        body: Option<&Value>,
    ) -> Result<T, UpstreamError> {
        self.check_pause()?;
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.base_url))
            .header("accept", "application/json");
        if !query.is_empty() {
            request = request.query(query);
        }
        for (name, value) in &self.auth {
            request = request.header(name.clone(), value.clone());
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let mut response = request.send().await.map_err(|e| {
            if e.is_timeout() {
                UpstreamError::Timeout
            } else {
                UpstreamError::Unreachable
            }
        })?;
        let status = response.status();
        if status == StatusCode::TOO_MANY_REQUESTS {
            return Err(self.pause(response.headers()));
        }
        if matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) {
            return Err(UpstreamError::Unauthorized);
        }
        let bytes = read_capped(&mut response).await?;
        if !status.is_success() {
            let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
            return Err(UpstreamError::Status(status, body));
        }
        // A 2xx with no body (a 204, or a DELETE's bare 200) reads as JSON null.
        let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
            b"null"
        } else {
            &bytes
        };
        serde_json::from_slice(bytes).map_err(|_| UpstreamError::BadBody)
    }

    /// Honours `Retry-After` (seconds) for every later call until it has passed.
    fn pause(&self, headers: &reqwest::header::HeaderMap) -> UpstreamError {
        let secs = wait_secs(headers).clamp(MIN_BACKOFF, MAX_BACKOFF);
        let until = Instant::now() + Duration::from_secs(secs);
        *lock(&self.paused_until) = Some(until);
        UpstreamError::RateLimited(secs)
    }

    fn check_pause(&self) -> Result<(), UpstreamError> {
        let until = *lock(&self.paused_until);
        match until {
            Some(until) if until > Instant::now() => {
                let left = until.duration_since(Instant::now()).as_secs_f64().ceil();
                Err(UpstreamError::RateLimited((left as u64).max(1)))
            }
            _ => Ok(()),
        }
    }
}

/// How long a 429 asks us to wait: `Retry-After` in seconds or as an HTTP date, else
/// Cal.com's `X-RateLimit-Reset-Default` (seconds left in its window), else 5 s.
fn wait_secs(headers: &reqwest::header::HeaderMap) -> u64 {
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    if let Some(value) = text("retry-after") {
        if let Ok(secs) = value.parse::<u64>() {
            return secs;
        }
        if let Ok(at) = chrono::DateTime::parse_from_rfc2822(value) {
            let left = at.signed_duration_since(chrono::Utc::now()).num_seconds();
            return u64::try_from(left).unwrap_or(0);
        }
    }
    text("x-ratelimit-reset-default")
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(5)
}

/// The body, or `TooLarge` as soon as it passes `MAX_BODY` (the rest is never read).
async fn read_capped(response: &mut reqwest::Response) -> Result<Vec<u8>, UpstreamError> {
    if response
        .content_length()
        .is_some_and(|n| n > MAX_BODY as u64)
    {
        return Err(UpstreamError::TooLarge);
    }
    let mut bytes = Vec::new();
    loop {
        let chunk = response.chunk().await.map_err(|e| {
            if e.is_timeout() {
                UpstreamError::Timeout
            } else {
                UpstreamError::BadBody
            }
        })?;
        let Some(chunk) = chunk else {
            return Ok(bytes);
        };
        if bytes.len() + chunk.len() > MAX_BODY {
            return Err(UpstreamError::TooLarge);
        }
        bytes.extend_from_slice(&chunk);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue};

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn the_wait_comes_from_retry_after_or_cal_coms_reset_header() {
        assert_eq!(wait_secs(&headers(&[("retry-after", "7")])), 7);
        let in_a_minute = (chrono::Utc::now() + chrono::TimeDelta::seconds(61)).to_rfc2822();
        let secs = wait_secs(&headers(&[("retry-after", &in_a_minute)]));
        assert!((58..=61).contains(&secs), "{secs}");
        assert_eq!(
            wait_secs(&headers(&[("x-ratelimit-reset-default", "42")])),
            42
        );
        assert_eq!(wait_secs(&headers(&[("retry-after", "soon")])), 5);
        assert_eq!(wait_secs(&HeaderMap::new()), 5);
    }
}
