//! Reports: the working copy, frozen versions, workflow events and every saved
//! draft. Contents are JSON documents owned by the app layer.

use baocao_domain::unit::UnitId;
use sqlx::Row;

use crate::{list_placeholders, Conn, StoreResult};

/// A report row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredReport {
    /// Id.
    pub id: i64,
    /// Regime code.
    pub regime_code: String,
    /// The regime version it was made with.
    pub regime_version: i64,
    /// Reporting unit.
    pub unit_id: UnitId,
    /// Period id.
    pub period: String,
    /// Receiving unit.
    pub receiver_id: UnitId,
    /// Deadline (ISO date).
    pub deadline: String,
    /// Status text.
    pub status: String,
    /// The working copy (JSON content).
    pub draft: String,
    /// Number of the last submitted version (0 before the first submission).
    pub version: i64,
    /// Reason of an open correction.
    pub correction_reason: Option<String>,
    /// Last change (unix seconds).
    pub updated_at: i64,
}

const COLUMNS: &str =
    "id, regime_code, CAST(regime_version AS BIGINT) AS regime_version, unit_id, \
    period, receiver_id, deadline, status, draft, CAST(version AS BIGINT) AS version, \
    correction_reason, updated_at";

fn report(r: &sqlx::any::AnyRow) -> StoreResult<StoredReport> {
    Ok(StoredReport {
        id: r.try_get("id")?,
        regime_code: r.try_get("regime_code")?,
        regime_version: r.try_get("regime_version")?,
        unit_id: UnitId(r.try_get("unit_id")?),
        period: r.try_get("period")?,
        receiver_id: UnitId(r.try_get("receiver_id")?),
        deadline: r.try_get("deadline")?,
        status: r.try_get("status")?,
        draft: r.try_get("draft")?,
        version: r.try_get("version")?,
        correction_reason: r.try_get("correction_reason")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// The report of a regime, unit and period.
pub async fn find(
    conn: &mut Conn,
    regime: &str,
    unit: UnitId,
    period: &str,
) -> StoreResult<Option<StoredReport>> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM reports WHERE regime_code = $1 AND unit_id = $2 AND period = $3"
    ))
    .bind(regime)
    .bind(unit.0)
    .bind(period)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(report).transpose()
}

/// A report by id.
pub async fn get(conn: &mut Conn, id: i64) -> StoreResult<Option<StoredReport>> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM reports WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(report).transpose()
}

/// Reports of the given units (as reporting units) and/or received by them.
pub async fn of_units(conn: &mut Conn, units: &[UnitId]) -> StoreResult<Vec<StoredReport>> {
    let mut out = Vec::new();
    for chunk in units.chunks(400) {
        let list = list_placeholders(1, chunk.len());
        let sql = format!(
            "SELECT {COLUMNS} FROM reports WHERE unit_id IN ({list}) OR receiver_id IN ({list}) \
             ORDER BY deadline, id"
        );
        let mut q = sqlx::query(&sql);
        for u in chunk {
            q = q.bind(u.0);
        }
        for row in q.fetch_all(&mut *conn).await? {
            out.push(report(&row)?);
        }
    }
    out.sort_by(|a, b| a.deadline.cmp(&b.deadline).then(a.id.cmp(&b.id)));
    out.dedup_by_key(|r| r.id);
    Ok(out)
}

/// Reports of a regime and period received by a unit.
pub async fn received(
    conn: &mut Conn,
    receiver: UnitId,
    regime: &str,
    period: &str,
) -> StoreResult<Vec<StoredReport>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM reports WHERE receiver_id = $1 AND regime_code = $2 AND period = $3 ORDER BY id"
    ))
    .bind(receiver.0)
    .bind(regime)
    .bind(period)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(report).collect()
}

