//! Holds: a slot kept for one visitor until it expires. Expiry is the comparison of
//! `expires_at` with the caller's clock in every query, so nothing has to sweep for
//! correctness; rows that expired are deleted whenever a hold of the profile is placed.

use booking_wire::Slot;
use chrono::{DateTime, TimeDelta, Utc};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};

use super::bookings::active_between;
use super::{instant, secs, Store, StoreError};

/// One row of `holds`.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredHold {
    pub id: String,
    pub profile: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// The provider's reservation id, where the provider keeps the hold.
    pub provider_ref: Option<String>,
}

/// How a booking counts holds: the live ones as of `now` are in its way, but `own`.
#[derive(Debug, Clone, Copy)]
pub struct Holding<'a> {
    pub now: DateTime<Utc>,
    pub own: Option<&'a str>,
}

/// What is near a slot about to be held, for the caller to judge.
pub struct Nearby {
    /// Active bookings of the profile within a day.
    pub bookings: Vec<Slot>,
    /// Other clients' live holds of the profile within a day.
    pub holds: Vec<Slot>,
}

/// What happened to a hold being placed.
#[derive(Debug, PartialEq)]
pub enum Placed {
    /// Placed; the client's earlier hold of the profile, if any, was removed for it, and
    /// so were the profile's holds that had expired (`lapsed`).
    Done {
        replaced: Option<StoredHold>,
        lapsed: Vec<StoredHold>,
    },
    Taken,
}

const COLUMNS: &str = "id, profile, start_at, end_at, expires_at, provider_ref";

impl Store {
    /// Places `hold` for `client` if `is_free` agrees, in one transaction that also removes
    /// the client's earlier hold of the profile (live or not) and the profile's expired ones.
    pub async fn place_hold(
        &self,
        hold: &StoredHold,
        client: &str,
        now: DateTime<Utc>,
        is_free: impl FnOnce(Nearby) -> bool,
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
    pub async fn hold(
        &self,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<StoredHold>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM holds WHERE id = ? AND expires_at > ?");
        let row = sqlx::query(&sql)
            .bind(id)
            .bind(secs(now))
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(to_hold).transpose()
    }

    /// Removes hold `id` if it is still live; the row it was.
    pub async fn release_hold(
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
    pub async fn live_hold(
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
    pub async fn holds_between(
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

/// A day either side of a slot: what can stand in its way, buffers included.
pub(super) fn around(start: DateTime<Utc>, end: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let margin = TimeDelta::days(1);
    (
        start.checked_sub_signed(margin).unwrap_or(start),
        end.checked_add_signed(margin).unwrap_or(end),
    )
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
