//! Holds: a visitor keeps a slot while filling the form. A local profile's hold is checked
//! and placed in one store transaction, like a booking; a remote profile's slot is checked
//! at its provider, reserved there where the provider keeps holds (Cal.com, Aurinko), then
//! held in the proxy's store, which hides it from the slots the proxy answers and refuses
//! bookings of it without the hold.

use std::net::IpAddr;
use std::sync::Arc;

use booking_wire::{BookingRequest, Hold, HoldRequest, Slot};
use chrono::TimeDelta;
use rand::distributions::{Alphanumeric, DistString};
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};

use super::{check_time, invalid};
use crate::error::AppError;
use crate::providers::common::after;
use crate::providers::Provider;
use crate::state::AppState;
use crate::store::{Nearby, Placed, StoredHold};

/// Why a profile without holds refuses one.
const NO_HOLDS: &str = "This booking profile does not hold times.";

/// Holds `request`'s slot of `profile` for `client` for the profile's `hold_minutes`,
/// replacing the client's earlier hold of the profile.
pub async fn place(
    state: &AppState,
    profile: &str,
    request: &HoldRequest,
    client: IpAddr,
) -> Result<Hold, AppError> {
    let provider = state.provider(profile).await?;
    let minutes = state
        .config()
        .profiles
        .get(profile)
        .map_or(0, |p| p.hold_minutes);
    if minutes == 0 {
        return Err(AppError::NotAllowed(NO_HOLDS.into()));
    }
    let shown = provider.profile().await?;
    check_time(&shown, &as_booking(request))?;
    let end = after(request.start, request.duration)
        .ok_or_else(|| invalid("start", "Choose one of the times offered.".into()))?;
    let now = state.clock().now();
    let hold = StoredHold {
        id: new_id(),
        profile: profile.to_owned(),
        start: request.start,
        end,
        expires_at: now + TimeDelta::minutes(i64::from(minutes)),
        provider_ref: None,
    };
    let client = client_key(profile, client);
    let placed = match state.local(profile).await? {
        Some(local) => local.place_hold(&hold, &client).await?,
        None => return remote_place(state, &provider, hold, &client, minutes).await,
    };
    match placed {
        Placed::Done { .. } => Ok(Hold {
            hold: hold.id,
            expires_at: hold.expires_at,
        }),
        Placed::Taken => Err(AppError::SlotUnavailable),
    }
}

/// A remote profile's hold: the slot checked among the provider's free ones, reserved at
/// the provider where it keeps holds, then kept in the store; the reservations the store
/// let go of are given up at the provider: the client's earlier one at once, expired ones
/// (lapsed at the provider too, in all likelihood) off the request's path.
async fn remote_place(
    state: &AppState,
    provider: &Arc<dyn Provider>,
    mut hold: StoredHold,
    client: &str,
    minutes: u32,
) -> Result<Hold, AppError> {
    let slot = Slot {
        start: hold.start,
        end: hold.end,
    };
    let duration = u32::try_from((slot.end - slot.start).num_minutes()).unwrap_or(0);
    let offered = provider
        .slots(slot.start, slot.start + TimeDelta::seconds(1), duration)
        .await?;
    if !offered.contains(&slot) {
        return Err(AppError::SlotUnavailable);
    }
    if provider.keeps_holds() {
        hold.provider_ref = Some(provider.place_hold(&slot, minutes).await?);
    }
    let is_free = |near: Nearby| !near.holds.iter().any(|h| overlaps(h, &slot));
    let placed = state
        .store()
        .place_hold(&hold, client, state.clock().now(), is_free)
        .await;
    let (replaced, lapsed) = match placed {
        Ok(Placed::Done { replaced, lapsed }) => (replaced, lapsed),
        Ok(Placed::Taken) => {
            give_up(provider.as_ref(), hold.provider_ref.as_deref()).await;
            return Err(AppError::SlotUnavailable);
        }
        Err(e) => {
            give_up(provider.as_ref(), hold.provider_ref.as_deref()).await;
            return Err(AppError::internal(e));
        }
    };
    if let Some(old) = replaced {
        give_up(provider.as_ref(), old.provider_ref.as_deref()).await;
    }
    let lapsed: Vec<String> = lapsed.into_iter().filter_map(|h| h.provider_ref).collect();
    if !lapsed.is_empty() {
        let provider = Arc::clone(provider);
        tokio::spawn(async move {
            for reference in lapsed {
                give_up(provider.as_ref(), Some(&reference)).await;
            }
        });
    }
    Ok(Hold {
        hold: hold.id,
        expires_at: hold.expires_at,
    })
}

/// Gives a reservation the proxy no longer keeps up at the provider. It lapses there by
/// itself within the hold's minutes anyway, so a failure is only logged.
async fn give_up(provider: &dyn Provider, reference: Option<&str>) {
    let Some(reference) = reference else { return };
    match provider.release_hold(reference).await {
        Ok(()) | Err(AppError::NotFound) => {}
        Err(e) => tracing::warn!(error = %e, "could not give a provider's reservation up"),
    }
}