/// What a new report starts with.
#[derive(Debug, Clone)]
pub struct NewReport<'a> {
    /// Regime code.
    pub regime_code: &'a str,
    /// Regime version number.
    pub regime_version: i64,
    /// Reporting unit.
    pub unit_id: UnitId,
    /// Period id.
    pub period: &'a str,
    /// Receiving unit.
    pub receiver_id: UnitId,
    /// Deadline (ISO date).
    pub deadline: &'a str,
    /// Initial working copy.
    pub draft: &'a str,
}

/// Creates a draft report; a second one for the same key is a unique violation.
pub async fn insert(conn: &mut Conn, r: &NewReport<'_>, now: i64) -> StoreResult<i64> {
    let row = sqlx::query(
        "INSERT INTO reports (regime_code, regime_version, unit_id, period, receiver_id, deadline, \
         status, draft, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'draft', $7, 0, $8, $8) RETURNING id",
    )
    .bind(r.regime_code)
    .bind(r.regime_version)
    .bind(r.unit_id.0)
    .bind(r.period)
    .bind(r.receiver_id.0)
    .bind(r.deadline)
    .bind(r.draft)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get("id")?)
}

/// Changes status, working copy, version and correction reason at once, only
/// if the report is still in `expected_status` (optimistic check against
/// concurrent steps); returns whether it was.
#[allow(clippy::too_many_arguments)]
pub async fn update(
    conn: &mut Conn,
    id: i64,
    expected_status: &str,
    status: &str,
    draft: &str,
    version: i64,
    correction_reason: Option<&str>,
    now: i64,
) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE reports SET status = $1, draft = $2, version = $3, correction_reason = $4, \
         updated_at = $5 WHERE id = $6 AND status = $7",
    )
    .bind(status)
    .bind(draft)
    .bind(version)
    .bind(correction_reason)
    .bind(now)
    .bind(id)
    .bind(expected_status)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Freezes a submitted version.
#[allow(clippy::too_many_arguments)]
pub async fn insert_version(
    conn: &mut Conn,
    id: i64,
    version: i64,
    content: &str,
    reason: Option<&str>,
    at: i64,
    by: Option<i64>,
    on_time: bool,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO report_versions (report_id, version, content, reason, submitted_at, submitted_by, on_time) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(version)
    .bind(content)
    .bind(reason)
    .bind(at)
    .bind(by)
    .bind(i64::from(on_time))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A frozen version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredVersion {
    /// Number, from 1.
    pub version: i64,
    /// JSON content.
    pub content: String,
    /// Why it was made (corrections).
    pub reason: Option<String>,
    /// Server time of submission.
    pub submitted_at: i64,
    /// Whether it met the deadline.
    pub on_time: bool,
}

/// Every version of a report, oldest first.
pub async fn versions(conn: &mut Conn, id: i64) -> StoreResult<Vec<StoredVersion>> {
    let rows = sqlx::query(
        "SELECT CAST(version AS BIGINT) AS version, content, reason, submitted_at, \
         CAST(on_time AS BIGINT) AS on_time FROM report_versions WHERE report_id = $1 ORDER BY version",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(StoredVersion {
                version: r.try_get("version")?,
                content: r.try_get("content")?,
                reason: r.try_get("reason")?,
                submitted_at: r.try_get("submitted_at")?,
                on_time: r.try_get::<i64, _>("on_time")? != 0,
            })
        })
        .collect()
}

/// Records a workflow step.
pub async fn insert_event(
    conn: &mut Conn,
    id: i64,
    version: i64,
    action: &str,
    reason: Option<&str>,
    at: i64,
    by: Option<i64>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO report_events (report_id, version, action, reason, at, by_user) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(version)
    .bind(action)
    .bind(reason)
    .bind(at)
    .bind(by)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A workflow step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    /// Version it concerned.
    pub version: i64,
    /// `report.submit`, `report.return`, …
    pub action: String,
    /// The reason given.
    pub reason: Option<String>,
    /// When.
    pub at: i64,
    /// Who (display name), if a user.
    pub by: Option<String>,
}

