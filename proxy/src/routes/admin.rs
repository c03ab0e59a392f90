//! `/api/v1/admin`: profiles kept as data, and every profile's bookings, for the
//! platform's backend. A bearer token from the environment (`[admin] token_env`), compared
//! in constant time; never CORS (no browser calls it); 404 when `[admin]` is not set.

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use booking_wire::ErrorEnvelope;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use subtle::ConstantTimeEq;
use utoipa::{IntoParams, ToSchema};

use crate::error::{AppError, JsonBody, PathParam, QueryParam};
use crate::lifecycle;
use crate::notify;
use crate::state::AppState;
use crate::store::{StoredBooking, StoredProfile};

/// Where a profile is defined.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ProfileSource {
    /// The config file's: read-only here.
    Config,
    /// Kept in the database: created, replaced and removed here.
    Database,
}

/// A profile as the admin API shows it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AdminProfile {
    pub id: String,
    pub source: ProfileSource,
    /// Raised on every change (database profiles only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime<Utc>>,
    /// The keys of its `[profiles.ID]` table, as JSON.
    #[schema(value_type = Object)]
    pub profile: Value,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AdminProfiles {
    pub profiles: Vec<AdminProfile>,
}

/// A booking as the host sees it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AdminBooking {
    pub id: String,
    pub profile: String,
    /// `confirmed`, `pending` or `cancelled`.
    pub status: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub time_zone: String,
    pub name: String,
    pub email: String,
    pub reschedules: u32,
    pub cancel_reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AdminBookings {
    pub bookings: Vec<AdminBooking>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BookingsQuery {
    /// Only this profile's bookings.
    pub profile: Option<String>,
    /// Bookings starting on or after this day (UTC).
    pub from: Option<NaiveDate>,
    /// Bookings starting on or before this day (UTC).
    pub to: Option<NaiveDate>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CancelQuery {
    /// The booking's profile, when bookings of two profiles share the id.
    pub profile: Option<String>,
}

/// A request with the admin token: every handler here takes it first, so nothing else
/// is read before. Without `[admin]` the routes do not exist.
pub struct Admin;

impl FromRequestParts<AppState> for Admin {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let Some(admin) = &state.config().admin else {
            return Err(AppError::NotFound);
        };
        let given = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        // Only the length can be learnt from the time taken, never a prefix.
        if bool::from(given.as_bytes().ct_eq(admin.token.as_bytes())) {
            Ok(Admin)
        } else {
            Err(AppError::Unauthorized)
        }
    }
}

/// Every profile: the config file's and the database's.
#[utoipa::path(
    get,
    operation_id = "admin_list_profiles",
    path = "/admin/profiles",
    responses(
        (status = 200, description = "Every profile, the config file's first", body = AdminProfiles),
        (status = 401, description = "unauthorized: no admin token, or another", body = ErrorEnvelope),
        (status = 404, description = "not_found: the server has no [admin]", body = ErrorEnvelope),
    ),
    security(("admin_token" = [])),
    tag = "admin"
)]
pub async fn list_profiles(
    _: Admin,
    State(state): State<AppState>,
) -> Result<Json<AdminProfiles>, AppError> {
    let registry = state.profiles();
    let mut profiles = Vec::new();
    for id in registry.fixed_ids() {
        if let Some(entry) = registry.cached(id) {
            profiles.push(from_config(id, &entry.config.keys));
        }
    }
    let stored = state
        .store()
        .stored_profiles()
        .await
        .map_err(AppError::internal)?;
    for row in stored.iter().filter(|r| !registry.is_fixed(&r.id)) {
        profiles.push(from_row(row)?);
    }
    Ok(Json(AdminProfiles { profiles }))
}

