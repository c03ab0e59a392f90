//! The SQL under the bookings' operations: one statement or row conversion each.

use super::*;

/// The key's earlier use, if any.
pub(super) async fn used(
    conn: &mut PgConnection,
    profile: &str,
    answers: &Option<KeyedAnswers<'_>>,
    now: DateTime<Utc>,
) -> Result<Option<crate::store::Claim>, StoreError> {
    match answers {
        Some(a) => key_state(conn, profile, a.key, a.fingerprint, now).await,
        None => Ok(None),
    }
}

/// Stores the key's answer for a change made (`done`) or refused as taken.
pub(super) async fn answer(
    conn: &mut PgConnection,
    profile: &str,
    answers: &Option<KeyedAnswers<'_>>,
    done: bool,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let Some(a) = answers else { return Ok(()) };
    let (status, body) = if done { a.done } else { a.taken };
    let answer = Answer {
        fingerprint: a.fingerprint,
        status: Some(status),
        body: Some(body),
    };
    put_key(conn, profile, a.key, answer, now).await
}

/// Active bookings of the profile within a day of `booking`, but `except` itself.
pub(super) async fn nearby(
    conn: &mut PgConnection,
    booking: &StoredBooking,
    except: Option<&str>,
) -> Result<Vec<Slot>, StoreError> {
    let margin = TimeDelta::days(1);
    let from = booking
        .start
        .checked_sub_signed(margin)
        .unwrap_or(booking.start);
    let to = booking
        .end
        .checked_add_signed(margin)
        .unwrap_or(booking.end);
    active_between(conn, &booking.profile, from, to, except).await
}

/// A new row; `buffer` for a local booking (the constraint counts it), none for a remote one.
pub(super) async fn insert(
    conn: &mut PgConnection,
    b: &StoredBooking,
    buffer: Option<TimeDelta>,
) -> Result<(), StoreError> {
    let sql = format!(
        "INSERT INTO bookings ({COLUMNS}, buffer_secs)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)"
    );
    sqlx::query(&sql)
        .bind(&b.profile)
        .bind(&b.id)
        .bind(&b.provider_ref)
        .bind(secs(b.start))
        .bind(secs(b.end))
        .bind(&b.status)
        .bind(&b.name)
        .bind(&b.email)
        .bind(&b.time_zone)
        .bind(&b.locale)
        .bind(&b.answers)
        .bind(&b.title)
        .bind(&b.location)
        .bind(&b.token_hash)
        .bind(i64::from(b.sequence))
        .bind(i64::from(b.reschedules))
        .bind(&b.cancel_reason)
        .bind(secs(b.created_at))
        .bind(secs(b.updated_at))
        .bind(buffer.map(|d| d.num_seconds()))
        .execute(conn)
        .await?;
    Ok(())
}

/// Whether the row is still as `current` says: there, not cancelled, not changed since.
pub(super) async fn unchanged(
    conn: &mut PgConnection,
    current: &StoredBooking,
) -> Result<bool, StoreError> {
    let now = get(conn, &current.profile, &current.id).await?;
    Ok(now.is_some_and(|row| !row.is_cancelled() && row.sequence == current.sequence))
}

/// Moves the row; a local booking's `buffer` is the profile's now.
pub(super) async fn move_row(
    conn: &mut PgConnection,
    current: &StoredBooking,
    provider_ref: &str,
    (start, end): (DateTime<Utc>, DateTime<Utc>),
    buffer: Option<TimeDelta>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE bookings SET start_at = $1, end_at = $2, provider_ref = $3, reschedules = reschedules + 1,
             sequence = sequence + 1, updated_at = $4, buffer_secs = COALESCE($7, buffer_secs)
         WHERE profile = $5 AND id = $6",
    )
    .bind(secs(start))
    .bind(secs(end))
    .bind(provider_ref)
    .bind(secs(now))
    .bind(&current.profile)
    .bind(&current.id)
    .bind(buffer.map(|d| d.num_seconds()))
    .execute(conn)
    .await?;
    Ok(())
}

pub(super) async fn get(
    conn: &mut PgConnection,
    profile: &str,
    id: &str,
) -> Result<Option<StoredBooking>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM bookings WHERE profile = $1 AND id = $2");
    let row = sqlx::query(&sql)
        .bind(profile)
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(row_to_booking).transpose()
}

pub(in crate::store) async fn active_between(
    conn: &mut PgConnection,
    profile: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    except: Option<&str>,
) -> Result<Vec<Slot>, StoreError> {
    let rows = sqlx::query(
        "SELECT start_at, end_at FROM bookings
         WHERE profile = $1 AND status != 'cancelled' AND start_at < $2 AND end_at > $3
           AND ($4::text IS NULL OR id != $4)
         ORDER BY start_at",
    )
    .bind(profile)
    .bind(secs(to))
    .bind(secs(from))
    .bind(except)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Slot {
                start: instant(r.try_get("start_at")?),
                end: instant(r.try_get("end_at")?),
            })
        })
        .collect()
}

pub(super) fn row_to_booking(row: &PgRow) -> Result<StoredBooking, StoreError> {
    let count = |name: &str| -> Result<u32, StoreError> {
        Ok(u32::try_from(row.try_get::<i64, _>(name)?).unwrap_or(u32::MAX))
    };
    Ok(StoredBooking {
        profile: row.try_get("profile")?,
        id: row.try_get("id")?,
        provider_ref: row.try_get("provider_ref")?,
        start: instant(row.try_get("start_at")?),
        end: instant(row.try_get("end_at")?),
        status: row.try_get("status")?,
        name: row.try_get("name")?,
        email: row.try_get("email")?,
        time_zone: row.try_get("time_zone")?,
        locale: row.try_get("locale")?,
        answers: row.try_get("answers")?,
        title: row.try_get("title")?,
        location: row.try_get("location")?,
        token_hash: row.try_get("token_hash")?,
        sequence: count("sequence")?,
        reschedules: count("reschedules")?,
        cancel_reason: row.try_get("cancel_reason")?,
        created_at: instant(row.try_get("created_at")?),
        updated_at: instant(row.try_get("updated_at")?),
    })
}
