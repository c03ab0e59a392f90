//! Bookings in PostgreSQL: as in SQLite, each change with its Idempotency-Key's answer in
//! the same transaction; a local booking's row also keeps its buffer, for the constraint.

use async_trait::async_trait;
use booking_wire::Slot;
use chrono::{DateTime, TimeDelta, Utc};
use sqlx::postgres::PgRow;
use sqlx::{Acquire, PgConnection, Row};
use tokio::sync::broadcast;

use super::keys::{key_state, put_key, Answer};
use super::{announce, begin, holds, is_overlap, outbox, PgStore};
use crate::notify::NewMessage;
use crate::store::holds::around;
use crate::store::{
    instant, secs, Bookings, Free, Holding, Insert, IsFree, KeyedAnswers, Move, StoreError,
    StoredBooking,
};

mod rows;

pub(super) use rows::active_between;
use rows::{answer, get, insert, move_row, nearby, row_to_booking, unchanged, used};

const COLUMNS: &str = "profile, id, provider_ref, start_at, end_at, status, name, email, time_zone, \
    locale, answers, title, location, token_hash, sequence, reschedules, cancel_reason, created_at, updated_at";

#[async_trait]
impl Bookings for PgStore {
    fn changed_elsewhere(&self) -> Option<broadcast::Receiver<String>> {
        Some(self.changes.subscribe())
    }

    /// Inserts `booking` if `free` agrees, given the profile's active bookings and
    /// live holds (but the booking's own) within a day of it; its own hold is used up.
    /// With `answers`, the Idempotency-Key is checked and its answer stored in
    /// the same transaction: a crash can lose the whole booking, never half of it, so a
    /// retry either replays the booking or makes it. `messages` go to the outbox with it.
    async fn insert_if_free(
        &self,
        booking: &StoredBooking,
        free: Free<IsFree<'_, Vec<Slot>>>,
        answers: Option<KeyedAnswers<'_>>,
        messages: &[NewMessage],
        holding: Holding<'_>,
    ) -> Result<Insert, StoreError> {
        let mut tx = begin(&self.pool, &booking.profile).await?;
        if let Some(used) = used(&mut tx, &booking.profile, &answers, booking.created_at).await? {
            tx.rollback().await?;
            return Ok(Insert::Used(used));
        }
        let mut nearby = nearby(&mut tx, booking, None).await?;
        let range = around(booking.start, booking.end);
        nearby.extend(
            holds::live_between(&mut tx, &booking.profile, range, holding.now, holding.own).await?,
        );
        let mut free_now = (free.check)(nearby);
        if free_now {
            // The exclusion constraint has the last word; behind a savepoint, its refusal
            // is answered as a taken time, with the key's answer kept.
            let mut step = Acquire::begin(&mut *tx).await?;
            match insert_with(&mut step, booking, Some(free.buffer), messages).await {
                Ok(()) => step.commit().await?,
                Err(StoreError(e)) if is_overlap(&e) => {
                    step.rollback().await?;
                    free_now = false;
                }
                Err(e) => return Err(e),
            }
        }
        if let (true, Some(own)) = (free_now, holding.own) {
            holds::consume(&mut tx, &booking.profile, own).await?;
        }
        let free = free_now;
        answer(
            &mut tx,
            &booking.profile,
            &answers,
            free,
            booking.created_at,
        )
        .await?;
        crate::fault::point("local-booking-before-commit");
        tx.commit().await?;
        self.written(messages);
        crate::fault::point("local-booking-committed");
        Ok(if free { Insert::Done } else { Insert::Taken })
    }

    /// Keeps a row for a booking a remote provider made, with its key's answer and its
    /// `messages`.
    async fn record(
        &self,
        booking: &StoredBooking,
        answers: Option<KeyedAnswers<'_>>,
        messages: &[NewMessage],
    ) -> Result<(), StoreError> {
        let mut tx = begin(&self.pool, &booking.profile).await?;
        insert_with(&mut tx, booking, None, messages).await?;
        answer(
            &mut tx,
            &booking.profile,
            &answers,
            true,
            booking.created_at,
        )
        .await?;
        tx.commit().await?;
        self.written(messages);
        Ok(())
    }

