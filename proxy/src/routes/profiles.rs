use axum::extract::State;
use axum::Json;
use booking_wire::{ErrorEnvelope, Profile};

use crate::error::{AppError, PathParam};
use crate::state::AppState;

/// A booking profile: what is booked and the fields its form asks.
#[utoipa::path(
    get,
    path = "/profiles/{profile}",
    params(("profile" = String, Path, description = "Booking profile id")),
    responses(
        (status = 200, description = "The profile", body = Profile, links(
            ("slots" = (operation_id = "get_slots", parameters(("profile" = "$request.path.profile")))),
        )),
        (status = 404, description = "Unknown profile (profile_not_found)", body = ErrorEnvelope),
        (status = 429, description = "The upstream provider asked us to wait; see Retry-After", body = ErrorEnvelope),
        (status = 502, description = "Upstream provider failed", body = ErrorEnvelope),
        (status = 504, description = "Upstream provider timed out", body = ErrorEnvelope),
    ),
    tag = "booking"
)]
pub async fn get_profile(
    State(state): State<AppState>,
    PathParam(profile): PathParam<String>,
) -> Result<Json<Profile>, AppError> {
    Ok(Json(state.profile(&profile).await?))
}
