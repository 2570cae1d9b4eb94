//! Files attached to a report: kept with the draft, frozen with the version
//! they were submitted with.

use baocao_domain::access::UserId;
use baocao_domain::report::ReportId;
use sqlx::Row;

use crate::{list_placeholders, Conn, StoreResult};

/// An attachment without its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentInfo {
    /// Id.
    pub id: i64,
    /// The version it was submitted with; `None` while the report is a draft.
    pub version: Option<i64>,
    /// File name as uploaded (cleaned).
    pub name: String,
    /// Detected type.
    pub content_type: String,
    /// Size in bytes.
    pub size: i64,
    /// SHA-256 of the bytes (hex).
    pub sha256: String,
}

/// An attachment to store.
#[derive(Debug, Clone)]
pub struct NewAttachment<'a> {
    /// The report.
    pub report: ReportId,
    /// File name.
    pub name: &'a str,
    /// Detected media type.
    pub content_type: &'a str,
    /// SHA-256 (hex).
    pub sha256: &'a str,
    /// The bytes.
    pub data: &'a [u8],
    /// Who.
    pub by: Option<UserId>,
    /// When.
    pub at: i64,
}

/// Stores an attachment of the draft.
pub async fn insert_attachment(conn: &mut Conn, a: &NewAttachment<'_>) -> StoreResult<i64> {
    let row = sqlx::query(
        "INSERT INTO attachments (report_id, version, name, content_type, size, sha256, data, uploaded_by, uploaded_at) \
         VALUES ($1, NULL, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(a.report.get())
    .bind(a.name)
    .bind(a.content_type)
    .bind(i64::try_from(a.data.len()).unwrap_or(i64::MAX))
    .bind(a.sha256)
    .bind(a.data.to_vec())
    .bind(a.by.map(UserId::get))
    .bind(a.at)
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get("id")?)
}

/// A report's attachments, oldest first.
pub async fn attachments(conn: &mut Conn, report: ReportId) -> StoreResult<Vec<AttachmentInfo>> {
    let rows = sqlx::query(
        "SELECT id, CAST(version AS BIGINT) AS version, name, content_type, size, sha256 \
         FROM attachments WHERE report_id = $1 ORDER BY id",
    )
    .bind(report.get())
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(attachment_info).collect()
}

/// The report an attachment belongs to.
pub async fn attachment_report(conn: &mut Conn, id: i64) -> StoreResult<Option<ReportId>> {
    let row = sqlx::query("SELECT report_id FROM attachments WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|r| Ok(ReportId::new(r.try_get("report_id")?)))
        .transpose()
}

/// One attachment's bytes.
pub async fn attachment_data(
    conn: &mut Conn,
    id: i64,
) -> StoreResult<Option<(AttachmentInfo, Vec<u8>)>> {
    let row = sqlx::query(
        "SELECT id, CAST(version AS BIGINT) AS version, name, content_type, size, sha256, data \
         FROM attachments WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| Ok((attachment_info(&r)?, r.try_get("data")?)))
        .transpose()
}

/// An attachment with its report and bytes, for the audit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAttachment {
    /// The report it belongs to.
    pub report: ReportId,
    /// What is known of it.
    pub info: AttachmentInfo,
    /// Its bytes.
    pub data: Vec<u8>,
}

/// Up to `limit` attachments with an id above `after`, by id, with their
/// bytes (keep `limit` small: files are up to the upload limit each).
pub async fn attachments_page(
    conn: &mut Conn,
    after: i64,
    limit: i64,
) -> StoreResult<Vec<StoredAttachment>> {
    let rows = sqlx::query(
        "SELECT id, report_id, version, name, content_type, size, sha256, data FROM attachments \
         WHERE id > $1 ORDER BY id LIMIT $2",
    )
    .bind(after)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(StoredAttachment {
                report: ReportId::new(r.try_get("report_id")?),
                info: attachment_info(r)?,
                data: r.try_get("data")?,
            })
        })
        .collect()
}

/// Freezes the draft attachments of `reports` with each report's current
/// version (call after the submissions' rows changed).
pub(super) async fn freeze_attachments(conn: &mut Conn, reports: &[ReportId]) -> StoreResult<()> {
    for chunk in reports.chunks(500) {
        let sql = format!(
            "UPDATE attachments SET version = (SELECT r.version FROM reports r WHERE r.id = attachments.report_id) \
             WHERE version IS NULL AND report_id IN ({})",
            list_placeholders(1, chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(id.get());
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
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
