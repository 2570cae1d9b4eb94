//! What the analytics engine reads: the latest accepted version of every
//! report (to build itself), the acceptances recorded in the ledger after a
//! position (to follow), and the revisions that tell it to rebuild.

use baocao_domain::audit::{subject, Action, AuditEvent};
use baocao_domain::period::PeriodId;
use baocao_domain::report::ReportId;
use baocao_domain::unit::UnitId;
use sqlx::Row;

use crate::{list_placeholders, Conn, StoreError, StoreResult};

/// A report's latest accepted version, with what places it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptedRow {
    /// The report.
    pub report: ReportId,
    /// Reporting unit.
    pub unit: UnitId,
    /// Regime code.
    pub regime: String,
    /// Period.
    pub period: PeriodId,
    /// The accepted version's content (JSON).
    pub content: String,
}

fn period(text: &str) -> StoreResult<PeriodId> {
    text.parse()
        .map_err(|_| StoreError::Corrupt(format!("period {text:?}")))
}

/// The latest accepted versions of reports with an id above `after`, in id
/// order, at most `limit`: a page of the engine's rebuild.
pub async fn accepted_page(
    conn: &mut Conn,
    after: ReportId,
    limit: i64,
) -> StoreResult<Vec<AcceptedRow>> {
    let rows = sqlx::query(
        "SELECT r.id, r.unit_id, r.regime_code, r.period, v.content FROM reports r \
         JOIN report_versions v ON v.report_id = r.id AND v.version = r.accepted_version \
         WHERE r.id > $1 AND r.accepted_version IS NOT NULL ORDER BY r.id LIMIT $2",
    )
    .bind(after.get())
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(AcceptedRow {
                report: ReportId::new(r.try_get("id")?),
                unit: UnitId::new(r.try_get("unit_id")?),
                regime: r.try_get("regime_code")?,
                period: period(&r.try_get::<String, _>("period")?)?,
                content: r.try_get("content")?,
            })
        })
        .collect()
}

/// Reports with an accepted version (what a rebuild reads, for its progress).
pub async fn accepted_count(conn: &mut Conn) -> StoreResult<i64> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM reports WHERE accepted_version IS NOT NULL")
        .fetch_one(&mut *conn)
        .await?;
    Ok(row.try_get("n")?)
}

/// One acceptance: a report's version and its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acceptance {
    /// The report.
    pub report: ReportId,
    /// Reporting unit.
    pub unit: UnitId,
    /// Regime code.
    pub regime: String,
    /// Period.
    pub period: PeriodId,
    /// The version accepted.
    pub version: i64,
    /// Its content (JSON).
    pub content: String,
}

/// Every acceptance of the given reports, in the order they happened (a
/// report corrected and accepted again appears once per acceptance).
pub async fn acceptances(conn: &mut Conn, ids: &[ReportId]) -> StoreResult<Vec<Acceptance>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        let sql = format!(
            "SELECT e.id AS event, e.report_id, e.version, v.content, r.unit_id, r.regime_code, r.period \
             FROM report_events e \
             JOIN report_versions v ON v.report_id = e.report_id AND v.version = e.version \
             JOIN reports r ON r.id = e.report_id \
             WHERE e.action = $1 AND e.report_id IN ({}) ORDER BY e.id",
            list_placeholders(2, chunk.len())
        );
        let mut q = sqlx::query(&sql).bind(Action::ReportAccept.as_str());
        for id in chunk {
            q = q.bind(id.get());
        }
        for r in q.fetch_all(&mut *conn).await? {
            out.push((
                r.try_get::<i64, _>("event")?,
                Acceptance {
                    report: ReportId::new(r.try_get("report_id")?),
                    unit: UnitId::new(r.try_get("unit_id")?),
                    regime: r.try_get("regime_code")?,
                    period: period(&r.try_get::<String, _>("period")?)?,
                    version: r.try_get("version")?,
                    content: r.try_get("content")?,
                },
            ));
        }
    }
    out.sort_by_key(|(event, _)| *event);
    Ok(out.into_iter().map(|(_, a)| a).collect())
}

