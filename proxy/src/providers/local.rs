//! The local provider: booking-proxy itself is the scheduling backend.

use async_trait::async_trait;
use booking_widget::wire::Profile;

use super::Provider;
use crate::config::{LocalRules, ProfileConfig};
use crate::error::AppError;

pub struct LocalProvider {
    profile: ProfileConfig,
    rules: LocalRules,
}

impl LocalProvider {
    pub fn new(profile: ProfileConfig, rules: LocalRules) -> Self {
        Self { profile, rules }
    }
}

#[async_trait]
impl Provider for LocalProvider {
    async fn profile(&self) -> Result<Profile, AppError> {
        let p = &self.profile;
        Ok(Profile {
            id: p.id.clone(),
            title: p.title.clone().unwrap_or_default(),
            description: p.description.clone().unwrap_or_default(),
            time_zone: self.rules.time_zone.name().to_owned(),
            durations: self.rules.durations.clone(),
            location: self.rules.location.clone(),
            requires_confirmation: self.rules.requires_confirmation,
            fields: p.fields.clone(),
        })
    }
}