/// A report's workflow steps, oldest first.
pub async fn events(conn: &mut Conn, id: i64) -> StoreResult<Vec<StoredEvent>> {
    let rows = sqlx::query(
        "SELECT CAST(e.version AS BIGINT) AS version, e.action, e.reason, e.at, u.display_name \
         FROM report_events e LEFT JOIN users u ON u.id = e.by_user WHERE e.report_id = $1 ORDER BY e.id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(StoredEvent {
                version: r.try_get("version")?,
                action: r.try_get("action")?,
                reason: r.try_get("reason")?,
                at: r.try_get("at")?,
                by: r.try_get("display_name")?,
            })
        })
        .collect()
}

/// Keeps a saved draft.
pub async fn insert_draft_save(
    conn: &mut Conn,
    id: i64,
    content: &str,
    at: i64,
    by: Option<i64>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO draft_saves (report_id, content, saved_at, saved_by) VALUES ($1, $2, $3, $4)",
    )
    .bind(id)
    .bind(content)
    .bind(at)
    .bind(by)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// How many drafts of a report were saved.
pub async fn draft_save_count(conn: &mut Conn, id: i64) -> StoreResult<i64> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM draft_saves WHERE report_id = $1")
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    Ok(row.try_get("n")?)
}

/// The accepted contents of a unit's reports for a regime before `period`,
/// latest first, at most `limit` (for outlier checks against its own history).
pub async fn previous_contents(
    conn: &mut Conn,
    regime: &str,
    unit: UnitId,
    period: &str,
    limit: i64,
) -> StoreResult<Vec<String>> {
    let rows = sqlx::query(
        "SELECT v.content FROM reports r \
         JOIN report_versions v ON v.report_id = r.id AND v.version = r.version \
         WHERE r.regime_code = $1 AND r.unit_id = $2 AND r.period < $3 AND r.status = 'accepted' \
         ORDER BY r.period DESC LIMIT $4",
    )
    .bind(regime)
    .bind(unit.0)
    .bind(period)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(|r| Ok(r.try_get("content")?)).collect()
}

/// An attachment without its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentInfo {
    /// Id.
    pub id: i64,
    /// The version it was submitted with; `None` while the report is a draft.
    pub version: Option<i64>,
    /// File name as uploaded.
    pub name: String,
    /// Detected type.
    pub content_type: String,
    /// Size in bytes.
    pub size: i64,
    /// SHA-256 of the bytes (hex).
    pub sha256: String,
}

/// Stores an attachment of the draft.
#[allow(clippy::too_many_arguments)]
pub async fn insert_attachment(
    conn: &mut Conn,
    report: i64,
    name: &str,
    content_type: &str,
    sha256: &str,
    data: &[u8],
    by: Option<i64>,
    now: i64,
) -> StoreResult<i64> {
    let row = sqlx::query(
        "INSERT INTO attachments (report_id, version, name, content_type, size, sha256, data, uploaded_by, uploaded_at) \
         VALUES ($1, NULL, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(report)
    .bind(name)
    .bind(content_type)
    .bind(i64::try_from(data.len()).unwrap_or(i64::MAX))
    .bind(sha256)
    .bind(data.to_vec())
    .bind(by)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get("id")?)
}

/// A report's attachments, oldest first.
pub async fn attachments(conn: &mut Conn, report: i64) -> StoreResult<Vec<AttachmentInfo>> {
    let rows = sqlx::query(
        "SELECT id, CAST(version AS BIGINT) AS version, name, content_type, size, sha256 \
         FROM attachments WHERE report_id = $1 ORDER BY id",
    )
    .bind(report)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(attachment_info).collect()
}

