//! The audit ledger: appends inside the caller's transaction, reads for
//! verification. Hashing is the domain's (`baocao_domain::ledger`).

use baocao_domain::ledger::{entry_hash, Entry, StoredEntry};
use sqlx::Row;

use crate::{Conn, StoreResult};

/// Appends one entry chained after the current head and returns its sequence
/// number. Call inside the write transaction of the change it records, so that
/// the change and its entry are stored together or not at all.
pub async fn append(
    conn: &mut Conn,
    actor_id: Option<i64>,
    actor: &str,
    action: &str,
    subject: &str,
    payload: &str,
    at: i64,
) -> StoreResult<i64> {
    // Taking the head row first serialises concurrent appends on PostgreSQL;
    // RETURNING saves a round trip per entry (both backends have it).
    let row = sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
        .fetch_one(&mut *conn)
        .await?;
    let seq: i64 = row.try_get("seq")?;
    let prev: String = row.try_get("hash")?;
    let entry = Entry {
        seq,
        at,
        actor: actor.to_string(),
        action: action.to_string(),
        subject: subject.to_string(),
        payload: payload.to_string(),
    };
    let hash = entry_hash(&prev, &entry);
    sqlx::query(
        "INSERT INTO audit_ledger (seq, at, actor_id, actor, action, subject, payload, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(seq)
    .bind(at)
    .bind(actor_id)
    .bind(actor)
    .bind(action)
    .bind(subject)
    .bind(payload)
    .bind(&prev)
    .bind(&hash)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&hash)
        .execute(&mut *conn)
        .await?;
    Ok(seq)
}

/// Entries from `after` (exclusive), in order, at most `limit`.
pub async fn entries(conn: &mut Conn, after: i64, limit: i64) -> StoreResult<Vec<StoredEntry>> {
    let rows = sqlx::query(
        "SELECT seq, at, actor, action, subject, payload, prev_hash, hash FROM audit_ledger \
         WHERE seq > $1 ORDER BY seq LIMIT $2",
    )
    .bind(after)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(stored_entry).collect()
}

/// The head as stored: last sequence number and hash.
pub async fn head(conn: &mut Conn) -> StoreResult<(i64, String)> {
    let row = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_one(&mut *conn)
        .await?;
    Ok((row.try_get("seq")?, row.try_get("hash")?))
}

/// Entries about one subject, newest first.
pub async fn of_subject(conn: &mut Conn, subject: &str) -> StoreResult<Vec<StoredEntry>> {
    let rows = sqlx::query(
        "SELECT seq, at, actor, action, subject, payload, prev_hash, hash FROM audit_ledger \
         WHERE subject = $1 ORDER BY seq DESC",
    )
    .bind(subject)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(stored_entry).collect()
}

fn stored_entry(r: &sqlx::any::AnyRow) -> StoreResult<StoredEntry> {
    Ok(StoredEntry {
        entry: Entry {
            seq: r.try_get("seq")?,
            at: r.try_get("at")?,
            actor: r.try_get("actor")?,
            action: r.try_get("action")?,
            subject: r.try_get("subject")?,
            payload: r.try_get("payload")?,
        },
        prev_hash: r.try_get("prev_hash")?,
        hash: r.try_get("hash")?,
    })
}
