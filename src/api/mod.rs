//! The typed client for booking-proxy's `/api/v1`. The widget talks to nothing else.

use gloo_net::http::{Request, Response};
use serde::de::DeserializeOwned;

use chrono::NaiveDate;

use crate::wire::{
    ApiError, Booking, BookingRequest, ErrorCode, ErrorEnvelope, Profile, SlotsResponse,
};

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
        let url = self.url(&format!("/profiles/{}", encode(id)));
        let response = Request::get(&url)
            .send()
            .await
            .map_err(|_| ApiFailure::Network)?;
        decode(response).await
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
        let url = self.url(&format!(
            "/profiles/{}/slots?from={from}&to={to}&time_zone={}&duration={duration}",
            encode(profile),
            encode(zone)
        ));
        let response = Request::get(&url)
            .send()
            .await
            .map_err(|_| ApiFailure::Network)?;
        decode(response).await
    }

    /// `POST …/bookings` with an `Idempotency-Key`, so a retry cannot book twice.
    pub async fn book(
        &self,
        profile: &str,
        request: &BookingRequest,
        key: &str,
    ) -> Result<Booking, ApiFailure> {
        let url = self.url(&format!("/profiles/{}/bookings", encode(profile)));
        let response = Request::post(&url)
            .header("Idempotency-Key", key)
            .json(request)
            .map_err(|_| ApiFailure::Network)?
            .send()
            .await
            .map_err(|_| ApiFailure::Network)?;
        decode(response).await
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

    /// The proxy's error code, when it sent one.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Self::Api { error, .. } => Some(error.code),
            _ => None,
        }
    }
}

async fn decode<T: DeserializeOwned>(response: Response) -> Result<T, ApiFailure> {
    let status = response.status();
    if response.ok() {
        return response
            .json::<T>()
            .await
            .map_err(|_| ApiFailure::Decode(status));
    }
    match response.json::<ErrorEnvelope>().await {
        Ok(envelope) => Err(ApiFailure::Api {
            status,
            error: envelope.error,
        }),
        Err(_) => Err(ApiFailure::Decode(status)),
    }
}

/// Percent-encodes a path segment (profile ids come from the host page's markup).
fn encode(segment: &str) -> String {
    js_sys::encode_uri_component(segment).into()
}
