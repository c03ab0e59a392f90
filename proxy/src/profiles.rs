//! Every profile the proxy serves: the config file's, built at start-up and fixed, and
//! those kept as data in the database (the admin API's, `profiles import`'s), built when
//! first asked for and kept until they change. PostgreSQL tells every instance of a change
//! as it commits; on SQLite a kept copy is checked against the stored version every few
//! seconds, so a command run beside the server is seen soon without a restart.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::config::{self, Config, ProfileConfig, Source, UpstreamSettings};
use crate::error::AppError;
use crate::notify::clock::Clock;
use crate::providers::{self, LocalProvider, Provider};
use crate::store::{Store, StoredProfile};

/// How long a stored profile's copy is used before its version is checked again, where the
/// database does not announce changes.
const RECHECK: Duration = Duration::from_secs(5);

/// How many stored profiles are kept built, the least recently asked for dropped first: a
/// kept profile with its computed slots takes some 50 KB, and a marketplace may store far
/// more profiles than are booked in an hour.
pub const KEPT_PROFILES: u64 = 10_000;

/// A profile ready to serve: its checked keys and its provider.
pub struct Entry {
    pub config: ProfileConfig,
    pub provider: Arc<dyn Provider>,
    /// The same provider, for a local profile (its bookings are store transactions).
    pub local: Option<Arc<LocalProvider>>,
    /// The stored version it was built from; `None` for the config file's.
    version: Option<i64>,
    checked: Mutex<Instant>,
}

impl Entry {
    /// Whether it comes from the config file (read-only through the admin API).
    pub fn is_fixed(&self) -> bool {
        self.version.is_none()
    }
}

/// What building a provider needs, whichever profile.
struct Builder {
    store: Store,
    client: reqwest::Client,
    upstream: UpstreamSettings,
    clock: Clock,
    has_email: bool,
    secret_envs: Vec<String>,
}

/// The profiles, by id. Cheap to clone.
#[derive(Clone)]
pub struct Registry {
    inner: Arc<Inner>,
}

struct Inner {
    fixed: BTreeMap<String, Arc<Entry>>,
    stored: moka::sync::Cache<String, Arc<Entry>>,
    /// Raised whenever copies are dropped: a copy read from the database before then may
    /// be stale, so it is used once but not kept.
    generation: AtomicU64,
    /// Held while a copy is kept or copies are dropped, so neither lands between the
    /// other's check and its change.
    keeping: Mutex<()>,
    /// Where the database does not announce changes, how long a copy is trusted.
    recheck: Option<Duration>,
    builder: Builder,
}

impl Registry {
    /// Builds the config file's profiles; the message of an error names the profile.
    pub fn new(
        config: &Config,
        store: Store,
        client: reqwest::Client,
        clock: Clock,
    ) -> Result<Self, (String, String)> {
        let builder = Builder {
            store,
            client,
            upstream: config.upstream,
            clock,
            has_email: config.email.is_some(),
            secret_envs: config
                .admin
                .as_ref()
                .map(|a| a.secret_envs.clone())
                .unwrap_or_default(),
        };
        let mut fixed = BTreeMap::new();
        for (id, profile) in &config.profiles {
            let entry = builder
                .build(profile.clone(), None)
                .map_err(|message| (id.clone(), message))?;
            fixed.insert(id.clone(), Arc::new(entry));
        }
        let heard = builder.store.profiles_changed_elsewhere();
        let registry = Self {
            inner: Arc::new(Inner {
                fixed,
                stored: moka::sync::Cache::new(KEPT_PROFILES),
                generation: AtomicU64::new(0),
                keeping: Mutex::new(()),
                recheck: heard.is_none().then_some(RECHECK),
                builder,
            }),
        };
        if let Some(heard) = heard {
            tokio::spawn(forget_changed(heard, Arc::downgrade(&registry.inner)));
        }
        Ok(registry)
    }

    /// Profile `id`, from the config file or the database.
    pub async fn get(&self, id: &str) -> Result<Arc<Entry>, AppError> {
        if let Some(entry) = self.inner.fixed.get(id) {
            return Ok(entry.clone());
        }
        if let Some(entry) = self.kept(id) {
            if self.still_current(&entry).await? {
                return Ok(entry);
            }
            self.forget(id);
        }
        let generation = self.inner.generation.load(Ordering::Acquire);
        let row = self
            .inner
            .builder
            .store
            .stored_profile(id)
            .await
            .map_err(AppError::internal)?
            .ok_or_else(|| AppError::ProfileNotFound(id.to_owned()))?;
        let entry = Arc::new(self.inner.builder.build_row(&row)?);
        let _keeping = self.keeping();
        if self.inner.generation.load(Ordering::Acquire) == generation {
            self.inner.stored.insert(id.to_owned(), entry.clone());
        }
        Ok(entry)
    }

