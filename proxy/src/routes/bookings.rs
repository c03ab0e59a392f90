use axum::extract::State;
use axum::http::HeaderMap;
use booking_wire::{BookingRequest, Created, ErrorEnvelope};

use crate::error::{AppError, JsonBody, PathParam};
use crate::idempotency::{self, Reply, Ticket};
use crate::lifecycle;
use crate::state::AppState;

/// Book a slot.
#[utoipa::path(
    post,
    path = "/profiles/{profile}/bookings",
    params(
        ("profile" = String, Path, description = "Booking profile id"),
        ("Idempotency-Key" = Option<String>, Header, description = "1-255 printable ASCII; a replay gets the first answer", min_length = 1, max_length = 255, pattern = r"^[!-~]([ -~]{0,253}[!-~])?$"),
    ),
    request_body = BookingRequest,
    responses(
        (status = 201, description = "Booked; `manage_token` only in this answer, not in a replay", body = Created, links(
            ("manage" = (operation_id = "get_booking", parameters(("token" = "$response.body#/manage_token")))),
            ("cancel" = (operation_id = "cancel_booking", parameters(("token" = "$response.body#/manage_token")))),
            ("reschedule" = (operation_id = "reschedule_booking", parameters(("token" = "$response.body#/manage_token")))),
            ("reschedule_slots" = (operation_id = "reschedule_slots", parameters(("token" = "$response.body#/manage_token")))),
        )),
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
) -> Result<Reply<Created>, AppError> {
    state.provider(&profile).await?;
    let key = idempotency::key(&headers)?;
    let JsonBody(request) = body?;
    let ticket = key.map(|key| Ticket {
        key,
        fingerprint: idempotency::fingerprint(&request),
    });
    lifecycle::book(&state, &profile, &request, ticket).await
}
