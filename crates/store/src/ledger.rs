//! The audit ledger: appends inside the caller's transaction, reads for
//! verification. Hashing is the domain's (`baocao_domain::ledger`).

use baocao_domain::access::UserId;
use baocao_domain::ledger::{entry_hash, Entry, StoredEntry, FORMAT};
use sqlx::Row;

use crate::{values_placeholders, Conn, StoreError, StoreResult};

/// An entry to append: what happened, by whom, when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEntry {
    /// The stored user who acted, if any.
    pub actor_id: Option<UserId>,
    /// Who acted (user name, `system` for the command line).
    pub actor: String,
    /// What happened, e.g. `report.submit`.
    pub action: String,
    /// What it happened to, e.g. `report:42`.
    pub subject: String,
    /// The details, canonical JSON.
    pub payload: String,
    /// When (unix seconds).
    pub at: i64,
}

/// Appends one entry chained after the current head and returns its sequence
/// number. Call inside the write transaction of the change it records, so that
/// the change and its entry are stored together or not at all.
pub async fn append(conn: &mut Conn, entry: NewEntry) -> StoreResult<i64> {
    let seqs = append_many(conn, vec![entry]).await?;
    Ok(seqs.first().copied().unwrap_or(0))
}

/// Appends entries in order, chained after the current head, in three round
/// trips whatever their number: the head is taken (which serialises appends on
/// both backends), the hashes computed here, the entries inserted together and
/// the head moved. Returns their sequence numbers.
pub async fn append_many(conn: &mut Conn, entries: Vec<NewEntry>) -> StoreResult<Vec<i64>> {
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    let n = i64::try_from(entries.len()).unwrap_or(i64::MAX);
    // The row lock (PostgreSQL) or the write lock (SQLite) is held from here
    // to the commit; RETURNING gives the new last number and the old head hash.
    let row = sqlx::query("UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash")
        .bind(n)
        .fetch_one(&mut *conn)
        .await?;
    let last: i64 = row.try_get("seq")?;
    let mut prev: String = row.try_get("hash")?;
    let first = last - n + 1;
    let mut rows = Vec::with_capacity(entries.len());
    for (i, e) in entries.into_iter().enumerate() {
        let entry = Entry {
            seq: first + i64::try_from(i).unwrap_or(0),
            format: FORMAT,
            at: e.at,
            actor_id: e.actor_id,
            actor: e.actor,
            action: e.action,
            subject: e.subject,
            payload: e.payload,
        };
        let hash =
            entry_hash(&prev, &entry).ok_or_else(|| StoreError::Corrupt("ledger format".into()))?;
        rows.push((entry, prev, hash.clone()));
        prev = hash;
    }
    for chunk in rows.chunks(200) {
        let sql = format!(
            "INSERT INTO audit_ledger (seq, format, at, actor_id, actor, action, subject, payload, prev_hash, hash) VALUES {}",
            values_placeholders(chunk.len(), 10)
        );
        let mut q = sqlx::query(&sql);
        for (entry, prev_hash, hash) in chunk {
            q = q
                .bind(entry.seq)
                .bind(entry.format)
                .bind(entry.at)
                .bind(entry.actor_id.map(UserId::get))
                .bind(&entry.actor)
                .bind(&entry.action)
                .bind(&entry.subject)
                .bind(&entry.payload)
                .bind(prev_hash)
                .bind(hash);
        }
        q.execute(&mut *conn).await?;
    }
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&prev)
        .execute(&mut *conn)
        .await?;
    Ok((first..=last).collect())
}

/// Entries from `after` (exclusive), in order, at most `limit`.
pub async fn entries(conn: &mut Conn, after: i64, limit: i64) -> StoreResult<Vec<StoredEntry>> {
    let rows = sqlx::query(
        "SELECT seq, format, at, actor_id, actor, action, subject, payload, prev_hash, hash FROM audit_ledger \
         WHERE seq > $1 ORDER BY seq LIMIT $2",
    )
    .bind(after)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(stored_entry).collect()
}

