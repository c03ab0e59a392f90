//! The store in PostgreSQL, shared by any number of proxies. Every write of a profile's
//! rows takes that profile's transaction-scoped advisory lock first, so a check and the
//! write it allows are never interleaved with another's, on any instance; an exclusion
//! constraint (`btree_gist`) refuses overlapping local bookings whatever the checks said.

mod bookings;
mod holds;
mod keys;
mod outbox;
mod profiles;

use std::sync::{Arc, Weak};
use std::time::Duration;

use sqlx::postgres::{PgListener, PgPoolOptions};
use sqlx::{PgConnection, PgPool, Postgres, Transaction};
use tokio::sync::{broadcast, Notify};

use super::StoreError;
use crate::notify::NewMessage;

pub struct PgStore {
    pool: PgPool,
    /// Told when messages written here are committed (its worker waits on it).
    outbox_written: Arc<Notify>,
    /// The profiles whose bookings or holds changed, by any process: what `LISTEN` hears.
    changes: broadcast::Sender<String>,
    /// The stored profiles changed, by any process.
    profile_changes: broadcast::Sender<String>,
    /// Its listener stops once this is gone.
    _alive: Arc<()>,
}

/// The channel every process `NOTIFY`s with a profile's id when its bookings or holds
/// change, in the transaction of the change (so it is heard once committed).
const CHANNEL: &str = "booking_changed";

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
        let mut listener = PgListener::connect_with(&pool).await?;
        listener
            .listen_all([CHANNEL, profiles::PROFILE_CHANNEL])
            .await?;
        let (changes, _) = broadcast::channel(1024);
        let (profile_changes, _) = broadcast::channel(1024);
        let alive = Arc::new(());
        let heard = Heard {
            bookings: changes.clone(),
            profiles: profile_changes.clone(),
        };
        tokio::spawn(listen(listener, heard, Arc::downgrade(&alive)));
        Ok(Self {
            pool,
            outbox_written: Arc::new(Notify::new()),
            changes,
            profile_changes,
            _alive: alive,
        })
    }

    /// Wakes the outbox worker after a commit that wrote `messages`.
    fn written(&self, messages: &[NewMessage]) {
        if !messages.is_empty() {
            self.outbox_written.notify_one();
        }
    }
}

/// Where what `LISTEN` hears goes, by channel.
struct Heard {
    bookings: broadcast::Sender<String>,
    profiles: broadcast::Sender<String>,
}

/// Passes on what `LISTEN` hears while the store lives. A lost connection is re-opened;
/// what was said meanwhile is unknown, so then every profile counts as changed.
async fn listen(mut listener: PgListener, heard: Heard, alive: Weak<()>) {
    while alive.strong_count() > 0 {
        // No one subscribed (yet) is fine.
        match listener.try_recv().await {
            Ok(Some(n)) if n.channel() == profiles::PROFILE_CHANNEL => {
                let _ = heard.profiles.send(n.payload().to_owned());
            }
            Ok(Some(n)) => {
                let _ = heard.bookings.send(n.payload().to_owned());
            }
            Ok(None) => everything_changed(&heard),
            Err(e) => {
                tracing::warn!(error = %e, "database: listening for changes failed");
                tokio::time::sleep(Duration::from_secs(1)).await;
                everything_changed(&heard);
            }
        }
    }
}

fn everything_changed(heard: &Heard) {
    let _ = heard.bookings.send(String::new());
    let _ = heard.profiles.send(String::new());
}

/// Tells every process that `profile`'s bookings or holds change with this transaction.
async fn announce(conn: &mut PgConnection, profile: &str) -> Result<(), StoreError> {
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(CHANNEL)
        .bind(profile)
        .execute(conn)
        .await?;
    Ok(())
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