/// One profile.
#[utoipa::path(
    get,
    operation_id = "admin_get_profile",
    path = "/admin/profiles/{id}",
    params(("id" = String, Path, description = "The profile id")),
    responses(
        (status = 200, description = "The profile", body = AdminProfile),
        (status = 401, description = "unauthorized", body = ErrorEnvelope),
        (status = 404, description = "profile_not_found", body = ErrorEnvelope),
    ),
    security(("admin_token" = [])),
    tag = "admin"
)]
pub async fn get_profile(
    _: Admin,
    State(state): State<AppState>,
    PathParam(id): PathParam<String>,
) -> Result<Json<AdminProfile>, AppError> {
    if let Some(entry) = state.profiles().cached(&id).filter(|e| e.is_fixed()) {
        return Ok(Json(from_config(&id, &entry.config.keys)));
    }
    let row = state
        .store()
        .stored_profile(&id)
        .await
        .map_err(AppError::internal)?
        .ok_or(AppError::ProfileNotFound(id))?;
    Ok(Json(from_row(&row)?))
}

/// Creates or replaces a profile: the keys of a `[profiles.ID]` table as a JSON object,
/// checked by the config file's rules. Every instance serves the new version at once.
#[utoipa::path(
    put,
    operation_id = "admin_put_profile",
    path = "/admin/profiles/{id}",
    params(("id" = String, Path, description = "The profile id: letters, digits, '-' and '_'")),
    request_body(content = Object, description = "The keys of a [profiles.ID] table"),
    responses(
        (status = 200, description = "Replaced", body = AdminProfile),
        (status = 201, description = "Created", body = AdminProfile),
        (status = 400, description = "bad_request: the keys break a rule; the message names the key, as for the config file", body = ErrorEnvelope),
        (status = 401, description = "unauthorized", body = ErrorEnvelope),
        (status = 409, description = "not_allowed: the config file defines this profile", body = ErrorEnvelope),
    ),
    security(("admin_token" = [])),
    tag = "admin"
)]
pub async fn put_profile(
    _: Admin,
    State(state): State<AppState>,
    PathParam(id): PathParam<String>,
    JsonBody(body): JsonBody<Value>,
) -> Result<Response, AppError> {
    read_only(&state, &id)?;
    if !body.is_object() {
        return Err(AppError::BadRequest(format!(
            "profiles.{id}: expected a JSON object of the profile's keys"
        )));
    }
    let checked = state
        .profiles()
        .check(&id, &body)
        .map_err(AppError::BadRequest)?;
    let text = serde_json::to_string(&checked.keys).map_err(AppError::internal)?;
    let (row, created) = state
        .store()
        .put_profile(&id, &text, Utc::now())
        .await
        .map_err(AppError::internal)?;
    state.profiles().forget(&id);
    tracing::info!(profile = %id, version = row.version, created, "profile stored");
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(from_row(&row)?)).into_response())
}

/// Removes a profile kept in the database. One with upcoming bookings is kept: cancel
/// them first, so no visitor is left with a booking nobody serves.
#[utoipa::path(
    delete,
    operation_id = "admin_delete_profile",
    path = "/admin/profiles/{id}",
    params(("id" = String, Path, description = "The profile id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "unauthorized", body = ErrorEnvelope),
        (status = 404, description = "profile_not_found", body = ErrorEnvelope),
        (status = 409, description = "not_allowed: the config file defines it, or it has upcoming bookings", body = ErrorEnvelope),
    ),
    security(("admin_token" = [])),
    tag = "admin"
)]
pub async fn delete_profile(
    _: Admin,
    State(state): State<AppState>,
    PathParam(id): PathParam<String>,
) -> Result<StatusCode, AppError> {
    read_only(&state, &id)?;
    let now = Utc::now();
    let rows = state
        .store()
        .list(Some(&id))
        .await
        .map_err(AppError::internal)?;
    let upcoming = rows
        .iter()
        .filter(|b| !b.is_cancelled() && b.end > now)
        .count();
    if upcoming > 0 {
        return Err(AppError::NotAllowed(format!(
            "Profile {id:?} has {upcoming} upcoming booking(s): cancel them first."
        )));
    }
    let removed = state
        .store()
        .delete_profile(&id)
        .await
        .map_err(AppError::internal)?;
    state.profiles().forget(&id);
    if !removed {
        return Err(AppError::ProfileNotFound(id));
    }
    tracing::info!(profile = %id, "profile removed");
    Ok(StatusCode::NO_CONTENT)
}

