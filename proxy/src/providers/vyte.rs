//! TODO(helper): the Vyte adapter (providers.md).

use async_trait::async_trait;
use booking_widget::wire::{Booking, BookingRequest, Profile, Slot};
use chrono::{DateTime, Utc};

use super::{Provider, Setup};
use crate::error::AppError;

pub struct Vyte;

impl Vyte {
    pub fn new(_setup: Setup<'_>) -> Result<Self, String> {
        Err("not written yet".into())
    }
}

#[async_trait]
impl Provider for Vyte {
    async fn profile(&self) -> Result<Profile, AppError> {
        Err(AppError::Upstream)
    }

    async fn slots(
        &self,
        _: DateTime<Utc>,
        _: DateTime<Utc>,
        _: u32,
    ) -> Result<Vec<Slot>, AppError> {
        Err(AppError::Upstream)
    }

    async fn book(&self, _: &BookingRequest) -> Result<Booking, AppError> {
        Err(AppError::Upstream)
    }

    async fn cancel(&self, _: &str) -> Result<(), AppError> {
        Err(AppError::Upstream)
    }
}
