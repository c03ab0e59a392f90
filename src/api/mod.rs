//! The typed client for booking-proxy's `/api/v1`. The widget talks to nothing else.

pub mod early;

use chrono::NaiveDate;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, RequestInit, Response};

use booking_wire::js::{self, FromJs, ToJs};
use booking_wire::{
    ApiError, BookingRequest, CancelRequest, Created, ErrorCode, Hold, HoldRequest, ManagedBooking,
    Profile, RescheduleRequest, SlotsResponse,
};

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

/// Whose free slots: a profile's, or the times a booking may move to (its own time counted
/// free), by its manage token.
#[derive(Clone, Debug, PartialEq)]
pub enum SlotsOf {
    Profile(String),
    Booking(String),
}

/// What a request sends.
enum Send<'a> {
    Get,
    /// A JSON body, with the Idempotency-Key where the route takes one.
    Post(String, Option<&'a str>),
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
        read(fetch_json(&self.url(&format!("/profiles/{}", encode(id))), Send::Get).await?)
    }
}

impl ApiClient {
    /// `GET …/slots` for the days `from..=to` counted in `zone`.
    pub async fn slots(
        &self,
        of: &SlotsOf,
        from: NaiveDate,
        to: NaiveDate,
        zone: &str,
        duration: u32,
    ) -> Result<SlotsResponse, ApiFailure> {
        let base = match of {
            SlotsOf::Profile(id) => {
                if let Some(answer) = early::slots(from, to, zone, duration) {
                    return Ok(answer);
                }
                format!("/profiles/{}", encode(id))
            }
            SlotsOf::Booking(token) => format!("/bookings/{}", encode(token)),
        };
        let url = self.url(&format!(
            "{base}/slots?from={from}&to={to}&time_zone={}&duration={duration}",
            encode(zone)
        ));
        read(fetch_json(&url, Send::Get).await?)
    }

    /// `POST …/bookings` with an `Idempotency-Key`, so a retry cannot book twice.
    pub async fn book(
        &self,
        profile: &str,
        request: &BookingRequest,
        key: &str,
    ) -> Result<Created, ApiFailure> {
        let url = self.url(&format!("/profiles/{}/bookings", encode(profile)));
        read(keyed(&url, to_json(request), key).await?)
    }

    /// `POST /api/v1/bookings/{token}/reschedule`, with an `Idempotency-Key` as a booking.
    pub async fn reschedule(
        &self,
        token: &str,
        request: &RescheduleRequest,
        key: &str,
    ) -> Result<ManagedBooking, ApiFailure> {
        let url = self.url(&format!("/bookings/{}/reschedule", encode(token)));
        read(keyed(&url, to_json(request), key).await?)
    }

    /// `GET /api/v1/bookings/{token}`.
    pub async fn managed(&self, token: &str) -> Result<ManagedBooking, ApiFailure> {
        let url = self.url(&format!("/bookings/{}", encode(token)));
        read(fetch_json(&url, Send::Get).await?)
    }

    /// `POST /api/v1/bookings/{token}/cancel` (a second cancel answers as the first).
    pub async fn cancel(
        &self,
        token: &str,
        request: &CancelRequest,
    ) -> Result<ManagedBooking, ApiFailure> {
        let url = self.url(&format!("/bookings/{}/cancel", encode(token)));
        read(fetch_json(&url, Send::Post(to_json(request), None)).await?)
    }

    /// `POST …/holds`: keeps a time for the visitor while they fill the form.
    pub async fn hold(&self, profile: &str, request: &HoldRequest) -> Result<Hold, ApiFailure> {
        let url = self.url(&format!("/profiles/{}/holds", encode(profile)));
        read(fetch_json(&url, Send::Post(to_json(request), None)).await?)
    }

    /// `DELETE /api/v1/holds/{id}`, not waited for; it is sent even as the page closes
    /// (`keepalive`). A hold not released expires by itself.
    pub fn release(&self, hold: &str) {
        let init = RequestInit::new();
        init.set_method("DELETE");
        // Not in web-sys's `RequestInit`: set as the plain property it is.
        let _ = js_sys::Reflect::set(&init, &"keepalive".into(), &JsValue::TRUE);
        if let Some(window) = web_sys::window() {
            let url = self.url(&format!("/holds/{}", encode(hold)));
            let _ = window.fetch_with_str_and_init(&url, &init);
        }
    }

    /// The booking's calendar file (.ics) on the proxy, as the booking stands when fetched.
    pub fn calendar_file(&self, token: &str) -> String {
        self.url(&format!("/bookings/{}/calendar", encode(token)))
    }

    /// The booking's manage page on the proxy: the link the visitor keeps.
    pub fn manage_page(&self, profile: &str, token: &str) -> String {
        format!(
            "{}/book/{}/manage/{}",
            self.base,
            encode(profile),
            encode(token)
        )
    }
}

/// A POST with its `Idempotency-Key`. While an earlier attempt with the key is still at the
/// provider (a retry after a lost answer), the proxy says `request_in_progress`: ask again
/// shortly, and its answer is replayed.
async fn keyed(url: &str, body: String, key: &str) -> Result<(u16, JsValue), ApiFailure> {
    let mut waits = 0;
    loop {
        let result = fetch_json(url, Send::Post(body.clone(), Some(key))).await;
        let in_progress =
            matches!(&result, Err(f) if f.code() == Some(ErrorCode::RequestInProgress));
        if !in_progress || waits == IN_PROGRESS_WAITS {
            return result;
        }
        waits += 1;
        pause(IN_PROGRESS_PAUSE_MS).await;
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

    /// Whether asking again may succeed: not when the proxy refused the request itself (an
    /// unknown profile, a bad argument), but after a network failure, an overload or a
    /// server's error.
    pub fn retryable(&self) -> bool {
        !matches!(self, Self::Api { status, .. } if *status < 500 && *status != 429)
    }

    /// The proxy's error code, when it sent one.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Self::Api { error, .. } => Some(error.code),
            _ => None,
        }
    }
}

/// A success's JSON as the wire type `T`. Not async: an async function generic over the
/// answer would be a whole state machine per type (S13).
fn read<T: FromJs>((status, json): (u16, JsValue)) -> Result<T, ApiFailure> {
    T::from_js(&json).ok_or(ApiFailure::Decode(status))
}

/// The request itself, one copy for every answer type (each copy of an async function is
/// a whole state machine in the wasm, docs/size.md S13): a success's status and JSON, or
/// the failure.
async fn fetch_json(url: &str, send: Send<'_>) -> Result<(u16, JsValue), ApiFailure> {
    let init = RequestInit::new();
    if let Send::Post(body, key) = send {
        let headers = Headers::new().map_err(|_| ApiFailure::Network)?;
        headers
            .set("Content-Type", "application/json")
            .map_err(|_| ApiFailure::Network)?;
        if let Some(key) = key {
            headers
                .set("Idempotency-Key", key)
                .map_err(|_| ApiFailure::Network)?;
        }
        init.set_method("POST");
        init.set_headers(&headers);
        init.set_body(&JsValue::from_str(&body));
    } else if let Some(early) = early::request(url) {
        match JsFuture::from(early).await {
            Ok(json) if !json.is_null_or_undefined() => return Ok((200, json)),
            _ => {}
        }
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

/// Resolves in a later task: what follows runs after the browser has had a turn (to draw,
/// to take input), however soon the answer before it was there. The widget starts in such
/// steps (the mount, the profile's step, the booking step's later parts, the month's answer
/// read, the month drawn): in one task they would hold a slow phone's main thread for a
/// long time.
pub async fn next_task() {
    pause(0).await;
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
