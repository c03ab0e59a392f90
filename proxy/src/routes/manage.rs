//! `/api/v1/bookings/{token}`: a booking seen, cancelled and moved through its manage
//! token, the visitor's only credential. Unknown and malformed tokens get the same 404.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::IntoResponse;
use axum::Json;
use booking_wire::{
    CancelRequest, ErrorEnvelope, ManagedBooking, RescheduleRequest, SlotsResponse,
};
use serde_json::Value;

use super::slots::{self, SlotsQuery};
use crate::error::{AppError, JsonBody, PathParam, QueryParam};
use crate::idempotency::{self, Reply};
use crate::lifecycle;
use crate::state::AppState;

/// A booking, with what its visitor may still do with it.
#[utoipa::path(
    get,
    path = "/bookings/{token}",
    params(("token" = String, Path, description = "The booking's manage token")),
    responses(
        (status = 200, description = "The booking", body = ManagedBooking),
        (status = 404, description = "booking_not_found: no booking has this token", body = ErrorEnvelope),
        (status = 429, description = "Too many requests from this address; see Retry-After", body = ErrorEnvelope),
    ),
    tag = "manage"
)]
pub async fn get_booking(
    State(state): State<AppState>,
    PathParam(token): PathParam<String>,
) -> Result<Json<ManagedBooking>, AppError> {
    Ok(Json(lifecycle::manage(&state, &token).await?))
}

/// The booking as a calendar file (`.ics`) to add to any calendar: always as it stands now,
/// so a file fetched after a move has the new time.
#[utoipa::path(
    get,
    path = "/bookings/{token}/calendar",
    params(("token" = String, Path, description = "The booking's manage token")),
    responses(
        (status = 200, description = "An iCalendar file (`METHOD:PUBLISH`), as an attachment named booking.ics", content_type = "text/calendar", body = String),
        (status = 404, description = "booking_not_found: no booking has this token", body = ErrorEnvelope),
        (status = 429, description = "Too many requests from this address; see Retry-After", body = ErrorEnvelope),
    ),
    tag = "manage"
)]
pub async fn calendar_file(
    State(state): State<AppState>,
    PathParam(token): PathParam<String>,
) -> Result<impl IntoResponse, AppError> {
    let file = lifecycle::calendar_file(&state, &token).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"booking.ics\"",
            ),
            // The token is the credential: the file is not kept by any cache.
            (header::CACHE_CONTROL, "no-store"),
        ],
        file,
    ))
}

/// Cancels a booking; a second cancel answers as the first did.
#[utoipa::path(
    post,
    path = "/bookings/{token}/cancel",
    params(("token" = String, Path, description = "The booking's manage token")),
    request_body(content = Option<CancelRequest>, description = "Optional; no body is no reason"),
    responses(
        (status = 200, description = "Cancelled", body = ManagedBooking),
        (status = 400, description = "The body is not a cancel request", body = ErrorEnvelope),
        (status = 404, description = "booking_not_found", body = ErrorEnvelope),
        (status = 409, description = "not_allowed: past the cut-off, or not offered", body = ErrorEnvelope),
        (status = 422, description = "invalid_booking: the reason is too long or has control characters", body = ErrorEnvelope),
        (status = 429, description = "Too many requests from this address; see Retry-After", body = ErrorEnvelope),
        (status = 502, description = "Upstream provider failed", body = ErrorEnvelope),
        (status = 504, description = "Upstream provider timed out", body = ErrorEnvelope),
    ),
    tag = "manage"
)]
pub async fn cancel_booking(
    State(state): State<AppState>,
    PathParam(token): PathParam<String>,
    body: Bytes,
) -> Result<Json<ManagedBooking>, AppError> {
    let not_a_request = |e: &dyn std::fmt::Display| {
        AppError::BadRequest(format!("The body is not a cancel request: {e}"))
    };
    // No body, an empty one or `null` is a cancel without a reason; otherwise an object
    // (serde would also read a struct from an array).
    let request = match body.iter().all(u8::is_ascii_whitespace) {
        true => CancelRequest::default(),
        false => match serde_json::from_slice::<Value>(&body).map_err(|e| not_a_request(&e))? {
            Value::Null => CancelRequest::default(),
            object @ Value::Object(_) => {
                serde_json::from_value(object).map_err(|e| not_a_request(&e))?
            }
            _ => return Err(not_a_request(&"expected a JSON object")),
        },
    };
    Ok(Json(lifecycle::cancel(&state, &token, &request).await?))
}

/// Moves a booking to another free start.
#[utoipa::path(
    post,
    path = "/bookings/{token}/reschedule",
    params(
        ("token" = String, Path, description = "The booking's manage token"),
        ("Idempotency-Key" = Option<String>, Header, description = "1-255 printable ASCII; a replay gets the first answer", min_length = 1, max_length = 255, pattern = r"^[!-~]([ -~]{0,253}[!-~])?$"),
    ),
    request_body = RescheduleRequest,
    responses(
        (status = 200, description = "Moved", body = ManagedBooking),
        (status = 400, description = "Malformed JSON or a bad Idempotency-Key", body = ErrorEnvelope),
        (status = 404, description = "booking_not_found", body = ErrorEnvelope),
        (status = 409, description = "slot_unavailable, not_allowed, or request_in_progress", body = ErrorEnvelope),
        (status = 422, description = "invalid_booking (start, duration, time_zone) or idempotency_key_reused", body = ErrorEnvelope),
        (status = 429, description = "Too many requests from this address; see Retry-After", body = ErrorEnvelope),
        (status = 502, description = "Upstream provider failed", body = ErrorEnvelope),
        (status = 504, description = "Upstream provider timed out", body = ErrorEnvelope),
    ),
    tag = "manage"
)]
pub async fn reschedule_booking(
    State(state): State<AppState>,
    PathParam(token): PathParam<String>,
    headers: HeaderMap,
    body: Result<JsonBody<RescheduleRequest>, AppError>,
) -> Result<Reply<ManagedBooking>, AppError> {
    let key = idempotency::key(&headers)?;
    let JsonBody(request) = body?;
    lifecycle::reschedule(&state, &token, &request, key).await
}

/// The times a booking may be moved to: the profile's free slots, with the booking's own
/// time counted free.
#[utoipa::path(
    get,
    path = "/bookings/{token}/slots",
    params(("token" = String, Path, description = "The booking's manage token"), SlotsQuery),
    responses(
        (status = 200, description = "Free slots, sorted", body = SlotsResponse),
        (status = 400, description = "Bad parameter (named in the message)", body = ErrorEnvelope),
        (status = 404, description = "booking_not_found", body = ErrorEnvelope),
        (status = 429, description = "Too many requests from this address; see Retry-After", body = ErrorEnvelope),
        (status = 502, description = "Upstream provider failed", body = ErrorEnvelope),
        (status = 504, description = "Upstream provider timed out", body = ErrorEnvelope),
    ),
    tag = "manage"
)]
pub async fn reschedule_slots(
    State(state): State<AppState>,
    PathParam(token): PathParam<String>,
    QueryParam(query): QueryParam<SlotsQuery>,
) -> Result<Json<SlotsResponse>, AppError> {
    let row = lifecycle::row(&state, &token).await?;
    Ok(Json(
        slots::answer(&state, &row.profile, &query, Some(&row)).await?,
    ))
}
