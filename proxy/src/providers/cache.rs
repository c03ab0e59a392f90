//! A remote provider behind a cache: the profile and each (range, duration) of slots are
//! kept for the profile's `cache_seconds`; identical concurrent requests share one upstream
//! call (moka's `try_get_with`); a booking, cancel, reschedule or provider hold through the
//! profile drops its slots, and so does a change another process announces.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use booking_wire::{Booking, BookingRequest, Profile, Slot};
use chrono::{DateTime, Utc};
use moka::future::Cache;

use super::Provider;
use crate::error::AppError;

/// (generation, from, to, duration): a booking bumps the generation, so a fetch that was
/// already running when it happened can never be served afterwards.
type SlotsKey = (u64, DateTime<Utc>, DateTime<Utc>, u32);

pub struct Cached {
    inner: Arc<dyn Provider>,
    profile: Cache<(), Profile>,
    slots: Cache<SlotsKey, Arc<Vec<Slot>>>,
    generation: AtomicU64,
}

impl Cached {
    pub fn new(inner: Arc<dyn Provider>, seconds: u32) -> Self {
        let ttl = Duration::from_secs(u64::from(seconds));
        Self {
            inner,
            profile: Cache::builder().max_capacity(1).time_to_live(ttl).build(),
            slots: Cache::builder()
                .max_capacity(1_000)
                .time_to_live(ttl)
                .build(),
            generation: AtomicU64::new(0),
        }
    }

    fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.slots.invalidate_all();
    }
}

#[async_trait]
impl Provider for Cached {
    async fn profile(&self) -> Result<Profile, AppError> {
        self.profile
            .try_get_with((), self.inner.profile())
            .await
            .map_err(|e| e.as_ref().clone())
    }

    async fn slots(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        duration: u32,
    ) -> Result<Vec<Slot>, AppError> {
        let key = (self.generation.load(Ordering::SeqCst), from, to, duration);
        let load = async {
            let slots = self.inner.slots(from, to, duration).await?;
            Ok::<_, AppError>(Arc::new(slots))
        };
        let slots = self
            .slots
            .try_get_with(key, load)
            .await
            .map_err(|e| e.as_ref().clone())?;
        Ok(slots.as_ref().clone())
    }

    async fn book(&self, request: &BookingRequest) -> Result<Booking, AppError> {
        let result = self.inner.book(request).await;
        // Booked, or found taken: either way the cached slots are out of date.
        self.invalidate();
        result
    }

    async fn cancel(&self, id: &str, reason: Option<&str>) -> Result<(), AppError> {
        let result = self.inner.cancel(id, reason).await;
        self.invalidate();
        result
    }

    fn reschedules(&self) -> bool {
        self.inner.reschedules()
    }

    fn changed_elsewhere(&self) {
        self.inner.changed_elsewhere();
        self.invalidate();
    }

    /// Not cached: one booking's view, asked rarely.
    async fn slots_for_move(
        &self,
        id: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        duration: u32,
    ) -> Result<Vec<Slot>, AppError> {
        self.inner.slots_for_move(id, from, to, duration).await
    }

    async fn reschedule(&self, id: &str, request: &BookingRequest) -> Result<Booking, AppError> {
        let result = self.inner.reschedule(id, request).await;
        // Both the old time and the new one changed (or the new one was found taken).
        self.invalidate();
        result
    }

    fn keeps_holds(&self) -> bool {
        self.inner.keeps_holds()
    }

    /// A reservation hides its time at the provider: the cached slots are out of date.
    async fn place_hold(&self, slot: &Slot, minutes: u32) -> Result<String, AppError> {
        let result = self.inner.place_hold(slot, minutes).await;
        self.invalidate();
        result
    }

    async fn release_hold(&self, reference: &str) -> Result<(), AppError> {
        let result = self.inner.release_hold(reference).await;
        self.invalidate();
        result
    }

    async fn book_held(
        &self,
        request: &BookingRequest,
        reference: &str,
    ) -> Result<Booking, AppError> {
        let result = self.inner.book_held(request, reference).await;
        self.invalidate();
        result
    }
}
