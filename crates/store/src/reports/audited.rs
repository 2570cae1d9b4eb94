//! What the audit ledger's proof reads from the report tables, a page at a
//! time: the stored content of given versions, every version's key, every
//! report's status.

use baocao_domain::report::{ReportId, Status};
use sqlx::Row;

use super::corrupt;
use crate::{Conn, StoreResult};

/// The stored content of each of `keys` (report, version) that exists.
pub async fn version_contents(
    conn: &mut Conn,
    keys: &[(ReportId, i64)],
) -> StoreResult<Vec<(ReportId, i64, String)>> {
    let mut out = Vec::with_capacity(keys.len());
    for chunk in keys.chunks(250) {
        let pairs: Vec<String> = (0..chunk.len())
            .map(|i| format!("(report_id = ${} AND version = ${})", 2 * i + 1, 2 * i + 2))
            .collect();
        let sql = format!(
            "SELECT report_id, CAST(version AS BIGINT) AS version, content FROM report_versions WHERE {}",
            pairs.join(" OR ")
        );
        let mut q = sqlx::query(&sql);
        for (report, version) in chunk {
            q = q.bind(report.get()).bind(*version);
        }
        for r in q.fetch_all(&mut *conn).await? {
            out.push((
                ReportId::new(r.try_get("report_id")?),
                r.try_get("version")?,
                r.try_get("content")?,
            ));
        }
    }
    Ok(out)
}

/// Up to `limit` version keys after `after`, in order.
pub async fn version_keys(
    conn: &mut Conn,
    after: (ReportId, i64),
    limit: i64,
) -> StoreResult<Vec<(ReportId, i64)>> {
    let rows = sqlx::query(
        "SELECT report_id, CAST(version AS BIGINT) AS version FROM report_versions \
         WHERE report_id > $1 OR (report_id = $1 AND version > $2) \
         ORDER BY report_id, version LIMIT $3",
    )
    .bind(after.0.get())
    .bind(after.1)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                ReportId::new(r.try_get("report_id")?),
                r.try_get("version")?,
            ))
        })
        .collect()
}

/// Up to `limit` reports after `after` with their status, by id.
pub async fn statuses(
    conn: &mut Conn,
    after: ReportId,
    limit: i64,
) -> StoreResult<Vec<(ReportId, Status)>> {
    let rows = sqlx::query("SELECT id, status FROM reports WHERE id > $1 ORDER BY id LIMIT $2")
        .bind(after.get())
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| {
            let status: String = r.try_get("status")?;
            Ok((
                ReportId::new(r.try_get("id")?),
                Status::parse(&status).ok_or_else(|| corrupt("status", &status))?,
            ))
        })
        .collect()
}

/// Up to `limit` reports after `after` with their working copy (JSON), by id.
pub async fn drafts(
    conn: &mut Conn,
    after: ReportId,
    limit: i64,
) -> StoreResult<Vec<(ReportId, String)>> {
    let rows = sqlx::query("SELECT id, draft FROM reports WHERE id > $1 ORDER BY id LIMIT $2")
        .bind(after.get())
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| Ok((ReportId::new(r.try_get("id")?), r.try_get("draft")?)))
        .collect()
}
