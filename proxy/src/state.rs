//! What every request handler shares.

use std::collections::BTreeMap;
use std::sync::Arc;

use booking_wire::Profile;

use crate::config::{Config, Source};
use crate::error::AppError;
use crate::notify::clock::Clock;
use crate::notify::Notifier;
use crate::policy::Policy;
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
    providers: BTreeMap<String, Arc<dyn Provider>>,
    /// The same providers of local profiles, whose bookings are store transactions.
    locals: BTreeMap<String, Arc<LocalProvider>>,
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
    /// Opens the database and builds each profile's provider.
    pub async fn new(config: Config) -> Result<Self, StartError> {
        let store = Store::open(&config.server.database).await?;
        let client = providers::upstream::client(&config.upstream).map_err(StartError::Http)?;
        let mut built: BTreeMap<String, Arc<dyn Provider>> = BTreeMap::new();
        let mut locals = BTreeMap::new();
        let clock = Clock::system();
        for (id, profile) in &config.profiles {
            let provider = match &profile.source {
                Source::Local(rules) => {
                    let local = Arc::new(LocalProvider::new(
                        profile.clone(),
                        rules.clone(),
                        store.clone(),
                        client.clone(),
                        clock.clone(),
                    ));
                    locals.insert(id.clone(), local.clone());
                    local as Arc<dyn Provider>
                }
                Source::Remote(remote) => {
                    providers::remote(profile, remote, &client, &config.upstream)
                        .map_err(|message| StartError::Provider(id.clone(), message))?
                }
            };
            built.insert(id.clone(), provider);
        }
        if let Some(heard) = store.changed_elsewhere() {
            tokio::spawn(drop_changed(heard, built.clone()));
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
                providers: built,
                locals,
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

    pub fn provider(&self, profile: &str) -> Result<&Arc<dyn Provider>, AppError> {
        self.inner
            .providers
            .get(profile)
            .ok_or_else(|| AppError::ProfileNotFound(profile.to_owned()))
    }

    /// `profile` as the widget sees it: its provider's answer with the config's id and how
    /// long a chosen time is held.
    pub async fn profile(&self, profile: &str) -> Result<Profile, AppError> {
        let mut shown = self.provider(profile)?.profile().await?;
        shown.id = profile.to_owned();
        shown.hold_minutes = self
            .config()
            .profiles
            .get(profile)
            .map_or(0, |p| p.hold_minutes);
        Ok(shown)
    }

    /// Manage-link requests per client, apart from booking requests.
    pub fn manage_limit(&self) -> &RateLimit {
        &self.inner.manage_limit
    }

    /// What a visitor may do with `profile`'s bookings after making them.
    pub fn policy(&self, profile: &str) -> Result<Policy, AppError> {
        self.config()
            .profiles
            .get(profile)
            .map(|p| p.policy)
            .ok_or_else(|| AppError::ProfileNotFound(profile.to_owned()))
    }

    /// A booking of `profile` changed: what was computed from its bookings is dropped.
    pub fn booking_changed(&self, profile: &str) {
        if let Some(local) = self.local(profile) {
            local.booking_changed();
        }
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
    pub fn local(&self, profile: &str) -> Option<&Arc<LocalProvider>> {
        self.inner.locals.get(profile)
    }
}

/// Drops what is kept of a profile's slots (computed, or a remote provider's answers) when
/// another process changed its bookings or holds (an empty name: any profile may have
/// changed), until the store closes.
async fn drop_changed(
    mut heard: tokio::sync::broadcast::Receiver<String>,
    providers: BTreeMap<String, Arc<dyn Provider>>,
) {
    use tokio::sync::broadcast::error::RecvError;
    loop {
        match heard.recv().await {
            Ok(profile) if !profile.is_empty() => {
                if let Some(provider) = providers.get(&profile) {
                    provider.changed_elsewhere();
                }
            }
            Ok(_) | Err(RecvError::Lagged(_)) => {
                providers.values().for_each(|p| p.changed_elsewhere());
            }
            Err(RecvError::Closed) => break,
        }
    }
}
