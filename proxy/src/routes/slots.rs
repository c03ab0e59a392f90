use axum::extract::State;
use axum::Json;
use booking_wire::{ErrorEnvelope, SlotsResponse};
use chrono::{Datelike, NaiveDate};
use chrono_tz::Tz;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::{AppError, PathParam, QueryParam};
use crate::slots::day_window;
use crate::state::AppState;
use crate::store::StoredBooking;

/// Longest range one request may ask for.
pub const MAX_DAYS: i64 = 62;

/// Strings on purpose: a bad value gets a message naming its parameter.
#[derive(Debug, Deserialize, IntoParams)]
pub struct SlotsQuery {
    /// First day, inclusive, `YYYY-MM-DD` in `time_zone`.
    from: Option<String>,
    /// Last day, inclusive, `YYYY-MM-DD` in `time_zone`.
    to: Option<String>,
    /// IANA zone the days are counted in; default `UTC`.
    time_zone: Option<String>,
    /// Minutes; default the profile's first duration.
    duration: Option<String>,
}

fn bad(message: String) -> AppError {
    AppError::BadRequest(message)
}

fn date(name: &str, value: Option<&str>) -> Result<NaiveDate, AppError> {
    let value = value.ok_or_else(|| bad(format!("`{name}` is required (YYYY-MM-DD).")))?;
    // chrono's `%Y` also takes signed years of any length, up to where the next day
    // cannot be counted: four digits only.
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .ok()
        .filter(|d| (1..=9999).contains(&d.year()))
        .ok_or_else(|| {
            bad(format!(
                "`{name}` must be a date like 2026-11-23, not {value:?}."
            ))
        })
}

/// Free slots of a profile for a range of days in the visitor's zone.
#[utoipa::path(
    get,
    path = "/profiles/{profile}/slots",
    params(("profile" = String, Path, description = "Booking profile id"), SlotsQuery),
    responses(
        (status = 200, description = "Free slots, sorted", body = SlotsResponse),
        (status = 400, description = "Bad parameter (named in the message)", body = ErrorEnvelope),
        (status = 404, description = "Unknown profile", body = ErrorEnvelope),
        (status = 429, description = "The upstream provider asked us to wait; see Retry-After", body = ErrorEnvelope),
        (status = 502, description = "Upstream provider failed", body = ErrorEnvelope),
        (status = 504, description = "Upstream provider timed out", body = ErrorEnvelope),
    ),
    tag = "booking"
)]
pub async fn get_slots(
    State(state): State<AppState>,
    PathParam(profile): PathParam<String>,
    QueryParam(query): QueryParam<SlotsQuery>,
) -> Result<Json<SlotsResponse>, AppError> {
    Ok(Json(answer(&state, &profile, &query, None).await?))
}

/// The free slots `query` asks for, for a new booking or for moving `moving`.
pub async fn answer(
    state: &AppState,
    profile: &str,
    query: &SlotsQuery,
    moving: Option<&StoredBooking>,
) -> Result<SlotsResponse, AppError> {
    let provider = state.provider(profile)?;
    let from = date("from", query.from.as_deref())?;
    let to = date("to", query.to.as_deref())?;
    if to < from {
        return Err(bad("`to` must not be before `from`.".into()));
    }
    if (to - from).num_days() + 1 > MAX_DAYS {
        return Err(bad(format!(
            "`to` is too far from `from`: at most {MAX_DAYS} days per request."
        )));
    }
    let zone_name = query.time_zone.as_deref().unwrap_or("UTC");
    let zone: Tz = zone_name.parse().map_err(|_| {
        bad(format!(
            "`time_zone` {zone_name:?} is not an IANA time zone."
        ))
    })?;
    let durations = provider.profile().await?.durations;
    let duration = match query.duration.as_deref() {
        None => durations
            .first()
            .copied()
            .ok_or_else(|| AppError::internal("profile has no durations"))?,
        Some(d) => d
            .parse::<u32>()
            .ok()
            .filter(|d| durations.contains(d))
            .ok_or_else(|| {
                bad(format!(
                    "`duration` must be one of {durations:?} minutes, not {d:?}."
                ))
            })?,
    };
    let (start, end) = day_window(from, to, zone);
    let slots = match (moving, state.local(profile)) {
        // The booking being moved does not stand in its own way.
        (Some(booking), Some(local)) => {
            local
                .slots_except(start, end, duration, &booking.id)
                .await?
        }
        (Some(booking), None) => {
            provider
                .slots_for_move(&booking.provider_ref, start, end, duration)
                .await?
        }
        (None, _) => provider.slots(start, end, duration).await?,
    };
    Ok(SlotsResponse {
        time_zone: zone.name().to_owned(),
        slots,
    })
}
