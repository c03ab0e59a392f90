//! `Idempotency-Key` for booking POSTs: the first answer is stored with a fingerprint of the
//! body and sent again for a replay; another body with the same key is refused.

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::AppError;
use crate::store::{Claim, Store};

pub const HEADER: &str = "idempotency-key";

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

/// Runs `work` once per (profile, key); replays get the stored answer. Failures that a
/// retry may cure (5xx, and 429 from an upstream asking us to wait) are not stored, so a
/// retry with the same key runs again.
pub async fn once<F, T>(
    store: &Store,
    profile: &str,
    key: Option<String>,
    fingerprint: String,
    work: F,
) -> Response
where
    F: std::future::Future<Output = Result<(StatusCode, T), AppError>>,
    T: Serialize,
{
    let Some(key) = key else {
        return render(work.await);
    };
    match store.claim(profile, &key, &fingerprint, Utc::now()).await {
        Err(e) => return AppError::internal(e).into_response(),
        Ok(Claim::Mismatch) => return AppError::IdempotencyKeyReused.into_response(),
        Ok(Claim::InFlight) => return AppError::RequestInProgress.into_response(),
        Ok(Claim::Done { status, body }) => return replay(status, body),
        Ok(Claim::New) => {}
    }
    let (status, body) = match work.await {
        Ok((status, value)) => (status, serde_json::to_string(&value).unwrap_or_default()),
        Err(error) => {
            let (status, envelope) = error.envelope();
            if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
                if let Err(e) = store.release(profile, &key).await {
                    tracing::error!(error = %e, "could not release an idempotency key");
                }
                return error.into_response();
            }
            (status, serde_json::to_string(&envelope).unwrap_or_default())
        }
    };
    if let Err(e) = store.complete(profile, &key, status.as_u16(), &body).await {
        tracing::error!(error = %e, "could not store an idempotent answer");
    }
    replay(status.as_u16(), body)
}

fn render<T: Serialize>(result: Result<(StatusCode, T), AppError>) -> Response {
    match result {
        Ok((status, value)) => (status, axum::Json(value)).into_response(),
        Err(error) => error.into_response(),
    }
}

fn replay(status: u16, body: String) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let json = HeaderValue::from_static("application/json");
    (status, [(header::CONTENT_TYPE, json)], body).into_response()
}