    /// Profile `id` if it is built already: for dropping what it keeps, without asking
    /// the database.
    pub fn cached(&self, id: &str) -> Option<Arc<Entry>> {
        self.inner.fixed.get(id).cloned().or_else(|| self.kept(id))
    }

    /// Every profile built so far.
    pub fn all_cached(&self) -> Vec<Arc<Entry>> {
        let stored = self.inner.stored.iter().map(|(_, entry)| entry);
        self.inner.fixed.values().cloned().chain(stored).collect()
    }

    /// Whether `id` is the config file's.
    pub fn is_fixed(&self, id: &str) -> bool {
        self.inner.fixed.contains_key(id)
    }

    /// The config file's profile ids.
    pub fn fixed_ids(&self) -> impl Iterator<Item = &String> {
        self.inner.fixed.keys()
    }

    /// Drops the copy of stored profile `id` (every copy for an empty id).
    pub fn forget(&self, id: &str) {
        let _keeping = self.keeping();
        self.inner.generation.fetch_add(1, Ordering::AcqRel);
        if id.is_empty() {
            self.inner.stored.invalidate_all();
        } else {
            self.inner.stored.invalidate(id);
        }
    }

    /// Checks keys for stored profile `id` as the config file's would be checked; its
    /// `keys` are what to store.
    pub fn check(&self, id: &str, body: &Value) -> Result<ProfileConfig, String> {
        let builder = &self.inner.builder;
        let checked = builder.check(id, body).map_err(|p| p.to_string())?;
        // A provider that cannot be built is refused now, not on the first visitor.
        builder.build(checked.clone(), Some(0))?;
        Ok(checked)
    }

    fn kept(&self, id: &str) -> Option<Arc<Entry>> {
        self.inner.stored.get(id)
    }

    /// Whether a kept copy may still be used: always where changes are announced,
    /// otherwise while its version is the stored one.
    async fn still_current(&self, entry: &Entry) -> Result<bool, AppError> {
        let Some(recheck) = self.inner.recheck else {
            return Ok(true);
        };
        let due = entry
            .checked
            .lock()
            .map_or(true, |at| at.elapsed() >= recheck);
        if !due {
            return Ok(true);
        }
        let store = &self.inner.builder.store;
        let version = store
            .profile_version(&entry.config.id)
            .await
            .map_err(AppError::internal)?;
        let current = version.is_some() && version == entry.version;
        if current {
            if let Ok(mut at) = entry.checked.lock() {
                *at = Instant::now();
            }
        }
        Ok(current)
    }

    fn keeping(&self) -> MutexGuard<'_, ()> {
        // The guard protects no data: a panic while holding it leaves nothing half done.
        self.inner
            .keeping
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl Builder {
    fn build(&self, config: ProfileConfig, version: Option<i64>) -> Result<Entry, String> {
        let (provider, local) = match &config.source {
            Source::Local(rules) => {
                let local = Arc::new(LocalProvider::new(
                    config.clone(),
                    rules.clone(),
                    self.store.clone(),
                    self.client.clone(),
                    self.clock.clone(),
                ));
                (local.clone() as Arc<dyn Provider>, Some(local))
            }
            Source::Remote(remote) => (
                providers::remote(&config, remote, &self.client, &self.upstream)?,
                None,
            ),
        };
        Ok(Entry {
            config,
            provider,
            local,
            version,
            checked: Mutex::new(Instant::now()),
        })
    }

    /// A stored row built; a row this instance cannot serve (a key variable it lacks) is
    /// our failure, logged with the reason.
    fn build_row(&self, row: &StoredProfile) -> Result<Entry, AppError> {
        let fail = |why: String| AppError::internal(format!("stored profile {}: {why}", row.id));
        let body: Value = serde_json::from_str(&row.body).map_err(|e| fail(e.to_string()))?;
        let checked = self
            .check(&row.id, &body)
            .map_err(|problem| fail(problem.to_string()))?;
        self.build(checked, Some(row.version)).map_err(fail)
    }

    /// Stored keys checked by the config file's rules, with this process's environment.
    fn check(&self, id: &str, body: &Value) -> Result<ProfileConfig, config::Problem> {
        let env = |name: &str| std::env::var(name).ok();
        config::stored_profile(id, body, &self.secret_envs, &env, self.has_email)
    }
}

/// Drops the copies of stored profiles other instances changed, while the registry lives.
async fn forget_changed(
    mut heard: tokio::sync::broadcast::Receiver<String>,
    registry: Weak<Inner>,
) {
    use tokio::sync::broadcast::error::RecvError;
    loop {
        let id = match heard.recv().await {
            Ok(id) => id,
            // Missed some: any may have changed.
            Err(RecvError::Lagged(_)) => String::new(),
            Err(RecvError::Closed) => break,
        };
        let Some(inner) = registry.upgrade() else {
            break;
        };
        Registry { inner }.forget(&id);
    }
}