/// Entries with `after < seq <= upto`, in order: a page for verification.
///
/// On SQLite the page comes back as one JSON array built by the database
/// (`json_group_array`) instead of a row per entry: ten million rows through
/// the driver cost about 8 µs each there, most of the time of a
/// verification, and one value per page removes that (texts keep every byte
/// through JSON's escapes). PostgreSQL's driver reads rows cheaply and its
/// `json_agg` costs more than it saves (78 ms against 30 ms a page of 10,000
/// in `psql`), so there the rows are read as they are.
pub async fn entries_between(
    conn: &mut Conn,
    after: i64,
    upto: i64,
) -> StoreResult<Vec<StoredEntry>> {
    const COLUMNS: &str =
        "seq, format, at, actor_id, actor, action, subject, payload, prev_hash, hash";
    if conn.backend_name() == <sqlx::Postgres as sqlx::Database>::NAME {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM audit_ledger WHERE seq > $1 AND seq <= $2 ORDER BY seq"
        ))
        .bind(after)
        .bind(upto)
        .fetch_all(&mut *conn)
        .await?;
        return rows.iter().map(stored_entry).collect();
    }
    let sql = format!(
        "SELECT json_group_array(json_array({COLUMNS})) AS page FROM \
         (SELECT {COLUMNS} FROM audit_ledger WHERE seq > $1 AND seq <= $2 ORDER BY seq)"
    );
    let row = sqlx::query(&sql)
        .bind(after)
        .bind(upto)
        .fetch_one(&mut *conn)
        .await?;
    let Some(text) = row.try_get::<Option<String>, _>("page")? else {
        return Ok(Vec::new());
    };
    type Columns = (
        i64,
        i16,
        i64,
        Option<i64>,
        String,
        String,
        String,
        String,
        String,
        String,
    );
    let rows: Vec<Columns> = serde_json::from_str(&text)
        .map_err(|e| crate::StoreError::Corrupt(format!("ledger page after {after}: {e}")))?;
    let mut entries: Vec<StoredEntry> = rows
        .into_iter()
        .map(
            |(seq, format, at, actor_id, actor, action, subject, payload, prev_hash, hash)| {
                StoredEntry {
                    entry: Entry {
                        seq,
                        format,
                        at,
                        actor_id: actor_id.map(UserId::new),
                        actor,
                        action,
                        subject,
                        payload,
                    },
                    prev_hash,
                    hash,
                }
            },
        )
        .collect();
    // The order inside the aggregate is the subquery's on SQLite; sorting
    // costs nothing when it already holds.
    entries.sort_by_key(|e| e.entry.seq);
    Ok(entries)
}

/// The entries with the given sequence numbers, in order.
pub async fn entries_at(conn: &mut Conn, seqs: &[i64]) -> StoreResult<Vec<StoredEntry>> {
    let mut out = Vec::with_capacity(seqs.len());
    for chunk in seqs.chunks(500) {
        let sql = format!(
            "SELECT seq, format, at, actor_id, actor, action, subject, payload, prev_hash, hash \
             FROM audit_ledger WHERE seq IN ({}) ORDER BY seq",
            crate::list_placeholders(1, chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for seq in chunk {
            q = q.bind(*seq);
        }
        for r in q.fetch_all(&mut *conn).await? {
            out.push(stored_entry(&r)?);
        }
    }
    out.sort_by_key(|e| e.entry.seq);
    Ok(out)
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
        "SELECT seq, format, at, actor_id, actor, action, subject, payload, prev_hash, hash FROM audit_ledger \
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
            format: r.try_get("format")?,
            at: r.try_get("at")?,
            actor_id: r.try_get::<Option<i64>, _>("actor_id")?.map(UserId::new),
            actor: r.try_get("actor")?,
            action: r.try_get("action")?,
            subject: r.try_get("subject")?,
            payload: r.try_get("payload")?,
        },
        prev_hash: r.try_get("prev_hash")?,
        hash: r.try_get("hash")?,
    })
}

/// Keeps a signed checkpoint (its JSON document) of the ledger at `seq`,
/// with its Merkle frontier (JSON).
pub async fn insert_checkpoint(
    conn: &mut Conn,
    seq: i64,
    head_hash: &str,
    at: i64,
    document: &str,
    frontier: &str,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO audit_checkpoints (seq, head_hash, at, document, frontier) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(seq)
    .bind(head_hash)
    .bind(at)
    .bind(document)
    .bind(frontier)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The Merkle frontier (JSON) of the latest checkpoint that kept one, with
/// its sequence number.
pub async fn last_frontier(conn: &mut Conn) -> StoreResult<Option<(i64, String)>> {
    let row = sqlx::query(
        "SELECT seq, frontier FROM audit_checkpoints WHERE frontier IS NOT NULL ORDER BY id DESC LIMIT 1",
    )
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| Ok((r.try_get("seq")?, r.try_get("frontier")?)))
        .transpose()
}

/// The hashes of the entries with `after < seq <= upto`, in order, at most
/// `limit`: (sequence number, hash).
pub async fn hashes_between(
    conn: &mut Conn,
    after: i64,
    upto: i64,
    limit: i64,
) -> StoreResult<Vec<(i64, String)>> {
    let rows = sqlx::query(
        "SELECT seq, hash FROM audit_ledger WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3",
    )
    .bind(after)
    .bind(upto)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("seq")?, r.try_get("hash")?)))
        .collect()
}

/// The last checkpoint kept: its sequence number and head hash.
pub async fn last_checkpoint(conn: &mut Conn) -> StoreResult<Option<(i64, String)>> {
    let row = sqlx::query("SELECT seq, head_hash FROM audit_checkpoints ORDER BY id DESC LIMIT 1")
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|r| Ok((r.try_get("seq")?, r.try_get("head_hash")?)))
        .transpose()
}
