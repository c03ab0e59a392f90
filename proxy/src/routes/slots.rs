use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use booking_wire::{ErrorEnvelope, SlotsResponse};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use utoipa::IntoParams;

use crate::error::{AppError, PathParam, QueryParam};
use crate::lifecycle::holds;
use crate::slots::day_window;
use crate::state::AppState;
use crate::store::StoredBooking;

/// Longest range one request may ask for.
pub const MAX_DAYS: i64 = 62;

/// Strings on purpose: a bad value gets a message naming its parameter.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SlotsQuery {
    /// First day, inclusive, `YYYY-MM-DD` in `time_zone`.
    #[param(required = true, value_type = String, format = Date)]
    from: Option<String>,
    /// Last day, inclusive, `YYYY-MM-DD` in `time_zone`; at most 62 days after `from`.
    #[param(required = true, value_type = String, format = Date)]
    to: Option<String>,
    /// IANA zone the days are counted in; default `UTC`.
    #[param(value_type = Option<String>, example = "Europe/Paris")]
    time_zone: Option<String>,
    /// Minutes, one of the profile's durations; default its first.
    #[param(value_type = Option<u32>, minimum = 1)]
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
        (status = 200, description = "Free slots, sorted", body = SlotsResponse, links(
            ("book" = (operation_id = "create_booking", parameters(("profile" = "$request.path.profile")))),
        )),
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
) -> Result<Response, AppError> {
    // A local profile's answer is written from the JSON kept with its computation: the
    // only per-request work is reading the query.
    if let Some(local) = state.local(&profile).await? {
        let asked = asked(&query, local.durations())?;
        let kept = local
            .kept_slots(asked.start, asked.end, asked.duration)
            .await?;
        let body = KeptBody {
            time_zone: asked.zone.name(),
            slots: &kept.json,
        };
        return Ok(Json(body).into_response());
    }
    Ok(Json(answer(&state, &profile, &query, None).await?).into_response())
}

/// [`SlotsResponse`] with its slots already written as JSON.
#[derive(Serialize)]
struct KeptBody<'a> {
    time_zone: &'a str,
    slots: &'a RawValue,
}

/// What a valid query asks for: the range as instants, the duration and the zone.
struct Asked {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    duration: u32,
    zone: Tz,
}

fn asked(query: &SlotsQuery, durations: &[u32]) -> Result<Asked, AppError> {
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
    Ok(Asked {
        start,
        end,
        duration,
        zone,
    })
}

/// The free slots `query` asks for, for a new booking or for moving `moving`.
pub async fn answer(
    state: &AppState,
    profile: &str,
    query: &SlotsQuery,
    moving: Option<&StoredBooking>,
) -> Result<SlotsResponse, AppError> {
    let provider = state.provider(profile).await?;
    let durations = provider.profile().await?.durations;
    let Asked {
        start,
        end,
        duration,
        zone,
    } = asked(query, &durations)?;
    let slots = match (moving, state.local(profile).await?) {
        // The booking being moved does not stand in its own way.
        (Some(booking), Some(local)) => {
            local
                .slots_except(start, end, duration, &booking.id)
                .await?
        }
        (Some(booking), None) => {
            let slots = provider
                .slots_for_move(&booking.provider_ref, start, end, duration)
                .await?;
            holds::without_held(state, profile, slots).await?
        }
        (None, Some(_)) => provider.slots(start, end, duration).await?,
        // Others' holds of a remote profile's slots are kept here (too).
        (None, None) => {
            let slots = provider.slots(start, end, duration).await?;
            holds::without_held(state, profile, slots).await?
        }
    };
    Ok(SlotsResponse {
        time_zone: zone.name().to_owned(),
        slots,
    })
}