/// Gives hold `id` up, at the provider first where it keeps the hold (a provider that
/// fails keeps the hold here too, so the visitor may try again); an unknown or expired
/// one is not found.
pub async fn release(state: &AppState, id: &str) -> Result<(), AppError> {
    let store = state.store();
    let held = store
        .hold(id, state.clock().now())
        .await
        .map_err(AppError::internal)?
        .ok_or(AppError::NotFound)?;
    if let Some(reference) = &held.provider_ref {
        match state
            .provider(&held.profile)
            .await?
            .release_hold(reference)
            .await
        {
            Ok(()) | Err(AppError::NotFound) => {}
            Err(e) => return Err(e),
        }
    }
    let released = store
        .release_hold(id, state.clock().now())
        .await
        .map_err(AppError::internal)?
        .ok_or(AppError::NotFound)?;
    state.booking_changed(&released.profile);
    Ok(())
}

/// For a remote profile: the provider's reservation a booking of `request` books with —
/// that of the request's own live hold, if the hold is of the request's very time.
pub async fn reservation(
    state: &AppState,
    profile: &str,
    request: &BookingRequest,
) -> Result<Option<String>, AppError> {
    let Some(id) = request.hold.as_deref() else {
        return Ok(None);
    };
    let held = state
        .store()
        .live_hold(profile, id, state.clock().now())
        .await
        .map_err(AppError::internal)?;
    Ok(held
        .filter(|h| {
            h.start == request.start && Some(h.end) == after(request.start, request.duration)
        })
        .and_then(|h| h.provider_ref))
}

/// For a remote profile: whether other visitors' live holds stand in the way of
/// `request`'s time (the request's own hold does not).
pub async fn held_by_others(
    state: &AppState,
    profile: &str,
    request: &BookingRequest,
) -> Result<bool, AppError> {
    let Some(end) = after(request.start, request.duration) else {
        return Ok(false);
    };
    let held = state
        .store()
        .holds_between(
            profile,
            (request.start, end),
            state.clock().now(),
            request.hold.as_deref(),
        )
        .await
        .map_err(AppError::internal)?;
    Ok(!held.is_empty())
}

/// For a remote profile: `slots` without those other visitors hold.
pub async fn without_held(
    state: &AppState,
    profile: &str,
    slots: Vec<Slot>,
) -> Result<Vec<Slot>, AppError> {
    let (Some(first), Some(last)) = (slots.first(), slots.iter().map(|s| s.end).max()) else {
        return Ok(slots);
    };
    let held = state
        .store()
        .holds_between(profile, (first.start, last), state.clock().now(), None)
        .await
        .map_err(AppError::internal)?;
    Ok(slots
        .into_iter()
        .filter(|s| {
            !held.iter().any(|h| {
                overlaps(
                    &Slot {
                        start: h.start,
                        end: h.end,
                    },
                    s,
                )
            })
        })
        .collect())
}

/// After a remote booking made with its hold: the hold is used up. Its reservation at the
/// provider went with the booking if it was `used`; else (a hold of another time) it is
/// given up.
pub async fn used_up(
    state: &AppState,
    provider: &dyn Provider,
    profile: &str,
    request: &BookingRequest,
    used: Option<&str>,
) {
    let Some(id) = request.hold.as_deref() else {
        return;
    };
    let store = state.store();
    let now = state.clock().now();
    match store.live_hold(profile, id, now).await {
        Ok(Some(_)) => match store.release_hold(id, now).await {
            Ok(Some(gone)) if gone.provider_ref.as_deref() != used => {
                give_up(provider, gone.provider_ref.as_deref()).await;
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "could not remove a used hold"),
        },
        Ok(None) => {}
        Err(e) => tracing::warn!(error = %e, "could not look up a used hold"),
    }
}

fn overlaps(a: &Slot, b: &Slot) -> bool {
    a.start < b.end && b.start < a.end
}

fn as_booking(request: &HoldRequest) -> BookingRequest {
    BookingRequest {
        start: request.start,
        duration: request.duration,
        time_zone: "UTC".into(),
        name: String::new(),
        email: String::new(),
        fields: Default::default(),
        guests: vec![],
        notes: String::new(),
        locale: None,
        hold: None,
    }
}

/// `hd_` and 24 letters and digits from the OS's random source (over 140 bits): the
/// visitor's only credential for the hold.
fn new_id() -> String {
    format!("hd_{}", Alphanumeric.sample_string(&mut OsRng, 24))
}

/// The client as the store keeps it: a hash of the profile and the address, not the
/// address itself.
fn client_key(profile: &str, client: IpAddr) -> String {
    hex::encode(Sha256::digest(format!("{profile}\n{client}").as_bytes()))
}
