//! The outbox in PostgreSQL: workers on every instance take rows with `FOR UPDATE SKIP
//! LOCKED`, so a row is taken by one of them while the others pass it by.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};
use tokio::sync::Notify;

use super::PgStore;
use crate::notify::{Event, NewMessage};
use crate::store::outbox::{plan, COLUMNS, FIRST_OF_ITS_DESTINATION};
use crate::store::{instant, secs, Outbox, OutboxRow, StoreError, StoredBooking, OUTBOX_KEEP};

/// Writes `messages` about `row` (as the change left it) inside the change's transaction;
/// the caller wakes the worker once it is committed.
pub(super) async fn write(
    conn: &mut PgConnection,
    row: &StoredBooking,
    messages: &[NewMessage],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    for m in plan(row, messages, now) {
        sqlx::query(
            "INSERT INTO outbox (profile, booking_id, event, channel, destination, host_copy,
                 message_id, payload, sequence, locale, link, lead_minutes, due_at, next_at,
                 state, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13,
                 CASE WHEN EXISTS (SELECT 1 FROM outbox_disabled WHERE channel = $4 AND destination = $5)
                      THEN 'disabled' ELSE 'pending' END, $14)",
        )
        .bind(&row.profile)
        .bind(&row.id)
        .bind(m.event)
        .bind(m.channel)
        .bind(m.destination)
        .bind(m.host_copy)
        .bind(m.message_id)
        .bind(m.payload)
        .bind(i64::from(row.sequence))
        .bind(&row.locale)
        .bind(m.link)
        .bind(m.lead_minutes)
        .bind(secs(m.due_at))
        .bind(secs(now))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Forgets a booking's reminders not yet sent (it was cancelled, or moved: a move writes
/// them again for the new time).
pub(super) async fn drop_reminders(
    conn: &mut PgConnection,
    row: &StoredBooking,
) -> Result<(), StoreError> {
    sqlx::query(
        "DELETE FROM outbox WHERE profile = $1 AND booking_id = $2 AND event = $3 AND state = 'pending'",
    )
    .bind(&row.profile)
    .bind(&row.id)
    .bind(Event::Reminder.name())
    .execute(conn)
    .await?;
    Ok(())
}

#[async_trait]
impl Outbox for PgStore {
    /// Told whenever messages are written.
    fn outbox_written(&self) -> Arc<Notify> {
        self.outbox_written.clone()
    }

    /// Takes up to `limit` messages due at `now`, the first of each destination, for
    /// `lease`: until then no one else takes them; past it (the taker died) they are
    /// taken again.
    async fn claim_messages(
        &self,
        now: DateTime<Utc>,
        lease: TimeDelta,
        limit: u32,
    ) -> Result<Vec<OutboxRow>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let sql = format!(
            "SELECT o.id FROM outbox o
             WHERE {FIRST_OF_ITS_DESTINATION} AND o.next_at <= $1
               AND (o.lease_until IS NULL OR o.lease_until <= $1)
             ORDER BY o.due_at, o.id LIMIT $2
             FOR UPDATE OF o SKIP LOCKED"
        );
        let ids: Vec<i64> = sqlx::query_scalar(&sql)
            .bind(secs(now))
            .bind(i64::from(limit))
            .fetch_all(&mut *tx)
            .await?;
        let mut rows = Vec::with_capacity(ids.len());
        for id in ids {
            sqlx::query(
                "UPDATE outbox SET lease_until = $1, attempts = attempts + 1,
                     first_attempt_at = COALESCE(first_attempt_at, $2)
                 WHERE id = $3",
            )
            .bind(secs(now + lease))
            .bind(secs(now))
            .bind(id)
            .execute(&mut *tx)
            .await?;
            let sql = format!("SELECT {COLUMNS} FROM outbox WHERE id = $1");
            let row = sqlx::query(&sql).bind(id).fetch_one(&mut *tx).await?;
            rows.push(row_to_message(&row)?);
        }
        tx.commit().await?;
        Ok(rows)
    }

    /// When the next message may be taken (a first of its destination coming due, out of
    /// backoff, or out of a dead taker's lease); `None` when nothing is pending.
    async fn next_message_at(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let sql = format!(
            "SELECT MIN(GREATEST(o.next_at, COALESCE(o.lease_until, 0))) FROM outbox o
             WHERE {FIRST_OF_ITS_DESTINATION}"
        );
        let at: Option<i64> = sqlx::query_scalar(&sql).fetch_one(&self.pool).await?;
        Ok(at.map(instant))
    }

    /// The message went out: it is done, and its manage link is forgotten.
    async fn message_sent(&self, id: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
        finish(&self.pool, id, "sent", None, now).await
    }

    /// The message will not go out (`failed` after its last attempt, `skipped` when a
    /// reminder is too late). A failed one keeps its link for an operator's retry.
    async fn message_given_up(
        &self,
        id: i64,
        state: &str,
        error: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        finish(&self.pool, id, state, Some(error), now).await
    }

    /// An attempt failed: the next is at `next`.
    async fn message_retry(
        &self,
        id: i64,
        next: DateTime<Utc>,
        error: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE outbox SET next_at = $1, last_error = $2, lease_until = NULL
             WHERE id = $3 AND state = 'pending'",
        )
        .bind(secs(next))
        .bind(error)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A destination answered that it wants no more (a webhook's 410): its pending
    /// messages and every later one are `disabled`. Whether it was enabled until now.
    async fn disable_destination(
        &self,
        channel: &str,
        destination: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let added = sqlx::query(
            "INSERT INTO outbox_disabled (channel, destination, at) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING",
        )
        .bind(channel)
        .bind(destination)
        .bind(secs(now))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        sqlx::query(
            "UPDATE outbox SET state = 'disabled', lease_until = NULL, done_at = $1, link = NULL
             WHERE channel = $2 AND destination = $3 AND state = 'pending'",
        )
        .bind(secs(now))
        .bind(channel)
        .bind(destination)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(added > 0)
    }

    /// Messages, newest first; only those in `state` when given.
    async fn messages(&self, state: Option<&str>) -> Result<Vec<OutboxRow>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM outbox WHERE ($1::text IS NULL OR state = $1) ORDER BY id DESC"
        );
        let rows = sqlx::query(&sql).bind(state).fetch_all(&self.pool).await?;
        rows.iter().map(row_to_message).collect()
    }

    /// Sends messages again from their first attempt: those with these ids, or (with no
    /// ids) every `failed` and `disabled` one. Their destinations are enabled again. How
    /// many were re-queued.
    async fn requeue_messages(&self, ids: &[i64], now: DateTime<Utc>) -> Result<u64, StoreError> {
        let mut tx = self.pool.begin().await?;
        let chosen: Vec<i64> = if ids.is_empty() {
            sqlx::query_scalar("SELECT id FROM outbox WHERE state IN ('failed', 'disabled')")
                .fetch_all(&mut *tx)
                .await?
        } else {
            ids.to_vec()
        };
        let mut count = 0;
        for id in chosen {
            sqlx::query(
                "DELETE FROM outbox_disabled WHERE (channel, destination) IN
                     (SELECT channel, destination FROM outbox WHERE id = $1)",
            )
            .bind(id)
            .execute(&mut *tx)
            .await?;
            count += sqlx::query(
                "UPDATE outbox SET state = 'pending', next_at = GREATEST(due_at, $1), attempts = 0,
                     first_attempt_at = NULL, lease_until = NULL, last_error = NULL, done_at = NULL
                 WHERE id = $2 AND state != 'pending'",
            )
            .bind(secs(now))
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        tx.commit().await?;
        Ok(count)
    }

    /// Forgets finished messages older than `OUTBOX_KEEP`.
    async fn purge_outbox(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM outbox WHERE state != 'pending' AND done_at <= $1")
            .bind(secs(now - OUTBOX_KEEP))
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}

async fn finish(
    pool: &sqlx::PgPool,
    id: i64,
    state: &str,
    error: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE outbox SET state = $1, last_error = COALESCE($2, last_error), lease_until = NULL,
             done_at = $3, link = CASE WHEN $4 = 'failed' THEN link END
         WHERE id = $5 AND state = 'pending'",
    )
    .bind(state)
    .bind(error)
    .bind(secs(now))
    .bind(state)
    .bind(id)
    .execute(pool)
    .await?;
    Ok(())
}

