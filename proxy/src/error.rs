//! One error type for every handler, rendered as the API's envelope
//! `{"error": {"code", "message", "fields"?}}`.

use std::collections::BTreeMap;

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use booking_wire::{ApiError, ErrorCode, ErrorEnvelope};

#[derive(Clone, Debug, thiserror::Error)]
pub enum AppError {
    #[error("There is no booking profile {0:?}.")]
    ProfileNotFound(String),
    #[error("Not found.")]
    NotFound,
    #[error("This path does not take that method.")]
    MethodNotAllowed,
    /// The admin API without its bearer token, or with another.
    #[error("This needs the admin token: Authorization: Bearer <token>.")]
    Unauthorized,
    #[error("{0}")]
    BadRequest(String),
    #[error("That time is no longer available. Please choose another.")]
    SlotUnavailable,
    /// Unknown and malformed manage tokens alike.
    #[error("There is no booking at this link.")]
    BookingNotFound,
    /// The booking's policy or provider does not allow it; the sentence says why.
    #[error("{0}")]
    NotAllowed(String),
    #[error("Some fields need attention.")]
    InvalidBooking(BTreeMap<String, String>),
    #[error("This Idempotency-Key was already used for a different booking.")]
    IdempotencyKeyReused,
    #[error("A request with this Idempotency-Key is still being processed.")]
    RequestInProgress,
    #[error("The request body is too large.")]
    PayloadTooLarge,
    #[error("Too many requests. Please wait a moment and try again.")]
    RateLimited { retry_after_secs: u64 },
    #[error("The scheduling service failed. Please try again.")]
    Upstream,
    #[error("The scheduling service did not answer in time. Please try again.")]
    UpstreamTimeout,
    #[error("The request took too long. Please try again.")]
    RequestTimeout,
    /// The detail is logged, never sent.
    #[error("Something went wrong on our side. Please try again.")]
    Internal(String),
}

impl AppError {
    pub fn internal(e: impl std::fmt::Display) -> Self {
        Self::Internal(e.to_string())
    }

    fn status_and_code(&self) -> (StatusCode, ErrorCode) {
        match self {
            Self::ProfileNotFound(_) => (StatusCode::NOT_FOUND, ErrorCode::ProfileNotFound),
            Self::NotFound => (StatusCode::NOT_FOUND, ErrorCode::NotFound),
            Self::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, ErrorCode::MethodNotAllowed),
            Self::Unauthorized => (StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized),
            Self::BadRequest(_) => (StatusCode::BAD_REQUEST, ErrorCode::BadRequest),
            Self::SlotUnavailable => (StatusCode::CONFLICT, ErrorCode::SlotUnavailable),
            Self::BookingNotFound => (StatusCode::NOT_FOUND, ErrorCode::BookingNotFound),
            Self::NotAllowed(_) => (StatusCode::CONFLICT, ErrorCode::NotAllowed),
            Self::InvalidBooking(_) => {
                (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::InvalidBooking)
            }
            Self::IdempotencyKeyReused => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::IdempotencyKeyReused,
            ),
            Self::RequestInProgress => (StatusCode::CONFLICT, ErrorCode::RequestInProgress),
            Self::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::PayloadTooLarge),
            Self::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, ErrorCode::RateLimited),
            Self::Upstream => (StatusCode::BAD_GATEWAY, ErrorCode::UpstreamError),
            Self::UpstreamTimeout => (StatusCode::GATEWAY_TIMEOUT, ErrorCode::UpstreamTimeout),
            Self::RequestTimeout => (StatusCode::REQUEST_TIMEOUT, ErrorCode::RequestTimeout),
            Self::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal),
        }
    }

    /// Whether trying again later may succeed: our failures and upstream's, and an
    /// upstream asking us to wait.
    pub fn is_retryable(&self) -> bool {
        let (status, _) = self.status_and_code();
        status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS
    }

    /// The envelope and status this error is sent as.
    pub fn envelope(&self) -> (StatusCode, ErrorEnvelope) {
        let (status, code) = self.status_and_code();
        let fields = match self {
            Self::InvalidBooking(fields) => Some(fields.clone().into_iter().collect()),
            _ => None,
        };
        (
            status,
            ErrorEnvelope {
                error: ApiError {
                    code,
                    message: self.to_string(),
                    fields,
                },
            },
        )
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let Self::Internal(detail) = &self {
            tracing::error!(%detail, "internal error");
        }
        let (status, body) = self.envelope();
        let mut response = (status, Json(body)).into_response();
        if let Self::Unauthorized = self {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"admin\""),
            );
        }
        if let Self::RateLimited { retry_after_secs } = self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
        response
    }
}

impl From<JsonRejection> for AppError {
    fn from(rejection: JsonRejection) -> Self {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return Self::PayloadTooLarge;
        }
        Self::BadRequest(rejection.body_text())
    }
}

impl From<QueryRejection> for AppError {
    fn from(rejection: QueryRejection) -> Self {
        Self::BadRequest(rejection.body_text())
    }
}

impl From<PathRejection> for AppError {
    fn from(rejection: PathRejection) -> Self {
        Self::BadRequest(rejection.body_text())
    }
}

/// `axum::extract::Path` whose rejections (a segment that is not UTF-8) are our envelope.
#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct PathParam<T>(pub T);

/// `axum::extract::Query` whose rejections (a value of the wrong type, a parameter given
/// twice) are our envelope.
#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct QueryParam<T>(pub T);

/// `axum::Json` whose rejections are our envelope.
#[derive(axum::extract::FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct JsonBody<T>(pub T);
