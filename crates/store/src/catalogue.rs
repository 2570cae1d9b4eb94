//! The metadata catalogue: disaggregations, indicator versions, regime versions
//! and requests, each kept as its JSON document (the app layer owns the format).

use std::collections::HashMap;

use baocao_domain::access::UserId;
use baocao_domain::unit::UnitId;
use sqlx::Row;

use crate::{list_placeholders, Conn, StoreResult};

/// Instance setting: the revision of the catalogue (the ledger sequence number
/// of its last change), moved in the transaction of each change.
pub const REVISION_KEY: &str = "catalogue.revision";

/// A stored document with its code and version (1 for unversioned objects).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDoc {
    /// The object's code (for regime versions: the regime's code).
    pub code: String,
    /// Version number, from 1.
    pub version: i64,
    /// The JSON document.
    pub doc: String,
    /// When it was recorded (unix seconds).
    pub recorded_at: i64,
}

fn docs(rows: Vec<sqlx::any::AnyRow>) -> StoreResult<Vec<StoredDoc>> {
    rows.iter()
        .map(|r| {
            Ok(StoredDoc {
                code: r.try_get("code")?,
                version: r.try_get("version")?,
                doc: r.try_get("doc")?,
                recorded_at: r.try_get("recorded_at")?,
            })
        })
        .collect()
}

/// Every disaggregation, by code.
pub async fn disaggregations(conn: &mut Conn) -> StoreResult<Vec<StoredDoc>> {
    let rows = sqlx::query(
        "SELECT code, CAST(1 AS BIGINT) AS version, doc, updated_at AS recorded_at \
         FROM disaggregations ORDER BY code",
    )
    .fetch_all(&mut *conn)
    .await?;
    docs(rows)
}

/// Creates or replaces a disaggregation.
pub async fn put_disaggregation(
    conn: &mut Conn,
    code: &str,
    doc: &str,
    by: Option<UserId>,
    now: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO disaggregations (code, doc, updated_by, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (code) DO UPDATE SET doc = excluded.doc, updated_by = excluded.updated_by, \
         updated_at = excluded.updated_at",
    )
    .bind(code)
    .bind(doc)
    .bind(by.map(UserId::get))
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The current (highest) version of every indicator, by code.
pub async fn current_indicators(conn: &mut Conn) -> StoreResult<Vec<StoredDoc>> {
    let rows = sqlx::query(
        "SELECT v.code, CAST(v.version AS BIGINT) AS version, v.doc, v.recorded_at \
         FROM indicator_versions v \
         WHERE v.version = (SELECT MAX(w.version) FROM indicator_versions w WHERE w.code = v.code) \
         ORDER BY v.code",
    )
    .fetch_all(&mut *conn)
    .await?;
    docs(rows)
}

/// Every version of one indicator, oldest first.
pub async fn indicator_history(conn: &mut Conn, code: &str) -> StoreResult<Vec<StoredDoc>> {
    let rows = sqlx::query(
        "SELECT code, CAST(version AS BIGINT) AS version, doc, recorded_at \
         FROM indicator_versions WHERE code = $1 ORDER BY version",
    )
    .bind(code)
    .fetch_all(&mut *conn)
    .await?;
    docs(rows)
}

/// Every version of every indicator, by code, oldest first.
pub async fn all_indicator_versions(conn: &mut Conn) -> StoreResult<Vec<StoredDoc>> {
    let rows = sqlx::query(
        "SELECT code, CAST(version AS BIGINT) AS version, doc, recorded_at \
         FROM indicator_versions ORDER BY code, version",
    )
    .fetch_all(&mut *conn)
    .await?;
    docs(rows)
}

/// Appends a version of an indicator.
pub async fn insert_indicator_version(
    conn: &mut Conn,
    code: &str,
    version: i64,
    doc: &str,
    by: Option<UserId>,
    now: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO indicator_versions (code, version, doc, recorded_by, recorded_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(code)
    .bind(version)
    .bind(doc)
    .bind(by.map(UserId::get))
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Every version of every regime, by regime code then version.
pub async fn regime_versions(conn: &mut Conn) -> StoreResult<Vec<StoredDoc>> {
    let rows = sqlx::query(
        "SELECT regime_code AS code, CAST(version AS BIGINT) AS version, doc, recorded_at \
         FROM regime_versions ORDER BY regime_code, version",
    )
    .fetch_all(&mut *conn)
    .await?;
    docs(rows)
}

/// Registers a regime code (its versions follow).
pub async fn insert_regime(conn: &mut Conn, code: &str, now: i64) -> StoreResult<()> {
    sqlx::query("INSERT INTO regimes (code, created_at) VALUES ($1, $2)")
        .bind(code)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Creates or replaces version `version` of a regime.
pub async fn put_regime_version(
    conn: &mut Conn,
    code: &str,
    version: i64,
    from_period: &str,
    doc: &str,
    by: Option<UserId>,
    now: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO regime_versions (regime_code, version, from_period, doc, recorded_by, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (regime_code, version) DO UPDATE SET from_period = excluded.from_period, \
         doc = excluded.doc, recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at",
    )
    .bind(code)
    .bind(version)
    .bind(from_period)
    .bind(doc)
    .bind(by.map(UserId::get))
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Every request, by code.
pub async fn requests(conn: &mut Conn) -> StoreResult<Vec<StoredDoc>> {
    let rows = sqlx::query(
        "SELECT code, CAST(1 AS BIGINT) AS version, doc, recorded_at FROM report_requests ORDER BY code",
    )
    .fetch_all(&mut *conn)
    .await?;
    docs(rows)
}

/// Creates or replaces a request.
pub async fn put_request(
    conn: &mut Conn,
    code: &str,
    regime: &str,
    doc: &str,
    by: Option<UserId>,
    now: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO report_requests (code, regime_code, doc, recorded_by, recorded_at) \
         VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (code) DO UPDATE SET regime_code = excluded.regime_code, doc = excluded.doc, \
         recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at",
    )
    .bind(code)
    .bind(regime)
    .bind(doc)
    .bind(by.map(UserId::get))
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The units carrying each of `codes`, newest first (a code names one unit per
/// level, but a unit and its successor may share it).
pub async fn units_by_code(
    conn: &mut Conn,
    codes: &[String],
) -> StoreResult<HashMap<String, Vec<UnitId>>> {
    let mut found: HashMap<String, Vec<UnitId>> = HashMap::new();
    for chunk in codes.chunks(500) {
        let sql = format!(
            "SELECT id, code FROM org_units WHERE code IN ({}) ORDER BY COALESCE(valid_from, '') DESC, id DESC",
            list_placeholders(1, chunk.len())
        );
        let mut query = sqlx::query(&sql);
        for code in chunk {
            query = query.bind(code);
        }
        for row in query.fetch_all(&mut *conn).await? {
            let id: i64 = row.try_get("id")?;
            let code: String = row.try_get("code")?;
            found.entry(code).or_default().push(UnitId::new(id));
        }
    }
    Ok(found)
}

/// Takes the catalogue's write lock until the transaction ends: one writer of
/// the catalogue at a time.
pub async fn lock(conn: &mut Conn) -> StoreResult<()> {
    crate::transaction_lock(conn, 7_424_001).await
}
