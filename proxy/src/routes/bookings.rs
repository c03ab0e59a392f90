use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use booking_wire::{validate, Booking, BookingRequest, ErrorEnvelope, Profile};
use chrono_tz::Tz;

use crate::error::{AppError, JsonBody, PathParam};
use crate::idempotency;
use crate::state::AppState;

/// Book a slot.
#[utoipa::path(
    post,
    path = "/profiles/{profile}/bookings",
    params(
        ("profile" = String, Path, description = "Booking profile id"),
        ("Idempotency-Key" = Option<String>, Header, description = "1-255 printable ASCII; a replay gets the first answer"),
    ),
    request_body = BookingRequest,
    responses(
        (status = 201, description = "Booked", body = Booking),
        (status = 400, description = "Malformed JSON, wrong types or a bad Idempotency-Key", body = ErrorEnvelope),
        (status = 404, description = "Unknown profile", body = ErrorEnvelope),
        (status = 409, description = "slot_unavailable, or request_in_progress for a key still running", body = ErrorEnvelope),
        (status = 413, description = "Body over the limit", body = ErrorEnvelope),
        (status = 422, description = "invalid_booking (with `fields`) or idempotency_key_reused", body = ErrorEnvelope),
        (status = 429, description = "Too many booking requests from this address; see Retry-After", body = ErrorEnvelope),
        (status = 502, description = "Upstream provider failed", body = ErrorEnvelope),
        (status = 504, description = "Upstream provider timed out", body = ErrorEnvelope),
    ),
    tag = "booking"
)]
pub async fn create_booking(
    State(state): State<AppState>,
    PathParam(profile): PathParam<String>,
    headers: HeaderMap,
    body: Result<JsonBody<BookingRequest>, AppError>,
) -> Response {
    let result: Result<_, AppError> = async {
        let provider = state.provider(&profile)?.clone();
        let key = idempotency::key(&headers)?;
        let JsonBody(request) = body?;
        Ok((provider, key, request))
    }
    .await;
    let (provider, key, request) = match result {
        Ok(parts) => parts,
        Err(error) => return error.into_response(),
    };
    let fingerprint = idempotency::fingerprint(&request);
    idempotency::once(state.store(), &profile, key, fingerprint, async {
        check(&provider.profile().await?, &request)?;
        let booking = provider.book(&request).await?;
        Ok((StatusCode::CREATED, booking))
    })
    .await
}

/// The form rules shared with the widget, plus duration and zone.
fn check(profile: &Profile, request: &BookingRequest) -> Result<(), AppError> {
    let mut errors: BTreeMap<String, String> = validate::validate_booking(&profile.fields, request)
        .into_iter()
        .map(|(field, error)| (field, error.to_string()))
        .collect();
    if !profile.durations.contains(&request.duration) {
        errors.insert(
            "duration".into(),
            format!("Choose one of {:?} minutes.", profile.durations),
        );
    }
    if request.time_zone.parse::<Tz>().is_err() {
        errors.insert(
            "time_zone".into(),
            "Use an IANA time zone such as Europe/Paris.".into(),
        );
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::InvalidBooking(errors))
    }
}