    /// Active (not cancelled) bookings of `profile` overlapping `[from, to)`, but booking
    /// `except`.
    async fn active_between(
        &self,
        profile: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        except: Option<&str>,
    ) -> Result<Vec<Slot>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        active_between(&mut conn, profile, from, to, except).await
    }

    /// All bookings, newest start first; only `profile`'s when given.
    async fn list(&self, profile: Option<&str>) -> Result<Vec<StoredBooking>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM bookings WHERE ($1::text IS NULL OR profile = $1) ORDER BY start_at DESC, id"
        );
        let rows = sqlx::query(&sql)
            .bind(profile)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(row_to_booking).collect()
    }

    /// The bookings with this id, in any profile (ids are unique per profile).
    async fn find(&self, id: &str) -> Result<Vec<StoredBooking>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM bookings WHERE id = $1");
        let rows = sqlx::query(&sql).bind(id).fetch_all(&self.pool).await?;
        rows.iter().map(row_to_booking).collect()
    }

    /// The booking whose manage token hashes to `hash`.
    async fn by_token(&self, hash: &str) -> Result<Option<StoredBooking>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM bookings WHERE token_hash = $1");
        let row = sqlx::query(&sql)
            .bind(hash)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(row_to_booking).transpose()
    }

    /// Marks a booking cancelled, freeing its time; a cancelled one stays as it is. The row
    /// as it is afterwards, `None` if there is no such booking. Its reminders are dropped
    /// and `messages` written, if it was cancelled now.
    async fn cancel(
        &self,
        profile: &str,
        id: &str,
        reason: Option<&str>,
        now: DateTime<Utc>,
        messages: &[NewMessage],
    ) -> Result<Option<StoredBooking>, StoreError> {
        let mut tx = begin(&self.pool, profile).await?;
        let changed = sqlx::query(
            "UPDATE bookings SET status = 'cancelled', cancel_reason = $1, sequence = sequence + 1,
                 updated_at = $2
             WHERE profile = $3 AND id = $4 AND status != 'cancelled'",
        )
        .bind(reason)
        .bind(secs(now))
        .bind(profile)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let row = get(&mut tx, profile, id).await?;
        if let (1, Some(row)) = (changed, &row) {
            outbox::drop_reminders(&mut tx, row).await?;
            outbox::write(&mut tx, row, messages, now).await?;
            announce(&mut tx, &row.profile).await?;
        }
        tx.commit().await?;
        self.written(messages);
        Ok(row)
    }

    /// Marks a pending booking confirmed, with `messages`. The row as it is afterwards.
    async fn confirm(
        &self,
        profile: &str,
        id: &str,
        now: DateTime<Utc>,
        messages: &[NewMessage],
    ) -> Result<Option<StoredBooking>, StoreError> {
        let mut tx = begin(&self.pool, profile).await?;
        let changed = sqlx::query(
            "UPDATE bookings SET status = 'confirmed', sequence = sequence + 1, updated_at = $1
             WHERE profile = $2 AND id = $3 AND status = 'pending'",
        )
        .bind(secs(now))
        .bind(profile)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let row = get(&mut tx, profile, id).await?;
        if let (1, Some(row)) = (changed, &row) {
            outbox::write(&mut tx, row, messages, now).await?;
            announce(&mut tx, &row.profile).await?;
        }
        tx.commit().await?;
        self.written(messages);
        Ok(row)
    }

    /// Moves `current` to `[start, end)` if `free` agrees, given the profile's other
    /// active bookings and live holds near the new time (the booking never conflicts with itself), and
    /// if the booking is still as `current` says (not cancelled or moved meanwhile). Its
    /// reminders are written again, for the new time, with `messages`.
    async fn reschedule_if_free(
        &self,
        current: &StoredBooking,
        (start, end): (DateTime<Utc>, DateTime<Utc>),
        free: Free<IsFree<'_, Vec<Slot>>>,
        answers: Option<KeyedAnswers<'_>>,
        messages: &[NewMessage],
        now: DateTime<Utc>,
    ) -> Result<Move, StoreError> {
        let mut tx = begin(&self.pool, &current.profile).await?;
        if let Some(used) = used(&mut tx, &current.profile, &answers, now).await? {
            tx.rollback().await?;
            return Ok(Move::Used(used));
        }
        if !unchanged(&mut tx, current).await? {
            tx.rollback().await?;
            return Ok(Move::Changed);
        }
        let moved = StoredBooking {
            start,
            end,
            ..current.clone()
        };
        let mut nearby = nearby(&mut tx, &moved, Some(&current.id)).await?;
        let range = around(start, end);
        nearby.extend(holds::live_between(&mut tx, &current.profile, range, now, None).await?);
        let mut free_now = (free.check)(nearby);
        if free_now {
            let mut step = Acquire::begin(&mut *tx).await?;
            let to = (start, end);
            match move_row(
                &mut step,
                current,
                &current.provider_ref,
                to,
                Some(free.buffer),
                now,
            )
            .await
            {
                Ok(()) => step.commit().await?,
                Err(StoreError(e)) if is_overlap(&e) => {
                    step.rollback().await?;
                    free_now = false;
                }
                Err(e) => return Err(e),
            }
        }
        let free = free_now;
        answer(&mut tx, &current.profile, &answers, free, now).await?;
        let row = get(&mut tx, &current.profile, &current.id).await?;
        if let (true, Some(row)) = (free, &row) {
            outbox::drop_reminders(&mut tx, row).await?;
            outbox::write(&mut tx, row, messages, now).await?;
            announce(&mut tx, &row.profile).await?;
        }
        tx.commit().await?;
        self.written(messages);
        match (free, row) {
            (true, Some(row)) => Ok(Move::Done(Box::new(row))),
            (true, None) => Ok(Move::Changed),
            (false, _) => Ok(Move::Taken),
        }
    }

    /// Records that a remote provider moved `current` (under `provider_ref` now), with
    /// the key's answer and `messages` (its reminders written again for the new time).
    async fn moved(
        &self,
        current: &StoredBooking,
        provider_ref: &str,
        (start, end): (DateTime<Utc>, DateTime<Utc>),
        answers: Option<KeyedAnswers<'_>>,
        messages: &[NewMessage],
        now: DateTime<Utc>,
    ) -> Result<Option<StoredBooking>, StoreError> {
        let mut tx = begin(&self.pool, &current.profile).await?;
        move_row(&mut tx, current, provider_ref, (start, end), None, now).await?;
        answer(&mut tx, &current.profile, &answers, true, now).await?;
        let row = get(&mut tx, &current.profile, &current.id).await?;
        if let Some(row) = &row {
            outbox::drop_reminders(&mut tx, row).await?;
            outbox::write(&mut tx, row, messages, now).await?;
            announce(&mut tx, &row.profile).await?;
        }
        tx.commit().await?;
        self.written(messages);
        Ok(row)
    }
}

/// A new row and its messages, in the caller's transaction.
async fn insert_with(
    tx: &mut PgConnection,
    booking: &StoredBooking,
    buffer: Option<TimeDelta>,
    messages: &[NewMessage],
) -> Result<(), StoreError> {
    insert(tx, booking, buffer).await?;
    outbox::write(&mut *tx, booking, messages, booking.created_at).await?;
    announce(tx, &booking.profile).await
}