/// One attachment's bytes, with its report.
pub async fn attachment_data(
    conn: &mut Conn,
    id: i64,
) -> StoreResult<Option<(i64, AttachmentInfo, Vec<u8>)>> {
    let row = sqlx::query(
        "SELECT id, report_id, CAST(version AS BIGINT) AS version, name, content_type, size, sha256, data \
         FROM attachments WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| {
        Ok((
            r.try_get("report_id")?,
            attachment_info(&r)?,
            r.try_get("data")?,
        ))
    })
    .transpose()
}

/// Freezes the draft's attachments with the version being submitted.
pub async fn freeze_attachments(conn: &mut Conn, report: i64, version: i64) -> StoreResult<()> {
    sqlx::query("UPDATE attachments SET version = $1 WHERE report_id = $2 AND version IS NULL")
        .bind(version)
        .bind(report)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Workflow steps of `action` since `since` on reports of `units`, newest first:
/// (report id, regime, period, unit, at, reason).
pub async fn recent_events(
    conn: &mut Conn,
    units: &[UnitId],
    action: &str,
    since: i64,
) -> StoreResult<Vec<(i64, String, String, UnitId, i64, Option<String>)>> {
    if units.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT r.id, r.regime_code, r.period, r.unit_id, e.at, e.reason FROM report_events e \
         JOIN reports r ON r.id = e.report_id \
         WHERE e.action = $1 AND e.at >= $2 AND r.unit_id IN ({}) ORDER BY e.at DESC LIMIT 200",
        list_placeholders(3, units.len())
    );
    let mut q = sqlx::query(&sql).bind(action).bind(since);
    for u in units {
        q = q.bind(u.0);
    }
    q.fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            Ok((
                r.try_get("id")?,
                r.try_get("regime_code")?,
                r.try_get("period")?,
                UnitId(r.try_get("unit_id")?),
                r.try_get("at")?,
                r.try_get("reason")?,
            ))
        })
        .collect()
}

/// How many reports were made with a regime's version.
pub async fn count_with_version(conn: &mut Conn, regime: &str, version: i64) -> StoreResult<i64> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM reports WHERE regime_code = $1 AND regime_version = $2",
    )
    .bind(regime)
    .bind(version)
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get("n")?)
}

/// The accepted contents of a unit's reports for a regime with
/// `from <= period < before`, oldest first.
pub async fn contents_between(
    conn: &mut Conn,
    regime: &str,
    unit: UnitId,
    from: &str,
    before: &str,
) -> StoreResult<Vec<(String, String)>> {
    let rows = sqlx::query(
        "SELECT r.period, v.content FROM reports r \
         JOIN report_versions v ON v.report_id = r.id AND v.version = r.version \
         WHERE r.regime_code = $1 AND r.unit_id = $2 AND r.period >= $3 AND r.period < $4 \
         AND r.status = 'accepted' ORDER BY r.period",
    )
    .bind(regime)
    .bind(unit.0)
    .bind(from)
    .bind(before)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("period")?, r.try_get("content")?)))
        .collect()
}
/// Regime and period of the reports submitted to `receiver` since `since`
/// (one entry per submission).
pub async fn arrived_since(
    conn: &mut Conn,
    receiver: UnitId,
    since: i64,
) -> StoreResult<Vec<(String, String)>> {
    let rows = sqlx::query(
        "SELECT r.regime_code, r.period FROM report_versions v JOIN reports r ON r.id = v.report_id \
                  WHERE r.receiver_id = $1 AND r.unit_id <> r.receiver_id AND v.submitted_at >= $2",
    )
    .bind(receiver.0)
    .bind(since)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("regime_code")?, r.try_get("period")?)))
        .collect()
}

fn attachment_info(r: &sqlx::any::AnyRow) -> StoreResult<AttachmentInfo> {
    Ok(AttachmentInfo {
        id: r.try_get("id")?,
        version: r.try_get("version")?,
        name: r.try_get("name")?,
        content_type: r.try_get("content_type")?,
        size: r.try_get("size")?,
        sha256: r.try_get("sha256")?,
    })
}
