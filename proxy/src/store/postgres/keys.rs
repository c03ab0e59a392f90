//! Idempotency-Key records: the first answer to a request, replayed to its retries for
//! 24 hours.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, Row};

use super::{begin, PgStore};
use crate::store::{instant, secs, Claim, Keys, StoreError, IDEMPOTENCY_TTL, IN_FLIGHT_STALE};

#[async_trait]
impl Keys for PgStore {
    /// How an Idempotency-Key was used before, if it was (and is not forgotten or
    /// abandoned); `None` when a request may go ahead with it. Reads only.
    async fn key_used(
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
    async fn claim(
        &self,
        profile: &str,
        key: &str,
        fingerprint: &str,
        now: DateTime<Utc>,
    ) -> Result<Claim, StoreError> {
        let mut tx = begin(&self.pool, profile).await?;
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
    async fn complete(
        &self,
        profile: &str,
        key: &str,
        status: u16,
        body: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE idempotency SET status = $1, body = $2 WHERE profile = $3 AND key = $4",
        )
        .bind(i64::from(status))
        .bind(body)
        .bind(profile)
        .bind(key)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Forgets a claimed key whose request failed on our side, so a retry runs again.
    async fn release(&self, profile: &str, key: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM idempotency WHERE profile = $1 AND key = $2 AND status IS NULL")
            .bind(profile)
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Drops idempotency records past their 24 hours.
    async fn purge_idempotency(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM idempotency WHERE created_at <= $1")
            .bind(secs(now - IDEMPOTENCY_TTL))
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}

/// How `key` was used, if it still counts: a different body, an answer to replay, or a
/// request still running. Forgotten (past 24 hours) and abandoned (unanswered past
/// `IN_FLIGHT_STALE`) records count as unused.
pub(super) async fn key_state(
    conn: &mut PgConnection,
    profile: &str,
    key: &str,
    fingerprint: &str,
    now: DateTime<Utc>,
) -> Result<Option<Claim>, StoreError> {
    let row = sqlx::query(
        "SELECT fingerprint, status, body, created_at FROM idempotency WHERE profile = $1 AND key = $2",
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
pub(super) struct Answer<'a> {
    pub fingerprint: &'a str,
    pub status: Option<u16>,
    pub body: Option<&'a str>,
}

/// Writes `key`'s record, replacing a forgotten or abandoned one.
pub(super) async fn put_key(
    conn: &mut PgConnection,
    profile: &str,
    key: &str,
    answer: Answer<'_>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO idempotency (profile, key, fingerprint, status, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (profile, key) DO UPDATE SET fingerprint = excluded.fingerprint,
             status = excluded.status, body = excluded.body, created_at = excluded.created_at",
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
