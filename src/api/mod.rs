//! The typed client for booking-proxy's `/api/v1`. The widget talks to nothing else.

pub mod early;

use chrono::NaiveDate;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, RequestInit, Response};

use booking_wire::js::{self, FromJs, ToJs};
use booking_wire::{ApiError, Booking, BookingRequest, ErrorCode, Profile, SlotsResponse};

/// How often and how long a booking waits for an earlier attempt with its key: about the
/// proxy's own time limit for a request (30 s).
const IN_PROGRESS_WAITS: u32 = 15;
const IN_PROGRESS_PAUSE_MS: i32 = 2_000;

/// Why a call to the proxy did not give the expected answer.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ApiFailure {
    /// The proxy could not be reached (offline, wrong address, CORS refused).
    #[error("could not reach the booking service")]
    Network,
    /// The proxy answered with its error envelope.
    #[error("{}", .error.message)]
    Api { status: u16, error: ApiError },
    /// The proxy answered with something that is not our JSON.
    #[error("unexpected answer from the booking service (HTTP {0})")]
    Decode(u16),
}

/// A client bound to one proxy origin, e.g. `https://book.example.com`.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiClient {
    base: String,
}

impl ApiClient {
    pub fn new(base: impl Into<String>) -> Self {
        let base = base.into();
        Self {
            base: base.trim_end_matches('/').to_owned(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.base)
    }

    /// `GET /api/v1/profiles/{profile}`.
    pub async fn profile(&self, id: &str) -> Result<Profile, ApiFailure> {
        if let Some(profile) = early::profile(id) {
            return Ok(profile);
        }
        call(&self.url(&format!("/profiles/{}", encode(id))), None).await
    }
}

impl ApiClient {
    /// `GET …/slots` for the days `from..=to` counted in `zone`.
    pub async fn slots(
        &self,
        profile: &str,
        from: NaiveDate,
        to: NaiveDate,
        zone: &str,
        duration: u32,
    ) -> Result<SlotsResponse, ApiFailure> {
        if let Some(answer) = early::slots(from, to, zone, duration) {
            return Ok(answer);
        }
        let url = self.url(&format!(
            "/profiles/{}/slots?from={from}&to={to}&time_zone={}&duration={duration}",
            encode(profile),
            encode(zone)
        ));
        call(&url, None).await
    }

    /// `POST …/bookings` with an `Idempotency-Key`, so a retry cannot book twice. While an
    /// earlier attempt with the key is still at the provider (a retry after a lost answer),
    /// the proxy says `request_in_progress`: ask again shortly, and its answer is replayed.
    pub async fn book(
        &self,
        profile: &str,
        request: &BookingRequest,
        key: &str,
    ) -> Result<Booking, ApiFailure> {
        let url = self.url(&format!("/profiles/{}/bookings", encode(profile)));
        let body = to_json(request);
        let mut waits = 0;
        loop {
            let result = call(&url, Some((body.clone(), key))).await;
            let in_progress =
                matches!(&result, Err(f) if f.code() == Some(ErrorCode::RequestInProgress));
            if !in_progress || waits == IN_PROGRESS_WAITS {
                return result;
            }
            waits += 1;
            pause(IN_PROGRESS_PAUSE_MS).await;
        }
    }
}

impl ApiFailure {
    /// As the API's error object (for `booking:failed`); `message` for a network failure.
    pub fn as_error(&self, message: &str) -> ApiError {
        match self {
            Self::Api { error, .. } => error.clone(),
            _ => ApiError {
                code: ErrorCode::Unknown,
                message: message.to_owned(),
                fields: None,
            },
        }
    }

    /// A sentence for the visitor: the proxy's own message where it sent one, else
    /// `unreachable` (in the visitor's language) for a network failure.
    pub fn message(&self, unreachable: &str) -> String {
        match self {
            Self::Api { error, .. } => error.message.clone(),
            Self::Network => unreachable.to_owned(),
            other => other.to_string(),
        }
    }

