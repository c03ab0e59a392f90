//! booking-proxy: holds the scheduling providers' keys and serves booking-widget.

pub mod cli;
pub mod client;
pub mod config;
pub mod error;
pub mod fault;
pub mod idempotency;
pub mod lifecycle;
pub mod policy;
pub mod providers;
pub mod rate_limit;
pub mod routes;
pub mod server;
pub mod slots;
pub mod state;
pub mod store;
pub mod token;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::error::AppError;
pub use state::AppState;

/// Slow requests are cut off rather than held open.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The whole HTTP application; `server::serve` runs it (inserting the peer's address,
/// which the client address and the rate limiter start from) and tests call it on a
/// loopback port.
pub fn app(state: AppState) -> Router {
    let config = state.config();
    let (api, openapi) = routes::api(state.rate_limit(), state.manage_limit());
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
        // An announced length over the limit is refused before the body is waited for;
        // a longer body without one is cut off as it arrives.
        .layer(RequestBodyLimitLayer::new(config.limits.body_bytes))
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
        .route(
            "/book/{profile}/manage/{token}",
            get(routes::pages::manage_page),
        )
        .route("/widget.js", get(routes::assets::widget_js))
        .merge(api)
        .fallback_service(assets)
        .layer(CompressionLayer::new());
    let trusted: Arc<[ipnet::IpNet]> = config.server.trusted_proxies.clone().into();
    outer(routes, REQUEST_TIMEOUT)
        .layer(axum::middleware::from_fn_with_state(
            trusted,
            client::resolve,
        ))
        .with_state(state)
}

/// What every response goes through, outermost first: the headers every answer carries,
/// tracing, a panic turned into the envelope's 500 (rather than a dropped connection),
/// the errors of the layers below put in the envelope, and the request time limit.
pub fn outer<S: Clone + Send + Sync + 'static>(routes: Router<S>, limit: Duration) -> Router<S> {
    routes.layer(
        ServiceBuilder::new()
            // axum's `Json` says `application/json`; the contract adds the charset.
            .layer(SetResponseHeaderLayer::overriding(
                header::CONTENT_TYPE,
                json_with_charset,
            ))
            .layer(SetResponseHeaderLayer::overriding(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ))
            .layer(SetResponseHeaderLayer::if_not_present(
                header::REFERRER_POLICY,
                HeaderValue::from_static("strict-origin-when-cross-origin"),
            ))
            .layer(TraceLayer::new_for_http().make_span_with(request_span))
            .layer(CatchPanicLayer::custom(panicked))
            .layer(axum::middleware::map_response(layer_errors_in_envelope))
            .layer(TimeoutLayer::with_status_code(
                StatusCode::REQUEST_TIMEOUT,
                limit,
            )),
    )
}

/// The span every request's log lines carry: its method and path, with manage tokens
/// left out (the path segment after `bookings/` or `manage/`).
fn request_span<B>(request: &axum::http::Request<B>) -> tracing::Span {
    let mut secret = false;
    let path: Vec<&str> = request
        .uri()
        .path()
        .split('/')
        .map(|segment| {
            let shown = if secret { "…" } else { segment };
            secret = matches!(segment, "bookings" | "manage");
            shown
        })
        .collect();
    tracing::debug_span!("request", method = %request.method(), path = %path.join("/"))
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

/// tower-http's 408 (time limit) and 413 (announced body length) come without a body;
/// they are sent in the envelope like every other error.
async fn layer_errors_in_envelope(response: axum::response::Response) -> axum::response::Response {
    let ours = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|t| t.as_bytes().starts_with(b"application/json"));
    match response.status() {
        _ if ours => response,
        StatusCode::REQUEST_TIMEOUT => AppError::RequestTimeout.into_response(),
        StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge.into_response(),
        _ => response,
    }
}

/// Only listed origins get `Access-Control-Allow-Origin`; never credentials.
fn cors(origins: &[String]) -> CorsLayer {
    let origins: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::GET, Method::POST, Method::DELETE])
        .allow_headers([
            header::CONTENT_TYPE,
            HeaderName::from_static("idempotency-key"),
        ])
        .max_age(Duration::from_secs(600))
}
