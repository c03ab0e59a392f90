//! Stored profiles, shared by every instance: each change is announced on
//! `profile_changed` in its transaction, so every instance drops its copy once it commits.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::postgres::PgRow;
use sqlx::Row;
use tokio::sync::broadcast;

use super::PgStore;
use crate::store::{instant, secs, Profiles, StoreError, StoredProfile};

const COLUMNS: &str = "id, body, version, updated_at";

/// The channel a change of a stored profile is announced on, with its id.
pub(super) const PROFILE_CHANNEL: &str = "profile_changed";

#[async_trait]
impl Profiles for PgStore {
    fn profiles_changed_elsewhere(&self) -> Option<broadcast::Receiver<String>> {
        Some(self.profile_changes.subscribe())
    }

    async fn stored_profile(&self, id: &str) -> Result<Option<StoredProfile>, StoreError> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM profiles WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| decode(&r)).transpose()
    }

    async fn profile_version(&self, id: &str) -> Result<Option<i64>, StoreError> {
        let version = sqlx::query_scalar("SELECT version FROM profiles WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(version)
    }

    async fn stored_profiles(&self) -> Result<Vec<StoredProfile>, StoreError> {
        let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM profiles ORDER BY id"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(decode).collect()
    }

    async fn put_profile(
        &self,
        id: &str,
        body: &str,
        now: DateTime<Utc>,
    ) -> Result<(StoredProfile, bool), StoreError> {
        let mut tx = self.pool.begin().await?;
        // Two first writes of one id at once: the later one updates the earlier's row.
        // `xmax = 0` only on a row this statement inserted.
        let (version, created): (i64, bool) = sqlx::query_as(
            "INSERT INTO profiles (id, body, version, updated_at) \
             VALUES ($1, $2, nextval('profile_versions'), $3) \
             ON CONFLICT (id) DO UPDATE SET body = excluded.body, \
             version = excluded.version, updated_at = excluded.updated_at \
             RETURNING version, (xmax = 0)",
        )
        .bind(id)
        .bind(body)
        .bind(secs(now))
        .fetch_one(&mut *tx)
        .await?;
        announce(&mut tx, id).await?;
        tx.commit().await?;
        let row = StoredProfile {
            id: id.to_owned(),
            body: body.to_owned(),
            version,
            updated_at: instant(secs(now)),
        };
        Ok((row, created))
    }

    async fn delete_profile(&self, id: &str) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query("DELETE FROM profiles WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        announce(&mut tx, id).await?;
        tx.commit().await?;
        Ok(done.rows_affected() > 0)
    }
}

async fn announce(conn: &mut sqlx::PgConnection, id: &str) -> Result<(), StoreError> {
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(PROFILE_CHANNEL)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

fn decode(row: &PgRow) -> Result<StoredProfile, StoreError> {
    Ok(StoredProfile {
        id: row.try_get("id")?,
        body: row.try_get("body")?,
        version: row.try_get("version")?,
        updated_at: instant(row.try_get("updated_at")?),
    })
}