    /// The proxy's error code, when it sent one.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Self::Api { error, .. } => Some(error.code),
            _ => None,
        }
    }
}

/// One request with the browser's `fetch`: a GET, or a POST of a JSON body with its
/// `Idempotency-Key`. The answer is parsed by the browser (`Response.json`).
async fn call<T: FromJs>(url: &str, post: Option<(String, &str)>) -> Result<T, ApiFailure> {
    let (status, json) = fetch_json(url, post).await?;
    T::from_js(&json).ok_or(ApiFailure::Decode(status))
}

/// The request itself, one copy for every answer type (each copy of an async function is
/// a whole state machine in the wasm, docs/size.md S13): a success's status and JSON, or
/// the failure.
async fn fetch_json(url: &str, post: Option<(String, &str)>) -> Result<(u16, JsValue), ApiFailure> {
    if let Some(early) = post.is_none().then(|| early::request(url)).flatten() {
        match JsFuture::from(early).await {
            Ok(json) if !json.is_null_or_undefined() => return Ok((200, json)),
            _ => {}
        }
    }
    let init = RequestInit::new();
    if let Some((body, key)) = post {
        let headers = Headers::new().map_err(|_| ApiFailure::Network)?;
        for (name, value) in [
            ("Content-Type", "application/json"),
            ("Idempotency-Key", key),
        ] {
            headers.set(name, value).map_err(|_| ApiFailure::Network)?;
        }
        init.set_method("POST");
        init.set_headers(&headers);
        init.set_body(&JsValue::from_str(&body));
    }
    let window = web_sys::window().ok_or(ApiFailure::Network)?;
    let response: Response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await
        .map_err(|_| ApiFailure::Network)?
        .unchecked_into();
    let status = response.status();
    let json = match response.json() {
        Ok(promise) => JsFuture::from(promise).await.ok(),
        Err(_) => None,
    };
    let Some(json) = json else {
        return Err(ApiFailure::Decode(status));
    };
    if response.ok() {
        return Ok((status, json));
    }
    // The error envelope: `{"error": {...}}`.
    match ApiError::from_js(&js::get(&json, "error")) {
        Some(error) => Err(ApiFailure::Api { status, error }),
        None => Err(ApiFailure::Decode(status)),
    }
}

/// Resolves after `ms` milliseconds (the browser's timer).
async fn pause(ms: i32) {
    let timer = js_sys::Promise::new(&mut |resolve, _| {
        let set = web_sys::window().and_then(|w| {
            w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
                .ok()
        });
        if set.is_none() {
            let _ = resolve.call0(&JsValue::NULL);
        }
    });
    let _ = JsFuture::from(timer).await;
}

/// A value as JSON text, through the browser's `JSON.stringify`.
pub fn to_json<T: ToJs>(value: &T) -> String {
    js_sys::JSON::stringify(&value.to_js())
        .map(String::from)
        .unwrap_or_default()
}

/// JSON text as a value, through the browser's `JSON.parse`; `None` when it is not JSON
/// or not of the type's shape.
pub fn from_json<T: FromJs>(text: &str) -> Option<T> {
    T::from_js(&js_sys::JSON::parse(text).ok()?)
}

/// Percent-encodes a path segment (profile ids come from the host page's markup).
fn encode(segment: &str) -> String {
    js_sys::encode_uri_component(segment).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_is_told_in_the_proxys_words_or_ours_when_it_could_not_be_reached() {
        let api = ApiFailure::Api {
            status: 400,
            error: ApiError {
                code: ErrorCode::BadRequest,
                message: "`time_zone` \"Mars/Olympus\" is not an IANA time zone.".into(),
                fields: None,
            },
        };
        let unreachable = crate::i18n::strings("de").unreachable;
        assert!(api.message(unreachable).contains("Mars/Olympus"));
        assert_eq!(ApiFailure::Network.message(unreachable), unreachable);
        assert!(ApiFailure::Decode(502).message(unreachable).contains("502"));
    }
}
