//! What a database must do for the proxy: five traits, one per concern, each implemented
//! by every backend in the file of that concern. They are object safe (the checks a write
//! runs inside its transaction are boxed closures), so `Store` holds any backend as one
//! `Arc<dyn Backend>` and the rest of the proxy never names a database.

use std::sync::Arc;

use async_trait::async_trait;
use booking_wire::Slot;
use chrono::{DateTime, TimeDelta, Utc};
use tokio::sync::{broadcast, Notify};

use super::{
    Claim, Free, Holding, Insert, KeyedAnswers, Move, Nearby, OutboxRow, Placed, StoreError,
    StoredBooking, StoredHold, StoredProfile,
};
use crate::notify::NewMessage;

/// A check run inside a write's transaction, on what stands near its time.
pub type IsFree<'a, T> = Box<dyn FnOnce(T) -> bool + Send + 'a>;

/// A whole database.
pub trait Backend: Bookings + Holds + Keys + Outbox + Profiles + Send + Sync {}

impl<T: Bookings + Holds + Keys + Outbox + Profiles + Send + Sync> Backend for T {}

/// Bookings: made, found, cancelled and moved, each change with its Idempotency-Key's
/// answer and its outbox messages in the same transaction.
#[async_trait]
pub trait Bookings {
    /// The profiles whose bookings or holds other processes changed, as they commit (an
    /// empty name: any may have changed); `None` where no other process shares the data.
    fn changed_elsewhere(&self) -> Option<broadcast::Receiver<String>> {
        None
    }

    /// Inserts `booking` if `free` agrees, given the profile's active bookings and
    /// live holds (but the booking's own) within a day of it; its own hold is used up.
    async fn insert_if_free(
        &self,
        booking: &StoredBooking,
        free: Free<IsFree<'_, Vec<Slot>>>,
        answers: Option<KeyedAnswers<'_>>,
        messages: &[NewMessage],
        holding: Holding<'_>,
    ) -> Result<Insert, StoreError>;

    /// Keeps a row for a booking a remote provider made.
    async fn record(
        &self,
        booking: &StoredBooking,
        answers: Option<KeyedAnswers<'_>>,
        messages: &[NewMessage],
    ) -> Result<(), StoreError>;

    /// Active bookings of `profile` overlapping `[from, to)`, but booking `except`.
    async fn active_between(
        &self,
        profile: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        except: Option<&str>,
    ) -> Result<Vec<Slot>, StoreError>;

    /// All bookings, newest start first; only `profile`'s when given.
    async fn list(&self, profile: Option<&str>) -> Result<Vec<StoredBooking>, StoreError>;

    /// The bookings with this id, in any profile.
    async fn find(&self, id: &str) -> Result<Vec<StoredBooking>, StoreError>;

    /// The booking whose manage token hashes to `hash`.
    async fn by_token(&self, hash: &str) -> Result<Option<StoredBooking>, StoreError>;

    /// Marks a booking cancelled; the row afterwards.
    async fn cancel(
        &self,
        profile: &str,
        id: &str,
        reason: Option<&str>,
        now: DateTime<Utc>,
        messages: &[NewMessage],
    ) -> Result<Option<StoredBooking>, StoreError>;

    /// Marks a pending booking confirmed; the row afterwards.
    async fn confirm(
        &self,
        profile: &str,
        id: &str,
        now: DateTime<Utc>,
        messages: &[NewMessage],
    ) -> Result<Option<StoredBooking>, StoreError>;

    /// Moves `current` to `[start, end)` if `free` agrees and it is unchanged.
    async fn reschedule_if_free(
        &self,
        current: &StoredBooking,
        range: (DateTime<Utc>, DateTime<Utc>),
        free: Free<IsFree<'_, Vec<Slot>>>,
        answers: Option<KeyedAnswers<'_>>,
        messages: &[NewMessage],
        now: DateTime<Utc>,
    ) -> Result<Move, StoreError>;

    /// Records that a remote provider moved `current`.
    async fn moved(
        &self,
        current: &StoredBooking,
        provider_ref: &str,
        range: (DateTime<Utc>, DateTime<Utc>),
        answers: Option<KeyedAnswers<'_>>,
        messages: &[NewMessage],
        now: DateTime<Utc>,
    ) -> Result<Option<StoredBooking>, StoreError>;
}

/// Holds: a slot kept for one visitor until it expires.
#[async_trait]
pub trait Holds {
    /// Places `hold` for `client` if `is_free` agrees, replacing the client's earlier one
    /// and removing the profile's expired ones (returned as `lapsed`).
    async fn place_hold(
        &self,
        hold: &StoredHold,
        client: &str,
        now: DateTime<Utc>,
        is_free: IsFree<'_, Nearby>,
    ) -> Result<Placed, StoreError>;

