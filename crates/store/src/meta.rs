//! Small key/value settings of an instance (e.g. whether demo data is loaded).

use sqlx::Row;

use crate::{Conn, StoreResult};

/// Reads a setting.
pub async fn get(conn: &mut Conn, key: &str) -> StoreResult<Option<String>> {
    let row = sqlx::query("SELECT value FROM meta WHERE key = $1")
        .bind(key)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.map(|r| r.try_get("value")).transpose()?)
}

/// Writes a setting.
pub async fn set(conn: &mut Conn, key: &str, value: &str) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO meta (key, value) VALUES ($1, $2) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(key)
    .bind(value)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Adds one to a counter setting (from 0 when absent).
pub async fn increment(conn: &mut Conn, key: &str) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO meta (key, value) VALUES ($1, '1') \
         ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(meta.value AS BIGINT) + 1 AS TEXT)",
    )
    .bind(key)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
