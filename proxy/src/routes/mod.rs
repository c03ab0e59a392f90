//! Every route the proxy serves, in one table: `/api/v1` (JSON, described by the OpenAPI
//! document built from the same route list), the pages, the loader and the widget's files.

pub mod assets;
pub mod bookings;
pub mod holds;
pub mod manage;
mod openapi;
pub mod page_data;
pub mod pages;
pub mod profiles;
pub mod slots;

use std::sync::Arc;

use axum::routing::{any, get};
use axum::{Json, Router};
use booking_wire::{
    ApiError, Booking, BookingRequest, BookingStatus, CancelRequest, Created, ErrorCode,
    ErrorEnvelope, Field, FieldKind, FieldValue, Hold, HoldRequest, ManagedBooking, Profile,
    RescheduleRequest, Slot, SlotsResponse,
};
use tower::ServiceBuilder;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::config::Config;
use crate::error::AppError;
use crate::layers;
use crate::rate_limit::RateLimit;
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "booking-proxy", description = "The booking widget's API: profiles, free slots and bookings."),
    components(schemas(
        Profile, Field, FieldKind, FieldValue, Slot, SlotsResponse, BookingRequest, Booking,
        BookingStatus, Created, ManagedBooking, CancelRequest, RescheduleRequest, HoldRequest,
        Hold, ErrorEnvelope, ApiError, ErrorCode
    )),
    tags(
        (name = "booking", description = "What the widget calls to book"),
        (name = "manage", description = "A booking's manage link: see, cancel, move")
    )
)]
struct ApiDoc;

/// The route table. Booking POSTs, holds and every manage-link request are rate limited
/// per client; anything no route takes is looked for among the built widget's files.
pub fn table(config: &Config, limit: &RateLimit, manage_limit: &RateLimit) -> Router<AppState> {
    // The documented routes, nested under `/api/v1` in the document too.
    // Holds share the booking budget: a visitor's hold and booking are one attempt's.
    let bookings = OpenApiRouter::new()
        .routes(routes!(bookings::create_booking))
        .routes(routes!(holds::create_hold))
        .routes(routes!(holds::release_hold))
        .layer(limit.layer());
    // A token is the only credential: every manage route is limited, reads too.
    let manage = OpenApiRouter::new()
        .routes(routes!(manage::get_booking))
        .routes(routes!(manage::cancel_booking))
        .routes(routes!(manage::reschedule_booking))
        .routes(routes!(manage::reschedule_slots))
        .layer(manage_limit.layer());
    let v1 = OpenApiRouter::new()
        .routes(routes!(profiles::get_profile))
        .routes(routes!(slots::get_slots))
        .merge(bookings)
        .merge(manage);
    let (documented, openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest("/api/v1", v1)
        .split_for_parts();
    let document = Arc::new(openapi::document(&openapi));
    let api = documented
        .route(
            "/api/v1/openapi.json",
            get(move || async move { Json(document.as_ref().clone()) }),
        )
        // Anything else under `/api/v1` is the envelope's 404, never a file.
        .route("/api/v1/{*rest}", any(|| async { AppError::NotFound }))
        .method_not_allowed_fallback(|| async { AppError::MethodNotAllowed });
    let files = ServiceBuilder::new()
        .layer(axum::middleware::from_fn(assets::headers))
        .service(assets::files(&config.server.assets_dir));
    Router::new()
        .route("/healthz", get(pages::healthz))
        .route("/book/{profile}", get(pages::book_page))
        .route("/book/{profile}/manage/{token}", get(pages::manage_page))
        .route("/widget.js", get(assets::widget_js))
        .merge(layers::api(api, config))
        .fallback_service(files)
}
