//! booking-proxy: holds the scheduling providers' keys and serves booking-widget.

pub mod config;
pub mod error;
pub mod idempotency;
pub mod providers;
pub mod routes;
pub mod slots;
pub mod state;
pub mod store;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use tower::ServiceBuilder;
use tower_governor::governor::GovernorConfigBuilder;
use tower_governor::{GovernorError, GovernorLayer};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::error::AppError;
pub use state::AppState;

/// Slow requests are cut off rather than held open.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The whole HTTP application; `main` serves it (with `ConnectInfo`, which the rate
/// limiter keys on) and tests call it on a loopback port.
pub fn app(state: AppState) -> Router {
    let config = state.config();
    let (api, openapi) = routes::api(rate_limit(config.limits.bookings_per_minute));
    let openapi = Arc::new(openapi);
    let api = api
        .route(
            "/api/v1/openapi.json",
            get(move || async move { Json(openapi.as_ref().clone()) }),
        )
        .route(
            "/api/v1/{*rest}",
            axum::routing::any(|| async { AppError::NotFound }),
        )
        .method_not_allowed_fallback(|| async { AppError::MethodNotAllowed })
        .layer(cors(&config.server.allowed_origins))
        .layer(DefaultBodyLimit::max(config.limits.body_bytes));
    // `make widget` writes each payload file's .br and .gz beside it: served as they are,
    // compressed once at the highest settings.
    let files = ServeDir::new(&config.server.assets_dir)
        .precompressed_br()
        .precompressed_gzip();
    let assets = ServiceBuilder::new()
        .layer(axum::middleware::from_fn(routes::assets::headers))
        .service(files);
    // Everything else (JSON, pages, the loader) is compressed as it goes out; the layer
    // leaves responses that are already encoded alone.
    let routes = Router::new()
        .route("/healthz", get(routes::pages::healthz))
        .route("/book/{profile}", get(routes::pages::book_page))
        .route("/widget.js", get(routes::assets::widget_js))
        .merge(api)
        .fallback_service(assets)
        .layer(CompressionLayer::new());
    outer(routes, REQUEST_TIMEOUT).with_state(state)
}

/// Tracing and the request time limit around every route; a request cut off answers 408
/// in the error envelope (tower-http's own 408 has no body), and a bug that panics answers
/// 500 in it rather than dropping the connection.
pub fn outer<S: Clone + Send + Sync + 'static>(routes: Router<S>, limit: Duration) -> Router<S> {
    routes.layer(
        ServiceBuilder::new()
            // axum's `Json` says `application/json`; the contract adds the charset.
            .layer(SetResponseHeaderLayer::overriding(
                header::CONTENT_TYPE,
                json_with_charset,
            ))
            .layer(TraceLayer::new_for_http())
            .layer(CatchPanicLayer::custom(panicked))
            .layer(axum::middleware::map_response(envelope_timeouts))
            .layer(TimeoutLayer::with_status_code(
                StatusCode::REQUEST_TIMEOUT,
                limit,
            )),
    )
}

fn json_with_charset<B>(response: &axum::http::Response<B>) -> Option<HeaderValue> {
    let json = response.headers().get(header::CONTENT_TYPE)? == "application/json";
    json.then(|| HeaderValue::from_static("application/json; charset=utf-8"))
}

/// The panic's message goes to the log (as any internal error's detail), not to the client.
fn panicked(panic: Box<dyn std::any::Any + Send>) -> axum::response::Response {
    let detail = match (panic.downcast_ref::<String>(), panic.downcast_ref::<&str>()) {
        (Some(message), _) => message.clone(),
        (_, Some(message)) => (*message).to_owned(),
        _ => String::new(),
    };
    AppError::internal(format!("a handler panicked: {detail}")).into_response()
}

async fn envelope_timeouts(response: axum::response::Response) -> axum::response::Response {
    if response.status() == StatusCode::REQUEST_TIMEOUT {
        return AppError::RequestTimeout.into_response();
    }
    response
}

/// `per_minute` booking POSTs per client IP (the socket's, never a header), as a burst
/// refilled evenly over the minute; beyond it 429 `rate_limited` with `Retry-After`.
fn rate_limit(
    per_minute: u32,
) -> GovernorLayer<
    tower_governor::key_extractor::PeerIpKeyExtractor,
    governor::middleware::NoOpMiddleware<governor::clock::QuantaInstant>,
    axum::body::Body,
> {
    let per_minute = per_minute.max(1);
    let config = GovernorConfigBuilder::default()
        .per_millisecond((60_000 / u64::from(per_minute)).max(1))
        .burst_size(per_minute)
        .finish()
        .expect("non-zero period and burst");
    let limiter = config.limiter().clone();
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
        // Forget idle clients so the table does not grow without bound.
        runtime.spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(60));
            loop {
                tick.tick().await;
                limiter.retain_recent();
            }
        });
    }
    GovernorLayer::new(config).error_handler(|error| match error {
        GovernorError::TooManyRequests { wait_time, .. } => AppError::RateLimited {
            retry_after_secs: wait_time.max(1),
        }
        .into_response(),
        other => AppError::internal(other).into_response(),
    })
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