fn row_to_message(row: &PgRow) -> Result<OutboxRow, StoreError> {
    let count = |name: &str| -> Result<u32, StoreError> {
        Ok(u32::try_from(row.try_get::<i64, _>(name)?).unwrap_or(u32::MAX))
    };
    let event: String = row.try_get("event")?;
    let lead: Option<i64> = row.try_get("lead_minutes")?;
    let first: Option<i64> = row.try_get("first_attempt_at")?;
    Ok(OutboxRow {
        id: row.try_get("id")?,
        profile: row.try_get("profile")?,
        booking_id: row.try_get("booking_id")?,
        event: Event::from_name(&event).unwrap_or(Event::Created),
        channel: row.try_get("channel")?,
        destination: row.try_get("destination")?,
        host_copy: row.try_get("host_copy")?,
        message_id: row.try_get("message_id")?,
        payload: row.try_get("payload")?,
        sequence: count("sequence")?,
        locale: row.try_get("locale")?,
        link: row.try_get("link")?,
        lead_minutes: lead.and_then(|m| u32::try_from(m).ok()),
        due_at: instant(row.try_get("due_at")?),
        next_at: instant(row.try_get("next_at")?),
        attempts: count("attempts")?,
        first_attempt_at: first.map(instant),
        state: row.try_get("state")?,
        last_error: row.try_get("last_error")?,
        created_at: instant(row.try_get("created_at")?),
    })
}
