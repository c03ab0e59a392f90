//! A remote provider with its profile config laid over it: the config's `title`,
//! `description` and `fields` win over what the provider reports, and the provider's
//! texts lose their control characters.

use std::sync::Arc;

use async_trait::async_trait;
use booking_wire::{Booking, BookingRequest, Profile, Slot};
use chrono::{DateTime, Utc};

use super::Provider;
use crate::config::ProfileConfig;
use crate::error::AppError;

/// The config's `title`, `description` and `fields` over what the provider reports.
pub struct Overlay {
    inner: Arc<dyn Provider>,
    config: ProfileConfig,
}

impl Overlay {
    pub fn new(inner: Arc<dyn Provider>, config: ProfileConfig) -> Self {
        Self { inner, config }
    }
}

#[async_trait]
impl Provider for Overlay {
    async fn profile(&self) -> Result<Profile, AppError> {
        let mut profile = printable(self.inner.profile().await?);
        profile.id = self.config.id.clone();
        if let Some(title) = &self.config.title {
            profile.title = title.clone();
        }
        if let Some(description) = &self.config.description {
            profile.description = description.clone();
        }
        for field in &self.config.fields {
            match profile.fields.iter_mut().find(|f| f.name == field.name) {
                Some(existing) => *existing = field.clone(),
                None => profile.fields.push(field.clone()),
            }
        }
        Ok(profile)
    }

    async fn slots(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        duration: u32,
    ) -> Result<Vec<Slot>, AppError> {
        self.inner.slots(from, to, duration).await
    }

    async fn book(&self, request: &BookingRequest) -> Result<Booking, AppError> {
        self.inner.book(request).await
    }

    async fn cancel(&self, id: &str, reason: Option<&str>) -> Result<(), AppError> {
        self.inner.cancel(id, reason).await
    }

    fn reschedules(&self) -> bool {
        self.inner.reschedules()
    }

    fn changed_elsewhere(&self) {
        self.inner.changed_elsewhere();
    }

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
        self.inner.reschedule(id, request).await
    }

    fn keeps_holds(&self) -> bool {
        self.inner.keeps_holds()
    }

    async fn place_hold(&self, slot: &Slot, minutes: u32) -> Result<String, AppError> {
        self.inner.place_hold(slot, minutes).await
    }

    async fn release_hold(&self, reference: &str) -> Result<(), AppError> {
        self.inner.release_hold(reference).await
    }

    async fn book_held(
        &self,
        request: &BookingRequest,
        reference: &str,
    ) -> Result<Booking, AppError> {
        self.inner.book_held(request, reference).await
    }
}

/// What a provider says, without the control characters the config file may not hold
/// either (they could forge rows or colours where the text is printed).
fn printable(mut profile: Profile) -> Profile {
    let line = |text: &mut String| text.retain(|c| !c.is_control());
    line(&mut profile.title);
    profile.description.retain(|c| !c.is_control() || c == '\n');
    if let Some(location) = &mut profile.location {
        line(location);
    }
    for field in &mut profile.fields {
        line(&mut field.label);
        field.options.iter_mut().for_each(line);
    }
    profile
}
