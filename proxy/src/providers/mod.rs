//! Scheduling providers: one trait, one file per provider. The routes only see the trait.

mod local;

use async_trait::async_trait;
use booking_widget::wire::Profile;

pub use local::LocalProvider;

use crate::error::AppError;

#[async_trait]
pub trait Provider: Send + Sync {
    /// The profile as the widget sees it: title, description, durations and fields.
    async fn profile(&self) -> Result<Profile, AppError>;
}
