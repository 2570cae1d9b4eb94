//! Trust anchors and the verified signatures of report versions.

use baocao_domain::access::UserId;
use baocao_domain::report::ReportId;
use sqlx::Row;

use crate::{Conn, StoreResult};

/// A trust anchor as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAnchor {
    /// Id.
    pub id: i64,
    /// SHA-256 of the certificate's DER (hex).
    pub fingerprint: String,
    /// Subject.
    pub subject: String,
    /// Valid until (Unix seconds).
    pub not_after: i64,
    /// The certificate (PEM).
    pub pem: String,
    /// When it was added.
    pub added_at: i64,
}

/// Adds a trust anchor; `None` when one with the same fingerprint is there.
pub async fn insert_anchor(
    conn: &mut Conn,
    anchor: &StoredAnchor,
    by: Option<UserId>,
) -> StoreResult<Option<i64>> {
    let row = sqlx::query(
        "INSERT INTO trust_anchors (fingerprint, subject, not_after, pem, added_by, added_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (fingerprint) DO NOTHING RETURNING id",
    )
    .bind(&anchor.fingerprint)
    .bind(&anchor.subject)
    .bind(anchor.not_after)
    .bind(&anchor.pem)
    .bind(by.map(UserId::get))
    .bind(anchor.added_at)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| r.try_get("id")).transpose().map_err(Into::into)
}

/// Every trust anchor, oldest first.
pub async fn anchors(conn: &mut Conn) -> StoreResult<Vec<StoredAnchor>> {
    let rows = sqlx::query(
        "SELECT id, fingerprint, subject, not_after, pem, added_at FROM trust_anchors ORDER BY id",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(StoredAnchor {
                id: r.try_get("id")?,
                fingerprint: r.try_get("fingerprint")?,
                subject: r.try_get("subject")?,
                not_after: r.try_get("not_after")?,
                pem: r.try_get("pem")?,
                added_at: r.try_get("added_at")?,
            })
        })
        .collect()
}

/// Removes a trust anchor; the removed one, if it was there.
pub async fn remove_anchor(conn: &mut Conn, id: i64) -> StoreResult<Option<StoredAnchor>> {
    let found = anchors(conn).await?.into_iter().find(|a| a.id == id);
    if found.is_some() {
        sqlx::query("DELETE FROM trust_anchors WHERE id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(found)
}

/// A verified signature of a report version, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureInfo {
    /// Id.
    pub id: i64,
    /// The report.
    pub report: ReportId,
    /// The version signed.
    pub version: i64,
    /// `cms` or `pades`.
    pub kind: String,
    /// The signer's name.
    pub signer: String,
    /// The certificate's subject.
    pub subject: String,
    /// The certificate's serial (hex).
    pub serial: String,
    /// The issuing CA.
    pub issuer: String,
    /// The signing time the signature states.
    pub signed_at: Option<i64>,
    /// Digest algorithm.
    pub digest: String,
    /// Key algorithm and size.
    pub key: String,
    /// SHA-256 of the uploaded file (hex).
    pub sha256: String,
    /// Who uploaded it.
    pub uploaded_by: Option<UserId>,
    /// When.
    pub uploaded_at: i64,
}

/// Stores a verified signature with the uploaded file.
pub async fn insert_signature(conn: &mut Conn, s: &SignatureInfo, data: &[u8]) -> StoreResult<i64> {
    let row = sqlx::query(
        "INSERT INTO report_signatures (report_id, version, kind, signer, subject, serial, issuer, \
         signed_at, digest, key, sha256, data, uploaded_by, uploaded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
    )
    .bind(s.report.get())
    .bind(s.version)
    .bind(&s.kind)
    .bind(&s.signer)
    .bind(&s.subject)
    .bind(&s.serial)
    .bind(&s.issuer)
    .bind(s.signed_at)
    .bind(&s.digest)
    .bind(&s.key)
    .bind(&s.sha256)
    .bind(data.to_vec())
    .bind(s.uploaded_by.map(UserId::get))
    .bind(s.uploaded_at)
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get("id")?)
}

const COLUMNS: &str = "id, report_id, CAST(version AS BIGINT) AS version, kind, signer, subject, \
     serial, issuer, signed_at, digest, key, sha256, uploaded_by, uploaded_at";

/// A report's signatures, oldest first.
pub async fn signatures(conn: &mut Conn, report: ReportId) -> StoreResult<Vec<SignatureInfo>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM report_signatures WHERE report_id = $1 ORDER BY id"
    ))
    .bind(report.get())
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(info).collect()
}

/// Up to `limit` signatures with an id above `after`, by id, with their
/// files (for the audit; keep `limit` small).
pub async fn signatures_page(
    conn: &mut Conn,
    after: i64,
    limit: i64,
) -> StoreResult<Vec<(SignatureInfo, Vec<u8>)>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS}, data FROM report_signatures WHERE id > $1 ORDER BY id LIMIT $2"
    ))
    .bind(after)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| Ok((info(r)?, r.try_get("data")?)))
        .collect()
}

/// One signature with its file.
pub async fn signature_data(
    conn: &mut Conn,
    id: i64,
) -> StoreResult<Option<(SignatureInfo, Vec<u8>)>> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS}, data FROM report_signatures WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| Ok((info(&r)?, r.try_get("data")?))).transpose()
}

fn info(r: &sqlx::any::AnyRow) -> StoreResult<SignatureInfo> {
    Ok(SignatureInfo {
        id: r.try_get("id")?,
        report: ReportId::new(r.try_get("report_id")?),
        version: r.try_get("version")?,
        kind: r.try_get("kind")?,
        signer: r.try_get("signer")?,
        subject: r.try_get("subject")?,
        serial: r.try_get("serial")?,
        issuer: r.try_get("issuer")?,
        signed_at: r.try_get("signed_at")?,
        digest: r.try_get("digest")?,
        key: r.try_get("key")?,
        sha256: r.try_get("sha256")?,
        uploaded_by: r.try_get::<Option<i64>, _>("uploaded_by")?.map(UserId::new),
        uploaded_at: r.try_get("uploaded_at")?,
    })
}
