//! Every route the proxy serves, in one table: `/api/v1` (JSON, described by the OpenAPI
//! document built from the same route list), the pages, the loader and the widget's files.

pub mod admin;
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

use axum::extract::DefaultBodyLimit;
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
        (name = "manage", description = "A booking's manage link: see, cancel, move"),
        (name = "admin", description = "For the platform's backend, with the admin token ([admin] token_env); never from a browser (no CORS); 404 when [admin] is not set")
    ),
    modifiers(&AdminToken)
)]
struct ApiDoc;

/// The admin routes' credential, named by their `security`.
struct AdminToken;

impl utoipa::Modify for AdminToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let bearer = HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build();
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme("admin_token", SecurityScheme::Http(bearer));
    }
}

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
        .routes(routes!(manage::calendar_file))
        .routes(routes!(manage::cancel_booking))
        .routes(routes!(manage::reschedule_booking))
        .routes(routes!(manage::reschedule_slots))
        .layer(manage_limit.layer());
    let v1 = OpenApiRouter::new()
        .routes(routes!(profiles::get_profile))
        .routes(routes!(slots::get_slots))
        .merge(bookings)
        .merge(manage);
    // The admin routes: outside the browser-facing layers (CORS, origin checks).
    let admin = OpenApiRouter::new()
        .routes(routes!(admin::list_profiles))
        .routes(routes!(
            admin::get_profile,
            admin::put_profile,
            admin::delete_profile
        ))
        .routes(routes!(admin::list_bookings))
        .routes(routes!(admin::cancel_booking));
    let (admin, admin_doc) = OpenApiRouter::new()
        .nest("/api/v1", admin)
        .split_for_parts();
    let (documented, mut openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest("/api/v1", v1)
        .split_for_parts();
    openapi.merge(admin_doc);
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
        .merge(
            admin
                .method_not_allowed_fallback(|| async { AppError::MethodNotAllowed })
                .layer(DefaultBodyLimit::max(config.limits.body_bytes)),
        )
        .fallback_service(files)
}
