//! Scheduling providers: one trait, one file per provider. Routes only see the trait; the
//! shared checks (form validation, idempotency, rate limits) happen before it is called.
//! Remote providers share `upstream` (how to call them) and `common` (what each would
//! otherwise write again), and sit behind two decorators of the same trait: `overlay`
//! (the config's own texts and fields) and `cache`.

mod aurinko;
mod cache;
mod calcom;
pub mod common;
mod computed;
mod jicoo;
mod local;
mod overlay;
pub mod upstream;
mod vyte;

use std::sync::Arc;

use async_trait::async_trait;
use booking_wire::{Booking, BookingRequest, Profile, Slot};
use chrono::{DateTime, Utc};

pub use local::LocalProvider;

use crate::config::{ProfileConfig, Remote, RemoteKind, UpstreamSettings};
use crate::error::AppError;

#[async_trait]
pub trait Provider: Send + Sync {
    /// The profile as the widget sees it: title, description, durations and fields.
    async fn profile(&self) -> Result<Profile, AppError>;

    /// Free slots of `duration` minutes starting in `[from, to)`, sorted.
    async fn slots(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        duration: u32,
    ) -> Result<Vec<Slot>, AppError>;

    /// Books a slot. The request's form data has been validated against `profile()`;
    /// the provider checks the time (grid → 422, taken or not offered → 409).
    async fn book(&self, request: &BookingRequest) -> Result<Booking, AppError>;

    /// Cancels a booking made through this provider, freeing its time; `reason` goes to
    /// the provider where it takes one.
    async fn cancel(&self, id: &str, reason: Option<&str>) -> Result<(), AppError>;

    /// Whether `reschedule` can move a booking here.
    fn reschedules(&self) -> bool {
        false
    }

    /// Another proxy process changed this profile's bookings or holds: whatever is kept
    /// of its slots is out of date.
    fn changed_elsewhere(&self) {}

    /// Free slots for moving booking `id`: its own time is not in its way where the
    /// provider can say so (Cal.com); elsewhere the ordinary slots.
    async fn slots_for_move(
        &self,
        _id: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        duration: u32,
    ) -> Result<Vec<Slot>, AppError> {
        self.slots(from, to, duration).await
    }

    /// Moves booking `id` to `request`'s start (its duration and zone; the answers are the
    /// booking's own). The booking afterwards, whose id may be new (Cal.com); a taken time
    /// is `SlotUnavailable`.
    async fn reschedule(&self, _id: &str, _request: &BookingRequest) -> Result<Booking, AppError> {
        Err(AppError::NotAllowed(NOT_MOVABLE.into()))
    }

    /// Whether the provider keeps holds itself (`place_hold`, `release_hold`,
    /// `book_held`). Where it does not, the proxy's store alone keeps them.
    fn keeps_holds(&self) -> bool {
        false
    }

    /// Reserves `slot` at the provider for `minutes`: the provider's reference for the
    /// reservation. A time it will not reserve is `SlotUnavailable`.
    async fn place_hold(&self, _slot: &Slot, _minutes: u32) -> Result<String, AppError> {
        Err(AppError::NotAllowed(NO_PROVIDER_HOLDS.into()))
    }

    /// Gives reservation `reference` up; one the provider no longer has is `NotFound`.
    async fn release_hold(&self, _reference: &str) -> Result<(), AppError> {
        Ok(())
    }

    /// Books `request` at the time reservation `reference` keeps, using it up.
    async fn book_held(
        &self,
        request: &BookingRequest,
        _reference: &str,
    ) -> Result<Booking, AppError> {
        self.book(request).await
    }
}

/// Why a provider without reservations of its own is asked for one.
pub const NO_PROVIDER_HOLDS: &str = "This provider does not hold times itself.";

/// Why a booking of a provider without a reschedule call cannot be moved.
pub const NOT_MOVABLE: &str = "Bookings of this kind cannot be moved here.";

/// What an adapter gets to build itself from.
pub struct Setup<'a> {
    pub profile: &'a ProfileConfig,
    pub remote: &'a Remote,
    pub client: reqwest::Client,
    pub settings: &'a UpstreamSettings,
}

impl Setup<'_> {
    /// The provider's API with the profile's key in `header`, after `prefix` (e.g.
    /// `"Bearer "`). A key a header cannot hold is an error that names its variable only.
    pub fn upstream(
        &self,
        provider: &'static str,
        header: &'static str,
        prefix: &str,
    ) -> Result<upstream::Upstream, String> {
        let key = upstream::secret(&format!("{prefix}{}", self.remote.api_key))
            .map_err(|e| format!("the key in {} {e}", self.remote.api_key_env))?;
        Ok(upstream::Upstream::new(upstream::Account {
            client: self.client.clone(),
            settings: self.settings,
            base_url: &self.remote.base_url,
            auth: vec![(reqwest::header::HeaderName::from_static(header), key)],
            profile: &self.profile.id,
            provider,
            key_env: &self.remote.api_key_env,
        }))
    }
}

/// A remote profile's provider, cached. A key that cannot be sent in a header is a
/// start-up error (the message never contains the key).
pub fn remote(
    profile: &ProfileConfig,
    remote: &Remote,
    client: &reqwest::Client,
    settings: &UpstreamSettings,
) -> Result<Arc<dyn Provider>, String> {
    let setup = Setup {
        profile,
        remote,
        client: client.clone(),
        settings,
    };
    let adapter: Arc<dyn Provider> = match &remote.kind {
        RemoteKind::Calcom { event_type_id } => {
            Arc::new(calcom::Calcom::new(setup, *event_type_id)?)
        }
        RemoteKind::Aurinko { profile_id } => Arc::new(aurinko::Aurinko::new(setup, *profile_id)?),
        RemoteKind::Jicoo { event_type_id } => Arc::new(jicoo::Jicoo::new(setup, event_type_id)?),
        RemoteKind::Vyte { .. } => Arc::new(vyte::Vyte::new(setup)?),
    };
    let overlaid = Arc::new(overlay::Overlay::new(adapter, profile.clone()));
    Ok(Arc::new(cache::Cached::new(
        overlaid,
        profile.cache_seconds,
    )))
}
