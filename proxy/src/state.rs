//! What every request handler shares.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::config::{Config, Source};
use crate::error::AppError;
use crate::providers::{LocalProvider, Provider};
use crate::store::{Store, StoreError};

#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    store: Store,
    providers: BTreeMap<String, Arc<dyn Provider>>,
}

/// Why the server cannot start with this configuration.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("server.database: {0}")]
    Database(#[from] StoreError),
    #[error("profiles.{0}: provider {1:?} is not available in this build yet")]
    Unsupported(String, &'static str),
}

impl AppState {
    /// Opens the database and builds each profile's provider.
    pub async fn new(config: Config) -> Result<Self, StartError> {
        let store = Store::open(&config.server.database).await?;
        let mut providers: BTreeMap<String, Arc<dyn Provider>> = BTreeMap::new();
        for (id, profile) in &config.profiles {
            let provider: Arc<dyn Provider> = match &profile.source {
                Source::Local(rules) => Arc::new(LocalProvider::new(
                    profile.clone(),
                    rules.clone(),
                    store.clone(),
                )),
                Source::Remote(_) => return Err(StartError::Unsupported(id.clone(), "remote")),
            };
            providers.insert(id.clone(), provider);
        }
        Ok(Self {
            inner: Arc::new(Inner {
                config,
                store,
                providers,
            }),
        })
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    pub fn provider(&self, profile: &str) -> Result<&Arc<dyn Provider>, AppError> {
        self.inner
            .providers
            .get(profile)
            .ok_or_else(|| AppError::ProfileNotFound(profile.to_owned()))
    }
}
