use axum::extract::{Path, State};
use axum::Json;
use booking_widget::wire::Profile;

use crate::error::AppError;
use crate::state::AppState;

/// `GET /api/v1/profiles/{profile}`.
pub async fn get_profile(
    State(state): State<AppState>,
    Path(profile): Path<String>,
) -> Result<Json<Profile>, AppError> {
    Ok(Json(state.provider(&profile)?.profile().await?))
}
