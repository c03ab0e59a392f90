//! The local provider's computed slots, per (range, duration): kept until a booking of the
//! profile changes (a generation counter, as `cache.rs` does for remote providers), until
//! the first of them comes within the minimum notice, and for a minute at most (the
//! horizon moves on). Identical concurrent requests share one computation, and the JSON
//! of the answer is written once per computation, not once per request.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use booking_wire::Slot;
use chrono::{DateTime, TimeDelta, Utc};
use moka::future::Cache;
use serde_json::value::RawValue;

use crate::error::AppError;

/// (generation, from, to, duration): a computation that started before a change can
/// never be served after it.
type Key = (u64, DateTime<Utc>, DateTime<Utc>, u32);

/// One computation: the slots and their JSON array.
pub struct Kept {
    pub slots: Vec<Slot>,
    pub json: Box<RawValue>,
}

#[derive(Clone)]
struct Entry {
    kept: Arc<Kept>,
    until: DateTime<Utc>,
}

/// At most this long, whatever else.
const AT_MOST: TimeDelta = TimeDelta::minutes(1);

pub struct Computed {
    entries: Cache<Key, Entry>,
    generation: AtomicU64,
}

impl Computed {
    pub fn new() -> Self {
        Self {
            entries: Cache::builder()
                .max_capacity(2_000)
                .time_to_live(Duration::from_secs(60))
                .build(),
            generation: AtomicU64::new(0),
        }
    }

    /// The slots for `(from, to, duration)`, computed by `compute` when not kept. `notice`
    /// is the profile's minimum notice.
    pub async fn get_or<F>(
        &self,
        (from, to, duration): (DateTime<Utc>, DateTime<Utc>, u32),
        notice: TimeDelta,
        compute: F,
    ) -> Result<Arc<Kept>, AppError>
    where
        F: Future<Output = Result<Vec<Slot>, AppError>>,
    {
        let key = (self.generation.load(Ordering::SeqCst), from, to, duration);
        if let Some(entry) = self.entries.get(&key).await {
            if Utc::now() < entry.until {
                return Ok(entry.kept);
            }
            self.entries.invalidate(&key).await;
        }
        let load = async {
            let now = Utc::now();
            let slots = compute.await?;
            let first_too_close = slots
                .first()
                .and_then(|s| s.start.checked_sub_signed(notice));
            let until = first_too_close.map_or(now + AT_MOST, |t| t.min(now + AT_MOST));
            let json = serde_json::value::to_raw_value(&slots)
                .map_err(|e| AppError::internal(format!("slots to JSON: {e}")))?;
            Ok::<_, AppError>(Entry {
                kept: Arc::new(Kept { slots, json }),
                until,
            })
        };
        let entry = self
            .entries
            .try_get_with(key, load)
            .await
            .map_err(|e| e.as_ref().clone())?;
        Ok(entry.kept)
    }

    /// A booking of the profile changed: nothing computed before serves again.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.entries.invalidate_all();
    }
}

impl Default for Computed {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;

    use super::*;

    fn slot_at(start: DateTime<Utc>) -> Slot {
        Slot {
            start,
            end: start + TimeDelta::minutes(30),
        }
    }

    #[tokio::test]
    async fn kept_until_a_change_or_until_the_first_slot_is_too_close() {
        let cache = Computed::new();
        let runs = AtomicUsize::new(0);
        let now = Utc::now();
        let window = (now, now + TimeDelta::days(1), 30);
        let notice = TimeDelta::hours(1);
        let far = vec![slot_at(now + TimeDelta::hours(5))];
        let runs = &runs;
        let compute = |slots: Vec<Slot>| async move {
            runs.fetch_add(1, Ordering::SeqCst);
            Ok(slots)
        };
        cache
            .get_or(window, notice, compute(far.clone()))
            .await
            .unwrap();
        cache
            .get_or(window, notice, compute(far.clone()))
            .await
            .unwrap();
        assert_eq!(runs.load(Ordering::SeqCst), 1, "kept");
        cache.invalidate();
        cache
            .get_or(window, notice, compute(far.clone()))
            .await
            .unwrap();
        assert_eq!(runs.load(Ordering::SeqCst), 2, "a change drops it");

        // A first slot already inside the notice: never served again.
        let close = vec![slot_at(now + TimeDelta::minutes(59))];
        let other = (now, now + TimeDelta::days(2), 30);
        cache
            .get_or(other, notice, compute(close.clone()))
            .await
            .unwrap();
        cache.get_or(other, notice, compute(close)).await.unwrap();
        assert_eq!(runs.load(Ordering::SeqCst), 4);
    }
}
