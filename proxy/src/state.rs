//! What every request handler shares.

use std::sync::Arc;

use booking_wire::Profile;

use crate::config::Config;
use crate::error::AppError;
use crate::notify::clock::Clock;
use crate::notify::{Event, NewMessage, Notifier};
use crate::policy::Policy;
use crate::profiles::{Entry, Registry};
use crate::providers::{self, LocalProvider, Provider};
use crate::rate_limit::RateLimit;
use crate::store::{Store, StoreError};

#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    store: Store,
    rate_limit: RateLimit,
    manage_limit: RateLimit,
    profiles: Registry,
    notifier: Notifier,
    /// Holds expire by it.
    clock: Clock,
}

/// Why the server cannot start with this configuration.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("server.database: {0}")]
    Database(#[from] StoreError),
    /// A profile's provider cannot be built; the message says what, within the profile.
    #[error("profiles.{0}: {1}")]
    Provider(String, String),
    #[error("{0}")]
    Http(String),
}

impl AppState {
    /// Opens the database and builds the config file's profiles' providers.
    pub async fn new(config: Config) -> Result<Self, StartError> {
        let store = Store::open(&config.server.database).await?;
        let client = providers::upstream::client(&config.upstream).map_err(StartError::Http)?;
        let clock = Clock::system();
        let profiles = Registry::new(&config, store.clone(), client, clock.clone())
            .map_err(|(id, message)| StartError::Provider(id, message))?;
        if let Some(heard) = store.changed_elsewhere() {
            tokio::spawn(drop_changed(heard, profiles.clone()));
        }
        let notifier = Notifier::new(&config);
        let rate_limit = RateLimit::per_minute(config.limits.bookings_per_minute);
        let manage_limit = RateLimit::per_minute(config.limits.bookings_per_minute);
        Ok(Self {
            inner: Arc::new(Inner {
                config,
                store,
                rate_limit,
                manage_limit,
                profiles,
                notifier,
                clock,
            }),
        })
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// Booking requests per client; `main` runs its clean-up beside the server.
    pub fn rate_limit(&self) -> &RateLimit {
        &self.inner.rate_limit
    }

    /// Every profile: the config file's and the database's.
    pub fn profiles(&self) -> &Registry {
        &self.inner.profiles
    }

    /// Profile `id`, ready to serve.
    pub async fn entry(&self, profile: &str) -> Result<Arc<Entry>, AppError> {
        self.inner.profiles.get(profile).await
    }

    pub async fn provider(&self, profile: &str) -> Result<Arc<dyn Provider>, AppError> {
        Ok(self.entry(profile).await?.provider.clone())
    }

    /// `profile` as the widget sees it: its provider's answer with the profile's id and
    /// how long a chosen time is held.
    pub async fn profile(&self, profile: &str) -> Result<Profile, AppError> {
        let entry = self.entry(profile).await?;
        let mut shown = entry.provider.profile().await?;
        shown.id = profile.to_owned();
        shown.hold_minutes = entry.config.hold_minutes;
        // The form asks what it must first (the `{{variables}}` of the title and
        // description among it), then what it may; each in the provider's order.
        shown.fields.sort_by_key(|field| !field.required);
        Ok(shown)
    }

    /// Manage-link requests per client, apart from booking requests.
    pub fn manage_limit(&self) -> &RateLimit {
        &self.inner.manage_limit
    }

    /// What a visitor may do with `profile`'s bookings after making them.
    pub async fn policy(&self, profile: &str) -> Result<Policy, AppError> {
        Ok(self.entry(profile).await?.config.policy)
    }

    /// A booking of `profile` changed: what was computed from its bookings is dropped.
    pub fn booking_changed(&self, profile: &str) {
        if let Some(local) = self
            .inner
            .profiles
            .cached(profile)
            .and_then(|e| e.local.clone())
        {
            local.booking_changed();
        }
    }

    /// The messages `event` sends for a booking of `profile` (see `Notifier::messages`).
    pub async fn messages(
        &self,
        profile: &str,
        event: Event,
        token: Option<&str>,
    ) -> Result<Vec<NewMessage>, AppError> {
        let entry = self.entry(profile).await?;
        Ok(self.inner.notifier.messages(&entry.config, event, token))
    }

    /// The messages each booking change sends.
    pub fn notifier(&self) -> &Notifier {
        &self.inner.notifier
    }

    /// The clock holds expire by (moved by tests in debug builds).
    pub fn clock(&self) -> &Clock {
        &self.inner.clock
    }

    /// The local provider of `profile`, if it is a local profile.
    pub async fn local(&self, profile: &str) -> Result<Option<Arc<LocalProvider>>, AppError> {
        Ok(self.entry(profile).await?.local.clone())
    }
}

/// Drops what is kept of a profile's slots (computed, or a remote provider's answers) when
/// another process changed its bookings or holds (an empty name: any profile may have
/// changed), until the store closes.
async fn drop_changed(mut heard: tokio::sync::broadcast::Receiver<String>, profiles: Registry) {
    use tokio::sync::broadcast::error::RecvError;
    loop {
        match heard.recv().await {
            Ok(profile) if !profile.is_empty() => {
                if let Some(entry) = profiles.cached(&profile) {
                    entry.provider.changed_elsewhere();
                }
            }
            Ok(_) | Err(RecvError::Lagged(_)) => {
                let all = profiles.all_cached();
                all.iter().for_each(|e| e.provider.changed_elsewhere());
            }
            Err(RecvError::Closed) => break,
        }
    }
}
