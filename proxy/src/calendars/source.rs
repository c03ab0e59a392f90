//! One calendar source's busy times: fetched once, fresh for `cache_seconds`, then served
//! while one background fetch renews it. While fetching fails, the last good copy serves
//! for `stale_seconds` more; past that the profile's slots fail rather than offer times
//! that may be busy.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use booking_wire::Slot;
use chrono::{DateTime, TimeDelta, Utc};

use super::busy::busy_times;
use super::caldav;
use crate::config::{CalendarConfig, CalendarKind};

/// What a source needs to read busy times.
#[derive(Clone)]
pub struct Reader {
    pub client: reqwest::Client,
    pub zone: chrono_tz::Tz,
    /// Days ahead a slot may be offered (the profile's horizon).
    pub horizon_days: u32,
}

impl Reader {
    /// The instants busy times are read for: every slot the profile may offer, with a day
    /// either side for durations and buffers.
    fn window(&self, now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
        let ahead = TimeDelta::days(i64::from(self.horizon_days) + 2);
        (now - TimeDelta::days(1), now + ahead)
    }
}

/// A copy of a source's busy times and when it was fetched.
struct Copy {
    busy: Arc<Vec<Slot>>,
    at: Instant,
}

#[derive(Default)]
struct State {
    copy: Option<Copy>,
    /// The failure last logged, so each change is logged once.
    failure: Option<String>,
    /// When the last fetch ended, whatever came of it.
    attempted: Option<Instant>,
}

pub struct Source {
    config: CalendarConfig,
    reader: Reader,
    state: Mutex<State>,
    /// Held by the one fetch in flight.
    fetching: Arc<tokio::sync::Mutex<()>>,
    /// Called when a fetch finds the busy times changed.
    on_change: Arc<dyn Fn() + Send + Sync>,
}

/// Why a source has no busy times to give.
#[derive(Debug)]
pub struct Unavailable;

impl Source {
    pub fn new(
        config: CalendarConfig,
        reader: Reader,
        on_change: Arc<dyn Fn() + Send + Sync>,
    ) -> Arc<Self> {
        Arc::new(Self {
            config,
            reader,
            state: Mutex::new(State::default()),
            fetching: Arc::new(tokio::sync::Mutex::new(())),
            on_change,
        })
    }

    pub fn config(&self) -> &CalendarConfig {
        &self.config
    }

    fn fresh_for(&self) -> Duration {
        Duration::from_secs(u64::from(self.config.cache_seconds))
    }

    fn usable_for(&self) -> Duration {
        self.fresh_for() + Duration::from_secs(u64::from(self.config.stale_seconds))
    }

    /// The copy and its age, if there is one.
    fn copy(&self) -> Option<(Arc<Vec<Slot>>, Duration)> {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state
            .copy
            .as_ref()
            .map(|c| (c.busy.clone(), c.at.elapsed()))
    }

    /// The busy times to use now: the copy while usable (renewed in the background once
    /// it is no longer fresh), else a fetch waited for.
    pub async fn busy(self: &Arc<Self>) -> Result<Arc<Vec<Slot>>, Unavailable> {
        if let Some((busy, age)) = self.copy() {
            if age >= self.fresh_for() {
                self.renew_in_background();
            }
            if age < self.usable_for() {
                return Ok(busy);
            }
        }
        let asked = Instant::now();
        let _one = self.fetching.lock().await;
        // A fetch that ended while this request waited answers it too, good or not: a
        // failing source is asked once at a time, not once per waiting request.
        let attempted = self
            .state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .attempted;
        if attempted.is_some_and(|at| at >= asked) {
            return match self.copy() {
                Some((busy, age)) if age < self.usable_for() => Ok(busy),
                _ => Err(Unavailable),
            };
        }
        self.fetch_and_keep().await.ok_or(Unavailable)
    }

    fn renew_in_background(self: &Arc<Self>) {
        let Ok(one) = self.fetching.clone().try_lock_owned() else {
            return;
        };
        let source = self.clone();
        tokio::spawn(async move {
            let _one = one;
            source.fetch_and_keep().await;
        });
    }

    /// Fetches, keeps a good answer and logs a change of failure; the new busy times, if
    /// the fetch worked.
    async fn fetch_and_keep(&self) -> Option<Arc<Vec<Slot>>> {
        let result = self.fetch().await;
        let host = self.config.host();
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.attempted = Some(Instant::now());
        match result {
            Ok(busy) => {
                if state.failure.take().is_some() {
                    tracing::info!(host = %host, "calendar source answers again");
                }
                let changed = state.copy.as_ref().is_none_or(|c| *c.busy != busy);
                let busy = Arc::new(busy);
                state.copy = Some(Copy {
                    busy: busy.clone(),
                    at: Instant::now(),
                });
                drop(state);
                if changed {
                    (self.on_change)();
                }
                Some(busy)
            }
            Err(error) => {
                if state.failure.as_deref() != Some(error.as_str()) {
                    tracing::warn!(
                        host = %host,
                        error = %error,
                        stale_seconds = self.config.stale_seconds,
                        "calendar source failing: its last good copy serves for stale_seconds, then the profile's slots answer 502"
                    );
                    state.failure = Some(error);
                }
                None
            }
        }
    }

    /// The source's busy times now, or why not (without its URL's path or credentials).
    async fn fetch(&self) -> Result<Vec<Slot>, String> {
        let window = self.reader.window(Utc::now());
        let zone = self.reader.zone;
        let own = |uid: &str| caldav::is_booking_uid(uid);
        match &self.config.kind {
            CalendarKind::Ics { url } if url.scheme() == "file" => {
                let path = url
                    .to_file_path()
                    .map_err(|()| "not a file path".to_owned())?;
                let text = tokio::fs::read_to_string(&path)
                    .await
                    .map_err(|e| format!("cannot read the file: {}", e.kind()))?;
                busy_times(&text, zone, window, &own)
            }
            CalendarKind::Ics { url } => {
                let response = self
                    .reader
                    .client
                    .get(url.clone())
                    .send()
                    .await
                    .map_err(|e| e.without_url().to_string())?;
                let status = response.status();
                if !status.is_success() {
                    return Err(format!("answered HTTP {}", status.as_u16()));
                }
                let text = response
                    .text()
                    .await
                    .map_err(|e| e.without_url().to_string())?;
                busy_times(&text, zone, window, &own)
            }
            CalendarKind::Caldav {
                url,
                username,
                password,
                ..
            } => {
                let login = caldav::Login {
                    username: username.as_deref(),
                    password: password.as_deref(),
                };
                let objects = caldav::query(&self.reader.client, url, &login, window).await?;
                let mut busy = Vec::new();
                for text in objects {
                    busy.extend(busy_times(&text, zone, window, &own)?);
                }
                busy.sort();
                busy.dedup();
                Ok(busy)
            }
        }
    }
}