/// Bookings of every profile, or one's, newest start first.
#[utoipa::path(
    get,
    operation_id = "admin_list_bookings",
    path = "/admin/bookings",
    params(BookingsQuery),
    responses(
        (status = 200, description = "The bookings", body = AdminBookings),
        (status = 400, description = "bad_request: a day is not YYYY-MM-DD", body = ErrorEnvelope),
        (status = 401, description = "unauthorized", body = ErrorEnvelope),
    ),
    security(("admin_token" = [])),
    tag = "admin"
)]
pub async fn list_bookings(
    _: Admin,
    State(state): State<AppState>,
    QueryParam(query): QueryParam<BookingsQuery>,
) -> Result<Json<AdminBookings>, AppError> {
    let rows = state
        .store()
        .list(query.profile.as_deref())
        .await
        .map_err(AppError::internal)?;
    let day = |b: &StoredBooking| b.start.date_naive();
    let bookings = rows
        .into_iter()
        .filter(|b| query.from.is_none_or(|from| day(b) >= from))
        .filter(|b| query.to.is_none_or(|to| day(b) <= to))
        .map(admin_booking)
        .collect();
    Ok(Json(AdminBookings { bookings }))
}

/// Cancels a booking as its host, whatever its policy allows visitors; at its provider
/// too. Cancelling a cancelled booking answers with it as it is.
#[utoipa::path(
    post,
    operation_id = "admin_cancel_booking",
    path = "/admin/bookings/{id}/cancel",
    params(("id" = String, Path, description = "The booking id"), CancelQuery),
    responses(
        (status = 200, description = "Cancelled", body = AdminBooking),
        (status = 400, description = "bad_request: two profiles have a booking of this id; give profile", body = ErrorEnvelope),
        (status = 401, description = "unauthorized", body = ErrorEnvelope),
        (status = 404, description = "booking_not_found", body = ErrorEnvelope),
        (status = 502, description = "Upstream provider failed", body = ErrorEnvelope),
        (status = 504, description = "Upstream provider timed out", body = ErrorEnvelope),
    ),
    security(("admin_token" = [])),
    tag = "admin"
)]
pub async fn cancel_booking(
    _: Admin,
    State(state): State<AppState>,
    PathParam(id): PathParam<String>,
    QueryParam(query): QueryParam<CancelQuery>,
) -> Result<Json<AdminBooking>, AppError> {
    let mut rows = state.store().find(&id).await.map_err(AppError::internal)?;
    rows.retain(|r| query.profile.as_ref().is_none_or(|p| &r.profile == p));
    let row = match rows.len() {
        0 => return Err(AppError::BookingNotFound),
        1 => rows.remove(0),
        _ => {
            return Err(AppError::BadRequest(format!(
                "Bookings of several profiles have the id {id:?}: give ?profile=."
            )))
        }
    };
    let reason = Some(notify::CANCELLED_BY_HOST);
    let row = lifecycle::cancel_row(&state, row, reason, None).await?;
    Ok(Json(admin_booking(row)))
}

fn read_only(state: &AppState, id: &str) -> Result<(), AppError> {
    if state.profiles().is_fixed(id) {
        return Err(AppError::NotAllowed(format!(
            "Profile {id:?} is defined in the config file: change it there."
        )));
    }
    Ok(())
}

fn from_config(id: &str, keys: &Value) -> AdminProfile {
    AdminProfile {
        id: id.to_owned(),
        source: ProfileSource::Config,
        version: None,
        updated_at: None,
        profile: keys.clone(),
    }
}

fn from_row(row: &StoredProfile) -> Result<AdminProfile, AppError> {
    Ok(AdminProfile {
        id: row.id.clone(),
        source: ProfileSource::Database,
        version: Some(row.version),
        updated_at: Some(row.updated_at),
        profile: serde_json::from_str(&row.body).map_err(AppError::internal)?,
    })
}

fn admin_booking(b: StoredBooking) -> AdminBooking {
    AdminBooking {
        id: b.id,
        profile: b.profile,
        status: b.status,
        start: b.start,
        end: b.end,
        time_zone: b.time_zone,
        name: b.name,
        email: b.email,
        reschedules: b.reschedules,
        cancel_reason: b.cancel_reason,
        created_at: b.created_at,
    }
}
