//! Bookings: made, found, cancelled and moved, each change with its Idempotency-Key's answer
//! in the same transaction.

use booking_wire::Slot;
use chrono::{DateTime, TimeDelta, Utc};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};

use super::keys::{key_state, put_key, Answer};
use super::outbox;
use super::{instant, secs, Insert, KeyedAnswers, Move, Store, StoreError, StoredBooking};
use crate::notify::NewMessage;

const COLUMNS: &str = "profile, id, provider_ref, start_at, end_at, status, name, email, time_zone, \
    locale, answers, title, location, token_hash, sequence, reschedules, cancel_reason, created_at, updated_at";

impl Store {
    /// Inserts `booking` if `is_free` agrees, given the profile's active bookings within a
    /// day of it. With `answers`, the Idempotency-Key is checked and its answer stored in
    /// the same transaction: a crash can lose the whole booking, never half of it, so a
    /// retry either replays the booking or makes it. `messages` go to the outbox with it.
    pub async fn insert_if_free(
        &self,
        booking: &StoredBooking,
        is_free: impl FnOnce(Vec<Slot>) -> bool,
        answers: Option<KeyedAnswers<'_>>,
        messages: &[NewMessage],
    ) -> Result<Insert, StoreError> {
        let mut tx = self.writer.begin_with("BEGIN IMMEDIATE").await?;
        if let Some(used) = used(&mut tx, &booking.profile, &answers, booking.created_at).await? {
            tx.rollback().await?;
            return Ok(Insert::Used(used));
        }
        let nearby = nearby(&mut tx, booking, None).await?;
        let free = is_free(nearby);
        if free {
            insert(&mut tx, booking).await?;
            outbox::write(
                &mut tx,
                &self.outbox_written,
                booking,
                messages,
                booking.created_at,
            )
            .await?;
        }
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
        crate::fault::point("local-booking-committed");
        Ok(if free { Insert::Done } else { Insert::Taken })
    }

    /// Keeps a row for a booking a remote provider made, with its key's answer and its
    /// `messages`.
    pub async fn record(
        &self,
        booking: &StoredBooking,
        answers: Option<KeyedAnswers<'_>>,
        messages: &[NewMessage],
    ) -> Result<(), StoreError> {
        let mut tx = self.writer.begin_with("BEGIN IMMEDIATE").await?;
        insert(&mut tx, booking).await?;
        outbox::write(
            &mut tx,
            &self.outbox_written,
            booking,
            messages,
            booking.created_at,
        )
        .await?;
        answer(
            &mut tx,
            &booking.profile,
            &answers,
            true,
            booking.created_at,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Active (not cancelled) bookings of `profile` overlapping `[from, to)`, but booking
    /// `except`.
    pub async fn active_between(
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
    pub async fn list(&self, profile: Option<&str>) -> Result<Vec<StoredBooking>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM bookings WHERE (?1 IS NULL OR profile = ?1) ORDER BY start_at DESC, id"
        );
        let rows = sqlx::query(&sql)
            .bind(profile)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(row_to_booking).collect()
    }

    /// The bookings with this id, in any profile (ids are unique per profile).
    pub async fn find(&self, id: &str) -> Result<Vec<StoredBooking>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM bookings WHERE id = ?");
        let rows = sqlx::query(&sql).bind(id).fetch_all(&self.pool).await?;
        rows.iter().map(row_to_booking).collect()
    }