/// The first versions of the given reports, as acceptances: what an
/// acceptance of version 1 puts in (it replaces no earlier accepted version,
/// so the report's events need not be read). Looked up by primary key, which
/// both backends plan as index lookups whatever their statistics say (the
/// events' index was passed over for a scan of every event on a freshly
/// loaded PostgreSQL: 46 ms per 500 reports instead of 2 ms).
pub async fn first_versions(conn: &mut Conn, ids: &[ReportId]) -> StoreResult<Vec<Acceptance>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let sql = format!(
            "SELECT r.id, r.unit_id, r.regime_code, r.period, v.content FROM reports r \
             JOIN report_versions v ON v.report_id = r.id AND v.version = 1 \
             WHERE r.id IN ({})",
            list_placeholders(1, chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(id.get());
        }
        for r in q.fetch_all(&mut *conn).await? {
            out.push(Acceptance {
                report: ReportId::new(r.try_get("id")?),
                unit: UnitId::new(r.try_get("unit_id")?),
                regime: r.try_get("regime_code")?,
                period: period(&r.try_get::<String, _>("period")?)?,
                version: 1,
                content: r.try_get("content")?,
            });
        }
    }
    Ok(out)
}

/// Where the stored data stands, as the engine follows it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Position {
    /// The ledger's last sequence number: every entry up to it is committed
    /// (appends take the ledger head's lock until they commit, so entries
    /// become visible in sequence order).
    pub ledger: i64,
    /// The catalogue's revision.
    pub catalogue: Option<String>,
    /// The unit tree's revision.
    pub units: Option<String>,
}

/// The current position, in one round trip.
pub async fn position(conn: &mut Conn) -> StoreResult<Position> {
    let row = sqlx::query(
        "SELECT h.seq, \
         (SELECT value FROM meta WHERE key = $1) AS catalogue, \
         (SELECT value FROM meta WHERE key = $2) AS units \
         FROM audit_head h WHERE h.id = 1",
    )
    .bind(crate::catalogue::REVISION_KEY)
    .bind(crate::units::REVISION_KEY)
    .fetch_one(&mut *conn)
    .await?;
    Ok(Position {
        ledger: row.try_get("seq")?,
        catalogue: row.try_get("catalogue")?,
        units: row.try_get("units")?,
    })
}

/// The acceptances (and imports of accepted reports) recorded in the ledger
/// with `after < seq <= upto`, in order, at most `limit`: (sequence number,
/// report, version accepted). An import always makes version 1; its payload
/// (which carries the whole content) is not read.
pub async fn accepted_since(
    conn: &mut Conn,
    after: i64,
    upto: i64,
    limit: i64,
) -> StoreResult<Vec<(i64, ReportId, i64)>> {
    let rows = sqlx::query(
        "SELECT seq, action, subject, CASE WHEN action = $3 THEN payload ELSE '' END AS payload \
         FROM audit_ledger WHERE seq > $1 AND seq <= $2 AND action IN ($3, $4) ORDER BY seq LIMIT $5",
    )
    .bind(after)
    .bind(upto)
    .bind(Action::ReportAccept.as_str())
    .bind(Action::ReportImport.as_str())
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let seq: i64 = r.try_get("seq")?;
            let action: String = r.try_get("action")?;
            let subject: String = r.try_get("subject")?;
            let payload: String = r.try_get("payload")?;
            let corrupt = || StoreError::Corrupt(format!("ledger entry {seq}"));
            let accepted = if action == Action::ReportImport.as_str() {
                subject::report(&subject).map(|report| (report, 1))
            } else {
                AuditEvent::decode(&action, &subject, &payload)
                    .map_err(|_| corrupt())?
                    .accepted_version()
            };
            let (report, version) = accepted.ok_or_else(corrupt)?;
            Ok((seq, report, version))
        })
        .collect()
}
