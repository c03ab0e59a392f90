//! What every request handler shares.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::config::Config;
use crate::error::AppError;
use crate::providers::{self, Provider};
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
        for (id, profile) in &config.profiles {
            let provider = providers::build(profile, &store, &client, &config.upstream)
                .map_err(|message| StartError::Provider(id.clone(), message))?;
            built.insert(id.clone(), provider);
        }
        Ok(Self {
            inner: Arc::new(Inner {
                config,
                store,
                providers: built,
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
