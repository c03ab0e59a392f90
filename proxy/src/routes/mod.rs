//! HTTP routes: `/api/v1` (JSON) and the pages the proxy serves.

pub mod pages;
pub mod profiles;

use axum::routing::get;
use axum::Router;

use crate::error::AppError;
use crate::state::AppState;

/// Everything under `/api/v1`.
pub fn api() -> Router<AppState> {
    Router::new()
        .route("/profiles/{profile}", get(profiles::get_profile))
        .fallback(|| async { AppError::NotFound })
}
