//! The local provider's SQLite store (sqlx): bookings and Idempotency-Key records.
//! A booking's availability check and insert run in one `BEGIN IMMEDIATE` transaction,
//! so concurrent requests for overlapping times give exactly one booking.

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};

use booking_wire::Slot;

/// Idempotency records older than this are forgotten.
pub const IDEMPOTENCY_TTL: TimeDelta = TimeDelta::hours(24);
/// An unfinished record this old belongs to a request that died; it may be taken over.
pub const IN_FLIGHT_STALE: TimeDelta = TimeDelta::minutes(2);

#[derive(Debug, thiserror::Error)]
#[error("database: {0}")]
pub struct StoreError(#[from] sqlx::Error);

/// Readers share a pool; writes go through one connection, so in-process writers queue
/// in the pool (fair, async) instead of in SQLite's sleeping busy handler. `BEGIN
/// IMMEDIATE` still guards against other processes on the same file.
#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
    writer: SqlitePool,
}

/// One row of `bookings`.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredBooking {
    pub id: String,
    pub profile: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub status: String,
    pub name: String,
    pub email: String,
    pub time_zone: String,
    pub answers: String,
    pub created_at: DateTime<Utc>,
}

/// What happened to an insert.
#[derive(Debug, PartialEq, Eq)]
pub enum Insert {
    Done,
    /// The availability check (run inside the transaction) said no.
    Taken,
    /// The Idempotency-Key was already used: nothing was written.
    Used(Claim),
}

/// The answers to keep under a booking's Idempotency-Key, written in the booking's own
/// transaction: the 201's body if it is made, the 409's if the time is taken.
#[derive(Debug, Clone, Copy)]
pub struct KeyedAnswers<'a> {
    pub key: &'a str,
    pub fingerprint: &'a str,
    pub created: &'a str,
    pub taken: &'a str,
}

/// What an Idempotency-Key claim found.
#[derive(Debug, PartialEq, Eq)]
pub enum Claim {
    /// First use: go ahead, then `complete` or `release`.
    New,
    InFlight,
    /// The key was used for a different body.
    Mismatch,
    /// Already answered: send this again.
    Done {
        status: u16,
        body: String,
    },
}

fn secs(t: DateTime<Utc>) -> i64 {
    t.timestamp()
}

fn instant(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

impl Store {
    /// Opens (creating if missing) the database at an sqlx SQLite URL and migrates it.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(15))
            .connect_with(options.clone())
            .await?;
        sqlx::migrate!("./migrations")
            .run(&writer)
            .await
            .map_err(sqlx::Error::from)?;
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(15))
            .connect_with(options)
            .await?;
        Ok(Self { pool, writer })
    }

    /// Inserts `booking` if `is_free` agrees, given the profile's active bookings within a
    /// day of it. With `answers`, the Idempotency-Key is checked and its answer stored in
    /// the same transaction: a crash can lose the whole booking, never half of it, so a
    /// retry either replays the booking or makes it.
    pub async fn insert_if_free(
        &self,
        booking: &StoredBooking,
        is_free: impl FnOnce(Vec<Slot>) -> bool,
        answers: Option<KeyedAnswers<'_>>,
    ) -> Result<Insert, StoreError> {
        let mut tx = self.writer.begin_with("BEGIN IMMEDIATE").await?;
        if let Some(a) = &answers {
            if let Some(used) = key_state(
                &mut tx,
                &booking.profile,
                a.key,
                a.fingerprint,
                booking.created_at,
            )
            .await?
            {
                tx.rollback().await?;
                return Ok(Insert::Used(used));
            }
        }
        let margin = TimeDelta::days(1);
        let nearby = active_between(
            &mut tx,
            &booking.profile,
            booking.start - margin,
            booking.end + margin,
        )
        .await?;
        let free = is_free(nearby);
        if free {
            sqlx::query(
                "INSERT INTO bookings (id, profile, start_at, end_at, status, name, email, time_zone, answers, created_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(&booking.id)
            .bind(&booking.profile)
            .bind(secs(booking.start))
            .bind(secs(booking.end))
            .bind(&booking.status)
            .bind(&booking.name)
            .bind(&booking.email)
            .bind(&booking.time_zone)
            .bind(&booking.answers)
            .bind(secs(booking.created_at))
            .execute(&mut *tx)
            .await?;
        }
        if let Some(a) = &answers {
            let (status, body) = if free {
                (201, a.created)
            } else {
                (409, a.taken)
            };
            let answer = Answer {
                fingerprint: a.fingerprint,
                status: Some(status),
                body: Some(body),
            };
            put_key(&mut tx, &booking.profile, a.key, answer, booking.created_at).await?;
        }
        crate::fault::point("local-booking-before-commit");
        tx.commit().await?;
        crate::fault::point("local-booking-committed");
        Ok(if free { Insert::Done } else { Insert::Taken })
    }

    /// Active (not cancelled) bookings of `profile` overlapping `[from, to)`.
    pub async fn active_between(
        &self,
        profile: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Slot>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        active_between(&mut conn, profile, from, to).await
    }

    /// All bookings, newest start first; only `profile`'s when given.
    pub async fn list(&self, profile: Option<&str>) -> Result<Vec<StoredBooking>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM bookings WHERE (?1 IS NULL OR profile = ?1) ORDER BY start_at DESC, id",
        )
        .bind(profile)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(row_to_booking).collect()
    }

    pub async fn get(&self, id: &str) -> Result<Option<StoredBooking>, StoreError> {
        let row = sqlx::query("SELECT * FROM bookings WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(row_to_booking).transpose()
    }

    /// Marks a booking cancelled, freeing its time. False if there is no such active booking.
    pub async fn cancel(&self, id: &str) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE bookings SET status = 'cancelled' WHERE id = ? AND status != 'cancelled'",
        )
        .bind(id)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// How an Idempotency-Key was used before, if it was (and is not forgotten or
    /// abandoned); `None` when a request may go ahead with it. Reads only.
    pub async fn key_used(
        &self,
        profile: &str,
        key: &str,
        fingerprint: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Claim>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        key_state(&mut conn, profile, key, fingerprint, now).await
    }

    /// Records the first use of an Idempotency-Key, or says how it was used before.
    pub async fn claim(
        &self,
        profile: &str,
        key: &str,
        fingerprint: &str,
        now: DateTime<Utc>,
    ) -> Result<Claim, StoreError> {
        let mut tx = self.writer.begin_with("BEGIN IMMEDIATE").await?;
        if let Some(claim) = key_state(&mut tx, profile, key, fingerprint, now).await? {
            tx.rollback().await?;
            return Ok(claim);
        }
        let answer = Answer {
            fingerprint,
            status: None,
            body: None,
        };
        put_key(&mut tx, profile, key, answer, now).await?;
        tx.commit().await?;
        Ok(Claim::New)
    }

    /// Stores the answer to a claimed key, for replays.
    pub async fn complete(
        &self,
        profile: &str,
        key: &str,
        status: u16,
        body: &str,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE idempotency SET status = ?, body = ? WHERE profile = ? AND key = ?")
            .bind(i64::from(status))
            .bind(body)
            .bind(profile)
            .bind(key)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// Forgets a claimed key whose request failed on our side, so a retry runs again.
    pub async fn release(&self, profile: &str, key: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM idempotency WHERE profile = ? AND key = ? AND status IS NULL")
            .bind(profile)
            .bind(key)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// Drops idempotency records past their 24 hours.
    pub async fn purge_idempotency(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM idempotency WHERE created_at <= ?")
            .bind(secs(now - IDEMPOTENCY_TTL))
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected())
    }
}

