//! The store in one SQLite file (the default). A change of a booking and the checks it
//! depends on run in one `BEGIN IMMEDIATE` transaction, so concurrent requests for
//! overlapping times give exactly one booking.

mod bookings;
mod holds;
mod keys;
mod outbox;
mod profiles;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use tokio::sync::Notify;

use super::StoreError;

/// Readers share a pool; writes go through one connection, so in-process writers queue
/// in the pool (fair, async) instead of in SQLite's sleeping busy handler. `BEGIN
/// IMMEDIATE` still guards against other processes on the same file.
pub struct SqliteStore {
    pool: SqlitePool,
    writer: SqlitePool,
    /// Told when messages are written to the outbox (its worker waits on it).
    outbox_written: Arc<Notify>,
}

impl SqliteStore {
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
