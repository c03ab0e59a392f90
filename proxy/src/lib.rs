//! booking-proxy: holds the scheduling providers' keys and serves booking-widget.

pub mod config;
pub mod error;
pub mod providers;
pub mod routes;
pub mod state;

use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::routing::get;
use axum::Router;
use tower::ServiceBuilder;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use state::AppState;

/// Slow requests are cut off rather than held open.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The whole HTTP application; `main` serves it and tests call it on a loopback port.
pub fn app(state: AppState) -> Router {
    let config = state.config();
    let api = routes::api()
        .layer(cors(&config.server.allowed_origins))
        .layer(DefaultBodyLimit::max(config.limits.body_bytes));
    let assets = ServeDir::new(&config.server.assets_dir);
    Router::new()
        .route("/healthz", get(routes::pages::healthz))
        .route("/book/{profile}", get(routes::pages::book_page))
        .nest("/api/v1", api)
        .fallback_service(assets)
        .layer(
            ServiceBuilder::new()
                .layer(TraceLayer::new_for_http())
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::REQUEST_TIMEOUT,
                    REQUEST_TIMEOUT,
                )),
        )
        .with_state(state)
}

/// Only listed origins get `Access-Control-Allow-Origin`; never credentials.
fn cors(origins: &[String]) -> CorsLayer {
    let origins: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            header::CONTENT_TYPE,
            HeaderName::from_static("idempotency-key"),
        ])
        .max_age(Duration::from_secs(600))
}