/// How `key` was used, if it still counts: a different body, an answer to replay, or a
/// request still running. Forgotten (past 24 hours) and abandoned (unanswered past
/// `IN_FLIGHT_STALE`) records count as unused.
async fn key_state(
    conn: &mut sqlx::SqliteConnection,
    profile: &str,
    key: &str,
    fingerprint: &str,
    now: DateTime<Utc>,
) -> Result<Option<Claim>, StoreError> {
    let row = sqlx::query(
        "SELECT fingerprint, status, body, created_at FROM idempotency WHERE profile = ? AND key = ?",
    )
    .bind(profile)
    .bind(key)
    .fetch_optional(conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let created = instant(row.try_get("created_at")?);
    if created <= now - IDEMPOTENCY_TTL {
        return Ok(None);
    }
    let status: Option<i64> = row.try_get("status")?;
    Ok(if row.try_get::<String, _>("fingerprint")? != fingerprint {
        Some(Claim::Mismatch)
    } else if let Some(status) = status {
        let body: Option<String> = row.try_get("body")?;
        Some(Claim::Done {
            status: u16::try_from(status).unwrap_or(500),
            body: body.unwrap_or_default(),
        })
    } else if created > now - IN_FLIGHT_STALE {
        Some(Claim::InFlight)
    } else {
        None
    })
}

/// A key's record: its body's fingerprint and, once answered, the answer.
struct Answer<'a> {
    fingerprint: &'a str,
    status: Option<u16>,
    body: Option<&'a str>,
}

/// Writes `key`'s record, replacing a forgotten or abandoned one.
async fn put_key(
    conn: &mut sqlx::SqliteConnection,
    profile: &str,
    key: &str,
    answer: Answer<'_>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO idempotency (profile, key, fingerprint, status, body, created_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (profile, key) DO UPDATE SET fingerprint = excluded.fingerprint, status = excluded.status,
             body = excluded.body, created_at = excluded.created_at",
    )
    .bind(profile)
    .bind(key)
    .bind(answer.fingerprint)
    .bind(answer.status.map(i64::from))
    .bind(answer.body)
    .bind(secs(now))
    .execute(conn)
    .await?;
    Ok(())
}

async fn active_between(
    conn: &mut sqlx::SqliteConnection,
    profile: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Slot>, StoreError> {
    let rows = sqlx::query(
        "SELECT start_at, end_at FROM bookings
         WHERE profile = ? AND status != 'cancelled' AND start_at < ? AND end_at > ?
         ORDER BY start_at",
    )
    .bind(profile)
    .bind(secs(to))
    .bind(secs(from))
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

fn row_to_booking(row: &sqlx::sqlite::SqliteRow) -> Result<StoredBooking, StoreError> {
    Ok(StoredBooking {
        id: row.try_get("id")?,
        profile: row.try_get("profile")?,
        start: instant(row.try_get("start_at")?),
        end: instant(row.try_get("end_at")?),
        status: row.try_get("status")?,
        name: row.try_get("name")?,
        email: row.try_get("email")?,
        time_zone: row.try_get("time_zone")?,
        answers: row.try_get("answers")?,
        created_at: instant(row.try_get("created_at")?),
    })
}
