//! The store in PostgreSQL, shared by any number of proxies. Every write of a profile's
//! rows takes that profile's transaction-scoped advisory lock first, so a check and the
//! write it allows are never interleaved with another's, on any instance; an exclusion
//! constraint (`btree_gist`) refuses overlapping local bookings whatever the checks said.

mod bookings;
mod holds;
mod keys;
mod outbox;

use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::PgPoolOptions;
use sqlx::{PgPool, Postgres, Transaction};
use tokio::sync::Notify;

use super::StoreError;
use crate::notify::NewMessage;

pub struct PgStore {
    pool: PgPool,
    /// Told when messages written here are committed (its worker waits on it).
    outbox_written: Arc<Notify>,
}

impl PgStore {
    /// Connects to the database at a `postgres://` URL and migrates it (sqlx's migrator
    /// holds an advisory lock, so instances starting together migrate once).
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(15))
            .connect(url)
            .await?;
        sqlx::migrate!("./migrations/postgres")
            .run(&pool)
            .await
            .map_err(sqlx::Error::from)?;
        Ok(Self {
            pool,
            outbox_written: Arc::new(Notify::new()),
        })
    }

    /// Wakes the outbox worker after a commit that wrote `messages`.
    fn written(&self, messages: &[NewMessage]) {
        if !messages.is_empty() {
            self.outbox_written.notify_one();
        }
    }
}

/// Begins a transaction that writes `profile`'s rows, holding its advisory lock until the
/// end: writers of one profile take turns, readers never wait.
async fn begin<'a>(
    pool: &'a PgPool,
    profile: &str,
) -> Result<Transaction<'a, Postgres>, StoreError> {
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind(profile)
        .execute(&mut *tx)
        .await?;
    Ok(tx)
}

/// Whether `e` is the exclusion constraint refusing an overlapping booking.
fn is_overlap(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.code().as_deref() == Some("23P01"))
}
