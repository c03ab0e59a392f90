//! Stored profiles. Other processes on the file learn of a change when their copy is next
//! checked against the version (see `crate::profiles`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;

use super::SqliteStore;
use crate::store::{instant, secs, Profiles, StoreError, StoredProfile};

const COLUMNS: &str = "id, body, version, updated_at";

#[async_trait]
impl Profiles for SqliteStore {
    async fn stored_profile(&self, id: &str) -> Result<Option<StoredProfile>, StoreError> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM profiles WHERE id = ?"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| decode(&r)).transpose()
    }

    async fn profile_version(&self, id: &str) -> Result<Option<i64>, StoreError> {
        let version = sqlx::query_scalar("SELECT version FROM profiles WHERE id = ?")
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
        let mut tx = self.writer.begin_with("BEGIN IMMEDIATE").await?;
        let before: Option<i64> = sqlx::query_scalar("SELECT version FROM profiles WHERE id = ?")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        let version: i64 =
            sqlx::query_scalar("UPDATE profile_versions SET last = last + 1 RETURNING last")
                .fetch_one(&mut *tx)
                .await?;
        sqlx::query(
            "INSERT INTO profiles (id, body, version, updated_at) VALUES (?, ?, ?, ?) \
             ON CONFLICT (id) DO UPDATE SET body = excluded.body, version = excluded.version, \
             updated_at = excluded.updated_at",
        )
        .bind(id)
        .bind(body)
        .bind(version)
        .bind(secs(now))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        let row = StoredProfile {
            id: id.to_owned(),
            body: body.to_owned(),
            version,
            updated_at: instant(secs(now)),
        };
        Ok((row, before.is_none()))
    }

    async fn delete_profile(&self, id: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM profiles WHERE id = ?")
            .bind(id)
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected() > 0)
    }
}

fn decode(row: &SqliteRow) -> Result<StoredProfile, StoreError> {
    Ok(StoredProfile {
        id: row.try_get("id")?,
        body: row.try_get("body")?,
        version: row.try_get("version")?,
        updated_at: instant(row.try_get("updated_at")?),
    })
}
