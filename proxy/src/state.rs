//! What every request handler shares.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::config::{Config, Source};
use crate::error::AppError;
use crate::providers::{LocalProvider, Provider};

#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    providers: BTreeMap<String, Arc<dyn Provider>>,
}

/// Why the server cannot start with this configuration.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("profiles.{0}: provider {1:?} is not available in this build yet")]
    Unsupported(String, &'static str),
}

impl AppState {
    pub fn new(config: Config) -> Result<Self, StartError> {
        let mut providers: BTreeMap<String, Arc<dyn Provider>> = BTreeMap::new();
        for (id, profile) in &config.profiles {
            let provider: Arc<dyn Provider> = match &profile.source {
                Source::Local(rules) => {
                    Arc::new(LocalProvider::new(profile.clone(), rules.clone()))
                }
                Source::Remote(_) => return Err(StartError::Unsupported(id.clone(), "remote")),
            };
            providers.insert(id.clone(), provider);
        }
        Ok(Self {
            inner: Arc::new(Inner { config, providers }),
        })
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    pub fn provider(&self, profile: &str) -> Result<&Arc<dyn Provider>, AppError> {
        self.inner
            .providers
            .get(profile)
            .ok_or_else(|| AppError::ProfileNotFound(profile.to_owned()))
    }
}
