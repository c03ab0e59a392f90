//! HTTP routes: `/api/v1` (JSON, described by the OpenAPI document built from the same
//! route list) and the pages the proxy serves.

pub mod assets;
pub mod bookings;
pub mod manage;
pub mod pages;
pub mod profiles;
pub mod slots;

use axum::Router;
use booking_wire::{
    ApiError, Booking, BookingRequest, BookingStatus, CancelRequest, Created, ErrorCode,
    ErrorEnvelope, Field, FieldKind, FieldValue, ManagedBooking, Profile, RescheduleRequest, Slot,
    SlotsResponse,
};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::rate_limit::RateLimit;
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "booking-proxy", description = "The booking widget's API: profiles, free slots and bookings."),
    components(schemas(
        Profile, Field, FieldKind, FieldValue, Slot, SlotsResponse, BookingRequest, Booking,
        BookingStatus, Created, ManagedBooking, CancelRequest, RescheduleRequest, ErrorEnvelope,
        ApiError, ErrorCode
    )),
    tags(
        (name = "booking", description = "What the widget calls to book"),
        (name = "manage", description = "A booking's manage link: see, cancel, move")
    )
)]
struct ApiDoc;

/// The `/api/v1` routes and their OpenAPI document (paths without the `/api/v1` prefix
/// are nested under it). Booking POSTs are rate limited per client.
pub fn api(
    limit: &RateLimit,
    manage_limit: &RateLimit,
) -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let bookings = OpenApiRouter::new()
        .routes(routes!(bookings::create_booking))
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
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest("/api/v1", v1)
        .split_for_parts()
}