    /// The booking whose manage token hashes to `hash`.
    pub async fn by_token(&self, hash: &str) -> Result<Option<StoredBooking>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM bookings WHERE token_hash = ?");
        let row = sqlx::query(&sql)
            .bind(hash)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(row_to_booking).transpose()
    }

    /// Marks a booking cancelled, freeing its time; a cancelled one stays as it is. The row
    /// as it is afterwards, `None` if there is no such booking. Its reminders are dropped
    /// and `messages` written, if it was cancelled now.
    pub async fn cancel(
        &self,
        profile: &str,
        id: &str,
        reason: Option<&str>,
        now: DateTime<Utc>,
        messages: &[NewMessage],
    ) -> Result<Option<StoredBooking>, StoreError> {
        let mut tx = self.writer.begin_with("BEGIN IMMEDIATE").await?;
        let changed = sqlx::query(
            "UPDATE bookings SET status = 'cancelled', cancel_reason = ?, sequence = sequence + 1,
                 updated_at = ?
             WHERE profile = ? AND id = ? AND status != 'cancelled'",
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
            outbox::write(&mut tx, &self.outbox_written, row, messages, now).await?;
        }
        tx.commit().await?;
        Ok(row)
    }

    /// Marks a pending booking confirmed, with `messages`. The row as it is afterwards.
    pub async fn confirm(
        &self,
        profile: &str,
        id: &str,
        now: DateTime<Utc>,
        messages: &[NewMessage],
    ) -> Result<Option<StoredBooking>, StoreError> {
        let mut tx = self.writer.begin_with("BEGIN IMMEDIATE").await?;
        let changed = sqlx::query(
            "UPDATE bookings SET status = 'confirmed', sequence = sequence + 1, updated_at = ?
             WHERE profile = ? AND id = ? AND status = 'pending'",
        )
        .bind(secs(now))
        .bind(profile)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let row = get(&mut tx, profile, id).await?;
        if let (1, Some(row)) = (changed, &row) {
            outbox::write(&mut tx, &self.outbox_written, row, messages, now).await?;
        }
        tx.commit().await?;
        Ok(row)
    }

    /// Moves `current` to `[start, end)` if `is_free` agrees, given the profile's other
    /// active bookings near the new time (the booking never conflicts with itself), and
    /// if the booking is still as `current` says (not cancelled or moved meanwhile). Its
    /// reminders are written again, for the new time, with `messages`.
    pub async fn reschedule_if_free(
        &self,
        current: &StoredBooking,
        (start, end): (DateTime<Utc>, DateTime<Utc>),
        is_free: impl FnOnce(Vec<Slot>) -> bool,
        answers: Option<KeyedAnswers<'_>>,
        messages: &[NewMessage],
        now: DateTime<Utc>,
    ) -> Result<Move, StoreError> {
        let mut tx = self.writer.begin_with("BEGIN IMMEDIATE").await?;
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
        let nearby = nearby(&mut tx, &moved, Some(&current.id)).await?;
        let free = is_free(nearby);
        if free {
            move_row(&mut tx, current, &current.provider_ref, (start, end), now).await?;
        }
        answer(&mut tx, &current.profile, &answers, free, now).await?;
        let row = get(&mut tx, &current.profile, &current.id).await?;
        if let (true, Some(row)) = (free, &row) {
            outbox::drop_reminders(&mut tx, row).await?;
            outbox::write(&mut tx, &self.outbox_written, row, messages, now).await?;
        }
        tx.commit().await?;
        match (free, row) {
            (true, Some(row)) => Ok(Move::Done(Box::new(row))),
            (true, None) => Ok(Move::Changed),
            (false, _) => Ok(Move::Taken),
        }
    }

    /// Records that a remote provider moved `current` (under `provider_ref` now), with
    /// the key's answer and `messages` (its reminders written again for the new time).
    pub async fn moved(
        &self,
        current: &StoredBooking,
        provider_ref: &str,
        (start, end): (DateTime<Utc>, DateTime<Utc>),
        answers: Option<KeyedAnswers<'_>>,
        messages: &[NewMessage],
        now: DateTime<Utc>,
    ) -> Result<Option<StoredBooking>, StoreError> {
        let mut tx = self.writer.begin_with("BEGIN IMMEDIATE").await?;
        move_row(&mut tx, current, provider_ref, (start, end), now).await?;
        answer(&mut tx, &current.profile, &answers, true, now).await?;
        let row = get(&mut tx, &current.profile, &current.id).await?;
        if let Some(row) = &row {
            outbox::drop_reminders(&mut tx, row).await?;
            outbox::write(&mut tx, &self.outbox_written, row, messages, now).await?;
        }
        tx.commit().await?;
        Ok(row)
    }
}

/// The key's earlier use, if any.
async fn used(
    conn: &mut SqliteConnection,
    profile: &str,
    answers: &Option<KeyedAnswers<'_>>,
    now: DateTime<Utc>,
) -> Result<Option<super::Claim>, StoreError> {
    match answers {
        Some(a) => key_state(conn, profile, a.key, a.fingerprint, now).await,
        None => Ok(None),
    }
}

/// Stores the key's answer for a change made (`done`) or refused as taken.
async fn answer(
    conn: &mut SqliteConnection,
    profile: &str,
    answers: &Option<KeyedAnswers<'_>>,
    done: bool,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let Some(a) = answers else { return Ok(()) };
    let (status, body) = if done { a.done } else { a.taken };
    let answer = Answer {
        fingerprint: a.fingerprint,
        status: Some(status),
        body: Some(body),
    };
    put_key(conn, profile, a.key, answer, now).await
}

