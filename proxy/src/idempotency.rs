//! `Idempotency-Key` for booking POSTs: the first answer is stored with a fingerprint of the
//! body and sent again for a replay; another body with the same key is refused.

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::AppError;
use crate::store::Claim;

pub const HEADER: &str = "idempotency-key";

/// A request's key and its body's fingerprint.
#[derive(Debug, Clone)]
pub struct Ticket {
    pub key: String,
    pub fingerprint: String,
}

/// The answer to a request with an Idempotency-Key: made now, or the stored answer to the
/// same request made before.
#[derive(Debug)]
pub enum Reply<T> {
    Made(StatusCode, T),
    Replay { status: u16, body: String },
}

impl<T: Serialize> IntoResponse for Reply<T> {
    fn into_response(self) -> Response {
        match self {
            Self::Made(status, value) => (status, axum::Json(value)).into_response(),
            Self::Replay { status, body } => {
                let status =
                    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                let json = HeaderValue::from_static("application/json");
                (status, [(header::CONTENT_TYPE, json)], body).into_response()
            }
        }
    }
}

/// What a request may do with a key used before: replay its answer, or nothing.
pub fn used<T>(claim: Claim) -> Result<Reply<T>, AppError> {
    match claim {
        Claim::Done { status, body } => Ok(Reply::Replay { status, body }),
        Claim::Mismatch => Err(AppError::IdempotencyKeyReused),
        Claim::InFlight => Err(AppError::RequestInProgress),
        Claim::New => Err(AppError::internal("a new key is not a used one")),
    }
}

/// The header's value, if sent: 1 to 255 printable ASCII characters.
pub fn key(headers: &HeaderMap) -> Result<Option<String>, AppError> {
    let Some(value) = headers.get(HEADER) else {
        return Ok(None);
    };
    let bad = || {
        AppError::BadRequest("Idempotency-Key must be 1 to 255 printable ASCII characters.".into())
    };
    let text = value.to_str().map_err(|_| bad())?;
    let printable = text.bytes().all(|b| (0x20..=0x7e).contains(&b));
    if text.is_empty() || text.len() > 255 || !printable {
        return Err(bad());
    }
    Ok(Some(text.to_owned()))
}

/// SHA-256 of the request's canonical JSON, so whitespace or key order does not matter.
pub fn fingerprint(body: &impl Serialize) -> String {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    hex::encode(Sha256::digest(bytes))
}
