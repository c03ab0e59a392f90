//! Holds: a slot kept for one visitor while they fill the form.

use axum::extract::State;
use axum::http::StatusCode;
use axum::{Extension, Json};
use booking_wire::{ErrorEnvelope, Hold, HoldRequest};

use crate::client::ClientAddr;
use crate::error::{AppError, JsonBody, PathParam};
use crate::lifecycle::holds;
use crate::state::AppState;

/// Hold a slot for this visitor, hidden from everyone else until it expires. A new hold
/// replaces the visitor's earlier one of the profile.
#[utoipa::path(
    post,
    path = "/profiles/{profile}/holds",
    params(("profile" = String, Path, description = "Booking profile id")),
    request_body = HoldRequest,
    responses(
        (status = 201, description = "Held until `expires_at`; book with `\"hold\": <id>`", body = Hold, links(
            ("release" = (operation_id = "release_hold", parameters(("hold" = "$response.body#/hold")))),
        )),
        (status = 400, description = "Malformed JSON or wrong types", body = ErrorEnvelope),
        (status = 404, description = "Unknown profile", body = ErrorEnvelope),
        (status = 409, description = "not_allowed: the profile does not hold times; slot_unavailable: the slot is not free", body = ErrorEnvelope),
        (status = 413, description = "Body over the limit", body = ErrorEnvelope),
        (status = 422, description = "invalid_booking: a duration the profile does not offer, or a start off its grid", body = ErrorEnvelope),
        (status = 429, description = "Too many requests from this address; see Retry-After", body = ErrorEnvelope),
        (status = 502, description = "Upstream provider failed", body = ErrorEnvelope),
        (status = 504, description = "Upstream provider timed out", body = ErrorEnvelope),
    ),
    tag = "booking"
)]
pub async fn create_hold(
    State(state): State<AppState>,
    PathParam(profile): PathParam<String>,
    client: Option<Extension<ClientAddr>>,
    body: Result<JsonBody<HoldRequest>, AppError>,
) -> Result<(StatusCode, Json<Hold>), AppError> {
    state.provider(&profile).await?;
    let JsonBody(request) = body?;
    let Some(Extension(ClientAddr(client))) = client else {
        return Err(AppError::internal("no client address"));
    };
    let hold = holds::place(&state, &profile, &request, client).await?;
    Ok((StatusCode::CREATED, Json(hold)))
}

/// Give a hold up: its slot is offered again at once (given up at the provider too where
/// the provider keeps holds).
#[utoipa::path(
    delete,
    path = "/holds/{hold}",
    params(("hold" = String, Path, description = "The hold's id")),
    responses(
        (status = 204, description = "Released"),
        (status = 404, description = "not_found: no live hold has this id", body = ErrorEnvelope),
        (status = 429, description = "Too many requests from this address; see Retry-After", body = ErrorEnvelope),
        (status = 502, description = "Upstream provider failed to release its reservation; the hold is kept", body = ErrorEnvelope),
        (status = 504, description = "Upstream provider timed out releasing its reservation; the hold is kept", body = ErrorEnvelope),
    ),
    tag = "booking"
)]
pub async fn release_hold(
    State(state): State<AppState>,
    PathParam(hold): PathParam<String>,
) -> Result<StatusCode, AppError> {
    holds::release(&state, &hold).await?;
    Ok(StatusCode::NO_CONTENT)
}