    /// Hold `id` if it is live, whatever its profile.
    async fn hold(&self, id: &str, now: DateTime<Utc>) -> Result<Option<StoredHold>, StoreError>;

    /// Removes hold `id` if it is still live; the row it was.
    async fn release_hold(
        &self,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<StoredHold>, StoreError>;

    /// Hold `id` if it is live and of `profile`.
    async fn live_hold(
        &self,
        profile: &str,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<StoredHold>, StoreError>;

    /// The live holds of `profile` overlapping `[from, to)`, but hold `except`.
    async fn holds_between(
        &self,
        profile: &str,
        range: (DateTime<Utc>, DateTime<Utc>),
        now: DateTime<Utc>,
        except: Option<&str>,
    ) -> Result<Vec<StoredHold>, StoreError>;
}

/// Idempotency-Key records: the first answer to a request, replayed for 24 hours.
#[async_trait]
pub trait Keys {
    /// How a key was used before, if it counts; `None` when a request may go ahead.
    async fn key_used(
        &self,
        profile: &str,
        key: &str,
        fingerprint: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Claim>, StoreError>;

    /// Records the first use of a key, or says how it was used before.
    async fn claim(
        &self,
        profile: &str,
        key: &str,
        fingerprint: &str,
        now: DateTime<Utc>,
    ) -> Result<Claim, StoreError>;

    /// Stores the answer to a claimed key, for replays.
    async fn complete(
        &self,
        profile: &str,
        key: &str,
        status: u16,
        body: &str,
    ) -> Result<(), StoreError>;

    /// Forgets a claimed key whose request failed on our side.
    async fn release(&self, profile: &str, key: &str) -> Result<(), StoreError>;

    /// Drops records past their 24 hours.
    async fn purge_idempotency(&self, now: DateTime<Utc>) -> Result<u64, StoreError>;
}

/// The outbox of notifications, taken by delivery workers.
#[async_trait]
pub trait Outbox {
    /// Told whenever messages are written.
    fn outbox_written(&self) -> Arc<Notify>;

    /// Takes up to `limit` due messages, the first of each destination, for `lease`.
    async fn claim_messages(
        &self,
        now: DateTime<Utc>,
        lease: TimeDelta,
        limit: u32,
    ) -> Result<Vec<OutboxRow>, StoreError>;

    /// When the next message may be taken; `None` when nothing is pending.
    async fn next_message_at(&self) -> Result<Option<DateTime<Utc>>, StoreError>;

    /// The message went out.
    async fn message_sent(&self, id: i64, now: DateTime<Utc>) -> Result<(), StoreError>;

    /// The message will not go out (`failed` or `skipped`).
    async fn message_given_up(
        &self,
        id: i64,
        state: &str,
        error: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// An attempt failed: the next is at `next`.
    async fn message_retry(
        &self,
        id: i64,
        next: DateTime<Utc>,
        error: &str,
    ) -> Result<(), StoreError>;

    /// A destination wants no more; whether it was enabled until now.
    async fn disable_destination(
        &self,
        channel: &str,
        destination: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Messages, newest first; only those in `state` when given.
    async fn messages(&self, state: Option<&str>) -> Result<Vec<OutboxRow>, StoreError>;

    /// Sends messages again from their first attempt; how many were re-queued.
    async fn requeue_messages(&self, ids: &[i64], now: DateTime<Utc>) -> Result<u64, StoreError>;

    /// Forgets finished messages older than `OUTBOX_KEEP`.
    async fn purge_outbox(&self, now: DateTime<Utc>) -> Result<u64, StoreError>;
}

/// Profiles kept in the database (the admin API's and `profiles import`'s), beside the
/// config file's.
#[async_trait]
pub trait Profiles {
    /// The ids of stored profiles other processes changed, as they commit (an empty id:
    /// any may have changed); `None` where no other process is told at once.
    fn profiles_changed_elsewhere(&self) -> Option<broadcast::Receiver<String>> {
        None
    }

    /// Stored profile `id`.
    async fn stored_profile(&self, id: &str) -> Result<Option<StoredProfile>, StoreError>;

    /// The version of stored profile `id`: a cheap check that a copy is current.
    async fn profile_version(&self, id: &str) -> Result<Option<i64>, StoreError>;

    /// Every stored profile, by id.
    async fn stored_profiles(&self) -> Result<Vec<StoredProfile>, StoreError>;

    /// Creates or replaces profile `id` with `body`; the row, and whether it is new.
    async fn put_profile(
        &self,
        id: &str,
        body: &str,
        now: DateTime<Utc>,
    ) -> Result<(StoredProfile, bool), StoreError>;

    /// Removes profile `id`; whether there was one.
    async fn delete_profile(&self, id: &str) -> Result<bool, StoreError>;
}
