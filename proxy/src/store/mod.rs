//! The proxy's database (sqlx, SQLite): a row for every booking made through it (the local
//! provider's are its schedule), the Idempotency-Key records, the visitors' holds, and the
//! outbox of notifications. A change of a booking
//! and the checks it depends on run in one `BEGIN IMMEDIATE` transaction, so concurrent
//! requests for overlapping times give exactly one booking.

mod bookings;
mod holds;
mod keys;
mod outbox;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use booking_wire::{Booking, BookingRequest, BookingStatus};
use chrono::{DateTime, TimeDelta, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use tokio::sync::Notify;

pub use holds::{Holding, Nearby, Placed, StoredHold};
pub use outbox::{OutboxRow, OUTBOX_KEEP};

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
    /// Told when messages are written to the outbox (its worker waits on it).
    outbox_written: Arc<Notify>,
}

/// One row of `bookings`.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredBooking {
    pub profile: String,
    /// The proxy's id: `bk_…` for the local provider, the provider's first id otherwise.
    pub id: String,
    /// The provider's id now (Cal.com gives a new one on every reschedule).
    pub provider_ref: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// `confirmed`, `pending` or `cancelled`.
    pub status: String,
    pub name: String,
    pub email: String,
    pub time_zone: String,
    pub locale: Option<String>,
    /// JSON: `{"fields": {...}, "guests": [...], "notes": "..."}`.
    pub answers: String,
    pub title: String,
    pub location: Option<String>,
    /// SHA-256 of the manage token, hex; `None` for rows made before tokens existed.
    pub token_hash: Option<String>,
    /// Raised on every change.
    pub sequence: u32,
    pub reschedules: u32,
    pub cancel_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl StoredBooking {
    /// The row for a booking just made (by any provider) for `request`, with no manage
    /// token yet.
    pub fn new(
        profile: &str,
        booking: &Booking,
        request: &BookingRequest,
        now: DateTime<Utc>,
    ) -> Self {
        let answers = serde_json::json!({
            "fields": request.fields, "guests": request.guests, "notes": request.notes,
        });
        Self {
            profile: profile.to_owned(),
            id: booking.id.clone(),
            provider_ref: booking.id.clone(),
            start: booking.start,
            end: booking.end,
            status: booking.status.as_str().to_owned(),
            name: request.name.trim().to_owned(),
            email: request.email.trim().to_owned(),
            time_zone: request.time_zone.clone(),
            locale: request.locale.clone(),
            answers: answers.to_string(),
            title: booking.title.clone(),
            location: booking.location.clone(),
            token_hash: None,
            sequence: 0,
            reschedules: 0,
            cancel_reason: None,
            created_at: now,
            updated_at: now,
        }
    }

    pub fn is_cancelled(&self) -> bool {
        self.status == "cancelled"
    }

    /// The booking as the API shows it.
    pub fn booking(&self) -> Booking {
        Booking {
            id: self.id.clone(),
            status: BookingStatus::from_name(&self.status).unwrap_or(BookingStatus::Confirmed),
            start: self.start,
            end: self.end,
            time_zone: self.time_zone.clone(),
            title: self.title.clone(),
            location: self.location.clone(),
        }
    }
}

/// What happened to a write that first checks the time is free.
#[derive(Debug, PartialEq)]
pub enum Insert {
    Done,
    /// The availability check (run inside the transaction) said no.
    Taken,
    /// The Idempotency-Key was already used: nothing was written.
    Used(Claim),
}

/// What happened to a reschedule.
#[derive(Debug, PartialEq)]
pub enum Move {
    Done(Box<StoredBooking>),
    Taken,
    /// The booking is not there, or no longer as it was read (cancelled or moved since).
    Changed,
    Used(Claim),
}

/// The answers to keep under a request's Idempotency-Key, written in the same transaction
/// as the change: one if it is made, one if the time is taken.
#[derive(Debug, Clone, Copy)]
pub struct KeyedAnswers<'a> {
    pub key: &'a str,
    pub fingerprint: &'a str,
    pub done: (u16, &'a str),
    pub taken: (u16, &'a str),
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
        Ok(Self {
            pool,
            writer,
            outbox_written: Arc::new(Notify::new()),
        })
    }
}
