//! Reports accepted in a previous system, stored as accepted version 1.

use baocao_domain::audit::Action;
use baocao_domain::period::PeriodId;
use baocao_domain::report::{ReportId, Status};
use baocao_domain::unit::UnitId;
use sqlx::Row;

use super::{NewReport, ROWS_PER_INSERT};
use crate::{list_placeholders, values_placeholders, Conn, StoreResult};

/// A report accepted elsewhere, to store as accepted version 1.
#[derive(Debug, Clone)]
pub struct ImportedReport<'a> {
    /// Where it belongs (regime, unit, period, receiver, deadline) and its content as the draft.
    pub report: NewReport<'a>,
    /// When it was submitted (unix seconds).
    pub submitted_at: i64,
    /// When it was accepted (unix seconds).
    pub accepted_at: i64,
    /// Whether the submission met the deadline.
    pub on_time: bool,
}

/// Stores reports accepted elsewhere: each row accepted at version 1, the
/// version, and its submission and acceptance events, a few statements per
/// batch. Returns their ids in input order; a report that exists already is a
/// unique violation (check first with [`existing`]).
pub async fn insert_imported(
    conn: &mut Conn,
    reports: &[ImportedReport<'_>],
) -> StoreResult<Vec<ReportId>> {
    let mut ids = Vec::with_capacity(reports.len());
    for chunk in reports.chunks(ROWS_PER_INSERT) {
        let sql = format!(
            "INSERT INTO reports (regime_code, regime_version, unit_id, period, receiver_id, deadline, \
             status, draft, version, accepted_version, created_at, updated_at, revision) VALUES {} RETURNING id",
            values_placeholders(chunk.len(), 13)
        );
        let mut q = sqlx::query(&sql);
        for r in chunk {
            let n = &r.report;
            q = q
                .bind(n.regime_code)
                .bind(i64::try_from(n.regime_version).unwrap_or(i64::MAX))
                .bind(n.unit_id.get())
                .bind(n.period.to_string())
                .bind(n.receiver_id.get())
                .bind(n.deadline.to_string())
                .bind(Status::Accepted.as_str())
                .bind(n.draft)
                .bind(1i64)
                .bind(1i64)
                .bind(r.submitted_at)
                .bind(r.accepted_at)
                .bind(0i64);
        }
        let rows = q.fetch_all(&mut *conn).await?;
        let mut got: Vec<i64> = rows
            .iter()
            .map(|row| row.try_get("id"))
            .collect::<Result<_, _>>()?;
        // Ids are assigned in the order of the rows inserted.
        got.sort_unstable();
        ids.extend(got.into_iter().map(ReportId::new));
    }
    let pairs: Vec<(ReportId, &ImportedReport<'_>)> = ids.iter().copied().zip(reports).collect();
    for chunk in pairs.chunks(ROWS_PER_INSERT) {
        let sql = format!(
            "INSERT INTO report_versions (report_id, version, content, reason, submitted_at, submitted_by, on_time) \
             VALUES {}",
            values_placeholders(chunk.len(), 7)
        );
        let mut q = sqlx::query(&sql);
        for (id, r) in chunk {
            q = q
                .bind(id.get())
                .bind(1i64)
                .bind(r.report.draft)
                .bind(None::<String>)
                .bind(r.submitted_at)
                .bind(None::<i64>)
                .bind(i64::from(r.on_time));
        }
        q.execute(&mut *conn).await?;
        let sql = format!(
            "INSERT INTO report_events (report_id, version, action, reason, at, by_user) VALUES {}",
            values_placeholders(chunk.len() * 2, 6)
        );
        let mut q = sqlx::query(&sql);
        for (id, r) in chunk {
            for (action, at) in [
                (Action::ReportSubmit.as_str(), r.submitted_at),
                (Action::ReportAccept.as_str(), r.accepted_at),
            ] {
                q = q
                    .bind(id.get())
                    .bind(1i64)
                    .bind(action)
                    .bind(None::<String>)
                    .bind(at)
                    .bind(None::<i64>);
            }
        }
        q.execute(&mut *conn).await?;
    }
    Ok(ids)
}

/// Which of `units` already have a report of `regime` for one of `periods`:
/// (unit, period) pairs.
pub async fn existing(
    conn: &mut Conn,
    regime: &str,
    units: &[UnitId],
    periods: &[PeriodId],
) -> StoreResult<Vec<(UnitId, String)>> {
    let mut out = Vec::new();
    let periods: Vec<String> = periods.iter().map(ToString::to_string).collect();
    for chunk in units.chunks(500) {
        let sql = format!(
            "SELECT unit_id, period FROM reports WHERE regime_code = $1 AND unit_id IN ({}) AND period IN ({})",
            list_placeholders(2, chunk.len()),
            list_placeholders(2 + chunk.len(), periods.len())
        );
        let mut q = sqlx::query(&sql).bind(regime);
        for u in chunk {
            q = q.bind(u.get());
        }
        for p in &periods {
            q = q.bind(p);
        }
        for row in q.fetch_all(&mut *conn).await? {
            out.push((UnitId::new(row.try_get("unit_id")?), row.try_get("period")?));
        }
    }
    Ok(out)
}
