//! Reminders a receiving unit sent to the units that had not sent a report
//! (migration 0011): one a unit, regime, period and day.

use baocao_domain::access::UserId;
use baocao_domain::unit::UnitId;
use sqlx::Row;

use crate::{list_placeholders, Conn, StoreResult};

/// A reminder to write.
#[derive(Debug, Clone)]
pub struct NewReminder<'a> {
    /// Regime code.
    pub regime: &'a str,
    /// Period id.
    pub period: &'a str,
    /// The unit reminded.
    pub unit: UnitId,
    /// The receiving unit that reminds it.
    pub receiver: UnitId,
    /// The day (`YYYY-MM-DD`, Vietnam time): one reminder a day.
    pub day: &'a str,
    /// When (Unix seconds).
    pub at: i64,
    /// Who.
    pub by: Option<UserId>,
}

/// Records a reminder; `false` when the unit was reminded of this report
/// the same day already.
pub async fn insert(conn: &mut Conn, r: &NewReminder<'_>) -> StoreResult<bool> {
    let done = sqlx::query(
        "INSERT INTO reminders (regime_code, period, unit_id, receiver_id, day, at, by_user) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (regime_code, period, unit_id, day) DO NOTHING",
    )
    .bind(r.regime)
    .bind(r.period)
    .bind(r.unit.get())
    .bind(r.receiver.get())
    .bind(r.day)
    .bind(r.at)
    .bind(r.by.map(|u| u.get()))
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A reminder received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder {
    /// Regime code.
    pub regime: String,
    /// Period id.
    pub period: String,
    /// The unit reminded.
    pub unit: UnitId,
    /// When (Unix seconds), the latest.
    pub at: i64,
}

/// The reminders `units` received since `since`, the latest per report.
pub async fn received_since(
    conn: &mut Conn,
    units: &[UnitId],
    since: i64,
) -> StoreResult<Vec<Reminder>> {
    let mut out = Vec::new();
    for chunk in units.chunks(400) {
        let sql = format!(
            "SELECT regime_code, period, unit_id, MAX(at) AS at FROM reminders \
             WHERE at >= $1 AND unit_id IN ({}) GROUP BY regime_code, period, unit_id",
            list_placeholders(2, chunk.len())
        );
        let mut q = sqlx::query(&sql).bind(since);
        for u in chunk {
            q = q.bind(u.get());
        }
        for r in q.fetch_all(&mut *conn).await? {
            out.push(Reminder {
                regime: r.try_get("regime_code")?,
                period: r.try_get("period")?,
                unit: UnitId::new(r.try_get("unit_id")?),
                at: r.try_get("at")?,
            });
        }
    }
    Ok(out)
}
