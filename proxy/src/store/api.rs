//! `Store`: the handle the proxy holds, whichever database is behind it.

use std::ops::Deref;
use std::sync::Arc;

use booking_wire::Slot;
use chrono::{DateTime, Utc};

use super::{
    Backend, Free, Holding, Insert, IsFree, KeyedAnswers, Move, Nearby, PgStore, Placed,
    SqliteStore, StoreError, StoredBooking, StoredHold,
};
use crate::notify::NewMessage;

/// A database chosen by its URL. Every operation of `Backend` is reached through it; the
/// writes that run a check inside their transaction take it as a plain closure here.
#[derive(Clone)]
pub struct Store {
    backend: Arc<dyn Backend>,
}

impl Deref for Store {
    type Target = dyn Backend;

    fn deref(&self) -> &Self::Target {
        self.backend.as_ref()
    }
}

impl Store {
    /// Opens the database at an sqlx URL and migrates it: PostgreSQL for `postgres://`
    /// (or `postgresql://`), otherwise SQLite (the file created if missing).
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let backend: Arc<dyn Backend> =
            if url.starts_with("postgres://") || url.starts_with("postgresql://") {
                Arc::new(PgStore::open(url).await?)
            } else {
                Arc::new(SqliteStore::open(url).await?)
            };
        Ok(Self { backend })
    }

    /// Inserts `booking` if `free` agrees, given the profile's active bookings and
    /// live holds (but the booking's own) within a day of it; its own hold is used up.
    /// With `answers`, the Idempotency-Key is checked and its answer stored in
    /// the same transaction: a crash can lose the whole booking, never half of it, so a
    /// retry either replays the booking or makes it. `messages` go to the outbox with it.
    pub async fn insert_if_free(
        &self,
        booking: &StoredBooking,
        free: Free<impl FnOnce(Vec<Slot>) -> bool + Send>,
        answers: Option<KeyedAnswers<'_>>,
        messages: &[NewMessage],
        holding: Holding<'_>,
    ) -> Result<Insert, StoreError> {
        self.backend
            .insert_if_free(booking, boxed(free), answers, messages, holding)
            .await
    }

    /// Moves `current` to `[start, end)` if `free` agrees, given the profile's other
    /// active bookings and live holds near the new time (the booking never conflicts with
    /// itself), and if the booking is still as `current` says (not cancelled or moved
    /// meanwhile). Its reminders are written again, for the new time, with `messages`.
    pub async fn reschedule_if_free(
        &self,
        current: &StoredBooking,
        range: (DateTime<Utc>, DateTime<Utc>),
        free: Free<impl FnOnce(Vec<Slot>) -> bool + Send>,
        answers: Option<KeyedAnswers<'_>>,
        messages: &[NewMessage],
        now: DateTime<Utc>,
    ) -> Result<Move, StoreError> {
        self.backend
            .reschedule_if_free(current, range, boxed(free), answers, messages, now)
            .await
    }

    /// Places `hold` for `client` if `is_free` agrees, in one transaction that also removes
    /// the client's earlier hold of the profile (live or not) and the profile's expired ones.
    pub async fn place_hold(
        &self,
        hold: &StoredHold,
        client: &str,
        now: DateTime<Utc>,
        is_free: impl FnOnce(Nearby) -> bool + Send,
    ) -> Result<Placed, StoreError> {
        self.backend
            .place_hold(hold, client, now, Box::new(is_free))
            .await
    }
}

fn boxed<'a>(
    free: Free<impl FnOnce(Vec<Slot>) -> bool + Send + 'a>,
) -> Free<IsFree<'a, Vec<Slot>>> {
    Free {
        buffer: free.buffer,
        check: Box::new(free.check),
    }
}