/// Active bookings of the profile within a day of `booking`, but `except` itself.
async fn nearby(
    conn: &mut SqliteConnection,
    booking: &StoredBooking,
    except: Option<&str>,
) -> Result<Vec<Slot>, StoreError> {
    let margin = TimeDelta::days(1);
    let from = booking
        .start
        .checked_sub_signed(margin)
        .unwrap_or(booking.start);
    let to = booking
        .end
        .checked_add_signed(margin)
        .unwrap_or(booking.end);
    active_between(conn, &booking.profile, from, to, except).await
}

async fn insert(conn: &mut SqliteConnection, b: &StoredBooking) -> Result<(), StoreError> {
    let sql = format!(
        "INSERT INTO bookings ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    );
    sqlx::query(&sql)
        .bind(&b.profile)
        .bind(&b.id)
        .bind(&b.provider_ref)
        .bind(secs(b.start))
        .bind(secs(b.end))
        .bind(&b.status)
        .bind(&b.name)
        .bind(&b.email)
        .bind(&b.time_zone)
        .bind(&b.locale)
        .bind(&b.answers)
        .bind(&b.title)
        .bind(&b.location)
        .bind(&b.token_hash)
        .bind(i64::from(b.sequence))
        .bind(i64::from(b.reschedules))
        .bind(&b.cancel_reason)
        .bind(secs(b.created_at))
        .bind(secs(b.updated_at))
        .execute(conn)
        .await?;
    Ok(())
}

/// Whether the row is still as `current` says: there, not cancelled, not changed since.
async fn unchanged(
    conn: &mut SqliteConnection,
    current: &StoredBooking,
) -> Result<bool, StoreError> {
    let now = get(conn, &current.profile, &current.id).await?;
    Ok(now.is_some_and(|row| !row.is_cancelled() && row.sequence == current.sequence))
}

async fn move_row(
    conn: &mut SqliteConnection,
    current: &StoredBooking,
    provider_ref: &str,
    (start, end): (DateTime<Utc>, DateTime<Utc>),
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE bookings SET start_at = ?, end_at = ?, provider_ref = ?, reschedules = reschedules + 1,
             sequence = sequence + 1, updated_at = ?
         WHERE profile = ? AND id = ?",
    )
    .bind(secs(start))
    .bind(secs(end))
    .bind(provider_ref)
    .bind(secs(now))
    .bind(&current.profile)
    .bind(&current.id)
    .execute(conn)
    .await?;
    Ok(())
}

async fn get(
    conn: &mut SqliteConnection,
    profile: &str,
    id: &str,
) -> Result<Option<StoredBooking>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM bookings WHERE profile = ? AND id = ?");
    let row = sqlx::query(&sql)
        .bind(profile)
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(row_to_booking).transpose()
}

async fn active_between(
    conn: &mut SqliteConnection,
    profile: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    except: Option<&str>,
) -> Result<Vec<Slot>, StoreError> {
    let rows = sqlx::query(
        "SELECT start_at, end_at FROM bookings
         WHERE profile = ? AND status != 'cancelled' AND start_at < ? AND end_at > ?
           AND (?4 IS NULL OR id != ?4)
         ORDER BY start_at",
    )
    .bind(profile)
    .bind(secs(to))
    .bind(secs(from))
    .bind(except)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Slot {
                start: instant(r.try_get("start_at")?),
                end: instant(r.try_get("end_at")?),
            })
        })
        .collect()
}

fn row_to_booking(row: &SqliteRow) -> Result<StoredBooking, StoreError> {
    let count = |name: &str| -> Result<u32, StoreError> {
        Ok(u32::try_from(row.try_get::<i64, _>(name)?).unwrap_or(u32::MAX))
    };
    Ok(StoredBooking {
        profile: row.try_get("profile")?,
        id: row.try_get("id")?,
        provider_ref: row.try_get("provider_ref")?,
        start: instant(row.try_get("start_at")?),
        end: instant(row.try_get("end_at")?),
        status: row.try_get("status")?,
        name: row.try_get("name")?,
        email: row.try_get("email")?,
        time_zone: row.try_get("time_zone")?,
        locale: row.try_get("locale")?,
        answers: row.try_get("answers")?,
        title: row.try_get("title")?,
        location: row.try_get("location")?,
        token_hash: row.try_get("token_hash")?,
        sequence: count("sequence")?,
        reschedules: count("reschedules")?,
        cancel_reason: row.try_get("cancel_reason")?,
        created_at: instant(row.try_get("created_at")?),
        updated_at: instant(row.try_get("updated_at")?),
    })
}
