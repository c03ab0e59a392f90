//! The middleware around the routes, and its order.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use ipnet::IpNet;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::client;
use crate::config::Config;
use crate::error::AppError;
use crate::origins::{self, Origins};

/// Every route's layers, outermost first: the client's address, read once (the rate
/// limit keys on it); then [`outer`]; then, innermost, compression of what the routes
/// send (precompressed files pass as they are). Separate `layer` calls, since the
/// middleware between them takes axum's own body.
pub fn around<S>(routes: Router<S>, limit: Duration, trusted: &[IpNet]) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    let trusted: Arc<[IpNet]> = trusted.into();
    let client_addr = axum::middleware::from_fn_with_state(trusted, client::resolve);
    outer(routes.layer(CompressionLayer::new()), limit).layer(client_addr)
}

/// What every response goes through, outermost first: the headers every answer carries
/// (set last, so the errors of the layers below carry them too), tracing, a panic turned
/// into the envelope's 500 (rather than a dropped connection), the errors of the layers
/// below put in the envelope, and the request time limit.
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

/// The `/api/v1` routes' own layers, outermost first: the body limit (an announced length
/// over it is refused before the body is waited for; a longer body without one is cut off
/// as it arrives), CORS for the allowed origins only, then, innermost, a log line for
/// pages of origins not allowed (preflights stop at CORS; their requests come through).
pub fn api<S: Clone + Send + Sync + 'static>(routes: Router<S>, config: &Config) -> Router<S> {
    let body_bytes = config.limits.body_bytes;
    let origins = Arc::new(Origins::new(&config.server.allowed_origins));
    routes
        .layer(axum::middleware::from_fn_with_state(
            origins,
            origins::watch,
        ))
        .layer(
            ServiceBuilder::new()
                .layer(DefaultBodyLimit::max(body_bytes))
                .layer(RequestBodyLimitLayer::new(body_bytes))
                .layer(cors(&config.server.allowed_origins)),
        )
}

fn json_with_charset<B>(response: &axum::http::Response<B>) -> Option<HeaderValue> {
    let json = response.headers().get(header::CONTENT_TYPE)? == "application/json";
    json.then(|| HeaderValue::from_static("application/json; charset=utf-8"))
}

/// The panic's message goes to the log (as any internal error's detail), not to the client.
fn panicked(panic: Box<dyn std::any::Any + Send>) -> Response {
    let detail = match (panic.downcast_ref::<String>(), panic.downcast_ref::<&str>()) {
        (Some(message), _) => message.clone(),
        (_, Some(message)) => (*message).to_owned(),
        _ => String::new(),
    };
    AppError::internal(format!("a handler panicked: {detail}")).into_response()
}

/// tower-http's 408 (time limit) and 413 (announced body length) come without a body;
/// they are sent in the envelope like every other error.
async fn layer_errors_in_envelope(response: Response) -> Response {
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

/// The span every request's log lines carry: its method and path, with manage tokens and
/// hold ids left out (the path segment after `bookings/`, `manage/` or `holds/`).
fn request_span<B>(request: &axum::http::Request<B>) -> tracing::Span {
    let mut secret = false;
    let path: Vec<&str> = request
        .uri()
        .path()
        .split('/')
        .map(|segment| {
            let shown = if secret { "…" } else { segment };
            secret = matches!(segment, "bookings" | "manage" | "holds");
            shown
        })
        .collect();
    tracing::debug_span!("request", method = %request.method(), path = %path.join("/"))
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
