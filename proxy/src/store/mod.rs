//! The proxy's database (sqlx): a row for every booking made through it (the local
//! provider's are its schedule), the Idempotency-Key records, the visitors' holds, the
//! outbox of notifications, and the profiles kept as data. One interface (`backend`), one
//! module per database: SQLite (the default) and PostgreSQL; `Store` is the handle the
//! rest of the proxy holds.

mod api;
mod backend;
pub mod holds;
pub mod outbox;
mod postgres;
mod sqlite;

use booking_wire::{Booking, BookingRequest, BookingStatus};
use chrono::{DateTime, TimeDelta, Utc};

pub use api::Store;
pub use backend::{Backend, Bookings, Holds, IsFree, Keys, Outbox, Profiles};
pub use holds::{Holding, Nearby, Placed, StoredHold};
pub use outbox::{OutboxRow, OUTBOX_KEEP};
pub use postgres::PgStore;
pub use sqlite::SqliteStore;

/// Idempotency records older than this are forgotten.
pub const IDEMPOTENCY_TTL: TimeDelta = TimeDelta::hours(24);
/// An unfinished record this old belongs to a request that died; it may be taken over.
pub const IN_FLIGHT_STALE: TimeDelta = TimeDelta::minutes(2);

#[derive(Debug, thiserror::Error)]
#[error("database: {0}")]
pub struct StoreError(#[from] sqlx::Error);

/// One row of `profiles`: a profile's keys as JSON, as a `[profiles.ID]` table has them.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredProfile {
    pub id: String,
    pub body: String,
    /// Given anew on every change, higher each time, never reused (not even for an id
    /// removed and made again).
    pub version: i64,
    pub updated_at: DateTime<Utc>,
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

/// How a write decides that its time is free: `check` runs inside its transaction on what
/// stands near the time; `buffer` is what the profile keeps free after each booking, which
/// PostgreSQL's exclusion constraint enforces as well.
pub struct Free<F> {
    pub buffer: TimeDelta,
    pub check: F,
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
