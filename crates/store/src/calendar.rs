//! Calendar exceptions entered by administrators.

use baocao_domain::access::UserId;
use chrono::NaiveDate;
use sqlx::Row;

use crate::{Conn, StoreError, StoreResult};

/// A stored exception: the date, `day_off` or `working_day`, and the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredException {
    /// The date.
    pub day: NaiveDate,
    /// `day_off` or `working_day`.
    pub kind: String,
    /// The administrator's reason.
    pub reason: String,
}

/// Every exception, by date.
pub async fn exceptions(conn: &mut Conn) -> StoreResult<Vec<StoredException>> {
    let rows = sqlx::query("SELECT day, kind, reason FROM calendar_exceptions ORDER BY day")
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| {
            let day: String = r.try_get("day")?;
            Ok(StoredException {
                day: NaiveDate::parse_from_str(&day, "%Y-%m-%d")
                    .map_err(|_| StoreError::Corrupt(format!("date {day:?}")))?,
                kind: r.try_get("kind")?,
                reason: r.try_get("reason")?,
            })
        })
        .collect()
}

/// Stores an exception; a second one for the same date is a unique violation.
pub async fn insert_exception(
    conn: &mut Conn,
    e: &StoredException,
    by: Option<UserId>,
    now: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO calendar_exceptions (day, kind, reason, created_by, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(e.day.format("%Y-%m-%d").to_string())
    .bind(&e.kind)
    .bind(&e.reason)
    .bind(by.map(UserId::get))
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Removes the exception of a date; false if there was none.
pub async fn delete_exception(conn: &mut Conn, day: NaiveDate) -> StoreResult<bool> {
    let done = sqlx::query("DELETE FROM calendar_exceptions WHERE day = $1")
        .bind(day.format("%Y-%m-%d").to_string())
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}
