//! Scheduling providers: one trait, one file per provider. Routes only see the trait; the
//! shared checks (form validation, idempotency, rate limits) happen before it is called.

mod local;

use async_trait::async_trait;
use booking_widget::wire::{Booking, BookingRequest, Profile, Slot};
use chrono::{DateTime, Utc};

pub use local::LocalProvider;

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

    /// Cancels a booking made through this provider, freeing its time.
    async fn cancel(&self, id: &str) -> Result<(), AppError>;
}

/// `{{name}}` placeholders filled from the booking's text answers; others left as they are.
pub fn fill_placeholders(template: &str, request: &BookingRequest) -> String {
    let mut out = template.to_owned();
    for (name, value) in &request.fields {
        if let booking_widget::wire::FieldValue::Text(text) = value {
            out = out.replace(&format!("{{{{{name}}}}}"), text);
        }
    }
    out
}
