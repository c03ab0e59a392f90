//! Holds in SQLite.

use async_trait::async_trait;
use booking_wire::Slot;
use chrono::{DateTime, Utc};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};

use super::bookings::active_between;
use super::SqliteStore;
use crate::store::holds::around;
use crate::store::{instant, secs, Holds, IsFree, Nearby, Placed, StoreError, StoredHold};

const COLUMNS: &str = "id, profile, start_at, end_at, expires_at, provider_ref";

#[async_trait]
impl Holds for SqliteStore {
    /// Places `hold` for `client` if `is_free` agrees, in one transaction that also removes
    /// the client's earlier hold of the profile (live or not) and the profile's expired ones.
    async fn place_hold(
        &self,
        hold: &StoredHold,
        client: &str,
        now: DateTime<Utc>,
        is_free: IsFree<'_, Nearby>,
    ) -> Result<Placed, StoreError> {
        let mut tx = self.writer.begin_with("BEGIN IMMEDIATE").await?;
        let (from, to) = around(hold.start, hold.end);
        let bookings = active_between(&mut tx, &hold.profile, from, to, None).await?;
        let earlier = by_client(&mut tx, &hold.profile, client, now).await?;
        let holds = live_between(
            &mut tx,
            &hold.profile,
            (from, to),
            now,
            earlier.as_ref().map(|h| h.id.as_str()),
        )
        .await?;
        if !is_free(Nearby { bookings, holds }) {
            tx.rollback().await?;
            return Ok(Placed::Taken);
        }
        let sql = format!(
            "DELETE FROM holds WHERE profile = ? AND (client = ? OR expires_at <= ?) RETURNING {COLUMNS}"
        );
        let gone = sqlx::query(&sql)
            .bind(&hold.profile)
            .bind(client)
            .bind(secs(now))
            .fetch_all(&mut *tx)
            .await?;
        let replaced_id = earlier.as_ref().map(|h| h.id.as_str());
        let lapsed = gone
            .iter()
            .map(to_hold)
            .filter(|h| {
                h.as_ref()
                    .map_or(true, |h| Some(h.id.as_str()) != replaced_id)
            })
            .collect::<Result<Vec<_>, _>>()?;
        sqlx::query(&format!(
            "INSERT INTO holds ({COLUMNS}, client) VALUES (?, ?, ?, ?, ?, ?, ?)"
        ))
        .bind(&hold.id)
        .bind(&hold.profile)
        .bind(secs(hold.start))
        .bind(secs(hold.end))
        .bind(secs(hold.expires_at))
        .bind(&hold.provider_ref)
        .bind(client)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Placed::Done {
            replaced: earlier,
            lapsed,
        })
    }

    /// Hold `id` if it is live, whatever its profile.
    async fn hold(&self, id: &str, now: DateTime<Utc>) -> Result<Option<StoredHold>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM holds WHERE id = ? AND expires_at > ?");
        let row = sqlx::query(&sql)
            .bind(id)
            .bind(secs(now))
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(to_hold).transpose()
    }

    /// Removes hold `id` if it is still live; the row it was.
    async fn release_hold(
        &self,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<StoredHold>, StoreError> {
        let sql = format!("DELETE FROM holds WHERE id = ? AND expires_at > ? RETURNING {COLUMNS}");
        let row = sqlx::query(&sql)
            .bind(id)
            .bind(secs(now))
            .fetch_optional(&self.writer)
            .await?;
        row.as_ref().map(to_hold).transpose()
    }

    /// Hold `id` if it is live and of `profile`.
    async fn live_hold(
        &self,
        profile: &str,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<StoredHold>, StoreError> {
        let sql =
            format!("SELECT {COLUMNS} FROM holds WHERE id = ? AND profile = ? AND expires_at > ?");
        let row = sqlx::query(&sql)
            .bind(id)
            .bind(profile)
            .bind(secs(now))
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(to_hold).transpose()
    }

    /// The live holds of `profile` overlapping `[from, to)`, but hold `except`.
    async fn holds_between(
        &self,
        profile: &str,
        range: (DateTime<Utc>, DateTime<Utc>),
        now: DateTime<Utc>,
        except: Option<&str>,
    ) -> Result<Vec<StoredHold>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        live_rows(&mut conn, profile, range, now, except).await
    }
}

/// The times of the live holds of `profile` overlapping `[from, to)`, but hold `except`.
pub(super) async fn live_between(
    conn: &mut SqliteConnection,
    profile: &str,
    range: (DateTime<Utc>, DateTime<Utc>),
    now: DateTime<Utc>,
    except: Option<&str>,
) -> Result<Vec<Slot>, StoreError> {
    let rows = live_rows(conn, profile, range, now, except).await?;
    Ok(rows
        .into_iter()
        .map(|h| Slot {
            start: h.start,
            end: h.end,
        })
        .collect())
}

async fn live_rows(
    conn: &mut SqliteConnection,
    profile: &str,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    now: DateTime<Utc>,
    except: Option<&str>,
) -> Result<Vec<StoredHold>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM holds
         WHERE profile = ?1 AND start_at < ?2 AND end_at > ?3 AND expires_at > ?4
           AND (?5 IS NULL OR id != ?5)
         ORDER BY start_at"
    );
    let rows = sqlx::query(&sql)
        .bind(profile)
        .bind(secs(to))
        .bind(secs(from))
        .bind(secs(now))
        .bind(except)
        .fetch_all(conn)
        .await?;
    rows.iter().map(to_hold).collect()
}

/// The client's live hold of `profile`, if any.
async fn by_client(
    conn: &mut SqliteConnection,
    profile: &str,
    client: &str,
    now: DateTime<Utc>,
) -> Result<Option<StoredHold>, StoreError> {
    let sql =
        format!("SELECT {COLUMNS} FROM holds WHERE profile = ? AND client = ? AND expires_at > ?");
    let row = sqlx::query(&sql)
        .bind(profile)
        .bind(client)
        .bind(secs(now))
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(to_hold).transpose()
}

/// Removes hold `id` (the booking that used it was made), inside the caller's transaction.
pub(super) async fn consume(
    conn: &mut SqliteConnection,
    profile: &str,
    id: &str,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM holds WHERE id = ? AND profile = ?")
        .bind(id)
        .bind(profile)
        .execute(conn)
        .await?;
    Ok(())
}

fn to_hold(row: &SqliteRow) -> Result<StoredHold, StoreError> {
    Ok(StoredHold {
        id: row.try_get("id")?,
        profile: row.try_get("profile")?,
        start: instant(row.try_get("start_at")?),
        end: instant(row.try_get("end_at")?),
        expires_at: instant(row.try_get("expires_at")?),
        provider_ref: row.try_get("provider_ref")?,
    })
}
